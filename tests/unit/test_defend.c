// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_defend.c - the defence of a group's virtual addresses, its VIP and its virtual IPv6
 * addresses (user/lib/defend.c): which host entries a pass tells, and when the first pass, its
 * repeat and the next first pass run, at times given, on the AVG only.
 */
#include <string.h>
#include <arpa/inet.h>
#include "testlib.h"
#include "defend.h"

#define MS 1000000ull

static void group7(struct xglb_cfg_group *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->id = 7;
	xglb_cfg_link_local(7, cg->addr6[0]);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::1", cg->addr6[1]), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::2", cg->addr6[2]), 1);
	cg->n_addr6 = 3;
	cg->n_vip6 = 2;
}

static void test_addr(void **state)
{
	struct xglb_cfg_group cg;
	__u8 a[16];

	(void)state;
	group7(&cg);
	assert_int_equal(xglb_defend6_addr(&cg, cg.addr6[0]), 0);
	assert_int_equal(xglb_defend6_addr(&cg, cg.addr6[2]), 2);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::3", a), 1);
	assert_int_equal(xglb_defend6_addr(&cg, a), -1);
	cg.n_addr6 = 2; /* the second vip6 reloaded away */
	assert_int_equal(xglb_defend6_addr(&cg, cg.addr6[2]), -1);
}

/* Group 7, forwarders 0 and 1 live, 2 not. */
static void table7(struct xglb_group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = 7;
	g->n_fwd = 3;
	g->fwd[0].flags = XGLB_FWD_ACTIVE;
	g->fwd[1].flags = XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL;
}

static void test_tells(void **state)
{
	struct xglb_host_key k = {.gid = 7, .mac = {0x02, 0, 0x0a, 0, 0, 0x65}};
	struct xglb_host h = {.fwd = 1, .flags = XGLB_HOST_NDP};
	struct xglb_group g;

	(void)state;
	table7(&g);
	assert_true(xglb_defend6_tells(&k, &h, &g));
	h.fwd = 0; /* another node's forwarder: the AVG names it all the same */
	assert_true(xglb_defend6_tells(&k, &h, &g));
	h.ip = htonl(0x0a000065); /* dual-stack */
	assert_true(xglb_defend6_tells(&k, &h, &g));
	h.flags = 0; /* an IPv4 host only */
	assert_false(xglb_defend6_tells(&k, &h, &g));
	h.flags = XGLB_HOST_NDP;
	h.fwd = 2; /* a forwarder not live: no vMAC to name */
	assert_false(xglb_defend6_tells(&k, &h, &g));
	h.fwd = 5; /* beyond the group's forwarders */
	assert_false(xglb_defend6_tells(&k, &h, &g));
	h.fwd = 1;
	k.gid = 8; /* another group's host */
	assert_false(xglb_defend6_tells(&k, &h, &g));
}

/* A claim: a first pass at once, its repeat 1.5 s after it began, then nothing. */
static void test_first_and_repeat(void **state)
{
	struct xglb_defend s = {0};
	__u64 t = 1000 * MS;

	(void)state;
	assert_int_equal(xglb_defend_due(&s, t), 0);
	assert_int_equal(xglb_defend_start(&s, t, true), 0);
	xglb_defend_claim(&s, 0, true);
	assert_int_equal(xglb_defend_due(&s, t), t);
	assert_int_equal(xglb_defend_start(&s, t, true), 0x1);
	/* while it runs: nothing else begins, nothing is due (the steps pace it) */
	assert_int_equal(xglb_defend_due(&s, t + 1 * MS), 0);
	assert_int_equal(xglb_defend_start(&s, t + 1 * MS, true), 0);
	xglb_defend_done(&s);
	assert_int_equal(xglb_defend_due(&s, t + 2 * MS), t + 1500 * MS);
	assert_int_equal(xglb_defend_start(&s, t + 1499 * MS, true), 0);
	assert_int_equal(xglb_defend_start(&s, t + 1500 * MS, true), 0x1);
	xglb_defend_done(&s);
	/* once: no third pass */
	assert_int_equal(xglb_defend_due(&s, t + 1600 * MS), 0);
	assert_int_equal(xglb_defend_start(&s, t + 5000 * MS, true), 0);
}

/*
 * A station that keeps claiming: a new first pass at most every 500 ms,
 * each rescheduling the repeat; claims of two addresses in one pass.
 */
static void test_claims_again(void **state)
{
	struct xglb_defend s = {0};
	__u64 t = 1000 * MS;

	(void)state;
	xglb_defend_claim(&s, 0, true);
	xglb_defend_claim(&s, 1, true);
	assert_int_equal(xglb_defend_start(&s, t, true), 0x3);
	/* claimed again while the pass runs: pending, not begun */
	xglb_defend_claim(&s, 0, true);
	assert_int_equal(xglb_defend_start(&s, t + 2 * MS, true), 0);
	xglb_defend_done(&s);
	/* due 500 ms after the first began, not before */
	assert_int_equal(xglb_defend_due(&s, t + 3 * MS), t + 500 * MS);
	assert_int_equal(xglb_defend_start(&s, t + 499 * MS, true), 0);
	/* the new first pass tells the repeat's addresses too, and moves the repeat */
	assert_int_equal(xglb_defend_start(&s, t + 500 * MS, true), 0x3);
	xglb_defend_done(&s);
	assert_int_equal(xglb_defend_due(&s, t + 501 * MS), t + 2000 * MS);
	assert_int_equal(xglb_defend_start(&s, t + 1500 * MS, true), 0);
	assert_int_equal(xglb_defend_start(&s, t + 2000 * MS, true), 0x3);
	xglb_defend_done(&s);
	assert_int_equal(xglb_defend_due(&s, t + 2001 * MS), 0);
	/* an index past the group's addresses is no claim */
	xglb_defend_claim(&s, -1, true);
	xglb_defend_claim(&s, XGLB_VIP6_PER_GROUP, true);
	assert_int_equal(xglb_defend_due(&s, t + 2002 * MS), 0);
}

/* A claim while the repeat waits, before the interval is over: the earlier time is due. */
static void test_due_earliest(void **state)
{
	struct xglb_defend s = {0};
	__u64 t = 1000 * MS;

	(void)state;
	xglb_defend_claim(&s, 2, true);
	assert_int_equal(xglb_defend_start(&s, t, true), 0x4);
	xglb_defend_done(&s);
	xglb_defend_claim(&s, 1, true);
	assert_int_equal(xglb_defend_due(&s, t + 10 * MS), t + 500 * MS);
	/* late: a due time already past is now */
	assert_int_equal(xglb_defend_due(&s, t + 700 * MS), t + 700 * MS);
	assert_int_equal(xglb_defend_start(&s, t + 700 * MS, true), 0x6);
}

static void test_tells4(void **state)
{
	struct xglb_host_key k = {.gid = 7, .mac = {0x02, 0, 0x0a, 0, 0, 0x65}};
	struct xglb_host h = {.fwd = 1, .ip = htonl(0x0a000065)};
	struct xglb_group g;

	(void)state;
	table7(&g);
	assert_true(xglb_defend4_tells(&k, &h, &g));
	h.fwd = 0; /* another node's forwarder */
	assert_true(xglb_defend4_tells(&k, &h, &g));
	h.flags = XGLB_HOST_NDP; /* dual-stack */
	assert_true(xglb_defend4_tells(&k, &h, &g));
	h.ip = 0; /* an IPv6 host only: it never asked for the VIP */
	assert_false(xglb_defend4_tells(&k, &h, &g));
	h.ip = htonl(0x0a000065);
	h.fwd = 2; /* a forwarder not live */
	assert_false(xglb_defend4_tells(&k, &h, &g));
	h.fwd = 5; /* beyond the group's forwarders */
	assert_false(xglb_defend4_tells(&k, &h, &g));
	h.fwd = 1;
	k.gid = 8; /* another group's host */
	assert_false(xglb_defend4_tells(&k, &h, &g));
}

/* The VIP's defence: the same schedule, a mask of one address; passes and repeats counted. */
static void test_vip_first_and_repeat(void **state)
{
	struct xglb_defend s = {0};
	__u64 t = 1000 * MS;

	(void)state;
	xglb_defend_claim(&s, XGLB_DEFEND_VIP, true);
	assert_int_equal(xglb_defend_start(&s, t, true), 1u << XGLB_DEFEND_VIP);
	xglb_defend_claim(&s, XGLB_DEFEND_VIP, true); /* the rogue again, mid pass */
	xglb_defend_done(&s);
	assert_int_equal(xglb_defend_due(&s, t + 5 * MS), t + 500 * MS);
	assert_int_equal(xglb_defend_start(&s, t + 500 * MS, true), 1u << XGLB_DEFEND_VIP);
	xglb_defend_done(&s);
	assert_int_equal(xglb_defend_due(&s, t + 501 * MS), t + 2000 * MS);
	assert_int_equal(xglb_defend_start(&s, t + 1999 * MS, true), 0);
	assert_int_equal(xglb_defend_start(&s, t + 2000 * MS, true), 1u << XGLB_DEFEND_VIP);
	xglb_defend_done(&s);
	assert_int_equal(xglb_defend_due(&s, t + 2001 * MS), 0);
	assert_int_equal(s.passes, 2);
	assert_int_equal(s.repeats, 1);
}

/* On a node that is not the AVG a claim schedules neither a first pass nor its repeat. */
static void test_not_avg(void **state)
{
	struct xglb_defend s = {0};
	__u64 t = 1000 * MS;

	(void)state;
	xglb_defend_claim(&s, XGLB_DEFEND_VIP, false);
	xglb_defend_claim(&s, 1, false);
	assert_int_equal(xglb_defend_due(&s, t), 0);
	assert_int_equal(xglb_defend_start(&s, t, false), 0);
	assert_int_equal(xglb_defend_start(&s, t + 1500 * MS, false), 0);
	assert_int_equal(xglb_defend_due(&s, t + 1500 * MS), 0);
	assert_int_equal(s.passes + s.repeats, 0);
	/* the AVG that claimed, then handed the role over before its repeat: no repeat */
	xglb_defend_claim(&s, 1, true);
	assert_int_equal(xglb_defend_start(&s, t, true), 0x2);
	xglb_defend_done(&s);
	xglb_defend_claim(&s, 1, true);
	assert_int_equal(xglb_defend_start(&s, t + 100 * MS, false), 0);
	assert_int_equal(xglb_defend_due(&s, t + 100 * MS), 0);
	assert_int_equal(xglb_defend_start(&s, t + 1500 * MS, true), 0);
	assert_int_equal(s.passes, 1);
	assert_int_equal(s.repeats, 0);
}

T_MAIN_NAMED("defend", cmocka_unit_test(test_addr), cmocka_unit_test(test_tells),
	     cmocka_unit_test(test_first_and_repeat), cmocka_unit_test(test_claims_again),
	     cmocka_unit_test(test_due_earliest), cmocka_unit_test(test_tells4),
	     cmocka_unit_test(test_vip_first_and_repeat), cmocka_unit_test(test_not_avg))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_addrmove.c - which interface holds the node address: failover at once, return after the
 * delay, flaps, no live interface, time passed in; which routes follow it. */
#include "testlib.h"
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "addrmove.h"

#define MS  1000000ull
#define RET (1000 * MS) /* nic-return-ms: 1000 */
#define T0  (5000 * MS)

static void init_checks(void **state)
{
	struct xglb_addrmove m;

	(void)state;
	assert_int_equal(xglb_addrmove_init(&m, 0), -EINVAL);
	assert_int_equal(xglb_addrmove_init(&m, XGLB_ADDRMOVE_MAX + 1), -EINVAL);
	assert_int_equal(xglb_addrmove_init(&m, 2), 0);
	assert_int_equal(m.holder, -1);
	/* nothing live: nowhere */
	assert_int_equal(xglb_addrmove_decide(&m, T0, RET, NULL), -1);
	/* out of range observations are ignored */
	xglb_addrmove_observe(&m, 2, true, T0);
	xglb_addrmove_observe(&m, -1, true, T0);
	assert_int_equal(xglb_addrmove_decide(&m, T0, RET, NULL), -1);
}

/* n interfaces, holder live since t and holding the address, the others down. */
static void held_by(struct xglb_addrmove *m, int n, int holder, __u64 t)
{
	assert_int_equal(xglb_addrmove_init(m, n), 0);
	xglb_addrmove_observe(m, holder, true, t);
	m->holder = holder;
}

/* n interfaces, all live since T0, the first holding the address. */
static void all_up_held_by_0(struct xglb_addrmove *m, int n)
{
	assert_int_equal(xglb_addrmove_init(m, n), 0);
	for (int i = 0; i < n; i++)
		xglb_addrmove_observe(m, i, true, T0);
	m->holder = 0;
}

/* holder live: stays, whatever else is live */
static void stays_while_live(void **state)
{
	struct xglb_addrmove m;
	__u64 next = 1;

	(void)state;
	held_by(&m, 2, 0, T0);
	xglb_addrmove_observe(&m, 1, true, T0);
	assert_int_equal(xglb_addrmove_decide(&m, T0, RET, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 100000 * MS, RET, &next), 0);
	/* a later interface never pulls it */
	m.holder = 1;
	xglb_addrmove_observe(&m, 0, false, T0);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 100000 * MS, RET, &next), 1);
	assert_int_equal(next, 0);
}

/* the holder dies: the first live one takes it at once, with no delay even if it just came up */
static void fails_over_at_once(void **state)
{
	struct xglb_addrmove m;
	__u64 next = 1;

	(void)state;
	all_up_held_by_0(&m, 3);
	xglb_addrmove_observe(&m, 1, false, T0 + 10 * MS);
	xglb_addrmove_observe(&m, 1, true, T0 + 20 * MS); /* flapped: up for 0 ms */
	xglb_addrmove_observe(&m, 0, false, T0 + 20 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 20 * MS, RET, &next), 1);
	assert_int_equal(next, 0);
	xglb_addrmove_observe(&m, 1, false, T0 + 30 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 30 * MS, RET, NULL), 2);
	xglb_addrmove_observe(&m, 2, false, T0 + 40 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 40 * MS, RET, &next), -1);
	assert_int_equal(next, 0);
	/* no holder (lost): the first live, at once */
	m.holder = -1;
	xglb_addrmove_observe(&m, 2, true, T0 + 50 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 50 * MS, RET, NULL), 2);
}

/* the preferred interface comes back: the address returns only after the delay */
static void returns_after_delay(void **state)
{
	struct xglb_addrmove m;
	__u64 next = 0, up = T0 + 3000 * MS;

	(void)state;
	held_by(&m, 2, 1, T0);
	xglb_addrmove_observe(&m, 0, true, up);
	assert_int_equal(xglb_addrmove_decide(&m, up, RET, &next), 1);
	assert_int_equal(next, up + RET);
	assert_int_equal(xglb_addrmove_decide(&m, up + RET - 1, RET, &next), 1);
	assert_int_equal(next, up + RET);
	assert_int_equal(xglb_addrmove_decide(&m, up + RET, RET, &next), 0);
	assert_int_equal(next, 0);
	/* a delay of 0: back at once */
	assert_int_equal(xglb_addrmove_decide(&m, up, 0, NULL), 0);
}

/* a flap restarts the delay; observing the same state again does not */
static void flap_restarts_delay(void **state)
{
	struct xglb_addrmove m;
	__u64 next = 0, up = T0 + 3000 * MS, again = up + 800 * MS;

	(void)state;
	held_by(&m, 2, 1, T0);
	xglb_addrmove_observe(&m, 0, true, up);
	xglb_addrmove_observe(&m, 0, true, up + 500 * MS); /* same state: clock kept */
	assert_int_equal(m.since_ns[0], up);
	xglb_addrmove_observe(&m, 0, false, again - 10 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, again - 5 * MS, RET, &next), 1);
	assert_int_equal(next, 0);
	xglb_addrmove_observe(&m, 0, true, again);
	assert_int_equal(xglb_addrmove_decide(&m, up + RET, RET, &next), 1);
	assert_int_equal(next, again + RET);
	assert_int_equal(xglb_addrmove_decide(&m, again + RET, RET, NULL), 0);
}

/* of several earlier interfaces, the first one past its delay wins; next is the earliest due */
static void earliest_due(void **state)
{
	struct xglb_addrmove m;
	__u64 next = 0;

	(void)state;
	held_by(&m, 3, 2, T0);
	xglb_addrmove_observe(&m, 0, true, T0 + 500 * MS);
	xglb_addrmove_observe(&m, 1, true, T0 + 200 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 600 * MS, RET, &next), 2);
	assert_int_equal(next, T0 + 1200 * MS);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 1200 * MS, RET, &next), 1);
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 1500 * MS, RET, &next), 0);
}

/*
 * An interface that refuses the address (adding it failed) is passed over
 * for the next live one, so a node whose holder died does not step down
 * while another of its interfaces is live; a return to an earlier interface
 * that refuses it leaves it on the holder.
 */
static void refused_passes_to_the_next(void **state)
{
	struct xglb_addrmove m;
	__u64 next = 1;

	(void)state;
	all_up_held_by_0(&m, 3);
	xglb_addrmove_observe(&m, 0, false, T0 + 10 * MS);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 10 * MS, RET, 0, NULL), 1);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 10 * MS, RET, 1u << 1, &next), 2);
	assert_int_equal(next, 0);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 10 * MS, RET, 6, NULL), -1);
	/* the holder live on 2, 0 and 1 past their delay: 0 refuses, 1 is next, then the holder */
	m.holder = 2;
	xglb_addrmove_observe(&m, 0, true, T0 + 20 * MS);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 20 * MS + RET, RET, 0, NULL), 0);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 20 * MS + RET, RET, 1, NULL), 1);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 20 * MS + RET, RET, 3, &next), 2);
	/* a refused one is not counted for the next due time either */
	xglb_addrmove_observe(&m, 1, false, T0 + 30 * MS);
	xglb_addrmove_observe(&m, 1, true, T0 + 40 * MS);
	assert_int_equal(xglb_addrmove_decide_but(&m, T0 + 50 * MS, RET, 1, &next), 2);
	assert_int_equal(next, T0 + 40 * MS + RET);
	/* decide is decide_but with none refused */
	assert_int_equal(xglb_addrmove_decide(&m, T0 + 50 * MS, RET, &next), 2);
	assert_int_equal(next, T0 + 20 * MS + RET);
}

/*
 * Which routes follow the node address 10.0.0.2/24 to the holder (interface 1 of three): the
 * main table's unicast routes through a gateway of the prefix on the segment's other
 * interfaces, as a move interrupted by a kill leaves them; nothing else.
 */
static void routes_follow_the_address(void **state)
{
	const __be32 addr = htonl(0x0a000002), gw = htonl(0x0a000003), out = htonl(0x0a000103);
	static const struct {
		const char *what;
		struct xglb_addrmove_route r;
		int holder;
		enum xglb_addrmove_fate want;
	} cases[] = {
#define R(i, g, t, ty, pr, rw)                                                                     \
	{.iface = i, .gw = g, .table = t, .type = ty, .protocol = pr, .rewritable = rw}
	    {"left on the old holder", R(0, 0, 254, 1, 3, true), 1, XGLB_ROUTE_MOVE},
	    {"left on a third interface of the segment", R(2, 0, 254, 1, 3, true), 1,
	     XGLB_ROUTE_MOVE},
	    {"static (boot) and routing-daemon protocols alike", R(0, 0, 254, 1, 186, true), 1,
	     XGLB_ROUTE_MOVE},
	    {"on the holder already", R(1, 0, 254, 1, 3, true), 1, XGLB_ROUTE_IN_PLACE},
	    {"on the holder, multipath", R(1, 0, 254, 1, 3, false), 1, XGLB_ROUTE_IN_PLACE},
	    {"multipath / nexthop object / encapsulation", R(0, 0, 254, 1, 3, false), 1,
	     XGLB_ROUTE_LEFT},
	    {"gateway outside the node prefix", R(0, 1, 254, 1, 3, true), 1, XGLB_ROUTE_LEFT},
	    {"another interface (not the segment's)", R(-1, 0, 254, 1, 3, true), 1,
	     XGLB_ROUTE_NOT_OURS},
	    {"no gateway (device or connected route)", R(0, 2, 254, 1, 3, true), 1,
	     XGLB_ROUTE_NOT_OURS},
	    {"the kernel's own", R(0, 0, 254, 1, 2, true), 1, XGLB_ROUTE_NOT_OURS},
	    {"another table (policy routing)", R(0, 0, 100, 1, 3, true), 1, XGLB_ROUTE_NOT_OURS},
	    {"local table", R(0, 0, 255, 2, 2, true), 1, XGLB_ROUTE_NOT_OURS},
	    {"blackhole", R(0, 0, 254, 6, 3, true), 1, XGLB_ROUTE_NOT_OURS},
	    {"the address is nowhere: nothing moves", R(0, 0, 254, 1, 3, true), -1,
	     XGLB_ROUTE_NOT_OURS},
#undef R
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xglb_addrmove_route r = cases[i].r;

		/* gw in the table: 0 the prefix's gateway, 1 one outside it, 2 none */
		r.gw = r.gw == 0 ? gw : r.gw == 1 ? out : 0;
		if (xglb_addrmove_route(&r, cases[i].holder, addr, 24) != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what,
				 xglb_addrmove_route(&r, cases[i].holder, addr, 24), cases[i].want);
	}
	/* the prefix length decides what is inside: 10.0.1.3 is in a /16, not in a /24 */
	{
		struct xglb_addrmove_route r = {0, out, 254, 1, 3, true};

		assert_int_equal(xglb_addrmove_route(&r, 1, addr, 16), XGLB_ROUTE_MOVE);
		assert_int_equal(xglb_addrmove_route(&r, 1, addr, 24), XGLB_ROUTE_LEFT);
		assert_int_equal(xglb_addrmove_route(&r, 1, addr, 0), XGLB_ROUTE_MOVE);
		r.gw = gw;
		assert_int_equal(xglb_addrmove_route(&r, 1, addr, 32), XGLB_ROUTE_LEFT);
	}
}

/* the gratuitous ARP, byte for byte */
static void garp_bytes(void **state)
{
	const __u8 mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02};
	const __u8 want[60] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02, 0x08, 0x06,
	    0x00, 0x01, 0x08, 0x00, 6,	  4,	0x00, 0x01, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02,
	    10,	  0,	0,    2,    0,	  0,	0,    0,    0,	  0,	10,   0,    0,	  2,
	};
	__u8 buf[64];
	__be32 ip;

	(void)state;
	memset(buf, 0x55, sizeof(buf));
	ip = htonl(0x0a000002);
	assert_int_equal(xglb_garp_frame(buf, mac, ip), 60);
	assert_memory_equal(buf, want, 60);
	assert_int_equal(buf[60], 0x55); /* nothing past the frame */
}

T_MAIN(cmocka_unit_test(garp_bytes), cmocka_unit_test(init_checks),
       cmocka_unit_test(stays_while_live), cmocka_unit_test(fails_over_at_once),
       cmocka_unit_test(returns_after_delay), cmocka_unit_test(flap_restarts_delay),
       cmocka_unit_test(earliest_due), cmocka_unit_test(refused_passes_to_the_next),
       cmocka_unit_test(routes_follow_the_address))

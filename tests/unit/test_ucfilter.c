// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_ucfilter.c - unit tests of the unicast filter sets and their rtnetlink messages (pure). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "testlib.h"
#include "tables.h"
#include "ucfilter.h"

static struct xglb_ucf_set A, B, C;

static void put16(__u8 *p, __u16 v)
{
	memcpy(p, &v, 2);
}

static void put32(__u8 *p, __u32 v)
{
	memcpy(p, &v, 4);
}

/* A group with forwarders 0..n-1 owned by node (i % 3) + 1; this node is 1. */
static void mkgroup(struct xglb_group *g, __u8 gid, int n, __u32 if0, __u32 if1)
{
	memset(g, 0, sizeof(*g));
	g->id = gid;
	g->flags = XGLB_GRP_ENABLED;
	g->n_fwd = (__u8)n;
	g->ifindex[0] = if0;
	g->ifindex[1] = if1;
	for (int i = 0; i < n; i++) {
		xglb_vmac(gid, (__u8)i, g->fwd[i].vmac);
		g->fwd[i].owner = (__u32)(i % 3) + 1;
		g->fwd[i].flags = XGLB_FWD_ACTIVE | (i % 3 == 0 ? XGLB_FWD_LOCAL : 0);
	}
}

/*
 * Every forwarder of an enabled group, owned here or elsewhere, active or
 * not, on every interface of the group: the set follows the groups, never
 * the ownership, so a failover changes no filter entry.
 */
static void wanted_is_every_forwarder_on_every_iface(void **state)
{
	struct xglb_group g[3];
	__u8 m[6];

	mkgroup(&g[0], 9, 7, 5, 3);	    /* 0..6 on ifindex 5 and 3 (local: 0, 3, 6) */
	mkgroup(&g[1], 2, 2, 4, 0);	    /* 0..1 on ifindex 4 */
	g[1].fwd[0].flags = XGLB_FWD_LOCAL; /* local but not active: wanted all the same */
	g[1].fwd[1].flags = 0;		    /* neither: wanted all the same */
	mkgroup(&g[2], 3, 4, 4, 0);
	g[2].flags = 0; /* not enabled: nothing */
	xglb_ucf_wanted(g, 3, &A);
	assert_int_equal(A.n, 16);
	/* sorted by ifindex, then MAC */
	assert_int_equal(A.e[0].ifindex, 3);
	assert_int_equal(A.e[6].ifindex, 3);
	assert_int_equal(A.e[7].ifindex, 4);
	assert_int_equal(A.e[9].ifindex, 5);
	xglb_vmac(9, 0, m);
	assert_memory_equal(A.e[0].mac, m, 6);
	xglb_vmac(9, 1, m); /* owned by node 2: on the filter too */
	assert_memory_equal(A.e[1].mac, m, 6);
	assert_int_equal(xglb_ucf_find(&A, 5, m), 10);
	xglb_vmac(9, 6, m);
	assert_memory_equal(A.e[6].mac, m, 6);
	assert_memory_equal(A.e[15].mac, m, 6);
	xglb_vmac(2, 0, m);
	assert_int_equal(xglb_ucf_find(&A, 4, m), 7);
	xglb_vmac(2, 1, m);
	assert_memory_equal(A.e[8].mac, m, 6);
	assert_int_equal(xglb_ucf_find(&A, 4, m), 8);
	assert_int_equal(xglb_ucf_find(&A, 5, m), -1);
	xglb_vmac(3, 0, m);
	assert_int_equal(xglb_ucf_find(&A, 4, m), -1);
	assert_int_equal(xglb_ucf_count(&A, 5), 7);
	assert_int_equal(xglb_ucf_count(&A, 7), 0);
	/* a failover (every owner and flag changed) leaves the set as it was */
	for (int f = 0; f < 7; f++) {
		g[0].fwd[f].owner = 2;
		g[0].fwd[f].flags ^= XGLB_FWD_LOCAL | XGLB_FWD_NEW_OK;
	}
	g[1].fwd[0].flags = XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL;
	g[1].fwd[1].flags = XGLB_FWD_ACTIVE;
	xglb_ucf_wanted(g, 3, &C);
	assert_int_equal(C.n, A.n);
	assert_memory_equal(C.e, A.e, sizeof(A.e[0]) * (size_t)A.n);
	/* the same group on one interface twice counts once */
	mkgroup(&g[0], 9, 1, 5, 5);
	xglb_ucf_wanted(g, 1, &B);
	assert_int_equal(B.n, 1);
	/* n_fwd beyond the table is clamped */
	mkgroup(&g[0], 9, XGLB_MAX_FWD, 5, 0);
	g[0].n_fwd = 200;
	xglb_ucf_wanted(g, 1, &B);
	assert_int_equal(B.n, XGLB_MAX_FWD);
}

static void minus_is_set_difference(void **state)
{
	const __u8 m1[6] = {2, 0x78, 0x67, 0x62, 1, 0}, m2[6] = {2, 0x78, 0x67, 0x62, 1, 1},
		   m3[6] = {2, 0x78, 0x67, 0x62, 1, 2};

	A.n = B.n = 0;
	xglb_ucf_add(&A, 2, m3);
	xglb_ucf_add(&A, 2, m1);
	xglb_ucf_add(&A, 2, m1); /* duplicate */
	xglb_ucf_add(&A, 3, m1);
	xglb_ucf_add(&A, 2, m2);
	xglb_ucf_sort(&A);
	assert_int_equal(A.n, 4);
	xglb_ucf_add(&B, 2, m2);
	xglb_ucf_add(&B, 3, m2); /* only in B */
	xglb_ucf_add(&B, 2, m1);
	xglb_ucf_sort(&B);
	xglb_ucf_minus(&A, &B, &C); /* A - B: (2,m3), (3,m1) */
	assert_int_equal(C.n, 2);
	assert_int_equal(C.e[0].ifindex, 2);
	assert_memory_equal(C.e[0].mac, m3, 6);
	assert_int_equal(C.e[1].ifindex, 3);
	assert_memory_equal(C.e[1].mac, m1, 6);
	xglb_ucf_minus(&B, &A, &C); /* B - A: (3,m2) */
	assert_int_equal(C.n, 1);
	assert_int_equal(C.e[0].ifindex, 3);
	assert_memory_equal(C.e[0].mac, m2, 6);
	xglb_ucf_minus(&A, &A, &C);
	assert_int_equal(C.n, 0);
	C.n = 0;
	xglb_ucf_minus(&C, &A, &B); /* empty - A */
	assert_int_equal(B.n, 0);
	xglb_ucf_minus(&A, &C, &B); /* A - empty = A */
	assert_int_equal(B.n, A.n);
	assert_memory_equal(B.e, A.e, sizeof(A.e[0]) * (size_t)A.n);
}

/*
 * Sorting in place: a large set in a scrambled order, every entry twice,
 * comes out strictly ascending by (ifindex, MAC) with each entry once; a
 * sorted set stays as it is.
 */
static void sort_large_scrambled_set(void **state)
{
	int n = 0;

	(void)state;
	A.n = 0;
	for (int k = 0; k < 2 * 4080; k++) {
		int i = (int)((__u64)k * 2654435761u % 4080u); /* a permutation, twice */
		__u8 m[6] = {2, 0x78, 0x67, 0x62, (__u8)(1 + i / 16), (__u8)(i % 16)};

		assert_int_equal(xglb_ucf_add(&A, 1 + (__u32)(i % 3), m), 0);
	}
	xglb_ucf_sort(&A);
	assert_int_equal(A.n, 4080);
	for (int i = 1; i < A.n; i++) {
		const struct xglb_ucf_entry *p = &A.e[i - 1], *q = &A.e[i];

		assert_true(p->ifindex < q->ifindex ||
			    (p->ifindex == q->ifindex && memcmp(p->mac, q->mac, 6) < 0));
	}
	for (__u32 ifi = 1; ifi <= 3; ifi++)
		n += xglb_ucf_count(&A, ifi);
	assert_int_equal(n, 4080);
	assert_int_equal(xglb_ucf_count(&A, 1), 1360);
	memcpy(&B, &A, sizeof(A));
	xglb_ucf_sort(&B);
	assert_int_equal(B.n, A.n);
	assert_memory_equal(B.e, A.e, sizeof(A.e[0]) * (size_t)A.n);
}

static void add_refuses_when_full(void **state)
{
	const __u8 m[6] = {2, 0x78, 0x67, 0x62, 1, 0};

	A.n = XGLB_UCF_MAX - 1;
	assert_int_equal(xglb_ucf_add(&A, 1, m), 0);
	assert_int_equal(xglb_ucf_add(&A, 1, m), -ENOSPC);
	assert_int_equal(A.n, XGLB_UCF_MAX);
}

static void is_vmac(void **state)
{
	const __u8 v[6] = {0x02, 0x78, 0x67, 0x62, 0xff, 0x0f},
		   o[6] = {0x02, 0x78, 0x67, 0x63, 1, 0}, p[6] = {0x00, 0x78, 0x67, 0x62, 1, 0};

	assert_true(xglb_ucf_is_vmac(v));
	assert_false(xglb_ucf_is_vmac(o));
	assert_false(xglb_ucf_is_vmac(p));
}

/* The expected request, field by field at its offsets (host byte order, as netlink is). */
static void expect_msg(__u8 *w, __u16 type, __u16 flags, __u32 seq, __u32 ifindex, const __u8 *mac)
{
	memset(w, 0, XGLB_UCF_MSG_MAX);
	put32(w + 0, 40);	      /* nlmsg_len: 16 + 12 + 12 (attribute 10, padded) */
	put16(w + 4, type);	      /* nlmsg_type */
	put16(w + 6, flags);	      /* nlmsg_flags */
	put32(w + 8, seq);	      /* nlmsg_seq */
	put32(w + 12, 0);	      /* nlmsg_pid: the kernel's */
	w[16] = AF_BRIDGE;	      /* ndm_family */
	put32(w + 20, ifindex);	      /* ndm_ifindex */
	put16(w + 24, NUD_PERMANENT); /* ndm_state */
	w[26] = NTF_SELF;	      /* ndm_flags */
	w[27] = 0;		      /* ndm_type */
	put16(w + 28, 10);	      /* nla_len: 4 + 6 */
	put16(w + 30, NDA_LLADDR);    /* nla_type */
	memcpy(w + 32, mac, 6);	      /* the MAC, then 2 bytes of padding */
}

static void msg_bytes(void **state)
{
	const __u8 mac[6] = {0x02, 0x78, 0x67, 0x62, 0x07, 0x03};
	__u8 buf[XGLB_UCF_MSG_MAX + 8], want[XGLB_UCF_MSG_MAX];

	assert_int_equal(sizeof(struct nlmsghdr), 16);
	assert_int_equal(sizeof(struct ndmsg), 12);
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(xglb_ucf_msg(buf, sizeof(buf), true, 7, mac, 0x01020304), 40);
	expect_msg(want, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		   0x01020304, 7, mac);
	assert_memory_equal(buf, want, 40);
	assert_int_equal(buf[38], 0); /* padding is zeroed */
	assert_int_equal(buf[39], 0);

	assert_int_equal(xglb_ucf_msg(buf, sizeof(buf), false, 0x10203, mac, 9), 40);
	expect_msg(want, RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, 9, 0x10203, mac);
	assert_memory_equal(buf, want, 40);
}

static void msg_rejects(void **state)
{
	const __u8 mac[6] = {0x02, 0x78, 0x67, 0x62, 0x07, 0x03},
		   mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	__u8 buf[XGLB_UCF_MSG_MAX];

	assert_int_equal(xglb_ucf_msg(buf, sizeof(buf) - 1, true, 7, mac, 1), -EINVAL);
	assert_int_equal(xglb_ucf_msg(buf, sizeof(buf), true, 0, mac, 1), -EINVAL);
	assert_int_equal(xglb_ucf_msg(buf, sizeof(buf), true, 7, mc, 1), -EINVAL);
}

static void dump_msg_bytes(void **state)
{
	__u8 buf[XGLB_UCF_MSG_MAX], want[28] = {0};

	assert_int_equal(xglb_ucf_dump_msg(buf, sizeof(buf), 77), 28);
	put32(want, 28);
	put16(want + 4, RTM_GETNEIGH);
	put16(want + 6, NLM_F_REQUEST | NLM_F_DUMP);
	put32(want + 8, 77);
	want[16] = AF_BRIDGE;
	assert_memory_equal(buf, want, 28);
}

/* A dump answer: RTM_NEWNEIGH for ifindex with the given flags, MAC, and optionally NDA_MASTER. */
static int mkentry(__u8 *w, __u8 ndm_flags, const __u8 *mac, int maclen, bool master)
{
	int len = 28;

	memset(w, 0, 64);
	put16(w + 4, RTM_NEWNEIGH);
	w[16] = AF_BRIDGE;
	put32(w + 20, 5);
	put16(w + 24, NUD_PERMANENT);
	w[26] = ndm_flags;
	if (mac) {
		put16(w + len, (__u16)(4 + maclen));
		put16(w + len + 2, NDA_LLADDR);
		memcpy(w + len + 4, mac, (size_t)maclen);
		len += (4 + maclen + 3) & ~3;
	}
	if (master) {
		put16(w + len, 8);
		put16(w + len + 2, NDA_MASTER);
		put32(w + len + 4, 9);
		len += 8;
	}
	put32(w, (__u32)len);
	return len;
}

static void parse_dump_entries(void **state)
{
	const __u8 mac[6] = {0x02, 0x78, 0x67, 0x62, 0x01, 0x02},
		   mc[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
	__u8 w[64] __attribute__((aligned(4))), got[6] = {0};
	const struct {
		__u8 flags;
		const __u8 *mac;
		int maclen;
		bool master;
	} ignored[] = {
	    {NTF_SELF | NTF_MASTER, mac, 6, false},
	    {NTF_SELF, mac, 6, true},
	    {NTF_MASTER, mac, 6, false},
	    {NTF_SELF, mc, 6, false},
	    {NTF_SELF, mac, 4, false},
	    {NTF_SELF, NULL, 0, false},
	};
	__u32 ifindex = 0;
	int len;

	/* our own request parses back */
	xglb_ucf_msg(w, sizeof(w), true, 11, mac, 1);
	put16(w + 4, RTM_NEWNEIGH);
	assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), 1);
	assert_int_equal(ifindex, 11);
	assert_memory_equal(got, mac, 6);

	mkentry(w, NTF_SELF, mac, 6, false);
	assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), 1);
	assert_int_equal(ifindex, 5);
	/* a bridge's learned entry, a multicast entry, a 4-byte address, no address */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		mkentry(w, ignored[i].flags, ignored[i].mac, ignored[i].maclen, ignored[i].master);
		assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), 0);
	}
	/* another family, another message type */
	mkentry(w, NTF_SELF, mac, 6, false);
	w[16] = AF_INET;
	assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), 0);
	mkentry(w, NTF_SELF, mac, 6, false);
	put16(w + 4, RTM_DELNEIGH);
	assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), 0);
	/* truncated: the header says less than an ndmsg, or an attribute runs past the end */
	mkentry(w, NTF_SELF, mac, 6, false);
	put32(w, 20);
	assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), -EINVAL);
	len = mkentry(w, NTF_SELF, mac, 6, false);
	put16(w + 28, 30); /* nla_len beyond the message */
	put32(w, (__u32)len);
	assert_int_equal(xglb_ucf_parse((struct nlmsghdr *)w, &ifindex, got), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(wanted_is_every_forwarder_on_every_iface),
	    cmocka_unit_test(minus_is_set_difference),
	    cmocka_unit_test(sort_large_scrambled_set),
	    cmocka_unit_test(add_refuses_when_full),
	    cmocka_unit_test(is_vmac),
	    cmocka_unit_test(msg_bytes),
	    cmocka_unit_test(msg_rejects),
	    cmocka_unit_test(dump_msg_bytes),
	    cmocka_unit_test(parse_dump_entries),
	};

	return cmocka_run_group_tests_name("ucfilter", tests, NULL, NULL);
}

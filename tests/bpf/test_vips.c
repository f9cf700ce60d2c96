// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_vips.c - the banked VIP index xglb_vips through the data path: VIPs that share a home
 * slot, a bank placed with another multiplier, wrap-around, -ENOSPC, the index per bank.
 */
#include "harness.h"

#define TC_ACT_OK   0
#define TC_ACT_SHOT 2
#define N_MAX	    6

/* n distinct addresses 10.x.y.z whose home slot with the first multiplier is home. */
static void ips_with_home(__u32 home, __be32 *out, int n, __u32 *from)
{
	__u32 m0 = xglb_vip_mult(0);

	for (int k = 0; k < n; (*from)++) {
		__be32 ip = htonl(0x0a000000u | (*from & 0xffffff));

		assert_true(*from < 0x1000000);
		if (xglb_vip_hash(ip, m0) == home)
			out[k++] = ip;
	}
}

static struct xglb_group last_groups[N_MAX]; /* what install_vips last committed */

/* Groups 1..n, VIP vips[i] for group i + 1, two forwarders (0 ours), this node the AVG. */
static int install_vips(struct h_env *e, const __be32 *vips, int n)
{
	struct xglb_group *g = last_groups;

	assert_true(n <= N_MAX);
	for (int i = 0; i < n; i++) {
		struct xglb_group_state st;

		h_state(&st, (__u8)(i + 1), vips[i], XGLB_POLICY_ROUND_ROBIN, 2, H_SELF);
		xglb_build_group(&st, H_SELF, &g[i]);
	}
	return xglb_bank_commit(&e->bank, g, n);
}

/*
 * Every group slot of the active bank, read back from the map: groups
 * 1..n hold exactly what install_vips built, every other slot is zero
 * (user/xglbd/bank.c writes only the slots that changed; a removed group must
 * not linger in a bank written before).
 */
static void assert_bank_groups(struct h_env *e, int n)
{
	static const struct xglb_group zero;
	__u32 bank = xglb_bank_active(&e->bank);

	for (__u32 gid = 0; gid < XGLB_MAX_GROUPS; gid++) {
		struct xglb_group v;
		__u32 key = XGLB_GROUP_KEY(bank, gid);

		assert_int_equal(bpf_map_lookup_elem(e->bank.groups_fd, &key, &v), 0);
		if (gid >= 1 && gid <= (__u32)n)
			assert_memory_equal(&v, &last_groups[gid - 1], sizeof(v));
		else
			assert_memory_equal(&v, &zero, sizeof(v));
	}
}

/* A request for vip is answered with a vMAC of group gid. */
static void assert_answered(struct h_env *e, __be32 vip, __u8 gid)
{
	h_ask(e, H_HOST, H_HOSTIP, gid, vip);
}

static int ask_verdict(struct h_env *e, __be32 spa, __be32 tpa)
{
	struct h_frame in, out;

	h_arp_request(&in, H_HOST2, spa, tpa);
	return h_run_xdp(e, &in, &out);
}

/* The local kernel answering a host for vip with the interface MAC: the guard's verdict. */
static int guard_verdict(struct h_env *e, __be32 vip)
{
	struct h_frame in, out;

	h_arp(&in, H_HOST, H_IFMAC, XGLB_ARPOP_REPLY, H_IFMAC, vip, H_HOST, H_HOSTIP);
	return h_run_tc(e, &in, &out);
}

static __u32 active_mult(struct h_env *e)
{
	return h_ctl(e)->vip_mult[xglb_bank_active(&e->bank)];
}

/*
 * N VIPs with home slot HOME installed, IPS the N + 1 addresses with that
 * home: each VIP is answered for its own group and the egress guard knows
 * it; the last address is no VIP.
 */
static void install_one_home(struct h_env *e, __u32 home, __be32 *ips, int n)
{
	__u32 from = 1;

	ips_with_home(home, ips, n + 1, &from);
	assert_int_equal(install_vips(e, ips, n), 0);
	for (int i = 0; i < n; i++) {
		assert_answered(e, ips[i], (__u8)(i + 1));
		assert_int_equal(guard_verdict(e, ips[i]), TC_ACT_SHOT);
	}
	assert_int_equal(ask_verdict(e, H_HOST2IP, ips[n]), XDP_PASS);
}

/*
 * Four VIPs with one home slot take home .. home + 3 with the first
 * multiplier: each is answered for its own group, claimed as a sender by
 * a host it is a conflict, the egress guard knows it; a fifth address with that home
 * is no VIP (four full slots probed).
 */
static void test_colliding_vips(void **state)
{
	struct h_env *e = *state;
	__be32 ips[5];

	install_one_home(e, 300, ips, 4);
	assert_int_equal(active_mult(e), xglb_vip_mult(0));
	for (int i = 0; i < 4; i++) /* claims a VIP */
		assert_int_equal(ask_verdict(e, ips[i], H_OTHERIP), XDP_DROP);
	assert_int_equal(ask_verdict(e, ips[4], H_OTHERIP), XDP_PASS);
	assert_int_equal(guard_verdict(e, ips[4]), TC_ACT_OK);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_VIP_CONFLICT), 4);
	assert_int_equal(h_reason(e, XGLB_R_XDP_PASS_ARP_OTHER), 2);
	assert_int_equal(h_reason(e, XGLB_R_TC_EGRESS_DROP_VIP_ARP), 4);
}

/* Five VIPs with one home do not fit the first multiplier: the bank is placed with another. */
static void test_reseeded_bank(void **state)
{
	struct h_env *e = *state;
	__be32 ips[6];

	install_one_home(e, 42, ips, 5);
	assert_int_not_equal(active_mult(e), xglb_vip_mult(0));
}

/* Homes in the bank's last slot wrap to its first ones. */
static void test_wrapping_vips(void **state)
{
	struct h_env *e = *state;
	__be32 ips[4];
	__u32 from = 1;

	ips_with_home(XGLB_VIP_SLOTS - 1, ips, 3, &from);
	ips_with_home(0, ips + 3, 1, &from);
	assert_int_equal(install_vips(e, ips, 4), 0);
	assert_int_equal(active_mult(e), xglb_vip_mult(0));
	for (int i = 0; i < 4; i++)
		assert_answered(e, ips[i], (__u8)(i + 1));
}

/*
 * A VIP set that fits no multiplier tried is refused before anything is
 * written: the active bank keeps answering as before, no flip.
 */
static void test_enospc_keeps_tables(void **state)
{
	struct h_env *e = *state;
	__u64 flips;
	__be32 ips[5];
	__u32 from = 1;

	ips_with_home(7, ips, 5, &from);
	assert_int_equal(install_vips(e, ips, 2), 0);
	flips = h_ctl(e)->flips;
	e->bank.vip_seeds = 1;
	assert_int_equal(install_vips(e, ips, 5), -ENOSPC);
	assert_int_equal(h_ctl(e)->flips, flips);
	assert_answered(e, ips[0], 1);
	assert_answered(e, ips[1], 2);
	for (int i = 2; i < 5; i++)
		assert_int_equal(ask_verdict(e, H_HOST2IP, ips[i]), XDP_PASS);
	/* four of them fit */
	assert_int_equal(install_vips(e, ips, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_answered(e, ips[i], (__u8)(i + 1));
}

/*
 * Each bank has its own index and multiplier: after a commit the new VIP
 * answers and the old one does not; flipping back to the untouched old
 * bank answers the old one again.
 */
static void test_index_per_bank(void **state)
{
	struct h_env *e = *state;
	__be32 a = h_ip(10, 0, 0, 1), b[6];
	__u32 from = 1, ma;

	assert_int_equal(install_vips(e, &a, 1), 0);
	ma = active_mult(e);
	ips_with_home(9, b, 6, &from); /* needs another multiplier */
	assert_int_equal(install_vips(e, b, 6), 0);
	assert_int_not_equal(active_mult(e), ma);
	assert_int_equal(ask_verdict(e, H_HOST2IP, a), XDP_PASS);
	for (int i = 0; i < 6; i++)
		assert_answered(e, b[i], (__u8)(i + 1));
	xglb_bank_flip(&e->bank);
	assert_int_equal(active_mult(e), ma);
	assert_answered(e, a, 1);
	for (int i = 0; i < 6; i++)
		if (b[i] != a)
			assert_int_equal(ask_verdict(e, H_HOST2IP, b[i]), XDP_PASS);
}

/*
 * Commits that add and remove VIPs, some of them sharing a home slot:
 * after the first write to each bank only changed slots are written
 * (user/xglbd/bank.c, write_vips and write_groups); every commit must answer
 * exactly its VIPs and leave exactly its groups in the bank.
 */
static void test_rewrites(void **state)
{
	static const int sets[][N_MAX + 1] = {
	    /* indexes into ips[], -1 ends a set */
	    {0, 1, 2, -1}, {1, 2, 3, 4, -1},	{4, -1}, {0, 3, 5, -1},
	    {-1},	   {5, 4, 3, 2, 1, -1}, {0, -1},
	};
	struct h_env *e = *state;
	__be32 ips[6], vips[N_MAX];
	__u32 from = 1;

	ips_with_home(100, ips, 4, &from); /* 0..3 share a home, 4 and 5 do not */
	ips[4] = h_ip(10, 0, 0, 1);
	ips[5] = h_ip(10, 0, 0, 2);
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		int n = 0;

		while (sets[k][n] >= 0) {
			vips[n] = ips[sets[k][n]];
			n++;
		}
		assert_int_equal(install_vips(e, vips, n), 0);
		assert_bank_groups(e, n);
		for (int i = 0; i < 6; i++) {
			int gid = 0;

			for (int j = 0; j < n; j++)
				if (vips[j] == ips[i])
					gid = j + 1;
			if (gid)
				assert_answered(e, ips[i], (__u8)gid);
			else
				assert_int_equal(ask_verdict(e, H_HOST2IP, ips[i]), XDP_PASS);
		}
	}
}

/*
 * Commits that keep the VIPs and change one group each (a failover): the
 * VIP index is not built again, and each bank is written with what changed
 * since it was last live, two commits ago. After a commit that changed the
 * VIP set, the next one (same VIPs) must still give the other bank the new
 * index: the old VIP is no longer answered in either bank.
 */
static void test_changed_groups_only(void **state)
{
	struct h_env *e = *state;
	__be32 a[3] = {h_ip(10, 0, 0, 1), h_ip(10, 0, 0, 2), h_ip(10, 0, 0, 3)};
	__be32 b[3] = {h_ip(10, 0, 0, 1), h_ip(10, 0, 0, 2), h_ip(10, 0, 0, 9)};

	assert_int_equal(install_vips(e, a, 3), 0);
	assert_int_equal(install_vips(e, b, 3), 0); /* 10.0.0.3 -> 10.0.0.9 */
	for (int k = 0; k < 6; k++) {
		struct xglb_group_state st;
		__u8 gid = (__u8)(1 + k % 3);

		/* group gid's forwarder 1 moves from node 2 to node 3, and back */
		h_state(&st, gid, b[gid - 1], XGLB_POLICY_ROUND_ROBIN, 2, H_SELF);
		st.fwd[1].owner = k < 3 ? 3 : 2;
		xglb_build_group(&st, H_SELF, &last_groups[gid - 1]);
		assert_int_equal(xglb_bank_commit(&e->bank, last_groups, 3), 0);
		assert_bank_groups(e, 3);
		assert_int_equal(ask_verdict(e, H_HOST2IP, a[2]), XDP_PASS);
		for (int i = 0; i < 3; i++)
			assert_answered(e, b[i], (__u8)(i + 1));
	}
}

H_MAIN("vips", H_TEST(test_colliding_vips), H_TEST(test_reseeded_bank), H_TEST(test_wrapping_vips),
       H_TEST(test_enospc_keeps_tables), H_TEST(test_index_per_bank), H_TEST(test_rewrites),
       H_TEST(test_changed_groups_only))

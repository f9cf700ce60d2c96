// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_tables.c - unit tests of the pure table builder: slot tables and the group value. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "testlib.h"
#include "tables.h"

/* A group state with n forwarders of the given weights, all active and taking new hosts. */
static void mkstate(struct xglb_group_state *st, __u8 policy, int n, const int *weights)
{
	memset(st, 0, sizeof(*st));
	st->gid = 7;
	st->vip = 0x0100000a; /* 10.0.0.1 in network order on little endian; opaque here */
	st->policy = policy;
	st->n_fwd = n;
	for (int i = 0; i < n && i < XGLB_MAX_FWD; i++) {
		st->fwd[i].owner = (__u32)i + 1;
		st->fwd[i].weight = (__u8)weights[i];
		st->fwd[i].active = true;
		st->fwd[i].new_ok = true;
	}
}

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static void count_slots(const __u8 *slots, __u32 n, int count[XGLB_MAX_FWD])
{
	memset(count, 0, sizeof(int) * XGLB_MAX_FWD);
	for (__u32 i = 0; i < n; i++) {
		assert_in_range(slots[i], 0, XGLB_MAX_FWD - 1);
		count[slots[i]]++;
	}
}

static void assert_unused_zero(const __u8 *slots, __u32 n)
{
	for (__u32 i = n; i < XGLB_SLOTS; i++)
		if (slots[i])
			fail_msg("slot %u beyond n_slots %u holds %u", i, n, slots[i]);
}

/* Adjacent equal pairs in the table as read in order. */
static int adjacent_pairs(const __u8 *slots, __u32 n)
{
	int p = 0;

	for (__u32 i = 1; i < n; i++)
		p += slots[i] == slots[i - 1];
	return p;
}

static void test_vmac_bytes(void **state)
{
	const __u8 want[6] = {0x02, 0x78, 0x67, 0x62, 0x07, 0x03};
	const __u8 want2[6] = {0x02, 0x78, 0x67, 0x62, 0xff, 0x0f};
	__u8 mac[6];

	xglb_vmac(7, 3, mac);
	assert_memory_equal(mac, want, 6);
	xglb_vmac(255, 15, mac);
	assert_memory_equal(mac, want2, 6);
	/* the data path recognises the prefix as one 32-bit word */
	assert_int_equal(((__u32)mac[0] << 24 | (__u32)mac[1] << 16 | (__u32)mac[2] << 8 | mac[3]),
			 XGLB_VMAC_PREFIX_BE);
	assert_int_equal(mac[0] & 1, 0); /* unicast */
	assert_int_equal(mac[0] & 2, 2); /* locally administered */
}

/* Round-robin: each eligible forwarder once, in index order, whatever its weight. */
static void test_round_robin_each_once(void **state)
{
	const int w[6] = {5, 1, 200, 0, 3, 255};
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];
	__u32 n;

	mkstate(&st, XGLB_POLICY_ROUND_ROBIN, 6, w);
	n = xglb_build_slots(&st, slots);
	assert_int_equal(n, 5); /* forwarder 3 has weight 0 */
	assert_int_equal(slots[0], 0);
	assert_int_equal(slots[1], 1);
	assert_int_equal(slots[2], 2);
	assert_int_equal(slots[3], 4);
	assert_int_equal(slots[4], 5);
	assert_unused_zero(slots, n);
}

/* Inactive, redirected (!new_ok) and weight-0 forwarders get no slot, in every policy. */
static void test_ineligible_excluded(void **state)
{
	const int w[5] = {2, 2, 2, 0, 1};
	const __u8 policies[] = {XGLB_POLICY_ROUND_ROBIN, XGLB_POLICY_WEIGHTED,
				 XGLB_POLICY_HOST_DEPENDENT};
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];
	int count[XGLB_MAX_FWD];

	for (size_t p = 0; p < sizeof(policies); p++) {
		__u32 n;

		mkstate(&st, policies[p], 5, w);
		st.fwd[1].active = false;
		st.fwd[1].new_ok = true; /* new_ok without active counts for nothing */
		st.fwd[2].new_ok = false;
		n = xglb_build_slots(&st, slots);
		count_slots(slots, n, count);
		assert_int_equal(count[1], 0);
		assert_int_equal(count[2], 0);
		assert_int_equal(count[3], 0);
		if (policies[p] == XGLB_POLICY_ROUND_ROBIN) {
			assert_int_equal(n, 2);
			assert_int_equal(count[0], 1);
			assert_int_equal(count[4], 1);
		} else {
			assert_int_equal(n, 3);
			assert_int_equal(count[0], 2);
			assert_int_equal(count[4], 1);
		}
		assert_unused_zero(slots, n);
	}
}

static void test_none_eligible(void **state)
{
	const int w[3] = {1, 1, 0};
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];

	mkstate(&st, XGLB_POLICY_WEIGHTED, 3, w);
	st.fwd[0].new_ok = false;
	st.fwd[1].active = false;
	memset(slots, 0xee, sizeof(slots));
	assert_int_equal(xglb_build_slots(&st, slots), 0);
	assert_unused_zero(slots, 0);

	mkstate(&st, XGLB_POLICY_ROUND_ROBIN, 0, w);
	assert_int_equal(xglb_build_slots(&st, slots), 0);
}

/* Weighted 3:1: four slots, 3 and 1, in the smooth order 0 0 1 0 (one forced repeat). */
static void test_weighted_3_to_1(void **state)
{
	const int w[2] = {3, 1};
	const __u8 want[4] = {0, 0, 1, 0};
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];
	__u32 n;

	mkstate(&st, XGLB_POLICY_WEIGHTED, 2, w);
	n = xglb_build_slots(&st, slots);
	assert_int_equal(n, 4);
	assert_memory_equal(slots, want, 4);
	assert_int_equal(adjacent_pairs(slots, n), 1); /* 3 of 4 cannot avoid one pair */
	assert_unused_zero(slots, n);

	/* weights are reduced by their gcd: 150:50 is the same table */
	st.fwd[0].weight = 150;
	st.fwd[1].weight = 50;
	assert_int_equal(xglb_build_slots(&st, slots), 4);
	assert_memory_equal(slots, want, 4);
}

/*
 * Interleaving: with the weights below a table exists with no two
 * adjacent slots alike, and the builder finds it; with two forwarders the
 * number of forced pairs (2 * max - n - 1) is never exceeded.
 */
static void test_weighted_interleaved(void **state)
{
	static const int sets[][5] = {
	    {1, 1, 0, 0, 0}, {2, 1, 1, 0, 0}, {3, 2, 1, 0, 0},
	    {1, 1, 1, 1, 4}, {7, 5, 3, 1, 0}, {4, 4, 4, 4, 4},
	};
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];
	int count[XGLB_MAX_FWD];

	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		int total = 0;
		__u32 n;

		mkstate(&st, XGLB_POLICY_WEIGHTED, 5, sets[s]);
		n = xglb_build_slots(&st, slots);
		for (int i = 0; i < 5; i++)
			total += sets[s][i];
		if (s == 5)
			total = 5; /* 4:4:4:4:4 reduces to 1:1:1:1:1 */
		assert_int_equal(n, total);
		count_slots(slots, n, count);
		for (int i = 0; i < 5; i++)
			assert_int_equal(count[i], s == 5 ? 1 : sets[s][i]);
		if (adjacent_pairs(slots, n))
			fail_msg("weight set %zu: %d adjacent pairs, 0 possible", s,
				 adjacent_pairs(slots, n));
	}

	for (int a = 1; a <= 40; a++) {
		for (int b = 1; b <= 40; b++) {
			const int w[2] = {a, b};
			int c, forced;
			__u32 n;

			mkstate(&st, XGLB_POLICY_WEIGHTED, 2, w);
			n = xglb_build_slots(&st, slots);
			count_slots(slots, n, count);
			c = count[0] > count[1] ? count[0] : count[1];
			forced = 2 * c - (int)n - 1 > 0 ? 2 * c - (int)n - 1 : 0;
			if (adjacent_pairs(slots, n) != forced)
				fail_msg("%d:%d: %d adjacent pairs, %d forced", a, b,
					 adjacent_pairs(slots, n), forced);
		}
	}
}

/* Scaling: 16 close weights summing far beyond 256 keep their proportions within one slot. */
static void test_scaled_proportional(void **state)
{
	int w[XGLB_MAX_FWD], count[XGLB_MAX_FWD], total = 0;
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];
	__u32 n;

	for (int i = 0; i < XGLB_MAX_FWD; i++) {
		w[i] = 255 - i;
		total += w[i];
	}
	mkstate(&st, XGLB_POLICY_WEIGHTED, XGLB_MAX_FWD, w);
	n = xglb_build_slots(&st, slots);
	assert_int_equal(n, XGLB_SLOTS);
	count_slots(slots, n, count);
	for (int i = 0; i < XGLB_MAX_FWD; i++) {
		double ideal = (double)w[i] * XGLB_SLOTS / total;

		if (dabs(count[i] - ideal) >= 1.0)
			fail_msg("forwarder %d: %d slots, ideal %.2f", i, count[i], ideal);
	}
}

/* One heavy forwarder and 15 light ones: every light one keeps a slot. */
static void test_scaled_minimum_one(void **state)
{
	int w[XGLB_MAX_FWD], count[XGLB_MAX_FWD];
	struct xglb_group_state st;
	__u8 slots[XGLB_SLOTS];
	__u32 n;

	w[0] = 255;
	for (int i = 1; i < XGLB_MAX_FWD; i++)
		w[i] = 1;
	mkstate(&st, XGLB_POLICY_HOST_DEPENDENT, XGLB_MAX_FWD, w);
	n = xglb_build_slots(&st, slots);
	assert_int_equal(n, XGLB_SLOTS); /* 270 > 256 */
	count_slots(slots, n, count);
	assert_int_equal(count[0], 241);
	for (int i = 1; i < XGLB_MAX_FWD; i++)
		assert_int_equal(count[i], 1);
}

/* A deterministic generator for the property test. */
static __u32 lcg(__u32 *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Property test over 5,000 weight vectors (fixed seed): the table holds
 * exactly the gcd-reduced weights when they fit, otherwise exactly
 * XGLB_SLOTS slots with every eligible forwarder at least once and each
 * within 1 + (forwarders lifted to their minimum) of its ideal share;
 * ineligible forwarders never appear; every prefix of the table is within
 * two slots of its ideal mix (smooth interleave).
 */
static void test_slots_properties(void **state)
{
	__u32 seed = 12345;

	for (int t = 0; t < 5000; t++) {
		int w[XGLB_MAX_FWD] = {0}, count[XGLB_MAX_FWD], seen[XGLB_MAX_FWD] = {0};
		int nf = 1 + (int)(lcg(&seed) % XGLB_MAX_FWD), g = 0, total = 0, lifted = 0;
		struct xglb_group_state st;
		__u8 slots[XGLB_SLOTS];
		__u32 n;

		for (int i = 0; i < nf; i++) {
			__u32 r = lcg(&seed) % 4;

			w[i] = r == 0	? 0
			       : r == 1 ? 1 + (int)(lcg(&seed) % 4)
					: 1 + (int)(lcg(&seed) % 255);
		}
		mkstate(&st, XGLB_POLICY_WEIGHTED, nf, w);
		if (lcg(&seed) % 3 == 0)
			st.fwd[lcg(&seed) % nf].new_ok = false;
		for (int i = 0; i < nf; i++) {
			if (!st.fwd[i].new_ok)
				w[i] = 0;
			if (w[i]) {
				int a = g, b = w[i];

				while (b) {
					int r = a % b;

					a = b;
					b = r;
				}
				g = a;
			}
		}
		n = xglb_build_slots(&st, slots);
		if (!g) {
			assert_int_equal(n, 0);
			continue;
		}
		for (int i = 0; i < nf; i++) {
			w[i] /= g;
			total += w[i];
		}
		for (int i = 0; i < nf; i++)
			lifted += w[i] && (double)w[i] * XGLB_SLOTS / total < 1.0;
		count_slots(slots, n, count);
		assert_unused_zero(slots, n);
		if (total <= XGLB_SLOTS) {
			assert_int_equal(n, total);
			for (int i = 0; i < nf; i++)
				assert_int_equal(count[i], w[i]);
		} else {
			assert_int_equal(n, XGLB_SLOTS);
			for (int i = 0; i < nf; i++) {
				double ideal = (double)w[i] * XGLB_SLOTS / total;

				if (!w[i]) {
					assert_int_equal(count[i], 0);
					continue;
				}
				assert_true(count[i] >= 1);
				if (dabs(count[i] - ideal) >= 1.0 + lifted)
					fail_msg("vector %d fwd %d: %d slots, ideal %.2f, "
						 "%d lifted",
						 t, i, count[i], ideal, lifted);
			}
		}
		for (__u32 p = 0; p < n; p++) {
			seen[slots[p]]++;
			for (int i = 0; i < nf; i++) {
				double want = (double)(p + 1) * count[i] / n;

				if (dabs(seen[i] - want) >= 2.0)
					fail_msg("vector %d fwd %d: %d of the first %u "
						 "slots, ideal %.2f",
						 t, i, seen[i], p + 1, want);
			}
		}
	}
}

/* The group value: flags, vMACs, copied fields and the slot table. */
static void test_build_group(void **state)
{
	const int w[5] = {10, 20, 30, 40, 50};
	const __u8 zero[sizeof(struct xglb_fwd)] = {0};
	struct xglb_group_state st;
	struct xglb_group g;
	__u8 slots[XGLB_SLOTS];
	__u32 self = 42;

	mkstate(&st, XGLB_POLICY_WEIGHTED, 5, w);
	st.avg = self;
	st.version = 0xdeadbeef;
	st.ifindex[0] = 3;
	st.ifindex[2] = 9;
	memcpy(st.ifmac[0], "\x52\x54\x00\x00\x00\x03", 6);
	memcpy(st.ifmac[2], "\x52\x54\x00\x00\x00\x09", 6);
	st.fwd[0].owner = self; /* ours, taking hosts */
	st.fwd[1].owner = self; /* ours, redirected */
	st.fwd[1].new_ok = false;
	st.fwd[2].owner = 5;	/* a peer's */
	st.fwd[3].owner = self; /* ours but inactive (new_ok set, must not show) */
	st.fwd[3].active = false;
	st.fwd[4].owner = 0; /* no owner yet */
	memset(&g, 0xa5, sizeof(g));
	xglb_build_group(&st, self, &g);

	assert_int_equal(g.vip, st.vip);
	assert_int_equal(g.id, 7);
	assert_int_equal(g.policy, XGLB_POLICY_WEIGHTED);
	assert_int_equal(g.flags, XGLB_GRP_ENABLED | XGLB_GRP_AVG);
	assert_int_equal(g.n_fwd, 5);
	assert_int_equal(g.version, 0xdeadbeef);
	assert_int_equal(g.ifindex[0], 3);
	assert_int_equal(g.ifindex[1], 0);
	assert_int_equal(g.ifindex[2], 9);
	assert_int_equal(g.ifindex[3], 0);
	assert_memory_equal(g.ifmac, st.ifmac, sizeof(g.ifmac));
	assert_int_equal(g.answer_if, 0); /* the agent binds (nicbind.h) */
	for (size_t i = 0; i < sizeof(g.pad); i++)
		assert_int_equal(g.pad[i], 0);
	assert_int_equal(g.fwd[0].flags, XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL | XGLB_FWD_NEW_OK);
	assert_int_equal(g.fwd[1].flags, XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL);
	assert_int_equal(g.fwd[2].flags, XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK);
	assert_int_equal(g.fwd[3].flags, 0);
	assert_int_equal(g.fwd[4].flags, XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK);
	for (int i = 0; i < 5; i++) {
		const __u8 want[6] = {0x02, 0x78, 0x67, 0x62, 7, (__u8)i};

		assert_memory_equal(g.fwd[i].vmac, want, 6);
		assert_int_equal(g.fwd[i].weight, w[i]);
		assert_int_equal(g.fwd[i].owner, st.fwd[i].owner);
		assert_int_equal(g.fwd[i].ifindex, 0);
	}
	for (int i = 5; i < XGLB_MAX_FWD; i++)
		assert_memory_equal(&g.fwd[i], zero, sizeof(zero));

	/* slots: 10:30:50 -> 1:3:5 for forwarders 0, 2, 4 */
	assert_int_equal(g.n_slots, 9);
	assert_int_equal(xglb_build_slots(&st, slots), 9);
	assert_memory_equal(g.slots, slots, XGLB_SLOTS);

	/* another node: not AVG, nothing local */
	xglb_build_group(&st, 5, &g);
	assert_int_equal(g.flags, XGLB_GRP_ENABLED);
	assert_int_equal(g.fwd[0].flags, XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK);
	assert_int_equal(g.fwd[2].flags, XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL | XGLB_FWD_NEW_OK);
}

/* Node id 0 means "nobody": no AVG and no owner match even for self_id 0. */
static void test_build_group_zero_ids(void **state)
{
	const int w[2] = {1, 1};
	struct xglb_group_state st;
	struct xglb_group g;

	mkstate(&st, XGLB_POLICY_ROUND_ROBIN, 2, w);
	st.avg = 0;
	st.fwd[0].owner = 0;
	xglb_build_group(&st, 0, &g);
	assert_int_equal(g.flags, XGLB_GRP_ENABLED);
	assert_int_equal(g.fwd[0].flags, XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK);
	assert_int_equal(g.n_slots, 2);
}

/* More forwarders than the table holds: clamped to XGLB_MAX_FWD. */
static void test_build_group_clamps(void **state)
{
	const int w[XGLB_MAX_FWD] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct xglb_group_state st;
	struct xglb_group g;
	int count[XGLB_MAX_FWD];

	mkstate(&st, XGLB_POLICY_ROUND_ROBIN, XGLB_MAX_FWD, w);
	st.n_fwd = XGLB_MAX_FWD + 4;
	xglb_build_group(&st, 1, &g);
	assert_int_equal(g.n_fwd, XGLB_MAX_FWD);
	assert_int_equal(g.n_slots, XGLB_MAX_FWD);
	count_slots(g.slots, g.n_slots, count);
	for (int i = 0; i < XGLB_MAX_FWD; i++)
		assert_int_equal(count[i], 1);
}

/* xglb_table_pick mirrors bpf/lib/policy.h: used to redistribute hosts off removed forwarders. */
static void table_pick_follows_slots_and_flags(void **state)
{
	struct xglb_group_state st = {.gid = 1, .policy = XGLB_POLICY_ROUND_ROBIN, .n_fwd = 3};
	static const __u8 mac[6] = {2, 0, 0, 0, 0, 9};
	struct xglb_group g;

	for (int i = 0; i < 3; i++)
		st.fwd[i] = (struct xglb_fwd_state){
		    .owner = 1, .weight = 1, .active = true, .new_ok = true};
	xglb_build_group(&st, 1, &g);
	for (__u32 pos = 0; pos < 9; pos++)
		assert_int_equal(xglb_table_pick(&g, mac, pos), g.slots[pos % g.n_slots]);
	st.policy = XGLB_POLICY_HOST_DEPENDENT;
	xglb_build_group(&st, 1, &g);
	for (__u32 pos = 0; pos < 9; pos++) /* position ignored: the host decides */
		assert_int_equal(xglb_table_pick(&g, mac, pos),
				 g.slots[xglb_mac_hash(mac) % g.n_slots]);
	for (int i = 0; i < 3; i++)
		st.fwd[i].new_ok = false;
	xglb_build_group(&st, 1, &g);
	assert_int_equal(xglb_table_pick(&g, mac, 0), -1); /* nobody takes new hosts */
}

/* ---- the VIP index (xglb_vips) ------------------------------------------ */

static __be32 ip4(int a, int b, int c, int d)
{
	return htonl((__u32)a << 24 | (__u32)b << 16 | (__u32)c << 8 | (__u32)d);
}

/*
 * n distinct addresses 10.x.y.z, starting after *from, whose home slot
 * with mult is home.
 */
static void ips_with_home(__u32 mult, __u32 home, __be32 *out, int n, __u32 *from)
{
	for (int k = 0; k < n; (*from)++) {
		__be32 ip = htonl(0x0a000000u | (*from & 0xffffff));

		assert_true(*from < 0x1000000);
		if (xglb_vip_hash(ip, mult) == home)
			out[k++] = ip;
	}
}

static void vip_groups(struct xglb_group *g, const __be32 *vips, int n)
{
	memset(g, 0, sizeof(*g) * n);
	for (int i = 0; i < n; i++) {
		g[i].id = (__u8)(i + 1);
		g[i].vip = vips[i];
		g[i].flags = XGLB_GRP_ENABLED;
	}
}

/* Every VIP is found, within XGLB_VIP_PROBES of its home with no hole before it; nothing else is
 * there. */
static void assert_index(const struct xglb_vip_slot *slots, __u32 mult, const struct xglb_group *g,
			 int n)
{
	int used = 0;

	for (__u32 s = 0; s < XGLB_VIP_SLOTS; s++)
		used += slots[s].gid != 0;
	assert_int_equal(used, n);
	for (int i = 0; i < n; i++) {
		__u32 home = xglb_vip_hash(g[i].vip, mult), d;

		assert_int_equal(xglb_vip_index_find(slots, mult, g[i].vip), g[i].id);
		for (d = 0; slots[(home + d) & (XGLB_VIP_SLOTS - 1)].vip != g[i].vip; d++) {
			assert_true(d < XGLB_VIP_PROBES - 1);
			assert_int_not_equal(slots[(home + d) & (XGLB_VIP_SLOTS - 1)].gid, 0);
		}
	}
}

static void test_vip_mult(void **state)
{
	assert_int_equal(xglb_vip_mult(0), 0x9E3779B1u);
	for (unsigned int s = 0; s < XGLB_VIP_SEEDS; s++) {
		assert_true(xglb_vip_mult(s) & 1);
		for (unsigned int t = 0; t < s; t++)
			assert_int_not_equal(xglb_vip_mult(s), xglb_vip_mult(t));
	}
}

/* Four VIPs with one home slot: home .. home + 3, found; a fifth address there is not a VIP. */
static void test_vip_index_collisions(void **state)
{
	static struct xglb_vip_slot slots[XGLB_VIP_SLOTS];
	__u32 m0 = xglb_vip_mult(0), mult = 0, from = 1, home = 517;
	struct xglb_group g[5];
	__be32 ips[5];

	ips_with_home(m0, home, ips, 5, &from);
	vip_groups(g, ips, 4);
	assert_int_equal(xglb_vip_index_build(g, 4, 1, slots, &mult), 0);
	assert_int_equal(mult, m0);
	assert_index(slots, mult, g, 4);
	for (int i = 0; i < 4;
	     i++) /* in the order given: nobody is farther from home than another */
		assert_int_equal(slots[home + i].gid, i + 1);
	assert_int_equal(xglb_vip_index_find(slots, mult, ips[4]), 0); /* probes 4 full slots */
	assert_int_equal(xglb_vip_index_find(slots, mult, ip4(192, 0, 2, 1)), 0);
}

/* Five VIPs with one home cannot fit with one multiplier: -ENOSPC, nothing left; another seed fits.
 */
static void test_vip_index_enospc_and_reseed(void **state)
{
	static struct xglb_vip_slot slots[XGLB_VIP_SLOTS];
	__u32 m0 = xglb_vip_mult(0), mult = 12345, from = 1;
	struct xglb_group g[5];
	__be32 ips[5];

	ips_with_home(m0, 3, ips, 5, &from);
	vip_groups(g, ips, 5);
	memset(slots, 0x5a, sizeof(slots));
	assert_int_equal(xglb_vip_index_build(g, 5, 1, slots, &mult), -ENOSPC);
	assert_int_equal(mult, 12345); /* untouched */
	for (__u32 s = 0; s < XGLB_VIP_SLOTS; s++)
		assert_int_equal(slots[s].gid, 0);
	assert_int_equal(xglb_vip_index_build(g, 5, XGLB_VIP_SEEDS, slots, &mult), 0);
	assert_int_not_equal(mult, m0);
	assert_index(slots, mult, g, 5);
	assert_int_equal(xglb_vip_index_build(g, 5, 0, slots, &mult), -ENOSPC); /* no seed at all */
}

/*
 * Robin Hood order: four VIPs at home h and one at h + 1, the latter
 * placed first. Plain linear probing would push the last of the four to
 * h + 4 (distance 4); here it takes h + 3 and the h + 1 VIP moves to h + 4
 * (distance 3): every VIP within XGLB_VIP_PROBES.
 */
static void test_vip_index_robin_hood(void **state)
{
	static struct xglb_vip_slot slots[XGLB_VIP_SLOTS];
	__u32 m0 = xglb_vip_mult(0), mult = 0, from = 1, h = 800;
	struct xglb_group g[5];
	__be32 ips[5];

	ips_with_home(m0, h + 1, ips, 1, &from);
	ips_with_home(m0, h, ips + 1, 4, &from);
	vip_groups(g, ips, 5);
	assert_int_equal(xglb_vip_index_build(g, 5, 1, slots, &mult), 0);
	assert_index(slots, mult, g, 5);
	assert_int_equal(slots[h + 4].gid, 1);
}

/* Homes at the end of the bank wrap to its start; a lookup follows them. */
static void test_vip_index_wraps(void **state)
{
	static struct xglb_vip_slot slots[XGLB_VIP_SLOTS];
	__u32 m0 = xglb_vip_mult(0), mult = 0, from = 1;
	struct xglb_group g[4];
	__be32 ips[4];

	ips_with_home(m0, XGLB_VIP_SLOTS - 1, ips, 3, &from);
	ips_with_home(m0, 0, ips + 3, 1, &from);
	vip_groups(g, ips, 4);
	assert_int_equal(xglb_vip_index_build(g, 4, 1, slots, &mult), 0);
	assert_index(slots, mult, g, 4);
	assert_int_equal(slots[XGLB_VIP_SLOTS - 1].gid, 1);
	assert_int_equal(slots[0].gid, 2);
	assert_int_equal(slots[1].gid, 3);
	assert_int_equal(slots[2].gid, 4);
}

/* The largest sets: 255 VIPs as a network plan spells them, and 255 arbitrary ones. */
static void test_vip_index_full(void **state)
{
	static struct xglb_vip_slot slots[XGLB_VIP_SLOTS];
	static struct xglb_group g[XGLB_MAX_GROUPS - 1];
	static __be32 ips[XGLB_MAX_GROUPS - 1];
	__u32 mult = 0, x = 0x12345678;
	int n = XGLB_MAX_GROUPS - 1;

	for (int i = 0; i < n; i++)
		ips[i] = ip4(10, i >> 4, (i & 15) * 16, 1);
	vip_groups(g, ips, n);
	assert_int_equal(xglb_vip_index_build(g, n, 1, slots, &mult), 0); /* fits the first seed */
	assert_index(slots, mult, g, n);
	for (int i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		ips[i] =
		    htonl(x ^ (x >> 16)) ^ (__be32)i; /* distinct enough; duplicates are fine */
	}
	vip_groups(g, ips, n);
	assert_int_equal(xglb_vip_index_build(g, n, XGLB_VIP_SEEDS, slots, &mult), 0);
	for (int i = 0; i < n; i++) {
		bool later = false;

		for (int j = i + 1; j < n; j++)
			later |= ips[j] == ips[i];
		if (!later)
			assert_int_equal(xglb_vip_index_find(slots, mult, ips[i]), g[i].id);
	}
}

/* A VIP listed twice is the later group's (as two map updates would leave it); ids must be set. */
static void test_vip_index_duplicates_and_invalid(void **state)
{
	static struct xglb_vip_slot slots[XGLB_VIP_SLOTS];
	const __be32 ips[3] = {ip4(10, 0, 0, 1), ip4(10, 0, 1, 1), ip4(10, 0, 0, 1)};
	struct xglb_group g[3];
	__u32 mult = 0;
	int used = 0;

	vip_groups(g, ips, 3);
	assert_int_equal(xglb_vip_index_build(g, 3, 1, slots, &mult), 0);
	assert_int_equal(xglb_vip_index_find(slots, mult, ips[0]), 3);
	assert_int_equal(xglb_vip_index_find(slots, mult, ips[1]), 2);
	for (__u32 s = 0; s < XGLB_VIP_SLOTS; s++)
		used += slots[s].gid != 0;
	assert_int_equal(used, 2);
	assert_int_equal(xglb_vip_index_build(g, 0, 1, slots, &mult),
			 0); /* empty: all slots free */
	for (__u32 s = 0; s < XGLB_VIP_SLOTS; s++)
		assert_int_equal(slots[s].gid, 0);
	g[1].id = 0;
	assert_int_equal(xglb_vip_index_build(g, 3, 1, slots, &mult), -EINVAL);
	assert_int_equal(xglb_vip_index_build(g, -1, 1, slots, &mult), -EINVAL);
	assert_int_equal(xglb_vip_index_build(g, XGLB_MAX_GROUPS + 1, 1, slots, &mult), -EINVAL);
}

/* ---- the IPv6 index (xglb_vips6) ------------------------------------------ */

static void addr6(__u8 a[16], __u32 n)
{
	static const __u8 base[16] = {0x20, 0x01, 0x0d, 0xb8};

	memcpy(a, base, 16);
	a[12] = (__u8)(n >> 24);
	a[13] = (__u8)(n >> 16);
	a[14] = (__u8)(n >> 8);
	a[15] = (__u8)n;
}

static __u32 home6(const __u8 a[16], __u32 mult)
{
	__u32 w[4];

	memcpy(w, a, 16);
	return xglb_vip6_hash(w[0], w[1], w[2], w[3], mult);
}

/* 255 groups of 4 addresses each: all found in their group, within 4 probes, no slot to spare. */
static void test_vip6_index_full(void **state)
{
	static struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS];
	static struct xglb_group g[255];
	__u32 mult = 0, used = 0;
	__u8 a[16];

	memset(g, 0, sizeof(g));
	for (int i = 0; i < 255; i++) {
		g[i].id = (__u8)(i + 1);
		for (int k = 0; k < XGLB_VIP6_PER_GROUP; k++)
			addr6(g[i].vip6[k], (__u32)i * 16 + (__u32)k + 1);
	}
	assert_int_equal(xglb_vip6_index_build(g, 255, XGLB_VIP_SEEDS, slots, &mult), 0);
	for (__u32 s = 0; s < XGLB_VIP6_SLOTS; s++)
		used += slots[s].gid != 0;
	assert_int_equal(used, 255 * XGLB_VIP6_PER_GROUP);
	for (int i = 0; i < 255; i++)
		for (int k = 0; k < XGLB_VIP6_PER_GROUP; k++) {
			__u32 h = home6(g[i].vip6[k], mult), d;

			assert_int_equal(xglb_vip6_index_find(slots, mult, g[i].vip6[k]), i + 1);
			for (d = 0;
			     memcmp(slots[(h + d) & (XGLB_VIP6_SLOTS - 1)].addr, g[i].vip6[k], 16);
			     d++)
				assert_true(d < XGLB_VIP6_PROBES - 1);
		}
	addr6(a, 0xffffff);
	assert_int_equal(xglb_vip6_index_find(slots, mult, a), 0);
}

/*
 * Five addresses with one home under the first seed do not fit one seed
 * (-ENOSPC, nothing left behind) and fit the next ones; four do. Zero
 * addresses are unused; one listed twice keeps the later group; id 0 is
 * refused.
 */
static void test_vip6_index_rules(void **state)
{
	static struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS];
	__u32 m0 = xglb_vip_mult(0), mult = 0, n = 0, used = 0;
	struct xglb_group g[5];
	__u8 same[5][16];

	for (__u32 x = 1; n < 5; x++) {
		addr6(same[n], x);
		if (home6(same[n], m0) == 99)
			n++;
	}
	memset(g, 0, sizeof(g));
	for (int i = 0; i < 5; i++) {
		g[i].id = (__u8)(i + 1);
		memcpy(g[i].vip6[2], same[i], 16); /* slots 0, 1, 3 unused */
	}
	assert_int_equal(xglb_vip6_index_build(g, 4, 1, slots, &mult), 0);
	assert_int_equal(mult, m0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(xglb_vip6_index_find(slots, mult, same[i]), i + 1);
	assert_int_equal(xglb_vip6_index_find(slots, mult, same[4]), 0); /* 4 full probes */
	assert_int_equal(xglb_vip6_index_build(g, 5, 1, slots, &mult), -ENOSPC);
	for (__u32 s = 0; s < XGLB_VIP6_SLOTS; s++)
		used += slots[s].gid != 0;
	assert_int_equal(used, 0);
	assert_int_equal(xglb_vip6_index_build(g, 5, XGLB_VIP_SEEDS, slots, &mult), 0);
	assert_int_not_equal(mult, m0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(xglb_vip6_index_find(slots, mult, same[i]), i + 1);
	/* group 2 lists group 1's address too: the later group has it */
	memcpy(g[1].vip6[0], same[0], 16);
	assert_int_equal(xglb_vip6_index_build(g, 2, 1, slots, &mult), 0);
	assert_int_equal(xglb_vip6_index_find(slots, mult, same[0]), 2);
	used = 0;
	for (__u32 s = 0; s < XGLB_VIP6_SLOTS; s++)
		used += slots[s].gid != 0;
	assert_int_equal(used, 2);
	g[1].id = 0;
	assert_int_equal(xglb_vip6_index_build(g, 2, 1, slots, &mult), -EINVAL);
}

/*
 * The IPv6 home slot hash (include/xglb.h): the words' form and the
 * halves' form agree; addresses that differ alike in two words
 * (2001:db8:0:N::N, N = 1..255, which a fold of the words by XOR would
 * send to one home, and a multiply of the halves as loaded on a
 * little-endian machine to at most 128) spread: no home holds more than
 * 3 of them, at least 200 homes distinct, under every seed's multiplier
 * tried.
 */
static void test_vip6_hash_spread(void **state)
{
	for (unsigned int seed = 0; seed < 8; seed++) {
		__u32 m = xglb_vip_mult(seed), homes[255];
		unsigned int distinct = 0;

		for (__u32 n = 1; n <= 255; n++) {
			__u8 a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, (__u8)n};
			__u64 q[2];
			int same = 0;

			a[15] = (__u8)n;
			memcpy(q, a, 16);
			homes[n - 1] = home6(a, m);
			assert_int_equal(homes[n - 1], xglb_vip6_hash2(q[0], q[1], m));
			assert_true(homes[n - 1] < XGLB_VIP6_SLOTS);
			for (__u32 k = 0; k < n - 1; k++)
				same += homes[k] == homes[n - 1];
			assert_true(same < 3);
			distinct += !same;
		}
		assert_true(distinct >= 200);
	}
}

/*
 * xglb_ctl.vip6_skip: an empty index skips every address; an index holding
 * addresses ending in 0x21 and 0x05 (bits 1 and 5) skips all but those
 * two bits, so neither virtual address, nor any address sharing a bit
 * with one, is ever skipped.
 */
static void test_vip6_skip_bits(void **state)
{
	static struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS];
	struct xglb_group g[1];
	__u32 mult = 0, skip;
	__u8 a[16];

	memset(slots, 0, sizeof(slots));
	assert_int_equal(xglb_vip6_skip_bits(slots, XGLB_VIP6_SLOTS), 0xffffffffu);
	memset(g, 0, sizeof(g));
	g[0].id = 7;
	addr6(g[0].vip6[0], 0x21);
	addr6(g[0].vip6[3], 0x105);
	assert_int_equal(xglb_vip6_index_build(g, 1, 1, slots, &mult), 0);
	skip = xglb_vip6_skip_bits(slots, XGLB_VIP6_SLOTS);
	assert_int_equal(skip, ~((1u << 1) | (1u << 5)));
	assert_false(skip & XGLB_VIP6_SKIP_BIT(g[0].vip6[0]));
	assert_false(skip & XGLB_VIP6_SKIP_BIT(g[0].vip6[3]));
	addr6(a, 0x41); /* another address ending in bit 1: looked up, found in no slot */
	assert_false(skip & XGLB_VIP6_SKIP_BIT(a));
	addr6(a, 0x22);
	assert_true(skip & XGLB_VIP6_SKIP_BIT(a));
}

/* xglb_build_group carries the addresses into the group value unchanged. */
static void test_vip6_in_group_value(void **state)
{
	struct xglb_group_state st;
	struct xglb_group out;

	memset(&st, 0, sizeof(st));
	st.gid = 3;
	addr6(st.vip6[0], 1);
	addr6(st.vip6[3], 4);
	xglb_build_group(&st, 1, &out);
	assert_memory_equal(out.vip6, st.vip6, sizeof(out.vip6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table_pick_follows_slots_and_flags),
	    cmocka_unit_test(test_vmac_bytes),
	    cmocka_unit_test(test_round_robin_each_once),
	    cmocka_unit_test(test_ineligible_excluded),
	    cmocka_unit_test(test_none_eligible),
	    cmocka_unit_test(test_weighted_3_to_1),
	    cmocka_unit_test(test_weighted_interleaved),
	    cmocka_unit_test(test_scaled_proportional),
	    cmocka_unit_test(test_scaled_minimum_one),
	    cmocka_unit_test(test_slots_properties),
	    cmocka_unit_test(test_build_group),
	    cmocka_unit_test(test_build_group_zero_ids),
	    cmocka_unit_test(test_build_group_clamps),
	    cmocka_unit_test(test_vip_mult),
	    cmocka_unit_test(test_vip6_index_full),
	    cmocka_unit_test(test_vip6_index_rules),
	    cmocka_unit_test(test_vip6_skip_bits),
	    cmocka_unit_test(test_vip6_hash_spread),
	    cmocka_unit_test(test_vip6_in_group_value),
	    cmocka_unit_test(test_vip_index_collisions),
	    cmocka_unit_test(test_vip_index_enospc_and_reseed),
	    cmocka_unit_test(test_vip_index_robin_hood),
	    cmocka_unit_test(test_vip_index_wraps),
	    cmocka_unit_test(test_vip_index_full),
	    cmocka_unit_test(test_vip_index_duplicates_and_invalid),
	};

	return cmocka_run_group_tests_name("tables", tests, NULL, NULL);
}

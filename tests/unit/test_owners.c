// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_owners.c - unit tests of the flow-owner table builder: disruption, weights, determinism. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "testlib.h"
#include "owners.h"

#define NB XGLB_STEER_BUCKETS_DEFAULT

static __u8 ta[XGLB_STEER_BUCKETS], tb[XGLB_STEER_BUCKETS];

/* n nodes with ids id0, id0 + 7, ... and weight w. */
static void mknodes(struct xglb_owner_node *nodes, int n, __u32 id0, __u16 w)
{
	for (int i = 0; i < n; i++) {
		nodes[i].id = id0 + 7u * (__u32)i;
		nodes[i].weight = w;
	}
}

/* The node id owning each bucket (0 = none), so tables of different node lists compare. */
static void owner_ids(const struct xglb_owner_node *nodes, const __u8 *owner, __u32 nb, __u32 *ids)
{
	for (__u32 b = 0; b < nb; b++)
		ids[b] = owner[b] == XGLB_STEER_NO_OWNER ? 0 : nodes[owner[b]].id;
}

/* FNV-1a of a table: a fingerprint to pin the algorithm down. */
static __u64 fnv(const __u8 *p, __u32 n)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (__u32 i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void test_zero_nodes(void **state)
{
	memset(ta, 0, sizeof(ta));
	assert_int_equal(xglb_owners_build(NULL, 0, NB, ta), 0);
	for (__u32 b = 0; b < NB; b++)
		assert_int_equal(ta[b], XGLB_STEER_NO_OWNER);
}

static void test_one_node(void **state)
{
	struct xglb_owner_node n = {.id = 42, .weight = 1};

	memset(ta, 0xee, sizeof(ta));
	assert_int_equal(xglb_owners_build(&n, 1, NB, ta), 0);
	for (__u32 b = 0; b < NB; b++)
		assert_int_equal(ta[b], 0);
	memset(ta, 0xee, sizeof(ta));
	assert_int_equal(xglb_owners_build(&n, 1, 1024, ta), 0);
	assert_int_equal(ta[1023], 0);
	assert_int_equal(ta[1024], 0xee); /* nothing written past n_buckets */
}

/* Weight 0 owns nothing; all weights 0 is the same as no nodes. */
static void test_zero_weight(void **state)
{
	struct xglb_owner_node nodes[3];
	__u32 counts[3];

	mknodes(nodes, 3, 1, 5);
	nodes[1].weight = 0;
	assert_int_equal(xglb_owners_build(nodes, 3, NB, ta), 0);
	assert_int_equal(xglb_owners_count(ta, NB, counts, 3), 0);
	assert_int_equal(counts[1], 0);
	assert_int_equal(counts[0] + counts[2], NB);
	for (int i = 0; i < 3; i++)
		nodes[i].weight = 0;
	assert_int_equal(xglb_owners_build(nodes, 3, NB, ta), 0);
	assert_int_equal(xglb_owners_count(ta, NB, counts, 3), NB);
}

/* The most nodes a table holds: every slot owns close to its 1/32. */
static void test_max_nodes(void **state)
{
	struct xglb_owner_node nodes[XGLB_STEER_MAX_NODES + 1];
	__u32 counts[XGLB_STEER_MAX_NODES];
	const __u32 fair = NB / XGLB_STEER_MAX_NODES;

	mknodes(nodes, XGLB_STEER_MAX_NODES + 1, 100, 10);
	assert_int_equal(xglb_owners_build(nodes, XGLB_STEER_MAX_NODES, NB, ta), 0);
	assert_int_equal(xglb_owners_count(ta, NB, counts, XGLB_STEER_MAX_NODES), 0);
	for (int s = 0; s < XGLB_STEER_MAX_NODES; s++)
		assert_in_range(counts[s], fair * 85 / 100, fair * 115 / 100);
	assert_int_equal(xglb_owners_build(nodes, XGLB_STEER_MAX_NODES + 1, NB, ta), -EINVAL);
}

static void test_invalid_arguments(void **state)
{
	struct xglb_owner_node nodes[3];

	mknodes(nodes, 3, 1, 1);
	memset(ta, 0xee, 64);
	assert_int_equal(xglb_owners_build(nodes, 3, 0, ta), -EINVAL);
	assert_int_equal(xglb_owners_build(nodes, 3, 48, ta), -EINVAL);
	assert_int_equal(xglb_owners_build(nodes, 3, XGLB_STEER_BUCKETS * 2, ta), -EINVAL);
	assert_int_equal(xglb_owners_build(nodes, -1, NB, ta), -EINVAL);
	assert_int_equal(xglb_owners_build(nodes, 3, NB, NULL), -EINVAL);
	assert_int_equal(xglb_owners_build(NULL, 3, NB, ta), -EINVAL);
	nodes[2].id = nodes[0].id; /* duplicate id */
	assert_int_equal(xglb_owners_build(nodes, 3, NB, ta), -EINVAL);
	assert_int_equal(ta[0], 0xee); /* untouched */
	/* every power of two up to the maximum is a valid size */
	mknodes(nodes, 3, 1, 1);
	for (__u32 nb = 1; nb <= XGLB_STEER_BUCKETS; nb <<= 1)
		assert_int_equal(xglb_owners_build(nodes, 3, nb, ta), 0);
}

/* When a node leaves, exactly its buckets move, and they spread over all the others. */
static void test_leave_moves_only_leavers_buckets(void **state)
{
	static __u32 before[NB], after[NB];
	struct xglb_owner_node nodes[6], rest[5];

	for (int leaver = 0; leaver < 6; leaver++) {
		__u32 moved = 0, to[6] = {0};
		int r = 0;

		mknodes(nodes, 6, 11, 3);
		nodes[4].weight = 5; /* a mixed-weight cluster */
		assert_int_equal(xglb_owners_build(nodes, 6, NB, ta), 0);
		owner_ids(nodes, ta, NB, before);
		for (int i = 0; i < 6; i++)
			if (i != leaver)
				rest[r++] = nodes[i];
		assert_int_equal(xglb_owners_build(rest, 5, NB, tb), 0);
		owner_ids(rest, tb, NB, after);
		for (__u32 b = 0; b < NB; b++) {
			if (before[b] == nodes[leaver].id) {
				moved++;
				assert_int_not_equal(after[b], nodes[leaver].id);
				to[xglb_owners_slot(rest, 5, after[b])]++;
			} else if (before[b] != after[b]) {
				fail_msg("leaver %d: bucket %u moved from %u to %u", leaver, b,
					 before[b], after[b]);
			}
		}
		assert_true(moved > 0);
		for (int s = 0; s < 5; s++)
			assert_true(to[s] > 0);
	}
}

/* A joining node takes 0.8/N..1.2/N of the buckets, all of them from the others. */
static void test_join_moves_about_one_nth(void **state)
{
	static __u32 before[NB], after[NB];
	struct xglb_owner_node nodes[XGLB_STEER_MAX_NODES];

	for (int n = 2; n <= 16; n++) {
		__u32 moved = 0;

		mknodes(nodes, n, 1000, 1);
		assert_int_equal(xglb_owners_build(nodes, n - 1, NB, ta), 0);
		owner_ids(nodes, ta, NB, before);
		assert_int_equal(xglb_owners_build(nodes, n, NB, tb), 0);
		owner_ids(nodes, tb, NB, after);
		for (__u32 b = 0; b < NB; b++) {
			if (before[b] == after[b])
				continue;
			moved++;
			assert_int_equal(after[b], nodes[n - 1].id); /* only to the joiner */
		}
		if (moved * 10 * (__u32)n < NB * 8 || moved * 10 * (__u32)n > NB * 12)
			fail_msg("%d nodes: join moved %u of %u buckets, want %u..%u", n, moved, NB,
				 NB * 8 / 10 / n, NB * 12 / 10 / n);
	}
}

/* Node i's share of counts[] against its weight: relative error. */
static double share_err(__u32 count, __u16 weight, __u32 total)
{
	double want = (double)NB * weight / total;

	return (count - want) / want;
}

/* Weights 1:2:3 over 65,536 buckets: each node's share within 2 % of its weight's. */
static void test_weights_1_2_3(void **state)
{
	struct xglb_owner_node nodes[3] = {{1, 1}, {2, 2}, {3, 3}};
	__u32 counts[3];

	for (int scale = 1; scale <= 1000; scale *= 10) {
		for (int i = 0; i < 3; i++)
			nodes[i].weight = (__u16)((i + 1) * scale);
		assert_int_equal(xglb_owners_build(nodes, 3, NB, ta), 0);
		assert_int_equal(xglb_owners_count(ta, NB, counts, 3), 0);
		for (int i = 0; i < 3; i++) {
			double err = share_err(counts[i], nodes[i].weight, 6u * (__u32)scale);

			print_message("x%d node %d: %u buckets (%+.2f %%)\n", scale, i, counts[i],
				      err * 100);
			assert_true(err <= 0.02 && err >= -0.02);
		}
	}
}

/*
 * Other mixes: a share of p of the buckets has a binomial spread of
 * sqrt(NB p (1 - p)) buckets; each must be within 2 % or, for shares
 * too small for 2 % to be many spreads, within 4 spreads.
 */
static void test_weights_mixes(void **state)
{
	static const __u16 mixes[][4] = {
	    {1, 1, 1, 5},	  {10, 1, 0, 0}, {250, 100, 50, 1000},
	    {65535, 1, 1, 65535}, {7, 3, 0, 0},	 {1, 2, 4, 8},
	};

	for (size_t m = 0; m < sizeof(mixes) / sizeof(mixes[0]); m++) {
		struct xglb_owner_node nodes[4];
		__u32 counts[4], total = 0;
		int n = 0;

		for (int i = 0; i < 4 && mixes[m][i]; i++) {
			nodes[n].id = 3u + 10u * (__u32)i;
			nodes[n++].weight = mixes[m][i];
			total += mixes[m][i];
		}
		assert_int_equal(xglb_owners_build(nodes, n, NB, ta), 0);
		assert_int_equal(xglb_owners_count(ta, NB, counts, n), 0);
		for (int i = 0; i < n; i++) {
			double p = (double)nodes[i].weight / total, want = NB * p;
			double var = NB * p * (1 - p), dev = counts[i] - want;
			/* limit^2: (2 % of want)^2 or (4 spreads)^2, the larger */
			double lim2 =
			    0.0004 * want * want > 16 * var ? 0.0004 * want * want : 16 * var;

			print_message(
			    "mix %zu node %d: weight %u, %u buckets, want %.0f (%+.2f %%)\n", m, i,
			    nodes[i].weight, counts[i], want, dev / want * 100);
			if (dev * dev > lim2)
				fail_msg("mix %zu node %d: %u buckets, want %.0f", m, i, counts[i],
					 want);
		}
	}
}

/* Same nodes, any order: each bucket has the same owner node; two builds are byte-identical. */
static void test_deterministic(void **state)
{
	static __u32 ids_a[NB], ids_b[NB];
	struct xglb_owner_node fwd[5], rev[5];

	mknodes(fwd, 5, 77, 1);
	fwd[2].weight = 4;
	for (int i = 0; i < 5; i++)
		rev[i] = fwd[4 - i];
	assert_int_equal(xglb_owners_build(fwd, 5, NB, ta), 0);
	assert_int_equal(xglb_owners_build(fwd, 5, NB, tb), 0);
	assert_memory_equal(ta, tb, NB);
	owner_ids(fwd, ta, NB, ids_a);
	assert_int_equal(xglb_owners_build(rev, 5, NB, tb), 0);
	owner_ids(rev, tb, NB, ids_b);
	assert_memory_equal(ids_a, ids_b, sizeof(ids_a));
	/* a smaller table is not a prefix relation, but is itself deterministic */
	assert_int_equal(xglb_owners_build(fwd, 5, 256, ta), 0);
	assert_int_equal(xglb_owners_build(fwd, 5, 256, tb), 0);
	assert_memory_equal(ta, tb, 256);
}

/*
 * The table is part of the protocol between nodes: nodes running
 * different builds must compute the same bytes. These fingerprints pin
 * the hash and the fixed-point log down; if they change, every flow of a
 * mixed-version cluster moves.
 */
static void test_fingerprint(void **state)
{
	struct xglb_owner_node nodes[3] = {{1, 1}, {2, 2}, {3, 3}};
	struct xglb_owner_node eq[4] = {{10, 100}, {20, 100}, {30, 100}, {40, 100}};
	__u64 h1, h2;

	assert_int_equal(xglb_owners_build(nodes, 3, NB, ta), 0);
	h1 = fnv(ta, NB);
	assert_int_equal(xglb_owners_build(eq, 4, NB, ta), 0);
	h2 = fnv(ta, NB);
	print_message("fingerprints %016llx %016llx\n", (unsigned long long)h1,
		      (unsigned long long)h2);
	assert_int_equal(h1, 0x95395b47ff39e8ebull);
	assert_int_equal(h2, 0xc6de28d3345d6510ull);
}

/* The flow hash shared with the data path: symmetric, and pinned like the table. */
static void test_flow_hash(void **state)
{
	__u32 a = 0x0a000032, b = 0xc000020a;

	assert_int_equal(xglb_flow_hash(a, b, 40000, 443, 6), xglb_flow_hash(b, a, 443, 40000, 6));
	assert_int_equal(xglb_flow_hash(a, b, 7, 7, 1), xglb_flow_hash(b, a, 7, 7, 1));
	assert_int_not_equal(xglb_flow_hash(a, b, 40000, 443, 6),
			     xglb_flow_hash(a, b, 40000, 443, 17));
	assert_int_not_equal(xglb_flow_hash(a, b, 40000, 443, 6),
			     xglb_flow_hash(a, b, 40001, 443, 6));
	print_message("flow hash %08x\n", xglb_flow_hash(a, b, 40000, 443, 6));
	assert_int_equal(xglb_flow_hash(a, b, 40000, 443, 6), 0xc2e0ea4fu);
}

static void test_slot_lookup(void **state)
{
	struct xglb_owner_node nodes[3];

	mknodes(nodes, 3, 5, 1);
	assert_int_equal(xglb_owners_slot(nodes, 3, 5), 0);
	assert_int_equal(xglb_owners_slot(nodes, 3, 19), 2);
	assert_int_equal(xglb_owners_slot(nodes, 3, 6), XGLB_STEER_NO_OWNER);
	assert_int_equal(xglb_owners_slot(nodes, 0, 5), XGLB_STEER_NO_OWNER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zero_nodes),
	    cmocka_unit_test(test_one_node),
	    cmocka_unit_test(test_zero_weight),
	    cmocka_unit_test(test_max_nodes),
	    cmocka_unit_test(test_invalid_arguments),
	    cmocka_unit_test(test_leave_moves_only_leavers_buckets),
	    cmocka_unit_test(test_join_moves_about_one_nth),
	    cmocka_unit_test(test_weights_1_2_3),
	    cmocka_unit_test(test_weights_mixes),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_fingerprint),
	    cmocka_unit_test(test_flow_hash),
	    cmocka_unit_test(test_slot_lookup),
	};

	return cmocka_run_group_tests_name("owners", tests, NULL, NULL);
}

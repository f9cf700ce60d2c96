// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* owners.c - flow-owner tables by weighted rendezvous hashing, integer arithmetic only. */
#include <errno.h>
#include <stdbool.h>
#include "owners.h"

/* Fraction bits of the fixed-point log2: ties below 2^-24 are settled by node id. */
#define LOG_FRAC 24

/* splitmix64's finalizer: a bijection that spreads every input bit. */
static __u64 mix64(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* The uniform draw of node id for bucket: 32 bits. */
static __u32 hrw_hash(__u32 id, __u32 bucket)
{
	return (__u32)(mix64(((__u64)id << 32 | bucket) ^ 0x7867622d73746565ull) >> 32);
}

/*
 * floor(log2(x) * 2^LOG_FRAC) for 1 <= x < 2^63, by repeated squaring of
 * the mantissa (each square doubles the log; a carry past 2 is the next
 * bit). Exact but slow (a multiply and a branch per bit): it only fills
 * the interpolation table below.
 */
static __u64 log2_exact(__u64 x)
{
	int ip = 63 - __builtin_clzll(x);
	__u64 r = (__u64)ip << LOG_FRAC;
	__u64 y = ip >= 31 ? x >> (ip - 31) : x << (31 - ip); /* [1, 2) in 1.31 fixed point */

	for (int i = LOG_FRAC - 1; i >= 0; i--) {
		y = (y * y) >> 31;
		if (y >= 1ull << 32) {
			y >>= 1;
			r |= 1ull << i;
		}
	}
	return r;
}

/* log2(1 + i / 2^LOG_TBL_BITS) in 2^-LOG_FRAC units, i = 0..2^LOG_TBL_BITS */
#define LOG_TBL_BITS 10
struct log_tbl {
	__u32 v[(1 << LOG_TBL_BITS) + 1];
};

static void log_tbl_fill(struct log_tbl *t)
{
	for (__u32 i = 0; i <= 1u << LOG_TBL_BITS; i++)
		t->v[i] = (__u32)(log2_exact((1ull << LOG_TBL_BITS) + i) -
				  ((__u64)LOG_TBL_BITS << LOG_FRAC));
}

/*
 * log2(x) for 1 <= x < 2^34 in 2^-LOG_FRAC units: the integer part from
 * the top bit, the fraction from the table, linearly interpolated on the
 * next 30 bits of the mantissa (error below 2^-21, the same on every
 * machine: integers only).
 */
static __u64 log2_fix(const struct log_tbl *t, __u64 x)
{
	int ip = 63 - __builtin_clzll(x);
	__u64 y = x << (40 - ip); /* [2^40, 2^41): 1.40 fixed point */
	__u32 i = (__u32)(y >> (40 - LOG_TBL_BITS)) & ((1u << LOG_TBL_BITS) - 1);
	__u64 rem = y & ((1ull << (40 - LOG_TBL_BITS)) - 1);

	return ((__u64)ip << LOG_FRAC) + t->v[i] +
	       (((__u64)(t->v[i + 1] - t->v[i]) * rem) >> (40 - LOG_TBL_BITS));
}

/*
 * -log2(u) in 2^-LOG_FRAC units for u = (2h + 1) / 2^33, the midpoint of
 * the hash's cell, so u is never 0 or 1. At least 1 for every h.
 */
static __u64 neg_log2(const struct log_tbl *t, __u32 h)
{
	__u64 l = (33ull << LOG_FRAC) - log2_fix(t, 2ull * h + 1);

	return l ? l : 1;
}

/*
 * Weighted rendezvous: node a beats b when w_a / L_a > w_b / L_b, with
 * L = -ln(u) up to a constant factor. Cross-multiplied to stay in
 * integers: w < 2^16 and L < 2^30, so each product fits in 46 bits.
 */
static bool beats(__u32 wa, __u64 la, __u32 ida, __u32 wb, __u64 lb, __u32 idb)
{
	__u64 a = (__u64)wa * lb, b = (__u64)wb * la;

	return a > b || (a == b && ida < idb);
}

int xglb_owners_build(const struct xglb_owner_node *nodes, int n, __u32 n_buckets, __u8 *owner)
{
	struct log_tbl t;

	if (n < 0 || n > XGLB_STEER_MAX_NODES || (n && !nodes) || !owner || n_buckets == 0 ||
	    n_buckets > XGLB_STEER_BUCKETS || (n_buckets & (n_buckets - 1)))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (nodes[i].id == nodes[j].id)
				return -EINVAL;

	log_tbl_fill(&t); /* 4 KiB, ~0.1 ms: cheap next to the table, and no shared state */
	for (__u32 b = 0; b < n_buckets; b++) {
		__u64 best_l = 0;
		int best = -1;

		for (int i = 0; i < n; i++) {
			__u64 l;

			if (!nodes[i].weight)
				continue;
			l = neg_log2(&t, hrw_hash(nodes[i].id, b));
			if (best < 0 || beats(nodes[i].weight, l, nodes[i].id, nodes[best].weight,
					      best_l, nodes[best].id)) {
				best = i;
				best_l = l;
			}
		}
		owner[b] = best < 0 ? XGLB_STEER_NO_OWNER : (__u8)best;
	}
	return 0;
}

__u8 xglb_owners_slot(const struct xglb_owner_node *nodes, int n, __u32 id)
{
	for (int i = 0; i < n && i < XGLB_STEER_MAX_NODES; i++)
		if (nodes[i].id == id)
			return (__u8)i;
	return XGLB_STEER_NO_OWNER;
}

__u32 xglb_owners_count(const __u8 *owner, __u32 n_buckets, __u32 *counts, int n)
{
	__u32 none = 0;

	for (int s = 0; s < n; s++)
		counts[s] = 0;
	for (__u32 b = 0; b < n_buckets; b++) {
		if (owner[b] < n)
			counts[owner[b]]++;
		else
			none++;
	}
	return none;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* owners.h - pure flow-owner table building: live nodes -> bucket -> owner slot. No I/O. */
#ifndef XGLB_OWNERS_H
#define XGLB_OWNERS_H

#include <linux/types.h>
#include "xglb.h"

/*
 * The steering data path (bpf/lib/steer.h) maps each flow to a bucket and
 * each bucket to the slot of its owner node. This module builds that
 * bucket -> slot table from the live nodes by weighted rendezvous (HRW)
 * hashing: every node scores every bucket, the best score owns it.
 *
 *  - Minimal disruption: a bucket's owner depends only on the scores of
 *    the nodes present, so when a node leaves only its buckets move, and
 *    a joining node takes (weight share) of the buckets, all from others.
 *  - Weights: node i owns about weight_i / sum(weights) of the buckets
 *    (score = weight / -ln(u), u uniform in (0,1) from the hash).
 *  - Deterministic across nodes: integer arithmetic only (a fixed-point
 *    log2, no libm), so every node computing the table from the same
 *    nodes gets the same bytes whatever its compiler, libc or CPU. The
 *    hash and the log are part of the protocol between nodes: changing
 *    either reshuffles flows of a cluster running mixed versions.
 *  - Order independent: which node owns a bucket does not depend on the
 *    order of nodes[]; only the slot numbers (= index in nodes[]) do. Ties
 *    of score (rare) go to the lower node id.
 *
 * Cost: n_buckets x nodes scores of ~8 ns; 65,536 buckets x 3 nodes is
 * about 3 ms, x 32 nodes about 17 ms. Build tables off the packet path
 * and reuse them while membership is unchanged.
 */

struct xglb_owner_node {
	__u32 id;     /* node id, unique within nodes[] */
	__u16 weight; /* share of buckets; 0 = owns none (drained or withdrawn) */
};

/*
 * Fill owner[0..n_buckets) with the slot (index into nodes[]) owning each
 * bucket, or XGLB_STEER_NO_OWNER when no node has a weight (n == 0 or all
 * weights 0). n_buckets: a power of two, 1..XGLB_STEER_BUCKETS. n:
 * 0..XGLB_STEER_MAX_NODES. Returns 0, or -EINVAL (bad sizes, duplicate
 * ids) leaving owner untouched.
 *
 * For steering, give every node of the group the same nodes[] (same ids,
 * weights, order - e.g. sorted by id), so slot numbers agree too; then
 * xglb_owners_slot() tells each node its own slot and the slot of each
 * peer, for struct xglb_steer_iface (user/xglbd/bank.h).
 */
int xglb_owners_build(const struct xglb_owner_node *nodes, int n, __u32 n_buckets, __u8 *owner);

/* The slot of node id in nodes[], or XGLB_STEER_NO_OWNER if it is not there. */
__u8 xglb_owners_slot(const struct xglb_owner_node *nodes, int n, __u32 id);

/* counts[s] = buckets owned by slot s, for s < n; returns the buckets without owner. */
__u32 xglb_owners_count(const __u8 *owner, __u32 n_buckets, __u32 *counts, int n);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* policy.h - choosing a forwarder for a new host from the group's slot table. */
#ifndef XGLB_BPF_POLICY_H
#define XGLB_BPF_POLICY_H

#include "common.h"

/*
 * The agent turns every policy into one slot table (user/lib/tables.c): each
 * forwarder that takes new hosts appears in proportion to its weight,
 * interleaved. The data path only picks a slot: the next one for
 * round-robin and weighted (one atomic add on a counter shared by all
 * CPUs, so the split is exact), or a hash of the host MAC for
 * host-dependent (stable across host-table loss and agent restarts).
 * Returns the forwarder index, or -1 when no forwarder takes new hosts.
 */
static __always_inline int pick_forwarder(const struct xglb_group *g, const __u8 *host)
{
	__u32 n = g->n_slots, pos, gid = g->id, idx;

	if (n == 0 || n > XGLB_SLOTS)
		return -1;
	if (g->policy == XGLB_POLICY_HOST_DEPENDENT) {
		/* xglb_mac_hash(host), from two loads instead of six */
		__u64 v = ((__u64)bpf_ntohl(ld32(host)) << 16) | bpf_ntohs(ld16(host + 4));

		v ^= v >> 29;
		v *= 0x9E3779B97F4A7C15ull;
		pos = (__u32)(v >> 32);
	} else {
		__u32 *rr = bpf_map_lookup_elem(&xglb_rr, &gid);

		if (!rr)
			return -1;
		pos = __sync_fetch_and_add(rr, 1);
	}
	pos %= n;
	barrier_var(pos); /* keep the mask below: the verifier cannot prove pos < n <= XGLB_SLOTS */
	idx = g->slots[pos & (XGLB_SLOTS - 1)] & (XGLB_MAX_FWD - 1);
	if (idx >= g->n_fwd || (g->fwd[idx].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK)) !=
				   (XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK))
		return -1;
	return idx;
}

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tables.h - pure table building: group state -> the data path's struct xglb_group. No I/O. */
#ifndef XGLB_TABLES_H
#define XGLB_TABLES_H

#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

/* What the agent knows of one forwarder at a moment. */
struct xglb_fwd_state {
	__u32 owner; /* node id of the current owner, 0 = none */
	__u8 weight; /* share of new hosts */
	bool active; /* the vMAC is in use */
	bool new_ok; /* may take new hosts (false after the redirect timer) */
};

/* What the agent knows of one group at a moment. */
struct xglb_group_state {
	__u8 gid;
	__be32 vip;
	__u8 policy; /* enum xglb_policy */
	__u32 avg;   /* node id of the AVG, 0 = none */
	__u32 version;
	int n_fwd;
	struct xglb_fwd_state fwd[XGLB_MAX_FWD];
	__u32 ifindex[XGLB_GROUP_IFACES];
	__u8 ifmac[XGLB_GROUP_IFACES][6]; /* MAC of ifindex[i] */
	/* virtual IPv6 addresses (link-local, vip6), all-zero = unused */
	__u8 vip6[XGLB_VIP6_PER_GROUP][16];
};

/* vMAC of forwarder idx of group gid: 02:78:67:62:gid:idx. */
void xglb_vmac(__u8 gid, __u8 idx, __u8 mac[6]);

/*
 * Fill slots[] with forwarder indexes: every eligible forwarder (active
 * and new_ok, weight > 0) once for round-robin, or in proportion to its
 * weight, interleaved by smooth weighted round-robin, for the other
 * policies. Weights are reduced by their gcd and scaled to fit
 * XGLB_SLOTS. Returns the number of used slots (0 if none is eligible).
 */
__u32 xglb_build_slots(const struct xglb_group_state *st, __u8 slots[XGLB_SLOTS]);

/* The data-path table of the group as node self_id sees it. */
void xglb_build_group(const struct xglb_group_state *st, __u32 self_id, struct xglb_group *out);

/*
 * The forwarder the data path would hand a new host (bpf/lib/policy.h):
 * slot pos % n_slots, where pos is the host MAC's hash for host-dependent
 * and the caller's counter otherwise. -1 if no forwarder takes new hosts.
 */
int xglb_table_pick(const struct xglb_group *g, const __u8 mac[6], __u32 pos);

/*
 * The multiplier xglb_vip_hash uses with seed k: odd, different for each
 * k. Seed 0 is the golden-ratio constant.
 */
__u32 xglb_vip_mult(unsigned int seed);

/*
 * One bank of xglb_vips for groups[0..n) (docs/datapath.md, "VIP index"): slots[] gets
 * every group's VIP -> id, each within XGLB_VIP_PROBES slots of its home
 * and with no empty slot between (linear probing, Robin Hood order, which
 * keeps the longest probe as short as it can be), and *mult the
 * multiplier they were placed with. Seeds 0..seeds-1 are tried in turn
 * until every VIP fits. A VIP listed twice keeps the later group, as a
 * map update would. Returns 0, -EINVAL (a group id 0, or n out of range)
 * or -ENOSPC (no seed tried fits every VIP).
 */
int xglb_vip_index_build(const struct xglb_group *groups, int n, unsigned int seeds,
			 struct xglb_vip_slot slots[XGLB_VIP_SLOTS], __u32 *mult);

/* The lookup the data path makes (bpf/lib/common.h, vip_gid): the group id of vip, 0 if none. */
__u32 xglb_vip_index_find(const struct xglb_vip_slot slots[XGLB_VIP_SLOTS], __u32 mult, __be32 vip);

/*
 * The IPv6 index, xglb_vips6, for groups[0..n): every nonzero vip6
 * address of every group -> its id, by the rules of xglb_vip_index_build
 * (XGLB_VIP6_PROBES, Robin Hood, seeds tried in turn, a later group keeps
 * an address listed twice). Returns 0, -EINVAL or -ENOSPC.
 */
int xglb_vip6_index_build(const struct xglb_group *groups, int n, unsigned int seeds,
			  struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS], __u32 *mult);

/* The lookup the data path makes (bpf/lib/ndp.h, vip6_gid): the group id of addr, 0 if none. */
__u32 xglb_vip6_index_find(const struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS], __u32 mult,
			   const __u8 addr[16]);

/* Seeds xglb_bank_prepare() tries: failing them all is ~impossible for <= 255 VIPs. */
#define XGLB_VIP_SEEDS 64

#endif

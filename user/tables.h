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
	__u32 avg; /* node id of the AVG, 0 = none */
	__u32 version;
	int n_fwd;
	struct xglb_fwd_state fwd[XGLB_MAX_FWD];
	__u32 ifindex[XGLB_GROUP_IFACES];
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

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* metrics.h - Prometheus text exposition of xglb: pure rendering from status and data-plane
 * counters. */
#ifndef XGLB_METRICS_H
#define XGLB_METRICS_H

#include <stdio.h>
#include <linux/types.h>
#include <json-c/json.h>
#include "xglb.h"

#define XGLB_METRICS_MAPS 32 /* room for every xglb_* map (20 now) */

/* Upper bounds (seconds) of the buckets of xglb_commit_seconds; +Inf is the count. */
#define XGLB_COMMIT_BUCKETS 10
extern const double xglb_commit_le_s[XGLB_COMMIT_BUCKETS];

/*
 * Table commits (build the groups' tables that changed, write the inactive
 * bank, flip): the agent's CPU time of each (the histogram), and the wall
 * time they took, which adds what the agent slept: RCU grace periods
 * before rewriting a bank live until the last flip, locks in the kernel,
 * being scheduled out.
 */
struct xglb_commit_hist {
	__u64 count;
	double sum_s, last_s, max_s;
	__u64 le[XGLB_COMMIT_BUCKETS]; /* commits that took at most xglb_commit_le_s[i] */
	double wall_sum_s, wall_last_s, wall_max_s;
	__u64 grace_waits; /* commits that waited for a grace period */
	double grace_sum_s;
};

/* One commit that took S seconds of CPU time. */
void xglb_commit_hist_add(struct xglb_commit_hist *h, double s);

/* Its wall time, and how much of it was a grace period (0: none). */
void xglb_commit_hist_wall(struct xglb_commit_hist *h, double wall_s, double grace_s);

/* What the data plane counted, read from the maps (per-CPU values summed). */
struct xglb_dp_snapshot {
	__u64 reasons[XGLB_R_MAX]; /* packets by verdict reason */
	int n_fwd;
	struct {
		__u8 gid, index;
		__u64 packets, bytes;	       /* frames this node accepted for the forwarder */
		__u64 tx_packets, tx_bytes;    /* frames it sent back to the forwarder's hosts */
	} fwd[XGLB_MAX_GROUPS * XGLB_MAX_FWD]; /* one entry per configured forwarder, see n_fwd */
	__u32 hosts[XGLB_MAX_GROUPS];	       /* host entries per group id (AVG's host table) */
	__u32 hosts4[XGLB_MAX_GROUPS];	       /* of them, by the family they asked in (ARP) */
	__u32 hosts6[XGLB_MAX_GROUPS]; /* (neighbour solicitation); dual-stack hosts in both */
	int n_maps;
	struct {
		const char *name;
		__u64 entries, capacity;
	} maps[XGLB_METRICS_MAPS];
	__u64 host_walks;	 /* completed counts of xglb_hosts (hostcount.h), 0 = none yet */
	double host_count_age_s; /* since the last count ended (or since the start: none yet) */
	double host_walk_s;	 /* how long the last count's walk took */
	struct xglb_commit_hist commits; /* table commits */
	__u64 flips;			 /* table switches */
	double heartbeat_age_s;
};

/*
 * Render every xglb metric to out. status is the control socket's status
 * document (roles, peers, forwarders, events, membership and tracking
 * counters); dp the data plane's counters. Names follow Prometheus
 * conventions: xglb_ prefix, base units, _total for counters, no per-host
 * or per-flow labels.
 */
void xglb_metrics_render(FILE *out, struct json_object *status, const struct xglb_dp_snapshot *dp,
			 const char *version);

#endif

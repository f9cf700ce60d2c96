/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * seen.h - pure logic of the owner's redistribution (user/xglbd/redist.c): which xglb_seen
 * entries to tell, where to send each host, and the pace of the sending. Time is an argument.
 */
#ifndef XGLB_SEEN_H
#define XGLB_SEEN_H

#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

/* What to do with one xglb_seen entry while forwarders are moved away from. */
enum xglb_seen_pick {
	XGLB_SEEN_TELL,		/* a host of a removed forwarder: tell it, on *slot */
	XGLB_SEEN_SKIP_OTHER,	/* another group, or a forwarder that was not removed */
	XGLB_SEEN_SKIP_STALE,	/* not seen for the age limit: the host may be gone */
	XGLB_SEEN_SKIP_IFACE,	/* seen on an interface that is not the group's (any more) */
	XGLB_SEEN_SKIP_NO_ADDR, /* neither an IPv4 address nor IPv6 seen: nothing to tell */
};

/*
 * Entry (k, v) when the forwarders in mask of group gid were removed:
 * whether to tell it, and if so the index of the group interface it was
 * seen on (in ifindex[0..n_ifaces-1]) in *slot. now and age in jiffies
 * (the clock of v->last_jiffies).
 */
enum xglb_seen_pick xglb_seen_select(const struct xglb_host_key *k, const struct xglb_seen *v,
				     __u8 gid, unsigned int mask, const __u32 *ifindex,
				     int n_ifaces, __u64 now, __u64 age, int *slot);

/* True if an IPv6 source address was seen for the host. */
bool xglb_seen_has_ip6(const struct xglb_seen *v);

/* True if the entry has not been refreshed for age jiffies at now (aging sweep). */
bool xglb_seen_stale(const struct xglb_seen *v, __u64 now, __u64 age);

/*
 * True if the aging sweep has nothing to do at now_ns: a count of xglb_seen
 * (the host counting thread's) that began at count_start_ns, less than
 * age_ns before, found it empty, so every entry there now was added since
 * and none can be stale. walks: counts completed (0: none, sweep).
 */
bool xglb_seen_sweep_idle(__u64 walks, __u64 entries, __u64 count_start_ns, __u64 now_ns,
			  __u64 age_ns);

/*
 * The forwarder a moved host goes to: the group's slot table at the hash
 * of its MAC, whatever the policy, so the AVG walking its host table and
 * the owner walking xglb_seen send a host the same vMAC. -1: none takes
 * new hosts.
 */
int xglb_seen_dest(const struct xglb_group *tbl, const __u8 mac[6]);

/*
 * The pace of the sending: a token bucket of rate hosts per second and at
 * most burst at once (burst also bounds one turn of the event loop).
 * Credit is kept in nanoseconds of sending time.
 */
struct xglb_pace {
	__u64 cost_ns;	 /* 1e9 / rate: the time one host's credit takes to build */
	__u64 credit_ns; /* <= burst * cost_ns */
	__u64 last_ns;	 /* when credit was last brought up to date */
	__u32 burst;
};

void xglb_pace_init(struct xglb_pace *p, __u32 rate, __u32 burst, __u64 now);
/* Up to want hosts may be told now: how many (taken from the credit). */
__u32 xglb_pace_take(struct xglb_pace *p, __u64 now, __u32 want);
/* Nanoseconds from now until n more hosts (at most burst) may be told (0: at once). */
__u64 xglb_pace_wait(const struct xglb_pace *p, __u64 now, __u32 n);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hostage.h - ageing of the host table. The data path never evicts from
 * xglb_hosts (a flood must not push out the hosts already there), so a
 * thread of the agent makes room, off the event loop, in the idle
 * scheduling class (SCHED_IDLE: it never takes a CPU from the event loop
 * that sends hellos), and only under pressure: a table with room forgets
 * no host.
 *
 *   half full or more   hosts answered only once (no second question, no
 *                       frame through a forwarder of this node: what a
 *                       flood of random MACs leaves) whose last question is
 *                       XGLB_HOSTAGE_PROBATION_S old are removed
 *   7/8 full or more    also established hosts not heard from for
 *                       XGLB_HOSTAGE_IDLE_S
 *
 * Neither removes a host that this node's xglb_seen holds under the same
 * (group, MAC): it sent a frame through a forwarder this node owned within
 * the XGLB_SEEN_AGE_S xglb_seen keeps a host (the AVG's own forwarders;
 * hosts of other nodes' forwarders are in their xglb_seen, not ours).
 *
 * See docs/datapath.md, "Host table".
 */
#ifndef XGLB_HOSTAGE_H
#define XGLB_HOSTAGE_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>
#include "hosttab.h"
#include "xglb.h"

#define XGLB_HOSTAGE_STALE_MAX	 64	     /* half-written ways watched per pass */
#define XGLB_HOSTAGE_PERIOD_S	 10	     /* seconds between the ends of two passes */
#define XGLB_HOSTAGE_PROBATION_S 30	     /* a host answered once is kept this long at least */
#define XGLB_HOSTAGE_IDLE_S	 (24 * 3600) /* an established host, unheard of this long */

/* What one pass saw and did. */
struct xglb_hostage_pass {
	__u64 entries;	   /* entries when it began */
	__u64 aged_once;   /* removed: answered once, past probation */
	__u64 aged_idle;   /* removed: established, idle */
	__u64 established; /* entries marked established */
	__u64 kept_seen;   /* would have gone, kept: in xglb_seen (sent traffic through us) */
};

/* Why entry h goes, at jiffies now (hz per second) in a table of entries/cap: 0 = it stays. */
enum xglb_hostage_why { XGLB_HOSTAGE_KEEP = 0, XGLB_HOSTAGE_ONCE, XGLB_HOSTAGE_IDLE };
enum xglb_hostage_why xglb_hostage_verdict(const struct xglb_host *h, __u64 now, __u32 hz,
					   __u64 entries, __u64 cap);

/*
 * One pass over the host table t (capacity cap) at jiffies now:
 * removes what xglb_hostage_verdict says and, if anything went, bumps
 * *gen (xglb_ctl.hosts_gen, may be NULL) so no front cache keeps it.
 * 0 or -errno; *out filled either way.
 */
int xglb_hostage_run(const struct xglb_hosttab *t, __u64 cap, __u64 now, __u32 hz, __u32 *gen,
		     struct xglb_hostage_pass *out);

/*
 * The same, consulting seen_fd (this node's xglb_seen, -1: none): a host
 * it holds under the same (group, MAC) key is kept.
 */
int xglb_hostage_run_seen(const struct xglb_hosttab *t, int seen_fd, __u64 cap, __u64 now, __u32 hz,
			  __u32 *gen, struct xglb_hostage_pass *out);

struct xglb_hostage {
	int seen_fd;				 /* our own dup of xglb_seen's fd, -1: none */
	const struct xglb_hosttab *tab;		 /* xglb_hosts: the caller's mapping */
	__u64 cap;				 /* its capacity */
	__u64 stale[2 * XGLB_HOSTAGE_STALE_MAX]; /* ways found BUSY by the last pass (hosttab.h) */
	__u32 n_stale;
	struct xglb_ctl *ctl; /* the mmapped control word: jiffies, HZ, hosts_gen */
	int wake_fd; /* eventfd: written to stop the thread; the wait between passes polls it */
	pthread_t thread;
	pthread_mutex_t lock;
	bool running;
	struct xglb_hostage_pass last;	    /* under lock: the last completed pass */
	__u64 passes, aged_once, aged_idle; /* under lock: totals */
};

/*
 * Start ageing the table tab maps. The thread walks the caller's mapping
 * (the loader's, the one the event loop uses): its own would put the whole
 * table in the agent's resident memory a second time, as the kernel maps
 * every page of an mmapable array when it is mapped. tab must stay mapped
 * until xglb_hostage_stop. 0 or -errno.
 */
int xglb_hostage_start(struct xglb_hostage *ha, const struct xglb_hosttab *tab, __u64 cap,
		       struct xglb_ctl *ctl);
/* The same, consulting xglb_seen behind seen_fd (dup'ed; -1: none). */
int xglb_hostage_start_seen(struct xglb_hostage *ha, const struct xglb_hosttab *tab, int seen_fd,
			    __u64 cap, struct xglb_ctl *ctl);
/* Stop the thread and wait for it. */
void xglb_hostage_stop(struct xglb_hostage *ha);

#endif

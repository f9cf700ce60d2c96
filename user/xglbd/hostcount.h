/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hostcount.h - counts of xglb_hosts entries per group, kept by a thread of
 * their own: a walk of a million-entry host table takes a good part of a
 * second, so neither /metrics nor status walks it on the event loop that
 * sends hellos; they read the last completed count.
 */
#ifndef XGLB_HOSTCOUNT_H
#define XGLB_HOSTCOUNT_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>
#include "hosttab.h"
#include "xglb.h"

/*
 * Seconds between the end of one walk and the start of the next: at least
 * XGLB_HOSTCOUNT_PERIOD_S, and at least XGLB_HOSTCOUNT_IDLE_X times as long
 * as the last walk took, so counting takes at most 1/XGLB_HOSTCOUNT_IDLE_X
 * of a CPU however large the table (a million hosts: a walk of 0.35-0.65 s
 * on a 2-CPU VM, one every one to two minutes; their age is in /metrics
 * and status).
 */
#define XGLB_HOSTCOUNT_PERIOD_S 1
#define XGLB_HOSTCOUNT_IDLE_X	200

/* The pause after a walk that took WALK_S seconds (pure). */
double xglb_hostcount_pause_s(double walk_s);

struct xglb_hostcount_snap {
	__u32 hosts[XGLB_MAX_GROUPS];  /* entries per group id */
	__u32 hosts4[XGLB_MAX_GROUPS]; /* of them, hosts that asked by ARP (an IPv4 address) */
	__u32 hosts6[XGLB_MAX_GROUPS]; /* and by neighbour solicitation (XGLB_HOST_NDP) */
	__u64 entries;		       /* all entries */
	__u64 seen_entries; /* entries of xglb_seen (owner's learnt hosts), counted too */
	__u64 walks;	    /* completed walks, 0 = no count yet */
	__u64 start_ns;	    /* CLOCK_MONOTONIC start of the last walk */
	__u64 done_ns;	    /* CLOCK_MONOTONIC end of the last walk */
	double walk_s;	    /* how long the last walk took */
};

struct xglb_hostcount {
	const struct xglb_hosttab *tab; /* xglb_hosts: the caller's mapping */
	int seen_fd;			/* our own dup of xglb_seen's fd, -1: none */
	pthread_t thread;
	pthread_mutex_t lock;
	int wake_fd; /* eventfd: written to stop the thread; the wait between walks polls it */
	bool running, stop;
	__u64 started_ns;		 /* CLOCK_MONOTONIC start of the thread */
	struct xglb_hostcount_snap snap; /* under lock */
};

/*
 * Start counting the table TAB maps and the map behind SEEN_FD (dup'ed; -1:
 * none). The thread reads the caller's mapping (the loader's): its own would
 * put the whole table in the agent's resident memory once more, as the kernel
 * maps every page of an mmapable array when it is mapped. TAB must stay
 * mapped until xglb_hostcount_stop. 0 or -errno.
 */
int xglb_hostcount_start(struct xglb_hostcount *hc, const struct xglb_hosttab *tab, int seen_fd);
/* Stop the thread and wait for it (at most one step of its walk). */
void xglb_hostcount_stop(struct xglb_hostcount *hc);
/* The last completed count (all zero before the first walk ends). */
void xglb_hostcount_get(struct xglb_hostcount *hc, struct xglb_hostcount_snap *out);
/*
 * Of the last completed count, only xglb_seen's: walks (0: none yet, or not
 * running), its entries, and when that walk began (CLOCK_MONOTONIC).
 */
void xglb_hostcount_seen(struct xglb_hostcount *hc, __u64 *walks, __u64 *entries, __u64 *start_ns);

#endif

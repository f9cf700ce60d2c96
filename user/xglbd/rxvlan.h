/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxvlan.h - receive VLAN offload off on the interfaces xglb_xdp runs on,
 * changed by a thread of its own once the daemon runs: some drivers reset
 * the NIC to change an offload (tens of milliseconds), longer than the
 * event loop may be away from its hellos and heartbeat. At start, before
 * the first hello, and whenever the thread could not start, the change is
 * made by the caller. The state (each interface's offload as last read,
 * what this run turned off, the refusals counted) lives here, under a lock
 * the thread never holds across an ioctl, so a status request reads it
 * without an ioctl of its own and never waits for a NIC (or for the rtnl
 * lock an ethtool request takes). Interfaces where xglb_xdp does not run
 * (the data path at tc, steering only) are handed over too, only to be
 * read, so status shows every interface's offload the same way.
 */
#ifndef XGLB_RXVLAN_H
#define XGLB_RXVLAN_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

/* The kernel's side, replaceable for the tests: 1 on / 0 off / -errno, and 0 / -errno. */
struct xglb_rxvlan_ops {
	int (*get)(const char *ifname);
	int (*set)(const char *ifname, bool on);
};

struct xglb_rxvlan_if {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	bool read_only; /* only read: xglb_xdp does not run there, the offload is left as it is */
};

/* An interface's offload as last read: 1 on, 0 off, -errno (the driver did not say). */
struct xglb_rxvlan_seen {
	char name[IF_NAMESIZE];
	int state;
	__u64 read_ns; /* CLOCK_MONOTONIC of the read */
};

#define XGLB_RXVLAN_REFUSED_MAX 64 /* the ifindexes whose refusal was counted (a ring) */

struct xglb_rxvlan {
	const struct xglb_rxvlan_ops *ops;
	pthread_mutex_t lock; /* everything below */
	pthread_t thread;
	int wake_fd;  /* eventfd: a new list to apply, or stop */
	bool running; /* the thread was started */
	bool stop;
	/* asked: the interfaces the offload should be off on, as of the latest request */
	struct xglb_rxvlan_if want[XGLB_MAX_IFACES];
	int n_want;
	__u64 asked, done;	   /* requests made, and applied (done == asked: idle) */
	__u64 reread, reread_done; /* the same for the reads of xglb_rxvlan_refresh */
	/* each wanted interface's offload as last read (by the thread, or the caller before it) */
	struct xglb_rxvlan_seen seen[XGLB_MAX_IFACES];
	int n_seen;
	/* where this run turned it off (a clean stop turns it on again), by name */
	char off[XGLB_MAX_IFACES][IF_NAMESIZE];
	int n_off;
	__u32 refused_if[XGLB_RXVLAN_REFUSED_MAX];
	int n_refused_if, next_refused_if;
	__u64 refused; /* interfaces (ifindexes) whose driver kept it on */
};

/* The netif.c ioctls. */
extern const struct xglb_rxvlan_ops xglb_rxvlan_netif;

/* Empty state using OPS; no thread yet (requests are applied by the caller). */
void xglb_rxvlan_init(struct xglb_rxvlan *r, const struct xglb_rxvlan_ops *ops);
/* Start the thread: 0 or -errno (requests keep being applied by the caller). */
int xglb_rxvlan_start(struct xglb_rxvlan *r);
/* Turn the offload off on IFS (N of them): handed to the thread, never waited for;
 * applied before returning only while no thread runs. */
void xglb_rxvlan_ask(struct xglb_rxvlan *r, const struct xglb_rxvlan_if *ifs, int n);
/*
 * Read the offload of the interfaces of the latest request again, changing
 * nothing (a link event: an operator's ethtool -K, a driver's reset): handed
 * to the thread, never waited for; without a thread, nothing is read (the
 * states stay as last read).
 */
void xglb_rxvlan_refresh(struct xglb_rxvlan *r);
/* Every request (and refresh) made so far has been applied. */
bool xglb_rxvlan_idle(const struct xglb_rxvlan *r);
/*
 * IFNAME's offload as last read: 1 on, 0 off, -errno (the driver did not
 * say), -ENOENT (not read yet, or not an interface of the latest request).
 * No ioctl: what status and /metrics show.
 */
int xglb_rxvlan_state(const struct xglb_rxvlan *r, const char *ifname);
/* When IFNAME's offload was last read (CLOCK_MONOTONIC ns), 0 if not read yet. */
__u64 xglb_rxvlan_read_ns(const struct xglb_rxvlan *r, const char *ifname);
/* This run turned the offload off on IFNAME. */
bool xglb_rxvlan_ours(const struct xglb_rxvlan *r, const char *ifname);
/* Interfaces whose driver kept it on. */
__u64 xglb_rxvlan_refused(const struct xglb_rxvlan *r);
/* Stop the thread (waits for the change it is making), then turn the offload on again
 * where this run turned it off. */
void xglb_rxvlan_restore(struct xglb_rxvlan *r);

#endif

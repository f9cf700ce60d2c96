/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ifkern.h - each data path interface as the kernel has it (its MTU, what
 * is attached at its XDP hook, with tcx the programs at its tc hooks), read
 * by a thread of its own once the daemon runs: at start (by the caller,
 * before the first hello), after each link event of the node's interfaces
 * (an MTU change, a re-created interface: nlmon), and every
 * XGLB_IFKERN_PERIOD_MS (an XDP or tcx program attached or replaced by
 * someone else makes no link event). Each read takes the rtnl lock
 * (bpf_xdp_query is a netlink request, SIOCGIFMTU an ioctl) or makes bpf
 * calls, which another process holding rtnl (a big route change, ethtool)
 * can hold up for long; status and /metrics run on the event loop, so they
 * show the last read (xglb_ifkern_get) and how old it is, and never wait
 * for the kernel.
 */
#ifndef XGLB_IFKERN_H
#define XGLB_IFKERN_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include "tcx.h"
#include "xglb.h"

/* The thread reads every interface again at least this often (ms). */
#define XGLB_IFKERN_PERIOD_MS 2000
/* The XDP attachment could not be read (xdp: "unknown"). */
#define XGLB_IFKERN_XDP_UNKNOWN 0xff

/* One interface as last read. */
struct xglb_ifkern_if {
	__u32 ifindex;
	int mtu;			 /* > 0, or -errno (not shown) */
	__u8 xdp;			 /* XDP_ATTACHED_*, or XGLB_IFKERN_XDP_UNKNOWN */
	bool has_tcx;			 /* the tcx hooks were read */
	char xdp_prog[BPF_OBJ_NAME_LEN]; /* the attached program's name, "" if none */
	int n_tcx[2];			 /* programs at the tcx ingress [0] and egress [1] hooks */
	char tcx[2][XGLB_TCX_MAX][BPF_OBJ_NAME_LEN]; /* by name, in the order they run, "?" */
	__u64 read_ns;				     /* CLOCK_MONOTONIC end of the read */
};

/* The kernel's side, replaceable for the tests: fill OUT (ifindex and tcx are set). */
struct xglb_ifkern_ops {
	void (*read)(struct xglb_ifkern_if *out);
};

struct xglb_ifkern {
	const struct xglb_ifkern_ops *ops;
	unsigned int period_ms;
	pthread_mutex_t lock; /* everything below */
	pthread_t thread;
	int wake_fd; /* eventfd: a new list, a link event, or stop */
	bool running, stop;
	__u32 want[XGLB_MAX_IFACES]; /* the interfaces to read, as of the latest request */
	int n_want;
	bool tcx;	   /* read their tcx hooks too */
	__u64 asked, done; /* requests (and refreshes) made, and read (done == asked: idle) */
	__u64 passes;	   /* reads of the whole list made */
	struct xglb_ifkern_if *snap; /* XGLB_MAX_IFACES: the last read of each wanted interface */
	int n_snap;
};

/* The netlink, ioctl and bpf requests. */
extern const struct xglb_ifkern_ops xglb_ifkern_kernel;

/* Empty state using OPS, read every PERIOD_MS once the thread runs: 0 or -ENOMEM. */
int xglb_ifkern_init(struct xglb_ifkern *k, const struct xglb_ifkern_ops *ops,
		     unsigned int period_ms);
/* Start the thread: 0 or -errno (then nothing is read again: status shows the last read). */
int xglb_ifkern_start(struct xglb_ifkern *k);
/*
 * The interfaces to read (N ifindexes, their tcx hooks too if TCX): handed
 * to the thread, never waited for; read before returning only while no
 * thread runs (the start). An interface no longer asked for is forgotten.
 */
void xglb_ifkern_ask(struct xglb_ifkern *k, const __u32 *ifindex, int n, bool tcx);
/* Read the interfaces of the latest request again (a link event); without a thread, nothing. */
void xglb_ifkern_refresh(struct xglb_ifkern *k);
/* Every request and refresh made so far has been read. */
bool xglb_ifkern_idle(const struct xglb_ifkern *k);
/* IFINDEX as last read into OUT: 0, or -ENOENT (not read yet, or not asked for). No kernel
 * request: what status and /metrics show. */
int xglb_ifkern_get(const struct xglb_ifkern *k, __u32 ifindex, struct xglb_ifkern_if *out);
/* Milliseconds from READ_NS (CLOCK_MONOTONIC) to NOW_NS, 0 if NOW_NS is earlier. */
__u64 xglb_ifkern_age_ms(__u64 read_ns, __u64 now_ns);
/* Stop the thread and free the state. */
void xglb_ifkern_stop(struct xglb_ifkern *k);

#endif

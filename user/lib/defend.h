/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * defend.h - the defence of a group's virtual addresses, the VIP and its
 * virtual IPv6 addresses, against a station claiming one (pure): which
 * hosts the AVG tells again, and when its passes over the host table
 * run, time given as an argument. One schedule serves both families: the
 * VIP's is a mask of one address (XGLB_DEFEND_VIP). The agent's side,
 * sending and pacing, is user/xglbd/conflict.c.
 */
#ifndef XGLB_DEFEND_H
#define XGLB_DEFEND_H

#include <stdbool.h>
#include <linux/types.h>
#include "config.h"
#include "xglb.h"

/* The second pass, this long after the first began: hosts in the middle of resolution then. */
#define XGLB_DEFEND_REPEAT_NS 1500000000ull
/* A new first pass of a group this often at most, while a station keeps claiming. */
#define XGLB_DEFEND_INTERVAL_NS 500000000ull
/* The address of the IPv4 defence's passes: the group's VIP, its only one. */
#define XGLB_DEFEND_VIP 0

/*
 * The passes of one group and family. Masks are of the group's addresses:
 * for IPv6 bit a for cfg addr6[a] (XGLB_VIP6_PER_GROUP of them), for
 * IPv4 bit XGLB_DEFEND_VIP.
 */
struct xglb_defend {
	__u8 pending;	  /* claimed since the last first pass began: a first pass is due */
	__u8 repeat;	  /* the repeat pass tells these, at repeat_at; 0: none due */
	__u8 running;	  /* the pass under way tells these; 0: none runs */
	__u64 next_first; /* ns: no first pass begins before */
	__u64 repeat_at;  /* ns: the repeat pass is due */
	__u64 passes;	  /* first passes begun */
	__u64 repeats;	  /* repeat passes begun */
};

/* The index of addr among cg's virtual IPv6 addresses, -1 if it is none of them. */
int xglb_defend6_addr(const struct xglb_cfg_group *cg, const __u8 addr[16]);

/*
 * A station claimed the group's address a (xglb_defend6_addr, or
 * XGLB_DEFEND_VIP): a first pass is due, if this node is the group's
 * AVG (avg): only the AVG knows the hosts, elsewhere nothing is scheduled.
 */
void xglb_defend_claim(struct xglb_defend *s, int a, bool avg);

/*
 * Begin a pass at now if one is due and none runs: a first pass (claims
 * pending, XGLB_DEFEND_INTERVAL_NS after the last one began) tells the
 * pending addresses and any a repeat was waiting for, and schedules the
 * repeat of them all XGLB_DEFEND_REPEAT_NS later; a repeat pass that is
 * due tells its addresses once more. A node that is no longer the AVG
 * (!avg) begins none and forgets what was due. Returns the mask of the
 * pass begun (s->running), 0 if none.
 */
unsigned int xglb_defend_start(struct xglb_defend *s, __u64 now, bool avg);

/* The pass under way has walked the whole table. */
void xglb_defend_done(struct xglb_defend *s);

/*
 * When a pass is next due, in ns (at least now): 0 if none is, or while
 * a pass runs (its steps are paced by the caller).
 */
__u64 xglb_defend_due(const struct xglb_defend *s, __u64 now);

/*
 * Does an IPv6 pass for the group of table g tell host entry (k, h)? An
 * IPv6 host of that group (one that asked by NDP: XGLB_HOST_NDP) whose
 * forwarder is live, so there is a vMAC to name.
 */
bool xglb_defend6_tells(const struct xglb_host_key *k, const struct xglb_host *h,
			const struct xglb_group *g);

/*
 * Does an IPv4 pass for the group of table g tell host entry (k, h)? A
 * host of that group that asked by ARP (it has an IPv4 address) whose
 * forwarder is live.
 */
bool xglb_defend4_tells(const struct xglb_host_key *k, const struct xglb_host *h,
			const struct xglb_group *g);

#endif

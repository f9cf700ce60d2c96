/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * defend6.h - the defence of a group's virtual IPv6 addresses against a
 * station claiming one (pure): which hosts the AVG tells again, and when
 * its passes over the host table run, time given as an argument. The
 * agent's side, sending and pacing, is user/xglbd/conflict.c.
 */
#ifndef XGLB_DEFEND6_H
#define XGLB_DEFEND6_H

#include <stdbool.h>
#include <linux/types.h>
#include "config.h"
#include "xglb.h"

/* The second pass, this long after the first began: hosts in the middle of NUD then. */
#define XGLB_DEFEND6_REPEAT_NS 1500000000ull
/* A new first pass of a group this often at most, while a station keeps claiming. */
#define XGLB_DEFEND6_INTERVAL_NS 500000000ull

/*
 * The passes of one group. Masks are of the group's virtual IPv6
 * addresses, bit a for cfg addr6[a] (XGLB_VIP6_PER_GROUP of them).
 */
struct xglb_defend6 {
	__u8 pending;	  /* claimed since the last first pass began: a first pass is due */
	__u8 repeat;	  /* the repeat pass tells these, at repeat_at; 0: none due */
	__u8 running;	  /* the pass under way tells these; 0: none runs */
	__u64 next_first; /* ns: no first pass begins before */
	__u64 repeat_at;  /* ns: the repeat pass is due */
};

/* The index of addr among cg's virtual IPv6 addresses, -1 if it is none of them. */
int xglb_defend6_addr(const struct xglb_cfg_group *cg, const __u8 addr[16]);

/* A station claimed the group's address a (xglb_defend6_addr): a first pass is due. */
void xglb_defend6_claim(struct xglb_defend6 *s, int a);

/*
 * Begin a pass at now if one is due and none runs: a first pass (claims
 * pending, XGLB_DEFEND6_INTERVAL_NS after the last one began) tells the
 * pending addresses and any a repeat was waiting for, and schedules the
 * repeat of them all XGLB_DEFEND6_REPEAT_NS later; a repeat pass that is
 * due tells its addresses once more. Returns the mask of the pass begun
 * (s->running), 0 if none.
 */
unsigned int xglb_defend6_start(struct xglb_defend6 *s, __u64 now);

/* The pass under way has walked the whole table. */
void xglb_defend6_done(struct xglb_defend6 *s);

/*
 * When a pass is next due, in ns (at least now): 0 if none is, or while
 * a pass runs (its steps are paced by the caller).
 */
__u64 xglb_defend6_due(const struct xglb_defend6 *s, __u64 now);

/*
 * Does a pass for the group of table g tell host entry (k, h)? An IPv6
 * host of that group (one that asked by NDP: XGLB_HOST_NDP) whose
 * forwarder is live, so there is a vMAC to name.
 */
bool xglb_defend6_tells(const struct xglb_host_key *k, const struct xglb_host *h,
			const struct xglb_group *g);

#endif

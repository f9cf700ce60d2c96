/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nicbind.h - which of a node's interfaces on a group's segment carries
 * each forwarder it owns (pure: time passed in, no I/O).
 *
 * A node with several interfaces on one segment binds each owned
 * forwarder to one of them: its learning frames (so the switch's port for
 * the vMAC) and its vMAC's traffic use that interface, so the hosts'
 * traffic is spread over the node's NICs as well as over the nodes. An
 * interface that loses carrier or is set down gives its forwarders to the
 * others at once; one that comes back takes forwarders again only once it
 * has had carrier for the return delay ("nic-return-ms"), so a
 * flapping link does not drag vMACs back and forth. Nothing here changes
 * membership: which node owns a forwarder is the group's business, which
 * of its interfaces carries it is the node's own (docs/nics.md, "Several
 * interfaces on one segment").
 */
#ifndef XGLB_NICBIND_H
#define XGLB_NICBIND_H

#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

#define XGLB_NIC_NONE 0xff /* no interface: not owned here, or none is live */

/* One group's interfaces, in the group's configuration order (xglb_group.ifindex[]). */
struct xglb_nicbind {
	int n;				 /* interfaces of the group, 1..XGLB_GROUP_IFACES */
	bool carrier[XGLB_GROUP_IFACES]; /* up (IFF_UP) with carrier (IFF_LOWER_UP) now */
	bool live[XGLB_GROUP_IFACES];	 /* carries forwarders */
	__u64 up_ns[XGLB_GROUP_IFACES];	 /* carrier back since (not live yet: the return delay) */
};

/* Start: n interfaces, carrier[] as they are now; every interface with carrier is live. */
void xglb_nicbind_init(struct xglb_nicbind *b, int n, const bool carrier[]);

/*
 * Interface i's carrier is now `carrier` (an rtnetlink link event), at
 * now_ns. Lost: it stops being live at once. Back: it becomes live after
 * the return delay (xglb_nicbind_tick), or at once if no interface of the
 * group is live (better an interface in its delay than none). True if the
 * live set changed: the forwarders are due to move now.
 */
bool xglb_nicbind_link(struct xglb_nicbind *b, int i, bool carrier, __u64 now_ns);

/* Interfaces with carrier for delay_ns become live; true if the live set changed. */
bool xglb_nicbind_tick(struct xglb_nicbind *b, __u64 now_ns, __u64 delay_ns);

/* When the next interface becomes live by xglb_nicbind_tick; 0 if none is waiting. */
__u64 xglb_nicbind_due(const struct xglb_nicbind *b, __u64 delay_ns);

/* Live interfaces. */
int xglb_nicbind_n_live(const struct xglb_nicbind *b);

/*
 * Bind the forwarders in local_mask (bit f: forwarder f is owned here):
 * the k-th of them (in index order) has the interface k mod n as its home
 * and is bound there while the home is live; the others go, in index
 * order, each to the live interface with the fewest forwarders (the first
 * in configuration order on a tie). So an interface that fails moves only
 * its own forwarders, and they return home when it is live again. slot[f]
 * gets the interface's slot, XGLB_NIC_NONE for forwarders not in the mask
 * or when no interface is live. Returns the answering interface (the
 * first live one: it answers broadcast ARP and multicast NS), or
 * XGLB_NIC_NONE.
 */
int xglb_nicbind_assign(const struct xglb_nicbind *b, unsigned int local_mask,
			__u8 slot[XGLB_MAX_FWD]);

/*
 * The binding written into a group's table (xglb_build_group's output):
 * every active local forwarder gets the ifindex it is bound to
 * (xglb_fwd.ifindex, 0 when none is live), every other one 0, and
 * answer_if the first live interface (slot 0 when none). Returns the
 * number of forwarders bound.
 */
int xglb_nicbind_apply(const struct xglb_nicbind *b, struct xglb_group *g);

#endif

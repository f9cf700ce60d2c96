/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * addrmove.h - which of the node's interfaces on the segment should hold
 * its node address (nodes[].address, the source of its hellos), pure:
 * time and link states are passed in (user/xglbd/nodeaddr.c does the
 * netlink work).
 *
 * The rule: the address stays on the interface that holds it while that
 * interface is live (up, with carrier). When it is not, the address goes at
 * once to the first live interface in configuration order. It returns to
 * an interface earlier in that order only once that one has been live
 * for the return delay (nic-return-ms) without a break, so a flapping
 * link does not drag it back and forth. No live interface: nowhere
 * (the node steps down).
 */
#ifndef XGLB_ADDRMOVE_H
#define XGLB_ADDRMOVE_H

#include <stdbool.h>
#include <linux/types.h>

#define XGLB_ADDRMOVE_MAX 8 /* interfaces of the segment considered, in configuration order */

struct xglb_addrmove {
	int n;				   /* interfaces, configuration order */
	bool live[XGLB_ADDRMOVE_MAX];	   /* up and with carrier, as last observed */
	__u64 since_ns[XGLB_ADDRMOVE_MAX]; /* live since (valid while live) */
	int holder;			   /* the interface holding the address, -1 = none */
};

/* n interfaces (1..XGLB_ADDRMOVE_MAX), all not live, holder -1. 0 or -EINVAL. */
int xglb_addrmove_init(struct xglb_addrmove *m, int n);

/*
 * Interface i is live or not at now_ns. A change of state restarts its
 * clock (since_ns = now_ns when it becomes live); the same state again
 * changes nothing. Out of range: ignored.
 */
void xglb_addrmove_observe(struct xglb_addrmove *m, int i, bool live, __u64 now_ns);

/*
 * Where the address should be at now_ns: an interface index (== holder:
 * stay), or -1 if no interface is live. *next_ns (if not NULL) gets the
 * time at which the answer may change without a new observation (an
 * earlier interface reaching its return delay), 0 = none.
 */
int xglb_addrmove_decide(const struct xglb_addrmove *m, __u64 now_ns, __u64 return_ns,
			 __u64 *next_ns);

/*
 * The same, with the interfaces in refused (bit i: interface i) taken as
 * not live: they refused the address just now (adding it failed), so the
 * next one in order is tried rather than the node stepping down while
 * another interface is live. The holder is never refused.
 */
int xglb_addrmove_decide_but(const struct xglb_addrmove *m, __u64 now_ns, __u64 return_ns,
			     unsigned int refused, __u64 *next_ns);

/*
 * A route of the main IPv4 table as nodeaddr.c dumps it, reduced to what
 * decides whether it follows the node address.
 */
struct xglb_addrmove_route {
	int iface;     /* the segment's interface it leaves by (configuration order), -1: another */
	__be32 gw;     /* its gateway; 0: none (a device or connected route) */
	__u32 table;   /* RT_TABLE_MAIN (254) is the only one considered */
	__u8 type;     /* rtm_type: only unicast (1) */
	__u8 protocol; /* rtm_protocol: the kernel's own (2) are the kernel's business */
	bool rewritable; /* no multipath, nexthop object or encapsulation, metrics that fit */
};

enum xglb_addrmove_fate {
	XGLB_ROUTE_NOT_OURS, /* not a gateway route of the main table on the segment's interfaces */
	XGLB_ROUTE_IN_PLACE, /* on the interface that holds (or is to hold) the address */
	XGLB_ROUTE_MOVE,     /* through a gateway of the node prefix on another interface of the
				segment: re-created on the holder, then deleted where it is */
	XGLB_ROUTE_LEFT,     /* on another interface of the segment, but not one to rewrite
				(multipath, nexthop object, encapsulation, or a gateway outside
				the node prefix): left alone, and said so */
};

/*
 * What becomes of route r when the node address addr/plen is on (or is
 * moving to) segment interface holder. The gateway routes of the node
 * prefix belong with the address: Linux would send their traffic from a
 * link that no longer has it (or has no carrier), and deleting the
 * address from a link that keeps no other IPv4 address removes every route
 * through it. A move re-creates them on the new holder before the address
 * leaves the old one; one interrupted in between (xglbd killed after the
 * address was added, before the routes followed) leaves them behind, so
 * at start and after a change of holder not made by xglbd, every such
 * route found on another interface of the segment is moved to the holder.
 * holder < 0 (nowhere): nothing moves.
 */
enum xglb_addrmove_fate xglb_addrmove_route(const struct xglb_addrmove_route *r, int holder,
					    __be32 addr, __u8 plen);

/*
 * The gratuitous ARP that moves the node address: a broadcast ARP request
 * from mac, sender and target IP both ip, target MAC zero, padded to a
 * 60-byte frame in buf. Linux takes it even within an entry's locktime
 * and updates (never creates) the peers' entries for ip. Returns 60.
 */
int xglb_garp_frame(__u8 *buf, const __u8 mac[6], __be32 ip);

#endif

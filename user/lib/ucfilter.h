/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ucfilter.h - the unicast filter entries (interface, vMAC) this node wants
 * on its interfaces, the difference between two such sets, and the
 * rtnetlink messages that add, remove and list them (pure: no I/O).
 *
 * A NIC passes a unicast frame up only if its destination is the NIC's own
 * MAC or on its unicast address list. Every vMAC of a group (owned by this
 * node or not) goes on the list of every interface of the group, so a
 * failover changes no list: RTM_NEWNEIGH with NTF_SELF for family
 * AF_BRIDGE, the message "bridge fdb add MAC dev IF self" sends.
 */
#ifndef XGLB_UCFILTER_H
#define XGLB_UCFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/netlink.h>
#include "xglb.h"

/* Every vMAC of every group on every interface of the group. */
#define XGLB_UCF_MAX (XGLB_MAX_GROUPS * XGLB_MAX_FWD * XGLB_GROUP_IFACES)

struct xglb_ucf_entry {
	__u32 ifindex;
	__u8 mac[6];
	__u16 pad;
};

/* A set of entries, sorted by (ifindex, mac), no duplicates (xglb_ucf_sort). */
struct xglb_ucf_set {
	int n;
	struct xglb_ucf_entry e[XGLB_UCF_MAX];
};

/* Room for one request built by xglb_ucf_msg. */
#define XGLB_UCF_MSG_MAX 64

/* MAC is in xglb's vMAC space, 02:78:67:62:<group>:<index>. */
bool xglb_ucf_is_vmac(const __u8 mac[6]);

/*
 * The entries a node wants from its committed tables: for every enabled
 * group, every forwarder of the group (0..n_fwd-1), owned by this node or
 * not, active or not, its vMAC on each of the group's interfaces (ifindex
 * != 0). Sorted. The set depends only on the groups' ids, forwarder counts
 * and interfaces, never on who owns what, so a takeover changes no entry.
 */
void xglb_ucf_wanted(const struct xglb_group *groups, int n_groups, struct xglb_ucf_set *out);

/* Sorts the set by (ifindex, mac) and drops duplicates. */
void xglb_ucf_sort(struct xglb_ucf_set *s);

/* Adds one entry (unsorted: call xglb_ucf_sort before a lookup); -ENOSPC if full. */
int xglb_ucf_add(struct xglb_ucf_set *s, __u32 ifindex, const __u8 mac[6]);

/* Index of (ifindex, mac) in sorted s, or -1. */
int xglb_ucf_find(const struct xglb_ucf_set *s, __u32 ifindex, const __u8 mac[6]);

/* out := the entries of sorted a that are not in sorted b (sorted). */
void xglb_ucf_minus(const struct xglb_ucf_set *a, const struct xglb_ucf_set *b,
		    struct xglb_ucf_set *out);

/* Entries of s on ifindex. */
int xglb_ucf_count(const struct xglb_ucf_set *s, __u32 ifindex);

/*
 * Builds into buf (at least XGLB_UCF_MSG_MAX bytes) the request for one entry:
 *   add: RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
 *   del: RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK
 * with struct ndmsg { AF_BRIDGE, ifindex, NUD_PERMANENT, NTF_SELF } and
 * NDA_LLADDR = mac. Returns the message length, or -EINVAL.
 */
int xglb_ucf_msg(void *buf, size_t size, bool add, __u32 ifindex, const __u8 mac[6], __u32 seq);

/* Builds the dump request of every AF_BRIDGE neighbour (fdb) entry. Returns its length. */
int xglb_ucf_dump_msg(void *buf, size_t size, __u32 seq);

/*
 * One message of that dump: 1 with *ifindex and mac filled if it is a
 * device's own unicast filter entry (RTM_NEWNEIGH, AF_BRIDGE, NTF_SELF, a
 * 6-byte unicast NDA_LLADDR, not a bridge's learned entry: no NDA_MASTER and
 * not NTF_MASTER); 0 for any other well-formed message; -EINVAL if truncated.
 */
int xglb_ucf_parse(const struct nlmsghdr *nlh, __u32 *ifindex, __u8 mac[6]);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nlmon.h - the rtnetlink monitor: one socket on the link, IPv4 and IPv6
 * address, IPv4 netconf and neighbour groups, and a pure decoder from received bytes
 * to events. Of the neighbour group only the devices' own unicast filter
 * entries (AF_BRIDGE, NTF_SELF: what "bridge fdb add/del MAC dev IF self"
 * changes) pass a socket filter in the kernel: a router's ARP and NDP
 * churn never wakes xglbd.
 */
#ifndef XGLB_NLMON_H
#define XGLB_NLMON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <net/if.h>

enum xglb_nlev_type {
	XGLB_NLEV_LINK = 1, /* a link appeared or changed (RTM_NEWLINK) */
	XGLB_NLEV_LINK_DEL, /* a link is gone (RTM_DELLINK) */
	XGLB_NLEV_ADDR,	    /* an IPv4 address was added (RTM_NEWADDR) */
	XGLB_NLEV_ADDR_DEL, /* an IPv4 address was removed (RTM_DELADDR) */
	XGLB_NLEV_NETCONF,  /* IPv4 forwarding of an interface, "all" or "default" changed */
	XGLB_NLEV_FDB,	    /* an entry joined a device's unicast filter (RTM_NEWNEIGH, NTF_SELF) */
	XGLB_NLEV_FDB_DEL,  /* an entry left it (RTM_DELNEIGH, NTF_SELF) */
	XGLB_NLEV_ADDR6_DEL, /* an IPv6 address was removed (RTM_DELADDR) */
	XGLB_NLEV_ADDR6, /* an IPv6 link-local was added (RTM_NEWADDR); other IPv6 ones ignored */
};

/* netconf's ifindex for "all" and "default" (NETCONFA_IFINDEX_ALL/_DEFAULT) */
#define XGLB_NLEV_IF_ALL     (-1)
#define XGLB_NLEV_IF_DEFAULT (-2)

struct xglb_nlev {
	__u8 type; /* enum xglb_nlev_type */
	int ifindex;
	char name[IF_NAMESIZE]; /* LINK, LINK_DEL: IFLA_IFNAME ("" if absent) */
	__u8 mac[6];		/* LINK: IFLA_ADDRESS; FDB*: NDA_LLADDR */
	bool has_mac;
	bool up;	/* LINK: IFF_UP */
	__be32 addr;	/* ADDR*: IFA_LOCAL (or IFA_ADDRESS without one) */
	__u8 addr6[16]; /* ADDR6*: the same, IPv6 */
	__u8 prefixlen;
	int forwarding; /* NETCONF: 0/1, -1 if the message does not say */
	bool v6;	/* NETCONF: of IPv6 (net.ipv6.conf), else IPv4 */
};

/* What the decoder met besides events: for the monitor's counters. */
struct xglb_nlmon_stats {
	__u64 events;	 /* events decoded */
	__u64 ignored;	 /* well-formed messages of no interest (IPv6, other types) */
	__u64 malformed; /* truncated messages or attributes: skipped */
	__u64 overruns;	 /* the socket lost messages (ENOBUFS): a full resync was due */
	__u64 resyncs;	 /* full re-reads of the interfaces' state */
};

/*
 * Decode the netlink messages in buf[0..len) into at most max events
 * (pure: no I/O). A truncated or malformed message is skipped and counted,
 * never trusted; decoding stops at the first message whose header does not
 * fit. Returns the number of events written.
 */
int xglb_nlmon_decode(const void *buf, size_t len, struct xglb_nlev *ev, int max,
		      struct xglb_nlmon_stats *st);

/*
 * Open a non-blocking rtnetlink socket subscribed to RTNLGRP_LINK,
 * RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_NETCONF and RTNLGRP_NEIGH (filtered in
 * the kernel to AF_BRIDGE entries with NTF_SELF), with a large receive
 * buffer. The fd or -errno.
 */
int xglb_nlmon_open(void);

/*
 * Read one datagram queued on fd into buf. Returns its length; 0 if it did
 * not come from the kernel (ignore it, read on); -EAGAIN when nothing is
 * queued; -ENOBUFS if the kernel dropped messages (the state must be read
 * again in full); another -errno.
 */
int xglb_nlmon_read(int fd, void *buf, size_t len);

#endif

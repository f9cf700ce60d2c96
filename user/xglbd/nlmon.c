// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nlmon.c - the rtnetlink monitor socket and its pure decoder (links, IPv4 addresses, forwarding,
 * unicast filter entries). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "nlmon.h"

/* IFF_UP without <linux/if.h>, which clashes with <net/if.h>. */
#define NLMON_IFF_UP 0x1

struct attr_tab {
	const struct nlattr *a[64];
};

/*
 * Index the attributes after a header of hdrlen bytes (the last of a type
 * wins). False if the header or any attribute is cut short: the walk must
 * end exactly at the end of the message.
 */
static bool parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, struct attr_tab *t, int max)
{
	const struct nlattr *attr;
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	int left;

	memset(t, 0, sizeof(*t));
	if (nlh->nlmsg_len < mnl_nlmsg_size(hdrlen))
		return false;
	attr =
	    (const struct nlattr *)((const char *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(hdrlen));
	left = (int)(end - (const char *)attr);
	while (left > 0) {
		int type;

		if (!mnl_attr_ok(attr, left))
			return false;
		type = mnl_attr_get_type(attr);
		if (type <= max && type < 64)
			t->a[type] = attr;
		left -= MNL_ALIGN(attr->nla_len);
		attr = (const struct nlattr *)((const char *)attr + MNL_ALIGN(attr->nla_len));
	}
	return left == 0 || left > -4; /* the last attribute's padding may be missing */
}

static bool attr_len_ok(const struct nlattr *a, size_t len)
{
	return !a || mnl_attr_get_payload_len(a) >= len;
}

/*
 * The fixed header of a message (hdrlen bytes, the address family its
 * first byte, as in ifaddrmsg, netconfmsg and ndmsg): -1 if it is cut
 * short, 1 (ignored) if it is of another family, else 0.
 */
static int hdr_family(const struct nlmsghdr *nlh, size_t hdrlen, __u8 family)
{
	if (nlh->nlmsg_len < mnl_nlmsg_size(hdrlen))
		return -1;
	return *(const __u8 *)mnl_nlmsg_get_payload(nlh) == family ? 0 : 1;
}

/* hdr_family, then the attributes after the header: -1 also if they are malformed. */
static int open_msg(const struct nlmsghdr *nlh, size_t hdrlen, __u8 family, struct attr_tab *t,
		    int max)
{
	int r = hdr_family(nlh, hdrlen, family);

	if (r)
		return r;
	return parse_attrs(nlh, hdrlen, t, max) ? 0 : -1;
}

static int decode_link(const struct nlmsghdr *nlh, struct xglb_nlev *ev)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct attr_tab t;

	if (!parse_attrs(nlh, sizeof(*ifi), &t, IFLA_MAX))
		return -1;
	if (ifi->ifi_index <= 0)
		return -1;
	ev->type = nlh->nlmsg_type == RTM_NEWLINK ? XGLB_NLEV_LINK : XGLB_NLEV_LINK_DEL;
	ev->ifindex = ifi->ifi_index;
	ev->up = ifi->ifi_flags & NLMON_IFF_UP;
	if (t.a[IFLA_IFNAME]) {
		const char *s = mnl_attr_get_payload(t.a[IFLA_IFNAME]);
		size_t n = strnlen(s, mnl_attr_get_payload_len(t.a[IFLA_IFNAME]));

		if (n == 0 || n >= IF_NAMESIZE)
			return -1;
		memcpy(ev->name, s, n);
		ev->name[n] = '\0';
	}
	if (t.a[IFLA_ADDRESS] && mnl_attr_get_payload_len(t.a[IFLA_ADDRESS]) == 6) {
		memcpy(ev->mac, mnl_attr_get_payload(t.a[IFLA_ADDRESS]), 6);
		ev->has_mac = true;
	}
	return 0;
}

static int decode_addr(const struct nlmsghdr *nlh, struct xglb_nlev *ev)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	/*
	 * IPv6: removals (a virtual IPv6 address taken away, an interface's
	 * link-local gone) and link-locals added (the egress guard's source for
	 * the kernel's NS from a virtual address, dataplane.c write_ifaces)
	 */
	bool v6 = !hdr_family(nlh, sizeof(*ifa), AF_INET6);
	const struct nlattr *a;
	struct attr_tab t;
	int r = open_msg(nlh, sizeof(*ifa), v6 ? AF_INET6 : AF_INET, &t, IFA_MAX);

	if (r)
		return r;
	a = t.a[IFA_LOCAL] ? t.a[IFA_LOCAL] : t.a[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != (v6 ? 16 : 4) ||
	    ifa->ifa_prefixlen > (v6 ? 128 : 32) || ifa->ifa_index == 0)
		return -1;
	if (v6) {
		const __u8 *a6 = mnl_attr_get_payload(a);

		if (nlh->nlmsg_type == RTM_NEWADDR && (a6[0] != 0xfe || (a6[1] & 0xc0) != 0x80))
			return 1; /* a global one added: of no interest */
		ev->type = nlh->nlmsg_type == RTM_NEWADDR ? XGLB_NLEV_ADDR6 : XGLB_NLEV_ADDR6_DEL;
		ev->ifindex = (int)ifa->ifa_index;
		ev->prefixlen = ifa->ifa_prefixlen;
		memcpy(ev->addr6, a6, 16);
		return 0;
	}
	ev->type = nlh->nlmsg_type == RTM_NEWADDR ? XGLB_NLEV_ADDR : XGLB_NLEV_ADDR_DEL;
	ev->ifindex = (int)ifa->ifa_index;
	ev->prefixlen = ifa->ifa_prefixlen;
	memcpy(&ev->addr, mnl_attr_get_payload(a), 4);
	return 0;
}

static int decode_netconf(const struct nlmsghdr *nlh, struct xglb_nlev *ev)
{
	const struct netconfmsg *ncm = mnl_nlmsg_get_payload(nlh);
	struct attr_tab t;
	/* netconfmsg is one byte, its attributes start at the next 4-byte boundary */
	size_t hdr = MNL_ALIGN(sizeof(*ncm));
	int r = open_msg(nlh, hdr, AF_INET, &t, NETCONFA_MAX);

	if (r > 0) { /* IPv6 forwarding, for the groups that serve IPv6 hosts */
		r = open_msg(nlh, hdr, AF_INET6, &t, NETCONFA_MAX);
		ev->v6 = true;
	}
	if (r)
		return r;
	if (!t.a[NETCONFA_IFINDEX] || !attr_len_ok(t.a[NETCONFA_IFINDEX], 4) ||
	    !attr_len_ok(t.a[NETCONFA_FORWARDING], 4))
		return -1;
	ev->type = XGLB_NLEV_NETCONF;
	ev->ifindex = (int)mnl_attr_get_u32(t.a[NETCONFA_IFINDEX]);
	if (ev->ifindex <= 0 && ev->ifindex != XGLB_NLEV_IF_ALL &&
	    ev->ifindex != XGLB_NLEV_IF_DEFAULT)
		return -1;
	ev->forwarding =
	    t.a[NETCONFA_FORWARDING] ? (mnl_attr_get_u32(t.a[NETCONFA_FORWARDING]) ? 1 : 0) : -1;
	return 0;
}

/* A device's own unicast filter entry (AF_BRIDGE, NTF_SELF, not a bridge's): 0, 1 ignore, -1. */
static int decode_fdb(const struct nlmsghdr *nlh, struct xglb_nlev *ev)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct attr_tab t;
	int r = hdr_family(nlh, sizeof(*ndm), AF_BRIDGE);

	if (r)
		return r;
	if (!(ndm->ndm_flags & NTF_SELF) || (ndm->ndm_flags & NTF_MASTER))
		return 1;
	if (!parse_attrs(nlh, sizeof(*ndm), &t, NDA_MAX))
		return -1;
	if (t.a[NDA_MASTER])
		return 1; /* a bridge's forwarding entry */
	a = t.a[NDA_LLADDR];
	if (!a || mnl_attr_get_payload_len(a) != 6 || ndm->ndm_ifindex <= 0)
		return -1;
	ev->type = nlh->nlmsg_type == RTM_NEWNEIGH ? XGLB_NLEV_FDB : XGLB_NLEV_FDB_DEL;
	ev->ifindex = ndm->ndm_ifindex;
	memcpy(ev->mac, mnl_attr_get_payload(a), 6);
	ev->has_mac = true;
	return 0;
}

/* The decoder of each message type the monitor reads; any other type is ignored. */
static const struct {
	__u16 type;
	int (*decode)(const struct nlmsghdr *nlh, struct xglb_nlev *ev);
} decoders[] = {
    {RTM_NEWLINK, decode_link}, {RTM_DELLINK, decode_link},	  {RTM_NEWADDR, decode_addr},
    {RTM_DELADDR, decode_addr}, {RTM_NEWNETCONF, decode_netconf}, {RTM_NEWNEIGH, decode_fdb},
    {RTM_DELNEIGH, decode_fdb},
};

/* 0 an event in ev, 1 ignored, -1 malformed. */
static int decode_one(const struct nlmsghdr *nlh, struct xglb_nlev *ev)
{
	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (decoders[i].type == nlh->nlmsg_type)
			return decoders[i].decode(nlh, ev);
	return 1;
}

int xglb_nlmon_decode(const void *buf, size_t len, struct xglb_nlev *ev, int max,
		      struct xglb_nlmon_stats *st)
{
	const struct nlmsghdr *nlh = buf;
	int n = 0, left = len > (size_t)0x7fffffff ? 0x7fffffff : (int)len;

	while (n < max && mnl_nlmsg_ok(nlh, left)) {
		struct xglb_nlev *e = &ev[n];
		int r;

		memset(e, 0, sizeof(*e));
		e->forwarding = -1;
		r = decode_one(nlh, e);
		if (r == 0) {
			n++;
			st->events++;
		} else if (r > 0) {
			st->ignored++;
		} else {
			st->malformed++;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	if (n < max && left > 0)
		st->malformed++; /* a trailing header that does not fit */
	return n;
}

/* nlmsg_type is in host order: its low byte first on a little-endian machine. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TYPE_LO offsetof(struct nlmsghdr, nlmsg_type)
#else
#define TYPE_LO (offsetof(struct nlmsghdr, nlmsg_type) + 1)
#endif
#define TYPE_HI	   (TYPE_LO ^ 1)
#define NDM_FAMILY (NLMSG_HDRLEN + offsetof(struct ndmsg, ndm_family))
#define NDM_FLAGS  (NLMSG_HDRLEN + offsetof(struct ndmsg, ndm_flags))

/*
 * Every message passes but neighbour messages, which pass only if they are
 * a device's own unicast filter entries (AF_BRIDGE with NTF_SELF): a
 * router's ARP and NDP churn stays in the kernel.
 */
static const struct sock_filter only_fdb[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, TYPE_HI),
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 7), /* type >= 256: accept */
    /* 2 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, TYPE_LO),
    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_NEWNEIGH, 1, 0),
    /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_DELNEIGH, 0, 4), /* else accept */
    /* 5 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NDM_FAMILY),
    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_BRIDGE, 0, 3), /* else drop */
    /* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NDM_FLAGS),
    /* 8 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NTF_SELF, 0, 1), /* else drop */
    /* 9 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),		  /* accept */
    /* 10 */ BPF_STMT(BPF_RET | BPF_K, 0),			  /* drop */
};

int xglb_nlmon_open(void)
{
	const unsigned int groups[] = {RTNLGRP_LINK,	     RTNLGRP_IPV4_IFADDR,
				       RTNLGRP_IPV6_IFADDR,  RTNLGRP_IPV4_NETCONF,
				       RTNLGRP_IPV6_NETCONF, RTNLGRP_NEIGH};
	const struct sock_fprog prog = {.len = sizeof(only_fdb) / sizeof(only_fdb[0]),
					.filter = (struct sock_filter *)only_fdb};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd, rcvbuf = 4 << 20, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* a burst (a bridge with many ports re-created) must not overrun it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* before any group is joined: no unfiltered message is ever queued */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i])))
			goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int xglb_nlmon_read(int fd, void *buf, size_t len)
{
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

	if (n < 0)
		return -errno;
	if (fl != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
		return 0; /* only the kernel speaks on these groups */
	return (int)n;
}

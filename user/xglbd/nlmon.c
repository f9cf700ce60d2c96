// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nlmon.c - the rtnetlink monitor socket and its pure decoder (links, IPv4 addresses, forwarding).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
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
	const struct nlattr *a;
	struct attr_tab t;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return -1;
	if (ifa->ifa_family != AF_INET)
		return 1;
	if (!parse_attrs(nlh, sizeof(*ifa), &t, IFA_MAX))
		return -1;
	a = t.a[IFA_LOCAL] ? t.a[IFA_LOCAL] : t.a[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != 4 || ifa->ifa_prefixlen > 32 ||
	    ifa->ifa_index == 0)
		return -1;
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

	if (nlh->nlmsg_len < mnl_nlmsg_size(hdr))
		return -1;
	if (ncm->ncm_family != AF_INET)
		return 1;
	if (!parse_attrs(nlh, hdr, &t, NETCONFA_MAX))
		return -1;
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
		switch (nlh->nlmsg_type) {
		case RTM_NEWLINK:
		case RTM_DELLINK:
			r = decode_link(nlh, e);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			r = decode_addr(nlh, e);
			break;
		case RTM_NEWNETCONF:
			r = decode_netconf(nlh, e);
			break;
		default:
			r = 1;
		}
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

int xglb_nlmon_open(void)
{
	const unsigned int groups[] = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_NETCONF};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd, rcvbuf = 4 << 20, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* a burst (a bridge with many ports re-created) must not overrun it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
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

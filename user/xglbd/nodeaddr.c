// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nodeaddr.c - the node address (nodes[].address, the source of its
 * hellos) follows the node's live interfaces on the segment. At start it
 * is found where it is (an operator or a previous xglbd put it there) and
 * left there; on a link event (netwatch.c calls nodeaddr_sync), if the
 * interface holding it is down or without carrier, it moves at once to
 * the first live interface of the segment, in configuration order, and
 * back to an earlier one once that has been live for nic-return-ms
 * (the choice: user/lib/addrmove.h). A move: the same address and prefix
 * length added on the new interface, the routes through a gateway of
 * that prefix moved along, the address deleted from the old one, a
 * gratuitous ARP from the new interface's MAC (again a second later),
 * the old interface's stale neighbour entries flushed. A move killed
 * half-way (the address on two interfaces, its routes maybe still on the
 * old one) is finished at start: routes to the holder first, then the
 * address deleted from the others. Where the address
 * cannot go (no live interface, the add refused by every live one: each
 * refusing interface is passed over for the next), the node withdraws from
 * its groups (reason node-address-lost) until it can. Only the address
 * xglbd identifies as its node address, with the prefix length found on
 * the interface, is ever touched; an address that is on none of the
 * segment's interfaces at start is not xglbd's to move.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "learn.h"
#include "log.h"
#include "names.h"
#include "netif.h"
#include "daemon.h"

#define NA_GARP_AGAIN_MS 1000 /* the gratuitous ARP is sent once more this much later */
#define NA_RETRY_MS	 1000 /* a failed move is tried again this much later */
#define NA_MAX_ROUTES	 256  /* routes through the old interface moved per move */
#define NA_MAX_NEIGH	 1024 /* neighbour entries flushed per family and move */

/* ---- netlink -------------------------------------------------------------- */

static struct nlmsghdr *request(char *buf, int type, int flags)
{
	static unsigned int seq;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	return nlh;
}

/* A dump's replies to cb; a failure is logged ("listing the <what> ifindex N") and counted. */
static int dump(struct daemon *d, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what,
		__u32 ifindex)
{
	int err = xglb_rtnl_talk(nlh, true, cb, data);

	if (err) {
		pr_warn("node address: listing the %s ifindex %u: %s", what, ifindex,
			strerror(-err));
		d->na.errors++;
	}
	return err;
}

/* The node address with its prefix on ifindex: RTM_NEWADDR (NLM_F_EXCL) or RTM_DELADDR. */
static int addr_msg(int type, __u32 ifindex, __be32 ip, __u8 plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    request(buf, type, NLM_F_ACK | (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0));
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, 4, &ip);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &ip);
	if (type == RTM_NEWADDR && plen < 31) {
		__be32 bcast = ip | htonl(plen ? 0xffffffffu >> plen : 0xffffffffu);

		mnl_attr_put(nlh, IFA_BROADCAST, 4, &bcast);
	}
	return xglb_rtnl_talk(nlh, true, NULL, NULL);
}

/* The 32-bit route attributes re-sent as dumped, when present, in this order. */
static const __u16 route_u32[] = {RTA_DST, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE};

/* A route worth moving, as dumped: its header and the attributes re-sent with it. */
struct na_route {
	struct rtmsg rtm;
	__be32 gw;
	__u32 u32[RTA_TABLE + 1]; /* u32[t]: attribute t of route_u32, if bit t of has */
	__u32 has;
	char metrics[256];
	int metrics_len;
};

struct route_dump {
	__u32 ifindex[XGLB_ADDRMOVE_MAX]; /* the segment's interfaces (0: gone) */
	int n_if, holder;		  /* their count; where the routes go */
	__be32 addr;			  /* the node address, with plen its prefix */
	__u8 plen;
	struct na_route r[NA_MAX_ROUTES];
	__u32 oif[NA_MAX_ROUTES]; /* where each of r[] is now */
	int n, left;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *rd = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct na_route r = {.rtm = *rtm};
	struct xglb_addrmove_route ar = {.iface = -1, .rewritable = true};
	__u32 oif = 0;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
	{
		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			oif = mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			r.gw = mnl_attr_get_u32(a);
			break;
		case RTA_DST:
		case RTA_PREFSRC:
		case RTA_PRIORITY:
		case RTA_TABLE:
			r.u32[mnl_attr_get_type(a)] = mnl_attr_get_u32(a);
			r.has |= 1u << mnl_attr_get_type(a);
			break;
		case RTA_METRICS:
			if (mnl_attr_get_payload_len(a) <= sizeof(r.metrics)) {
				r.metrics_len = (int)mnl_attr_get_payload_len(a);
				memcpy(r.metrics, mnl_attr_get_payload(a), (size_t)r.metrics_len);
			} else {
				ar.rewritable = false;
			}
			break;
		case RTA_CACHEINFO:
			break;
		default: /* multipath, nexthop objects, encapsulation: not ours to rewrite */
			ar.rewritable = false;
		}
	}
	for (int i = 0; i < rd->n_if && oif; i++)
		if (rd->ifindex[i] == oif)
			ar.iface = i;
	ar.gw = r.gw;
	ar.table = (r.has & (1u << RTA_TABLE)) ? r.u32[RTA_TABLE] : rtm->rtm_table;
	ar.type = rtm->rtm_type;
	ar.protocol = rtm->rtm_protocol;
	switch (xglb_addrmove_route(&ar, rd->holder, rd->addr, rd->plen)) {
	case XGLB_ROUTE_MOVE:
		if (rd->n < NA_MAX_ROUTES) {
			rd->oif[rd->n] = oif;
			rd->r[rd->n++] = r;
		} else {
			rd->left++;
		}
		break;
	case XGLB_ROUTE_LEFT:
		rd->left++;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int route_msg(int type, int flags, const struct na_route *r, __u32 oif)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request(buf, type, NLM_F_ACK | flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	*rtm = r->rtm;
	rtm->rtm_flags &= RTNH_F_ONLINK; /* linkdown, dead: the kernel's, refused in a request */
	mnl_attr_put_u32(nlh, RTA_OIF, oif);
	mnl_attr_put_u32(nlh, RTA_GATEWAY, r->gw);
	for (size_t i = 0; i < sizeof(route_u32) / sizeof(route_u32[0]); i++)
		if (r->has & (1u << route_u32[i]))
			mnl_attr_put_u32(nlh, route_u32[i], r->u32[route_u32[i]]);
	if (r->metrics_len)
		mnl_attr_put(nlh, RTA_METRICS, (size_t)r->metrics_len, r->metrics);
	return xglb_rtnl_talk(nlh, true, NULL, NULL);
}

/*
 * The main table's routes through a gateway of the node prefix on the
 * segment's interfaces other than t (xglb_addrmove_route): re-created on t
 * (appended, make before break), then deleted where they were. Called by a
 * move before the address leaves the old holder (whose last IPv4 address
 * it may be: its deletion would take every route through it along), and
 * at start and on a change of holder not made here, for the routes a move
 * interrupted by a kill left behind. One dump per other interface,
 * filtered in the kernel. Returns the routes moved.
 */
static int settle_routes(struct daemon *d, int t)
{
	static struct route_dump rd;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	__u32 to = if_nametoindex(d->na.name[t]);
	int moved = 0, err;

	memset(&rd, 0, sizeof(rd));
	rd.n_if = d->na.n;
	rd.holder = t;
	rd.addr = d->na.addr;
	rd.plen = d->na.plen;
	for (int i = 0; i < d->na.n; i++)
		rd.ifindex[i] = if_nametoindex(d->na.name[i]);
	if (!to)
		return 0;
	for (int i = 0; i < d->na.n; i++) {
		struct nlmsghdr *nlh;
		struct rtmsg *rtm;

		if (i == t || !rd.ifindex[i])
			continue;
		nlh = request(buf, RTM_GETROUTE, NLM_F_DUMP);
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		rtm->rtm_table = RT_TABLE_MAIN;
		mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
		/* filtered in the kernel (strict checking) */
		mnl_attr_put_u32(nlh, RTA_OIF, rd.ifindex[i]);
		dump(d, nlh, route_cb, &rd, "routes through", rd.ifindex[i]);
	}
	for (int i = 0; i < rd.n; i++) {
		char gw[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &rd.r[i].gw, gw, sizeof(gw));
		err = route_msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND, &rd.r[i], to);
		if (err && err != -EEXIST) {
			pr_warn("node address: route via %s: adding it on %s: %s", gw,
				d->na.name[t], strerror(-err));
			d->na.errors++;
			continue;
		}
		err = route_msg(RTM_DELROUTE, 0, &rd.r[i], rd.oif[i]);
		if (err && err != -ESRCH)
			pr_warn("node address: route via %s: deleting it from ifindex %u: %s", gw,
				rd.oif[i], strerror(-err));
		moved++;
	}
	if (rd.left)
		pr_warn("node address: %d route(s) through the segment's interfaces other than %s "
			"left alone (multipath, nexthop objects, encapsulation, a gateway outside "
			"the node prefix, or more than %d)",
			rd.left, d->na.name[t], NA_MAX_ROUTES);
	return moved;
}

struct neigh_dump {
	__u32 ifindex;
	int family, n;
	__u8 dst[NA_MAX_NEIGH][16];
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump *nd = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t alen = nd->family == AF_INET ? 4 : 16;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || ndm->ndm_family != nd->family ||
	    (__u32)ndm->ndm_ifindex != nd->ifindex ||
	    (ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ndm)) if (mnl_attr_get_type(a) == NDA_DST &&
						    mnl_attr_get_payload_len(a) == alen &&
						    nd->n < NA_MAX_NEIGH)
	    memcpy(nd->dst[nd->n++], mnl_attr_get_payload(a), alen);
	return MNL_CB_OK;
}

/* A request about family's neighbours on ifindex (its struct ndmsg filled in). */
static struct nlmsghdr *neigh_request(char *buf, int type, int flags, __u32 ifindex, int family)
{
	struct nlmsghdr *nlh = request(buf, type, flags);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = (__u8)family;
	ndm->ndm_ifindex = (int)ifindex;
	return nlh;
}

/* "ip neigh flush dev" for one family: the non-permanent entries on ifindex. Returns how many. */
static int flush_neigh(struct daemon *d, __u32 ifindex, int family)
{
	static struct neigh_dump nd;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int n = 0;

	memset(&nd, 0, sizeof(nd));
	nd.ifindex = ifindex;
	nd.family = family;
	if (dump(d, neigh_request(buf, RTM_GETNEIGH, NLM_F_DUMP, ifindex, family), neigh_cb, &nd,
		 "neighbours on", ifindex))
		return 0;
	for (int i = 0; i < nd.n; i++) {
		struct nlmsghdr *nlh = neigh_request(buf, RTM_DELNEIGH, NLM_F_ACK, ifindex, family);

		mnl_attr_put(nlh, NDA_DST, family == AF_INET ? 4 : 16, nd.dst[i]);
		n += !xglb_rtnl_talk(nlh, true, NULL, NULL);
	}
	return n;
}

/* ---- the interfaces ----------------------------------------------------------- */

/* Up and with carrier (IFF_UP, IFF_RUNNING); a missing interface is not. */
static bool iface_live(const char *name)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) &&
	     (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return ok;
}

/* The interfaces (by name) that hold ip now, with the prefix length of the first. A mask. */
static unsigned int held_on(const struct nodeaddr *na, __be32 ip, __u8 *plen)
{
	struct ifaddrs *ifa, *p;
	unsigned int mask = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (p = ifa; p; p = p->ifa_next) {
		if (!p->ifa_addr || p->ifa_addr->sa_family != AF_INET ||
		    ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr != ip)
			continue;
		for (int i = 0; i < na->n; i++) {
			if (strcmp(na->name[i], p->ifa_name))
				continue;
			if (!mask && plen && p->ifa_netmask)
				*plen = (__u8)__builtin_popcount(
				    ((struct sockaddr_in *)p->ifa_netmask)->sin_addr.s_addr);
			mask |= 1u << i;
		}
	}
	freeifaddrs(ifa);
	return mask;
}

/*
 * Whether interface name holds an IPv4 address outside ip/plen: it is on
 * another subnet, so (as a router is wired) on another segment, and the
 * node address must not move there (a group whose interfaces reach two
 * segments, e.g. the server side).
 */
static bool other_subnet(const char *name, __be32 ip, __u8 plen)
{
	__be32 mask = plen ? htonl(~0u << (32 - plen)) : 0;
	struct ifaddrs *ifa, *p;
	bool other = false;

	if (getifaddrs(&ifa))
		return false;
	for (p = ifa; p && !other; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET && !strcmp(p->ifa_name, name))
			other = ((((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr ^ ip) &
				 mask) != 0;
	freeifaddrs(ifa);
	return other;
}

/* The group interfaces (every group's, configuration order, once each) that hold ip now. */
static void holders(struct nodeaddr *na, const struct xglb_config *cfg, __be32 ip)
{
	struct ifaddrs *ifa, *p;

	if (getifaddrs(&ifa))
		return;
	for (int g = 0; g < cfg->n_groups; g++)
		for (int i = 0; i < cfg->groups[g].n_ifaces && na->n < XGLB_ADDRMOVE_MAX; i++) {
			const char *name = cfg->groups[g].ifaces[i];
			bool dup = false, holds = false;

			for (int k = 0; k < na->n; k++)
				dup |= !strcmp(na->name[k], name);
			for (p = ifa; p && !dup && !holds; p = p->ifa_next)
				holds =
				    p->ifa_addr && p->ifa_addr->sa_family == AF_INET &&
				    ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr == ip &&
				    !strcmp(p->ifa_name, name);
			if (holds)
				snprintf(na->name[na->n++], IF_NAMESIZE, "%s", name);
		}
	freeifaddrs(ifa);
}

/* The interface ip is on, outside the candidates ("" if none), for the log. */
static void found_elsewhere(__be32 ip, char *out, size_t len)
{
	struct ifaddrs *ifa, *p;

	out[0] = '\0';
	if (getifaddrs(&ifa))
		return;
	for (p = ifa; p; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr == ip) {
			snprintf(out, len, "%s", p->ifa_name);
			break;
		}
	freeifaddrs(ifa);
}

/*
 * Several interfaces on one segment: a request for the node address
 * reaches each of them, and with Linux's default (arp_ignore=0) every one
 * would answer with its own MAC, the last answer winning in the asker's
 * cache. arp_ignore=1 on each: only the interface holding the address
 * answers. The value found is put back on a clean stop (sysctls_restore).
 */
static void arp_ignore_set(struct daemon *d)
{
	static const char key[] = "arp_ignore";

	for (int i = 0; i < d->na.n; i++) {
		char cur[16];
		int ret = xglb_netif_sysctl_get(d->na.name[i], key, cur, sizeof(cur));
		bool saved = false;

		if (ret || atoi(cur) != 0)
			continue; /* unreadable, or already 1 or stricter: the operator's */
		for (int k = 0; k < d->n_sysctls; k++)
			saved |= !strcmp(d->sysctls[k].ifname, d->na.name[i]) &&
				 !strcmp(d->sysctls[k].key, key);
		if (!saved && d->n_sysctls < SYSCTL_SAVED_MAX) {
			struct sysctl_saved *s = &d->sysctls[d->n_sysctls++];

			snprintf(s->ifname, sizeof(s->ifname), "%s", d->na.name[i]);
			s->key = key;
			snprintf(s->value, sizeof(s->value), "%s", cur);
		}
		ret = xglb_netif_sysctl(d->na.name[i], key, "1");
		if (ret)
			pr_warn("%s: setting %s=1: %s", d->na.name[i], key, strerror(-ret));
		else
			pr_info("%s: %s=1 (was %s): only the interface holding the node address "
				"answers ARP for it",
				d->na.name[i], key, cur);
	}
}

/* ---- gratuitous ARP --------------------------------------------------------- */

static void send_garp(struct daemon *d, int i)
{
	__u8 frame[XGLB_LEARN_FRAME_LEN];
	__u32 ifindex = if_nametoindex(d->na.name[i]);
	__u8 mac[6];
	int k = iface_find(&d->ifs, d->na.name[i]), err;

	if (!ifindex || k < 0 || d->pkt_fd < 0) {
		d->na.errors++;
		return;
	}
	memcpy(mac, d->ifs.mac[k], 6);
	xglb_garp_frame(frame, mac, d->na.addr);
	err = xglb_learn_send(d->pkt_fd, ifindex, frame, sizeof(frame));
	if (err) {
		pr_warn("node address: gratuitous ARP on %s: %s", d->na.name[i], strerror(-err));
		d->na.errors++;
		return;
	}
	d->na.garps++;
}

/* ---- the decision applied ------------------------------------------------------ */

static void arm(struct daemon *d, __u64 due_ns, __u64 now)
{
	if (d->na.garp_due_ns && (!due_ns || d->na.garp_due_ns < due_ns))
		due_ns = d->na.garp_due_ns;
	if (d->na.tfd >= 0)
		arm_at(d->na.tfd, due_ns, now);
}

static void lose(struct daemon *d, const char *why)
{
	char ip[INET_ADDRSTRLEN];

	if (d->na.lost && !strcmp(d->na.why, why))
		return;
	inet_ntop(AF_INET, &d->na.addr, ip, sizeof(ip));
	if (!d->na.lost)
		d->na.steps_down++;
	d->na.lost = true;
	snprintf(d->na.why, sizeof(d->na.why), "%s", why);
	pr_err("node address %s: %s: withdrawing from every group (node-address-lost) until an "
	       "interface of the segment can hold it",
	       ip, why);
}

/* Move the address from the holder to interface t. 0, or -errno with nothing half done. */
static int move_to(struct daemon *d, int t, __u64 now)
{
	struct nodeaddr *na = &d->na;
	int h = na->m.holder, err, routes = 0, neigh = 0;
	__u32 to = if_nametoindex(na->name[t]), from = h >= 0 ? if_nametoindex(na->name[h]) : 0;
	bool dead = h >= 0 && !na->m.live[h];
	char ip[INET_ADDRSTRLEN];
	__u64 t0 = now_ns();

	inet_ntop(AF_INET, &na->addr, ip, sizeof(ip));
	heartbeat(d); /* a few netlink round trips follow: the lease must not lapse meanwhile */
	err = to ? addr_msg(RTM_NEWADDR, to, na->addr, na->plen) : -ENODEV;
	if (err && err != -EEXIST) {
		/* tried again every second while it fails: logged at the 1st, 2nd, 4th, ... */
		na->failures++;
		if (!(na->failures & (na->failures - 1)))
			pr_err("node address %s/%u: adding it on %s failed: %s (failure %llu)", ip,
			       na->plen, na->name[t], strerror(-err),
			       (unsigned long long)na->failures);
		return err;
	}
	if (from) {
		routes = settle_routes(d, t);
		err = addr_msg(RTM_DELADDR, from, na->addr, na->plen);
		if (err && err != -EADDRNOTAVAIL) {
			na->errors++;
			pr_err("node address %s/%u: deleting it from %s failed: %s: it is on both "
			       "%s and %s",
			       ip, na->plen, na->name[h], strerror(-err), na->name[h], na->name[t]);
		}
		neigh = flush_neigh(d, from, AF_INET);
		if (dead)
			neigh += flush_neigh(d, from, AF_INET6);
	}
	if (h >= 0 && t < h)
		na->returns++;
	else
		na->moves++;
	na->routes_moved += (__u64)routes;
	na->neigh_flushed += (__u64)neigh;
	na->m.holder = t;
	na->last_move_ns = now;
	send_garp(d, t);
	na->garp_due_ns = now + NA_GARP_AGAIN_MS * 1000000ull;
	pr_warn("node address %s/%u: moved from %s to %s (%s) in %llu us: %d route(s) moved, %d "
		"neighbour entr%s flushed, gratuitous ARP sent",
		ip, na->plen, h >= 0 ? na->name[h] : "nowhere", na->name[t],
		h < 0  ? "it had none"
		: dead ? "no carrier or down"
		       : "back after nic-return-ms",
		(unsigned long long)((now_ns() - t0) / 1000), routes, neigh,
		neigh == 1 ? "y" : "ies");
	return 0;
}

/*
 * The routes of the node prefix left on the segment's other interfaces moved to the holder t
 * (settle_routes), outside a move of xglbd's own: counted, and logged with why they were there.
 */
static void settled(struct daemon *d, int t, const char *why)
{
	struct nodeaddr *na = &d->na;
	char ip[INET_ADDRSTRLEN];
	int routes;

	heartbeat(d); /* a few netlink round trips follow: the lease must not lapse meanwhile */
	routes = settle_routes(d, t);
	if (!routes)
		return;
	na->routes_moved += (__u64)routes;
	inet_ntop(AF_INET, &na->addr, ip, sizeof(ip));
	pr_warn("node address %s/%u: %d route(s) through a gateway of its prefix were on another "
		"interface of the segment (%s): moved to %s, where the address is",
		ip, na->plen, routes, why, na->name[t]);
}

void nodeaddr_sync(struct daemon *d)
{
	struct nodeaddr *na = &d->na;
	__u64 now = now_ns(), next = 0;
	unsigned int held;
	bool elsewhere = false;
	int t;

	if (!na->managed)
		return;
	if (na->n > 1) /* a re-created interface has the kernel's default (0) again */
		arp_ignore_set(d);
	for (int i = 0; i < na->n; i++)
		xglb_addrmove_observe(&na->m, i, iface_live(na->name[i]), now);
	held = held_on(na, na->addr, NULL);
	if (!held) { /* removed by someone else: not xglbd's to put back */
		lose(d, "removed from the segment's interfaces by someone else (ip addr del, an "
			"interface manager)");
		arm(d, 0, now);
		return;
	}
	if (na->m.holder < 0 || !(held >> na->m.holder & 1)) {
		na->m.holder = __builtin_ctz(held); /* put back, or moved, by someone else */
		elsewhere = true;
	}
	t = xglb_addrmove_decide(&na->m, now, (__u64)d->cfg->nic_return_ms * 1000000ull, &next);
	if (t < 0) {
		lose(d, "no interface of the segment is up with carrier");
	} else if (t == na->m.holder && elsewhere) {
		/* not moved by xglbd: its routes may be where it was (a move does this itself) */
		settled(d, t, "the address was moved by someone else");
	} else if (t != na->m.holder) {
		unsigned int refused = 0;
		char why[96];
		int err;

		/* an interface that refuses it: the next live one in order, before stepping down */
		while (t >= 0 && t != na->m.holder && (err = move_to(d, t, now))) {
			snprintf(why, sizeof(why), "adding it on %s failed (%s)", na->name[t],
				 strerror(-err));
			refused |= 1u << t;
			t = xglb_addrmove_decide_but(
			    &na->m, now, (__u64)d->cfg->nic_return_ms * 1000000ull, refused, NULL);
		}
		if (refused) {
			if (na->m.holder < 0 || !na->m.live[na->m.holder])
				lose(d, why);
			/* tried again on the next link event, or in a second */
			next = now + NA_RETRY_MS * 1000000ull;
			t = -1; /* the retry stands */
		}
	}
	if (na->lost && na->m.holder >= 0 && na->m.live[na->m.holder]) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &na->addr, ip, sizeof(ip));
		na->lost = false;
		na->why[0] = '\0';
		pr_info("node address %s is on %s, which is up with carrier: taking part again", ip,
			na->name[na->m.holder]);
	}
	if (t >= 0 && t == na->m.holder) /* moved, or stays: when an earlier one is due */
		xglb_addrmove_decide(&na->m, now, (__u64)d->cfg->nic_return_ms * 1000000ull, &next);
	arm(d, next, now);
}

void nodeaddr_timer(struct daemon *d)
{
	__u64 ticks, now = now_ns();

	if (read(d->na.tfd, &ticks, sizeof(ticks)) <= 0)
		return;
	if (d->na.garp_due_ns && d->na.garp_due_ns <= now) {
		d->na.garp_due_ns = 0;
		if (d->na.m.holder >= 0 && d->na.m.live[d->na.m.holder])
			send_garp(d, d->na.m.holder);
	}
	netwatch_resync(d); /* which calls nodeaddr_sync, and applies a step down or return */
}

bool nodeaddr_lost(const struct daemon *d)
{
	return d->na.managed && d->na.lost;
}

/*
 * The segment's interfaces and where the address is now (adopted, never
 * moved at start); an interrupted move (the address on two of them) is
 * finished. Called at start and after a reload.
 */
int nodeaddr_init(struct daemon *d)
{
	struct nodeaddr *na = &d->na;
	const struct xglb_config *cfg = d->cfg;
	__be32 ip = cfg->membership ? cfg->nodes[cfg->self].address : 0;
	unsigned int held, grp = 0;
	char s[INET_ADDRSTRLEN], where[IF_NAMESIZE];
	int h = -1;

	if (na->tfd < 0) {
		struct epoll_event ev = {.events = EPOLLIN};

		na->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (na->tfd < 0)
			return -errno;
		ev.data.fd = na->tfd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, na->tfd, &ev))
			return -errno;
	}
	na->managed = na->lost = false;
	na->why[0] = '\0';
	na->garp_due_ns = 0;
	na->n = 0;
	na->addr = ip;
	if (!ip)
		return 0;
	inet_ntop(AF_INET, &ip, s, sizeof(s));
	/* the group interfaces that hold it, to find it (among all of them, however many
	 * groups come first); then only the groups of its segment */
	holders(na, cfg, ip);
	held = held_on(na, ip, &na->plen);
	if (!held) {
		found_elsewhere(ip, where, sizeof(where));
		pr_info("node address %s is %s%s, not on a group interface: not xglbd's to move", s,
			where[0] ? "on " : "on no interface", where);
		na->n = 0;
		return 0;
	}
	for (int g = 0; g < cfg->n_groups; g++)
		for (int i = 0; i < cfg->groups[g].n_ifaces; i++)
			for (int k = 0; k < na->n; k++)
				if ((held >> k & 1) &&
				    !strcmp(na->name[k], cfg->groups[g].ifaces[i]))
					grp |= 1u << g;
	{
		char names[XGLB_ADDRMOVE_MAX][IF_NAMESIZE];
		unsigned int h2 = 0;
		int n = 0;

		for (int g = 0; g < cfg->n_groups; g++) {
			if (!(grp >> g & 1))
				continue;
			for (int i = 0; i < cfg->groups[g].n_ifaces && n < XGLB_ADDRMOVE_MAX; i++) {
				bool dup = false, holds = false;

				for (int k = 0; k < n; k++)
					dup |= !strcmp(names[k], cfg->groups[g].ifaces[i]);
				for (int k = 0; k < na->n; k++)
					holds |= (held >> k & 1) &&
						 !strcmp(na->name[k], cfg->groups[g].ifaces[i]);
				/* an interface with an address of another subnet is on another
				 * segment */
				if (dup || (!holds &&
					    other_subnet(cfg->groups[g].ifaces[i], ip, na->plen)))
					continue;
				h2 |= (unsigned int)holds << n;
				snprintf(names[n++], IF_NAMESIZE, "%s", cfg->groups[g].ifaces[i]);
			}
		}
		memcpy(na->name, names, sizeof(names));
		na->n = n;
		held = h2;
	}
	if (na->n > 1)
		arp_ignore_set(d);
	xglb_addrmove_init(&na->m, na->n);
	for (int i = 0; i < na->n; i++)
		xglb_addrmove_observe(&na->m, i, iface_live(na->name[i]), now_ns());
	/* where it is: the first live holder, else the first holder */
	for (int i = 0; i < na->n && h < 0; i++)
		if ((held >> i & 1) && na->m.live[i])
			h = i;
	for (int i = 0; i < na->n && h < 0; i++)
		if (held >> i & 1)
			h = i;
	na->m.holder = h;
	na->managed = true;
	/* first the routes (deleting the address from a link whose last IPv4 address it is takes
	 * every route through that link along), then the address */
	settled(d, h, "a move was interrupted, or the address was moved by someone else");
	for (int i = 0; i < na->n; i++) {
		int err;

		if (i == h || !(held >> i & 1))
			continue;
		/* an interrupted move: finish it */
		err = addr_msg(RTM_DELADDR, if_nametoindex(na->name[i]), ip, na->plen);
		pr_warn("node address %s/%u was on %s too (a move was interrupted): %s", s,
			na->plen, na->name[i], err ? strerror(-err) : "deleted there");
		if (err)
			na->errors++;
	}
	/* peers may hold another link's MAC for it (answered before arp_ignore): the holder's */
	if (na->n > 1 && na->m.live[h])
		send_garp(d, h);
	pr_info("node address %s/%u is on %s: it follows the live interfaces of the segment "
		"(%d), returning after nic-return-ms %u",
		s, na->plen, na->name[h], na->n, d->cfg->nic_return_ms);
	return 0;
}

/* For status (and /metrics). */
struct json_object *nodeaddr_json(const struct daemon *d)
{
	const struct nodeaddr *na = &d->na;
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array();
	char s[INET_ADDRSTRLEN] = "";
	const struct {
		const char *k;
		__u64 v;
	} c[] = {
	    {"moves", na->moves},
	    {"returns", na->returns},
	    {"failures", na->failures},
	    {"steps_down", na->steps_down},
	    {"gratuitous_arps", na->garps},
	    {"routes_moved", na->routes_moved},
	    {"neighbours_flushed", na->neigh_flushed},
	    {"errors", na->errors},
	};

	if (na->addr)
		inet_ntop(AF_INET, &na->addr, s, sizeof(s));
	json_object_object_add(o, "address", json_object_new_string(s));
	json_object_object_add(o, "managed", json_object_new_boolean(na->managed));
	if (na->managed) {
		json_object_object_add(o, "prefix_length", json_object_new_int(na->plen));
		json_object_object_add(
		    o, "interface",
		    json_object_new_string(na->m.holder >= 0 ? na->name[na->m.holder] : ""));
		for (int i = 0; i < na->n; i++) {
			struct json_object *j = json_object_new_object();

			json_object_object_add(j, "name", json_object_new_string(na->name[i]));
			json_object_object_add(j, "live", json_object_new_boolean(na->m.live[i]));
			json_object_array_add(ifs, j);
		}
	}
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "lost", json_object_new_boolean(na->lost));
	json_object_object_add(o, "reason", json_object_new_string(na->why));
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		json_object_object_add(o, c[i].k, json_object_new_int64((int64_t)c[i].v));
	return o;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netwatch.c - following the kernel's interfaces under xglb's feet: the
 * rtnetlink monitor (nlmon.c) decodes, this file acts. An interface
 * re-created (new ifindex) gets programs, tables, sysctls and learning
 * frames again; while it is missing, or while IPv4 forwarding (or, for a
 * group that serves IPv6 hosts, IPv6 forwarding) is off on it, the node
 * withdraws from its group; a VIP removed from lo is put
 * back; steering's local-address set follows address changes; the
 * unicast filters follow a re-created interface, and a vMAC of ours removed
 * from one (bridge fdb del ... self, a driver reset) is put back. At start,
 * xglbd waits for the interfaces and the address its configuration names.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ifaddrs.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include "xglb.skel.h"
#include "log.h"
#include "names.h"
#include "netif.h"
#include "daemon.h"

#define NW_WAIT_LOG_MS 30000 /* while waiting at start, say so again this often */

const char *netwatch_reason(__u8 bit)
{
	switch (bit) {
	case NW_IFACE_GONE:
		return "interface-missing";
	case NW_NO_FORWARDING:
		return "forwarding-off";
	case NW_NO_FORWARDING6:
		return "ipv6-forwarding-off";
	case NW_NO_CARRIER:
		return "no-carrier";
	case NW_NODE_ADDR:
		return "node-address-lost";
	default:
		return "?";
	}
}

static int read_forwarding(const char *ifname)
{
	char v[16];
	int err = xglb_netif_sysctl_get(ifname, "forwarding", v, sizeof(v));

	return err ? err : atoi(v) != 0;
}

/*
 * IPv6 forwarding on an interface: 1 only if net.ipv6.conf.<ifname> and
 * net.ipv6.conf.all both say so (the kernel forwards IPv6 only with
 * all.forwarding, and an interface set to 0 is a host interface); 0; or
 * -errno (no IPv6 on the machine reads as off).
 */
static int read_forwarding6(const char *ifname)
{
	const char *names[] = {"all", ifname};

	for (size_t i = 0; i < 2; i++) {
		char path[96], v[16];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding", names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, v, sizeof(v) - 1);
		close(fd);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		v[n] = 0;
		if (!atoi(v))
			return 0;
	}
	return 1;
}

/* Is ip one of this machine's IPv4 addresses? */
static bool addr_local(__be32 ip)
{
	struct ifaddrs *ifa, *p;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (p = ifa; p && !found; p = p->ifa_next)
		found = p->ifa_addr && p->ifa_addr->sa_family == AF_INET &&
			((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr == ip;
	freeifaddrs(ifa);
	return found;
}

/*
 * What start-up still waits for, as one line ("" when nothing): every
 * interface the configuration names, and the node's membership address.
 */
static void missing_now(const struct xglb_config *cfg, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (int g = 0; g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];

		for (int i = 0; i < cg->n_ifaces + cg->n_steer_ifaces; i++) {
			const char *name =
			    i < cg->n_ifaces ? cg->ifaces[i] : cg->steer_ifaces[i - cg->n_ifaces];
			const char *field = i < cg->n_ifaces ? "interfaces" : "steering.interfaces";

			if (i >= cg->n_ifaces && (!cg->steer || !cfg->membership))
				break;
			if (if_nametoindex(name) || strstr(out, name))
				continue;
			o += snprintf(out + o, o < len ? len - o : 0,
				      "%sinterface %s (%s:%d: groups[%d].%s)", o ? ", " : "", name,
				      cfg->path, cg->line, g, field);
		}
	}
	if (cfg->membership && cfg->nodes[cfg->self].address &&
	    !addr_local(cfg->nodes[cfg->self].address)) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &cfg->nodes[cfg->self].address, ip, sizeof(ip));
		o += snprintf(out + o, o < len ? len - o : 0, "%saddress %s (%s: node %s)",
			      o ? ", " : "", ip, cfg->path, cfg->nodes[cfg->self].name);
	}
}

/* Throw away what the monitor queued (we re-read the state anyway). */
static bool drain(struct daemon *d)
{
	char buf[8192];
	int n;

	while ((n = xglb_nlmon_read(d->nw.fd, buf, sizeof(buf))) >= 0 || n == -ENOBUFS)
		;
	return n == -EAGAIN;
}

int netwatch_start(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};

	if (d->nw.fd < 0) {
		d->nw.fd = xglb_nlmon_open();
		if (d->nw.fd < 0) {
			pr_err("rtnetlink monitor: %s", strerror(-d->nw.fd));
			return d->nw.fd;
		}
	}
	ev.data.fd = d->nw.fd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->nw.fd, &ev) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Start-up: until every interface and the address the configuration
 * names exist, wait on the monitor (no polling loop), saying what for.
 * 0 when all are there, 1 if a stop signal came first, -errno.
 */
int netwatch_wait(struct daemon *d)
{
	char what[1024], before[1024] = "";
	__u64 t0 = now_ns(), said = 0;
	int err;

	if (d->nw.fd < 0) {
		d->nw.fd = xglb_nlmon_open();
		if (d->nw.fd < 0) {
			pr_err("rtnetlink monitor: %s", strerror(-d->nw.fd));
			return d->nw.fd;
		}
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = d->nw.fd, .events = POLLIN},
				      {.fd = d->sigfd, .events = POLLIN}};

		missing_now(d->cfg, what, sizeof(what));
		if (!what[0])
			break;
		if (strcmp(what, before) || now_ns() - said >= NW_WAIT_LOG_MS * 1000000ull) {
			pr_warn("waiting for %s%s", what, !strcmp(what, before) ? " (still)" : "");
			snprintf(before, sizeof(before), "%s", what);
			sd_notifyf(0, "STATUS=waiting for %s", what);
			said = now_ns();
		}
		err = poll(p, 2, NW_WAIT_LOG_MS);
		if (err < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(d->sigfd, &si, sizeof(si)) == sizeof(si) &&
			    si.ssi_signo != SIGHUP) {
				pr_info("signal %u while waiting: stopping", si.ssi_signo);
				return 1;
			}
		}
		if (p[0].revents & POLLIN)
			drain(d);
	}
	if (said)
		pr_info("waited %llu ms: every interface and address is there",
			(unsigned long long)((now_ns() - t0) / 1000000));
	return 0;
}

/* Attach to the interfaces that exist (all but the missing ones). */
static int attach_present(struct daemon *d)
{
	__u32 ifx[XGLB_MAX_IFACES];
	bool dp[XGLB_MAX_IFACES];
	int n = 0, err;

	for (int i = 0; i < d->ifs.n; i++) {
		if (d->nw.gone[i])
			continue;
		ifx[n] = d->ifs.ifindex[i];
		dp[n++] = d->ifs.dp[i];
	}
	err = xglb_loader_attach_some(&d->ld, ifx, dp, n);
	if (err)
		d->nw.errors++;
	return err;
}

/* Is name one of group cg's own interfaces? */
static bool group_uses(const struct xglb_cfg_group *cg, const char *name)
{
	for (int i = 0; i < cg->n_ifaces; i++)
		if (!strcmp(cg->ifaces[i], name))
			return true;
	return false;
}

static void log_groups(struct daemon *d, int i, const char *what)
{
	char groups[256];
	size_t o = 0;

	groups[0] = '\0';
	for (int g = 0; g < d->cfg->n_groups; g++)
		if (group_uses(&d->cfg->groups[g], d->ifs.name[i]))
			o += snprintf(groups + o, o < sizeof(groups) ? sizeof(groups) - o : 0,
				      "%s%u", o ? "," : "", d->cfg->groups[g].id);
	pr_err("%s: %s%s%s", d->ifs.name[i], what, groups[0] ? "; group " : "", groups);
}

/* Each group's withdrawal from what its interfaces are now; told to the cluster. */
static void apply_withdrawal(struct daemon *d)
{
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		__u8 why = 0, cl = 0;

		for (int i = 0; i < cg->n_ifaces; i++) {
			int k = iface_find(&d->ifs, cg->ifaces[i]);

			if (k < 0)
				continue;
			if (d->nw.gone[k])
				why |= NW_IFACE_GONE;
			if (d->nw.no_fwd[k])
				why |= NW_NO_FORWARDING;
			if (d->nw.no_fwd6[k] && cg->n_addr6)
				why |= NW_NO_FORWARDING6;
		}
		if (nic_all_down(d, g))
			why |= NW_NO_CARRIER;
		if (nodeaddr_lost(d))
			why |= NW_NODE_ADDR;
		if (why != d->nw.why[g]) {
			if (why & ~d->nw.why[g] & NW_IFACE_GONE)
				pr_err(
				    "group %u: an interface is missing: withdrawing (priority 0, "
				    "weight 0) until it is back",
				    cg->id);
			if (why & ~d->nw.why[g] & NW_NO_CARRIER)
				pr_err("group %u: none of its interfaces has carrier: withdrawing "
				       "(priority 0, weight 0) until one has",
				       cg->id);
			if (why & ~d->nw.why[g] & NW_NO_FORWARDING)
				pr_err(
				    "group %u: IPv4 forwarding is off: withdrawing as forwarder "
				    "(weight 0); sysctl -w net.ipv4.conf.<interface>.forwarding=1 "
				    "(or net.ipv4.ip_forward=1) to return",
				    cg->id);
			if (why & ~d->nw.why[g] & NW_NO_FORWARDING6)
				pr_err("group %u: IPv6 forwarding is off and the group serves IPv6 "
				       "hosts: withdrawing as forwarder (weight 0), no router "
				       "advertisements from this node; sysctl -w "
				       "net.ipv6.conf.all.forwarding=1 (and "
				       "net.ipv6.conf.<interface>.forwarding=1) to return",
				       cg->id);
			if ((why ^ d->nw.why[g]) & NW_NO_FORWARDING6)
				ra_forwarding6(d, g, why & NW_NO_FORWARDING6);
			if (why & ~d->nw.why[g] & NW_NODE_ADDR)
				pr_err("group %u: the node address has no live interface to be "
				       "on: withdrawing (priority 0, weight 0) until it has",
				       cg->id);
			if (!why)
				pr_info("group %u: interfaces present and forwarding: taking part "
					"again",
					cg->id);
			if (!d->cl && why)
				pr_warn("group %u: static configuration: peers cannot take over, "
					"this node's hosts are blackholed until it is fixed",
					cg->id);
			d->nw.why[g] = why;
		}
		if (why & (NW_IFACE_GONE | NW_NO_CARRIER | NW_NODE_ADDR))
			cl |= XGLB_WITHDRAW_AVG | XGLB_WITHDRAW_FWD;
		if (why & (NW_NO_FORWARDING | NW_NO_FORWARDING6))
			cl |= XGLB_WITHDRAW_FWD;
		if (d->cl)
			xglb_cluster_withdraw(d->cl, g, cl);
	}
}

/*
 * Compare every interface the configuration uses with the kernel's, and
 * act: gone -> withdraw; back or re-created (new ifindex) -> attach the
 * programs, rewrite ifaces and tables, sysctls, hellos' MACs, learning
 * frames; MAC changed -> rewrite what carries it; forwarding -> withdraw
 * or return. Cheap when nothing changed (a lookup and a sysctl read per
 * interface).
 */
void netwatch_resync(struct daemon *d)
{
	bool relink = false, back = false, remac = false;
	int ifaces_fd = bpf_map__fd(d->ld.skel->maps.xglb_ifaces);

	for (int i = 0; i < d->ifs.n; i++) {
		__u32 ifindex;
		__u8 mac[6];
		int err = xglb_netif_get(d->ifs.name[i], &ifindex, mac);

		if (err) {
			if (!d->nw.gone[i]) {
				d->nw.gone[i] = true;
				log_groups(d, i,
					   "interface gone (deleted or renamed): xglb is detached "
					   "from it");
				bpf_map_delete_elem(ifaces_fd, &d->ifs.ifindex[i]);
				relink = true; /* the loader forgets it */
			}
			d->nw.no_fwd[i] = d->nw.no_fwd6[i] = false;
			continue;
		}
		if (d->nw.gone[i] || ifindex != d->ifs.ifindex[i]) {
			pr_warn("%s: interface %s (ifindex %u, was %u): attaching xglb again",
				d->ifs.name[i], d->nw.gone[i] ? "is back" : "re-created", ifindex,
				d->ifs.ifindex[i]);
			if (!d->nw.gone[i])
				bpf_map_delete_elem(ifaces_fd, &d->ifs.ifindex[i]);
			d->nw.gone[i] = false;
			d->ifs.ifindex[i] = ifindex;
			memcpy(d->ifs.mac[i], mac, 6);
			d->nw.reattached++;
			relink = back = true;
		} else if (memcmp(mac, d->ifs.mac[i], 6)) {
			char a[XGLB_MAC_STR], b[XGLB_MAC_STR];

			xglb_fmt_mac(a, d->ifs.mac[i]);
			xglb_fmt_mac(b, mac);
			pr_warn("%s: MAC changed from %s to %s: rewriting tables and hellos",
				d->ifs.name[i], a, b);
			memcpy(d->ifs.mac[i], mac, 6);
			d->nw.mac_changes++;
			remac = true;
		}
		if (d->ifs.dp[i]) {
			int f = read_forwarding(d->ifs.name[i]);

			d->nw.no_fwd[i] = f == 0;
			if (f < 0)
				pr_warn("%s: reading forwarding: %s", d->ifs.name[i], strerror(-f));
			f = read_forwarding6(d->ifs.name[i]);
			d->nw.no_fwd6[i] = f <= 0;
			if (f < 0 && f != -ENOENT)
				pr_warn("%s: reading IPv6 forwarding: %s", d->ifs.name[i],
					strerror(-f));
		}
	}
	if (relink) {
		heartbeat(d); /* the attach takes a moment: the lease must not lapse meanwhile */
		if (attach_present(d))
			pr_err("attaching xglb again failed: the affected groups stay withdrawn");
		if (back) {
			sync_vips(d, false); /* sysctls of a new device are the kernel's defaults */
			ra_schedule(d);	     /* its all-routers membership for solicitations */
		}
		/* the filters' interfaces: a gone one forgotten, a new one with nothing on it
		 * (its groups' vMACs go on at the table switch below) */
		if (rx_filter_ifaces(d))
			d->nw.errors++;
	}
	if (relink || remac) {
		if (write_ifaces(d))
			d->nw.errors++;
		if (d->cl) {
			__u8 macs[XGLB_MAX_GROUPS][6];

			group_macs(d->cfg, &d->ifs, macs);
			for (int g = 0; g < d->cfg->n_groups; g++)
				xglb_cluster_set_mac(d->cl, g, macs[g]);
			steer_segments(d);
		}
	}
	sync_addrs6(d, false); /* a link that went down lost its IPv6 addresses */
	nodeaddr_sync(d);      /* the node address off an interface without carrier */
	apply_withdrawal(d);
	if (relink || remac) {
		commit_tables(d);
		send_learning(d);
	}
	if (d->cl)
		xglb_cluster_tick(d->cl, now_ns());
}

/* A VIP removed from lo by someone else (networkd, ip addr flush) goes back at once. */
static void vip_removed(struct daemon *d, __be32 ip)
{
	for (int g = 0; g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		char s[INET_ADDRSTRLEN];
		int ret;

		if (cg->vip != ip)
			continue;
		inet_ntop(AF_INET, &ip, s, sizeof(s));
		ret = xglb_netif_addr_add(LO_IFINDEX, ip);
		if (ret < 0) {
			d->nw.errors++;
			pr_err("group %u: VIP %s was removed from lo and adding it back failed: %s",
			       cg->id, s, strerror(-ret));
			continue;
		}
		d->nw.vip_restored++;
		if (ret == 1) {
			d->vip_ours[cg->id] = true;
			d->vip_of[cg->id] = ip;
		}
		pr_warn("group %u: VIP %s/32 was removed from lo (by an interface manager or "
			"an operator): added back",
			cg->id, s);
	}
}

/*
 * An IPv6 address left one of our interfaces: a virtual one removed by
 * someone else (an operator, an interface manager) goes back at once. (A
 * link going down flushes them too; that is the resync's to handle.)
 */
static void addrs6_removed(struct daemon *d)
{
	int n = sync_addrs6(d, false);

	if (n > 0) {
		d->nw.vip_restored += (__u64)n;
		pr_warn("%d virtual IPv6 address(es) had left the group interfaces (removed by "
			"an interface manager, an operator or a link flap): added back",
			n);
	}
}

/* An entry left a device's unicast filter: an owned vMAC removed by someone else goes back. */
static void fdb_removed(struct daemon *d, const struct xglb_nlev *e)
{
	for (int i = 0; i < d->ifs.n; i++)
		if (d->ifs.dp[i] && !d->nw.gone[i] && (int)d->ifs.ifindex[i] == e->ifindex &&
		    xglb_ucf_is_vmac(e->mac))
			xglb_rxf_entry_gone(d->rxf, (__u32)e->ifindex, e->mac, d->rxf_last);
}

static bool ours(const struct daemon *d, const struct xglb_nlev *e)
{
	for (int i = 0; i < d->ifs.n; i++)
		if ((int)d->ifs.ifindex[i] == e->ifindex ||
		    (e->name[0] && !strcmp(d->ifs.name[i], e->name)))
			return true;
	return false;
}

/* The monitor socket is readable: decode, then act once for the whole batch. */
void netwatch_event(struct daemon *d)
{
	static char buf[32768];
	struct xglb_nlev ev[64];
	bool resync = false, addrs = false, filters = false, addrs6 = false, links = false,
	     carrier = false, ll6 = false;

	for (int rounds = 0; rounds < 64; rounds++) {
		int len = xglb_nlmon_read(d->nw.fd, buf, sizeof(buf)), n;

		if (len == -EAGAIN)
			break;
		if (len == -ENOBUFS) {
			d->nw.st.overruns++;
			pr_warn("rtnetlink monitor overrun: reading every interface again");
			resync = addrs = filters = carrier = ll6 = true;
			continue;
		}
		if (len < 0) {
			pr_warn("rtnetlink monitor: %s", strerror(-len));
			break;
		}
		n = xglb_nlmon_decode(buf, (size_t)len, ev, 64, &d->nw.st);
		for (int i = 0; i < n; i++) {
			switch (ev[i].type) {
			case XGLB_NLEV_LINK:
			case XGLB_NLEV_LINK_DEL:
				resync |= ours(d, &ev[i]);
				carrier |= ours(d, &ev[i]);
				links = true; /* any link: the fast path's ways out */
				/* a driver may reset its filter when the link goes up */
				filters |=
				    ev[i].type == XGLB_NLEV_LINK && ev[i].up && ours(d, &ev[i]);
				break;
			case XGLB_NLEV_FDB_DEL:
				fdb_removed(d, &ev[i]);
				break;
			case XGLB_NLEV_FDB:
				break; /* ours, when we add them */
			case XGLB_NLEV_ADDR_DEL:
				if (ev[i].ifindex == LO_IFINDEX && ev[i].prefixlen == 32)
					vip_removed(d, ev[i].addr);
				resync |=
				    ev[i].addr == d->na.addr && d->na.managed; /* nodeaddr.c */
				addrs = true;
				break;
			case XGLB_NLEV_ADDR:
				resync |= ev[i].addr == d->na.addr && d->na.lost; /* nodeaddr.c */
				addrs = true;
				break;
			case XGLB_NLEV_ADDR6_DEL:
				addrs6 |= ours(d, &ev[i]);
				ll6 |= ours(d, &ev[i]) && ev[i].addr6[0] == 0xfe &&
				       (ev[i].addr6[1] & 0xc0) == 0x80;
				break;
			case XGLB_NLEV_ADDR6: /* a link-local: the guard's source (write_ifaces) */
				ll6 |= ours(d, &ev[i]);
				break;
			case XGLB_NLEV_NETCONF:
				resync |= ev[i].forwarding >= 0;
				break;
			}
		}
	}
	if (carrier) {
		nic_links(d); /* forwarders move between the node's interfaces (nicfail.c) */
		/* an offload changed (ethtool -K) is a link event too: read again, off the loop */
		xglb_rxvlan_refresh(&d->rxvlan);
		/* and an MTU: the interfaces' kernel state read again, off the loop */
		xglb_ifkern_refresh(&d->ifkern);
	}
	if (resync) {
		d->nw.st.resyncs++;
		netwatch_resync(d);
	} else if (addrs6) {
		addrs6_removed(d);
	}
	/* an interface's own link-local came or went: the egress guard's copy follows */
	if (ll6 && write_ifaces(d))
		d->nw.errors++;
	if (links && (fastpath_wanted(d->cfg) || d->fp.n_egress))
		fastpath_sync(d);
	if (filters && xglb_rxf_resync(d->rxf, 0, d->rxf_last))
		d->nw.errors++;
	if (addrs && d->bank.steer_open) {
		set_local_ips(d);
		d->nw.local_updates++;
	}
	if (d->cl)
		arm_membership(d);
}

/* Group g's withdrawal reasons, for status. */
struct json_object *netwatch_json(const struct daemon *d, int g)
{
	struct json_object *a = json_object_new_array();

	for (__u8 bit = 1; bit && bit <= NW_NODE_ADDR; bit <<= 1)
		if (d->nw.why[g] & bit)
			json_object_array_add(a, json_object_new_string(netwatch_reason(bit)));
	return a;
}

/* The monitor's counters and each interface as xglb sees it, for status and /metrics. */
struct json_object *netwatch_status(const struct daemon *d)
{
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array();
	const struct {
		const char *k;
		__u64 v;
	} c[] = {
	    {"events", d->nw.st.events},
	    {"ignored", d->nw.st.ignored},
	    {"malformed", d->nw.st.malformed},
	    {"overruns", d->nw.st.overruns},
	    {"resyncs", d->nw.st.resyncs},
	    {"reattached", d->nw.reattached},
	    {"mac_changes", d->nw.mac_changes},
	    {"vip_restored", d->nw.vip_restored},
	    {"local_updates", d->nw.local_updates},
	    {"errors", d->nw.errors},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		json_object_object_add(o, c[i].k, json_object_new_int64((int64_t)c[i].v));
	for (int i = 0; i < d->ifs.n; i++) {
		struct json_object *j = json_object_new_object();
		char mac[XGLB_MAC_STR];

		json_object_object_add(j, "name", json_object_new_string(d->ifs.name[i]));
		json_object_object_add(j, "ifindex", json_object_new_int64(d->ifs.ifindex[i]));
		json_object_object_add(j, "mac",
				       json_object_new_string(xglb_fmt_mac(mac, d->ifs.mac[i])));
		json_object_object_add(j, "present", json_object_new_boolean(!d->nw.gone[i]));
		if (d->ifs.dp[i]) {
			json_object_object_add(j, "forwarding",
					       json_object_new_boolean(!d->nw.no_fwd[i]));
			json_object_object_add(j, "forwarding6",
					       json_object_new_boolean(!d->nw.no_fwd6[i]));
		}
		json_object_array_add(ifs, j);
	}
	json_object_object_add(o, "interfaces", ifs);
	return o;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dataplane.c - interfaces, the group and steering tables written to BPF, VIPs on lo. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ifaddrs.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include "xglb.skel.h"
#include "bank.h"
#include "cfgstate.h"
#include "cluster.h"
#include "ctlsock.h"
#include "http.h"
#include "metrics.h"
#include "config.h"
#include "learn.h"
#include "loader.h"
#include "log.h"
#include "netif.h"
#include "owners.h"
#include "tables.h"
#include "ucfilter.h"
#include "track.h"
#include "daemon.h"

int iface_find(const struct ifaces *ifs, const char *name)
{
	for (int i = 0; i < ifs->n; i++)
		if (!strcmp(ifs->name[i], name))
			return i;
	return -1;
}

/* The interfaces group g steers (steering.interfaces, or its own interfaces). */
static int steer_ifaces(const struct xglb_cfg_group *cg, const char (**names)[IF_NAMESIZE])
{
	if (cg->n_steer_ifaces) {
		*names = (const char(*)[IF_NAMESIZE])cg->steer_ifaces;
		return cg->n_steer_ifaces;
	}
	*names = (const char(*)[IF_NAMESIZE])cg->ifaces;
	return cg->n_ifaces;
}

static int add_iface(const struct xglb_config *cfg, struct ifaces *ifs, int g, const char *name,
		     const char *field, bool dp)
{
	int err, k = iface_find(ifs, name);

	if (k >= 0) {
		ifs->dp[k] |= dp;
		return 0;
	}
	k = ifs->n;
	if (k == XGLB_MAX_IFACES) {
		pr_err("%s: more than %d interfaces", cfg->path, XGLB_MAX_IFACES);
		return -E2BIG;
	}
	err = xglb_netif_get(name, &ifs->ifindex[k], ifs->mac[k]);
	if (err) {
		pr_err("%s:%d: groups[%d].%s: %s: %s", cfg->path, cfg->groups[g].line, g, field,
		       name, strerror(-err));
		return err;
	}
	snprintf(ifs->name[k], IF_NAMESIZE, "%s", name);
	ifs->dp[k] = dp;
	ifs->n++;
	return 0;
}

/* Resolve every interface the configuration names; all or nothing. */
int resolve_ifaces(const struct xglb_config *cfg, struct ifaces *ifs)
{
	int err;

	memset(ifs, 0, sizeof(*ifs));
	for (int g = 0; g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];
		const char(*names)[IF_NAMESIZE];
		int n;

		for (int i = 0; i < cg->n_ifaces; i++) {
			err = add_iface(cfg, ifs, g, cg->ifaces[i], "interfaces", true);
			if (err)
				return err;
		}
		if (!cg->steer || !cfg->membership)
			continue;
		n = steer_ifaces(cg, &names);
		for (int i = 0; i < n; i++) {
			err = add_iface(cfg, ifs, g, names[i], "steering.interfaces", false);
			if (err)
				return err;
		}
	}
	return 0;
}

/* One debug line per changed group: "group G: <change>, <change>, ..." */
struct change_line {
	char s[512];
	size_t len;
	__u8 gid;
	bool info; /* printed at info, else at debug */
};

static void change_flush(struct change_line *l)
{
	if (l->len && l->info)
		pr_info("%s", l->s);
	else if (l->len)
		pr_debug("%s", l->s);
	l->len = 0;
}

static void change_add(struct change_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void change_add(struct change_line *l, const char *fmt, ...)
{
	char item[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(item))
		n = sizeof(item) - 1;
	if (l->len && l->len + 2 + (size_t)n >= sizeof(l->s))
		change_flush(l); /* full: the rest on a line of its own */
	if (!l->len) {
		l->len = (size_t)snprintf(l->s, sizeof(l->s), "group %u: ", l->gid);
	} else {
		memcpy(l->s + l->len, ", ", 2);
		l->len += 2;
	}
	memcpy(l->s + l->len, item, (size_t)n);
	l->len += (size_t)n;
	l->s[l->len] = '\0';
}

/*
 * Role and ownership changes the data plane is about to see: the operator's
 * event log (and the console's recent events, which keep info lines). One
 * line a commit at info (groups changed, forwarders moved, AVG roles), so a
 * failover of 255 groups logs one line, not a thousand; and one line per
 * changed group naming each change ("forwarder 3 owned by r2 (this node)"):
 * at info too when the configuration has at most XGLB_CHANGE_INFO_GROUPS
 * groups, else at debug (-v) only, built only then.
 */
#define XGLB_CHANGE_INFO_GROUPS 8

static void log_changes(struct daemon *d, const struct xglb_group *now, int n)
{
	int groups = 0, to_us = 0, to_others = 0, removed = 0, redirected = 0, avg_on = 0,
	    avg_off = 0, first = 0;
	bool few = n <= XGLB_CHANGE_INFO_GROUPS;
	bool say = few || xglb_log_enabled(XGLB_LOG_DEBUG);
	struct change_line l = {.len = 0, .info = few};
	char which[24] = "";

	for (int g = 0; g < n; g++) {
		const struct xglb_group *a = &d->tables[g], *b = &now[g];
		bool fresh = a->id != b->id, changed = false;

		l.gid = b->id;
		if (fresh || (a->flags & XGLB_GRP_AVG) != (b->flags & XGLB_GRP_AVG)) {
			if (say)
				change_add(&l, "this node %s the AVG",
					   b->flags & XGLB_GRP_AVG ? "is now" : "is not");
			changed = true;
			if (b->flags & XGLB_GRP_AVG)
				avg_on++;
			else if (!fresh)
				avg_off++;
		}
		for (int f = 0; f < b->n_fwd; f++) {
			bool was = !fresh && f < a->n_fwd && (a->fwd[f].flags & XGLB_FWD_ACTIVE);
			bool is = b->fwd[f].flags & XGLB_FWD_ACTIVE;

			if (was && is && a->fwd[f].owner == b->fwd[f].owner &&
			    a->fwd[f].flags == b->fwd[f].flags)
				continue;
			if (!was && !is)
				continue;
			if (!is) {
				if (say)
					change_add(&l, "forwarder %d removed", f);
				removed++;
			} else if (!was || a->fwd[f].owner != b->fwd[f].owner) {
				if (say)
					change_add(&l, "forwarder %d owned by %s%s", f,
						   xglb_node_name(d->cfg, b->fwd[f].owner, "none"),
						   b->fwd[f].flags & XGLB_FWD_LOCAL ? " (this node)"
										    : "");
				if (b->fwd[f].flags & XGLB_FWD_LOCAL)
					to_us++;
				else
					to_others++;
			} else if (!(b->fwd[f].flags & XGLB_FWD_NEW_OK)) {
				if (say)
					change_add(&l, "forwarder %d takes no new hosts (redirect)",
						   f);
				redirected++;
			} else {
				continue;
			}
			changed = true;
		}
		change_flush(&l);
		if (changed && groups++ == 0)
			first = g;
	}
	if (!groups)
		return;
	if (groups == 1)
		snprintf(which, sizeof(which), " (group %u)", now[first].id);
	pr_info("commit: %d group%s changed%s: forwarders now owned by this node %d, by others %d, "
		"removed %d, redirected %d; AVG of %d more, %d fewer",
		groups, groups == 1 ? "" : "s", which, to_us, to_others, removed, redirected,
		avg_on, avg_off);
}

/* The VIPs of the last local address set written, and whether that write succeeded. */
static struct {
	bool ok;
	int n;
	__be32 vip[XGLB_STEER_MAX_LOCAL];
} local_vips;

static bool local_vips_current(const struct daemon *d)
{
	int n = d->cfg->n_groups < XGLB_STEER_MAX_LOCAL ? d->cfg->n_groups : XGLB_STEER_MAX_LOCAL;

	if (!local_vips.ok || local_vips.n != n)
		return false;
	for (int g = 0; g < n; g++)
		if (local_vips.vip[g] != d->cfg->groups[g].vip)
			return false;
	return true;
}

/*
 * Flow steering: for every group that steers, the bucket -> owner
 * table built from the owner set the AVG published (so every node builds
 * the same bytes), and for each steered interface our slot and each
 * peer's MAC on that segment, as its hellos said. Written into the
 * inactive bank with the group tables; the same flip switches both.
 */
static int prepare_steer(struct daemon *d)
{
	static struct xglb_steer st;
	static __u8 owner[XGLB_STEER_MAX_DOMAINS][XGLB_STEER_BUCKETS];
	static __u32 built_mask[XGLB_STEER_MAX_DOMAINS], built_buckets[XGLB_STEER_MAX_DOMAINS];
	static bool built[XGLB_STEER_MAX_DOMAINS];
	const struct xglb_config *cfg = d->cfg;
	__u32 self = cfg->nodes[cfg->self].id;
	int err;

	memset(&st, 0, sizeof(st));
	for (int g = 0; d->cl && g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];
		struct xglb_owner_node nodes[XGLB_MAX_NODES];
		const char(*names)[IF_NAMESIZE];
		int dom = st.n_domains, n = 0, nif;
		__u32 mask = d->cl->fsm[g].steer_mask;

		if (!cg->steer || dom == XGLB_STEER_MAX_DOMAINS)
			continue;
		/* Every configured node in id order (same slots everywhere); those
		 * outside the published owner set get weight 0: they own no flow. */
		for (int i = 0; i < cfg->n_nodes; i++) {
			int k = n++;

			while (k > 0 && nodes[k - 1].id > cfg->nodes[i].id) {
				nodes[k] = nodes[k - 1];
				k--;
			}
			nodes[k].id = cfg->nodes[i].id;
			nodes[k].weight = (mask >> i) & 1 ? cfg->nodes[i].weight : 0;
		}
		if (!built[dom] || built_mask[dom] != mask ||
		    built_buckets[dom] != cg->steer_buckets) {
			err = xglb_owners_build(nodes, n, cg->steer_buckets, owner[dom]);
			if (err)
				return err;
			built[dom] = true;
			built_mask[dom] = mask;
			built_buckets[dom] = cg->steer_buckets;
		}
		st.dom[dom] = (struct xglb_steer_domain){
		    .gid = cg->id, .n_buckets = cg->steer_buckets, .owner = owner[dom]};
		st.n_domains++;
		st.version = d->cl->fsm[g].version;
		nif = steer_ifaces(cg, &names);
		for (int seg = 0; seg < nif && st.n_ifaces < XGLB_MAX_IFACES; seg++) {
			struct xglb_steer_iface *si = &st.iface[st.n_ifaces++];
			int k = iface_find(&d->ifs, names[seg]);

			si->ifindex = d->ifs.ifindex[k];
			si->domain = (__u8)dom;
			si->self = xglb_owners_slot(nodes, n, self);
			memcpy(si->mac, d->ifs.mac[k], 6);
			for (int i = 0; i < cfg->n_nodes; i++) {
				const __u8 *m = xglb_cluster_seg_mac(d->cl, g, i, seg);
				__u8 slot = xglb_owners_slot(nodes, n, cfg->nodes[i].id);

				if (m && cfg->nodes[i].id != self && slot != XGLB_STEER_NO_OWNER)
					memcpy(si->peer_mac[slot], m, 6);
			}
		}
	}
	err = xglb_bank_prepare_steer(&d->bank, &st);
	if (!err && !local_vips_current(d))
		set_local_ips(d);
	return err;
}

/*
 * Every local IPv4 address and every VIP: traffic to them is never steered.
 * Addresses come and go with netlink events (netwatch.c calls this on each,
 * and on a resync); a commit calls it only when the VIPs differ from the
 * last set written, so a failover pays no address dump and no map writes.
 */
void set_local_ips(struct daemon *d)
{
	__be32 ips[XGLB_STEER_MAX_LOCAL];
	struct ifaddrs *ifa, *p;
	int n = 0, n_vips;

	for (int g = 0; g < d->cfg->n_groups && n < XGLB_STEER_MAX_LOCAL; g++)
		ips[n++] = d->cfg->groups[g].vip;
	n_vips = n;
	if (getifaddrs(&ifa) == 0) {
		for (p = ifa; p && n < XGLB_STEER_MAX_LOCAL; p = p->ifa_next)
			if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET)
				ips[n++] = ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr;
		freeifaddrs(ifa);
	}
	local_vips.ok = !xglb_bank_set_local_ips(&d->bank, ips, n);
	local_vips.n = n_vips;
	memcpy(local_vips.vip, ips, sizeof(ips[0]) * (size_t)n_vips);
}

/*
 * Group g's table from its state: built again only if the state (every byte
 * of it, the group's identity and interfaces included), this node's id or
 * the fast-path flag differ from the last build at index g. The table is a
 * function of those alone, so a commit after one group changed builds one
 * table, not 255 (each a 256-slot weighted round-robin).
 */
static bool build_group_cached(int g, const struct xglb_group_state *st, __u32 self, bool fast,
			       struct xglb_group *out)
{
	bool build;

	static struct xglb_group_state last_st[XGLB_MAX_GROUPS];
	static struct xglb_group last[XGLB_MAX_GROUPS];
	static __u32 last_self[XGLB_MAX_GROUPS];
	static bool last_fast[XGLB_MAX_GROUPS], valid[XGLB_MAX_GROUPS];

	build = !valid[g] || last_self[g] != self || last_fast[g] != fast ||
		memcmp(&last_st[g], st, sizeof(*st));
	if (build) {
		xglb_build_group(st, self, &last[g]);
		if (fast)
			last[g].flags |= XGLB_GRP_FAST_PATH;
		last_st[g] = *st;
		last_self[g] = self;
		last_fast[g] = fast;
		valid[g] = true;
	}
	*out = last[g];
	return build;
}

/*
 * The unicast filter entries a commit wants (xglb_ucf_wanted) are a function
 * of each group's id, forwarder count and interfaces alone, never of who owns
 * what: true if one of those differs from the last call, so a failover (or
 * any ownership change) leaves the filters alone.
 */
static bool rxf_key_changed(const struct xglb_group *groups, int n)
{
	struct rxf_key {
		__u32 ifindex[XGLB_GROUP_IFACES];
		__u8 id, n_fwd, enabled;
	};
	static struct rxf_key last[XGLB_MAX_GROUPS];
	static int last_n = -1;
	bool changed = n != last_n;

	for (int g = 0; g < n; g++) {
		struct rxf_key k;

		memset(&k, 0, sizeof(k));
		memcpy(k.ifindex, groups[g].ifindex, sizeof(k.ifindex));
		k.id = groups[g].id;
		k.n_fwd = groups[g].n_fwd;
		k.enabled = groups[g].flags & XGLB_GRP_ENABLED;
		if (memcmp(&k, &last[g], sizeof(k))) {
			last[g] = k;
			changed = true;
		}
	}
	last_n = n;
	return changed;
}

static __u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Build every group's table as this node sees it and switch banks. */
int commit_tables(struct daemon *d)
{
	static struct xglb_group groups[XGLB_MAX_GROUPS];
	const struct xglb_config *cfg = d->cfg;
	__u32 self = cfg->nodes[cfg->self].id;
	__u64 t0 = now_ns(), c0 = thread_cpu_ns(), grace0 = d->bank.quiesce_ns, c_build, c_rxf,
	      c_bank, c_log;
	int err, built = 0;
	bool rxf;

	xglb_log_hold(); /* its lines (owners, unicast filter) go out as one write at the end */
	d->version++;
	for (int g = 0; g < cfg->n_groups; g++) {
		__u32 ifidx[XGLB_GROUP_IFACES] = {0};
		__u8 ifmac[XGLB_GROUP_IFACES][6] = {{0}};
		struct xglb_group_state st;

		for (int i = 0; i < cfg->groups[g].n_ifaces; i++) {
			int k = iface_find(&d->ifs, cfg->groups[g].ifaces[i]);

			ifidx[i] = d->ifs.ifindex[k];
			memcpy(ifmac[i], d->ifs.mac[k], 6);
		}
		if (d->cl) {
			xglb_cluster_view(d->cl, g, now_ns(), &st);
			memcpy(st.ifindex, ifidx, sizeof(st.ifindex));
			memcpy(st.vip6, cfg->groups[g].addr6, sizeof(st.vip6));
		} else {
			xglb_cfg_group_state(cfg, g, ifidx, d->version, &st);
		}
		memcpy(st.ifmac, ifmac, sizeof(st.ifmac));
		built += build_group_cached(g, &st, self, cfg->groups[g].fast_path, &groups[g]);
		nic_apply(d, g, &groups[g]); /* each owned forwarder's interface (nicfail.c) */
	}
	/* The interfaces' unicast filters hold every vMAC of their groups, owned
	 * or not, so a commit that only moves forwarders (a failover) touches no
	 * filter. When the groups, their forwarders or interfaces change (start,
	 * reload, an interface re-created): make before break, the new vMACs go
	 * on the filters before the tables that accept their frames are switched
	 * in (and before any learning frame announces them); those of a group or
	 * forwarder gone leave only once the tables without it are live. */
	c_build = thread_cpu_ns();
	rxf = rxf_key_changed(groups, cfg->n_groups) || d->rxf_dirty;
	if (rxf) {
		xglb_ucf_wanted(groups, cfg->n_groups, d->rxf_want);
		xglb_rxf_add(d->rxf, d->rxf_want);
	}
	c_rxf = thread_cpu_ns();
	err = xglb_bank_prepare(&d->bank, groups, cfg->n_groups);
	if (!err && d->bank.steer_open)
		err = prepare_steer(d);
	if (!err)
		xglb_bank_flip(&d->bank);
	c_bank = c_log = thread_cpu_ns();
	if (!err) {
		log_changes(d, groups, cfg->n_groups);
		c_log = thread_cpu_ns();
		nic_moved(d, groups, cfg->n_groups);
		seen_removed(d, groups, cfg->n_groups);
		memcpy(d->tables, groups, sizeof(groups[0]) * cfg->n_groups);
		if (rxf)
			memcpy(d->rxf_last, d->rxf_want,
			       offsetof(struct xglb_ucf_set, e) +
				   sizeof(d->rxf_want->e[0]) * (size_t)d->rxf_want->n);
	}
	/* Not switched: the filters go back to what the live tables need, and the
	 * next commit makes the change again. */
	if (rxf) {
		xglb_rxf_remove(d->rxf, d->rxf_last);
		d->rxf_dirty = err != 0;
	}
	if (err)
		pr_err("writing tables: %s", strerror(-err));
	grace0 = d->bank.quiesce_ns - grace0;
	pr_debug("commit: %d of %d group tables built, CPU: build %llu us, unicast filter %llu us, "
		 "bank %llu us, change log %llu us, all %llu us; grace period %llu us",
		 built, cfg->n_groups, (unsigned long long)(c_build - c0) / 1000,
		 (unsigned long long)(c_rxf - c_build) / 1000,
		 (unsigned long long)(c_bank - c_rxf) / 1000,
		 (unsigned long long)(c_log - c_bank) / 1000,
		 (unsigned long long)(thread_cpu_ns() - c0) / 1000,
		 (unsigned long long)grace0 / 1000);
	xglb_log_release(); /* its write counted in the commit's time: the loop pays it */
	/* agent time: this thread's CPU time; the wall time adds what it slept */
	xglb_commit_hist_add(&d->commits, (thread_cpu_ns() - c0) / 1e9);
	xglb_commit_hist_wall(&d->commits, (now_ns() - t0) / 1e9, grace0 / 1e9);
	return err;
}

/*
 * The unicast filters follow the group interfaces of the configuration
 * (d->ifs) that exist, under their current ifindex, and its rx-filter mode.
 */
int rx_filter_ifaces(struct daemon *d)
{
	__u32 ifindex[XGLB_MAX_IFACES];
	char names[XGLB_MAX_IFACES][IF_NAMESIZE];
	int n = 0, err;

	for (int i = 0; i < d->ifs.n; i++) {
		char now[IF_NAMESIZE];

		/* gone (deleted, renamed): its ifindex names no device, or another one */
		if (!d->ifs.dp[i] || !if_indextoname(d->ifs.ifindex[i], now) ||
		    strcmp(now, d->ifs.name[i]))
			continue;
		ifindex[n] = d->ifs.ifindex[i];
		memcpy(names[n], d->ifs.name[i], IF_NAMESIZE);
		n++;
	}
	/* Turned off: what we hold goes from the interfaces we hold it on, then nothing
	 * is read or touched; else the interfaces first, then the mode on them. */
	if (d->cfg->rx_filter == XGLB_RXF_OFF)
		xglb_rxf_set_mode(d->rxf, XGLB_RXF_OFF, d->rxf_last);
	err = xglb_rxf_set_ifaces(d->rxf, ifindex, (const char(*)[IF_NAMESIZE])names, n);
	xglb_rxf_set_mode(d->rxf, d->cfg->rx_filter, d->rxf_last);
	d->rxf_dirty = true; /* the next table switch makes the entries (and retries refusals) */
	return err;
}

int write_ifaces(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_ifaces);

	for (int i = 0; i < d->ifs.n; i++) {
		struct xglb_iface v = {0};

		memcpy(v.mac, d->ifs.mac[i], 6);
		v.flags = d->ifs.dp[i] ? XGLB_IFACE_GROUP : 0; /* the redirect guard's scope */
		/* the source of the kernel's NS from a virtual address (ndp.h guard_ns_own_ll);
		 * none yet (link down): :: until it comes (netwatch.c, an address event) */
		if (xglb_netif_ll6(d->ifs.ifindex[i], v.ll6) < 0)
			memset(v.ll6, 0, sizeof(v.ll6));
		if (bpf_map_update_elem(fd, &d->ifs.ifindex[i], &v, BPF_ANY)) {
			pr_err("%s: writing xglb_ifaces: %s", d->ifs.name[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* VIPs live on lo so every router answers pings to the gateway; ARP never shows them. */
static bool vip_wanted(const struct xglb_config *cfg, int gid, __be32 vip)
{
	for (int g = 0; g < cfg->n_groups; g++)
		if (cfg->groups[g].id == gid && cfg->groups[g].vip == vip)
			return true;
	return false;
}

/* Is addr on ifindex one of the configuration's virtual IPv6 addresses there? */
static bool addr6_wanted(const struct daemon *d, const struct xglb_addr6 *a)
{
	const struct xglb_config *cfg = d->cfg;

	for (int g = 0; g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];

		for (int i = 0; i < cg->n_ifaces; i++) {
			int k = iface_find(&d->ifs, cg->ifaces[i]);

			if (k < 0 || d->nw.gone[k] || d->ifs.ifindex[k] != a->ifindex)
				continue;
			for (int j = 0; j < cg->n_addr6; j++)
				if (!memcmp(cg->addr6[j], a->addr, 16))
					return true;
		}
	}
	return false;
}

/*
 * Every group's virtual IPv6 addresses on each of its interfaces (no DAD,
 * deprecated: netif.h); the ones marked ours that the configuration no
 * longer names there (or all, on stop) removed. The kernel flushes IPv6
 * addresses when a link goes down, so netwatch calls this on link events
 * and when an IPv6 address is removed. Returns how many it added.
 */
int sync_addrs6(struct daemon *d, bool remove_all)
{
	static struct xglb_addr6 ours[XGLB_MAX_GROUPS * XGLB_GROUP_IFACES * XGLB_VIP6_PER_GROUP];
	const struct xglb_config *cfg = d->cfg;
	char ip[INET6_ADDRSTRLEN];
	int n = xglb_netif_addr6_ours(ours, (int)(sizeof(ours) / sizeof(ours[0]))), ret, added = 0;

	if (n < 0) {
		pr_warn("reading the interfaces' IPv6 addresses: %s", strerror(-n));
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		if (!remove_all && addr6_wanted(d, &ours[i]))
			continue;
		ret = xglb_netif_addr6_del(ours[i].ifindex, ours[i].addr);
		inet_ntop(AF_INET6, ours[i].addr, ip, sizeof(ip));
		if (ret)
			pr_warn("removing %s from ifindex %u: %s", ip, ours[i].ifindex,
				strerror(-ret));
	}
	for (int g = 0; !remove_all && g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];

		for (int i = 0; i < cg->n_ifaces; i++) {
			int k = iface_find(&d->ifs, cg->ifaces[i]);

			if (k < 0 || d->nw.gone[k])
				continue;
			for (int j = 0; j < cg->n_addr6; j++) {
				struct xglb_addr6 a = {.ifindex = d->ifs.ifindex[k]};
				bool have = false;

				memcpy(a.addr, cg->addr6[j], 16);
				for (int h = 0; h < n && !have; h++)
					have = ours[h].ifindex == a.ifindex &&
					       !memcmp(ours[h].addr, a.addr, 16);
				if (have)
					continue;
				inet_ntop(AF_INET6, a.addr, ip, sizeof(ip));
				ret = xglb_netif_addr6_add(a.ifindex, a.addr);
				added += ret == 1;
				if (ret < 0)
					pr_warn("group %u: adding %s/128 to %s: %s", cg->id, ip,
						cg->ifaces[i], strerror(-ret));
				else if (ret == 0)
					pr_warn("group %u: %s is configured on %s by someone else: "
						"left as it is (the kernel may use it as a source)",
						cg->id, ip, cg->ifaces[i]);
			}
		}
	}
	return added;
}

void sync_vips(struct daemon *d, bool remove_all)
{
	const struct xglb_config *cfg = d->cfg;

	/* Remove the VIPs we added that are gone from the configuration (or all). */
	for (int id = 1; id < XGLB_MAX_GROUPS; id++) {
		if (!d->vip_ours[id] || (!remove_all && vip_wanted(cfg, id, d->vip_of[id])))
			continue;
		xglb_netif_addr_del(LO_IFINDEX, d->vip_of[id]);
		d->vip_ours[id] = false;
	}
	for (int g = 0; !remove_all && g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];
		char ip[INET_ADDRSTRLEN];
		int ret;

		inet_ntop(AF_INET, &cg->vip, ip, sizeof(ip));
		ret = xglb_netif_addr_add(LO_IFINDEX, cg->vip);
		if (ret < 0)
			pr_warn("group %u: adding VIP %s/32 to lo: %s", cg->id, ip, strerror(-ret));
		if (ret == 1) {
			d->vip_ours[cg->id] = true;
			d->vip_of[cg->id] = cg->vip;
		}
	}
	sync_addrs6(d, remove_all);
	if (!remove_all)
		sysctls_apply(d);
}

/*
 * On every interface xglb touches (group and steering interfaces) and on
 * "all" (the kernel combines both: the higher arp_announce, the OR of
 * send_redirects):
 *   arp_announce=2    the kernel never names the VIP (on lo) as the sender
 *                     of its own ARP requests: the egress guard would drop
 *                     them, and without it they would tell hosts "VIP is at
 *                     <this router's real MAC>";
 *   send_redirects=0  hosts keep sending to their vMAC: a redirect to a
 *                     router's real address would bypass the gateway.
 * The value found first is remembered and put back by sysctls_restore.
 */
static const struct {
	const char *key, *value;
} xglb_sysctls[] = {{"arp_announce", "2"}, {"send_redirects", "0"}};

static void sysctl_set(struct daemon *d, const char *ifname)
{
	for (size_t k = 0; k < sizeof(xglb_sysctls) / sizeof(xglb_sysctls[0]); k++) {
		struct sysctl_saved *s = NULL;
		char cur[16];
		int ret;

		for (int i = 0; i < d->n_sysctls; i++)
			if (!strcmp(d->sysctls[i].ifname, ifname) &&
			    d->sysctls[i].key == xglb_sysctls[k].key)
				s = &d->sysctls[i];
		ret = xglb_netif_sysctl_get(ifname, xglb_sysctls[k].key, cur, sizeof(cur));
		if (ret) {
			pr_warn("%s: reading %s: %s", ifname, xglb_sysctls[k].key, strerror(-ret));
			continue;
		}
		if (!strcmp(cur, xglb_sysctls[k].value))
			continue;
		if (!s && d->n_sysctls < SYSCTL_SAVED_MAX) {
			s = &d->sysctls[d->n_sysctls++];
			snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
			s->key = xglb_sysctls[k].key;
			snprintf(s->value, sizeof(s->value), "%s", cur);
		}
		ret = xglb_netif_sysctl(ifname, xglb_sysctls[k].key, xglb_sysctls[k].value);
		if (ret)
			pr_warn("%s: setting %s=%s: %s", ifname, xglb_sysctls[k].key,
				xglb_sysctls[k].value, strerror(-ret));
		else
			pr_info("%s: %s=%s (was %s)", ifname, xglb_sysctls[k].key,
				xglb_sysctls[k].value, cur);
	}
}

void sysctls_apply(struct daemon *d)
{
	sysctl_set(d, "all");
	for (int i = 0; i < d->ifs.n; i++)
		sysctl_set(d, d->ifs.name[i]);
	rxvlan_apply(d);
}

void sysctls_restore(struct daemon *d)
{
	for (int i = 0; i < d->n_sysctls; i++) {
		const struct sysctl_saved *s = &d->sysctls[i];
		int ret = xglb_netif_sysctl(s->ifname, s->key, s->value);

		if (ret && ret != -ENOENT) /* an interface gone meanwhile has nothing to restore */
			pr_warn("%s: restoring %s=%s: %s", s->ifname, s->key, s->value,
				strerror(-ret));
	}
	d->n_sysctls = 0;
	rxvlan_restore(d);
}

/*
 * Receive VLAN offload off on every interface xglb_xdp is attached to
 * (datapath xdp, native or generic): with it on, a driver may move an
 * 802.1Q tag into the receive descriptor, and xglb_xdp would take a frame
 * of another VLAN for one of the untagged segment. Off, the tag stays in
 * the frame, where lib/vlan.h passes it untouched. At tc the kernel shows
 * every tag (vlan_present), so interfaces with the data path at tc are
 * left as they are. Only what this process turned off is turned on again,
 * by a clean stop (rxvlan_restore): a restart after a crash finds it off
 * and keeps it off. A driver that cannot turn it off is warned about and
 * counted once per interface (ifindex), never a reason to stop. Once the
 * daemon runs, the change is made by rxvlan.c's thread: a driver may
 * reset the NIC for it, and the event loop never waits for that. The other
 * interfaces (data path at tc, steering only) are handed to it as well, only
 * to be read: status shows every interface's offload from what the thread
 * read, and makes no ethtool request of its own.
 */
void rxvlan_apply(struct daemon *d)
{
	struct xglb_rxvlan_if ifs[XGLB_MAX_IFACES];
	int n = 0;

	for (int i = 0; i < d->ld.n_if && i < d->ifs.n && n < XGLB_MAX_IFACES; i++) {
		if (d->nw.gone[i])
			continue;
		snprintf(ifs[n].name, sizeof(ifs[n].name), "%s", d->ifs.name[i]);
		ifs[n].read_only = d->ld.use[i] != XGLB_USE_XDP;
		ifs[n++].ifindex = d->ifs.ifindex[i];
	}
	xglb_rxvlan_ask(&d->rxvlan, ifs, n);
	ifkern_apply(d);
}

/*
 * The interfaces whose MTU and XDP (and tcx) attachments status shows,
 * handed to ifkern.c's thread (ifkern.h): every data path interface, by
 * the ifindex the loader attached to (a re-created one's new ifindex:
 * netwatch_resync comes through here). Before the thread runs (the start)
 * they are read here; after, never on the event loop.
 */
void ifkern_apply(struct daemon *d)
{
	__u32 ifindex[XGLB_MAX_IFACES];
	int n = 0;

	for (int i = 0; i < d->ld.n_if && n < XGLB_MAX_IFACES; i++)
		ifindex[n++] = d->ld.ifindex[i];
	xglb_ifkern_ask(&d->ifkern, ifindex, n, d->ld.tcx);
}

void rxvlan_restore(struct daemon *d)
{
	xglb_rxvlan_restore(&d->rxvlan);
}

/* The steering maps; a restarted xglbd keeps steering as its predecessor left it. */
int open_steering(struct daemon *d)
{
	struct xglb_steer_fds fds = {
	    .cfg = bpf_map__fd(d->ld.skel->maps.xglb_steer_cfg),
	    .spill = bpf_map__fd(d->ld.skel->maps.xglb_steer_spill),
	    .buckets = bpf_map__fd(d->ld.skel->maps.xglb_steer_buckets),
	    .peers = bpf_map__fd(d->ld.skel->maps.xglb_steer_peers),
	    .local_ips = bpf_map__fd(d->ld.skel->maps.xglb_local_ips),
	    .local_bloom = bpf_map__fd(d->ld.skel->maps.xglb_local_bloom),
	};
	int err = xglb_bank_open_steer(&d->bank, &fds);

	if (err)
		pr_err("steering maps: %s", strerror(-err));
	for (int g = 0; !err && g < d->cfg->n_groups; g++)
		if (d->cfg->groups[g].steer && !d->cfg->membership)
			pr_warn("group %u: steering needs membership (peers' MACs); it stays off",
				d->cfg->groups[g].id);
	return err;
}

/* Our MAC on each segment group g steers, for the hellos that tell peers. */
void steer_segments(struct daemon *d)
{
	for (int g = 0; d->cl && g < d->cfg->n_groups; g++) {
		const char(*names)[IF_NAMESIZE];
		__u8 macs[XGLB_PROTO_SEGMENTS][6] = {{0}};
		int n = d->cfg->groups[g].steer ? steer_ifaces(&d->cfg->groups[g], &names) : 0;

		for (int i = 0; i < n && i < XGLB_PROTO_SEGMENTS; i++)
			memcpy(macs[i], d->ifs.mac[iface_find(&d->ifs, names[i])], 6);
		xglb_cluster_set_segments(d->cl, g, n, (const __u8(*)[6])macs);
	}
}

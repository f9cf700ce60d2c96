// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglbd.c - the xglb daemon: loads the data plane, writes its tables, keeps the heartbeat, reloads. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
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
#include "track.h"

#define XGLB_VERSION "0.1.0"
#define LO_IFINDEX 1

/* The interfaces the configuration uses, resolved. */
struct ifaces {
	int n;
	char name[XGLB_MAX_IFACES][IF_NAMESIZE];
	__u32 ifindex[XGLB_MAX_IFACES];
	__u8 mac[XGLB_MAX_IFACES][6];
	bool xdp[XGLB_MAX_IFACES]; /* a group interface (XDP and tc); else steering only (tc) */
};

/* A host moved by an unsolicited ARP reply, to be told again (cb_redistribute). */
struct redist_again {
	struct xglb_host_key key;
	__be32 ip;
	__u8 g; /* cfg group index */
	__u8 to; /* forwarder it was moved to */
};

/*
 * Linux ignores an ARP reply that would change a neighbour entry updated
 * less than its locktime ago (1 s by default; an entry's own state change,
 * e.g. REACHABLE to STALE, counts), so every moved host is told a second
 * time this much later.
 */
#define REDIST_AGAIN_MS 1500
#define REDIST_AGAIN_MAX 65536 /* hosts remembered for the second reply */

struct daemon {
	struct xglb_config *cfg;
	const char *config_path, *node_override, *pin_root_override;
	struct xglb_loader ld;
	struct xglb_bank bank;
	struct ifaces ifs;
	__u32 version;
	bool vip_ours[XGLB_MAX_GROUPS]; /* by gid: we added vip_of[gid]/32 to lo */
	__be32 vip_of[XGLB_MAX_GROUPS];
	int epfd, sigfd, hb_fd, learn_fd, pkt_fd, mem_tfd;
	uint64_t watchdog_usec;
	struct xglb_ctlsock ctl;
	struct xglb_cluster *cl; /* membership; NULL in static mode */
	struct xglb_tracker trk;
	int trk_tfd;
	struct xglb_http *http;
	bool drained; /* an operator drained this node: priority and weight 0 */
	struct xglb_group tables[XGLB_MAX_GROUPS]; /* last committed, by cfg group index */
	__u32 rr[XGLB_MAX_GROUPS]; /* round-robin position for redistributed hosts */
	__u64 redistributed; /* hosts moved by unsolicited ARP replies */
	/* the moved hosts, told once more after a host's ARP lock time (cb_redistribute) */
	struct redist_again *again;
	int n_again, again_fd;
	__u64 redist_repeated;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int iface_find(const struct ifaces *ifs, const char *name)
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
		     const char *field, bool xdp)
{
	int err, k = iface_find(ifs, name);

	if (k >= 0) {
		ifs->xdp[k] |= xdp;
		return 0;
	}
	k = ifs->n;
	if (k == XGLB_MAX_IFACES) {
		pr_err("%s: more than %d interfaces", cfg->path, XGLB_MAX_IFACES);
		return -E2BIG;
	}
	err = xglb_netif_get(name, &ifs->ifindex[k], ifs->mac[k]);
	if (err) {
		pr_err("%s:%d: groups[%d].%s: %s: %s", cfg->path, cfg->groups[g].line, g, field, name,
		       strerror(-err));
		return err;
	}
	snprintf(ifs->name[k], IF_NAMESIZE, "%s", name);
	ifs->xdp[k] = xdp;
	ifs->n++;
	return 0;
}

/* Resolve every interface the configuration names; all or nothing. */
static int resolve_ifaces(const struct xglb_config *cfg, struct ifaces *ifs)
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

static const char *node_name(const struct xglb_config *cfg, __u32 id)
{
	for (int i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].id == id)
			return cfg->nodes[i].name;
	return "none";
}

/* Role and ownership changes the data plane is about to see: the operator's event log. */
static void log_changes(struct daemon *d, const struct xglb_group *now, int n)
{
	for (int g = 0; g < n; g++) {
		const struct xglb_group *a = &d->tables[g], *b = &now[g];
		bool fresh = a->id != b->id;

		if (fresh || (a->flags & XGLB_GRP_AVG) != (b->flags & XGLB_GRP_AVG))
			pr_info("group %u: this node %s the AVG", b->id,
				b->flags & XGLB_GRP_AVG ? "is now" : "is not");
		for (int f = 0; f < b->n_fwd; f++) {
			bool was = !fresh && f < a->n_fwd && (a->fwd[f].flags & XGLB_FWD_ACTIVE);
			bool is = b->fwd[f].flags & XGLB_FWD_ACTIVE;

			if (was && is && a->fwd[f].owner == b->fwd[f].owner &&
			    a->fwd[f].flags == b->fwd[f].flags)
				continue;
			if (!was && !is)
				continue;
			if (!is)
				pr_info("group %u: forwarder %d removed", b->id, f);
			else if (!was || a->fwd[f].owner != b->fwd[f].owner)
				pr_info("group %u: forwarder %d owned by %s%s", b->id, f,
					node_name(d->cfg, b->fwd[f].owner),
					b->fwd[f].flags & XGLB_FWD_LOCAL ? " (this node)" : "");
			else if (!(b->fwd[f].flags & XGLB_FWD_NEW_OK))
				pr_info("group %u: forwarder %d takes no new hosts (redirect)", b->id, f);
		}
	}
}

static void set_local_ips(struct daemon *d);

/*
 * Flow steering (issue 4): for every group that steers, the bucket -> owner
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
		__u32 mask = d->cl->grp[g].steer_mask;

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
		if (!built[dom] || built_mask[dom] != mask || built_buckets[dom] != cg->steer_buckets) {
			err = xglb_owners_build(nodes, n, cg->steer_buckets, owner[dom]);
			if (err)
				return err;
			built[dom] = true;
			built_mask[dom] = mask;
			built_buckets[dom] = cg->steer_buckets;
		}
		st.dom[dom] = (struct xglb_steer_domain){ .gid = cg->id, .n_buckets = cg->steer_buckets,
							  .owner = owner[dom] };
		st.n_domains++;
		st.version = d->cl->grp[g].version;
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
	if (!err)
		set_local_ips(d);
	return err;
}

/* Every local IPv4 address and every VIP: traffic to them is never steered. */
static void set_local_ips(struct daemon *d)
{
	__be32 ips[XGLB_STEER_MAX_LOCAL];
	struct ifaddrs *ifa, *p;
	int n = 0;

	for (int g = 0; g < d->cfg->n_groups && n < XGLB_STEER_MAX_LOCAL; g++)
		ips[n++] = d->cfg->groups[g].vip;
	if (getifaddrs(&ifa) == 0) {
		for (p = ifa; p && n < XGLB_STEER_MAX_LOCAL; p = p->ifa_next)
			if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET)
				ips[n++] = ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr;
		freeifaddrs(ifa);
	}
	xglb_bank_set_local_ips(&d->bank, ips, n);
}

/* Build every group's table as this node sees it and switch banks. */
static int commit_tables(struct daemon *d)
{
	static struct xglb_group groups[XGLB_MAX_GROUPS];
	const struct xglb_config *cfg = d->cfg;
	__u32 self = cfg->nodes[cfg->self].id;
	int err;

	d->version++;
	for (int g = 0; g < cfg->n_groups; g++) {
		__u32 ifidx[XGLB_GROUP_IFACES] = { 0 };
		__u8 ifmac[XGLB_GROUP_IFACES][6] = { { 0 } };
		struct xglb_group_state st;

		for (int i = 0; i < cfg->groups[g].n_ifaces; i++) {
			int k = iface_find(&d->ifs, cfg->groups[g].ifaces[i]);

			ifidx[i] = d->ifs.ifindex[k];
			memcpy(ifmac[i], d->ifs.mac[k], 6);
		}
		if (d->cl) {
			xglb_cluster_view(d->cl, g, now_ns(), &st);
			memcpy(st.ifindex, ifidx, sizeof(st.ifindex));
		} else {
			xglb_cfg_group_state(cfg, g, ifidx, d->version, &st);
		}
		memcpy(st.ifmac, ifmac, sizeof(st.ifmac));
		xglb_build_group(&st, self, &groups[g]);
	}
	err = xglb_bank_prepare(&d->bank, groups, cfg->n_groups);
	if (!err && d->bank.steer_open)
		err = prepare_steer(d);
	if (!err)
		xglb_bank_flip(&d->bank);
	if (!err) {
		log_changes(d, groups, cfg->n_groups);
		memcpy(d->tables, groups, sizeof(groups[0]) * cfg->n_groups);
	}
	if (err)
		pr_err("writing tables: %s", strerror(-err));
	return err;
}

static int write_ifaces(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_ifaces);

	for (int i = 0; i < d->ifs.n; i++) {
		struct xglb_iface v = { 0 };

		memcpy(v.mac, d->ifs.mac[i], 6);
		if (bpf_map_update_elem(fd, &d->ifs.ifindex[i], &v, BPF_ANY)) {
			pr_err("%s: writing xglb_ifaces: %s", d->ifs.name[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static void heartbeat(struct daemon *d)
{
	xglb_bank_heartbeat(&d->bank, now_ns(), (__u64)d->cfg->lease_ms * 1000000ull);
	if (d->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");
}

/* Idle work: pay the RCU grace period of the next table switch now, not on a failover. */
static void idle(struct daemon *d)
{
	xglb_bank_quiesce(&d->bank);
}

/* Learning frames from forwarder idx of cfg group g, on each of the group's interfaces. */
static void learn_one(struct daemon *d, int g, int idx)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	__u8 frame[XGLB_LEARN_FRAME_LEN], vmac[6];

	if (d->pkt_fd < 0)
		return;
	xglb_vmac(cg->id, (__u8)idx, vmac);
	xglb_learn_frame(frame, vmac, cg->vip);
	for (int i = 0; i < cg->n_ifaces; i++) {
		__u32 ifindex = d->ifs.ifindex[iface_find(&d->ifs, cg->ifaces[i])];
		int err = xglb_learn_send(d->pkt_fd, ifindex, frame, sizeof(frame));

		if (err)
			pr_debug("learning frame on %s: %s", cg->ifaces[i], strerror(-err));
	}
}

/*
 * Learning frames from every vMAC this node owns. A forwarder we are
 * releasing after a planned move is still local in the tables (we keep
 * accepting its frames) but must not be announced: that would pull the
 * switch port back from its new owner. Nor is any vMAC of a group in its
 * startup hold: after a restart its tables may be the pinned ones of
 * before, naming forwarders a peer has taken over since; the group asks
 * for learning frames itself once the hold is over (xglb_grp_starting).
 */
static void send_learning(struct daemon *d)
{
	__u64 now = now_ns();

	for (int g = 0; g < d->cfg->n_groups; g++) {
		if (d->cl && xglb_cluster_starting(d->cl, g, now))
			continue;
		for (int f = 0; f < d->tables[g].n_fwd; f++)
			if ((d->tables[g].fwd[f].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL)) ==
				    (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL) &&
			    (!d->cl || xglb_cluster_owns(d->cl, g, f)))
				learn_one(d, g, f);
	}
}

/* VIPs live on lo so every router answers pings to the gateway; ARP never shows them. */
static bool vip_wanted(const struct xglb_config *cfg, int gid, __be32 vip)
{
	for (int g = 0; g < cfg->n_groups; g++)
		if (cfg->groups[g].id == gid && cfg->groups[g].vip == vip)
			return true;
	return false;
}

static void sync_vips(struct daemon *d, bool remove_all)
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
		for (int i = 0; i < cg->n_ifaces; i++) {
			/* Never pick the VIP as the source of the kernel's own ARP. */
			ret = xglb_netif_sysctl(cg->ifaces[i], "arp_announce", "2");
			if (ret)
				pr_warn("%s: arp_announce: %s", cg->ifaces[i], strerror(-ret));
		}
	}
}

/* ---- membership callbacks ------------------------------------------------ */

static void cb_commit(void *ctx)
{
	commit_tables(ctx);
}

static void cb_learn(void *ctx, int g, unsigned int mask)
{
	for (int f = 0; f < XGLB_MAX_FWD; f++)
		if (mask & (1u << f))
			learn_one(ctx, g, f);
}

static void cb_loads(void *ctx, int g, __u64 bytes[XGLB_MAX_FWD])
{
	struct daemon *d = ctx;
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(d->ld.skel->maps.xglb_fwd_stats);
	struct xglb_fwd_stats vals[ncpu];

	for (__u32 f = 0; f < XGLB_MAX_FWD; f++) {
		__u32 key = d->cfg->groups[g].id * XGLB_MAX_FWD + f;

		bytes[f] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				bytes[f] += vals[c].bytes;
	}
}

/*
 * 002: the forwarders in mask were removed. Each host the AVG had given
 * one of them is handed a live forwarder: its host entry is rewritten and
 * it gets an unsolicited ARP reply naming the new vMAC, unicast, so it
 * moves without waiting for its cache to expire.
 */
static void cb_redistribute(void *ctx, int g, unsigned int mask)
{
	struct daemon *d = ctx;
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	const struct xglb_group *tbl = &d->tables[g];
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts), ifi;
	struct xglb_host_key key, *prev = NULL;
	__u8 frame[XGLB_LEARN_FRAME_LEN];
	struct xglb_host h;
	int moved = 0;

	if (!(tbl->flags & XGLB_GRP_AVG) || d->pkt_fd < 0)
		return; /* only the AVG knows the hosts */
	ifi = iface_find(&d->ifs, cg->ifaces[0]);
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		int to;

		prev = &key;
		if (key.gid != cg->id || bpf_map_lookup_elem(fd, &key, &h) ||
		    !(mask & (1u << h.fwd)) || !h.ip)
			continue;
		to = xglb_table_pick(tbl, key.mac, d->rr[g]++);
		if (to < 0)
			break; /* no forwarder takes new hosts: they will ARP again */
		h.fwd = (__u8)to;
		bpf_map_update_elem(fd, &key, &h, BPF_EXIST);
		xglb_arp_reply_frame(frame, d->ifs.mac[ifi], tbl->fwd[to].vmac, cg->vip, key.mac,
				     h.ip);
		if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame, sizeof(frame)) == 0)
			moved++;
		if (d->again && d->n_again < REDIST_AGAIN_MAX)
			d->again[d->n_again++] = (struct redist_again){
				.key = key, .ip = h.ip, .g = (__u8)g, .to = (__u8)to
			};
	}
	d->redistributed += moved;
	if (d->n_again) {
		struct itimerspec its = { .it_value = { .tv_sec = REDIST_AGAIN_MS / 1000,
							.tv_nsec = REDIST_AGAIN_MS % 1000 * 1000000 } };

		timerfd_settime(d->again_fd, 0, &its, NULL);
	}
	pr_info("group %u: %d hosts of removed forwarders moved by unsolicited ARP", cg->id, moved);
}

/*
 * The second unsolicited reply to each moved host, if the AVG still gives
 * it that forwarder (no ARP of its own, no other move since).
 */
static void redistribute_again(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts), sent = 0;
	__u8 frame[XGLB_LEARN_FRAME_LEN];

	for (int i = 0; i < d->n_again; i++) {
		const struct redist_again *a = &d->again[i];
		const struct xglb_cfg_group *cg;
		const struct xglb_group *tbl;
		struct xglb_host h;
		int ifi;

		if (a->g >= d->cfg->n_groups)
			continue; /* a reload removed the group */
		cg = &d->cfg->groups[a->g];
		tbl = &d->tables[a->g];
		if (!(tbl->flags & XGLB_GRP_AVG) || cg->id != a->key.gid || a->to >= tbl->n_fwd ||
		    !(tbl->fwd[a->to].flags & XGLB_FWD_ACTIVE) ||
		    bpf_map_lookup_elem(fd, &a->key, &h) || h.fwd != a->to || h.ip != a->ip)
			continue;
		ifi = iface_find(&d->ifs, cg->ifaces[0]);
		xglb_arp_reply_frame(frame, d->ifs.mac[ifi], tbl->fwd[a->to].vmac, cg->vip,
				     a->key.mac, a->ip);
		if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame, sizeof(frame)) == 0)
			sent++;
	}
	d->redist_repeated += sent;
	pr_debug("%d of %d moved hosts told again", sent, d->n_again);
	d->n_again = 0;
}

/* ---- tracking ------------------------------------------------------------------ */

/*
 * Our advertised priority and weight: what tracking leaves of the
 * configured values, or nothing while an operator has us drained.
 */
static void apply_self(struct daemon *d, bool force)
{
	bool changed = xglb_tracker_update(&d->trk);
	__u8 prio = d->drained ? 0 : d->trk.effect.priority;
	__u16 weight = d->drained ? 0 : d->trk.effect.weight;

	if ((!changed && !force) || !d->cl)
		return;
	pr_info("advertising priority %u, weight %u%s", prio, weight,
		d->drained ? " (drained)" : d->trk.effect.withdrawn ? " (withdrawn by tracking)" : "");
	xglb_cluster_set_self(d->cl, prio, weight);
	xglb_cluster_tick(d->cl, now_ns());
}

static void track_apply(struct daemon *d)
{
	apply_self(d, false);
}

static void cb_drain(void *ctx, bool drained)
{
	struct daemon *d = ctx;

	if (d->drained == drained)
		return;
	d->drained = drained;
	pr_info("%s by an operator", drained ? "drained" : "undrained");
	apply_self(d, true);
}

static int track_epoll(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (d->trk.nl_fd >= 0) {
		ev.data.fd = d->trk.nl_fd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->trk.nl_fd, &ev) && errno != EEXIST)
			return -errno;
	}
	if (d->trk.icmp_fd >= 0) {
		ev.data.fd = d->trk.icmp_fd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->trk.icmp_fd, &ev) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/* ---- control socket -------------------------------------------------------- */

static struct json_object *static_group_json(const struct daemon *d, int g)
{
	const struct xglb_group *t = &d->tables[g];
	struct json_object *o = json_object_new_object(), *fw = json_object_new_array();
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &t->vip, ip, sizeof(ip));
	json_object_object_add(o, "id", json_object_new_int(t->id));
	json_object_object_add(o, "vip", json_object_new_string(ip));
	json_object_object_add(o, "role", json_object_new_string(t->flags & XGLB_GRP_AVG ? "avg" :
											     "listen"));
	json_object_object_add(o, "version", json_object_new_int64(t->version));
	for (int i = 0; i < t->n_fwd; i++) {
		struct json_object *j = json_object_new_object();
		char mac[18];

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", t->fwd[i].vmac[0],
			 t->fwd[i].vmac[1], t->fwd[i].vmac[2], t->fwd[i].vmac[3], t->fwd[i].vmac[4],
			 t->fwd[i].vmac[5]);
		json_object_object_add(j, "index", json_object_new_int(i));
		json_object_object_add(j, "vmac", json_object_new_string(mac));
		json_object_object_add(j, "owner", json_object_new_int64(t->fwd[i].owner));
		json_object_object_add(j, "active",
				       json_object_new_boolean(t->fwd[i].flags & XGLB_FWD_ACTIVE));
		json_object_object_add(j, "local",
				       json_object_new_boolean(t->fwd[i].flags & XGLB_FWD_LOCAL));
		json_object_array_add(fw, j);
	}
	json_object_object_add(o, "forwarders", fw);
	return o;
}

static void fwd_counts(const struct daemon *d, __u8 gid, __u8 idx, __u64 *pk, __u64 *by);

/*
 * Bytes per forwarder: counted here for the forwarders we own, and as the
 * owner last reported them in its hellos for the others.
 */
static void add_forwarder_bytes(const struct daemon *d, struct json_object *groups)
{
	for (int g = 0; g < d->cfg->n_groups; g++) {
		struct json_object *fw = NULL;

		json_object_object_get_ex(json_object_array_get_idx(groups, g), "forwarders", &fw);
		for (size_t i = 0; fw && i < json_object_array_length(fw); i++) {
			const struct xglb_fwd *f = &d->tables[g].fwd[i];
			__u64 pk = 0, by = 0;

			if (f->flags & XGLB_FWD_LOCAL) {
				fwd_counts(d, d->tables[g].id, (__u8)i, &pk, &by);
			} else if (d->cl) {
				const struct xglb_grp_node *n = xglb_grp_node(&d->cl->grp[g], f->owner);

				by = n ? n->load[i] : 0;
			}
			json_object_object_add(json_object_array_get_idx(fw, i), "bytes",
					       json_object_new_int64((int64_t)by));
		}
	}
}

static struct json_object *cmd_status(struct daemon *d)
{
	const struct xglb_config *cfg = d->cfg;
	struct json_object *o = json_object_new_object(), *node = json_object_new_object(),
			   *groups = json_object_new_array();
	__u64 now = now_ns();

	json_object_object_add(node, "name", json_object_new_string(cfg->nodes[cfg->self].name));
	json_object_object_add(node, "id", json_object_new_int64(cfg->nodes[cfg->self].id));
	json_object_object_add(node, "boot", json_object_new_int64(d->bank.ctl->boot));
	json_object_object_add(node, "priority",
			       json_object_new_int(d->cl ? d->cl->self_prio :
							   cfg->nodes[cfg->self].priority));
	json_object_object_add(node, "weight",
			       json_object_new_int(d->cl ? d->cl->self_weight :
							   cfg->nodes[cfg->self].weight));
	json_object_object_add(node, "drained", json_object_new_boolean(d->drained));
	json_object_object_add(o, "node", node);
	json_object_object_add(o, "mode", json_object_new_string(d->cl ? "membership" : "static"));
	json_object_object_add(o, "tables_version", json_object_new_int64(d->version));
	json_object_object_add(o, "hosts_redistributed", json_object_new_int64(d->redistributed));
	json_object_object_add(o, "hosts_redistributed_again",
			       json_object_new_int64(d->redist_repeated));
	for (int g = 0; g < cfg->n_groups; g++)
		json_object_array_add(groups, d->cl ? xglb_cluster_group_json(d->cl, g, now) :
						      static_group_json(d, g));
	json_object_object_add(o, "groups", groups);
	add_forwarder_bytes(d, groups);
	json_object_object_add(o, "events", xglb_log_recent());
	if (d->cl)
		json_object_object_add(o, "membership", xglb_cluster_rx_json(d->cl));
	json_object_object_add(o, "tracking", xglb_tracker_json(&d->trk));
	return o;
}

/* Sum of a per-CPU forwarder counter. */
static void fwd_counts(const struct daemon *d, __u8 gid, __u8 idx, __u64 *pk, __u64 *by)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(d->ld.skel->maps.xglb_fwd_stats);
	struct xglb_fwd_stats vals[ncpu];
	__u32 key = gid * XGLB_MAX_FWD + idx;

	*pk = *by = 0;
	if (bpf_map_lookup_elem(fd, &key, vals))
		return;
	for (int c = 0; c < ncpu; c++) {
		*pk += vals[c].packets;
		*by += vals[c].bytes;
	}
}

static __u64 map_entries(const struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	__u64 n = 0;
	__u8 key[64], next[64];
	void *prev = NULL;

	if (bpf_map__type(map) == BPF_MAP_TYPE_ARRAY || bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY)
		return bpf_map__max_entries(map);
	while (bpf_map__key_size(map) <= sizeof(key) && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, bpf_map__key_size(map));
		prev = key;
		n++;
	}
	return n;
}

static void dp_snapshot(const struct daemon *d, struct xglb_dp_snapshot *dp)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(d->ld.skel->maps.xglb_stats);
	struct xglb_host_key key, *prev = NULL;
	const struct bpf_map *map;
	__u64 vals[ncpu];

	memset(dp, 0, sizeof(*dp));
	for (__u32 r = 0; r < XGLB_R_MAX; r++)
		if (bpf_map_lookup_elem(fd, &r, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				dp->reasons[r] += vals[c];
	for (int g = 0; g < d->cfg->n_groups; g++)
		for (int f = 0; f < d->tables[g].n_fwd && dp->n_fwd < XGLB_MAX_GROUPS; f++) {
			dp->fwd[dp->n_fwd].gid = d->tables[g].id;
			dp->fwd[dp->n_fwd].index = (__u8)f;
			fwd_counts(d, d->tables[g].id, (__u8)f, &dp->fwd[dp->n_fwd].packets,
				   &dp->fwd[dp->n_fwd].bytes);
			dp->n_fwd++;
		}
	fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts);
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		dp->hosts[key.gid]++;
		prev = &key;
	}
	bpf_object__for_each_map(map, d->ld.skel->obj) {
		if (dp->n_maps == XGLB_METRICS_MAPS || strncmp(bpf_map__name(map), "xglb_", 5))
			continue;
		dp->maps[dp->n_maps].name = bpf_map__name(map);
		dp->maps[dp->n_maps].capacity = bpf_map__max_entries(map);
		dp->maps[dp->n_maps].entries = map_entries(map);
		dp->n_maps++;
	}
	dp->flips = d->bank.ctl->flips;
	dp->heartbeat_age_s = (now_ns() - d->bank.ctl->heartbeat_ns) / 1e9;
}

static struct json_object *http_status(void *ctx)
{
	return cmd_status(ctx);
}

static void http_metrics(void *ctx, FILE *out)
{
	struct daemon *d = ctx;
	struct xglb_dp_snapshot *dp = calloc(1, sizeof(*dp));
	struct json_object *st = cmd_status(d);

	if (dp) {
		dp_snapshot(d, dp);
		xglb_metrics_render(out, st, dp, XGLB_VERSION);
	}
	json_object_put(st);
	free(dp);
}

static int http_start(struct daemon *d)
{
	struct xglb_http_ops ops = { .ctx = d, .status = http_status, .metrics = http_metrics };
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	if (!d->cfg->http_listen[0])
		return 0;
	err = xglb_http_start(&d->http, d->cfg->http_listen, &ops);
	if (err) {
		pr_err("http-listen %s: %s", d->cfg->http_listen, strerror(-err));
		return err;
	}
	ev.data.fd = xglb_http_fd(d->http);
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		return -errno;
	pr_info("metrics and console on http://%s/", d->cfg->http_listen);
	return 0;
}

static void http_stop(struct daemon *d)
{
	if (!d->http)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, xglb_http_fd(d->http), NULL);
	xglb_http_stop(d->http);
	d->http = NULL;
}

static void reload(struct daemon *d);
static void arm_membership(struct daemon *d);
static void steer_segments(struct daemon *d);

/* The group a request names ("group": id), or the first one. -1 if none matches. */
static int req_group(const struct daemon *d, struct json_object *req)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, "group", &v))
		return d->cfg->n_groups ? 0 : -1;
	for (int g = 0; g < d->cfg->n_groups; g++)
		if (d->cfg->groups[g].id == json_object_get_int(v))
			return g;
	return -1;
}

static struct json_object *cmd_admin(struct daemon *d, __u8 op, struct json_object *req)
{
	struct json_object *v, *o;
	int g = req_group(d, req), node = -1, fwd = 0, pers = XGLB_ADMIN_KEEP, ret;
	bool fwd_op = op <= XGLB_ADMIN_UNPIN;

	if (!d->cl)
		return xglb_ctl_error("this node runs a static configuration: no membership to "
				      "change (configure membership:)");
	if (g < 0)
		return xglb_ctl_error("no such group");
	if (fwd_op) {
		if (!json_object_object_get_ex(req, "forwarder", &v) ||
		    !json_object_is_type(v, json_type_int))
			return xglb_ctl_error("missing forwarder index");
		fwd = json_object_get_int(v);
		if (fwd < 0 || fwd >= d->cfg->groups[g].n_fwd)
			return xglb_ctl_error("group %u has no forwarder %d (0..%d)",
					      d->cfg->groups[g].id, fwd, d->cfg->groups[g].n_fwd - 1);
	}
	if (op != XGLB_ADMIN_UNPIN) {
		if (!json_object_object_get_ex(req, "node", &v))
			return xglb_ctl_error("missing node name");
		node = xglb_node_by_name(d->cfg, json_object_get_string(v));
		if (node < 0)
			return xglb_ctl_error("no node named '%s'", json_object_get_string(v));
	}
	if (json_object_object_get_ex(req, "persistence", &v)) {
		pers = json_object_get_int(v);
		if (op != XGLB_ADMIN_MOVE || (pers != 0 && pers != 1 && pers != 3))
			return xglb_ctl_error("persistence must be 0, 1 or 3 (move only)");
	}
	ret = xglb_cluster_admin(d->cl, g, op, (__u8)fwd, (__u8)pers,
				 node >= 0 ? d->cfg->nodes[node].id : 0, now_ns());
	arm_membership(d);
	if (ret < 0)
		return xglb_ctl_error("refused: %s", strerror(-ret));
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(true));
	json_object_object_add(o, "applied", json_object_new_boolean(ret == 1));
	json_object_object_add(o, "via",
			       json_object_new_string(ret == 1 ? "this node" :
								 "sent to the group in hellos"));
	return o;
}

static struct json_object *cmd_reload(struct daemon *d)
{
	__u32 before = d->version;
	struct json_object *o = json_object_new_object();

	reload(d);
	json_object_object_add(o, "ok", json_object_new_boolean(d->version != before));
	json_object_object_add(o, "tables_version", json_object_new_int64(d->version));
	if (d->version == before)
		json_object_object_add(o, "error",
				       json_object_new_string("reload refused; see the log (xglbd "
							      "--config-test shows the errors)"));
	return o;
}

static struct json_object *ctl_handle(void *ctx, struct json_object *req)
{
	struct json_object *cmd;
	const char *c;

	if (!json_object_object_get_ex(req, "command", &cmd) ||
	    !json_object_is_type(cmd, json_type_string))
		return xglb_ctl_error("request has no \"command\"");
	c = json_object_get_string(cmd);
	if (!strcmp(c, "status"))
		return cmd_status(ctx);
	if (!strcmp(c, "move"))
		return cmd_admin(ctx, XGLB_ADMIN_MOVE, req);
	if (!strcmp(c, "prefer"))
		return cmd_admin(ctx, XGLB_ADMIN_PREFER, req);
	if (!strcmp(c, "unpin"))
		return cmd_admin(ctx, XGLB_ADMIN_UNPIN, req);
	if (!strcmp(c, "drain"))
		return cmd_admin(ctx, XGLB_ADMIN_DRAIN, req);
	if (!strcmp(c, "undrain"))
		return cmd_admin(ctx, XGLB_ADMIN_UNDRAIN, req);
	if (!strcmp(c, "reload"))
		return cmd_reload(ctx);
	return xglb_ctl_error("unknown command '%s'", c);
}

static int arm_timer(int fd, __u64 period_ms)
{
	struct itimerspec its = { 0 };

	if (period_ms) {
		its.it_interval.tv_sec = period_ms / 1000;
		its.it_interval.tv_nsec = (period_ms % 1000) * 1000000;
		its.it_value = its.it_interval;
	}
	return timerfd_settime(fd, 0, &its, NULL);
}

static void arm_membership(struct daemon *d)
{
	struct itimerspec its = { 0 };
	__u64 t;

	if (!d->cl)
		return;
	t = xglb_cluster_next(d->cl, now_ns());
	its.it_value.tv_sec = t / 1000000000ull;
	its.it_value.tv_nsec = t % 1000000000ull;
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	timerfd_settime(d->mem_tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static __u64 heartbeat_period_ms(const struct daemon *d)
{
	__u64 p = d->cfg->lease_ms / 4;

	if (d->watchdog_usec && p > d->watchdog_usec / 2000)
		p = d->watchdog_usec / 2000;
	return p < 10 ? 10 : p;
}

static struct xglb_config *load_config(const struct daemon *d)
{
	struct xglb_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	if (xglb_config_load(d->config_path, d->node_override, cfg, stderr)) {
		free(cfg);
		return NULL;
	}
	if (d->pin_root_override)
		snprintf(cfg->pin_root, sizeof(cfg->pin_root), "%s", d->pin_root_override);
	if (!cfg->control_socket[0])
		snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
			 XGLB_DEFAULT_CONTROL_SOCKET);
	return cfg;
}

/* Our MAC on each group's segment (its first interface), for hellos. */
static void group_macs(const struct xglb_config *cfg, const struct ifaces *ifs,
		       __u8 (*macs)[6])
{
	for (int g = 0; g < cfg->n_groups; g++)
		memcpy(macs[g], ifs->mac[iface_find(ifs, cfg->groups[g].ifaces[0])], 6);
}

/* What a reload cannot change without a restart; NULL if nothing. */
static const char *reload_conflict(const struct xglb_config *a, const struct xglb_config *b)
{
	if (strcmp(a->pin_root, b->pin_root))
		return "pin-root";
	if (a->nodes[a->self].id != b->nodes[b->self].id)
		return "this node's id";
	if (strcmp(a->control_socket, b->control_socket))
		return "control-socket";
	if (a->membership != b->membership)
		return "membership on/off";
	if (a->membership && (a->port != b->port || a->key_len != b->key_len ||
			      memcmp(a->key, b->key, a->key_len)))
		return "membership port and key";
	if (a->membership && a->nodes[a->self].address != b->nodes[b->self].address)
		return "this node's address";
	return NULL;
}

/*
 * SIGHUP: a new configuration replaces the running one only if it parses,
 * its interfaces exist and attach; otherwise the running state stays.
 */
static void reload(struct daemon *d)
{
	struct xglb_config *ncfg, *old = d->cfg;
	struct ifaces nifs, oifs = d->ifs;
	int err;

	sd_notify(0, "RELOADING=1");
	pr_info("reloading %s", d->config_path);
	ncfg = load_config(d);
	if (!ncfg) {
		pr_err("reload: %s has errors; keeping the running configuration", d->config_path);
		goto out;
	}
	if (reload_conflict(old, ncfg)) {
		pr_err("reload: %s changes only with a restart; keeping the running configuration",
		       reload_conflict(old, ncfg));
		free(ncfg);
		goto out;
	}
	if (resolve_ifaces(ncfg, &nifs)) {
		pr_err("reload: keeping the running configuration");
		free(ncfg);
		goto out;
	}
	err = xglb_loader_attach_some(&d->ld, nifs.ifindex, nifs.xdp, nifs.n);
	if (err) {
		pr_err("reload: attaching: %s; keeping the running configuration", strerror(-err));
		xglb_loader_attach_some(&d->ld, oifs.ifindex, oifs.xdp, oifs.n);
		free(ncfg);
		goto out;
	}
	d->cfg = ncfg;
	d->ifs = nifs;
	if (d->cl) {
		__u8 macs[XGLB_MAX_GROUPS][6];

		group_macs(ncfg, &nifs, macs);
		xglb_cluster_reconfigure(d->cl, ncfg, (const __u8(*)[6])macs, now_ns());
		steer_segments(d);
	}
	if (write_ifaces(d) || commit_tables(d)) {
		pr_err("reload: writing tables failed; restoring the running configuration");
		d->cfg = old;
		d->ifs = oifs;
		if (d->cl) {
			__u8 macs[XGLB_MAX_GROUPS][6];

			group_macs(old, &oifs, macs);
			xglb_cluster_reconfigure(d->cl, old, (const __u8(*)[6])macs, now_ns());
		}
		commit_tables(d);
		free(ncfg);
		goto out;
	}
	/* Interfaces no longer used lose our programs. */
	for (int i = 0; i < oifs.n; i++) {
		if (iface_find(&nifs, oifs.name[i]) < 0) {
			struct xglb_loader one = d->ld;

			one.n_if = 1;
			one.ifindex[0] = oifs.ifindex[i];
			xglb_loader_detach(&one, false);
			bpf_map_delete_elem(bpf_map__fd(d->ld.skel->maps.xglb_ifaces),
					    &oifs.ifindex[i]);
		}
	}
	if (xglb_tracker_reconfigure(&d->trk, d->cfg, now_ns()) == 0)
		track_epoll(d);
	arm_timer(d->trk_tfd, d->cfg->n_track ? 100 : 0);
	/* The cluster took the configured priority and weight back: re-advertise
	 * what drain and tracking leave of them. */
	apply_self(d, true);
	if (strcmp(old->http_listen, d->cfg->http_listen)) {
		http_stop(d);
		http_start(d); /* a failure is logged; the rest of the reload stands */
	}
	sync_vips(d, false);
	heartbeat(d);
	arm_timer(d->hb_fd, heartbeat_period_ms(d));
	arm_timer(d->learn_fd, d->cfg->learn_interval_ms);
	send_learning(d);
	arm_membership(d);
	free(old);
	pr_info("reloaded: %d groups on %d interfaces, tables version %u", d->cfg->n_groups,
		d->ifs.n, d->version);
out:
	sd_notify(0, "READY=1");
}

static int setup_fds(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->hb_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->learn_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->mem_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->trk_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->again_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->again = calloc(REDIST_AGAIN_MAX, sizeof(*d->again));
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->hb_fd < 0 || d->learn_fd < 0 || d->mem_tfd < 0 || d->trk_tfd < 0 ||
	    d->again_fd < 0 || !d->again || d->epfd < 0)
		return -errno ? -errno : -ENOMEM;
	ev.data.fd = d->again_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->again_fd, &ev);
	ev.data.fd = d->trk_tfd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->trk_tfd, &ev);
	ev.data.fd = d->mem_tfd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->mem_tfd, &ev);
	ev.data.fd = d->sigfd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev);
	ev.data.fd = d->hb_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->hb_fd, &ev);
	ev.data.fd = d->learn_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->learn_fd, &ev);
	return 0;
}

/* Returns when asked to stop. */
static void run(struct daemon *d)
{
	for (;;) {
		struct epoll_event evs[8];
		int n = epoll_wait(d->epfd, evs, 8, -1);

		if (n < 0 && errno != EINTR) {
			pr_err("epoll_wait: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			__u64 ticks;

			if (fd == d->hb_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0) {
					heartbeat(d);
					idle(d);
					if (d->http)
						xglb_http_run(d->http); /* connection timeouts */
				}
			} else if (d->cl && fd == xglb_cluster_fd(d->cl)) {
				xglb_cluster_readable(d->cl, now_ns());
				arm_membership(d);
			} else if (fd == d->mem_tfd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0 && d->cl)
					xglb_cluster_tick(d->cl, now_ns());
				arm_membership(d);
			} else if (fd == d->trk.nl_fd) {
				xglb_tracker_netlink(&d->trk);
				track_apply(d);
				arm_membership(d);
			} else if (fd == d->trk.icmp_fd) {
				xglb_tracker_icmp(&d->trk, now_ns());
				track_apply(d);
				arm_membership(d);
			} else if (fd == d->trk_tfd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0) {
					xglb_tracker_poll(&d->trk, now_ns());
					track_apply(d);
					arm_membership(d);
				}
			} else if (d->http && fd == xglb_http_fd(d->http)) {
				xglb_http_run(d->http);
			} else if (xglb_ctlsock_owns(&d->ctl, fd)) {
				xglb_ctlsock_event(&d->ctl, d->epfd, fd, ctl_handle, d);
			} else if (fd == d->learn_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					send_learning(d);
			} else if (fd == d->again_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					redistribute_again(d);
			} else if (fd == d->sigfd) {
				struct signalfd_siginfo si;

				if (read(fd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(d);
					continue;
				}
				pr_info("signal %u: stopping", si.ssi_signo);
				return;
			}
		}
	}
}

/* The steering maps; a restarted xglbd keeps steering as its predecessor left it. */
static int open_steering(struct daemon *d)
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
static void steer_segments(struct daemon *d)
{
	for (int g = 0; d->cl && g < d->cfg->n_groups; g++) {
		const char(*names)[IF_NAMESIZE];
		__u8 macs[XGLB_PROTO_SEGMENTS][6] = { { 0 } };
		int n = d->cfg->groups[g].steer ? steer_ifaces(&d->cfg->groups[g], &names) : 0;

		for (int i = 0; i < n && i < XGLB_PROTO_SEGMENTS; i++)
			memcpy(macs[i], d->ifs.mac[iface_find(&d->ifs, names[i])], 6);
		xglb_cluster_set_segments(d->cl, g, n, (const __u8(*)[6])macs);
	}
}

/*
 * Membership: restore each group from the tables a previous xglbd left
 * pinned (if any), then start the state machines and the socket.
 */
static int start_membership(struct daemon *d)
{
	static struct xglb_group pinned[XGLB_MAX_GROUPS];
	const struct xglb_group *restore[XGLB_MAX_GROUPS] = { NULL };
	__u8 macs[XGLB_MAX_GROUPS][6];
	struct xglb_cluster_io io = { .ctx = d, .commit = cb_commit, .learn = cb_learn,
				      .redistribute = cb_redistribute, .loads = cb_loads,
				      .drain = cb_drain };
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_groups), ev_err;
	struct epoll_event ev = { .events = EPOLLIN };
	__u32 bank = xglb_bank_active(&d->bank);
	int err;

	for (int g = 0; d->bank.ctl->flips && g < d->cfg->n_groups; g++) {
		__u32 key = XGLB_GROUP_KEY(bank, d->cfg->groups[g].id);

		if (bpf_map_lookup_elem(fd, &key, &pinned[g]) == 0 &&
		    (pinned[g].flags & XGLB_GRP_ENABLED))
			restore[g] = &pinned[g];
	}
	group_macs(d->cfg, &d->ifs, macs);
	d->cl = calloc(1, sizeof(*d->cl));
	if (!d->cl)
		return -ENOMEM;
	err = xglb_cluster_init(d->cl, d->cfg, d->bank.ctl->boot, (const __u8(*)[6])macs, restore,
				now_ns(), &io);
	if (err) {
		pr_err("membership socket on port %u: %s", d->cfg->port, strerror(-err));
		free(d->cl);
		d->cl = NULL;
		return err;
	}
	steer_segments(d);
	ev.data.fd = xglb_cluster_fd(d->cl);
	ev_err = epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	return ev_err ? -errno : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: xglbd [OPTIONS]\n"
		   "Run the xglb gateway load balancer on this router.\n\n"
		   "  -c, --config FILE     configuration (default " XGLB_DEFAULT_CONFIG ")\n"
		   "  -n, --node NAME       this router's node name (overrides \"node:\")\n"
		   "  -p, --pin-root DIR    where BPF maps are pinned (overrides \"pin-root:\")\n"
		   "  -t, --config-test     check the configuration and exit (0 ok, 1 errors)\n"
		   "  -v, --verbose         debug logging (twice: libbpf/libxdp too)\n"
		   "  -V, --version         print the version and exit\n"
		   "  -h, --help            this help\n\n"
		   "Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop and detach.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "config-test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct daemon d = { .config_path = XGLB_DEFAULT_CONFIG, .pkt_fd = -1, .ctl.fd = -1,
			    .trk.nl_fd = -1, .trk.icmp_fd = -1 };
	bool test_only = false;
	int verbose = 0, c, err, rc = 1;

	while ((c = getopt_long(argc, argv, "c:n:p:tvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'n':
			d.node_override = optarg;
			break;
		case 'p':
			d.pin_root_override = optarg;
			break;
		case 't':
			test_only = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("xglbd %s\n", XGLB_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xglbd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	xglb_log_init("xglbd", verbose ? XGLB_LOG_DEBUG : XGLB_LOG_INFO);
	if (verbose > 1)
		xglb_log_libs();
	else
		libbpf_set_print(NULL);

	d.cfg = load_config(&d);
	if (!d.cfg)
		return 1;
	if (test_only) {
		printf("%s: ok (%d nodes, %d groups; this node %s)\n", d.config_path,
		       d.cfg->n_nodes, d.cfg->n_groups, d.cfg->nodes[d.cfg->self].name);
		free(d.cfg);
		return 0;
	}
	if (sd_watchdog_enabled(0, &d.watchdog_usec) <= 0)
		d.watchdog_usec = 0;
	if (setup_fds(&d) || resolve_ifaces(d.cfg, &d.ifs))
		goto out;
	err = xglb_loader_open(&d.ld, d.cfg->pin_root);
	if (err)
		goto out;
	err = xglb_loader_attach_some(&d.ld, d.ifs.ifindex, d.ifs.xdp, d.ifs.n);
	if (err)
		goto detach;
	err = xglb_bank_open(&d.bank, bpf_map__fd(d.ld.skel->maps.xglb_ctl),
			     bpf_map__fd(d.ld.skel->maps.xglb_groups),
			     bpf_map__fd(d.ld.skel->maps.xglb_vips));
	if (err) {
		pr_err("mapping xglb_ctl: %s", strerror(-err));
		goto detach;
	}
	xglb_bank_set_beat(&d.bank, bpf_program__fd(d.ld.skel->progs.xglb_beat));
	if (open_steering(&d))
		goto detach;
	/* Resume the version sequence of tables a previous xglbd left pinned. */
	d.version = d.bank.ctl->flips ? (__u32)d.bank.ctl->flips : 0;
	/* Boot counter: above the last one (pinned) and the wall clock, so peers
	 * never take this run's messages for replays of an earlier one. */
	d.bank.ctl->boot = d.bank.ctl->boot + 1 > (__u32)time(NULL) ? d.bank.ctl->boot + 1 :
								       (__u32)time(NULL);
	heartbeat(&d);
	if (d.cfg->membership && start_membership(&d))
		goto detach;
	err = xglb_tracker_open(&d.trk, d.cfg, now_ns());
	if (err || track_epoll(&d)) {
		pr_err("tracking: %s", strerror(-err));
		goto detach;
	}
	if (d.cfg->n_track && !d.cl)
		pr_warn("tracking: without membership, tracked objects change nothing");
	arm_timer(d.trk_tfd, d.cfg->n_track ? 100 : 0);
	track_apply(&d);
	if (write_ifaces(&d) || commit_tables(&d))
		goto detach;
	err = xglb_ctlsock_open(&d.ctl, d.cfg->control_socket);
	if (err || xglb_ctlsock_epoll(&d.ctl, d.epfd)) {
		pr_err("control socket %s: %s", d.cfg->control_socket, strerror(-err));
		goto detach;
	}
	if (http_start(&d))
		goto detach;
	sync_vips(&d, false);
	d.pkt_fd = xglb_learn_socket();
	if (d.pkt_fd < 0)
		pr_warn("no packet socket for learning frames: %s", strerror(-d.pkt_fd));
	send_learning(&d);
	arm_timer(d.hb_fd, heartbeat_period_ms(&d));
	arm_timer(d.learn_fd, d.cfg->learn_interval_ms);
	arm_membership(&d);
	sd_notify(0, "READY=1");
	pr_info("ready: node %s (id %u), %d groups on %d interfaces, tables version %u, pin-root %s",
		d.cfg->nodes[d.cfg->self].name, d.cfg->nodes[d.cfg->self].id, d.cfg->n_groups,
		d.ifs.n, d.version, d.cfg->pin_root);

	run(&d);
	sd_notify(0, "STOPPING=1");
	rc = 0;
	sync_vips(&d, true);
detach:
	http_stop(&d);
	xglb_tracker_close(&d.trk);
	xglb_ctlsock_close(&d.ctl);
	if (d.cl) {
		xglb_cluster_close(d.cl);
		free(d.cl);
	}
	xglb_loader_detach(&d.ld, true);
	xglb_bank_close(&d.bank);
	xglb_loader_close(&d.ld);
out:
	if (d.pkt_fd >= 0)
		close(d.pkt_fd);
	free(d.cfg);
	return rc;
}

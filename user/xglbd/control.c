// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* control.c - status, admin and reload requests from the control socket and the HTTP server. */
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
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include <sodium.h>
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
#include "daemon.h"
#include "names.h"
#include "ifkern.h"
#include "tcx.h"

/* ---- control socket -------------------------------------------------------- */

static struct json_object *static_group_json(const struct daemon *d, int g)
{
	const struct xglb_group *t = &d->tables[g];
	struct json_object *o = json_object_new_object(), *fw = json_object_new_array();
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &t->vip, ip, sizeof(ip));
	json_object_object_add(o, "id", json_object_new_int(t->id));
	json_object_object_add(o, "vip", json_object_new_string(ip));
	json_object_object_add(o, "role",
			       json_object_new_string(t->flags & XGLB_GRP_AVG ? "avg" : "listen"));
	json_object_object_add(o, "version", json_object_new_int64(t->version));
	for (int i = 0; i < t->n_fwd; i++) {
		struct json_object *j = json_object_new_object();
		char mac[XGLB_MAC_STR];

		xglb_fmt_mac(mac, t->fwd[i].vmac);
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

static void fwd_counts(const struct daemon *d, const struct bpf_map *map, __u8 gid, __u8 idx,
		       __u64 *pk, __u64 *by);

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
			struct json_object *x = json_object_array_get_idx(fw, i);
			__u64 pk = 0, by = 0, tpk = 0, tby = 0;

			if (f->flags & XGLB_FWD_LOCAL) {
				fwd_counts(d, d->ld.skel->maps.xglb_fwd_stats, d->tables[g].id,
					   (__u8)i, &pk, &by);
				fwd_counts(d, d->ld.skel->maps.xglb_fwd_tx_stats, d->tables[g].id,
					   (__u8)i, &tpk, &tby);
				/* both ways, as this node reports it in its hellos */
				json_object_object_add(x, "bytes_to_vmac",
						       json_object_new_int64((int64_t)by));
				json_object_object_add(x, "bytes_to_hosts",
						       json_object_new_int64((int64_t)tby));
				by += tby;
			} else if (d->cl) {
				const struct xglb_fsm_node *n =
				    xglb_fsm_node(&d->cl->fsm[g], f->owner);

				by = n ? n->load[i] : 0;
			}
			json_object_object_add(x, "bytes", json_object_new_int64((int64_t)by));
		}
	}
}

/* What the kernel says is attached at an interface's XDP hook: "native", "generic", ... */
static const char *xdp_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_NONE:
		return "none";
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multiple";
	}
	return "unknown";
}

/* The programs at one tcx hook as last read, by name, in the order they run. */
static struct json_object *tcx_json(const struct xglb_ifkern_if *k, int s)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < k->n_tcx[s]; i++)
		json_object_array_add(a, json_object_new_string(k->tcx[s][i]));
	return a;
}

/*
 * An interface as the kernel has it (an operator may change an MTU, or
 * detach a program, under a running xglbd), as ifkern.c's thread last read
 * it: its MTU ("mtu", absent if unknown) and what is attached at its XDP
 * hook ("xdp": native, generic, offload, multiple, none, unknown) with the
 * program's name ("xdp_program"), with tcx the programs at its tc hooks
 * ("tcx_ingress", "tcx_egress", as `bpftool net` lists them from bpftool
 * 7.3 on), and how old that read is ("kernel_read_age_ms"; null: not read
 * yet). No kernel request here: each takes the rtnl lock or a bpf call,
 * and this runs on the event loop (ifkern.h).
 */
static void iface_kernel_json(struct json_object *j, const struct daemon *d, __u32 ifindex)
{
	static struct xglb_ifkern_if k; /* the event loop's: status is served there only */
	bool read = !xglb_ifkern_get(&d->ifkern, ifindex, &k);
	struct timespec now;

	if (read && k.mtu > 0)
		json_object_object_add(j, "mtu", json_object_new_int(k.mtu));
	json_object_object_add(j, "xdp",
			       json_object_new_string(read && k.xdp != XGLB_IFKERN_XDP_UNKNOWN
							  ? xdp_mode_name(k.xdp)
							  : "unknown"));
	json_object_object_add(j, "xdp_program", json_object_new_string(read ? k.xdp_prog : ""));
	if (d->ld.tcx) {
		if (!read || !k.has_tcx)
			k.n_tcx[0] = k.n_tcx[1] = 0;
		json_object_object_add(j, "tcx_ingress", tcx_json(&k, 0));
		json_object_object_add(j, "tcx_egress", tcx_json(&k, 1));
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	json_object_object_add(
	    j, "kernel_read_age_ms",
	    read ? json_object_new_int64((int64_t)xglb_ifkern_age_ms(
		       k.read_ns, (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec))
		 : NULL);
}

/*
 * An interface's receive VLAN offload ("rx_vlan_offload": on, off, unknown)
 * as the receive VLAN offload thread last read it (at start, after each
 * request, after each link event of the interface: rxvlan.h), and whether
 * this process turned it off ("rx_vlan_offload_ours": a clean stop turns it
 * on again), and how long ago it was read ("rx_vlan_offload_read_age_ms",
 * null: not read yet). No ethtool request here: one takes the rtnl lock, which a
 * driver resetting a NIC may hold for long, and this runs on the event loop.
 * xglbd turns it off where xglb_xdp runs (rxvlan_apply).
 */
static void rxvlan_json(struct json_object *j, const struct daemon *d, int i)
{
	int on = d->nw.gone[i] ? -ENODEV : xglb_rxvlan_state(&d->rxvlan, d->ifs.name[i]);
	const char *v = on < 0 ? "unknown" : "off";
	bool ours = xglb_rxvlan_ours(&d->rxvlan, d->ifs.name[i]);
	__u64 read_ns = xglb_rxvlan_read_ns(&d->rxvlan, d->ifs.name[i]);
	struct timespec now;

	if (on > 0)
		v = "on";
	json_object_object_add(j, "rx_vlan_offload", json_object_new_string(v));
	json_object_object_add(j, "rx_vlan_offload_ours", json_object_new_boolean(ours));
	clock_gettime(CLOCK_MONOTONIC, &now);
	json_object_object_add(
	    j, "rx_vlan_offload_read_age_ms",
	    read_ns ? json_object_new_int64((int64_t)xglb_ifkern_age_ms(
			  read_ns, (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec))
		    : NULL);
}

/*
 * Which hook runs the data path: as configured, and per interface what
 * the loader chose and why, the mode it attached xglb_xdp in ("xdp_mode":
 * native, generic, none), with its MTU and XDP attachment as the kernel
 * last reported them (iface_kernel_json), and its receive VLAN offload (rxvlan_json); "hook" is
 * the group interfaces' common hook, or "mixed"; "rx_vlan_offload_refused":
 * interfaces whose driver kept the offload on when xglbd turned it off.
 */
static struct json_object *datapath_json(const struct daemon *d)
{
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array();
	const char *all = NULL;

	json_object_object_add(o, "config",
			       json_object_new_string(xglb_datapath_name(d->cfg->datapath)));
	json_object_object_add(o, "xdp_mode_config",
			       json_object_new_string(xglb_xdp_mode_name(d->cfg->xdp_mode)));
	json_object_object_add(o, "tc_attach", json_object_new_string(xglb_loader_tc_name(&d->ld)));
	for (int i = 0; i < d->ld.n_if && i < d->ifs.n; i++) {
		struct json_object *j = json_object_new_object();
		const char *hook = xglb_hook_use_name(d->ld.use[i]);

		json_object_object_add(j, "name", json_object_new_string(d->ifs.name[i]));
		json_object_object_add(j, "ifindex", json_object_new_int64(d->ld.ifindex[i]));
		json_object_object_add(j, "driver", json_object_new_string(d->ld.driver[i]));
		json_object_object_add(j, "hook", json_object_new_string(hook));
		json_object_object_add(j, "why", json_object_new_string(d->ld.why[i]));
		json_object_object_add(
		    j, "xdp_mode", json_object_new_string(xglb_attach_mode_name(d->ld.mode[i])));
		iface_kernel_json(j, d, d->ld.ifindex[i]);
		rxvlan_json(j, d, i);
		json_object_array_add(ifs, j);
		if (d->ld.use[i] != XGLB_USE_STEER)
			all = !all || !strcmp(all, hook) ? hook : "mixed";
	}
	json_object_object_add(o, "hook", json_object_new_string(all ? all : "none"));
	json_object_object_add(o, "rx_vlan_offload_refused",
			       json_object_new_int64((int64_t)xglb_rxvlan_refused(&d->rxvlan)));
	json_object_object_add(o, "interfaces", ifs);
	return o;
}

/* Requests refused before a handler saw them, by channel and reason. */
static struct json_object *refused_json(const struct daemon *d)
{
	const struct xglb_ctl_refused *r = &d->ctl.refused;
	struct json_object *o = json_object_new_object(), *c = json_object_new_object(),
			   *h = json_object_new_object();
	enum xglb_http_refusal v;

	json_object_object_add(c, "malformed", json_object_new_int64((int64_t)r->malformed));
	json_object_object_add(c, "too_long", json_object_new_int64((int64_t)r->too_long));
	json_object_object_add(c, "no_newline", json_object_new_int64((int64_t)r->no_newline));
	json_object_object_add(c, "timeout", json_object_new_int64((int64_t)r->timeout));
	json_object_object_add(c, "evicted", json_object_new_int64((int64_t)r->evicted));
	for (v = XGLB_HTTP_PASS + 1; v < XGLB_HTTP_R_MAX; v++)
		json_object_object_add(
		    h, xglb_http_refusal_name(v),
		    json_object_new_int64((int64_t)xglb_http_refused(d->http, v)));
	json_object_object_add(o, "control", c);
	json_object_object_add(o, "http", h);
	return o;
}

/*
 * What the console page needs besides the groups: whether actions are on
 * (a token is loaded, and where from) and every node's configured
 * priority and weight, against which it shows what tracking or a drain
 * left of them.
 */
static struct json_object *console_json(const struct daemon *d)
{
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();

	json_object_object_add(o, "actions", json_object_new_boolean(d->console_token[0] != 0));
	json_object_object_add(o, "token_header", json_object_new_string(XGLB_HTTP_TOKEN_HEADER));
	json_object_object_add(o, "token_file", json_object_new_string(d->console_token_path));
	for (int i = 0; i < d->cfg->n_nodes; i++) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "name", json_object_new_string(d->cfg->nodes[i].name));
		json_object_object_add(n, "id", json_object_new_int64(d->cfg->nodes[i].id));
		json_object_object_add(n, "priority",
				       json_object_new_int(d->cfg->nodes[i].priority));
		json_object_object_add(n, "weight", json_object_new_int(d->cfg->nodes[i].weight));
		json_object_array_add(nodes, n);
	}
	json_object_object_add(o, "nodes", nodes);
	return o;
}

/* A group's virtual IPv6 addresses and RA switch; null for an IPv4-only group. */
static struct json_object *group_ipv6_json(const struct xglb_cfg_group *cg)
{
	struct json_object *o, *v6 = json_object_new_array();
	char a[INET6_ADDRSTRLEN];

	if (!cg->n_addr6) {
		json_object_put(v6);
		return NULL;
	}
	o = json_object_new_object();
	inet_ntop(AF_INET6, cg->addr6[0], a, sizeof(a));
	json_object_object_add(o, "link_local", json_object_new_string(a));
	for (int k = 1; k < cg->n_addr6; k++)
		json_object_array_add(
		    v6, json_object_new_string(inet_ntop(AF_INET6, cg->addr6[k], a, sizeof(a))));
	json_object_object_add(o, "vip6", v6);
	json_object_object_add(o, "ra", json_object_new_boolean(cg->ra.enabled));
	return o;
}

/* Seconds since the last count of xglb_hosts ended, or since counting started. */
static double host_count_age_s(const struct daemon *d, const struct xglb_hostcount_snap *s)
{
	__u64 since = s->walks ? s->done_ns : d->hosts.started_ns, now = now_ns();

	return now > since ? (now - since) / 1e9 : 0;
}

/*
 * The host table as last counted off the event loop (hostcount.h): never
 * walked here. Adds each group's count to its object in GROUPS.
 */
static struct json_object *host_table_json(struct daemon *d, struct json_object *groups)
{
	struct json_object *o = json_object_new_object();
	struct xglb_hostcount_snap s;

	xglb_hostcount_get(&d->hosts, &s);
	json_object_object_add(o, "entries", json_object_new_int64((int64_t)s.entries));
	json_object_object_add(
	    o, "capacity",
	    json_object_new_int64(bpf_map__max_entries(d->ld.skel->maps.xglb_hosts)));
	json_object_object_add(o, "counts", json_object_new_int64((int64_t)s.walks));
	json_object_object_add(o, "count_age_s", json_object_new_double(host_count_age_s(d, &s)));
	json_object_object_add(o, "walk_s", json_object_new_double(s.walk_s));
	for (int g = 0; g < d->cfg->n_groups; g++)
		json_object_object_add(json_object_array_get_idx(groups, g), "hosts",
				       json_object_new_int64(s.hosts[d->cfg->groups[g].id]));
	return o;
}

static struct json_object *commits_json(const struct daemon *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "count", json_object_new_int64((int64_t)d->commits.count));
	json_object_object_add(o, "sum_us", json_object_new_int64(d->commits.sum_s * 1e6));
	json_object_object_add(o, "last_us", json_object_new_int64(d->commits.last_s * 1e6));
	json_object_object_add(o, "max_us", json_object_new_int64(d->commits.max_s * 1e6));
	json_object_object_add(o, "wall_sum_us",
			       json_object_new_int64(d->commits.wall_sum_s * 1e6));
	json_object_object_add(o, "wall_last_us",
			       json_object_new_int64(d->commits.wall_last_s * 1e6));
	json_object_object_add(o, "wall_max_us",
			       json_object_new_int64(d->commits.wall_max_s * 1e6));
	json_object_object_add(o, "grace_waits",
			       json_object_new_int64((int64_t)d->commits.grace_waits));
	json_object_object_add(o, "grace_sum_us",
			       json_object_new_int64(d->commits.grace_sum_s * 1e6));
	return o;
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
	json_object_object_add(
	    node, "priority",
	    json_object_new_int(d->cl ? d->cl->self_prio : cfg->nodes[cfg->self].priority));
	json_object_object_add(
	    node, "weight",
	    json_object_new_int(d->cl ? d->cl->self_weight : cfg->nodes[cfg->self].weight));
	json_object_object_add(node, "drained", json_object_new_boolean(d->drained));
	json_object_object_add(o, "node", node);
	json_object_object_add(o, "mode", json_object_new_string(d->cl ? "membership" : "static"));
	json_object_object_add(o, "datapath", datapath_json(d));
	json_object_object_add(o, "tables_version", json_object_new_int64(d->version));
	json_object_object_add(o, "hosts_redistributed", json_object_new_int64(d->redistributed));
	json_object_object_add(o, "hosts_redistributed_again",
			       json_object_new_int64(d->redist_repeated));
	json_object_object_add(o, "redistribution", redistribution_json(d));
	json_object_object_add(o, "event_loop", event_loop_json(d));
	json_object_object_add(o, "ipv6", ra_json(d));
	for (int g = 0; g < cfg->n_groups; g++)
		json_object_array_add(groups, d->cl ? xglb_cluster_group_json(d->cl, g, now)
						    : static_group_json(d, g));
	for (int g = 0; g < cfg->n_groups; g++) {
		json_object_object_add(json_object_array_get_idx(groups, g), "withdrawn",
				       netwatch_json(d, g));
		json_object_object_add(json_object_array_get_idx(groups, g), "ipv6",
				       group_ipv6_json(&cfg->groups[g]));
	}
	json_object_object_add(o, "groups", groups);
	json_object_object_add(o, "host_table", host_table_json(d, groups));
	json_object_object_add(o, "commits", commits_json(d));
	add_forwarder_bytes(d, groups);
	nic_status(d, o, groups); /* interfaces, each forwarder's, the NIC moves */
	for (int g = 0; g < cfg->n_groups; g++)
		json_object_object_add(json_object_array_get_idx(groups, g), "fast_path",
				       json_object_new_boolean(cfg->groups[g].fast_path));
	json_object_object_add(o, "fast_path", fastpath_json(d));
	json_object_object_add(o, "netwatch", netwatch_status(d));
	json_object_object_add(o, "node_address", nodeaddr_json(d));
	json_object_object_add(o, "events", xglb_log_recent());
	if (d->cl)
		json_object_object_add(o, "membership", xglb_cluster_rx_json(d->cl));
	json_object_object_add(o, "tracking", xglb_tracker_json(&d->trk));
	json_object_object_add(o, "requests_refused", refused_json(d));
	json_object_object_add(o, "console", console_json(d));
	json_object_object_add(o, "rx_filter", xglb_rxf_json(d->rxf));
	json_object_object_add(o, "conflicts", conflicts_json(d));
	return o;
}

/* Sum of a per-CPU forwarder counter. */
static void fwd_counts(const struct daemon *d, const struct bpf_map *map, __u8 gid, __u8 idx,
		       __u64 *pk, __u64 *by)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(map);
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

static __u64 map_entries(const struct daemon *d, const struct bpf_map *map,
			 const struct xglb_hostcount_snap *hosts)
{
	int fd = bpf_map__fd(map);
	__u64 n = 0;
	__u8 key[64], next[64];
	void *prev = NULL;

	if (map == d->ld.skel->maps.xglb_hosts)
		return hosts->entries; /* the large ones: counted off the event loop */
	if (bpf_map__type(map) == BPF_MAP_TYPE_ARRAY ||
	    bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY)
		return bpf_map__max_entries(map);
	if (map == d->ld.skel->maps.xglb_seen)
		return hosts->seen_entries;
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
	struct xglb_hostcount_snap hosts;
	const struct bpf_map *map;
	__u64 vals[ncpu];

	memset(dp, 0, sizeof(*dp));
	for (__u32 r = 0; r < XGLB_R_MAX; r++)
		if (bpf_map_lookup_elem(fd, &r, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				dp->reasons[r] += vals[c];
	for (int g = 0; g < d->cfg->n_groups; g++)
		for (int f = 0;
		     f < d->tables[g].n_fwd && dp->n_fwd < XGLB_MAX_GROUPS * XGLB_MAX_FWD; f++) {
			dp->fwd[dp->n_fwd].gid = d->tables[g].id;
			dp->fwd[dp->n_fwd].index = (__u8)f;
			fwd_counts(d, d->ld.skel->maps.xglb_fwd_stats, d->tables[g].id, (__u8)f,
				   &dp->fwd[dp->n_fwd].packets, &dp->fwd[dp->n_fwd].bytes);
			fwd_counts(d, d->ld.skel->maps.xglb_fwd_tx_stats, d->tables[g].id, (__u8)f,
				   &dp->fwd[dp->n_fwd].tx_packets, &dp->fwd[dp->n_fwd].tx_bytes);
			dp->n_fwd++;
		}
	/* never walked here: a million hosts would hold up hellos for most of a second */
	xglb_hostcount_get((struct xglb_hostcount *)&d->hosts, &hosts);
	memcpy(dp->hosts, hosts.hosts, sizeof(dp->hosts));
	memcpy(dp->hosts4, hosts.hosts4, sizeof(dp->hosts4));
	memcpy(dp->hosts6, hosts.hosts6, sizeof(dp->hosts6));
	dp->host_walks = hosts.walks;
	dp->host_walk_s = hosts.walk_s;
	dp->host_count_age_s = host_count_age_s(d, &hosts);
	dp->commits = d->commits;
	bpf_object__for_each_map(map, d->ld.skel->obj)
	{
		if (dp->n_maps == XGLB_METRICS_MAPS || strncmp(bpf_map__name(map), "xglb_", 5))
			continue;
		dp->maps[dp->n_maps].name = bpf_map__name(map);
		dp->maps[dp->n_maps].capacity = bpf_map__max_entries(map);
		dp->maps[dp->n_maps].entries = map_entries(d, map, &hosts);
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

static struct json_object *http_action(void *ctx, const struct xglb_ctl_req *req, const char *who)
{
	return ctl_handle_from(ctx, req, who);
}

/*
 * The console token: console-token-file, or state-dir/console-token,
 * created (0600) when absent. At start a bad file stops xglbd, naming it;
 * at a reload the running token stays and the error is logged. Without
 * http-listen there is nothing to load.
 */
int console_token_load(struct daemon *d, bool reloading)
{
	char tok[XGLB_TOKEN_MAX + 1], path[sizeof(d->console_token_path)], err[1024];
	bool created;
	int ret;

	if (!d->cfg->http_listen[0])
		return 0;
	if (d->cfg->console_token_file[0])
		snprintf(path, sizeof(path), "%s", d->cfg->console_token_file);
	else
		snprintf(path, sizeof(path), "%s/%s", d->cfg->state_dir, XGLB_TOKEN_FILE);
	ret = xglb_token_load(path, true, tok, &created, err, sizeof(err));
	if (ret) {
		pr_err("console token: %s (console-token-file%s, in %s)%s", err,
		       d->cfg->console_token_file[0] ? "" : ": state-dir/" XGLB_TOKEN_FILE,
		       d->config_path,
		       reloading ? "; keeping the running token" : "; not starting");
		sodium_memzero(tok, sizeof(tok));
		return ret;
	}
	memcpy(d->console_token, tok, sizeof(tok));
	sodium_memzero(tok, sizeof(tok));
	snprintf(d->console_token_path, sizeof(d->console_token_path), "%s", path);
	if (created)
		pr_info("console token created in %s (mode 0600): console actions need it", path);
	return 0;
}

int http_start(struct daemon *d)
{
	struct xglb_http_ops ops = {.ctx = d,
				    .status = http_status,
				    .metrics = http_metrics,
				    .action = http_action,
				    .token = d->console_token};
	struct epoll_event ev = {.events = EPOLLIN};
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

void http_stop(struct daemon *d)
{
	if (!d->http)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, xglb_http_fd(d->http), NULL);
	xglb_http_stop(d->http);
	d->http = NULL;
}

/* The group a request names ("group": id), or the first one. -1 if none matches. */
static int req_group(const struct daemon *d, const struct xglb_ctl_req *req)
{
	if (!req->group)
		return d->cfg->n_groups ? 0 : -1;
	for (int g = 0; g < d->cfg->n_groups; g++)
		if (d->cfg->groups[g].id == req->group)
			return g;
	return -1;
}

/* What an operator request asked, for the log: "move forwarder 1 to r1 in group 1 (persistence 3)".
 */
static void admin_text(const struct xglb_ctl_req *req, char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");

	if (!f) {
		snprintf(out, len, "%s", xglb_ctl_cmd_name(req->cmd));
		return;
	}
	fputs(xglb_ctl_cmd_name(req->cmd), f);
	if (req->forwarder >= 0)
		fprintf(f, " forwarder %d", req->forwarder);
	if (req->node[0])
		fprintf(f, "%s%s", req->forwarder >= 0 ? " to " : " node ", req->node);
	if (req->group)
		fprintf(f, " in group %d", req->group);
	if (req->persistence >= 0)
		fprintf(f, " (persistence %d)", req->persistence);
	fclose(f);
}

static struct json_object *cmd_admin_do(struct daemon *d, __u8 op, const struct xglb_ctl_req *req);

/* move, prefer, unpin, drain, undrain, logged with who asked and what came of it. */
static struct json_object *cmd_admin(struct daemon *d, __u8 op, const struct xglb_ctl_req *req,
				     const char *who)
{
	struct json_object *o = cmd_admin_do(d, op, req), *e;
	char what[160];

	admin_text(req, what, sizeof(what));
	if (json_object_object_get_ex(o, "error", &e))
		pr_warn("%s: %s: %s", who, what, json_object_get_string(e));
	else
		pr_info("%s: %s: %s", who, what,
			json_object_get_boolean(json_object_object_get(o, "applied"))
			    ? "applied by this node"
			    : "sent to the group's AVG in hellos");
	return o;
}

/* The fields' types were checked by xglb_ctl_parse. */
static struct json_object *cmd_admin_do(struct daemon *d, __u8 op, const struct xglb_ctl_req *req)
{
	struct json_object *o;
	int g = req_group(d, req), node = -1, fwd = 0, ret;
	__u8 pers = req->persistence >= 0 ? (__u8)req->persistence : XGLB_ADMIN_KEEP;

	if (!d->cl)
		return xglb_ctl_error("this node runs a static configuration: no membership to "
				      "change (configure membership:)");
	if (g < 0)
		return xglb_ctl_error("no such group");
	if (req->forwarder >= 0) {
		fwd = req->forwarder;
		if (fwd >= d->cfg->groups[g].n_fwd)
			return xglb_ctl_error("group %u has no forwarder %d (0..%d)",
					      d->cfg->groups[g].id, fwd,
					      d->cfg->groups[g].n_fwd - 1);
	}
	if (op == XGLB_ADMIN_PREFER && !strcmp(req->node, "none")) {
		node = -1; /* no preferred owner: target 0 */
	} else if (req->node[0]) {
		node = xglb_node_by_name(d->cfg, req->node);
		if (node < 0)
			return xglb_ctl_error("no node named '%s'", req->node);
	}
	ret = xglb_cluster_admin(d->cl, g, op, (__u8)fwd, pers,
				 node >= 0 ? d->cfg->nodes[node].id : 0, now_ns());
	arm_membership(d);
	if (ret < 0)
		return xglb_ctl_error("refused: %s", strerror(-ret));
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(true));
	json_object_object_add(o, "applied", json_object_new_boolean(ret == 1));
	json_object_object_add(
	    o, "via",
	    json_object_new_string(ret == 1 ? "this node" : "sent to the group in hellos"));
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

struct json_object *ctl_handle(void *ctx, const struct xglb_ctl_req *req)
{
	return ctl_handle_from(ctx, req, "control socket");
}

struct json_object *ctl_handle_from(void *ctx, const struct xglb_ctl_req *req, const char *who)
{
	switch (req->cmd) {
	case XGLB_CTL_STATUS:
		return cmd_status(ctx);
	case XGLB_CTL_MOVE:
		return cmd_admin(ctx, XGLB_ADMIN_MOVE, req, who);
	case XGLB_CTL_PREFER:
		return cmd_admin(ctx, XGLB_ADMIN_PREFER, req, who);
	case XGLB_CTL_UNPIN:
		return cmd_admin(ctx, XGLB_ADMIN_UNPIN, req, who);
	case XGLB_CTL_DRAIN:
		return cmd_admin(ctx, XGLB_ADMIN_DRAIN, req, who);
	case XGLB_CTL_UNDRAIN:
		return cmd_admin(ctx, XGLB_ADMIN_UNDRAIN, req, who);
	case XGLB_CTL_RELOAD:
		return cmd_reload(ctx);
	default:
		return xglb_ctl_error("unknown command");
	}
}

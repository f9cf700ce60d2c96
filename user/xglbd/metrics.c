// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* metrics.c - renders the Prometheus exposition format (version 0.0.4) from status and counters. */
#include <stdbool.h>
#include <string.h>
#include "metrics.h"
#include "names.h"

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

/* Element i of array a; NULL past its end or when a is NULL, which ends a loop over it. */
static struct json_object *elem(struct json_object *a, size_t i)
{
	return a && i < json_object_array_length(a) ? json_object_array_get_idx(a, i) : NULL;
}

static long long num(struct json_object *o, const char *k)
{
	return json_object_get_int64(get(o, k));
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric of one series without labels: its HELP and TYPE lines, then NAME V. */
static void scalar(FILE *out, const char *name, const char *type, const char *help, long long v)
{
	head(out, name, type, help);
	fprintf(out, "%s %lld\n", name, v);
}

/* A counter of two series, NAME{LABEL="a"} va and NAME{LABEL="b"} vb. */
static void counter2(FILE *out, const char *name, const char *help, const char *lbl, const char *a,
		     long long va, const char *b, long long vb)
{
	head(out, name, "counter", help);
	fprintf(out, "%s{%s=\"%s\"} %lld\n%s{%s=\"%s\"} %lld\n", name, lbl, a, va, name, lbl, b,
		vb);
}

/* A counter with one series per member of o, whatever its members: NAME{LABEL="member"} value. */
static void counter_each(FILE *out, const char *name, const char *help, const char *lbl,
			 struct json_object *o)
{
	head(out, name, "counter", help);
	json_object_object_foreach(o, k, v)
	{
		fprintf(out, "%s{%s=\"%s\"} %lld\n", name, lbl, k,
			(long long)json_object_get_int64(v));
	}
}

/* A counter with one series per key of o: NAME{LABEL="key"} o.key. */
static void counter_by_key(FILE *out, const char *name, const char *help, const char *lbl,
			   const char *const *keys, size_t n, struct json_object *o)
{
	head(out, name, "counter", help);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s{%s=\"%s\"} %lld\n", name, lbl, keys[i], num(o, keys[i]));
}

/* Label values come from our own config (names, addresses): escape anyway. */
static void label(FILE *out, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*v, out);
	}
}

/* NAME{L1="v1",...} 1: one series of an info metric, lv the n label names and values in turn. */
static void info_series(FILE *out, const char *name, const char *const *lv, size_t n)
{
	fputs(name, out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%c%s=\"", i ? ',' : '{', lv[2 * i]);
		label(out, lv[2 * i + 1]);
		fputc('"', out);
	}
	fputs("} 1\n", out);
}
#define INFO_SERIES(out, name, ...)                                                                \
	info_series(out, name, (const char *const[]){__VA_ARGS__},                                 \
		    sizeof((const char *const[]){__VA_ARGS__}) / (2 * sizeof(const char *)))

static const char *str(struct json_object *o, const char *k)
{
	return json_object_get_string(get(o, k));
}

/* "METRIC{group="ID",node="NAME"} " for peer X of group G, up to its value. */
static void peer_series(FILE *out, const char *metric, struct json_object *g, struct json_object *x)
{
	fprintf(out, "%s{group=\"%lld\",node=\"", metric, num(g, "id"));
	label(out, json_object_get_string(get(x, "name")));
	fputs("\"} ", out);
}

/* One sample of metric for item x of group g's array (group_items). */
typedef void (*group_item_fn)(FILE *out, const char *metric, struct json_object *g,
			      struct json_object *x);

/* The metric's HELP and TYPE, then each for every item of the array key of every group. */
static void group_items(FILE *out, struct json_object *groups, const char *key, const char *metric,
			const char *help, group_item_fn each)
{
	size_t n = groups ? json_object_array_length(groups) : 0;

	head(out, metric, "gauge", help);
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i), *a = get(g, key);

		for (size_t k = 0; a && k < json_object_array_length(a); k++)
			each(out, metric, g, json_object_array_get_idx(a, k));
	}
}

static void fwd_owner(FILE *out, const char *metric, struct json_object *g, struct json_object *x)
{
	fprintf(out, "%s{group=\"%lld\",forwarder=\"%lld\"} %lld\n", metric, num(g, "id"),
		num(x, "index"), num(x, "owner"));
}

static void fwd_weight(FILE *out, const char *metric, struct json_object *g, struct json_object *x)
{
	struct json_object *w = get(x, "effective_weight");

	fprintf(out, "%s{group=\"%lld\",forwarder=\"%lld\"} %lld\n", metric, num(g, "id"),
		num(x, "index"), w ? json_object_get_int64(w) : num(x, "weight"));
}

static void fwd_interface(FILE *out, const char *metric, struct json_object *g,
			  struct json_object *x)
{
	const char *ifn = json_object_get_string(get(x, "interface"));

	if (!ifn || !*ifn)
		return;
	fprintf(out, "%s{group=\"%lld\",forwarder=\"%lld\",interface=\"", metric, num(g, "id"),
		num(x, "index"));
	label(out, ifn);
	fputs("\"} 1\n", out);
}

static void iface_live(FILE *out, const char *metric, struct json_object *g, struct json_object *x)
{
	fprintf(out, "%s{group=\"%lld\",interface=\"", metric, num(g, "id"));
	label(out, json_object_get_string(get(x, "name")));
	fprintf(out, "\"} %d\n", json_object_get_boolean(get(x, "live")));
}

/* One gauge per peer of every group: its status field (age_ms as seconds, else a boolean). */
static void peer_gauge(FILE *out, struct json_object *groups, const char *metric, const char *help,
		       const char *field)
{
	bool age = !strcmp(field, "age_ms");
	size_t n = groups ? json_object_array_length(groups) : 0;

	head(out, metric, "gauge", help);
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i), *p = get(g, "peers");

		for (size_t k = 0; p && k < json_object_array_length(p); k++) {
			struct json_object *x = json_object_array_get_idx(p, k);

			peer_series(out, metric, g, x);
			if (age)
				fprintf(out, "%.3f\n", num(x, "age_ms") / 1000.0);
			else
				fprintf(out, "%d\n", json_object_get_boolean(get(x, field)));
		}
	}
}

static const char *verdict_of(const char *reason)
{
	if (strstr(reason, "_drop_"))
		return "drop";
	if (strstr(reason, "_tx_"))
		return "tx";
	/* Of the steering reasons only "steered" leaves for a peer; the rest stay. The fast
	 * path's routed frames leave by a devmap redirect. */
	if (!strcmp(reason, "tc_steer_steered") || !strcmp(reason, "xdp_fp_redirect"))
		return "redirect";
	return "pass";
}

const double xglb_commit_le_s[XGLB_COMMIT_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
						      0.005,  0.01,    0.025,  0.1,   0.5};

void xglb_commit_hist_add(struct xglb_commit_hist *h, double s)
{
	h->count++;
	h->sum_s += s;
	h->last_s = s;
	if (s > h->max_s)
		h->max_s = s;
	for (int i = 0; i < XGLB_COMMIT_BUCKETS; i++)
		h->le[i] += s <= xglb_commit_le_s[i];
}

void xglb_commit_hist_wall(struct xglb_commit_hist *h, double wall_s, double grace_s)
{
	h->wall_sum_s += wall_s;
	h->wall_last_s = wall_s;
	if (wall_s > h->wall_max_s)
		h->wall_max_s = wall_s;
	if (grace_s > 0) {
		h->grace_waits++;
		h->grace_sum_s += grace_s;
	}
}

static void render_commits(FILE *out, const struct xglb_commit_hist *h)
{
	head(out, "xglb_commit_seconds", "histogram",
	     "Agent CPU time of each table commit: the tables of the groups that changed built, "
	     "the inactive bank written, the flip.");
	for (int i = 0; i < XGLB_COMMIT_BUCKETS; i++)
		fprintf(out, "xglb_commit_seconds_bucket{le=\"%g\"} %llu\n", xglb_commit_le_s[i],
			(unsigned long long)h->le[i]);
	fprintf(out, "xglb_commit_seconds_bucket{le=\"+Inf\"} %llu\n",
		(unsigned long long)h->count);
	fprintf(out, "xglb_commit_seconds_sum %.6f\n", h->sum_s);
	fprintf(out, "xglb_commit_seconds_count %llu\n", (unsigned long long)h->count);
	head(out, "xglb_commit_max_seconds", "gauge",
	     "The most CPU time a table commit took since the start.");
	fprintf(out, "xglb_commit_max_seconds %.6f\n", h->max_s);
	head(out, "xglb_commit_wall_seconds_total", "counter",
	     "Wall time of the table commits: their CPU time and what the agent slept in them "
	     "(grace periods, kernel locks, scheduled out).");
	fprintf(out, "xglb_commit_wall_seconds_total %.6f\n", h->wall_sum_s);
	head(out, "xglb_commit_wall_max_seconds", "gauge",
	     "The longest wall time of a table commit since the start.");
	fprintf(out, "xglb_commit_wall_max_seconds %.6f\n", h->wall_max_s);
	head(out, "xglb_commit_grace_waits_total", "counter",
	     "Table commits that waited for an RCU grace period before rewriting a bank.");
	fprintf(out, "xglb_commit_grace_waits_total %llu\n", (unsigned long long)h->grace_waits);
	head(out, "xglb_commit_grace_seconds_total", "counter",
	     "Wall time table commits spent waiting for RCU grace periods.");
	fprintf(out, "xglb_commit_grace_seconds_total %.6f\n", h->grace_sum_s);
}

static void render_dataplane(FILE *out, const struct xglb_dp_snapshot *dp)
{
	head(out, "xglb_packets_total", "counter",
	     "Packets seen by the xglb programs, by program verdict and reason.");
	for (int r = 0; r < XGLB_R_MAX; r++) {
		fprintf(out, "xglb_packets_total{verdict=\"%s\",reason=\"%s\"} %llu\n",
			verdict_of(xglb_reason_name(r)), xglb_reason_name(r),
			(unsigned long long)dp->reasons[r]);
	}
	head(out, "xglb_arp_replies_total", "counter",
	     "ARP replies for a VIP sent by the data path (AVG answers and vMAC confirmations), "
	     "at XDP or tc.");
	fprintf(out, "xglb_arp_replies_total %llu\n",
		(unsigned long long)(dp->reasons[XGLB_R_XDP_TX_ARP_REPLY] +
				     dp->reasons[XGLB_R_XDP_TX_ARP_UNICAST] +
				     dp->reasons[XGLB_R_XDP_TX_ARP_UNTRACKED] +
				     dp->reasons[XGLB_R_TC_TX_ARP_REPLY] +
				     dp->reasons[XGLB_R_TC_TX_ARP_UNICAST] +
				     dp->reasons[XGLB_R_TC_TX_ARP_UNTRACKED]));
	head(out, "xglb_forwarder_packets_total", "counter",
	     "Frames this node accepted for a virtual forwarder it owns.");
	for (int i = 0; i < dp->n_fwd; i++)
		fprintf(out, "xglb_forwarder_packets_total{group=\"%u\",forwarder=\"%u\"} %llu\n",
			dp->fwd[i].gid, dp->fwd[i].index, (unsigned long long)dp->fwd[i].packets);
	head(out, "xglb_forwarder_bytes_total", "counter",
	     "Bytes of frames this node accepted for a virtual forwarder it owns.");
	for (int i = 0; i < dp->n_fwd; i++)
		fprintf(out, "xglb_forwarder_bytes_total{group=\"%u\",forwarder=\"%u\"} %llu\n",
			dp->fwd[i].gid, dp->fwd[i].index, (unsigned long long)dp->fwd[i].bytes);
	head(out, "xglb_forwarder_return_packets_total", "counter",
	     "Frames this node sent to the hosts of a virtual forwarder it owns.");
	for (int i = 0; i < dp->n_fwd; i++)
		fprintf(out,
			"xglb_forwarder_return_packets_total{group=\"%u\",forwarder=\"%u\"} %llu\n",
			dp->fwd[i].gid, dp->fwd[i].index,
			(unsigned long long)dp->fwd[i].tx_packets);
	head(out, "xglb_forwarder_return_bytes_total", "counter",
	     "Bytes of frames this node sent to the hosts of a virtual forwarder it owns.");
	for (int i = 0; i < dp->n_fwd; i++)
		fprintf(out,
			"xglb_forwarder_return_bytes_total{group=\"%u\",forwarder=\"%u\"} %llu\n",
			dp->fwd[i].gid, dp->fwd[i].index, (unsigned long long)dp->fwd[i].tx_bytes);
	head(out, "xglb_map_entries", "gauge",
	     "Entries in each BPF map (xglb_hosts: as counted off the event loop, once a second).");
	for (int i = 0; i < dp->n_maps; i++)
		fprintf(out, "xglb_map_entries{map=\"%s\"} %llu\n", dp->maps[i].name,
			(unsigned long long)dp->maps[i].entries);
	head(out, "xglb_map_capacity", "gauge", "Maximum entries of each BPF map.");
	for (int i = 0; i < dp->n_maps; i++)
		fprintf(out, "xglb_map_capacity{map=\"%s\"} %llu\n", dp->maps[i].name,
			(unsigned long long)dp->maps[i].capacity);
	head(out, "xglb_hosts_count_age_seconds", "gauge",
	     "Age of the host counts (xglb_hosts_assigned, xglb_hosts_family, xglb_map_entries of "
	     "xglb_hosts): since their walk, off the event loop, ended; since the start before the "
	     "first.");
	fprintf(out, "xglb_hosts_count_age_seconds %.3f\n", dp->host_count_age_s);
	head(out, "xglb_hosts_count_walk_seconds", "gauge",
	     "How long the last walk counting xglb_hosts took.");
	fprintf(out, "xglb_hosts_count_walk_seconds %.3f\n", dp->host_walk_s);
	head(out, "xglb_hosts_counts_total", "counter", "Completed walks counting xglb_hosts.");
	fprintf(out, "xglb_hosts_counts_total %llu\n", (unsigned long long)dp->host_walks);
	render_commits(out, &dp->commits);
	head(out, "xglb_table_flips_total", "counter", "Atomic switches of the data-plane tables.");
	fprintf(out, "xglb_table_flips_total %llu\n", (unsigned long long)dp->flips);
	head(out, "xglb_heartbeat_age_seconds", "gauge",
	     "Age of the agent heartbeat the data path checks its ARP lease against.");
	fprintf(out, "xglb_heartbeat_age_seconds %.3f\n", dp->heartbeat_age_s);
}

static void render_groups(FILE *out, struct json_object *status, const struct xglb_dp_snapshot *dp)
{
	struct json_object *groups = get(status, "groups");
	size_t n = groups ? json_object_array_length(groups) : 0;
	static const char *const roles[] = {"avg", "standby", "listen"};

	head(out, "xglb_group_role", "gauge", "1 for this node's role in the group.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i);
		const char *role = json_object_get_string(get(g, "role"));

		for (int r = 0; r < 3; r++)
			fprintf(out, "xglb_group_role{group=\"%lld\",role=\"%s\"} %d\n",
				num(g, "id"), roles[r], role && !strcmp(role, roles[r]));
	}
	head(out, "xglb_group_fast_path", "gauge",
	     "1 if the group's frames to this node's vMACs are routed inside XDP (fast-path).");
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i);

		fprintf(out, "xglb_group_fast_path{group=\"%lld\"} %d\n", num(g, "id"),
			json_object_get_boolean(get(g, "fast_path")));
	}
	head(out, "xglb_fast_path_egress_interfaces", "gauge",
	     "Interfaces the fast path may send frames out of (they take XDP redirects).");
	fprintf(out, "xglb_fast_path_egress_interfaces %zu\n",
		get(get(status, "fast_path"), "egress")
		    ? json_object_array_length(get(get(status, "fast_path"), "egress"))
		    : 0);
	head(out, "xglb_group_state_version", "gauge", "Version of the group state applied here.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i);

		fprintf(out, "xglb_group_state_version{group=\"%lld\"} %lld\n", num(g, "id"),
			num(g, "version"));
	}
	head(out, "xglb_hosts_assigned", "gauge",
	     "Hosts in this node's host table (filled while it is AVG), per group, as counted off "
	     "the event loop once a second.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i);
		long long id = num(g, "id");

		fprintf(out, "xglb_hosts_assigned{group=\"%lld\"} %u\n", id,
			id > 0 && id < XGLB_MAX_GROUPS ? dp->hosts[id] : 0);
	}
	head(out, "xglb_hosts_family", "gauge",
	     "Hosts in this node's host table by the family they asked in: ipv4 (ARP), ipv6 "
	     "(neighbour solicitation); a dual-stack host, one forwarder for both, counts in "
	     "both.");
	for (size_t i = 0; i < n; i++) {
		long long id = num(json_object_array_get_idx(groups, i), "id");
		bool ok = id > 0 && id < XGLB_MAX_GROUPS;

		fprintf(out, "xglb_hosts_family{group=\"%lld\",family=\"ipv4\"} %u\n", id,
			ok ? dp->hosts4[id] : 0);
		fprintf(out, "xglb_hosts_family{group=\"%lld\",family=\"ipv6\"} %u\n", id,
			ok ? dp->hosts6[id] : 0);
	}
	peer_gauge(out, groups, "xglb_peer_up",
		   "1 while a node of the group is heard within hold time.", "up");
	peer_gauge(out, groups, "xglb_peer_last_heard_seconds", "Time since a node was last heard.",
		   "age_ms");
	peer_gauge(out, groups, "xglb_peer_heard",
		   "1 once a hello of the node arrived since xglbd started; 0: never heard "
		   "(last_heard_seconds then counts from the start).",
		   "heard");
	group_items(out, groups, "forwarders", "xglb_forwarder_owner",
		    "Node id that owns each virtual forwarder (0: none).", fwd_owner);
	group_items(out, groups, "forwarders", "xglb_forwarder_weight",
		    "Share of new hosts each forwarder gets.", fwd_weight);
}

/* Withdrawals by what the kernel's interfaces say, and the rtnetlink monitor's counters. */
static void render_netwatch(FILE *out, struct json_object *status)
{
	static const char *const reasons[] = {"interface-missing", "forwarding-off",
					      "ipv6-forwarding-off", "no-carrier",
					      "node-address-lost"};
	static const char *const msgs[] = {"events", "ignored", "malformed"};
	static const char *const acts[] = {"reattached", "mac_changes", "vip_restored",
					   "local_updates", "errors"};
	struct json_object *groups = get(status, "groups"), *nw = get(status, "netwatch");
	size_t n = groups ? json_object_array_length(groups) : 0;

	head(out, "xglb_group_withdrawn", "gauge",
	     "1 while this node withdraws from the group for the reason (an interface missing: "
	     "priority and weight 0; forwarding off: weight 0; IPv6 forwarding off in a group "
	     "that serves IPv6: weight 0, no RAs from this node; no interface with carrier: "
	     "priority and weight 0; the node address with no live interface to be on: priority "
	     "and weight 0).");
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(groups, i),
				   *w = get(g, "withdrawn");

		for (size_t r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++) {
			int on = 0;

			for (size_t k = 0; w && k < json_object_array_length(w); k++)
				on |=
				    !strcmp(json_object_get_string(json_object_array_get_idx(w, k)),
					    reasons[r]);
			fprintf(out, "xglb_group_withdrawn{group=\"%lld\",reason=\"%s\"} %d\n",
				num(g, "id"), reasons[r], on);
		}
	}
	if (!nw)
		return;
	counter_by_key(out, "xglb_netlink_messages_total",
		       "rtnetlink messages the interface monitor read, by result (events decoded, "
		       "ignored, malformed and skipped).",
		       "result", msgs, sizeof(msgs) / sizeof(msgs[0]), nw);
	scalar(out, "xglb_netlink_overruns_total", "counter",
	       "Times the kernel dropped interface events for xglbd (every interface was read "
	       "again).",
	       num(nw, "overruns"));
	counter_by_key(
	    out, "xglb_interface_actions_total",
	    "What xglbd did about interface changes: programs attached again to a "
	    "re-created interface, MAC changes followed, VIPs put back on lo (and virtual "
	    "IPv6 addresses on the group interfaces), local-address updates, errors.",
	    "action", acts, sizeof(acts) / sizeof(acts[0]), nw);
}

/* The node address on the segment's interfaces: where it can be, what moving it did. */
static void render_node_address(FILE *out, struct json_object *na)
{
	static const char *const acts[] = {
	    "moves",	       "returns",      "failures",	     "steps_down",
	    "gratuitous_arps", "routes_moved", "neighbours_flushed", "errors"};

	if (!na)
		return;
	scalar(out, "xglb_node_address_lost", "gauge",
	       "1 while the node address has no live interface of the segment to be on (the node "
	       "withdraws from every group, reason node-address-lost).",
	       json_object_get_boolean(get(na, "lost")));
	counter_by_key(out, "xglb_node_address_actions_total",
		       "What following the live interfaces did to the node address: moves off an "
		       "interface without carrier, returns after nic-return-ms, adds that failed, "
		       "steps down, gratuitous ARPs, routes moved, neighbour entries flushed, "
		       "other errors.",
		       "action", acts, sizeof(acts) / sizeof(acts[0]), na);
}

/*
 * A node's interfaces on a group's segment (nicfail.c): which one carries
 * each owned forwarder, which are live, and the moves between them.
 */
static void render_nics(FILE *out, struct json_object *status)
{
	struct json_object *groups = get(status, "groups"), *nic = get(status, "nics");

	if (!nic)
		return;
	group_items(out, groups, "forwarders", "xglb_forwarder_interface",
		    "1 for the interface each forwarder this node owns is bound to (its learning "
		    "frames, its vMAC's switch port).",
		    fwd_interface);
	group_items(out, groups, "interfaces", "xglb_group_interface_live",
		    "1 while a group interface of this node carries forwarders (carrier, and back "
		    "for nic-return-ms); 0 without carrier or within the delay.",
		    iface_live);
	scalar(out, "xglb_nic_moves_total", "counter",
	       "Forwarders moved from one of this node's interfaces to another (carrier lost, or "
	       "back after nic-return-ms): no membership change.",
	       num(nic, "moves"));
	counter2(out, "xglb_nic_carrier_events_total",
		 "Carrier (or administrative state) changes of group interfaces, by event.",
		 "event", "lost", num(nic, "carrier_lost"), "back", num(nic, "carrier_back"));
}

/* The interfaces' unicast filters: entries, promiscuous fallback, and what changed them. */
static void render_rx_filter(FILE *out, struct json_object *rf)
{
	static const struct {
		const char *key, *op;
	} ops[] = {
	    {"added", "added"},	    {"removed", "removed"},
	    {"adopted", "adopted"}, {"stale_removed", "stale_removed"},
	    {"refused", "refused"}, {"restored", "restored"},
	    {"errors", "error"},
	};
	static const char *const modes[] = {"auto", "off", "promiscuous"};
	/* per interface: a count of the array "entries", else the field's number (true is 1) */
	static const struct {
		const char *name, *type, *help, *field;
		bool count;
	} series[] = {
	    {"xglb_rx_filter_entries", "gauge",
	     "Owned vMACs on an interface's unicast filter (added by xglb).", "entries", true},
	    {"xglb_rx_filter_missing", "gauge",
	     "Owned vMACs the interface refused in its unicast filter.", "missing", false},
	    {"xglb_rx_filter_promiscuous", "gauge",
	     "1 while xglb holds the interface in promiscuous mode (its filter refused a vMAC, or "
	     "rx-filter: promiscuous).",
	     "promiscuous", false},
	    {"xglb_rx_filter_promiscuous_fallbacks_total", "counter",
	     "Times an interface went promiscuous because its unicast filter refused a vMAC.",
	     "promiscuous_fallbacks", false},
	};
	struct json_object *ifs = get(rf, "interfaces");
	size_t n = ifs ? json_object_array_length(ifs) : 0;

	if (!rf)
		return;
	head(out, "xglb_rx_filter_mode", "gauge",
	     "1 for the configured rx-filter mode: auto (owned vMACs on the unicast filters, "
	     "promiscuous where refused), off (filters left alone), promiscuous.");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(out, "xglb_rx_filter_mode{mode=\"%s\"} %d\n", modes[i],
			!strcmp(modes[i], json_object_get_string(get(rf, "mode")) ?: ""));
	for (size_t m = 0; m < sizeof(series) / sizeof(series[0]); m++) {
		head(out, series[m].name, series[m].type, series[m].help);
		for (size_t i = 0; i < n; i++) {
			struct json_object *x = json_object_array_get_idx(ifs, i);
			struct json_object *v = get(x, series[m].field);
			long long val = series[m].count ? (long long)json_object_array_length(v)
							: num(x, series[m].field);

			fprintf(out, "%s{interface=\"", series[m].name);
			label(out, json_object_get_string(get(x, "name")));
			fprintf(out, "\"} %lld\n", val);
		}
	}
	head(out, "xglb_rx_filter_changes_total", "counter",
	     "Unicast filter entries by what happened: added, removed, adopted (found from an "
	     "earlier run), stale_removed (of those, no longer owned), refused by the device, "
	     "restored (an owned entry removed by someone else or a driver, put back), error (a "
	     "netlink request that failed).");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fprintf(out, "xglb_rx_filter_changes_total{op=\"%s\"} %lld\n", ops[i].op,
			num(rf, ops[i].key));
}

/* Router advertisements, router solicitations by result, moving NAs (status "ipv6"). */
/* The owner's redistribution and the data path's learning of xglb_seen (status "redistribution").
 */
static void render_seen(FILE *out, struct json_object *redist)
{
	static const char *const skipped[] = {"skipped_stale", "skipped_iface",
					      "skipped_no_address"};
	struct json_object *s = redist ? get(redist, "seen") : NULL,
			   *l = s ? get(s, "learning") : NULL;

	if (!redist)
		return;
	scalar(out, "xglb_redist_again_dropped_total", "counter",
	       "Moved hosts that get no second reply: the queue of second replies was full.",
	       num(redist, "again_dropped"));
	if (!s)
		return;
	counter2(
	    out, "xglb_redist_owner_hosts_told_total",
	    "Hosts of forwarders removed while this node held them, told their new vMAC on the "
	    "interface they were seen on (first and second replies).",
	    "time", "first", num(s, "hosts_told"), "again", num(s, "hosts_told_again"));
	head(out, "xglb_redist_owner_hosts_skipped_total", "counter",
	     "Hosts seen using a removed forwarder that were not told, by reason.");
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		fprintf(out, "xglb_redist_owner_hosts_skipped_total{reason=\"%s\"} %lld\n",
			skipped[i] + 8, num(s, skipped[i]));
	fprintf(out, "xglb_redist_owner_hosts_skipped_total{reason=\"no_forwarder\"} %lld\n",
		num(s, "no_forwarder"));
	fprintf(out, "xglb_redist_owner_hosts_skipped_total{reason=\"send_error\"} %lld\n",
		num(s, "send_errors"));
	scalar(out, "xglb_seen_hosts_aged_total", "counter",
	       "Entries of xglb_seen deleted after XGLB_SEEN_AGE_S without a frame.",
	       num(s, "aged"));
	if (!l)
		return;
	counter_each(out, "xglb_seen_learn_total",
		     "What the data path did with a frame to an owned vMAC whose host it had not "
		     "learnt this epoch: new, update, or refused (full, bad source) or not learnt "
		     "(not IP).",
		     "result", l);
}

static void render_ipv6(FILE *out, struct json_object *v6)
{
	struct json_object *rs = get(v6, "rs");

	if (!v6 || !rs)
		return;
	head(out, "xglb_ra_sent_total", "counter",
	     "Router advertisements sent from the groups' virtual link-locals: unsolicited "
	     "(periodic, every node), solicited (the AVG's answers), final (router lifetime 0, "
	     "sent by the last router of a group as it stops advertising), error (sendto "
	     "failed).");
	fprintf(out, "xglb_ra_sent_total{kind=\"unsolicited\"} %lld\n", num(v6, "ra_sent"));
	fprintf(out, "xglb_ra_sent_total{kind=\"solicited\"} %lld\n", num(v6, "ra_answers"));
	fprintf(out, "xglb_ra_sent_total{kind=\"final\"} %lld\n", num(v6, "ra_final"));
	fprintf(out, "xglb_ra_sent_total{kind=\"error\"} %lld\n", num(v6, "ra_errors"));
	scalar(out, "xglb_ra_final_skipped_total", "counter",
	       "Groups this node stopped advertising (stop, reload) without a final RA: other "
	       "routers of the group remained to advertise the gateway.",
	       num(v6, "ra_final_skipped"));
	counter_each(
	    out, "xglb_rs_received_total",
	    "Router solicitations by what became of them: answered, not_avg (the AVG "
	    "answers), ratelimited, invalid (RFC 4861 checks), no_group (no group with RAs "
	    "on that interface), no_router (IPv6 forwarding off here and no other router of "
	    "the group forwards).",
	    "result", rs);
	scalar(out, "xglb_na_moved_total", "counter",
	       "Unsolicited NAs (override) sent to IPv6 hosts moved off removed forwarders, one "
	       "per virtual IPv6 address, first and repeated.",
	       num(v6, "na_moved"));
}

/* Counters of group events and membership datagrams, from status. */
static void render_events(FILE *out, struct json_object *status)
{
	static const struct {
		const char *key, *name, *help;
	} ev[] = {
	    {"avg_changes", "xglb_avg_changes_total", "Changes of the AVG this node follows."},
	    {"owner_changes", "xglb_owner_changes_total", "Forwarder ownership changes."},
	    {"failovers", "xglb_failovers_total",
	     "Forwarders moved because their owner went down."},
	    {"removals", "xglb_forwarder_removals_total",
	     "Forwarders removed when their takeover timed out."},
	    {"rebalances", "xglb_rebalances_total", "Forwarders moved by load balancing."},
	    {"gaps", "xglb_membership_gaps_total",
	     "Membership ticks after more than two hello intervals without one (the daemon "
	     "stalled or its clock jumped); peers' silence in the gap was not counted."},
	};
	struct json_object *groups = get(status, "groups"), *mem = get(status, "membership"),
			   *trk = get(status, "tracking"), *objs = trk ? get(trk, "objects") : NULL,
			   *o, *refused = get(status, "requests_refused");
	size_t n = groups ? json_object_array_length(groups) : 0;

	for (size_t e = 0; e < sizeof(ev) / sizeof(ev[0]); e++) {
		head(out, ev[e].name, "counter", ev[e].help);
		for (size_t i = 0; i < n; i++) {
			struct json_object *g = json_object_array_get_idx(groups, i);
			struct json_object *st = get(g, "events");

			fprintf(out, "%s{group=\"%lld\"} %lld\n", ev[e].name, num(g, "id"),
				st ? num(st, ev[e].key) : 0);
		}
	}
	scalar(out, "xglb_hosts_redistributed_total", "counter",
	       "Hosts moved off removed forwarders by unsolicited ARP replies.",
	       num(status, "hosts_redistributed"));
	head(out, "xglb_hosts_redistributed_again_total", "counter",
	     "Second unsolicited ARP replies to moved hosts, sent after their ARP lock time.");
	fprintf(out, "xglb_hosts_redistributed_again_total %lld\n",
		num(status, "hosts_redistributed_again"));
	render_seen(out, get(status, "redistribution"));
	render_ipv6(out, get(status, "ipv6"));
	if (mem) {
		head(out, "xglb_membership_datagrams_total", "counter",
		     "Membership datagrams received, by result (ok or the reason of rejection).");
		json_object_object_foreach(mem, k, v)
		{
			if (!strncmp(k, "tx_", 3))
				continue;
			fprintf(out, "xglb_membership_datagrams_total{result=\"%s\"} %lld\n", k,
				(long long)json_object_get_int64(v));
		}
		head(out, "xglb_membership_sent_total", "counter",
		     "Membership datagrams sent, by result.");
		fprintf(out, "xglb_membership_sent_total{result=\"ok\"} %lld\n", num(mem, "tx_ok"));
		fprintf(out, "xglb_membership_sent_total{result=\"error\"} %lld\n",
			num(mem, "tx_errors"));
	}
	render_netwatch(out, status);
	render_node_address(out, get(status, "node_address"));
	render_nics(out, status);
	if (refused) {
		head(out, "xglb_requests_refused_total", "counter",
		     "Control-socket and HTTP requests refused before they were handled, by "
		     "channel and reason.");
		json_object_object_foreach(refused, ch, reasons)
		{
			if (!json_object_is_type(reasons, json_type_object))
				continue;
			json_object_object_foreach(reasons, k, v)
			    fprintf(out,
				    "xglb_requests_refused_total{channel=\"%s\",reason=\"%s\"} "
				    "%lld\n",
				    ch, k, (long long)json_object_get_int64(v));
		}
	}
	render_rx_filter(out, get(status, "rx_filter"));
	if (trk) {
		head(out, "xglb_node_priority", "gauge", "This node's effective priority.");
		fprintf(out, "xglb_node_priority %lld\n", num(trk, "priority"));
		head(out, "xglb_node_weight", "gauge",
		     "This node's effective weight (0 while withdrawn as forwarder).");
		fprintf(out, "xglb_node_weight %lld\n", num(trk, "weight"));
		head(out, "xglb_tracked_object_up", "gauge",
		     "1 while a tracked object is healthy.");
		for (size_t i = 0; (o = elem(objs, i)); i++) {
			fputs("xglb_tracked_object_up{object=\"", out);
			label(out, json_object_get_string(get(o, "name")));
			fprintf(out, "\",type=\"%s\"} %d\n", json_object_get_string(get(o, "type")),
				json_object_get_boolean(get(o, "up")));
		}
	}
}

/* Per interface: the hook its data path runs on, and its XDP program's mode (status "datapath"). */
static void render_datapath(FILE *out, struct json_object *status)
{
	struct json_object *dpj = get(status, "datapath"), *ifs = get(dpj, "interfaces"), *x;

	if (!dpj)
		return;
	head(out, "xglb_datapath_info", "gauge",
	     "The hook each interface runs the data path on (xdp, tc; steering: no group), as "
	     "the configured datapath (auto, xdp, tc) chose it.");
	for (size_t i = 0; (x = elem(ifs, i)); i++)
		INFO_SERIES(out, "xglb_datapath_info", "interface", str(x, "name"), "hook",
			    str(x, "hook"), "driver", str(x, "driver"), "config",
			    str(dpj, "config"));
	head(out, "xglb_iface_xdp_mode", "gauge",
	     "The mode xglbd attached xglb_xdp in on each interface (native, generic; none: the "
	     "data path is at tc), as the configured xdp-mode (auto, native, generic) chose it.");
	for (size_t i = 0; (x = elem(ifs, i)); i++)
		INFO_SERIES(out, "xglb_iface_xdp_mode", "iface", str(x, "name"), "mode",
			    str(x, "xdp_mode"));
	for (size_t i = 0, n = 0; (x = elem(ifs, i)); i++) {
		const char *v = str(x, "rx_vlan_offload");

		if (!v || (strcmp(v, "on") && strcmp(v, "off")))
			continue;
		if (!n++) /* a family with no sample is not written */
			head(out, "xglb_iface_rx_vlan_offload", "gauge",
			     "Receive VLAN offload (ethtool rx-vlan-offload) of each interface: 1 "
			     "on, 0 off; absent if the driver does not say. xglbd turns it off "
			     "where "
			     "xglb_xdp runs, so 802.1Q tags stay in the frame, where XDP sees "
			     "them.");
		fputs("xglb_iface_rx_vlan_offload{iface=\"", out);
		label(out, str(x, "name"));
		fprintf(out, "\"} %d\n", !strcmp(v, "on"));
	}
	scalar(out, "xglb_rx_vlan_offload_refused_total", "counter",
	       "Interfaces running xglb_xdp whose driver kept receive VLAN offload on when xglbd "
	       "turned it off (tags may be invisible to XDP there: use datapath tc).",
	       num(dpj, "rx_vlan_offload_refused"));
}

/* Conflicts the data path reported (user/xglbd/conflict.c), from status. */
static void render_conflicts(FILE *out, struct json_object *status)
{
	struct json_object *c = get(status, "conflicts"), *groups = c ? get(c, "groups") : NULL, *g;
	static const char *const kinds[] = {"vip", "vmac", "vip6"};

	if (!c)
		return;
	head(out, "xglb_conflicts_total", "counter",
	     "Frames claiming a VIP (kind vip), a virtual IPv6 address (kind vip6) or a vMAC this "
	     "node owns (kind vmac) that the data path reported, per group.");
	for (size_t i = 0; (g = elem(groups, i)); i++) {
		for (int k = 0; k < 3; k++)
			fprintf(out, "xglb_conflicts_total{group=\"%lld\",kind=\"%s\"} %lld\n",
				num(g, "id"), kinds[k], num(g, kinds[k]));
	}
	head(out, "xglb_conflict_defence_passes_total", "counter",
	     "Passes of the AVG over its host table telling hosts their vMAC again after a "
	     "station claimed the VIP (family ipv4) or a virtual IPv6 address (family ipv6): the "
	     "first, and its repeat 1.5 s later, per group.");
	for (size_t i = 0; (g = elem(groups, i)); i++) {
		static const char *const keys[4] = {"vip_passes", "vip_repeats", "vip6_passes",
						    "vip6_repeats"};

		for (int k = 0; k < 4; k++)
			fprintf(out,
				"xglb_conflict_defence_passes_total{group=\"%lld\",family=\"%s\","
				"pass=\"%s\"} %lld\n",
				num(g, "id"), k < 2 ? "ipv4" : "ipv6", k & 1 ? "repeat" : "first",
				num(g, keys[k]));
	}
	counter2(
	    out, "xglb_conflict_events_dropped_total",
	    "Conflict reports the data path did not send: over its budget (a flood) or the ring "
	    "was full.",
	    "cause", "budget", num(c, "events_suppressed"), "ring_full", num(c, "events_lost"));
	scalar(out, "xglb_conflict_hosts_defended_total", "counter",
	       "Replies telling a host its vMAC again after a station claimed the VIP.",
	       num(c, "hosts_defended"));
	scalar(out, "xglb_conflict_na_defended_total", "counter",
	       "Unsolicited NAs telling an IPv6 host its vMAC again after a station claimed a "
	       "virtual IPv6 address.",
	       num(c, "na_defended"));
}

/*
 * How late the hellos went out (status "event_loop", loop.c): one histogram
 * per cause, from the bucket counts and bounds (le_us) status gives; the
 * grace periods paid off the event loop.
 */
static void render_loop(FILE *out, struct json_object *loop)
{
	static const char *const causes[] = {"wake", "busy", "sent"};
	struct json_object *t = get(loop, "hello_timer"), *le = t ? get(t, "le_us") : NULL,
			   *gr = get(loop, "grace"), *st = get(loop, "stall");

	if (!t || !le)
		return;
	if (st) {
		head(out, "xglb_event_loop_stall_max_seconds", "gauge",
		     "The event loop's longest stall since the start: the latest a membership "
		     "deadline (hellos, hold expiries) was met, by cause: busy (the loop's own "
		     "work still running), wake (the scheduler woke it late); the two add up.");
		fprintf(out, "xglb_event_loop_stall_max_seconds{cause=\"busy\"} %.6f\n",
			num(st, "busy_us") / 1e6);
		fprintf(out, "xglb_event_loop_stall_max_seconds{cause=\"wake\"} %.6f\n",
			(num(st, "max_us") - num(st, "busy_us")) / 1e6);
		head(out, "xglb_event_loop_stall_max_timestamp_seconds", "gauge",
		     "When the event loop's longest stall (xglb_event_loop_stall_max_seconds) "
		     "ended, in seconds since the Unix epoch; 0: no deadline met late yet.");
		fprintf(out, "xglb_event_loop_stall_max_timestamp_seconds %.3f\n",
			json_object_get_double(get(st, "at")));
	}
	head(out, "xglb_hello_delay_seconds", "histogram",
	     "How late the membership deadlines (hellos) were met: wake (the loop sat idle in "
	     "epoll_wait past the deadline: the scheduler woke it late), busy (a turn begun "
	     "before it still ran), sent (from the deadline until its hellos were sent).");
	for (size_t c = 0; c < sizeof(causes) / sizeof(causes[0]); c++) {
		struct json_object *x = get(t, causes[c]), *b = x ? get(x, "buckets") : NULL;
		long long cum = 0;
		size_t n = b ? json_object_array_length(b) : 0;

		for (size_t i = 0; i < n; i++) {
			char bound[32] = "+Inf";

			cum += json_object_get_int64(elem(b, i));
			if (i + 1 < n)
				snprintf(bound, sizeof(bound), "%g",
					 json_object_get_int64(elem(le, i)) / 1e6);
			fprintf(out,
				"xglb_hello_delay_seconds_bucket{le=\"%s\",cause=\"%s\"} %lld\n",
				bound, causes[c], cum);
		}
		fprintf(out, "xglb_hello_delay_seconds_sum{cause=\"%s\"} %.6f\n", causes[c],
			num(x, "sum_us") / 1e6);
		fprintf(out, "xglb_hello_delay_seconds_count{cause=\"%s\"} %lld\n", causes[c], cum);
	}
	if (gr)
		counter2(out, "xglb_grace_periods_total",
			 "Grace periods after table switches paid by the grace thread, off the "
			 "event loop: ok, or refused (membarrier failed: the next commit pays it).",
			 "result", "ok", num(gr, "runs"), "refused", num(gr, "errors"));
}

void xglb_metrics_render(FILE *out, struct json_object *status, const struct xglb_dp_snapshot *dp,
			 const char *version)
{
	struct json_object *node = get(status, "node");

	head(out, "xglb_build_info", "gauge", "Version of xglb, and this node.");
	fprintf(out, "xglb_build_info{version=\"%s\",node=\"", version);
	label(out, json_object_get_string(get(node, "name")));
	fprintf(out, "\",mode=\"%s\"} 1\n", json_object_get_string(get(status, "mode")));
	render_dataplane(out, dp);
	render_datapath(out, status);
	render_groups(out, status, dp);
	render_events(out, status);
	render_conflicts(out, status);
	render_loop(out, get(status, "event_loop"));
}

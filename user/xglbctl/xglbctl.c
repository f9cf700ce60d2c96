// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglbctl.c - the operator's CLI: asks xglbd over its control socket (status,
 * admin, reload) and reads its pinned maps (stats, tables, hosts).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "hosttab.h"
#include "config.h"
#include "names.h"
#include "xglb.h"

struct ctl {
	const char *pin_root;
	const char *socket;
	bool json;
	int group;	 /* --group, 0 = the first */
	int persistence; /* --persistence, -1 = not given */
	int argc;	 /* positional arguments after the command */
	char **argv;
};

/*
 * One request to xglbd's control socket; returns the parsed reply or NULL
 * after printing why (socket missing, daemon not running, daemon error).
 */
static struct json_object *ask_req(const struct ctl *c, struct json_object *request);

static struct json_object *ask(const struct ctl *c, const char *command)
{
	struct json_object *r = json_object_new_object(), *rep;

	json_object_object_add(r, "command", json_object_new_string(command));
	rep = ask_req(c, r);
	json_object_put(r);
	return rep;
}

static struct json_object *ask_req(const struct ctl *c, struct json_object *request)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct json_object *rep, *err;
	char req[1024], *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	if (strlen(c->socket) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "xglbctl: socket path too long: %s\n", c->socket);
		return NULL;
	}
	strcpy(sa.sun_path, c->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "xglbctl: %s: %s (is xglbd running? see --socket)\n", c->socket,
			errno == ENOENT		? "no such socket"
			: errno == ECONNREFUSED ? "nobody listening"
						: strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	snprintf(req, sizeof(req), "%s\n",
		 json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN));
	if (write(fd, req, strlen(req)) < 0) {
		fprintf(stderr, "xglbctl: %s: %s\n", c->socket, strerror(errno));
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (!buf || !len) {
		fprintf(stderr, "xglbctl: %s: xglbd closed the connection without a reply\n",
			c->socket);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	rep = json_tokener_parse(buf);
	free(buf);
	if (!rep) {
		fprintf(stderr, "xglbctl: %s: the reply is not JSON\n", c->socket);
		return NULL;
	}
	if (json_object_object_get_ex(rep, "error", &err)) {
		fprintf(stderr, "xglbctl: xglbd: %s\n", json_object_get_string(err));
		json_object_put(rep);
		return NULL;
	}
	return rep;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

static const char *js(struct json_object *o, const char *k)
{
	const char *v = json_object_get_string(jget(o, k));

	return v ? v : "";
}

static long long ji(struct json_object *o, const char *k)
{
	return json_object_get_int64(jget(o, k));
}

static const char *jyes(struct json_object *o, const char *k)
{
	return json_object_get_boolean(jget(o, k)) ? "yes" : "no";
}

static int cmd_status(const struct ctl *c)
{
	struct json_object *r = ask(c, "status"), *groups, *node, *dp, *fp;

	if (!r)
		return 1;
	if (c->json) {
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY));
		json_object_put(r);
		return 0;
	}
	node = jget(r, "node");
	printf("node %s (id %lld, boot %lld), priority %lld, weight %lld, %s mode, tables version "
	       "%lld\n",
	       js(node, "name"), ji(node, "id"), ji(node, "boot"), ji(node, "priority"),
	       ji(node, "weight"), js(r, "mode"), ji(r, "tables_version"));
	if (jget(r, "host_table")) {
		struct json_object *ht = jget(r, "host_table"), *cm = jget(r, "commits");

		printf("host table %lld of %lld entries (counted %.1f s ago, off the event loop); "
		       "table commits %lld, last %lld us of CPU (%lld us wall), longest %lld us of "
		       "CPU\n",
		       ji(ht, "entries"), ji(ht, "capacity"),
		       json_object_get_double(jget(ht, "count_age_s")), ji(cm, "count"),
		       ji(cm, "last_us"), ji(cm, "wall_last_us"), ji(cm, "max_us"));
	}
	if (jget(jget(r, "event_loop"), "stall")) {
		struct json_object *st = jget(jget(r, "event_loop"), "stall");

		if (jget(st, "at"))
			printf(
			    "event loop: longest stall %.1f ms (%.1f ms of it busy), %.0f s ago\n",
			    ji(st, "max_us") / 1e3, ji(st, "busy_us") / 1e3,
			    json_object_get_double(jget(st, "ago_s")));
		else
			printf("event loop: no stall yet\n");
	}
	dp = jget(r, "datapath");
	if (dp) {
		struct json_object *ifs = jget(dp, "interfaces");

		printf(
		    "datapath %s (configured %s, xdp-mode %s, tc programs on %s):", js(dp, "hook"),
		    js(dp, "config"), js(dp, "xdp_mode_config"), js(dp, "tc_attach"));
		for (size_t i = 0; i < json_object_array_length(ifs); i++) {
			struct json_object *x = json_object_array_get_idx(ifs, i);

			printf("%s %s %s (%s, driver %s)", i ? "," : "", js(x, "name"),
			       js(x, "hook"), js(x, "why"),
			       *js(x, "driver") ? js(x, "driver") : "unknown");
			if (!strcmp(js(x, "hook"), "xdp"))
				printf(" %s", js(x, "xdp_mode"));
		}
		printf("\n");
		/* as xglbd's interface read thread last read them (READ: how long ago; at
		 * least every 2 s, and after each link event: an MTU change shows at once) */
		printf("\n  %-16s %-6s %-9s %-16s %-7s %s\n", "INTERFACE", "MTU", "XDP",
		       "XDP_PROGRAM", "READ", "RX_VLAN_OFFLOAD");
		for (size_t i = 0; i < json_object_array_length(ifs); i++) {
			struct json_object *x = json_object_array_get_idx(ifs, i);
			char age[16] = "-";

			if (jget(x, "kernel_read_age_ms"))
				snprintf(age, sizeof(age), "%.1fs",
					 (double)ji(x, "kernel_read_age_ms") / 1000.0);
			printf("  %-16s %-6s %-9s %-16s %-7s %s%s\n", js(x, "name"),
			       jget(x, "mtu") ? js(x, "mtu") : "?", js(x, "xdp"),
			       *js(x, "xdp_program") ? js(x, "xdp_program") : "-", age,
			       jget(x, "rx_vlan_offload") ? js(x, "rx_vlan_offload") : "?",
			       json_object_get_boolean(jget(x, "rx_vlan_offload_ours"))
				   ? " (turned off by xglbd)"
				   : "");
		}
	}
	fp = jget(r, "fast_path");
	if (fp && json_object_array_length(jget(fp, "groups"))) {
		struct json_object *eg = jget(fp, "egress");

		printf("fast path: out of");
		for (size_t i = 0; i < json_object_array_length(eg); i++)
			printf("%s %s", i ? "," : "",
			       json_object_get_string(json_object_array_get_idx(eg, i)));
		printf("%s (interfaces that take XDP redirects)\n",
		       json_object_array_length(eg) ? "" : " none");
	}
	groups = jget(r, "groups");
	for (size_t i = 0; i < json_object_array_length(groups); i++) {
		struct json_object *g = json_object_array_get_idx(groups, i), *p = jget(g, "peers"),
				   *f = jget(g, "forwarders");

		printf("\ngroup %lld  vip %s  role %s", ji(g, "id"), js(g, "vip"), js(g, "role"));
		if (jget(g, "avg"))
			printf("  avg %s  standby %lld  state version %lld", js(g, "avg_name"),
			       ji(g, "standby"), ji(g, "version"));
		printf("  fast-path %s",
		       json_object_get_boolean(jget(g, "fast_path")) ? "on" : "off");
		if (jget(g, "hosts"))
			printf("  hosts %lld", ji(g, "hosts"));
		printf("\n");
		if (p) {
			printf("  %-12s %-6s %-5s %-8s %-5s %-7s %-4s %s\n", "NODE", "ID", "UP",
			       "AGE_MS", "PRIO", "WEIGHT", "AVG", "DEMOTED");
			for (size_t k = 0; k < json_object_array_length(p); k++) {
				struct json_object *n = json_object_array_get_idx(p, k);

				printf("  %-12s %-6lld %-5s %-8lld %-5lld %-7lld %-4s %s\n",
				       js(n, "name"), ji(n, "id"),
				       json_object_get_boolean(jget(n, "self")) ? "self"
										: jyes(n, "up"),
				       ji(n, "age_ms"), ji(n, "priority"), ji(n, "weight"),
				       jyes(n, "avg"), jyes(n, "demoted"));
			}
		}
		printf("  %-5s %-17s %-12s %-9s %-7s %-6s %-6s %-5s %s\n", "FWD", "VMAC", "OWNER",
		       "PREFERRED", "PERSIST", "WEIGHT", "ACTIVE", "LOCAL", "NEW_HOSTS");
		for (size_t k = 0; k < json_object_array_length(f); k++) {
			struct json_object *x = json_object_array_get_idx(f, k);

			printf("  %-5lld %-17s %-12s %-9lld %-7lld %-6lld %-6s %-5s %s\n",
			       ji(x, "index"), js(x, "vmac"),
			       *js(x, "owner_name") ? js(x, "owner_name") : js(x, "owner"),
			       ji(x, "preferred"), ji(x, "persistence"), ji(x, "weight"),
			       jyes(x, "active"), jyes(x, "local"),
			       jget(x, "new_hosts") ? jyes(x, "new_hosts") : "-");
		}
	}
	if (jget(r, "rx_filter")) {
		struct json_object *rf = jget(r, "rx_filter"), *ifs = jget(rf, "interfaces");

		printf(
		    "\nunicast filter (rx-filter %s): added %lld, removed %lld, "
		    "adopted %lld, stale removed %lld, refused %lld, promiscuous fallbacks %lld, "
		    "restored %lld, errors %lld\n",
		    js(rf, "mode"), ji(rf, "added"), ji(rf, "removed"), ji(rf, "adopted"),
		    ji(rf, "stale_removed"), ji(rf, "refused"), ji(rf, "promiscuous_fallbacks"),
		    ji(rf, "restored"), ji(rf, "errors"));
		printf("  %-15s %-7s %-7s %-12s %s\n", "INTERFACE", "PROMISC", "MISSING", "REFUSED",
		       "ENTRIES");
		for (size_t k = 0; k < json_object_array_length(ifs); k++) {
			struct json_object *x = json_object_array_get_idx(ifs, k), *e;

			e = jget(x, "entries");
			printf("  %-15s %-7s %-7lld %-12s", js(x, "name"), jyes(x, "promiscuous"),
			       ji(x, "missing"), jget(x, "refused") ? js(x, "refused") : "-");
			/* every vMAC of the interface's groups: 16 per group, so the first few */
			for (size_t m = 0; m < json_object_array_length(e) && m < 8; m++)
				printf(" %s",
				       json_object_get_string(json_object_array_get_idx(e, m)));
			if (json_object_array_length(e) > 8)
				printf(" ... (%zu in all)", json_object_array_length(e));
			printf("%s\n", json_object_array_length(e) ? "" : " -");
		}
	}
	if (jget(r, "conflicts")) {
		struct json_object *cf = jget(r, "conflicts"), *cgs = jget(cf, "groups");

		printf(
		    "\nconflicts: hosts told again by ARP %lld, by NA %lld; events held back %lld, "
		    "lost %lld\n",
		    ji(cf, "hosts_defended"), ji(cf, "na_defended"), ji(cf, "events_suppressed"),
		    ji(cf, "events_lost"));
		printf("  %-5s %-8s %-8s %-8s %-12s %-16s %-10s %s\n", "GROUP", "VIP", "VMAC",
		       "VIP6", "VIP6_NA_SENT", "VIP_REPLIES_SENT", "VIP_PASSES", "VIP6_PASSES");
		for (size_t k = 0; k < json_object_array_length(cgs); k++) {
			struct json_object *x = json_object_array_get_idx(cgs, k);
			char p4[48], p6[48];

			/* passes begun: first ones + their repeats */
			snprintf(p4, sizeof(p4), "%lld+%lld", ji(x, "vip_passes"),
				 ji(x, "vip_repeats"));
			snprintf(p6, sizeof(p6), "%lld+%lld", ji(x, "vip6_passes"),
				 ji(x, "vip6_repeats"));
			printf("  %-5lld %-8lld %-8lld %-8lld %-12lld %-16lld %-10s %s\n",
			       ji(x, "id"), ji(x, "vip"), ji(x, "vmac"), ji(x, "vip6"),
			       ji(x, "vip6_na_sent"), ji(x, "vip_replies_sent"), p4, p6);
		}
	}
	if (jget(r, "membership")) {
		printf("\nmembership datagrams:");
		json_object_object_foreach(jget(r, "membership"), k, v)
		    printf(" %s=%lld", k, (long long)json_object_get_int64(v));
		printf("\n");
	}
	json_object_put(r);
	return 0;
}

/* Open a pinned map; the message names the path and what to do. */
static int open_map(const struct ctl *c, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->pin_root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "xglbctl: %s: %s (is xglbd running? see --pin-root)\n", path,
			strerror(errno));
	return fd;
}

static __u64 now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int read_ctl(const struct ctl *c, struct xglb_ctl *v)
{
	__u32 zero = 0;
	int fd = open_map(c, XGLB_MAP_CTL), err;

	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &zero, v);
	close(fd);
	return err;
}

/* Per-CPU sums of xglb_stats. */
static int read_reasons(const struct ctl *c, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus(), fd = open_map(c, XGLB_MAP_STATS);
	__u64 *vals;

	if (fd < 0)
		return -1;
	vals = calloc(ncpu, sizeof(*vals));
	for (__u32 r = 0; r < XGLB_R_MAX; r++) {
		out[r] = 0;
		if (bpf_map_lookup_elem(fd, &r, vals) == 0)
			for (int i = 0; i < ncpu; i++)
				out[r] += vals[i];
	}
	free(vals);
	close(fd);
	return 0;
}

static int read_group(int fd, __u32 bank, __u32 gid, struct xglb_group *g)
{
	__u32 key = XGLB_GROUP_KEY(bank, gid);

	return bpf_map_lookup_elem(fd, &key, g) == 0 && (g->flags & XGLB_GRP_ENABLED) ? 0 : -1;
}

static int cmd_stats(const struct ctl *c)
{
	int ncpu = libbpf_num_possible_cpus(), gfd, sfd, n = 0;
	__u64 reasons[XGLB_R_MAX];
	struct xglb_fwd_stats *vals;
	struct xglb_ctl ctl;
	struct xglb_group g;

	if (read_reasons(c, reasons) || read_ctl(c, &ctl))
		return 1;
	gfd = open_map(c, XGLB_MAP_GROUPS);
	sfd = open_map(c, XGLB_MAP_FWD_STATS);
	if (gfd < 0 || sfd < 0)
		return 1;
	vals = calloc(ncpu, sizeof(*vals));
	printf(c->json ? "{\"reasons\": {" : "%-28s %14s\n", "REASON", "PACKETS");
	for (int r = 0; r < XGLB_R_MAX; r++)
		printf(c->json ? "%s\"%s\": %llu" : "%s%-28s %14llu\n", c->json && r ? ", " : "",
		       xglb_reason_name(r), (unsigned long long)reasons[r]);
	printf(c->json ? "}, \"forwarders\": [" : "\n%-5s %-5s %-17s %-6s %12s %14s\n", "GROUP",
	       "INDEX", "VMAC", "LOCAL", "PACKETS", "BYTES");
	for (__u32 gid = 1; gid < XGLB_MAX_GROUPS; gid++) {
		if (read_group(gfd, ctl.active_bank & 1, gid, &g))
			continue;
		for (__u32 i = 0; i < g.n_fwd; i++) {
			__u32 key = gid * XGLB_MAX_FWD + i;
			__u64 pk = 0, by = 0;
			char mac[XGLB_MAC_STR];

			if (bpf_map_lookup_elem(sfd, &key, vals) == 0)
				for (int k = 0; k < ncpu; k++) {
					pk += vals[k].packets;
					by += vals[k].bytes;
				}
			xglb_fmt_mac(mac, g.fwd[i].vmac);
			if (c->json)
				printf("%s{\"group\": %u, \"index\": %u, \"vmac\": \"%s\", "
				       "\"local\": %s, \"packets\": %llu, \"bytes\": %llu}",
				       n++ ? ", " : "", gid, i, mac,
				       g.fwd[i].flags & XGLB_FWD_LOCAL ? "true" : "false",
				       (unsigned long long)pk, (unsigned long long)by);
			else
				printf("%-5u %-5u %-17s %-6s %12llu %14llu\n", gid, i, mac,
				       g.fwd[i].flags & XGLB_FWD_LOCAL ? "yes" : "no",
				       (unsigned long long)pk, (unsigned long long)by);
		}
	}
	if (c->json)
		printf("]}\n");
	free(vals);
	close(gfd);
	close(sfd);
	return 0;
}

static const char *policy_str(__u8 p)
{
	static const char *const names[] = {"round-robin", "weighted", "host-dependent"};

	return p < XGLB_POLICY_MAX ? names[p] : "unknown";
}

static const char *jbool(int v)
{
	return v ? "true" : "false";
}

static int cmd_tables(const struct ctl *c)
{
	struct xglb_ctl ctl;
	struct xglb_group g;
	__u64 age_ms;
	int gfd, n = 0;

	if (read_ctl(c, &ctl))
		return 1;
	gfd = open_map(c, XGLB_MAP_GROUPS);
	if (gfd < 0)
		return 1;
	age_ms = (now_ns(CLOCK_MONOTONIC) - ctl.heartbeat_ns) / 1000000;
	if (c->json)
		printf("{\"active_bank\": %u, \"flips\": %llu, \"heartbeat_age_ms\": %llu, "
		       "\"lease_ms\": %llu, \"groups\": [",
		       ctl.active_bank, (unsigned long long)ctl.flips, (unsigned long long)age_ms,
		       (unsigned long long)ctl.lease_ns / 1000000);
	else
		printf("active bank %u, %llu flips, heartbeat %llu ms ago, lease %llu ms\n",
		       ctl.active_bank, (unsigned long long)ctl.flips, (unsigned long long)age_ms,
		       (unsigned long long)ctl.lease_ns / 1000000);
	for (__u32 gid = 1; gid < XGLB_MAX_GROUPS; gid++) {
		char vip[INET_ADDRSTRLEN];

		if (read_group(gfd, ctl.active_bank & 1, gid, &g))
			continue;
		inet_ntop(AF_INET, &g.vip, vip, sizeof(vip));
		if (c->json) {
			char ifmac[XGLB_GROUP_IFACES][XGLB_MAC_STR];

			for (int i = 0; i < XGLB_GROUP_IFACES; i++)
				xglb_fmt_mac(ifmac[i], g.ifmac[i]);
			printf("%s{\"id\": %u, \"vip\": \"%s\", \"policy\": \"%s\", \"avg\": %s, "
			       "\"version\": %u, \"slots\": %u, \"ifindex\": [%u, %u, %u, %u], "
			       "\"ifmac\": [\"%s\", \"%s\", \"%s\", \"%s\"], \"forwarders\": [",
			       n++ ? ", " : "", gid, vip, policy_str(g.policy),
			       jbool(g.flags & XGLB_GRP_AVG), g.version, g.n_slots, g.ifindex[0],
			       g.ifindex[1], g.ifindex[2], g.ifindex[3], ifmac[0], ifmac[1],
			       ifmac[2], ifmac[3]);
		} else
			printf("\ngroup %u  vip %s  policy %s  %s  version %u  %u slots\n"
			       "  %-5s %-17s %-10s %-6s %-6s %-6s %-6s\n",
			       gid, vip, policy_str(g.policy),
			       g.flags & XGLB_GRP_AVG ? "AVG" : "not AVG", g.version, g.n_slots,
			       "INDEX", "VMAC", "OWNER", "WEIGHT", "ACTIVE", "LOCAL", "NEW");
		for (__u32 i = 0; i < g.n_fwd; i++) {
			const struct xglb_fwd *f = &g.fwd[i];
			char mac[XGLB_MAC_STR];

			xglb_fmt_mac(mac, f->vmac);
			if (c->json)
				printf("%s{\"index\": %u, \"vmac\": \"%s\", \"owner\": %u, "
				       "\"weight\": %u, \"active\": %s, \"local\": %s, "
				       "\"new_ok\": %s}",
				       i ? ", " : "", i, mac, f->owner, f->weight,
				       jbool(f->flags & XGLB_FWD_ACTIVE),
				       jbool(f->flags & XGLB_FWD_LOCAL),
				       jbool(f->flags & XGLB_FWD_NEW_OK));
			else
				printf("  %-5u %-17s %-10u %-6u %-6s %-6s %-6s\n", i, mac, f->owner,
				       f->weight, f->flags & XGLB_FWD_ACTIVE ? "yes" : "no",
				       f->flags & XGLB_FWD_LOCAL ? "yes" : "no",
				       f->flags & XGLB_FWD_NEW_OK ? "yes" : "no");
		}
		if (c->json)
			printf("]}");
	}
	if (c->json)
		printf("]}\n");
	close(gfd);
	return 0;
}

/*
 * Milliseconds since jiffies stamp j (struct xglb_ctl): the last heartbeat
 * ties hb_jiffies to heartbeat_ns. -1 if the data path has no valid stamp
 * (hz 0: HZ unknown, or the agent could not run xglb_beat).
 */
static long long jiffies_age_ms(const struct xglb_ctl *ctl, __u64 j, __u64 now)
{
	long long ms;

	if (!ctl->hz)
		return -1;
	ms = (long long)(ctl->hb_jiffies - j) * 1000 / ctl->hz +
	     ((long long)now - (long long)ctl->heartbeat_ns) / 1000000;
	return ms > 0 ? ms : 0; /* a stamp taken after the last heartbeat */
}

/* One host entry, as a table row or a JSON object (FIRST: no comma before it). */
static void print_host(const struct ctl *c, const struct xglb_ctl *ctl, __u64 now,
		       const struct xglb_host_key *key, const struct xglb_host *h, bool first)
{
	char mac[XGLB_MAC_STR], vmac[XGLB_MAC_STR], age_s[24], ip[INET_ADDRSTRLEN] = "-";
	/* how the host asked: ARP left its IPv4 address, NDP the flag */
	const char *fam;
	long long age;

	xglb_fmt_mac(mac, key->mac);
	xglb_fmt_mac(vmac, (const __u8[6]){XGLB_VMAC_PREFIX0, XGLB_VMAC_PREFIX1, XGLB_VMAC_PREFIX2,
					   XGLB_VMAC_PREFIX3, key->gid, h->fwd});
	/* last_jiffies is refreshed at most once a second: so is the age */
	age = jiffies_age_ms(ctl, h->last_jiffies, now);
	if (age >= 0)
		snprintf(age_s, sizeof(age_s), "%lld", age);
	else
		snprintf(age_s, sizeof(age_s), c->json ? "null" : "-");
	if (h->ip)
		inet_ntop(AF_INET, &h->ip, ip, sizeof(ip));
	fam = h->ip ? (h->flags & XGLB_HOST_NDP ? "ipv4+ipv6" : "ipv4")
		    : (h->flags & XGLB_HOST_NDP ? "ipv6" : "-");
	if (c->json)
		printf("%s{\"group\": %u, \"mac\": \"%s\", \"forwarder\": %u, "
		       "\"vmac\": \"%s\", \"age_ms\": %s, \"ipv4\": %s%s%s, "
		       "\"ipv6\": %s, \"established\": %s}",
		       first ? "\n" : ",\n", key->gid, mac, h->fwd, vmac, age_s, h->ip ? "\"" : "",
		       h->ip ? ip : "null", h->ip ? "\"" : "",
		       h->flags & XGLB_HOST_NDP ? "true" : "false",
		       h->flags & XGLB_HOST_ESTABLISHED ? "true" : "false");
	else
		printf("%-5u %-17s %-5u %-17s %10s %-9s %s\n", key->gid, mac, h->fwd, vmac, age_s,
		       fam, ip);
}

/*
 * The host table, streamed: xglb_hosts mapped read-only (hosttab.h) and
 * read HOSTS_BATCH hosts at a time, in table order, printed as they come,
 * so a million hosts list at once into a pipe and never sit in memory.
 * Hosts the data path adds or the agent removes meanwhile neither restart
 * the walk nor repeat one. xglbd takes no part: its event loop never sees it.
 */
#define HOSTS_BATCH 4096

static int cmd_hosts(const struct ctl *c)
{
	struct xglb_host_key *keys = calloc(HOSTS_BATCH, sizeof(*keys));
	struct xglb_host *vals = calloc(HOSTS_BATCH, sizeof(*vals));
	__u64 now = now_ns(CLOCK_MONOTONIC), cursor = 0, n = 0;
	struct xglb_hosttab tab = {0};
	int fd = -1, err, rc = 1;
	struct xglb_ctl ctl;

	if (!keys || !vals) {
		fprintf(stderr, "xglbctl: hosts: out of memory\n");
		goto out;
	}
	if (read_ctl(c, &ctl))
		goto out;
	fd = open_map(c, XGLB_MAP_HOSTS);
	if (fd < 0)
		goto out;
	err = xglb_hosttab_open(&tab, fd, false);
	if (err) {
		fprintf(stderr, "xglbctl: hosts: mapping %s: %s\n", XGLB_MAP_HOSTS,
			err == -EPROTO ? "not this xglb's layout (an older xglbd's table?)"
				       : strerror(-err));
		goto out;
	}
	printf(c->json ? "[" : "%-5s %-17s %-5s %-17s %10s %-9s %s\n", "GROUP", "HOST", "FWD",
	       "VMAC", "AGE_MS", "FAMILY", "IPV4");
	while (cursor < tab.n_ways) {
		__u32 got = xglb_hosttab_walk(&tab, &cursor, keys, vals, HOSTS_BATCH);

		for (__u32 i = 0; i < got; i++, n++)
			print_host(c, &ctl, now, &keys[i], &vals[i], n == 0);
		if (fflush(stdout)) /* the reader went away */
			goto out;
	}
	if (c->json)
		printf("%s]\n", n ? "\n" : "");
	rc = fflush(stdout) ? 1 : 0;
out:
	xglb_hosttab_close(&tab);
	if (fd >= 0)
		close(fd);
	free(keys);
	free(vals);
	return rc;
}

static int parse_index(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v >= XGLB_MAX_FWD) {
		fprintf(stderr, "xglbctl: '%s' is not a forwarder index (0-%d)\n", s,
			XGLB_MAX_FWD - 1);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* move/prefer/unpin/drain/undrain: one request, one line (or the reply as JSON). */
static int admin(const struct ctl *c, const char *command, bool has_fwd, bool has_node)
{
	struct json_object *r = json_object_new_object(), *rep;
	int arg = 0, fwd;

	json_object_object_add(r, "command", json_object_new_string(command));
	if (c->group)
		json_object_object_add(r, "group", json_object_new_int(c->group));
	if (has_fwd) {
		if (parse_index(c->argv[arg++], &fwd)) {
			json_object_put(r);
			return 2;
		}
		json_object_object_add(r, "forwarder", json_object_new_int(fwd));
	}
	if (has_node)
		json_object_object_add(r, "node", json_object_new_string(c->argv[arg++]));
	if (c->persistence >= 0)
		json_object_object_add(r, "persistence", json_object_new_int(c->persistence));
	rep = ask_req(c, r);
	json_object_put(r);
	if (!rep)
		return 1;
	if (c->json)
		printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PRETTY));
	else
		printf("%s: %s\n", command,
		       json_object_get_boolean(jget(rep, "applied"))
			   ? "done by this node"
			   : "sent to the group; the AVG (or the node) carries it out");
	json_object_put(rep);
	return 0;
}

static int cmd_move(const struct ctl *c)
{
	return admin(c, "move", true, true);
}

static int cmd_prefer(const struct ctl *c)
{
	return admin(c, "prefer", true, true);
}

static int cmd_unpin(const struct ctl *c)
{
	return admin(c, "unpin", true, false);
}

static int cmd_drain(const struct ctl *c)
{
	return admin(c, "drain", false, true);
}

static int cmd_undrain(const struct ctl *c)
{
	return admin(c, "undrain", false, true);
}

static int cmd_reload(const struct ctl *c)
{
	struct json_object *r = ask(c, "reload");

	if (!r)
		return 1;
	if (c->json)
		printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY));
	else
		printf("reload: done, tables version %lld\n", ji(r, "tables_version"));
	json_object_put(r);
	return 0;
}

/* What a persistence means, in a word or two (docs/config.md, "Persistence"). */
static const char *persistence_meaning(long long p)
{
	return p == 0 ? "movable" : p == 1 ? "sticky-current" : p == 3 ? "sticky-preferred" : "?";
}

/*
 * The forwarders of every group, from the running xglbd. Each column also
 * carries the name a seed-style VIP table gives it (docs/terms.md): the
 * owner is the current host, the preferred owner the preferred host, the
 * persistence the persistence flag.
 */
static int cmd_forwarders(const struct ctl *c)
{
	struct json_object *r = ask(c, "status"), *groups, *all = json_object_new_array();

	if (!r)
		return 1;
	groups = jget(r, "groups");
	if (!c->json) {
		printf("%-5s %-4s %-17s %-14s %-16s %-20s %-6s %-10s %12s %s\n", "GROUP", "FWD",
		       "VMAC", "OWNER", "PREFERRED", "PERSISTENCE", "WEIGHT", "STATE", "BYTES",
		       "INTERFACE");
		printf("%-5s %-4s %-17s %-14s %-16s %-20s\n", "", "", "", "(current host)",
		       "(preferred host)", "(persistence flag)");
	}
	for (size_t i = 0; i < json_object_array_length(groups); i++) {
		struct json_object *g = json_object_array_get_idx(groups, i),
				   *f = jget(g, "forwarders");

		for (size_t k = 0; k < json_object_array_length(f); k++) {
			struct json_object *x = json_object_array_get_idx(f, k);
			char pers[32];
			const char *state =
			    !json_object_get_boolean(jget(x, "active")) ? "removed"
			    : jget(x, "new_hosts") && !json_object_get_boolean(jget(x, "new_hosts"))
				? "redirected"
				: "active";

			if (c->json) {
				json_object_object_add(x, "group",
						       json_object_new_int64(ji(g, "id")));
				/* the same facts under a seed-style VIP table's names */
				json_object_object_add(x, "current_host",
						       json_object_new_string(js(x, "owner_name")));
				json_object_object_add(
				    x, "preferred_host",
				    json_object_new_string(js(x, "preferred_name")));
				json_object_object_add(x, "persistence_flag",
						       json_object_new_int64(ji(x, "persistence")));
				json_object_object_add(x, "persistence_meaning",
						       json_object_new_string(persistence_meaning(
							   ji(x, "persistence"))));
				json_object_array_add(all, json_object_get(x));
				continue;
			}
			snprintf(pers, sizeof(pers), "%lld %s", ji(x, "persistence"),
				 persistence_meaning(ji(x, "persistence")));
			printf("%-5lld %-4lld %-17s %-14s %-16s %-20s %-6lld %-10s %12lld %s\n",
			       ji(g, "id"), ji(x, "index"), js(x, "vmac"),
			       *js(x, "owner_name") ? js(x, "owner_name") : "-",
			       *js(x, "preferred_name") ? js(x, "preferred_name") : "-", pers,
			       ji(x, "weight"), state, ji(x, "bytes"),
			       *js(x, "interface") ? js(x, "interface") : "-");
		}
	}
	if (c->json)
		printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	json_object_put(all);
	json_object_put(r);
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(const struct ctl *c);
	int nargs;
	const char *args;
	const char *help;
} commands[] = {
    {"status", cmd_status, 0, "", "this node and the whole group: roles, peers, forwarders"},
    {"forwarders", cmd_forwarders, 0, "",
     "forwarders: owner (current host), preferred owner (preferred host), persistence, state, "
     "this node's interface for those it owns, "
     "bytes"},
    {"hosts", cmd_hosts, 0, "", "hosts the AVG answered: host MAC -> forwarder, age (maps)"},
    {"stats", cmd_stats, 0, "", "packets by verdict reason, per forwarder (maps)"},
    {"tables", cmd_tables, 0, "", "the active data-plane table bank (maps)"},
    {"move", cmd_move, 2, "FORWARDER NODE",
     "make NODE the forwarder's preferred owner and move it there (--persistence)"},
    {"prefer", cmd_prefer, 2, "FORWARDER NODE|none",
     "set the preferred owner (none: no preferred owner); the persistence decides when it "
     "moves"},
    {"unpin", cmd_unpin, 1, "FORWARDER", "persistence 0: load balancing may move it"},
    {"drain", cmd_drain, 1, "NODE", "move NODE's forwarders and AVG role away, gracefully"},
    {"undrain", cmd_undrain, 1, "NODE", "let NODE take forwarders and roles again"},
    {"reload", cmd_reload, 0, "", "reload the configuration (as SIGHUP; refused if invalid)"},
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xglbctl [--socket PATH] [--pin-root DIR] [--json] COMMAND\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char head[48];

		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-27s %s\n", head, commands[i].help);
	}
	fprintf(f,
		"\nOptions:\n"
		"  -s, --socket PATH   xglbd's control socket (default " XGLB_DEFAULT_CONTROL_SOCKET
		")\n"
		"  -p, --pin-root DIR  where xglbd pinned its maps (default " XGLB_DEFAULT_PIN_ROOT
		")\n"
		"  -j, --json          machine-readable output\n"
		"  -g, --group ID      the group (default: the first configured)\n"
		"  --persistence N     with move: 0 movable, 1 sticky where it is, 3 sticky to\n"
		"                      NODE (default 3)\n"
		"  -h, --help          this help\n");
}

/* A whole decimal number in [lo, hi], or -1. */
static long opt_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	struct ctl c = {.pin_root = XGLB_DEFAULT_PIN_ROOT,
			.socket = XGLB_DEFAULT_CONTROL_SOCKET,
			.persistence = -1};
	const char *cmd = NULL;
	char *pos[8];
	int npos = 0;

	/* Options go before or after the command: xglbctl --group 2 move 2 r1 --json */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = !strcmp(a, "--pin-root") || !strcmp(a, "-p") ||
			     !strcmp(a, "--socket") || !strcmp(a, "-s") || !strcmp(a, "--group") ||
			     !strcmp(a, "-g") || !strcmp(a, "--persistence");

		if (takes && !v) {
			fprintf(stderr, "xglbctl: %s needs a value (try --help)\n", a);
			return 2;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			c.json = true;
		} else if (!strcmp(a, "--pin-root") || !strcmp(a, "-p")) {
			c.pin_root = argv[++i];
		} else if (!strcmp(a, "--socket") || !strcmp(a, "-s")) {
			c.socket = argv[++i];
		} else if (!strcmp(a, "--group") || !strcmp(a, "-g")) {
			c.group = (int)opt_num(argv[++i], 1, 255);
			if (c.group < 0) {
				fprintf(stderr,
					"xglbctl: --group takes a group id 1-255, not '%s'\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--persistence")) {
			c.persistence = (int)opt_num(argv[++i], 0, 3);
			if (c.persistence != 0 && c.persistence != 1 && c.persistence != 3) {
				fprintf(stderr,
					"xglbctl: --persistence takes 0, 1 or 3, not '%s'\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++) {
				if (!cmd)
					cmd = argv[i];
				else if (npos < 8)
					pos[npos++] = argv[i];
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "xglbctl: unknown option '%s' (try --help)\n", a);
			return 2;
		} else if (!cmd) {
			cmd = a;
		} else if (npos < 8) {
			pos[npos++] = argv[i];
		} else {
			fprintf(stderr, "xglbctl: too many arguments (try --help)\n");
			return 2;
		}
	}
	if (!cmd) {
		fprintf(stderr, "xglbctl: missing command (try --help)\n");
		return 2;
	}
	libbpf_set_print(NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		if (npos != commands[i].nargs) {
			fprintf(stderr, "xglbctl: usage: xglbctl %s %s\n", commands[i].name,
				commands[i].args);
			return 2;
		}
		c.argc = npos;
		c.argv = pos;
		return commands[i].fn(&c);
	}
	fprintf(stderr, "xglbctl: unknown command '%s' (try --help)\n", cmd);
	return 2;
}

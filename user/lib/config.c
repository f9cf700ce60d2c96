// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* config.c - xglb.yaml's schema (field tables, defaults, cross-field checks) and its loader. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <yaml.h>
#include "config.h"
#include "proto.h"
#include "config_fields.h"

// clang-format off
static const char *const policy_names[] = {
	[XGLB_POLICY_ROUND_ROBIN] = "round-robin",
	[XGLB_POLICY_WEIGHTED] = "weighted",
	[XGLB_POLICY_HOST_DEPENDENT] = "host-dependent",
	NULL,
};
static const char *const datapath_names[] = {
	[XGLB_DATAPATH_AUTO] = "auto",
	[XGLB_DATAPATH_XDP] = "xdp",
	[XGLB_DATAPATH_TC] = "tc",
	NULL,
};
static const char *const ra_pref_names[] = {
	[XGLB_RA_PREF_MEDIUM] = "medium",
	[XGLB_RA_PREF_HIGH] = "high",
	[XGLB_RA_PREF_LOW] = "low",
	NULL,
};
static const char *const xdp_mode_names[] = {
	[XGLB_XDP_MODE_AUTO] = "auto",
	[XGLB_XDP_MODE_NATIVE] = "native",
	[XGLB_XDP_MODE_GENERIC] = "generic",
	NULL,
};
static const char *const rx_filter_names[] = {
	[XGLB_RXF_AUTO] = "auto",
	[XGLB_RXF_OFF] = "off",
	[XGLB_RXF_PROMISC] = "promiscuous",
	NULL,
};
// clang-format on

const char *xglb_policy_name(unsigned int policy)
{
	return policy < XGLB_POLICY_MAX ? policy_names[policy] : NULL;
}

const char *xglb_datapath_name(unsigned int datapath)
{
	return datapath < XGLB_DATAPATH_MAX ? datapath_names[datapath] : NULL;
}

const char *xglb_xdp_mode_name(unsigned int mode)
{
	return mode < XGLB_XDP_MODE_MAX ? xdp_mode_names[mode] : NULL;
}

const char *xglb_rx_filter_name(unsigned int mode)
{
	return mode < XGLB_RXF_MAX ? rx_filter_names[mode] : NULL;
}

int xglb_node_by_name(const struct xglb_config *cfg, const char *name)
{
	int i;

	for (i = 0; i < cfg->n_nodes; i++)
		if (!strcmp(cfg->nodes[i].name, name))
			return i;
	return -1;
}

int xglb_node_by_id(const struct xglb_config *cfg, __u32 id)
{
	for (int i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].id == id)
			return i;
	return -1;
}

const char *xglb_node_name(const struct xglb_config *cfg, __u32 id, const char *unknown)
{
	int i = xglb_node_by_id(cfg, id);

	return i < 0 ? unknown : cfg->nodes[i].name;
}

/* ---- per-item defaults and list checks ------------------------------------- */

enum { FWD_INDEX }; /* row of "index" in fwd_fields */

/* Rows of timer_fields, weighting_fields and track_fields, for their checks. */
enum { TIMER_HELLO, TIMER_HOLD, TIMER_REDIRECT, TIMER_TIMEOUT };
enum { WEIGHT_LOWER, WEIGHT_UPPER };
enum { RA_ENABLED, RA_INTERVAL, RA_LIFETIME };
enum { PFX_PREFIX, PFX_ONLINK, PFX_AUTO, PFX_VALID, PFX_PREFERRED };
enum {
	TRK_NAME,
	TRK_TYPE,
	TRK_INTERFACE,
	TRK_TARGET,
	TRK_COMMAND,
	TRK_PATH,
	TRK_INTERVAL,
	TRK_TIMEOUT,
	TRK_PRIO,
	TRK_WEIGHT,
};
#define BIT(row) (1u << (row))

static void node_init(void *item, int pos, int line)
{
	struct xglb_cfg_node *n = item;

	memset(n, 0, sizeof(*n));
	n->priority = 100;
	n->weight = 100;
	n->line = line;
}

static void fwd_init(void *item, int pos, int line)
{
	struct xglb_cfg_fwd *f = item;

	memset(f, 0, sizeof(*f));
	f->index = pos;
	f->owner = -1;
	f->preferred = -1; /* the owner, unless given */
	f->weight = XGLB_DEFAULT_WEIGHT;
	f->line = line;
}

/* The data path bounds forwarder indexes by n_fwd, so they must be exactly 0..n-1. */
static void fwd_done(struct ctx *c, void *parent, int line, const char *name,
		     const unsigned int *bad)
{
	struct xglb_cfg_group *g = parent;
	unsigned int seen = 0;
	int i;

	for (i = 0; i < g->n_fwd; i++) {
		if ((bad[i] & 1u << FWD_INDEX) || (seen & 1u << g->fwd[i].index))
			return; /* already reported */
		seen |= 1u << g->fwd[i].index;
	}
	for (i = 0; i < g->n_fwd; i++) {
		if (!(seen & 1u << i)) {
			schema_err(c, line, name,
				   "index %d is missing: indexes must run from 0 to %d", i,
				   g->n_fwd - 1);
			return;
		}
	}
}

static void group_init(void *item, int pos, int line)
{
	struct xglb_cfg_group *g = item;

	memset(g, 0, sizeof(*g));
	g->policy = XGLB_POLICY_ROUND_ROBIN;
	g->avg = -1;
	g->hello_ms = 1000;
	g->hold_ms = 3000;
	g->redirect_ms = 600000;
	g->timeout_ms = 14400000;
	g->preempt = true;
	g->steer_buckets = 65536;
	g->ra.interval_ms = XGLB_DEFAULT_RA_INTERVAL;
	g->ra.hop_limit = XGLB_DEFAULT_RA_HOP_LIMIT;
	g->line = line;
}

/*
 * ra: the router lifetime defaults to three intervals (at most 9000 s, the
 * most RFC 4861 allows); one given must be 0 (not a default router) or
 * cover an interval, or hosts drop the route between two advertisements.
 */
static void ra_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
		     const struct field *fields, unsigned int bad)
{
	struct xglb_cfg_group *g = obj;
	__u32 interval_s = (g->ra.interval_ms + 999) / 1000;
	char fname[FIELD_NAME_MAX];

	(void)fields;
	g->ra.line = line;
	/* one prefix information option per prefix: a second one of the same is a mistake */
	for (int i = 1; i < g->ra.n_prefix; i++)
		for (int j = 0; j < i; j++) {
			const struct xglb_cfg_prefix *p = &g->ra.prefix[i], *q = &g->ra.prefix[j];
			char s[INET6_ADDRSTRLEN], item[FIELD_NAME_MAX];

			if (!p->len || p->len != q->len || memcmp(p->addr, q->addr, 16))
				continue;
			inet_ntop(AF_INET6, p->addr, s, sizeof(s));
			snprintf(item, sizeof(item), "prefixes[%d]", i);
			schema_join(fname, name, item);
			schema_join(item, fname, "prefix");
			schema_err(c, p->line, item, "\"%s/%u\" is listed twice", s, p->len);
			break;
		}
	if (!schema_map_find(c, map, "router-lifetime-s")) {
		g->ra.lifetime_s = 3 * interval_s < 9000 ? 3 * interval_s : 9000;
	} else if (!(bad & (BIT(RA_INTERVAL) | BIT(RA_LIFETIME))) && g->ra.lifetime_s &&
		   g->ra.lifetime_s < interval_s) {
		schema_join(fname, name, "router-lifetime-s");
		schema_err(c, schema_key_line(c, map, "router-lifetime-s"), fname,
			   "must be 0 (not a default router) or at least interval-ms (%u s)",
			   interval_s);
	}
}

static void prefix_init(void *item, int pos, int line)
{
	struct xglb_cfg_prefix *p = item;

	memset(p, 0, sizeof(*p));
	p->on_link = p->autonomous = true;
	p->valid_s = 2592000;	 /* 30 days, as RFC 4861 suggests */
	p->preferred_s = 604800; /* 7 days */
	p->line = line;
}

/* A prefix's preferred lifetime may not exceed its valid lifetime. */
static void prefix_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			 const struct field *fields, unsigned int bad)
{
	struct xglb_cfg_prefix *p = obj;
	char fname[FIELD_NAME_MAX];
	bool given = schema_map_find(c, map, "preferred-lifetime-s");

	(void)line;
	(void)fields;
	if ((bad & (BIT(PFX_VALID) | BIT(PFX_PREFERRED))) || p->preferred_s <= p->valid_s)
		return;
	schema_join(fname, name, given ? "preferred-lifetime-s" : "valid-lifetime-s");
	schema_err(c, schema_key_line(c, map, given ? "preferred-lifetime-s" : "valid-lifetime-s"),
		   fname,
		   given ? "must not exceed valid-lifetime-s (%u)"
			 : "must be at least preferred-lifetime-s (%u, the default)",
		   given ? p->valid_s : p->preferred_s);
}

/*
 * hello < hold and redirect <= timeout. When one of a pair is a default, the
 * problem is the given one's; when both are given, the second one's.
 */
static void timers_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			 const struct field *fields, unsigned int bad)
{
	struct xglb_cfg_group *g = obj;
	char fname[FIELD_NAME_MAX];

	if (!(bad & (BIT(TIMER_HELLO) | BIT(TIMER_HOLD))) && g->hold_ms <= g->hello_ms) {
		if (schema_map_find(c, map, "hold-ms")) {
			schema_join(fname, name, "hold-ms");
			schema_err(c, schema_key_line(c, map, "hold-ms"), fname,
				   "must be greater than hello-ms (%u)", g->hello_ms);
		} else {
			schema_join(fname, name, "hello-ms");
			schema_err(c, schema_key_line(c, map, "hello-ms"), fname,
				   "must be less than hold-ms (%u, the default)", g->hold_ms);
		}
	}
	if (!(bad & (BIT(TIMER_REDIRECT) | BIT(TIMER_TIMEOUT))) && g->redirect_ms > g->timeout_ms) {
		if (schema_map_find(c, map, "timeout-ms")) {
			schema_join(fname, name, "timeout-ms");
			schema_err(c, schema_key_line(c, map, "timeout-ms"), fname,
				   "must be at least redirect-ms (%u)", g->redirect_ms);
		} else {
			schema_join(fname, name, "redirect-ms");
			schema_err(c, schema_key_line(c, map, "redirect-ms"), fname,
				   "must not exceed timeout-ms (%u, the default)", g->timeout_ms);
		}
	}
}

/* Exactly one of key and key-file; reported at the "membership:" line. */
static void membership_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			     const struct field *fields, unsigned int bad)
{
	bool key = schema_map_find(c, map, "key"), file = schema_map_find(c, map, "key-file");

	if (!key && !file)
		schema_err(c, line, name, "needs a key: give key or key-file");
	else if (key && file)
		schema_err(c, line, name, "give key or key-file, not both");
}

/* upper defaults to lower, and may not be below it. */
static void weighting_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			    const struct field *fields, unsigned int bad)
{
	struct xglb_config *cfg = obj;
	char fname[FIELD_NAME_MAX];

	if (!schema_map_find(c, map, "upper")) {
		cfg->weight_upper = cfg->weight_lower;
	} else if (!(bad & (BIT(WEIGHT_LOWER) | BIT(WEIGHT_UPPER))) &&
		   cfg->weight_upper < cfg->weight_lower) {
		schema_join(fname, name, "upper");
		schema_err(c, schema_key_line(c, map, "upper"), fname,
			   "must not be below lower (%u)", cfg->weight_lower);
	}
}

static void track_init(void *item, int pos, int line)
{
	struct xglb_cfg_track *t = item;

	memset(t, 0, sizeof(*t));
	t->interval_ms = 1000;
	t->line = line;
}

// clang-format off
static const char *const track_type_names[] = {
	[XGLB_TRACK_LINK] = "link",
	[XGLB_TRACK_PING] = "ping",
	[XGLB_TRACK_COMMAND] = "command",
	[XGLB_TRACK_FILE] = "file",
	NULL,
};

#define TRACK_ANY (BIT(TRK_NAME) | BIT(TRK_TYPE) | BIT(TRK_PRIO) | BIT(TRK_WEIGHT))
/* Rows of track_fields each type may have, and must have. */
static const unsigned int track_allowed[] = {
	[XGLB_TRACK_LINK] = TRACK_ANY | BIT(TRK_INTERFACE),
	[XGLB_TRACK_PING] = TRACK_ANY | BIT(TRK_TARGET) | BIT(TRK_INTERVAL) | BIT(TRK_TIMEOUT),
	[XGLB_TRACK_COMMAND] = TRACK_ANY | BIT(TRK_COMMAND) | BIT(TRK_INTERVAL) | BIT(TRK_TIMEOUT),
	[XGLB_TRACK_FILE] = TRACK_ANY | BIT(TRK_PATH) | BIT(TRK_INTERVAL),
};
static const unsigned int track_required[] = {
	[XGLB_TRACK_LINK] = BIT(TRK_INTERFACE),
	[XGLB_TRACK_PING] = BIT(TRK_TARGET),
	[XGLB_TRACK_COMMAND] = BIT(TRK_COMMAND),
	[XGLB_TRACK_FILE] = BIT(TRK_PATH),
};
// clang-format on

/*
 * Fields by type, then the timeout: 10..interval, default 500 or the interval
 * if shorter. Timers a type does not use are left 0.
 */
static void track_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			const struct field *fields, unsigned int bad)
{
	struct xglb_cfg_track *t = obj;
	const char *type = track_type_names[t->type];
	char fname[FIELD_NAME_MAX];
	const struct field *f;

	if (bad & BIT(TRK_TYPE))
		return; /* reported: which fields belong is unknown */
	for (f = fields; f->key; f++) {
		unsigned int bit = BIT(f - fields);
		bool given = schema_map_find(c, map, f->key);

		schema_join(fname, name, f->key);
		if (given && !(track_allowed[t->type] & bit) && !(bad & bit))
			schema_err(c, schema_key_line(c, map, f->key), fname,
				   "not allowed for type \"%s\"", type);
		else if (!given && (track_required[t->type] & bit))
			schema_err(c, line, fname, "required for type \"%s\"", type);
	}
	if (!(track_allowed[t->type] & BIT(TRK_INTERVAL)))
		t->interval_ms = 0;
	if (!(track_allowed[t->type] & BIT(TRK_TIMEOUT))) {
		t->timeout_ms = 0;
	} else if (!schema_map_find(c, map, "timeout-ms")) {
		t->timeout_ms = t->interval_ms < 500 ? t->interval_ms : 500;
	} else if (!(bad & (BIT(TRK_INTERVAL) | BIT(TRK_TIMEOUT))) &&
		   t->timeout_ms > t->interval_ms) {
		schema_join(fname, name, "timeout-ms");
		schema_err(c, schema_key_line(c, map, "timeout-ms"), fname,
			   "must be between 10 and interval-ms (%u)", t->interval_ms);
	}
}

/* ---- the schema ------------------------------------------------------------- */

/*
 * A row: key, handler, member of the object, min, max (integers), flags, and
 * the handler's argument (names of an enum, a list's description). To add a
 * field, add the member to config.h and a row here. Laid out by hand:
 */
// clang-format off

#define FLD(T, k, h, m, lo, hi, fl, a)                                                             \
	{ .key = k, .fn = h, .off = offsetof(T, m), .size = sizeof(((T *)0)->m),                   \
	  .min = lo, .max = hi, .flags = fl, .arg = a }
#define NODE(...)  FLD(struct xglb_cfg_node, __VA_ARGS__)
#define FWD(...)   FLD(struct xglb_cfg_fwd, __VA_ARGS__)
#define GROUP(...) FLD(struct xglb_cfg_group, __VA_ARGS__)
#define TOP(...)   FLD(struct xglb_config, __VA_ARGS__)
#define TRACK(...) FLD(struct xglb_cfg_track, __VA_ARGS__)
#define LIST(T, arr, cnt, f, lo, hi, i, d, chk)                                                    \
	{ .fields = f, .items = offsetof(T, arr), .count = offsetof(T, cnt),                       \
	  .size = sizeof(((T *)0)->arr[0]), .min = lo, .max = hi, .init = i, .done = d,            \
	  .check = chk }
/* a mapping whose fields are rows of the parent's object */
#define MAP(k, desc) { .key = k, .fn = schema_read_map, .arg = desc }

static const struct field node_fields[] = {
	NODE("name", cfg_read_node_name, name, 0, 0, F_REQUIRED | F_UNIQUE, NULL),
	NODE("id", schema_read_uint, id, 1, UINT32_MAX, F_REQUIRED | F_UNIQUE, NULL),
	NODE("priority", schema_read_uint, priority, 1, 255, 0, NULL),
	NODE("weight", schema_read_uint, weight, 1, 65535, 0, NULL),
	NODE("address", cfg_read_ipv4, address, 0, 0, F_UNIQUE | F_UNSET_OK | F_MEMBER, NULL),
	{ NULL },
};

static const struct field fwd_fields[] = {
	[FWD_INDEX] = FWD("index", schema_read_uint, index, 0, XGLB_MAX_FWD - 1, F_UNIQUE, NULL),
	FWD("owner", cfg_read_noderef, owner, 0, 0, F_REQUIRED, NULL),
	FWD("preferred", cfg_read_preferred, preferred, 0, 0, 0, NULL),
	FWD("weight", schema_read_uint, weight, 1, 255, 0, NULL),
	FWD("persistence", cfg_read_persistence, persistence, 0, 0, 0, NULL),
	{ NULL },
};

static const struct list_desc fwd_list =
	LIST(struct xglb_cfg_group, fwd, n_fwd, fwd_fields, 1, XGLB_MAX_FWD, fwd_init, fwd_done,
	     NULL);

static const struct field timer_fields[] = {
	[TIMER_HELLO] = GROUP("hello-ms", schema_read_uint, hello_ms, 10, 60000, 0, NULL),
	[TIMER_HOLD] = GROUP("hold-ms", schema_read_uint, hold_ms, 11, HOLD_MAX, 0, NULL),
	[TIMER_REDIRECT] = GROUP("redirect-ms", schema_read_uint, redirect_ms, 0, TIMEOUT_MAX, 0, NULL),
	[TIMER_TIMEOUT] = GROUP("timeout-ms", schema_read_uint, timeout_ms, 0, TIMEOUT_MAX, 0, NULL),
	{ NULL },
};

static const struct map_desc timer_map = { timer_fields, timers_check };

static const struct field steer_fields[] = {
	GROUP("enabled", schema_read_bool, steer, 0, 0, 0, NULL),
	GROUP("buckets", schema_read_uint, steer_buckets, 64, 65536, 0, NULL),
	GROUP("interfaces", cfg_read_steer_ifaces, steer_ifaces, 0, 0, 0, NULL),
	{ NULL },
};

static const struct map_desc steer_map = { steer_fields, cfg_steer_check };

static const struct field prefix_fields[] = {
	[PFX_PREFIX] = FLD(struct xglb_cfg_prefix, "prefix", cfg_read_prefix6, addr, 0, 0, F_REQUIRED, NULL),
	[PFX_ONLINK] = FLD(struct xglb_cfg_prefix, "on-link", schema_read_bool, on_link, 0, 0, 0, NULL),
	[PFX_AUTO] = FLD(struct xglb_cfg_prefix, "autonomous", schema_read_bool, autonomous, 0, 0, 0, NULL),
	[PFX_VALID] = FLD(struct xglb_cfg_prefix, "valid-lifetime-s", schema_read_uint, valid_s, 0, UINT32_MAX, 0, NULL),
	[PFX_PREFERRED] = FLD(struct xglb_cfg_prefix, "preferred-lifetime-s", schema_read_uint, preferred_s, 0, UINT32_MAX, 0, NULL),
	{ NULL },
};

static const struct list_desc prefix_list =
	LIST(struct xglb_cfg_group, ra.prefix, ra.n_prefix, prefix_fields, 0, XGLB_RA_PREFIXES,
	     prefix_init, NULL, prefix_check);

static const struct field ra_fields[] = {
	[RA_ENABLED] = GROUP("enabled", schema_read_bool, ra.enabled, 0, 0, 0, NULL),
	[RA_INTERVAL] = GROUP("interval-ms", schema_read_uint, ra.interval_ms, 1000, 1800000, 0, NULL),
	[RA_LIFETIME] = GROUP("router-lifetime-s", schema_read_uint, ra.lifetime_s, 0, 9000, 0, NULL),
	GROUP("hop-limit", schema_read_uint, ra.hop_limit, 0, 255, 0, NULL),
	GROUP("mtu", schema_read_uint, ra.mtu, 1280, 65535, F_ZERO_OK, NULL),
	GROUP("managed", schema_read_bool, ra.managed, 0, 0, 0, NULL),
	GROUP("other-config", schema_read_bool, ra.other, 0, 0, 0, NULL),
	GROUP("preference", schema_read_enum, ra.preference, 0, 0, 0, ra_pref_names),
	GROUP("reachable-time-ms", schema_read_uint, ra.reachable_ms, 0, MS_MAX, 0, NULL),
	GROUP("retrans-timer-ms", schema_read_uint, ra.retrans_ms, 0, MS_MAX, 0, NULL),
	GROUP("prefixes", schema_read_list, ra.prefix, 0, 0, 0, &prefix_list),
	{ NULL },
};

static const struct map_desc ra_map = { ra_fields, ra_check };

/* fast-path: a boolean whose line is kept for the check against "datapath" (finish). */
static bool cfg_read_fast_path(struct ctx *c, const struct field *f, yaml_node_t *v, int line,
			       void *obj, const char *name)
{
	struct xglb_cfg_group *g = obj;

	if (!schema_read_bool(c, f, v, line, obj, name))
		return false;
	g->fast_path_line = g->fast_path ? line : 0;
	return true;
}

/* xdp-mode: an enum whose line says it was written (its default depends on datapath: finish). */
static bool cfg_read_xdp_mode(struct ctx *c, const struct field *f, yaml_node_t *v, int line,
			      void *obj, const char *name)
{
	if (!schema_read_enum(c, f, v, line, obj, name))
		return false;
	((struct xglb_config *)obj)->xdp_mode_line = line;
	return true;
}

static const struct field group_fields[] = {
	GROUP("id", schema_read_uint, id, 1, 255, F_REQUIRED | F_UNIQUE, NULL),
	GROUP("vip", cfg_read_ipv4, vip, 0, 0, F_REQUIRED | F_UNIQUE, NULL),
	GROUP("interfaces", cfg_read_ifaces, ifaces, 0, 0, F_REQUIRED, NULL),
	GROUP("policy", schema_read_enum, policy, 0, 0, 0, policy_names),
	GROUP("avg", cfg_read_avg, avg, 0, 0, F_STATIC, NULL),
	GROUP("forwarders", schema_read_list, fwd, 0, 0, F_REQUIRED, &fwd_list),
	MAP("timers", &timer_map),
	GROUP("preempt", schema_read_bool, preempt, 0, 0, 0, NULL),
	GROUP("preempt-delay-ms", schema_read_uint, preempt_delay_ms, 0, MS_MAX, 0, NULL),
	GROUP("load-max-share-pct", schema_read_uint, load_max_pct, 0, 100, 0, NULL),
	MAP("steering", &steer_map),
	GROUP("link-local", cfg_read_link_local, addr6, 0, 0, 0, NULL),
	GROUP("vip6", cfg_read_vip6, addr6, 0, 0, 0, NULL),
	MAP("ra", &ra_map),
	GROUP("fast-path", cfg_read_fast_path, fast_path, 0, 0, 0, NULL),
	{ NULL },
};

static const struct field membership_fields[] = {
	TOP("port", schema_read_uint, port, 1, 65535, 0, NULL),
	TOP("key", cfg_read_key, key, 0, 0, 0, NULL),
	TOP("key-file", cfg_read_keyfile, key, 0, 0, 0, NULL),
	{ NULL },
};

static const struct map_desc membership_map = { membership_fields, membership_check };

static const struct field weighting_fields[] = {
	[WEIGHT_LOWER] = TOP("lower", schema_read_uint, weight_lower, 0, 65535, 0, NULL),
	[WEIGHT_UPPER] = TOP("upper", schema_read_uint, weight_upper, 0, 65535, 0, NULL),
	{ NULL },
};

static const struct map_desc weighting_map = { weighting_fields, weighting_check };

static const struct field track_fields[] = {
	[TRK_NAME] = TRACK("name", cfg_read_name, name, 0, 0, F_REQUIRED | F_UNIQUE, NULL),
	[TRK_TYPE] = TRACK("type", schema_read_enum, type, 0, 0, F_REQUIRED, track_type_names),
	[TRK_INTERFACE] = TRACK("interface", cfg_read_ifname, interface, 0, 0, 0, NULL),
	[TRK_TARGET] = TRACK("target", cfg_read_ipv4, target, 0, 0, 0, NULL),
	[TRK_COMMAND] = TRACK("command", schema_read_text, command, 0, 0, 0, NULL),
	[TRK_PATH] = TRACK("path", schema_read_path, path, 0, 0, 0, NULL),
	[TRK_INTERVAL] = TRACK("interval-ms", schema_read_uint, interval_ms, 100, MS_MAX, 0, NULL),
	[TRK_TIMEOUT] = TRACK("timeout-ms", schema_read_uint, timeout_ms, 10, MS_MAX, 0, NULL),
	[TRK_PRIO] = TRACK("priority-decrement", schema_read_uint, priority_dec, 0, 255, 0, NULL),
	[TRK_WEIGHT] = TRACK("weight-decrement", schema_read_uint, weight_dec, 0, 65535, 0, NULL),
	{ NULL },
};

static const struct list_desc node_list =
	LIST(struct xglb_config, nodes, n_nodes, node_fields, 1, XGLB_MAX_NODES, node_init, NULL,
	     NULL);
static const struct list_desc group_list =
	LIST(struct xglb_config, groups, n_groups, group_fields, 1, 255, group_init, NULL, NULL);
static const struct list_desc track_list =
	LIST(struct xglb_config, track, n_track, track_fields, 0, XGLB_MAX_TRACK, track_init, NULL,
	     track_check);
_Static_assert(XGLB_MAX_NODES <= XGLB_MAX_GROUPS && XGLB_MAX_FWD <= XGLB_MAX_GROUPS &&
		       XGLB_MAX_TRACK <= XGLB_MAX_GROUPS,
	       "schema_read_list's bad[] holds XGLB_MAX_GROUPS items");
_Static_assert(sizeof(((struct xglb_config *)0)->key) == XGLB_KEY_MAX, "key holds XGLB_KEY_MAX");
_Static_assert(XGLB_MAX_FWD <= 32, "fwd_done keeps indexes in a 32-bit mask");
_Static_assert(XGLB_RA_PREFIXES <= XGLB_MAX_GROUPS, "schema_read_list's bad[] holds the prefixes");

static const struct field top_fields[] = {
	TOP("node", cfg_read_self, self, 0, 0, 0, NULL),
	TOP("pin-root", schema_read_path, pin_root, 0, 0, 0, NULL),
	TOP("state-dir", schema_read_path, state_dir, 0, 0, 0, NULL),
	TOP("lease-ms", schema_read_uint, lease_ms, 100, MS_MAX, 0, NULL),
	TOP("learn-interval-ms", schema_read_uint, learn_interval_ms, 100, MS_MAX, F_ZERO_OK, NULL),
	TOP("nic-return-ms", schema_read_uint, nic_return_ms, 0, MS_MAX, 0, NULL),
	TOP("host-table-size", schema_read_uint, host_table_size, XGLB_HOST_TABLE_MIN,
	    XGLB_HOST_TABLE_MAX, 0, NULL),
	TOP("control-socket", schema_read_path, control_socket, 0, SUN_PATH_MAX - 1, 0, NULL),
	TOP("http-listen", cfg_read_listen, http_listen, 0, 0, 0, NULL),
	TOP("console-token-file", schema_read_path, console_token_file, 0, 0, 0, NULL),
	TOP("datapath", schema_read_enum, datapath, 0, 0, 0, datapath_names),
	TOP("xdp-mode", cfg_read_xdp_mode, xdp_mode, 0, 0, 0, xdp_mode_names),
	TOP("rx-filter", schema_read_enum, rx_filter, 0, 0, 0, rx_filter_names),
	TOP("realtime-priority", schema_read_uint, realtime_priority, 1, 99, F_ZERO_OK, NULL),
	MAP("membership", &membership_map),
	MAP("weighting", &weighting_map),
	TOP("tracking", schema_read_list, track, 0, 0, 0, &track_list),
	TOP("nodes", schema_read_list, nodes, 0, 0, F_REQUIRED, &node_list),
	TOP("groups", schema_read_list, groups, 0, 0, F_REQUIRED, &group_list),
	{ NULL },
};
// clang-format on

/* schema_walk_map() reports fields as bits of an unsigned int */
#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1)
_Static_assert(ROWS(top_fields) <= 32 && ROWS(node_fields) <= 32 && ROWS(group_fields) <= 32 &&
		   ROWS(fwd_fields) <= 32 && ROWS(timer_fields) <= 32 &&
		   ROWS(membership_fields) <= 32 && ROWS(weighting_fields) <= 32 &&
		   ROWS(track_fields) <= 32 && ROWS(ra_fields) <= 32 && ROWS(prefix_fields) <= 32,
	       "a schema has at most 32 rows");

/* ---- loading ----------------------------------------------------------------- */

static void cfg_init(struct xglb_config *cfg, const char *path)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	snprintf(cfg->pin_root, sizeof(cfg->pin_root), "%s", XGLB_DEFAULT_PIN_ROOT);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", XGLB_DEFAULT_STATE_DIR);
	cfg->lease_ms = XGLB_DEFAULT_LEASE_MS;
	cfg->learn_interval_ms = XGLB_DEFAULT_LEARN_MS;
	cfg->nic_return_ms = XGLB_DEFAULT_NIC_RETURN_MS;
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
		 XGLB_DEFAULT_CONTROL_SOCKET);
	snprintf(cfg->http_listen, sizeof(cfg->http_listen), "%s", XGLB_DEFAULT_HTTP_LISTEN);
	cfg->port = XGLB_PROTO_PORT;
	cfg->self = -1;
}

/* False if there is no top-level mapping to walk. */
static bool walk_root(struct ctx *c)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);

	if (!root) {
		schema_err(c, 1, "document", "empty: expected a mapping with nodes and groups");
		return false;
	}
	if (!schema_want(c, root, YAML_MAPPING_NODE, schema_line_of(root), "document"))
		return false;
	c->root_line = schema_line_of(root);
	/* nodes and groups depend on it, wherever it is in the file */
	c->cfg->membership = schema_map_find(c, root, "membership");
	schema_walk_map(c, root, top_fields, c->cfg, "");
	return true;
}

/*
 * SKIP (the file's "node:" when overridden) is left alone. Without a usable
 * nodes list, already reported, every name would be unknown: say nothing.
 */
static void resolve_refs(struct ctx *c, const int *skip)
{
	int i;

	for (i = 0; c->cfg->n_nodes && i < c->n_refs; i++) {
		struct ref *r = &c->refs[i];

		if (r->dst == skip)
			continue;
		*r->dst = xglb_node_by_name(c->cfg, r->name);
		if (*r->dst < 0)
			schema_err(c, r->line, r->field, "unknown node \"%s\"", r->name);
	}
}

static void resolve_self(struct ctx *c, const char *node_override)
{
	struct xglb_config *cfg = c->cfg;

	if (node_override) {
		snprintf(cfg->node_name, sizeof(cfg->node_name), "%s", node_override);
		cfg->self = xglb_node_by_name(cfg, node_override);
		if (cfg->self < 0 && cfg->n_nodes)
			schema_err(c, 0, "node", "unknown node \"%s\" (given on the command line)",
				   node_override);
	} else if (!c->self_given) {
		schema_err(c, c->root_line, "node",
			   "missing: name this router here or on the command line");
	}
}

static int cmp_fwd(const void *a, const void *b)
{
	return ((const struct xglb_cfg_fwd *)a)->index - ((const struct xglb_cfg_fwd *)b)->index;
}

void xglb_cfg_link_local(__u8 gid, __u8 out[16])
{
	/* vMAC 02:78:67:62:gid:00 -> interface identifier 0078:67ff:fe62:gid00 (U/L bit flipped) */
	const __u8 ll[16] = {0xfe,
			     0x80,
			     0,
			     0,
			     0,
			     0,
			     0,
			     0,
			     0x02 ^ XGLB_VMAC_PREFIX0,
			     XGLB_VMAC_PREFIX1,
			     XGLB_VMAC_PREFIX2,
			     0xff,
			     0xfe,
			     XGLB_VMAC_PREFIX3,
			     gid,
			     0};

	memcpy(out, ll, 16);
}

/* "groups[G].link-local" or "groups[G].vip6[K-1]": the field that gave addr6[k]. */
static void addr6_field(char *buf, size_t len, int g, int k)
{
	if (k)
		snprintf(buf, len, "groups[%d].vip6[%d]", g, k - 1);
	else
		snprintf(buf, len, "groups[%d].link-local", g);
}

/*
 * A group serves IPv6 when it gives a link-local, vip6 or RAs; its
 * link-local defaults to the one derived from its id. No virtual IPv6
 * address may belong to two groups: the data path maps each to one.
 */
static void finish_ipv6(struct ctx *c)
{
	struct xglb_config *cfg = c->cfg;
	char fname[FIELD_NAME_MAX];

	for (int g = 0; g < cfg->n_groups; g++) {
		struct xglb_cfg_group *grp = &cfg->groups[g];

		if (!grp->addr6_line[0] && !grp->n_vip6 && !grp->ra.enabled) {
			memset(grp->addr6, 0, sizeof(grp->addr6));
			grp->n_addr6 = 0;
			continue;
		}
		if (!grp->addr6_line[0])
			xglb_cfg_link_local(grp->id, grp->addr6[0]);
		grp->n_addr6 = 1 + grp->n_vip6;
		for (int k = 0; k < grp->n_addr6; k++)
			for (int h = 0; h < g; h++)
				for (int j = 0; j < cfg->groups[h].n_addr6; j++) {
					char a[INET6_ADDRSTRLEN];

					if (memcmp(cfg->groups[h].addr6[j], grp->addr6[k], 16))
						continue;
					inet_ntop(AF_INET6, grp->addr6[k], a, sizeof(a));
					addr6_field(fname, sizeof(fname), g, k);
					schema_err(
					    c, grp->addr6_line[k] ? grp->addr6_line[k] : grp->line,
					    fname, "%s%s is already group %u's", a,
					    grp->addr6_line[k] ? "" : " (derived)",
					    cfg->groups[h].id);
				}
	}
}

/* Once every name is resolved: defaults that depend on other fields, then the final order. */
static void finish(struct ctx *c)
{
	struct xglb_config *cfg = c->cfg;
	int g, i;

	/*
	 * "datapath: xdp" without an xdp-mode asks for native XDP, as before
	 * xdp-mode existed: a device without it stops xglbd rather than run
	 * generic XDP nobody asked for. With datapath auto the default is auto.
	 */
	if (!cfg->xdp_mode_line)
		cfg->xdp_mode =
		    cfg->datapath == XGLB_DATAPATH_XDP ? XGLB_XDP_MODE_NATIVE : XGLB_XDP_MODE_AUTO;
	for (g = 0; g < cfg->n_groups; g++) {
		struct xglb_cfg_group *grp = &cfg->groups[g];

		for (i = 0; i < grp->n_fwd; i++)
			if (grp->fwd[i].preferred == -1) /* not given; XGLB_CFG_NONE stays */
				grp->fwd[i].preferred = grp->fwd[i].owner;
		qsort(grp->fwd, grp->n_fwd, sizeof(grp->fwd[0]), cmp_fwd);
		/* the fast path is XDP's: "datapath: tc" runs none (auto may, per interface) */
		if (grp->fast_path && cfg->datapath == XGLB_DATAPATH_TC) {
			char name[64];

			snprintf(name, sizeof(name), "groups[%d].fast-path", g);
			schema_err(
			    c, grp->fast_path_line, name,
			    "needs the XDP data path, and datapath is tc (set datapath: xdp, "
			    "or fast-path: false)");
		}
	}
	finish_ipv6(c);
}

/* Parses TEXT; the override, when given, wins over a "node:" in the file. */
static void load_text(struct ctx *c, const char *text, size_t len, const char *node_override)
{
	yaml_parser_t p;
	yaml_document_t doc;
	bool ok;

	if (!yaml_parser_initialize(&p)) {
		schema_err(c, 0, "yaml", "out of memory");
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &doc)) {
		schema_syntax_error(c, &p, text);
		yaml_parser_delete(&p);
		return;
	}
	c->doc = &doc;
	ok = walk_root(c);
	schema_check_single(c, &p, text);
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	if (ok) {
		resolve_refs(c, node_override ? &c->cfg->self : NULL);
		resolve_self(c, node_override);
		finish(c);
	}
}

int xglb_config_load(const char *path, const char *node_override, struct xglb_config *cfg,
		     FILE *errs)
{
	struct ctx c = {.file = path, .errs = errs ? errs : stderr, .cfg = cfg};
	char *text;
	size_t len;

	cfg_init(cfg, path);
	if (schema_read_file(&c, path, &text, &len))
		return 1;
	load_text(&c, text, len, node_override);
	free(text);
	free(c.refs);
	return c.n_err;
}

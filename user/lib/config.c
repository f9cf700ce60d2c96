// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* config.c - loads xglb.yaml through libyaml's document API and a field table per object. */
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

#define FIELD_NAME_MAX 128	  /* "groups[254].forwarders[15].preferred" and unknown keys */
#define FILE_MAX       (16 << 20) /* bytes; a config is a few kB */
#define MS_MAX	       3600000	  /* one hour, the longest timer in milliseconds */
#define HOLD_MAX       180000	  /* groups[].timers.hold-ms */
#define TIMEOUT_MAX    86400000	  /* groups[].timers.redirect-ms and timeout-ms: one day */
#define KEY_MIN	       16	  /* bytes of the membership key */
#define SUN_PATH_MAX   sizeof(((struct sockaddr_un *)0)->sun_path)

/* One problem-collecting pass over one document. */
struct ctx {
	const char *file;
	FILE *errs;
	int n_err;
	yaml_document_t *doc;
	struct xglb_config *cfg;
	int root_line;
	bool self_given;  /* the file has "node:", valid or not */
	struct ref *refs; /* node names to resolve once all nodes are known */
	int n_refs;
};

/* A node name written in the file, resolved to an index into cfg->nodes at the end. */
struct ref {
	int *dst;
	int line;
	char field[FIELD_NAME_MAX];
	char name[XGLB_NAME_MAX];
};

struct field;
/*
 * Checks rules across the fields of MAP (at LINE, field NAME) once walked
 * against FIELDS into OBJ; BAD is walk_map()'s: a bit per failed row.
 */
typedef void (*field_check)(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			    const struct field *fields, unsigned int bad);
/* Parses V (the value of key F) into OBJ; NAME is the dotted field name. False on error. */
typedef bool (*field_fn)(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			 const char *name);

#define F_REQUIRED 0x1
#define F_UNIQUE   0x2	/* no two items of the enclosing list may have the same value */
#define F_ZERO_OK  0x4	/* integer: 0 is allowed besides min..max */
#define F_STATIC   0x8	/* required without membership (static mode) */
#define F_MEMBER   0x10 /* required with membership */
#define F_UNSET_OK 0x20 /* with F_UNIQUE: items that leave it unset (all zero) may share that */

/* One row of a schema: key name -> handler, where it lands and its limits. */
struct field {
	const char *key;
	field_fn fn;
	size_t off;
	size_t size;
	long long min, max;
	unsigned int flags;
	const void *arg;
};

/* A list of mappings (nodes, groups, forwarders) stored in a fixed array of the parent. */
struct list_desc {
	const struct field *fields;
	size_t items; /* offset of the array in the parent */
	size_t count; /* offset of the int item count in the parent */
	size_t size;  /* one item */
	int min, max;
	void (*init)(void *item, int pos, int line);
	/* cross-item checks after the unique ones; bad[i] has a bit per failed field of item i */
	void (*done)(struct ctx *c, void *parent, int line, const char *name,
		     const unsigned int *bad);
	field_check check; /* per item, after its fields: rules across them */
};

/* A mapping whose fields land in the object of its parent (membership, group timers). */
struct map_desc {
	const struct field *fields;
	field_check check;
};

// clang-format off
static const char *const policy_names[] = {
	[XGLB_POLICY_ROUND_ROBIN] = "round-robin",
	[XGLB_POLICY_WEIGHTED] = "weighted",
	[XGLB_POLICY_HOST_DEPENDENT] = "host-dependent",
	NULL,
};
// clang-format on

const char *xglb_policy_name(unsigned int policy)
{
	return policy < XGLB_POLICY_MAX ? policy_names[policy] : NULL;
}

int xglb_node_by_name(const struct xglb_config *cfg, const char *name)
{
	int i;

	for (i = 0; i < cfg->n_nodes; i++)
		if (!strcmp(cfg->nodes[i].name, name))
			return i;
	return -1;
}

/* ---- errors and node access --------------------------------------------- */

/* FILE:LINE: field: problem; LINE 0 means the problem is not in the file. */
__attribute__((format(printf, 4, 5))) static void err(struct ctx *c, int line, const char *field,
						      const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(c->errs, "%s:%d: %s: ", c->file, line, field);
	else
		fprintf(c->errs, "%s: %s: ", c->file, field);
	va_start(ap, fmt);
	vfprintf(c->errs, fmt, ap);
	va_end(ap);
	fputc('\n', c->errs);
	c->n_err++;
}

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static int line_of(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static const char *kind(yaml_node_type_t t)
{
	switch (t) {
	case YAML_SCALAR_NODE:
		return "scalar";
	case YAML_SEQUENCE_NODE:
		return "list";
	case YAML_MAPPING_NODE:
		return "mapping";
	default:
		return "nothing";
	}
}

static bool want(struct ctx *c, yaml_node_t *v, yaml_node_type_t t, int line, const char *name)
{
	if (v->type == t)
		return true;
	err(c, line, name, "expected a %s, got a %s", kind(t), kind(v->type));
	return false;
}

/* The text of a scalar value, NULL (and an error) if V is not one or hides a NUL. */
static const char *scalar(struct ctx *c, yaml_node_t *v, int line, const char *name)
{
	const char *s;

	if (!want(c, v, YAML_SCALAR_NODE, line, name))
		return NULL;
	s = (const char *)v->data.scalar.value;
	if (strlen(s) != v->data.scalar.length) {
		err(c, line, name, "contains a NUL character");
		return NULL;
	}
	return s;
}

/* The first pair of MAP whose key is KEY, or NULL. */
static yaml_node_pair_t *map_find(struct ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return p;
	}
	return NULL;
}

static void join(char *buf, const char *path, const char *key)
{
	snprintf(buf, FIELD_NAME_MAX, "%s%s%s", path, *path ? "." : "", key);
}

/* ---- the walker ------------------------------------------------------------ */

static const struct field *find_field(const struct field *fields, const char *key)
{
	for (; fields->key; fields++)
		if (!strcmp(fields->key, key))
			return fields;
	return NULL;
}

/* Checks one key of a mapping and runs its handler; returns the bit of a failed field. */
static unsigned int walk_pair(struct ctx *c, yaml_node_t *map, yaml_node_pair_t *p,
			      const struct field *fields, void *obj, const char *path)
{
	yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
	const struct field *f;
	yaml_node_pair_t *first;
	char name[FIELD_NAME_MAX];
	const char *key;

	if (k->type != YAML_SCALAR_NODE) {
		err(c, line_of(k), *path ? path : "document", "field names must be scalars");
		return 0;
	}
	key = (const char *)k->data.scalar.value;
	join(name, path, key);
	f = find_field(fields, key);
	if (!f) {
		err(c, line_of(k), name, "unknown field");
		return 0;
	}
	first = map_find(c, map, key);
	if (first != p) {
		err(c, line_of(k), name, "duplicate field (first at line %d)",
		    line_of(node(c, first->key)));
		return 1u << (f - fields);
	}
	return f->fn(c, f, v, line_of(k), obj, name) ? 0 : 1u << (f - fields);
}

/* Why F must be given, or NULL if it may be left out. */
static const char *required(struct ctx *c, const struct field *f)
{
	if ((f->flags & F_REQUIRED) || ((f->flags & F_STATIC) && !c->cfg->membership))
		return "missing required field";
	if ((f->flags & F_MEMBER) && c->cfg->membership)
		return "required when membership is configured";
	return NULL;
}

/* Walks MAP against FIELDS into OBJ; returns a bit per field that failed or is missing. */
static unsigned int walk_map(struct ctx *c, yaml_node_t *map, const struct field *fields, void *obj,
			     const char *path)
{
	unsigned int bad = 0;
	yaml_node_pair_t *p;
	const struct field *f;
	char name[FIELD_NAME_MAX];

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		bad |= walk_pair(c, map, p, fields, obj, path);
	for (f = fields; f->key; f++) {
		const char *why = required(c, f);

		if (!why || map_find(c, map, f->key))
			continue;
		join(name, path, f->key);
		err(c, line_of(map), name, "%s", why);
		bad |= 1u << (f - fields);
	}
	return bad;
}

/* Line of KEY in MAP, or of MAP when the key is absent (a default). */
static int key_line(struct ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p = map_find(c, map, key);

	return p ? line_of(node(c, p->key)) : line_of(map);
}

/* ---- scalar handlers --------------------------------------------------- */

static void put_uint(void *p, size_t size, unsigned long long v)
{
	switch (size) {
	case 1:
		*(__u8 *)p = v;
		break;
	case 2:
		*(__u16 *)p = v;
		break;
	default:
		*(__u32 *)p = v;
		break;
	}
}

static unsigned long long get_uint(const void *p, size_t size)
{
	switch (size) {
	case 1:
		return *(const __u8 *)p;
	case 2:
		return *(const __u16 *)p;
	default:
		return *(const __u32 *)p;
	}
}

/* Decimal only: "010" is 10 and "0x10" an error, as an operator reading the file expects. */
static bool parse_int(const char *s, long long *out)
{
	const char *d = s + (*s == '-' || *s == '+');
	char *end;

	if (!isdigit((unsigned char)*d))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno == ERANGE)
		*out = *s == '-' ? LLONG_MIN : LLONG_MAX; /* out of every range */
	return *end == '\0';
}

static bool h_uint(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = scalar(c, v, line, name);
	long long n;

	if (!s)
		return false;
	if (!parse_int(s, &n)) {
		err(c, line, name, "\"%s\" is not an integer", s);
		return false;
	}
	if ((n < f->min || n > f->max) && !(n == 0 && (f->flags & F_ZERO_OK))) {
		err(c, line, name, "must be %sbetween %lld and %lld",
		    f->flags & F_ZERO_OK ? "0 or " : "", f->min, f->max);
		return false;
	}
	put_uint((char *)obj + f->off, f->size, n);
	return true;
}

static bool h_persistence(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			  const char *name)
{
	const char *s = scalar(c, v, line, name);
	long long n;

	if (!s)
		return false;
	if (!parse_int(s, &n) || (n != 0 && n != 1 && n != 3)) {
		err(c, line, name, "must be 0, 1 or 3, not \"%s\"", s);
		return false;
	}
	put_uint((char *)obj + f->off, f->size, n);
	return true;
}

/* One of the NULL-terminated names in f->arg, stored as its position. */
static bool h_enum(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *const *names = f->arg;
	const char *s = scalar(c, v, line, name);
	char all[128] = "";
	int i;

	if (!s)
		return false;
	for (i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			put_uint((char *)obj + f->off, f->size, i);
			return true;
		}
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", i ? ", " : "",
			 names[i]);
	}
	err(c, line, name, "\"%s\" is not one of %s", s, all);
	return false;
}

/* S if it is an absolute path of at most MAX characters, else NULL (and an error). */
static const char *abs_path(struct ctx *c, const char *s, size_t max, int line, const char *name)
{
	if (!s)
		return NULL;
	if (s[0] != '/') {
		err(c, line, name, "\"%s\" is not an absolute path", s);
		return NULL;
	}
	if (strlen(s) > max) {
		err(c, line, name, "longer than %zu characters", max);
		return NULL;
	}
	return s;
}

/* An absolute path; f->max, when set, is a shorter limit than the member's size. */
static bool h_path(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	size_t max = f->max ? (size_t)f->max : f->size - 1;
	const char *s = abs_path(c, scalar(c, v, line, name), max, line, name);

	if (!s)
		return false;
	strcpy((char *)obj + f->off, s);
	return true;
}

/* "ADDR:PORT" (IPv4 address, port 1..65535), or "off" (stored as ""). */
static bool h_listen(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	const char *s = scalar(c, v, line, name), *colon;
	char host[INET_ADDRSTRLEN];
	struct in_addr a;
	char *end;
	long port;

	if (!s)
		return false;
	if (!strcmp(s, "off")) {
		*((char *)obj + f->off) = '\0';
		return true;
	}
	colon = strrchr(s, ':');
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host) || strlen(s) >= f->size)
		goto bad;
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (inet_pton(AF_INET, host, &a) != 1 || *end || end == colon + 1 || port < 1 ||
	    port > 65535)
		goto bad;
	strcpy((char *)obj + f->off, s);
	return true;
bad:
	err(c, line, name, "\"%s\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off",
	    s);
	return false;
}

/* Free text of 1 to f->size - 1 characters (a command line). */
static bool h_text(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = scalar(c, v, line, name);

	if (!s)
		return false;
	if (!*s || strlen(s) >= f->size) {
		err(c, line, name, "must be 1 to %zu characters long", f->size - 1);
		return false;
	}
	strcpy((char *)obj + f->off, s);
	return true;
}

/* As YAML 1.1 writes them, lower case: true, false, yes or no. */
static bool h_bool(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = scalar(c, v, line, name);
	bool *b = (bool *)((char *)obj + f->off);

	if (!s)
		return false;
	if (!strcmp(s, "true") || !strcmp(s, "yes")) {
		*b = true;
	} else if (!strcmp(s, "false") || !strcmp(s, "no")) {
		*b = false;
	} else {
		err(c, line, name, "must be true, false, yes or no, not \"%s\"", s);
		return false;
	}
	return true;
}

static bool valid_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* A node or tracked object name: 1..31 characters from [A-Za-z0-9_.-]. */
static bool h_name(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = scalar(c, v, line, name);

	if (!s)
		return false;
	if (!*s || strlen(s) >= XGLB_NAME_MAX) {
		err(c, line, name, "must be 1 to %d characters long", XGLB_NAME_MAX - 1);
		return false;
	}
	if (!valid_name(s)) {
		err(c, line, name, "\"%s\" has characters outside [A-Za-z0-9_.-]", s);
		return false;
	}
	strcpy((char *)obj + f->off, s);
	return true;
}

/* A reference to a node by name, resolved into an index once all nodes are read. */
static bool h_noderef(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const char *s = scalar(c, v, line, name);
	struct ref *r;

	if (!s)
		return false;
	if (strlen(s) >= XGLB_NAME_MAX) {
		err(c, line, name, "unknown node \"%s\"", s);
		return false;
	}
	r = realloc(c->refs, (c->n_refs + 1) * sizeof(*r));
	if (!r) {
		err(c, line, name, "out of memory");
		return false;
	}
	c->refs = r;
	r += c->n_refs++;
	r->dst = (int *)((char *)obj + f->off);
	r->line = line;
	snprintf(r->field, sizeof(r->field), "%s", name);
	snprintf(r->name, sizeof(r->name), "%s", s);
	return true;
}

/* "node:" names this router; --node may replace it, so it is resolved at the end too. */
static bool h_self(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	struct xglb_config *cfg = obj;

	c->self_given = true;
	if (!h_noderef(c, f, v, line, obj, name))
		return false;
	strcpy(cfg->node_name, c->refs[c->n_refs - 1].name);
	return true;
}

/* The static AVG: with membership the AVG is elected instead, so it must not be given. */
static bool h_avg(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name)
{
	if (c->cfg->membership) {
		err(c, line, name,
		    "the AVG is elected when membership is configured; set nodes[].priority");
		return false;
	}
	return h_noderef(c, f, v, line, obj, name);
}

/* Why host-order address H cannot be a gateway VIP, or NULL if it can. */
static const char *not_unicast(__u32 h)
{
	if (h == 0xffffffff)
		return "the broadcast";
	if (h >> 28 == 0xe)
		return "a multicast";
	if (h >> 28 == 0xf)
		return "a reserved (240/4)";
	if (h >> 24 == 0)
		return "a this-network (0/8)";
	if (h >> 24 == 127)
		return "a loopback";
	return NULL;
}

static bool h_ipv4(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = scalar(c, v, line, name);
	struct in_addr a;
	const char *why;

	if (!s)
		return false;
	if (inet_pton(AF_INET, s, &a) != 1) {
		err(c, line, name, "\"%s\" is not an IPv4 address", s);
		return false;
	}
	why = not_unicast(ntohl(a.s_addr));
	if (why) {
		err(c, line, name, "\"%s\" is %s address, not a unicast one", s, why);
		return false;
	}
	memcpy((char *)obj + f->off, &a.s_addr, sizeof(a.s_addr));
	return true;
}

/* As the kernel's dev_valid_name(): no '/', ':' or white space, not "." or "..". */
static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static bool h_ifname(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	const char *s = scalar(c, v, line, name);

	if (!s)
		return false;
	if (!valid_ifname(s)) {
		err(c, line, name, "\"%s\" is not an interface name (1 to %d characters)", s,
		    IF_NAMESIZE - 1);
		return false;
	}
	strcpy((char *)obj + f->off, s);
	return true;
}

static bool iface_item(struct ctx *c, struct xglb_cfg_group *g, yaml_node_t *it, const char *name)
{
	const char *s = scalar(c, it, line_of(it), name);
	int i;

	if (!s)
		return false;
	if (!valid_ifname(s)) {
		err(c, line_of(it), name, "\"%s\" is not an interface name (1 to %d characters)", s,
		    IF_NAMESIZE - 1);
		return false;
	}
	for (i = 0; i < g->n_ifaces; i++) {
		if (!strcmp(g->ifaces[i], s)) {
			err(c, line_of(it), name, "duplicate interface \"%s\"", s);
			return false;
		}
	}
	strcpy(g->ifaces[g->n_ifaces++], s);
	return true;
}

static bool h_ifaces(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	struct xglb_cfg_group *g = obj;
	yaml_node_item_t *it;
	char iname[FIELD_NAME_MAX];
	int n, errs0 = c->n_err;

	if (!want(c, v, YAML_SEQUENCE_NODE, line, name))
		return false;
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n < 1 || n > XGLB_GROUP_IFACES) {
		err(c, line, name, "must list 1 to %d interfaces, not %d", XGLB_GROUP_IFACES, n);
		return false;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		snprintf(iname, sizeof(iname), "%s[%d]", name,
			 (int)(it - v->data.sequence.items.start));
		iface_item(c, g, node(c, *it), iname);
	}
	return c->n_err == errs0;
}

/* steering.interfaces: 1..4 distinct interface names. */
static bool h_steer_ifaces(struct ctx *c, const struct field *f, yaml_node_t *v, int line,
			   void *obj, const char *name)
{
	struct xglb_cfg_group *g = obj;
	yaml_node_item_t *it;
	int n;

	if (!want(c, v, YAML_SEQUENCE_NODE, line, name))
		return false;
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n < 1 || n > XGLB_GROUP_IFACES) {
		err(c, line, name, "must list 1 to %d interfaces, not %d", XGLB_GROUP_IFACES, n);
		return false;
	}
	g->n_steer_ifaces = 0;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *x = node(c, *it);
		int xl = x ? (int)x->start_mark.line + 1 : line;
		const char *s = scalar(c, x, xl, name);

		if (!s)
			return false;
		if (!valid_ifname(s)) {
			err(c, xl, name, "\"%s\" is not an interface name (1 to %d characters)", s,
			    IF_NAMESIZE - 1);
			return false;
		}
		for (int k = 0; k < g->n_steer_ifaces; k++)
			if (!strcmp(g->steer_ifaces[k], s)) {
				err(c, xl, name, "\"%s\" is listed twice", s);
				return false;
			}
		strcpy(g->steer_ifaces[g->n_steer_ifaces++], s);
	}
	(void)f;
	return true;
}

/* steering.buckets is a power of two. */
static void steer_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			const struct field *fields, unsigned int bad)
{
	struct xglb_cfg_group *g = obj;
	char fname[FIELD_NAME_MAX];

	(void)line;
	(void)fields;
	if (!(bad & 2) && (g->steer_buckets & (g->steer_buckets - 1))) {
		join(fname, name, "buckets");
		err(c, key_line(c, map, "buckets"), fname, "%u is not a power of two",
		    g->steer_buckets);
	}
}

/* ---- the membership key ------------------------------------------------ */

static char *slurp(FILE *f, size_t *len);

static int hexval(char ch)
{
	return isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10;
}

/* The key as hex digits, two per byte. Never printed: it is a secret. */
static bool h_key(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name)
{
	struct xglb_config *cfg = obj;
	const char *s = scalar(c, v, line, name);
	size_t n, i;

	if (!s)
		return false;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			err(c, line, name, "character %zu is not a hex digit", i + 1);
			return false;
		}
	}
	if (n % 2 || n < 2 * KEY_MIN || n > 2 * XGLB_KEY_MAX) {
		err(c, line, name,
		    "must be an even number of hex digits, %d to %d (%d to %d bytes), "
		    "not %zu",
		    2 * KEY_MIN, 2 * XGLB_KEY_MAX, KEY_MIN, XGLB_KEY_MAX, n);
		return false;
	}
	for (i = 0; i < n / 2; i++)
		cfg->key[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
	cfg->key_len = n / 2;
	return true;
}

/* The key as the raw bytes of a file, read now; one trailing newline is not part of it. */
static bool h_keyfile(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	struct xglb_config *cfg = obj;
	const char *s = abs_path(c, scalar(c, v, line, name), XGLB_PATH_MAX - 1, line, name);
	size_t len, size;
	FILE *fp;
	char *buf;
	bool ok;

	if (!s)
		return false;
	fp = fopen(s, "re");
	if (!fp) {
		err(c, line, name, "%s: %s", s, strerror(errno));
		return false;
	}
	buf = slurp(fp, &size);
	if (!buf)
		err(c, line, name, "%s: %s", s, strerror(errno));
	fclose(fp);
	if (!buf)
		return false;
	len = size && buf[size - 1] == '\n' ? size - 1 : size;
	ok = len >= KEY_MIN && len <= XGLB_KEY_MAX;
	if (ok) {
		memcpy(cfg->key, buf, len);
		cfg->key_len = len;
	} else {
		err(c, line, name, "%s: the key is %zu bytes, must be %d to %d", s, len, KEY_MIN,
		    XGLB_KEY_MAX);
	}
	explicit_bzero(buf, size);
	free(buf);
	return ok;
}

/* ---- mappings within an object ------------------------------------------- */

/* A mapping whose fields land in OBJ itself, then the rules across them. */
static bool h_map(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name)
{
	const struct map_desc *d = f->arg;
	unsigned int bad;
	int errs0 = c->n_err;

	if (!want(c, v, YAML_MAPPING_NODE, line, name))
		return false;
	bad = walk_map(c, v, d->fields, obj, name);
	if (d->check)
		d->check(c, v, line, obj, name, d->fields, bad);
	return c->n_err == errs0;
}

/* ---- lists of mappings ------------------------------------------------- */

static void *item_at(const struct list_desc *d, void *parent, int i)
{
	return (char *)parent + d->items + (size_t)i * d->size;
}

/* Line of the key F in item I, or of the item when the key is absent (a default). */
static int field_line(struct ctx *c, yaml_node_t *seq, int i, const struct field *f)
{
	yaml_node_t *it = node(c, seq->data.sequence.items.start[i]);
	yaml_node_pair_t *p = map_find(c, it, f->key);

	return p ? line_of(node(c, p->key)) : line_of(it);
}

static void describe(struct ctx *c, yaml_node_t *seq, int i, const struct field *f, const void *val,
		     char *buf, size_t n)
{
	yaml_node_t *it = node(c, seq->data.sequence.items.start[i]);
	yaml_node_pair_t *p = map_find(c, it, f->key);

	if (p && node(c, p->value)->type == YAML_SCALAR_NODE)
		snprintf(buf, n, "%s", node(c, p->value)->data.scalar.value);
	else
		snprintf(buf, n, "%llu", get_uint(val, f->size));
}

static bool all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Reports item I if its field F repeats an earlier item's value. */
static void unique_one(struct ctx *c, const struct list_desc *d, yaml_node_t *seq, void *parent,
		       const unsigned int *bad, int i, const struct field *f, const char *name)
{
	unsigned int bit = 1u << (f - d->fields);
	const char *vi = (char *)item_at(d, parent, i) + f->off;
	char fname[FIELD_NAME_MAX], val[64];
	int j;

	if ((f->flags & F_UNSET_OK) && all_zero(vi, f->size))
		return;
	for (j = 0; j < i; j++) {
		if ((bad[j] & bit) || memcmp(vi, (char *)item_at(d, parent, j) + f->off, f->size))
			continue;
		snprintf(fname, sizeof(fname), "%s[%d].%s", name, i, f->key);
		describe(c, seq, i, f, vi, val, sizeof(val));
		err(c, field_line(c, seq, i, f), fname, "duplicate %s %s (first at line %d)",
		    f->key, val, field_line(c, seq, j, f));
		return;
	}
}

static void check_unique(struct ctx *c, const struct list_desc *d, yaml_node_t *seq, void *parent,
			 const unsigned int *bad, int n, const char *name)
{
	const struct field *f;
	int i;

	for (i = 0; i < n; i++) /* in file order */
		for (f = d->fields; f->key; f++)
			if ((f->flags & F_UNIQUE) && !(bad[i] & 1u << (f - d->fields)))
				unique_one(c, d, seq, parent, bad, i, f, name);
}

static bool h_list(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const struct list_desc *d = f->arg;
	unsigned int bad[XGLB_MAX_GROUPS];
	char iname[FIELD_NAME_MAX];
	int i, n, errs0 = c->n_err;

	if (!want(c, v, YAML_SEQUENCE_NODE, line, name))
		return false;
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n < d->min || n > d->max) {
		err(c, line, name, "must have %d to %d entries, not %d", d->min, d->max, n);
		return false;
	}
	for (i = 0; i < n; i++) {
		yaml_node_t *it = node(c, v->data.sequence.items.start[i]);
		void *o = item_at(d, obj, i);

		snprintf(iname, sizeof(iname), "%s[%d]", name, i);
		d->init(o, i, line_of(it));
		bad[i] = ~0u;
		if (!want(c, it, YAML_MAPPING_NODE, line_of(it), iname))
			continue;
		bad[i] = walk_map(c, it, d->fields, o, iname);
		if (d->check)
			d->check(c, it, line_of(it), o, iname, d->fields, bad[i]);
	}
	*(int *)((char *)obj + d->count) = n;
	check_unique(c, d, v, obj, bad, n, name);
	if (d->done)
		d->done(c, obj, line, name, bad);
	return c->n_err == errs0;
}

/* ---- per-item defaults and list checks ------------------------------------- */

enum { FWD_INDEX }; /* row of "index" in fwd_fields */

/* Rows of timer_fields, weighting_fields and track_fields, for their checks. */
enum { TIMER_HELLO, TIMER_HOLD, TIMER_REDIRECT, TIMER_TIMEOUT };
enum { WEIGHT_LOWER, WEIGHT_UPPER };
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
			err(c, line, name, "index %d is missing: indexes must run from 0 to %d", i,
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
	g->line = line;
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
		if (map_find(c, map, "hold-ms")) {
			join(fname, name, "hold-ms");
			err(c, key_line(c, map, "hold-ms"), fname,
			    "must be greater than hello-ms (%u)", g->hello_ms);
		} else {
			join(fname, name, "hello-ms");
			err(c, key_line(c, map, "hello-ms"), fname,
			    "must be less than hold-ms (%u, the default)", g->hold_ms);
		}
	}
	if (!(bad & (BIT(TIMER_REDIRECT) | BIT(TIMER_TIMEOUT))) && g->redirect_ms > g->timeout_ms) {
		if (map_find(c, map, "timeout-ms")) {
			join(fname, name, "timeout-ms");
			err(c, key_line(c, map, "timeout-ms"), fname,
			    "must be at least redirect-ms (%u)", g->redirect_ms);
		} else {
			join(fname, name, "redirect-ms");
			err(c, key_line(c, map, "redirect-ms"), fname,
			    "must not exceed timeout-ms (%u, the default)", g->timeout_ms);
		}
	}
}

/* Exactly one of key and key-file; reported at the "membership:" line. */
static void membership_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			     const struct field *fields, unsigned int bad)
{
	bool key = map_find(c, map, "key"), file = map_find(c, map, "key-file");

	if (!key && !file)
		err(c, line, name, "needs a key: give key or key-file");
	else if (key && file)
		err(c, line, name, "give key or key-file, not both");
}

/* upper defaults to lower, and may not be below it. */
static void weighting_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			    const struct field *fields, unsigned int bad)
{
	struct xglb_config *cfg = obj;
	char fname[FIELD_NAME_MAX];

	if (!map_find(c, map, "upper")) {
		cfg->weight_upper = cfg->weight_lower;
	} else if (!(bad & (BIT(WEIGHT_LOWER) | BIT(WEIGHT_UPPER))) &&
		   cfg->weight_upper < cfg->weight_lower) {
		join(fname, name, "upper");
		err(c, key_line(c, map, "upper"), fname, "must not be below lower (%u)",
		    cfg->weight_lower);
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
		bool given = map_find(c, map, f->key);

		join(fname, name, f->key);
		if (given && !(track_allowed[t->type] & bit) && !(bad & bit))
			err(c, key_line(c, map, f->key), fname, "not allowed for type \"%s\"",
			    type);
		else if (!given && (track_required[t->type] & bit))
			err(c, line, fname, "required for type \"%s\"", type);
	}
	if (!(track_allowed[t->type] & BIT(TRK_INTERVAL)))
		t->interval_ms = 0;
	if (!(track_allowed[t->type] & BIT(TRK_TIMEOUT))) {
		t->timeout_ms = 0;
	} else if (!map_find(c, map, "timeout-ms")) {
		t->timeout_ms = t->interval_ms < 500 ? t->interval_ms : 500;
	} else if (!(bad & (BIT(TRK_INTERVAL) | BIT(TRK_TIMEOUT))) &&
		   t->timeout_ms > t->interval_ms) {
		join(fname, name, "timeout-ms");
		err(c, key_line(c, map, "timeout-ms"), fname,
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
#define MAP(k, desc) { .key = k, .fn = h_map, .arg = desc }

static const struct field node_fields[] = {
	NODE("name", h_name, name, 0, 0, F_REQUIRED | F_UNIQUE, NULL),
	NODE("id", h_uint, id, 1, UINT32_MAX, F_REQUIRED | F_UNIQUE, NULL),
	NODE("priority", h_uint, priority, 1, 255, 0, NULL),
	NODE("weight", h_uint, weight, 1, 65535, 0, NULL),
	NODE("address", h_ipv4, address, 0, 0, F_UNIQUE | F_UNSET_OK | F_MEMBER, NULL),
	{ NULL },
};

static const struct field fwd_fields[] = {
	[FWD_INDEX] = FWD("index", h_uint, index, 0, XGLB_MAX_FWD - 1, F_UNIQUE, NULL),
	FWD("owner", h_noderef, owner, 0, 0, F_REQUIRED, NULL),
	FWD("preferred", h_noderef, preferred, 0, 0, 0, NULL),
	FWD("weight", h_uint, weight, 1, 255, 0, NULL),
	FWD("persistence", h_persistence, persistence, 0, 0, 0, NULL),
	{ NULL },
};

static const struct list_desc fwd_list =
	LIST(struct xglb_cfg_group, fwd, n_fwd, fwd_fields, 1, XGLB_MAX_FWD, fwd_init, fwd_done,
	     NULL);

static const struct field timer_fields[] = {
	[TIMER_HELLO] = GROUP("hello-ms", h_uint, hello_ms, 10, 60000, 0, NULL),
	[TIMER_HOLD] = GROUP("hold-ms", h_uint, hold_ms, 11, HOLD_MAX, 0, NULL),
	[TIMER_REDIRECT] = GROUP("redirect-ms", h_uint, redirect_ms, 0, TIMEOUT_MAX, 0, NULL),
	[TIMER_TIMEOUT] = GROUP("timeout-ms", h_uint, timeout_ms, 0, TIMEOUT_MAX, 0, NULL),
	{ NULL },
};

static const struct map_desc timer_map = { timer_fields, timers_check };

static const struct field steer_fields[] = {
	GROUP("enabled", h_bool, steer, 0, 0, 0, NULL),
	GROUP("buckets", h_uint, steer_buckets, 64, 65536, 0, NULL),
	GROUP("interfaces", h_steer_ifaces, steer_ifaces, 0, 0, 0, NULL),
	{ NULL },
};

static const struct map_desc steer_map = { steer_fields, steer_check };

static const struct field group_fields[] = {
	GROUP("id", h_uint, id, 1, 255, F_REQUIRED | F_UNIQUE, NULL),
	GROUP("vip", h_ipv4, vip, 0, 0, F_REQUIRED | F_UNIQUE, NULL),
	GROUP("interfaces", h_ifaces, ifaces, 0, 0, F_REQUIRED, NULL),
	GROUP("policy", h_enum, policy, 0, 0, 0, policy_names),
	GROUP("avg", h_avg, avg, 0, 0, F_STATIC, NULL),
	GROUP("forwarders", h_list, fwd, 0, 0, F_REQUIRED, &fwd_list),
	MAP("timers", &timer_map),
	GROUP("preempt", h_bool, preempt, 0, 0, 0, NULL),
	GROUP("preempt-delay-ms", h_uint, preempt_delay_ms, 0, MS_MAX, 0, NULL),
	GROUP("load-max-share-pct", h_uint, load_max_pct, 0, 100, 0, NULL),
	MAP("steering", &steer_map),
	{ NULL },
};

static const struct field membership_fields[] = {
	TOP("port", h_uint, port, 1, 65535, 0, NULL),
	TOP("key", h_key, key, 0, 0, 0, NULL),
	TOP("key-file", h_keyfile, key, 0, 0, 0, NULL),
	{ NULL },
};

static const struct map_desc membership_map = { membership_fields, membership_check };

static const struct field weighting_fields[] = {
	[WEIGHT_LOWER] = TOP("lower", h_uint, weight_lower, 0, 65535, 0, NULL),
	[WEIGHT_UPPER] = TOP("upper", h_uint, weight_upper, 0, 65535, 0, NULL),
	{ NULL },
};

static const struct map_desc weighting_map = { weighting_fields, weighting_check };

static const struct field track_fields[] = {
	[TRK_NAME] = TRACK("name", h_name, name, 0, 0, F_REQUIRED | F_UNIQUE, NULL),
	[TRK_TYPE] = TRACK("type", h_enum, type, 0, 0, F_REQUIRED, track_type_names),
	[TRK_INTERFACE] = TRACK("interface", h_ifname, interface, 0, 0, 0, NULL),
	[TRK_TARGET] = TRACK("target", h_ipv4, target, 0, 0, 0, NULL),
	[TRK_COMMAND] = TRACK("command", h_text, command, 0, 0, 0, NULL),
	[TRK_PATH] = TRACK("path", h_path, path, 0, 0, 0, NULL),
	[TRK_INTERVAL] = TRACK("interval-ms", h_uint, interval_ms, 100, MS_MAX, 0, NULL),
	[TRK_TIMEOUT] = TRACK("timeout-ms", h_uint, timeout_ms, 10, MS_MAX, 0, NULL),
	[TRK_PRIO] = TRACK("priority-decrement", h_uint, priority_dec, 0, 255, 0, NULL),
	[TRK_WEIGHT] = TRACK("weight-decrement", h_uint, weight_dec, 0, 65535, 0, NULL),
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
	       "h_list's bad[] holds XGLB_MAX_GROUPS items");
_Static_assert(sizeof(((struct xglb_config *)0)->key) == XGLB_KEY_MAX, "key holds XGLB_KEY_MAX");
_Static_assert(XGLB_MAX_FWD <= 32, "fwd_done keeps indexes in a 32-bit mask");

static const struct field top_fields[] = {
	TOP("node", h_self, self, 0, 0, 0, NULL),
	TOP("pin-root", h_path, pin_root, 0, 0, 0, NULL),
	TOP("lease-ms", h_uint, lease_ms, 100, MS_MAX, 0, NULL),
	TOP("learn-interval-ms", h_uint, learn_interval_ms, 100, MS_MAX, F_ZERO_OK, NULL),
	TOP("control-socket", h_path, control_socket, 0, SUN_PATH_MAX - 1, 0, NULL),
	TOP("http-listen", h_listen, http_listen, 0, 0, 0, NULL),
	MAP("membership", &membership_map),
	MAP("weighting", &weighting_map),
	TOP("tracking", h_list, track, 0, 0, 0, &track_list),
	TOP("nodes", h_list, nodes, 0, 0, F_REQUIRED, &node_list),
	TOP("groups", h_list, groups, 0, 0, F_REQUIRED, &group_list),
	{ NULL },
};
// clang-format on

/* walk_map() reports fields as bits of an unsigned int */
#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1)
_Static_assert(ROWS(top_fields) <= 32 && ROWS(node_fields) <= 32 && ROWS(group_fields) <= 32 &&
		   ROWS(fwd_fields) <= 32 && ROWS(timer_fields) <= 32 &&
		   ROWS(membership_fields) <= 32 && ROWS(weighting_fields) <= 32 &&
		   ROWS(track_fields) <= 32,
	       "a schema has at most 32 rows");

/* ---- loading ----------------------------------------------------------------- */

static void cfg_init(struct xglb_config *cfg, const char *path)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	snprintf(cfg->pin_root, sizeof(cfg->pin_root), "%s", XGLB_DEFAULT_PIN_ROOT);
	cfg->lease_ms = XGLB_DEFAULT_LEASE_MS;
	cfg->learn_interval_ms = XGLB_DEFAULT_LEARN_MS;
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
		 XGLB_DEFAULT_CONTROL_SOCKET);
	snprintf(cfg->http_listen, sizeof(cfg->http_listen), "%s", XGLB_DEFAULT_HTTP_LISTEN);
	cfg->port = XGLB_PROTO_PORT;
	cfg->self = -1;
}

/* All of F, NUL-terminated; NULL with errno set on failure. */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 0, n = 0, got;
	char *buf = NULL, *nb;

	do {
		if (cap - n < 4096) {
			errno = EFBIG;
			nb = cap <= FILE_MAX ? realloc(buf, cap = cap ? 2 * cap : 8192) : NULL;
			if (!nb)
				goto fail;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	if (ferror(f))
		goto fail;
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* The whole file in *text; prints the error and returns -1 if it can't. */
static int read_file(struct ctx *c, const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(c->errs, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	*text = slurp(f, len);
	if (!*text)
		fprintf(c->errs, "%s: cannot read: %s\n", path, strerror(errno));
	fclose(f);
	return *text ? 0 : -1;
}

static void syntax_error(struct ctx *c, yaml_parser_t *p, const char *text)
{
	int line = (int)p->problem_mark.line + 1;
	size_t i;

	if (p->error == YAML_READER_ERROR) /* only the byte offset is known */
		for (i = 0, line = 1; i < p->problem_offset && text[i]; i++)
			line += text[i] == '\n';
	if (p->error == YAML_MEMORY_ERROR)
		err(c, 0, "yaml", "out of memory");
	else if (p->context)
		err(c, line, "syntax error", "%s (%s at line %d)", p->problem, p->context,
		    (int)p->context_mark.line + 1);
	else
		err(c, line, "syntax error", "%s", p->problem ? p->problem : "unknown");
}

/* The file holds one document; a second one would be silently ignored otherwise. */
static void check_single(struct ctx *c, yaml_parser_t *p, const char *text)
{
	yaml_document_t doc;
	yaml_node_t *root;

	if (!yaml_parser_load(p, &doc)) {
		syntax_error(c, p, text);
		return;
	}
	root = yaml_document_get_root_node(&doc);
	if (root)
		err(c, line_of(root), "document", "a second document is not allowed");
	yaml_document_delete(&doc);
}

/* False if there is no top-level mapping to walk. */
static bool walk_root(struct ctx *c)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);

	if (!root) {
		err(c, 1, "document", "empty: expected a mapping with nodes and groups");
		return false;
	}
	if (!want(c, root, YAML_MAPPING_NODE, line_of(root), "document"))
		return false;
	c->root_line = line_of(root);
	/* nodes and groups depend on it, wherever it is in the file */
	c->cfg->membership = map_find(c, root, "membership");
	walk_map(c, root, top_fields, c->cfg, "");
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
			err(c, r->line, r->field, "unknown node \"%s\"", r->name);
	}
}

static void resolve_self(struct ctx *c, const char *node_override)
{
	struct xglb_config *cfg = c->cfg;

	if (node_override) {
		snprintf(cfg->node_name, sizeof(cfg->node_name), "%s", node_override);
		cfg->self = xglb_node_by_name(cfg, node_override);
		if (cfg->self < 0 && cfg->n_nodes)
			err(c, 0, "node", "unknown node \"%s\" (given on the command line)",
			    node_override);
	} else if (!c->self_given) {
		err(c, c->root_line, "node",
		    "missing: name this router here or on the command line");
	}
}

static int cmp_fwd(const void *a, const void *b)
{
	return ((const struct xglb_cfg_fwd *)a)->index - ((const struct xglb_cfg_fwd *)b)->index;
}

/* Once every name is resolved: defaults that depend on other fields, then the final order. */
static void finish(struct ctx *c)
{
	struct xglb_config *cfg = c->cfg;
	int g, i;

	for (g = 0; g < cfg->n_groups; g++) {
		struct xglb_cfg_group *grp = &cfg->groups[g];

		for (i = 0; i < grp->n_fwd; i++)
			if (grp->fwd[i].preferred < 0)
				grp->fwd[i].preferred = grp->fwd[i].owner;
		qsort(grp->fwd, grp->n_fwd, sizeof(grp->fwd[0]), cmp_fwd);
	}
}

/* Parses TEXT; the override, when given, wins over a "node:" in the file. */
static void load_text(struct ctx *c, const char *text, size_t len, const char *node_override)
{
	yaml_parser_t p;
	yaml_document_t doc;
	bool ok;

	if (!yaml_parser_initialize(&p)) {
		err(c, 0, "yaml", "out of memory");
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &doc)) {
		syntax_error(c, &p, text);
		yaml_parser_delete(&p);
		return;
	}
	c->doc = &doc;
	ok = walk_root(c);
	check_single(c, &p, text);
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
	if (read_file(&c, path, &text, &len))
		return 1;
	load_text(&c, text, len, node_override);
	free(text);
	free(c.refs);
	return c.n_err;
}

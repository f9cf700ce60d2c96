// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * config_fields.c - handlers for xglb.yaml's own value types: names, node
 * references, addresses, interfaces, the membership key.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml.h>
#include "config.h"
#include "proto.h"
#include "config_fields.h"
#include "uint.h"

/* ---- xglb's own scalar fields ------------------------------------------ */

bool cfg_read_persistence(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			  const char *name)
{
	const char *s = schema_scalar(c, v, line, name);
	long long n;

	if (!s)
		return false;
	if (!schema_parse_int(s, &n) || (n != 0 && n != 1 && n != 3)) {
		schema_err(c, line, name, "must be 0, 1 or 3, not \"%s\"", s);
		return false;
	}
	xglb_uint_set((char *)obj + f->off, f->size, n);
	return true;
}

/* "ADDR:PORT" (IPv4 address, port 1..65535), or "off" (stored as ""). */
bool cfg_read_listen(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	const char *s = schema_scalar(c, v, line, name), *colon;
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
	schema_err(c, line, name,
		   "\"%s\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off", s);
	return false;
}

static bool valid_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* A node or tracked object name: 1..31 characters (the member's size) from [A-Za-z0-9_.-]. */
bool cfg_read_name(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = (const char *)obj + f->off;

	if (!schema_read_text(c, f, v, line, obj, name))
		return false;
	if (!valid_name(s)) {
		schema_err(c, line, name, "\"%s\" has characters outside [A-Za-z0-9_.-]", s);
		return false;
	}
	return true;
}

/* A reference to a node by name, resolved into an index once all nodes are read. */
bool cfg_read_noderef(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const char *s = schema_scalar(c, v, line, name);
	struct ref *r;

	if (!s)
		return false;
	if (strlen(s) >= XGLB_NAME_MAX) {
		schema_err(c, line, name, "unknown node \"%s\"", s);
		return false;
	}
	r = realloc(c->refs, (c->n_refs + 1) * sizeof(*r));
	if (!r) {
		schema_err(c, line, name, "out of memory");
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

/* A forwarder's preferred owner: a node, or "none" (XGLB_CFG_NONE). */
bool cfg_read_preferred(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			const char *name)
{
	const char *s = schema_scalar(c, v, line, name);

	if (!s)
		return false;
	if (!strcmp(s, "none")) {
		*(int *)((char *)obj + f->off) = XGLB_CFG_NONE;
		return true;
	}
	return cfg_read_noderef(c, f, v, line, obj, name);
}

/* A node's name: "none" is taken (preferred: none means no node). */
bool cfg_read_node_name(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			const char *name)
{
	if (!cfg_read_name(c, f, v, line, obj, name))
		return false;
	if (!strcmp((const char *)obj + f->off, "none")) {
		schema_err(c, line, name, "\"none\" is reserved (preferred: none names no node)");
		return false;
	}
	return true;
}

/* "node:" names this router; --node may replace it, so it is resolved at the end too. */
bool cfg_read_self(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	struct xglb_config *cfg = obj;

	c->self_given = true;
	if (!cfg_read_noderef(c, f, v, line, obj, name))
		return false;
	strcpy(cfg->node_name, c->refs[c->n_refs - 1].name);
	return true;
}

/* The static AVG: with membership the AVG is elected instead, so it must not be given. */
bool cfg_read_avg(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name)
{
	if (c->cfg->membership) {
		schema_err(
		    c, line, name,
		    "the AVG is elected when membership is configured; set nodes[].priority");
		return false;
	}
	return cfg_read_noderef(c, f, v, line, obj, name);
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

bool cfg_read_ipv4(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	const char *s = schema_scalar(c, v, line, name);
	struct in_addr a;
	const char *why;

	if (!s)
		return false;
	if (inet_pton(AF_INET, s, &a) != 1) {
		schema_err(c, line, name, "\"%s\" is not an IPv4 address", s);
		return false;
	}
	why = not_unicast(ntohl(a.s_addr));
	if (why) {
		schema_err(c, line, name, "\"%s\" is %s address, not a unicast one", s, why);
		return false;
	}
	memcpy((char *)obj + f->off, &a.s_addr, sizeof(a.s_addr));
	return true;
}

/* The scalar at v as an IPv6 address into a, or false after reporting why it is none. */
static bool ipv6_scalar(struct ctx *c, yaml_node_t *v, int line, const char *name, __u8 a[16])
{
	const char *s = schema_scalar(c, v, line, name);

	if (!s)
		return false;
	if (inet_pton(AF_INET6, s, a) != 1) {
		schema_err(c, line, name, "\"%s\" is not an IPv6 address", s);
		return false;
	}
	return true;
}

static bool ipv6_link_local(const __u8 a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Why a cannot be a group's global virtual IPv6 address, or NULL if it can. */
static const char *not_unicast6(const __u8 a[16])
{
	static const __u8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int zero = 0;

	while (zero < 16 && !a[zero])
		zero++;
	if (zero == 16)
		return "the unspecified";
	if (zero == 15 && a[15] == 1)
		return "the loopback";
	if (a[0] == 0xff)
		return "a multicast";
	if (ipv6_link_local(a))
		return "a link-local";
	if (!memcmp(a, mapped, sizeof(mapped)))
		return "an IPv4-mapped";
	return NULL;
}

/* link-local: a unicast fe80::/10 address with a nonzero interface identifier. */
bool cfg_read_link_local(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			 const char *name)
{
	struct xglb_cfg_group *g = obj;
	static const __u8 zero[8];
	__u8 a[16];

	if (!ipv6_scalar(c, v, line, name, a))
		return false;
	if (!ipv6_link_local(a) || !memcmp(a + 8, zero, sizeof(zero))) {
		schema_err(c, line, name,
			   "\"%s\" is not a link-local unicast address (fe80::/10, interface "
			   "identifier not zero)",
			   schema_scalar(c, v, line, name));
		return false;
	}
	memcpy(g->addr6[0], a, 16);
	g->addr6_line[0] = line;
	(void)f;
	return true;
}

/* vip6: a list of 1..XGLB_VIP6_PER_GROUP-1 distinct global (non-link-local) unicast addresses. */
bool cfg_read_vip6(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		   const char *name)
{
	struct xglb_cfg_group *g = obj;
	yaml_node_item_t *it;
	int n;

	(void)f;
	if (!schema_want(c, v, YAML_SEQUENCE_NODE, line, name))
		return false;
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n < 1 || n > XGLB_VIP6_PER_GROUP - 1) {
		schema_err(
		    c, line, name,
		    "must list 1 to %d addresses (with the link-local, %d per group), not %d",
		    XGLB_VIP6_PER_GROUP - 1, XGLB_VIP6_PER_GROUP, n);
		return false;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *x = schema_node(c, *it);
		int xl = x ? schema_line_of(x) : line;
		char iname[FIELD_NAME_MAX];
		const char *why;
		__u8 a[16];

		snprintf(iname, sizeof(iname), "%s[%d]", name,
			 (int)(it - v->data.sequence.items.start));
		if (!ipv6_scalar(c, x, xl, iname, a))
			return false;
		why = not_unicast6(a);
		if (why) {
			schema_err(c, xl, iname, "\"%s\" is %s address, not a global unicast one",
				   schema_scalar(c, x, xl, iname), why);
			return false;
		}
		for (int k = 1; k <= g->n_vip6; k++)
			if (!memcmp(g->addr6[k], a, 16)) {
				schema_err(c, xl, iname, "\"%s\" is listed twice",
					   schema_scalar(c, x, xl, iname));
				return false;
			}
		g->n_vip6++;
		memcpy(g->addr6[g->n_vip6], a, 16);
		g->addr6_line[g->n_vip6] = xl;
	}
	return true;
}

/* ra.prefixes[].prefix: "ADDRESS/LEN", LEN 1..128, no host bits, not link-local or multicast. */
bool cfg_read_prefix6(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	struct xglb_cfg_prefix *p = obj;
	const char *s = schema_scalar(c, v, line, name), *slash;
	char host[INET6_ADDRSTRLEN];
	long long len;
	__u8 a[16];

	(void)f;
	if (!s)
		return false;
	slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(host) || !schema_parse_int(slash + 1, &len) ||
	    len < 1 || len > 128)
		goto bad;
	memcpy(host, s, slash - s);
	host[slash - s] = '\0';
	if (inet_pton(AF_INET6, host, a) != 1)
		goto bad;
	for (int b = (int)len; b < 128; b++)
		if (a[b / 8] & (0x80 >> (b % 8))) {
			schema_err(c, line, name, "\"%s\" has host bits set past /%lld", s, len);
			return false;
		}
	if (a[0] == 0xff || ipv6_link_local(a)) {
		schema_err(c, line, name, "\"%s\" is a %s prefix: hosts ignore it", s,
			   a[0] == 0xff ? "multicast" : "link-local");
		return false;
	}
	memcpy(p->addr, a, 16);
	p->len = (__u8)len;
	return true;
bad:
	schema_err(c, line, name, "\"%s\" is not an IPv6 prefix ADDRESS/LENGTH (length 1-128)", s);
	return false;
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

/* The scalar at v as an interface name, or NULL after reporting why it is none. */
static const char *ifname_scalar(struct ctx *c, yaml_node_t *v, int line, const char *name)
{
	const char *s = schema_scalar(c, v, line, name);

	if (s && !valid_ifname(s)) {
		schema_err(c, line, name, "\"%s\" is not an interface name (1 to %d characters)", s,
			   IF_NAMESIZE - 1);
		return NULL;
	}
	return s;
}

bool cfg_read_ifname(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	return schema_put_text(f, obj, ifname_scalar(c, v, line, name));
}

static bool iface_item(struct ctx *c, struct xglb_cfg_group *g, yaml_node_t *it, const char *name)
{
	const char *s = ifname_scalar(c, it, schema_line_of(it), name);
	int i;

	if (!s)
		return false;
	for (i = 0; i < g->n_ifaces; i++) {
		if (!strcmp(g->ifaces[i], s)) {
			schema_err(c, schema_line_of(it), name, "duplicate interface \"%s\"", s);
			return false;
		}
	}
	strcpy(g->ifaces[g->n_ifaces++], s);
	return true;
}

/* A sequence of 1..XGLB_GROUP_IFACES items at v, or false after reporting why not. */
static bool iface_list(struct ctx *c, yaml_node_t *v, int line, const char *name)
{
	int n;

	if (!schema_want(c, v, YAML_SEQUENCE_NODE, line, name))
		return false;
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n < 1 || n > XGLB_GROUP_IFACES) {
		schema_err(c, line, name, "must list 1 to %d interfaces, not %d", XGLB_GROUP_IFACES,
			   n);
		return false;
	}
	return true;
}

bool cfg_read_ifaces(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	struct xglb_cfg_group *g = obj;
	yaml_node_item_t *it;
	char iname[FIELD_NAME_MAX];
	int errs0 = c->n_err;

	if (!iface_list(c, v, line, name))
		return false;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		snprintf(iname, sizeof(iname), "%s[%d]", name,
			 (int)(it - v->data.sequence.items.start));
		iface_item(c, g, schema_node(c, *it), iname);
	}
	return c->n_err == errs0;
}

/* steering.interfaces: 1..4 distinct interface names. */
bool cfg_read_steer_ifaces(struct ctx *c, const struct field *f, yaml_node_t *v, int line,
			   void *obj, const char *name)
{
	struct xglb_cfg_group *g = obj;
	yaml_node_item_t *it;

	if (!iface_list(c, v, line, name))
		return false;
	g->n_steer_ifaces = 0;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *x = schema_node(c, *it);
		int xl = x ? (int)x->start_mark.line + 1 : line;
		const char *s = ifname_scalar(c, x, xl, name);

		if (!s)
			return false;
		for (int k = 0; k < g->n_steer_ifaces; k++)
			if (!strcmp(g->steer_ifaces[k], s)) {
				schema_err(c, xl, name, "\"%s\" is listed twice", s);
				return false;
			}
		strcpy(g->steer_ifaces[g->n_steer_ifaces++], s);
	}
	(void)f;
	return true;
}

/* steering.buckets is a power of two. */
void cfg_steer_check(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
		     const struct field *fields, unsigned int bad)
{
	struct xglb_cfg_group *g = obj;
	char fname[FIELD_NAME_MAX];

	(void)line;
	(void)fields;
	if (!(bad & 2) && (g->steer_buckets & (g->steer_buckets - 1))) {
		schema_join(fname, name, "buckets");
		schema_err(c, schema_key_line(c, map, "buckets"), fname, "%u is not a power of two",
			   g->steer_buckets);
	}
}

static int hexval(char ch)
{
	return isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10;
}

/* The key as hex digits, two per byte. Never printed: it is a secret. */
bool cfg_read_key(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		  const char *name)
{
	struct xglb_config *cfg = obj;
	const char *s = schema_scalar(c, v, line, name);
	size_t n, i;

	if (!s)
		return false;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			schema_err(c, line, name, "character %zu is not a hex digit", i + 1);
			return false;
		}
	}
	if (n % 2 || n < 2 * KEY_MIN || n > 2 * XGLB_KEY_MAX) {
		schema_err(c, line, name,
			   "must be an even number of hex digits, %d to %d (%d to %d bytes), "
			   "not %zu",
			   2 * KEY_MIN, 2 * XGLB_KEY_MAX, KEY_MIN, XGLB_KEY_MAX, n);
		return false;
	}
	for (i = 0; i < n / 2; i++)
		cfg->key[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
	cfg->key_len = n / 2;
	cfg->key_inline_line = line; /* the daemon warns: the file is often world-readable */
	return true;
}

/*
 * Whoever reads the key can forge every hello: the file must be a regular
 * file owned by root (or by the user xglbd runs as, when that is not root)
 * that neither its group nor others may read or write. Checked on the open
 * file, so a rename between the check and the read changes nothing.
 */
static bool keyfile_private(struct ctx *c, int fd, const char *path, int line, const char *name)
{
	struct stat st;

	if (fstat(fd, &st)) {
		schema_err(c, line, name, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		schema_err(c, line, name, "%s: %s", path,
			   S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		schema_err(c, line, name,
			   "%s: owned by uid %u, must be owned by root (chown root %s)", path,
			   (unsigned int)st.st_uid, path);
		return false;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		schema_err(
		    c, line, name,
		    "%s: mode %04o lets %s at the key, must be 0600 or stricter (chmod 600 %s)",
		    path, (unsigned int)(st.st_mode & 07777),
		    st.st_mode & S_IRWXG ? (st.st_mode & S_IRWXO ? "group and others" : "the group")
					 : "others",
		    path);
		return false;
	}
	return true;
}

/* The key as the raw bytes of a file, read now; one trailing newline is not part of it. */
bool cfg_read_keyfile(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	struct xglb_config *cfg = obj;
	const char *s =
	    schema_abs_path(c, schema_scalar(c, v, line, name), XGLB_PATH_MAX - 1, line, name);
	size_t len, size;
	FILE *fp;
	char *buf;
	bool ok;

	if (!s)
		return false;
	fp = fopen(s, "re");
	if (!fp) {
		schema_err(c, line, name, "%s: %s", s, strerror(errno));
		return false;
	}
	if (!keyfile_private(c, fileno(fp), s, line, name)) {
		fclose(fp);
		return false;
	}
	buf = schema_slurp(fp, &size);
	if (!buf)
		schema_err(c, line, name, "%s: %s", s, strerror(errno));
	fclose(fp);
	if (!buf)
		return false;
	len = size && buf[size - 1] == '\n' ? size - 1 : size;
	ok = len >= KEY_MIN && len <= XGLB_KEY_MAX;
	if (ok) {
		memcpy(cfg->key, buf, len);
		cfg->key_len = len;
	} else {
		schema_err(c, line, name, "%s: the key is %zu bytes, must be %d to %d", s, len,
			   KEY_MIN, XGLB_KEY_MAX);
	}
	explicit_bzero(buf, size);
	free(buf);
	return ok;
}

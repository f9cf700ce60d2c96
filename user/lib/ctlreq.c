// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctlreq.c - control-socket request parsing and type checks (pure). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "ctlreq.h"

/* The fields each command takes, besides "command". */
#define F_GROUP	  0x1
#define F_FWD	  0x2
#define F_NODE	  0x4
#define F_PERSIST 0x8

static const struct {
	const char *name;
	unsigned int required, optional;
} cmds[XGLB_CTL_MAX] = {
    [XGLB_CTL_STATUS] = {"status", 0, 0},
    [XGLB_CTL_MOVE] = {"move", F_FWD | F_NODE, F_GROUP | F_PERSIST},
    [XGLB_CTL_PREFER] = {"prefer", F_FWD | F_NODE, F_GROUP},
    [XGLB_CTL_UNPIN] = {"unpin", F_FWD, F_GROUP},
    [XGLB_CTL_DRAIN] = {"drain", F_NODE, F_GROUP},
    [XGLB_CTL_UNDRAIN] = {"undrain", F_NODE, F_GROUP},
    [XGLB_CTL_RELOAD] = {"reload", 0, 0},
};

static const struct {
	const char *key;
	unsigned int bit;
	const char *what; /* for "missing" */
} fields[] = {
    {"group", F_GROUP, "a group id"},
    {"forwarder", F_FWD, "a forwarder index"},
    {"node", F_NODE, "a node name"},
    {"persistence", F_PERSIST, "0, 1 or 3"},
};

const char *xglb_ctl_cmd_name(enum xglb_ctl_cmd cmd)
{
	return (unsigned int)cmd < XGLB_CTL_MAX ? cmds[cmd].name : NULL;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* S as it may be echoed in a one-line error: at most 64 bytes, anything not printable ASCII as '?'.
 */
static const char *printable(const char *s, char out[65])
{
	size_t i;

	for (i = 0; s[i] && i < 64; i++)
		out[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
	return out;
}

static const char *type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* An integer field in min..max. */
static int int_field(struct json_object *v, const char *key, long long min, long long max, int *out,
		     char *err, size_t errlen)
{
	long long n;

	if (!json_object_is_type(v, json_type_int))
		return fail(err, errlen, "%s: must be an integer %lld..%lld, not %s", key, min, max,
			    type_name(v));
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return fail(err, errlen, "%s: must be an integer %lld..%lld, not %s", key, min, max,
			    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	*out = (int)n;
	return 0;
}

static int node_field(struct json_object *v, char *out, char *err, size_t errlen)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "node: must be a node name (a string), not %s",
			    type_name(v));
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= XGLB_NAME_MAX)
		return fail(err, errlen, "node: a node name has 1 to %d characters, not %zu",
			    XGLB_NAME_MAX - 1, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return fail(err, errlen,
				    "node: character %zu is not a printable ASCII character",
				    i + 1);
	memcpy(out, s, n + 1);
	return 0;
}

static int parse_fields(struct json_object *o, struct xglb_ctl_req *req, char *err, size_t errlen)
{
	unsigned int allowed = cmds[req->cmd].required | cmds[req->cmd].optional, seen = 0;
	char name[65];

	json_object_object_foreach(o, key, v)
	{
		unsigned int bit = 0;
		int ret = 0;

		if (!strcmp(key, "command"))
			continue;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(key, fields[i].key))
				bit = fields[i].bit;
		if (!(bit & allowed))
			return fail(err, errlen, "%s: %s takes no such field", printable(key, name),
				    cmds[req->cmd].name);
		seen |= bit;
		switch (bit) {
		case F_GROUP:
			ret = int_field(v, key, 1, 255, &req->group, err, errlen);
			break;
		case F_FWD:
			ret = int_field(v, key, 0, XGLB_MAX_FWD - 1, &req->forwarder, err, errlen);
			break;
		case F_NODE:
			ret = node_field(v, req->node, err, errlen);
			break;
		case F_PERSIST:
			ret = int_field(v, key, 0, 3, &req->persistence, err, errlen);
			if (!ret && req->persistence == 2)
				ret = fail(err, errlen, "persistence: must be 0, 1 or 3, not 2");
			break;
		}
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((cmds[req->cmd].required & fields[i].bit) && !(seen & fields[i].bit))
			return fail(err, errlen, "%s: missing: %s needs %s", fields[i].key,
				    cmds[req->cmd].name, fields[i].what);
	return 0;
}

int xglb_ctl_parse(const char *buf, size_t len, struct xglb_ctl_req *req, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o, *cmd;
	char name[65];
	const char *nul = memchr(buf, '\0', len);
	enum json_tokener_error e;
	size_t end;
	int ret = -1;

	memset(req, 0, sizeof(*req));
	req->forwarder = req->persistence = -1;
	if (nul)
		return fail(err, errlen, "request: byte %zu is a NUL", (size_t)(nul - buf) + 1);
	if (len > (size_t)INT32_MAX)
		return fail(err, errlen, "request: too long");
	tok = json_tokener_new();
	if (!tok)
		return fail(err, errlen, "request: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/* the end of the line: a bare value ends here, an open object is cut short */
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		if (e != json_tokener_success)
			e = json_tokener_continue;
		end = len;
	}
	json_tokener_free(tok);
	if (e != json_tokener_success) {
		fail(err, errlen, "request: not JSON: %s at byte %zu",
		     e == json_tokener_continue ? "it ends early" : json_tokener_error_desc(e),
		     end + 1);
		goto out;
	}
	for (; end < len; end++)
		if (!strchr(" \t\r", buf[end])) {
			fail(err, errlen, "request: more after the JSON object, at byte %zu",
			     end + 1);
			goto out;
		}
	if (!json_object_is_type(o, json_type_object)) {
		fail(err, errlen, "request: must be a JSON object, not %s", type_name(o));
		goto out;
	}
	if (!json_object_object_get_ex(o, "command", &cmd)) {
		fail(err, errlen, "command: missing");
		goto out;
	}
	if (!json_object_is_type(cmd, json_type_string)) {
		fail(err, errlen, "command: must be a string, not %s", type_name(cmd));
		goto out;
	}
	for (req->cmd = 0; req->cmd < XGLB_CTL_MAX; req->cmd++)
		if (!strcmp(json_object_get_string(cmd), cmds[req->cmd].name))
			break;
	if (req->cmd == XGLB_CTL_MAX) {
		fail(err, errlen, "command: unknown command '%s'",
		     printable(json_object_get_string(cmd), name));
		goto out;
	}
	ret = parse_fields(o, req, err, errlen);
out:
	json_object_put(o);
	return ret;
}

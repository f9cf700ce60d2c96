// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_ctlreq.c - control-socket request parsing: every field type-checked, every bad request a
 * one-line error. */
#include "testlib.h"
#include <string.h>
#include "ctlreq.h"

static int parse(const char *s, struct xglb_ctl_req *r, char *err)
{
	return xglb_ctl_parse(s, strlen(s), r, err, 256);
}

static void good_requests(void **state)
{
	struct xglb_ctl_req r;
	char err[256] = "";

	assert_int_equal(parse("{\"command\":\"status\"}", &r, err), 0);
	assert_int_equal(r.cmd, XGLB_CTL_STATUS);
	assert_int_equal(r.group, 0);
	assert_int_equal(r.forwarder, -1);
	assert_int_equal(r.persistence, -1);
	assert_string_equal(r.node, "");
	assert_int_equal(parse(" {\"command\" : \"reload\"} \r", &r, err), 0);
	assert_int_equal(r.cmd, XGLB_CTL_RELOAD);
	assert_int_equal(
	    parse("{\"command\":\"move\",\"group\":7,\"forwarder\":15,\"node\":\"r-2\","
		  "\"persistence\":3}",
		  &r, err),
	    0);
	assert_int_equal(r.cmd, XGLB_CTL_MOVE);
	assert_int_equal(r.group, 7);
	assert_int_equal(r.forwarder, 15);
	assert_string_equal(r.node, "r-2");
	assert_int_equal(r.persistence, 3);
	assert_int_equal(parse("{\"command\":\"move\",\"forwarder\":0,\"node\":\"a\","
			       "\"persistence\":0}",
			       &r, err),
			 0);
	assert_int_equal(r.persistence, 0);
	assert_int_equal(r.forwarder, 0);
	assert_int_equal(parse("{\"command\":\"prefer\",\"forwarder\":1,\"node\":\"r1\"}", &r, err),
			 0);
	assert_int_equal(r.cmd, XGLB_CTL_PREFER);
	assert_int_equal(parse("{\"command\":\"unpin\",\"forwarder\":2,\"group\":255}", &r, err),
			 0);
	assert_int_equal(r.cmd, XGLB_CTL_UNPIN);
	assert_int_equal(r.group, 255);
	assert_int_equal(parse("{\"command\":\"drain\",\"node\":\"r1\"}", &r, err), 0);
	assert_int_equal(r.cmd, XGLB_CTL_DRAIN);
	assert_int_equal(parse("{\"command\":\"undrain\",\"node\":\"r1\"}", &r, err), 0);
	assert_int_equal(r.cmd, XGLB_CTL_UNDRAIN);
	assert_string_equal(xglb_ctl_cmd_name(XGLB_CTL_UNDRAIN), "undrain");
	assert_null(xglb_ctl_cmd_name(XGLB_CTL_MAX));
}

/* One bad request and the exact error it gets. */
// clang-format off
static const struct bad {
	const char *req;
	const char *err;
} bad[] = {
	/* null where a value belongs: the request that crashed xglbd */
	{ "{\"command\":\"drain\",\"node\":null}", "node: must be a node name (a string), not null" },
	{ "{\"command\":\"undrain\",\"node\":null}", "node: must be a node name (a string), not null" },
	{ "{\"command\":\"move\",\"forwarder\":1,\"node\":null}",
	  "node: must be a node name (a string), not null" },
	{ "{\"command\":\"prefer\",\"forwarder\":1,\"node\":null}",
	  "node: must be a node name (a string), not null" },
	{ "{\"command\":\"move\",\"forwarder\":1,\"node\":\"r1\",\"persistence\":null}",
	  "persistence: must be an integer 0..3, not null" },
	{ "{\"command\":\"move\",\"forwarder\":null,\"node\":\"r1\"}",
	  "forwarder: must be an integer 0..15, not null" },
	{ "{\"command\":\"drain\",\"node\":\"r1\",\"group\":null}",
	  "group: must be an integer 1..255, not null" },
	{ "{\"command\":null}", "command: must be a string, not null" },
	{ "null", "request: must be a JSON object, not null" },
	/* wrong types and ranges */
	{ "{\"command\":\"drain\",\"node\":7}", "node: must be a node name (a string), not an integer" },
	{ "{\"command\":\"drain\",\"node\":[\"r1\"]}", "node: must be a node name (a string), not an array" },
	{ "{\"command\":\"drain\",\"node\":\"\"}", "node: a node name has 1 to 31 characters, not 0" },
	{ "{\"command\":\"drain\",\"node\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	  "node: a node name has 1 to 31 characters, not 32" },
	{ "{\"command\":\"drain\",\"node\":\"r\\u0000x\"}",
	  "node: character 2 is not a printable ASCII character" },
	{ "{\"command\":\"drain\",\"node\":\"r 1\"}", "node: character 2 is not a printable ASCII character" },
	{ "{\"command\":\"unpin\",\"forwarder\":\"1\"}", "forwarder: must be an integer 0..15, not a string" },
	{ "{\"command\":\"unpin\",\"forwarder\":1.0}", "forwarder: must be an integer 0..15, not a fraction" },
	{ "{\"command\":\"unpin\",\"forwarder\":true}", "forwarder: must be an integer 0..15, not a boolean" },
	{ "{\"command\":\"unpin\",\"forwarder\":16}", "forwarder: must be an integer 0..15, not 16" },
	{ "{\"command\":\"unpin\",\"forwarder\":-1}", "forwarder: must be an integer 0..15, not -1" },
	{ "{\"command\":\"unpin\",\"forwarder\":99999999999999999999}",
	  "forwarder: must be an integer 0..15, not 18446744073709551615" },
	{ "{\"command\":\"unpin\",\"forwarder\":1,\"group\":0}", "group: must be an integer 1..255, not 0" },
	{ "{\"command\":\"unpin\",\"forwarder\":1,\"group\":256}", "group: must be an integer 1..255, not 256" },
	{ "{\"command\":\"unpin\",\"forwarder\":1,\"group\":{}}", "group: must be an integer 1..255, not an object" },
	{ "{\"command\":\"move\",\"forwarder\":1,\"node\":\"r1\",\"persistence\":2}",
	  "persistence: must be 0, 1 or 3, not 2" },
	{ "{\"command\":\"move\",\"forwarder\":1,\"node\":\"r1\",\"persistence\":4}",
	  "persistence: must be an integer 0..3, not 4" },
	{ "{\"command\":7}", "command: must be a string, not an integer" },
	/* fields a command does not take, or lacks */
	{ "{\"command\":\"prefer\",\"forwarder\":1,\"node\":\"r1\",\"persistence\":1}",
	  "persistence: prefer takes no such field" },
	{ "{\"command\":\"status\",\"node\":\"r1\"}", "node: status takes no such field" },
	{ "{\"command\":\"unpin\",\"forwarder\":1,\"node\":\"r1\"}", "node: unpin takes no such field" },
	{ "{\"command\":\"status\",\"frobnicate\":1}", "frobnicate: status takes no such field" },
	{ "{\"command\":\"move\",\"node\":\"r1\"}", "forwarder: missing: move needs a forwarder index" },
	{ "{\"command\":\"move\",\"forwarder\":1}", "node: missing: move needs a node name" },
	{ "{\"command\":\"drain\"}", "node: missing: drain needs a node name" },
	{ "{\"command\":\"unpin\"}", "forwarder: missing: unpin needs a forwarder index" },
	{ "{\"node\":\"r1\"}", "command: missing" },
	{ "{\"command\":\"frobnicate\"}", "command: unknown command 'frobnicate'" },
	/* what is echoed is one printable line, however the name was written */
	{ "{\"command\":\"a\\nb\\u0001c\"}", "command: unknown command 'a?b?c'" },
	{ "{\"command\":\"status\",\"x\\ny\":1}", "x?y: status takes no such field" },
	/* not JSON, or more than one object */
	{ "", "request: not JSON: it ends early at byte 1" },
	{ "{\"command\":\"status\"", "request: not JSON: it ends early at byte 20" },
	{ "{\"command\":\"status\"} {}", "request: not JSON: unexpected character at byte 22" },
	{ "{'command':'status'}", "request: not JSON: unexpected character at byte 12" },
	{ "[\"status\"]", "request: must be a JSON object, not an array" },
	{ "\"status\"", "request: must be a JSON object, not a string" },
};
// clang-format on

static void bad_requests(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xglb_ctl_req r;
		char err[256] = "";

		if (parse(bad[i].req, &r, err) != -1 || strcmp(err, bad[i].err))
			print_message("request %s\n  want: %s\n  got:  %s\n", bad[i].req,
				      bad[i].err, err);
		assert_int_equal(parse(bad[i].req, &r, err), -1);
		assert_string_equal(err, bad[i].err);
		assert_null(strchr(err, '\n'));
	}
}

/* A NUL byte anywhere is an error, and names its position; the length is what counts. */
static void nul_byte(void **state)
{
	static const char req[] = "{\"command\":\"status\"}\0{\"command\":\"reload\"}";
	struct xglb_ctl_req r;
	char err[256];

	assert_int_equal(xglb_ctl_parse(req, sizeof(req) - 1, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "request: byte 21 is a NUL");
	assert_int_equal(xglb_ctl_parse(req, 20, &r, err, sizeof(err)), 0);
	assert_int_equal(r.cmd, XGLB_CTL_STATUS);
	/* the length bounds the parse: nothing past it is read */
	assert_int_equal(
	    xglb_ctl_parse("{\"command\":\"status\"}garbage", 20, &r, err, sizeof(err)), 0);
}

/* A message never overflows its buffer, however long the offending name. */
static void short_error_buffer(void **state)
{
	struct xglb_ctl_req r;
	char err[8];

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse("{\"command\":\"frobnicate\"}", &r, err), -1);
	assert_int_equal(xglb_ctl_parse("{\"command\":\"frobnicate\"}", 24, &r, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "command");
}

T_MAIN(cmocka_unit_test(good_requests), cmocka_unit_test(bad_requests), cmocka_unit_test(nul_byte),
       cmocka_unit_test(short_error_buffer))

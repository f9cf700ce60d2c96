// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_config.c - the xglb.yaml loader: values and defaults, and one case per error it reports. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"
#include "config.h"

/*
 * Building blocks of the case files. The comments give line numbers, which
 * the expected messages below rely on.
 */
#define HEAD "node: r1\n" /* 1 */
#define NODES2                                                                                     \
	"nodes:\n"		  /* 2 */                                                          \
	"  - {name: r1, id: 1}\n" /* 3 */                                                          \
	"  - {name: r2, id: 2}\n" /* 4 */
#define GROUPS1                                                                                    \
	"groups:\n"		   /* 5 */                                                         \
	"  - id: 1\n"		   /* 6 */                                                         \
	"    vip: 10.0.0.1\n"	   /* 7 */                                                         \
	"    interfaces: [eth0]\n" /* 8 */                                                         \
	"    avg: r1\n"		   /* 9 */                                                         \
	"    forwarders:\n"	   /* 10 */                                                        \
	"      - {owner: r1}\n"	   /* 11 */                                                        \
	"      - {owner: r2}\n"	   /* 12 */
#define BASE HEAD NODES2 GROUPS1
/* a group on line 6, for cases that change one of its fields */
#define GPRE HEAD NODES2 "groups:\n"
#define GOOD "id: 1, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"
/* lines 1..9; the case adds "    forwarders:" on line 10 and forwarders from line 11 */
#define FPRE                                                                                       \
	HEAD NODES2 "groups:\n"                                                                    \
		    "  - id: 1\n"                                                                  \
		    "    vip: 10.0.0.1\n"                                                          \
		    "    interfaces: [eth0]\n"                                                     \
		    "    avg: r1\n"
#define FWDS "    forwarders:\n"

struct tcase {
	const char *name;
	const char *yaml;
	const char *node; /* --node override, or NULL */
	int ret;
	/* whole lines "LINE: field: problem" (or "field: problem" with no line), after "FILE:" */
	const char *want[4];
};

/* One case per entry: the formatter's layout would split them over many lines. */
// clang-format off
static const struct tcase cases[] = {
	{ "minimal", BASE, NULL, 0, {} },
	{ "learn_off", "learn-interval-ms: 0\n" BASE, NULL, 0, {} },
	{ "persistence_1_and_3",
	  FPRE FWDS "      - {owner: r1, persistence: 1}\n      - {owner: r2, persistence: 3}\n",
	  NULL, 0, {} },
	{ "name_31_chars",
	  HEAD NODES2 "  - {name: abcdefghijklmnopqrstuvwxyz.-_01, id: 3}\n" GROUPS1, NULL, 0, {} },
	{ "ifname_15_chars",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: [abcdefghijklmno], avg: r1, "
	       "forwarders: [{owner: r1}]}\n",
	  NULL, 0, {} },

	/* top level */
	{ "unknown_field", "frobnicate: 1\n" BASE, NULL, 1, { "1: frobnicate: unknown field" } },
	{ "duplicate_field", "lease-ms: 1000\nlease-ms: 2000\n" BASE, NULL, 1,
	  { "2: lease-ms: duplicate field (first at line 1)" } },
	{ "lease_low", "lease-ms: 99\n" BASE, NULL, 1,
	  { "1: lease-ms: must be between 100 and 3600000" } },
	{ "lease_high", BASE "lease-ms: 3600001\n", NULL, 1,
	  { "13: lease-ms: must be between 100 and 3600000" } },
	{ "lease_overflow", "lease-ms: 99999999999999999999999\n" BASE, NULL, 1,
	  { "1: lease-ms: must be between 100 and 3600000" } },
	{ "lease_negative", "lease-ms: -5\n" BASE, NULL, 1,
	  { "1: lease-ms: must be between 100 and 3600000" } },
	{ "lease_not_integer", "lease-ms: 3s\n" BASE, NULL, 1,
	  { "1: lease-ms: \"3s\" is not an integer" } },
	{ "lease_hex", "lease-ms: 0x100\n" BASE, NULL, 1,
	  { "1: lease-ms: \"0x100\" is not an integer" } },
	{ "lease_list", "lease-ms: [3000]\n" BASE, NULL, 1,
	  { "1: lease-ms: expected a scalar, got a list" } },
	{ "learn_low", "learn-interval-ms: 99\n" BASE, NULL, 1,
	  { "1: learn-interval-ms: must be 0 or between 100 and 3600000" } },
	{ "pin_root_relative", "pin-root: xglb\n" BASE, NULL, 1,
	  { "1: pin-root: \"xglb\" is not an absolute path" } },
	{ "node_unknown", "node: r9\n" NODES2 GROUPS1, NULL, 1,
	  { "1: node: unknown node \"r9\"" } },
	{ "node_missing", "lease-ms: 3000\n" NODES2 GROUPS1, NULL, 1,
	  { "1: node: missing: name this router here or on the command line" } },
	{ "node_list", "node: [r1]\n" NODES2 GROUPS1, NULL, 1,
	  { "1: node: expected a scalar, got a list" } },
	{ "override_replaces_node", "node: r9\n" NODES2 GROUPS1, "r2", 0, {} },
	{ "override_without_node", "lease-ms: 3000\n" NODES2 GROUPS1, "r1", 0, {} },
	{ "override_unknown", BASE, "r7", 1,
	  { "node: unknown node \"r7\" (given on the command line)" } },
	{ "nodes_missing", HEAD GROUPS1, NULL, 1, { "1: nodes: missing required field" } },
	{ "groups_missing", HEAD NODES2, NULL, 1, { "1: groups: missing required field" } },
	{ "nodes_not_list", HEAD "nodes: {name: r1, id: 1}\n" GROUPS1, NULL, 1,
	  { "2: nodes: expected a list, got a mapping" } },
	{ "nodes_empty", HEAD "nodes: []\n" GROUPS1, NULL, 1,
	  { "2: nodes: must have 1 to 32 entries, not 0" } },

	/* nodes: the new one is on line 5 */
	{ "node_name_chars", HEAD NODES2 "  - {name: r/3, id: 3}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].name: \"r/3\" has characters outside [A-Za-z0-9_.-]" } },
	{ "node_name_long",
	  HEAD NODES2 "  - {name: abcdefghijklmnopqrstuvwxyz.-_012, id: 3}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].name: must be 1 to 31 characters long" } },
	{ "node_name_empty", HEAD NODES2 "  - {name: \"\", id: 3}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].name: must be 1 to 31 characters long" } },
	{ "node_name_nul", HEAD NODES2 "  - {name: \"r\\0\", id: 3}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].name: contains a NUL character" } },
	{ "node_name_duplicate", HEAD NODES2 "  - {name: r2, id: 3}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].name: duplicate name r2 (first at line 4)" } },
	{ "node_id_zero", HEAD NODES2 "  - {name: r3, id: 0}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].id: must be between 1 and 4294967295" } },
	{ "node_id_too_big", HEAD NODES2 "  - {name: r3, id: 4294967296}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].id: must be between 1 and 4294967295" } },
	{ "node_id_duplicate", HEAD NODES2 "  - {name: r3, id: 2}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].id: duplicate id 2 (first at line 4)" } },
	{ "node_id_duplicate_block", HEAD NODES2 "  - name: r3\n    id: 1\n" GROUPS1, NULL, 1,
	  { "6: nodes[2].id: duplicate id 1 (first at line 3)" } },
	{ "node_id_missing", HEAD NODES2 "  - name: r3\n    priority: 5\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].id: missing required field" } },
	{ "node_priority", HEAD NODES2 "  - {name: r3, id: 3, priority: 256}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].priority: must be between 1 and 255" } },
	{ "node_weight", HEAD NODES2 "  - {name: r3, id: 3, weight: 65536}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].weight: must be between 1 and 65535" } },
	{ "node_unknown_field", HEAD NODES2 "  - {name: r3, id: 3, colour: red}\n" GROUPS1, NULL, 1,
	  { "5: nodes[2].colour: unknown field" } },
	{ "node_not_mapping", HEAD NODES2 "  - r3\n" GROUPS1, NULL, 1,
	  { "5: nodes[2]: expected a mapping, got a scalar" } },

	/* groups: the group is on line 6 */
	{ "group_duplicate_field", GPRE "  - {" GOOD ", id: 2}\n", NULL, 1,
	  { "6: groups[0].id: duplicate field (first at line 6)" } },
	{ "group_id_low",
	  GPRE "  - {id: 0, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].id: must be between 1 and 255" } },
	{ "group_id_high",
	  GPRE "  - {id: 256, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].id: must be between 1 and 255" } },
	{ "group_id_duplicate",
	  GPRE "  - {" GOOD "}\n"
	       "  - {id: 1, vip: 10.0.0.2, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "7: groups[1].id: duplicate id 1 (first at line 6)" } },
	{ "vip_not_ipv4",
	  GPRE "  - {id: 1, vip: 10.0.0.300, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].vip: \"10.0.0.300\" is not an IPv4 address" } },
	{ "vip_hostname",
	  GPRE "  - {id: 1, vip: gw.lan, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].vip: \"gw.lan\" is not an IPv4 address" } },
	{ "vip_zero",
	  GPRE "  - {id: 1, vip: 0.0.0.0, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1,
	  { "6: groups[0].vip: \"0.0.0.0\" is a this-network (0/8) address, not a unicast one" } },
	{ "vip_multicast",
	  GPRE "  - {id: 1, vip: 224.0.0.18, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].vip: \"224.0.0.18\" is a multicast address, not a unicast one" } },
	{ "vip_broadcast",
	  GPRE "  - {id: 1, vip: 255.255.255.255, interfaces: [eth0], avg: r1, "
	       "forwarders: [{owner: r1}]}\n",
	  NULL, 1,
	  { "6: groups[0].vip: \"255.255.255.255\" is the broadcast address, not a unicast one" } },
	{ "vip_duplicate",
	  GPRE "  - {" GOOD "}\n"
	       "  - {id: 2, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "7: groups[1].vip: duplicate vip 10.0.0.1 (first at line 6)" } },
	{ "vip_missing", GPRE "  - {id: 1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].vip: missing required field" } },
	{ "vip_list",
	  GPRE "  - {id: 1, vip: [10.0.0.1], interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].vip: expected a scalar, got a list" } },
	{ "ifaces_none",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: [], avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].interfaces: must list 1 to 4 interfaces, not 0" } },
	{ "ifaces_five",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: [a, b, c, d, e], avg: r1, "
	       "forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].interfaces: must list 1 to 4 interfaces, not 5" } },
	{ "ifaces_duplicate",
	  GPRE "  - id: 1\n    vip: 10.0.0.1\n    interfaces:\n      - eth0\n      - eth1\n"
	       "      - eth0\n    avg: r1\n    forwarders: [{owner: r1}]\n",
	  NULL, 1, { "11: groups[0].interfaces[2]: duplicate interface \"eth0\"" } },
	{ "ifaces_long",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: [abcdefghijklmnop], avg: r1, "
	       "forwarders: [{owner: r1}]}\n",
	  NULL, 1,
	  { "6: groups[0].interfaces[0]: \"abcdefghijklmnop\" is not an interface name "
	    "(1 to 15 characters)" } },
	{ "ifaces_scalar",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: eth0, avg: r1, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].interfaces: expected a list, got a scalar" } },
	{ "policy_unknown", GPRE "  - {" GOOD ", policy: random}\n", NULL, 1,
	  { "6: groups[0].policy: \"random\" is not one of round-robin, weighted, host-dependent" } },
	{ "avg_unknown",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: [eth0], avg: r9, forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].avg: unknown node \"r9\"" } },
	{ "avg_missing",
	  GPRE "  - {id: 1, vip: 10.0.0.1, interfaces: [eth0], forwarders: [{owner: r1}]}\n",
	  NULL, 1, { "6: groups[0].avg: missing required field" } },
	{ "group_not_mapping", GPRE "  - 10.0.0.1\n", NULL, 1,
	  { "6: groups[0]: expected a mapping, got a scalar" } },

	/* forwarders: "forwarders:" is on line 10, the first forwarder on 11 */
	{ "fwd_empty", FPRE "    forwarders: []\n", NULL, 1,
	  { "10: groups[0].forwarders: must have 1 to 16 entries, not 0" } },
	{ "fwd_seventeen",
	  FPRE "    forwarders: [{owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, "
	       "{owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, "
	       "{owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}]\n",
	  NULL, 1, { "10: groups[0].forwarders: must have 1 to 16 entries, not 17" } },
	{ "fwd_index_range", FPRE FWDS "      - {index: 16, owner: r1}\n", NULL, 1,
	  { "11: groups[0].forwarders[0].index: must be between 0 and 15" } },
	{ "fwd_index_duplicate",
	  FPRE FWDS "      - {index: 0, owner: r1}\n      - {index: 0, owner: r2}\n", NULL, 1,
	  { "12: groups[0].forwarders[1].index: duplicate index 0 (first at line 11)" } },
	{ "fwd_index_default_duplicate",
	  FPRE FWDS "      - {index: 1, owner: r1}\n      - {owner: r2}\n", NULL, 1,
	  { "12: groups[0].forwarders[1].index: duplicate index 1 (first at line 11)" } },
	{ "fwd_index_gap",
	  FPRE FWDS "      - {index: 0, owner: r1}\n      - {index: 2, owner: r2}\n", NULL, 1,
	  { "10: groups[0].forwarders: index 1 is missing: indexes must run from 0 to 1" } },
	{ "fwd_index_not_from_zero", FPRE FWDS "      - {index: 1, owner: r1}\n", NULL, 1,
	  { "10: groups[0].forwarders: index 0 is missing: indexes must run from 0 to 0" } },
	{ "fwd_owner_unknown",
	  FPRE FWDS "      - index: 0\n        owner: r1\n      - index: 1\n        owner: r9\n",
	  NULL, 1, { "14: groups[0].forwarders[1].owner: unknown node \"r9\"" } },
	{ "fwd_owner_missing", FPRE FWDS "      - {weight: 5}\n", NULL, 1,
	  { "11: groups[0].forwarders[0].owner: missing required field" } },
	{ "fwd_preferred_unknown", FPRE FWDS "      - {owner: r1, preferred: r5}\n", NULL, 1,
	  { "11: groups[0].forwarders[0].preferred: unknown node \"r5\"" } },
	{ "fwd_weight_zero", FPRE FWDS "      - {owner: r1, weight: 0}\n", NULL, 1,
	  { "11: groups[0].forwarders[0].weight: must be between 1 and 255" } },
	{ "fwd_weight_high", FPRE FWDS "      - {owner: r1, weight: 256}\n", NULL, 1,
	  { "11: groups[0].forwarders[0].weight: must be between 1 and 255" } },
	{ "fwd_persistence", FPRE FWDS "      - {owner: r1, persistence: 2}\n", NULL, 1,
	  { "11: groups[0].forwarders[0].persistence: must be 0, 1 or 3, not \"2\"" } },
	{ "fwd_not_mapping", FPRE FWDS "      - r1\n", NULL, 1,
	  { "11: groups[0].forwarders[0]: expected a mapping, got a scalar" } },
	{ "fwd_not_list", FPRE "    forwarders: {owner: r1}\n", NULL, 1,
	  { "10: groups[0].forwarders: expected a list, got a mapping" } },

	/* several problems: all reported, whatever their level */
	{ "all_reported",
	  "frobnicate: yes\n"          /* 1 */
	  "lease-ms: 1\n"              /* 2 */
	  "node: r1\n"                 /* 3 */
	  "nodes:\n"                   /* 4 */
	  "  - {name: r1, id: 1}\n"    /* 5 */
	  "  - {name: r1, id: 2}\n"    /* 6 */
	  "groups:\n"                  /* 7 */
	  "  - id: 1\n"                /* 8 */
	  "    vip: 10.0.0.300\n"      /* 9 */
	  "    interfaces: [eth0]\n"   /* 10 */
	  "    avg: r1\n"              /* 11 */
	  "    forwarders:\n"          /* 12 */
	  "      - {owner: r1}\n"      /* 13 */
	  "      - {owner: r9}\n",     /* 14 */
	  NULL, 5,
	  { "1: frobnicate: unknown field", "2: lease-ms: must be between 100 and 3600000",
	    "6: nodes[1].name: duplicate name r1 (first at line 5)",
	    "9: groups[0].vip: \"10.0.0.300\" is not an IPv4 address" } },
	{ "all_reported_tail", "frobnicate: yes\n" BASE "      - {owner: r9}\n", NULL, 2,
	  { "1: frobnicate: unknown field",
	    "14: groups[0].forwarders[2].owner: unknown node \"r9\"" } },

	/* the document itself */
	{ "syntax_error", "node: r1\nnodes:\n  - {name: r1, id: 1\n  - {name: r2, id: 2}\n", NULL, 1,
	  { "4: syntax error: did not find expected ',' or '}' "
	    "(while parsing a flow mapping at line 3)" } },
	{ "syntax_indent", "node: r1\n lease-ms: 5\n", NULL, 1,
	  { "2: syntax error: mapping values are not allowed in this context" } },
	{ "syntax_tab", BASE "\tlease-ms: 5\n", NULL, 1,
	  { "13: syntax error: found character that cannot start any token "
	    "(while scanning for the next token at line 13)" } },
	{ "syntax_bad_utf8", BASE "lease-ms: \xff\n", NULL, 1,
	  { "13: syntax error: invalid leading UTF-8 octet" } },
	{ "empty_file", "", NULL, 1,
	  { "1: document: empty: expected a mapping with nodes and groups" } },
	{ "comments_only", "# nothing\n", NULL, 1,
	  { "1: document: empty: expected a mapping with nodes and groups" } },
	{ "not_a_mapping", "- node: r1\n", NULL, 1,
	  { "1: document: expected a mapping, got a list" } },
	{ "second_document", BASE "---\nlease-ms: 5\n", NULL, 1,
	  { "14: document: a second document is not allowed" } },
	{ "key_not_scalar", "? [a, b]\n: 1\n" BASE, NULL, 1,
	  { "1: document: field names must be scalars" } },
};
// clang-format on

struct tmpfile {
	char path[64];
};

static void write_tmp(struct tmpfile *t, const char *text)
{
	int fd;
	size_t len = strlen(text);

	snprintf(t->path, sizeof(t->path), "/tmp/xglb-test-config-XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Loads PATH and returns what it printed (free() it). */
static char *load(const char *path, const char *node, struct xglb_config *cfg, int *ret)
{
	char *out = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&out, &len);

	assert_non_null(errs);
	*ret = xglb_config_load(path, node, cfg, errs);
	fclose(errs);
	return out;
}

static struct xglb_config cfg; /* large: keep it off the stack */

static void run_case(void **state)
{
	const struct tcase *tc = *state;
	struct tmpfile t;
	char want[512];
	char *out;
	int ret, i;

	write_tmp(&t, tc->yaml);
	out = load(t.path, tc->node, &cfg, &ret);
	unlink(t.path);
	if (ret != tc->ret)
		print_message("case %s printed:\n%s", tc->name, out);
	assert_int_equal(ret, tc->ret);
	/* every problem is one line */
	for (i = 0; out[i]; i++)
		ret -= out[i] == '\n';
	assert_int_equal(ret, 0);
	for (i = 0; i < 4 && tc->want[i]; i++) {
		snprintf(want, sizeof(want), "%s:%s%s\n", t.path,
			 isdigit((unsigned char)*tc->want[i]) ? "" : " ", tc->want[i]);
		if (!strstr(out, want))
			print_message("case %s: want\n%sgot:\n%s", tc->name, want, out);
		assert_non_null(strstr(out, want));
	}
	free(out);
}

/* examples/xglb.yaml from the top of the tree, wherever the test is run from. */
static const char *example_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX - 64]; /* room for the suffix */
	ssize_t n;

	if (access("examples/xglb.yaml", R_OK) == 0)
		return "examples/xglb.yaml";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0'; /* build/tests */
	*strrchr(exe, '/') = '\0'; /* build */
	*strrchr(exe, '/') = '\0'; /* the tree */
	snprintf(path, sizeof(path), "%s/examples/xglb.yaml", exe);
	return path;
}

static void test_example(void **state)
{
	const __u8 vip[4] = {10, 0, 0, 1};
	const struct xglb_cfg_group *g = &cfg.groups[0];
	const char *path = example_path();
	char *out;
	int ret, i;

	out = load(path, NULL, &cfg, &ret);
	if (ret)
		print_message("%s", out);
	assert_int_equal(ret, 0);
	assert_string_equal(out, "");
	free(out);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.node_name, "r1");
	assert_int_equal(cfg.self, 0);
	assert_string_equal(cfg.pin_root, "/sys/fs/bpf/xglb");
	assert_int_equal(cfg.lease_ms, 3000);
	assert_int_equal(cfg.learn_interval_ms, 10000);
	assert_int_equal(cfg.n_nodes, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cfg.nodes[i].id, i + 1);
		assert_int_equal(cfg.nodes[i].priority, 100);
		assert_int_equal(cfg.nodes[i].weight, 100);
	}
	assert_string_equal(cfg.nodes[1].name, "r2");
	assert_int_equal(cfg.nodes[0].line, 11);
	assert_int_equal(cfg.n_groups, 1);
	assert_int_equal(g->id, 1);
	assert_memory_equal(&g->vip, vip, 4);
	assert_int_equal(g->n_ifaces, 1);
	assert_string_equal(g->ifaces[0], "eth0");
	assert_int_equal(g->policy, XGLB_POLICY_ROUND_ROBIN);
	assert_int_equal(g->avg, 0);
	assert_int_equal(g->line, 21);
	assert_int_equal(g->n_fwd, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(g->fwd[i].index, i);
		assert_int_equal(g->fwd[i].owner, i);
		assert_int_equal(g->fwd[i].preferred, i);
		assert_int_equal(g->fwd[i].weight, 100);
		assert_int_equal(g->fwd[i].persistence, 0);
	}
}

static void test_override(void **state)
{
	char *out;
	int ret;

	out = load(example_path(), "r3", &cfg, &ret);
	assert_int_equal(ret, 0);
	free(out);
	assert_string_equal(cfg.node_name, "r3");
	assert_int_equal(cfg.self, 2);
}

/* Defaults of every optional field, and values that differ from them. */
static void test_defaults_and_values(void **state)
{
	const char *yaml =
	    "node: r2\n"
	    "lease-ms: 100\n"
	    "learn-interval-ms: 0\n"
	    "pin-root: /sys/fs/bpf/other\n"
	    "nodes:\n"
	    "  - {name: r1, id: 4294967295}\n"
	    "  - {name: r2, id: 7, priority: 255, weight: 65535}\n"
	    "groups:\n"
	    "  - id: 255\n"
	    "    vip: 192.168.1.254\n"
	    "    interfaces: [eth0, eth1.100, br-lan, x]\n"
	    "    policy: host-dependent\n"
	    "    avg: r2\n"
	    "    forwarders:\n"
	    "      - {index: 2, owner: r1, weight: 1, persistence: 3}\n"
	    "      - {index: 0, owner: r2, preferred: r1, weight: 255}\n"
	    "      - {index: 1, owner: r1, persistence: 1}\n"
	    "  - {id: 2, vip: 10.0.0.1, interfaces: [eth2], avg: r1, policy: weighted,"
	    " forwarders: [{owner: r1}, {owner: r2}]}\n";
	const __u8 vip[4] = {192, 168, 1, 254};
	struct xglb_cfg_group *g = &cfg.groups[0], *h = &cfg.groups[1];
	struct tmpfile t;
	char *out;
	int ret;

	write_tmp(&t, yaml);
	out = load(t.path, NULL, &cfg, &ret);
	unlink(t.path);
	if (ret)
		print_message("%s", out);
	assert_int_equal(ret, 0);
	free(out);
	assert_int_equal(cfg.self, 1);
	assert_int_equal(cfg.lease_ms, 100);
	assert_int_equal(cfg.learn_interval_ms, 0);
	assert_string_equal(cfg.pin_root, "/sys/fs/bpf/other");
	assert_int_equal(cfg.nodes[0].id, 4294967295u);
	assert_int_equal(cfg.nodes[0].priority, 100);
	assert_int_equal(cfg.nodes[0].weight, 100);
	assert_int_equal(cfg.nodes[1].priority, 255);
	assert_int_equal(cfg.nodes[1].weight, 65535);
	assert_int_equal(g->id, 255);
	assert_memory_equal(&g->vip, vip, 4);
	assert_int_equal(g->n_ifaces, 4);
	assert_string_equal(g->ifaces[1], "eth1.100");
	assert_string_equal(g->ifaces[3], "x");
	assert_int_equal(g->policy, XGLB_POLICY_HOST_DEPENDENT);
	assert_int_equal(g->avg, 1);
	/* sorted by index; each keeps its own fields and line */
	assert_int_equal(g->n_fwd, 3);
	assert_int_equal(g->fwd[0].index, 0);
	assert_int_equal(g->fwd[0].owner, 1);
	assert_int_equal(g->fwd[0].preferred, 0);
	assert_int_equal(g->fwd[0].weight, 255);
	assert_int_equal(g->fwd[0].line, 16);
	assert_int_equal(g->fwd[1].index, 1);
	assert_int_equal(g->fwd[1].preferred, 0);
	assert_int_equal(g->fwd[1].weight, 100);
	assert_int_equal(g->fwd[1].persistence, 1);
	assert_int_equal(g->fwd[2].index, 2);
	assert_int_equal(g->fwd[2].weight, 1);
	assert_int_equal(g->fwd[2].persistence, 3);
	assert_int_equal(g->fwd[2].line, 15);
	/* index defaults to the position, preferred to the owner */
	assert_int_equal(h->policy, XGLB_POLICY_WEIGHTED);
	assert_int_equal(h->fwd[1].index, 1);
	assert_int_equal(h->fwd[1].owner, 1);
	assert_int_equal(h->fwd[1].preferred, 1);
}

static void test_missing_file(void **state)
{
	const char *path = "/nonexistent/xglb.yaml";
	char *out;
	int ret;

	out = load(path, NULL, &cfg, &ret);
	assert_int_equal(ret, 1);
	assert_string_equal(out,
			    "/nonexistent/xglb.yaml: cannot open: No such file or directory\n");
	free(out);
}

static void test_names(void **state)
{
	struct xglb_config *c = &cfg;

	assert_string_equal(xglb_policy_name(XGLB_POLICY_ROUND_ROBIN), "round-robin");
	assert_string_equal(xglb_policy_name(XGLB_POLICY_WEIGHTED), "weighted");
	assert_string_equal(xglb_policy_name(XGLB_POLICY_HOST_DEPENDENT), "host-dependent");
	assert_null(xglb_policy_name(XGLB_POLICY_MAX));
	memset(c, 0, sizeof(*c));
	c->n_nodes = 2;
	strcpy(c->nodes[0].name, "a");
	strcpy(c->nodes[1].name, "b");
	strcpy(c->nodes[2].name, "c"); /* beyond n_nodes */
	assert_int_equal(xglb_node_by_name(c, "b"), 1);
	assert_int_equal(xglb_node_by_name(c, "c"), -1);
	assert_int_equal(xglb_node_by_name(c, ""), -1);
}

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_example),
	    cmocka_unit_test(test_override),
	    cmocka_unit_test(test_defaults_and_values),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_names),
	};
	const size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + N_CASES];
	size_t i;

	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < N_CASES; i++)
		tests[n_fixed + i] = (struct CMUnitTest){
		    .name = cases[i].name,
		    .test_func = run_case,
		    .initial_state = (void *)&cases[i],
		};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_config.c - the xglb.yaml loader: values and defaults, and one case per error it reports. */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
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

/*
 * With membership: the key on line 2, nodes with addresses, a group without
 * "avg". "@DIR@" in a case (and its messages) is the directory of key files
 * made by setup(): key16, key32bin, key64nl, key15, key65, key64nn, empty.
 */
#define KEY32 "00112233445566778899aabbccddeeff" /* 32 hex digits, 16 bytes */
#define MEMB  "membership: {key: " KEY32 "}\n"	 /* 2 */
#define MNODES                                                                                     \
	"nodes:\n"				     /* 3 */                                       \
	"  - {name: r1, id: 1, address: 10.0.0.2}\n" /* 4 */                                       \
	"  - {name: r2, id: 2, address: 10.0.0.3}\n" /* 5 */
#define MGROUPS                                                                                    \
	"groups:\n"				       /* 6 */                                     \
	"  - id: 1\n"				       /* 7 */                                     \
	"    vip: 10.0.0.1\n"			       /* 8 */                                     \
	"    interfaces: [eth0]\n"		       /* 9 */                                     \
	"    forwarders: [{owner: r1}, {owner: r2}]\n" /* 10 */
#define MEMBER(m) HEAD "membership: " m "\n" MNODES MGROUPS
#define MBASE	  MEMBER("{key: " KEY32 "}")
/* one more node on line 6 */
#define MNODE3(n) HEAD MEMB MNODES "  - {name: r3, id: 3" n "}\n" MGROUPS
/* the group on line 6 with more fields */
#define GROUPX(x) GPRE "  - {" GOOD ", " x "}\n"
#define TIMERS(t) GROUPX("timers: {" t "}")
/* lines 1..11 ("    timers:"), the case's timers from line 12 */
#define TPRE                                                                                       \
	FPRE "    forwarders: [{owner: r1}]\n"                                                     \
	     "    timers:\n"
/* "tracking:" on line 13, the first tracked object on line 14 */
#define TRK	BASE "tracking:\n"
#define TRK1(t) TRK "  - {" t "}\n"
#define C10	"aaaaaaaaaa"
#define C100	C10 C10 C10 C10 C10 C10 C10 C10 C10 C10
#define TN(n)	"{name: t" #n ", type: file, path: /x}"
/* Whole case files with the case's text at a known place (l: no final newline). */
#define TOP(l)	       l "\n" BASE	     /* l from line 1, the base file after it */
#define TAIL(l)	       BASE l "\n"	     /* the base file, l from line 13 */
#define HEAD_IS(l)     l "\n" NODES2 GROUPS1 /* l in place of line 1, "node: r1" */
#define NODE3(n)       HEAD NODES2 "  - {" n "}\n" GROUPS1  /* a third node on line 5 */
#define GROUP(g)       GPRE "  - {" g "}\n"		    /* the one group on line 6 */
#define GROUP2(g)      GPRE "  - {" GOOD "}\n  - {" g "}\n" /* a second group on line 7 */
#define GROUPS_AT6(t)  GPRE t				    /* the groups from line 6 */
#define FWD_AT10(t)    FPRE t	   /* the group's forwarders field from line 10 */
#define FWD(f)	       FPRE FWDS f /* "forwarders:" on line 10, the forwarders from 11 */
#define TIMERS_AT12(t) TPRE t	   /* the group's timers from line 12 */
#define TRACK_AT14(t)  TRK t	   /* "tracking:" on line 13, the objects from 14 */

/* IPv6 (link-local, vip6, ra): the group on line 6 with more fields, as GROUPX. */
#define RA(r) GROUPX("ra: {enabled: true, " r "}")
/* lines 1..10 of a group, "    ra:" on line 11, "prefixes:" on 12, its prefixes from line 13 */
#define PPRE                                                                                       \
	FPRE "    forwarders: [{owner: r1}]\n"                                                     \
	     "    ra:\n"                                                                           \
	     "      prefixes:\n"

struct tcase {
	const char *name;
	const char *yaml;
	const char *node; /* --node override, or NULL */
	int ret;
	/* whole lines "LINE: field: problem" (or "field: problem" with no line), after "FILE:" */
	const char *want[4];
};

// clang-format off
/* A case with one expected problem, or with "" one that loads without any. */
#define CASE(name, yaml, want) { name, yaml, NULL, sizeof(want) > 1, { want } }

static const struct tcase cases[] = {
	CASE("minimal", BASE, ""),
	CASE("learn_off", TOP("learn-interval-ms: 0"), ""),
	CASE("nic_return_0", TOP("nic-return-ms: 0"), ""),
	CASE("persistence_1_and_3", FWD("      - {owner: r1, persistence: 1}\n      - {owner: r2, persistence: 3}\n"), ""),
	CASE("name_31_chars", NODE3("name: abcdefghijklmnopqrstuvwxyz.-_01, id: 3"), ""),
	CASE("ifname_15_chars", GROUP("id: 1, vip: 10.0.0.1, interfaces: [abcdefghijklmno], avg: r1, forwarders: [{owner: r1}]"), ""),

	/* top level */
	CASE("unknown_field", TOP("frobnicate: 1"), "1: frobnicate: unknown field"),
	CASE("duplicate_field", TOP("lease-ms: 1000\nlease-ms: 2000"), "2: lease-ms: duplicate field (first at line 1)"),
	CASE("lease_low", TOP("lease-ms: 99"), "1: lease-ms: must be between 100 and 3600000"),
	CASE("lease_high", TAIL("lease-ms: 3600001"), "13: lease-ms: must be between 100 and 3600000"),
	CASE("lease_overflow", TOP("lease-ms: 99999999999999999999999"), "1: lease-ms: must be between 100 and 3600000"),
	CASE("lease_negative", TOP("lease-ms: -5"), "1: lease-ms: must be between 100 and 3600000"),
	CASE("datapath_unknown", TOP("datapath: ebpf"), "1: datapath: \"ebpf\" is not one of auto, xdp, tc"),
	CASE("datapath_case", TAIL("datapath: TC"), "13: datapath: \"TC\" is not one of auto, xdp, tc"),
	CASE("datapath_list", TOP("datapath: [tc]"), "1: datapath: expected a scalar, got a list"),
	CASE("datapath_duplicate", TOP("datapath: tc\ndatapath: xdp"), "2: datapath: duplicate field (first at line 1)"),
	CASE("xdp_mode_generic", TOP("xdp-mode: generic"), ""),
	CASE("xdp_mode_unknown", TOP("xdp-mode: skb"), "1: xdp-mode: \"skb\" is not one of auto, native, generic"),
	CASE("xdp_mode_case", TAIL("xdp-mode: Native"), "13: xdp-mode: \"Native\" is not one of auto, native, generic"),
	CASE("xdp_mode_empty", TOP("xdp-mode:"), "1: xdp-mode: \"\" is not one of auto, native, generic"),
	CASE("xdp_mode_map", TOP("xdp-mode: {mode: native}"), "1: xdp-mode: expected a scalar, got a mapping"),
	CASE("xdp_mode_duplicate", TOP("xdp-mode: native\nxdp-mode: generic"), "2: xdp-mode: duplicate field (first at line 1)"),
	CASE("rx_filter_off", TOP("rx-filter: off"), ""),
	CASE("rx_filter_auto", TAIL("rx-filter: auto"), ""),
	CASE("rx_filter_unknown", TOP("rx-filter: on"), "1: rx-filter: \"on\" is not one of auto, off, promiscuous"),
	CASE("rx_filter_bool", TAIL("rx-filter: false"), "13: rx-filter: \"false\" is not one of auto, off, promiscuous"),
	CASE("rx_filter_promisc_short", TOP("rx-filter: promisc"), "1: rx-filter: \"promisc\" is not one of auto, off, promiscuous"),
	CASE("rx_filter_empty", TOP("rx-filter:"), "1: rx-filter: \"\" is not one of auto, off, promiscuous"),
	CASE("rx_filter_map", TOP("rx-filter: {eth0: off}"), "1: rx-filter: expected a scalar, got a mapping"),
	CASE("rx_filter_duplicate", TOP("rx-filter: off\nrx-filter: auto"), "2: rx-filter: duplicate field (first at line 1)"),
	CASE("lease_not_integer", TOP("lease-ms: 3s"), "1: lease-ms: \"3s\" is not an integer"),
	CASE("lease_hex", TOP("lease-ms: 0x100"), "1: lease-ms: \"0x100\" is not an integer"),
	CASE("lease_list", TOP("lease-ms: [3000]"), "1: lease-ms: expected a scalar, got a list"),
	CASE("host_table_low", TOP("host-table-size: 1023"), "1: host-table-size: must be between 1024 and 16777216"),
	CASE("host_table_high", TOP("host-table-size: 16777217"), "1: host-table-size: must be between 1024 and 16777216"),
	CASE("host_table_zero", TOP("host-table-size: 0"), "1: host-table-size: must be between 1024 and 16777216"),
	CASE("learn_low", TOP("learn-interval-ms: 99"), "1: learn-interval-ms: must be 0 or between 100 and 3600000"),
	CASE("nic_return_high", TOP("nic-return-ms: 3600001"), "1: nic-return-ms: must be between 0 and 3600000"),
	CASE("nic_return_text", TOP("nic-return-ms: 1s"), "1: nic-return-ms: \"1s\" is not an integer"),
	CASE("nic_return_negative", TOP("nic-return-ms: -1"), "1: nic-return-ms: must be between 0 and 3600000"),
	CASE("realtime_off", TOP("realtime-priority: 0"), ""),
	CASE("realtime_max", TAIL("realtime-priority: 99"), ""),
	CASE("realtime_high", TOP("realtime-priority: 100"), "1: realtime-priority: must be 0 or between 1 and 99"),
	CASE("realtime_negative", TAIL("realtime-priority: -1"), "13: realtime-priority: must be 0 or between 1 and 99"),
	CASE("realtime_word", TOP("realtime-priority: high"), "1: realtime-priority: \"high\" is not an integer"),
	CASE("pin_root_relative", TOP("pin-root: xglb"), "1: pin-root: \"xglb\" is not an absolute path"),
	CASE("state_dir_relative", TOP("state-dir: var/lib/xglb"), "1: state-dir: \"var/lib/xglb\" is not an absolute path"),
	CASE("node_unknown", HEAD_IS("node: r9"), "1: node: unknown node \"r9\""),
	CASE("node_missing", HEAD_IS("lease-ms: 3000"), "1: node: missing: name this router here or on the command line"),
	CASE("node_list", HEAD_IS("node: [r1]"), "1: node: expected a scalar, got a list"),
	{ "override_replaces_node", "node: r9\n" NODES2 GROUPS1, "r2", 0, {} },
	{ "override_without_node", "lease-ms: 3000\n" NODES2 GROUPS1, "r1", 0, {} },
	{ "override_unknown", BASE, "r7", 1,
	  { "node: unknown node \"r7\" (given on the command line)" } },
	CASE("nodes_missing", HEAD GROUPS1, "1: nodes: missing required field"),
	CASE("groups_missing", HEAD NODES2, "1: groups: missing required field"),
	CASE("nodes_not_list", HEAD "nodes: {name: r1, id: 1}\n" GROUPS1, "2: nodes: expected a list, got a mapping"),
	CASE("nodes_empty", HEAD "nodes: []\n" GROUPS1, "2: nodes: must have 1 to 32 entries, not 0"),

	/* nodes: the new one is on line 5 */
	CASE("node_name_chars", NODE3("name: r/3, id: 3"), "5: nodes[2].name: \"r/3\" has characters outside [A-Za-z0-9_.-]"),
	CASE("node_name_long", NODE3("name: abcdefghijklmnopqrstuvwxyz.-_012, id: 3"), "5: nodes[2].name: must be 1 to 31 characters long"),
	CASE("node_name_empty", NODE3("name: \"\", id: 3"), "5: nodes[2].name: must be 1 to 31 characters long"),
	CASE("node_name_nul", NODE3("name: \"r\\0\", id: 3"), "5: nodes[2].name: contains a NUL character"),
	CASE("node_name_duplicate", NODE3("name: r2, id: 3"), "5: nodes[2].name: duplicate name r2 (first at line 4)"),
	CASE("node_id_zero", NODE3("name: r3, id: 0"), "5: nodes[2].id: must be between 1 and 4294967295"),
	CASE("node_id_too_big", NODE3("name: r3, id: 4294967296"), "5: nodes[2].id: must be between 1 and 4294967295"),
	CASE("node_id_duplicate", NODE3("name: r3, id: 2"), "5: nodes[2].id: duplicate id 2 (first at line 4)"),
	CASE("node_id_duplicate_block", HEAD NODES2 "  - name: r3\n    id: 1\n" GROUPS1, "6: nodes[2].id: duplicate id 1 (first at line 3)"),
	CASE("node_id_missing", HEAD NODES2 "  - name: r3\n    priority: 5\n" GROUPS1, "5: nodes[2].id: missing required field"),
	CASE("node_priority", NODE3("name: r3, id: 3, priority: 256"), "5: nodes[2].priority: must be between 1 and 255"),
	CASE("node_weight", NODE3("name: r3, id: 3, weight: 65536"), "5: nodes[2].weight: must be between 1 and 65535"),
	CASE("node_unknown_field", NODE3("name: r3, id: 3, colour: red"), "5: nodes[2].colour: unknown field"),
	CASE("node_not_mapping", HEAD NODES2 "  - r3\n" GROUPS1, "5: nodes[2]: expected a mapping, got a scalar"),

	/* groups: the group is on line 6 */
	CASE("group_duplicate_field", GROUPX("id: 2"), "6: groups[0].id: duplicate field (first at line 6)"),
	CASE("group_id_low", GROUP("id: 0, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].id: must be between 1 and 255"),
	CASE("group_id_high", GROUP("id: 256, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].id: must be between 1 and 255"),
	CASE("group_id_duplicate", GROUP2("id: 1, vip: 10.0.0.2, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "7: groups[1].id: duplicate id 1 (first at line 6)"),
	CASE("vip_not_ipv4", GROUP("id: 1, vip: 10.0.0.300, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: \"10.0.0.300\" is not an IPv4 address"),
	CASE("vip_hostname", GROUP("id: 1, vip: gw.lan, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: \"gw.lan\" is not an IPv4 address"),
	CASE("vip_zero", GROUP("id: 1, vip: 0.0.0.0, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: \"0.0.0.0\" is a this-network (0/8) address, not a unicast one"),
	CASE("vip_multicast", GROUP("id: 1, vip: 224.0.0.18, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: \"224.0.0.18\" is a multicast address, not a unicast one"),
	CASE("vip_broadcast", GROUP("id: 1, vip: 255.255.255.255, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: \"255.255.255.255\" is the broadcast address, not a unicast one"),
	CASE("vip_duplicate", GROUP2("id: 2, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "7: groups[1].vip: duplicate vip 10.0.0.1 (first at line 6)"),
	CASE("vip_missing", GROUP("id: 1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: missing required field"),
	CASE("vip_list", GROUP("id: 1, vip: [10.0.0.1], interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].vip: expected a scalar, got a list"),
	CASE("ifaces_none", GROUP("id: 1, vip: 10.0.0.1, interfaces: [], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].interfaces: must list 1 to 4 interfaces, not 0"),
	CASE("ifaces_five", GROUP("id: 1, vip: 10.0.0.1, interfaces: [a, b, c, d, e], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].interfaces: must list 1 to 4 interfaces, not 5"),
	CASE("ifaces_duplicate", GROUPS_AT6("  - id: 1\n    vip: 10.0.0.1\n    interfaces:\n      - eth0\n      - eth1\n      - eth0\n    avg: r1\n    forwarders: [{owner: r1}]\n"), "11: groups[0].interfaces[2]: duplicate interface \"eth0\""),
	CASE("ifaces_long", GROUP("id: 1, vip: 10.0.0.1, interfaces: [abcdefghijklmnop], avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].interfaces[0]: \"abcdefghijklmnop\" is not an interface name (1 to 15 characters)"),
	CASE("ifaces_scalar", GROUP("id: 1, vip: 10.0.0.1, interfaces: eth0, avg: r1, forwarders: [{owner: r1}]"), "6: groups[0].interfaces: expected a list, got a scalar"),
	CASE("policy_unknown", GROUPX("policy: random"), "6: groups[0].policy: \"random\" is not one of round-robin, weighted, host-dependent"),
	CASE("avg_unknown", GROUP("id: 1, vip: 10.0.0.1, interfaces: [eth0], avg: r9, forwarders: [{owner: r1}]"), "6: groups[0].avg: unknown node \"r9\""),
	CASE("avg_missing", GROUP("id: 1, vip: 10.0.0.1, interfaces: [eth0], forwarders: [{owner: r1}]"), "6: groups[0].avg: missing required field"),
	CASE("group_not_mapping", GROUPS_AT6("  - 10.0.0.1\n"), "6: groups[0]: expected a mapping, got a scalar"),

	/* forwarders: "forwarders:" is on line 10, the first forwarder on 11 */
	CASE("fwd_empty", FWD_AT10("    forwarders: []\n"), "10: groups[0].forwarders: must have 1 to 16 entries, not 0"),
	CASE("fwd_seventeen", FWD_AT10("    forwarders: [{owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}, {owner: r1}]\n"), "10: groups[0].forwarders: must have 1 to 16 entries, not 17"),
	CASE("fwd_index_range", FWD("      - {index: 16, owner: r1}\n"), "11: groups[0].forwarders[0].index: must be between 0 and 15"),
	CASE("fwd_index_duplicate", FWD("      - {index: 0, owner: r1}\n      - {index: 0, owner: r2}\n"), "12: groups[0].forwarders[1].index: duplicate index 0 (first at line 11)"),
	CASE("fwd_index_default_duplicate", FWD("      - {index: 1, owner: r1}\n      - {owner: r2}\n"), "12: groups[0].forwarders[1].index: duplicate index 1 (first at line 11)"),
	CASE("fwd_index_gap", FWD("      - {index: 0, owner: r1}\n      - {index: 2, owner: r2}\n"), "10: groups[0].forwarders: index 1 is missing: indexes must run from 0 to 1"),
	CASE("fwd_index_not_from_zero", FWD("      - {index: 1, owner: r1}\n"), "10: groups[0].forwarders: index 0 is missing: indexes must run from 0 to 0"),
	CASE("fwd_owner_unknown", FWD("      - index: 0\n        owner: r1\n      - index: 1\n        owner: r9\n"), "14: groups[0].forwarders[1].owner: unknown node \"r9\""),
	CASE("fwd_owner_missing", FWD("      - {weight: 5}\n"), "11: groups[0].forwarders[0].owner: missing required field"),
	CASE("fwd_preferred_unknown", FWD("      - {owner: r1, preferred: r5}\n"), "11: groups[0].forwarders[0].preferred: unknown node \"r5\""),
	CASE("node_named_none", NODE3("name: none, id: 3"), "5: nodes[2].name: \"none\" is reserved (preferred: none names no node)"),
	CASE("fwd_weight_zero", FWD("      - {owner: r1, weight: 0}\n"), "11: groups[0].forwarders[0].weight: must be between 1 and 255"),
	CASE("fwd_weight_high", FWD("      - {owner: r1, weight: 256}\n"), "11: groups[0].forwarders[0].weight: must be between 1 and 255"),
	CASE("fwd_persistence", FWD("      - {owner: r1, persistence: 2}\n"), "11: groups[0].forwarders[0].persistence: must be 0, 1 or 3, not \"2\""),
	CASE("fwd_not_mapping", FWD("      - r1\n"), "11: groups[0].forwarders[0]: expected a mapping, got a scalar"),
	CASE("fwd_not_list", FWD_AT10("    forwarders: {owner: r1}\n"), "10: groups[0].forwarders: expected a list, got a mapping"),

	/* fast path */
	CASE("fast_path_ok", GROUPX("fast-path: true"), ""),
	CASE("fast_path_not_bool", GROUPX("fast-path: fast"), "6: groups[0].fast-path: must be true, false, yes or no, not \"fast\""),
	CASE("fast_path_datapath_tc", "datapath: tc\n" GROUPX("fast-path: true"), "7: groups[0].fast-path: needs the XDP data path, and datapath is tc (set datapath: xdp, or fast-path: false)"),
	CASE("fast_path_off_datapath_tc", "datapath: tc\n" GROUPX("fast-path: false"), ""),

	/* steering */
	CASE("steer_ok", GROUPX("steering: {enabled: true, buckets: 1024, interfaces: [eth0, eth1]}"), ""),
	CASE("steer_buckets_not_pow2", GROUPX("steering: {enabled: true, buckets: 1000}"), "6: groups[0].steering.buckets: 1000 is not a power of two"),
	CASE("steer_buckets_small", GROUPX("steering: {buckets: 32}"), "6: groups[0].steering.buckets: must be between 64 and 65536"),
	CASE("steer_iface_twice", GROUPX("steering: {interfaces: [eth0, eth0]}"), "6: groups[0].steering.interfaces: \"eth0\" is listed twice"),
	CASE("steer_iface_bad", GROUPX("steering: {interfaces: [\"a/b\"]}"), "6: groups[0].steering.interfaces: \"a/b\" is not an interface name (1 to 15 characters)"),
	CASE("steer_iface_many", GROUPX("steering: {interfaces: [a, b, c, d, e]}"), "6: groups[0].steering.interfaces: must list 1 to 4 interfaces, not 5"),
	CASE("steer_unknown", GROUPX("steering: {mode: fast}"), "6: groups[0].steering.mode: unknown field"),
	/* http-listen */
	CASE("http_listen_ok", TOP("http-listen: 0.0.0.0:9100"), ""),
	CASE("http_listen_off", TOP("http-listen: off"), ""),
	CASE("http_listen_no_port", TOP("http-listen: 127.0.0.1"), "1: http-listen: \"127.0.0.1\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off"),
	CASE("http_listen_port_0", TOP("http-listen: 127.0.0.1:0"), "1: http-listen: \"127.0.0.1:0\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off"),
	CASE("http_listen_port_big", TOP("http-listen: 127.0.0.1:65536"), "1: http-listen: \"127.0.0.1:65536\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off"),
	CASE("http_listen_bad_addr", TOP("http-listen: 127.0.0.300:80"), "1: http-listen: \"127.0.0.300:80\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off"),
	CASE("http_listen_junk_port", TOP("http-listen: 127.0.0.1:80x"), "1: http-listen: \"127.0.0.1:80x\" is not ADDRESS:PORT (an IPv4 address, a port 1-65535) or off"),
	/* console-token-file */
	CASE("console_token_file_relative", TOP("console-token-file: console-token"), "1: console-token-file: \"console-token\" is not an absolute path"),
	CASE("console_token_file_255", "console-token-file: /" C100 C100 C10 C10 C10 C10 C10 "aaaa\n" BASE, ""),
	CASE("console_token_file_256", "console-token-file: /" C100 C100 C10 C10 C10 C10 C10 "aaaaa\n" BASE, "1: console-token-file: longer than 255 characters"),
	CASE("console_token_file_list", TOP("console-token-file: [/a]"), "1: console-token-file: expected a scalar, got a list"),
	/* control-socket */
	CASE("control_socket_107", "control-socket: /" C100 "aaaaaa\n" BASE, ""),
	CASE("control_socket_relative", TOP("control-socket: xglbd.sock"), "1: control-socket: \"xglbd.sock\" is not an absolute path"),
	CASE("control_socket_108", "control-socket: /" C100 "aaaaaaa\n" BASE, "1: control-socket: longer than 107 characters"),

	/* membership: on line 2 */
	CASE("membership_key", MBASE, ""),
	CASE("membership_key_128_digits", MEMBER("{key: " KEY32 KEY32 KEY32 KEY32 "}"), ""),
	CASE("membership_key_upper_case", MEMBER("{key: 00112233445566778899AABBCCDDEEFF}"), ""),
	CASE("membership_key_file", MEMBER("{key-file: @DIR@/key16}"), ""),
	CASE("membership_key_file_64_newline", MEMBER("{key-file: @DIR@/key64nl}"), ""),
	CASE("membership_port_range", MEMBER("{port: 65535, key: " KEY32 "}"), ""),
	CASE("membership_not_mapping", MEMBER("yes"), "2: membership: expected a mapping, got a scalar"),
	CASE("membership_empty", MEMBER("{}"), "2: membership: needs a key: give key or key-file"),
	CASE("membership_no_key", HEAD "membership:\n  port: 7000\n" MNODES MGROUPS, "2: membership: needs a key: give key or key-file"),
	CASE("membership_key_and_key_file", MEMBER("{key: " KEY32 ", key-file: @DIR@/key16}"), "2: membership: give key or key-file, not both"),
	CASE("membership_unknown_field", MEMBER("{key: " KEY32 ", ttl: 255}"), "2: membership.ttl: unknown field"),
	CASE("membership_port_zero", MEMBER("{port: 0, key: " KEY32 "}"), "2: membership.port: must be between 1 and 65535"),
	CASE("membership_port_high", MEMBER("{port: 65536, key: " KEY32 "}"), "2: membership.port: must be between 1 and 65535"),
	CASE("membership_key_30_digits", MEMBER("{key: 00112233445566778899aabbccddee}"), "2: membership.key: must be an even number of hex digits, 32 to 128 (16 to 64 bytes), not 30"),
	CASE("membership_key_130_digits", MEMBER("{key: " KEY32 KEY32 KEY32 KEY32 "00}"), "2: membership.key: must be an even number of hex digits, 32 to 128 (16 to 64 bytes), not 130"),
	CASE("membership_key_odd", MEMBER("{key: " KEY32 "0}"), "2: membership.key: must be an even number of hex digits, 32 to 128 (16 to 64 bytes), not 33"),
	CASE("membership_key_not_hex", MEMBER("{key: 0011g233445566778899aabbccddeeff}"), "2: membership.key: character 5 is not a hex digit"),
	CASE("membership_key_file_missing", MEMBER("{key-file: @DIR@/nokey}"), "2: membership.key-file: @DIR@/nokey: No such file or directory"),
	CASE("membership_key_file_15", MEMBER("{key-file: @DIR@/key15}"), "2: membership.key-file: @DIR@/key15: the key is 15 bytes, must be 16 to 64"),
	CASE("membership_key_file_65", MEMBER("{key-file: @DIR@/key65}"), "2: membership.key-file: @DIR@/key65: the key is 65 bytes, must be 16 to 64"),
	CASE("membership_key_file_one_newline_stripped", MEMBER("{key-file: @DIR@/key64nn}"), "2: membership.key-file: @DIR@/key64nn: the key is 65 bytes, must be 16 to 64"),
	CASE("membership_key_file_empty", MEMBER("{key-file: @DIR@/empty}"), "2: membership.key-file: @DIR@/empty: the key is 0 bytes, must be 16 to 64"),
	CASE("membership_key_file_directory", MEMBER("{key-file: @DIR@}"), "2: membership.key-file: @DIR@: Is a directory"),
	CASE("membership_key_file_relative", MEMBER("{key-file: xglb.key}"), "2: membership.key-file: \"xglb.key\" is not an absolute path"),

	/* nodes[].address */
	CASE("address_without_membership", HEAD "nodes:\n  - {name: r1, id: 1, address: 10.0.0.2}\n  - {name: r2, id: 2}\n" GROUPS1, ""),
	CASE("address_required", MNODE3(""), "6: nodes[2].address: required when membership is configured"),
	CASE("address_required_membership_last", HEAD "nodes:\n  - {name: r1, id: 1, address: 10.0.0.2}\n  - {name: r2, id: 2}\n" MGROUPS MEMB, "4: nodes[1].address: required when membership is configured"),
	CASE("address_duplicate", MNODE3(", address: 10.0.0.2"), "6: nodes[2].address: duplicate address 10.0.0.2 (first at line 4)"),
	CASE("address_multicast", MNODE3(", address: 224.0.0.1"), "6: nodes[2].address: \"224.0.0.1\" is a multicast address, not a unicast one"),
	CASE("address_not_ipv4", MNODE3(", address: 10.0.0"), "6: nodes[2].address: \"10.0.0\" is not an IPv4 address"),

	/* groups with membership: the group on line 7 */
	CASE("avg_with_membership", HEAD MEMB MNODES "groups:\n  - {" GOOD "}\n", "7: groups[0].avg: the AVG is elected when membership is configured; set nodes[].priority"),
	CASE("owner_required_with_membership", HEAD MEMB MNODES "groups:\n  - {id: 1, vip: 10.0.0.1, interfaces: [eth0], forwarders: [{weight: 5}]}\n", "7: groups[0].forwarders[0].owner: missing required field"),

	/* groups[].timers: the group on line 6, or (TPRE) the timers from line 12 */
	CASE("timers_min", TIMERS("hello-ms: 10, hold-ms: 11, redirect-ms: 0, timeout-ms: 0"), ""),
	CASE("timers_max", TIMERS("hello-ms: 60000, hold-ms: 180000, redirect-ms: 86400000, timeout-ms: 86400000"), ""),
	CASE("timers_empty", TIMERS(""), ""),
	CASE("timers_hold_below_3x_hello", TIMERS_AT12("      hello-ms: 1000\n      hold-ms: 1001\n"), ""),
	CASE("timers_redirect_equals_timeout", TIMERS_AT12("      redirect-ms: 5000\n      timeout-ms: 5000\n"), ""),
	CASE("timers_hello_low", TIMERS("hello-ms: 9"), "6: groups[0].timers.hello-ms: must be between 10 and 60000"),
	CASE("timers_hello_high", TIMERS("hello-ms: 60001, hold-ms: 180000"), "6: groups[0].timers.hello-ms: must be between 10 and 60000"),
	CASE("timers_hold_low", TIMERS("hello-ms: 10, hold-ms: 10"), "6: groups[0].timers.hold-ms: must be between 11 and 180000"),
	CASE("timers_hold_high", TIMERS("hold-ms: 180001"), "6: groups[0].timers.hold-ms: must be between 11 and 180000"),
	CASE("timers_redirect_high", TIMERS("redirect-ms: 86400001"), "6: groups[0].timers.redirect-ms: must be between 0 and 86400000"),
	CASE("timers_timeout_high", TIMERS("timeout-ms: 86400001"), "6: groups[0].timers.timeout-ms: must be between 0 and 86400000"),
	CASE("timers_unknown_field", TIMERS("holdtime: 10"), "6: groups[0].timers.holdtime: unknown field"),
	CASE("timers_not_mapping", GROUPX("timers: 1000"), "6: groups[0].timers: expected a mapping, got a scalar"),
	CASE("timers_hold_equals_hello", TIMERS_AT12("      hello-ms: 1000\n      hold-ms: 1000\n"), "13: groups[0].timers.hold-ms: must be greater than hello-ms (1000)"),
	CASE("timers_hold_below_default_hello", TIMERS_AT12("      hold-ms: 500\n"), "12: groups[0].timers.hold-ms: must be greater than hello-ms (1000)"),
	CASE("timers_hello_above_default_hold", TIMERS_AT12("      hello-ms: 3000\n"), "12: groups[0].timers.hello-ms: must be less than hold-ms (3000, the default)"),
	CASE("timers_timeout_below_redirect", TIMERS_AT12("      redirect-ms: 5000\n      timeout-ms: 4999\n"), "13: groups[0].timers.timeout-ms: must be at least redirect-ms (5000)"),
	CASE("timers_timeout_below_default_redirect", TIMERS_AT12("      timeout-ms: 599999\n"), "12: groups[0].timers.timeout-ms: must be at least redirect-ms (600000)"),
	CASE("timers_redirect_above_default_timeout", TIMERS_AT12("      redirect-ms: 14400001\n"), "12: groups[0].timers.redirect-ms: must not exceed timeout-ms (14400000, the default)"),

	/* groups[].preempt, preempt-delay-ms, load-max-share-pct: the group on line 6 */
	CASE("preempt_yes", GROUPX("preempt: yes"), ""),
	CASE("preempt_no", GROUPX("preempt: no"), ""),
	CASE("preempt_on", GROUPX("preempt: on"), "6: groups[0].preempt: must be true, false, yes or no, not \"on\""),
	CASE("preempt_capital", GROUPX("preempt: True"), "6: groups[0].preempt: must be true, false, yes or no, not \"True\""),
	CASE("preempt_number", GROUPX("preempt: 1"), "6: groups[0].preempt: must be true, false, yes or no, not \"1\""),
	CASE("preempt_list", GROUPX("preempt: [true]"), "6: groups[0].preempt: expected a scalar, got a list"),
	CASE("preempt_delay_max", GROUPX("preempt-delay-ms: 3600000"), ""),
	CASE("preempt_delay_high", GROUPX("preempt-delay-ms: 3600001"), "6: groups[0].preempt-delay-ms: must be between 0 and 3600000"),
	CASE("load_pct_max", GROUPX("load-max-share-pct: 100"), ""),
	CASE("load_pct_high", GROUPX("load-max-share-pct: 101"), "6: groups[0].load-max-share-pct: must be between 0 and 100"),
	CASE("load_pct_negative", GROUPX("load-max-share-pct: -1"), "6: groups[0].load-max-share-pct: must be between 0 and 100"),

	/* weighting: on line 1 */
	CASE("weighting", TOP("weighting: {lower: 10, upper: 20}"), ""),
	CASE("weighting_equal", TOP("weighting: {lower: 65535, upper: 65535}"), ""),
	CASE("weighting_upper_below_lower", TOP("weighting: {lower: 30, upper: 29}"), "1: weighting.upper: must not be below lower (30)"),
	CASE("weighting_upper_below_lower_block", TOP("weighting:\n  lower: 30\n  upper: 0"), "3: weighting.upper: must not be below lower (30)"),
	CASE("weighting_lower_high", TOP("weighting: {lower: 65536}"), "1: weighting.lower: must be between 0 and 65535"),
	CASE("weighting_upper_high", TOP("weighting: {upper: 65536}"), "1: weighting.upper: must be between 0 and 65535"),
	CASE("weighting_unknown_field", TOP("weighting: {low: 1}"), "1: weighting.low: unknown field"),
	CASE("weighting_not_mapping", TOP("weighting: 50"), "1: weighting: expected a mapping, got a scalar"),

	/* tracking: on line 13, the first object on line 14 */
	CASE("tracking_empty", TAIL("tracking: []"), ""),
	CASE("tracking_all_types", TRACK_AT14("  - {name: up, type: link, interface: eth1, priority-decrement: 255, weight-decrement: 65535}\n  - {name: gw, type: ping, target: 192.0.2.1, interval-ms: 100, timeout-ms: 100}\n  - {name: cmd, type: command, command: \"ip route get 192.0.2.1\", interval-ms: 3600000, timeout-ms: 10}\n  - {name: flag, type: file, path: /run/xglb/up, interval-ms: 100}\n"), ""),
	CASE("tracking_sixteen", BASE "tracking: [" TN(0) ", " TN(1) ", " TN(2) ", " TN(3) ", " TN(4) ", " TN(5) ", " TN(6) ", " TN(7) ", " TN(8) ", " TN(9) ", " TN(10) ", " TN(11) ", " TN(12) ", " TN(13) ", " TN(14) ", " TN(15) "]\n", ""),
	CASE("tracking_seventeen", BASE "tracking: [" TN(0) ", " TN(1) ", " TN(2) ", " TN(3) ", " TN(4) ", " TN(5) ", " TN(6) ", " TN(7) ", " TN(8) ", " TN(9) ", " TN(10) ", " TN(11) ", " TN(12) ", " TN(13) ", " TN(14) ", " TN(15) ", " TN(16) "]\n", "13: tracking: must have 0 to 16 entries, not 17"),
	CASE("tracking_not_list", TAIL("tracking: {name: a}"), "13: tracking: expected a list, got a mapping"),
	CASE("track_not_mapping", TRACK_AT14("  - uplink\n"), "14: tracking[0]: expected a mapping, got a scalar"),
	CASE("track_unknown_field", TRK1("name: a, type: file, path: /x, colour: red"), "14: tracking[0].colour: unknown field"),
	CASE("track_name_missing", TRK1("type: link, interface: eth1"), "14: tracking[0].name: missing required field"),
	CASE("track_name_chars", TRK1("name: a b, type: link, interface: eth1"), "14: tracking[0].name: \"a b\" has characters outside [A-Za-z0-9_.-]"),
	CASE("track_name_duplicate", TRACK_AT14("  - {name: a, type: link, interface: eth1}\n  - {name: a, type: file, path: /x}\n"), "15: tracking[1].name: duplicate name a (first at line 14)"),
	CASE("track_type_missing", TRK1("name: a, interface: eth1"), "14: tracking[0].type: missing required field"),
	CASE("track_type_unknown", TRK1("name: a, type: arp, interface: eth1"), "14: tracking[0].type: \"arp\" is not one of link, ping, command, file"),
	CASE("track_link_interface_missing", TRK1("name: a, type: link"), "14: tracking[0].interface: required for type \"link\""),
	CASE("track_link_interface_bad", TRK1("name: a, type: link, interface: \"eth0:1\""), "14: tracking[0].interface: \"eth0:1\" is not an interface name (1 to 15 characters)"),
	CASE("track_link_interval", TRK1("name: a, type: link, interface: eth1, interval-ms: 1000"), "14: tracking[0].interval-ms: not allowed for type \"link\""),
	CASE("track_link_timeout", TRK1("name: a, type: link, interface: eth1, timeout-ms: 100"), "14: tracking[0].timeout-ms: not allowed for type \"link\""),
	CASE("track_link_target", TRK1("name: a, type: link, interface: eth1, target: 192.0.2.1"), "14: tracking[0].target: not allowed for type \"link\""),
	CASE("track_ping_target_missing", TRK1("name: a, type: ping"), "14: tracking[0].target: required for type \"ping\""),
	CASE("track_ping_target_multicast", TRK1("name: a, type: ping, target: 224.0.0.5"), "14: tracking[0].target: \"224.0.0.5\" is a multicast address, not a unicast one"),
	CASE("track_ping_target_name", TRK1("name: a, type: ping, target: gw.lan"), "14: tracking[0].target: \"gw.lan\" is not an IPv4 address"),
	CASE("track_ping_interface", TRK1("name: a, type: ping, target: 192.0.2.1, interface: eth1"), "14: tracking[0].interface: not allowed for type \"ping\""),
	CASE("track_ping_command", TRK1("name: a, type: ping, target: 192.0.2.1, command: true"), "14: tracking[0].command: not allowed for type \"ping\""),
	CASE("track_ping_path", TRK1("name: a, type: ping, target: 192.0.2.1, path: /x"), "14: tracking[0].path: not allowed for type \"ping\""),
	CASE("track_ping_timeout_above_interval", TRK1("name: a, type: ping, target: 192.0.2.1, interval-ms: 200, timeout-ms: 201"), "14: tracking[0].timeout-ms: must be between 10 and interval-ms (200)"),
	CASE("track_ping_timeout_above_default_interval", TRK1("name: a, type: ping, target: 192.0.2.1, timeout-ms: 1001"), "14: tracking[0].timeout-ms: must be between 10 and interval-ms (1000)"),
	CASE("track_ping_timeout_low", TRK1("name: a, type: ping, target: 192.0.2.1, timeout-ms: 9"), "14: tracking[0].timeout-ms: must be between 10 and 3600000"),
	CASE("track_interval_low", TRK1("name: a, type: file, path: /x, interval-ms: 99"), "14: tracking[0].interval-ms: must be between 100 and 3600000"),
	CASE("track_interval_high", TRK1("name: a, type: file, path: /x, interval-ms: 3600001"), "14: tracking[0].interval-ms: must be between 100 and 3600000"),
	CASE("track_command_missing", TRK1("name: a, type: command"), "14: tracking[0].command: required for type \"command\""),
	CASE("track_command_empty", TRK1("name: a, type: command, command: \"\""), "14: tracking[0].command: must be 1 to 255 characters long"),
	CASE("track_command_255", TRK1("name: a, type: command, command: " C100 C100 C10 C10 C10 C10 C10 "aaaaa"), ""),
	CASE("track_command_256", TRK1("name: a, type: command, command: " C100 C100 C10 C10 C10 C10 C10 "aaaaaa"), "14: tracking[0].command: must be 1 to 255 characters long"),
	CASE("track_command_target", TRK1("name: a, type: command, command: true, target: 192.0.2.1"), "14: tracking[0].target: not allowed for type \"command\""),
	CASE("track_file_path_missing", TRK1("name: a, type: file"), "14: tracking[0].path: required for type \"file\""),
	CASE("track_file_path_relative", TRK1("name: a, type: file, path: run/up"), "14: tracking[0].path: \"run/up\" is not an absolute path"),
	CASE("track_file_timeout", TRK1("name: a, type: file, path: /x, timeout-ms: 100"), "14: tracking[0].timeout-ms: not allowed for type \"file\""),
	CASE("track_file_interface", TRK1("name: a, type: file, path: /x, interface: eth1"), "14: tracking[0].interface: not allowed for type \"file\""),
	CASE("track_file_target", TRACK_AT14("  - {name: a, type: link, interface: eth1}\n  - {name: b, type: file, path: /x, target: 192.0.2.1}\n"), "15: tracking[1].target: not allowed for type \"file\""),
	CASE("track_not_allowed_and_bad", TRK1("name: a, type: file, path: /x, target: 300.0.0.1"), "14: tracking[0].target: \"300.0.0.1\" is not an IPv4 address"),
	CASE("track_priority_decrement_high", TRK1("name: a, type: link, interface: eth1, priority-decrement: 256"), "14: tracking[0].priority-decrement: must be between 0 and 255"),
	CASE("track_weight_decrement_high", TRK1("name: a, type: link, interface: eth1, weight-decrement: 65536"), "14: tracking[0].weight-decrement: must be between 0 and 65535"),

	/* several problems across the new sections: all reported */
	{ "all_reported_membership",
	  "node: r1\n"                                 /* 1 */
	  "membership: {port: 0}\n"                    /* 2 */
	  "nodes:\n"                                   /* 3 */
	  "  - {name: r1, id: 1}\n"                    /* 4 */
	  "groups:\n"                                  /* 5 */
	  "  - {" GOOD ", timers: {hello-ms: 5}}\n"    /* 6 */
	  "tracking:\n"                                /* 7 */
	  "  - {name: a, type: file, target: 10.0.0.9}\n", /* 8 */
	  NULL, 7,
	  { "2: membership.port: must be between 1 and 65535",
	    "4: nodes[0].address: required when membership is configured",
	    "6: groups[0].avg: the AVG is elected when membership is configured; "
	    "set nodes[].priority",
	    "8: tracking[0].path: required for type \"file\"" } },

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
	CASE("syntax_error", "node: r1\nnodes:\n  - {name: r1, id: 1\n  - {name: r2, id: 2}\n", "4: syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 3)"),
	CASE("syntax_indent", "node: r1\n lease-ms: 5\n", "2: syntax error: mapping values are not allowed in this context"),
	CASE("syntax_tab", TAIL("\tlease-ms: 5"), "13: syntax error: found character that cannot start any token (while scanning for the next token at line 13)"),
	CASE("syntax_bad_utf8", TAIL("lease-ms: \xff"), "13: syntax error: invalid leading UTF-8 octet"),
	CASE("empty_file", "", "1: document: empty: expected a mapping with nodes and groups"),
	CASE("comments_only", "# nothing\n", "1: document: empty: expected a mapping with nodes and groups"),
	CASE("not_a_mapping", "- node: r1\n", "1: document: expected a mapping, got a list"),
	CASE("second_document", TAIL("---\nlease-ms: 5"), "14: document: a second document is not allowed"),
	CASE("key_not_scalar", TOP("? [a, b]\n: 1"), "1: document: field names must be scalars"),
	/* IPv6: link-local, vip6, ra */
	CASE("v6_ll_ok", GROUPX("link-local: fe80::1"), ""),
	CASE("v6_vip6_three", GROUPX("vip6: [2001:db8::1, 2001:db8::2, fd00::3]"), ""),
	CASE("v6_ll_not_ll", GROUPX("link-local: 2001:db8::1"), "6: groups[0].link-local: \"2001:db8::1\" is not a link-local unicast address (fe80::/10, interface identifier not zero)"),
	CASE("v6_ll_zero_iid", GROUPX("link-local: \"fe80::\""), "6: groups[0].link-local: \"fe80::\" is not a link-local unicast address (fe80::/10, interface identifier not zero)"),
	CASE("v6_ll_garbage", GROUPX("link-local: fe80::zz"), "6: groups[0].link-local: \"fe80::zz\" is not an IPv6 address"),
	CASE("v6_ll_ipv4", GROUPX("link-local: 10.0.0.1"), "6: groups[0].link-local: \"10.0.0.1\" is not an IPv6 address"),
	CASE("v6_vip6_four", GROUPX("vip6: [2001:db8::1, 2001:db8::2, 2001:db8::3, 2001:db8::4]"), "6: groups[0].vip6: must list 1 to 3 addresses (with the link-local, 4 per group), not 4"),
	CASE("v6_vip6_empty", GROUPX("vip6: []"), "6: groups[0].vip6: must list 1 to 3 addresses (with the link-local, 4 per group), not 0"),
	CASE("v6_vip6_scalar", GROUPX("vip6: 2001:db8::1"), "6: groups[0].vip6: expected a list, got a scalar"),
	CASE("v6_vip6_ll", GROUPX("vip6: [fe80::5]"), "6: groups[0].vip6[0]: \"fe80::5\" is a link-local address, not a global unicast one"),
	CASE("v6_vip6_mcast", GROUPX("vip6: [2001:db8::1, ff02::1]"), "6: groups[0].vip6[1]: \"ff02::1\" is a multicast address, not a global unicast one"),
	CASE("v6_vip6_unspec", GROUPX("vip6: [\"::\"]"), "6: groups[0].vip6[0]: \"::\" is the unspecified address, not a global unicast one"),
	CASE("v6_vip6_loop", GROUPX("vip6: [\"::1\"]"), "6: groups[0].vip6[0]: \"::1\" is the loopback address, not a global unicast one"),
	CASE("v6_vip6_mapped", GROUPX("vip6: [\"::ffff:10.0.0.1\"]"), "6: groups[0].vip6[0]: \"::ffff:10.0.0.1\" is an IPv4-mapped address, not a global unicast one"),
	CASE("v6_vip6_twice", GROUPX("vip6: [2001:db8::1, \"2001:db8:0::1\"]"), "6: groups[0].vip6[1]: \"2001:db8:0::1\" is listed twice"),
	CASE("v6_two_groups_vip6", GPRE "  - {" GOOD ", vip6: [2001:db8::1]}\n"
	  "  - {id: 2, vip: 10.0.0.2, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}], vip6: [2001:db8::1]}\n", "7: groups[1].vip6[0]: 2001:db8::1 is already group 1's"),
	CASE("v6_ll_is_derived_of_other", GPRE "  - {id: 7, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}], vip6: [2001:db8::7]}\n"
	  "  - {id: 2, vip: 10.0.0.2, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}], link-local: \"fe80::78:67ff:fe62:700\"}\n", "7: groups[1].link-local: fe80::78:67ff:fe62:700 is already group 7's"),
	CASE("v6_derived_is_ll_of_other", GPRE "  - {id: 2, vip: 10.0.0.2, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}], link-local: \"fe80::78:67ff:fe62:700\"}\n"
	  "  - {id: 7, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}], ra: {enabled: true}}\n", "7: groups[1].link-local: fe80::78:67ff:fe62:700 (derived) is already group 2's"),
	CASE("v6_ra_ok", RA("interval-ms: 1000, router-lifetime-s: 1, mtu: 1500, hop-limit: 0, managed: yes, other-config: true, preference: low"), ""),
	CASE("v6_ra_off_ok", GROUPX("ra: {enabled: false, mtu: 0}"), ""),
	CASE("v6_ra_interval_low", RA("interval-ms: 999"), "6: groups[0].ra.interval-ms: must be between 1000 and 1800000"),
	CASE("v6_ra_lifetime_high", RA("router-lifetime-s: 9001"), "6: groups[0].ra.router-lifetime-s: must be between 0 and 9000"),
	CASE("v6_ra_lifetime_short", RA("interval-ms: 10000, router-lifetime-s: 9"), "6: groups[0].ra.router-lifetime-s: must be 0 (not a default router) or at least interval-ms (10 s)"),
	CASE("v6_ra_lifetime_zero_ok", RA("interval-ms: 10000, router-lifetime-s: 0"), ""),
	CASE("v6_ra_mtu_low", RA("mtu: 1279"), "6: groups[0].ra.mtu: must be 0 or between 1280 and 65535"),
	CASE("v6_ra_pref", RA("preference: highest"), "6: groups[0].ra.preference: \"highest\" is not one of medium, high, low"),
	CASE("v6_ra_unknown", RA("ttl: 3"), "6: groups[0].ra.ttl: unknown field"),
	CASE("v6_ra_enabled_word", GROUPX("ra: {enabled: on}"), "6: groups[0].ra.enabled: must be true, false, yes or no, not \"on\""),
	CASE("v6_pfx_ok", PPRE "        - {prefix: 2001:db8:1::/64, on-link: false, autonomous: no, valid-lifetime-s: 4294967295, preferred-lifetime-s: 0}\n"
	  "        - prefix: 2001:db8:2::/48\n", ""),
	CASE("v6_pfx_missing", PPRE "        - {on-link: true}\n", "13: groups[0].ra.prefixes[0].prefix: missing required field"),
	CASE("v6_pfx_hostbits", PPRE "        - {prefix: 2001:db8::1/64}\n", "13: groups[0].ra.prefixes[0].prefix: \"2001:db8::1/64\" has host bits set past /64"),
	CASE("v6_pfx_nolen", PPRE "        - {prefix: \"2001:db8::\"}\n", "13: groups[0].ra.prefixes[0].prefix: \"2001:db8::\" is not an IPv6 prefix ADDRESS/LENGTH (length 1-128)"),
	CASE("v6_pfx_len0", PPRE "        - {prefix: \"::/0\"}\n", "13: groups[0].ra.prefixes[0].prefix: \"::/0\" is not an IPv6 prefix ADDRESS/LENGTH (length 1-128)"),
	CASE("v6_pfx_len129", PPRE "        - {prefix: 2001:db8::/129}\n", "13: groups[0].ra.prefixes[0].prefix: \"2001:db8::/129\" is not an IPv6 prefix ADDRESS/LENGTH (length 1-128)"),
	CASE("v6_pfx_ll", PPRE "        - {prefix: fe80::/64}\n", "13: groups[0].ra.prefixes[0].prefix: \"fe80::/64\" is a link-local prefix: hosts ignore it"),
	CASE("v6_pfx_preferred_gt_valid", PPRE "        - {prefix: 2001:db8::/64, valid-lifetime-s: 10, preferred-lifetime-s: 11}\n", "13: groups[0].ra.prefixes[0].preferred-lifetime-s: must not exceed valid-lifetime-s (10)"),
	CASE("v6_pfx_valid_below_default", PPRE "        - {prefix: 2001:db8::/64, valid-lifetime-s: 10}\n", "13: groups[0].ra.prefixes[0].valid-lifetime-s: must be at least preferred-lifetime-s (604800, the default)"),
	CASE("v6_pfx_twice", PPRE "        - {prefix: 2001:db8:1::/64}\n        - {prefix: 2001:db8:2::/48}\n"
	  "        - {prefix: \"2001:db8:1::/64\", autonomous: false}\n", "15: groups[0].ra.prefixes[2].prefix: \"2001:db8:1::/64\" is listed twice"),
	CASE("v6_pfx_same_address_other_length", PPRE "        - {prefix: 2001:db8::/64}\n        - {prefix: 2001:db8::/48}\n", ""),
	CASE("v6_pfx_five", PPRE "        - {prefix: 2001:db8:1::/64}\n        - {prefix: 2001:db8:2::/64}\n"
	  "        - {prefix: 2001:db8:3::/64}\n        - {prefix: 2001:db8:4::/64}\n        - {prefix: 2001:db8:5::/64}\n", "12: groups[0].ra.prefixes: must have 0 to 4 entries, not 5"),
};
// clang-format on

struct tmpfile {
	char path[64];
};

static char keydir[64] = "/tmp/xglb-test-keys-XXXXXX"; /* made by setup() */

/* The key files of the cases: name, bytes, length. */
// clang-format off
static const struct keyfile {
	const char *name;
	const char *data;
	size_t len;
} keyfiles[] = {
	{ "key16", "0123456789abcdef", 16 },
	{ "key32bin", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
		      "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f", 32 },
	{ "key64nl", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n", 65 },
	{ "key15", "0123456789abcde", 15 },
	{ "key65", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 65 },
	{ "key64nn", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n\n", 66 },
	{ "empty", "", 0 },
};
// clang-format on
#define N_KEYFILES (sizeof(keyfiles) / sizeof(keyfiles[0]))

static int setup(void **state)
{
	char path[128];
	size_t i;
	int fd;

	if (!mkdtemp(keydir))
		return -1;
	for (i = 0; i < N_KEYFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", keydir, keyfiles[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 ||
		    write(fd, keyfiles[i].data, keyfiles[i].len) != (ssize_t)keyfiles[i].len)
			return -1;
		close(fd);
	}
	return 0;
}

static int teardown(void **state)
{
	char path[128];
	size_t i;

	for (i = 0; i < N_KEYFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", keydir, keyfiles[i].name);
		unlink(path);
	}
	return rmdir(keydir);
}

/* S with every FROM replaced by TO (free() it). */
static char *replace(const char *s, const char *from, const char *to)
{
	size_t n = strlen(s) + 1, lf = strlen(from);
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += lf)
		n += strlen(to);
	out = o = malloc(n);
	assert_non_null(out);
	while ((p = strstr(s, from))) {
		memcpy(o, s, p - s);
		o = stpcpy(o + (p - s), to);
		s = p + lf;
	}
	strcpy(o, s);
	return out;
}

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
	char *out, *yaml, *line;
	int ret, i;

	yaml = replace(tc->yaml, "@DIR@", keydir);
	write_tmp(&t, yaml);
	free(yaml);
	out = load(t.path, tc->node, &cfg, &ret);
	unlink(t.path);
	if (ret != tc->ret)
		print_message("case %s printed:\n%s", tc->name, out);
	assert_int_equal(ret, tc->ret);
	/* every problem is one line */
	for (i = 0; out[i]; i++)
		ret -= out[i] == '\n';
	assert_int_equal(ret, 0);
	for (i = 0; i < 4 && tc->want[i] && *tc->want[i]; i++) {
		line = replace(tc->want[i], "@DIR@", keydir);
		snprintf(want, sizeof(want), "%s:%s%s\n", t.path,
			 isdigit((unsigned char)*line) ? "" : " ", line);
		free(line);
		if (!strstr(out, want))
			print_message("case %s: want\n%sgot:\n%s", tc->name, want, out);
		assert_non_null(strstr(out, want));
	}
	free(out);
}

/* examples/NAME from the top of the tree, wherever the test is run from. */
static const char *example_path(const char *name)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX - 64]; /* room for the suffix */
	ssize_t n;

	snprintf(path, sizeof(path), "examples/%s", name);
	if (access(path, R_OK) == 0)
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0'; /* build/tests */
	*strrchr(exe, '/') = '\0'; /* build */
	*strrchr(exe, '/') = '\0'; /* the tree */
	snprintf(path, sizeof(path), "%s/examples/%s", exe, name);
	return path;
}

/* The timers and preemption of group g. */
static void assert_group_timers(const struct xglb_cfg_group *g, int hello, int hold, int redirect,
				int timeout, bool preempt, int delay, int load_pct)
{
	assert_int_equal(g->hello_ms, hello);
	assert_int_equal(g->hold_ms, hold);
	assert_int_equal(g->redirect_ms, redirect);
	assert_int_equal(g->timeout_ms, timeout);
	assert_int_equal(g->preempt, preempt);
	assert_int_equal(g->preempt_delay_ms, delay);
	assert_int_equal(g->load_max_pct, load_pct);
}

/* Every field of forwarder f; line 0: its line is not checked. */
static void assert_fwd(const struct xglb_cfg_fwd *f, int index, int owner, int preferred,
		       int weight, int persistence, int line)
{
	assert_int_equal(f->index, index);
	assert_int_equal(f->owner, owner);
	assert_int_equal(f->preferred, preferred);
	assert_int_equal(f->weight, weight);
	assert_int_equal(f->persistence, persistence);
	if (line)
		assert_int_equal(f->line, line);
}

static void test_example(void **state)
{
	const __u8 vip[4] = {10, 0, 0, 1};
	const struct xglb_cfg_group *g = &cfg.groups[0];
	const char *path = example_path("xglb.yaml");
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
	assert_string_equal(cfg.state_dir, "/var/lib/xglb");
	assert_string_equal(cfg.console_token_file, ""); /* state-dir/console-token */
	assert_int_equal(cfg.lease_ms, 3000);
	assert_int_equal(cfg.learn_interval_ms, 10000);
	assert_int_equal(cfg.nic_return_ms, 1000);
	assert_int_equal(cfg.host_table_size, 0); /* by CPU count */
	assert_int_equal(cfg.datapath, XGLB_DATAPATH_AUTO);
	assert_int_equal(cfg.xdp_mode, XGLB_XDP_MODE_AUTO);
	assert_int_equal(cfg.rx_filter, XGLB_RXF_AUTO);
	assert_int_equal(cfg.realtime_priority, 0); /* off */
	/* static mode: the defaults of what it leaves out */
	assert_string_equal(cfg.control_socket, "/run/xglb/xglbd.sock");
	assert_false(cfg.membership);
	assert_int_equal(cfg.port, 7867);
	assert_int_equal(cfg.key_len, 0);
	assert_int_equal(cfg.weight_lower, 0);
	assert_int_equal(cfg.weight_upper, 0);
	assert_int_equal(cfg.n_track, 0);
	assert_int_equal(cfg.n_nodes, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cfg.nodes[i].id, i + 1);
		assert_int_equal(cfg.nodes[i].priority, 100);
		assert_int_equal(cfg.nodes[i].weight, 100);
		assert_int_equal(cfg.nodes[i].address, 0);
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
	assert_group_timers(g, 1000, 3000, 600000, 14400000, true, 0, 0);
	assert_int_equal(g->line, 21);
	assert_int_equal(g->n_fwd, 3);
	for (i = 0; i < 3; i++)
		assert_fwd(&g->fwd[i], i, i, i, 100, 0, 0);
}

static void test_override(void **state)
{
	char *out;
	int ret;

	out = load(example_path("xglb.yaml"), "r3", &cfg, &ret);
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
	    "state-dir: /srv/xglb/state\n"
	    "datapath: tc\n"
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
	    " forwarders: [{owner: r1}, {owner: r2}]}\n"
	    "rx-filter: promiscuous\n"
	    "console-token-file: /etc/xglb/console-token\n"
	    "xdp-mode: native\n"
	    "host-table-size: 1048576\n"
	    "nic-return-ms: 2500\n"
	    "realtime-priority: 10\n";
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
	assert_int_equal(cfg.nic_return_ms, 2500);
	assert_int_equal(cfg.host_table_size, 1048576);
	assert_string_equal(cfg.pin_root, "/sys/fs/bpf/other");
	assert_string_equal(cfg.state_dir, "/srv/xglb/state");
	assert_string_equal(cfg.console_token_file, "/etc/xglb/console-token");
	assert_int_equal(cfg.datapath, XGLB_DATAPATH_TC);
	assert_int_equal(cfg.xdp_mode, XGLB_XDP_MODE_NATIVE);
	assert_int_equal(cfg.rx_filter, XGLB_RXF_PROMISC);
	assert_int_equal(cfg.realtime_priority, 10);
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
	assert_fwd(&g->fwd[0], 0, 1, 0, 255, 0, 18);
	assert_fwd(&g->fwd[1], 1, 0, 0, 100, 1, 19);
	assert_fwd(&g->fwd[2], 2, 0, 0, 1, 3, 17);
	/* index defaults to the position, preferred to the owner */
	assert_int_equal(h->policy, XGLB_POLICY_WEIGHTED);
	assert_int_equal(h->fwd[1].index, 1);
	assert_int_equal(h->fwd[1].owner, 1);
	assert_int_equal(h->fwd[1].preferred, 1);
}

/* Loads TEXT after replacing "@DIR@"; fails the test on any problem. */
static void load_ok(const char *text, const char *node)
{
	char *yaml = replace(text, "@DIR@", keydir), *out;
	struct tmpfile t;
	int ret;

	write_tmp(&t, yaml);
	free(yaml);
	out = load(t.path, node, &cfg, &ret);
	unlink(t.path);
	if (ret)
		print_message("%s", out);
	assert_int_equal(ret, 0);
	assert_string_equal(out, "");
	free(out);
}

/* Membership, timers, weighting and tracking: values given and their defaults. */
static void test_membership_values(void **state)
{
	const char *yaml =
	    "node: r2\n"							    /* 1 */
	    "control-socket: /run/other.sock\n"					    /* 2 */
	    "membership:\n"							    /* 3 */
	    "  port: 9000\n"							    /* 4 */
	    "  key-file: @DIR@/key32bin\n"					    /* 5 */
	    "weighting: {lower: 40}\n"						    /* 6 */
	    "tracking:\n"							    /* 7 */
	    "  - {name: up, type: link, interface: eth1, priority-decrement: 20}\n" /* 8 */
	    "  - {name: gw, type: ping, target: 192.0.2.1}\n"			    /* 9 */
	    "  - {name: fast, type: ping, target: 192.0.2.2, interval-ms: 200}\n"   /* 10 */
	    "  - name: cmd\n"							    /* 11 */
	    "    type: command\n"						    /* 12 */
	    "    command: test -e /run/ok\n"					    /* 13 */
	    "    interval-ms: 5000\n"						    /* 14 */
	    "    timeout-ms: 2000\n"						    /* 15 */
	    "    weight-decrement: 65535\n"					    /* 16 */
	    "  - {name: flag, type: file, path: /run/flag, interval-ms: 100}\n"	    /* 17 */
	    "nodes:\n"
	    "  - {name: r1, id: 1, address: 10.0.0.2}\n"
	    "  - {name: r2, id: 2, address: 10.0.0.3, priority: 200}\n"
	    "groups:\n"
	    "  - id: 1\n"
	    "    vip: 10.0.0.1\n"
	    "    interfaces: [eth0]\n"
	    "    timers: {hello-ms: 100, hold-ms: 350, redirect-ms: 0, timeout-ms: 86400000}\n"
	    "    preempt: no\n"
	    "    preempt-delay-ms: 3600000\n"
	    "    load-max-share-pct: 60\n"
	    "    forwarders: [{owner: r1}, {owner: r2, preferred: r1},"
	    " {owner: r2, preferred: none, persistence: 3}]\n"
	    "  - {id: 2, vip: 10.0.1.1, interfaces: [eth1], timers: {hello-ms: 500},"
	    " forwarders: [{owner: r2}]}\n";
	const __u8 a1[4] = {10, 0, 0, 2}, a2[4] = {10, 0, 0, 3}, gw[4] = {192, 0, 2, 1};
	const struct xglb_cfg_group *g = &cfg.groups[0], *h = &cfg.groups[1];
	const struct xglb_cfg_track *t = cfg.track;

	load_ok(yaml, NULL);
	assert_string_equal(cfg.control_socket, "/run/other.sock");
	assert_true(cfg.membership);
	assert_int_equal(cfg.port, 9000);
	assert_int_equal(cfg.key_len, 32);
	assert_memory_equal(cfg.key, keyfiles[1].data, 32); /* raw bytes, NULs included */
	assert_int_equal(cfg.weight_lower, 40);
	assert_int_equal(cfg.weight_upper, 40); /* = lower */
	assert_memory_equal(&cfg.nodes[0].address, a1, 4);
	assert_memory_equal(&cfg.nodes[1].address, a2, 4);
	assert_int_equal(cfg.self, 1);

	/* elected: no static AVG; owner and preferred as in static mode */
	assert_int_equal(g->avg, -1);
	assert_int_equal(h->avg, -1);
	assert_int_equal(g->fwd[0].owner, 0);
	assert_int_equal(g->fwd[1].owner, 1);
	assert_int_equal(g->fwd[1].preferred, 0);
	assert_int_equal(g->fwd[2].preferred, XGLB_CFG_NONE); /* "none": no preferred owner */
	assert_int_equal(g->fwd[2].persistence, 3);
	assert_group_timers(g, 100, 350, 0, 86400000, false, 3600000, 60);
	/* the defaults of the fields left out */
	assert_group_timers(h, 500, 3000, 600000, 14400000, true, 0, 0);

	assert_int_equal(cfg.n_track, 5);
	assert_string_equal(t[0].name, "up");
	assert_int_equal(t[0].type, XGLB_TRACK_LINK);
	assert_string_equal(t[0].interface, "eth1");
	assert_int_equal(t[0].interval_ms, 0); /* not used by link */
	assert_int_equal(t[0].timeout_ms, 0);
	assert_int_equal(t[0].priority_dec, 20);
	assert_int_equal(t[0].weight_dec, 0);
	assert_int_equal(t[0].line, 8);
	assert_int_equal(t[1].type, XGLB_TRACK_PING);
	assert_memory_equal(&t[1].target, gw, 4);
	assert_int_equal(t[1].interval_ms, 1000);
	assert_int_equal(t[1].timeout_ms, 500);
	assert_int_equal(t[1].priority_dec, 0);
	assert_int_equal(t[2].interval_ms, 200);
	assert_int_equal(t[2].timeout_ms, 200); /* the interval, when under 500 */
	assert_int_equal(t[3].type, XGLB_TRACK_COMMAND);
	assert_string_equal(t[3].command, "test -e /run/ok");
	assert_int_equal(t[3].interval_ms, 5000);
	assert_int_equal(t[3].timeout_ms, 2000);
	assert_int_equal(t[3].weight_dec, 65535);
	assert_int_equal(t[3].line, 11);
	assert_int_equal(t[4].type, XGLB_TRACK_FILE);
	assert_string_equal(t[4].path, "/run/flag");
	assert_int_equal(t[4].interval_ms, 100);
	assert_int_equal(t[4].timeout_ms, 0); /* not used by file */
}

/* The key as hex, both cases; weighting with both thresholds; preempt: yes/true. */
static void test_membership_hex_key(void **state)
{
	static const __u8 key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	const char *yaml =
	    "weighting: {lower: 10, upper: 90}\n"
	    "node: r1\n"
	    "membership: {key: 00112233445566778899AAbbCCddEEff}\n" MNODES "groups:\n"
	    "  - {id: 1, vip: 10.0.0.1, interfaces: [eth0], preempt: yes,"
	    " forwarders: [{owner: r1}]}\n"
	    "  - {id: 2, vip: 10.0.0.5, interfaces: [eth0], preempt: true,"
	    " forwarders: [{owner: r1}]}\n";

	load_ok(yaml, NULL);
	assert_int_equal(cfg.port, 7867);
	assert_int_equal(cfg.key_len, 16);
	assert_memory_equal(cfg.key, key, 16);
	assert_int_equal(cfg.key_inline_line, 3); /* the daemon warns about an inline key */
	assert_int_equal(cfg.weight_lower, 10);
	assert_int_equal(cfg.weight_upper, 90);
	assert_true(cfg.groups[0].preempt);
	assert_true(cfg.groups[1].preempt);
	assert_int_equal(cfg.n_track, 0);
}

/*
 * A key file anyone but its owner can read, or owned by someone else than
 * root (the user the test runs as), is refused, naming the file and the
 * fix; 0600 and 0400 are accepted.
 */
static void test_key_file_private(void **state)
{
	static const struct {
		mode_t mode;
		bool nobody;	  /* chown to nobody (65534) */
		const char *want; /* NULL: accepted */
	} modes[] = {
	    {0600, false, NULL},
	    {0400, false, NULL},
	    {0644, false, "mode 0644 lets group and others at the key, must be 0600 or stricter"},
	    {0640, false, "mode 0640 lets the group at the key, must be 0600 or stricter"},
	    {0604, false, "mode 0604 lets others at the key, must be 0600 or stricter"},
	    {0620, false, "mode 0620 lets the group at the key, must be 0600 or stricter"},
	    {0600, true, "owned by uid 65534, must be owned by root"},
	};
	char key[128], yaml[1024], want[512], *out;
	struct tmpfile t;
	int ret;

	snprintf(key, sizeof(key), "%s/key-mode", keydir);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int fd = open(key, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "0123456789abcdef", 16), 16);
		close(fd);
		assert_int_equal(chmod(key, modes[i].mode), 0);
		if (modes[i].nobody && geteuid() != 0)
			continue; /* only root can give a file away */
		if (modes[i].nobody)
			assert_int_equal(chown(key, 65534, 65534), 0);
		snprintf(yaml, sizeof(yaml), MEMBER("{key-file: %s}"), key);
		write_tmp(&t, yaml);
		memset(&cfg, 0xff, sizeof(cfg));
		out = load(t.path, NULL, &cfg, &ret);
		unlink(t.path);
		if (!modes[i].want) {
			assert_string_equal(out, "");
			assert_int_equal(ret, 0);
			assert_int_equal(cfg.key_len, 16);
			assert_int_equal(cfg.key_inline_line, 0);
		} else {
			snprintf(want, sizeof(want), "%s:2: membership.key-file: %s: %s", t.path,
				 key, modes[i].want);
			if (!strstr(out, want))
				print_message("mode %04o: want\n%s\ngot:\n%s", modes[i].mode, want,
					      out);
			assert_int_equal(ret, 1);
			assert_non_null(strstr(out, want));
		}
		free(out);
		unlink(key);
	}
}

/* examples/xglb-membership.yaml, with its key file (/etc/xglb/key) replaced by a test one. */
static void test_membership_example(void **state)
{
	const __u8 a3[4] = {10, 0, 0, 4};
	const char *path = example_path("xglb-membership.yaml");
	char key[128], *text, *yaml;
	FILE *f = fopen(path, "r");
	size_t len;

	assert_non_null(f);
	text = calloc(1, 65536);
	assert_non_null(text);
	len = fread(text, 1, 65535, f);
	fclose(f);
	assert_true(len > 0 && len < 65535);
	assert_non_null(strstr(text, "key-file: /etc/xglb/key "));
	snprintf(key, sizeof(key), "%s/key16", keydir);
	yaml = replace(text, "/etc/xglb/key", key);
	free(text);
	load_ok(yaml, NULL);
	free(yaml);
	assert_true(cfg.membership);
	assert_int_equal(cfg.key_len, 16);
	assert_memory_equal(cfg.key, "0123456789abcdef", 16);
	assert_int_equal(cfg.n_nodes, 3);
	assert_memory_equal(&cfg.nodes[2].address, a3, 4);
	assert_int_equal(cfg.groups[0].avg, -1);
	assert_int_equal(cfg.groups[0].n_fwd, 3);
	assert_int_equal(cfg.n_track, 2);
	assert_int_equal(cfg.track[0].type, XGLB_TRACK_LINK);
	assert_int_equal(cfg.track[1].type, XGLB_TRACK_PING);
	assert_true(cfg.weight_lower <= cfg.weight_upper);
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
	/* each enum's name of every value, and none for its _MAX */
	static const struct {
		const char *(*name)(unsigned int value);
		unsigned int max;
		const char *want[3];
	} enums[] = {
	    {xglb_policy_name, XGLB_POLICY_MAX, {"round-robin", "weighted", "host-dependent"}},
	    {xglb_datapath_name, XGLB_DATAPATH_MAX, {"auto", "xdp", "tc"}},
	    {xglb_rx_filter_name, XGLB_RXF_MAX, {"auto", "off", "promiscuous"}},
	    {xglb_xdp_mode_name, XGLB_XDP_MODE_MAX, {"auto", "native", "generic"}},
	};
	struct xglb_config *c = &cfg;

	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		assert_int_equal(enums[i].max, 3); /* a new value wants its name here */
		for (unsigned int v = 0; v < enums[i].max; v++)
			assert_string_equal(enums[i].name(v), enums[i].want[v]);
		assert_null(enums[i].name(enums[i].max));
	}
	memset(c, 0, sizeof(*c));
	c->n_nodes = 2;
	strcpy(c->nodes[0].name, "a");
	strcpy(c->nodes[1].name, "b");
	strcpy(c->nodes[2].name, "c"); /* beyond n_nodes */
	assert_int_equal(xglb_node_by_name(c, "b"), 1);
	assert_int_equal(xglb_node_by_name(c, "c"), -1);
	assert_int_equal(xglb_node_by_name(c, ""), -1);
}

/* IPv6 values and defaults: the derived link-local, vip6 order, ra defaults and given values. */
static void test_ipv6_values(void **state)
{
	static const __u8 ll7[16] = {0xfe, 0x80, 0,    0,    0,	   0,	 0, 0,
				     0x00, 0x78, 0x67, 0xff, 0xfe, 0x62, 7, 0};
	const char *yaml = GPRE
	    "  - {id: 7, vip: 10.0.0.1, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}],\n"
	    "     vip6: [2001:db8::7, fd00::7], ra: {enabled: true, interval-ms: 10000,\n"
	    "     prefixes: [{prefix: 2001:db8::/64}, {prefix: 2001:db8:1::/56, on-link: no,\n"
	    "     autonomous: no, valid-lifetime-s: 100, preferred-lifetime-s: 50}]}}\n"
	    "  - {id: 8, vip: 10.0.0.2, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}],\n"
	    "     link-local: \"fe80::8\", ra: {interval-ms: 1800000, mtu: 9000, preference: "
	    "high}}\n"
	    "  - {id: 9, vip: 10.0.0.3, interfaces: [eth0], avg: r1, forwarders: [{owner: r1}]}\n";
	const struct xglb_cfg_group *g;
	__u8 a[16];

	(void)state;
	load_ok(yaml, NULL);
	assert_int_equal(cfg.n_groups, 3);
	g = &cfg.groups[0];
	assert_int_equal(g->n_addr6, 3);
	assert_int_equal(g->n_vip6, 2);
	assert_memory_equal(g->addr6[0], ll7, 16);
	assert_int_equal(g->addr6_line[0], 0);
	inet_pton(AF_INET6, "2001:db8::7", a);
	assert_memory_equal(g->addr6[1], a, 16);
	inet_pton(AF_INET6, "fd00::7", a);
	assert_memory_equal(g->addr6[2], a, 16);
	assert_int_equal(g->addr6_line[2], 7);
	assert_true(g->ra.enabled);
	assert_int_equal(g->ra.interval_ms, 10000);
	assert_int_equal(g->ra.lifetime_s, 30);
	assert_int_equal(g->ra.hop_limit, 64);
	assert_int_equal(g->ra.mtu, 0);
	assert_int_equal(g->ra.preference, XGLB_RA_PREF_MEDIUM);
	assert_int_equal(g->ra.n_prefix, 2);
	assert_int_equal(g->ra.prefix[0].len, 64);
	assert_true(g->ra.prefix[0].on_link && g->ra.prefix[0].autonomous);
	assert_int_equal(g->ra.prefix[0].valid_s, 2592000);
	assert_int_equal(g->ra.prefix[0].preferred_s, 604800);
	inet_pton(AF_INET6, "2001:db8:1::", a);
	assert_memory_equal(g->ra.prefix[1].addr, a, 16);
	assert_int_equal(g->ra.prefix[1].len, 56);
	assert_false(g->ra.prefix[1].on_link || g->ra.prefix[1].autonomous);
	assert_int_equal(g->ra.prefix[1].valid_s, 100);
	assert_int_equal(g->ra.prefix[1].preferred_s, 50);
	/* a given link-local: IPv6 on, RAs off; the lifetime defaults to 3 intervals */
	g = &cfg.groups[1];
	assert_int_equal(g->n_addr6, 1);
	inet_pton(AF_INET6, "fe80::8", a);
	assert_memory_equal(g->addr6[0], a, 16);
	assert_false(g->ra.enabled);
	assert_int_equal(g->ra.lifetime_s, 5400);
	assert_int_equal(g->ra.mtu, 9000);
	assert_int_equal(g->ra.preference, XGLB_RA_PREF_HIGH);
	/* nothing IPv6: no address at all, as before IPv6 */
	g = &cfg.groups[2];
	assert_int_equal(g->n_addr6, 0);
	memset(a, 0, sizeof(a));
	for (int k = 0; k < XGLB_VIP6_PER_GROUP; k++)
		assert_memory_equal(g->addr6[k], a, 16);
	assert_false(g->ra.enabled);
	xglb_cfg_link_local(7, a);
	assert_memory_equal(a, ll7, 16);
}

/*
 * The xdp-mode a configuration ends up with: as written, else native with
 * "datapath: xdp" (a device without native XDP stops xglbd, as before
 * xdp-mode existed) and auto with datapath auto or tc.
 */
static void test_xdp_mode_default(void **state)
{
	static const struct {
		const char *lines;
		unsigned int want;
	} rows[] = {
	    {"", XGLB_XDP_MODE_AUTO},
	    {"datapath: auto\n", XGLB_XDP_MODE_AUTO},
	    {"datapath: tc\n", XGLB_XDP_MODE_AUTO},
	    {"datapath: xdp\n", XGLB_XDP_MODE_NATIVE},
	    {"datapath: xdp\nxdp-mode: auto\n", XGLB_XDP_MODE_AUTO},
	    {"xdp-mode: auto\ndatapath: xdp\n", XGLB_XDP_MODE_AUTO}, /* order does not matter */
	    {"datapath: xdp\nxdp-mode: generic\n", XGLB_XDP_MODE_GENERIC},
	    {"datapath: xdp\nxdp-mode: native\n", XGLB_XDP_MODE_NATIVE},
	    {"datapath: auto\nxdp-mode: native\n", XGLB_XDP_MODE_NATIVE},
	    {"datapath: auto\nxdp-mode: generic\n", XGLB_XDP_MODE_GENERIC},
	};
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", rows[i].lines, BASE);
		load_ok(text, NULL);
		if (cfg.xdp_mode != rows[i].want)
			fail_msg("row %zu (%s): xdp-mode %s, want %s", i, rows[i].lines,
				 xglb_xdp_mode_name(cfg.xdp_mode),
				 xglb_xdp_mode_name(rows[i].want));
		assert_int_equal(cfg.xdp_mode_line != 0, strstr(rows[i].lines, "xdp-mode") != NULL);
	}
}

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_example),
	    cmocka_unit_test(test_override),
	    cmocka_unit_test(test_defaults_and_values),
	    cmocka_unit_test(test_membership_values),
	    cmocka_unit_test(test_membership_hex_key),
	    cmocka_unit_test(test_key_file_private),
	    cmocka_unit_test(test_membership_example),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_ipv6_values),
	    cmocka_unit_test(test_xdp_mode_default),
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
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}

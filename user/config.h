/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* config.h - the xglb.yaml model and its loader (libyaml document API, errors as FILE:LINE: field: problem). */
#ifndef XGLB_CONFIG_H
#define XGLB_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>
#include "xglb.h"

#define XGLB_NAME_MAX 32 /* node names, including the NUL */
#define XGLB_PATH_MAX 256
#define XGLB_MAX_NODES 32 /* nodes in one configuration */
#define XGLB_DEFAULT_CONFIG "/etc/xglb/xglb.yaml"
#define XGLB_DEFAULT_PIN_ROOT "/sys/fs/bpf/xglb"
#define XGLB_DEFAULT_LEASE_MS 3000
#define XGLB_DEFAULT_LEARN_MS 10000
#define XGLB_DEFAULT_WEIGHT 100

struct xglb_cfg_node {
	char name[XGLB_NAME_MAX];
	__u32 id; /* 1..2^32-1, unique */
	__u8 priority; /* election priority, default 100 */
	__u16 weight; /* share of forwarders, default 100 */
	int line;
};

struct xglb_cfg_fwd {
	__u8 index; /* 0..XGLB_MAX_FWD-1, unique in the group */
	int owner; /* index into xglb_config.nodes */
	int preferred; /* index into xglb_config.nodes; defaults to owner */
	__u8 weight; /* 1..255, default 100 */
	__u8 persistence; /* 0, 1 or 3 (001 Table 1), default 0 */
	int line;
};

struct xglb_cfg_group {
	__u8 id; /* 1..255, unique */
	__be32 vip; /* network order */
	int n_ifaces;
	char ifaces[XGLB_GROUP_IFACES][IF_NAMESIZE];
	__u8 policy; /* enum xglb_policy, default round-robin */
	int avg; /* index into xglb_config.nodes of the static AVG */
	int n_fwd;
	struct xglb_cfg_fwd fwd[XGLB_MAX_FWD]; /* sorted by index */
	int line;
};

struct xglb_config {
	char path[XGLB_PATH_MAX];
	char node_name[XGLB_NAME_MAX]; /* this node, from "node:" or --node */
	int self; /* index of this node in nodes[] */
	char pin_root[XGLB_PATH_MAX];
	__u32 lease_ms; /* data path stops answering ARP this long after the last heartbeat */
	__u32 learn_interval_ms; /* period of learning frames from owned vMACs, 0 = off */
	int n_nodes;
	struct xglb_cfg_node nodes[XGLB_MAX_NODES];
	int n_groups;
	struct xglb_cfg_group groups[XGLB_MAX_GROUPS];
};

/*
 * Parse and validate FILE. node_override (may be NULL) replaces "node:".
 * On success returns 0 and fills *cfg. Otherwise returns the number of
 * problems found (all of them, not just the first), each printed to errs
 * as "FILE:LINE: field: problem", and *cfg is unspecified.
 */
int xglb_config_load(const char *path, const char *node_override, struct xglb_config *cfg,
		     FILE *errs);

/* Names as written in the file ("round-robin", ...); NULL if out of range. */
const char *xglb_policy_name(unsigned int policy);
int xglb_node_by_name(const struct xglb_config *cfg, const char *name);

#endif

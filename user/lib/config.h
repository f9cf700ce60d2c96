/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* config.h - the xglb.yaml model and its loader (libyaml document API, errors as FILE:LINE: field:
 * problem). */
#ifndef XGLB_CONFIG_H
#define XGLB_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>
#include "xglb.h"

#define XGLB_NAME_MAX		    32 /* node names, including the NUL */
#define XGLB_PATH_MAX		    256
#define XGLB_MAX_NODES		    32 /* nodes in one configuration */
#define XGLB_DEFAULT_CONFIG	    "/etc/xglb/xglb.yaml"
#define XGLB_DEFAULT_PIN_ROOT	    "/sys/fs/bpf/xglb"
#define XGLB_DEFAULT_STATE_DIR	    "/var/lib/xglb" /* the boot counter file */
#define XGLB_DEFAULT_LEASE_MS	    3000
#define XGLB_DEFAULT_LEARN_MS	    10000
#define XGLB_DEFAULT_NIC_RETURN_MS  1000
#define XGLB_DEFAULT_WEIGHT	    100
#define XGLB_DEFAULT_CONTROL_SOCKET "/run/xglb/xglbd.sock"
#define XGLB_DEFAULT_HTTP_LISTEN    "127.0.0.1:9867" /* metrics and console */
#define XGLB_MAX_TRACK		    16		     /* tracked objects per node */

struct xglb_cfg_node {
	char name[XGLB_NAME_MAX];
	__u32 id;	/* 1..2^32-1, unique */
	__u8 priority;	/* election priority, default 100 */
	__u16 weight;	/* share of forwarders, default 100 */
	__be32 address; /* membership: the node's IPv4 address on the segment (network order), 0 =
			   unset */
	int line;
};

#define XGLB_CFG_NONE (-2) /* "preferred: none": the forwarder has no preferred owner */

struct xglb_cfg_fwd {
	__u8 index;	  /* 0..XGLB_MAX_FWD-1, unique in the group */
	int owner;	  /* index into xglb_config.nodes */
	int preferred;	  /* index into xglb_config.nodes; defaults to owner; XGLB_CFG_NONE: none */
	__u8 weight;	  /* 1..255, default 100 */
	__u8 persistence; /* 0 movable, 1 sticky to owner, 3 sticky to preferred; default 0 */
	int line;
};

#define XGLB_RA_PREFIXES	  4	      /* ra.prefixes of one group */
#define XGLB_RA_INFINITE	  0xffffffffu /* a prefix lifetime that never ends */
#define XGLB_DEFAULT_RA_INTERVAL  200000      /* ms between unsolicited RAs (their maximum) */
#define XGLB_DEFAULT_RA_HOP_LIMIT 64

/* One prefix information option of a group's router advertisements (ra.prefixes[]). */
struct xglb_cfg_prefix {
	__u8 addr[16]; /* the prefix, host bits zero */
	__u8 len;      /* 1..128 */
	bool on_link, autonomous;
	__u32 valid_s, preferred_s; /* XGLB_RA_INFINITE: forever */
	int line;
};

/* Router advertisements of a group (ra:), sent by xglbd from the virtual link-local. */
/* ra.preference as written; on the wire (RFC 4191) low is 3 */
enum xglb_ra_pref { XGLB_RA_PREF_MEDIUM = 0, XGLB_RA_PREF_HIGH = 1, XGLB_RA_PREF_LOW = 2 };
struct xglb_cfg_ra {
	bool enabled;	     /* default false */
	__u32 interval_ms;   /* longest time between unsolicited RAs: 1000..1800000 */
	__u32 lifetime_s;    /* router lifetime: 0 or interval..9000 s; default 3 x interval */
	__u8 hop_limit;	     /* cur hop limit advertised, 0 = unspecified; default 64 */
	__u32 mtu;	     /* MTU option, 0 = none, else 1280..65535 */
	bool managed, other; /* M and O flags */
	__u8 preference;     /* enum xglb_ra_pref, default medium */
	__u32 reachable_ms;  /* 0 = unspecified */
	__u32 retrans_ms;    /* 0 = unspecified */
	int n_prefix;
	struct xglb_cfg_prefix prefix[XGLB_RA_PREFIXES];
	int line;
};

struct xglb_cfg_group {
	__u8 id;    /* 1..255, unique */
	__be32 vip; /* network order */
	int n_ifaces;
	char ifaces[XGLB_GROUP_IFACES][IF_NAMESIZE];
	__u8 policy; /* enum xglb_policy, default round-robin */
	int avg; /* index into xglb_config.nodes of the static AVG; -1 with membership (elected) */
	/* membership timers and policy (defaults: 1000, 3000, 600000, 14400000, true, 0, 0) */
	__u32 hello_ms;	   /* 10..60000 */
	__u32 hold_ms;	   /* > hello_ms, <= 180000 */
	__u32 redirect_ms; /* 0..timeout_ms */
	__u32 timeout_ms;  /* >= redirect_ms, <= 86400000 */
	bool preempt;
	__u32 preempt_delay_ms; /* 0..3600000 */
	__u32 load_max_pct;	/* load-aware balancing: max share of bytes per node, 0 = off,
				   else 1..100 */
	/* flow steering: one owner router per flow, both directions */
	bool steer;	     /* steering.enabled, default false */
	__u32 steer_buckets; /* steering.buckets: power of two 64..65536, default 65536 */
	int n_steer_ifaces;  /* steering.interfaces: the segments the group's routed traffic
			      * crosses (client side and server sides); 0 = the group's interfaces */
	char steer_ifaces[XGLB_GROUP_IFACES][IF_NAMESIZE];
	/* fast-path: frames to owned vMACs routed inside XDP (bpf/lib/fastpath.h), default false */
	bool fast_path;
	int fast_path_line; /* where "fast-path: true" is written, 0 if not */
	int n_fwd;
	struct xglb_cfg_fwd fwd[XGLB_MAX_FWD]; /* sorted by index */
	/*
	 * IPv6: the group's virtual addresses, addr6[0] its virtual link-local
	 * ("link-local:", or derived from the group: the EUI-64 link-local of
	 * forwarder 0's vMAC), addr6[1..n_vip6] its "vip6:" addresses. The
	 * group serves IPv6 (n_addr6 = 1 + n_vip6) when any of link-local,
	 * vip6 or ra.enabled is given; else n_addr6 = 0 and it is IPv4 only.
	 */
	int n_addr6;
	int n_vip6;
	__u8 addr6[XGLB_VIP6_PER_GROUP][16];
	int addr6_line[XGLB_VIP6_PER_GROUP]; /* where each is written, 0 = derived */
	struct xglb_cfg_ra ra;
	int line;
};

enum xglb_track_type {
	XGLB_TRACK_LINK = 0, /* interface operstate up (netlink) */
	XGLB_TRACK_PING,     /* ICMP echo to target answered within timeout */
	XGLB_TRACK_COMMAND,  /* command exits 0 within timeout */
	XGLB_TRACK_FILE,     /* file exists */
};

/* A tracked object: while it is down, this node's priority/weight drop by the decrements. */
struct xglb_cfg_track {
	char name[XGLB_NAME_MAX];    /* unique */
	__u8 type;		     /* enum xglb_track_type */
	char interface[IF_NAMESIZE]; /* link */
	__be32 target;		     /* ping */
	char command[XGLB_PATH_MAX]; /* command: run with /bin/sh -c */
	char path[XGLB_PATH_MAX];    /* file */
	__u32 interval_ms;	     /* ping, command, file: 100..3600000, default 1000 */
	__u32 timeout_ms;	     /* ping, command: 10..interval_ms, default 500 */
	__u8 priority_dec;	     /* 0..255, default 0 */
	__u16 weight_dec;	     /* 0..65535, default 0 */
	int line;
};

/*
 * The hook that runs the ingress data path on a group's interfaces
 * ("datapath:", docs/config.md). auto: tc on veth, where an XDP program
 * costs TCP most of its throughput; XDP elsewhere, and tc where the driver
 * refuses native XDP.
 */
enum xglb_datapath {
	XGLB_DATAPATH_AUTO = 0,
	XGLB_DATAPATH_XDP = 1,
	XGLB_DATAPATH_TC = 2,
	XGLB_DATAPATH_MAX,
};

/*
 * How xglb_xdp attaches where an interface's data path is XDP
 * ("xdp-mode:", docs/config.md). auto: native, and where the driver
 * refuses native XDP generic (skb) mode with datapath xdp, tc with
 * datapath auto; native: native or nothing; generic: generic mode on any
 * device (VLAN, bond, team, tunnel). Not written: native with datapath
 * xdp (a device without native XDP stops xglbd, as it always did), else
 * auto.
 */
enum xglb_xdp_mode {
	XGLB_XDP_MODE_AUTO = 0,
	XGLB_XDP_MODE_NATIVE = 1,
	XGLB_XDP_MODE_GENERIC = 2,
	XGLB_XDP_MODE_MAX,
};

/*
 * What xglbd does with the unicast filters of the groups' interfaces
 * ("rx-filter:", docs/config.md, docs/nics.md). auto: every owned vMAC on
 * the filter, promiscuous mode where the device refuses one; off: xglbd
 * leaves filters and promiscuity alone; promiscuous: every group interface
 * promiscuous, no filter entries.
 */
enum xglb_rx_filter {
	XGLB_RXF_AUTO = 0,
	XGLB_RXF_OFF = 1,
	XGLB_RXF_PROMISC = 2,
	XGLB_RXF_MAX,
};

struct xglb_config {
	char path[XGLB_PATH_MAX];
	char node_name[XGLB_NAME_MAX]; /* this node, from "node:" or --node */
	int self;		       /* index of this node in nodes[] */
	char pin_root[XGLB_PATH_MAX];
	char state_dir[XGLB_PATH_MAX]; /* state-dir: where the boot counter is kept */
	__u32 lease_ms; /* data path stops answering ARP this long after the last heartbeat */
	__u32 learn_interval_ms; /* period of learning frames from owned vMACs, 0 = off */
	__u32 nic_return_ms;   /* an interface back takes its forwarders and the node address again
				  after this long */
	__u32 host_table_size; /* entries of xglb_hosts; 0 = by CPU count (xglb_hosts_capacity) */
	char control_socket[XGLB_PATH_MAX]; /* default XGLB_DEFAULT_CONTROL_SOCKET */
	char http_listen[32];		    /* "IPv4:PORT" of /metrics and the console; "" = off */
	__u8 datapath;			    /* enum xglb_datapath, default auto */
	__u8 rx_filter;			    /* enum xglb_rx_filter, default auto */
	__u8 xdp_mode;			    /* enum xglb_xdp_mode; default above (finish) */
	int xdp_mode_line;		    /* where "xdp-mode:" is written, 0 if not */
	__u8 realtime_priority;		    /* SCHED_RR priority of the event loop; 0 = off */

	/* console-token-file: the console's action token; "" = state-dir/console-token */
	char console_token_file[XGLB_PATH_MAX];

	/* membership: absent = static mode: AVG and owners as configured */
	bool membership;
	__u16 port;	     /* UDP, default XGLB_PROTO_PORT (7867) */
	__u8 key[64];	     /* shared HMAC key, from "key" (hex) or "key-file" (raw bytes) */
	__u32 key_len;	     /* 16..64 */
	int key_inline_line; /* line of an inline "key:" (warned about), 0 with key-file */

	/* GLBP-style weighting: below "lower" this node withdraws as forwarder, from "upper" it
	 * returns */
	__u16 weight_lower; /* default 0 (never withdraw) */
	__u16 weight_upper; /* default = lower; lower <= upper <= the node's weight */
	int n_track;
	struct xglb_cfg_track track[XGLB_MAX_TRACK];

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

/* The derived virtual link-local of group gid: fe80::/64 + the EUI-64 of vMAC 02:78:67:62:gid:00.
 */
void xglb_cfg_link_local(__u8 gid, __u8 out[16]);

/* Names as written in the file ("round-robin", ...); NULL if out of range. */
const char *xglb_policy_name(unsigned int policy);
const char *xglb_datapath_name(unsigned int datapath); /* "auto", "xdp", "tc" */
const char *xglb_rx_filter_name(unsigned int mode);    /* "auto", "off", "promiscuous" */
const char *xglb_xdp_mode_name(unsigned int mode);     /* "auto", "native", "generic" */
int xglb_node_by_name(const struct xglb_config *cfg, const char *name);
/* Index into cfg->nodes of node ID, or -1. */
int xglb_node_by_id(const struct xglb_config *cfg, __u32 id);
/* Name of node ID, or UNKNOWN when no configured node has that id. */
const char *xglb_node_name(const struct xglb_config *cfg, __u32 id, const char *unknown);

#endif

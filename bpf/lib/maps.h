/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* maps.h - every map of the xglb object; keys and values come from include/xglb.h. */
#ifndef XGLB_BPF_MAPS_H
#define XGLB_BPF_MAPS_H

/* Bank index, heartbeat and lease: one element, mmapable by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xglb_ctl);
} xglb_ctl SEC(".maps");

/* Banked group tables: key XGLB_GROUP_KEY(bank, gid). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGLB_BANKS *XGLB_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct xglb_group);
} xglb_groups SEC(".maps");

/* Banked VIP -> group index, open addressing: key XGLB_VIP_KEY(bank, slot) (include/xglb.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGLB_BANKS *XGLB_VIP_SLOTS);
	__type(key, __u32);
	__type(value, struct xglb_vip_slot);
} xglb_vips SEC(".maps");

/* Banked virtual IPv6 address -> group index: key XGLB_VIP6_KEY(bank, slot) (include/xglb.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGLB_BANKS *XGLB_VIP6_SLOTS);
	__type(key, __u32);
	__type(value, struct xglb_vip6_slot);
} xglb_vips6 SEC(".maps");

/*
 * ifindex -> the interface's own MAC, for the tc PACKET_HOST fix-up. XDP
 * takes interface MACs from the group value (xglb_group.ifmac).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGLB_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct xglb_iface);
} xglb_ifaces SEC(".maps");

/*
 * Which forwarder each host was handed (AVG only). Per-CPU LRU lists; the
 * loader resizes it per possible CPU (docs/datapath.md, "Host table").
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XGLB_MAX_HOSTS);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct xglb_host_key);
	__type(value, struct xglb_host);
} xglb_hosts SEC(".maps");

/* Round-robin position per group, shared by all CPUs (atomic add). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGLB_MAX_GROUPS);
	__type(key, __u32);
	__type(value, __u32);
} xglb_rr SEC(".maps");

/* Packets per verdict reason (enum xglb_reason). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XGLB_STATS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} xglb_stats SEC(".maps");

/* Packets and bytes accepted per forwarder: key gid * XGLB_MAX_FWD + index. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XGLB_MAX_GROUPS *XGLB_MAX_FWD);
	__type(key, __u32);
	__type(value, struct xglb_fwd_stats);
} xglb_fwd_stats SEC(".maps");

/* Conflicts seen on the wire, for the agent (bpf/lib/conflict.h). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XGLB_CONFLICT_RING_BYTES);
} xglb_conflicts SEC(".maps");

/* The per-CPU budget of conflict events. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xglb_conflict_rl);
} xglb_conflict_rl SEC(".maps");

/* ---- steering (bpf/lib/steer.h) --------------------------------------- */

/*
 * Banked per-interface steering config: key XGLB_STEER_CFG_KEY(bank,
 * ifindex). An array, as a hash lookup would cost more than the whole
 * owned path; the value carries the slot -> MAC table and the from-peer
 * filter so the common path needs this one lookup.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGLB_BANKS *XGLB_STEER_IFSLOTS);
	__type(key, __u32);
	__type(value, struct xglb_steer_cfg);
} xglb_steer_cfg SEC(".maps");

/* Banked configs of interfaces whose xglb_steer_cfg slot another one holds: key (bank, ifindex). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGLB_BANKS *XGLB_MAX_IFACES);
	__type(key, struct xglb_steer_key);
	__type(value, struct xglb_steer_cfg);
} xglb_steer_spill SEC(".maps");

/* Banked bucket -> owner slot tables, 64 buckets an element: key XGLB_STEER_CHUNK_KEY. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XGLB_BANKS *XGLB_STEER_MAX_DOMAINS *XGLB_STEER_CHUNKS);
	__type(key, __u32);
	__type(value, struct xglb_steer_chunk);
} xglb_steer_buckets SEC(".maps");

/* Banked from-peer set: (bank, ifindex, source MAC) of frames never steered again. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGLB_STEER_PEERS_MAX);
	__type(key, struct xglb_steer_mac_key);
	__type(value, struct xglb_steer_mac_val);
} xglb_steer_peers SEC(".maps");

/* Ports of fragmented datagrams, from their first fragment, for the later ones. Not banked. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XGLB_FRAGS_MAX);
	__type(key, struct xglb_frag_key);
	__type(value, struct xglb_frag_ports);
} xglb_frags SEC(".maps");

/* The node's own IPv4 addresses (VIPs, interface addresses): never steered. Not banked. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGLB_STEER_MAX_LOCAL);
	__type(key, __be32);
	__type(value, struct xglb_local_ip);
} xglb_local_ips SEC(".maps");

/* A filter over xglb_local_ips, so steered packets rarely pay that hash lookup. Not banked. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xglb_local_bloom);
} xglb_local_bloom SEC(".maps");

#endif

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
	__uint(max_entries, XGLB_BANKS * XGLB_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct xglb_group);
} xglb_groups SEC(".maps");

/* Banked VIP -> group index. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGLB_MAX_VIPS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xglb_vip_key);
	__type(value, struct xglb_vip_val);
} xglb_vips SEC(".maps");

/* ifindex -> the interface's own MAC (source of ARP replies, vMAC rewrite). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XGLB_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct xglb_iface);
} xglb_ifaces SEC(".maps");

/* Which forwarder each host was handed (AVG only). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XGLB_MAX_HOSTS);
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
	__uint(max_entries, XGLB_MAX_GROUPS * XGLB_MAX_FWD);
	__type(key, __u32);
	__type(value, struct xglb_fwd_stats);
} xglb_fwd_stats SEC(".maps");

#endif

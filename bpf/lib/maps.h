/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* maps.h - every map of the xglb object; keys and values come from include/xglb.h. */
#ifndef XGLB_BPF_MAPS_H
#define XGLB_BPF_MAPS_H

/*
 * A BTF-defined map: name, BPF_MAP_TYPE_<kind>, max entries, key and value
 * types, then any further fields (__uint(map_flags, ...);) as they are.
 */
#define XGLB_MAP(name, kind, max, key_type, value_type, ...)                                       \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_##kind);                                                 \
		__uint(max_entries, max);                                                          \
		__VA_ARGS__                                                                        \
		__type(key, key_type);                                                             \
		__type(value, value_type);                                                         \
	} name SEC(".maps")

/* Bank index, heartbeat and lease: one element, mmapable by the agent. */
XGLB_MAP(xglb_ctl, ARRAY, 1, __u32, struct xglb_ctl, __uint(map_flags, BPF_F_MMAPABLE););

/* Banked group tables: key XGLB_GROUP_KEY(bank, gid). */
XGLB_MAP(xglb_groups, ARRAY, XGLB_BANKS *XGLB_MAX_GROUPS, __u32, struct xglb_group);

/* Banked VIP -> group index, open addressing: key XGLB_VIP_KEY(bank, slot) (include/xglb.h). */
XGLB_MAP(xglb_vips, ARRAY, XGLB_BANKS *XGLB_VIP_SLOTS, __u32, struct xglb_vip_slot);

/*
 * Banked virtual IPv6 address -> group index: key XGLB_VIP6_KEY(bank, slot) (include/xglb.h).
 * Only the agent writes it (read-only to programs). The flag also tells an index pinned by an
 * older xglb, placed by another hash (xglb_vip6_hash2), from one this object can read: that
 * map does not fit (loader.c), so it, and the older program reading it, are replaced.
 */
XGLB_MAP(xglb_vips6, ARRAY, XGLB_BANKS *XGLB_VIP6_SLOTS, __u32, struct xglb_vip6_slot,
	 __uint(map_flags, BPF_F_RDONLY_PROG););

/*
 * ifindex -> the interface's own MAC, for the tc PACKET_HOST fix-up. XDP
 * takes interface MACs from the group value (xglb_group.ifmac).
 */
XGLB_MAP(xglb_ifaces, HASH, XGLB_MAX_IFACES, __u32, struct xglb_iface);

/*
 * Which forwarder each host was handed (AVG only): a set-associative table
 * of XGLB_HOST_WAYS-way buckets in an mmapable array, key: way index
 * (include/xglb.h, struct xglb_host_way). The data path never evicts from
 * it; the agent ages it. The loader sizes it per possible CPU and sets
 * xglb_host_buckets to match (docs/datapath.md, "Host table").
 */
XGLB_MAP(xglb_hosts, ARRAY, XGLB_MAX_HOSTS, __u32, struct xglb_host_way,
	 __uint(map_flags, BPF_F_MMAPABLE););

/* Buckets of xglb_hosts: its max_entries / XGLB_HOST_WAYS, set by the loader before load. */
const volatile __u32 xglb_host_buckets = XGLB_MAX_HOSTS / XGLB_HOST_WAYS;

/* Its per-CPU, direct-mapped front cache: key xglb_host_cache_slot() (include/xglb.h). */
XGLB_MAP(xglb_host_cache, PERCPU_ARRAY, XGLB_HOST_CACHE_SLOTS, __u32, struct xglb_host_cached);

/* The per-CPU budget of new hosts a second (bpf/lib/hosts.h). */
XGLB_MAP(xglb_host_rl, PERCPU_ARRAY, 1, __u32, struct xglb_host_rl);

/* Round-robin position per group, shared by all CPUs (atomic add). */
XGLB_MAP(xglb_rr, ARRAY, XGLB_MAX_GROUPS, __u32, __u32);

/* Packets per verdict reason (enum xglb_reason). */
XGLB_MAP(xglb_stats, PERCPU_ARRAY, XGLB_STATS_SLOTS, __u32, __u64);

/* Packets and bytes accepted per forwarder: key gid * XGLB_MAX_FWD + index. */
XGLB_MAP(xglb_fwd_stats, PERCPU_ARRAY, XGLB_MAX_GROUPS *XGLB_MAX_FWD, __u32, struct xglb_fwd_stats);

/* Packets and bytes sent back to the hosts of a forwarder this node owns (tc egress). */
XGLB_MAP(xglb_fwd_tx_stats, PERCPU_ARRAY, XGLB_MAX_GROUPS *XGLB_MAX_FWD, __u32,
	 struct xglb_fwd_stats);

/* Host MAC -> the forwarder its frames came through: XGLB_FWD_HOST words, direct-mapped. */
XGLB_MAP(xglb_fwd_hosts, ARRAY, XGLB_FWD_HOST_SLOTS, __u32, __u64);

/* The hosts seen through each owned forwarder (include/xglb.h, "xglb_seen"); what learning did. */
XGLB_MAP(xglb_seen, HASH, XGLB_SEEN_MAX, struct xglb_host_key, struct xglb_seen);
XGLB_MAP(xglb_seen_stats, PERCPU_ARRAY, XGLB_SEEN_STATS, __u32, __u64);

/* Conflicts seen on the wire, for the agent (bpf/lib/conflict.h). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XGLB_CONFLICT_RING_BYTES);
} xglb_conflicts SEC(".maps");

/* The per-CPU budget of conflict events. */
XGLB_MAP(xglb_conflict_rl, PERCPU_ARRAY, 1, __u32, struct xglb_conflict_rl);

/* ---- steering (bpf/lib/steer.h) --------------------------------------- */

/*
 * Banked per-interface steering config: key XGLB_STEER_CFG_KEY(bank,
 * ifindex). An array, as a hash lookup would cost more than the whole
 * owned path; the value carries the slot -> MAC table and the from-peer
 * filter so the common path needs this one lookup.
 */
XGLB_MAP(xglb_steer_cfg, ARRAY, XGLB_BANKS *XGLB_STEER_IFSLOTS, __u32, struct xglb_steer_cfg);

/* Banked configs of interfaces whose xglb_steer_cfg slot another one holds: key (bank, ifindex). */
XGLB_MAP(xglb_steer_spill, HASH, XGLB_BANKS *XGLB_MAX_IFACES, struct xglb_steer_key,
	 struct xglb_steer_cfg);

/* Banked bucket -> owner slot tables, 64 buckets an element: key XGLB_STEER_CHUNK_KEY. */
XGLB_MAP(xglb_steer_buckets, ARRAY, XGLB_BANKS *XGLB_STEER_MAX_DOMAINS *XGLB_STEER_CHUNKS, __u32,
	 struct xglb_steer_chunk);

/* Banked from-peer set: (bank, ifindex, source MAC) of frames never steered again. */
XGLB_MAP(xglb_steer_peers, HASH, XGLB_STEER_PEERS_MAX, struct xglb_steer_mac_key,
	 struct xglb_steer_mac_val);

/* Ports of fragmented datagrams, from their first fragment, for the later ones. Not banked. */
XGLB_MAP(xglb_frags, LRU_HASH, XGLB_FRAGS_MAX, struct xglb_frag_key, struct xglb_frag_ports);

/* The same for IPv6 datagrams (docs/datapath.md, "IPv6 flows"). Not banked. */
XGLB_MAP(xglb_frags6, LRU_HASH, XGLB_FRAGS_MAX, struct xglb_frag6_key, struct xglb_frag_ports);

/* The node's own IPv4 addresses (VIPs, interface addresses): never steered. Not banked. */
XGLB_MAP(xglb_local_ips, HASH, XGLB_STEER_MAX_LOCAL, __be32, struct xglb_local_ip);

/* A filter over xglb_local_ips, so steered packets rarely pay that hash lookup. Not banked. */
XGLB_MAP(xglb_local_bloom, ARRAY, 1, __u32, struct xglb_local_bloom);

/* ---- fast path (bpf/lib/fastpath.h) ---------------------------------- */

/*
 * ifindex -> the same ifindex (a devmap value without an egress program):
 * where the fast path may redirect a frame. The agent keeps in it the
 * interfaces that take XDP_REDIRECT frames (user/xglbd/fastpath.c); a
 * route out of any other leaves the frame to the kernel
 * (xdp_fp_pass_no_egress). Not banked: written as links change.
 */
XGLB_MAP(xglb_fp_ifaces, DEVMAP_HASH, XGLB_FP_MAX_IFACES, __u32, __u32);

#endif

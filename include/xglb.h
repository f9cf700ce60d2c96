/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xglb.h - every map key/value, constant and reason code shared by BPF and userspace. */
#ifndef XGLB_H
#define XGLB_H

/*
 * BPF programs include vmlinux.h before this file; userspace gets the same
 * fixed-width types from the UAPI headers. Nothing else may differ between
 * the two sides.
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* ---- sizes ------------------------------------------------------------ */

#ifndef XGLB_MAX_GROUPS
#define XGLB_MAX_GROUPS 256 /* groups per node; a group id is 1..255 */
#endif
#ifndef XGLB_MAX_FWD
#define XGLB_MAX_FWD 16 /* virtual forwarders per group (power of two) */
#endif
#ifndef XGLB_SLOTS
#define XGLB_SLOTS 256 /* policy slots per group (power of two) */
#endif
#ifndef XGLB_GROUP_IFACES
#define XGLB_GROUP_IFACES 4 /* local interfaces one group may use */
#endif
#ifndef XGLB_MAX_HOSTS
#define XGLB_MAX_HOSTS 65536 /* LRU host -> forwarder entries, all groups */
#endif
#ifndef XGLB_MAX_IFACES
#define XGLB_MAX_IFACES 64 /* local interfaces with an xglb program */
#endif
#define XGLB_BANKS 2 /* table banks: one active, one being written */
#define XGLB_MAX_VIPS (XGLB_BANKS * XGLB_MAX_GROUPS)

/*
 * Virtual MACs are locally administered unicast addresses derived from the
 * group id and the forwarder index: 02:78:67:62:<group>:<index> ("xgb").
 * The fixed 4-byte prefix lets the data path recognise a vMAC with one
 * 32-bit compare.
 */
#define XGLB_VMAC_PREFIX0 0x02
#define XGLB_VMAC_PREFIX1 0x78
#define XGLB_VMAC_PREFIX2 0x67
#define XGLB_VMAC_PREFIX3 0x62
/* the prefix as the 32-bit word read from the first four bytes of a MAC */
#define XGLB_VMAC_PREFIX_BE 0x02786762u

/* ---- group policies ----------------------------------------------------- */

enum xglb_policy {
	XGLB_POLICY_ROUND_ROBIN = 0, /* next slot for each new host */
	XGLB_POLICY_WEIGHTED = 1, /* next slot of a weight-proportional table */
	XGLB_POLICY_HOST_DEPENDENT = 2, /* slot from a hash of the host MAC */
	XGLB_POLICY_MAX,
};

/* ---- flags ----------------------------------------------------------------- */

/* xglb_group.flags */
#define XGLB_GRP_ENABLED 0x01 /* the group is configured in this bank */
#define XGLB_GRP_AVG 0x02 /* this node is the group's AVG: it answers ARP */

/* xglb_fwd.flags */
#define XGLB_FWD_ACTIVE 0x01 /* the forwarder exists; its vMAC is in use */
#define XGLB_FWD_LOCAL 0x02 /* this node owns it (is its AVF) */
#define XGLB_FWD_NEW_OK 0x04 /* may be handed to new hosts (cleared at redirect) */

/* ---- data-plane tables (banked) --------------------------------------- */

struct xglb_fwd {
	__u8 vmac[6];
	__u8 flags; /* XGLB_FWD_* */
	__u8 weight; /* share of new hosts, 0..255 */
	__u32 owner; /* node id of the current owner (for operators) */
	__u32 pad;
};
_Static_assert(sizeof(struct xglb_fwd) == 16, "xglb_fwd layout");

/* One group as the data path sees it; the value of xglb_groups. */
struct xglb_group {
	__be32 vip;
	__u8 id;
	__u8 policy; /* enum xglb_policy */
	__u8 flags; /* XGLB_GRP_* */
	__u8 n_fwd; /* forwarders in fwd[], 0..XGLB_MAX_FWD */
	__u32 version; /* state version these tables were built from */
	__u32 n_slots; /* used entries of slots[]; 0 = no forwarder takes new hosts */
	__u32 ifindex[XGLB_GROUP_IFACES]; /* local interfaces of the group, 0 = unused */
	struct xglb_fwd fwd[XGLB_MAX_FWD];
	__u8 slots[XGLB_SLOTS]; /* forwarder index for each policy slot */
};
_Static_assert(sizeof(struct xglb_group) == 32 + 16 * XGLB_MAX_FWD + XGLB_SLOTS,
	       "xglb_group layout");

/* Key of xglb_vips: which group a VIP belongs to, per bank. */
struct xglb_vip_key {
	__u32 bank;
	__be32 vip;
};
_Static_assert(sizeof(struct xglb_vip_key) == 8, "xglb_vip_key layout");

struct xglb_vip_val {
	__u32 gid;
};
_Static_assert(sizeof(struct xglb_vip_val) == 4, "xglb_vip_val layout");

/* Value of xglb_ifaces (key: ifindex): the interface's own MAC. */
struct xglb_iface {
	__u8 mac[6];
	__u16 pad;
};
_Static_assert(sizeof(struct xglb_iface) == 8, "xglb_iface layout");

/* ---- control word (not banked) -------------------------------------- */

/*
 * The single element of xglb_ctl. The map is mmapable: the agent flips
 * active_bank and refreshes heartbeat_ns with plain aligned stores, which
 * the data path sees at once. The bank index is written last, after the
 * inactive bank is complete.
 */
struct xglb_ctl {
	__u32 active_bank; /* 0 or 1 */
	__u32 boot; /* the agent's boot counter: kept across agent restarts while the pins live */
	__u64 heartbeat_ns; /* CLOCK_MONOTONIC of the agent's last heartbeat */
	__u64 lease_ns; /* answer ARP only while now - heartbeat_ns < lease_ns */
	__u64 flips; /* count of bank switches, for operators */
};
_Static_assert(sizeof(struct xglb_ctl) == 32, "xglb_ctl layout");

/* ---- learned state (not banked) -------------------------------------- */

struct xglb_host_key {
	__u8 gid;
	__u8 pad;
	__u8 mac[6];
};
_Static_assert(sizeof(struct xglb_host_key) == 8, "xglb_host_key layout");

struct xglb_host {
	__u8 fwd; /* forwarder index handed to this host */
	__u8 pad[3];
	__be32 ip; /* the host's IPv4 address, from its ARP request (for unsolicited replies) */
	__u64 first_ns; /* first ARP seen (coarse monotonic ns) */
	__u64 last_ns; /* latest ARP seen */
};
_Static_assert(sizeof(struct xglb_host) == 24, "xglb_host layout");

/* Per-CPU value of xglb_fwd_stats, key gid * XGLB_MAX_FWD + index. */
struct xglb_fwd_stats {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xglb_fwd_stats) == 16, "xglb_fwd_stats layout");

/* ---- verdict reasons ------------------------------------------------- */

/*
 * Every packet the programs see is counted under exactly one reason in the
 * per-CPU array xglb_stats. Names (xglb_reason_name) become metric labels.
 */
#define XGLB_REASONS(X)                                                        \
	X(XDP_PASS_OTHER, "xdp_pass_other")       /* not our business */    \
	X(XDP_PASS_SHORT, "xdp_pass_short")       /* < 14 bytes */          \
	X(XDP_PASS_VLAN, "xdp_pass_vlan")         /* 802.1Q/802.1ad tagged */ \
	X(XDP_PASS_ARP_OTHER, "xdp_pass_arp_other") /* ARP not about a VIP */ \
	X(XDP_TX_ARP_REPLY, "xdp_tx_arp_reply")   /* AVG answered for a VIP */ \
	X(XDP_TX_ARP_UNICAST, "xdp_tx_arp_unicast") /* AVF confirmed its vMAC */ \
	X(XDP_DROP_ARP_MALFORMED, "xdp_drop_arp_malformed")                    \
	X(XDP_DROP_ARP_NOT_AVG, "xdp_drop_arp_not_avg")                        \
	X(XDP_DROP_ARP_LEASE, "xdp_drop_arp_lease")                            \
	X(XDP_DROP_ARP_PEER, "xdp_drop_arp_peer")                              \
	X(XDP_DROP_ARP_BAD_SENDER, "xdp_drop_arp_bad_sender")                  \
	X(XDP_DROP_ARP_OPCODE, "xdp_drop_arp_opcode")                          \
	X(XDP_DROP_ARP_NO_FWD, "xdp_drop_arp_no_fwd")                          \
	X(XDP_DROP_ARP_IFACE, "xdp_drop_arp_iface")                            \
	X(XDP_TX_ARP_UNTRACKED, "xdp_tx_arp_untracked") /* answered, host table insert failed */ \
	X(XDP_PASS_VMAC, "xdp_pass_vmac")         /* frame to a local vMAC */ \
	X(XDP_DROP_VMAC_REMOTE, "xdp_drop_vmac_remote")                        \
	X(XDP_DROP_VMAC_UNKNOWN, "xdp_drop_vmac_unknown")                      \
	X(XDP_DROP_VMAC_IFACE, "xdp_drop_vmac_iface")                          \
	X(TC_INGRESS_PASS, "tc_ingress_pass")                                  \
	X(TC_INGRESS_TO_HOST, "tc_ingress_to_host") /* rewritten vMAC frame made PACKET_HOST */ \
	X(TC_EGRESS_PASS, "tc_egress_pass")                                    \
	X(TC_EGRESS_PASS_VMAC_ARP, "tc_egress_pass_vmac_arp")                  \
	X(TC_EGRESS_DROP_VIP_ARP, "tc_egress_drop_vip_arp")

#define XGLB_REASON_ENUM(name, str) XGLB_R_##name,
enum xglb_reason { XGLB_REASONS(XGLB_REASON_ENUM) XGLB_R_MAX };
#undef XGLB_REASON_ENUM

#define XGLB_STATS_SLOTS 32 /* size of xglb_stats; >= XGLB_R_MAX */
_Static_assert(XGLB_R_MAX <= XGLB_STATS_SLOTS, "grow XGLB_STATS_SLOTS");

/* ---- map names, as pinned under the pin root ------------------------- */
#define XGLB_MAP_CTL "xglb_ctl"
#define XGLB_MAP_GROUPS "xglb_groups"
#define XGLB_MAP_VIPS "xglb_vips"
#define XGLB_MAP_IFACES "xglb_ifaces"
#define XGLB_MAP_HOSTS "xglb_hosts"
#define XGLB_MAP_RR "xglb_rr"
#define XGLB_MAP_STATS "xglb_stats"
#define XGLB_MAP_FWD_STATS "xglb_fwd_stats"

/* ---- protocol constants not in vmlinux.h ------------------------------ */
#define XGLB_ETH_P_IP 0x0800
#define XGLB_ETH_P_ARP 0x0806
#define XGLB_ETH_P_8021Q 0x8100
#define XGLB_ETH_P_8021AD 0x88A8
#define XGLB_ARPHRD_ETHER 1
#define XGLB_ARPOP_REQUEST 1
#define XGLB_ARPOP_REPLY 2
#define XGLB_PACKET_HOST 0
#define XGLB_PACKET_OTHERHOST 3

/* The Ethernet + ARP (IPv4 over Ethernet) frame, packed as on the wire. */
struct xglb_arp_frame {
	__u8 eth_dst[6];
	__u8 eth_src[6];
	__be16 eth_proto;
	__be16 hrd;
	__be16 pro;
	__u8 hln;
	__u8 pln;
	__be16 op;
	__u8 sha[6];
	__be32 spa;
	__u8 tha[6];
	__be32 tpa;
} __attribute__((packed));
_Static_assert(sizeof(struct xglb_arp_frame) == 42, "xglb_arp_frame layout");

#define XGLB_GROUP_KEY(bank, gid) ((bank) * XGLB_MAX_GROUPS + (gid))

/*
 * Stable hash of a host MAC for the host-dependent policy. The agent uses
 * the same function to know where a host lands without asking the kernel.
 */
static inline __attribute__((always_inline)) __u32 xglb_mac_hash(const __u8 *m)
{
	__u64 v = ((__u64)m[0] << 40) | ((__u64)m[1] << 32) | ((__u64)m[2] << 24) |
		  ((__u64)m[3] << 16) | ((__u64)m[4] << 8) | (__u64)m[5];

	v ^= v >> 29;
	v *= 0x9E3779B97F4A7C15ull;
	return (__u32)(v >> 32);
}

#endif /* XGLB_H */

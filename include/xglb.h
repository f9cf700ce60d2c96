/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xglb.h - every map key/value, constant and reason code shared by BPF and userspace. */
#ifndef XGLB_H
#define XGLB_H

/* BPF includes vmlinux.h first; userspace gets the same types from the UAPI headers. */
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
#define XGLB_MAX_HOSTS 65536 /* host -> forwarder entries, all groups, per possible CPU */
#endif
#define XGLB_MAX_HOSTS_TOTAL (1U << 20) /* cap of xglb_hosts over all CPUs (32 MB) */
/* host-table-size: what an operator may set instead (32 bytes of kernel memory an entry) */
#define XGLB_HOST_TABLE_MIN 1024
#define XGLB_HOST_TABLE_MAX (1U << 24)
#ifndef XGLB_MAX_IFACES
#define XGLB_MAX_IFACES 64 /* local interfaces with an xglb program */
#endif
#define XGLB_BANKS	    2 /* table banks: one active, one being written */
#define XGLB_VIP6_PER_GROUP 4 /* virtual IPv6 addresses of a group: link-local + 3 vip6 */

/* vMAC = 02:78:67:62:<group>:<index> ("xgb"); the 4-byte prefix is one 32-bit compare. */
#define XGLB_VMAC_PREFIX0 0x02
#define XGLB_VMAC_PREFIX1 0x78
#define XGLB_VMAC_PREFIX2 0x67
#define XGLB_VMAC_PREFIX3 0x62
/* the prefix as the 32-bit word read from the first four bytes of a MAC */
#define XGLB_VMAC_PREFIX_BE 0x02786762u

/* ---- group policies ----------------------------------------------------- */

enum xglb_policy {
	XGLB_POLICY_ROUND_ROBIN = 0,	/* next slot for each new host */
	XGLB_POLICY_WEIGHTED = 1,	/* next slot of a weight-proportional table */
	XGLB_POLICY_HOST_DEPENDENT = 2, /* slot from a hash of the host MAC */
	XGLB_POLICY_MAX,
};

/* ---- flags ----------------------------------------------------------------- */

/* xglb_group.flags */
#define XGLB_GRP_ENABLED 0x01 /* the group is configured in this bank */
#define XGLB_GRP_AVG	 0x02 /* this node is the group's AVG: it answers ARP */
/* fast-path: frames to the group's owned vMACs are routed inside XDP (bpf/lib/fastpath.h) */
#define XGLB_GRP_FAST_PATH 0x04

/* xglb_fwd.flags */
#define XGLB_FWD_ACTIVE 0x01 /* the forwarder exists; its vMAC is in use */
#define XGLB_FWD_LOCAL	0x02 /* this node owns it (is its AVF) */
#define XGLB_FWD_NEW_OK 0x04 /* may be handed to new hosts (cleared at redirect) */

/* ---- data-plane tables (banked) --------------------------------------- */

struct xglb_fwd {
	__u8 vmac[6];
	__u8 flags;  /* XGLB_FWD_* */
	__u8 weight; /* share of new hosts, 0..255 */
	__u32 owner; /* node id of the current owner (for operators) */
	/*
	 * A forwarder this node owns (XGLB_FWD_LOCAL): the local interface it
	 * is bound to (its learning frames, its vMAC's switch port; see
	 * user/lib/nicbind.h), 0 = none (not owned here, or no interface up).
	 * For operators and bpftool; the data path accepts the vMAC's frames
	 * on any of the group's interfaces (robust during a move).
	 */
	__u32 ifindex;
};
_Static_assert(sizeof(struct xglb_fwd) == 16, "xglb_fwd layout");

/* One group as the data path sees it; the value of xglb_groups. */
struct xglb_group {
	__be32 vip;
	__u8 id;
	__u8 policy;   /* enum xglb_policy */
	__u8 flags;    /* XGLB_GRP_* */
	__u8 n_fwd;    /* forwarders in fwd[], 0..XGLB_MAX_FWD */
	__u32 version; /* state version these tables were built from */
	__u32 n_slots; /* used entries of slots[]; 0 = no forwarder takes new hosts */
	__u32 ifindex[XGLB_GROUP_IFACES]; /* local interfaces of the group, 0 = unused */
	/* MAC of ifindex[i]: ARP reply source and vMAC rewrite target, without a hash lookup */
	__u8 ifmac[XGLB_GROUP_IFACES][6];
	/*
	 * The slot of ifindex[] that answers broadcast and multicast ARP and
	 * NS for the group (its first interface with carrier, chosen by the
	 * agent): a request that reaches all of a node's interfaces on the
	 * segment is answered once. Unicast ones (to a vMAC) are answered on
	 * any. 0 in a table of before (one interface: the same).
	 */
	__u8 answer_if;
	__u8 pad[2 * XGLB_GROUP_IFACES - 1]; /* keeps fwd[] 8-byte aligned */
	struct xglb_fwd fwd[XGLB_MAX_FWD];
	__u8 slots[XGLB_SLOTS]; /* forwarder index for each policy slot */
	/*
	 * The group's virtual IPv6 addresses (its virtual link-local and its
	 * vip6 addresses), all-zero = unused. The data path finds them through
	 * xglb_vips6; they are here so that one group value carries all of the
	 * group's addresses into the bank (xglb_bank_prepare builds the index).
	 */
	__u8 vip6[XGLB_VIP6_PER_GROUP][16];
};
_Static_assert(sizeof(struct xglb_group) == 16 + 12 * XGLB_GROUP_IFACES + 16 * XGLB_MAX_FWD +
						XGLB_SLOTS + 16 * XGLB_VIP6_PER_GROUP,
	       "xglb_group layout");

/*
 * xglb_vips: VIP -> group per bank, open addressing in an array; a lookup
 * stops at the first empty slot. See docs/datapath.md, "VIP index".
 */
#define XGLB_VIP_SLOT_BITS	 10
#define XGLB_VIP_SLOTS		 (1u << XGLB_VIP_SLOT_BITS) /* per bank */
#define XGLB_VIP_PROBES		 4			    /* slots a lookup reads at most */
#define XGLB_VIP_KEY(bank, slot) ((bank)*XGLB_VIP_SLOTS + (slot))

struct xglb_vip_slot {
	__be32 vip;
	__u32 gid; /* 0 = empty slot */
};
_Static_assert(sizeof(struct xglb_vip_slot) == 8, "xglb_vip_slot layout");

/* Home slot of a VIP: multiplicative hashing, the top bits of vip * mult (mult odd). */
static inline __attribute__((always_inline)) __u32 xglb_vip_hash(__be32 vip, __u32 mult)
{
	return ((__u32)vip * mult) >> (32 - XGLB_VIP_SLOT_BITS);
}

/*
 * xglb_vips6: virtual IPv6 address -> group per bank, the same open
 * addressing as xglb_vips (home slot, at most XGLB_VIP6_PROBES slots, stop
 * at the first empty one) with the bank's multiplier vip6_mult[bank] of
 * xglb_ctl. See docs/datapath.md, "IPv6 neighbour discovery".
 */
#define XGLB_VIP6_SLOT_BITS	  12
#define XGLB_VIP6_SLOTS		  (1u << XGLB_VIP6_SLOT_BITS) /* per bank */
#define XGLB_VIP6_PROBES	  4
#define XGLB_VIP6_KEY(bank, slot) ((bank)*XGLB_VIP6_SLOTS + (slot))

struct xglb_vip6_slot {
	__u8 addr[16];
	__u32 gid;   /* 0 = empty slot */
	__u32 flags; /* reserved, 0 */
};
_Static_assert(sizeof(struct xglb_vip6_slot) == 24, "xglb_vip6_slot layout");

/*
 * Home slot of an IPv6 address given as its two 64-bit halves as they lie
 * in memory (both sides load them the same way on one machine). Each half
 * is taken as the big-endian number it is, so the address's last, most
 * varied bytes are its low bits, which a multiply carries into all the
 * top bits; each is multiplied by its own odd 64-bit multiplier, both
 * derived from the bank's odd mult, and the top bits of the sum are the
 * slot. The two multiplies do not wait on each other (the data path
 * answers an NS after one multiply's latency, not four chained ones'),
 * and as both are arithmetic, not a fold of words by XOR, addresses that
 * differ alike in both halves (2001:db8:0:N::N for every N) do not share
 * a home.
 */
static inline __attribute__((always_inline)) __u32 xglb_vip6_hash2(__u64 lo, __u64 hi, __u32 mult)
{
	__u64 m_lo = (__u64)mult * 0x9E3779B97F4A7C15ull,
	      m_hi = (__u64)mult * 0xC2B2AE3D27D4EB4Full;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	lo = __builtin_bswap64(lo);
	hi = __builtin_bswap64(hi);
#endif
	return (__u32)((lo * m_lo + hi * m_hi) >> (64 - XGLB_VIP6_SLOT_BITS));
}

/* The same of the address given as its four 32-bit words as they lie in memory. */
static inline __attribute__((always_inline)) __u32 xglb_vip6_hash(__u32 w0, __u32 w1, __u32 w2,
								  __u32 w3, __u32 mult)
{
	union {
		__u32 w[4];
		__u64 q[2];
	} a = {.w = {w0, w1, w2, w3}};

	return xglb_vip6_hash2(a.q[0], a.q[1], mult);
}

/* The bit of address a (16 bytes) in xglb_ctl.vip6_skip: the low 5 bits of its last byte. */
#define XGLB_VIP6_SKIP_BIT(a) (1u << ((a)[15] & 31))

/* xglb_ctl.vip6_skip of an index (XGLB_VIP6_SLOTS slots): the bits no address in it has. */
static inline __attribute__((always_inline)) __u32
xglb_vip6_skip_bits(const struct xglb_vip6_slot *slots, __u32 n)
{
	__u32 have = 0;

	for (__u32 i = 0; i < n; i++)
		if (slots[i].gid)
			have |= XGLB_VIP6_SKIP_BIT(slots[i].addr);
	return ~have;
}

/* Value of xglb_ifaces (key: ifindex): the interface's own MAC, whether a group serves it. */
struct xglb_iface {
	__u8 mac[6];
	__u8 flags; /* XGLB_IFACE_* */
	__u8 pad;
	/*
	 * The interface's own IPv6 link-local (never a virtual one), :: if it
	 * has none: the source the egress guard gives an NS the kernel sends
	 * from a virtual address (bpf/lib/ndp.h guard_ndp).
	 */
	__u8 ll6[16];
};
#define XGLB_IFACE_GROUP 1 /* a group's interface (not only a steering segment) */
_Static_assert(sizeof(struct xglb_iface) == 24, "xglb_iface layout");

/* ---- control word (not banked) -------------------------------------- */

/*
 * The single element of the mmapable xglb_ctl: active bank, heartbeat and
 * lease. See docs/datapath.md, "Control word and lease".
 */
struct xglb_ctl {
	__u32 active_bank; /* 0 or 1 */
	__u32 boot; /* the running agent's boot counter, for operators (kept in state-dir, not here)
		     */
	__u64
	    heartbeat_ns; /* CLOCK_MONOTONIC of the agent's last heartbeat (operators, fallback) */
	__u64 lease_ns;	  /* answer ARP only while now - heartbeat < lease */
	__u64 flips;	  /* count of bank switches, for operators */
	__u64 hb_jiffies; /* jiffies at the last heartbeat (xglb_beat) */
	__u64 lease_jiffies; /* lease_ns in jiffies, rounded up; 0 = use heartbeat_ns/lease_ns */
	__u32 hz;	     /* jiffies per second (CONFIG_HZ); 0 = hb_jiffies is not valid */
	__u32 vip_mult[XGLB_BANKS];  /* xglb_vip_hash multiplier of each bank's VIP index */
	__u32 vip6_mult[XGLB_BANKS]; /* xglb_vip6_hash multiplier of each bank's IPv6 index */
	/*
	 * Bit b set: no address of the bank's IPv6 index ends in a byte whose
	 * low 5 bits are b (xglb_vip6_skip_bits), so an address ending so is
	 * none without a lookup. 0 (an agent that does not write it): look up
	 * every address.
	 */
	__u32 vip6_skip[XGLB_BANKS];
	/*
	 * Bumped by whoever writes xglb_hosts other than the data path (the
	 * agent's redistribution and ageing, tools): a front-cache entry filled
	 * under another value is not trusted (bpf/lib/hosts.h).
	 */
	__u32 hosts_gen;
};
_Static_assert(sizeof(struct xglb_ctl) == 80, "xglb_ctl layout");

/* The context the agent runs xglb_beat with. */
struct xglb_beat_args {
	__u32 hz; /* the kernel's CONFIG_HZ as the agent read it; 0 = unknown */
	__u32 pad;
};
_Static_assert(sizeof(struct xglb_beat_args) == 8, "xglb_beat_args layout");

/* ---- learned state (not banked) -------------------------------------- */

struct xglb_host_key {
	__u8 gid;
	__u8 pad;
	__u8 mac[6];
};
_Static_assert(sizeof(struct xglb_host_key) == 8, "xglb_host_key layout");

/* A host's entry in xglb_hosts. Times are jiffies; last_jiffies is refreshed at most once a second.
 */
struct xglb_host {
	__u8 fwd;   /* forwarder index handed to this host */
	__u8 flags; /* XGLB_HOST_*: how the host asked */
	__u8 pad[2];
	__be32 ip; /* the host's IPv4 address, from its ARP request (for unsolicited replies) */
	__u64 first_jiffies; /* first ARP seen */
	__u64 last_jiffies;  /* latest ARP seen, to within a second */
};
_Static_assert(sizeof(struct xglb_host) == 24, "xglb_host layout");

/* xglb_host.flags */
#define XGLB_HOST_NDP                                                                              \
	0x01 /* asked by IPv6 neighbour solicitation (ip: its IPv4 address, if any)                \
	      */
/*
 * Established: answered more than once, or its frames came in through a
 * forwarder this node owns. Never removed to make room; only a host
 * answered once (a flood's random MACs among them) is aged out under
 * pressure (docs/datapath.md, "Host table").
 */
#define XGLB_HOST_ESTABLISHED 0x02

/*
 * xglb_hosts: a set-associative table in a BPF array (mmapable, so the
 * agent reads and writes it in place). Its elements are ways, struct
 * xglb_host_way; XGLB_HOST_WAYS consecutive ways make a bucket, and host
 * (gid, MAC) lives in bucket xglb_host_bucket(key, buckets) or nowhere.
 * A way is held by its tag word: 0 free; the xglb_host_key read as one
 * word (xglb_host_key_word, its pad byte 0) with XGLB_HOST_TAG_LIVE: the
 * entry is that host's and complete; with XGLB_HOST_TAG_BUSY: claimed,
 * being written. Whoever inserts (data path or agent) claims a free way
 * with one compare-and-swap 0 -> key|BUSY, writes the entry, then swaps
 * key|BUSY -> key|LIVE; whoever removes swaps key|LIVE -> 0. A full
 * bucket refuses a new host: nothing is ever evicted to make room.
 * docs/datapath.md, "Host table".
 */
#define XGLB_HOST_WAYS	    8
#define XGLB_HOST_TAG_LIVE  0x100ull /* in the key's pad byte */
#define XGLB_HOST_TAG_BUSY  0x200ull
#define XGLB_HOST_TAG_STATE 0xff00ull
struct xglb_host_way {
	union {
		__u64 tag; /* 0, or the host's key word | XGLB_HOST_TAG_LIVE or _BUSY */
		struct {   /* the same word by field (bpftool map dump shows both) */
			__u8 gid;
			__u8 state; /* 0 free, 1 LIVE, 2 BUSY */
			__u8 mac[6];
		} id;
	};
	struct xglb_host host;
};
_Static_assert(sizeof(struct xglb_host_way) == 32, "xglb_host_way layout");

/* The 32-bit hash of a host key word that picks its bucket. */
static inline __attribute__((always_inline)) __u32 xglb_host_hash(__u64 key)
{
	key ^= key >> 31;
	key *= 0xff51afd7ed558ccdull;
	return (__u32)(key >> 32);
}

/* The bucket of key among `buckets` (any count: multiply and shift, no division). */
static inline __attribute__((always_inline)) __u32 xglb_host_bucket(__u64 key, __u32 buckets)
{
	return (__u32)(((__u64)xglb_host_hash(key) * buckets) >> 32);
}

/*
 * The host table's front cache, xglb_host_cache: per CPU, direct-mapped,
 * XGLB_HOST_CACHE_SLOTS entries, slot xglb_host_cache_slot(key). An entry
 * copies an xglb_hosts entry that was established (or an NDP host's),
 * and is trusted until `until` (jiffies, low 32 bits) and only while
 * xglb_ctl.hosts_gen is still `gen`: a second's answers from an array
 * lookup, without the hash lookup.
 *
 * An entry the AVG's ARP answer filled also carries that answer (arp 1):
 * the VIP, the interface it was asked on and its MAC, the forwarder's
 * vMAC, all from the bank that was active, under xglb_ctl.flips `flips`.
 * As long as no bank flip happened since (a bank's tables change only
 * while it is inactive), the same host asking again on the same
 * interface for the same VIP from the same address is answered from the
 * entry alone: no VIP index, group or host table lookup (bpf/lib/arp.h,
 * arp_known). The AVG's NA answer to a neighbour solicitation fills its
 * twin (ns 1): the virtual IPv6 address solicited (vip6) under the same
 * flips, interface, interface MAC and vMAC, so the same host soliciting
 * the same address again on that interface is answered alike, without
 * the IPv6 index or the group (bpf/lib/ndp.h, ndp_known). Both answers
 * share the interface, its MAC, the vMAC and flips: an answer of one
 * family that finds them otherwise rewrites them and clears the other's
 * flag, so neither is ever given with the other's data. Every fill from
 * the table (host_cache_fill) clears both.
 */
#define XGLB_HOST_CACHE_BITS  12
#define XGLB_HOST_CACHE_SLOTS (1U << XGLB_HOST_CACHE_BITS)
struct xglb_host_cached {
	__u64 key;     /* the xglb_host_key as one word (host byte order load); 0: empty */
	__u32 until;   /* jiffies (low 32 bits) the entry is trusted before */
	__u32 gen;     /* xglb_ctl.hosts_gen when it was filled */
	__be32 ip;     /* as in xglb_hosts */
	__u8 fwd;      /* as in xglb_hosts */
	__u8 flags;    /* as in xglb_hosts */
	__u8 arp;      /* 1: the ARP answer below is filled; 0 (any other fill): it is not */
	__u8 ns;       /* 1: the NS answer below is filled; 0 (any other fill): it is not */
	__u32 flips;   /* low 32 bits of xglb_ctl.flips the answers were built under */
	__u32 ifindex; /* the interface the request came in on */
	__u8 vmac[6];  /* the forwarder's vMAC: ARP sender address, NA target link-layer address */
	__u8 ifmac[6]; /* that interface's MAC: the answer's Ethernet source */
	__be32 vip;    /* the VIP asked for (ARP) */
	__u8 vip6[16]; /* the virtual IPv6 address solicited (NS) */
};
_Static_assert(sizeof(struct xglb_host_cached) == 64, "xglb_host_cached layout");

/*
 * The slot of key (an xglb_host_key read as one word) in xglb_host_cache:
 * from the host's MAC alone (the key's top six bytes), so the ARP answer
 * finds a host's entry before it knows the group.
 */
static inline __attribute__((always_inline)) __u32 xglb_host_cache_slot(__u64 key)
{
	return (__u32)(((key >> 16) * 0x9e3779b97f4a7c15ull) >> (64 - XGLB_HOST_CACHE_BITS));
}

/*
 * New hosts each CPU may add to xglb_hosts a second (xglb_host_rl). A
 * flood of random MACs costs at most this many entries a second per CPU;
 * the hosts beyond it are answered all the same, by policy, unrecorded
 * (xdp_tx_arp_rate_limited, xdp_tx_na_rate_limited).
 */
#define XGLB_HOST_NEW_PER_SEC 16384

/* Per-CPU value of xglb_host_rl: the new-host budget of the current second. */
struct xglb_host_rl {
	__u64 window; /* jiffies the current second began */
	__u32 used;   /* new hosts recorded in it */
	__u32 pad;
};
_Static_assert(sizeof(struct xglb_host_rl) == 16, "xglb_host_rl layout");

/* Per-CPU value of xglb_fwd_stats, key gid * XGLB_MAX_FWD + index. */
struct xglb_fwd_stats {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xglb_fwd_stats) == 16, "xglb_fwd_stats layout");

/*
 * The return direction of a forwarder's load: xglb_fwd_tx_stats counts
 * (same key and value as xglb_fwd_stats) the frames this node sends out of
 * a group interface to a host whose frames reach it through a vMAC it
 * owns. Which forwarder a host uses is remembered in xglb_fwd_hosts, a
 * direct-mapped cache written by the data path when a frame to an owned
 * vMAC arrives: slot xglb_mac_hash(host MAC) % XGLB_FWD_HOST_SLOTS holds
 * XGLB_FWD_HOST(mac, gid, index), one 64-bit word (the MAC in the low 48
 * bits, the group id, then the forwarder index), so a reader never sees
 * half an entry. Two hosts sharing a slot take turns: the one whose frame
 * came last is counted, the other's return bytes are not (a load estimate,
 * not accounting).
 */
#define XGLB_FWD_HOST_SLOTS 65536
#define XGLB_FWD_HOST(mac, gid, idx)                                                               \
	(((__u64)(mac)[0] << 40 | (__u64)(mac)[1] << 32 | (__u64)(mac)[2] << 24 |                  \
	  (__u64)(mac)[3] << 16 | (__u64)(mac)[4] << 8 | (__u64)(mac)[5]) |                        \
	 (__u64)(gid) << 48 | (__u64)(idx) << 56)

/*
 * Bits 60-63 of an xglb_fwd_hosts word (above the forwarder index, which
 * is < 16) gate the learning of xglb_seen: bit 63 is the family of the
 * frame that wrote the word (1: IPv6), bits 60-62 the learning epoch
 * (jiffies >> XGLB_SEEN_EPOCH_SHIFT, ~4 s at HZ 1000, ~16 s at HZ 250).
 * A frame whose word is unchanged (same host, forwarder, family, epoch)
 * skips xglb_seen entirely, so a host costs one hash lookup per epoch and
 * family, not one per frame.
 */
#define XGLB_SEEN_EPOCH_SHIFT 12
#define XGLB_FWD_HOST_TAG(v6, jiffies)                                                             \
	((__u64)((jiffies) >> XGLB_SEEN_EPOCH_SHIFT & 7) << 60 | (__u64) !!(v6) << 63)

/*
 * xglb_seen: the hosts whose frames reach a forwarder this node owns,
 * learnt by the data path (bpf/lib/vmac.h, seen_learn) from every frame to
 * an owned vMAC, so the node holding a forwarder when it is removed can
 * tell each of its hosts where to go next, on the interface the host was
 * seen on, whoever answered the host's ARP. Key: struct xglb_host_key
 * (group id, host MAC). A plain hash of XGLB_SEEN_MAX entries, not an LRU:
 * when it is full, a new host is refused (counted, XGLB_SEEN_FULL), never
 * pushed out by another, so a flood of forged sources cannot evict the
 * real hosts; the agent deletes the entries not refreshed for
 * XGLB_SEEN_AGE_S (user/xglbd/redist.c). Only unicast source MACs that are
 * not vMACs, with a unicast IPv4 or IPv6 source address, are learnt.
 */
#define XGLB_SEEN_MAX	131072
#define XGLB_SEEN_AGE_S 600

struct xglb_seen {
	__u32 ifindex;	    /* the interface the host's latest frame came in on */
	__be32 ip4;	    /* its latest IPv4 source address; 0: none seen */
	__u8 ip6[16];	    /* its latest IPv6 source address; all zero: none seen */
	__u64 last_jiffies; /* latest frame learnt from (refreshed once per epoch) */
	__u8 fwd;	    /* the forwarder its frames came through */
	__u8 pad[7];
};
_Static_assert(sizeof(struct xglb_seen) == 40, "xglb_seen layout");

/* Slots of the per-CPU xglb_seen_stats: what the learning did with a frame to an owned vMAC. */
enum xglb_seen_stat {
	XGLB_SEEN_NEW,	   /* a host learnt */
	XGLB_SEEN_UPDATE,  /* a known host's entry refreshed or changed */
	XGLB_SEEN_FULL,	   /* refused: xglb_seen is full */
	XGLB_SEEN_BAD_SRC, /* refused: source MAC or IP address no host may have */
	XGLB_SEEN_NOT_IP,  /* not learnt: not IPv4 or IPv6, tagged, or headers not linear */
	XGLB_SEEN_STATS
};

/* ---- verdict reasons ------------------------------------------------- */

/*
 * The ingress data path (bpf/lib/ingress.h: ARP for a VIP, frames to a
 * vMAC) runs at XDP or, with "datapath: tc", at tc ingress. Its reasons are
 * one list counted under the hook's prefix: xdp_<name> or tc_<name>. P and
 * p are the enum and string prefixes.
 */
#define XGLB_INGRESS_REASONS(X, P, p)                                                              \
	X(P##PASS_OTHER, p "pass_other")	 /* not our business */                            \
	X(P##PASS_SHORT, p "pass_short")	 /* < 14 bytes */                                  \
	X(P##PASS_VLAN, p "pass_vlan")		 /* 802.1Q/802.1ad tagged */                       \
	X(P##PASS_ARP_OTHER, p "pass_arp_other") /* ARP not about a VIP */                         \
	X(P##TX_ARP_REPLY, p "tx_arp_reply")	 /* AVG answered for a VIP */                      \
	X(P##TX_ARP_UNICAST, p "tx_arp_unicast") /* AVF confirmed its vMAC */                      \
	X(P##DROP_ARP_MALFORMED, p "drop_arp_malformed")                                           \
	X(P##DROP_ARP_NOT_AVG, p "drop_arp_not_avg")                                               \
	X(P##DROP_ARP_LEASE, p "drop_arp_lease")                                                   \
	X(P##DROP_ARP_PEER, p "drop_arp_peer")                                                     \
	X(P##DROP_ARP_BAD_SENDER, p "drop_arp_bad_sender")                                         \
	X(P##DROP_ARP_OPCODE, p "drop_arp_opcode")                                                 \
	X(P##DROP_ARP_NO_FWD, p "drop_arp_no_fwd")                                                 \
	X(P##DROP_ARP_IFACE, p "drop_arp_iface")                                                   \
	X(P##TX_ARP_UNTRACKED, p "tx_arp_untracked") /* answered, host table insert failed */      \
	X(P##PASS_VMAC, p "pass_vmac")		     /* frame to a local vMAC */                   \
	X(P##DROP_VMAC_REMOTE, p "drop_vmac_remote")                                               \
	X(P##DROP_VMAC_UNKNOWN, p "drop_vmac_unknown")                                             \
	X(P##DROP_VMAC_IFACE, p "drop_vmac_iface")                                                 \
	/* headers not all in the first buffer of a multi-buffer frame: passed untouched */        \
	X(P##PASS_NONLINEAR, p "pass_nonlinear")

/*
 * Ingress reasons added after the tc data path: appended per hook at the
 * end of XGLB_REASONS, so the numbers of the first list stay as they were.
 * ARP the node must not believe (bpf/lib/conflict.h).
 */
#define XGLB_INGRESS_REASONS2(X, P, p)                                                             \
	X(P##DROP_ARP_SPOOFED, p "drop_arp_spoofed") /* ARP sender MAC != Ethernet source */       \
	X(P##DROP_ARP_VIP_CONFLICT, p "drop_arp_vip_conflict")	 /* a VIP claimed, no vMAC */      \
	X(P##DROP_ARP_VMAC_CONFLICT, p "drop_arp_vmac_conflict") /* from a vMAC we own */

/*
 * IPv6 neighbour discovery for the groups' virtual IPv6 addresses
 * (bpf/lib/ndp.h), counted per hook like the list above and appended per
 * hook at the end of XGLB_REASONS, so no older number moves.
 */
#define XGLB_NDP_REASONS(X, P, p)                                                                  \
	X(P##PASS_NDP_OTHER, p "pass_ndp_other") /* NDP not about a virtual address */             \
	X(P##TX_NA_REPLY, p "tx_na_reply")	 /* AVG answered an NS */                          \
	X(P##TX_NA_UNICAST, p "tx_na_unicast")	 /* owner confirmed its vMAC (NUD) */              \
	X(P##TX_NA_DAD, p "tx_na_dad")		 /* a DAD probe for a virtual address defended */  \
	X(P##TX_NA_UNTRACKED, p "tx_na_untracked")	 /* answered, host table insert failed */  \
	X(P##DROP_NDP_MALFORMED, p "drop_ndp_malformed") /* shorter than its headers say */        \
	X(P##DROP_NDP_HOP_LIMIT, p "drop_ndp_hop_limit") /* hop limit not 255: off-link */         \
	X(P##DROP_NDP_CHECKSUM, p "drop_ndp_checksum")                                             \
	X(P##DROP_NDP_INVALID, p "drop_ndp_invalid") /* code, options, target, DAD rules */        \
	X(P##DROP_NDP_PEER, p "drop_ndp_peer") /* from a vMAC, or claiming a virtual address */    \
	X(P##DROP_NDP_NOT_AVG, p "drop_ndp_not_avg")                                               \
	X(P##DROP_NDP_LEASE, p "drop_ndp_lease")                                                   \
	X(P##DROP_NDP_IFACE, p "drop_ndp_iface")                                                   \
	X(P##DROP_NDP_NO_FWD, p "drop_ndp_no_fwd")                                                 \
	X(P##DROP_NDP_BAD_SENDER, p "drop_ndp_bad_sender")

/*
 * The host table (bpf/lib/hosts.h), counted per hook like the lists above
 * and appended per hook at the end of XGLB_REASONS: a new host answered
 * but not recorded because this CPU's new-host budget for the second is
 * spent (a flood of new MACs). A full table is *_untracked.
 */
#define XGLB_HOST_REASONS(X, P, p)                                                                 \
	X(P##TX_ARP_RATE_LIMITED, p "tx_arp_rate_limited")                                         \
	X(P##TX_NA_RATE_LIMITED, p "tx_na_rate_limited")

/*
 * A node with several interfaces on the segment (docs/nics.md, "Several
 * interfaces on one segment"): a broadcast ARP request or multicast NS for
 * a virtual address reaches each of them; only the group's answering
 * interface (xglb_group.answer_if) answers, the copies on the others are
 * dropped. Per hook, appended at the end of XGLB_REASONS.
 */
#define XGLB_NIC_REASONS(X, P, p)                                                                  \
	X(P##DROP_ARP_OTHER_NIC, p "drop_arp_other_nic")                                           \
	X(P##DROP_NDP_OTHER_NIC, p "drop_ndp_other_nic")

/*
 * The XDP fast path (bpf/lib/fastpath.h, "fast-path: true"): a frame to a
 * vMAC this node owns, in a group with the fast path on, is counted under
 * exactly one of these instead of xdp_pass_vmac: routed inside XDP, or
 * handed to the kernel for the reason named (docs/datapath.md, "Fast path").
 */
#define XGLB_FASTPATH_REASONS(X)                                                                   \
	X(XDP_FP_REDIRECT, "xdp_fp_redirect")	    /* routed in XDP, out by the devmap */         \
	X(XDP_FP_PASS_NOT_IP, "xdp_fp_pass_not_ip") /* neither IPv4 nor IPv6 (ARP, VLAN, ...) */   \
	X(XDP_FP_PASS_MALFORMED, "xdp_fp_pass_malformed") /* version, length, IPv4 checksum */     \
	X(XDP_FP_PASS_LEN, "xdp_fp_pass_len") /* datagram beyond the first buffer (jumbo) */       \
	X(XDP_FP_PASS_OPTIONS, "xdp_fp_pass_options") /* IPv4 options, IPv6 extension headers */   \
	X(XDP_FP_PASS_FRAG, "xdp_fp_pass_frag")	  /* a fragment (IPv4, IPv6 fragment header) */    \
	X(XDP_FP_PASS_ADDR, "xdp_fp_pass_addr")	  /* multicast, broadcast, loopback, link-local */ \
	X(XDP_FP_PASS_TTL, "xdp_fp_pass_ttl")	  /* TTL / hop limit <= 1: the kernel's ICMP */    \
	X(XDP_FP_PASS_STEER, "xdp_fp_pass_steer") /* steering on: a flow this node does not own */ \
	X(XDP_FP_PASS_NO_NEIGH, "xdp_fp_pass_no_neigh") /* next hop not resolved yet */            \
	X(XDP_FP_PASS_MTU, "xdp_fp_pass_mtu")		/* larger than the egress MTU */           \
	X(XDP_FP_PASS_LOCAL, "xdp_fp_pass_local") /* for this node, or not forwarded by it */      \
	X(XDP_FP_PASS_UNREACHABLE, "xdp_fp_pass_unreachable") /* no route, blackhole, prohibit */  \
	X(XDP_FP_PASS_FWD_DISABLED, "xdp_fp_pass_fwd_disabled") /* forwarding off on the iface */  \
	X(XDP_FP_PASS_ROUTE_OTHER, "xdp_fp_pass_route_other")	/* other lookup result (tunnel) */ \
	X(XDP_FP_PASS_SAME_IFACE, "xdp_fp_pass_same_iface")	/* back out where it came in */    \
	X(XDP_FP_PASS_NO_EGRESS, "xdp_fp_pass_no_egress")	/* egress takes no XDP redirect */

/*
 * Frames that arrived with an 802.1Q/802.1ad tag, in the frame or in
 * metadata (bpf/lib/vlan.h): another VLAN's, passed untouched, counted by
 * what they carry (the rest stay pass_vlan). Per hook, appended at the end
 * of XGLB_REASONS.
 */
#define XGLB_VLAN_REASONS(X, P, p)                                                                 \
	X(P##PASS_VLAN_ARP, p "pass_vlan_arp")	 /* tagged ARP: never answered nor learned */      \
	X(P##PASS_VLAN_NDP, p "pass_vlan_ndp")	 /* tagged ICMPv6 NDP */                           \
	X(P##PASS_VLAN_VMAC, p "pass_vlan_vmac") /* tagged, to a vMAC: not readdressed */

/*
 * NDP claims of a group's virtual IPv6 address by a station that is no
 * vMAC of the group (bpf/lib/ndp.h ndp_claim, reported as conflict.h's
 * XGLB_CONFLICT_VIP6): the IPv6 twin of drop_arp_vip_conflict. Per hook,
 * appended at the end of XGLB_REASONS.
 */
#define XGLB_NDP_REASONS2(X, P, p)                                                                 \
	X(P##DROP_NDP_VIP_CONFLICT, p "drop_ndp_vip_conflict") /* a virtual IPv6 address claimed   \
								*/

/*
 * Keys of xglb_stats; the names become metric labels. One reason per
 * packet in XDP and tc egress. tc ingress counts two: with XDP, a
 * tc_steer_* reason, then tc_ingress_* if the frame stays; with
 * "datapath: tc", a tc_<ingress reason>, then tc_steer_* if it passed.
 * New reasons go at the end, so the pinned counters keep their meaning.
 */
#define XGLB_REASONS(X)                                                                            \
	XGLB_INGRESS_REASONS(X, XDP_, "xdp_")                                                      \
	X(TC_INGRESS_PASS, "tc_ingress_pass")                                                      \
	X(TC_INGRESS_TO_HOST, "tc_ingress_to_host") /* rewritten vMAC frame made PACKET_HOST */    \
	X(TC_EGRESS_PASS, "tc_egress_pass")                                                        \
	X(TC_EGRESS_PASS_VMAC_ARP, "tc_egress_pass_vmac_arp")                                      \
	X(TC_EGRESS_DROP_VIP_ARP, "tc_egress_drop_vip_arp")                                        \
	/* tc ingress steering (bpf/lib/steer.h) */                                                \
	X(TC_STEER_OWNED, "tc_steer_owned")	    /* flow owned here: stays */                   \
	X(TC_STEER_STEERED, "tc_steer_steered")	    /* sent on to the owner */                     \
	X(TC_STEER_FROM_PEER, "tc_steer_from_peer") /* a peer sent it: stays */                    \
	X(TC_STEER_OFF, "tc_steer_off")		    /* no steering on the iface */                 \
	X(TC_STEER_NOT_IPV4, "tc_steer_not_ipv4")   /* neither IPv4 nor IPv6: ARP, short */        \
	X(TC_STEER_MALFORMED, "tc_steer_malformed") /* bad IPv4/IPv6/L4 header */                  \
	X(TC_STEER_LOCAL, "tc_steer_local")	    /* not forwarded by this node */               \
	X(TC_STEER_NO_OWNER, "tc_steer_no_owner")   /* bucket or owner MAC unset */                \
	/* the ingress data path at tc ingress ("datapath: tc") */                                 \
	XGLB_INGRESS_REASONS(X, TC_, "tc_")                                                        \
	/* ingress reasons added since, each hook's contiguous (bpf/lib/conflict.h) */             \
	XGLB_INGRESS_REASONS2(X, XDP_, "xdp_")                                                     \
	XGLB_INGRESS_REASONS2(X, TC_, "tc_")                                                       \
	/* IPv6 neighbour discovery (bpf/lib/ndp.h) at each hook, then its egress guard */         \
	XGLB_NDP_REASONS(X, XDP_, "xdp_")                                                          \
	XGLB_NDP_REASONS(X, TC_, "tc_")                                                            \
	X(TC_EGRESS_PASS_VMAC_NDP, "tc_egress_pass_vmac_ndp")                                      \
	X(TC_EGRESS_DROP_VIP_NDP, "tc_egress_drop_vip_ndp") /* a MAC it may not announce */        \
	X(TC_EGRESS_DROP_NDP_NO_TLLA, "tc_egress_drop_ndp_no_tlla") /* NA naming no MAC */         \
	X(TC_EGRESS_DROP_NDP_OPTIONS,                                                              \
	  "tc_egress_drop_ndp_options") /* options it cannot vouch for */                          \
	XGLB_FASTPATH_REASONS(X)                                                                   \
	/* tagged frames by what they carry (bpf/lib/vlan.h) at each hook */                       \
	XGLB_VLAN_REASONS(X, XDP_, "xdp_")                                                         \
	XGLB_VLAN_REASONS(X, TC_, "tc_")                                                           \
	X(TC_STEER_VLAN, "tc_steer_vlan") /* tagged (frame or metadata): another VLAN's, stays */  \
	/* the host table's new-host budget (bpf/lib/hosts.h) at each hook */                      \
	XGLB_HOST_REASONS(X, XDP_, "xdp_")                                                         \
	XGLB_HOST_REASONS(X, TC_, "tc_")                                                           \
	/* ICMPv6 redirects leaving (bpf/lib/ndp.h guard_redirect): from a virtual address */      \
	X(TC_EGRESS_DROP_REDIRECT_VIRT, "tc_egress_drop_redirect_virt")                            \
	/* any other, out of an interface a group serves */                                        \
	X(TC_EGRESS_DROP_REDIRECT, "tc_egress_drop_redirect")                                      \
	/* a request's copy on another of the node's interfaces on the segment */                  \
	XGLB_NIC_REASONS(X, XDP_, "xdp_")                                                          \
	XGLB_NIC_REASONS(X, TC_, "tc_")                                                            \
	/* an NS the kernel sent from a virtual address, given the interface's own link-local */   \
	X(TC_EGRESS_PASS_NS_OWN_LL, "tc_egress_pass_ns_own_ll")                                    \
	/* a virtual IPv6 address claimed by a station that is no vMAC (bpf/lib/ndp.h) */          \
	XGLB_NDP_REASONS2(X, XDP_, "xdp_")                                                         \
	XGLB_NDP_REASONS2(X, TC_, "tc_")

#define XGLB_REASON_ENUM(name, str) XGLB_R_##name,
enum xglb_reason { XGLB_REASONS(XGLB_REASON_ENUM) XGLB_R_MAX };
#undef XGLB_REASON_ENUM

/*
 * The ingress reasons without a hook (XGLB_IN_PASS_OTHER, ...): what the
 * shared helpers count. A hook adds its base: XGLB_R_XDP_<name> =
 * XGLB_R_XDP_BASE + XGLB_IN_<name>, and likewise for TC.
 */
#define XGLB_IN_ENUM(name, str) XGLB_IN_##name,
enum xglb_ingress_reason {
	XGLB_INGRESS_REASONS(XGLB_IN_ENUM, , "") XGLB_INGRESS_REASONS2(XGLB_IN_ENUM, , "")
	    XGLB_NDP_REASONS(XGLB_IN_ENUM, , "") XGLB_VLAN_REASONS(XGLB_IN_ENUM, , "")
		XGLB_HOST_REASONS(XGLB_IN_ENUM, , "") XGLB_NIC_REASONS(XGLB_IN_ENUM, , "")
		    XGLB_NDP_REASONS2(XGLB_IN_ENUM, , "") XGLB_IN_MAX
};
#undef XGLB_IN_ENUM
#define XGLB_R_XDP_BASE XGLB_R_XDP_PASS_OTHER
#define XGLB_R_TC_BASE	XGLB_R_TC_PASS_OTHER
/* the second list: XGLB_R_XDP_<name> = XGLB_R_XDP_BASE2 + XGLB_IN_<name> - XGLB_IN_BASE2 */
#define XGLB_IN_BASE2	 XGLB_IN_DROP_ARP_SPOOFED
#define XGLB_R_XDP_BASE2 XGLB_R_XDP_DROP_ARP_SPOOFED
#define XGLB_R_TC_BASE2	 XGLB_R_TC_DROP_ARP_SPOOFED
_Static_assert(XGLB_R_XDP_DROP_ARP_VMAC_CONFLICT - XGLB_R_XDP_BASE2 ==
		       XGLB_IN_DROP_ARP_VMAC_CONFLICT - XGLB_IN_BASE2 &&
		   XGLB_R_TC_DROP_ARP_VMAC_CONFLICT - XGLB_R_TC_BASE2 ==
		       XGLB_IN_DROP_ARP_VMAC_CONFLICT - XGLB_IN_BASE2,
	       "a hook's second ingress reasons are contiguous, in XGLB_INGRESS_REASONS2 order");
_Static_assert(XGLB_R_XDP_PASS_NONLINEAR - XGLB_R_XDP_BASE == XGLB_IN_PASS_NONLINEAR &&
		   XGLB_R_TC_PASS_NONLINEAR - XGLB_R_TC_BASE == XGLB_IN_PASS_NONLINEAR,
	       "a hook's ingress reasons are contiguous, in XGLB_INGRESS_REASONS order");
/* the NDP list: XGLB_R_XDP_<name> = XGLB_R_XDP_NDP_BASE + XGLB_IN_<name> - XGLB_IN_NDP_BASE */
#define XGLB_IN_NDP_BASE    XGLB_IN_PASS_NDP_OTHER
#define XGLB_R_XDP_NDP_BASE XGLB_R_XDP_PASS_NDP_OTHER
#define XGLB_R_TC_NDP_BASE  XGLB_R_TC_PASS_NDP_OTHER
_Static_assert(XGLB_R_XDP_DROP_NDP_BAD_SENDER - XGLB_R_XDP_NDP_BASE ==
		       XGLB_IN_DROP_NDP_BAD_SENDER - XGLB_IN_NDP_BASE &&
		   XGLB_R_TC_DROP_NDP_BAD_SENDER - XGLB_R_TC_NDP_BASE ==
		       XGLB_IN_DROP_NDP_BAD_SENDER - XGLB_IN_NDP_BASE,
	       "a hook's NDP reasons are contiguous, in XGLB_NDP_REASONS order");
/* the VLAN list: XGLB_R_XDP_<name> = XGLB_R_XDP_VLAN_BASE + XGLB_IN_<name> - XGLB_IN_VLAN_BASE */
#define XGLB_IN_VLAN_BASE    XGLB_IN_PASS_VLAN_ARP
#define XGLB_R_XDP_VLAN_BASE XGLB_R_XDP_PASS_VLAN_ARP
#define XGLB_R_TC_VLAN_BASE  XGLB_R_TC_PASS_VLAN_ARP
_Static_assert(XGLB_R_XDP_PASS_VLAN_VMAC - XGLB_R_XDP_VLAN_BASE ==
		       XGLB_IN_PASS_VLAN_VMAC - XGLB_IN_VLAN_BASE &&
		   XGLB_R_TC_PASS_VLAN_VMAC - XGLB_R_TC_VLAN_BASE ==
		       XGLB_IN_PASS_VLAN_VMAC - XGLB_IN_VLAN_BASE,
	       "a hook's VLAN reasons are contiguous, in XGLB_VLAN_REASONS order");
/* the host table's list: XGLB_R_XDP_<name> = XGLB_R_XDP_HOST_BASE + XGLB_IN_<name> - ... */
#define XGLB_IN_HOST_BASE    XGLB_IN_TX_ARP_RATE_LIMITED
#define XGLB_R_XDP_HOST_BASE XGLB_R_XDP_TX_ARP_RATE_LIMITED
#define XGLB_R_TC_HOST_BASE  XGLB_R_TC_TX_ARP_RATE_LIMITED
_Static_assert(XGLB_R_XDP_TX_NA_RATE_LIMITED - XGLB_R_XDP_HOST_BASE ==
		       XGLB_IN_TX_NA_RATE_LIMITED - XGLB_IN_HOST_BASE &&
		   XGLB_R_TC_TX_NA_RATE_LIMITED - XGLB_R_TC_HOST_BASE ==
		       XGLB_IN_TX_NA_RATE_LIMITED - XGLB_IN_HOST_BASE,
	       "a hook's host-table reasons are contiguous, in XGLB_HOST_REASONS order");

/* the NIC list: XGLB_R_XDP_<name> = XGLB_R_XDP_NIC_BASE + XGLB_IN_<name> - XGLB_IN_NIC_BASE */
#define XGLB_IN_NIC_BASE    XGLB_IN_DROP_ARP_OTHER_NIC
#define XGLB_R_XDP_NIC_BASE XGLB_R_XDP_DROP_ARP_OTHER_NIC
#define XGLB_R_TC_NIC_BASE  XGLB_R_TC_DROP_ARP_OTHER_NIC
_Static_assert(XGLB_R_XDP_DROP_NDP_OTHER_NIC - XGLB_R_XDP_NIC_BASE ==
		       XGLB_IN_DROP_NDP_OTHER_NIC - XGLB_IN_NIC_BASE &&
		   XGLB_R_TC_DROP_NDP_OTHER_NIC - XGLB_R_TC_NIC_BASE ==
		       XGLB_IN_DROP_NDP_OTHER_NIC - XGLB_IN_NIC_BASE,
	       "a hook's NIC reasons are contiguous, in XGLB_NIC_REASONS order");

/* the second NDP list: XGLB_R_XDP_<name> = XGLB_R_XDP_NDP2_BASE + XGLB_IN_<name> - ... */
#define XGLB_IN_NDP2_BASE    XGLB_IN_DROP_NDP_VIP_CONFLICT
#define XGLB_R_XDP_NDP2_BASE XGLB_R_XDP_DROP_NDP_VIP_CONFLICT
#define XGLB_R_TC_NDP2_BASE  XGLB_R_TC_DROP_NDP_VIP_CONFLICT
_Static_assert(XGLB_R_XDP_DROP_NDP_VIP_CONFLICT - XGLB_R_XDP_NDP2_BASE ==
		       XGLB_IN_DROP_NDP_VIP_CONFLICT - XGLB_IN_NDP2_BASE &&
		   XGLB_R_TC_DROP_NDP_VIP_CONFLICT - XGLB_R_TC_NDP2_BASE ==
		       XGLB_IN_DROP_NDP_VIP_CONFLICT - XGLB_IN_NDP2_BASE &&
		   XGLB_IN_NDP2_BASE + 1 == XGLB_IN_MAX,
	       "a hook's second NDP reasons are contiguous, in XGLB_NDP_REASONS2 order, and last");

/*
 * Size of xglb_stats: >= XGLB_R_MAX, room to add reasons. Grown from 128
 * when drop_ndp_vip_conflict passed it: a pinned xglb_stats of the older
 * size no longer fits and is replaced at start (user/xglbd/loader.c
 * pinned_fits, logged; the counters start again from 0).
 */
#define XGLB_STATS_SLOTS 256
_Static_assert(XGLB_R_MAX <= XGLB_STATS_SLOTS, "grow XGLB_STATS_SLOTS");

/* ---- conflicts on the wire (bpf/lib/conflict.h) ------------------------ */

/*
 * Stations claiming what belongs to the group: reported by the data path
 * to the agent through the xglb_conflicts ring buffer, at most
 * XGLB_CONFLICT_EVENTS events a second per CPU (xglb_conflict_rl), so a
 * flood costs the agent nothing more. See docs/datapath.md, "Conflicts".
 */
enum xglb_conflict_kind {
	XGLB_CONFLICT_VIP = 1,	/* an ARP names a VIP as its sender IP with a MAC that is no vMAC */
	XGLB_CONFLICT_VMAC = 2, /* an ARP sent from a vMAC this node owns */
	/* an NA about, or an NS or RA from, a virtual IPv6 address announcing a MAC that is no
	 * vMAC of the group (bpf/lib/ndp.h ndp_claim) */
	XGLB_CONFLICT_VIP6 = 3,
};

#define XGLB_CONFLICT_EVENTS	 32	     /* events a second per CPU */
#define XGLB_CONFLICT_RING_BYTES (64 * 1024) /* ring buffer size (power of two, >= page) */

struct xglb_conflict_event {
	__u8 kind; /* enum xglb_conflict_kind */
	__u8 gid;
	__u8 fwd;      /* XGLB_CONFLICT_VMAC: the forwarder index */
	__u8 op;       /* ARP opcode (1 request, 2 reply; low byte); VIP6: the ICMPv6 type */
	__u32 ifindex; /* where the frame arrived */
	__u8 src[6];   /* Ethernet source: the offender */
	__u8 sha[6];   /* ARP sender MAC: what it claims; VIP6: the MAC the NDP message announces */
	__u8 tha[6];   /* ARP target MAC: a node's learning frame names the node's MAC here */
	__u8 pad[2];
	__be32 spa;    /* ARP sender IP */
	__u32 version; /* state version of the tables that judged the frame */
	__u8 ip6[16];  /* XGLB_CONFLICT_VIP6: the virtual IPv6 address claimed; else zero */
};
_Static_assert(sizeof(struct xglb_conflict_event) == 52, "xglb_conflict_event layout");

/* Per-CPU value of xglb_conflict_rl: the event budget of the current second. */
struct xglb_conflict_rl {
	__u64 window; /* jiffies the current second began */
	__u32 sent;   /* events sent in it */
	__u32 pad;
	__u64 suppressed; /* events not sent: over budget (a flood) */
	__u64 lost;	  /* events not sent: the ring was full (the agent is behind) */
};
_Static_assert(sizeof(struct xglb_conflict_rl) == 32, "xglb_conflict_rl layout");

/* ---- map names, as pinned under the pin root ------------------------- */
#define XGLB_MAP_CTL	      "xglb_ctl"
#define XGLB_MAP_GROUPS	      "xglb_groups"
#define XGLB_MAP_VIPS	      "xglb_vips"
#define XGLB_MAP_IFACES	      "xglb_ifaces"
#define XGLB_MAP_HOSTS	      "xglb_hosts"
#define XGLB_MAP_RR	      "xglb_rr"
#define XGLB_MAP_STATS	      "xglb_stats"
#define XGLB_MAP_FWD_STATS    "xglb_fwd_stats"
#define XGLB_MAP_FWD_TX_STATS "xglb_fwd_tx_stats"
#define XGLB_MAP_VIPS6	      "xglb_vips6"
#define XGLB_MAP_FP_IFACES    "xglb_fp_ifaces"

/* Entries of xglb_fp_ifaces: the interfaces the fast path may send out of (devmap hash). */
#define XGLB_FP_MAX_IFACES 256

/* ---- protocol constants not in vmlinux.h ------------------------------ */
#define XGLB_ETH_P_IP	      0x0800
#define XGLB_ETH_P_ARP	      0x0806
#define XGLB_ETH_P_8021Q      0x8100
#define XGLB_ETH_P_8021AD     0x88A8
#define XGLB_ARPHRD_ETHER     1
#define XGLB_ARPOP_REQUEST    1
#define XGLB_ARPOP_REPLY      2
#define XGLB_ETH_P_IPV6	      0x86DD
#define XGLB_PACKET_HOST      0
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

/* ICMPv6 neighbour discovery (RFC 4861), as bpf/lib/ndp.h reads and writes it */
#define XGLB_IPPROTO_ICMPV6 58
#define XGLB_ND_RS	    133 /* router solicitation */
#define XGLB_ND_RA	    134 /* router advertisement */
#define XGLB_ND_NS	    135 /* neighbour solicitation */
#define XGLB_ND_NA	    136 /* neighbour advertisement */
#define XGLB_ND_REDIRECT    137 /* redirect: never sent where a group serves (bpf/lib/ndp.h) */
#define XGLB_ND_REDIRECT    137
#define XGLB_ND_OPT_SLLA    1	 /* source link-layer address option */
#define XGLB_ND_OPT_TLLA    2	 /* target link-layer address option */
#define XGLB_NA_ROUTER	    0x80 /* first byte of an NA's flags word */
#define XGLB_NA_SOLICITED   0x40
#define XGLB_NA_OVERRIDE    0x20
#define XGLB_ND_HOP_LIMIT   255 /* every NDP message: sent on-link, never forwarded */
#define XGLB_NDP_MAX_LEN    128 /* longest NS/NA xglb parses (ICMPv6 bytes): 24 + 13 options */

/*
 * Ethernet + IPv6 + an NA with one target link-layer address option: what
 * the data path answers an NS with (86 bytes), packed as on the wire.
 */
struct xglb_na_frame {
	__u8 eth_dst[6];
	__u8 eth_src[6];
	__be16 eth_proto;
	__be32 ver_tc_flow; /* 0x60000000 */
	__be16 payload_len; /* 32 */
	__u8 nexthdr;	    /* 58 */
	__u8 hop_limit;	    /* 255 */
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 type; /* 136 */
	__u8 code;
	__be16 csum;
	__u8 flags; /* XGLB_NA_* */
	__u8 reserved[3];
	__u8 target[16];
	__u8 opt_type; /* XGLB_ND_OPT_TLLA */
	__u8 opt_len;  /* 1 (8 bytes) */
	__u8 tlla[6];
} __attribute__((packed));
_Static_assert(sizeof(struct xglb_na_frame) == 86, "xglb_na_frame layout");

#define XGLB_GROUP_KEY(bank, gid) ((bank)*XGLB_MAX_GROUPS + (gid))

/* Hash of a host MAC for the host-dependent policy; userspace uses it to predict a host's slot. */
static inline __attribute__((always_inline)) __u32 xglb_mac_hash(const __u8 *m)
{
	__u64 v = ((__u64)m[0] << 40) | ((__u64)m[1] << 32) | ((__u64)m[2] << 24) |
		  ((__u64)m[3] << 16) | ((__u64)m[4] << 8) | (__u64)m[5];

	v ^= v >> 29;
	v *= 0x9E3779B97F4A7C15ull;
	return (__u32)(v >> 32);
}

/* ---- flow steering (bpf/lib/steer.h) -----------------------------------
 * Everything steering shares between BPF and userspace. How a frame is
 * steered, domains and slots: docs/datapath.md, "Flow steering".
 */

#ifndef XGLB_STEER_MAX_DOMAINS
#define XGLB_STEER_MAX_DOMAINS 4 /* bucket tables per bank (groups with steering) */
#endif
#ifndef XGLB_STEER_BUCKETS
#define XGLB_STEER_BUCKETS 65536 /* most buckets one domain may use (power of two) */
#endif
#define XGLB_STEER_BUCKETS_DEFAULT 65536 /* buckets of a domain unless configured */
#define XGLB_STEER_CHUNK	   64	 /* buckets per element of xglb_steer_buckets */
#define XGLB_STEER_CHUNKS	   (XGLB_STEER_BUCKETS / XGLB_STEER_CHUNK) /* elements per domain */
#define XGLB_STEER_MAX_NODES	   32	/* owner slots per domain */
#define XGLB_STEER_MAX_EXTRA	   8	/* from-peer MACs per interface beyond the slots' MACs */
#define XGLB_STEER_MAX_LOCAL	   256	/* entries of xglb_local_ips */
#define XGLB_STEER_NO_OWNER	   0xff /* bucket without owner / node not in the table */
#ifndef XGLB_STEER_IFSLOTS
#define XGLB_STEER_IFSLOTS 256 /* xglb_steer_cfg slots per bank (power of two) */
#endif
#define XGLB_LOCAL_BLOOM_BITS 1024 /* bits of the xglb_local_bloom filter (power of two) */

/* xglb_steer_cfg.flags */
#define XGLB_STEER_ON	 0x01 /* steer on this interface */
#define XGLB_STEER_SPILL 0x02 /* slot only: an interface mapping here lives in xglb_steer_spill */
/* xglb_steer_peer.flags */
#define XGLB_STEER_PEER_VALID 0x01 /* the slot's owner has a known MAC on this segment */

/* Key of xglb_steer_cfg: bank and the ifindex's low bits; a colliding interface spills. */
#define XGLB_STEER_CFG_KEY(bank, ifindex)                                                          \
	((bank)*XGLB_STEER_IFSLOTS + ((ifindex) & (XGLB_STEER_IFSLOTS - 1)))

/* Key of xglb_steer_spill: one interface in one bank. */
struct xglb_steer_key {
	__u32 bank;
	__u32 ifindex;
};
_Static_assert(sizeof(struct xglb_steer_key) == 8, "xglb_steer_key layout");

/* The MAC of the node in one slot, as seen on one segment. */
struct xglb_steer_peer {
	__u8 mac[6];
	__u8 flags; /* XGLB_STEER_PEER_VALID */
	__u8 pad;
};
_Static_assert(sizeof(struct xglb_steer_peer) == 8, "xglb_steer_peer layout");

/* Value of xglb_steer_cfg and xglb_steer_spill: all steering needs about one interface. */
struct xglb_steer_cfg {
	__u8 flags;	   /* XGLB_STEER_ON, XGLB_STEER_SPILL */
	__u8 domain;	   /* bucket table, 0..XGLB_STEER_MAX_DOMAINS-1 */
	__u8 self;	   /* our slot in the domain; XGLB_STEER_NO_OWNER = we own no flow */
	__u8 gid;	   /* the group the domain serves (for operators) */
	__u32 bucket_mask; /* buckets of the domain - 1 */
	__u8 mac[6]; /* this interface's MAC: the only destination steered, source of steered frames
		      */
	__u16 pad;
	__u32 version;	/* state version the tables were built from (for operators) */
	__u32 ifindex;	/* the interface this value is for (0 = empty slot) */
	__u64 bloom[4]; /* filter over the from-peer set: bit xglb_steer_bloom_bit(mac) per MAC */
	struct xglb_steer_peer peer[XGLB_STEER_MAX_NODES]; /* slot -> owner's MAC here */
};
_Static_assert(sizeof(struct xglb_steer_cfg) == 56 + 8 * XGLB_STEER_MAX_NODES,
	       "xglb_steer_cfg layout");

/* Value of xglb_steer_buckets: the owner slots of XGLB_STEER_CHUNK consecutive buckets. */
struct xglb_steer_chunk {
	__u8 owner[XGLB_STEER_CHUNK]; /* slot, or XGLB_STEER_NO_OWNER */
};
_Static_assert(sizeof(struct xglb_steer_chunk) == XGLB_STEER_CHUNK, "xglb_steer_chunk layout");

/* Index of the xglb_steer_buckets element holding bucket of domain dom in bank. */
#define XGLB_STEER_CHUNK_KEY(bank, dom, bucket)                                                    \
	(((bank)*XGLB_STEER_MAX_DOMAINS + (dom)) * XGLB_STEER_CHUNKS + (bucket) / XGLB_STEER_CHUNK)

/* Key of xglb_steer_peers, the from-peer set: source MACs of peer routers on an interface. */
struct xglb_steer_mac_key {
	__u32 bank;
	__u32 ifindex;
	__u8 mac[6];
	__u16 pad; /* zero */
};
_Static_assert(sizeof(struct xglb_steer_mac_key) == 16, "xglb_steer_mac_key layout");

struct xglb_steer_mac_val {
	__u8 slot; /* the peer's slot, XGLB_STEER_NO_OWNER for an extra MAC (for operators) */
	__u8 pad[3];
};
_Static_assert(sizeof(struct xglb_steer_mac_val) == 4, "xglb_steer_mac_val layout");

/* Value of xglb_local_ips (key: __be32 address). Not banked: written as addresses come and go. */
struct xglb_local_ip {
	__u32 flags; /* reserved, 0 */
};
_Static_assert(sizeof(struct xglb_local_ip) == 4, "xglb_local_ip layout");

/* The element of xglb_local_bloom: a filter over xglb_local_ips (a superset while it changes). */
struct xglb_local_bloom {
	__u64 bits[XGLB_LOCAL_BLOOM_BITS / 64];
};
_Static_assert(sizeof(struct xglb_local_bloom) == XGLB_LOCAL_BLOOM_BITS / 8,
	       "xglb_local_bloom layout");

/* entries of xglb_steer_peers: every slot's MAC and the extras, per interface and bank */
#define XGLB_STEER_PEERS_MAX                                                                       \
	(XGLB_BANKS * XGLB_MAX_IFACES * (XGLB_STEER_MAX_NODES + XGLB_STEER_MAX_EXTRA))

#define XGLB_MAP_STEER_CFG     "xglb_steer_cfg"
#define XGLB_MAP_STEER_SPILL   "xglb_steer_spill"
#define XGLB_MAP_STEER_BUCKETS "xglb_steer_buckets"
#define XGLB_MAP_STEER_PEERS   "xglb_steer_peers"
#define XGLB_MAP_LOCAL_IPS     "xglb_local_ips"
#define XGLB_MAP_LOCAL_BLOOM   "xglb_local_bloom"

#define XGLB_IPPROTO_ICMP    1
#define XGLB_IPPROTO_TCP     6
#define XGLB_IPPROTO_UDP     17
#define XGLB_IPPROTO_DCCP    33
#define XGLB_IPPROTO_SCTP    132
#define XGLB_IPPROTO_UDPLITE 136
#define XGLB_IP_MF	     0x2000 /* frag_off: more fragments */
#define XGLB_IP_OFFSET	     0x1fff /* frag_off: fragment offset, 8-byte units */

/*
 * Key of xglb_frags: one IPv4 datagram being fragmented (RFC 791 identifies
 * a datagram by source, destination, protocol and identification). Its
 * first fragment leaves the datagram's ports for the later ones, which
 * carry none (docs/datapath.md, "Fragments").
 */
struct xglb_frag_key {
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	__u8 proto;
	__u8 pad; /* zero */
};
_Static_assert(sizeof(struct xglb_frag_key) == 12, "xglb_frag_key layout");

struct xglb_frag_ports {
	__be16 sport;
	__be16 dport;
};
_Static_assert(sizeof(struct xglb_frag_ports) == 4, "xglb_frag_ports layout");

#define XGLB_FRAGS_MAX 16384 /* datagrams remembered (LRU) */

/* Protocols hashed with both ports (the flow tuple rules: docs/datapath.md, "Flow tuple"). */
static inline __attribute__((always_inline)) int xglb_proto_has_ports(__u8 proto)
{
	return proto == XGLB_IPPROTO_TCP || proto == XGLB_IPPROTO_UDP ||
	       proto == XGLB_IPPROTO_DCCP || proto == XGLB_IPPROTO_SCTP ||
	       proto == XGLB_IPPROTO_UDPLITE;
}

/* ICMP types 0 (echo reply) and 8 (echo request) carry an identifier. */
static inline __attribute__((always_inline)) int xglb_icmp_is_echo(__u8 type)
{
	return type == 0 || type == 8;
}

/* Destination unreachable, source quench, redirect, time exceeded, parameter problem. */
static inline __attribute__((always_inline)) int xglb_icmp_is_error(__u8 type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/*
 * IPv6 (docs/datapath.md, "IPv6 flows"): the extension headers the
 * steering walk passes to reach the upper-layer header (RFC 8200 4), and
 * how many of them at most; more make the frame malformed.
 */
#define XGLB_IPPROTO_HOPOPTS  0
#define XGLB_IPPROTO_ROUTING  43
#define XGLB_IPPROTO_FRAGMENT 44
#define XGLB_IPPROTO_AH	      51
#define XGLB_IPPROTO_DSTOPTS  60
#define XGLB_IP6_OFFSET	      0xfff8 /* fragment header: offset, 8-byte units << 3 */
#define XGLB_STEER6_EXT_MAX   8

/*
 * Key of xglb_frags6: one IPv6 datagram in pieces (RFC 8200 4.5: source,
 * destination, identification), with the next header its fragment
 * headers name. As xglb_frags: the first fragment leaves the ports.
 */
struct xglb_frag6_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be32 id;
	__u8 proto;
	__u8 pad[3]; /* zero */
};
_Static_assert(sizeof(struct xglb_frag6_key) == 40, "xglb_frag6_key layout");

/* ICMPv6 errors (destination unreachable, packet too big, time exceeded, parameter problem). */
static inline __attribute__((always_inline)) int xglb_icmp6_is_error(__u8 type)
{
	return type >= 1 && type <= 4;
}

/* ICMPv6 echo request (128) and reply (129) carry an identifier. */
static inline __attribute__((always_inline)) int xglb_icmp6_is_echo(__u8 type)
{
	return type == 128 || type == 129;
}

/*
 * An IPv6 address, its four 32-bit words in host byte order, folded to the
 * one word xglb_flow_hash takes per address: a function of the address
 * alone, so the hash stays symmetric. Each word is rotated by its own
 * amount, so addresses that differ by swapping words differ.
 */
static inline __attribute__((always_inline)) __u32 xglb_ip6_fold(__u32 w0, __u32 w1, __u32 w2,
								 __u32 w3)
{
	return w0 ^ (w1 << 8 | w1 >> 24) ^ (w2 << 16 | w2 >> 16) ^ (w3 << 24 | w3 >> 8);
}

/*
 * Symmetric flow hash, arguments in host byte order; bucket = hash & (buckets - 1).
 * Part of the protocol between nodes: changing it reshuffles mixed-version clusters.
 */
static inline __attribute__((always_inline)) __u32 xglb_flow_hash(__u32 a, __u32 b, __u16 pa,
								  __u16 pb, __u8 proto)
{
	__u32 lo = a < b ? a : b, hi = a < b ? b : a;
	__u32 plo = pa < pb ? pa : pb, phi = pa < pb ? pb : pa;
	__u64 v = ((__u64)lo << 32) | hi;

	v ^= (((__u64)plo << 24) | ((__u64)phi << 8) | proto) * 0x9E3779B97F4A7C15ull;
	v ^= v >> 33; /* murmur3 fmix64: every input bit reaches the low bits */
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53ull;
	v ^= v >> 33;
	return (__u32)v;
}

/* Bit of xglb_steer_cfg.bloom that a MAC of the from-peer set sets (0..255). */
static inline __attribute__((always_inline)) __u32 xglb_steer_bloom_bit(const __u8 *mac)
{
	return xglb_mac_hash(mac) >> 24;
}

/* Bit of xglb_local_bloom for an IPv4 address in host byte order (0..XGLB_LOCAL_BLOOM_BITS-1). */
static inline __attribute__((always_inline)) __u32 xglb_local_bloom_bit(__u32 addr)
{
	return (addr * 0x9E3779B1u) >> 22; /* the top 10 bits */
}
_Static_assert(XGLB_LOCAL_BLOOM_BITS == 1 << 10, "xglb_local_bloom_bit gives 10 bits");

/* ---- end of steering ------------------------------------------------- */

#endif /* XGLB_H */

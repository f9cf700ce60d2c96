/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vmac.h - accepting frames sent to a virtual forwarder's MAC. */
#ifndef XGLB_BPF_VMAC_H
#define XGLB_BPF_VMAC_H

#include "common.h"
#include "ctx.h"
#include "fastpath.h"

/*
 * Remember that host mac sends through forwarder (gid, idx): one word,
 * written only on change. tag: XGLB_FWD_HOST_TAG of the frame (its family,
 * the learning epoch). True if the word changed, i.e. xglb_seen is due.
 */
static __always_inline bool fwd_host_learn(const __u8 *mac, __u32 gid, __u32 idx, __u64 tag)
{
	__u32 slot = xglb_mac_hash(mac) & (XGLB_FWD_HOST_SLOTS - 1);
	__u64 *e = bpf_map_lookup_elem(&xglb_fwd_hosts, &slot), v;

	if (!e)
		return false;
	v = XGLB_FWD_HOST(mac, gid, idx) | tag;
	if (XGLB_READ_ONCE(*e) == v)
		return false;
	XGLB_WRITE_ONCE(*e, v);
	return true;
}

static __always_inline void seen_count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&xglb_seen_stats, &what);

	if (n)
		*n += 1;
}

/* An IPv4 source address a host on the segment may have: not 0/8, 127/8, multicast or above. */
static __always_inline bool ip4_host_src(__be32 a)
{
	__u32 h = bpf_ntohl(a);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 0xe;
}

/* An IPv6 source address a host may have: not unspecified, loopback or multicast. */
static __always_inline bool ip6_host_src(const __u8 *a)
{
	__u32 w0 = ld32(a), w1 = ld32(a + 4), w2 = ld32(a + 8), w3 = ld32(a + 12);

	if (a[0] == 0xff)
		return false;
	return (w0 | w1 | w2) || (w3 && w3 != bpf_htonl(1));
}

/*
 * The owner learns who uses its forwarder (gid, idx): host MAC, source
 * address, interface and time into xglb_seen, from a frame whose
 * xglb_fwd_hosts word just changed (fwd_host_learn). A known host's entry
 * is rewritten in place, field by field, only where it differs; a new one
 * is inserted only if there is room (BPF_NOEXIST on a plain hash: a full
 * map refuses, it never evicts). Every outcome is counted.
 */
static __always_inline void seen_learn(struct xglb_ctx *c, __u32 gid, __u32 idx, __u64 now)
{
	struct xglb_host_key key = {.gid = (__u8)gid};
	struct ethhdr *eth = c->data;
	struct xglb_seen *e, nv = {};
	__u8 *l3 = c->data + sizeof(*eth);
	bool v6;

	if ((void *)(eth + 1) > c->data_end)
		return seen_count(XGLB_SEEN_NOT_IP);
	if (eth->h_proto == bpf_htons(XGLB_ETH_P_IP) && !ctx_vlan_offloaded(c)) {
		if ((void *)(l3 + 20) > c->data_end || (l3[0] >> 4) != 4)
			return seen_count(XGLB_SEEN_NOT_IP);
		nv.ip4 = ld32(l3 + 12);
		if (!ip4_host_src(nv.ip4))
			return seen_count(XGLB_SEEN_BAD_SRC);
		v6 = false;
	} else if (eth->h_proto == bpf_htons(XGLB_ETH_P_IPV6) && !ctx_vlan_offloaded(c)) {
		if ((void *)(l3 + 40) > c->data_end || (l3[0] >> 4) != 6)
			return seen_count(XGLB_SEEN_NOT_IP);
		if (!ip6_host_src(l3 + 8))
			return seen_count(XGLB_SEEN_BAD_SRC);
		__builtin_memcpy(nv.ip6, l3 + 8, 16);
		v6 = true;
	} else {
		return seen_count(XGLB_SEEN_NOT_IP);
	}
	if (!is_host_mac(eth->h_source) || is_vmac(eth->h_source))
		return seen_count(XGLB_SEEN_BAD_SRC);
	/* byte by byte: the key's MAC sits at offset 2, where a word store would be misaligned */
	for (int i = 0; i < 6; i++)
		key.mac[i] = eth->h_source[i];
	nv.ifindex = ctx_ifindex(c);
	nv.last_jiffies = now;
	nv.fwd = (__u8)idx;
	e = bpf_map_lookup_elem(&xglb_seen, &key);
	if (e) {
		if (e->fwd != nv.fwd)
			e->fwd = nv.fwd;
		if (e->ifindex != nv.ifindex)
			e->ifindex = nv.ifindex;
		if (v6)
			__builtin_memcpy(e->ip6, nv.ip6, 16);
		else if (e->ip4 != nv.ip4)
			e->ip4 = nv.ip4;
		e->last_jiffies = now;
		return seen_count(XGLB_SEEN_UPDATE);
	}
	if (bpf_map_update_elem(&xglb_seen, &key, &nv, BPF_NOEXIST) == 0)
		return seen_count(XGLB_SEEN_NEW);
	/* -EEXIST: another CPU inserted it meanwhile (learnt); else the map is full */
	if (!bpf_map_lookup_elem(&xglb_seen, &key))
		seen_count(XGLB_SEEN_FULL);
}

/*
 * A frame to a vMAC this node owns is counted for its forwarder and handed
 * to the kernel with the interface's own MAC as destination, so the kernel
 * routes it like any other. A frame to a vMAC owned elsewhere reached us
 * by flooding: the owner has it, we drop our copy. eth: c->data, checked.
 * In a group with the fast path on, XDP routes the frame itself where it
 * can (fastpath.h), counted under an xdp_fp_* reason instead.
 */
static __always_inline int handle_vmac(struct xglb_ctx *c, struct ethhdr *eth)
{
	__u32 gid = eth->h_dest[4], idx = eth->h_dest[5], key, bank;
	const struct xglb_group *g;
	struct xglb_fwd_stats *st;
	struct xglb_ctl *ctl;
	const __u8 *ifmac;
	__u64 now;
	__u8 flags;

	ctl = ctl_get();
	if (!ctl)
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_UNKNOWN, CTX_ACT_DROP);
	bank = XGLB_READ_ONCE(ctl->active_bank);
	g = group_get(bank, gid);
	if (!g || idx >= g->n_fwd)
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_UNKNOWN, CTX_ACT_DROP);
	flags = g->fwd[idx & (XGLB_MAX_FWD - 1)].flags;
	if (!(flags & XGLB_FWD_ACTIVE))
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_UNKNOWN, CTX_ACT_DROP);
	if (!(flags & XGLB_FWD_LOCAL))
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_REMOTE, CTX_ACT_DROP);
	/* only on the group's own interfaces: their MACs are in the group */
	ifmac = group_iface_mac(g, ctx_ifindex(c));
	if (!ifmac)
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_IFACE, CTX_ACT_DROP);

	mac_copy(eth->h_dest, ifmac);
	ctx_to_host(c);
	key = gid * XGLB_MAX_FWD + idx;
	st = bpf_map_lookup_elem(&xglb_fwd_stats, &key);
	if (st) {
		st->packets++;
		st->bytes += ctx_len(c);
	}
	now = bpf_jiffies64();
	if (fwd_host_learn(eth->h_source, gid, idx,
			   XGLB_FWD_HOST_TAG(eth->h_proto == bpf_htons(XGLB_ETH_P_IPV6), now)))
		seen_learn(c, gid, idx, now);
	/* a constant hook after inlining: tc never carries this code */
	if (c->hook == XGLB_HOOK_XDP && (g->flags & XGLB_GRP_FAST_PATH))
		return fp_forward(c, bank & 1, ctx_ifindex(c));
	return ctx_verdict(c, XGLB_IN_PASS_VMAC, CTX_ACT_PASS);
}

/*
 * The return direction (tc egress on a group interface): a unicast frame
 * to a host whose frames came in through a forwarder this node owns is
 * counted for that forwarder in xglb_fwd_tx_stats. Reads the first 6 bytes
 * of the frame only; never changes the verdict.
 */
static __always_inline void fwd_count_return(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	const struct xglb_group *g;
	struct xglb_fwd_stats *st;
	struct xglb_ctl *ctl;
	__u32 slot, gid, idx, key;
	__u64 *e, v;
	__u8 *dst = data;

	if (data + 6 > end || (dst[0] & 1))
		return; /* multicast, broadcast */
	slot = xglb_mac_hash(dst) & (XGLB_FWD_HOST_SLOTS - 1);
	e = bpf_map_lookup_elem(&xglb_fwd_hosts, &slot);
	if (!e)
		return;
	v = XGLB_READ_ONCE(*e);
	if ((v & 0xffffffffffffull) != (XGLB_FWD_HOST(dst, 0, 0)))
		return; /* not a host of ours (or its slot is another host's now) */
	gid = (v >> 48) & 0xff;
	idx = (v >> 56) & (XGLB_MAX_FWD - 1);
	ctl = ctl_get();
	if (!ctl)
		return;
	g = group_get(XGLB_READ_ONCE(ctl->active_bank), gid);
	if (!g || idx >= g->n_fwd ||
	    (g->fwd[idx].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL)) !=
		(XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL) ||
	    !group_iface_mac(g, skb->ifindex))
		return;
	key = gid * XGLB_MAX_FWD + idx;
	st = bpf_map_lookup_elem(&xglb_fwd_tx_stats, &key);
	if (st) {
		st->packets++;
		st->bytes += skb->len;
	}
}

#endif

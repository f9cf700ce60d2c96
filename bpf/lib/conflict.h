/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* conflict.h - stations on the wire claiming a VIP, a virtual IPv6 address or one of this node's
 * vMACs, reported to the agent. */
#ifndef XGLB_BPF_CONFLICT_H
#define XGLB_BPF_CONFLICT_H

#include "common.h"

/*
 * An event slot in xglb_conflicts, within this CPU's budget: each CPU
 * sends at most XGLB_CONFLICT_EVENTS events a second (a fixed one-second
 * window in jiffies), so a flood of forged frames costs the agent no more
 * than that, and what is held back is counted. NULL: none (counted as
 * suppressed or lost). The caller fills every field and submits it. The
 * frame itself is always counted under its reason by the caller.
 */
static __always_inline struct xglb_conflict_event *conflict_reserve(const struct xglb_ctl *ctl)
{
	struct xglb_conflict_event *e;
	struct xglb_conflict_rl *rl;
	__u32 zero = 0, hz;
	__u64 now;

	rl = bpf_map_lookup_elem(&xglb_conflict_rl, &zero);
	if (!rl)
		return NULL;
	now = bpf_jiffies64();
	hz = XGLB_READ_ONCE(ctl->hz);
	if ((__s64)(now - rl->window) >= (hz ? hz : 100) || (__s64)(now - rl->window) < 0) {
		rl->window = now;
		rl->sent = 0;
	}
	if (rl->sent >= XGLB_CONFLICT_EVENTS) {
		rl->suppressed++;
		return NULL;
	}
	e = bpf_ringbuf_reserve(&xglb_conflicts, sizeof(*e), 0);
	if (!e) {
		rl->lost++;
		return NULL;
	}
	rl->sent++;
	return e;
}

/* Report one conflicting ARP frame to the agent through xglb_conflicts (conflict_reserve). */
static __always_inline void conflict_report(const struct xglb_ctl *ctl, __u8 kind, __u8 gid,
					    __u8 fwd, const struct xglb_arp_frame *f, __u32 ifindex,
					    __u32 version)
{
	struct xglb_conflict_event *e = conflict_reserve(ctl);

	if (!e)
		return;
	e->kind = kind;
	e->gid = gid;
	e->fwd = fwd;
	e->op = bpf_ntohs(ld16((const __u8 *)f + __builtin_offsetof(struct xglb_arp_frame, op)));
	e->ifindex = ifindex;
	mac_copy(e->src, f->eth_src);
	mac_copy(e->sha, f->sha);
	mac_copy(e->tha, f->tha);
	e->pad[0] = e->pad[1] = 0;
	e->spa = ld32((const __u8 *)f + __builtin_offsetof(struct xglb_arp_frame, spa));
	e->version = version;
	__builtin_memset(e->ip6, 0, sizeof(e->ip6));
	bpf_ringbuf_submit(e, 0);
}

/*
 * Report an NDP message claiming virtual IPv6 address addr (16 bytes, any
 * alignment) of group gid (bpf/lib/ndp.h ndp_claim): type its ICMPv6
 * type, src its Ethernet source (the offender), lla the MAC it announces
 * (its link-layer address option, else the Ethernet source). Kind
 * XGLB_CONFLICT_VIP6; the ARP fields are zero.
 */
static __always_inline void conflict_report6(const struct xglb_ctl *ctl, __u32 bank, __u32 gid,
					     __u8 type, const __u8 *src, const __u8 *lla,
					     const __u8 *addr, __u32 ifindex)
{
	const struct xglb_group *g = group_get(bank, gid);
	struct xglb_conflict_event *e = conflict_reserve(ctl);

	if (!e)
		return;
	e->kind = XGLB_CONFLICT_VIP6;
	e->gid = (__u8)gid;
	e->fwd = 0;
	e->op = type;
	e->ifindex = ifindex;
	mac_copy(e->src, src);
	mac_copy(e->sha, lla);
	__builtin_memset(e->tha, 0, sizeof(e->tha));
	e->pad[0] = e->pad[1] = 0;
	e->spa = 0;
	e->version = g ? g->version : 0;
#pragma unroll
	for (int i = 0; i < 16; i += 4)
		st32(e->ip6 + i, ld32(addr + i));
	bpf_ringbuf_submit(e, 0);
}

/*
 * An ARP frame from a vMAC (Ethernet source or ARP sender). Peers'
 * learning frames and the AVG's answers naming a forwarder are normal and
 * dropped as a peer's (unless the sender IP is a VIP and the sender MAC
 * no forwarder's vMAC: the caller makes that a VIP conflict) (never reach the local stack). A frame
 * whose Ethernet source is a vMAC this node owns is not: another station speaks from our
 * forwarder's address (a node with an older state, or a forger), so switches may move the vMAC's
 * port away from us. Returns the ingress reason (XGLB_IN_*) to count it under.
 */
static __always_inline __u32 conflict_vmac(const struct xglb_ctl *ctl, __u32 bank,
					   const struct xglb_arp_frame *f, __u32 ifindex)
{
	__u32 gid = f->eth_src[4], idx = f->eth_src[5] & (XGLB_MAX_FWD - 1);
	const struct xglb_group *g;

	if (!is_vmac(f->eth_src))
		return XGLB_IN_DROP_ARP_PEER;
	g = group_get(bank, gid);
	if (!g || f->eth_src[5] >= g->n_fwd ||
	    (g->fwd[idx].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL)) !=
		(XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL))
		return XGLB_IN_DROP_ARP_PEER;
	conflict_report(ctl, XGLB_CONFLICT_VMAC, (__u8)gid, (__u8)idx, f, ifindex, g->version);
	return XGLB_IN_DROP_ARP_VMAC_CONFLICT;
}

/* mac is the vMAC of a forwarder of group gid (its index below n_fwd). */
static __always_inline bool conflict_fwd_vmac(__u32 bank, __u32 gid, const __u8 *mac)
{
	const struct xglb_group *g = group_get(bank, gid);

	return g && is_vmac(mac) && mac[4] == gid && mac[5] < g->n_fwd;
}

/*
 * An ARP frame naming VIP gid as its sender IP with a sender MAC that is
 * no forwarder's vMAC of the group, whatever its Ethernet source (hosts
 * take the sender MAC; a vMAC this node owns as source is a vMAC
 * conflict first, conflict_vmac): a host announcing "VIP is at <my MAC>"
 * by gratuitous ARP (request or reply form) or any ARP carrying the VIP
 * as sender, which makes hosts cache that MAC as their gateway. Never
 * from a node of the group (the egress guard lets a VIP leave only with a
 * vMAC). Reported, so the agent can log it and defend the hosts.
 */
static __always_inline __u32 conflict_vip(const struct xglb_ctl *ctl, __u32 bank, __u32 gid,
					  const struct xglb_arp_frame *f, __u32 ifindex)
{
	const struct xglb_group *g = group_get(bank, gid);

	conflict_report(ctl, XGLB_CONFLICT_VIP, (__u8)gid, 0, f, ifindex, g ? g->version : 0);
	return XGLB_IN_DROP_ARP_VIP_CONFLICT;
}

#endif

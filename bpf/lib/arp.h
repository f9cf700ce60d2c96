/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* arp.h - the ARP responder for VIPs and the filter that hides VIPs from the local stack. */
#ifndef XGLB_BPF_ARP_H
#define XGLB_BPF_ARP_H

#include "common.h"
#include "policy.h"

static __always_inline bool iface_in_group(const struct xglb_group *g, __u32 ifindex)
{
	bool in = false;

#pragma unroll
	for (int i = 0; i < XGLB_GROUP_IFACES; i++)
		in |= g->ifindex[i] == ifindex;
	return in;
}

/* Turn the request in place into the reply "VIP is at vmac". */
static __always_inline void arp_make_reply(struct xglb_arp_frame *f, const __u8 *src_mac,
					   const __u8 *vmac, __be32 vip)
{
	mac_copy(f->eth_dst, f->sha);
	mac_copy(f->eth_src, src_mac);
	f->op = bpf_htons(XGLB_ARPOP_REPLY);
	mac_copy(f->tha, f->sha);
	f->tpa = f->spa;
	mac_copy(f->sha, vmac);
	f->spa = vip;
}

/*
 * A host asked an AVF directly (unicast to the vMAC it already holds, as
 * Linux does when it re-confirms a neighbour): the owner confirms its own
 * vMAC. The AVG is not involved, so a host keeps its forwarder.
 */
static __always_inline int arp_confirm_vmac(struct xdp_md *ctx, struct xglb_arp_frame *f,
					    const struct xglb_group *g)
{
	__u32 ifindex = ctx->ingress_ifindex, idx = f->eth_dst[5] & (XGLB_MAX_FWD - 1);
	const struct xglb_iface *ifc;

	if (f->eth_dst[4] != g->id || f->eth_dst[5] >= g->n_fwd ||
	    !(g->fwd[idx].flags & XGLB_FWD_ACTIVE))
		return verdict(XGLB_R_XDP_DROP_VMAC_UNKNOWN, XDP_DROP);
	if (!(g->fwd[idx].flags & XGLB_FWD_LOCAL))
		return verdict(XGLB_R_XDP_DROP_VMAC_REMOTE, XDP_DROP);
	ifc = bpf_map_lookup_elem(&xglb_ifaces, &ifindex);
	if (!ifc)
		return verdict(XGLB_R_XDP_DROP_ARP_IFACE, XDP_DROP);
	arp_make_reply(f, ifc->mac, g->fwd[idx].vmac, g->vip);
	return verdict(XGLB_R_XDP_TX_ARP_UNICAST, XDP_TX);
}

/* The AVG's answer: the host's remembered forwarder, or a new one by policy. */
static __always_inline int arp_answer(struct xdp_md *ctx, struct xglb_arp_frame *f,
				      const struct xglb_group *g, __u64 now)
{
	struct xglb_host_key hk = { .gid = g->id };
	__u32 ifindex = ctx->ingress_ifindex, reason = XGLB_R_XDP_TX_ARP_REPLY;
	const struct xglb_iface *ifc;
	struct xglb_host *h;
	int idx = -1;

	ifc = bpf_map_lookup_elem(&xglb_ifaces, &ifindex);
	if (!ifc)
		return verdict(XGLB_R_XDP_DROP_ARP_IFACE, XDP_DROP);

	mac_copy(hk.mac, f->sha);
	h = bpf_map_lookup_elem(&xglb_hosts, &hk);
	if (h && h->fwd < g->n_fwd &&
	    (g->fwd[h->fwd & (XGLB_MAX_FWD - 1)].flags & XGLB_FWD_ACTIVE)) {
		idx = h->fwd;
		h->last_ns = now;
		h->ip = f->spa;
	} else {
		struct xglb_host nh = { .first_ns = now, .last_ns = now };

		idx = pick_forwarder(g, f->sha);
		if (idx < 0)
			return verdict(XGLB_R_XDP_DROP_ARP_NO_FWD, XDP_DROP);
		nh.fwd = idx;
		nh.ip = f->spa;
		if (h)
			nh.first_ns = h->first_ns;
		if (bpf_map_update_elem(&xglb_hosts, &hk, &nh, BPF_ANY))
			reason = XGLB_R_XDP_TX_ARP_UNTRACKED;
	}
	arp_make_reply(f, ifc->mac, g->fwd[idx & (XGLB_MAX_FWD - 1)].vmac, g->vip);
	return verdict(reason, XDP_TX);
}

/*
 * Every ARP frame reaching the node. Frames about a VIP never reach the
 * local stack: requests are answered (AVG, or the owner of a unicast
 * vMAC) or dropped, and announcements by peers are dropped so the kernel
 * raises no duplicate-address alarm. Other ARP passes untouched.
 */
static __always_inline int handle_arp(struct xdp_md *ctx, void *data, void *end)
{
	struct xglb_arp_frame *f = data;
	const struct xglb_group *g;
	struct xglb_vip_val *v;
	struct xglb_ctl *ctl;
	__u32 bank;
	__u64 now;

	if ((void *)(f + 1) > end)
		return verdict(XGLB_R_XDP_DROP_ARP_MALFORMED, XDP_DROP);
	if (f->hrd != bpf_htons(XGLB_ARPHRD_ETHER) || f->pro != bpf_htons(XGLB_ETH_P_IP) ||
	    f->hln != 6 || f->pln != 4)
		return verdict(XGLB_R_XDP_DROP_ARP_MALFORMED, XDP_DROP);
	ctl = ctl_get();
	if (!ctl)
		return verdict(XGLB_R_XDP_PASS_ARP_OTHER, XDP_PASS);
	bank = ctl->active_bank;

	/* A peer speaking from a vMAC, or anyone claiming a VIP as its own. */
	if (is_vmac(f->eth_src) || is_vmac(f->sha) || vip_get(bank, f->spa))
		return verdict(XGLB_R_XDP_DROP_ARP_PEER, XDP_DROP);
	v = vip_get(bank, f->tpa);
	if (!v)
		return verdict(XGLB_R_XDP_PASS_ARP_OTHER, XDP_PASS);
	if (f->op != bpf_htons(XGLB_ARPOP_REQUEST))
		return verdict(f->op == bpf_htons(XGLB_ARPOP_REPLY) ? XGLB_R_XDP_DROP_ARP_PEER :
								       XGLB_R_XDP_DROP_ARP_OPCODE,
			       XDP_DROP);
	g = group_get(bank, v->gid);
	if (!g)
		return verdict(XGLB_R_XDP_DROP_ARP_NO_FWD, XDP_DROP);
	if (!iface_in_group(g, ctx->ingress_ifindex))
		return verdict(XGLB_R_XDP_DROP_ARP_IFACE, XDP_DROP);
	/* Coarse clock: cheap, and may lag the agent's CLOCK_MONOTONIC by a
	 * tick, so a heartbeat "in the future" counts as fresh (signed). */
	now = bpf_ktime_get_coarse_ns();
	if ((__s64)(now - ctl->heartbeat_ns) >= (__s64)ctl->lease_ns)
		return verdict(XGLB_R_XDP_DROP_ARP_LEASE, XDP_DROP);
	if (!is_host_mac(f->sha) || !is_host_mac(f->eth_src))
		return verdict(XGLB_R_XDP_DROP_ARP_BAD_SENDER, XDP_DROP);
	if (is_vmac(f->eth_dst))
		return arp_confirm_vmac(ctx, f, g);
	if (!(g->flags & XGLB_GRP_AVG))
		return verdict(XGLB_R_XDP_DROP_ARP_NOT_AVG, XDP_DROP);
	return arp_answer(ctx, f, g, now);
}

#endif

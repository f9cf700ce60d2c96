/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* arp.h - the ARP responder for VIPs and the filter that hides VIPs from the local stack. */
#ifndef XGLB_BPF_ARP_H
#define XGLB_BPF_ARP_H

#include "common.h"
#include "ctx.h"
#include "policy.h"
#include "hosts.h"
#include "conflict.h"

/* The address of a field of the (packed) frame, for the word loads of common.h. */
#define ARP_AT(f, field) ((__u8 *)(f) + __builtin_offsetof(struct xglb_arp_frame, field))

static __always_inline __be32 arp_spa(const struct xglb_arp_frame *f)
{
	return ld32(ARP_AT(f, spa));
}

static __always_inline __be32 arp_tpa(const struct xglb_arp_frame *f)
{
	return ld32(ARP_AT(f, tpa));
}

static __always_inline __be16 arp_op(const struct xglb_arp_frame *f)
{
	return ld16(ARP_AT(f, op));
}

/* Turn the request in place into the reply "VIP is at vmac". */
static __always_inline void arp_make_reply(struct xglb_arp_frame *f, const __u8 *src_mac,
					   const __u8 *vmac, __be32 vip)
{
	mac_copy(f->eth_dst, f->sha);
	mac_copy(f->eth_src, src_mac);
	st16(ARP_AT(f, op), bpf_htons(XGLB_ARPOP_REPLY));
	mac_copy(f->tha, f->sha);
	st32(ARP_AT(f, tpa), arp_spa(f));
	mac_copy(f->sha, vmac);
	st32(ARP_AT(f, spa), vip);
}

/*
 * A host asked an AVF directly (unicast to the vMAC it already holds, as
 * Linux does when it re-confirms a neighbour): the owner confirms its own
 * vMAC. The AVG is not involved, so a host keeps its forwarder. ifmac: the
 * ingress interface's MAC, from the group.
 */
static __always_inline int arp_confirm_vmac(const struct xglb_ctx *c, struct xglb_arp_frame *f,
					    const struct xglb_group *g, const __u8 *ifmac)
{
	__u32 idx = f->eth_dst[5] & (XGLB_MAX_FWD - 1);

	if (f->eth_dst[4] != g->id || f->eth_dst[5] >= g->n_fwd ||
	    !(g->fwd[idx].flags & XGLB_FWD_ACTIVE))
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_UNKNOWN, CTX_ACT_DROP);
	if (!(g->fwd[idx].flags & XGLB_FWD_LOCAL))
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_REMOTE, CTX_ACT_DROP);
	arp_make_reply(f, ifmac, g->fwd[idx].vmac, g->vip);
	return ctx_verdict(c, XGLB_IN_TX_ARP_UNICAST, CTX_ACT_TX);
}

/*
 * The AVG's answer: the host's remembered forwarder, or a new one by policy. now: jiffies.
 * The host's front-cache entry, when it holds the host, keeps the answer for arp_known:
 * flips as read before the active bank (arp_flips_bank), ifindex the request's interface;
 * an NS answer it holds stays only if it was kept with the same interface, MACs and flips.
 */
static __always_inline int arp_answer(const struct xglb_ctx *c, const struct xglb_ctl *ctl,
				      struct xglb_arp_frame *f, const struct xglb_group *g,
				      const __u8 *ifmac, __u64 now, __u32 flips, __u32 ifindex)
{
	__u32 reason = XGLB_IN_TX_ARP_REPLY;
	struct xglb_host_cached *held;
	const __u8 *vmac;
	int idx;

	idx = host_fwd(ctl, g, f->sha, arp_spa(f), 0, now, &reason, XGLB_IN_TX_ARP_UNTRACKED,
		       XGLB_IN_TX_ARP_RATE_LIMITED, &held);
	if (idx < 0)
		return ctx_verdict(c, XGLB_IN_DROP_ARP_NO_FWD, CTX_ACT_DROP);
	vmac = g->fwd[idx & (XGLB_MAX_FWD - 1)].vmac;
	if (held && g->vip == arp_tpa(f)) {
		if (!host_cache_answer(held, flips, ifindex, ifmac, vmac))
			held->ns = 0; /* another NS answer than the one kept */
		held->vip = g->vip;
		held->arp = 1;
	}
	arp_make_reply(f, ifmac, vmac, g->vip);
	/* the usual answer counted under a constant: no run-time search for its counter block */
	if (reason == XGLB_IN_TX_ARP_REPLY)
		return ctx_verdict(c, XGLB_IN_TX_ARP_REPLY, CTX_ACT_TX);
	return ctx_verdict(c, reason, CTX_ACT_TX);
}

/* Has the agent's heartbeat lease run out? Signed compares: a stamp "from the future" is fresh. */
static __always_inline bool lease_expired(const struct xglb_ctl *ctl, __u64 now_jiffies)
{
	__u64 lease = XGLB_READ_ONCE(ctl->lease_jiffies);

	if (lease)
		return (__s64)(now_jiffies - XGLB_READ_ONCE(ctl->hb_jiffies)) >= (__s64)lease;
	/* no kernel stamp (HZ unknown, or the agent cannot run xglb_beat) */
	return (__s64)(bpf_ktime_get_coarse_ns() - XGLB_READ_ONCE(ctl->heartbeat_ns)) >=
	       (__s64)XGLB_READ_ONCE(ctl->lease_ns);
}

/*
 * The low 32 bits of xglb_ctl.flips into *flips, then the active bank: in
 * that order, as the agent stores the bank and then counts the flip
 * (bank.c), so an ARP answer kept under a count was built from the bank
 * that count made active, or a later one. The bank's load takes its
 * address from the count's value (an address dependency: ordered like an
 * acquire on weakly ordered CPUs too).
 */
static __always_inline __u32 arp_flips_bank(const struct xglb_ctl *ctl, __u32 *flips)
{
	__u64 n = XGLB_READ_ONCE(ctl->flips), dep = n;

	asm volatile("%[d] &= 0" : [d] "+r"(dep));
	*flips = (__u32)n;
	return XGLB_READ_ONCE(*(&ctl->active_bank + dep)) & 1;
}

/*
 * A known host asking again, answered from its front-cache entry alone
 * (include/xglb.h, xglb_host_cached) when the entry shows every check the
 * full path would make to hold: an ARP answer of the AVG, kept under the
 * bank flip still in force (so the VIP index, the group and its
 * forwarders are what they were), to the same host (the sender MAC,
 * which is the frame's sender, a host's unicast MAC) asking again on the
 * same interface for the same VIP from the same address (so that address
 * is still no VIP), a broadcast or unicast request not to a vMAC, an
 * established host, within the entry's second and host generation, with
 * the lease in force. The answer is then the one the full path would
 * give, byte for byte, counted alike (xdp_tx_arp_reply). False: nothing
 * written, the full path judges the frame.
 */
static __always_inline bool arp_known(const struct xglb_ctl *ctl, struct xglb_arp_frame *f,
				      __u32 flips, __u32 ifindex, __be32 spa, __be32 tpa)
{
	__u64 mac = (__u64)ld16(f->sha) | (__u64)ld32(f->sha + 2) << 16, now;
	struct xglb_host_cached *e;
	__u32 slot;

	if (arp_op(f) != bpf_htons(XGLB_ARPOP_REQUEST) || is_vmac(f->eth_dst) ||
	    !mac_equal(f->sha, f->eth_src) || !is_host_mac(f->sha))
		return false;
	slot = xglb_host_cache_slot(mac << 16);
	e = bpf_map_lookup_elem(&xglb_host_cache, &slot);
	if (!e || !e->arp || e->key >> 16 != mac || e->vip != tpa || e->ip != spa ||
	    e->ifindex != ifindex || e->flips != flips ||
	    e->gen != XGLB_READ_ONCE(ctl->hosts_gen) || !(e->flags & XGLB_HOST_ESTABLISHED))
		return false;
	now = bpf_jiffies64();
	if ((__s32)(e->until - (__u32)now) <= 0 || lease_expired(ctl, now))
		return false;
	arp_make_reply(f, e->ifmac, e->vmac, e->vip);
	return true;
}

/*
 * Every ARP frame reaching the node. Frames about a VIP never reach the
 * local stack: requests are answered (AVG, or the owner of a unicast
 * vMAC) or dropped, and announcements by peers are dropped so the kernel
 * raises no duplicate-address alarm. Other ARP passes untouched.
 */
static __always_inline int handle_arp(struct xglb_ctx *c)
{
	const struct xglb_group *g;
	struct xglb_arp_frame *f;
	const struct xglb_ctl *ctl;
	const __u8 *ifmac;
	__u32 bank, gid, sgid, ifindex, flips;
	__be32 spa, tpa;
	__be16 op;
	__u64 now;

	if (!ctx_pull(c, sizeof(*f))) {
		/* all of it there, but not in the first buffer: not ours to judge */
		if (ctx_nonlinear(c, sizeof(*f)))
			return ctx_verdict(c, XGLB_IN_PASS_NONLINEAR, CTX_ACT_PASS);
		return ctx_verdict(c, XGLB_IN_DROP_ARP_MALFORMED, CTX_ACT_DROP);
	}
	f = c->data;
	/* hrd and pro in one word, hln and pln in another, as they lie in the frame */
	if (ld32(ARP_AT(f, hrd)) != bpf_htonl(XGLB_ARPHRD_ETHER << 16 | XGLB_ETH_P_IP) ||
	    ld16(ARP_AT(f, hln)) != bpf_htons(6 << 8 | 4))
		return ctx_verdict(c, XGLB_IN_DROP_ARP_MALFORMED, CTX_ACT_DROP);
	ctl = ctl_get();
	if (!ctl)
		return ctx_verdict(c, XGLB_IN_PASS_ARP_OTHER, CTX_ACT_PASS);
	bank = arp_flips_bank(ctl, &flips);
	/* read once: at XDP three chained loads, not kept by the compiler across calls */
	ifindex = ctx_ifindex(c);

	/*
	 * A peer speaking from a vMAC (a conflict if it is one of ours), or
	 * anyone else claiming a VIP as its own (always a conflict). Any ARP
	 * not about a VIP needs both VIP lookups to pass; each stops at its
	 * (usually empty) home slot. A gratuitous ARP (spa == tpa) needs only
	 * one.
	 */
	if (is_vmac(f->eth_src) || is_vmac(f->sha)) {
		__u32 r = conflict_vmac(ctl, bank, f, ifindex);

		/* hosts take the sender MAC, never the Ethernet source: a VIP must name a forwarder
		 */
		if (r == XGLB_IN_DROP_ARP_PEER && (sgid = vip_gid(ctl, bank, arp_spa(f))) &&
		    !conflict_fwd_vmac(bank, sgid, f->sha))
			r = conflict_vip(ctl, bank, sgid, f, ifindex);
		return ctx_verdict(c, r, CTX_ACT_DROP);
	}
	spa = arp_spa(f);
	tpa = arp_tpa(f);
	if (arp_known(ctl, f, flips, ifindex, spa, tpa))
		return ctx_verdict(c, XGLB_IN_TX_ARP_REPLY, CTX_ACT_TX);
	gid = vip_gid(ctl, bank, tpa);
	sgid = spa == tpa ? gid : vip_gid(ctl, bank, spa);
	if (sgid)
		return ctx_verdict(c, conflict_vip(ctl, bank, sgid, f, ifindex), CTX_ACT_DROP);
	if (!gid)
		return ctx_verdict(c, XGLB_IN_PASS_ARP_OTHER, CTX_ACT_PASS);
	op = arp_op(f);
	if (op != bpf_htons(XGLB_ARPOP_REQUEST))
		return ctx_verdict(c,
				   op == bpf_htons(XGLB_ARPOP_REPLY) ? XGLB_IN_DROP_ARP_PEER
								     : XGLB_IN_DROP_ARP_OPCODE,
				   CTX_ACT_DROP);
	g = group_get(bank, gid);
	if (!g)
		return ctx_verdict(c, XGLB_IN_DROP_ARP_NO_FWD, CTX_ACT_DROP);
	ifmac = group_iface_mac(g, ifindex);
	if (!ifmac)
		return ctx_verdict(c, XGLB_IN_DROP_ARP_IFACE, CTX_ACT_DROP);
	now = bpf_jiffies64(); /* inlined by the verifier: a load of jiffies */
	if (lease_expired(ctl, now))
		return ctx_verdict(c, XGLB_IN_DROP_ARP_LEASE, CTX_ACT_DROP);
	if (!is_host_mac(f->sha) || !is_host_mac(f->eth_src))
		return ctx_verdict(c, XGLB_IN_DROP_ARP_BAD_SENDER, CTX_ACT_DROP);
	/* the host is recorded and answered by its ARP sender MAC: it must be the frame's sender */
	if (!mac_equal(f->sha, f->eth_src))
		return ctx_verdict(c, XGLB_IN_DROP_ARP_SPOOFED, CTX_ACT_DROP);
	if (is_vmac(f->eth_dst))
		return arp_confirm_vmac(c, f, g, ifmac);
	if (!(g->flags & XGLB_GRP_AVG))
		return ctx_verdict(c, XGLB_IN_DROP_ARP_NOT_AVG, CTX_ACT_DROP);
	/* a broadcast reaches each of our interfaces on the segment: one answers */
	if (!group_answers_on(g, ifindex))
		return ctx_verdict(c, XGLB_IN_DROP_ARP_OTHER_NIC, CTX_ACT_DROP);
	return arp_answer(c, ctl, f, g, ifmac, now, flips, ifindex);
}

#endif

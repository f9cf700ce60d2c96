/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vmac.h - accepting frames sent to a virtual forwarder's MAC. */
#ifndef XGLB_BPF_VMAC_H
#define XGLB_BPF_VMAC_H

#include "common.h"
#include "ctx.h"
#include "fastpath.h"

/* Remember that host mac sends through forwarder (gid, idx): one word, written only on change. */
static __always_inline void fwd_host_learn(const __u8 *mac, __u32 gid, __u32 idx)
{
	__u32 slot = xglb_mac_hash(mac) & (XGLB_FWD_HOST_SLOTS - 1);
	__u64 *e = bpf_map_lookup_elem(&xglb_fwd_hosts, &slot), v;

	if (!e)
		return;
	v = XGLB_FWD_HOST(mac, gid, idx);
	if (XGLB_READ_ONCE(*e) != v)
		XGLB_WRITE_ONCE(*e, v);
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
	fwd_host_learn(eth->h_source, gid, idx);
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

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vmac.h - accepting frames sent to a virtual forwarder's MAC. */
#ifndef XGLB_BPF_VMAC_H
#define XGLB_BPF_VMAC_H

#include "common.h"
#include "ctx.h"

/*
 * A frame to a vMAC this node owns is counted for its forwarder and handed
 * to the kernel with the interface's own MAC as destination, so the kernel
 * routes it like any other. A frame to a vMAC owned elsewhere reached us
 * by flooding: the owner has it, we drop our copy. eth: c->data, checked.
 */
static __always_inline int handle_vmac(struct xglb_ctx *c, struct ethhdr *eth)
{
	__u32 gid = eth->h_dest[4], idx = eth->h_dest[5], key;
	const struct xglb_group *g;
	struct xglb_fwd_stats *st;
	struct xglb_ctl *ctl;
	const __u8 *ifmac;
	__u8 flags;

	ctl = ctl_get();
	if (!ctl)
		return ctx_verdict(c, XGLB_IN_DROP_VMAC_UNKNOWN, CTX_ACT_DROP);
	g = group_get(XGLB_READ_ONCE(ctl->active_bank), gid);
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
	return ctx_verdict(c, XGLB_IN_PASS_VMAC, CTX_ACT_PASS);
}

#endif

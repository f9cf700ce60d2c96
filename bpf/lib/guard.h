/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* guard.h - the egress guard: the local kernel never announces a VIP with a real MAC. */
#ifndef XGLB_BPF_GUARD_H
#define XGLB_BPF_GUARD_H

#include "common.h"
#include "ndp.h"
#include "vmac.h"

/*
 * The VIP is a local address on every router, so the kernel could answer
 * or announce it with the interface MAC. An ARP frame whose sender IP is a
 * VIP leaves only with a vMAC as sender MAC, and only with the authority
 * the XDP responder has: a vMAC this node owns, or any live forwarder of a
 * group this node is AVG of (the AVG's unsolicited replies name other
 * nodes' forwarders).
 */
static __always_inline int guard_egress(struct __sk_buff *skb)
{
	const struct xglb_group *g;
	struct xglb_arp_frame *f;
	struct xglb_ctl *ctl;
	void *data, *end;
	__u32 idx, bank, gid;

	if (skb->protocol != bpf_htons(XGLB_ETH_P_ARP)) {
		fwd_count_return(skb); /* a forwarder's load, the way back to its hosts */
		return skb->protocol == bpf_htons(XGLB_ETH_P_IPV6)
			   ? guard_ndp(skb)
			   : verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	}
	/*
	 * Pulled only when the linear part is short: xglb_tc's answers (every
	 * one passes here) and the kernel's own ARP are linear already.
	 */
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + sizeof(*f) > end) {
		bpf_skb_pull_data(skb, sizeof(*f));
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
	}
	f = data;
	ctl = ctl_get();
	if ((void *)(f + 1) > end || !ctl)
		return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	bank = XGLB_READ_ONCE(ctl->active_bank) & 1;
	gid = vip_gid(ctl, bank, ld32((__u8 *)f + __builtin_offsetof(struct xglb_arp_frame, spa)));
	if (!gid)
		return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	g = group_get(bank, gid);
	idx = f->sha[5] & (XGLB_MAX_FWD - 1);
	if (g && is_vmac(f->sha) && f->sha[4] == g->id && f->sha[5] < g->n_fwd &&
	    (g->fwd[idx].flags & XGLB_FWD_ACTIVE) &&
	    ((g->fwd[idx].flags & XGLB_FWD_LOCAL) || (g->flags & XGLB_GRP_AVG)))
		return verdict(XGLB_R_TC_EGRESS_PASS_VMAC_ARP, XGLB_TC_ACT_OK);
	return verdict(XGLB_R_TC_EGRESS_DROP_VIP_ARP, XGLB_TC_ACT_SHOT);
}

#endif

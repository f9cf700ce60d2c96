/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ingress.h - the ingress data path both hooks run: ARP for a VIP, frames to a vMAC. */
#ifndef XGLB_BPF_INGRESS_H
#define XGLB_BPF_INGRESS_H

#include "common.h"
#include "ctx.h"
#include "arp.h"
#include "vmac.h"
#include "ndp.h"
#include "vlan.h"

/*
 * One frame as it arrives, at XDP (xglb_xdp) or at tc ingress (xglb_tc,
 * "datapath: tc"); counts one ingress reason under the hook's prefix and
 * returns CTX_ACT_*. Order matters for cost: a frame that is neither ARP
 * nor sent to a vMAC (almost all traffic) costs one length check, two
 * compares and a counter (at tc, and one load of the VLAN flag).
 */
static __always_inline int ingress(struct xglb_ctx *c)
{
	struct ethhdr *eth = c->data;

	if ((void *)(eth + 1) > c->data_end)
		return ctx_verdict(
		    c, ctx_nonlinear(c, sizeof(*eth)) ? XGLB_IN_PASS_NONLINEAR : XGLB_IN_PASS_SHORT,
		    CTX_ACT_PASS);
	if (eth->h_proto == bpf_htons(XGLB_ETH_P_ARP)) {
		/* at tc, a tag taken out into metadata: a tagged ARP, as XDP would see it */
		if (ctx_vlan_offloaded(c))
			return vlan_pass(c, eth);
		return handle_arp(c);
	}
	/* before the vMAC test: a host confirms its neighbour entry by an NS to the vMAC */
	if (eth->h_proto == bpf_htons(XGLB_ETH_P_IPV6)) {
		int act;

		if (ndp_is_ndp(c))
			return handle_ndp(c);
		if (!ctx_vlan_offloaded(c) && ndp_ext_claim(c, &act))
			return act;
		eth = c->data; /* at tc the tests may have pulled the frame */
		if ((void *)(eth + 1) > c->data_end)
			return ctx_verdict(c, XGLB_IN_PASS_SHORT, CTX_ACT_PASS);
	}
	if (is_vmac(eth->h_dest))
		return vlan_tagged(c, eth) ? vlan_pass(c, eth) : handle_vmac(c, eth);
	if (vlan_tagged(c, eth))
		return vlan_pass(c, eth);
	return ctx_verdict(c, XGLB_IN_PASS_OTHER, CTX_ACT_PASS);
}

#endif

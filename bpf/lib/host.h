/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* host.h - tc ingress: frames XDP readdressed to this interface are delivered as PACKET_HOST. */
#ifndef XGLB_BPF_HOST_H
#define XGLB_BPF_HOST_H

#include "common.h"
#include "steer.h"

/*
 * The MAC of the interface a frame arrived on: from its steering config
 * when it has one (an array slot the verifier inlines, a few ns: every
 * steered interface), else from
 * xglb_ifaces (a hash lookup, ~20-30 ns). The agent writes both from the
 * same interface address, and steering already trusts the first to tell
 * frames sent to this router.
 */
static __always_inline const __u8 *host_iface_mac(__u32 ifindex)
{
	const struct xglb_steer_cfg *cfg;
	const struct xglb_iface *ifc;
	struct xglb_ctl *ctl = ctl_get();

	if (ctl) {
		cfg = steer_cfg(XGLB_READ_ONCE(ctl->active_bank) & 1, ifindex);
		if (cfg)
			return cfg->mac;
	}
	ifc = bpf_map_lookup_elem(&xglb_ifaces, &ifindex);
	return ifc ? ifc->mac : NULL;
}

/*
 * Some drivers classify a frame before XDP runs and keep the class after
 * XDP_PASS. veth does: the skb arrives as PACKET_OTHERHOST (its
 * destination was a vMAC), and after vmac.h rewrote the destination to
 * the interface's own MAC, eth_type_trans() never resets the class to
 * PACKET_HOST, so ip_rcv() drops it. Here, after XDP, a frame marked
 * OTHERHOST whose destination is now this interface's MAC is made
 * PACKET_HOST. Drivers that build a fresh skb after XDP never get here.
 */
static __always_inline int host_fixup(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	const __u8 *mac;

	if (skb->pkt_type != XGLB_PACKET_OTHERHOST || (void *)(eth + 1) > end)
		return verdict(XGLB_R_TC_INGRESS_PASS, XGLB_TC_ACT_OK);
	mac = host_iface_mac(skb->ifindex);
	if (!mac || !mac_equal(eth->h_dest, mac))
		return verdict(XGLB_R_TC_INGRESS_PASS, XGLB_TC_ACT_OK);
	bpf_skb_change_type(skb, XGLB_PACKET_HOST);
	return verdict(XGLB_R_TC_INGRESS_TO_HOST, XGLB_TC_ACT_OK);
}

#endif

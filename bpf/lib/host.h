/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* host.h - tc ingress: frames XDP readdressed to this interface are delivered as PACKET_HOST. */
#ifndef XGLB_BPF_HOST_H
#define XGLB_BPF_HOST_H

#include "common.h"

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
	const struct xglb_iface *ifc;
	__u32 ifindex;

	if (skb->pkt_type != XGLB_PACKET_OTHERHOST)
		return verdict(XGLB_R_TC_INGRESS_PASS, XGLB_TC_ACT_OK);
	ifindex = skb->ifindex;
	ifc = bpf_map_lookup_elem(&xglb_ifaces, &ifindex);
	if ((void *)(eth + 1) > end || !ifc || !mac_equal(eth->h_dest, ifc->mac))
		return verdict(XGLB_R_TC_INGRESS_PASS, XGLB_TC_ACT_OK);
	bpf_skb_change_type(skb, XGLB_PACKET_HOST);
	return verdict(XGLB_R_TC_INGRESS_TO_HOST, XGLB_TC_ACT_OK);
}

#endif

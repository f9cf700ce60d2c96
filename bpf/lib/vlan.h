/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vlan.h - frames that arrived with an 802.1Q/802.1ad tag: another segment's, passed untouched. */
#ifndef XGLB_BPF_VLAN_H
#define XGLB_BPF_VLAN_H

#include "common.h"
#include "ctx.h"

/*
 * Did the frame arrive tagged? The tag is in the frame (Ethernet type
 * 802.1Q or 802.1ad; at XDP xglbd keeps it there by turning the
 * interface's receive VLAN offload off, user/xglbd/dataplane.c
 * rxvlan_apply) or, at tc, the kernel took it out into metadata
 * (vlan_present: the driver's VLAN offload, or the kernel's own untagging
 * before tc). eth: c->data, checked.
 */
static __always_inline bool vlan_tagged(const struct xglb_ctx *c, const struct ethhdr *eth)
{
	return eth->h_proto == bpf_htons(XGLB_ETH_P_8021Q) ||
	       eth->h_proto == bpf_htons(XGLB_ETH_P_8021AD) || ctx_vlan_offloaded(c);
}

/*
 * A tagged frame belongs to the VLAN its tag names, never to the untagged
 * group on the interface: it is not answered, not learned from, not
 * readdressed and not steered, and goes to the kernel as it came (which
 * hands it to a VLAN device, where a group of its own may run). Counted by
 * what it carries, so a tagged ARP or NS for a VIP on a trunk is visible:
 * ARP (pass_vlan_arp), ICMPv6 NDP (pass_vlan_ndp), else sent to a vMAC
 * (pass_vlan_vmac), else pass_vlan. Reads the inner header only for a
 * tagged frame. eth: c->data, checked.
 */
static __always_inline int vlan_pass(struct xglb_ctx *c, const struct ethhdr *eth)
{
	/* the inner Ethernet type: after the tag, or where it was if offloaded */
	__u32 off = ctx_vlan_offloaded(c) ? 12 : 16;
	__u8 ip6[2]; /* ICMPv6 next header, NDP type */
	__be16 type;

	if (ctx_load_bytes(c, off, &type, sizeof(type)))
		return ctx_verdict(c, XGLB_IN_PASS_VLAN, CTX_ACT_PASS);
	if (type == bpf_htons(XGLB_ETH_P_ARP))
		return ctx_verdict(c, XGLB_IN_PASS_VLAN_ARP, CTX_ACT_PASS);
	if (type == bpf_htons(XGLB_ETH_P_IPV6) && !ctx_load_bytes(c, off + 2 + 6, &ip6[0], 1) &&
	    !ctx_load_bytes(c, off + 2 + 40, &ip6[1], 1) && ip6[0] == XGLB_IPPROTO_ICMPV6 &&
	    (__u8)(ip6[1] - XGLB_ND_RS) <= XGLB_ND_REDIRECT - XGLB_ND_RS)
		return ctx_verdict(c, XGLB_IN_PASS_VLAN_NDP, CTX_ACT_PASS);
	if (is_vmac(eth->h_dest))
		return ctx_verdict(c, XGLB_IN_PASS_VLAN_VMAC, CTX_ACT_PASS);
	return ctx_verdict(c, XGLB_IN_PASS_VLAN, CTX_ACT_PASS);
}

#endif

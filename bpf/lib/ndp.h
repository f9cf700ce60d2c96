/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ndp.h - IPv6 neighbour discovery for the groups' virtual IPv6 addresses: NS answered, claims
 * refused. */
#ifndef XGLB_BPF_NDP_H
#define XGLB_BPF_NDP_H

#include "common.h"
#include "ctx.h"
#include "policy.h"
#include "hosts.h"
#include "arp.h" /* lease_expired */

/*
 * What ARP is to the VIP (arp.h), neighbour discovery is to a group's
 * virtual IPv6 addresses (its virtual link-local and its vip6 addresses,
 * xglb_vips6): the AVG answers a neighbour solicitation (NS) with a
 * neighbour advertisement (NA) naming the host's forwarder, chosen by the
 * host's MAC in the same host table as ARP, so a dual-stack host has one
 * forwarder for both families; the owner of a vMAC answers the unicast NS
 * a host sends it to confirm it (NUD); a duplicate address probe for a
 * virtual address is defended; NS, NA and RA claiming a virtual address
 * from anyone else never reach the local stack, and a claim by a station
 * that is no vMAC of the group is reported to the agent (ndp_claim). Only frames about a
 * virtual address are judged (RFC 4861 validity checks included): every
 * other NDP frame passes untouched, for the kernel to judge.
 *
 * Offsets in an untagged Ethernet frame: IPv6 header at 14, ICMPv6 at 54,
 * the NS/NA target at 62, options from 78 (struct xglb_na_frame).
 */
#define NDP_L3	   14
#define NDP_SADDR  22
#define NDP_DADDR  38
#define NDP_ICMP   54
#define NDP_TARGET 62
#define NDP_FIXED  24 /* ICMPv6 bytes of an NS or NA before its options */
#define NDP_NA_LEN ((__u32)sizeof(struct xglb_na_frame))

/*
 * The group id of virtual IPv6 address a (16 bytes, any alignment) in
 * bank, 0 if none. Most addresses that are none (a host's source) end in
 * a byte no virtual address ends in: the bank's skip bits (in the control
 * word the caller holds) tell so without touching the index.
 */
static __always_inline __u32 vip6_gid(const struct xglb_ctl *ctl, __u32 bank, const __u8 *a)
{
	__u64 lo, hi;
	__u32 home;

	if (XGLB_READ_ONCE(ctl->vip6_skip[bank & 1]) & XGLB_VIP6_SKIP_BIT(a))
		return 0;
	/* the address as two words: one hash of two independent multiplies, two compares a slot */
	lo = ld64(a);
	hi = ld64(a + 8);
	home = xglb_vip6_hash2(lo, hi, ctl->vip6_mult[bank & 1]);

#pragma unroll
	for (__u32 i = 0; i < XGLB_VIP6_PROBES; i++) {
		__u32 key = XGLB_VIP6_KEY(bank & 1, (home + i) & (XGLB_VIP6_SLOTS - 1));
		const struct xglb_vip6_slot *s = bpf_map_lookup_elem(&xglb_vips6, &key);

		if (!s || !s->gid)
			return 0;
		if (((ld64(s->addr) ^ lo) | (ld64(s->addr + 8) ^ hi)) == 0)
			return s->gid;
	}
	return 0;
}

static __always_inline bool ip6_is_unspecified(const __u8 *a)
{
	return (ld32(a) | ld32(a + 4) | ld32(a + 8) | ld32(a + 12)) == 0;
}

/* ff02::1:ffXX:XXXX, the solicited-node group of target (RFC 4291 2.7.1). */
static __always_inline bool ip6_is_solicited_node_of(const __u8 *a, const __u8 *target)
{
	return ld32(a) == bpf_htonl(0xff020000) && ld32(a + 4) == 0 &&
	       ld32(a + 8) == bpf_htonl(0x00000001) && a[12] == 0xff && a[13] == target[13] &&
	       ld16(a + 14) == ld16(target + 14);
}

/* Fold a sum of 32-bit words into the 16-bit one's complement sum. */
static __always_inline __u32 csum_fold32(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u32)s;
}

/* The sum of the four 32-bit words of the IPv6 address at a (any alignment). */
static __always_inline __u64 ip6_sum(const __u8 *a)
{
	return (__u64)ld32(a) + ld32(a + 4) + ld32(a + 8) + ld32(a + 12);
}

/* ff02::1 (all nodes) as a sum of 32-bit words, as ip6_sum would load them. */
#define NDP_ALL_NODES_SUM ((__u64)bpf_htonl(0xff020000) + bpf_htonl(1))

/*
 * A vMAC this node may announce for group g: one it owns, or, as AVG, any
 * live forwarder's (the AVG hands hosts every forwarder). The egress
 * guard's rule for ARP (guard.h), for NDP.
 */
static __always_inline bool ndp_may_announce(const struct xglb_group *g, const __u8 *mac)
{
	__u32 idx = mac[5] & (XGLB_MAX_FWD - 1);

	return is_vmac(mac) && mac[4] == g->id && mac[5] < g->n_fwd &&
	       (g->fwd[idx].flags & XGLB_FWD_ACTIVE) &&
	       ((g->fwd[idx].flags & XGLB_FWD_LOCAL) || (g->flags & XGLB_GRP_AVG));
}

/*
 * Turn the NS at c->data in place into the NA "target is at tlla": to
 * dst_mac and the solicitation's source, or for a duplicate address probe
 * (dad) to all nodes (ff02::1, 33:33:00:00:00:01); from ifmac and the
 * target itself. An NS without options (78 bytes) first grows to the NA's
 * 86; a longer one keeps its tail, past the payload length, as padding.
 * False if the frame could not grow.
 *
 * The checksum is not summed again over the NA: base is the sum (32-bit
 * words, unfolded) of what the NA keeps from the NS, read while the NS
 * was verified (ndp_na_base): its pseudo-header's length, next header and
 * two addresses (the target as source, the NS's source as destination:
 * :: for a probe, whose destination ff02::1 is added here) and the
 * target. Only the words written here are added: type, flags, option.
 */
static __always_inline bool ndp_make_na(struct xglb_ctx *c, const __u8 *dst_mac, const __u8 *ifmac,
					const __u8 *tlla, __u8 flags, bool dad, __u64 base)
{
	struct xglb_na_frame *f;
	__u8 *p;
	__u64 s;

	/* the helper that reads the length is called only for a frame shorter than an NA */
	if (c->data + NDP_NA_LEN > c->data_end && ctx_len(c) < NDP_NA_LEN &&
	    !ctx_grow(c, NDP_NA_LEN))
		return false;
	if (!ctx_pull(c, NDP_NA_LEN))
		return false;
	p = c->data;
	f = c->data;
	if (dad) {
		st32(f->eth_dst, bpf_htonl(0x33330000));
		st16(f->eth_dst + 4, bpf_htons(0x0001));
		/* the source (::) moves nowhere: the destination is all nodes */
		st32(f->daddr, bpf_htonl(0xff020000));
		st32(f->daddr + 4, 0);
		st32(f->daddr + 8, 0);
		st32(f->daddr + 12, bpf_htonl(1));
		base += NDP_ALL_NODES_SUM;
	} else {
		mac_copy(f->eth_dst, dst_mac);
#pragma unroll
		for (int i = 0; i < 16; i += 4)
			st32(f->daddr + i, ld32(f->saddr + i));
	}
	mac_copy(f->eth_src, ifmac);
#pragma unroll
	for (int i = 0; i < 16; i += 4)
		st32(f->saddr + i, ld32(f->target + i));
	st32(p + NDP_L3, bpf_htonl(0x60000000));
	st16(p + NDP_L3 + 4, bpf_htons(NDP_NA_LEN - NDP_ICMP));
	/* next header and hop limit (58, 255) were checked in the request */
	st32(p + NDP_ICMP, bpf_htonl(XGLB_ND_NA << 24)); /* type, code 0, checksum 0 */
	st32(p + NDP_ICMP + 4, bpf_htonl((__u32)flags << 24));
	st16(p + NDP_TARGET + 16, bpf_htons(XGLB_ND_OPT_TLLA << 8 | 1));
	mac_copy(f->tlla, tlla);

	s = base + bpf_htonl(XGLB_ND_NA << 24) + bpf_htonl((__u32)flags << 24) +
	    ld32(p + NDP_TARGET + 16) + ld32(p + NDP_TARGET + 20);
	st16(p + NDP_ICMP + 2, (__u16)~csum_fold32(s));
	return true;
}

/*
 * The sums an NS at p (payload plen, its first 78 bytes readable) is
 * checked and answered with, each address summed once: the return value,
 * its pseudo-header's (RFC 8200 8.1: length, next header, both
 * addresses), to which the ICMPv6 bytes add up to 0xffff when the
 * checksum is right; *base, what the NA keeps of it (ndp_make_na): its
 * length and next header, the target as source, the NS's source as
 * destination, and the target; *src, the source's sum: 0 only for ::
 * (a duplicate address probe); *tgt, the target's.
 */
static __always_inline __u64 ndp_ns_sums(const __u8 *p, __u32 plen, __u64 *src, __u64 *tgt,
					 __u64 *base)
{
	*src = ip6_sum(p + NDP_SADDR);
	*tgt = ip6_sum(p + NDP_TARGET);
	*base = (__u64)bpf_htonl(NDP_NA_LEN - NDP_ICMP) + bpf_htonl(XGLB_IPPROTO_ICMPV6) + *src +
		2 * *tgt;
	return (__u64)bpf_htonl(plen) + bpf_htonl(XGLB_IPPROTO_ICMPV6) + *src +
	       ip6_sum(p + NDP_DADDR);
}

/* The group's first live forwarder, -1 if none. */
static __always_inline int ndp_first_live(const struct xglb_group *g)
{
	for (int i = 0; i < XGLB_MAX_FWD; i++)
		if (i < g->n_fwd && (g->fwd[i].flags & XGLB_FWD_ACTIVE))
			return i;
	return -1;
}

/*
 * An NS for virtual address of group gid: RFC 4861 7.1.1's validity
 * checks, then the answer. plen: the IPv6 payload length, >= 24, and the
 * frame holds it. The common NS (32 bytes: one option) is checked where
 * it lies; any other in a copy on the stack, zero-padded to
 * XGLB_NDP_MAX_LEN (zeros change no checksum), so neither loop depends on
 * the frame's length.
 *
 * Answers: the AVG names the host's forwarder (TX_NA_REPLY); the owner
 * of a vMAC the NS was sent to confirms it (TX_NA_UNICAST, as
 * arp_confirm_vmac); the AVG defends a duplicate address probe (source
 * ::) with an NA to all nodes (RFC 4862 5.4.3), Solicited clear as RFC
 * 4861 7.2.4 asks and Override clear, so the hosts that hear it keep the
 * forwarder they cached; it names the group's first live forwarder
 * (TX_NA_DAD).
 *
 * The AVG's answer to a host the host table holds (host_fwd's `held`)
 * is kept in the host's front-cache entry for ndp_known: the target,
 * under flips (as read before bank, arp_flips_bank), with the interface,
 * its MAC and the vMAC.
 */
static __always_inline int ndp_solicit(struct xglb_ctx *c, const struct xglb_ctl *ctl, __u32 bank,
				       __u32 gid, __u32 plen, __u32 flips)
{
	struct xglb_host_cached *held = NULL;
	const struct xglb_group *g;
	const __u8 *ifmac;
	__u8 host[8] __attribute__((aligned(8))), *p;
	__u32 off = NDP_FIXED, reason, flags, ifindex;
	__u64 s, now, src, tgt, base;
	bool dad, slla = false;
	int idx;

	if (plen > XGLB_NDP_MAX_LEN || (plen & 7))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
	p = c->data;
	if ((void *)(p + NDP_TARGET + 16) > c->data_end)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
	if (p[NDP_L3 + 7] != XGLB_ND_HOP_LIMIT)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_HOP_LIMIT, CTX_ACT_DROP);
	mac_copy(host, p + 6);
	s = ndp_ns_sums(p, plen, &src, &tgt, &base);
	if (plen == NDP_FIXED + 8 && (void *)(p + NDP_ICMP + NDP_FIXED + 8) <= c->data_end) {
		/*
		 * The common NS (Linux's, with its SLLA): 32 bytes read where they
		 * lie, one option of 8 bytes. The same checks as below.
		 */
		const __u8 *o = p + NDP_ICMP + NDP_FIXED;

		s += (__u64)ld32(p + NDP_ICMP) + ld32(p + NDP_ICMP + 4) + tgt + ld32(o) +
		     ld32(o + 4);
		if (csum_fold32(s) != 0xffff)
			return ctx_verdict(c, XGLB_IN_DROP_NDP_CHECKSUM, CTX_ACT_DROP);
		if (p[NDP_ICMP + 1] != 0 || p[NDP_TARGET] == 0xff || o[1] != 1)
			return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
		if (o[0] == XGLB_ND_OPT_SLLA) {
			if (ld16(o + 2) != ld16(host) || ld32(o + 4) != ld32(host + 2))
				return ctx_verdict(c, XGLB_IN_DROP_NDP_BAD_SENDER, CTX_ACT_DROP);
			slla = true;
		}
	} else {
		/* anything else: a zero-padded copy on the stack (zeros change no checksum) */
		__u64 buf[XGLB_NDP_MAX_LEN / 8] = {0};
		const __u8 *b = (const __u8 *)buf;

		if (ctx_load_bytes(c, NDP_ICMP, buf, plen))
			return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
			/* the checksum, over the pseudo-header and every ICMPv6 byte */
#pragma unroll
		for (int i = 0; i < XGLB_NDP_MAX_LEN / 8; i++)
			s += (buf[i] & 0xffffffff) + (buf[i] >> 32);
		if (csum_fold32(s) != 0xffff)
			return ctx_verdict(c, XGLB_IN_DROP_NDP_CHECKSUM, CTX_ACT_DROP);
		if (b[1] != 0 ||
		    b[NDP_TARGET - NDP_ICMP] == 0xff) /* code 0, target not multicast */
			return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
		/*
		 * Options: each at least 8 bytes, together exactly the rest; at
		 * most one SLLA, 6 bytes, repeating the Ethernet source (the host).
		 */
		for (int i = 0; i < (XGLB_NDP_MAX_LEN - NDP_FIXED) / 8; i++) {
			__u32 o = off & (XGLB_NDP_MAX_LEN - 8);

			if (off >= plen)
				break;
			if (b[o + 1] == 0)
				return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
			if (b[o] == XGLB_ND_OPT_SLLA) {
				if (b[o + 1] != 1 || slla)
					return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID,
							   CTX_ACT_DROP);
				if (ld16(b + o + 2) != ld16(host) ||
				    ld32(b + o + 4) != ld32(host + 2))
					return ctx_verdict(c, XGLB_IN_DROP_NDP_BAD_SENDER,
							   CTX_ACT_DROP);
				slla = true;
			}
			off += b[o + 1] * 8u;
		}
		if (off != plen)
			return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
	}
	/*
	 * A duplicate address probe carries no SLLA and goes to the target's
	 * solicited-node group; any other multicast NS names its sender's MAC
	 * (Linux answers none without one).
	 */
	dad = src == 0;
	if (dad ? slla || !ip6_is_solicited_node_of(p + NDP_DADDR, p + NDP_TARGET)
		: !slla && p[NDP_DADDR] == 0xff)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
	if (!is_host_mac(host))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_BAD_SENDER, CTX_ACT_DROP);

	g = group_get(bank, gid);
	if (!g)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_NO_FWD, CTX_ACT_DROP);
	/* read once: at XDP three chained loads, not kept by the compiler across calls */
	ifindex = ctx_ifindex(c);
	ifmac = group_iface_mac(g, ifindex);
	if (!ifmac)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_IFACE, CTX_ACT_DROP);
	now = bpf_jiffies64();
	if (lease_expired(ctl, now))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_LEASE, CTX_ACT_DROP);
	p = c->data;
	if ((void *)(p + NDP_TARGET + 16) > c->data_end)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
	flags = XGLB_NA_ROUTER | XGLB_NA_SOLICITED | XGLB_NA_OVERRIDE;
	if (dad) {
		if (!(g->flags & XGLB_GRP_AVG))
			return ctx_verdict(c, XGLB_IN_DROP_NDP_NOT_AVG, CTX_ACT_DROP);
		if (!group_answers_on(g, ifindex))
			return ctx_verdict(c, XGLB_IN_DROP_NDP_OTHER_NIC, CTX_ACT_DROP);
		idx = ndp_first_live(g);
		if (idx < 0)
			return ctx_verdict(c, XGLB_IN_DROP_NDP_NO_FWD, CTX_ACT_DROP);
		flags = XGLB_NA_ROUTER;
		reason = XGLB_IN_TX_NA_DAD;
	} else if (is_vmac(p)) {
		idx = p[5] & (XGLB_MAX_FWD - 1);
		if (p[4] != g->id || p[5] >= g->n_fwd || !(g->fwd[idx].flags & XGLB_FWD_ACTIVE))
			return ctx_verdict(c, XGLB_IN_DROP_VMAC_UNKNOWN, CTX_ACT_DROP);
		if (!(g->fwd[idx].flags & XGLB_FWD_LOCAL))
			return ctx_verdict(c, XGLB_IN_DROP_VMAC_REMOTE, CTX_ACT_DROP);
		reason = XGLB_IN_TX_NA_UNICAST;
	} else {
		if (!(g->flags & XGLB_GRP_AVG))
			return ctx_verdict(c, XGLB_IN_DROP_NDP_NOT_AVG, CTX_ACT_DROP);
		/* a multicast NS reaches each of our interfaces on the segment: one answers */
		if (!group_answers_on(g, ifindex))
			return ctx_verdict(c, XGLB_IN_DROP_NDP_OTHER_NIC, CTX_ACT_DROP);
		reason = XGLB_IN_TX_NA_REPLY;
		idx = host_fwd(ctl, g, host, 0, XGLB_HOST_NDP, now, &reason,
			       XGLB_IN_TX_NA_UNTRACKED, XGLB_IN_TX_NA_RATE_LIMITED, &held);
		if (idx < 0)
			return ctx_verdict(c, XGLB_IN_DROP_NDP_NO_FWD, CTX_ACT_DROP);
	}
	{
		__u8 ifsrc[8] __attribute__((aligned(8))), tlla[8] __attribute__((aligned(8)));

		/* copies: a frame that grows may move, and the group may not be read after */
		mac_copy(ifsrc, ifmac);
		mac_copy(tlla, g->fwd[idx & (XGLB_MAX_FWD - 1)].vmac);
		if (held) {
			if (!host_cache_answer(held, flips, ifindex, ifsrc, tlla))
				held->arp = 0; /* another ARP answer than the one kept */
			*(xglb_u64a *)held->vip6 = ld64(p + NDP_TARGET);
			*(xglb_u64a *)(held->vip6 + 8) = ld64(p + NDP_TARGET + 8);
			held->ns = 1;
		}
		if (!ndp_make_na(c, host, ifsrc, tlla, (__u8)flags, dad, base))
			return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
	}
	/* the usual answer counted under a constant: no run-time search for its counter block */
	if (reason == XGLB_IN_TX_NA_REPLY)
		return ctx_verdict(c, XGLB_IN_TX_NA_REPLY, CTX_ACT_TX);
	return ctx_verdict(c, reason, CTX_ACT_TX);
}

/*
 * Is the frame (Ethernet type IPv6) an ICMPv6 NDP message, RS to
 * Redirect, without extension headers? Its first 55 bytes are then
 * readable. A tag taken out by the driver (tc) makes it a tagged frame,
 * as XDP would see it: not ours.
 */
static __always_inline bool ndp_is_ndp(struct xglb_ctx *c)
{
	const __u8 *p;

	if (ctx_vlan_offloaded(c) || !ctx_pull(c, NDP_ICMP + 1))
		return false;
	p = c->data;
	return p[NDP_L3 + 6] == XGLB_IPPROTO_ICMPV6 &&
	       (__u8)(p[NDP_ICMP] - XGLB_ND_RS) <= XGLB_ND_REDIRECT - XGLB_ND_RS;
}

/*
 * A known host soliciting again, answered from its front-cache entry
 * alone (include/xglb.h, xglb_host_cached), as arp_known answers ARP:
 * when the entry holds an NS answer of the AVG kept under the bank flip
 * still in force (so the IPv6 index, the group and its forwarders are
 * what they were: the target is still a virtual address of the entry's
 * group, the interface still the group's and its answering one, the
 * forwarder still live), for the same host (the Ethernet source, and the
 * SLLA repeating it) soliciting the same target on the same interface,
 * not to a vMAC, an established NDP host, within the entry's second and
 * host generation, with the lease in force; and the NS is the common one
 * (one option, the SLLA, all of it in the first buffer) and passes every
 * check ndp_solicit makes of it: hop limit 255, code 0, its checksum, not
 * a duplicate address probe. Then the NA is the one ndp_solicit would
 * send, byte for byte, and its verdict, counted alike (xdp_tx_na_reply).
 * -1: nothing written, the full path judges the frame. Called only for an
 * NS whose source is no virtual address (handle_ndp).
 */
static __always_inline int ndp_known(struct xglb_ctx *c, const struct xglb_ctl *ctl, __u32 flips,
				     __u32 plen)
{
	const __u8 need = XGLB_HOST_ESTABLISHED | XGLB_HOST_NDP;
	__u8 host[8] __attribute__((aligned(8))), *p = c->data;
	struct xglb_host_cached *e;
	__u64 mac, src, tgt, s, base, now;
	const __u8 *o;
	__u32 slot;

	if (plen != NDP_FIXED + 8 || (void *)(p + NDP_NA_LEN) > c->data_end)
		return -1;
	o = p + NDP_ICMP + NDP_FIXED;
	if (is_vmac(p) || p[NDP_L3 + 7] != XGLB_ND_HOP_LIMIT || p[NDP_ICMP + 1] != 0 ||
	    ld16(o) != bpf_htons(XGLB_ND_OPT_SLLA << 8 | 1) || ld16(o + 2) != ld16(p + 6) ||
	    ld32(o + 4) != ld32(p + 8) || !is_host_mac(p + 6))
		return -1;
	mac = (__u64)ld16(p + 6) | (__u64)ld32(p + 8) << 16;
	slot = xglb_host_cache_slot(mac << 16);
	e = bpf_map_lookup_elem(&xglb_host_cache, &slot);
	if (!e || !e->ns || e->key >> 16 != mac || ld64(e->vip6) != ld64(p + NDP_TARGET) ||
	    ld64(e->vip6 + 8) != ld64(p + NDP_TARGET + 8) || e->ifindex != ctx_ifindex(c) ||
	    e->flips != flips || e->gen != XGLB_READ_ONCE(ctl->hosts_gen) ||
	    (e->flags & need) != need)
		return -1;
	s = ndp_ns_sums(p, plen, &src, &tgt, &base);
	s += (__u64)ld32(p + NDP_ICMP) + ld32(p + NDP_ICMP + 4) + tgt + ld32(o) + ld32(o + 4);
	if (!src || csum_fold32(s) != 0xffff)
		return -1;
	now = bpf_jiffies64();
	if ((__s32)(e->until - (__u32)now) <= 0 || lease_expired(ctl, now))
		return -1;
	mac_copy(host, p + 6);
	/* the frame holds an NA already: it neither grows nor moves, so this never fails */
	if (!ndp_make_na(c, host, e->ifmac, e->vmac,
			 XGLB_NA_ROUTER | XGLB_NA_SOLICITED | XGLB_NA_OVERRIDE, false, base))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
	return ctx_verdict(c, XGLB_IN_TX_NA_REPLY, CTX_ACT_TX);
}

#define NDP_CLAIM_OPTS 16 /* options ndp_claim walks: more, and it takes the Ethernet source */

/*
 * An NS, NA or RA about virtual address `at` (NDP_SADDR: an NS or RA from
 * it, or an NA from it about no virtual target; NDP_TARGET: an NA about
 * it) of group gid, from any Ethernet source: hosts never look at it, so
 * a vMAC there makes no peer. Dropped either way, so the kernel never sees
 * it; the question is whether it is a claim. Hosts take a neighbour's MAC
 * from the message's link-layer address option (RFC 4861 6.3.4, 7.2.3,
 * 7.2.5): the TLLA of an NA, the SLLA of an NS or RA, and a node of the
 * group only ever announces a vMAC of the group there (the egress guard,
 * guard_ndp), or, in an RA or NS, nothing: every node's RAs from the
 * virtual link-local leave from its real MAC without SLLA (ra.c).
 *
 * So: the announced MAC is the first such option's, or, for an NA
 * without a TLLA or a message whose options cannot be walked (a length
 * 0, one past the frame, more than NDP_CLAIM_OPTS), the Ethernet source.
 * An NS or RA announcing nothing, or any message announcing a vMAC of
 * a forwarder of group gid (its index below n_fwd): a peer's (drop_ndp_peer, no event). Anything
 * else claims the address for another station (drop_ndp_vip_conflict), reported to the agent
 * (conflict_report6: the address, the offender, the MAC it announces), whose AVG tells the group's
 * IPv6 hosts their vMAC again (user/xglbd/conflict.c). The hop limit and checksum are not checked:
 * a frame the hosts would refuse costs a harmless defence at most.
 */
static __always_inline int ndp_claim(struct xglb_ctx *c, const struct xglb_ctl *ctl, __u32 bank,
				     __u32 gid, __u8 type, __u32 plen, __u32 at, __u32 icmp)
{
	__u8 addr[16] __attribute__((aligned(8))), src[8] __attribute__((aligned(8))),
	    lla[8] __attribute__((aligned(8))), o[2];
	__u8 want = type == XGLB_ND_NA ? XGLB_ND_OPT_TLLA : XGLB_ND_OPT_SLLA;
	__u32 off = type == XGLB_ND_RA ? 16 : NDP_FIXED;
	bool found = false, walked = false;
	const struct xglb_group *g;
	const __u8 *p = c->data;

	if ((void *)(p + NDP_ICMP) > c->data_end || ctx_load_bytes(c, at & 0xffff, addr, 16))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
	mac_copy(src, p + 6);
	for (int i = 0; i < NDP_CLAIM_OPTS; i++) {
		if (off >= plen) {
			walked = true;
			break;
		}
		if (ctx_load_bytes(c, icmp + (off & 0xffff), o, 2) || !o[1])
			break;
		if (o[0] == want) {
			found = !ctx_load_bytes(c, icmp + 2 + (off & 0xffff), lla, 6);
			break;
		}
		off += o[1] * 8u;
	}
	if (!found && walked && type != XGLB_ND_NA)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP); /* announces nothing */
	if (!found)
		mac_copy(lla, src);
	g = group_get(bank, gid);
	if (g && is_vmac(lla) && lla[4] == gid && lla[5] < g->n_fwd)
		return ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP);
	conflict_report6(ctl, bank, gid, type, src, lla, addr, ctx_ifindex(c));
	return ctx_verdict(c, XGLB_IN_DROP_NDP_VIP_CONFLICT, CTX_ACT_DROP);
}

/*
 * Every NDP message (ndp_is_ndp) reaching the node. Naming a virtual
 * address as its source, or an NA about one, whatever its Ethernet
 * source, or anything else from a vMAC (a peer xglb's): dropped, so the kernel never sees a station
 * claim a virtual address; a claim by a station that is no vMAC of the group is counted apart and
 * reported (ndp_claim). An NS for a virtual address: judged and answered (ndp_solicit). Everything
 * else passes.
 */
static __always_inline int handle_ndp(struct xglb_ctx *c)
{
	const struct xglb_ctl *ctl;
	__u32 bank, gid, plen, flips;
	__u8 *p = c->data, type;
	bool peer;
	int act;

	type = p[NDP_ICMP];
	peer = is_vmac(p + 6);
	if (type != XGLB_ND_NS && type != XGLB_ND_NA && type != XGLB_ND_RA)
		return peer ? ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP)
			    : ctx_verdict(c, XGLB_IN_PASS_NDP_OTHER, CTX_ACT_PASS);
	plen = bpf_ntohs(ld16(p + NDP_L3 + 4));
	/* the frame's length (a helper call at XDP) is asked only when its linear part is shorter
	 */
	if (plen < (type == XGLB_ND_RA ? 16 : NDP_FIXED) ||
	    (c->data + NDP_ICMP + plen > c->data_end && ctx_len(c) < NDP_ICMP + plen) ||
	    !ctx_pull(c, type == XGLB_ND_RA ? NDP_ICMP + 16 : NDP_TARGET + 16))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
	ctl = ctl_get();
	if (!ctl)
		return peer ? ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP)
			    : ctx_verdict(c, XGLB_IN_PASS_NDP_OTHER, CTX_ACT_PASS);
	bank = arp_flips_bank(ctl, &flips);
	p = c->data;
	/* a virtual address as source: a peer's RA, or a station claiming it (an NA: its target
	 * first, if that is virtual too) */
	if (!ip6_is_unspecified(p + NDP_SADDR) && (gid = vip6_gid(ctl, bank, p + NDP_SADDR))) {
		__u32 tgid = type == XGLB_ND_NA ? vip6_gid(ctl, bank, p + NDP_TARGET) : 0;

		if (tgid)
			return ndp_claim(c, ctl, bank, tgid, type, plen, NDP_TARGET, NDP_ICMP);
		return ndp_claim(c, ctl, bank, gid, type, plen, NDP_SADDR, NDP_ICMP);
	}
	/* a vMAC's frame that claims no virtual address: an NA about one is judged as any */
	if (peer && (type != XGLB_ND_NA || !vip6_gid(ctl, bank, p + NDP_TARGET)))
		return ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP);
	if (type == XGLB_ND_RA)
		return ctx_verdict(c, XGLB_IN_PASS_NDP_OTHER, CTX_ACT_PASS);
	if (type == XGLB_ND_NS) {
		act = ndp_known(c, ctl, flips, plen);
		if (act >= 0)
			return act;
	}
	gid = vip6_gid(ctl, bank, p + NDP_TARGET);
	if (!gid)
		return ctx_verdict(c, XGLB_IN_PASS_NDP_OTHER, CTX_ACT_PASS);
	if (type == XGLB_ND_NA)
		return ndp_claim(c, ctl, bank, gid, type, plen, NDP_TARGET, NDP_ICMP);
	return ndp_solicit(c, ctl, bank, gid, plen, flips);
}

/*
 * An IPv6 frame whose first header is a hop-by-hop, destination options or
 * routing header (ndp_is_ndp said no): is an NDP message behind them,
 * at most XGLB_STEER6_EXT_MAX headers deep, about a virtual address? Then
 * *act is the verdict and true. Hosts take NDP behind such headers as
 * readily as right behind the IPv6 header (Linux: ip6_input hands the
 * ICMPv6 message to ndisc_rcv wherever it starts; ndisc_rcv refuses only a
 * fragmented one, suppress_frag_ndisc, a hop limit other than 255 and a
 * code other than 0), so one from a virtual address, or an NA about one,
 * whatever its Ethernet source, is judged as handle_ndp judges it (ndp_claim, the ICMPv6 message
 * where the headers end): a claim is drop_ndp_vip_conflict and reported, so the AVG defends the
 * hosts against it. An NS for one (xglb answers only an NS right behind the IPv6 header, as every
 * host sends it): drop_ndp_invalid. Anything else from a vMAC is a peer's (drop_ndp_peer).
 * Otherwise false, and the frame goes on as any other (a fragmented NDP message the kernel drops
 * itself, RFC 6980).
 */
static __always_inline bool ndp_ext_claim(struct xglb_ctx *c, int *act)
{
	const struct xglb_ctl *ctl;
	__u8 h[2], tgt[16] __attribute__((aligned(8)));
	__u32 off = NDP_ICMP, bank, flips, gid, tgid = 0, plen;
	__u8 nh, *p;
	bool peer;

	if (!ctx_pull(c, NDP_ICMP))
		return false;
	p = c->data;
	nh = p[NDP_L3 + 6];
	if (nh != XGLB_IPPROTO_HOPOPTS && nh != XGLB_IPPROTO_DSTOPTS && nh != XGLB_IPPROTO_ROUTING)
		return false;
	for (int i = 0; i < XGLB_STEER6_EXT_MAX; i++) {
		if (nh != XGLB_IPPROTO_HOPOPTS && nh != XGLB_IPPROTO_DSTOPTS &&
		    nh != XGLB_IPPROTO_ROUTING)
			break;
		if (off > 0xffff || ctx_load_bytes(c, off & 0xffff, h, 2))
			return false;
		nh = h[0];
		off += (h[1] + 1u) * 8;
	}
	if (nh != XGLB_IPPROTO_ICMPV6 || off > 0xffff || ctx_load_bytes(c, off & 0xffff, h, 1))
		return false;
	if ((__u8)(h[0] - XGLB_ND_RS) > XGLB_ND_REDIRECT - XGLB_ND_RS)
		return false;
	p = c->data;
	if ((void *)(p + NDP_ICMP) > c->data_end)
		return false;
	peer = is_vmac(p + 6);
	if (h[0] != XGLB_ND_NS && h[0] != XGLB_ND_NA && h[0] != XGLB_ND_RA) {
		if (!peer)
			return false;
		*act = ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP);
		return true;
	}
	ctl = ctl_get();
	if (!ctl) {
		if (!peer)
			return false;
		*act = ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP);
		return true;
	}
	bank = arp_flips_bank(ctl, &flips);
	p = c->data;
	if ((void *)(p + NDP_ICMP) > c->data_end)
		return false;
	/* the ICMPv6 message's length: the payload's, less the headers before it */
	plen = (__u32)bpf_ntohs(ld16(p + NDP_L3 + 4)) + NDP_ICMP - off;
	if (plen > 0xffff || plen < (h[0] == XGLB_ND_RA ? 16u : NDP_FIXED)) {
		*act = ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
		return true;
	}
	if (h[0] != XGLB_ND_RA) {
		if (ctx_load_bytes(c, (off + 8) & 0xffff, tgt, 16)) {
			*act = ctx_verdict(c, XGLB_IN_DROP_NDP_MALFORMED, CTX_ACT_DROP);
			return true;
		}
		tgid = vip6_gid(ctl, bank, tgt);
	}
	p = c->data;
	if ((void *)(p + NDP_ICMP) > c->data_end)
		return false;
	if (!ip6_is_unspecified(p + NDP_SADDR) && (gid = vip6_gid(ctl, bank, p + NDP_SADDR))) {
		if (h[0] == XGLB_ND_NA && tgid)
			*act = ndp_claim(c, ctl, bank, tgid, h[0], plen, (off + 8) & 0xffff,
					 off & 0xffff);
		else
			*act = ndp_claim(c, ctl, bank, gid, h[0], plen, NDP_SADDR, off & 0xffff);
		return true;
	}
	if (peer && (!tgid || h[0] != XGLB_ND_NA)) {
		*act = ctx_verdict(c, XGLB_IN_DROP_NDP_PEER, CTX_ACT_DROP);
		return true;
	}
	if (!tgid)
		return false;
	if (h[0] == XGLB_ND_NA)
		*act = ndp_claim(c, ctl, bank, tgid, h[0], plen, (off + 8) & 0xffff, off & 0xffff);
	else
		*act = ctx_verdict(c, XGLB_IN_DROP_NDP_INVALID, CTX_ACT_DROP);
	return true;
}

/* ---- egress ------------------------------------------------------------ */

#define NDP_GUARD_OPTS 16 /* options the guard walks; an announcement with more leaves no more */

/*
 * tc egress, an IPv6 frame: an NA about a virtual address, or an NS or
 * RA from one, leaves only if the link-layer address it announces (TLLA
 * of the NA, SLLA of the NS or RA) is a vMAC this node may announce
 * (ndp_may_announce), else tc_egress_drop_vip_ndp. An NA about a virtual
 * address must announce one (tc_egress_drop_ndp_no_tlla); an NS or RA
 * that announces none (the RAs of the virtual link-local) passes:
 * hosts take a router's or neighbour's MAC from the option only (RFC
 * 4861 6.3.4, 7.2.3), never from the Ethernet source, which is the
 * interface's real MAC on every frame a router sends. Options of length
 * 0, or more than the guard walks: tc_egress_drop_ndp_options. Rare on
 * egress: read with bpf_skb_load_bytes.
 */
/*
 * tc egress, an ICMPv6 redirect. IPv6 has no send_redirects sysctl, so
 * the kernel of a router sends one whenever it forwards a packet out of
 * the interface it came in on, from a link-local of that interface it
 * picks itself: possibly the virtual link-local, which hosts would
 * believe (it is their first hop, RFC 4861 8.1), and a group's hosts
 * must keep sending to their vMAC whatever the kernel thinks of a
 * better hop. So no redirect leaves a group's interface: from a virtual
 * address tc_egress_drop_redirect_virt, any other
 * tc_egress_drop_redirect. On an interface that is only a steering
 * segment (no XGLB_IFACE_GROUP in xglb_ifaces) redirects are the
 * kernel's business and pass.
 */
static __always_inline int guard_redirect(struct __sk_buff *skb)
{
	__u8 src[16] __attribute__((aligned(8)));
	const struct xglb_iface *ifc;
	struct xglb_ctl *ctl = ctl_get();
	__u32 ifindex = skb->ifindex;

	if (ctl && !bpf_skb_load_bytes(skb, NDP_SADDR, src, 16) &&
	    vip6_gid(ctl, XGLB_READ_ONCE(ctl->active_bank) & 1, src))
		return verdict(XGLB_R_TC_EGRESS_DROP_REDIRECT_VIRT, XGLB_TC_ACT_SHOT);
	ifc = bpf_map_lookup_elem(&xglb_ifaces, &ifindex);
	if (ifc && (ifc->flags & XGLB_IFACE_GROUP))
		return verdict(XGLB_R_TC_EGRESS_DROP_REDIRECT, XGLB_TC_ACT_SHOT);
	return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
}

/*
 * An NS the kernel sends from a virtual address to resolve a host: it
 * answers a packet to that address (a host pinging the gateway) from it,
 * and takes the NS's source from the packet waiting for the answer, so it
 * names the interface's real MAC (mac) in its SLLA. Such an NS would tell
 * the host "the virtual address is at a real MAC", and dropped it leaves
 * the host unreachable. So it leaves with the interface's own link-local
 * (xglb_ifaces) as its source in place of addr: the host answers that
 * address, at the real MAC, and the kernel's neighbour entry completes.
 * The checksum follows the source (RFC 1624 arithmetic over the old and
 * new 32-bit words). Without a known link-local, or if mac is not the
 * interface's own: tc_egress_drop_vip_ndp as before.
 */
static __always_inline int guard_ns_own_ll(struct __sk_buff *skb, const __u8 *addr, const __u8 *mac)
{
	__u32 ifindex = skb->ifindex;
	const struct xglb_iface *ifc = bpf_map_lookup_elem(&xglb_ifaces, &ifindex);
	__u8 ll6[16] __attribute__((aligned(8)));
	__u16 sum;
	__u64 s;

	if (!ifc || !mac_equal(ifc->mac, mac))
		return verdict(XGLB_R_TC_EGRESS_DROP_VIP_NDP, XGLB_TC_ACT_SHOT);
	__builtin_memcpy(ll6, ifc->ll6, 16);
	if (ip6_is_unspecified(ll6) || bpf_skb_load_bytes(skb, NDP_ICMP + 2, &sum, 2))
		return verdict(XGLB_R_TC_EGRESS_DROP_VIP_NDP, XGLB_TC_ACT_SHOT);
	s = (__u16)~sum;
#pragma unroll
	for (int i = 0; i < 16; i += 4)
		s += (__u32)~ld32(addr + i) + (__u64)ld32(ll6 + i);
	sum = (__u16)~csum_fold32(s);
	if (bpf_skb_store_bytes(skb, NDP_SADDR, ll6, 16, 0) ||
	    bpf_skb_store_bytes(skb, NDP_ICMP + 2, &sum, 2, 0))
		return verdict(XGLB_R_TC_EGRESS_DROP_VIP_NDP, XGLB_TC_ACT_SHOT);
	return verdict(XGLB_R_TC_EGRESS_PASS_NS_OWN_LL, XGLB_TC_ACT_OK);
}

static __always_inline int guard_ndp(struct __sk_buff *skb)
{
	__u8 hdr[2], addr[16] __attribute__((aligned(8))), o[2], mac[8] __attribute__((aligned(8)));
	const struct xglb_group *g;
	struct xglb_ctl *ctl;
	__u32 bank, gid, plen, off, want;
	__be16 plen_be;
	bool found = false, real = false;

	if (bpf_skb_load_bytes(skb, NDP_L3 + 6, hdr, 1) || hdr[0] != XGLB_IPPROTO_ICMPV6 ||
	    bpf_skb_load_bytes(skb, NDP_ICMP, hdr + 1, 1))
		return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	if (hdr[1] == XGLB_ND_NA) {
		off = NDP_FIXED;
		want = XGLB_ND_OPT_TLLA;
		if (bpf_skb_load_bytes(skb, NDP_TARGET, addr, 16))
			return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	} else if (hdr[1] == XGLB_ND_NS || hdr[1] == XGLB_ND_RA) {
		off = hdr[1] == XGLB_ND_NS ? NDP_FIXED : 16;
		want = XGLB_ND_OPT_SLLA;
		if (bpf_skb_load_bytes(skb, NDP_SADDR, addr, 16))
			return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	} else if (hdr[1] == XGLB_ND_REDIRECT) {
		return guard_redirect(skb);
	} else {
		return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	}
	ctl = ctl_get();
	if (!ctl)
		return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	bank = XGLB_READ_ONCE(ctl->active_bank) & 1;
	gid = vip6_gid(ctl, bank, addr);
	if (!gid)
		return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
	g = group_get(bank, gid);
	if (!g || bpf_skb_load_bytes(skb, NDP_L3 + 4, &plen_be, 2))
		return verdict(XGLB_R_TC_EGRESS_DROP_VIP_NDP, XGLB_TC_ACT_SHOT);
	plen = bpf_ntohs(plen_be);
	for (int i = 0; i < NDP_GUARD_OPTS; i++) {
		if (off >= plen)
			break;
		if (off > 0xffff || bpf_skb_load_bytes(skb, NDP_ICMP + (off & 0xffff), o, 2) ||
		    !o[1])
			return verdict(XGLB_R_TC_EGRESS_DROP_NDP_OPTIONS, XGLB_TC_ACT_SHOT);
		if (o[0] == want) {
			if (o[1] != 1 || real ||
			    bpf_skb_load_bytes(skb, NDP_ICMP + (off & 0xffff) + 2, mac, 6))
				return verdict(XGLB_R_TC_EGRESS_DROP_VIP_NDP, XGLB_TC_ACT_SHOT);
			if (ndp_may_announce(g, mac))
				found = true;
			else if (hdr[1] == XGLB_ND_NS && !found)
				real = true; /* the kernel's own NS: guard_ns_own_ll decides */
			else
				return verdict(XGLB_R_TC_EGRESS_DROP_VIP_NDP, XGLB_TC_ACT_SHOT);
		}
		off += o[1] * 8u;
	}
	if (off < plen) /* more options than the guard walks: it cannot vouch for them */
		return verdict(XGLB_R_TC_EGRESS_DROP_NDP_OPTIONS, XGLB_TC_ACT_SHOT);
	if (real)
		return guard_ns_own_ll(skb, addr, mac);
	if (found)
		return verdict(XGLB_R_TC_EGRESS_PASS_VMAC_NDP, XGLB_TC_ACT_OK);
	if (want == XGLB_ND_OPT_TLLA)
		return verdict(XGLB_R_TC_EGRESS_DROP_NDP_NO_TLLA, XGLB_TC_ACT_SHOT);
	return verdict(XGLB_R_TC_EGRESS_PASS, XGLB_TC_ACT_OK);
}

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fastpath.h - the optional XDP fast path: frames to an owned vMAC routed inside XDP. */
#ifndef XGLB_BPF_FASTPATH_H
#define XGLB_BPF_FASTPATH_H

#include "common.h"
#include "ctx.h"
#include "steer.h"

/*
 * A frame to a vMAC this node owns, in a group with "fast-path: true", is
 * routed here instead of by the kernel: bpf_fib_lookup gives the egress
 * interface and both MACs, the TTL (hop limit) goes down by one, the IPv4
 * checksum is mended incrementally, and the frame leaves through the
 * xglb_fp_ifaces devmap. Whatever the kernel must see or answer goes to
 * it (XDP_PASS, one xdp_fp_pass_* reason each): anything the fast path
 * does not parse completely, TTL expiry (the kernel sends the ICMP time
 * exceeded), a route without a resolved neighbour (the kernel resolves
 * it), a datagram larger than the egress MTU (the kernel fragments or
 * sends the ICMP), fragments, IPv4 options and IPv6 extension headers, a
 * flow that steering must send to another node. Fast-pathed frames bypass
 * netfilter, conntrack, rp_filter and tc on both interfaces
 * (docs/datapath.md, "Fast path").
 */

#define FP_AF_INET  2
#define FP_AF_INET6 10

static __always_inline int fp_pass(__u32 reason)
{
	return verdict(reason, XDP_PASS);
}

/* The 20-byte IPv4 header sums to 0xffff (its checksum is right). */
static __always_inline bool fp_ipv4_csum_ok(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 s = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		s += w[i];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* TTL - 1 with the checksum mended as the kernel's ip_decrease_ttl does (RFC 1624). */
static __always_inline void fp_ipv4_ttl_dec(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xffff));
	ip->ttl--;
}

/*
 * Addresses the kernel judges itself: a source of 0/8, 127/8 or
 * multicast and above, a destination of 0/8, 127/8, multicast or the
 * limited broadcast (a subnet broadcast is the routing table's: not
 * forwarded).
 */
static __always_inline bool fp_ipv4_special(__be32 saddr, __be32 daddr)
{
	__u32 s = bpf_ntohl(saddr) >> 24, d = bpf_ntohl(daddr) >> 24;

	return s == 0 || s == 127 || s >= 224 || d == 0 || d == 127 || d >= 224;
}

/*
 * IPv6: unspecified, loopback, multicast or link-local source or
 * destination, or an IPv4-mapped source (::ffff:0:0/96, which the kernel
 * drops on receipt).
 */
static __always_inline bool fp_ipv6_special(const struct ipv6hdr *ip6)
{
	const __u32 *s = (const __u32 *)&ip6->saddr, *d = (const __u32 *)&ip6->daddr;
	__u32 s0 = bpf_ntohl(s[0]), d0 = bpf_ntohl(d[0]);

	if ((s0 >> 24) == 0xff || (d0 >> 24) == 0xff || (s0 >> 22) == (0xfe80 >> 6) ||
	    (d0 >> 22) == (0xfe80 >> 6))
		return true;
	/* ::/127 (unspecified, loopback): three zero words and 0 or 1 */
	if (!(s[0] | s[1] | s[2]) && bpf_ntohl(s[3]) <= 1)
		return true;
	if (!(s[0] | s[1]) && s[2] == bpf_htonl(0xffff))
		return true;
	return !(d[0] | d[1] | d[2]) && bpf_ntohl(d[3]) <= 1;
}

/*
 * With steering on the interface (bpf/lib/steer.h), only flows this node
 * owns are routed here; the rest go to the kernel, whose tc ingress sends
 * them on to their owner. The same tuple, hash and bucket table as
 * steer_ingress, from the same bank. IPv4 only: steering hashes no IPv6
 * flow here, so with steering on IPv6 takes the kernel's path.
 */
static __always_inline bool fp_steer_other(__u32 bank, __u32 ifindex, const struct iphdr *ip,
					   const void *end, __u32 ip_len)
{
	const struct xglb_steer_chunk *chunk;
	struct xglb_steer_cfg *cfg = steer_cfg(bank, ifindex);
	struct steer_flow f;
	__u32 bucket, ck;
	__u8 owner;

	if (!cfg || !(cfg->flags & XGLB_STEER_ON))
		return false;
	if (!ip || steer_parse(&f, ip, end, ip_len))
		return true;
	bucket = xglb_flow_hash(bpf_ntohl(f.saddr), bpf_ntohl(f.daddr), bpf_ntohs(f.sport),
				bpf_ntohs(f.dport), f.proto) &
		 cfg->bucket_mask & (XGLB_STEER_BUCKETS - 1);
	ck = XGLB_STEER_CHUNK_KEY(bank, cfg->domain & (XGLB_STEER_MAX_DOMAINS - 1), bucket);
	chunk = bpf_map_lookup_elem(&xglb_steer_buckets, &ck);
	if (!chunk)
		return true;
	owner = chunk->owner[bucket & (XGLB_STEER_CHUNK - 1)];
	return owner >= XGLB_STEER_MAX_NODES || owner != cfg->self;
}

/* A bpf_fib_lookup result other than success as the reason the frame goes to the kernel. */
static __always_inline __u32 fp_fib_reason(long rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return XGLB_R_XDP_FP_PASS_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return XGLB_R_XDP_FP_PASS_MTU;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return XGLB_R_XDP_FP_PASS_LOCAL;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return XGLB_R_XDP_FP_PASS_FWD_DISABLED;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
	case BPF_FIB_LKUP_RET_NO_SRC_ADDR:
		return XGLB_R_XDP_FP_PASS_UNREACHABLE;
	default:
		return XGLB_R_XDP_FP_PASS_ROUTE_OTHER;
	}
}

/*
 * Route the frame at c (XDP only; its destination a vMAC this node owns,
 * already rewritten to the interface's MAC, as the kernel would take it)
 * arriving on ifindex. XDP_REDIRECT once it is on its way, else XDP_PASS
 * untouched beyond that rewrite; one reason counted either way.
 */
static __always_inline int fp_forward(struct xglb_ctx *c, __u32 bank, __u32 ifindex)
{
	void *data = c->data, *end = c->data_end;
	struct bpf_fib_lookup p = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = NULL;
	struct iphdr *ip = NULL;
	__u32 tot;
	long rc;

	if ((void *)(eth + 1) > end)
		return fp_pass(XGLB_R_XDP_FP_PASS_MALFORMED);
	if (eth->h_proto == bpf_htons(XGLB_ETH_P_IP)) {
		__u8 vihl;

		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return fp_pass(XGLB_R_XDP_FP_PASS_MALFORMED);
		vihl = *(__u8 *)ip;
		if ((vihl >> 4) != 4 || (vihl & 0xf) < 5)
			return fp_pass(XGLB_R_XDP_FP_PASS_MALFORMED);
		if ((vihl & 0xf) != 5)
			return fp_pass(XGLB_R_XDP_FP_PASS_OPTIONS);
		tot = bpf_ntohs(ip->tot_len);
		if (tot < sizeof(*ip) || !fp_ipv4_csum_ok(ip))
			return fp_pass(XGLB_R_XDP_FP_PASS_MALFORMED);
		if ((void *)ip + tot > end)
			return fp_pass(XGLB_R_XDP_FP_PASS_LEN);
		if (ip->frag_off & bpf_htons(XGLB_IP_MF | XGLB_IP_OFFSET))
			return fp_pass(XGLB_R_XDP_FP_PASS_FRAG);
		if (fp_ipv4_special(ip->saddr, ip->daddr))
			return fp_pass(XGLB_R_XDP_FP_PASS_ADDR);
		if (ip->ttl <= 1)
			return fp_pass(XGLB_R_XDP_FP_PASS_TTL);
		if (fp_steer_other(bank, ifindex, ip, end, tot))
			return fp_pass(XGLB_R_XDP_FP_PASS_STEER);
		p.family = FP_AF_INET;
		p.tos = ip->tos;
		p.l4_protocol = ip->protocol;
		p.ipv4_src = ip->saddr;
		p.ipv4_dst = ip->daddr;
	} else if (eth->h_proto == bpf_htons(XGLB_ETH_P_IPV6)) {
		__u8 nh;

		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return fp_pass(XGLB_R_XDP_FP_PASS_MALFORMED);
		if ((*(__u8 *)ip6 >> 4) != 6)
			return fp_pass(XGLB_R_XDP_FP_PASS_MALFORMED);
		tot = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		if ((void *)ip6 + tot > end)
			return fp_pass(XGLB_R_XDP_FP_PASS_LEN);
		nh = ip6->nexthdr;
		if (nh == 44) /* fragment header */
			return fp_pass(XGLB_R_XDP_FP_PASS_FRAG);
		if (nh != XGLB_IPPROTO_TCP && nh != XGLB_IPPROTO_UDP && nh != XGLB_IPPROTO_ICMPV6)
			return fp_pass(XGLB_R_XDP_FP_PASS_OPTIONS);
		if (fp_ipv6_special(ip6))
			return fp_pass(XGLB_R_XDP_FP_PASS_ADDR);
		if (ip6->hop_limit <= 1)
			return fp_pass(XGLB_R_XDP_FP_PASS_TTL);
		if (fp_steer_other(bank, ifindex, NULL, end, 0))
			return fp_pass(XGLB_R_XDP_FP_PASS_STEER);
		p.family = FP_AF_INET6;
		p.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		p.l4_protocol = nh;
		__builtin_memcpy(p.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(p.ipv6_dst, &ip6->daddr, 16);
	} else {
		return fp_pass(XGLB_R_XDP_FP_PASS_NOT_IP);
	}
	p.tot_len = (__u16)tot; /* checked against the egress MTU by the lookup */
	p.ifindex = ifindex;
	rc = bpf_fib_lookup(c->xdp, &p, sizeof(p), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return fp_pass(fp_fib_reason(rc));
	/* the kernel sends the redirect a host on this segment should hear */
	if (p.ifindex == ifindex)
		return fp_pass(XGLB_R_XDP_FP_PASS_SAME_IFACE);
	/* no change to the frame before the devmap has said yes */
	if (bpf_redirect_map(&xglb_fp_ifaces, p.ifindex, XDP_PASS) != XDP_REDIRECT)
		return fp_pass(XGLB_R_XDP_FP_PASS_NO_EGRESS);
	if (ip)
		fp_ipv4_ttl_dec(ip);
	else if (ip6)
		ip6->hop_limit--;
	/* byte copies: the stack, unlike the packet, is checked for alignment */
	__builtin_memcpy(eth->h_dest, p.dmac, 6);
	__builtin_memcpy(eth->h_source, p.smac, 6);
	return verdict(XGLB_R_XDP_FP_REDIRECT, XDP_REDIRECT);
}

#endif

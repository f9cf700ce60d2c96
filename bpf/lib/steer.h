/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* steer.h - tc ingress steering: each flow goes through its one owner node, both directions. */
#ifndef XGLB_BPF_STEER_H
#define XGLB_BPF_STEER_H

#include "common.h"

/*
 * Each flow is hashed symmetrically to a bucket whose owner node routes it;
 * a frame that reached another node is sent on to the owner at layer 2.
 * Rules, tables and costs: docs/datapath.md, "Flow steering".
 */

/* Not a tc verdict: the frame stays and goes on to the PACKET_HOST fix-up. */
#define STEER_STAY (-1)

/*
 * Header bytes the walk may read: Ethernet, IPv4 with options, ICMP, the
 * embedded IPv4 header with options and 8 bytes of its payload. Frames
 * whose linear part is shorter (paged skbs) are pulled up to this much.
 */
#define STEER_HDR_MAX (14 + 60 + 8 + 60 + 8)

/* A flow tuple as read from the packet: network byte order. */
struct steer_flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

/*
 * The "ports" of an unfragmented packet whose L4 header starts at l4, room
 * bytes of it inside the IP datagram (tuple rules: docs/datapath.md, "Flow
 * tuple"). ICMP errors are the caller's. 0, or -1 if a field is out of reach.
 */
static __always_inline int steer_ports(struct steer_flow *f, const __u8 *l4, const void *end,
				       __u32 room)
{
	f->sport = 0;
	f->dport = 0;
	if (xglb_proto_has_ports(f->proto)) {
		if ((const void *)(l4 + 4) > end || room < 4)
			return -1;
		f->sport = *(const __be16 *)l4;
		f->dport = *(const __be16 *)(l4 + 2);
	} else if (f->proto == XGLB_IPPROTO_ICMP) {
		if ((const void *)(l4 + 8) > end || room < 8)
			return -1;
		if (xglb_icmp_is_echo(l4[0])) {
			f->sport = *(const __be16 *)(l4 + 4); /* identifier, both ways */
			f->dport = f->sport;
		}
	}
	return 0;
}

/*
 * A fragment of a datagram: is it the first (offset 0, so it holds the L4
 * header)? Later fragments carry no ports: they take the ones the first
 * fragment left in xglb_frags, or none (hashed by addresses and protocol)
 * when it was not seen here, or not yet (reordered). docs/datapath.md,
 * "Fragments".
 */
static __always_inline bool steer_frag_first(const struct iphdr *ip)
{
	return !(ip->frag_off & bpf_htons(XGLB_IP_OFFSET));
}

static __always_inline void steer_frag_key(struct xglb_frag_key *k, const struct iphdr *ip)
{
	k->saddr = ip->saddr;
	k->daddr = ip->daddr;
	k->id = ip->id;
	k->proto = ip->protocol;
	k->pad = 0;
}

static __always_inline void steer_frag_later(struct steer_flow *f, const struct iphdr *ip)
{
	const struct xglb_frag_ports *p;
	struct xglb_frag_key k;

	steer_frag_key(&k, ip);
	p = bpf_map_lookup_elem(&xglb_frags, &k);
	f->sport = p ? p->sport : 0;
	f->dport = p ? p->dport : 0;
}

static __always_inline void steer_frag_remember(const struct steer_flow *f, const struct iphdr *ip)
{
	struct xglb_frag_ports v = {.sport = f->sport, .dport = f->dport};
	struct xglb_frag_key k;

	steer_frag_key(&k, ip);
	bpf_map_update_elem(&xglb_frags, &k, &v, BPF_ANY);
}

/*
 * The tuple of an ICMP error: that of the original header it embeds
 * (after the 8-byte ICMP header), so the error follows its flow. The
 * embedded datagram is cut short by design, so only the bytes read are
 * checked against room, never its total length.
 */
static __always_inline int steer_icmp_error(struct steer_flow *f, const __u8 *icmp, const void *end,
					    __u32 room)
{
	const struct iphdr *in = (const void *)(icmp + 8);
	__u32 hlen;
	__u8 vihl;

	if ((const void *)(in + 1) > end || room < 8 + sizeof(*in))
		return -1;
	vihl = *(const __u8 *)in;
	hlen = (vihl & 0xf) << 2;
	if ((vihl >> 4) != 4 || hlen < sizeof(*in) || room < 8 + hlen)
		return -1;
	f->saddr = in->saddr;
	f->daddr = in->daddr;
	f->proto = in->protocol;
	/* about a later fragment: the ports its datagram's first fragment left, if any */
	if (!steer_frag_first(in)) {
		steer_frag_later(f, in);
		return 0;
	}
	/* an error about an error is not sent (RFC 1122 3.2.2): ports 0 below */
	return steer_ports(f, (const __u8 *)in + hlen, end, room - 8 - hlen);
}

/*
 * The flow tuple of the IPv4 packet at ip, the IP datagram being ip_len
 * bytes of the skb from there on. Returns 0, or -1 for a malformed
 * header: version, IHL, a total length shorter than the header or longer
 * than the frame, or a header field needed beyond either.
 */
static __always_inline int steer_parse(struct steer_flow *f, const struct iphdr *ip,
				       const void *end, __u32 ip_len)
{
	const __u8 *l4;
	__u32 hlen, tot;
	int ret, frag;
	__u8 vihl;

	if ((const void *)(ip + 1) > end)
		return -1;
	vihl = *(const __u8 *)ip;
	hlen = (vihl & 0xf) << 2;
	tot = bpf_ntohs(ip->tot_len);
	if ((vihl >> 4) != 4 || hlen < sizeof(*ip) || tot < hlen || tot > ip_len)
		return -1;
	if ((const void *)ip + hlen > end)
		return -1;
	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->proto = ip->protocol;
	frag = ip->frag_off & bpf_htons(XGLB_IP_MF | XGLB_IP_OFFSET);
	/* a later fragment: the ports of its datagram, as its first fragment left them */
	if (frag && !steer_frag_first(ip)) {
		steer_frag_later(f, ip);
		return 0;
	}
	l4 = (const __u8 *)ip + hlen;
	if (f->proto == XGLB_IPPROTO_ICMP && ((const void *)(l4 + 1) > end || tot - hlen < 8))
		return -1;
	if (f->proto == XGLB_IPPROTO_ICMP && xglb_icmp_is_error(l4[0]))
		ret = steer_icmp_error(f, l4, end, tot - hlen);
	else
		ret = steer_ports(f, l4, end, tot - hlen);
	/* a first fragment: hashed as its whole datagram, and tells the later ones how */
	if (!ret && frag)
		steer_frag_remember(f, ip);
	return ret;
}

/* ---- IPv6 (docs/datapath.md, "IPv6 flows") ------------------------------ */

/* The flow tuple of an IPv6 packet: addresses as in the packet, ports in network order. */
struct steer_flow6 {
	__u32 s[4];
	__u32 d[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

/* Where the walk of an IPv6 header's chain ended, and the fragment header it passed, if any. */
struct steer_ext {
	__u32 off; /* of the header nh names */
	__u8 nh;
	__u8 frag;   /* 0: none, 1: a first fragment (offset 0), 2: a later one */
	__u8 fproto; /* the next header the fragment header names */
	__be32 id;
};

#define STEER6_NDP	  1 /* an NDP message: never steered */
#define STEER6_ICMP_ERROR 2 /* an ICMPv6 error: its tuple is the one it embeds */

static __always_inline bool steer6_is_ext(__u8 nh)
{
	return nh == XGLB_IPPROTO_HOPOPTS || nh == XGLB_IPPROTO_ROUTING ||
	       nh == XGLB_IPPROTO_DSTOPTS || nh == XGLB_IPPROTO_FRAGMENT || nh == XGLB_IPPROTO_AH;
}

/*
 * Walk x's chain of extension headers (hop-by-hop, routing, destination
 * options, AH, fragment) to the upper-layer header, each header inside
 * end. Stops at a later fragment (what follows its header is not a
 * header). 0, or -1: a header beyond end, or more than XGLB_STEER6_EXT_MAX.
 */
static __always_inline int steer6_walk(struct __sk_buff *skb, struct steer_ext *x, __u32 end)
{
	for (int i = 0; i < XGLB_STEER6_EXT_MAX; i++) {
		__u8 h[8] __attribute__((aligned(4)));
		__u8 nh = x->nh;

		if (!steer6_is_ext(nh))
			return 0;
		if (x->off + 8 > end || bpf_skb_load_bytes(skb, x->off, h, 8))
			return -1;
		x->nh = h[0];
		if (nh == XGLB_IPPROTO_FRAGMENT) {
			x->fproto = h[0];
			x->id = ld32(h + 4);
			x->frag = ld16(h + 2) & bpf_htons(XGLB_IP6_OFFSET) ? 2 : 1;
			x->off += 8;
			if (x->frag == 2)
				return 0;
		} else {
			x->off += nh == XGLB_IPPROTO_AH ? (h[1] + 2u) * 4 : (h[1] + 1u) * 8;
		}
	}
	return steer6_is_ext(x->nh) ? -1 : 0;
}

static __always_inline void steer6_frag_key(struct xglb_frag6_key *k, const struct steer_flow6 *f,
					    const struct steer_ext *x)
{
	__builtin_memcpy(k->saddr, f->s, 16);
	__builtin_memcpy(k->daddr, f->d, 16);
	k->id = x->id;
	k->proto = x->fproto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
}

/*
 * The tuple of the IPv6 header at off: addresses, then the upper-layer
 * protocol and ports past its extension headers, inside end (for an
 * embedded header, the end of what the error carries). 0, -1 (malformed),
 * STEER6_NDP, or STEER6_ICMP_ERROR with *inner the offset of the header
 * the error embeds; inner NULL: the header is one an error embeds. A later fragment takes the ports
 * its first fragment left in xglb_frags6, a first one (not one an error embeds) leaves them.
 */
static __always_inline int steer6_tuple(struct __sk_buff *skb, struct steer_flow6 *f, __u32 off,
					__u32 end, __u32 *inner)
{
	__u32 ip6[10], l4[2];
	struct steer_ext x = {0};
	struct xglb_frag6_key k;
	const struct xglb_frag_ports *fp;

	if (off + 40 > end)
		return -1;
	if (bpf_skb_load_bytes(skb, off, ip6, 40))
		return -1;
	if ((ip6[0] & bpf_htonl(0xf0000000)) != bpf_htonl(0x60000000))
		return -1;
	for (int i = 0; i < 4; i++) {
		f->s[i] = ip6[2 + i];
		f->d[i] = ip6[6 + i];
	}
	x.off = off + 40;
	x.nh = ((const __u8 *)ip6)[6];
	if (steer6_walk(skb, &x, end))
		return -1;
	f->proto = x.nh;
	f->sport = f->dport = 0;
	if (x.frag == 2) {
		f->proto = x.fproto;
		steer6_frag_key(&k, f, &x);
		fp = bpf_map_lookup_elem(&xglb_frags6, &k);
		if (fp) {
			f->sport = fp->sport;
			f->dport = fp->dport;
		}
		return 0;
	}
	if (xglb_proto_has_ports(f->proto)) {
		if (x.off + 4 > end || bpf_skb_load_bytes(skb, x.off, l4, 4))
			return -1;
		f->sport = ld16(l4);
		f->dport = ld16((const __u8 *)l4 + 2);
	} else if (f->proto == XGLB_IPPROTO_ICMPV6) {
		__u8 type;

		if (x.off + 8 > end || bpf_skb_load_bytes(skb, x.off, l4, 8))
			return -1;
		type = ((const __u8 *)l4)[0];
		if ((__u8)(type - XGLB_ND_RS) <= XGLB_ND_REDIRECT - XGLB_ND_RS)
			return STEER6_NDP;
		if (xglb_icmp6_is_echo(type)) {
			f->sport = ld16(&l4[1]); /* identifier, both ways */
			f->dport = f->sport;
		} else if (xglb_icmp6_is_error(type) && inner) {
			*inner = x.off + 8;
			return STEER6_ICMP_ERROR;
		}
	}
	if (x.frag == 1 && inner) {
		struct xglb_frag_ports v = {.sport = f->sport, .dport = f->dport};

		steer6_frag_key(&k, f, &x);
		bpf_map_update_elem(&xglb_frags6, &k, &v, BPF_ANY);
	}
	return 0;
}

/*
 * The flow hash of the IPv6 packet after the Ethernet header, the frame
 * being len bytes; *dst: its (outer) destination. 0, -1 (malformed: a
 * header beyond the payload length or the frame), or STEER6_NDP. An ICMPv6
 * error is hashed by the packet it embeds, cut short by design: only the
 * bytes read must be in the frame.
 */
static __always_inline int steer6_hash(struct __sk_buff *skb, __u32 len, __u32 *hash, __u32 *dst)
{
	struct steer_flow6 f = {0};
	__u32 end, inner = 0;
	__be16 plen;
	int ret;

	if (bpf_skb_load_bytes(skb, 14 + 4, &plen, 2))
		return -1;
	end = 14 + 40 + bpf_ntohs(plen);
	if (end > len)
		return -1;
	ret = steer6_tuple(skb, &f, 14, end, &inner);
	if (ret < 0 || ret == STEER6_NDP)
		return ret;
	__builtin_memcpy(dst, f.d, 16);
	if (ret == STEER6_ICMP_ERROR && steer6_tuple(skb, &f, inner, end, NULL))
		return -1; /* an error about an error is not sent (RFC 4443 2.4): no NDP inside */
	*hash = xglb_flow_hash(xglb_ip6_fold(bpf_ntohl(f.s[0]), bpf_ntohl(f.s[1]),
					     bpf_ntohl(f.s[2]), bpf_ntohl(f.s[3])),
			       xglb_ip6_fold(bpf_ntohl(f.d[0]), bpf_ntohl(f.d[1]),
					     bpf_ntohl(f.d[2]), bpf_ntohl(f.d[3])),
			       bpf_ntohs(f.sport), bpf_ntohs(f.dport), f.proto);
	return 0;
}

/*
 * Is the IPv6 destination d for this node itself: multicast, link-local
 * (never forwarded), or an address the kernel's routing calls local (its
 * own addresses, the virtual ones on lo), or on an interface that does
 * not forward IPv6 at all? Asked only of a frame that would leave.
 */
static __always_inline bool steer6_is_local(struct __sk_buff *skb, const __u32 *d)
{
	struct bpf_fib_lookup p = {.family = 10 /* AF_INET6 */, .ifindex = skb->ifindex};
	__u32 w0 = bpf_ntohl(d[0]);
	long rc;

	if ((w0 >> 24) == 0xff || (w0 & 0xffc00000) == 0xfe800000)
		return true;
	__builtin_memcpy(p.ipv6_dst, d, 16);
	rc = bpf_fib_lookup(skb, &p, sizeof(p), BPF_FIB_LOOKUP_SKIP_NEIGH);
	return rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED;
}

/*
 * MAC compare and filter bit with one 4-byte and one 2-byte load per MAC
 * instead of six byte loads: this is the path every forwarded frame takes.
 * (Packet loads need not be aligned where xglb runs, as in is_vmac.)
 */
static __always_inline bool steer_mac_eq(const __u8 *pkt, const __u8 *mac)
{
	return *(const __u32 *)pkt == *(const __u32 *)mac &&
	       *(const __u16 *)(pkt + 4) == *(const __u16 *)(mac + 4);
}

static __always_inline void steer_mac_put(__u8 *pkt, const __u8 *mac)
{
	*(__u32 *)pkt = *(const __u32 *)mac;
	*(__u16 *)(pkt + 4) = *(const __u16 *)(mac + 4);
}

/* xglb_steer_bloom_bit(m), i.e. xglb_mac_hash(m) >> 24, from two loads. */
static __always_inline __u32 steer_bloom_bit(const __u8 *m)
{
	__u64 v = ((__u64)bpf_ntohl(*(const __u32 *)m) << 16) | bpf_ntohs(*(const __u16 *)(m + 4));

	v ^= v >> 29;
	v *= 0x9E3779B97F4A7C15ull;
	return (__u32)(v >> 32) >> 24;
}

/* Does the frame come from a peer router on this interface (its source MAC in the from-peer set)?
 */
static __always_inline bool steer_from_peer(const struct xglb_steer_cfg *cfg, __u32 bank,
					    __u32 ifindex, const __u8 *src)
{
	__u32 bit = steer_bloom_bit(src);

	if ((cfg->bloom[(bit >> 6) & 3] >> (bit & 63)) & 1) {
		struct xglb_steer_mac_key k = {.bank = bank, .ifindex = ifindex};

		mac_copy(k.mac, src);
		return bpf_map_lookup_elem(&xglb_steer_peers, &k) != NULL;
	}
	return false; /* a host: the filter answers for almost all of them */
}

/*
 * Is daddr for this node itself: multicast (224.0.0.0/4) or above, which
 * includes 255.255.255.255, or one of the node's own addresses? The
 * filter answers "no" for almost every forwarded packet without the hash
 * lookup.
 */
static __always_inline bool steer_is_local(__be32 daddr)
{
	__u32 a = bpf_ntohl(daddr), bit = xglb_local_bloom_bit(a), zero = 0;
	const struct xglb_local_bloom *lb;

	if ((a >> 28) >= 0xe)
		return true;
	lb = bpf_map_lookup_elem(&xglb_local_bloom, &zero);
	if (!lb || !((lb->bits[(bit >> 6) & (XGLB_LOCAL_BLOOM_BITS / 64 - 1)] >> (bit & 63)) & 1))
		return false;
	return bpf_map_lookup_elem(&xglb_local_ips, &daddr) != NULL;
}

/* The interface's config in bank: its array slot, or the spill hash when the slot is another's. */
static __always_inline struct xglb_steer_cfg *steer_cfg(__u32 bank, __u32 ifindex)
{
	__u32 key = XGLB_STEER_CFG_KEY(bank, ifindex);
	struct xglb_steer_cfg *cfg = bpf_map_lookup_elem(&xglb_steer_cfg, &key);

	if (!cfg || cfg->ifindex == ifindex)
		return cfg;
	if (cfg->flags & XGLB_STEER_SPILL) {
		struct xglb_steer_key sk = {.bank = bank, .ifindex = ifindex};

		return bpf_map_lookup_elem(&xglb_steer_spill, &sk);
	}
	return NULL;
}

/*
 * Steer one frame: XGLB_TC_ACT_REDIRECT when it was sent on to its
 * owner, STEER_STAY otherwise. Counts one tc_steer_* reason either way;
 * the first rule that matches, in the order of the code, decides.
 */
static __always_inline int steer_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	const struct xglb_steer_chunk *chunk;
	const struct xglb_steer_peer *peer;
	struct xglb_steer_cfg *cfg;
	struct ethhdr *eth = data;
	struct steer_flow f;
	struct xglb_ctl *ctl;
	__u32 bank, bucket, ck, len, ifindex, hash, dst6[4] = {0};
	__be32 daddr = 0;
	int v6 = 0;
	__u8 owner;

	if ((void *)(eth + 1) > end)
		return verdict(XGLB_R_TC_STEER_NOT_IPV4, STEER_STAY);
	/* a tagged frame is another VLAN's, never this segment's flow: it stays as it came */
	if (skb->vlan_present || (eth->h_proto != bpf_htons(XGLB_ETH_P_IP) &&
				  eth->h_proto != bpf_htons(XGLB_ETH_P_IPV6)))
		return verdict(skb->vlan_present || eth->h_proto == bpf_htons(XGLB_ETH_P_8021Q) ||
				       eth->h_proto == bpf_htons(XGLB_ETH_P_8021AD)
				   ? XGLB_R_TC_STEER_VLAN
				   : XGLB_R_TC_STEER_NOT_IPV4,
			       STEER_STAY);
	ctl = ctl_get();
	if (!ctl)
		return verdict(XGLB_R_TC_STEER_OFF, STEER_STAY);
	/* the bank is read once: every table below comes from that bank */
	bank = *(volatile __u32 *)&ctl->active_bank & 1;
	ifindex = skb->ifindex;
	cfg = steer_cfg(bank, ifindex);
	if (!cfg || !(cfg->flags & XGLB_STEER_ON))
		return verdict(XGLB_R_TC_STEER_OFF, STEER_STAY);
	/* only frames sent to us for routing: not broadcast, multicast, nor another host's */
	if (!steer_mac_eq(eth->h_dest, cfg->mac))
		return verdict(XGLB_R_TC_STEER_LOCAL, STEER_STAY);

	len = skb->len;
	if (eth->h_proto == bpf_htons(XGLB_ETH_P_IPV6)) {
		/* read with bpf_skb_load_bytes: nothing is pulled, eth stays valid */
		v6 = steer6_hash(skb, len, &hash, dst6);
		if (v6 == STEER6_NDP)
			return verdict(XGLB_R_TC_STEER_LOCAL, STEER_STAY);
		if (v6 < 0)
			return verdict(XGLB_R_TC_STEER_MALFORMED, STEER_STAY);
		v6 = 1;
		goto hashed;
	}
	if ((__u32)(end - data) < STEER_HDR_MAX && len > (__u32)(end - data)) {
		bpf_skb_pull_data(skb, len < STEER_HDR_MAX ? len : STEER_HDR_MAX);
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
		eth = data;
		if ((void *)(eth + 1) > end)
			return verdict(XGLB_R_TC_STEER_MALFORMED, STEER_STAY);
	}
	if (steer_parse(&f, (const struct iphdr *)(eth + 1), end, len - sizeof(*eth)))
		return verdict(XGLB_R_TC_STEER_MALFORMED, STEER_STAY);
	/* locality is the outer destination's, even for an ICMP error hashed by its inner flow */
	daddr = ((const struct iphdr *)(eth + 1))->daddr;

	hash = xglb_flow_hash(bpf_ntohl(f.saddr), bpf_ntohl(f.daddr), bpf_ntohs(f.sport),
			      bpf_ntohs(f.dport), f.proto);
hashed:
	bucket = hash & cfg->bucket_mask & (XGLB_STEER_BUCKETS - 1);
	ck = XGLB_STEER_CHUNK_KEY(bank, cfg->domain & (XGLB_STEER_MAX_DOMAINS - 1), bucket);
	chunk = bpf_map_lookup_elem(&xglb_steer_buckets, &ck);
	if (!chunk)
		return verdict(XGLB_R_TC_STEER_NO_OWNER, STEER_STAY);
	owner = chunk->owner[bucket & (XGLB_STEER_CHUNK - 1)];
	if (owner >= XGLB_STEER_MAX_NODES)
		return verdict(XGLB_R_TC_STEER_NO_OWNER, STEER_STAY);
	if (owner == cfg->self)
		return verdict(XGLB_R_TC_STEER_OWNED, STEER_STAY);

	/*
	 * It would leave: unless a peer sent it (one hop at most; checked here
	 * only, so the owned path does not pay for it, and the counter shows
	 * peers' frames our table gives to a third node: tables that
	 * disagree) or it is for this node itself.
	 */
	if (steer_from_peer(cfg, bank, ifindex, eth->h_source))
		return verdict(XGLB_R_TC_STEER_FROM_PEER, STEER_STAY);
	if (v6 ? steer6_is_local(skb, dst6) : steer_is_local(daddr))
		return verdict(XGLB_R_TC_STEER_LOCAL, STEER_STAY);
	peer = &cfg->peer[owner & (XGLB_STEER_MAX_NODES - 1)];
	if (!(peer->flags & XGLB_STEER_PEER_VALID))
		return verdict(XGLB_R_TC_STEER_NO_OWNER, STEER_STAY);
	steer_mac_put(eth->h_dest, peer->mac);
	steer_mac_put(eth->h_source, cfg->mac);
	return verdict(XGLB_R_TC_STEER_STEERED, bpf_redirect(ifindex, 0));
}

#endif

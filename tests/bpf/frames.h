/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* frames.h - the one set of test frame builders (tests/bpf and tests/bench); no cmocka. */
#ifndef XGLB_TEST_FRAMES_H
#define XGLB_TEST_FRAMES_H

/*
 * Frames are built into a struct h_frame (bytes + length). Builders
 * zero the whole buffer first, so bytes past len are 0: h_len() sets a
 * longer length with zero padding, h_pad() with a recognisable pattern.
 * harness.h includes this file; the benchmarks include it alone (they do
 * not link cmocka).
 */

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xglb.h"

#define H_IFINDEX   1 /* lo: exists in every network namespace */
#define H_SELF	    1 /* node id of the node under test */
#define H_GID	    7
#define H_FRAME_MAX 512			    /* bytes of one test frame */
#define H_LEASE_NS  (60ull * 1000000000ull) /* lease used unless a test sets another */

/* addresses used throughout: names say whose they are */
static const __u8 H_IFMAC[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01}; /* our interface */
static const __u8 H_HOST[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};  /* a client host */
static const __u8 H_HOST2[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02};
/* a peer router's real MAC */
static const __u8 H_PEERMAC[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};
static const __u8 H_BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const __u8 H_ZERO[6] = {0};
#define H_VIP	   h_ip(10, 0, 0, 1)
#define H_HOSTIP   h_ip(10, 0, 0, 50)
#define H_HOST2IP  h_ip(10, 0, 0, 51)
#define H_ROUTERIP h_ip(10, 0, 0, 2) /* the router's own, non-virtual address */
#define H_OTHERIP  h_ip(10, 0, 0, 99)

struct h_frame {
	__u8 b[H_FRAME_MAX];
	__u32 len;
};

/* ---- addresses ------------------------------------------------------- */

static inline __be32 h_ip(int a, int b, int c, int d)
{
	return htonl((__u32)a << 24 | (__u32)b << 16 | (__u32)c << 8 | (__u32)d);
}

static inline void h_vmac(__u8 gid, __u8 idx, __u8 mac[6])
{
	const __u8 v[6] = {0x02, 0x78, 0x67, 0x62, gid, idx}; /* spelled out, not xglb_vmac() */

	memcpy(mac, v, 6);
}

/* A distinct unicast host MAC per n (locally administered, never a vMAC). */
static inline void h_host_mac(__u32 n, __u8 mac[6])
{
	mac[0] = 0x0a;
	mac[1] = 0x00;
	mac[2] = (__u8)(n >> 24);
	mac[3] = (__u8)(n >> 16);
	mac[4] = (__u8)(n >> 8);
	mac[5] = (__u8)n;
}

/* ---- frames ------------------------------------------------------------ */

/* A zeroed frame with the Ethernet header dst, src, type; returns f->b. */
static inline __u8 *h_eth(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src, __u16 type)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->b, eth_dst, 6);
	memcpy(f->b + 6, eth_src, 6);
	f->b[12] = (__u8)(type >> 8);
	f->b[13] = (__u8)type;
	return f->b;
}

static inline void h_arp(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src, __u16 op,
			 const __u8 *sha, __be32 spa, const __u8 *tha, __be32 tpa)
{
	struct xglb_arp_frame a = {
	    .eth_proto = htons(XGLB_ETH_P_ARP),
	    .hrd = htons(XGLB_ARPHRD_ETHER),
	    .pro = htons(XGLB_ETH_P_IP),
	    .hln = 6,
	    .pln = 4,
	    .op = htons(op),
	    .spa = spa,
	    .tpa = tpa,
	};

	memcpy(a.eth_dst, eth_dst, 6);
	memcpy(a.eth_src, eth_src, 6);
	memcpy(a.sha, sha, 6);
	memcpy(a.tha, tha, 6);
	memset(f, 0, sizeof(*f));
	memcpy(f->b, &a, sizeof(a));
	f->len = sizeof(a);
}

/* vMAC (gid, idx) as an expression: 02:78:67:62:gid:idx (spelled out, not xglb_vmac()). */
#define H_VMAC(gid, idx) ((const __u8[6]){0x02, 0x78, 0x67, 0x62, (__u8)(gid), (__u8)(idx)})

/* One ARP frame as a table row: h_arp's arguments. */
struct h_arp_row {
	const __u8 *eth_dst, *eth_src;
	__u16 op;
	const __u8 *sha;
	__be32 spa;
	const __u8 *tha;
	__be32 tpa;
};

#define H_REQ XGLB_ARPOP_REQUEST /* short names for rows */
#define H_REP XGLB_ARPOP_REPLY

/* Row i of the n rows into f; a row that is not there aborts. */
static inline void h_arp_pick(struct h_frame *f, const struct h_arp_row *rows, int n, int i)
{
	const struct h_arp_row *r = &rows[i];

	if (i < 0 || i >= n)
		abort();
	h_arp(f, r->eth_dst, r->eth_src, r->op, r->sha, r->spa, r->tha, r->tpa);
}

/* "who has tpa? tell spa", broadcast, as Linux sends it (tha zero). */
static inline void h_arp_request(struct h_frame *f, const __u8 *host, __be32 host_ip, __be32 tpa)
{
	h_arp(f, H_BCAST, host, XGLB_ARPOP_REQUEST, host, host_ip, H_ZERO, tpa);
}

static inline struct xglb_arp_frame *h_arpf(struct h_frame *f)
{
	return (struct xglb_arp_frame *)f->b;
}

/* Pad to len with a recognisable byte pattern (Ethernet minimum is 60). */
static inline void h_pad(struct h_frame *f, __u32 len, __u8 pattern)
{
	for (__u32 i = f->len; i < len && i < H_FRAME_MAX; i++)
		f->b[i] = (__u8)(pattern + i);
	f->len = len;
}

/* Extend to len with zero bytes (builders leave the rest of the buffer zero). */
static inline void h_len(struct h_frame *f, __u32 len)
{
	if (len > H_FRAME_MAX)
		abort();
	if (len > f->len)
		memset(f->b + f->len, 0, len - f->len);
	f->len = len;
}

/* Ethernet + IPv4 + UDP with payload bytes of a pattern; len = total frame bytes (>= 42). */
static inline void h_ipv4(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src, __be32 saddr,
			  __be32 daddr, __u32 len)
{
	__u8 *p = h_eth(f, eth_dst, eth_src, XGLB_ETH_P_IP);

	p[14] = 0x45; /* v4, ihl 5 */
	p[16] = (__u8)((len - 14) >> 8);
	p[17] = (__u8)(len - 14);
	p[22] = 64; /* ttl */
	p[23] = 17; /* udp */
	memcpy(p + 26, &saddr, 4);
	memcpy(p + 30, &daddr, 4);
	p[34] = 0x30; /* sport 12345 */
	p[35] = 0x39;
	p[36] = 0x00; /* dport 53 */
	p[37] = 0x35;
	p[38] = (__u8)((len - 34) >> 8);
	p[39] = (__u8)(len - 34);
	f->len = 42;
	h_pad(f, len, 0x40);
}

/* Insert an 802.1Q / 802.1ad tag after the MAC addresses. */
static inline void h_vlan(struct h_frame *f, __u16 tpid, __u16 vid)
{
	memmove(f->b + 16, f->b + 12, f->len - 12);
	f->b[12] = (__u8)(tpid >> 8);
	f->b[13] = (__u8)tpid;
	f->b[14] = (__u8)(vid >> 8);
	f->b[15] = (__u8)vid;
	f->len += 4;
}

/* Does the frame (len bytes) carry an 802.1Q / 802.1ad tag after the MAC addresses? */
static inline bool h_tagged(const __u8 *b, __u32 len)
{
	return len >= 14 && ((b[12] == 0x81 && b[13] == 0x00) || (b[12] == 0x88 && b[13] == 0xa8));
}

/*
 * Ethernet + IPv4 (IHL 5, DF clear, TTL 64) + l4len bytes of L4 header and
 * payload copied from l4 (NULL: zero bytes). Checksums are left 0: nothing
 * here reads them.
 */
static inline void h_ip_frame(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			      __be32 saddr, __be32 daddr, __u8 proto, const void *l4, __u32 l4len)
{
	__u32 tot = 20 + l4len;
	__u8 *p;

	if (14 + tot > H_FRAME_MAX)
		abort(); /* a test asked for a frame larger than H_FRAME_MAX */
	p = h_eth(f, eth_dst, eth_src, XGLB_ETH_P_IP);
	p[14] = 0x45;
	p[16] = (__u8)(tot >> 8);
	p[17] = (__u8)tot;
	p[18] = 0x12; /* id */
	p[19] = 0x34;
	p[22] = 64;
	p[23] = proto;
	memcpy(p + 26, &saddr, 4);
	memcpy(p + 30, &daddr, 4);
	if (l4 && l4len)
		memcpy(p + 34, l4, l4len);
	f->len = 14 + tot;
}

/* TCP (proto 6) or UDP (17) with 8 bytes of header fields after the ports, then pay bytes. */
static inline void h_l4_frame(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			      __u8 proto, __be32 saddr, __u16 sport, __be32 daddr, __u16 dport,
			      __u32 pay)
{
	__u8 l4[H_FRAME_MAX] = {0};
	__u32 hl = proto == 6 ? 20 : 8;

	l4[0] = (__u8)(sport >> 8);
	l4[1] = (__u8)sport;
	l4[2] = (__u8)(dport >> 8);
	l4[3] = (__u8)dport;
	if (proto == 6) {
		l4[12] = 0x50; /* data offset 5 */
		l4[13] = 0x10; /* ACK */
	} else {
		l4[4] = (__u8)((hl + pay) >> 8);
		l4[5] = (__u8)(hl + pay);
	}
	for (__u32 i = 0; i < pay; i++)
		l4[hl + i] = (__u8)(0x61 + i);
	h_ip_frame(f, eth_dst, eth_src, saddr, daddr, proto, l4, hl + pay);
}

/* ICMP echo request (type 8) or reply (type 0): identifier id, sequence seq, 16 bytes of data. */
static inline void h_icmp_echo(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			       __be32 saddr, __be32 daddr, __u8 type, __u16 id, __u16 seq)
{
	__u8 l4[24] = {type, 0, 0, 0, (__u8)(id >> 8), (__u8)id, (__u8)(seq >> 8), (__u8)seq};

	for (int i = 8; i < 24; i++)
		l4[i] = (__u8)i;
	h_ip_frame(f, eth_dst, eth_src, saddr, daddr, 1, l4, sizeof(l4));
}

/*
 * An ICMP error (type, code) from saddr to daddr about the packet orig
 * (an IPv4 frame): it carries orig's IP header and the first 8 bytes of
 * its payload, as RFC 792 asks.
 */
static inline void h_icmp_error(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
				__be32 saddr, __be32 daddr, __u8 type, __u8 code,
				const struct h_frame *orig)
{
	__u8 l4[8 + 60 + 8] = {type, code};
	__u32 ihl = (orig->b[14] & 0xf) * 4u, n = ihl + 8;

	if (14 + n > orig->len)
		n = orig->len - 14;
	if (type == 3 && code == 4) {
		l4[6] = 0x05; /* next-hop MTU 1400 */
		l4[7] = 0x78;
	}
	memcpy(l4 + 8, orig->b + 14, n);
	h_ip_frame(f, eth_dst, eth_src, saddr, daddr, 1, l4, 8 + n);
}

/* Write the IPv4 header checksum of an IPv4 frame (IHL as the frame says), from scratch. */
static inline void h_ip_csum(struct h_frame *f)
{
	__u32 ihl = (f->b[14] & 0xf) * 4u, s = 0;

	f->b[24] = f->b[25] = 0;
	for (__u32 i = 0; i < ihl; i += 2)
		s += (__u32)(f->b[14 + i] << 8 | f->b[15 + i]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	f->b[24] = (__u8)(~s >> 8);
	f->b[25] = (__u8)~s;
}

/* Set the IPv4 flags/fragment offset field of an IPv4 frame (MF = 0x2000, DF = 0x4000). */
static inline void h_frag(struct h_frame *f, __u16 frag_off)
{
	f->b[20] = (__u8)(frag_off >> 8);
	f->b[21] = (__u8)frag_off;
}

/* ---- IPv6 neighbour discovery ------------------------------------------- */

/* The virtual link-local of group 7: fe80::78:67ff:fe62:700, EUI-64 of its first vMAC. */
static const __u8 H_VLL[16] = {0xfe, 0x80, 0,	 0,    0,    0,	   0,	 0,
			       0x00, 0x78, 0x67, 0xff, 0xfe, 0x62, 0x07, 0x00};
static const __u8 H_VIP6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
/* H_HOST's link-local (EUI-64 of 52:54:00:aa:bb:01) and a global address */
static const __u8 H_HOST6[16] = {0xfe, 0x80, 0,	   0,	 0,    0,    0,	   0,
				 0x50, 0x54, 0x00, 0xff, 0xfe, 0xaa, 0xbb, 0x01};
static const __u8 H_HOST6G[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50};
static const __u8 H_OTHER6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};
static const __u8 H_PEER6[16] = {0xfe, 0x80, 0,	   0,	 0,    0,    0,	   0,
				 0x50, 0x54, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x02};
static const __u8 H_ALLNODES6[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const __u8 H_UNSPEC6[16] = {0};
static const __u8 H_ALLNODES_MAC[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};

/* The solicited-node group of a (ff02::1:ffXX:XXXX) and its MAC (33:33:ff:XX:XX:XX). */
static inline void h_sn6(const __u8 *a, __u8 out[16], __u8 mac[6])
{
	const __u8 sn[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};

	memcpy(out, sn, 13);
	memcpy(out + 13, a + 13, 3);
	if (mac) {
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, out + 12, 4);
	}
}

/*
 * The ICMPv6 checksum of an untagged Ethernet + IPv6 + ICMPv6 frame, by
 * RFC 8200 8.1 in 16-bit big-endian words (the data path sums 32-bit
 * words as they lie; this is the textbook way, on purpose). Written into
 * the frame; the payload length field says how many ICMPv6 bytes.
 */
static inline void h_icmp6_csum(struct h_frame *f)
{
	__u8 *p = f->b;
	__u32 plen = (__u32)p[18] << 8 | p[19], sum = 0;

	p[56] = p[57] = 0;
	for (int i = 22; i < 54; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	sum += plen + 58;
	for (__u32 i = 0; i < plen; i += 2)
		sum += (__u32)p[54 + i] << 8 | (i + 1 < plen ? p[55 + i] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	p[56] = (__u8)(sum >> 8);
	p[57] = (__u8)sum;
}

/* Ethernet + IPv6 (hop limit 255) + ICMPv6 type with 4 zero bytes after the checksum. */
static inline void h_icmp6(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			   const __u8 *saddr, const __u8 *daddr, __u8 type, __u32 icmp_len)
{
	__u8 *p = h_eth(f, eth_dst, eth_src, XGLB_ETH_P_IPV6);

	p[14] = 0x60;
	p[18] = (__u8)(icmp_len >> 8);
	p[19] = (__u8)icmp_len;
	p[20] = 58;
	p[21] = 255;
	memcpy(p + 22, saddr, 16);
	memcpy(p + 38, daddr, 16);
	p[54] = type;
	f->len = 54 + icmp_len;
}

/* Append an 8-byte link-layer address option (type 1 SLLA, 2 TLLA) and fix the lengths. */
static inline void h_nd_lla(struct h_frame *f, __u8 type, const __u8 *mac)
{
	__u8 *o = f->b + f->len;
	__u32 plen;

	o[0] = type;
	o[1] = 1;
	memcpy(o + 2, mac, 6);
	f->len += 8;
	plen = f->len - 54;
	f->b[18] = (__u8)(plen >> 8);
	f->b[19] = (__u8)plen;
}

/*
 * A neighbour solicitation for target, with an SLLA option when slla is
 * set, checksummed. As Linux sends one: to the solicited-node group
 * (resolution) or unicast (NUD); from :: without options (DAD).
 */
static inline void h_ns(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			const __u8 *saddr, const __u8 *daddr, const __u8 *target, const __u8 *slla)
{
	h_icmp6(f, eth_dst, eth_src, saddr, daddr, 135, 24);
	memcpy(f->b + 62, target, 16);
	if (slla)
		h_nd_lla(f, 1, slla);
	h_icmp6_csum(f);
}

/* A host resolving target: multicast to its solicited-node group, SLLA = the host's MAC. */
static inline void h_ns_resolve(struct h_frame *f, const __u8 *host, const __u8 *host6,
				const __u8 *target)
{
	__u8 sn[16], snmac[6];

	h_sn6(target, sn, snmac);
	h_ns(f, snmac, host, host6, sn, target, host);
}

/* A neighbour advertisement: flags (XGLB_NA_*), target, TLLA option when tlla is set. */
static inline void h_na(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			const __u8 *saddr, const __u8 *daddr, __u8 flags, const __u8 *target,
			const __u8 *tlla)
{
	h_icmp6(f, eth_dst, eth_src, saddr, daddr, 136, 24);
	f->b[58] = flags;
	memcpy(f->b + 62, target, 16);
	if (tlla)
		h_nd_lla(f, 2, tlla);
	h_icmp6_csum(f);
}

/* A router advertisement (hop limit 64, lifetime 1800 s), with an SLLA option when slla is set. */
static inline void h_ra(struct h_frame *f, const __u8 *eth_src, const __u8 *saddr, const __u8 *slla)
{
	h_icmp6(f, H_ALLNODES_MAC, eth_src, saddr, H_ALLNODES6, 134, 16);
	f->b[58] = 64;
	f->b[60] = 0x07;
	f->b[61] = 0x08;
	if (slla)
		h_nd_lla(f, 1, slla);
	h_icmp6_csum(f);
}

/*
 * Ethernet + IPv6 (hop limit 64) whose next header is nh, followed by the
 * len bytes at pay as they are (extension headers, then the upper layer).
 */
static inline void h_ip6_frame(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			       const __u8 *saddr, const __u8 *daddr, __u8 nh, const void *pay,
			       __u32 len)
{
	if (54 + len > H_FRAME_MAX)
		abort(); /* a test asked for a frame larger than H_FRAME_MAX */
	h_icmp6(f, eth_dst, eth_src, saddr, daddr, 0, len);
	f->b[20] = nh;
	f->b[21] = 64;
	memcpy(f->b + 54, pay, len);
}

/* Ethernet + IPv6 + UDP (ports 12345 -> 53) with pay zero bytes. */
static inline void h_udp6(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			  const __u8 *saddr, const __u8 *daddr, __u32 pay)
{
	h_icmp6(f, eth_dst, eth_src, saddr, daddr, 0, 8 + pay);
	f->b[20] = 17;
	f->b[21] = 64;
	memset(f->b + 54, 0, 8 + pay);
	f->b[54] = 0x30;
	f->b[55] = 0x39;
	f->b[57] = 53;
	f->b[58] = (__u8)((8 + pay) >> 8);
	f->b[59] = (__u8)(8 + pay);
}

#endif

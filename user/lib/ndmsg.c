// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ndmsg.c - router advertisements, moving NAs and router solicitation checks (pure). */
#include <string.h>
#include <arpa/inet.h>
#include "xglb.h"
#include "ndmsg.h"

static const __u8 all_nodes[16] = {0xff, 0x02, [15] = 1};

__u16 xglb_icmp6_csum(const __u8 src[16], const __u8 dst[16], const __u8 *msg, size_t len)
{
	__u32 sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (src[i] << 8 | src[i + 1]) + (dst[i] << 8 | dst[i + 1]);
	sum += (__u32)len + XGLB_IPPROTO_ICMPV6;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += msg[i] << 8 | msg[i + 1];
	if (len & 1)
		sum += msg[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Ethernet and IPv6 headers of an NDP message of plen bytes; returns the ICMPv6 part. */
static __u8 *nd_headers(__u8 *buf, const __u8 src_mac[6], const __u8 dst_mac[6], const __u8 src[16],
			const __u8 dst[16], size_t plen)
{
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	buf[12] = XGLB_ETH_P_IPV6 >> 8;
	buf[13] = XGLB_ETH_P_IPV6 & 0xff;
	memset(buf + 14, 0, 4);
	buf[14] = 0x60;
	buf[18] = (__u8)(plen >> 8);
	buf[19] = (__u8)plen;
	buf[20] = XGLB_IPPROTO_ICMPV6;
	buf[21] = XGLB_ND_HOP_LIMIT;
	memcpy(buf + 22, src, 16);
	memcpy(buf + 38, dst, 16);
	return buf + 54;
}

static void put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

static void nd_csum(__u8 *icmp, const __u8 src[16], const __u8 dst[16], size_t len)
{
	__u16 c;

	icmp[2] = icmp[3] = 0;
	c = xglb_icmp6_csum(src, dst, icmp, len);
	icmp[2] = (__u8)(c >> 8);
	icmp[3] = (__u8)c;
}

int xglb_ra_frame(__u8 buf[XGLB_RA_FRAME_MAX], const struct xglb_cfg_group *cg,
		  const __u8 src_mac[6], const __u8 dst_mac[6], const __u8 dst_ip[16])
{
	const struct xglb_cfg_ra *ra = &cg->ra;
	static const __u8 pref_bits[] = {
	    [XGLB_RA_PREF_MEDIUM] = 0, [XGLB_RA_PREF_HIGH] = 1, [XGLB_RA_PREF_LOW] = 3};
	size_t plen = 16 + (ra->mtu ? 8 : 0) + 32 * (size_t)ra->n_prefix;
	__u8 *m = nd_headers(buf, src_mac, dst_mac, cg->addr6[0], dst_ip, plen), *o = m + 16;

	memset(m, 0, plen);
	m[0] = XGLB_ND_RA;
	m[4] = ra->hop_limit;
	m[5] = (ra->managed ? 0x80 : 0) | (ra->other ? 0x40 : 0) |
	       (ra->preference < sizeof(pref_bits) ? pref_bits[ra->preference] : 0) << 3;
	m[6] = (__u8)(ra->lifetime_s >> 8);
	m[7] = (__u8)ra->lifetime_s;
	put32(m + 8, ra->reachable_ms);
	put32(m + 12, ra->retrans_ms);
	if (ra->mtu) {
		o[0] = 5; /* MTU */
		o[1] = 1;
		put32(o + 4, ra->mtu);
		o += 8;
	}
	for (int i = 0; i < ra->n_prefix; i++, o += 32) {
		const struct xglb_cfg_prefix *p = &ra->prefix[i];

		o[0] = 3; /* prefix information */
		o[1] = 4;
		o[2] = p->len;
		o[3] = (p->on_link ? 0x80 : 0) | (p->autonomous ? 0x40 : 0);
		put32(o + 4, p->valid_s);
		put32(o + 8, p->preferred_s);
		memcpy(o + 16, p->addr, 16);
	}
	nd_csum(m, cg->addr6[0], dst_ip, plen);
	return (int)(54 + plen);
}

int xglb_na_move_frame(__u8 buf[86], const __u8 src_mac[6], const __u8 host[6],
		       const __u8 target[16], const __u8 vmac[6])
{
	__u8 *m = nd_headers(buf, src_mac, host, target, all_nodes, 32);

	memset(m, 0, 32);
	m[0] = XGLB_ND_NA;
	m[4] = XGLB_NA_ROUTER | XGLB_NA_OVERRIDE;
	memcpy(m + 8, target, 16);
	m[24] = XGLB_ND_OPT_TLLA;
	m[25] = 1;
	memcpy(m + 26, vmac, 6);
	nd_csum(m, target, all_nodes, 32);
	return 86;
}

int xglb_rs_check(const __u8 *icmp, size_t len, const __u8 src[16], int hop_limit, __u8 slla[6])
{
	static const __u8 unspec[16];
	bool from_unspec = !memcmp(src, unspec, 16);
	int found = 0;
	size_t off = 8;

	if (hop_limit != XGLB_ND_HOP_LIMIT || len < 8 || icmp[0] != XGLB_ND_RS || icmp[1] != 0)
		return -1;
	while (off < len) {
		size_t olen;

		if (len - off < 2 || !icmp[off + 1])
			return -1;
		olen = icmp[off + 1] * 8u;
		if (olen > len - off)
			return -1;
		if (icmp[off] == XGLB_ND_OPT_SLLA) {
			if (from_unspec || olen != 8)
				return -1;
			memcpy(slla, icmp + off + 2, 6);
			found = 1;
		}
		off += olen;
	}
	return found;
}

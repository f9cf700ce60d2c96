// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_ndmsg.c - the RAs and moving NAs xglbd sends, byte for byte, and router solicitation checks.
 */
#include <string.h>
#include <arpa/inet.h>
#include "testlib.h"
#include "config.h"
#include "ndmsg.h"

static const __u8 host_mac[6] = {0x02, 0x00, 0x0a, 0x00, 0x00, 0x65};
static const __u8 if_mac[6] = {0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const __u8 vmac[6] = {0x02, 0x78, 0x67, 0x62, 0x07, 0x01};
static const __u8 all_nodes[16] = {0xff, 0x02, [15] = 1};

static void ip6(const char *s, __u8 a[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

/* The checksum of a message over its pseudo-header, checksum field included, folds to zero. */
static void assert_csum_ok(const __u8 *frame, int len)
{
	assert_int_equal(xglb_icmp6_csum(frame + 22, frame + 38, frame + 54, (size_t)len - 54), 0);
}

static void group7(struct xglb_cfg_group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = 7;
	xglb_cfg_link_local(7, g->addr6[0]);
	g->n_addr6 = 1;
	g->ra.enabled = true;
	g->ra.interval_ms = 30000;
	g->ra.lifetime_s = 90;
	g->ra.hop_limit = 64;
}

static void test_ra_minimal(void **state)
{
	static const __u8 want[] = {
	    /* Ethernet: to all nodes, from the interface, IPv6 */
	    0x33, 0x33, 0, 0, 0, 1, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x86, 0xdd,
	    /* IPv6: payload 16, ICMPv6, hop limit 255, fe80::78:67ff:fe62:700 -> ff02::1 */
	    0x60, 0, 0, 0, 0, 16, 58, 255, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x78, 0x67, 0xff,
	    0xfe, 0x62, 0x07, 0x00, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	    /* RA: type 134, code 0, checksum (checked apart), hop limit 64, no flags, 90 s */
	    134, 0};
	static const __u8 rest[] = {64, 0, 0, 90, 0, 0, 0, 0, 0, 0, 0, 0};
	const __u8 mc[6] = {0x33, 0x33, 0, 0, 0, 1};
	struct xglb_cfg_group g;
	__u8 f[XGLB_RA_FRAME_MAX];

	(void)state;
	group7(&g);
	assert_int_equal(xglb_ra_frame(f, &g, if_mac, mc, all_nodes), 70);
	assert_memory_equal(f, want, sizeof(want));
	assert_memory_equal(f + 58, rest, sizeof(rest));
	assert_csum_ok(f, 70);
}

/* Flags, preference, timers, the MTU option and two prefixes; no SLLA anywhere. */
static void test_ra_full(void **state)
{
	struct xglb_cfg_group g;
	__u8 f[XGLB_RA_FRAME_MAX], dst[16], want_pfx[16];
	const __u8 *o;

	(void)state;
	group7(&g);
	g.ra.managed = true;
	g.ra.preference = XGLB_RA_PREF_LOW;
	g.ra.lifetime_s = 9000;
	g.ra.reachable_ms = 30000;
	g.ra.retrans_ms = 1000;
	g.ra.mtu = 1500;
	g.ra.n_prefix = 2;
	g.ra.prefix[0] = (struct xglb_cfg_prefix){.addr = {0x20, 0x01, 0x0d, 0xb8, 0, 7},
						  .len = 64,
						  .on_link = true,
						  .autonomous = true,
						  .valid_s = 0xffffffffu,
						  .preferred_s = 604800};
	g.ra.prefix[1] = (struct xglb_cfg_prefix){
	    .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 8}, .len = 48, .valid_s = 100, .preferred_s = 50};
	ip6("fe80::200:aff:fe00:65", dst);
	assert_int_equal(xglb_ra_frame(f, &g, if_mac, host_mac, dst), 54 + 16 + 8 + 64);
	assert_memory_equal(f, host_mac, 6);
	assert_int_equal(f[18] << 8 | f[19], 16 + 8 + 64);
	assert_memory_equal(f + 38, dst, 16);
	assert_int_equal(f[58], 64);
	assert_int_equal(f[59], 0x80 | 3 << 3); /* M, preference low (11) */
	assert_int_equal(f[60] << 8 | f[61], 9000);
	assert_int_equal(f[65], 0x30); /* 30000 ms = 0x7530 */
	assert_int_equal(f[64], 0x75);
	assert_int_equal(f[69], 0xe8); /* 1000 ms */
	o = f + 70;
	assert_int_equal(o[0], 5);
	assert_int_equal(o[1], 1);
	assert_int_equal(o[6] << 8 | o[7], 1500);
	o += 8;
	memset(want_pfx, 0, 16);
	memcpy(want_pfx, (const __u8[]){0x20, 0x01, 0x0d, 0xb8, 0, 7}, 6);
	assert_int_equal(o[0], 3);
	assert_int_equal(o[1], 4);
	assert_int_equal(o[2], 64);
	assert_int_equal(o[3], 0xc0);
	assert_memory_equal(o + 4, ((const __u8[]){0xff, 0xff, 0xff, 0xff, 0, 0x09, 0x3a, 0x80}),
			    8);
	assert_memory_equal(o + 16, want_pfx, 16);
	o += 32;
	assert_int_equal(o[2], 48);
	assert_int_equal(o[3], 0);
	assert_int_equal(o[7], 100);
	assert_int_equal(o[11], 50);
	for (o = f + 70; o < f + 54 + 88; o += o[1] * 8)
		assert_int_not_equal(o[0], 1); /* never a source link-layer address option */
	assert_csum_ok(f, 54 + 88);
}

static void test_na_move(void **state)
{
	struct xglb_na_frame na;
	__u8 target[16];

	(void)state;
	xglb_cfg_link_local(7, target);
	assert_int_equal(xglb_na_move_frame((__u8 *)&na, if_mac, host_mac, target, vmac), 86);
	assert_memory_equal(na.eth_dst, host_mac, 6); /* Ethernet-unicast to the host */
	assert_memory_equal(na.eth_src, if_mac, 6);
	assert_int_equal(ntohs(na.eth_proto), 0x86dd);
	assert_int_equal(ntohs(na.payload_len), 32);
	assert_int_equal(na.nexthdr, 58);
	assert_int_equal(na.hop_limit, 255);
	assert_memory_equal(na.saddr, target, 16);
	assert_memory_equal(na.daddr, all_nodes, 16);
	assert_int_equal(na.type, 136);
	assert_int_equal(na.code, 0);
	assert_int_equal(na.flags, 0x80 | 0x20); /* Router, Override; never Solicited to ff02::1 */
	assert_memory_equal(na.target, target, 16);
	assert_int_equal(na.opt_type, 2);
	assert_int_equal(na.opt_len, 1);
	assert_memory_equal(na.tlla, vmac, 6);
	assert_csum_ok((const __u8 *)&na, 86);
}

static void test_rs_check(void **state)
{
	__u8 src[16], unspec[16] = {0}, slla[6] = {0};
	__u8 rs[16] = {133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x65};
	__u8 bad[16];

	(void)state;
	ip6("fe80::200:aff:fe00:65", src);
	assert_int_equal(xglb_rs_check(rs, 16, src, 255, slla), 1);
	assert_memory_equal(slla, host_mac, 6);
	assert_int_equal(xglb_rs_check(rs, 8, src, 255, slla), 0);
	assert_int_equal(xglb_rs_check(rs, 8, unspec, 255, slla), 0);
	/* not from the link */
	assert_int_equal(xglb_rs_check(rs, 16, src, 254, slla), -1);
	/* an SLLA from the unspecified address */
	assert_int_equal(xglb_rs_check(rs, 16, unspec, 255, slla), -1);
	/* truncated, wrong code, zero-length option, option past the end, SLLA of 16 bytes */
	assert_int_equal(xglb_rs_check(rs, 7, src, 255, slla), -1);
	memcpy(bad, rs, 16);
	bad[1] = 1;
	assert_int_equal(xglb_rs_check(bad, 16, src, 255, slla), -1);
	memcpy(bad, rs, 16);
	bad[9] = 0;
	assert_int_equal(xglb_rs_check(bad, 16, src, 255, slla), -1);
	bad[9] = 2;
	assert_int_equal(xglb_rs_check(bad, 16, src, 255, slla), -1);
	assert_int_equal(xglb_rs_check(bad, 14, src, 255, slla), -1);
	memcpy(bad, rs, 16);
	bad[0] = 134;
	assert_int_equal(xglb_rs_check(bad, 16, src, 255, slla), -1);
}

T_MAIN_NAMED("ndmsg", cmocka_unit_test(test_ra_minimal), cmocka_unit_test(test_ra_full),
	     cmocka_unit_test(test_na_move), cmocka_unit_test(test_rs_check))

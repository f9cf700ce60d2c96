// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_steer.c - tc ingress steering through test_run: fixtures, bucket agreement, bank switch. */
#include <pthread.h>
#include <sched.h>
#include <linux/pkt_cls.h>
#include "harness.h"
#include "owners.h"

/*
 * The node under test is slot 0 of a steering domain whose other slots
 * are peers with known MACs on lo (ifindex 1). Frames arrive on lo
 * addressed to lo's MAC as the agent knows it (H_IFMAC), which test_run
 * classifies PACKET_OTHERHOST (lo's real MAC is all-zero): so a frame that
 * stays also exercises the PACKET_HOST fix-up, counted as tc_ingress_to_host.
 *
 * A steered frame must come back as TC_ACT_REDIRECT with exactly its
 * MACs rewritten (the redirect target, the same ifindex, is not visible
 * through test_run); a frame that stays must come back TC_ACT_OK and
 * unchanged. Every run asserts its exact set of reason counters.
 */

#define CLI	    H_HOSTIP		  /* a client on the group's segment */
#define SRV	    h_ip(192, 0, 2, 10)	  /* a server behind the routers */
#define RTR	    h_ip(198, 51, 100, 1) /* a router upstream, sender of ICMP errors */
#define MCAST	    h_ip(224, 0, 0, 251)
#define LBCAST	    h_ip(255, 255, 255, 255)
#define CPORT	    40000
#define SPORT_HTTPS 443
#define SPORT_DNS   53
#define ECHO_ID	    0x1234

static const __u8 PEER3[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x03}; /* slot 2 */
static const __u8 EXTRA[6] = {0x52, 0x54, 0x00, 0x00, 0x01, 0x02}; /* a peer's other NIC */
static const __u8 UPMAC[6] = {0x52, 0x54, 0x00, 0xcc, 0x00, 0x01}; /* upstream router */
static const __u8 MCASTMAC[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

/*
 * A flow tuple as the data path hashes it: addresses in network order (IPv4
 * in a and b, IPv6 in a6 and b6 when v6 is set), ports in host order.
 */
struct tuple {
	__be32 a, b;
	__u16 pa, pb;
	__u8 proto;
	bool v6;
	__u8 a6[16], b6[16];
};

/* xglb_ip6_fold of an address in network order. */
static __u32 fold6(const __u8 *a)
{
	__u32 w[4];

	for (int i = 0; i < 4; i++)
		w[i] = (__u32)a[4 * i] << 24 | (__u32)a[4 * i + 1] << 16 |
		       (__u32)a[4 * i + 2] << 8 | a[4 * i + 3];
	return xglb_ip6_fold(w[0], w[1], w[2], w[3]);
}

static __u32 t_bucket(const struct tuple *t, __u32 n_buckets)
{
	if (t->v6)
		return xglb_flow_hash(fold6(t->a6), fold6(t->b6), t->pa, t->pb, t->proto) &
		       (n_buckets - 1);
	return xglb_flow_hash(ntohl(t->a), ntohl(t->b), t->pa, t->pb, t->proto) & (n_buckets - 1);
}

/* ---- steering state --------------------------------------------------- */

static __u8 g_owner[XGLB_STEER_BUCKETS];

/*
 * Domain 0 of n_buckets buckets, every bucket owned by slot fill; lo is
 * in it as slot 0, slot 1 is H_PEERMAC, slot 2 PEER3, and EXTRA is an
 * extra from-peer MAC.
 */
static struct xglb_steer *st_base(__u32 n_buckets, __u8 fill)
{
	static struct xglb_steer st;
	struct xglb_steer_iface *f = h_steer_one(&st, g_owner, n_buckets, fill, H_IFINDEX);

	memcpy(f->peer_mac[2], PEER3, 6);
	f->n_extra = 1;
	memcpy(f->extra_from[0], EXTRA, 6);
	return &st;
}

/* Commit st (no groups) and make the VIP and the router's address local. */
static void st_install(struct h_env *e, const struct xglb_steer *st)
{
	const __be32 local[] = {H_VIP, H_ROUTERIP};

	if (!e->bank.steer_open)
		h_open_steer(e);
	assert_int_equal(xglb_bank_commit_steer(&e->bank, NULL, 0, st), 0);
	assert_int_equal(xglb_bank_set_local_ips(&e->bank, local, 2), 0);
}

/* ---- inputs: a frame and the tuple it must hash by -------------------- */

static void tup(struct tuple *t, __be32 a, __be32 b, __u16 pa, __u16 pb, __u8 proto)
{
	*t = (struct tuple){.a = a, .b = b, .pa = pa, .pb = pb, .proto = proto};
}

/* The arg of the flows' builders: which end sends the frame. */
enum { FROM_CLIENT, FROM_SERVER };

/*
 * The client's flow of PROTO to server port SPORT, PAY bytes of payload;
 * arg FROM_CLIENT: client -> server, FROM_SERVER: server -> client (from upstream).
 */
static void l4_flow(struct h_frame *f, struct tuple *t, int arg, __u8 proto, __u16 sport, __u32 pay)
{
	if (arg)
		h_l4_frame(f, H_IFMAC, UPMAC, proto, SRV, sport, CLI, CPORT, pay);
	else
		h_l4_frame(f, H_IFMAC, H_HOST, proto, CLI, CPORT, SRV, sport, pay);
	tup(t, CLI, SRV, CPORT, sport, proto);
}

static void in_tcp(struct h_frame *f, struct tuple *t, int arg)
{
	l4_flow(f, t, arg, 6, SPORT_HTTPS, 32);
}

static void in_udp(struct h_frame *f, struct tuple *t, int arg)
{
	l4_flow(f, t, arg, 17, SPORT_DNS, 40);
}

/* arg FROM_CLIENT: echo request from the client, FROM_SERVER: the server's echo reply. */
static void in_echo(struct h_frame *f, struct tuple *t, int arg)
{
	if (arg)
		h_icmp_echo(f, H_IFMAC, UPMAC, SRV, CLI, 0, ECHO_ID, 7);
	else
		h_icmp_echo(f, H_IFMAC, H_HOST, CLI, SRV, 8, ECHO_ID, 7);
	tup(t, CLI, SRV, ECHO_ID, ECHO_ID, 1);
}

/*
 * ICMP errors about a frame of a flow (arg: E_*): the inner frame (its
 * builder, that builder's arg, the flags/fragment field set on it), then
 * the error's Ethernet source, addresses, type and code.
 */
enum {
	E_PORT_UNREACH,
	E_FRAG_NEEDED,
	E_TTL_ECHO,
	E_TO_SERVER,
	E_ABOUT_FRAG,
	E_ABOUT_FIRST_FRAG,
	E_MAX
};

static void in_err(struct h_frame *f, struct tuple *t, int arg)
{
	const struct {
		void (*inner)(struct h_frame *f, struct tuple *t, int arg);
		int inner_arg;
		__u16 frag_off;
		const __u8 *src;
		__be32 saddr, daddr;
		__u8 type, code;
	} rows[E_MAX] = {
	    /* the server's port unreachable about the client's UDP datagram */
	    [E_PORT_UNREACH] = {in_udp, 0, 0, UPMAC, SRV, CLI, 3, 3},
	    /* an upstream router's "fragmentation needed" (PMTU) about the client's
	     * TCP segment (DF) */
	    [E_FRAG_NEEDED] = {in_tcp, 0, 0x4000, UPMAC, RTR, CLI, 3, 4},
	    /* time exceeded about the client's echo request (traceroute by ping) */
	    [E_TTL_ECHO] = {in_echo, 0, 0, UPMAC, RTR, CLI, 11, 0},
	    /* the other way: a client-side host's port unreachable to the server */
	    [E_TO_SERVER] = {in_udp, 1, 0, H_HOST, CLI, SRV, 3, 3},
	    /* time exceeded about a later fragment (reassembly timeout), its first unseen */
	    [E_ABOUT_FRAG] = {in_udp, 0, 0x2000 | 6, UPMAC, SRV, CLI, 11, 1},
	    /* the same about a first fragment: it holds the ports */
	    [E_ABOUT_FIRST_FRAG] = {in_udp, 0, 0x2000, UPMAC, SRV, CLI, 11, 1},
	};
	struct h_frame orig;

	assert_true(arg >= 0 && arg < E_MAX);
	rows[arg].inner(&orig, t, rows[arg].inner_arg);
	if (rows[arg].frag_off)
		h_frag(&orig, rows[arg].frag_off);
	h_icmp_error(f, H_IFMAC, rows[arg].src, rows[arg].saddr, rows[arg].daddr, rows[arg].type,
		     rows[arg].code, &orig);
	if (rows[arg].frag_off & 0x1fff) /* about a later fragment: the 3-tuple */
		tup(t, t->a, t->b, 0, 0, t->proto);
}

/*
 * Pieces of one UDP datagram: arg 0 first (MF), 1 middle (offset, MF),
 * 2 last (offset), 3 the last piece of the reply datagram. The first
 * hashes as its datagram (ports); the others, their first fragment not
 * seen, by addresses and protocol.
 */
static void in_frag(struct h_frame *f, struct tuple *t, int arg)
{
	__u8 raw[48];

	for (int i = 0; i < (int)sizeof(raw); i++)
		raw[i] = (__u8)(0x90 + i);
	switch (arg) {
	case 0:
		h_l4_frame(f, H_IFMAC, H_HOST, 17, CLI, CPORT, SRV, SPORT_DNS, 40);
		h_frag(f, 0x2000);
		tup(t, CLI, SRV, CPORT, SPORT_DNS, 17);
		return;
	case 1:
		h_ip_frame(f, H_IFMAC, H_HOST, CLI, SRV, 17, raw, sizeof(raw));
		h_frag(f, 0x2000 | 6);
		break;
	case 2:
		h_ip_frame(f, H_IFMAC, H_HOST, CLI, SRV, 17, raw, sizeof(raw));
		h_frag(f, 12);
		break;
	default:
		h_ip_frame(f, H_IFMAC, UPMAC, SRV, CLI, 17, raw, sizeof(raw));
		h_frag(f, 185);
		break;
	}
	tup(t, CLI, SRV, 0, 0, 17);
}

/* A protocol without ports (GRE). */
static void in_gre(struct h_frame *f, struct tuple *t, int arg)
{
	const __u8 gre[8] = {0, 0, 0x08, 0x00};

	h_ip_frame(f, H_IFMAC, H_HOST, CLI, SRV, 47, gre, sizeof(gre));
	tup(t, CLI, SRV, 0, 0, 47);
}

/* SCTP: ports in the same place as TCP's. */
static void in_sctp(struct h_frame *f, struct tuple *t, int arg)
{
	const __u8 sctp[16] = {0x0b, 0xb8, 0x0b, 0xb9}; /* 3000 -> 3001 */

	h_ip_frame(f, H_IFMAC, H_HOST, CLI, SRV, 132, sctp, sizeof(sctp));
	tup(t, CLI, SRV, 3000, 3001, 132);
}

/* ICMP timestamp request: ICMP without an identifier rule, ports 0. */
static void in_icmp_timestamp(struct h_frame *f, struct tuple *t, int arg)
{
	const __u8 ts[20] = {13, 0, 0, 0, 0x12, 0x34};

	h_ip_frame(f, H_IFMAC, H_HOST, CLI, SRV, 1, ts, sizeof(ts));
	tup(t, CLI, SRV, 0, 0, 1);
}

/* TCP with 4 bytes of IP options (IHL 6): the ports move by 4 bytes. */
static void in_tcp_options(struct h_frame *f, struct tuple *t, int arg)
{
	in_tcp(f, t, 0);
	memmove(f->b + 38, f->b + 34, f->len - 34);
	memset(f->b + 34, 1, 4); /* NOP NOP NOP NOP */
	f->b[14] = 0x46;
	f->len += 4;
	f->b[17] = (__u8)(f->b[17] + 4);
}

/* A small UDP datagram padded to the Ethernet minimum: padding beyond tot_len is fine. */
static void in_udp_padded(struct h_frame *f, struct tuple *t, int arg)
{
	h_l4_frame(f, H_IFMAC, H_HOST, 17, CLI, CPORT, SRV, SPORT_DNS, 2);
	h_pad(f, 60, 0xe0);
	tup(t, CLI, SRV, CPORT, SPORT_DNS, 17);
}

/* Client TCP from a source MAC: arg 0 H_PEERMAC (slot 1), 1 PEER3 (slot 2), 2 EXTRA. */
static void in_tcp_from(struct h_frame *f, struct tuple *t, int arg)
{
	const __u8 *src[] = {H_PEERMAC, PEER3, EXTRA};

	in_tcp(f, t, 0);
	memcpy(f->b + 6, src[arg], 6);
}

/* UDP from the client to daddr: arg 0 the VIP, 1 the router, 2 multicast, 3 255.255.255.255. */
static void in_udp_to(struct h_frame *f, struct tuple *t, int arg)
{
	const __be32 dst[] = {H_VIP, H_ROUTERIP, MCAST, LBCAST};

	h_l4_frame(f, H_IFMAC, H_HOST, 17, CLI, CPORT, dst[arg], SPORT_DNS, 8);
	tup(t, CLI, dst[arg], CPORT, SPORT_DNS, 17);
}

/* Client UDP to a destination MAC: arg 0 broadcast, 1 multicast, 2 another host, 3 lo's own (zero).
 */
static void in_udp_mac(struct h_frame *f, struct tuple *t, int arg)
{
	const __u8 *dst[] = {H_BCAST, MCASTMAC, H_HOST2, H_ZERO};

	in_udp(f, t, 0);
	memcpy(f->b, dst[arg], 6);
}

/* ---- IPv6 inputs ---------------------------------------------------- */

static const __u8 CLI6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50};
static const __u8 SRV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const __u8 RTR6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x63, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
/* the router's own address, on lo in the test's network namespace (main) */
static const __u8 ROUTER6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
#define ROUTER6_STR "2001:db8:7::2"

static void tup6(struct tuple *t, const __u8 *a, const __u8 *b, __u16 pa, __u16 pb, __u8 proto)
{
	tup(t, 0, 0, pa, pb, proto);
	t->v6 = true;
	memcpy(t->a6, a, 16);
	memcpy(t->b6, b, 16);
}

/*
 * IPv6 frames, arg: S6_*. Payload: the extension headers named (8 bytes
 * each unless said), then the upper layer. The tuple is the flow's, client
 * first, whichever way the frame goes.
 */
enum {
	S6_TCP,		  /* client -> server, TCP */
	S6_TCP_BACK,	  /* server -> client */
	S6_UDP,		  /* client -> server, UDP */
	S6_UDP_BACK,	  /* server -> client */
	S6_ECHO,	  /* echo request: identifier as both ports */
	S6_ECHO_BACK,	  /* its reply */
	S6_HBH,		  /* TCP behind a hop-by-hop header */
	S6_DST_RT_BACK,	  /* UDP reply behind destination options (16 bytes) and routing */
	S6_AH,		  /* TCP behind an AH header (length in 4-byte units) */
	S6_FRAG_FIRST,	  /* first fragment of a UDP datagram: its ports */
	S6_FRAG_LATER,	  /* a later one, its first unseen: addresses and next header */
	S6_FRAG_BACK,	  /* a later one of the reply */
	S6_ERR_PTB,	  /* an upstream router's "packet too big" about the client's TCP */
	S6_ERR_BACK,	  /* a client-side port unreachable to the server about its UDP */
	S6_ERR_FRAG,	  /* time exceeded about a later fragment: addresses and next header */
	S6_ERR_HBH,	  /* port unreachable about TCP behind a hop-by-hop header */
	S6_ERR_INNER_CUT, /* an error whose embedded header is cut */
	S6_NS,		  /* a unicast NS to our MAC */
	S6_NA,		  /* a unicast NA to our MAC */
	S6_TO_LL,	  /* UDP to a link-local address */
	S6_TO_ROUTER,	  /* UDP to the router's own address */
	S6_MANY_EXT,	  /* more extension headers than the walk */
	S6_EXT_BEYOND,	  /* an extension header past the payload length */
	S6_PLEN_BEYOND,	  /* a payload length past the frame */
	S6_PORTS_CUT,	  /* UDP with 2 bytes: ports cut */
	S6_ICMP_CUT,	  /* ICMPv6 of 4 bytes */
	S6_V4_HEADER,	  /* Ethernet type IPv6, an IPv4 header */
	S6_MAX
};

/* 8-byte extension header: next header nh, length field len, the rest 0x5a. */
static __u32 ext6(__u8 *p, __u8 nh, __u8 len, __u32 bytes)
{
	memset(p, 0x5a, bytes);
	p[0] = nh;
	p[1] = len;
	return bytes;
}

/* 8 bytes of an upper layer: TCP/UDP ports sport, dport, or ICMPv6 type and identifier. */
static __u32 l4_6(__u8 *p, __u8 proto, __u16 a, __u16 b)
{
	memset(p, 0, 8);
	if (proto == 58) {
		p[0] = (__u8)a; /* type */
		p[4] = (__u8)(b >> 8);
		p[5] = (__u8)b;
	} else {
		p[0] = (__u8)(a >> 8);
		p[1] = (__u8)a;
		p[2] = (__u8)(b >> 8);
		p[3] = (__u8)b;
	}
	return 8;
}

/* A fragment header: next header nh, offset in 8-byte units, more fragments, identification. */
static __u32 frag6(__u8 *p, __u8 nh, __u16 off, bool more)
{
	__u16 v = (__u16)(off << 3 | (more ? 1 : 0));

	memset(p, 0, 8);
	p[0] = nh;
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
	p[4] = 0xca;
	p[5] = 0xfe;
	p[6] = 0x00;
	p[7] = 0x01;
	return 8;
}

/* An ICMPv6 error (type, code) about the IPv6 frame orig: its first bytes after the header. */
static void err6(struct h_frame *f, const __u8 *src, const __u8 *saddr, const __u8 *daddr,
		 __u8 type, __u8 code, const struct h_frame *orig, __u32 keep)
{
	__u8 pay[256] = {type, code};
	__u32 n = orig->len - 14 < keep ? orig->len - 14 : keep;

	memcpy(pay + 8, orig->b + 14, n);
	h_ip6_frame(f, H_IFMAC, src, saddr, daddr, 58, pay, 8 + n);
}

static void in6_cut(struct h_frame *f, struct tuple *t, int kind, __u16 plen);

static void in6(struct h_frame *f, struct tuple *t, int arg)
{
	__u8 pay[256];
	__u32 n = 0;
	struct h_frame orig;

	switch (arg) {
	case S6_TCP:
	case S6_TCP_BACK:
	case S6_UDP:
	case S6_UDP_BACK: {
		__u8 proto = arg <= S6_TCP_BACK ? 6 : 17;
		__u16 sport = proto == 6 ? SPORT_HTTPS : SPORT_DNS;
		bool back = arg == S6_TCP_BACK || arg == S6_UDP_BACK;

		n = l4_6(pay, proto, back ? sport : CPORT, back ? CPORT : sport);
		memset(pay + n, 0x61, 24);
		if (back)
			h_ip6_frame(f, H_IFMAC, UPMAC, SRV6, CLI6, proto, pay, n + 24);
		else
			h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, proto, pay, n + 24);
		tup6(t, CLI6, SRV6, CPORT, sport, proto);
		return;
	}
	case S6_ECHO:
	case S6_ECHO_BACK:
		n = l4_6(pay, 58, arg == S6_ECHO ? 128 : 129, ECHO_ID);
		if (arg == S6_ECHO)
			h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, 58, pay, n + 16);
		else
			h_ip6_frame(f, H_IFMAC, UPMAC, SRV6, CLI6, 58, pay, n + 16);
		tup6(t, CLI6, SRV6, ECHO_ID, ECHO_ID, 58);
		return;
	case S6_HBH:
		n = ext6(pay, 6, 0, 8);
		n += l4_6(pay + n, 6, CPORT, SPORT_HTTPS);
		h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, XGLB_IPPROTO_HOPOPTS, pay, n);
		tup6(t, CLI6, SRV6, CPORT, SPORT_HTTPS, 6);
		return;
	case S6_DST_RT_BACK:
		n = ext6(pay, XGLB_IPPROTO_ROUTING, 1, 16);
		n += ext6(pay + n, 17, 0, 8);
		n += l4_6(pay + n, 17, SPORT_DNS, CPORT);
		h_ip6_frame(f, H_IFMAC, UPMAC, SRV6, CLI6, XGLB_IPPROTO_DSTOPTS, pay, n);
		tup6(t, CLI6, SRV6, CPORT, SPORT_DNS, 17);
		return;
	case S6_AH:
		n = ext6(pay, 6, 4, 24); /* (4 + 2) * 4 bytes */
		n += l4_6(pay + n, 6, CPORT, SPORT_HTTPS);
		h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, XGLB_IPPROTO_AH, pay, n);
		tup6(t, CLI6, SRV6, CPORT, SPORT_HTTPS, 6);
		return;
	case S6_FRAG_FIRST:
		n = frag6(pay, 17, 0, true);
		n += l4_6(pay + n, 17, CPORT, SPORT_DNS);
		memset(pay + n, 0x61, 32);
		h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, XGLB_IPPROTO_FRAGMENT, pay, n + 32);
		tup6(t, CLI6, SRV6, CPORT, SPORT_DNS, 17);
		return;
	case S6_FRAG_LATER:
	case S6_FRAG_BACK:
		n = frag6(pay, 17, 5, arg == S6_FRAG_LATER);
		memset(pay + n, 0x90, 40);
		if (arg == S6_FRAG_LATER)
			h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, XGLB_IPPROTO_FRAGMENT, pay,
				    n + 40);
		else
			h_ip6_frame(f, H_IFMAC, UPMAC, SRV6, CLI6, XGLB_IPPROTO_FRAGMENT, pay,
				    n + 40);
		tup6(t, CLI6, SRV6, 0, 0, 17);
		return;
	case S6_ERR_PTB:
	case S6_ERR_BACK:
	case S6_ERR_FRAG:
	case S6_ERR_HBH:
	case S6_ERR_INNER_CUT: {
		/* the frame it is about, and the error's sender, addresses, type, code, bytes kept
		 */
		static const struct {
			int inner;
			const __u8 *src, *saddr, *daddr;
			__u8 type, code;
			__u32 keep;
		} e6[] = {
		    {S6_TCP, UPMAC, RTR6, CLI6, 2, 0, 1232},
		    {S6_UDP_BACK, H_HOST, CLI6, SRV6, 1, 4, 1232},
		    {S6_FRAG_LATER, UPMAC, SRV6, CLI6, 3, 1, 1232},
		    {S6_HBH, UPMAC, SRV6, CLI6, 1, 4, 1232},
		    {S6_TCP, UPMAC, RTR6, CLI6, 2, 0, 30},
		};
		int k = arg - S6_ERR_PTB;

		in6(&orig, t, e6[k].inner);
		err6(f, e6[k].src, e6[k].saddr, e6[k].daddr, e6[k].type, e6[k].code, &orig,
		     e6[k].keep);
		return;
	}
	case S6_NS:
		h_ns(f, H_IFMAC, H_HOST, H_HOST6, ROUTER6, ROUTER6, H_HOST);
		return;
	case S6_NA:
		h_na(f, H_IFMAC, H_HOST, H_HOST6, ROUTER6, XGLB_NA_SOLICITED, H_HOST6, H_HOST);
		return;
	case S6_TO_LL:
	case S6_TO_ROUTER:
		n = l4_6(pay, 17, CPORT, SPORT_DNS);
		h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, arg == S6_TO_LL ? H_PEER6 : ROUTER6, 17, pay,
			    n);
		tup6(t, CLI6, arg == S6_TO_LL ? H_PEER6 : ROUTER6, CPORT, SPORT_DNS, 17);
		return;
	case S6_MANY_EXT:
		for (int i = 0; i <= XGLB_STEER6_EXT_MAX; i++)
			n += ext6(pay + n, i < XGLB_STEER6_EXT_MAX ? XGLB_IPPROTO_DSTOPTS : 17, 0,
				  8);
		n += l4_6(pay + n, 17, CPORT, SPORT_DNS);
		h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, XGLB_IPPROTO_DSTOPTS, pay, n);
		return;
	case S6_EXT_BEYOND:
		n = ext6(pay, 17, 2, 8); /* says 24 bytes, 16 follow */
		n += l4_6(pay + n, 17, CPORT, SPORT_DNS);
		n += l4_6(pay + n, 17, CPORT, SPORT_DNS);
		h_ip6_frame(f, H_IFMAC, H_HOST, CLI6, SRV6, XGLB_IPPROTO_HOPOPTS, pay, n);
		return;
	case S6_PLEN_BEYOND:
		in6(f, t, S6_UDP);
		f->b[19] += 1;
		return;
	case S6_PORTS_CUT:
		in6_cut(f, t, S6_UDP, 2);
		return;
	case S6_ICMP_CUT:
		in6_cut(f, t, S6_ECHO, 4);
		return;
	default:
		in_udp(f, t, 0);
		f->b[12] = 0x86;
		f->b[13] = 0xdd;
		return;
	}
}

/* Frame kind of in6, cut to plen payload bytes (payload length and frame length both say so). */
static void in6_cut(struct h_frame *f, struct tuple *t, int kind, __u16 plen)
{
	in6(f, t, kind);
	f->b[18] = (__u8)(plen >> 8);
	f->b[19] = (__u8)plen;
	f->len = 54 + plen;
}

/*
 * Frames that are not IPv4 nor IPv6: arg 0 ARP to us; tagged, of a flow a
 * peer owns: 2 802.1Q IPv4, 3 802.1ad IPv4, 4 802.1Q IPv6, 5 802.1Q ARP.
 */
static void in_not_ipv4(struct h_frame *f, struct tuple *t, int arg)
{
	switch (arg) {
	case 0:
	case 5:
		h_arp(f, H_IFMAC, H_HOST, XGLB_ARPOP_REQUEST, H_HOST, CLI, H_ZERO, H_ROUTERIP);
		break;
	case 4:
		in6(f, t, S6_UDP);
		break;
	default:
		in_udp(f, t, 0);
		break;
	}
	if (arg >= 2)
		h_vlan(f, arg == 3 ? XGLB_ETH_P_8021AD : XGLB_ETH_P_8021Q, 10);
}

/* Malformed IPv4 headers: arg selects the lie. */
static void in_malformed(struct h_frame *f, struct tuple *t, int arg)
{
	struct h_frame orig;

	in_udp(f, t, 0);
	switch (arg) {
	case 0: /* version 6 in an IPv4 frame */
		f->b[14] = 0x65;
		break;
	case 1: /* IHL 4 */
		f->b[14] = 0x44;
		break;
	case 2: /* IHL 0 */
		f->b[14] = 0x40;
		break;
	case 3: /* IHL 15 (60 bytes) but total length 76 and only 48 bytes after 20 */
		f->b[14] = 0x4f;
		f->b[16] = 0;
		f->b[17] = 40;
		f->len = 14 + 40;
		break;
	case 4: /* total length beyond the frame */
		f->b[16] = 0x05;
		f->b[17] = 0xdc;
		break;
	case 5: /* total length shorter than the header */
		f->b[16] = 0;
		f->b[17] = 19;
		break;
	case 6: /* UDP ports cut off by the total length (the frame has padding) */
		f->b[16] = 0;
		f->b[17] = 22;
		break;
	case 7: /* ICMP shorter than its 8-byte header */
		h_icmp_echo(f, H_IFMAC, H_HOST, CLI, SRV, 8, ECHO_ID, 1);
		f->b[17] = 24;
		f->len = 14 + 24;
		break;
	case 8: /* ICMP error whose embedded header is cut to 10 bytes */
		in_err(f, t, E_PORT_UNREACH);
		f->len = 14 + 20 + 8 + 10;
		f->b[16] = 0;
		f->b[17] = 38;
		break;
	case 9: /* ICMP error embedding a version 6 header */
		in_err(f, t, E_PORT_UNREACH);
		f->b[14 + 20 + 8] = 0x65;
		break;
	case 10: /* ICMP error embedding IHL 3 */
		in_err(f, t, E_PORT_UNREACH);
		f->b[14 + 20 + 8] = 0x43;
		break;
	case 11: /* ICMP error embedding a UDP header without its ports */
		in_udp(&orig, t, 0);
		orig.len = 14 + 20;
		h_icmp_error(f, H_IFMAC, UPMAC, SRV, CLI, 3, 3, &orig);
		break;
	default: /* ICMP error embedding an echo request cut before its identifier */
		in_echo(&orig, t, 0);
		orig.len = 14 + 20 + 4;
		h_icmp_error(f, H_IFMAC, UPMAC, RTR, CLI, 11, 0, &orig);
		break;
	}
}

/* The client's UDP datagram cut at arg bytes, its headers still claiming 82. */
static void in_cut(struct h_frame *f, struct tuple *t, int arg)
{
	in_udp(f, t, 0);
	f->len = (__u32)arg;
}

/* The client's 86-byte IPv6 UDP frame cut at arg bytes, its payload length still 32. */
static void in_cut6(struct h_frame *f, struct tuple *t, int arg)
{
	in6(f, t, S6_UDP);
	f->len = (__u32)arg;
}

/* ---- setups ----------------------------------------------------------- */

static void setup_all_self(struct h_env *e, const struct tuple *t)
{
	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, 0));
}

static void setup_all_peer(struct h_env *e, const struct tuple *t)
{
	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, 1));
}

static void setup_all_peer3(struct h_env *e, const struct tuple *t)
{
	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, 2));
}

/* Only the input's bucket is slot 1's: steered iff the data path hashed the tuple given. */
static void setup_bucket_peer(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 0);

	g_owner[t_bucket(t, XGLB_STEER_BUCKETS_DEFAULT)] = 1;
	st_install(e, st);
}

/* Same with 256 buckets: the bucket mask comes from the domain. */
static void setup_bucket_peer_256(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(256, 0);

	g_owner[t_bucket(t, 256)] = 1;
	st_install(e, st);
}

/* Only the bucket of the tuple without ports is slot 1's (it must differ from the input's). */
static void setup_3tuple_peer(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 0);
	struct tuple t3 = *t;

	t3.pa = t3.pb = 0;
	assert_int_not_equal(t_bucket(&t3, XGLB_STEER_BUCKETS_DEFAULT),
			     t_bucket(t, XGLB_STEER_BUCKETS_DEFAULT));
	g_owner[t_bucket(&t3, XGLB_STEER_BUCKETS_DEFAULT)] = 1;
	st_install(e, st);
}

/* Every bucket but the input's is slot 1's: the input's stays (its bucket is ours). */
static void setup_bucket_self(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 1);

	g_owner[t_bucket(t, XGLB_STEER_BUCKETS_DEFAULT)] = 0;
	st_install(e, st);
}

static void setup_unowned(struct h_env *e, const struct tuple *t)
{
	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, XGLB_STEER_NO_OWNER));
}

/* Every bucket belongs to slot 5, whose MAC on this segment is not known. */
static void setup_owner_mac_unknown(struct h_env *e, const struct tuple *t)
{
	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, 5));
}

/* We are not in the table (drained): everything goes to slot 2. */
static void setup_self_drained(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 2);

	st->iface[0].self = XGLB_STEER_NO_OWNER;
	st_install(e, st);
}

/* Steering configured for ifindex 2 only. */
static void setup_other_iface(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 1);

	st->iface[0].ifindex = 2;
	st_install(e, st);
}

/* Steering written into the inactive bank, never flipped. */
static void setup_prepared_only(struct h_env *e, const struct tuple *t)
{
	h_open_steer(e);
	assert_int_equal(xglb_bank_prepare(&e->bank, NULL, 0), 0);
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st_base(XGLB_STEER_BUCKETS_DEFAULT, 1)),
			 0);
}

/* Steering on, then a commit of an empty steering state turns it off. */
static void setup_turned_off(struct h_env *e, const struct tuple *t)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 1);

	st_install(e, st);
	st->n_ifaces = 0;
	st_install(e, st);
}

/* No steering, and lo's MAC unknown to xglb_ifaces (no fix-up either). */
static void setup_no_iface_mac(struct h_env *e, const struct tuple *t)
{
	h_del_iface(e, H_IFINDEX);
}

/* ---- the table ------------------------------------------------------- */

struct steer_case {
	const char *name;
	void (*setup)(struct h_env *e, const struct tuple *t); /* NULL: no steering */
	void (*input)(struct h_frame *f, struct tuple *t, int arg);
	int arg;
	int to_slot;  /* >= 0: steered to this slot's MAC; -1: stays, unchanged */
	__u32 reason; /* the tc_steer_* reason */
	__u32 host;   /* the fix-up's reason for a frame that stays */
};

#define R(x)	XGLB_R_##x
#define STAY	-1
#define TO_HOST R(TC_INGRESS_TO_HOST)
#define PASS	R(TC_INGRESS_PASS)
#define GONE	XGLB_R_MAX /* steered: no fix-up reason */
/*
 * The outcome of a row: steered to slot 1 (the peer); or it stays with a
 * tc_steer_* reason, then the fix-up makes it PACKET_HOST or passes it
 * untouched.
 */
#define STEERED	      1, R(TC_STEER_STEERED), GONE
#define STAYS_HOST(r) STAY, R(r), TO_HOST
#define STAYS_PASS(r) STAY, R(r), PASS

// clang-format off
static const struct steer_case cases[] = {
    /* both directions of a flow: the bucket the shared userspace hash predicts */
    {"tcp_client_to_server_steered", setup_bucket_peer, in_tcp, FROM_CLIENT, STEERED},
    {"tcp_server_to_client_steered", setup_bucket_peer, in_tcp, FROM_SERVER, STEERED},
    {"udp_client_to_server_steered", setup_bucket_peer, in_udp, FROM_CLIENT, STEERED},
    {"udp_server_to_client_steered", setup_bucket_peer, in_udp, FROM_SERVER, STEERED},
    {"echo_request_steered", setup_bucket_peer, in_echo, FROM_CLIENT, STEERED},
    {"echo_reply_steered", setup_bucket_peer, in_echo, FROM_SERVER, STEERED},
    {"tcp_256_buckets_steered", setup_bucket_peer_256, in_tcp, FROM_SERVER, STEERED},
    {"tcp_ip_options_steered", setup_bucket_peer, in_tcp_options, FROM_CLIENT, STEERED},
    {"udp_padded_frame_steered", setup_bucket_peer, in_udp_padded, FROM_CLIENT, STEERED},
    {"sctp_ports_steered", setup_bucket_peer, in_sctp, FROM_CLIENT, STEERED},
    {"gre_by_addresses_steered", setup_bucket_peer, in_gre, FROM_CLIENT, STEERED},
    {"icmp_timestamp_no_ports_steered", setup_bucket_peer, in_icmp_timestamp, FROM_CLIENT, STEERED},
    /* ICMP errors follow the flow they are about */
    {"port_unreachable_follows_udp_flow", setup_bucket_peer, in_err, E_PORT_UNREACH, STEERED},
    {"frag_needed_follows_tcp_flow", setup_bucket_peer, in_err, E_FRAG_NEEDED, STEERED},
    {"time_exceeded_follows_echo_flow", setup_bucket_peer, in_err, E_TTL_ECHO, STEERED},
    {"error_to_server_follows_flow", setup_bucket_peer, in_err, E_TO_SERVER, STEERED},
    {"error_about_fragment_by_addresses", setup_bucket_peer, in_err, E_ABOUT_FRAG, STEERED},
    {"error_about_first_fragment_follows_flow", setup_bucket_peer, in_err, E_ABOUT_FIRST_FRAG, STEERED},
    {"port_unreachable_stays_with_owned_flow", setup_bucket_self, in_err, E_PORT_UNREACH, STAYS_HOST(TC_STEER_OWNED)},
    /* fragments: the first by its ports, later ones unseen before by addresses + protocol */
    {"first_fragment_by_ports", setup_bucket_peer, in_frag, 0, STEERED},
    {"middle_fragment_by_addresses", setup_bucket_peer, in_frag, 1, STEERED},
    {"last_fragment_by_addresses", setup_bucket_peer, in_frag, 2, STEERED},
    {"reply_fragment_by_addresses", setup_bucket_peer, in_frag, 3, STEERED},
    {"unfragmented_not_by_addresses", setup_3tuple_peer, in_udp, FROM_CLIENT, STAYS_HOST(TC_STEER_OWNED)},
    /* owners */
    {"owned_tcp_stays", setup_all_self, in_tcp, FROM_CLIENT, STAYS_HOST(TC_STEER_OWNED)},
    {"owned_reply_stays", setup_all_self, in_tcp, FROM_SERVER, STAYS_HOST(TC_STEER_OWNED)},
    {"owned_bucket_among_steered", setup_bucket_self, in_udp, FROM_SERVER, STAYS_HOST(TC_STEER_OWNED)},
    {"steered_to_slot2", setup_all_peer3, in_udp, 0, 2, R(TC_STEER_STEERED), GONE},
    {"drained_node_steers_all", setup_self_drained, in_echo, 1, 2, R(TC_STEER_STEERED), GONE},
    {"bucket_without_owner_stays", setup_unowned, in_tcp, FROM_CLIENT, STAYS_HOST(TC_STEER_NO_OWNER)},
    {"owner_mac_unknown_stays", setup_owner_mac_unknown, in_tcp, FROM_CLIENT, STAYS_HOST(TC_STEER_NO_OWNER)},
    /* one hop at most */
    {"from_peer_slot1_not_steered", setup_all_peer3, in_tcp_from, 0, STAYS_HOST(TC_STEER_FROM_PEER)},
    {"from_peer_slot2_not_steered_back", setup_all_peer3, in_tcp_from, 1, STAYS_HOST(TC_STEER_FROM_PEER)},
    {"from_peer_extra_mac_not_steered", setup_all_peer, in_tcp_from, 2, STAYS_HOST(TC_STEER_FROM_PEER)},
    /* for the router itself */
    {"to_vip_not_steered", setup_all_peer, in_udp_to, 0, STAYS_HOST(TC_STEER_LOCAL)},
    {"to_router_address_not_steered", setup_all_peer, in_udp_to, 1, STAYS_HOST(TC_STEER_LOCAL)},
    {"to_multicast_ip_not_steered", setup_all_peer, in_udp_to, 2, STAYS_HOST(TC_STEER_LOCAL)},
    {"to_limited_broadcast_not_steered", setup_all_peer, in_udp_to, 3, STAYS_HOST(TC_STEER_LOCAL)},
    {"broadcast_mac_not_steered", setup_all_peer, in_udp_mac, 0, STAYS_PASS(TC_STEER_LOCAL)},
    {"multicast_mac_not_steered", setup_all_peer, in_udp_mac, 1, STAYS_PASS(TC_STEER_LOCAL)},
    {"other_hosts_mac_not_steered", setup_all_peer, in_udp_mac, 2, STAYS_PASS(TC_STEER_LOCAL)},
    /* not steerable */
    {"arp_not_steered", setup_all_peer, in_not_ipv4, 0, STAYS_HOST(TC_STEER_NOT_IPV4)},
    /* tagged: another VLAN's, never steered as this segment's flow (counted tc_steer_vlan) */
    {"vlan_tagged_not_steered", setup_all_peer, in_not_ipv4, 2, STAYS_HOST(TC_STEER_VLAN)},
    {"vlan_8021ad_tagged_not_steered", setup_all_peer, in_not_ipv4, 3, STAYS_HOST(TC_STEER_VLAN)},
    {"vlan_tagged_ipv6_not_steered", setup_all_peer, in_not_ipv4, 4, STAYS_HOST(TC_STEER_VLAN)},
    {"vlan_tagged_arp_not_steered", setup_all_peer, in_not_ipv4, 5, STAYS_HOST(TC_STEER_VLAN)},
    {"malformed_version", setup_all_peer, in_malformed, 0, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_ihl_4", setup_all_peer, in_malformed, 1, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_ihl_0", setup_all_peer, in_malformed, 2, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_ihl_beyond_total_length", setup_all_peer, in_malformed, 3, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_total_length_beyond_frame", setup_all_peer, in_malformed, 4, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_total_length_below_header", setup_all_peer, in_malformed, 5, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_ports_beyond_total_length", setup_all_peer, in_malformed, 6, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_icmp_short", setup_all_peer, in_malformed, 7, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_icmp_error_inner_cut", setup_all_peer, in_malformed, 8, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_icmp_error_inner_version", setup_all_peer, in_malformed, 9, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_icmp_error_inner_ihl", setup_all_peer, in_malformed, 10, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_icmp_error_inner_no_ports", setup_all_peer, in_malformed, 11, STAYS_HOST(TC_STEER_MALFORMED)},
    {"malformed_icmp_error_inner_no_echo_id", setup_all_peer, in_malformed, 12, STAYS_HOST(TC_STEER_MALFORMED)},
    /* IPv6: both directions of a flow on one owner, the bucket the userspace hash predicts */
    {"ipv6_tcp_client_to_server_steered", setup_bucket_peer, in6, S6_TCP, STEERED},
    {"ipv6_tcp_server_to_client_steered", setup_bucket_peer, in6, S6_TCP_BACK, STEERED},
    {"ipv6_udp_client_to_server_steered", setup_bucket_peer, in6, S6_UDP, STEERED},
    {"ipv6_udp_server_to_client_steered", setup_bucket_peer, in6, S6_UDP_BACK, STEERED},
    {"ipv6_echo_request_steered", setup_bucket_peer, in6, S6_ECHO, STEERED},
    {"ipv6_echo_reply_steered", setup_bucket_peer, in6, S6_ECHO_BACK, STEERED},
    {"ipv6_tcp_owned_stays", setup_bucket_self, in6, S6_TCP_BACK, STAYS_HOST(TC_STEER_OWNED)},
    {"ipv6_udp_not_by_addresses", setup_3tuple_peer, in6, S6_UDP, STAYS_HOST(TC_STEER_OWNED)},
    /* extension headers walked to the ports */
    {"ipv6_hop_by_hop_tcp_steered", setup_bucket_peer, in6, S6_HBH, STEERED},
    {"ipv6_dstopts_routing_udp_steered", setup_bucket_peer, in6, S6_DST_RT_BACK, STEERED},
    {"ipv6_ah_tcp_steered", setup_bucket_peer, in6, S6_AH, STEERED},
    /* fragments: the first by its ports, later ones unseen before by addresses + next header */
    {"ipv6_first_fragment_by_ports", setup_bucket_peer, in6, S6_FRAG_FIRST, STEERED},
    {"ipv6_later_fragment_by_addresses", setup_bucket_peer, in6, S6_FRAG_LATER, STEERED},
    {"ipv6_reply_fragment_by_addresses", setup_bucket_peer, in6, S6_FRAG_BACK, STEERED},
    /* ICMPv6 errors follow the flow they are about */
    {"ipv6_packet_too_big_follows_tcp_flow", setup_bucket_peer, in6, S6_ERR_PTB, STEERED},
    {"ipv6_error_to_server_follows_flow", setup_bucket_peer, in6, S6_ERR_BACK, STEERED},
    {"ipv6_error_about_fragment_by_addresses", setup_bucket_peer, in6, S6_ERR_FRAG, STEERED},
    {"ipv6_error_about_hop_by_hop_follows_flow", setup_bucket_peer, in6, S6_ERR_HBH, STEERED},
    /* never steered: NDP, link-local and the router's own addresses */
    {"ipv6_ns_not_steered", setup_all_peer, in6, S6_NS, STAYS_HOST(TC_STEER_LOCAL)},
    {"ipv6_na_not_steered", setup_all_peer, in6, S6_NA, STAYS_HOST(TC_STEER_LOCAL)},
    {"ipv6_to_link_local_not_steered", setup_all_peer, in6, S6_TO_LL, STAYS_HOST(TC_STEER_LOCAL)},
    {"ipv6_to_router_address_not_steered", setup_all_peer, in6, S6_TO_ROUTER, STAYS_HOST(TC_STEER_LOCAL)},
    /* malformed: stays, counted */
    {"ipv6_too_many_extension_headers", setup_all_peer, in6, S6_MANY_EXT, STAYS_HOST(TC_STEER_MALFORMED)},
    {"ipv6_extension_header_beyond_payload", setup_all_peer, in6, S6_EXT_BEYOND, STAYS_HOST(TC_STEER_MALFORMED)},
    {"ipv6_payload_length_beyond_frame", setup_all_peer, in6, S6_PLEN_BEYOND, STAYS_HOST(TC_STEER_MALFORMED)},
    {"ipv6_udp_ports_cut", setup_all_peer, in6, S6_PORTS_CUT, STAYS_HOST(TC_STEER_MALFORMED)},
    {"ipv6_icmp_cut", setup_all_peer, in6, S6_ICMP_CUT, STAYS_HOST(TC_STEER_MALFORMED)},
    {"ipv6_error_inner_header_cut", setup_all_peer, in6, S6_ERR_INNER_CUT, STAYS_HOST(TC_STEER_MALFORMED)},
    {"ipv6_type_with_ipv4_header", setup_all_peer, in6, S6_V4_HEADER, STAYS_HOST(TC_STEER_MALFORMED)},
    /* interfaces without steering, and the PACKET_HOST fix-up */
    {"no_steering_fixup_to_host", NULL, in_udp, FROM_CLIENT, STAYS_HOST(TC_STEER_OFF)},
    {"no_steering_packet_host_untouched", NULL, in_udp_mac, 3, STAYS_PASS(TC_STEER_OFF)},
    {"no_steering_iface_mac_unknown", setup_no_iface_mac, in_udp, FROM_CLIENT, STAYS_PASS(TC_STEER_OFF)},
    {"no_steering_arp_fixup", NULL, in_not_ipv4, 0, STAYS_HOST(TC_STEER_NOT_IPV4)},
    {"steering_on_other_iface_only", setup_other_iface, in_udp, FROM_CLIENT, STAYS_HOST(TC_STEER_OFF)},
    {"steering_prepared_not_flipped", setup_prepared_only, in_udp, FROM_CLIENT, STAYS_HOST(TC_STEER_OFF)},
    {"steering_turned_off", setup_turned_off, in_udp, FROM_CLIENT, STAYS_HOST(TC_STEER_OFF)},
};
// clang-format on

/*
 * Generated rows: the client's 82-byte UDP frame cut at every length
 * 34..81, its IP total length still claiming 68; and its 86-byte IPv6 UDP
 * frame cut at every length 54..85, its payload length still claiming 32.
 * (Cuts inside the IPv4 or IPv6 header never reach the program through
 * test_run: the kernel refuses them, see test_short_ipv4_refused_by_test_run.)
 */
#define CUT_MIN	 34
#define CUT_MAX	 81
#define N_CUT4	 (CUT_MAX - CUT_MIN + 1)
#define CUT6_MIN 54
#define CUT6_MAX 85
#define N_CUT	 (N_CUT4 + CUT6_MAX - CUT6_MIN + 1)
#define N_CASES	 (sizeof(cases) / sizeof(cases[0]) + N_CUT)

/* Generated case i: the IPv4 frame cut at CUT_MIN + i bytes, then the IPv6 one. */
static void cut_case(void *c, int i)
{
	bool v6 = i >= N_CUT4;
	int len = v6 ? CUT6_MIN + i - N_CUT4 : CUT_MIN + i;

	*(struct steer_case *)c =
	    (struct steer_case){h_name(v6 ? "udp6_cut_at_%d_bytes" : "udp_cut_at_%d_bytes", len),
				setup_all_peer,
				v6 ? in_cut6 : in_cut,
				len,
				STAY,
				R(TC_STEER_MALFORMED),
				TO_HOST};
}

static const __u8 *slot_mac(int slot)
{
	return slot == 1 ? H_PEERMAC : PEER3;
}

/*
 * A steered frame: TC_ACT_REDIRECT with exactly its MACs rewritten, one
 * steering reason. A frame that stays: TC_ACT_OK, unchanged, the steering
 * reason and the fix-up's.
 */
static void steer_prepare(struct h_env *e, const void *p, struct h_io *io)
{
	const struct steer_case *c = p;
	struct tuple t = {0};

	c->input(&io->in, &t, c->arg);
	if (c->setup)
		c->setup(e, &t);
	io->want = io->in;
	h_expect_reason(io, c->reason);
	if (c->to_slot >= 0) {
		memcpy(io->want.b, slot_mac(c->to_slot), 6);
		memcpy(io->want.b + 6, H_IFMAC, 6);
		io->verdict = TC_ACT_REDIRECT;
	} else {
		io->verdict = TC_ACT_OK;
		h_expect_reason(io, c->host);
	}
}

/* ---- every flow lands in the bucket the userspace hash predicts --------- */

/*
 * The bucket a frame was hashed to, read back through the verdicts: with
 * slot s's MAC 02:00:5e:00:00:s and table t owning bucket b by slot
 * (b >> 5t) & 31 (slot 0 is us: the frame stays), four tables give the
 * 16 bits of the bucket, 5 at a time.
 */
#define DIGIT_BITS 5
#define DIGITS	   ((16 + DIGIT_BITS - 1) / DIGIT_BITS)
#define N_FLOWS	   64
#define KINDS	   12 /* frames per flow, below */

static void digit_state(struct xglb_steer *st, int digit)
{
	struct xglb_steer_iface *f = &st->iface[0];

	for (__u32 b = 0; b < XGLB_STEER_BUCKETS_DEFAULT; b++)
		g_owner[b] = (__u8)((b >> (DIGIT_BITS * digit)) & (XGLB_STEER_MAX_NODES - 1));
	for (int s = 1; s < XGLB_STEER_MAX_NODES; s++) {
		const __u8 m[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, (__u8)s};

		memcpy(f->peer_mac[s], m, 6);
	}
	f->n_extra = 0;
}

static __u32 rnd(__u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Frame k of flow i (random addresses, ports and ids) and the tuple it must hash by. */
static void flow_frame(__u32 i, int k, struct h_frame *f, struct tuple *t)
{
	__u32 s = 0x9e3779b9u ^ (i * 2654435761u);
	/* clients in 10/8, servers in 64/2: never multicast, never a local address */
	__be32 c = htonl(0x0a000100 | (rnd(&s) & 0x00ffffff));
	__be32 sv = htonl(0x40000000 | (rnd(&s) & 0x3fffffff));
	__u16 cp = (__u16)(1024 + rnd(&s) % 60000), sp = (__u16)(1 + rnd(&s) % 1024);
	__u16 id = (__u16)rnd(&s);
	struct h_frame orig;
	__u8 raw[24] = {0};

	switch (k) {
	case 0:
	case 1:
	case 2:
	case 3: /* TCP, UDP: both directions */
		if (k & 1)
			h_l4_frame(f, H_IFMAC, UPMAC, k < 2 ? 6 : 17, sv, sp, c, cp, 16);
		else
			h_l4_frame(f, H_IFMAC, H_HOST, k < 2 ? 6 : 17, c, cp, sv, sp, 16);
		tup(t, c, sv, cp, sp, k < 2 ? 6 : 17);
		break;
	case 4: /* echo request and reply */
	case 5:
		h_icmp_echo(f, H_IFMAC, k == 4 ? H_HOST : UPMAC, k == 4 ? c : sv, k == 4 ? sv : c,
			    k == 4 ? 8 : 0, id, 3);
		tup(t, c, sv, id, id, 1);
		break;
	case 6: /* port unreachable about the UDP flow, to the client */
		h_l4_frame(&orig, H_IFMAC, H_HOST, 17, c, cp, sv, sp, 16);
		h_icmp_error(f, H_IFMAC, UPMAC, sv, c, 3, 3, &orig);
		tup(t, c, sv, cp, sp, 17);
		break;
	case 7: /* frag needed about the TCP flow's reply, to the server */
		h_l4_frame(&orig, H_IFMAC, UPMAC, 6, sv, sp, c, cp, 16);
		h_icmp_error(f, H_IFMAC, H_HOST, RTR, sv, 3, 4, &orig);
		tup(t, c, sv, cp, sp, 6);
		break;
	case 8: /* time exceeded about the echo request */
		h_icmp_echo(&orig, H_IFMAC, H_HOST, c, sv, 8, id, 3);
		h_icmp_error(f, H_IFMAC, UPMAC, RTR, c, 11, 0, &orig);
		tup(t, c, sv, id, id, 1);
		break;
	case 9: /* first fragment of a UDP datagram: its ports */
		h_l4_frame(f, H_IFMAC, H_HOST, 17, c, cp, sv, sp, 16);
		h_frag(f, 0x2000);
		tup(t, c, sv, cp, sp, 17);
		break;
	case 10: /* last fragment of the reply datagram, its first unseen: addresses */
		h_ip_frame(f, H_IFMAC, UPMAC, sv, c, 17, raw, sizeof(raw));
		h_frag(f, 3);
		tup(t, c, sv, 0, 0, 17);
		break;
	default: /* GRE between the two */
		h_ip_frame(f, H_IFMAC, UPMAC, sv, c, 47, raw, 8);
		tup(t, c, sv, 0, 0, 47);
		break;
	}
}

/*
 * Every frame of every flow (flow_frame(i, k), then edit(i, k, in) unless
 * NULL) under each of the DIGITS tables (digit_state(d)) through
 * xglb_tc_ingress: see(ctx, d, i, k, in, verdict, out) after each.
 */
static void each_flow_frame(struct h_env *e, void (*edit)(__u32 i, int k, struct h_frame *in),
			    void (*see)(void *ctx, int d, __u32 i, int k, const struct h_frame *in,
					int v, const struct h_frame *out),
			    void *ctx)
{
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 0);

	for (int d = 0; d < DIGITS; d++) {
		digit_state(st, d);
		st_install(e, st);
		for (__u32 i = 0; i < N_FLOWS; i++) {
			for (int k = 0; k < KINDS; k++) {
				struct h_frame in, out;
				struct tuple t;

				flow_frame(i, k, &in, &t);
				if (edit)
					edit(i, k, &in);
				see(ctx, d, i, k, &in, h_run_tc_in(e, &in, &out), &out);
			}
		}
	}
}

struct bucket_seen {
	__u32 (*got)[KINDS];
	__u32 runs, steered;
};

/* The digit of the slot a frame went to (0: it stayed), into its flow's bucket number. */
static void see_bucket(void *ctx, int d, __u32 i, int k, const struct h_frame *in, int v,
		       const struct h_frame *out)
{
	struct bucket_seen *b = ctx;
	struct h_frame want = *in;
	__u32 digit = 0;

	b->runs++;
	if (v == TC_ACT_REDIRECT) {
		const __u8 pre[5] = {0x02, 0x00, 0x5e, 0x00, 0x00};

		assert_memory_equal(out->b, pre, 5);
		digit = out->b[5];
		memcpy(want.b, out->b, 6);
		memcpy(want.b + 6, H_IFMAC, 6);
		b->steered++;
	} else if (v != TC_ACT_OK) {
		fail_msg("flow %u frame %d: verdict %d", i, k, v);
	}
	h_assert_bytes("frame", out->b, out->len, want.b, want.len);
	b->got[i][k] |= digit << (DIGIT_BITS * d);
}

static void test_buckets_match_userspace_hash(void **state)
{
	struct h_env *e = *state;
	static __u32 got[N_FLOWS][KINDS];
	struct bucket_seen b = {.got = got};
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	__u32 runs, steered;

	memset(got, 0, sizeof(got));
	h_stats(e, before);
	each_flow_frame(e, NULL, see_bucket, &b);
	runs = b.runs;
	steered = b.steered;
	h_stats(e, after);
	for (__u32 i = 0; i < N_FLOWS; i++) {
		for (int k = 0; k < KINDS; k++) {
			struct h_frame f;
			struct tuple t;

			flow_frame(i, k, &f, &t);
			if (got[i][k] != t_bucket(&t, XGLB_STEER_BUCKETS_DEFAULT))
				fail_msg("flow %u frame %d: bucket %u, userspace hash says %u", i,
					 k, got[i][k], t_bucket(&t, XGLB_STEER_BUCKETS_DEFAULT));
			/* both directions, errors and fragments of one flow agree */
			if (k == 1 || k == 3 || k == 5)
				assert_int_equal(got[i][k], got[i][k - 1]);
		}
		assert_int_equal(got[i][6], got[i][2]); /* the error follows the UDP flow */
		assert_int_equal(got[i][7], got[i][0]); /* ... the TCP flow */
		assert_int_equal(got[i][8], got[i][4]); /* ... the echo flow */
		assert_int_equal(got[i][9], got[i][2]); /* a first fragment follows its flow */
	}
	print_message("%u runs, %u steered\n", runs, steered);
	assert_int_equal(after[XGLB_R_TC_STEER_STEERED] - before[XGLB_R_TC_STEER_STEERED], steered);
	assert_int_equal(after[XGLB_R_TC_STEER_OWNED] - before[XGLB_R_TC_STEER_OWNED],
			 runs - steered);
	/* digits spread: most frames leave in each table */
	assert_true(steered > runs * 3 / 4);
}

/* Set a frame's IPv4 identification (its datagram, with the addresses and protocol). */
static void frag_id(struct h_frame *f, __u16 id)
{
	f->b[18] = (__u8)(id >> 8);
	f->b[19] = (__u8)id;
}

/* A later piece (offset in 8-byte units, MF or not) of datagram id from a to b. */
static void frag_later(struct h_frame *f, const __u8 *src, __be32 a, __be32 b, __u16 id,
		       __u16 frag_off)
{
	__u8 raw[48];

	for (int i = 0; i < (int)sizeof(raw); i++)
		raw[i] = (__u8)(0x90 + i);
	h_ip_frame(f, H_IFMAC, src, a, b, 17, raw, sizeof(raw));
	h_frag(f, frag_off);
	frag_id(f, id);
}

static int run_verdict(struct h_env *e, const struct h_frame *in)
{
	struct h_frame out;

	return h_run_tc_in(e, in, &out);
}

/*
 * The later fragments of a datagram follow its first fragment to the
 * flow's owner, both ways; with the first unseen (another datagram, or
 * one reordered ahead of its first) a fragment goes by addresses and
 * protocol. The flow's bucket is slot 1's, the 3-tuple's ours.
 */
static void test_fragments_follow_first(void **state)
{
	struct h_env *e = *state;
	struct tuple t5, t3, o3;
	struct xglb_steer *st;
	struct h_frame f;

	tup(&t5, CLI, SRV, CPORT, SPORT_DNS, 17);
	tup(&t3, CLI, SRV, 0, 0, 17);
	assert_int_not_equal(t_bucket(&t5, XGLB_STEER_BUCKETS_DEFAULT),
			     t_bucket(&t3, XGLB_STEER_BUCKETS_DEFAULT));
	tup(&o3, h_ip(10, 0, 0, 77), SRV, 0, 0, 17);
	assert_int_not_equal(t_bucket(&t5, XGLB_STEER_BUCKETS_DEFAULT),
			     t_bucket(&o3, XGLB_STEER_BUCKETS_DEFAULT));
	st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 0);
	g_owner[t_bucket(&t5, XGLB_STEER_BUCKETS_DEFAULT)] = 1;
	st_install(e, st);

	/* a later piece before any first: by the 3-tuple, ours */
	frag_later(&f, H_HOST, CLI, SRV, 0x4242, 0x2000 | 6);
	assert_int_equal(run_verdict(e, &f), TC_ACT_OK);
	/* the first fragment of datagram 0x4242: the flow's owner */
	h_l4_frame(&f, H_IFMAC, H_HOST, 17, CLI, CPORT, SRV, SPORT_DNS, 40);
	h_frag(&f, 0x2000);
	frag_id(&f, 0x4242);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	/* its middle and last pieces follow it */
	frag_later(&f, H_HOST, CLI, SRV, 0x4242, 0x2000 | 6);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	frag_later(&f, H_HOST, CLI, SRV, 0x4242, 12);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	/* another datagram's later piece (first unseen): the 3-tuple again */
	frag_later(&f, H_HOST, CLI, SRV, 0x4243, 12);
	assert_int_equal(run_verdict(e, &f), TC_ACT_OK);
	/* the reply datagram: its first fragment by the flow (symmetric), its pieces after it */
	h_l4_frame(&f, H_IFMAC, UPMAC, 17, SRV, SPORT_DNS, CLI, CPORT, 40);
	h_frag(&f, 0x2000);
	frag_id(&f, 0x4242);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	frag_later(&f, UPMAC, SRV, CLI, 0x4242, 6);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	/* the same id from another source is another datagram */
	frag_later(&f, H_HOST, h_ip(10, 0, 0, 77), SRV, 0x4242, 12);
	assert_int_equal(run_verdict(e, &f), TC_ACT_OK);
}

/* The frame from a peer slot's MAC instead (slots 1.. by flow and frame). */
static void from_peer_mac(__u32 i, int k, struct h_frame *in)
{
	in->b[6] = 0x02;
	in->b[7] = 0x00;
	in->b[8] = 0x5e;
	in->b[9] = 0x00;
	in->b[10] = 0x00;
	in->b[11] = (__u8)(1 + (i + (__u32)k) % (XGLB_STEER_MAX_NODES - 1));
}

/* It must stay, as it is. */
static void see_unchanged(void *ctx, int d, __u32 i, int k, const struct h_frame *in, int v,
			  const struct h_frame *out)
{
	assert_int_equal(v, TC_ACT_OK);
	h_assert_bytes("frame", out->b, out->len, in->b, in->len);
	(*(__u32 *)ctx)++;
}

/*
 * Under all four tables, a frame from any peer slot's MAC stays: counted
 * from_peer where the table names another node, owned where it names us.
 */
static void test_from_peer_never_steered(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS], from_peer;
	__u32 runs = 0;

	h_stats(e, before);
	each_flow_frame(e, from_peer_mac, see_unchanged, &runs);
	h_stats(e, after);
	from_peer = after[XGLB_R_TC_STEER_FROM_PEER] - before[XGLB_R_TC_STEER_FROM_PEER];
	print_message("%u runs, %llu counted from_peer\n", runs, (unsigned long long)from_peer);
	assert_int_equal(from_peer + after[XGLB_R_TC_STEER_OWNED] - before[XGLB_R_TC_STEER_OWNED],
			 runs);
	assert_true(from_peer > runs * 3 / 4);
	assert_int_equal(after[XGLB_R_TC_STEER_STEERED] - before[XGLB_R_TC_STEER_STEERED], 0);
}

/* ---- the bank: steering lives as long as group commits go on ---------- */

static int run_udp(struct h_env *e, struct h_frame *out)
{
	struct h_frame in;
	struct tuple t;

	in_udp(&in, &t, 0);
	return h_run_tc_in(e, &in, out);
}

/*
 * A group-only commit (as xglbd does on every group change) keeps the
 * steering state: each bank gets it before going live, so flips never
 * bring back an old one.
 */
static void test_group_commits_keep_steering(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state gs;
	struct xglb_group g;
	struct h_frame out;

	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, 1));
	h_state(&gs, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	xglb_build_group(&gs, H_SELF, &g);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
		assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
		assert_memory_equal(out.b, H_PEERMAC, 6);
	}
	/* a new steering state through prepare (groups) + prepare_steer + flip */
	assert_int_equal(xglb_bank_prepare(&e->bank, &g, 1), 0);
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st_base(XGLB_STEER_BUCKETS_DEFAULT, 2)),
			 0);
	assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
	assert_memory_equal(out.b, H_PEERMAC, 6); /* not flipped yet */
	xglb_bank_flip(&e->bank);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
		assert_memory_equal(out.b, PEER3, 6);
		assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
	}
	/* prepare_steer before prepare works as well */
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st_base(XGLB_STEER_BUCKETS_DEFAULT, 0)),
			 0);
	assert_int_equal(xglb_bank_prepare(&e->bank, &g, 1), 0);
	xglb_bank_flip(&e->bank);
	assert_int_equal(run_udp(e, &out), TC_ACT_OK);
	assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
	assert_int_equal(run_udp(e, &out), TC_ACT_OK);
}

/*
 * "datapath: tc": xglb_tc accepts a frame to a local vMAC (destination :=
 * the interface MAC) and then steers it like any frame to that MAC. Both
 * reasons are counted: tc_pass_vmac, then the steering one; the
 * PACKET_HOST fix-up of the XDP path's tc program does not run.
 */
static void test_tcdp_vmac_frame_steered(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct xglb_group_state gs;
	struct h_frame in, out, want;
	struct xglb_group g;

	h_state(&gs, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	xglb_build_group(&gs, H_SELF, &g);
	h_open_steer(e);
	for (__u8 owner = 0; owner < 3; owner++) {
		const __u32 reasons[2] = {XGLB_R_TC_PASS_VMAC,
					  owner ? XGLB_R_TC_STEER_STEERED : XGLB_R_TC_STEER_OWNED};
		const __u8 *to = owner == 0 ? H_IFMAC : owner == 1 ? H_PEERMAC : PEER3;

		assert_int_equal(xglb_bank_commit_steer(&e->bank, &g, 1,
							st_base(XGLB_STEER_BUCKETS_DEFAULT, owner)),
				 0);
		h_l4_frame(&in, H_VMAC(H_GID, 0), H_HOST, 6, CLI, CPORT, SRV, SPORT_HTTPS, 32);
		want = in;
		memcpy(want.b, to, 6);
		if (owner)
			memcpy(want.b + 6, H_IFMAC, 6);
		h_stats(e, before);
		assert_int_equal(h_run_tcdp(e, &in, &out), owner ? TC_ACT_REDIRECT : TC_ACT_OK);
		h_stats(e, after);
		h_assert_bytes("frame", out.b, out.len, want.b, want.len);
		h_assert_reasons(before, after, reasons, 2);
	}
	/* a frame to a vMAC owned elsewhere is dropped before steering sees it */
	h_l4_frame(&in, H_VMAC(H_GID, 1), H_HOST, 6, CLI, CPORT, SRV, SPORT_HTTPS, 32);
	h_stats(e, before);
	assert_int_equal(h_run_tcdp(e, &in, &out), TC_ACT_SHOT);
	h_stats(e, after);
	h_assert_one_reason(before, after, XGLB_R_TC_DROP_VMAC_REMOTE);
	/* the common case, a frame to the interface MAC: one ingress reason, then steering */
	h_l4_frame(&in, H_IFMAC, H_HOST, 6, CLI, CPORT, SRV, SPORT_HTTPS, 32);
	h_stats(e, before);
	assert_int_equal(h_run_tcdp(e, &in, &out), TC_ACT_REDIRECT);
	h_stats(e, after);
	assert_memory_equal(out.b, PEER3, 6);
	h_assert_reasons(before, after,
			 (const __u32[]){XGLB_R_TC_PASS_OTHER, XGLB_R_TC_STEER_STEERED}, 2);
}

/*
 * IPv6: a later fragment whose first was seen follows it to the flow's
 * owner (xglb_frags6), both before and after; unseen, the 3-tuple's
 * owner (ours) keeps it. An error about the first fragment leaves nothing.
 */
static void test_fragments6_follow_first(void **state)
{
	struct h_env *e = *state;
	struct tuple t5, t3;
	struct xglb_steer *st;
	struct h_frame f;

	in6(&f, &t5, S6_FRAG_FIRST);
	in6(&f, &t3, S6_FRAG_LATER);
	assert_int_not_equal(t_bucket(&t5, XGLB_STEER_BUCKETS_DEFAULT),
			     t_bucket(&t3, XGLB_STEER_BUCKETS_DEFAULT));
	st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 0);
	g_owner[t_bucket(&t5, XGLB_STEER_BUCKETS_DEFAULT)] = 1;
	st_install(e, st);

	in6(&f, &t3, S6_FRAG_LATER);
	assert_int_equal(run_verdict(e, &f), TC_ACT_OK); /* first unseen: by the 3-tuple, ours */
	in6(&f, &t5, S6_FRAG_FIRST);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	in6(&f, &t3, S6_FRAG_LATER);
	assert_int_equal(run_verdict(e, &f), TC_ACT_REDIRECT);
	f.b[14 + 40 + 7] = 0x02; /* another identification: unseen */
	assert_int_equal(run_verdict(e, &f), TC_ACT_OK);
	in6(&f, &t3, S6_FRAG_BACK); /* the reply's own datagram, same id: unseen */
	f.b[14 + 40 + 7] = 0x03;
	assert_int_equal(run_verdict(e, &f), TC_ACT_OK);
}

/* A restarted agent (a new bank on the same maps) continues the steering it finds. */
static void test_restart_adopts_steering(void **state)
{
	struct h_env *e = *state;
	struct xglb_steer *st = st_base(1024, 0);
	struct xglb_steer_fds fds;
	struct xglb_bank b2;
	struct h_frame in, out;
	struct tuple t;

	in_tcp(&in, &t, 0);
	g_owner[t_bucket(&t, 1024)] = 2;
	st->iface[0].n_extra = 2;
	memcpy(st->iface[0].extra_from[1], H_HOST2, 6);
	st->version = 42;
	st_install(e, st);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_REDIRECT);
	assert_memory_equal(out.b, PEER3, 6);

	assert_int_equal(xglb_bank_open(&b2, bpf_map__fd(e->skel->maps.xglb_ctl),
					bpf_map__fd(e->skel->maps.xglb_groups),
					bpf_map__fd(e->skel->maps.xglb_vips)),
			 0);
	fds = h_steer_fds(e);
	assert_int_equal(xglb_bank_open_steer(&b2, &fds), 0);
	assert_int_equal(b2.steer->version, 42);
	assert_int_equal(b2.steer->n_domains, 1);
	assert_int_equal(b2.steer->dom[0].n_buckets, 1024);
	assert_int_equal(b2.steer->dom[0].gid, H_GID);
	assert_memory_equal(b2.steer->dom[0].owner, g_owner, 1024);
	assert_int_equal(b2.steer->n_ifaces, 1);
	assert_int_equal(b2.steer->iface[0].ifindex, H_IFINDEX);
	assert_int_equal(b2.steer->iface[0].self, 0);
	assert_memory_equal(b2.steer->iface[0].mac, H_IFMAC, 6);
	assert_memory_equal(b2.steer->iface[0].peer_mac[1], H_PEERMAC, 6);
	assert_memory_equal(b2.steer->iface[0].peer_mac[2], PEER3, 6);
	assert_memory_equal(b2.steer->iface[0].peer_mac[0], H_ZERO, 6); /* self: not stored */
	assert_int_equal(b2.steer->iface[0].n_extra, 2);

	/* two group commits by the new agent: both banks rewritten, steering unchanged */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(xglb_bank_commit(&b2, NULL, 0), 0);
		assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_REDIRECT);
		assert_memory_equal(out.b, PEER3, 6);
		memcpy(in.b + 6, H_HOST2, 6); /* the extra MAC survived too */
		assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_OK);
		memcpy(in.b + 6, H_HOST, 6);
	}
	xglb_bank_close(&b2);
}

static void test_local_ips_replaced(void **state)
{
	struct h_env *e = *state;
	const __be32 a[] = {H_VIP, H_ROUTERIP, SRV}, b[] = {H_VIP};
	struct h_frame in, out;
	struct tuple t;

	st_install(e, st_base(XGLB_STEER_BUCKETS_DEFAULT, 1));
	in_udp(&in, &t, 0);
	assert_int_equal(xglb_bank_set_local_ips(&e->bank, a, 3), 0);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_OK);
	assert_int_equal(h_reason(e, XGLB_R_TC_STEER_LOCAL), 1);
	assert_int_equal(xglb_bank_set_local_ips(&e->bank, b, 1), 0);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_REDIRECT);
	in_udp_to(&in, &t, 1); /* the router's address: no longer local either */
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_REDIRECT);
	in_udp_to(&in, &t, 0);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_OK);
	assert_int_equal(xglb_bank_set_local_ips(&e->bank, NULL, 0), 0);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_REDIRECT);
}

static void test_invalid_states_refused(void **state)
{
	struct h_env *e = *state;
	struct xglb_steer *st;
	struct h_frame out;

	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st_base(64, 1)), -ENODEV);
	assert_int_equal(xglb_bank_set_local_ips(&e->bank, NULL, 0), -ENODEV);
	st_install(e, st_base(64, 1));

	st = st_base(64, 1);
	st->dom[0].n_buckets = 48; /* not a power of two */
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st = st_base(XGLB_STEER_BUCKETS * 2, 1);
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st = st_base(64, 1);
	g_owner[7] = XGLB_STEER_MAX_NODES; /* no such slot */
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st = st_base(64, 1);
	st->iface[0].domain = 1; /* no such domain */
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st = st_base(64, 1);
	st->n_ifaces = 2; /* ifindex 0 */
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st->iface[1] = st->iface[0]; /* duplicate ifindex */
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st = st_base(64, 1);
	st->iface[0].n_extra = XGLB_STEER_MAX_EXTRA + 1;
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	st = st_base(64, 1);
	st->n_domains = XGLB_STEER_MAX_DOMAINS + 1;
	assert_int_equal(xglb_bank_prepare_steer(&e->bank, st), -EINVAL);
	assert_int_equal(xglb_bank_set_local_ips(&e->bank, NULL, XGLB_STEER_MAX_LOCAL + 1),
			 -EINVAL);

	/* the refused states changed nothing, live or in the next flip */
	assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
	assert_int_equal(xglb_bank_commit(&e->bank, NULL, 0), 0);
	assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
	assert_memory_equal(out.b, H_PEERMAC, 6);
}

/* Several domains and interfaces side by side: each interface uses its own domain's table. */
static void test_two_domains(void **state)
{
	static __u8 other[256];
	struct h_env *e = *state;
	struct xglb_steer *st = st_base(XGLB_STEER_BUCKETS_DEFAULT, 1);
	struct h_frame out;

	memset(other, 2, sizeof(other));
	st->n_domains = 2;
	st->dom[1].gid = 9;
	st->dom[1].n_buckets = sizeof(other);
	st->dom[1].owner = other;
	st->n_ifaces = 2;
	st->iface[1] = st->iface[0];
	st->iface[1].ifindex = 2;
	st_install(e, st);
	assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
	assert_memory_equal(out.b, H_PEERMAC, 6);
	/* lo moves to domain 1 */
	st->iface[0].domain = 1;
	st->iface[1].domain = 0;
	st_install(e, st);
	assert_int_equal(run_udp(e, &out), TC_ACT_REDIRECT);
	assert_memory_equal(out.b, PEER3, 6);
}

/*
 * test_run refuses an IPv4 frame shorter than an IPv4 header (-EINVAL)
 * before the program runs, so steer_parse's own check of that case
 * cannot be exercised here; this pins down that nothing ran (no counter).
 */
static void test_short_ipv4_refused_by_test_run(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];

	setup_all_peer(e, NULL);
	h_stats(e, before);
	for (__u32 len = 14; len < 34; len++) {
		struct h_frame in, out;
		struct tuple t;

		in_cut(&in, &t, (int)len);
		assert_int_equal(h_run_tc_in(e, &in, &out), -EINVAL);
	}
	h_stats(e, after);
	h_assert_no_reason(before, after);
}

/* ---- the bank switch under load --------------------------------------- */

/*
 * State k: every bucket owned by slot 1 + k % 31, and the MAC of each
 * slot s is 02:5e:k:k:s:01. A packet that read the bucket table of one
 * state and the interface config of another would leave for a MAC whose
 * slot byte does not fit its state bytes. The bucket count changes too
 * (65,536 or 1024), so does the self slot's presence in the peer table.
 */
#define ATOMIC_COMMITS	150
#define ATOMIC_PREPARES 300

static void atomic_state(struct xglb_steer *st, __u32 k)
{
	struct xglb_steer_iface *f = &st->iface[0];
	__u8 slot = (__u8)(1 + k % (XGLB_STEER_MAX_NODES - 1));

	*st = *st_base(k & 1 ? 1024 : XGLB_STEER_BUCKETS_DEFAULT, slot);
	st->version = k;
	f->n_extra = 0;
	for (int s = 1; s < XGLB_STEER_MAX_NODES; s++) {
		const __u8 m[6] = {0x02, 0x5e, (__u8)(k >> 8), (__u8)k, (__u8)s, 0x01};

		memcpy(f->peer_mac[s], m, 6);
	}
}

struct writer {
	struct h_env *e;
	__u32 first, last;
	bool prepare_only;
	__u32 started, done;
	__u64 reads;
	bool finished;
	int err;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct xglb_steer *st = calloc(1, sizeof(*st));
	static __u8 owner[XGLB_STEER_BUCKETS];

	for (__u32 k = w->first; st && k <= w->last; k++) {
		__u64 from, t0;
		int err;

		/* build into private storage: g_owner belongs to the reader's thread too */
		atomic_state(st, k);
		memcpy(owner, g_owner, sizeof(owner));
		st->dom[0].owner = owner;
		if (w->prepare_only) {
			err = xglb_bank_prepare_steer(&w->e->bank, st);
		} else {
			__atomic_store_n(&w->started, k, __ATOMIC_SEQ_CST);
			err = xglb_bank_commit_steer(&w->e->bank, NULL, 0, st);
			__atomic_store_n(&w->done, k, __ATOMIC_SEQ_CST);
		}
		if (err) {
			w->err = err;
			break;
		}
		/* let the reader see each state a few times (bounded: a starved reader only slows
		 * us) */
		from = __atomic_load_n(&w->reads, __ATOMIC_SEQ_CST);
		t0 = h_now_ns();
		while (!w->prepare_only &&
		       __atomic_load_n(&w->reads, __ATOMIC_SEQ_CST) < from + 3 &&
		       h_now_ns() - t0 < 100000000ull)
			sched_yield();
	}
	free(st);
	__atomic_store_n(&w->finished, true, __ATOMIC_SEQ_CST);
	return NULL;
}

struct observed {
	__u64 runs, bad_verdict, mixed, outside, states;
};

static void read_until_done(struct h_env *e, struct writer *w, struct observed *o)
{
	__u32 last = 0, n = 0;

	memset(o, 0, sizeof(*o));
	while (!__atomic_load_n(&w->finished, __ATOMIC_SEQ_CST)) {
		struct h_frame in, out;
		struct tuple t;
		__u32 lo, hi, k;
		int v;

		flow_frame(n++ % N_FLOWS, 0, &in, &t);
		lo = __atomic_load_n(&w->done, __ATOMIC_SEQ_CST);
		v = h_run_tc_in(e, &in, &out);
		hi = __atomic_load_n(&w->started, __ATOMIC_SEQ_CST);
		__atomic_store_n(&w->reads, ++o->runs, __ATOMIC_SEQ_CST);
		if (v != TC_ACT_REDIRECT || out.b[0] != 0x02 || out.b[1] != 0x5e || out.b[5] != 1 ||
		    memcmp(out.b + 6, H_IFMAC, 6)) {
			o->bad_verdict++;
			continue;
		}
		k = (__u32)out.b[2] << 8 | out.b[3];
		if (out.b[4] != 1 + k % (XGLB_STEER_MAX_NODES - 1)) {
			o->mixed++; /* config of state k, buckets of another */
			continue;
		}
		if (k < lo || k > hi) {
			o->outside++;
			continue;
		}
		if (k != last)
			o->states++;
		last = k;
	}
}

/* Installs atomic_state 1, then w writes while the reader runs frames until it is done. */
static void race(struct h_env *e, struct writer *w, struct observed *o)
{
	struct xglb_steer *st = calloc(1, sizeof(*st));
	pthread_t t;

	assert_non_null(st);
	atomic_state(st, 1);
	st_install(e, st);
	free(st);
	w->started = w->done = 1;
	assert_int_equal(pthread_create(&t, NULL, writer_main, w), 0);
	read_until_done(e, w, o);
	pthread_join(t, NULL);
}

static void test_switch_under_load(void **state)
{
	struct h_env *e = *state;
	struct writer w = {.e = e, .first = 2, .last = ATOMIC_COMMITS};
	struct observed o;

	race(e, &w, &o);
	print_message("commits: %llu runs, %llu states seen; %llu bad verdicts, %llu mixed, %llu "
		      "outside, writer %d\n",
		      (unsigned long long)o.runs, (unsigned long long)o.states,
		      (unsigned long long)o.bad_verdict, (unsigned long long)o.mixed,
		      (unsigned long long)o.outside, w.err);
	assert_int_equal(w.err, 0);
	assert_int_equal(o.bad_verdict, 0);
	assert_int_equal(o.mixed, 0);
	assert_int_equal(o.outside, 0);
	/* the test really raced: most states were seen (a loaded machine may starve the reader) */
	assert_true(o.states >= ATOMIC_COMMITS * 2 / 3);
}

static void test_prepare_leaves_active_steering(void **state)
{
	struct h_env *e = *state;
	struct writer w = {.e = e, .first = 2, .last = 1 + ATOMIC_PREPARES, .prepare_only = true};
	struct observed o;
	struct h_frame in, out;
	struct tuple t;

	race(e, &w, &o);
	print_message("prepares: %llu runs\n", (unsigned long long)o.runs);
	assert_int_equal(w.err, 0);
	assert_true(o.runs > 100);
	assert_int_equal(o.bad_verdict, 0);
	assert_int_equal(o.mixed, 0);
	assert_int_equal(o.outside, 0);
	assert_int_equal(o.states, 1);
	/* one flip makes the last prepared state live */
	xglb_bank_flip(&e->bank);
	flow_frame(0, 0, &in, &t);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_REDIRECT);
	assert_int_equal((__u32)out.b[2] << 8 | out.b[3], 1 + ATOMIC_PREPARES);
}

/*
 * The PACKET_HOST fix-up takes a steered interface's MAC from its steering
 * config, not from xglb_ifaces: with the interface's xglb_ifaces entry gone
 * a frame readdressed to its MAC is still made PACKET_HOST. Without
 * steering on the interface, xglb_ifaces answers as before.
 */
static void test_fixup_mac_from_steering(void **state)
{
	struct h_env *e = *state;
	struct h_frame in, out;
	struct tuple t;

	in_udp(&in, &t, FROM_CLIENT);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_OK); /* no steering: xglb_ifaces */
	assert_int_equal(h_reason(e, XGLB_R_TC_INGRESS_TO_HOST), 1);
	setup_all_self(e, &t);
	h_del_iface(e, H_IFINDEX);
	assert_int_equal(h_run_tc_in(e, &in, &out), TC_ACT_OK);
	assert_int_equal(h_reason(e, XGLB_R_TC_STEER_OWNED), 1);
	assert_int_equal(h_reason(e, XGLB_R_TC_INGRESS_TO_HOST), 2);
	assert_int_equal(h_reason(e, XGLB_R_TC_INGRESS_PASS), 0);
}

int main(void)
{
	static const struct CMUnitTest scenarios[] = {
	    H_TEST(test_buckets_match_userspace_hash),	 H_TEST(test_fragments_follow_first),
	    H_TEST(test_fragments6_follow_first),	 H_TEST(test_from_peer_never_steered),
	    H_TEST(test_group_commits_keep_steering),	 H_TEST(test_tcdp_vmac_frame_steered),
	    H_TEST(test_restart_adopts_steering),	 H_TEST(test_local_ips_replaced),
	    H_TEST(test_invalid_states_refused),	 H_TEST(test_two_domains),
	    H_TEST(test_short_ipv4_refused_by_test_run), H_TEST(test_switch_under_load),
	    H_TEST(test_prepare_leaves_active_steering), H_TEST(test_fixup_mac_from_steering),
	};
	static const struct h_table table = {"steer_fixtures", h_run_tc_in, steer_prepare, NULL};
	const struct steer_case *all =
	    h_cases(cases, sizeof(cases) / sizeof(cases[0]), sizeof(cases[0]), N_CUT, cut_case);
	int failed;

	/*
	 * A network namespace of its own, gone with the test: IPv6 locality is
	 * the kernel's routing (steer6_is_local), so it forwards IPv6, holds the
	 * router's own address on lo and routes 2001:db8::/32 out of a veth.
	 */
	if (unshare(CLONE_NEWNET) ||
	    system("ip link set lo up && sysctl -qw net.ipv6.conf.all.forwarding=1 && "
		   "ip -6 addr add " ROUTER6_STR "/128 dev lo nodad && "
		   "ip link add xglbs0 type veth peer name xglbs1 && ip link set xglbs0 up && "
		   "ip link set xglbs1 up && ip -6 route add 2001:db8::/32 dev xglbs0")) {
		fprintf(stderr, "test_steer: cannot set up a network namespace\n");
		return 1;
	}
	failed = h_run_table(&table, all, N_CASES, sizeof(all[0]));
	failed += cmocka_run_group_tests_name("steer_scenarios", scenarios, NULL, NULL);
	return failed ? 1 : 0;
}

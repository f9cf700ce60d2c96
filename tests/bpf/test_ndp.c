// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ndp.c - IPv6 neighbour discovery (bpf/lib/ndp.h) through test_run: a fixture table at
 * XDP and at tc (again for a host answered before), the egress guard's NDP rows, and
 * dual-stack scenarios.
 */
#include <linux/pkt_cls.h>
#include <sched.h>
#include "harness.h"

/*
 * The fixture table, as in test_xdp.c: each case runs in a fresh
 * skeleton; setup installs the group (virtual link-local H_VLL and vip6
 * H_VIP6) through the real table path, input builds one frame, and the
 * run must give exactly the verdict, the expected bytes (NULL expect =
 * unchanged) and one count under reason. Rows are struct h_frame_case
 * (harness.h).
 */
#define R(x) XGLB_R_##x

/* ---- setups ---------------------------------------------------------- */

static void state6(struct xglb_group_state *st, __u32 avg)
{
	h_state(st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, avg);
	memcpy(st->vip6[0], H_VLL, 16);
	memcpy(st->vip6[1], H_VIP6, 16);
}

H_SETUP(setup6_avg, state6(&st, H_SELF))
H_SETUP(setup6_not_avg, state6(&st, 2))
H_SETUP_LEASE_EXPIRED(setup6_lease_expired, setup6_avg)
H_SETUP(setup6_other_iface, state6(&st, H_SELF), st.ifindex[0] = 2)

/* Frames arrive on the group's second interface; the first (or, answers, it) answers NS. */
static void setup6_second_nic(struct h_env *e)
{
	struct xglb_group_state st;

	state6(&st, H_SELF);
	h_second_nic(e, &st, 0);
}

static void setup6_second_nic_answers(struct h_env *e)
{
	struct xglb_group_state st;

	state6(&st, H_SELF);
	h_second_nic(e, &st, 1);
}
H_SETUP(setup6_no_fwd, state6(&st, H_SELF), for (int i = 0; i < 3; i++) st.fwd[i].new_ok = false)
/* forwarder 0 inactive: a DAD defence names forwarder 1 */
H_SETUP(setup6_fwd0_inactive, state6(&st, H_SELF), st.fwd[0].active = false)

/* the interface only a steering segment: in xglb_ifaces without XGLB_IFACE_GROUP */
static void setup6_steer_iface(struct h_env *e)
{
	setup6_avg(e);
	h_set_iface_flags(e, H_IFINDEX, H_IFMAC, 0);
}

/* the router's own link-local address */
static const __u8 R_LL6[16] = {0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 1};

/* The interface's own link-local in xglb_ifaces, as xglbd writes it. */
static void setup6_avg_ll(struct h_env *e)
{
	struct xglb_iface v;
	__u32 ifindex = H_IFINDEX;
	int fd;

	setup6_avg(e);
	fd = bpf_map__fd(e->skel->maps.xglb_ifaces);
	assert_int_equal(bpf_map_lookup_elem(fd, &ifindex, &v), 0);
	memcpy(v.ll6, R_LL6, 16);
	assert_int_equal(bpf_map_update_elem(fd, &ifindex, &v, BPF_ANY), 0);
}

/* ---- inputs ---------------------------------------------------------- */

enum {
	N_RESOLVE_VLL,	   /* H_HOST resolves the virtual link-local */
	N_RESOLVE_VIP6,	   /* H_HOST resolves the global vip6 from its global address */
	N_RESOLVE_OTHER,   /* an address that is not virtual */
	N_NUD_VMAC,	   /* unicast NS to vMAC (arg2) for the VLL, with SLLA */
	N_NUD_NO_SLLA,	   /* unicast NS to vMAC 0 without options (78 bytes) */
	N_DAD_NONCE,	   /* DAD for the VLL with a nonce option (Linux, enhanced DAD) */
	N_DAD_PLAIN,	   /* DAD without options (78 bytes) */
	N_DAD_WITH_SLLA,   /* DAD carrying an SLLA: invalid */
	N_DAD_TO_ALLNODES, /* DAD not to the solicited-node group: invalid */
	N_MCAST_NO_SLLA,   /* multicast NS from a host address without SLLA: invalid */
	N_HOP64,	   /* hop limit 64 */
	N_BAD_CSUM,	   /* checksum off by one */
	N_CODE1,	   /* ICMPv6 code 1 */
	N_OPT_LEN0,	   /* an option of length 0 */
	N_OPT_OVERRUN,	   /* SLLA of length 2 in 8 bytes of options */
	N_TWO_SLLA,	   /* two SLLA options */
	N_PLEN_28,	   /* payload 28: not a multiple of 8 */
	N_PLEN_136,	   /* 14 options: longer than xglb parses */
	N_PLEN_16,	   /* payload 16: shorter than an NS */
	N_SLLA_NOT_SRC,	   /* SLLA is not the Ethernet source */
	N_SRC_MCAST,	   /* unicast NUD without SLLA from a multicast Ethernet source */
	N_FROM_VMAC,	   /* NS for another address from a vMAC source */
	N_SRC_VIP6,	   /* NS for a host, from the vip6: a claim */
	N_NA_VLL_PEER,	   /* "VLL is at <real MAC>" (a peer's kernel, or a forger) */
	N_NA_VIP6_VMAC,	   /* an AVG's unsolicited NA seen by another node */
	N_NA_HOSTS,	   /* NA between hosts */
	N_RA_FROM_VLL,	   /* a peer's RA from the virtual link-local */
	N_RA_OTHER,	   /* an RA from another router's link-local */
	N_RS,		   /* a router solicitation */
	N_ECHO_VLL,	   /* ICMPv6 echo request to the VLL */
	N_UDP6,		   /* IPv6 UDP to another MAC */
	N_UDP6_VMAC,	   /* IPv6 UDP to vMAC 0 */
	/* 40 bytes (SLLA and a second option): checked in the stack copy, not in place */
	N_RESOLVE_40,	   /* valid: answered, the tail kept as padding */
	N_OPT_LEN0_40,	   /* the second option of length 0 */
	N_OPT_OVERRUN_40,  /* the second option claims 16 bytes */
	N_SLLA_NOT_SRC_40, /* SLLA not the Ethernet source */
	N_BAD_CSUM_40,	   /* checksum off by one */
	N_BAD_CSUM_24,	   /* a NUD probe without options, checksum off by one */
	N_MAX
};

#define HBH 0x10000 /* in_ndp's frame with a hop-by-hop header inserted before the ICMPv6 */
/* arg flag: the frame with an 802.1Q tag (VLAN 10) after the MAC addresses */
#define N_TAGGED 0x20000

static void in_ndp(struct h_frame *f, int arg)
{
	__u8 sn[16], snmac[6];
	const __u8 *v0 = H_VMAC(H_GID, 0), *v2 = H_VMAC(H_GID, 2);

	switch (arg & 0xff) {
	case N_RESOLVE_VLL:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		break;
	case N_RESOLVE_VIP6:
		h_ns_resolve(f, H_HOST, H_HOST6G, H_VIP6);
		break;
	case N_RESOLVE_OTHER:
		h_ns_resolve(f, H_HOST, H_HOST6G, H_OTHER6);
		break;
	case N_NUD_VMAC:
		h_ns(f, H_VMAC(H_GID, arg >> 8), H_HOST, H_HOST6, H_VLL, H_VLL, H_HOST);
		break;
	case N_NUD_NO_SLLA:
		h_ns(f, v0, H_HOST, H_HOST6, H_VLL, H_VLL, NULL);
		break;
	case N_DAD_NONCE:
	case N_DAD_PLAIN:
		h_sn6(H_VLL, sn, snmac);
		h_ns(f, snmac, H_HOST, H_UNSPEC6, sn, H_VLL, NULL);
		if ((arg & 0xff) == N_DAD_NONCE) {
			__u8 *o = f->b + f->len;

			o[0] = 14; /* nonce, RFC 7527 */
			o[1] = 1;
			memcpy(o + 2, "\x11\x22\x33\x44\x55\x66", 6);
			f->len += 8;
			f->b[19] = 32;
			h_icmp6_csum(f);
		}
		break;
	case N_DAD_WITH_SLLA:
		h_sn6(H_VLL, sn, snmac);
		h_ns(f, snmac, H_HOST, H_UNSPEC6, sn, H_VLL, H_HOST);
		break;
	case N_DAD_TO_ALLNODES:
		h_ns(f, H_ALLNODES_MAC, H_HOST, H_UNSPEC6, H_ALLNODES6, H_VLL, NULL);
		break;
	case N_MCAST_NO_SLLA:
		h_sn6(H_VLL, sn, snmac);
		h_ns(f, snmac, H_HOST, H_HOST6, sn, H_VLL, NULL);
		break;
	case N_HOP64:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->b[21] = 64;
		h_icmp6_csum(f);
		break;
	case N_BAD_CSUM:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->b[57] ^= 1;
		break;
	case N_CODE1:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->b[55] = 1;
		h_icmp6_csum(f);
		break;
	case N_OPT_LEN0:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->b[79] = 0;
		h_icmp6_csum(f);
		break;
	case N_OPT_OVERRUN:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->b[79] = 2;
		h_icmp6_csum(f);
		break;
	case N_TWO_SLLA:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		h_nd_lla(f, 1, H_HOST);
		h_icmp6_csum(f);
		break;
	case N_PLEN_28:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->len = 54 + 28;
		f->b[19] = 28;
		f->b[79] = 1; /* the SLLA cut to 4 bytes */
		h_icmp6_csum(f);
		break;
	case N_PLEN_136:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		for (int i = 0; i < 13; i++) {
			__u8 *o = f->b + f->len;

			o[0] = 200; /* unknown options, to be ignored by a host */
			o[1] = 1;
			f->len += 8;
		}
		f->b[18] = (__u8)((f->len - 54) >> 8);
		f->b[19] = (__u8)(f->len - 54);
		h_icmp6_csum(f);
		break;
	case N_PLEN_16:
		h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
		f->b[19] = 16;
		break;
	case N_SLLA_NOT_SRC:
		h_sn6(H_VLL, sn, snmac);
		h_ns(f, snmac, H_HOST, H_HOST6, sn, H_VLL, H_HOST2);
		break;
	case N_SRC_MCAST: {
		const __u8 mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

		h_ns(f, v0, mc, H_HOST6, H_VLL, H_VLL, NULL);
		break;
	}
	case N_FROM_VMAC:
		h_ns_resolve(f, H_VMAC(H_GID, 1), H_PEER6, H_HOST6);
		break;
	case N_SRC_VIP6:
		h_ns_resolve(f, H_PEERMAC, H_VIP6, H_HOST6G);
		break;
	case N_NA_VLL_PEER:
		h_na(f, H_ALLNODES_MAC, H_PEERMAC, H_VLL, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL,
		     H_PEERMAC);
		break;
	case N_NA_VIP6_VMAC:
		h_na(f, H_HOST, H_PEERMAC, H_VIP6, H_ALLNODES6, XGLB_NA_ROUTER | XGLB_NA_OVERRIDE,
		     H_VIP6, v2);
		break;
	case N_NA_HOSTS:
		h_na(f, H_HOST, H_HOST2, H_OTHER6, H_HOST6G, XGLB_NA_SOLICITED, H_OTHER6, H_HOST2);
		break;
	case N_RA_FROM_VLL:
		h_ra(f, H_PEERMAC, H_VLL, NULL);
		break;
	case N_RA_OTHER:
		h_ra(f, H_PEERMAC, H_PEER6, H_PEERMAC);
		break;
	case N_RS:
		h_icmp6(f, (const __u8[6]){0x33, 0x33, 0, 0, 0, 2}, H_HOST, H_HOST6,
			(const __u8[16]){0xff, 0x02, [15] = 2}, 133, 8);
		h_nd_lla(f, 1, H_HOST);
		h_icmp6_csum(f);
		break;
	case N_ECHO_VLL:
		h_icmp6(f, v0, H_HOST, H_HOST6, H_VLL, 128, 16);
		h_icmp6_csum(f);
		break;
	case N_UDP6:
		h_udp6(f, H_PEERMAC, H_HOST, H_HOST6G, H_OTHER6, 20);
		break;
	case N_UDP6_VMAC:
		h_udp6(f, v0, H_HOST, H_HOST6G, H_OTHER6, 20);
		break;
	case N_RESOLVE_40:
	case N_OPT_LEN0_40:
	case N_OPT_OVERRUN_40:
	case N_SLLA_NOT_SRC_40:
	case N_BAD_CSUM_40: {
		__u8 *o;

		h_sn6(H_VLL, sn, snmac);
		h_ns(f, snmac, H_HOST, H_HOST6, sn, H_VLL,
		     (arg & 0xff) == N_SLLA_NOT_SRC_40 ? H_HOST2 : H_HOST);
		o = f->b + f->len;
		o[0] = 200; /* an option hosts ignore */
		o[1] = (arg & 0xff) == N_OPT_LEN0_40 ? 0 : (arg & 0xff) == N_OPT_OVERRUN_40 ? 2 : 1;
		memcpy(o + 2, "\xa1\xa2\xa3\xa4\xa5\xa6", 6);
		f->len += 8;
		f->b[19] = 40;
		h_icmp6_csum(f);
		if ((arg & 0xff) == N_BAD_CSUM_40)
			f->b[57] ^= 1;
		break;
	}
	case N_BAD_CSUM_24:
		h_ns(f, v0, H_HOST, H_HOST6, H_VLL, H_VLL, NULL);
		f->b[57] ^= 1;
		break;
	default:
		abort();
	}
	if (arg & HBH) {
		/* insert 8 bytes of hop-by-hop options (next header 58, PadN) */
		memmove(f->b + 62, f->b + 54, f->len - 54);
		memcpy(f->b + 54, "\x3a\x00\x01\x04\x00\x00\x00\x00", 8);
		f->b[20] = 0;
		f->len += 8;
		f->b[19] += 8;
	}
	if (arg & N_TAGGED)
		h_vlan(f, XGLB_ETH_P_8021Q, 10);
}

/* The NS cut to arg bytes (its headers still say 86). */
static void in_truncated(struct h_frame *f, int arg)
{
	h_ns_resolve(f, H_HOST, H_HOST6, H_VLL);
	f->len = (__u32)arg;
}

/* ---- expected outputs ----------------------------------------------- */

/* Every byte of "fe80::78:67ff:fe62:700 is at 02:78:67:62:07:00", to H_HOST, from lo's MAC. */
static const __u8 na_vll_fwd0[86] = {
    0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01,		    /* eth dst: the host */
    0x52, 0x54, 0x00, 0x00, 0x00, 0x01,		    /* eth src: our interface */
    0x86, 0xdd,					    /* IPv6 */
    0x60, 0x00, 0x00, 0x00,			    /* version 6 */
    0x00, 0x20, 0x3a, 0xff,			    /* payload 32, ICMPv6, hop limit 255 */
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* source: the virtual link-local */
    0x00, 0x78, 0x67, 0xff, 0xfe, 0x62, 0x07, 0x00, /*  */
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* destination: the host's link-local */
    0x50, 0x54, 0x00, 0xff, 0xfe, 0xaa, 0xbb, 0x01, /*  */
    0x88, 0x00, 0x42, 0x91,			    /* NA, code 0, checksum */
    0xe0, 0x00, 0x00, 0x00,			    /* Router, Solicited, Override */
    0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target */
    0x00, 0x78, 0x67, 0xff, 0xfe, 0x62, 0x07, 0x00, /*  */
    0x02, 0x01, 0x02, 0x78, 0x67, 0x62, 0x07, 0x00, /* TLLA: vMAC of group 7, forwarder 0 */
};

static void want_na_vll_fwd0(const struct h_frame *in, struct h_frame *w)
{
	memset(w, 0, sizeof(*w));
	memcpy(w->b, na_vll_fwd0, sizeof(na_vll_fwd0));
	w->len = sizeof(na_vll_fwd0);
}

/* The same NA built by the frame builders (arg-independent rows below) */
static void want_na_vip6_fwd0(const struct h_frame *in, struct h_frame *w)
{
	h_na(w, H_HOST, H_IFMAC, H_VIP6, H_HOST6G,
	     XGLB_NA_ROUTER | XGLB_NA_SOLICITED | XGLB_NA_OVERRIDE, H_VIP6, H_VMAC(H_GID, 0));
}

/* NUD answered by the owner of vMAC 0 */
static void want_na_nud_fwd0(const struct h_frame *in, struct h_frame *w)
{
	h_na(w, H_HOST, H_IFMAC, H_VLL, H_HOST6,
	     XGLB_NA_ROUTER | XGLB_NA_SOLICITED | XGLB_NA_OVERRIDE, H_VLL, H_VMAC(H_GID, 0));
}

/* DAD defended: to all nodes, Router only, naming forwarder 0; a longer probe keeps its tail */
static void want_na_dad(const struct h_frame *in, struct h_frame *w, int fwd)
{
	h_na(w, H_ALLNODES_MAC, H_IFMAC, H_VLL, H_ALLNODES6, XGLB_NA_ROUTER, H_VLL,
	     H_VMAC(H_GID, fwd));
	if (in->len > w->len) {
		memcpy(w->b + w->len, in->b + w->len, in->len - w->len);
		w->len = in->len;
	}
}

static void want_na_dad_fwd0(const struct h_frame *in, struct h_frame *w)
{
	want_na_dad(in, w, 0);
}

static void want_na_dad_fwd1(const struct h_frame *in, struct h_frame *w)
{
	want_na_dad(in, w, 1);
}

/* The NA of avg_ns_vll_na_bytes; the request's 8 bytes beyond it stay behind it */
static void want_na_vll_fwd0_tail(const struct h_frame *in, struct h_frame *w)
{
	want_na_vll_fwd0(in, w);
	assert_int_equal(in->len, 94);
	memcpy(w->b + 86, in->b + 86, 8);
	w->len = 94;
}

/* ---- checks ------------------------------------------------------------ */

static void check_host6_fwd0(struct h_env *e, const struct h_frame *in)
{
	struct xglb_host h;

	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 0);
	assert_int_equal(h.flags, XGLB_HOST_NDP);
	assert_int_equal(h.ip, 0);
	assert_true(h.first_jiffies != 0 && h.first_jiffies == h.last_jiffies);
	assert_int_equal(h_hosts_count(e), 1);
}

static void check_no_host(struct h_env *e, const struct h_frame *in)
{
	assert_int_equal(h_hosts_count(e), 0);
}

/* ---- the table ------------------------------------------------------ */

#define NUD(idx) (N_NUD_VMAC | (idx) << 8)
/* A row of the NDP frame in_ndp(arg): the program leaves it as expect writes it (NULL: unchanged).
 */
#define REWRITES(name, setup, arg, verdict, expect, reason, check)                                 \
	{                                                                                          \
		name, setup, in_ndp, arg, verdict, expect, R(reason), check                        \
	}
/* A row whose frame comes back unchanged (or not at all) and leaves no host entry. */
#define NO_HOST(name, setup, arg, verdict, reason)                                                 \
	REWRITES(name, setup, arg, verdict, NULL, reason, check_no_host)

static const struct h_frame_case cases[] = {
    /* tagged: another VLAN's, never answered, passed as it came */
    NO_HOST("vlan_ns_vll_passes", setup6_avg, N_RESOLVE_VLL | N_TAGGED, XDP_PASS,
	    XDP_PASS_VLAN_NDP),
    NO_HOST("vlan_ns_vip6_passes", setup6_avg, N_RESOLVE_VIP6 | N_TAGGED, XDP_PASS,
	    XDP_PASS_VLAN_NDP),
    NO_HOST("vlan_nud_to_vmac_passes", setup6_avg, NUD(0) | N_TAGGED, XDP_PASS, XDP_PASS_VLAN_NDP),
    NO_HOST("vlan_dad_vll_passes", setup6_avg, N_DAD_PLAIN | N_TAGGED, XDP_PASS, XDP_PASS_VLAN_NDP),
    NO_HOST("vlan_na_claiming_vll_passes", setup6_avg, N_NA_VLL_PEER | N_TAGGED, XDP_PASS,
	    XDP_PASS_VLAN_NDP),
    NO_HOST("vlan_echo_to_vmac_passes", setup6_avg, N_ECHO_VLL | N_TAGGED, XDP_PASS,
	    XDP_PASS_VLAN_VMAC),
    NO_HOST("vlan_udp6_passes", setup6_avg, N_UDP6 | N_TAGGED, XDP_PASS, XDP_PASS_VLAN),

    /* the AVG answers */
    REWRITES("avg_ns_vll_na_bytes", setup6_avg, N_RESOLVE_VLL, XDP_TX, want_na_vll_fwd0,
	     XDP_TX_NA_REPLY, check_host6_fwd0),
    REWRITES("avg_ns_vip6_na_bytes", setup6_avg, N_RESOLVE_VIP6, XDP_TX, want_na_vip6_fwd0,
	     XDP_TX_NA_REPLY, check_host6_fwd0),
    NO_HOST("not_avg_ns_dropped", setup6_not_avg, N_RESOLVE_VLL, XDP_DROP, XDP_DROP_NDP_NOT_AVG),
    NO_HOST("avg_ns_lease_expired", setup6_lease_expired, N_RESOLVE_VLL, XDP_DROP,
	    XDP_DROP_NDP_LEASE),
    NO_HOST("avg_ns_iface_not_in_group", setup6_other_iface, N_RESOLVE_VLL, XDP_DROP,
	    XDP_DROP_NDP_IFACE),
    /* several interfaces on the segment: a multicast NS (and a DAD probe) answered once */
    NO_HOST("avg_ns_other_nic_copy_dropped", setup6_second_nic, N_RESOLVE_VLL, XDP_DROP,
	    XDP_DROP_NDP_OTHER_NIC),
    NO_HOST("avg_dad_other_nic_copy_dropped", setup6_second_nic, N_DAD_PLAIN, XDP_DROP,
	    XDP_DROP_NDP_OTHER_NIC),
    REWRITES("avg_ns_answering_second_nic", setup6_second_nic_answers, N_RESOLVE_VLL, XDP_TX,
	     want_na_vll_fwd0, XDP_TX_NA_REPLY, check_host6_fwd0),
    REWRITES("nud_local_vmac_other_nic", setup6_second_nic, NUD(0), XDP_TX, want_na_nud_fwd0,
	     XDP_TX_NA_UNICAST, check_no_host),
    NO_HOST("avg_ns_no_fwd_takes_hosts", setup6_no_fwd, N_RESOLVE_VLL, XDP_DROP,
	    XDP_DROP_NDP_NO_FWD),
    NO_HOST("ns_no_group_passes", NULL, N_RESOLVE_VLL, XDP_PASS, XDP_PASS_NDP_OTHER),
    NO_HOST("ns_other_address_passes", setup6_avg, N_RESOLVE_OTHER, XDP_PASS, XDP_PASS_NDP_OTHER),

    /* NUD: the vMAC's owner answers */
    REWRITES("nud_local_vmac_on_non_avg", setup6_not_avg, NUD(0), XDP_TX, want_na_nud_fwd0,
	     XDP_TX_NA_UNICAST, check_no_host),
    REWRITES("nud_local_vmac_without_slla_grows", setup6_not_avg, N_NUD_NO_SLLA, XDP_TX,
	     want_na_nud_fwd0, XDP_TX_NA_UNICAST, check_no_host),
    NO_HOST("nud_remote_vmac", setup6_avg, NUD(1), XDP_DROP, XDP_DROP_VMAC_REMOTE),
    NO_HOST("nud_vmac_beyond_n_fwd", setup6_avg, NUD(5), XDP_DROP, XDP_DROP_VMAC_UNKNOWN),
    NO_HOST("nud_inactive_vmac", setup6_fwd0_inactive, NUD(0), XDP_DROP, XDP_DROP_VMAC_UNKNOWN),
    NO_HOST("nud_lease_expired", setup6_lease_expired, NUD(0), XDP_DROP, XDP_DROP_NDP_LEASE),

    /* duplicate address detection */
    REWRITES("dad_nonce_defended", setup6_avg, N_DAD_NONCE, XDP_TX, want_na_dad_fwd0, XDP_TX_NA_DAD,
	     check_no_host),
    REWRITES("dad_plain_defended_grows", setup6_avg, N_DAD_PLAIN, XDP_TX, want_na_dad_fwd0,
	     XDP_TX_NA_DAD, check_no_host),
    REWRITES("dad_names_first_live_fwd", setup6_fwd0_inactive, N_DAD_PLAIN, XDP_TX,
	     want_na_dad_fwd1, XDP_TX_NA_DAD, check_no_host),
    NO_HOST("dad_not_avg", setup6_not_avg, N_DAD_NONCE, XDP_DROP, XDP_DROP_NDP_NOT_AVG),

    /* RFC 4861 7.1.1 validity */
    NO_HOST("hop_limit_64", setup6_avg, N_HOP64, XDP_DROP, XDP_DROP_NDP_HOP_LIMIT),
    NO_HOST("bad_checksum", setup6_avg, N_BAD_CSUM, XDP_DROP, XDP_DROP_NDP_CHECKSUM),
    NO_HOST("code_1", setup6_avg, N_CODE1, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("option_length_0", setup6_avg, N_OPT_LEN0, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("option_overruns_payload", setup6_avg, N_OPT_OVERRUN, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("two_slla", setup6_avg, N_TWO_SLLA, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("payload_not_8_aligned", setup6_avg, N_PLEN_28, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("payload_beyond_parsed", setup6_avg, N_PLEN_136, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("payload_shorter_than_ns", setup6_avg, N_PLEN_16, XDP_DROP, XDP_DROP_NDP_MALFORMED),
    NO_HOST("dad_with_slla", setup6_avg, N_DAD_WITH_SLLA, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("dad_not_to_solicited_node", setup6_avg, N_DAD_TO_ALLNODES, XDP_DROP,
	    XDP_DROP_NDP_INVALID),
    NO_HOST("multicast_ns_without_slla", setup6_avg, N_MCAST_NO_SLLA, XDP_DROP,
	    XDP_DROP_NDP_INVALID),
    NO_HOST("slla_not_ethernet_source", setup6_avg, N_SLLA_NOT_SRC, XDP_DROP,
	    XDP_DROP_NDP_BAD_SENDER),
    NO_HOST("ethernet_source_multicast", setup6_not_avg, N_SRC_MCAST, XDP_DROP,
	    XDP_DROP_NDP_BAD_SENDER),

    /* claims never reach the local stack; one naming a MAC that is no vMAC is a conflict
     * (its events: test_conflict.c) */
    NO_HOST("ns_from_vmac_source", setup6_avg, N_FROM_VMAC, XDP_DROP, XDP_DROP_NDP_PEER),
    NO_HOST("ns_from_vip6", setup6_avg, N_SRC_VIP6, XDP_DROP, XDP_DROP_NDP_VIP_CONFLICT),
    NO_HOST("na_vll_real_mac", setup6_not_avg, N_NA_VLL_PEER, XDP_DROP, XDP_DROP_NDP_VIP_CONFLICT),
    NO_HOST("na_vip6_unsolicited_seen_by_peer", setup6_not_avg, N_NA_VIP6_VMAC, XDP_DROP,
	    XDP_DROP_NDP_PEER),
    NO_HOST("ra_from_vll", setup6_avg, N_RA_FROM_VLL, XDP_DROP, XDP_DROP_NDP_PEER),

    /* none of our business */
    NO_HOST("na_between_hosts_passes", setup6_avg, N_NA_HOSTS, XDP_PASS, XDP_PASS_NDP_OTHER),
    NO_HOST("ra_other_router_passes", setup6_avg, N_RA_OTHER, XDP_PASS, XDP_PASS_NDP_OTHER),
    NO_HOST("rs_passes", setup6_avg, N_RS, XDP_PASS, XDP_PASS_NDP_OTHER),
    REWRITES("echo_to_vll_via_vmac_accepted", setup6_avg, N_ECHO_VLL, XDP_PASS, h_want_dst_ifmac,
	     XDP_PASS_VMAC, check_no_host),
    NO_HOST("udp6_untouched", setup6_avg, N_UDP6, XDP_PASS, XDP_PASS_OTHER),
    REWRITES("udp6_to_vmac_accepted", setup6_avg, N_UDP6_VMAC, XDP_PASS, h_want_dst_ifmac,
	     XDP_PASS_VMAC, check_no_host),
    /* 40-byte solicitations: checked in the stack copy */
    REWRITES("avg_ns_40_bytes_na_keeps_tail", setup6_avg, N_RESOLVE_40, XDP_TX,
	     want_na_vll_fwd0_tail, XDP_TX_NA_REPLY, check_host6_fwd0),
    NO_HOST("ns_40_option_length_0", setup6_avg, N_OPT_LEN0_40, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("ns_40_option_overruns", setup6_avg, N_OPT_OVERRUN_40, XDP_DROP, XDP_DROP_NDP_INVALID),
    NO_HOST("ns_40_slla_not_source", setup6_avg, N_SLLA_NOT_SRC_40, XDP_DROP,
	    XDP_DROP_NDP_BAD_SENDER),
    NO_HOST("ns_40_bad_checksum", setup6_avg, N_BAD_CSUM_40, XDP_DROP, XDP_DROP_NDP_CHECKSUM),
    NO_HOST("nud_24_bad_checksum", setup6_not_avg, N_BAD_CSUM_24, XDP_DROP, XDP_DROP_NDP_CHECKSUM),
    /* behind a hop-by-hop header: no answer, and no claim reaches the kernel; a station's claim
     * is told apart as behind none (its events: test_conflict.c) */
    NO_HOST("ns_behind_hop_by_hop_dropped", setup6_avg, N_RESOLVE_VLL | HBH, XDP_DROP,
	    XDP_DROP_NDP_INVALID),
    NO_HOST("ns_other_behind_hop_by_hop_passes", setup6_avg, N_RESOLVE_OTHER | HBH, XDP_PASS,
	    XDP_PASS_OTHER),
    NO_HOST("na_vll_behind_hop_by_hop_dropped", setup6_avg, N_NA_VLL_PEER | HBH, XDP_DROP,
	    XDP_DROP_NDP_VIP_CONFLICT),
    NO_HOST("ra_from_vll_behind_hop_by_hop_dropped", setup6_avg, N_RA_FROM_VLL | HBH, XDP_DROP,
	    XDP_DROP_NDP_PEER),
    NO_HOST("ns_from_vip6_behind_hop_by_hop_dropped", setup6_avg, N_SRC_VIP6 | HBH, XDP_DROP,
	    XDP_DROP_NDP_VIP_CONFLICT),
    NO_HOST("ns_from_vmac_behind_hop_by_hop_dropped", setup6_avg, N_FROM_VMAC | HBH, XDP_DROP,
	    XDP_DROP_NDP_PEER),
    NO_HOST("na_hosts_behind_hop_by_hop_passes", setup6_avg, N_NA_HOSTS | HBH, XDP_PASS,
	    XDP_PASS_OTHER),
};

/*
 * Generated rows: the NS for the VLL cut at every length 55..85, then at
 * 54 (the ICMPv6 type is not there, so it is no NDP message).
 */
#define TRUNC_MIN 55
#define TRUNC_MAX 85
#define N_FIXED	  (sizeof(cases) / sizeof(cases[0]))
#define N_GEN	  (TRUNC_MAX - TRUNC_MIN + 2)

static void gen_truncated(void *c, int i)
{
	int len = TRUNC_MIN + i;

	if (len > TRUNC_MAX) {
		*(struct h_frame_case *)c = (struct h_frame_case){"truncated_ns_54_bytes_not_ndp",
								  setup6_avg,
								  in_truncated,
								  54,
								  XDP_PASS,
								  NULL,
								  R(XDP_PASS_OTHER),
								  check_no_host};
		return;
	}
	*(struct h_frame_case *)c = (struct h_frame_case){h_name("truncated_ns_%d_bytes", len),
							  setup6_avg,
							  in_truncated,
							  len,
							  XDP_DROP,
							  NULL,
							  R(XDP_DROP_NDP_MALFORMED),
							  check_no_host};
}

/* ---- the same rows for a host answered before --------------------------- */

/*
 * Every fixture row again, after H_HOST's NS for the virtual link-local
 * was answered twice on this CPU wherever the row's setup answers it
 * (new, then established: the host's front-cache entry then holds the NS
 * answer that ndp.h's ndp_known gives from it alone). Each row must give
 * the verdict, bytes and reason it gives for a host never seen: the
 * entry answers only what the full path would answer alike. Every row
 * whose setup is setup6_avg is primed (asserted); the process runs on
 * one CPU, as the entry is per CPU.
 */
static bool known_primed;
static struct xglb_host known_host; /* H_HOST's table entry after priming */

/* H_HOST resolves the VLL twice through run; true if its entry holds the answer now. */
static bool known_prime(struct h_env *e,
			int (*run)(struct h_env *e, const struct h_frame *in, struct h_frame *out))
{
	struct xglb_host_key k = h_host_key(H_GID, H_HOST);
	__u64 key = xglb_host_key_word(&k);
	__u32 slot = xglb_host_cache_slot(key);
	struct xglb_host_cached c[e->ncpu];
	struct h_frame in, out;
	int cpu = sched_getcpu();

	h_ns_resolve(&in, H_HOST, H_HOST6, H_VLL);
	run(e, &in, &out);
	run(e, &in, &out);
	if (h_host_get(e, H_GID, H_HOST, &known_host))
		memset(&known_host, 0, sizeof(known_host));
	assert_true(cpu >= 0 && cpu < e->ncpu);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_host_cache), &slot, c),
			 0);
	return c[cpu].key == key && c[cpu].ns && c[cpu].flips == (__u32)h_ctl(e)->flips &&
	       !memcmp(c[cpu].vip6, H_VLL, 16) && c[cpu].flags & XGLB_HOST_ESTABLISHED;
}

static void known_prepare(struct h_env *e, const void *p, struct h_io *io)
{
	const struct h_frame_case *c = p;

	h_frame_prepare(e, p, io);
	known_primed = known_prime(e, h_run_xdp);
	if (c->setup == setup6_avg)
		assert_true(known_primed);
}

static void known_prepare_tc(struct h_env *e, const void *p, struct h_io *io)
{
	const struct h_frame_case *c = p;

	h_frame_prepare_tc(e, p, io);
	known_primed = known_prime(e, h_run_tcdp);
	if (c->setup == setup6_avg)
		assert_true(known_primed);
}

/*
 * A primed row: H_HOST still the one host, established, its entry as
 * priming left it; any other: the row's own check.
 */
static void known_check(struct h_env *e, const void *p, const struct h_io *io)
{
	struct xglb_host h;

	if (!known_primed) {
		h_frame_check(e, p, io);
		return;
	}
	assert_int_equal(h_hosts_count(e), 1);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.flags, XGLB_HOST_NDP | XGLB_HOST_ESTABLISHED);
	assert_int_equal(h.fwd, known_host.fwd);
	assert_int_equal(h.ip, known_host.ip);
}

/* The n rows through both hooks, for the known host, on one CPU; the number of failed rows. */
static int run_known(const struct h_frame_case *all, size_t n)
{
	const struct h_table xdp = {"ndp_fixtures_known_host", h_run_xdp, known_prepare,
				    known_check};
	const struct h_table tc = {"ndp_fixtures_known_host_at_tc", h_run_tcdp, known_prepare_tc,
				   known_check};
	cpu_set_t one, was;
	int failed;

	if (sched_getaffinity(0, sizeof(was), &was))
		return 1;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return 1;
	failed =
	    h_run_table(&xdp, all, n, sizeof(all[0])) + h_run_table(&tc, all, n, sizeof(all[0]));
	sched_setaffinity(0, sizeof(was), &was);
	return failed;
}

/* ---- the egress guard --------------------------------------------------- */

struct guard_case {
	const char *name;
	void (*setup)(struct h_env *e);
	int arg;
	int verdict;
	__u32 reason;
};

/* arg WANT(w): the frame guard_input(w) builds is what leaves (else the input, unchanged) */
#define WANT(w) ((w) << 8)

enum {
	G_NA_VLL_REAL_MAC,   /* the kernel answering for the VLL */
	G_NA_VIP6_OWN_VMAC,  /* our NA naming our own vMAC */
	G_NA_VIP6_PEER_VMAC, /* naming another node's vMAC */
	G_NA_NO_TLLA,	     /* about a virtual address, announcing nothing */
	G_NS_FROM_VIP6_REAL, /* the kernel resolving a host from the vip6 */
	G_NS_FROM_VIP6_BARE, /* the same without SLLA */
	G_RA_VLL_BARE,	     /* an RA from the virtual link-local without SLLA */
	G_RA_VLL_REAL,	     /* the same with the real MAC */
	G_RA_VLL_OWN_VMAC,   /* the same with our vMAC */
	G_NA_OTHER,	     /* the kernel answering for its own address */
	G_UDP6,
	G_NA_OPT_LEN0,	 /* our vMAC's NA with a second option of length 0 */
	G_NA_MANY_OPTS,	 /* our vMAC's NA behind 16 other options: more than the guard walks */
	G_NA_TLLA_LEN2,	 /* a TLLA of 16 bytes starting with our vMAC */
	G_RA_VLL_NO_FWD, /* an RA from the VLL naming a vMAC the group does not have */
	G_REDIRECT_VLL,	 /* the kernel redirecting a host, from the virtual link-local */
	G_REDIRECT_LL,	 /* the same from the router's own link-local */
	/* the kernel resolving a host to answer it from a virtual address (a ping to the gateway)
	 */
	G_NS_FROM_VLL_REAL, /* from the virtual link-local, SLLA the interface's MAC */
	G_NS_FROM_OWN_LL,   /* what leaves instead: the same NS from the router's own link-local */
	G_NS_FROM_VIP6_OTHER,  /* from the vip6, SLLA another station's MAC */
	G_NS_FROM_VIP6_PEER,   /* from the vip6, SLLA a vMAC this node may not announce */
	G_NS_FROM_VIP6_OWN_LL, /* G_NS_FROM_VIP6_REAL's NS from the router's own link-local */
	G_NS_FROM_VIP6_TWO,    /* from the vip6 with two SLLAs: the interface's MAC, then vMAC 0 */
};

/*
 * An ICMPv6 redirect as the kernel sends one when it forwards a host's
 * packet out of the interface it came in on (RFC 4861 4.5): target (a
 * better first hop, H_HOST6) and destination (H_OTHER6), a TLLA naming
 * the target's MAC, from src to the host.
 */
static void h_redirect(struct h_frame *f, const __u8 *src)
{
	h_icmp6(f, H_HOST, H_IFMAC, src, H_HOST6G, XGLB_ND_REDIRECT, 40);
	memcpy(f->b + 62, H_HOST6, 16);
	memcpy(f->b + 78, H_OTHER6, 16);
	h_nd_lla(f, 2, H_HOST);
	h_icmp6_csum(f);
}

static void guard_input(struct h_frame *f, int arg)
{
	switch (arg) {
	case G_NA_VLL_REAL_MAC:
		h_na(f, H_HOST, H_IFMAC, H_VLL, H_HOST6,
		     XGLB_NA_ROUTER | XGLB_NA_SOLICITED | XGLB_NA_OVERRIDE, H_VLL, H_IFMAC);
		break;
	case G_NA_VIP6_OWN_VMAC:
		h_na(f, H_HOST, H_IFMAC, H_VIP6, H_HOST6G, XGLB_NA_OVERRIDE, H_VIP6,
		     H_VMAC(H_GID, 0));
		break;
	case G_NA_VIP6_PEER_VMAC:
		h_na(f, H_HOST, H_IFMAC, H_VIP6, H_HOST6G, XGLB_NA_OVERRIDE, H_VIP6,
		     H_VMAC(H_GID, 1));
		break;
	case G_NA_NO_TLLA:
		h_na(f, H_HOST, H_IFMAC, H_VIP6, H_HOST6G, XGLB_NA_SOLICITED, H_VIP6, NULL);
		break;
	case G_NS_FROM_VIP6_REAL:
		h_ns_resolve(f, H_IFMAC, H_VIP6, H_HOST6G);
		break;
	case G_NS_FROM_VIP6_BARE:
		h_ns(f, H_HOST, H_IFMAC, H_VIP6, H_HOST6G, H_HOST6G, NULL);
		break;
	case G_RA_VLL_BARE:
		h_ra(f, H_IFMAC, H_VLL, NULL);
		break;
	case G_RA_VLL_REAL:
		h_ra(f, H_IFMAC, H_VLL, H_IFMAC);
		break;
	case G_RA_VLL_OWN_VMAC:
		h_ra(f, H_IFMAC, H_VLL, H_VMAC(H_GID, 0));
		break;
	case G_NA_OTHER:
		h_na(f, H_HOST, H_IFMAC, H_OTHER6, H_HOST6G, XGLB_NA_SOLICITED, H_OTHER6, H_IFMAC);
		break;
	case G_UDP6:
		h_udp6(f, H_HOST, H_IFMAC, H_VIP6, H_HOST6G, 20);
		break;
	case G_NA_OPT_LEN0:
	case G_NA_MANY_OPTS:
	case G_NA_TLLA_LEN2: {
		int n = arg == G_NA_MANY_OPTS ? 16 : 1;
		__u32 plen;

		h_na(f, H_HOST, H_IFMAC, H_VIP6, H_HOST6G, XGLB_NA_OVERRIDE, H_VIP6, NULL);
		for (int i = 0; i < n; i++) { /* options hosts ignore (type 200) */
			memset(f->b + f->len, 0, 8);
			f->b[f->len] = 200;
			f->b[f->len + 1] = arg == G_NA_OPT_LEN0 ? 0 : 1;
			f->len += 8;
		}
		h_nd_lla(f, 2, H_VMAC(H_GID, 0));
		if (arg == G_NA_TLLA_LEN2) {
			f->b[f->len - 7] = 2;
			memset(f->b + f->len, 0, 8);
			f->len += 8;
		}
		plen = f->len - 54;
		f->b[18] = (__u8)(plen >> 8);
		f->b[19] = (__u8)plen;
		h_icmp6_csum(f);
		break;
	}
	case G_RA_VLL_NO_FWD:
		h_ra(f, H_IFMAC, H_VLL, H_VMAC(H_GID, 9));
		break;
	case G_REDIRECT_VLL:
		h_redirect(f, H_VLL);
		break;
	case G_REDIRECT_LL:
		h_redirect(f, R_LL6);
		break;
	case G_NS_FROM_VLL_REAL:
		h_ns_resolve(f, H_IFMAC, H_VLL, H_HOST6);
		break;
	case G_NS_FROM_OWN_LL:
		h_ns_resolve(f, H_IFMAC, R_LL6, H_HOST6);
		break;
	case G_NS_FROM_VIP6_OTHER:
		h_ns_resolve(f, H_IFMAC, H_VIP6, H_HOST6G);
		memcpy(f->b + 80, H_HOST2, 6);
		h_icmp6_csum(f);
		break;
	case G_NS_FROM_VIP6_PEER:
		h_ns_resolve(f, H_IFMAC, H_VIP6, H_HOST6G);
		memcpy(f->b + 80, H_VMAC(H_GID, 9), 6);
		h_icmp6_csum(f);
		break;
	case G_NS_FROM_VIP6_OWN_LL:
		h_ns_resolve(f, H_IFMAC, R_LL6, H_HOST6G);
		break;
	case G_NS_FROM_VIP6_TWO:
		h_ns_resolve(f, H_IFMAC, H_VIP6, H_HOST6G);
		h_nd_lla(f, 1, H_VMAC(H_GID, 0));
		h_icmp6_csum(f);
		break;
	default:
		abort();
	}
}

static const struct guard_case guard_cases[] = {
    {"guard_na_vll_real_mac", setup6_avg, G_NA_VLL_REAL_MAC, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_na_vll_real_mac_not_avg", setup6_not_avg, G_NA_VLL_REAL_MAC, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_na_own_vmac", setup6_not_avg, G_NA_VIP6_OWN_VMAC, TC_ACT_OK,
     R(TC_EGRESS_PASS_VMAC_NDP)},
    {"guard_na_peer_vmac_not_avg", setup6_not_avg, G_NA_VIP6_PEER_VMAC, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_na_peer_vmac_avg", setup6_avg, G_NA_VIP6_PEER_VMAC, TC_ACT_OK,
     R(TC_EGRESS_PASS_VMAC_NDP)},
    {"guard_na_without_tlla", setup6_avg, G_NA_NO_TLLA, TC_ACT_SHOT, R(TC_EGRESS_DROP_NDP_NO_TLLA)},
    {"guard_na_option_length_0", setup6_avg, G_NA_OPT_LEN0, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_NDP_OPTIONS)},
    {"guard_na_more_options_than_walked", setup6_avg, G_NA_MANY_OPTS, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_NDP_OPTIONS)},
    {"guard_na_tlla_not_6_bytes", setup6_avg, G_NA_TLLA_LEN2, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ra_vll_vmac_beyond_group", setup6_avg, G_RA_VLL_NO_FWD, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ns_from_vip6_real_mac", setup6_avg, G_NS_FROM_VIP6_REAL, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ns_from_vip6_no_slla", setup6_avg, G_NS_FROM_VIP6_BARE, TC_ACT_OK, R(TC_EGRESS_PASS)},
    /* the kernel's NS from a virtual address leaves from the interface's own link-local */
    {"guard_ns_from_vip6_real_mac_own_ll", setup6_avg_ll,
     G_NS_FROM_VIP6_REAL | WANT(G_NS_FROM_VIP6_OWN_LL), TC_ACT_OK, R(TC_EGRESS_PASS_NS_OWN_LL)},
    {"guard_ns_from_vll_real_mac_own_ll", setup6_avg_ll,
     G_NS_FROM_VLL_REAL | WANT(G_NS_FROM_OWN_LL), TC_ACT_OK, R(TC_EGRESS_PASS_NS_OWN_LL)},
    {"guard_ns_from_vll_real_mac_no_ll", setup6_avg, G_NS_FROM_VLL_REAL, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ns_from_vip6_other_mac", setup6_avg_ll, G_NS_FROM_VIP6_OTHER, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ns_from_vip6_foreign_vmac", setup6_avg_ll, G_NS_FROM_VIP6_PEER, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ns_from_vip6_two_slla", setup6_avg_ll, G_NS_FROM_VIP6_TWO, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ns_own_ll_leaves_as_it_came", setup6_avg_ll, G_NS_FROM_OWN_LL, TC_ACT_OK,
     R(TC_EGRESS_PASS)},
    {"guard_na_vll_real_mac_own_ll", setup6_avg_ll, G_NA_VLL_REAL_MAC, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ra_vll_real_mac_own_ll", setup6_avg_ll, G_RA_VLL_REAL, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ra_vll_no_slla", setup6_not_avg, G_RA_VLL_BARE, TC_ACT_OK, R(TC_EGRESS_PASS)},
    {"guard_ra_vll_real_mac", setup6_avg, G_RA_VLL_REAL, TC_ACT_SHOT, R(TC_EGRESS_DROP_VIP_NDP)},
    {"guard_ra_vll_own_vmac", setup6_not_avg, G_RA_VLL_OWN_VMAC, TC_ACT_OK,
     R(TC_EGRESS_PASS_VMAC_NDP)},
    {"guard_na_other_address", setup6_avg, G_NA_OTHER, TC_ACT_OK, R(TC_EGRESS_PASS)},
    {"guard_udp6_from_vip6", setup6_avg, G_UDP6, TC_ACT_OK, R(TC_EGRESS_PASS)},
    {"guard_na_vll_no_group", NULL, G_NA_VLL_REAL_MAC, TC_ACT_OK, R(TC_EGRESS_PASS)},
    /* ICMPv6 redirects: none leaves a group's interface */
    {"guard_redirect_from_vll", setup6_not_avg, G_REDIRECT_VLL, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_REDIRECT_VIRT)},
    {"guard_redirect_from_own_ll", setup6_avg, G_REDIRECT_LL, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_REDIRECT)},
    {"guard_redirect_from_vll_steer_iface", setup6_steer_iface, G_REDIRECT_VLL, TC_ACT_SHOT,
     R(TC_EGRESS_DROP_REDIRECT_VIRT)},
    {"guard_redirect_steer_iface_ok", setup6_steer_iface, G_REDIRECT_LL, TC_ACT_OK,
     R(TC_EGRESS_PASS)},
};

static void guard_prepare(struct h_env *e, const void *p, struct h_io *io)
{
	const struct guard_case *c = p;

	if (c->setup)
		c->setup(e);
	guard_input(&io->in, c->arg & 0xff);
	if (c->arg >> 8)
		guard_input(&io->want, c->arg >> 8);
	else
		io->want = io->in;
	io->verdict = c->verdict;
	h_expect_reason(io, c->reason);
}

/* ---- scenarios ------------------------------------------------------- */

/* One NS for target from host through XDP: asserts an NA to host; returns its TLLA's index. */
static int ns_fwd(struct h_env *e, const __u8 *host, const __u8 *host6, const __u8 *target)
{
	struct h_frame in, out;

	h_ns_resolve(&in, host, host6, target);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	assert_int_equal(out.len, 86);
	assert_memory_equal(out.b, host, 6);
	assert_int_equal(out.b[54], 136);
	assert_memory_equal(out.b + 80, H_VMAC(H_GID, 0), 5);
	return out.b[85];
}

/*
 * A dual-stack host gets one forwarder for both families, whichever
 * asks first; round-robin moves on between hosts.
 */
static void test_dual_stack_same_forwarder(void **state)
{
	struct h_env *e = *state;
	struct xglb_host h;
	__u8 mac[6];
	int a, b;

	setup6_avg(e);
	/* host 1: ARP first, then NS for the VLL and the vip6 */
	a = h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP);
	assert_int_equal(ns_fwd(e, H_HOST, H_HOST6, H_VLL), a);
	assert_int_equal(ns_fwd(e, H_HOST, H_HOST6G, H_VIP6), a);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.ip, H_HOSTIP);				  /* kept */
	assert_int_equal(h.flags, XGLB_HOST_NDP | XGLB_HOST_ESTABLISHED); /* it asked again */
	/* host 2: NS first, then ARP */
	b = ns_fwd(e, H_HOST2, H_HOST6, H_VLL);
	assert_int_not_equal(a, b);
	assert_int_equal(h_ask(e, H_HOST2, H_HOST2IP, H_GID, H_VIP), b);
	assert_int_equal(h_host_get(e, H_GID, H_HOST2, &h), 0);
	assert_int_equal(h.ip, H_HOST2IP);
	assert_int_equal(h.flags, XGLB_HOST_NDP | XGLB_HOST_ESTABLISHED);
	/* 30 more hosts by NS alone: round-robin over the 3 forwarders */
	{
		int n[3] = {0};

		for (__u32 i = 0; i < 30; i++) {
			h_host_mac(100 + i, mac);
			n[ns_fwd(e, mac, H_HOST6G, H_VIP6)]++;
		}
		assert_int_equal(n[0], 10);
		assert_int_equal(n[1], 10);
		assert_int_equal(n[2], 10);
	}
}

/* A commit that drops the vip6 makes its NS none of our business; the VLL is still answered. */
static void test_vip6_removed_by_commit(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct h_frame in, out;

	setup6_avg(e);
	ns_fwd(e, H_HOST, H_HOST6G, H_VIP6);
	state6(&st, H_SELF);
	memset(st.vip6[1], 0, 16);
	h_install(e, &st, 1);
	h_ns_resolve(&in, H_HOST, H_HOST6G, H_VIP6);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_PASS);
	h_assert_bytes("untouched", out.b, out.len, in.b, in.len);
	ns_fwd(e, H_HOST, H_HOST6, H_VLL);
}

/* Many groups: every virtual address of every group found in the index, in its group. */
static void test_many_groups(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st[4];
	struct h_frame in, out;

	for (int g = 0; g < 4; g++) {
		h_state(&st[g], (__u8)(10 + g), h_ip(10, 0, g, 1), XGLB_POLICY_ROUND_ROBIN, 2,
			H_SELF);
		for (int a = 0; a < XGLB_VIP6_PER_GROUP; a++) {
			memcpy(st[g].vip6[a], H_VIP6, 16);
			st[g].vip6[a][13] = (__u8)g;
			st[g].vip6[a][15] = (__u8)(a + 1);
		}
	}
	h_install(e, st, 4);
	for (int g = 0; g < 4; g++)
		for (int a = 0; a < XGLB_VIP6_PER_GROUP; a++) {
			h_ns_resolve(&in, H_HOST, H_HOST6G, st[g].vip6[a]);
			assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
			assert_int_equal(out.b[84], 10 + g); /* TLLA names the group's vMAC */
		}
}

/* A group with IPv6 addresses is refused by a bank that has no IPv6 index. */
static void test_bank_without_index_refuses(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct xglb_group g;

	state6(&st, H_SELF);
	xglb_build_group(&st, H_SELF, &g);
	e->bank.vips6_fd = -1;
	assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), -ENXIO);
	memset(st.vip6, 0, sizeof(st.vip6));
	xglb_build_group(&st, H_SELF, &g);
	assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
}

int main(void)
{
	static const struct CMUnitTest scenarios[] = {
	    H_TEST(test_dual_stack_same_forwarder),
	    H_TEST(test_vip6_removed_by_commit),
	    H_TEST(test_many_groups),
	    H_TEST(test_bank_without_index_refuses),
	};
	static const struct h_table guard_table = {"ndp_egress_guard", h_run_tc, guard_prepare,
						   NULL};
	const struct h_frame_case *all =
	    h_cases(cases, N_FIXED, sizeof(cases[0]), N_GEN, gen_truncated);
	int failed;

	failed = h_run_frame_cases("ndp_fixtures", "ndp_fixtures_at_tc", all, N_FIXED + N_GEN);
	failed += run_known(all, N_FIXED + N_GEN);
	failed += h_run_table(&guard_table, guard_cases,
			      sizeof(guard_cases) / sizeof(guard_cases[0]), sizeof(guard_cases[0]));
	failed += cmocka_run_group_tests_name("ndp_scenarios", scenarios, NULL, NULL);
	return failed ? 1 : 0;
}

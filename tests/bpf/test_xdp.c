// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_xdp.c - xglb_xdp through test_run: a fixture table, then multi-frame policy scenarios. */
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/pkt_cls.h>
#include "harness.h"

/*
 * The fixture table. Each case runs in a fresh skeleton: setup installs
 * the group state through the real table path, input builds one frame,
 * and the run must give exactly verdict, exactly the expected output bytes
 * (NULL expect = the frame comes back unchanged) and exactly one count,
 * under reason. check, if set, asserts more state afterwards. The rows are
 * struct h_frame_case (harness.h), run by h_frame_prepare and h_frame_check.
 */

/* ---- setups ---------------------------------------------------------- */

/* Forwarder 0 is redirected (no new hosts): the first new host gets forwarder 1. */
H_SETUP(setup_avg_fwd0_redirect, H_DEFAULT_STATE(H_SELF), st.fwd[0].new_ok = false)
/* No forwarder takes new hosts: the slot table is empty. */
H_SETUP(setup_avg_no_fwd, H_DEFAULT_STATE(H_SELF),
	for (int i = 0; i < 3; i++) st.fwd[i].new_ok = false)
H_SETUP_LEASE_EXPIRED(setup_avg_lease_expired, h_setup_avg)
/* The group lives on ifindex 2 only; frames arrive on lo (1). */
H_SETUP(setup_avg_other_iface, H_DEFAULT_STATE(H_SELF), st.ifindex[0] = 2)

/* Frames arrive on the group's second interface; the first answers broadcasts. */
static void setup_avg_second_nic(struct h_env *e)
{
	struct xglb_group_state st;

	H_DEFAULT_STATE(H_SELF);
	h_second_nic(e, &st, 0);
}

/* The same, the second interface answering (the first lost carrier). */
static void setup_avg_second_nic_answers(struct h_env *e)
{
	struct xglb_group_state st;

	H_DEFAULT_STATE(H_SELF);
	h_second_nic(e, &st, 1);
}

/*
 * The group has no MAC for the interface the frame arrives on: the group
 * lists ifindex 2 only, while lo's MAC is in xglb_ifaces (which only the
 * tc fix-up reads).
 */
static void setup_avg_no_iface_mac(struct h_env *e)
{
	setup_avg_other_iface(e);
}

/* The group existed, then a commit removed it. */
static void setup_group_removed(struct h_env *e)
{
	h_setup_avg(e);
	h_install(e, NULL, 0);
}

/* ---- inputs ---------------------------------------------------------- */

static void in_req_vip(struct h_frame *f, int arg)
{
	h_arp_request(f, H_HOST, H_HOSTIP, H_VIP);
}

/* As a switch delivers it: padded to the 60-byte minimum. */
static void in_req_vip_padded(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	h_pad(f, 60, 0xa0);
}

/*
 * ARP frames that need no argument, one row each: eth dst, eth src, op,
 * sha, spa, tha, tpa (arg: A_*).
 */
enum {
	A_REQ_OTHER_IP,
	A_REPLY_BETWEEN_HOSTS,
	A_REQ_ROUTER_IP,
	A_UNICAST_REQ_VMAC_GID9,
	A_GARP_REQ_FROM_VMAC,
	A_GARP_REPLY_FROM_VMAC,
	A_GARP_FROM_REAL_MAC,
	A_REPLY_VIP_FROM_REAL_MAC,
	A_AVG_REPLY_TO_HOST,
	A_ARP_VMAC_SHA_OTHER_IP,
	A_ARP_VMAC_ETHSRC_OTHER_IP,
	A_REPLY_TO_VIP,
	A_REQ_SPA_VIP,
	A_MAX
};

static void in_arp(struct h_frame *f, int arg)
{
	const __u8 *v1 = H_VMAC(H_GID, 1), *v2 = H_VMAC(H_GID, 2), *v9 = H_VMAC(9, 0);
	const struct h_arp_row rows[A_MAX] = {
	    /* a request for an address that is no VIP */
	    [A_REQ_OTHER_IP] = {H_BCAST, H_HOST, H_REQ, H_HOST, H_HOSTIP, H_ZERO, H_OTHERIP},
	    /* host 2 answers host 1: ordinary ARP between hosts */
	    [A_REPLY_BETWEEN_HOSTS] = {H_HOST, H_HOST2, H_REP, H_HOST2, H_HOST2IP, H_HOST,
				       H_HOSTIP},
	    /* a request for our own router address (the kernel answers it) */
	    [A_REQ_ROUTER_IP] = {H_BCAST, H_HOST, H_REQ, H_HOST, H_HOSTIP, H_ZERO, H_ROUTERIP},
	    /* unicast to a vMAC of group 9 while asking for group 7's VIP */
	    [A_UNICAST_REQ_VMAC_GID9] = {v9, H_HOST, H_REQ, H_HOST, H_HOSTIP, H_ZERO, H_VIP},
	    /* a peer's gratuitous ARP request from its vMAC: spa = tpa = VIP */
	    [A_GARP_REQ_FROM_VMAC] = {H_BCAST, v1, H_REQ, v1, H_VIP, H_ZERO, H_VIP},
	    /* a peer's gratuitous ARP reply from its vMAC */
	    [A_GARP_REPLY_FROM_VMAC] = {H_BCAST, v1, H_REP, v1, H_VIP, H_BCAST, H_VIP},
	    /* a peer's kernel announcing the VIP with its real MAC */
	    [A_GARP_FROM_REAL_MAC] = {H_BCAST, H_PEERMAC, H_REQ, H_PEERMAC, H_VIP, H_ZERO, H_VIP},
	    /* a peer's unicast reply "VIP is at <real MAC>" to a host */
	    [A_REPLY_VIP_FROM_REAL_MAC] = {H_HOST, H_PEERMAC, H_REP, H_PEERMAC, H_VIP, H_HOST,
					   H_HOSTIP},
	    /* the AVG's unsolicited reply to a host, seen by us (another node) */
	    [A_AVG_REPLY_TO_HOST] = {H_HOST, H_PEERMAC, H_REP, v2, H_VIP, H_HOST, H_HOSTIP},
	    /* any ARP from a vMAC source, even about an unrelated address */
	    [A_ARP_VMAC_SHA_OTHER_IP] = {H_BCAST, H_PEERMAC, H_REQ, v1, H_ROUTERIP, H_ZERO,
					 H_HOSTIP},
	    [A_ARP_VMAC_ETHSRC_OTHER_IP] = {H_BCAST, v1, H_REQ, H_PEERMAC, H_ROUTERIP, H_ZERO,
					    H_HOSTIP},
	    /* a host replying to the VIP (op 2, tpa = VIP) */
	    [A_REPLY_TO_VIP] = {H_IFMAC, H_HOST, H_REP, H_HOST, H_HOSTIP, H_IFMAC, H_VIP},
	    /* a request for the VIP that claims the VIP as its own sender address */
	    [A_REQ_SPA_VIP] = {H_BCAST, H_HOST, H_REQ, H_HOST, H_VIP, H_ZERO, H_VIP},
	};

	h_arp_pick(f, rows, A_MAX, arg);
}

/* 98-byte IPv4/UDP frame from the host to vMAC (H_GID, arg). */
static void in_ipv4_to_vmac(struct h_frame *f, int arg)
{
	__u8 v[6];

	h_vmac(H_GID, (__u8)arg, v);
	h_ipv4(f, v, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 7), 98);
}

/* To a vMAC of group 9, which is not configured. */
static void in_ipv4_to_vmac_gid9(struct h_frame *f, int arg)
{
	__u8 v[6];

	h_vmac(9, 0, v);
	h_ipv4(f, v, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 7), 98);
}

static void in_ipv4_to_peer(struct h_frame *f, int arg)
{
	h_ipv4(f, H_PEERMAC, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 7), 98);
}

static void in_ipv4_to_ifmac(struct h_frame *f, int arg)
{
	h_ipv4(f, H_IFMAC, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 7), 60);
}

/* Linux re-confirming a neighbour: a request unicast to the vMAC it holds, tha zero. */
static void in_unicast_req_vmac(struct h_frame *f, int arg)
{
	__u8 v[6];

	h_vmac(H_GID, (__u8)arg, v);
	h_arp(f, v, H_HOST, XGLB_ARPOP_REQUEST, H_HOST, H_HOSTIP, H_ZERO, H_VIP);
}

static void in_bad_hrd(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	h_arpf(f)->hrd = htons(6); /* IEEE 802 */
}

static void in_bad_pro(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	h_arpf(f)->pro = htons(0x86dd);
}

static void in_bad_hln(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	h_arpf(f)->hln = 8;
}

static void in_bad_pln(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	h_arpf(f)->pln = 16;
}

static void in_opcode(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	h_arpf(f)->op = htons((__u16)arg);
}

/* Tagged frames: what is inside (V_*) | how it is tagged (V_8021Q, V_8021AD, V_QINQ). */
enum {
	V_REQ_VIP,     /* broadcast ARP request for the VIP */
	V_UNICAST_REQ, /* ARP request unicast to vMAC 0 */
	V_TO_VMAC0,    /* IPv4 to vMAC 0, owned here */
	V_TO_VMAC1,    /* IPv4 to vMAC 1, owned elsewhere */
	V_TO_PEER,     /* IPv4 to another MAC */
	V_TAG_ONLY,    /* 16 bytes: the MACs and a tag, no inner Ethernet type */
	V_8021Q = 0x100,
	V_8021AD = 0x200,
	V_QINQ = 0x400, /* 802.1ad outside, 802.1Q inside */
};

/* A tagged frame (arg: V_* | V_8021Q, V_8021AD or V_QINQ): an untagged row's frame, tag inserted.
 */
static void in_vlan(struct h_frame *f, int arg)
{
	switch (arg & 0xff) {
	case V_REQ_VIP:
		in_req_vip(f, 0);
		break;
	case V_UNICAST_REQ:
		in_unicast_req_vmac(f, 0);
		break;
	case V_TO_VMAC0:
	case V_TO_VMAC1:
		in_ipv4_to_vmac(f, (arg & 0xff) == V_TO_VMAC1);
		break;
	case V_TO_PEER:
		in_ipv4_to_peer(f, 0);
		break;
	case V_TAG_ONLY:
		in_req_vip(f, 0);
		f->len = 12;
		h_vlan(f, XGLB_ETH_P_8021Q, 10);
		return;
	}
	if (arg & V_QINQ)
		h_vlan(f, XGLB_ETH_P_8021Q, 10);
	h_vlan(f, arg & V_8021Q ? XGLB_ETH_P_8021Q : XGLB_ETH_P_8021AD, 20);
}

/* Sender MACs no host may claim: arg selects sha / eth src. */
static void in_bad_sender(struct h_frame *f, int arg)
{
	static const __u8 mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

	in_req_vip(f, 0);
	switch (arg) {
	case 0: /* broadcast sha */
		memcpy(h_arpf(f)->sha, H_BCAST, 6);
		break;
	case 1: /* zero sha */
		memcpy(h_arpf(f)->sha, H_ZERO, 6);
		break;
	case 2: /* multicast sha */
		memcpy(h_arpf(f)->sha, mcast, 6);
		break;
	case 3: /* multicast Ethernet source, sha fine */
		memcpy(h_arpf(f)->eth_src, mcast, 6);
		break;
	case 4: /* zero Ethernet source */
		memcpy(h_arpf(f)->eth_src, H_ZERO, 6);
		break;
	}
}

static void in_truncated(struct h_frame *f, int arg)
{
	in_req_vip(f, 0);
	f->len = (__u32)arg;
}

/* ---- expected outputs ----------------------------------------------- */

/* Every byte of "10.0.0.1 is at 02:78:67:62:07:00", to H_HOST, from lo's MAC. */
static const __u8 reply_fwd0[42] = {
    0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01, /* eth dst: the requester */
    0x52, 0x54, 0x00, 0x00, 0x00, 0x01, /* eth src: our interface */
    0x08, 0x06,				/* ARP */
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, /* Ethernet, IPv4, 6, 4 */
    0x00, 0x02,				/* reply */
    0x02, 0x78, 0x67, 0x62, 0x07, 0x00, /* sha: vMAC of group 7, forwarder 0 */
    0x0a, 0x00, 0x00, 0x01,		/* spa: the VIP */
    0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01, /* tha: the requester */
    0x0a, 0x00, 0x00, 0x32,		/* tpa: 10.0.0.50 */
};

static void want_reply_fwd0(const struct h_frame *in, struct h_frame *w)
{
	memcpy(w->b, reply_fwd0, sizeof(reply_fwd0));
	w->len = sizeof(reply_fwd0);
}

/* The padded request keeps its 18 bytes of padding behind the reply. */
static void want_reply_fwd0_padded(const struct h_frame *in, struct h_frame *w)
{
	*w = *in;
	memcpy(w->b, reply_fwd0, sizeof(reply_fwd0));
	assert_int_equal(w->len, 60);
}

static void want_reply_fwd1(const struct h_frame *in, struct h_frame *w)
{
	want_reply_fwd0(in, w);
	w->b[27] = 0x01; /* sha[5] */
}

/* ---- checks after the run ---------------------------------------------- */

static void check_host_fwd0(struct h_env *e, const struct h_frame *in)
{
	struct xglb_host h;

	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 0);
	assert_true(h.first_jiffies != 0);
	assert_true(h.first_jiffies == h.last_jiffies);
}

static void check_host_fwd1(struct h_env *e, const struct h_frame *in)
{
	struct xglb_host h;

	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 1);
}

/*
 * Nothing was learned: answers outside the AVG path never create host
 * entries. The whole table is checked, not only H_HOST: many of these
 * frames come from another sender (a peer, a vMAC, host 2).
 */
static void check_no_host(struct h_env *e, const struct h_frame *in)
{
	struct xglb_host h;

	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), -ENOENT);
	assert_int_equal(h_hosts_count(e), 0);
}

static void check_fwd0_counted(struct h_env *e, const struct h_frame *in)
{
	struct xglb_fwd_stats s = h_fwd_stats(e, H_GID, 0);

	assert_int_equal(s.packets, 1);
	assert_int_equal(s.bytes, in->len);
	for (int i = 1; i < XGLB_MAX_FWD; i++) {
		s = h_fwd_stats(e, H_GID, (__u32)i);
		assert_int_equal(s.packets, 0);
		assert_int_equal(s.bytes, 0);
	}
}

static void check_nothing_counted(struct h_env *e, const struct h_frame *in)
{
	for (int i = 0; i < XGLB_MAX_FWD; i++) {
		struct xglb_fwd_stats s = h_fwd_stats(e, H_GID, (__u32)i);

		assert_int_equal(s.packets, 0);
		assert_int_equal(s.bytes, 0);
	}
	check_no_host(e, in);
}

/* ---- the table ------------------------------------------------------ */

#define R(x) XGLB_R_##x

static const struct h_frame_case cases[] = {
    /* the AVG answers */
    {"avg_request_vip_reply_bytes", h_setup_avg, in_req_vip, 0, XDP_TX, want_reply_fwd0,
     R(XDP_TX_ARP_REPLY), check_host_fwd0},
    {"avg_request_vip_padded_keeps_padding", h_setup_avg, in_req_vip_padded, 0, XDP_TX,
     want_reply_fwd0_padded, R(XDP_TX_ARP_REPLY), check_host_fwd0},
    {"avg_request_vip_skips_redirected_fwd", setup_avg_fwd0_redirect, in_req_vip, 0, XDP_TX,
     want_reply_fwd1, R(XDP_TX_ARP_REPLY), check_host_fwd1},
    {"avg_request_vip_no_fwd_takes_hosts", setup_avg_no_fwd, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_NO_FWD), check_no_host},
    {"not_avg_request_vip_dropped", h_setup_not_avg, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_NOT_AVG), check_no_host},
    {"avg_request_vip_lease_expired", setup_avg_lease_expired, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_LEASE), check_no_host},
    {"avg_request_vip_iface_not_in_group", setup_avg_other_iface, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_IFACE), check_no_host},
    {"avg_request_vip_iface_mac_unknown", setup_avg_no_iface_mac, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_IFACE), check_no_host},
    /* several interfaces on the segment: a broadcast request is answered once */
    {"avg_request_vip_other_nic_copy_dropped", setup_avg_second_nic, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_OTHER_NIC), check_no_host},
    {"avg_request_vip_answering_second_nic", setup_avg_second_nic_answers, in_req_vip, 0, XDP_TX,
     want_reply_fwd0, R(XDP_TX_ARP_REPLY), check_host_fwd0},
    {"not_avg_request_vip_other_nic_not_avg", h_setup_not_avg, in_req_vip, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_NOT_AVG), check_no_host},
    {"request_vip_after_group_removed_passes", setup_group_removed, in_req_vip, 0, XDP_PASS, NULL,
     R(XDP_PASS_ARP_OTHER), check_no_host},

    /* ARP not about a VIP reaches the kernel untouched */
    {"avg_request_unknown_ip_passes", h_setup_avg, in_arp, A_REQ_OTHER_IP, XDP_PASS, NULL,
     R(XDP_PASS_ARP_OTHER), check_no_host},
    {"avg_request_router_ip_passes", h_setup_avg, in_arp, A_REQ_ROUTER_IP, XDP_PASS, NULL,
     R(XDP_PASS_ARP_OTHER), check_no_host},
    {"reply_between_hosts_passes", h_setup_avg, in_arp, A_REPLY_BETWEEN_HOSTS, XDP_PASS, NULL,
     R(XDP_PASS_ARP_OTHER), NULL},
    {"lease_expired_unrelated_arp_passes", setup_avg_lease_expired, in_arp, A_REQ_OTHER_IP,
     XDP_PASS, NULL, R(XDP_PASS_ARP_OTHER), NULL},

    /* frames to vMACs */
    {"vmac_local_accepted_rewritten", h_setup_avg, in_ipv4_to_vmac, 0, XDP_PASS, h_want_dst_ifmac,
     R(XDP_PASS_VMAC), check_fwd0_counted},
    {"vmac_local_accepted_on_non_avg", h_setup_not_avg, in_ipv4_to_vmac, 0, XDP_PASS,
     h_want_dst_ifmac, R(XDP_PASS_VMAC), check_fwd0_counted},
    {"vmac_remote_dropped", h_setup_avg, in_ipv4_to_vmac, 1, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_REMOTE), check_nothing_counted},
    {"vmac_inactive_fwd_unknown", h_setup_avg_fwd2_inactive, in_ipv4_to_vmac, 2, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_UNKNOWN), check_nothing_counted},
    {"vmac_index_beyond_n_fwd_unknown", h_setup_avg, in_ipv4_to_vmac, 3, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_UNKNOWN), check_nothing_counted},
    {"vmac_index_255_unknown", h_setup_avg, in_ipv4_to_vmac, 255, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_UNKNOWN), check_nothing_counted},
    {"vmac_unknown_group_dropped", h_setup_avg, in_ipv4_to_vmac_gid9, 0, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_UNKNOWN), check_nothing_counted},
    {"vmac_local_iface_mac_unknown", setup_avg_no_iface_mac, in_ipv4_to_vmac, 0, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_IFACE), check_nothing_counted},
    {"vmac_no_group_configured", NULL, in_ipv4_to_vmac, 0, XDP_DROP, NULL, R(XDP_DROP_VMAC_UNKNOWN),
     NULL},

    /* unicast re-confirmation of a held vMAC */
    {"unicast_request_local_vmac_on_non_avg", h_setup_not_avg, in_unicast_req_vmac, 0, XDP_TX,
     want_reply_fwd0, R(XDP_TX_ARP_UNICAST), check_no_host},
    {"unicast_request_local_vmac_on_avg", h_setup_avg, in_unicast_req_vmac, 0, XDP_TX,
     want_reply_fwd0, R(XDP_TX_ARP_UNICAST), check_no_host},
    /* ... on any of the group's interfaces, not only the answering one (robust during a move) */
    {"unicast_request_local_vmac_other_nic", setup_avg_second_nic, in_unicast_req_vmac, 0, XDP_TX,
     want_reply_fwd0, R(XDP_TX_ARP_UNICAST), check_no_host},
    {"unicast_request_remote_vmac_on_avg", h_setup_avg, in_unicast_req_vmac, 1, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_REMOTE), check_no_host},
    {"unicast_request_remote_vmac_on_non_avg", h_setup_not_avg, in_unicast_req_vmac, 2, XDP_DROP,
     NULL, R(XDP_DROP_VMAC_REMOTE), check_no_host},
    {"unicast_request_inactive_vmac", h_setup_avg_fwd2_inactive, in_unicast_req_vmac, 2, XDP_DROP,
     NULL, R(XDP_DROP_VMAC_UNKNOWN), check_no_host},
    {"unicast_request_vmac_beyond_n_fwd", h_setup_avg, in_unicast_req_vmac, 9, XDP_DROP, NULL,
     R(XDP_DROP_VMAC_UNKNOWN), check_no_host},
    {"unicast_request_vmac_of_other_group", h_setup_avg, in_arp, A_UNICAST_REQ_VMAC_GID9, XDP_DROP,
     NULL, R(XDP_DROP_VMAC_UNKNOWN), check_no_host},
    {"unicast_request_local_vmac_lease_expired", setup_avg_lease_expired, in_unicast_req_vmac, 0,
     XDP_DROP, NULL, R(XDP_DROP_ARP_LEASE), NULL},

    /* peers announcing the VIP never reach the local stack */
    {"peer_garp_request_from_vmac", h_setup_avg, in_arp, A_GARP_REQ_FROM_VMAC, XDP_DROP, NULL,
     R(XDP_DROP_ARP_PEER), check_no_host},
    {"peer_garp_reply_from_vmac", h_setup_not_avg, in_arp, A_GARP_REPLY_FROM_VMAC, XDP_DROP, NULL,
     R(XDP_DROP_ARP_PEER), check_no_host},
    {"peer_garp_from_real_mac", h_setup_not_avg, in_arp, A_GARP_FROM_REAL_MAC, XDP_DROP, NULL,
     R(XDP_DROP_ARP_VIP_CONFLICT), NULL},
    {"peer_reply_vip_from_real_mac", h_setup_avg, in_arp, A_REPLY_VIP_FROM_REAL_MAC, XDP_DROP, NULL,
     R(XDP_DROP_ARP_VIP_CONFLICT), NULL},
    {"avg_unsolicited_reply_seen_by_peer", h_setup_not_avg, in_arp, A_AVG_REPLY_TO_HOST, XDP_DROP,
     NULL, R(XDP_DROP_ARP_PEER), NULL},
    {"arp_with_vmac_sha_about_other_ip", h_setup_avg, in_arp, A_ARP_VMAC_SHA_OTHER_IP, XDP_DROP,
     NULL, R(XDP_DROP_ARP_PEER), NULL},
    {"arp_from_vmac_source_about_other_ip", h_setup_avg, in_arp, A_ARP_VMAC_ETHSRC_OTHER_IP,
     XDP_DROP, NULL, R(XDP_DROP_ARP_PEER), NULL},
    {"reply_addressed_to_vip", h_setup_avg, in_arp, A_REPLY_TO_VIP, XDP_DROP, NULL,
     R(XDP_DROP_ARP_PEER), check_no_host},
    {"request_with_sender_ip_vip", h_setup_avg, in_arp, A_REQ_SPA_VIP, XDP_DROP, NULL,
     R(XDP_DROP_ARP_VIP_CONFLICT), check_no_host},

    /* malformed or refused requests for the VIP */
    {"bad_hrd", h_setup_avg, in_bad_hrd, 0, XDP_DROP, NULL, R(XDP_DROP_ARP_MALFORMED),
     check_no_host},
    {"bad_pro", h_setup_avg, in_bad_pro, 0, XDP_DROP, NULL, R(XDP_DROP_ARP_MALFORMED),
     check_no_host},
    {"bad_hln", h_setup_avg, in_bad_hln, 0, XDP_DROP, NULL, R(XDP_DROP_ARP_MALFORMED),
     check_no_host},
    {"bad_pln", h_setup_avg, in_bad_pln, 0, XDP_DROP, NULL, R(XDP_DROP_ARP_MALFORMED),
     check_no_host},
    {"opcode_0_for_vip", h_setup_avg, in_opcode, 0, XDP_DROP, NULL, R(XDP_DROP_ARP_OPCODE),
     check_no_host},
    {"opcode_3_rarp_for_vip", h_setup_avg, in_opcode, 3, XDP_DROP, NULL, R(XDP_DROP_ARP_OPCODE),
     check_no_host},
    {"opcode_8_inarp_for_vip", h_setup_avg, in_opcode, 8, XDP_DROP, NULL, R(XDP_DROP_ARP_OPCODE),
     check_no_host},
    {"opcode_0x0101_for_vip", h_setup_avg, in_opcode, 0x0101, XDP_DROP, NULL,
     R(XDP_DROP_ARP_OPCODE), check_no_host},
    /* tagged: another VLAN's, never answered, learned from or readdressed; passed as it came */
    {"vlan_8021q_request_vip_passes", h_setup_avg, in_vlan, V_REQ_VIP | V_8021Q, XDP_PASS, NULL,
     R(XDP_PASS_VLAN_ARP), check_nothing_counted},
    {"vlan_8021ad_request_vip_passes", h_setup_avg, in_vlan, V_REQ_VIP | V_8021AD, XDP_PASS, NULL,
     R(XDP_PASS_VLAN_ARP), check_nothing_counted},
    {"vlan_unicast_request_to_vmac_passes", h_setup_avg, in_vlan, V_UNICAST_REQ | V_8021Q, XDP_PASS,
     NULL, R(XDP_PASS_VLAN_ARP), check_nothing_counted},
    {"vlan_ipv4_to_owned_vmac_not_readdressed", h_setup_avg, in_vlan, V_TO_VMAC0 | V_8021Q,
     XDP_PASS, NULL, R(XDP_PASS_VLAN_VMAC), check_nothing_counted},
    {"vlan_8021ad_ipv4_to_owned_vmac_not_readdressed", h_setup_avg, in_vlan, V_TO_VMAC0 | V_8021AD,
     XDP_PASS, NULL, R(XDP_PASS_VLAN_VMAC), check_nothing_counted},
    {"vlan_ipv4_to_remote_vmac_not_dropped", h_setup_avg, in_vlan, V_TO_VMAC1 | V_8021Q, XDP_PASS,
     NULL, R(XDP_PASS_VLAN_VMAC), check_nothing_counted},
    {"vlan_ipv4_to_other_mac_passes", h_setup_avg, in_vlan, V_TO_PEER | V_8021Q, XDP_PASS, NULL,
     R(XDP_PASS_VLAN), check_nothing_counted},
    {"vlan_qinq_request_vip_passes", h_setup_avg, in_vlan, V_REQ_VIP | V_QINQ, XDP_PASS, NULL,
     R(XDP_PASS_VLAN), check_nothing_counted},
    {"vlan_tag_only_passes", h_setup_avg, in_vlan, V_TAG_ONLY, XDP_PASS, NULL, R(XDP_PASS_VLAN),
     check_nothing_counted},
    {"sender_sha_broadcast", h_setup_avg, in_bad_sender, 0, XDP_DROP, NULL,
     R(XDP_DROP_ARP_BAD_SENDER), NULL},
    {"sender_sha_zero", h_setup_avg, in_bad_sender, 1, XDP_DROP, NULL, R(XDP_DROP_ARP_BAD_SENDER),
     NULL},
    {"sender_sha_multicast", h_setup_avg, in_bad_sender, 2, XDP_DROP, NULL,
     R(XDP_DROP_ARP_BAD_SENDER), NULL},
    {"sender_eth_src_multicast", h_setup_avg, in_bad_sender, 3, XDP_DROP, NULL,
     R(XDP_DROP_ARP_BAD_SENDER), NULL},
    {"sender_eth_src_zero", h_setup_avg, in_bad_sender, 4, XDP_DROP, NULL,
     R(XDP_DROP_ARP_BAD_SENDER), NULL},

    /* everything else */
    {"ipv4_to_other_mac_untouched", h_setup_avg, in_ipv4_to_peer, 0, XDP_PASS, NULL,
     R(XDP_PASS_OTHER), check_nothing_counted},
    {"ipv4_to_iface_mac_untouched", h_setup_avg, in_ipv4_to_ifmac, 0, XDP_PASS, NULL,
     R(XDP_PASS_OTHER), check_nothing_counted},
    {"ipv4_no_group_untouched", NULL, in_ipv4_to_peer, 0, XDP_PASS, NULL, R(XDP_PASS_OTHER), NULL},
};

/* Generated rows: the VIP request cut at every length 14..41. */
#define TRUNC_MIN 14
#define TRUNC_MAX 41
#define N_TRUNC	  (TRUNC_MAX - TRUNC_MIN + 1)
#define N_CASES	  (sizeof(cases) / sizeof(cases[0]) + N_TRUNC)

/* Generated case i: the request cut to TRUNC_MIN + i bytes. */
static void truncated_case(void *c, int i)
{
	*(struct h_frame_case *)c =
	    (struct h_frame_case){h_name("truncated_arp_%d_bytes", TRUNC_MIN + i),
				  h_setup_avg,
				  in_truncated,
				  TRUNC_MIN + i,
				  XDP_DROP,
				  NULL,
				  R(XDP_DROP_ARP_MALFORMED),
				  check_no_host};
}

/* ---- scenarios beyond one frame ------------------------------------- */

/*
 * The lease gates answers both ways: stale -> dropped, refreshed ->
 * answered. Run on each of the data path's clocks (struct xglb_ctl).
 */
static void lease_expiry_and_refresh(struct h_env *e)
{
	struct h_frame in, out;

	h_setup_avg(e);
	in_req_vip(&in, 0);
	h_heartbeat(e, 1500000000ull, 1000000000ull); /* 1.5 s old, lease 1 s */
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 1);

	h_heartbeat(e, 0, 1000000000ull);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	h_assert_bytes("reply after refresh", out.b, out.len, reply_fwd0, sizeof(reply_fwd0));

	/* every request right after each of many fresh heartbeats is answered */
	for (int i = 0; i < 2000; i++) {
		h_heartbeat(e, 0, 1000000000ull);
		assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);
	}
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 1);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 2001);

	/* the coarse clock may lag the agent's monotonic one: a heartbeat
	 * "from the future" is fresh, not 2^64 ns old */
	h_heartbeat(e, (__u64)-5000000ll, 1000000000ull);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_TX);

	/* just past the lease: dropped */
	h_heartbeat(e, 1050000000ull, 1000000000ull);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	/* a zero lease answers nothing once the heartbeat is visibly in the past */
	h_heartbeat(e, 50000000ull, 0);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 3);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 2002);
}

/* jiffies: the heartbeat stamped by xglb_beat (the production path) */
static void test_lease_expiry_and_refresh(void **state)
{
	struct h_env *e = *state;

	assert_true(h_ctl(e)->lease_jiffies != 0);
	lease_expiry_and_refresh(e);
}

/* the agent's CLOCK_MONOTONIC against the coarse clock: HZ unknown or no beat program */
static void test_lease_expiry_and_refresh_fallback(void **state)
{
	struct h_env *e = *state;

	h_use_fallback(e);
	lease_expiry_and_refresh(e);
	assert_int_equal(h_ctl(e)->lease_jiffies, 0);
}

/* Three round-robin forwarders; H_HOST asks first and gets forwarder 0: its entry in h. */
static void first_host_on_fwd0(struct h_env *e, struct xglb_group_state *st, struct xglb_host *h)
{
	h_state(st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	h_install(e, st, 1);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, h), 0);
	assert_int_equal(h->fwd, 0);
}

/* A host keeps its forwarder when the slot table changes under it. */
static void test_sticky_after_slot_change(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct xglb_host h1, h2;

	first_host_on_fwd0(e, &st, &h1);

	/* forwarder 0 is redirected and the others re-weighted: new slot table */
	st.version = 2;
	st.policy = XGLB_POLICY_WEIGHTED;
	st.fwd[0].new_ok = false;
	st.fwd[1].weight = 5;
	st.fwd[2].weight = 1;
	h_install(e, &st, 1);

	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h2), 0);
	assert_int_equal(h2.fwd, 0);
	assert_true(h2.first_jiffies == h1.first_jiffies);
	assert_true(h2.last_jiffies >= h1.last_jiffies);
	/* a new host gets a forwarder of the new table */
	assert_int_equal(h_ask(e, H_HOST2, H_HOST2IP, H_GID, H_VIP), 1);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 4);
}

/* A host whose forwarder went inactive (timeout) is re-assigned and remembered. */
static void test_reassign_when_fwd_inactive(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct xglb_host h1, h2;

	first_host_on_fwd0(e, &st, &h1);
	st.version = 2;
	st.fwd[0].active = false;
	h_install(e, &st, 1); /* slots now {1, 2}; the rr counter is at 1 -> slot 1 -> fwd 2 */
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 2);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h2), 0);
	assert_int_equal(h2.fwd, 2);
	assert_true(h2.first_jiffies == h1.first_jiffies);
	/* and it stays there */
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 2);

	/* a shrunk group (n_fwd 1) re-assigns a host whose index no longer exists */
	st.version = 3;
	st.fwd[0].active = true;
	st.n_fwd = 1;
	h_install(e, &st, 1);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
}

/* Round-robin, 3 forwarders, 30 hosts: 0,1,2,0,1,2,... exactly 10 each. */
static void test_round_robin_30_hosts(void **state)
{
	struct h_env *e = *state;
	int count[3] = {0};
	__u8 mac[6];

	h_install_default(e, H_SELF);
	for (__u32 n = 0; n < 30; n++) {
		int idx;

		h_host_mac(n, mac);
		idx = h_ask(e, mac, h_ip(10, 0, 1, (int)n), H_GID, H_VIP);
		assert_int_equal(idx, (int)(n % 3));
		count[idx]++;
	}
	assert_int_equal(count[0], 10);
	assert_int_equal(count[1], 10);
	assert_int_equal(count[2], 10);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 30);
}

/* Weighted 3:1 over 10,000 distinct hosts: within 2 % of 7500 / 2500. */
static void test_weighted_3_to_1(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	int count[2] = {0};
	__u8 mac[6];

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_WEIGHTED, 2, H_SELF);
	st.fwd[0].weight = 3;
	st.fwd[1].weight = 1;
	h_install(e, &st, 1);
	for (__u32 n = 0; n < 10000; n++) {
		h_host_mac(n, mac);
		count[h_ask(e, mac, h_ip(10, 1, (int)(n >> 8), (int)(n & 255)), H_GID, H_VIP)]++;
	}
	print_message("weighted 3:1: %d / %d\n", count[0], count[1]);
	assert_in_range(count[0], 7500 - 200, 7500 + 200);
	assert_in_range(count[1], 2500 - 200, 2500 + 200);
	assert_int_equal(count[0] + count[1], 10000);
}

/*
 * Host-dependent: the forwarder is a function of the host MAC (the one the
 * agent computes with xglb_mac_hash), so it survives losing the host table;
 * 10,000 hosts split evenly within 5 %.
 */
static void test_host_dependent(void **state)
{
	enum { N = 10000, K = 3 };
	struct h_env *e = *state, e2;
	struct xglb_group_state st;
	struct xglb_group g;
	static __u8 first[N];
	int count[K] = {0};
	__u8 mac[6];

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_HOST_DEPENDENT, K, H_SELF);
	h_install(e, &st, 1);
	xglb_build_group(&st, H_SELF, &g);
	assert_int_equal(g.n_slots, K);
	for (__u32 n = 0; n < N; n++) {
		int idx;

		h_host_mac(n, mac);
		idx = h_ask(e, mac, h_ip(10, 1, (int)(n >> 8), (int)(n & 255)), H_GID, H_VIP);
		assert_int_equal(idx, g.slots[xglb_mac_hash(mac) % g.n_slots]);
		first[n] = (__u8)idx;
		count[idx]++;
	}
	print_message("host-dependent: %d / %d / %d\n", count[0], count[1], count[2]);
	for (int i = 0; i < K; i++)
		assert_in_range(count[i], N / K - N / K / 20, N / K + N / K / 20);

	/* the host table is lost: same answers */
	assert_int_equal(h_hosts_clear(e), N);
	for (__u32 n = 0; n < N; n += 7) {
		h_host_mac(n, mac);
		assert_int_equal(h_ask(e, mac, H_HOSTIP, H_GID, H_VIP), first[n]);
	}

	/* a new data plane (agent restart without pinned maps): same answers */
	assert_int_equal(h_open(&e2), 0);
	h_install(&e2, &st, 1);
	for (__u32 n = 0; n < N; n += 13) {
		h_host_mac(n, mac);
		assert_int_equal(h_ask(&e2, mac, H_HOSTIP, H_GID, H_VIP), first[n]);
	}
	h_close(&e2);
}

/* Redirect: a forwarder without NEW_OK gets no new hosts but keeps its own. */
static void test_redirect_keeps_existing(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	int count[3] = {0};
	__u8 mac[6];

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	h_install(e, &st, 1);
	for (__u32 n = 0; n < 30; n++) {
		h_host_mac(n, mac);
		assert_int_equal(h_ask(e, mac, H_HOSTIP, H_GID, H_VIP), (int)(n % 3));
	}

	st.version = 2;
	st.fwd[1].new_ok = false;
	h_install(e, &st, 1);
	for (__u32 n = 0; n < 30; n++) { /* old hosts re-ask: unchanged, incl. forwarder 1's */
		h_host_mac(n, mac);
		assert_int_equal(h_ask(e, mac, H_HOSTIP, H_GID, H_VIP), (int)(n % 3));
	}
	for (__u32 n = 100; n < 130; n++) { /* new hosts: never forwarder 1 */
		h_host_mac(n, mac);
		count[h_ask(e, mac, H_HOSTIP, H_GID, H_VIP)]++;
	}
	assert_int_equal(count[0], 15);
	assert_int_equal(count[1], 0);
	assert_int_equal(count[2], 15);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 90);
}

/* Two groups on one node: each VIP answers from its own group, counters per forwarder. */
static void test_two_groups(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st[2];
	struct h_frame in, out;
	__u8 v[6];

	h_state(&st[0], H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	h_state(&st[1], 9, h_ip(10, 0, 9, 1), XGLB_POLICY_ROUND_ROBIN, 2, H_SELF);
	st[1].fwd[0].owner = 5; /* we own forwarder 1 of group 9, not 0 */
	st[1].fwd[1].owner = H_SELF;
	h_install(e, st, 2);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, 9, h_ip(10, 0, 9, 1)), 0);
	assert_int_equal(h_ask(e, H_HOST2, H_HOST2IP, 9, h_ip(10, 0, 9, 1)), 1);

	h_vmac(9, 1, v);
	h_ipv4(&in, v, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 1), 200);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_PASS);
	assert_memory_equal(out.b, H_IFMAC, 6);
	assert_int_equal(h_fwd_stats(e, 9, 1).packets, 1);
	assert_int_equal(h_fwd_stats(e, 9, 1).bytes, 200);
	assert_int_equal(h_fwd_stats(e, 9, 0).packets, 0);
	assert_int_equal(h_fwd_stats(e, H_GID, 1).packets, 0);
	h_vmac(9, 0, v);
	h_ipv4(&in, v, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 1), 200);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_VMAC_REMOTE), 1);
}

/*
 * The MAC an answer or an accepted frame gets is that of the interface it
 * arrived on, from the group's interface list: two interfaces with
 * different MACs (a veth pair in a network namespace of this test's own,
 * as test_run looks the ingress ifindex up), and lo, which the group does
 * not list.
 */
static void test_iface_mac_from_group(void **state)
{
	static const __u8 mac_a[6] = {0x52, 0x54, 0x00, 0x00, 0x0a, 0x0a};
	static const __u8 mac_b[6] = {0x52, 0x54, 0x00, 0x00, 0x0b, 0x0b};
	struct h_env *e = *state;
	struct xglb_group_state st;
	int netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct h_frame in, out;
	__u32 ifa, ifb;
	__u8 v[6];

	assert_true(netns >= 0);
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(system("ip link add xglbt0 type veth peer name xglbt1"), 0);
	ifa = if_nametoindex("xglbt0");
	ifb = if_nametoindex("xglbt1");
	assert_true(ifa && ifb);

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	st.ifindex[0] = ifa;
	memcpy(st.ifmac[0], mac_a, 6);
	st.ifindex[1] = ifb;
	memcpy(st.ifmac[1], mac_b, 6);
	h_install(e, &st, 1);

	/*
	 * The AVG's answer, new host then known host: a broadcast reaches both
	 * interfaces, only the answering one (answer_if, here the first) answers.
	 */
	h_arp_request(&in, H_HOST, H_HOSTIP, H_VIP);
	assert_int_equal(h_run_xdp_on(e, ifb, &in, &out), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_OTHER_NIC), 1);
	assert_int_equal(h_run_xdp_on(e, ifa, &in, &out), XDP_TX);
	assert_memory_equal(h_arpf(&out)->eth_src, mac_a, 6);
	assert_int_equal(h_run_xdp_on(e, ifa, &in, &out), XDP_TX);
	assert_memory_equal(h_arpf(&out)->eth_src, mac_a, 6);
	assert_int_equal(h_run_xdp_on(e, H_IFINDEX, &in, &out), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_IFACE), 1);
	{
		struct xglb_group g;

		/* the first lost carrier: the agent makes the second the answering one */
		xglb_build_group(&st, H_SELF, &g);
		g.answer_if = 1;
		assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
		assert_int_equal(h_run_xdp_on(e, ifb, &in, &out), XDP_TX);
		assert_memory_equal(h_arpf(&out)->eth_src, mac_b, 6);
		assert_int_equal(h_run_xdp_on(e, ifa, &in, &out), XDP_DROP);
		assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_OTHER_NIC), 2);
	}

	/* the owner confirming its vMAC */
	h_vmac(H_GID, 0, v);
	h_arp(&in, v, H_HOST, XGLB_ARPOP_REQUEST, H_HOST, H_HOSTIP, H_ZERO, H_VIP);
	assert_int_equal(h_run_xdp_on(e, ifb, &in, &out), XDP_TX);
	assert_memory_equal(h_arpf(&out)->eth_src, mac_b, 6);
	assert_int_equal(h_run_xdp_on(e, ifa, &in, &out), XDP_TX);
	assert_memory_equal(h_arpf(&out)->eth_src, mac_a, 6);

	/* a frame to our vMAC: readdressed to the interface it came in on */
	h_ipv4(&in, v, H_HOST, H_HOSTIP, h_ip(192, 0, 2, 7), 98);
	assert_int_equal(h_run_xdp_on(e, ifa, &in, &out), XDP_PASS);
	assert_memory_equal(out.b, mac_a, 6);
	assert_int_equal(h_run_xdp_on(e, ifb, &in, &out), XDP_PASS);
	assert_memory_equal(out.b, mac_b, 6);
	assert_memory_equal(out.b + 6, in.b + 6, in.len - 6);
	assert_int_equal(h_run_xdp_on(e, H_IFINDEX, &in, &out), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_VMAC_IFACE), 1);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 3);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_UNICAST), 2);
	assert_int_equal(h_reason(e, XGLB_R_XDP_PASS_VMAC), 2);

	/* back to the test's namespace; the veth pair goes with this one */
	assert_int_equal(setns(netns, CLONE_NEWNET), 0);
	close(netns);
}

int main(void)
{
	static const struct CMUnitTest scenarios[] = {
	    H_TEST(test_lease_expiry_and_refresh),
	    H_TEST(test_lease_expiry_and_refresh_fallback),
	    H_TEST(test_sticky_after_slot_change),
	    H_TEST(test_reassign_when_fwd_inactive),
	    H_TEST(test_round_robin_30_hosts),
	    H_TEST(test_weighted_3_to_1),
	    H_TEST(test_host_dependent),
	    H_TEST(test_redirect_keeps_existing),
	    H_TEST(test_two_groups),
	    H_TEST(test_iface_mac_from_group),
	};
	const struct h_frame_case *all = h_cases(cases, sizeof(cases) / sizeof(cases[0]),
						 sizeof(cases[0]), N_TRUNC, truncated_case);
	int failed;

	failed = h_run_frame_cases("xdp_fixtures", "xdp_fixtures_at_tc", all, N_CASES);
	failed += cmocka_run_group_tests_name("xdp_scenarios", scenarios, NULL, NULL);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_conflict.c - ARP the node must not believe, through xglb_xdp and test_run: a sender MAC
 * that is not the frame's source, a VIP claimed by a station that is no vMAC, a frame sent from
 * a vMAC this node owns; NDP claiming a virtual IPv6 address (NA, NS, RA; the virtual
 * link-local and a vip6); the events each reports in xglb_conflicts, and their per-CPU budget.
 */
#include <sched.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include "harness.h"

/* ---- the conflict ring, read as the agent does ------------------------ */

#define EV_MAX 64

struct ev_sink {
	int n;
	struct xglb_conflict_event ev[EV_MAX];
};

static int ev_collect(void *ctx, void *data, size_t size)
{
	struct ev_sink *s = ctx;

	assert_int_equal(size, sizeof(struct xglb_conflict_event));
	if (s->n < EV_MAX)
		memcpy(&s->ev[s->n], data, sizeof(s->ev[0]));
	s->n++;
	return 0;
}

/* Every event waiting in the ring, into s (emptied first). */
static void ev_drain(struct h_env *e, struct ev_sink *s)
{
	struct ring_buffer *rb;

	memset(s, 0, sizeof(*s));
	rb = ring_buffer__new(bpf_map__fd(e->skel->maps.xglb_conflicts), ev_collect, s, NULL);
	assert_non_null(rb);
	assert_true(ring_buffer__consume(rb) >= 0);
	ring_buffer__free(rb);
}

/* The budget counters summed over CPUs. */
static void rl_sum(struct h_env *e, __u64 *suppressed, __u64 *lost)
{
	struct xglb_conflict_rl v[e->ncpu];
	__u32 zero = 0;

	*suppressed = *lost = 0;
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_conflict_rl), &zero, v),
			 0);
	for (int c = 0; c < e->ncpu; c++) {
		*suppressed += v[c].suppressed;
		*lost += v[c].lost;
	}
}

/* ---- the fixture table ---------------------------------------------- */

enum {
	C_SPOOF_REQ,	     /* request for the VIP: sender MAC host 1, sent by host 2 */
	C_SPOOF_UNICAST,     /* the same, unicast to our vMAC (a re-confirmation) */
	C_GARP_REQ_HOST,     /* "VIP is at <host>": gratuitous request form */
	C_GARP_REP_HOST,     /* ... reply form (tha = sha) */
	C_GARP_REP_HOST_BC,  /* ... reply form, tha broadcast, as arping -U -A sends it */
	C_REQ_SPA_VIP_OTHER, /* a request for another host, claiming the VIP as sender */
	C_LEARN_OUR_VMAC,    /* a peer's learning frame (probe, spa 0, tha its MAC) from our vMAC */
	C_GARP_OUR_VMAC,     /* a gratuitous ARP from our vMAC */
	C_LEARN_PEER_VMAC,   /* a peer's learning frame from its own vMAC (fwd 1): normal */
	C_AVG_REPLY_OUR_VMAC, /* the AVG (a peer) tells a host "VIP is at <our vMAC>": normal */
	C_LEARN_UNKNOWN_VMAC, /* from a vMAC of a group we do not serve */
	C_GARP_PEER_SRC_HOST, /* "VIP is at <host>" from a peer's vMAC (forged): hosts take the sha
			       */
	C_GARP_SHA_NO_FWD,    /* ... "VIP is at <vMAC 9>": no forwarder has index 9 */
	C_GARP_PEER_VMAC,     /* a gratuitous ARP from a peer's vMAC naming it: normal */
	C_MAX
};

static void in_conflict(struct h_frame *f, int arg)
{
	const __u8 *v0 = H_VMAC(H_GID, 0), *v1 = H_VMAC(H_GID, 1), *v9 = H_VMAC(9, 0);
	const __be32 none = 0;
	const struct h_arp_row rows[C_MAX] = {
	    [C_SPOOF_REQ] = {H_BCAST, H_HOST2, H_REQ, H_HOST, H_HOSTIP, H_ZERO, H_VIP},
	    [C_SPOOF_UNICAST] = {v0, H_HOST2, H_REQ, H_HOST, H_HOSTIP, H_ZERO, H_VIP},
	    [C_GARP_REQ_HOST] = {H_BCAST, H_HOST, H_REQ, H_HOST, H_VIP, H_ZERO, H_VIP},
	    [C_GARP_REP_HOST] = {H_BCAST, H_HOST, H_REP, H_HOST, H_VIP, H_HOST, H_VIP},
	    [C_GARP_REP_HOST_BC] = {H_BCAST, H_HOST, H_REP, H_HOST, H_VIP, H_BCAST, H_VIP},
	    [C_REQ_SPA_VIP_OTHER] = {H_BCAST, H_HOST, H_REQ, H_HOST, H_VIP, H_ZERO, H_HOST2IP},
	    [C_LEARN_OUR_VMAC] = {H_BCAST, v0, H_REQ, v0, none, H_PEERMAC, H_VIP},
	    [C_GARP_OUR_VMAC] = {H_BCAST, v0, H_REQ, v0, H_VIP, H_ZERO, H_VIP},
	    [C_LEARN_PEER_VMAC] = {H_BCAST, v1, H_REQ, v1, none, H_ZERO, H_VIP},
	    [C_AVG_REPLY_OUR_VMAC] = {H_HOST, H_PEERMAC, H_REP, v0, H_VIP, H_HOST, H_HOSTIP},
	    [C_LEARN_UNKNOWN_VMAC] = {H_BCAST, v9, H_REQ, v9, none, H_ZERO, H_VIP},
	    [C_GARP_PEER_SRC_HOST] = {H_BCAST, v1, H_REQ, H_HOST, H_VIP, H_ZERO, H_VIP},
	    [C_GARP_SHA_NO_FWD] = {H_BCAST, v1, H_REQ, H_VMAC(H_GID, 9), H_VIP, H_ZERO, H_VIP},
	    [C_GARP_PEER_VMAC] = {H_BCAST, v1, H_REQ, v1, H_VIP, H_ZERO, H_VIP},
	};

	h_arp_pick(f, rows, C_MAX, arg);
}

struct conflict_case {
	const char *name;
	void (*setup)(struct h_env *e);
	int arg; /* C_* */
	__u32 reason;
	__u8 kind; /* event expected: enum xglb_conflict_kind, 0 = none */
	__u8 fwd;
};

#define R(x) XGLB_R_##x

/* The outcomes of the rows: reason and event kind (0: none); an event names forwarder 0. */
// clang-format off
#define CONFLICT(name, setup, arg, reason, kind) {name, setup, arg, R(reason), kind, 0}
// clang-format on
#define SPOOFED(...)	CONFLICT(__VA_ARGS__, XDP_DROP_ARP_SPOOFED, 0)
#define VIP_CLAIM(...)	CONFLICT(__VA_ARGS__, XDP_DROP_ARP_VIP_CONFLICT, XGLB_CONFLICT_VIP)
#define VMAC_CLAIM(...) CONFLICT(__VA_ARGS__, XDP_DROP_ARP_VMAC_CONFLICT, XGLB_CONFLICT_VMAC)
#define PEER(...)	CONFLICT(__VA_ARGS__, XDP_DROP_ARP_PEER, 0)

static const struct conflict_case cases[] = {
    /* a spoofed sender MAC is neither answered nor recorded */
    SPOOFED("spoofed_sender_request_avg", h_setup_avg, C_SPOOF_REQ),
    SPOOFED("spoofed_sender_request_not_avg", h_setup_not_avg, C_SPOOF_REQ),
    SPOOFED("spoofed_sender_unicast_to_our_vmac", h_setup_not_avg, C_SPOOF_UNICAST),
    /* a VIP claimed with a real MAC: reported on the AVG and on other nodes alike */
    VIP_CLAIM("garp_request_vip_from_host_avg", h_setup_avg, C_GARP_REQ_HOST),
    VIP_CLAIM("garp_request_vip_from_host_not_avg", h_setup_not_avg, C_GARP_REQ_HOST),
    VIP_CLAIM("garp_reply_vip_from_host", h_setup_avg, C_GARP_REP_HOST),
    VIP_CLAIM("garp_reply_vip_from_host_tha_broadcast", h_setup_avg, C_GARP_REP_HOST_BC),
    VIP_CLAIM("request_other_ip_sender_vip", h_setup_avg, C_REQ_SPA_VIP_OTHER),
    /* hosts take the sender MAC, not the Ethernet source: a peer's vMAC there makes no peer */
    VIP_CLAIM("garp_vip_host_from_peer_vmac_avg", h_setup_avg, C_GARP_PEER_SRC_HOST),
    VIP_CLAIM("garp_vip_host_from_peer_vmac_not_avg", h_setup_not_avg, C_GARP_PEER_SRC_HOST),
    VIP_CLAIM("garp_vip_vmac_of_no_forwarder", h_setup_avg, C_GARP_SHA_NO_FWD),
    /* another station speaking from a vMAC this node owns */
    VMAC_CLAIM("learning_frame_from_our_vmac", h_setup_not_avg, C_LEARN_OUR_VMAC),
    VMAC_CLAIM("garp_from_our_vmac_avg", h_setup_avg, C_GARP_OUR_VMAC),
    VMAC_CLAIM("garp_from_our_vmac_not_avg", h_setup_not_avg, C_GARP_OUR_VMAC),
    /* the group's own traffic is no conflict */
    PEER("peer_learning_frame_own_vmac", h_setup_avg, C_LEARN_PEER_VMAC),
    PEER("avg_reply_naming_our_vmac", h_setup_not_avg, C_AVG_REPLY_OUR_VMAC),
    PEER("learning_frame_unknown_group_vmac", h_setup_avg, C_LEARN_UNKNOWN_VMAC),
    PEER("garp_from_peer_vmac_naming_it", h_setup_avg, C_GARP_PEER_VMAC),
};

static void conflict_prepare(struct h_env *e, const void *p, struct h_io *io)
{
	const struct conflict_case *c = p;

	c->setup(e);
	in_conflict(&io->in, c->arg);
	io->want = io->in;
	io->verdict = XDP_DROP;
	h_expect_reason(io, c->reason);
}

/* The same rows through xglb_tc ("datapath: tc"): the tc_ reason, TC_ACT_SHOT, the same event. */
static void conflict_prepare_tc(struct h_env *e, const void *p, struct h_io *io)
{
	const struct conflict_case *c = p;

	conflict_prepare(e, p, io);
	io->verdict = TC_ACT_SHOT;
	io->reasons[0] = c->reason >= XGLB_R_XDP_BASE2
			     ? c->reason - XGLB_R_XDP_BASE2 + XGLB_R_TC_BASE2
			     : c->reason - XGLB_R_XDP_BASE + XGLB_R_TC_BASE;
}

/* Exactly the expected event (or none), naming the frame's source, sender and group; no host. */
static void conflict_check(struct h_env *e, const void *p, const struct h_io *io)
{
	const struct conflict_case *c = p;
	const struct xglb_arp_frame *a = (const void *)io->in.b;
	const struct xglb_conflict_event *ev;
	struct ev_sink s;
	__u64 sup, lost;

	assert_int_equal(h_hosts_count(e), 0);
	ev_drain(e, &s);
	rl_sum(e, &sup, &lost);
	assert_int_equal(sup, 0);
	assert_int_equal(lost, 0);
	if (!c->kind) {
		assert_int_equal(s.n, 0);
		return;
	}
	assert_int_equal(s.n, 1);
	ev = &s.ev[0];
	assert_int_equal(ev->kind, c->kind);
	assert_int_equal(ev->gid, H_GID);
	assert_int_equal(ev->fwd, c->fwd);
	assert_int_equal(ev->op, ntohs(a->op));
	assert_int_equal(ev->ifindex, H_IFINDEX);
	assert_memory_equal(ev->src, a->eth_src, 6);
	assert_memory_equal(ev->sha, a->sha, 6);
	assert_memory_equal(ev->tha, a->tha, 6); /* names the node of a learning frame */
	assert_int_equal(ev->spa, a->spa);
	assert_int_equal(ev->version, 1);
}

/* The rows through xglb_xdp, and through xglb_tc ("datapath: tc"). */
static const struct h_table table = {"conflict_fixtures", h_run_xdp, conflict_prepare,
				     conflict_check};
static const struct h_table tc_table = {"conflict_fixtures_at_tc", h_run_tcdp, conflict_prepare_tc,
					conflict_check};

/* ---- NDP claims of a virtual IPv6 address ------------------------------- */

/* The group with its virtual link-local H_VLL and vip6 H_VIP6 (as test_ndp.c). */
static void state6(struct xglb_group_state *st, __u32 avg)
{
	h_state(st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, avg);
	memcpy(st->vip6[0], H_VLL, 16);
	memcpy(st->vip6[1], H_VIP6, 16);
}

H_SETUP(setup6_avg, state6(&st, H_SELF))
H_SETUP(setup6_not_avg, state6(&st, 2))

enum {
	V_NA_VIP6,	     /* "the vip6 is at <host>": unsolicited NA, override, TLLA the host */
	V_NA_VLL,	     /* the same for the virtual link-local, from it */
	V_NA_VLL_NO_TLLA,    /* ... without a TLLA: the Ethernet source is what it names */
	V_NA_VLL_TLLA_HOST2, /* ... from host 1, naming host 2 */
	V_NA_VLL_OTHER_VMAC, /* ... naming a vMAC of another group */
	V_NS_FROM_VLL,	     /* an NS from the virtual link-local, SLLA the host */
	V_NS_FROM_VIP6,	     /* an NS from the vip6, SLLA the host */
	V_RA_FROM_VLL,	     /* an RA from the virtual link-local, SLLA the host */
	V_RA_FROM_VIP6,	     /* an RA from the vip6, SLLA the host */
	V_RA_VLL_OPT_LEN0,   /* an RA from the virtual link-local whose option has length 0 */
	V_NA_VLL_VMAC_SRC_HOST, /* from a vMAC of the group (forged), TLLA the host */
	V_NA_VLL_VMAC_SRC_IDX9, /* from a vMAC of the group, TLLA its vMAC index 9 (no forwarder) */
	/* the group's own */
	V_NA_VLL_FROM_VMAC, /* from a vMAC (a peer) */
	V_NA_VIP6_VMAC,	    /* the AVG's NA (DAD defence, redistribution): real MAC, TLLA a vMAC */
	V_RA_VLL_BARE,	    /* every node's RA: real MAC, no SLLA */
	V_NS_VLL_SLLA_VMAC, /* an NS from the virtual link-local naming a vMAC of the group */
	V_MAX
};

/* in_ndp_claim's frame with 8 bytes of hop-by-hop, or destination, options before the ICMPv6 */
#define V_HBH	  0x100
#define V_DSTOPTS 0x200
#define V_EXT	  (V_HBH | V_DSTOPTS)

static void in_ndp_claim(struct h_frame *f, int arg)
{
	const __u8 *v0 = H_VMAC(H_GID, 0), *v1 = H_VMAC(H_GID, 1), *v9 = H_VMAC(9, 0);
	__u8 sn[16], snmac[6];

	switch (arg & ~V_EXT) {
	case V_NA_VIP6:
		h_na(f, H_ALLNODES_MAC, H_HOST, H_HOST6, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VIP6,
		     H_HOST);
		break;
	case V_NA_VLL:
		h_na(f, H_ALLNODES_MAC, H_HOST, H_VLL, H_ALLNODES6,
		     XGLB_NA_ROUTER | XGLB_NA_OVERRIDE, H_VLL, H_HOST);
		break;
	case V_NA_VLL_NO_TLLA:
		h_na(f, H_ALLNODES_MAC, H_HOST, H_HOST6, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL,
		     NULL);
		break;
	case V_NA_VLL_TLLA_HOST2:
		h_na(f, H_ALLNODES_MAC, H_HOST, H_HOST6, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL,
		     H_HOST2);
		break;
	case V_NA_VLL_OTHER_VMAC:
		h_na(f, H_ALLNODES_MAC, H_HOST, H_HOST6, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL, v9);
		break;
	case V_NS_FROM_VLL:
		h_ns_resolve(f, H_HOST, H_VLL, H_HOST6G);
		break;
	case V_NS_FROM_VIP6:
		h_ns_resolve(f, H_HOST, H_VIP6, H_HOST6G);
		break;
	case V_RA_FROM_VLL:
		h_ra(f, H_HOST, H_VLL, H_HOST);
		break;
	case V_RA_FROM_VIP6:
		h_ra(f, H_HOST, H_VIP6, H_HOST);
		break;
	case V_RA_VLL_OPT_LEN0:
		h_ra(f, H_HOST, H_VLL, H_HOST);
		f->b[54 + 16 + 1] = 0;
		h_icmp6_csum(f);
		break;
	case V_NA_VLL_VMAC_SRC_HOST:
		h_na(f, H_ALLNODES_MAC, v1, H_VLL, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL, H_HOST);
		break;
	case V_NA_VLL_VMAC_SRC_IDX9:
		h_na(f, H_ALLNODES_MAC, v1, H_VLL, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL,
		     H_VMAC(H_GID, 9));
		break;
	case V_NA_VLL_FROM_VMAC:
		h_na(f, H_ALLNODES_MAC, v1, H_VLL, H_ALLNODES6, XGLB_NA_OVERRIDE, H_VLL, v1);
		break;
	case V_NA_VIP6_VMAC:
		h_na(f, H_HOST, H_PEERMAC, H_VIP6, H_ALLNODES6, XGLB_NA_ROUTER | XGLB_NA_OVERRIDE,
		     H_VIP6, v1);
		break;
	case V_RA_VLL_BARE:
		h_ra(f, H_PEERMAC, H_VLL, NULL);
		break;
	case V_NS_VLL_SLLA_VMAC:
		h_sn6(H_HOST6G, sn, snmac);
		h_ns(f, snmac, H_PEERMAC, H_VLL, sn, H_HOST6G, v0);
		break;
	default:
		abort();
	}
	if (arg & V_EXT) {
		/* next header 58, PadN: the ICMPv6 message 8 bytes on, as hosts take it */
		memmove(f->b + 62, f->b + 54, f->len - 54);
		memcpy(f->b + 54, "\x3a\x00\x01\x04\x00\x00\x00\x00", 8);
		f->b[20] = arg & V_HBH ? XGLB_IPPROTO_HOPOPTS : XGLB_IPPROTO_DSTOPTS;
		f->len += 8;
		f->b[19] += 8;
	}
}

struct claim6_case {
	const char *name;
	void (*setup)(struct h_env *e);
	int arg;	       /* V_* */
	bool event;	       /* a VIP6 conflict (else a peer's, no event) */
	const __u8 *addr;      /* the address claimed */
	const __u8 *announced; /* the MAC the frame announces */
};

// clang-format off
#define CLAIM6(name, setup, arg, addr, mac) {name, setup, arg, true, addr, mac}
#define PEER6(name, setup, arg) {name, setup, arg, false, NULL, NULL}
// clang-format on

static const struct claim6_case claim6_cases[] = {
    CLAIM6("na_vip6_from_host_avg", setup6_avg, V_NA_VIP6, H_VIP6, H_HOST),
    CLAIM6("na_vip6_from_host_not_avg", setup6_not_avg, V_NA_VIP6, H_VIP6, H_HOST),
    CLAIM6("na_vll_from_vll_avg", setup6_avg, V_NA_VLL, H_VLL, H_HOST),
    CLAIM6("na_vll_without_tlla", setup6_avg, V_NA_VLL_NO_TLLA, H_VLL, H_HOST),
    CLAIM6("na_vll_naming_another_host", setup6_avg, V_NA_VLL_TLLA_HOST2, H_VLL, H_HOST2),
    CLAIM6("na_vll_naming_other_group_vmac", setup6_avg, V_NA_VLL_OTHER_VMAC, H_VLL, H_VMAC(9, 0)),
    CLAIM6("ns_from_vll", setup6_avg, V_NS_FROM_VLL, H_VLL, H_HOST),
    CLAIM6("ns_from_vip6_not_avg", setup6_not_avg, V_NS_FROM_VIP6, H_VIP6, H_HOST),
    CLAIM6("ra_from_vll_slla_host", setup6_avg, V_RA_FROM_VLL, H_VLL, H_HOST),
    CLAIM6("ra_from_vip6_slla_host", setup6_not_avg, V_RA_FROM_VIP6, H_VIP6, H_HOST),
    CLAIM6("ra_from_vll_option_length_0", setup6_avg, V_RA_VLL_OPT_LEN0, H_VLL, H_HOST),
    /* hosts take the TLLA, not the Ethernet source: a vMAC source makes no peer */
    CLAIM6("na_vll_vmac_source_naming_host", setup6_avg, V_NA_VLL_VMAC_SRC_HOST, H_VLL, H_HOST),
    CLAIM6("na_vll_vmac_source_naming_host_not_avg", setup6_not_avg, V_NA_VLL_VMAC_SRC_HOST, H_VLL,
	   H_HOST),
    CLAIM6("na_vll_naming_vmac_of_no_forwarder", setup6_avg, V_NA_VLL_VMAC_SRC_IDX9, H_VLL,
	   H_VMAC(H_GID, 9)),
    CLAIM6("na_vll_vmac_source_naming_host_behind_hop_by_hop", setup6_avg,
	   V_NA_VLL_VMAC_SRC_HOST | V_HBH, H_VLL, H_HOST),
    PEER6("na_vll_from_vmac", setup6_avg, V_NA_VLL_FROM_VMAC),
    PEER6("na_vip6_real_mac_naming_vmac", setup6_not_avg, V_NA_VIP6_VMAC),
    PEER6("ra_from_vll_without_slla", setup6_avg, V_RA_VLL_BARE),
    PEER6("ns_from_vll_naming_vmac", setup6_not_avg, V_NS_VLL_SLLA_VMAC),
    /* behind extension headers, which hosts accept NDP behind (ndp_ext_claim) */
    CLAIM6("na_vip6_behind_hop_by_hop", setup6_avg, V_NA_VIP6 | V_HBH, H_VIP6, H_HOST),
    CLAIM6("na_vip6_behind_dest_opts", setup6_not_avg, V_NA_VIP6 | V_DSTOPTS, H_VIP6, H_HOST),
    CLAIM6("na_vll_from_vll_behind_hop_by_hop", setup6_avg, V_NA_VLL | V_HBH, H_VLL, H_HOST),
    CLAIM6("na_vll_no_tlla_behind_dest_opts", setup6_avg, V_NA_VLL_NO_TLLA | V_DSTOPTS, H_VLL,
	   H_HOST),
    CLAIM6("na_vll_naming_host2_behind_hop_by_hop", setup6_avg, V_NA_VLL_TLLA_HOST2 | V_HBH, H_VLL,
	   H_HOST2),
    CLAIM6("ns_from_vll_behind_dest_opts", setup6_avg, V_NS_FROM_VLL | V_DSTOPTS, H_VLL, H_HOST),
    CLAIM6("ns_from_vip6_behind_hop_by_hop", setup6_not_avg, V_NS_FROM_VIP6 | V_HBH, H_VIP6,
	   H_HOST),
    CLAIM6("ra_from_vip6_behind_hop_by_hop", setup6_avg, V_RA_FROM_VIP6 | V_HBH, H_VIP6, H_HOST),
    CLAIM6("ra_from_vll_behind_dest_opts", setup6_avg, V_RA_FROM_VLL | V_DSTOPTS, H_VLL, H_HOST),
    PEER6("na_vll_from_vmac_behind_hop_by_hop", setup6_avg, V_NA_VLL_FROM_VMAC | V_HBH),
    PEER6("na_vip6_naming_vmac_behind_dest_opts", setup6_not_avg, V_NA_VIP6_VMAC | V_DSTOPTS),
    PEER6("ra_without_slla_behind_hop_by_hop", setup6_avg, V_RA_VLL_BARE | V_HBH),
    PEER6("ns_naming_vmac_behind_dest_opts", setup6_not_avg, V_NS_VLL_SLLA_VMAC | V_DSTOPTS),
};

static void claim6_prepare(struct h_env *e, const void *p, struct h_io *io)
{
	const struct claim6_case *c = p;

	c->setup(e);
	in_ndp_claim(&io->in, c->arg);
	io->want = io->in;
	io->verdict = XDP_DROP;
	h_expect_reason(io, c->event ? R(XDP_DROP_NDP_VIP_CONFLICT) : R(XDP_DROP_NDP_PEER));
}

static void claim6_prepare_tc(struct h_env *e, const void *p, struct h_io *io)
{
	claim6_prepare(e, p, io);
	io->verdict = TC_ACT_SHOT;
	io->reasons[0] = h_tc_reason(io->reasons[0]);
}

/* Exactly one VIP6 event with the claim's bytes, or none; no host recorded. */
static void claim6_check(struct h_env *e, const void *p, const struct h_io *io)
{
	static const __u8 zero[16];
	const struct claim6_case *c = p;
	const struct xglb_conflict_event *ev;
	struct ev_sink s;
	__u64 sup, lost;

	assert_int_equal(h_hosts_count(e), 0);
	ev_drain(e, &s);
	rl_sum(e, &sup, &lost);
	assert_int_equal(sup + lost, 0);
	if (!c->event) {
		assert_int_equal(s.n, 0);
		return;
	}
	assert_int_equal(s.n, 1);
	ev = &s.ev[0];
	assert_int_equal(ev->kind, XGLB_CONFLICT_VIP6);
	assert_int_equal(ev->gid, H_GID);
	assert_int_equal(ev->fwd, 0);
	assert_int_equal(ev->op, io->in.b[c->arg & V_EXT ? 62 : 54]); /* the ICMPv6 type */
	assert_int_equal(ev->ifindex, H_IFINDEX);
	assert_memory_equal(ev->src, io->in.b + 6, 6);
	assert_memory_equal(ev->sha, c->announced, 6);
	assert_memory_equal(ev->tha, zero, 6);
	assert_int_equal(ev->spa, 0);
	assert_int_equal(ev->version, 1);
	assert_memory_equal(ev->ip6, c->addr, 16);
}

static const struct h_table claim6_table = {"ndp_claim_fixtures", h_run_xdp, claim6_prepare,
					    claim6_check};
static const struct h_table claim6_tc_table = {"ndp_claim_fixtures_at_tc", h_run_tcdp,
					       claim6_prepare_tc, claim6_check};

/* ---- scenarios ------------------------------------------------------ */

/*
 * A flood of rogue announcements: every frame dropped and counted, but
 * only XGLB_CONFLICT_EVENTS events a second reach the ring from one CPU;
 * the rest are counted as suppressed. A second later the budget is new.
 */
static void test_event_budget(void **state)
{
	struct h_env *e = *state;
	const int n = XGLB_CONFLICT_EVENTS + 10;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS], sup, lost;
	struct h_frame in, out;
	struct ev_sink s;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	h_setup_avg(e);
	in_conflict(&in, C_GARP_REQ_HOST);
	h_stats(e, before);
	for (int i = 0; i < n; i++)
		assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	h_stats(e, after);
	assert_int_equal(after[R(XDP_DROP_ARP_VIP_CONFLICT)] - before[R(XDP_DROP_ARP_VIP_CONFLICT)],
			 n);
	ev_drain(e, &s);
	rl_sum(e, &sup, &lost);
	/* a window may end between two runs: then more pass, never more than twice the budget */
	assert_true(s.n >= XGLB_CONFLICT_EVENTS && s.n <= 2 * XGLB_CONFLICT_EVENTS);
	assert_int_equal((__u64)s.n + sup + lost, (__u64)n);
	assert_int_equal(lost, 0);

	/* a new second: the budget is back */
	usleep(1100 * 1000);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	ev_drain(e, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].kind, XGLB_CONFLICT_VIP);
}

/*
 * A flood of forged NAs for the virtual link-local: all dropped as
 * conflicts, but the IPv6 claims share the ARP conflicts' per-CPU budget,
 * the rest counted as suppressed; each event carries the address.
 */
static void test_event_budget_ndp(void **state)
{
	struct h_env *e = *state;
	const int n = XGLB_CONFLICT_EVENTS + 10;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS], sup, lost;
	struct h_frame in, out;
	struct ev_sink s;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	setup6_avg(e);
	in_ndp_claim(&in, V_NA_VLL);
	h_stats(e, before);
	for (int i = 0; i < n; i++)
		assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	h_stats(e, after);
	assert_int_equal(after[R(XDP_DROP_NDP_VIP_CONFLICT)] - before[R(XDP_DROP_NDP_VIP_CONFLICT)],
			 n);
	assert_int_equal(after[R(XDP_DROP_NDP_PEER)] - before[R(XDP_DROP_NDP_PEER)], 0);
	ev_drain(e, &s);
	rl_sum(e, &sup, &lost);
	assert_true(s.n >= XGLB_CONFLICT_EVENTS && s.n <= 2 * XGLB_CONFLICT_EVENTS);
	assert_int_equal((__u64)s.n + sup + lost, (__u64)n);
	assert_int_equal(lost, 0);
	for (int i = 0; i < s.n && i < EV_MAX; i++) {
		assert_int_equal(s.ev[i].kind, XGLB_CONFLICT_VIP6);
		assert_memory_equal(s.ev[i].ip6, H_VLL, 16);
	}
}

/*
 * A spoofed request (host 2 naming host 1) records nothing, and host 1's
 * own request afterwards gets the forwarder round-robin gives the first
 * host: the spoof chose no forwarder for it.
 */
static void test_spoof_chooses_nothing(void **state)
{
	struct h_env *e = *state;
	struct h_frame in, out;
	struct xglb_host h;

	h_setup_avg(e);
	in_conflict(&in, C_SPOOF_REQ);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	assert_int_equal(h_hosts_count(e), 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 0);
	assert_int_equal(h.ip, H_HOSTIP);
}

/*
 * The harness's promise (skelcache.h): a test's skeleton is as right after
 * load, whatever the test before it left. Every map is dirtied: by the data
 * path (a conflict event in the ring, counters, the per-CPU front cache and
 * budget, host entries, the heartbeat the beat program stamped) and then
 * by writing every writable array entry and one key of every keyed map;
 * each map, found by bpf_object__for_each_map, then differs from its
 * snapshot. Closed, and taken again, the skeleton is the same one (not
 * loaded again, unless XGLB_TEST_FRESH_SKEL) and no map differs.
 */
static void test_harness_resets_every_map(void **state)
{
	struct h_env *e = *state;
	struct xglb *skel = e->skel;
	struct h_skel *s = h_skel_of(skel);
	struct h_frame in, out;
	int writable = 0;

	assert_non_null(s);
	h_setup_avg(e);
	in_conflict(&in, C_GARP_REQ_HOST);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_DROP);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_skel_dirty(s), 0);
	for (int i = 0; i < s->n_maps; i++) {
		if (h_snap_differs(&s->maps[i], false) != !s->maps[i].frozen)
			fail_msg("map %s: %s after dirtying", s->maps[i].name,
				 s->maps[i].frozen ? "changed although read-only" : "unchanged");
		writable += !s->maps[i].frozen;
	}
	assert_true(writable >= 26); /* xglb's maps: none escaped the enumeration */
	h_close(e);

	s = h_skel_get(0);
	assert_non_null(s);
	if (!h_env_flag("XGLB_TEST_FRESH_SKEL"))
		assert_ptr_equal(s->skel, skel);
	assert_int_equal(h_skel_differs(s), 0);
	h_skel_put(s->skel);
	assert_int_equal(h_open(e), 0); /* for the teardown */
}

int main(void)
{
	static const struct CMUnitTest scenarios[] = {
	    H_TEST(test_event_budget),
	    H_TEST(test_event_budget_ndp),
	    H_TEST(test_spoof_chooses_nothing),
	    H_TEST(test_harness_resets_every_map),
	};
	int failed = H_RUN_CASES(&table, cases) + H_RUN_CASES(&tc_table, cases) +
		     H_RUN_CASES(&claim6_table, claim6_cases) +
		     H_RUN_CASES(&claim6_tc_table, claim6_cases);

	failed += cmocka_run_group_tests_name("conflict_scenarios", scenarios, NULL, NULL);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_guard.c - the tc egress guard xglb_tc_egress through test_run: a fixture table. */
#include <linux/pkt_cls.h>
#include "harness.h"

/*
 * Each case (a struct h_frame_case of harness.h): a fresh skeleton, setup
 * installs the group through the real table path, one Ethernet frame leaves
 * through the guard. The guard never rewrites: the output must equal the
 * input (no expect), the verdict must match, and exactly one count must
 * land under reason.
 */

/* setups (harness.h): forwarder 0 ours, 1 and 2 owned by nodes 2 and 3 */

/* ---- frames as the local kernel would send them ------------------------- */

/* ARP frames the local kernel sends (arg: K_*), always from the interface MAC. */
enum {
	K_REPLY_VIP,
	K_REQUEST_FROM_VIP,
	K_GARP_VIP,
	K_GARP_REPLY_VIP,
	K_REPLY_ROUTER_IP,
	K_REQUEST_ROUTER_IP,
	K_MAX
};

static void in_kernel(struct h_frame *f, int arg)
{
	/* eth dst, op, spa, tha, tpa; Ethernet source and sha are H_IFMAC */
	const struct {
		const __u8 *dst;
		__u16 op;
		__be32 spa;
		const __u8 *tha;
		__be32 tpa;
	} rows[K_MAX] = {
	    /* answering a host for the VIP with the interface MAC */
	    [K_REPLY_VIP] = {H_HOST, H_REP, H_VIP, H_HOST, H_HOSTIP},
	    /* soliciting a neighbour with the VIP as source address */
	    [K_REQUEST_FROM_VIP] = {H_BCAST, H_REQ, H_VIP, H_ZERO, H_HOSTIP},
	    /* gratuitous ARP for the VIP (address added, arping -U) */
	    [K_GARP_VIP] = {H_BCAST, H_REQ, H_VIP, H_ZERO, H_VIP},
	    [K_GARP_REPLY_VIP] = {H_BCAST, H_REP, H_VIP, H_BCAST, H_VIP},
	    /* ARP for the router's own address: the kernel's business */
	    [K_REPLY_ROUTER_IP] = {H_HOST, H_REP, H_ROUTERIP, H_HOST, H_HOSTIP},
	    [K_REQUEST_ROUTER_IP] = {H_BCAST, H_REQ, H_ROUTERIP, H_ZERO, H_VIP},
	};

	if (arg < 0 || arg >= K_MAX)
		abort();
	h_arp(f, rows[arg].dst, H_IFMAC, rows[arg].op, H_IFMAC, rows[arg].spa, rows[arg].tha,
	      rows[arg].tpa);
}

/* An ARP about the VIP whose sender MAC is vMAC (gid, idx) (agent's GARP / unsolicited reply). */
static void in_vmac_reply(struct h_frame *f, __u8 gid, __u8 idx)
{
	h_arp(f, H_HOST, H_IFMAC, XGLB_ARPOP_REPLY, H_VMAC(gid, idx), H_VIP, H_HOST, H_HOSTIP);
}

static void in_vmac_reply_g7(struct h_frame *f, int arg)
{
	in_vmac_reply(f, H_GID, (__u8)arg);
}

static void in_vmac_reply_g9(struct h_frame *f, int arg)
{
	in_vmac_reply(f, 9, (__u8)arg);
}

/* The agent's GARP from a vMAC it took over: Ethernet source is the vMAC too. */
static void in_vmac_garp(struct h_frame *f, int arg)
{
	const __u8 *v = H_VMAC(H_GID, arg);

	h_arp(f, H_BCAST, v, XGLB_ARPOP_REQUEST, v, H_VIP, H_ZERO, H_VIP);
}

/* IPv4 from the VIP: not ARP, never the guard's concern. */
static void in_ipv4_from_vip(struct h_frame *f, int arg)
{
	h_ipv4(f, H_HOST, H_IFMAC, H_VIP, H_HOSTIP, 98);
}

static void in_ipv6(struct h_frame *f, int arg)
{
	h_ipv4(f, H_HOST, H_IFMAC, H_VIP, H_HOSTIP, 98);
	f->b[12] = 0x86;
	f->b[13] = 0xdd;
	f->b[14] = 0x60;
}

/* ---- the table ------------------------------------------------------ */

/* The guard's three outcomes; a row names the setup, the frame builder and its argument. */
// clang-format off
#define GUARD(name, setup, input, arg, verdict, reason) \
	{name, setup, input, arg, verdict, NULL, XGLB_R_##reason, NULL}
// clang-format on
#define SHOT(...)    GUARD(__VA_ARGS__, TC_ACT_SHOT, TC_EGRESS_DROP_VIP_ARP)
#define VMAC_OK(...) GUARD(__VA_ARGS__, TC_ACT_OK, TC_EGRESS_PASS_VMAC_ARP)
#define PASS(...)    GUARD(__VA_ARGS__, TC_ACT_OK, TC_EGRESS_PASS)

static const struct h_frame_case cases[] = {
    /* the kernel speaking for the VIP with a real MAC: dropped */
    SHOT("kernel_reply_vip_avg", h_setup_avg, in_kernel, K_REPLY_VIP),
    SHOT("kernel_reply_vip_not_avg", h_setup_not_avg, in_kernel, K_REPLY_VIP),
    SHOT("kernel_request_from_vip", h_setup_avg, in_kernel, K_REQUEST_FROM_VIP),
    SHOT("kernel_garp_request_vip", h_setup_not_avg, in_kernel, K_GARP_VIP),
    SHOT("kernel_garp_reply_vip", h_setup_avg, in_kernel, K_GARP_REPLY_VIP),

    /* a vMAC sender: allowed only with the data path's own authority */
    VMAC_OK("local_vmac_on_avg_ok", h_setup_avg, in_vmac_reply_g7, 0),
    VMAC_OK("local_vmac_on_non_avg_ok", h_setup_not_avg, in_vmac_reply_g7, 0),
    VMAC_OK("local_vmac_garp_ok", h_setup_not_avg, in_vmac_garp, 0),
    SHOT("remote_vmac_on_non_avg_shot", h_setup_not_avg, in_vmac_reply_g7, 1),
    SHOT("remote_vmac_garp_on_non_avg_shot", h_setup_not_avg, in_vmac_garp, 2),
    VMAC_OK("remote_vmac_on_avg_ok", h_setup_avg, in_vmac_reply_g7, 1),
    VMAC_OK("remote_vmac_2_on_avg_ok", h_setup_avg, in_vmac_reply_g7, 2),
    SHOT("inactive_vmac_on_avg_shot", h_setup_avg_fwd2_inactive, in_vmac_reply_g7, 2),
    SHOT("vmac_beyond_n_fwd_on_avg_shot", h_setup_avg, in_vmac_reply_g7, 3),
    SHOT("vmac_index_16_on_avg_shot", h_setup_avg, in_vmac_reply_g7, 16),
    SHOT("vmac_of_other_group_on_avg_shot", h_setup_avg, in_vmac_reply_g9, 0),

    /* not about a VIP, or not ARP: untouched */
    PASS("kernel_reply_router_ip_ok", h_setup_avg, in_kernel, K_REPLY_ROUTER_IP),
    PASS("kernel_request_for_vip_from_router_ip_ok", h_setup_avg, in_kernel, K_REQUEST_ROUTER_IP),
    PASS("ipv4_from_vip_ok", h_setup_avg, in_ipv4_from_vip, 0),
    PASS("ipv6_ok", h_setup_avg, in_ipv6, 0),
    PASS("kernel_reply_vip_no_group_ok", NULL, in_kernel, K_REPLY_VIP),
};

/* The rows leave through xglb_tc_egress. */
static const struct h_table table = {"guard_fixtures", h_run_tc, h_frame_prepare, h_frame_check};

/* After a commit that moves forwarder 1 to us, its vMAC may be announced; before, not. */
static void test_guard_follows_commit(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;
	struct h_frame in, out;

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, 2);
	h_install(e, &st, 1);
	in_vmac_garp(&in, 1);
	assert_int_equal(h_run_tc(e, &in, &out), TC_ACT_SHOT);

	st.version = 2;
	st.fwd[1].owner = H_SELF; /* hold timer fired: we took forwarder 1 */
	h_install(e, &st, 1);
	assert_int_equal(h_run_tc(e, &in, &out), TC_ACT_OK);

	st.version = 3;
	st.fwd[1].owner = 2; /* and gave it back */
	h_install(e, &st, 1);
	assert_int_equal(h_run_tc(e, &in, &out), TC_ACT_SHOT);
	assert_int_equal(h_reason(e, XGLB_R_TC_EGRESS_DROP_VIP_ARP), 2);
	assert_int_equal(h_reason(e, XGLB_R_TC_EGRESS_PASS_VMAC_ARP), 1);
}

/*
 * "datapath: tc": the answers xglb_tc sends out of the interface (a
 * redirect from tc ingress to the same interface's egress) pass the guard
 * on their way out, as the XDP answers never meet it: the AVG's replies
 * naming any live forwarder, a forwarder owner's unicast confirmation.
 */
static void test_tcdp_answers_pass_guard(void **state)
{
	struct h_env *e = *state;
	struct h_frame in, reply, out;
	__u8 host[6];

	h_setup_avg(e);
	for (__u32 i = 0; i < 3; i++) { /* round-robin: forwarders 0, 1 (node 2), 2 (node 3) */
		h_host_mac(i + 1, host);
		h_arp_request(&in, host, H_HOSTIP, H_VIP);
		assert_int_equal(h_run_tcdp(e, &in, &reply), TC_ACT_REDIRECT);
		assert_memory_equal(h_arpf(&reply)->sha, H_VMAC(H_GID, i), 6);
		assert_int_equal(h_run_tc(e, &reply, &out), TC_ACT_OK);
	}
	assert_int_equal(h_reason(e, XGLB_R_TC_TX_ARP_REPLY), 3);

	h_install_default(e, 2); /* no longer AVG: only our own vMAC is confirmed */
	h_arp(&in, H_VMAC(H_GID, 0), H_HOST, XGLB_ARPOP_REQUEST, H_HOST, H_HOSTIP, H_ZERO, H_VIP);
	assert_int_equal(h_run_tcdp(e, &in, &reply), TC_ACT_REDIRECT);
	assert_int_equal(h_run_tc(e, &reply, &out), TC_ACT_OK);
	assert_int_equal(h_reason(e, XGLB_R_TC_TX_ARP_UNICAST), 1);
	assert_int_equal(h_reason(e, XGLB_R_TC_EGRESS_PASS_VMAC_ARP), 4);
	assert_int_equal(h_reason(e, XGLB_R_TC_EGRESS_DROP_VIP_ARP), 0);
	/* the same reply naming forwarder 1, which this node neither owns nor hands out: dropped */
	h_arpf(&reply)->sha[5] = 1;
	assert_int_equal(h_run_tc(e, &reply, &out), TC_ACT_SHOT);
}

int main(void)
{
	static const struct CMUnitTest scenarios[] = {
	    H_TEST(test_guard_follows_commit),
	    H_TEST(test_tcdp_answers_pass_guard),
	};
	int failed = H_RUN_CASES(&table, cases);

	failed += cmocka_run_group_tests_name("guard_scenarios", scenarios, NULL, NULL);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_tcx.c - the tc programs' pass verdict (xglb_tc_pass, set by the loader before load): at
 * a tcx hook a frame xglb lets through is handed on (TCX_NEXT, -1), so the programs after
 * xglb's and clsact filters still see it; at a clsact hook it is TC_ACT_OK (0), as a
 * direct-action filter's. Drops and redirects are the same at both.
 */
#include <linux/pkt_cls.h>
#include "harness.h"

#define TCX_NEXT 0xffffffffu /* -1, as test_run reports a program's return */

/* One frame through prog arriving on H_IFINDEX: the program's return as test_run has it. */
static __u32 run(const struct bpf_program *prog, const struct h_frame *in)
{
	struct __sk_buff ctx = {.ifindex = H_IFINDEX};
	struct h_frame out;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out.b, .data_size_out = sizeof(out.b), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &o), 0);
	return o.retval;
}

/* Every tc program's verdicts with the pass verdict pass (TCX_NEXT or TC_ACT_OK). */
static void verdicts(struct h_env *e, __u32 pass)
{
	struct h_frame in;

	h_setup_avg(e); /* forwarder 0 ours, the others not; AVG */

	/* egress: a datagram leaves (pass); the kernel's ARP reply for the VIP (dropped) */
	h_ipv4(&in, H_HOST, H_IFMAC, h_ip(10, 1, 0, 100), H_HOSTIP, 100);
	assert_int_equal(run(e->skel->progs.xglb_tc_egress, &in), pass);
	h_arp(&in, H_HOST, H_IFMAC, XGLB_ARPOP_REPLY, H_IFMAC, H_VIP, H_HOST, H_HOSTIP);
	assert_int_equal(run(e->skel->progs.xglb_tc_egress, &in), TC_ACT_SHOT);
	assert_int_equal(h_reason(e, XGLB_R_TC_EGRESS_DROP_VIP_ARP), 1);

	/* tc ingress behind XDP: a datagram to the interface stays (steering off) */
	h_ipv4(&in, H_IFMAC, H_HOST, H_HOSTIP, h_ip(10, 1, 0, 100), 100);
	assert_int_equal(run(e->skel->progs.xglb_tc_ingress, &in), pass);

	/* xglb_tc: a datagram to an owned vMAC passes, to another node's is dropped, an ARP
	 * request for the VIP is answered by a redirect */
	h_ipv4(&in, H_VMAC(H_GID, 0), H_HOST, H_HOSTIP, h_ip(10, 1, 0, 100), 100);
	assert_int_equal(run(e->skel->progs.xglb_tc, &in), pass);
	h_ipv4(&in, H_VMAC(H_GID, 1), H_HOST, H_HOSTIP, h_ip(10, 1, 0, 100), 100);
	assert_int_equal(run(e->skel->progs.xglb_tc, &in), TC_ACT_SHOT);
	h_arp_request(&in, H_HOST, H_HOSTIP, H_VIP);
	assert_int_equal(run(e->skel->progs.xglb_tc, &in), TC_ACT_REDIRECT);
}

static void tcx_pass_hands_on(void **state)
{
	struct h_env e;

	assert_int_equal(h_open_pass(&e, -1), 0);
	verdicts(&e, TCX_NEXT);
	h_close(&e);
}

static void clsact_pass_is_ok(void **state)
{
	struct h_env e;

	assert_int_equal(h_open(&e), 0);
	verdicts(&e, TC_ACT_OK);
	h_close(&e);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tcx_pass_hands_on),
	    cmocka_unit_test(clsact_pass_is_ok),
	};

	return cmocka_run_group_tests_name("tcx", tests, NULL, NULL);
}

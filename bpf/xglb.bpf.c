// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb.bpf.c - the entry points: XDP ingress on group interfaces, tc ingress and egress, and
 * the heartbeat stamp the agent runs.
 */
#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/ingress.h"
#include "lib/guard.h"
#include "lib/host.h"
#include "lib/steer.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * What the tc programs return for a frame they let through. At a clsact
 * hook TC_ACT_OK (0), as a direct-action filter always has. At a tcx hook
 * the loader sets TCX_NEXT (-1, TC_ACT_UNSPEC) before load: TC_ACT_OK
 * there would end the hook, so the tcx programs after xglb's and any
 * clsact filters of the interface would never see the frame; TCX_NEXT
 * hands it on (and, with nothing after it, to the stack).
 */
const volatile int xglb_tc_pass = XGLB_TC_ACT_OK;

static __always_inline int tc_verdict(int act)
{
	return act == XGLB_TC_ACT_OK ? xglb_tc_pass : act;
}

/*
 * The ingress data path at XDP ("datapath: xdp"); tc ingress then runs
 * xglb_tc_ingress. Multi-buffer ("xdp.frags"), so it attaches to
 * interfaces whose MTU does not fit in one page (jumbo frames).
 * Everything xglb reads or writes lies in the first buffer; a frame whose
 * headers do not is passed untouched (xdp_pass_nonlinear).
 */
SEC("xdp.frags")
int xglb_xdp(struct xdp_md *xdp)
{
	struct xglb_ctx c;

	ctx_init_xdp(&c, xdp);
	return ctx_xdp_action(ingress(&c));
}

SEC("tc")
int xglb_tc_egress(struct __sk_buff *skb)
{
	return tc_verdict(guard_egress(skb));
}

/*
 * tc ingress behind xglb_xdp ("datapath: xdp"). Steer first: a frame sent
 * on to its flow's owner leaves here. Frames that stay get the PACKET_HOST
 * fix-up on their way to the kernel.
 */
SEC("tc")
int xglb_tc_ingress(struct __sk_buff *skb)
{
	int ret = steer_ingress(skb);

	if (ret != STEER_STAY)
		return tc_verdict(ret);
	return tc_verdict(host_fixup(skb));
}

/*
 * The whole ingress data path at tc ("datapath: tc"), no XDP: the same
 * helpers as xglb_xdp (ARP answers leave by redirect out of the same
 * interface; a frame to a local vMAC is readdressed and made
 * PACKET_HOST there, so no fix-up follows), then steering for the frames
 * that pass.
 */
SEC("tc")
int xglb_tc(struct __sk_buff *skb)
{
	struct xglb_ctx c;
	int ret;

	ctx_init_skb(&c, skb);
	ret = ingress(&c);
	if (ret != CTX_ACT_PASS)
		return tc_verdict(ctx_skb_action(&c, ret));
	ret = steer_ingress(skb);
	return ret == STEER_STAY ? xglb_tc_pass : tc_verdict(ret);
}

/*
 * The heartbeat in the kernel's clock, run by the agent with BPF_PROG_TEST_RUN.
 * HZ comes from the agent (no __kconfig: see docs/datapath.md, "Control word
 * and lease"). Returns 0 if the jiffies lease is in force, 1 if not (HZ 0).
 */
SEC("syscall")
int xglb_beat(struct xglb_beat_args *args)
{
	struct xglb_ctl *ctl = ctl_get();
	__u64 hz = args->hz, lease_ns, lease = 0;

	if (!ctl)
		return 1;
	lease_ns = XGLB_READ_ONCE(ctl->lease_ns);
	/* rounded up; in us first so that no lease of less than ~500 years overflows */
	if (hz && lease_ns)
		lease = ((lease_ns + 999) / 1000 * hz + 999999) / 1000000;
	XGLB_WRITE_ONCE(ctl->hz, (__u32)hz);
	/* the stamp before the lease: a reader never pairs a new lease with an unset stamp */
	XGLB_WRITE_ONCE(ctl->hb_jiffies, bpf_jiffies64());
	XGLB_WRITE_ONCE(ctl->lease_jiffies, lease);
	return lease ? 0 : 1;
}

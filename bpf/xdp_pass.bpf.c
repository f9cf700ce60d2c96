// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_pass.bpf.c - lab helpers: XDP_PASS on the peer of a veth, so XDP_TX frames arrive
 * (multi-buffer, so it attaches to veths with a jumbo MTU as well); and the empty tc program
 * (TC_ACT_OK) the benches measure the cost of a clsact hook with; and an "xglb_xdp" of
 * another build, for the upgrade test.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp.frags")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
	return 0; /* TC_ACT_OK */
}

/*
 * An xglb_xdp that is not this tree's: xglbd's program name, other code (it passes every
 * frame, so nothing is answered). tests/integration/test_upgrade.sh attaches it in place of
 * xglbd's while xglbd is down, as an older xglbd would have left its program, and checks that
 * the next xglbd replaces it rather than adopting it by its name.
 */
SEC("xdp")
int xglb_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

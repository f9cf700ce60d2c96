// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_pass.bpf.c - lab helpers: XDP_PASS on the peer of a veth, so XDP_TX frames arrive
 * (multi-buffer, so it attaches to veths with a jumbo MTU as well); and the empty tc program
 * (TC_ACT_OK) the benches measure the cost of a clsact hook with.
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

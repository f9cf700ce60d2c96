// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xdp_pass.bpf.c - lab helper: XDP_PASS on the peer of a veth, so XDP_TX frames arrive. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fwd_bench.bpf.c - the forwarding benchmark's traffic (tests/bench/fwd_flood.c): a UDP
 * generator for live-frames mode and the sink that counts what a router forwarded.
 */
#include "bench.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define FB_HEAD	     42 /* Ethernet + IPv4 + UDP */
#define FB_DISCARD   9	/* UDP port of the datagrams (discard) */
#define FB_TTL_AFTER 63 /* the generator's TTL 64 after one router */

/* The generator's Ethernet, IPv4 and UDP headers (set before load). */
const volatile __u8 gen_frame[FB_HEAD] __attribute__((aligned(8)));

/* [0] datagrams that crossed one router (TTL 63), [1] any other TTL. */
__u64 counts[2];

/*
 * The UDP generator for live-frames mode: every repetition leaves GEN_IF as
 * a real frame. A recycled page holds what the router wrote into it (MACs,
 * TTL, checksum), so the headers are written back on every frame.
 */
_Static_assert(FB_HEAD == BENCH_FRAME_HEAD, "the generator writes back all the headers");
BENCH_GEN_PROG(xglb_fb_gen, gen_frame);

/* The generator's datagrams are counted by TTL and dropped; anything else passes. */
SEC("xdp")
int xglb_fb_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if (data + FB_HEAD > end || *(bench_u16a *)(p + 12) != bpf_htons(0x0800) || p[23] != 17 ||
	    *(bench_u16a *)(p + 36) != bpf_htons(FB_DISCARD))
		return XDP_PASS;
	__sync_fetch_and_add(&counts[p[22] == FB_TTL_AFTER ? 0 : 1], 1);
	return XDP_DROP;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_wrap.bpf.c - xdp_micro's method 2 wrapper: restore the case's frame (its first 42
 * bytes), for "new host" stamp the next host MAC (host_flood: a scattered one), then
 * tail-call jmp[0] (xglb_xdp) or jmp[1] (the empty program). The two programs differ only in the
 * tail-call key, so the difference of their medians is the cost of the program called. One skeleton
 * instance per case. Multi-buffer (xdp.frags), as xglb_xdp and the empty program are: the kernel
 * refuses a tail call between programs that disagree on it.
 */
#include "bench.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u8 frame[BENCH_FRAME_HEAD] __attribute__((aligned(8))); /* set before load */
const volatile bool stamp;	  /* write a fresh host MAC per packet */
const volatile bool stamp_random; /* and spread it over 4 bytes by a multiplicative hash */
__u32 next_host; /* low 3 bytes of the last host MAC stamped (its count if random) */

BENCH_JMP_TABLE(jmp);

static __always_inline int wrap(struct xdp_md *ctx, const __u32 key)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + BENCH_FRAME_HEAD > end)
		return XDP_ABORTED;
	bench_restore_head(data, frame);
	if (stamp && stamp_random) {
		/* host MAC bytes 2..5 = (++next_host) * an odd constant: a different MAC each time
		 */
		__u32 n = ++next_host * 0x9e3779b1u;
		__u8 *p = data;

		p[11] = p[27] = (__u8)n;
		p[10] = p[26] = (__u8)(n >> 8);
		p[9] = p[25] = (__u8)(n >> 16);
		p[8] = p[24] = (__u8)(n >> 24);
	} else if (stamp) {
		/* host MAC low three bytes = ++next_host, in eth_src[3..5] and sha[3..5] */
		__u32 n = ++next_host;
		__u8 *p = data;

		p[11] = (__u8)n;
		p[27] = (__u8)n;
		p[10] = (__u8)(n >> 8);
		p[26] = (__u8)(n >> 8);
		p[9] = (__u8)(n >> 16);
		p[25] = (__u8)(n >> 16);
	}
	bpf_tail_call_static(ctx, &jmp, key);
	return XDP_ABORTED;
}

BENCH_WRAPPER_PAIR("xdp.frags", struct xdp_md, xglb_b_wrap0, xglb_b_wrap1, wrap)

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ndp_wrap.bpf.c - ndp_micro's wrapper, as xdp_wrap.bpf.c for ARP: restore the case's frame
 * (its first 86 bytes: Ethernet, IPv6, an NS with one option), for "new host" stamp the next
 * host MAC into the Ethernet source and the NS's source link-layer address option and mend
 * the ICMPv6 checksum for it (RFC 1624), then tail-call jmp[0] (xglb_xdp) or jmp[1] (the
 * empty program). One skeleton instance per case.
 */
#include "bench.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NDP_HEAD 86

const volatile __u8 frame[88] __attribute__((aligned(8))); /* set before load */
const volatile bool stamp;				   /* write a fresh host MAC per packet */
__u32 next_host; /* low 3 bytes of the last host MAC stamped */

BENCH_JMP_TABLE(jmp);

static __always_inline __u32 word(const volatile __u8 *p)
{
	return (__u32)p[0] << 8 | p[1];
}

static __always_inline int wrap(struct xdp_md *ctx, const __u32 key)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if (data + NDP_HEAD > end)
		return XDP_ABORTED;
	bench_restore_ns(p, frame);
	if (stamp) {
		/* host MAC bytes 3..5 = ++next_host: Ethernet source 9..11, SLLA 83..85 */
		__u32 n = ++next_host, sum, a, b;

		p[9] = p[83] = (__u8)(n >> 16);
		p[10] = p[84] = (__u8)(n >> 8);
		p[11] = p[85] = (__u8)n;
		/* the checksummed words 82..83 and 84..85 changed: HC' = ~(~HC + ~m + m') */
		a = (__u32)p[82] << 8 | p[83];
		b = (__u32)p[84] << 8 | p[85];
		sum = (~word(frame + 56) & 0xffff) + (~word(frame + 82) & 0xffff) +
		      (~word(frame + 84) & 0xffff) + a + b;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		p[56] = (__u8)(sum >> 8);
		p[57] = (__u8)sum;
	}
	bpf_tail_call_static(ctx, &jmp, key);
	return XDP_ABORTED;
}

BENCH_WRAPPER_PAIR("xdp.frags", struct xdp_md, xglb_b_ndp_wrap0, xglb_b_ndp_wrap1, wrap)

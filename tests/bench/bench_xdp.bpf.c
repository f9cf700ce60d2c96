// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_xdp.bpf.c - small programs the benchmarks measure against or drive traffic with:
 * an empty XDP program, an ARP request generator, an ARP reply counter, the least an XDP
 * responder can do (a bounce: XDP_TX with the opcode flipped) and the least a tc ARP
 * responder can do (a bounce at tc ingress, an empty program at tc egress); for NDP an
 * NS generator, an NA counter and the XDP bounce.
 */
#include "bench.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The request the generator sends (set before load). */
const volatile __u8 gen_frame[BENCH_FRAME_HEAD] __attribute__((aligned(8)));
/* The NS xglb_b_gen6 sends (set before load): BENCH_NS_LEN bytes, padded. */
const volatile __u8 gen_frame6[88] __attribute__((aligned(8)));

/* The counter's words: [0] ARP replies, [1] other ARP (the only .bss variable: 16 bytes). */
__u64 counts[2];

/*
 * XDP_PASS: the baseline every ns figure is measured against. Multi-buffer
 * like xglb_xdp, so both may share a wrapper's tail-call table (the kernel
 * refuses to mix the two in one).
 */
SEC("xdp.frags")
int xglb_b_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/*
 * The ARP request generator for live-frames mode. BPF_F_TEST_XDP_LIVE_FRAMES
 * copies data_in into a page only when the page pool creates the page;
 * xglb_xdp turns the request into a reply in place and the page comes back
 * to this pool after the counter drops it, so the generator writes the
 * first 42 bytes of the request back on every frame before transmitting it.
 */
BENCH_GEN_PROG(xglb_b_gen, gen_frame);

/*
 * xglb_b_gen for NDP: the whole 86-byte NS written back (xglb_xdp turns it
 * into an NA in place: type, flags, target, option and checksum change).
 */
SEC("xdp")
int xglb_b_gen6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if (data + BENCH_NS_LEN > end)
		return XDP_DROP;
	bench_restore_ns(p, gen_frame6);
	return XDP_TX;
}

/*
 * IPv6 frames are counted (neighbour advertisements straight behind the
 * IPv6 header in counts[0], any other IPv6 in counts[1]) and dropped.
 */
SEC("xdp")
int xglb_b_count6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if (data + 55 > end || *(bench_u16a *)(data + 12) != bpf_htons(0x86dd))
		return XDP_PASS;
	__sync_fetch_and_add(&counts[p[20] == 58 && p[54] == 136 ? 0 : 1], 1);
	return XDP_DROP;
}

/* ARP frames are counted (replies in counts[0], other ARP in counts[1]) and dropped. */
SEC("xdp")
int xglb_b_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 22 > end) /* through the ARP opcode */
		return XDP_PASS;
	if (*(bench_u16a *)(data + 12) != bpf_htons(0x0806))
		return XDP_PASS;
	__sync_fetch_and_add(&counts[*(bench_u16a *)(data + 20) == bpf_htons(2) ? 0 : 1], 1);
	return XDP_DROP;
}

/*
 * The floor of any XDP responder (arp_flood's floor round): the request becomes a reply by
 * its opcode (ARP 2; the counter checks no other field) and goes back out with XDP_TX, as
 * xglb_xdp's answers do; nothing else is read or written.
 */
SEC("xdp")
int xglb_b_bounce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 22 > end || *(bench_u16a *)(data + 12) != bpf_htons(0x0806))
		return XDP_PASS;
	*(bench_u16a *)(data + 20) = bpf_htons(2);
	return XDP_TX;
}

/* xglb_b_bounce for NDP: an NS becomes an NA by its ICMPv6 type (xglb_b_count6 checks it). */
SEC("xdp")
int xglb_b_bounce6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if (data + 55 > end || *(bench_u16a *)(data + 12) != bpf_htons(0x86dd))
		return XDP_PASS;
	p[54] = 136;
	return XDP_TX;
}

/*
 * The floor of any ARP responder at tc ingress (arp_flood tc): the request becomes a
 * reply (opcode 2; the counter checks no other field) and leaves by bpf_redirect out of
 * the interface it came in on, as xglb_tc's answers do. The one store makes the verifier
 * add the same unclone prologue as to xglb_tc.
 */
SEC("tc")
int xglb_b_tcbounce(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (data + 22 > end || *(bench_u16a *)(data + 12) != bpf_htons(0x0806))
		return 0; /* TC_ACT_OK */
	*(bench_u16a *)(data + 20) = bpf_htons(2);
	return bpf_redirect(skb->ifindex, 0);
}

/* TC_ACT_OK: the floor's egress program, where xglbd attaches the guard. */
SEC("tc")
int xglb_b_tcpass(struct __sk_buff *skb)
{
	return 0;
}

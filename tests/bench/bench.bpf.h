/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bench.bpf.h - what the benchmark helper programs (tests/bench/NAME.bpf.c) share. */
#ifndef XGLB_BENCH_BPF_H
#define XGLB_BENCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Packet and rodata words at any alignment (as bpf/lib/common.h). */
typedef __u32 __attribute__((may_alias)) bench_u32a;
typedef __u16 __attribute__((may_alias)) bench_u16a;

#define BENCH_FRAME_HEAD 42 /* bytes of a frame a program writes back: Ethernet + ARP */
#define BENCH_NS_LEN	 86 /* an NS with its source link-layer option (xglb_b_gen6) */

/*
 * Write the first 42 bytes of frame (read-only data the bench sets before
 * loading) over the packet at data: ten 4-byte words and one 2-byte word,
 * the store pattern of the hand-assembled programs these replace. The
 * caller has checked that 42 bytes are there.
 */
static __always_inline void bench_restore_head(void *data, const volatile __u8 *frame)
{
#pragma unroll
	for (int i = 0; i < 40; i += 4)
		*(bench_u32a *)(data + i) = *(const volatile bench_u32a *)(frame + i);
	*(bench_u16a *)(data + 40) = *(const volatile bench_u16a *)(frame + 40);
}

/* The same for the 86 bytes of an NS with its source link-layer option (BENCH_NS_LEN). */
static __always_inline void bench_restore_ns(void *data, const volatile __u8 *frame)
{
#pragma unroll
	for (int i = 0; i < 84; i += 4)
		*(bench_u32a *)(data + i) = *(const volatile bench_u32a *)(frame + i);
	*(bench_u16a *)(data + 84) = *(const volatile bench_u16a *)(frame + 84);
}

/*
 * An XDP_TX generator NAME for live-frames mode: every repetition leaves
 * as a real frame. A recycled page keeps what the last program wrote into
 * it (the kernel resets the frame pointers, not the bytes), so the first
 * BENCH_FRAME_HEAD bytes of frame are written back on every frame.
 */
#define BENCH_GEN_PROG(name, frame)                                                                \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		void *data = (void *)(long)ctx->data;                                              \
		void *end = (void *)(long)ctx->data_end;                                           \
                                                                                                   \
		if (data + BENCH_FRAME_HEAD > end)                                                 \
			return XDP_DROP;                                                           \
		bench_restore_head(data, frame);                                                   \
		return XDP_TX;                                                                     \
	}

/* A wrapper's tail-call table: key 0 the program measured, key 1 the empty one. */
#define BENCH_JMP_TABLE(name)                                                                      \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                                             \
		__uint(max_entries, 2);                                                            \
		__type(key, __u32);                                                                \
		__type(value, __u32);                                                              \
	} name SEC(".maps")

/*
 * The two programs of a wrapper pair: NAME0 tail-calls key 0, NAME1 key 1,
 * through WRAP(ctx, key); otherwise the same instructions.
 */
#define BENCH_WRAPPER_PAIR(sec, ctx_type, name0, name1, wrap)                                      \
	SEC(sec) int name0(ctx_type *ctx)                                                          \
	{                                                                                          \
		return wrap(ctx, 0);                                                               \
	}                                                                                          \
	SEC(sec) int name1(ctx_type *ctx)                                                          \
	{                                                                                          \
		return wrap(ctx, 1);                                                               \
	}

#endif

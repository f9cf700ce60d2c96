/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bench.bpf.h - what the benchmark helper programs (tests/bench/NAME.bpf.c) share. */
#ifndef XGLB_BENCH_BPF_H
#define XGLB_BENCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Packet and rodata words at any alignment (as bpf/lib/common.h). */
typedef __u64 __attribute__((may_alias)) bench_u64a;
typedef __u32 __attribute__((may_alias)) bench_u32a;
typedef __u16 __attribute__((may_alias)) bench_u16a;

#define BENCH_FRAME_HEAD 42 /* bytes of a frame a program writes back: Ethernet + ARP */

/*
 * Write the first 42 bytes of frame (read-only data the bench sets before
 * loading) over the packet at data, in five 8-byte words and one 2-byte
 * word. The caller has checked that 42 bytes are there.
 */
static __always_inline void bench_restore_head(void *data, const volatile __u8 *frame)
{
	*(bench_u64a *)(data + 0) = *(const volatile bench_u64a *)(frame + 0);
	*(bench_u64a *)(data + 8) = *(const volatile bench_u64a *)(frame + 8);
	*(bench_u64a *)(data + 16) = *(const volatile bench_u64a *)(frame + 16);
	*(bench_u64a *)(data + 24) = *(const volatile bench_u64a *)(frame + 24);
	*(bench_u64a *)(data + 32) = *(const volatile bench_u64a *)(frame + 32);
	*(bench_u16a *)(data + 40) = *(const volatile bench_u16a *)(frame + 40);
}

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

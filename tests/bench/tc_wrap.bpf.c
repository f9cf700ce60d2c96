// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tc_wrap.bpf.c - tc_micro's wrapper: set the case's packet type, write the case's 12 MAC
 * bytes back into the packet, then tail-call jmp[0] (xglb_tc_ingress) or jmp[1] (the empty
 * program below). The two wrappers differ only in the tail-call key. One skeleton instance
 * per case.
 */
#include "bench.bpf.h"

#define TC_ACT_OK   0
#define TC_ACT_SHOT 2

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* destination and source MAC (12 bytes used), set before load */
const volatile __u8 mac12[16] __attribute__((aligned(8)));
const volatile __u32 pkt_type;

BENCH_JMP_TABLE(jmp);

static __always_inline int wrap(struct __sk_buff *skb, const __u32 key)
{
	void *data, *end;

	bpf_skb_change_type(skb, pkt_type);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + 12 > end)
		return TC_ACT_SHOT;
	/* three 4-byte words, the store pattern of the hand-assembled wrapper */
	*(bench_u32a *)data = *(const volatile bench_u32a *)mac12;
	*(bench_u32a *)(data + 4) = *(const volatile bench_u32a *)(mac12 + 4);
	*(bench_u32a *)(data + 8) = *(const volatile bench_u32a *)(mac12 + 8);
	bpf_tail_call_static(skb, &jmp, key);
	return TC_ACT_SHOT;
}

BENCH_WRAPPER_PAIR("tc", struct __sk_buff, xglb_b_tcwrap0, xglb_b_tcwrap1, wrap)

/* The empty tc program the figures are measured against. */
SEC("tc")
int xglb_b_tcempty(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

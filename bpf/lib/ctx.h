/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx.h - one view of a frame at XDP or at tc, so the ingress helpers exist once for both hooks. */
#ifndef XGLB_BPF_CTX_H
#define XGLB_BPF_CTX_H

#include "common.h"

/*
 * As cilium's ctx/xdp.h and ctx/skb.h do, the helpers (arp.h, vmac.h,
 * ingress.h) see a frame only through the ctx_* functions below. Both
 * hooks live in one object, so instead of a type chosen by the
 * preprocessor, struct xglb_ctx carries the hook as a field that each
 * entry point sets to a constant: once inlined, every ctx_* function
 * compiles to the one hook's code, with no run-time dispatch and no
 * access to the other hook's context (which the verifier would refuse).
 *
 * Helpers return an abstract verdict, CTX_ACT_*; the entry point turns it
 * into its hook's (ctx_xdp_action, ctx_skb_action). The values are the
 * XDP ones, so on XDP the conversion is no code at all.
 */
enum xglb_hook {
	XGLB_HOOK_XDP = 0,
	XGLB_HOOK_TC = 1, /* tc ingress (clsact) */
};

#define CTX_ACT_DROP XDP_DROP /* tc: TC_ACT_SHOT */
#define CTX_ACT_PASS XDP_PASS /* tc: TC_ACT_OK (the caller may still steer the frame) */
#define CTX_ACT_TX   XDP_TX   /* back out of the interface it came in; tc: bpf_redirect */

struct xglb_ctx {
	void *data;	/* the Ethernet header */
	void *data_end; /* end of what may be read directly (the linear part at tc) */
	union {
		struct xdp_md *xdp;    /* XGLB_HOOK_XDP */
		struct __sk_buff *skb; /* XGLB_HOOK_TC */
	};
	__u32 hook; /* enum xglb_hook: a constant in every entry point */
};

static __always_inline void ctx_init_xdp(struct xglb_ctx *c, struct xdp_md *xdp)
{
	c->data = (void *)(long)xdp->data;
	c->data_end = (void *)(long)xdp->data_end;
	c->xdp = xdp;
	c->hook = XGLB_HOOK_XDP;
}

static __always_inline void ctx_init_skb(struct xglb_ctx *c, struct __sk_buff *skb)
{
	c->data = (void *)(long)skb->data;
	c->data_end = (void *)(long)skb->data_end;
	c->skb = skb;
	c->hook = XGLB_HOOK_TC;
}

/* The interface the frame arrived on. */
static __always_inline __u32 ctx_ifindex(const struct xglb_ctx *c)
{
	return c->hook == XGLB_HOOK_TC ? c->skb->ifindex : c->xdp->ingress_ifindex;
}

/*
 * The frame's length in bytes, all of it: beyond the linear part at tc,
 * every buffer of a multi-buffer (jumbo) frame at XDP.
 */
static __always_inline __u32 ctx_len(const struct xglb_ctx *c)
{
	if (c->hook == XGLB_HOOK_TC)
		return c->skb->len;
	return (__u32)bpf_xdp_get_buff_len(c->xdp);
}

/*
 * After ctx_pull(c, len) failed: is the frame len bytes long all the same?
 * At XDP that is a multi-buffer frame whose first buffer is shorter than
 * len (its headers are not ours to read: passed untouched). At tc a pull
 * only fails for a frame that is shorter. Only asked once the linear
 * check failed, so single-buffer frames never pay for the helper call.
 */
static __always_inline bool ctx_nonlinear(const struct xglb_ctx *c, __u32 len)
{
	return c->hook == XGLB_HOOK_XDP && bpf_xdp_get_buff_len(c->xdp) >= len;
}

/*
 * Make the first len bytes directly readable and writable: at tc a frame
 * may be shorter in its linear part, so it is pulled, and the pointers
 * are reloaded (a pull invalidates every packet pointer the caller held).
 * False when the frame is shorter than len.
 */
static __always_inline bool ctx_pull(struct xglb_ctx *c, __u32 len)
{
	long err;

	if (c->data + len <= c->data_end)
		return true;
	if (c->hook != XGLB_HOOK_TC || c->skb->len < len)
		return false;
	err = bpf_skb_pull_data(c->skb, len);
	/* reloaded even when the pull failed: the helper invalidated the old ones */
	c->data = (void *)(long)c->skb->data;
	c->data_end = (void *)(long)c->skb->data_end;
	return !err && c->data + len <= c->data_end;
}

/*
 * Copy len bytes of the frame from offset off into buf (len bounded by
 * the caller, > 0). 0, or a negative errno if the frame is shorter.
 */
static __always_inline long ctx_load_bytes(const struct xglb_ctx *c, __u32 off, void *buf,
					   __u32 len)
{
	if (c->hook == XGLB_HOOK_TC)
		return bpf_skb_load_bytes(c->skb, off, buf, len);
	return bpf_xdp_load_bytes(c->xdp, off, buf, len);
}

/*
 * Grow the frame to len bytes (the new bytes are not cleared); the
 * caller writes every byte it added. Pointers are reloaded. False if the
 * frame cannot grow (no tailroom at XDP, no memory at tc).
 */
static __always_inline bool ctx_grow(struct xglb_ctx *c, __u32 len)
{
	__u32 have = ctx_len(c);

	if (len <= have)
		return true;
	if (c->hook == XGLB_HOOK_TC) {
		if (bpf_skb_change_tail(c->skb, len, 0))
			return false;
		c->data = (void *)(long)c->skb->data;
		c->data_end = (void *)(long)c->skb->data_end;
		return true;
	}
	if (bpf_xdp_adjust_tail(c->xdp, (int)(len - have)))
		return false;
	c->data = (void *)(long)c->xdp->data;
	c->data_end = (void *)(long)c->xdp->data_end;
	return true;
}

/*
 * A VLAN tag the driver took out of the frame into metadata: at tc the
 * Ethernet type is then the inner one. XDP sees every tag in the frame.
 */
static __always_inline bool ctx_vlan_offloaded(const struct xglb_ctx *c)
{
	return c->hook == XGLB_HOOK_TC && c->skb->vlan_present;
}

/*
 * The frame's destination was rewritten to the interface's own MAC: make
 * the kernel take it as its own. At tc the skb was classified
 * PACKET_OTHERHOST (its destination was a vMAC) and ip_rcv() would drop
 * it. At XDP most drivers classify after XDP; veth does not, which the
 * tc fix-up (host.h) repairs.
 */
static __always_inline void ctx_to_host(struct xglb_ctx *c)
{
	if (c->hook == XGLB_HOOK_TC && c->skb->pkt_type != XGLB_PACKET_HOST)
		bpf_skb_change_type(c->skb, XGLB_PACKET_HOST);
}

/*
 * A reason r at or past XGLB_IN_<IN> is counted in the hook's own block,
 * XGLB_R_<TC> or XGLB_R_<XDP>, at the same offset; r is a constant after
 * inlining, so the test costs no branch at run time.
 */
#define CTX_IN_BLOCK(IN, TC, XDP)                                                                  \
	if (r >= XGLB_IN_##IN)                                                                     \
	return verdict((c->hook == XGLB_HOOK_TC ? XGLB_R_##TC : XGLB_R_##XDP) + r - XGLB_IN_##IN,  \
		       act)

/* Count one frame under ingress reason r (XGLB_IN_*) of the context's hook; returns act. */
static __always_inline int ctx_verdict(const struct xglb_ctx *c, __u32 r, int act)
{
	CTX_IN_BLOCK(NDP2_BASE, TC_NDP2_BASE, XDP_NDP2_BASE);
	CTX_IN_BLOCK(NIC_BASE, TC_NIC_BASE, XDP_NIC_BASE);
	CTX_IN_BLOCK(HOST_BASE, TC_HOST_BASE, XDP_HOST_BASE);
	CTX_IN_BLOCK(VLAN_BASE, TC_VLAN_BASE, XDP_VLAN_BASE);
	CTX_IN_BLOCK(NDP_BASE, TC_NDP_BASE, XDP_NDP_BASE);
	CTX_IN_BLOCK(BASE2, TC_BASE2, XDP_BASE2);
	return verdict((c->hook == XGLB_HOOK_TC ? XGLB_R_TC_BASE : XGLB_R_XDP_BASE) + r, act);
}
#undef CTX_IN_BLOCK

static __always_inline int ctx_xdp_action(int act)
{
	return act;
}

/* CTX_ACT_* as a tc verdict: TX redirects the frame out of the interface it came in on. */
static __always_inline int ctx_skb_action(const struct xglb_ctx *c, int act)
{
	if (act == CTX_ACT_TX)
		return bpf_redirect(c->skb->ifindex, 0);
	return act == CTX_ACT_DROP ? XGLB_TC_ACT_SHOT : XGLB_TC_ACT_OK;
}

#endif

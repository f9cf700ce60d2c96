/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* common.h - includes, inline helpers and the verdict counter every xglb program uses. */
#ifndef XGLB_BPF_COMMON_H
#define XGLB_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xglb.h"
#include "maps.h"

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* One load of a field another CPU or the agent may change under us. */
#define XGLB_READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define XGLB_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define XGLB_TC_ACT_OK	     0
#define XGLB_TC_ACT_SHOT     2
#define XGLB_TC_ACT_REDIRECT 7

/*
 * Frame and map fields at any alignment, in whole words: the packed ARP
 * layout (struct xglb_arp_frame) otherwise makes clang load and store its
 * fields byte by byte, ~5x the instructions on the ARP path. Unaligned
 * packet and map value access is allowed where xglb runs (the verifier
 * enforces alignment only on architectures without efficient unaligned
 * access), as in is_vmac. may_alias: these words overlap byte fields.
 */
typedef __u32 __attribute__((may_alias)) xglb_u32a;
typedef __u16 __attribute__((may_alias)) xglb_u16a;
typedef __u64 __attribute__((may_alias)) xglb_u64a;

static __always_inline __u64 ld64(const void *p)
{
	return *(const xglb_u64a *)p;
}

static __always_inline __u32 ld32(const void *p)
{
	return *(const xglb_u32a *)p;
}

static __always_inline __u16 ld16(const void *p)
{
	return *(const xglb_u16a *)p;
}

static __always_inline void st32(void *p, __u32 v)
{
	*(xglb_u32a *)p = v;
}

static __always_inline void st16(void *p, __u16 v)
{
	*(xglb_u16a *)p = v;
}

/* Count one packet under its reason and hand back the verdict. */
static __always_inline int verdict(__u32 reason, int action)
{
	__u64 *c = bpf_map_lookup_elem(&xglb_stats, &reason);

	if (c)
		*c += 1;
	return action;
}

/* A vMAC is recognised by its 4-byte prefix: one load, one compare. */
static __always_inline bool is_vmac(const __u8 *mac)
{
	return ld32(mac) == bpf_htonl(XGLB_VMAC_PREFIX_BE);
}

/* Unicast (group bit of the first byte clear) and not all-zero: the only MACs a host may claim. */
static __always_inline bool is_host_mac(const __u8 *m)
{
	__u32 w = ld32(m);

	return !(w & bpf_htonl(0x01000000)) && (w | ld16(m + 4));
}

static __always_inline struct xglb_ctl *ctl_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xglb_ctl, &zero);
}

/* The group table of the active bank; NULL when the group is not configured. */
static __always_inline struct xglb_group *group_get(__u32 bank, __u32 gid)
{
	__u32 key = XGLB_GROUP_KEY(bank & 1, gid & (XGLB_MAX_GROUPS - 1));
	struct xglb_group *g = bpf_map_lookup_elem(&xglb_groups, &key);

	if (!g || !(g->flags & XGLB_GRP_ENABLED))
		return NULL;
	return g;
}

/*
 * The group id of VIP ip in bank, 0 if ip is no VIP there: at most
 * XGLB_VIP_PROBES inlined array lookups from the home slot, stopping at
 * the first empty one (docs/datapath.md, "VIP index"). The only way any
 * program looks a VIP up.
 */
static __always_inline __u32 vip_gid(const struct xglb_ctl *ctl, __u32 bank, __be32 ip)
{
	__u32 home = xglb_vip_hash(ip, ctl->vip_mult[bank & 1]);

#pragma unroll
	for (__u32 i = 0; i < XGLB_VIP_PROBES; i++) {
		__u32 key = XGLB_VIP_KEY(bank & 1, (home + i) & (XGLB_VIP_SLOTS - 1));
		const struct xglb_vip_slot *s = bpf_map_lookup_elem(&xglb_vips, &key);

		if (!s || !s->gid)
			return 0;
		if (s->vip == ip)
			return s->gid;
	}
	return 0;
}

/* The MAC of the group's interface ifindex, or NULL if the group does not use that interface. */
static __always_inline const __u8 *group_iface_mac(const struct xglb_group *g, __u32 ifindex)
{
#pragma unroll
	for (int i = 0; i < XGLB_GROUP_IFACES; i++)
		if (g->ifindex[i] == ifindex)
			return g->ifmac[i];
	return NULL;
}

/*
 * Does ifindex answer the group's broadcast ARP and multicast NS? Only its
 * answering interface does (xglb_group.answer_if): a request that reaches
 * all of a node's interfaces on the segment is answered once.
 */
static __always_inline bool group_answers_on(const struct xglb_group *g, __u32 ifindex)
{
	return g->ifindex[g->answer_if & (XGLB_GROUP_IFACES - 1)] == ifindex;
}

static __always_inline void mac_copy(__u8 *dst, const __u8 *src)
{
	st32(dst, ld32(src));
	st16(dst + 4, ld16(src + 4));
}

static __always_inline bool mac_equal(const __u8 *a, const __u8 *b)
{
	return ((ld32(a) ^ ld32(b)) | (ld16(a + 4) ^ ld16(b + 4))) == 0;
}

#endif

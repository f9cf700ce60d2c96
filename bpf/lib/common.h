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

#define XGLB_TC_ACT_OK 0
#define XGLB_TC_ACT_SHOT 2

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
	return *(const __u32 *)mac == bpf_htonl(XGLB_VMAC_PREFIX_BE);
}

/* Unicast and not all-zero: the only MACs a host may claim as its own. */
static __always_inline bool is_host_mac(const __u8 *m)
{
	return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
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

static __always_inline struct xglb_vip_val *vip_get(__u32 bank, __be32 ip)
{
	struct xglb_vip_key key = { .bank = bank & 1, .vip = ip };

	return bpf_map_lookup_elem(&xglb_vips, &key);
}

static __always_inline void mac_copy(__u8 *dst, const __u8 *src)
{
	__builtin_memcpy(dst, src, 6);
}

static __always_inline bool mac_equal(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) |
		(a[5] ^ b[5])) == 0;
}

#endif

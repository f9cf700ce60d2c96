/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hosts.h - the host table: which forwarder the AVG handed each host
 * (xglb_hosts), its per-CPU front cache (xglb_host_cache) and the per-CPU
 * budget of new hosts (xglb_host_rl). ARP and NDP share it.
 *
 * xglb_hosts is a set-associative table in a BPF array (include/xglb.h,
 * struct xglb_host_way): a host lives in one bucket of XGLB_HOST_WAYS
 * ways, found by array lookups the verifier inlines, and a new host
 * claims a free way with one compare-and-swap on its tag word, so neither
 * a lookup nor an insert takes a lock or allocates. The data path never
 * evicts: a flood of new MACs can fill what room is left, never push out
 * a host already there. What a full bucket or a spent budget refuses is
 * answered all the same (by policy) and counted by reason; the agent ages
 * out hosts answered only once, under pressure (user/xglbd/hostage.c),
 * with the same tag protocol (user/lib/hosttab.c). See docs/datapath.md,
 * "Host table".
 */
#ifndef XGLB_BPF_HOSTS_H
#define XGLB_BPF_HOSTS_H

#include "common.h"
#include "policy.h"

/* Age at which a host's last_jiffies is rewritten: a second (100 jiffies if HZ is unknown). */
static __always_inline __s64 host_touch_jiffies(const struct xglb_ctl *ctl)
{
	__u32 hz = XGLB_READ_ONCE(ctl->hz);

	return hz ? hz : 100;
}

/*
 * May this CPU record one more new host this second? Counts it if so. A
 * fixed one-second window per CPU: no atomics, no shared line.
 */
static __always_inline bool host_budget(const struct xglb_ctl *ctl, __u64 now)
{
	__u32 zero = 0;
	struct xglb_host_rl *rl = bpf_map_lookup_elem(&xglb_host_rl, &zero);

	if (!rl)
		return false;
	if ((__s64)(now - rl->window) >= host_touch_jiffies(ctl) || (__s64)(now - rl->window) < 0) {
		rl->window = now;
		rl->used = 0;
	}
	if (rl->used >= XGLB_HOST_NEW_PER_SEC)
		return false;
	rl->used++;
	return true;
}

/* Copy the table's view of a host into its cache slot, trusted for a second. */
static __always_inline void host_cache_fill(struct xglb_host_cached *e, __u64 key, __u32 gen,
					    __u64 now, const struct xglb_ctl *ctl, __be32 ip,
					    __u8 fwd, __u8 flags)
{
	e->key = key;
	e->until = (__u32)(now + host_touch_jiffies(ctl));
	e->gen = gen;
	e->ip = ip;
	e->fwd = fwd;
	e->flags = flags;
	/* the answers it may carry are another host's, or this one's of before */
	e->arp = 0;
	e->ns = 0;
}

/*
 * The shared part of the answer an AVG keeps in a host's front-cache
 * entry e (include/xglb.h, xglb_host_cached): the flips it was built
 * under, the interface, that interface's MAC, the forwarder's vMAC. True
 * if e held exactly these already, so the other family's answer kept
 * with them still stands; false if they were rewritten (the caller then
 * clears the other family's flag).
 */
static __always_inline bool host_cache_answer(struct xglb_host_cached *e, __u32 flips,
					      __u32 ifindex, const __u8 *ifmac, const __u8 *vmac)
{
	if (e->flips == flips && e->ifindex == ifindex && mac_equal(e->ifmac, ifmac) &&
	    mac_equal(e->vmac, vmac))
		return true;
	e->flips = flips;
	e->ifindex = ifindex;
	mac_copy(e->ifmac, ifmac);
	mac_copy(e->vmac, vmac);
	return false;
}

/* Is forwarder idx of g one to hand out (exists, active)? */
static __always_inline bool host_fwd_live(const struct xglb_group *g, __u32 idx)
{
	return idx < g->n_fwd && (g->fwd[idx & (XGLB_MAX_FWD - 1)].flags & XGLB_FWD_ACTIVE);
}

/*
 * The way holding key (tag key|LIVE or key|BUSY) in its bucket, or NULL;
 * *tag its tag as read, *free the index in the bucket of the first free
 * way met before it (XGLB_HOST_WAYS if none): where a new host goes.
 */
static __always_inline struct xglb_host_way *host_find(__u64 key, __u64 *tag, __u32 *free)
{
	__u32 base = xglb_host_bucket(key, xglb_host_buckets) * XGLB_HOST_WAYS;

	*free = XGLB_HOST_WAYS;
#pragma unroll
	for (__u32 i = 0; i < XGLB_HOST_WAYS; i++) {
		__u32 n = base + i;
		struct xglb_host_way *w = bpf_map_lookup_elem(&xglb_hosts, &n);
		__u64 t;

		if (!w)
			return NULL; /* beyond the table: only if xglb_host_buckets disagrees */
		t = XGLB_READ_ONCE(w->tag);
		if ((t & ~XGLB_HOST_TAG_STATE) == key) {
			*tag = t;
			return w;
		}
		if (!t && *free == XGLB_HOST_WAYS)
			*free = i;
	}
	return NULL;
}

/*
 * Record new host key in its bucket: claim a free way (one compare-and-swap
 * 0 -> key|BUSY), write the entry, publish it (key|BUSY -> key|LIVE). The
 * search starts at way `free`, the first free one host_find met: ways
 * taken meanwhile by other CPUs are passed over; one taken by another CPU
 * for this same host ends the search (it records the host). 0 recorded
 * (or being recorded by another CPU), -1 the bucket is full.
 */
static __always_inline int host_insert(__u64 key, __u32 free, const struct xglb_host *nh)
{
	__u32 base = xglb_host_bucket(key, xglb_host_buckets) * XGLB_HOST_WAYS;
	struct xglb_host_way *w = NULL;

	if (free >= XGLB_HOST_WAYS)
		return -1;
#pragma unroll
	for (__u32 i = 0; i < XGLB_HOST_WAYS; i++) {
		__u32 n = base + i;
		struct xglb_host_way *c;
		__u64 old;

		if (i < free)
			continue;
		c = bpf_map_lookup_elem(&xglb_hosts, &n);
		if (!c)
			return -1;
		old = __sync_val_compare_and_swap(&c->tag, 0, key | XGLB_HOST_TAG_BUSY);
		if (!old) {
			w = c;
			break;
		}
		if ((old & ~XGLB_HOST_TAG_STATE) == key)
			return 0; /* another CPU's, for this host */
	}
	if (!w)
		return -1;
	w->host = *nh;
	/* a full barrier: the entry is written before the tag says LIVE */
	__sync_val_compare_and_swap(&w->tag, key | XGLB_HOST_TAG_BUSY, key | XGLB_HOST_TAG_LIVE);
	return 0;
}

/*
 * The forwarder the AVG names to host mac (an ARP sender or NS source,
 * already checked to be the frame's Ethernet source) in group g: the one
 * the table remembers, or a new one by policy, recorded.
 *
 *   ip      the host's IPv4 address from its ARP request (kept up to date);
 *           ignored with hflag XGLB_HOST_NDP (an NS has none: kept as is)
 *   hflag   0 from ARP, XGLB_HOST_NDP from NDP (recorded in the entry)
 *   *reason left alone, or r_full when the host's bucket is full (nothing
 *           is evicted for it), r_rate when this CPU's new-host budget is
 *           spent: answered, not recorded
 *   *held   the host's front-cache entry when it holds the host and the
 *           forwarder returned (a hit, or just filled), else NULL
 *
 * A host asking again is made established (XGLB_HOST_ESTABLISHED). Its
 * answers then come from the per-CPU cache for a second at a time, with
 * no table lookup; the second after, one lookup refreshes last_jiffies.
 * A host another CPU is recording this instant (tag BUSY) is answered by
 * policy and left to that CPU. Returns the forwarder index, or -1 when no
 * forwarder takes new hosts.
 */
static __always_inline int host_fwd(const struct xglb_ctl *ctl, const struct xglb_group *g,
				    const __u8 *mac, __be32 ip, __u8 hflag, __u64 now,
				    __u32 *reason, __u32 r_full, __u32 r_rate,
				    struct xglb_host_cached **held)
{
	/* the xglb_host_key as one word, built in registers (no narrow stores read back wide) */
	__u64 key = (__u64)g->id | (__u64)ld16(mac) << 16 | (__u64)ld32(mac + 2) << 32, tag = 0;
	const __u8 need = XGLB_HOST_ESTABLISHED | hflag;
	__u32 gen = XGLB_READ_ONCE(ctl->hosts_gen), slot;
	struct xglb_host_cached *e;
	struct xglb_host_way *w;
	__u32 free;
	struct xglb_host *h = NULL;
	int idx;

	*held = NULL;
	slot = xglb_host_cache_slot(key);
	e = bpf_map_lookup_elem(&xglb_host_cache, &slot);
	if (!e)
		return -1; /* never: an array within bounds */
	if (e->key == key && e->gen == gen && (__s32)(e->until - (__u32)now) > 0 &&
	    (e->flags & need) == need && (hflag || e->ip == ip) && host_fwd_live(g, e->fwd)) {
		*held = e;
		return e->fwd;
	}

	w = host_find(key, &tag, &free);
	if (w && (tag & XGLB_HOST_TAG_BUSY))
		return pick_forwarder(g, mac); /* another CPU is recording it */
	if (w)
		h = &w->host;
	if (h && host_fwd_live(g, h->fwd)) {
		idx = h->fwd;
		/* store only what changed: each store dirties a line other CPUs read */
		if ((__s64)(now - h->last_jiffies) >= host_touch_jiffies(ctl))
			h->last_jiffies = now;
		if (!hflag && h->ip != ip)
			h->ip = ip;
		if ((h->flags & need) != need)
			h->flags |= need;
		host_cache_fill(e, key, gen, now, ctl, h->ip, idx, h->flags);
		*held = e;
		return idx;
	}

	idx = pick_forwarder(g, mac);
	if (idx < 0)
		return -1;
	if (h) {
		/* re-assigned in place: its forwarder went away; same host, same standing */
		h->fwd = idx;
		h->last_jiffies = now;
		h->flags |= hflag;
		if (!hflag)
			h->ip = ip;
		host_cache_fill(e, key, gen, now, ctl, h->ip, idx, h->flags);
		*held = e;
		return idx;
	}
	if (!host_budget(ctl, now)) {
		*reason = r_rate;
		return idx;
	}
	{
		struct xglb_host nh = {
		    .fwd = idx, .flags = hflag, .first_jiffies = now, .last_jiffies = now};

		if (!hflag)
			nh.ip = ip;
		if (host_insert(key, free, &nh)) {
			*reason = r_full;
			return idx;
		}
		host_cache_fill(e, key, gen, now, ctl, nh.ip, idx, nh.flags);
		*held = e;
	}
	return idx;
}

#endif

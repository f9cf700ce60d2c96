/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hosts.h - the host table: which forwarder the AVG handed each host
 * (xglb_hosts), its per-CPU front cache (xglb_host_cache) and the per-CPU
 * budget of new hosts (xglb_host_rl). ARP and NDP share it.
 *
 * xglb_hosts is a preallocated hash the data path never evicts from: a
 * flood of new MACs can fill what room is left, never push out a host
 * already there. What a full table or a spent budget refuses is answered
 * all the same (by policy) and counted by reason; the agent ages out hosts
 * answered only once, under pressure (user/xglbd/hostage.c). See
 * docs/datapath.md, "Host table".
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
}

/* Is forwarder idx of g one to hand out (exists, active)? */
static __always_inline bool host_fwd_live(const struct xglb_group *g, __u32 idx)
{
	return idx < g->n_fwd && (g->fwd[idx & (XGLB_MAX_FWD - 1)].flags & XGLB_FWD_ACTIVE);
}

/*
 * The forwarder the AVG names to host mac (an ARP sender or NS source,
 * already checked to be the frame's Ethernet source) in group g: the one
 * the table remembers, or a new one by policy, recorded.
 *
 *   ip      the host's IPv4 address from its ARP request (kept up to date);
 *           ignored with hflag XGLB_HOST_NDP (an NS has none: kept as is)
 *   hflag   0 from ARP, XGLB_HOST_NDP from NDP (recorded in the entry)
 *   *reason left alone, or r_full when the table refused the insert (full),
 *           r_rate when this CPU's new-host budget is spent: answered, not
 *           recorded
 *
 * A host asking again is made established (XGLB_HOST_ESTABLISHED). Its
 * answers then come from the per-CPU cache for a second at a time, with
 * no hash lookup; the second after, one lookup refreshes last_jiffies.
 * Returns the forwarder index, or -1 when no forwarder takes new hosts.
 */
static __always_inline int host_fwd(const struct xglb_ctl *ctl, const struct xglb_group *g,
				    const __u8 *mac, __be32 ip, __u8 hflag, __u64 now,
				    __u32 *reason, __u32 r_full, __u32 r_rate)
{
	/* the xglb_host_key as one word, built in registers (no narrow stores read back wide) */
	__u64 key = (__u64)g->id | (__u64)ld16(mac) << 16 | (__u64)ld32(mac + 2) << 32;
	const __u8 need = XGLB_HOST_ESTABLISHED | hflag;
	__u32 gen = XGLB_READ_ONCE(ctl->hosts_gen), slot;
	struct xglb_host_cached *e;
	struct xglb_host *h;
	int idx;

	slot = xglb_host_cache_slot(key);
	e = bpf_map_lookup_elem(&xglb_host_cache, &slot);
	if (!e)
		return -1; /* never: an array within bounds */
	if (e->key == key && e->gen == gen && (__s32)(e->until - (__u32)now) > 0 &&
	    (e->flags & need) == need && (hflag || e->ip == ip) && host_fwd_live(g, e->fwd))
		return e->fwd;

	h = bpf_map_lookup_elem(&xglb_hosts, &key);
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
		return idx;
	}

	idx = pick_forwarder(g, mac);
	if (idx < 0)
		return -1;
	{
		struct xglb_host nh = {
		    .fwd = idx, .flags = hflag, .first_jiffies = now, .last_jiffies = now};

		if (!hflag)
			nh.ip = ip;
		if (h) {
			/* re-assigned: its forwarder went away; same host, same standing */
			nh.first_jiffies = h->first_jiffies;
			nh.flags |= h->flags;
			if (hflag)
				nh.ip = h->ip; /* the host's IPv4 address, learnt by ARP */
		} else if (!host_budget(ctl, now)) {
			*reason = r_rate;
			return idx;
		}
		if (bpf_map_update_elem(&xglb_hosts, &key, &nh, BPF_ANY)) {
			*reason = r_full;
			return idx;
		}
		host_cache_fill(e, key, gen, now, ctl, nh.ip, idx, nh.flags);
	}
	return idx;
}

#endif

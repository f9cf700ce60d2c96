// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tables.c - pure table building: slot tables by policy and the data path's group value. */
#include <errno.h>
#include <string.h>
#include "tables.h"

void xglb_vmac(__u8 gid, __u8 idx, __u8 mac[6])
{
	mac[0] = XGLB_VMAC_PREFIX0;
	mac[1] = XGLB_VMAC_PREFIX1;
	mac[2] = XGLB_VMAC_PREFIX2;
	mac[3] = XGLB_VMAC_PREFIX3;
	mac[4] = gid;
	mac[5] = idx;
}

static unsigned int gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static bool eligible(const struct xglb_fwd_state *f)
{
	return f->active && f->new_ok && f->weight > 0;
}

__u32 xglb_build_slots(const struct xglb_group_state *st, __u8 slots[XGLB_SLOTS])
{
	unsigned int w[XGLB_MAX_FWD] = {0}, total = 0, g = 0, n = 0;
	int cur[XGLB_MAX_FWD] = {0};
	int nf = st->n_fwd > XGLB_MAX_FWD ? XGLB_MAX_FWD : st->n_fwd;

	memset(slots, 0, XGLB_SLOTS);
	for (int i = 0; i < nf; i++) {
		if (!eligible(&st->fwd[i]))
			continue;
		w[i] = st->policy == XGLB_POLICY_ROUND_ROBIN ? 1 : st->fwd[i].weight;
		g = gcd(g, w[i]);
	}
	if (!g)
		return 0;
	for (int i = 0; i < nf; i++) {
		w[i] /= g;
		total += w[i];
	}
	if (total > XGLB_SLOTS) {
		/* Scale to XGLB_SLOTS by largest remainder; every eligible forwarder keeps >= 1. */
		unsigned int rem[XGLB_MAX_FWD] = {0}, sum = 0;

		for (int i = 0; i < nf; i++) {
			unsigned int x;

			if (!w[i])
				continue;
			x = w[i] * XGLB_SLOTS / total;
			rem[i] = w[i] * XGLB_SLOTS % total;
			if (!x) {
				x = 1;
				rem[i] = 0;
			}
			w[i] = x;
			sum += x;
		}
		while (sum > XGLB_SLOTS) { /* minimum bumps overshot: trim the largest */
			int big = -1;

			for (int i = 0; i < nf; i++)
				if (w[i] > 1 && (big < 0 || w[i] > w[big]))
					big = i;
			w[big]--;
			sum--;
		}
		while (sum < XGLB_SLOTS) {
			int best = -1;

			for (int i = 0; i < nf; i++)
				if (w[i] && (best < 0 || rem[i] > rem[best]))
					best = i;
			w[best]++;
			rem[best] = 0;
			sum++;
		}
		total = sum;
	}
	/* Smooth weighted round-robin: spreads each forwarder's slots evenly. */
	for (n = 0; n < total; n++) {
		int best = -1;

		for (int i = 0; i < nf; i++) {
			if (!w[i])
				continue;
			cur[i] += (int)w[i];
			if (best < 0 || cur[i] > cur[best])
				best = i;
		}
		cur[best] -= (int)total;
		slots[n] = (__u8)best;
	}
	return total;
}

void xglb_build_group(const struct xglb_group_state *st, __u32 self_id, struct xglb_group *out)
{
	int nf = st->n_fwd > XGLB_MAX_FWD ? XGLB_MAX_FWD : st->n_fwd;

	memset(out, 0, sizeof(*out));
	out->vip = st->vip;
	out->id = st->gid;
	out->policy = st->policy;
	out->flags = XGLB_GRP_ENABLED | (st->avg && st->avg == self_id ? XGLB_GRP_AVG : 0);
	out->n_fwd = (__u8)nf;
	out->version = st->version;
	memcpy(out->ifindex, st->ifindex, sizeof(out->ifindex));
	memcpy(out->ifmac, st->ifmac, sizeof(out->ifmac));
	memcpy(out->vip6, st->vip6, sizeof(out->vip6));
	for (int i = 0; i < nf; i++) {
		const struct xglb_fwd_state *f = &st->fwd[i];
		struct xglb_fwd *d = &out->fwd[i];

		xglb_vmac(st->gid, (__u8)i, d->vmac);
		d->weight = f->weight;
		d->owner = f->owner;
		if (f->active) {
			d->flags |= XGLB_FWD_ACTIVE;
			if (f->new_ok)
				d->flags |= XGLB_FWD_NEW_OK;
			if (f->owner && f->owner == self_id)
				d->flags |= XGLB_FWD_LOCAL;
		}
	}
	out->n_slots = xglb_build_slots(st, out->slots);
}

int xglb_table_pick(const struct xglb_group *g, const __u8 mac[6], __u32 pos)
{
	__u8 idx;

	if (!g->n_slots || g->n_slots > XGLB_SLOTS)
		return -1;
	if (g->policy == XGLB_POLICY_HOST_DEPENDENT)
		pos = xglb_mac_hash(mac);
	idx = g->slots[pos % g->n_slots] & (XGLB_MAX_FWD - 1);
	if (idx >= g->n_fwd || (g->fwd[idx].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK)) !=
				   (XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK))
		return -1;
	return idx;
}

__u32 xglb_vip_mult(unsigned int seed)
{
	__u64 v = 0x9E3779B1u + (__u64)seed * 0x5851F42D4C957F2Dull;

	if (!seed)
		return 0x9E3779B1u;
	v ^= v >> 29; /* mix so consecutive seeds give unrelated multipliers */
	v *= 0xBF58476D1CE4E5B9ull;
	v ^= v >> 32;
	return (__u32)v | 1;
}

/*
 * Robin Hood insertion of cur into a table of n (a power of two) slots of
 * type, whose empty slots have gid 0, starting at cur's home slot pos:
 * walking on, the entry that is closer to its own home yields its slot to
 * the one carried along, which moves on. Returns the longest distance
 * from home in the table after. One definition for IPv4 and IPv6 slots.
 */
#define DEFINE_ROBIN_PLACE(name, type, n)                                                          \
	static unsigned int name(type *slots, __u8 *dist, __u32 pos, type cur,                     \
				 unsigned int longest)                                             \
	{                                                                                          \
		for (unsigned int d = 0;; pos = (pos + 1) & ((n)-1), d++) {                        \
			if (!slots[pos].gid) {                                                     \
				slots[pos] = cur;                                                  \
				dist[pos] = (__u8)d;                                               \
				return d > longest ? d : longest;                                  \
			}                                                                          \
			if (dist[pos] < d) {                                                       \
				type t = slots[pos];                                               \
				unsigned int td = dist[pos];                                       \
                                                                                                   \
				slots[pos] = cur;                                                  \
				dist[pos] = (__u8)d;                                               \
				longest = d > longest ? d : longest;                               \
				cur = t;                                                           \
				d = td;                                                            \
			}                                                                          \
			if (d >= 255)                                                              \
				return 255; /* cannot happen with fewer entries than slots */      \
		}                                                                                  \
	}
DEFINE_ROBIN_PLACE(vip_place, struct xglb_vip_slot, XGLB_VIP_SLOTS)
DEFINE_ROBIN_PLACE(vip6_place, struct xglb_vip6_slot, XGLB_VIP6_SLOTS)

/* The groups an index is built from: 0 to XGLB_MAX_GROUPS of them, each with an id. */
static bool groups_valid(const struct xglb_group *groups, int n)
{
	if (n < 0 || n > XGLB_MAX_GROUPS)
		return false;
	for (int i = 0; i < n; i++)
		if (!groups[i].id)
			return false;
	return true;
}

static unsigned int vip_insert(struct xglb_vip_slot *slots, __u8 *dist, __u32 mult, __be32 vip,
			       __u32 gid, unsigned int longest)
{
	struct xglb_vip_slot cur = {.vip = vip, .gid = gid};

	return vip_place(slots, dist, xglb_vip_hash(vip, mult), cur, longest);
}

/*
 * One open-addressing index of the groups' addresses being built: fill
 * places every address with multiplier m into slots (cleared) and returns
 * the longest distance from home it needed.
 */
struct index_fill {
	const struct xglb_group *groups;
	int n;
	void *slots;
	size_t slot_size;
	__u8 *dist; /* one per slot */
	size_t n_slots;
	unsigned int probes; /* the data path's bound on the distance */
	unsigned int (*fill)(const struct index_fill *f, __u32 m);
};

/* Tries the multipliers of seeds 0, 1, ... until one places every address within probes. */
static int index_build(const struct index_fill *f, unsigned int seeds, __u32 *mult)
{
	if (!groups_valid(f->groups, f->n))
		return -EINVAL;
	for (unsigned int s = 0; s < seeds; s++) {
		__u32 m = xglb_vip_mult(s);

		memset(f->slots, 0, f->slot_size * f->n_slots);
		memset(f->dist, 0, f->n_slots);
		if (f->fill(f, m) < f->probes) {
			*mult = m;
			return 0;
		}
	}
	memset(f->slots, 0, f->slot_size * f->n_slots);
	return -ENOSPC;
}

static unsigned int vip_fill(const struct index_fill *f, __u32 m)
{
	const struct xglb_group *groups = f->groups;
	unsigned int longest = 0;

	for (int i = 0; i < f->n && longest < XGLB_VIP_PROBES; i++) {
		bool later = false;

		for (int j = i + 1; j < f->n && !later; j++)
			later = groups[j].vip == groups[i].vip;
		if (!later) /* a VIP listed twice: the last group has it */
			longest =
			    vip_insert(f->slots, f->dist, m, groups[i].vip, groups[i].id, longest);
	}
	return longest;
}

int xglb_vip_index_build(const struct xglb_group *groups, int n, unsigned int seeds,
			 struct xglb_vip_slot slots[XGLB_VIP_SLOTS], __u32 *mult)
{
	__u8 dist[XGLB_VIP_SLOTS];
	const struct index_fill f = {
	    groups, n, slots, sizeof(slots[0]), dist, XGLB_VIP_SLOTS, XGLB_VIP_PROBES, vip_fill};

	return index_build(&f, seeds, mult);
}

__u32 xglb_vip_index_find(const struct xglb_vip_slot slots[XGLB_VIP_SLOTS], __u32 mult, __be32 vip)
{
	__u32 home = xglb_vip_hash(vip, mult);

	for (__u32 i = 0; i < XGLB_VIP_PROBES; i++) {
		const struct xglb_vip_slot *s = &slots[(home + i) & (XGLB_VIP_SLOTS - 1)];

		if (!s->gid)
			return 0;
		if (s->vip == vip)
			return s->gid;
	}
	return 0;
}

/* ---- the IPv6 index ------------------------------------------------------ */

static __u32 vip6_home(const __u8 a[16], __u32 mult)
{
	__u32 w[4];

	memcpy(w, a, sizeof(w)); /* the words as they lie in memory, as the data path loads them */
	return xglb_vip6_hash(w[0], w[1], w[2], w[3], mult);
}

static bool vip6_zero(const __u8 a[16])
{
	static const __u8 zero[16];

	return !memcmp(a, zero, 16);
}

/* Robin Hood insertion, as vip_insert; returns the longest distance from home after. */
static unsigned int vip6_insert(struct xglb_vip6_slot *slots, __u8 *dist, __u32 mult,
				const __u8 addr[16], __u32 gid, unsigned int longest)
{
	struct xglb_vip6_slot cur = {.gid = gid};

	memcpy(cur.addr, addr, 16);
	return vip6_place(slots, dist, vip6_home(addr, mult), cur, longest);
}

static unsigned int vip6_fill(const struct index_fill *f, __u32 m)
{
	const struct xglb_group *groups = f->groups;
	unsigned int longest = 0;

	for (int i = 0; i < f->n && longest < XGLB_VIP6_PROBES; i++) {
		for (int a = 0; a < XGLB_VIP6_PER_GROUP && longest < XGLB_VIP6_PROBES; a++) {
			const __u8 *addr = groups[i].vip6[a];
			bool later = vip6_zero(addr);

			/* listed twice: the later group, or the later entry of one group */
			for (int b = a + 1; b < XGLB_VIP6_PER_GROUP && !later; b++)
				later = !memcmp(groups[i].vip6[b], addr, 16);
			for (int j = i + 1; j < f->n && !later; j++)
				for (int b = 0; b < XGLB_VIP6_PER_GROUP && !later; b++)
					later = !memcmp(groups[j].vip6[b], addr, 16);
			if (!later)
				longest =
				    vip6_insert(f->slots, f->dist, m, addr, groups[i].id, longest);
		}
	}
	return longest;
}

int xglb_vip6_index_build(const struct xglb_group *groups, int n, unsigned int seeds,
			  struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS], __u32 *mult)
{
	static __u8 dist[XGLB_VIP6_SLOTS];
	const struct index_fill f = {
	    groups, n, slots, sizeof(slots[0]), dist, XGLB_VIP6_SLOTS, XGLB_VIP6_PROBES, vip6_fill};

	return index_build(&f, seeds, mult);
}

__u32 xglb_vip6_index_find(const struct xglb_vip6_slot slots[XGLB_VIP6_SLOTS], __u32 mult,
			   const __u8 addr[16])
{
	__u32 home = vip6_home(addr, mult);

	for (__u32 i = 0; i < XGLB_VIP6_PROBES; i++) {
		const struct xglb_vip6_slot *s = &slots[(home + i) & (XGLB_VIP6_SLOTS - 1)];

		if (!s->gid)
			return 0;
		if (!memcmp(s->addr, addr, 16))
			return s->gid;
	}
	return 0;
}

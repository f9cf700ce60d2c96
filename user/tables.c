// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tables.c - pure table building: slot tables by policy and the data path's group value. */
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
	unsigned int w[XGLB_MAX_FWD] = { 0 }, total = 0, g = 0, n = 0;
	int cur[XGLB_MAX_FWD] = { 0 };
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
		unsigned int rem[XGLB_MAX_FWD] = { 0 }, sum = 0;

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

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nicbind.c - forwarders bound to a node's interfaces on the segment (see nicbind.h). */
#include <string.h>
#include "nicbind.h"

void xglb_nicbind_init(struct xglb_nicbind *b, int n, const bool carrier[])
{
	memset(b, 0, sizeof(*b));
	b->n = n < 0 ? 0 : n > XGLB_GROUP_IFACES ? XGLB_GROUP_IFACES : n;
	for (int i = 0; i < b->n; i++)
		b->carrier[i] = b->live[i] = carrier[i];
}

int xglb_nicbind_n_live(const struct xglb_nicbind *b)
{
	int n = 0;

	for (int i = 0; i < b->n; i++)
		n += b->live[i];
	return n;
}

/* No interface live: those with carrier are, at once, whatever their delay. */
static bool live_if_none(struct xglb_nicbind *b)
{
	bool changed = false;

	if (xglb_nicbind_n_live(b))
		return false;
	for (int i = 0; i < b->n; i++)
		if (b->carrier[i]) {
			b->live[i] = true;
			changed = true;
		}
	return changed;
}

bool xglb_nicbind_link(struct xglb_nicbind *b, int i, bool carrier, __u64 now_ns)
{
	bool was = i >= 0 && i < b->n && b->live[i];

	if (i < 0 || i >= b->n)
		return false;
	if (carrier && !b->carrier[i])
		b->up_ns[i] = now_ns;
	b->carrier[i] = carrier;
	if (!carrier)
		b->live[i] = false;
	return (was != b->live[i]) | live_if_none(b);
}

bool xglb_nicbind_tick(struct xglb_nicbind *b, __u64 now_ns, __u64 delay_ns)
{
	bool changed = false;

	for (int i = 0; i < b->n; i++)
		if (b->carrier[i] && !b->live[i] && now_ns - b->up_ns[i] >= delay_ns) {
			b->live[i] = true;
			changed = true;
		}
	return changed | live_if_none(b);
}

__u64 xglb_nicbind_due(const struct xglb_nicbind *b, __u64 delay_ns)
{
	__u64 due = 0;

	for (int i = 0; i < b->n; i++)
		if (b->carrier[i] && !b->live[i] && (!due || b->up_ns[i] + delay_ns < due))
			due = b->up_ns[i] + delay_ns;
	return due;
}

int xglb_nicbind_assign(const struct xglb_nicbind *b, unsigned int local_mask,
			__u8 slot[XGLB_MAX_FWD])
{
	int load[XGLB_GROUP_IFACES] = {0}, first = XGLB_NIC_NONE, k = 0;

	memset(slot, XGLB_NIC_NONE, XGLB_MAX_FWD);
	for (int i = b->n - 1; i >= 0; i--)
		if (b->live[i])
			first = i;
	if (first == XGLB_NIC_NONE)
		return XGLB_NIC_NONE;
	/* at home, where home is live */
	for (int f = 0; f < XGLB_MAX_FWD; f++) {
		int home;

		if (!(local_mask & (1u << f)))
			continue;
		home = k++ % b->n;
		if (b->live[home]) {
			slot[f] = (__u8)home;
			load[home]++;
		}
	}
	/* the rest: each to the least loaded live interface */
	for (int f = 0; f < XGLB_MAX_FWD; f++) {
		int best = first;

		if (!(local_mask & (1u << f)) || slot[f] != XGLB_NIC_NONE)
			continue;
		for (int i = 0; i < b->n; i++)
			if (b->live[i] && load[i] < load[best])
				best = i;
		slot[f] = (__u8)best;
		load[best]++;
	}
	return first;
}

int xglb_nicbind_apply(const struct xglb_nicbind *b, struct xglb_group *g)
{
	unsigned int mask = 0;
	__u8 slot[XGLB_MAX_FWD];
	int first, bound = 0;

	for (int f = 0; f < g->n_fwd && f < XGLB_MAX_FWD; f++)
		if ((g->fwd[f].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL)) ==
		    (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL))
			mask |= 1u << f;
	first = xglb_nicbind_assign(b, mask, slot);
	g->answer_if = first == XGLB_NIC_NONE ? 0 : (__u8)first;
	for (int f = 0; f < XGLB_MAX_FWD; f++) {
		g->fwd[f].ifindex = slot[f] == XGLB_NIC_NONE ? 0 : g->ifindex[slot[f]];
		bound += g->fwd[f].ifindex != 0;
	}
	return bound;
}

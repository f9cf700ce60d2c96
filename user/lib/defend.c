// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* defend.c - which hosts a claim of a virtual address makes the AVG tell, and when. */
#include <string.h>
#include "defend.h"

int xglb_defend6_addr(const struct xglb_cfg_group *cg, const __u8 addr[16])
{
	for (int a = 0; a < cg->n_addr6 && a < XGLB_VIP6_PER_GROUP; a++)
		if (!memcmp(cg->addr6[a], addr, 16))
			return a;
	return -1;
}

void xglb_defend_claim(struct xglb_defend *s, int a, bool avg)
{
	if (avg && a >= 0 && a < XGLB_VIP6_PER_GROUP)
		s->pending |= (__u8)(1u << a);
}

unsigned int xglb_defend_start(struct xglb_defend *s, __u64 now, bool avg)
{
	unsigned int mask = 0;

	if (s->running)
		return 0;
	if (!avg) {
		s->pending = 0;
		s->repeat = 0;
		return 0;
	}
	if (s->pending && now >= s->next_first) {
		mask = s->pending | s->repeat;
		s->pending = 0;
		s->repeat = (__u8)mask;
		s->repeat_at = now + XGLB_DEFEND_REPEAT_NS;
		s->next_first = now + XGLB_DEFEND_INTERVAL_NS;
		s->passes++;
	} else if (s->repeat && now >= s->repeat_at) {
		mask = s->repeat;
		s->repeat = 0;
		s->repeats++;
	}
	s->running = (__u8)mask;
	return mask;
}

void xglb_defend_done(struct xglb_defend *s)
{
	s->running = 0;
}

__u64 xglb_defend_due(const struct xglb_defend *s, __u64 now)
{
	__u64 t = 0;

	if (s->running)
		return 0;
	if (s->pending)
		t = s->next_first > now ? s->next_first : now;
	if (s->repeat && (!t || s->repeat_at < t))
		t = s->repeat_at > now ? s->repeat_at : now;
	return t;
}

/* The host's forwarder is one of group g's, live. */
static bool live_fwd(const struct xglb_host_key *k, const struct xglb_host *h,
		     const struct xglb_group *g)
{
	return k->gid == g->id && h->fwd < g->n_fwd && h->fwd < XGLB_MAX_FWD &&
	       (g->fwd[h->fwd].flags & XGLB_FWD_ACTIVE);
}

bool xglb_defend6_tells(const struct xglb_host_key *k, const struct xglb_host *h,
			const struct xglb_group *g)
{
	return (h->flags & XGLB_HOST_NDP) && live_fwd(k, h, g);
}

bool xglb_defend4_tells(const struct xglb_host_key *k, const struct xglb_host *h,
			const struct xglb_group *g)
{
	return h->ip && live_fwd(k, h, g);
}

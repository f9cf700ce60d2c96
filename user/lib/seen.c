// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* seen.c - which hosts the owner of a removed forwarder tells, where, and at what pace (pure). */
#include <string.h>
#include "seen.h"
#include "tables.h"

bool xglb_seen_has_ip6(const struct xglb_seen *v)
{
	static const __u8 zero[16];

	return memcmp(v->ip6, zero, sizeof(zero)) != 0;
}

bool xglb_seen_stale(const struct xglb_seen *v, __u64 now, __u64 age)
{
	/* a time ahead of now (clock read before the data path wrote) is fresh */
	return now > v->last_jiffies && now - v->last_jiffies > age;
}

enum xglb_seen_pick xglb_seen_select(const struct xglb_host_key *k, const struct xglb_seen *v,
				     __u8 gid, unsigned int mask, const __u32 *ifindex,
				     int n_ifaces, __u64 now, __u64 age, int *slot)
{
	if (k->gid != gid || v->fwd >= XGLB_MAX_FWD || !(mask & (1u << v->fwd)))
		return XGLB_SEEN_SKIP_OTHER;
	if (xglb_seen_stale(v, now, age))
		return XGLB_SEEN_SKIP_STALE;
	if (!v->ip4 && !xglb_seen_has_ip6(v))
		return XGLB_SEEN_SKIP_NO_ADDR;
	for (int i = 0; i < n_ifaces; i++)
		if (ifindex[i] && ifindex[i] == v->ifindex) {
			*slot = i;
			return XGLB_SEEN_TELL;
		}
	return XGLB_SEEN_SKIP_IFACE;
}

int xglb_seen_dest(const struct xglb_group *tbl, const __u8 mac[6])
{
	return xglb_table_pick(tbl, mac, xglb_mac_hash(mac));
}

void xglb_pace_init(struct xglb_pace *p, __u32 rate, __u32 burst, __u64 now)
{
	p->cost_ns = 1000000000ull / (rate ? rate : 1);
	p->burst = burst ? burst : 1;
	p->credit_ns = p->burst * p->cost_ns; /* a full burst at once */
	p->last_ns = now;
}

static void refill(struct xglb_pace *p, __u64 now)
{
	__u64 cap = p->burst * p->cost_ns;

	if (now > p->last_ns) {
		__u64 add = now - p->last_ns;

		p->credit_ns = add >= cap || p->credit_ns + add >= cap ? cap : p->credit_ns + add;
	}
	p->last_ns = now > p->last_ns ? now : p->last_ns; /* a clock read late never goes back */
}

__u32 xglb_pace_take(struct xglb_pace *p, __u64 now, __u32 want)
{
	__u64 n;

	refill(p, now);
	n = p->credit_ns / p->cost_ns;
	if (n > want)
		n = want;
	p->credit_ns -= n * p->cost_ns;
	return (__u32)n;
}

__u64 xglb_pace_wait(const struct xglb_pace *p, __u64 now, __u32 n)
{
	struct xglb_pace q = *p;
	__u64 need = (n < 1 ? 1 : n > q.burst ? q.burst : n) * q.cost_ns;

	refill(&q, now);
	return q.credit_ns >= need ? 0 : need - q.credit_ns;
}

bool xglb_seen_sweep_idle(__u64 walks, __u64 entries, __u64 count_start_ns, __u64 now_ns,
			  __u64 age_ns)
{
	return walks && !entries && count_start_ns <= now_ns && now_ns - count_start_ns < age_ns;
}

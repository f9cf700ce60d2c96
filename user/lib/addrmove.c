// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* addrmove.c - which interface should hold the node address (pure; see addrmove.h). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include "addrmove.h"

int xglb_addrmove_init(struct xglb_addrmove *m, int n)
{
	if (!m || n < 1 || n > XGLB_ADDRMOVE_MAX)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->holder = -1;
	return 0;
}

void xglb_addrmove_observe(struct xglb_addrmove *m, int i, bool live, __u64 now_ns)
{
	if (i < 0 || i >= m->n || m->live[i] == live)
		return;
	m->live[i] = live;
	m->since_ns[i] = live ? now_ns : 0;
}

int xglb_addrmove_decide(const struct xglb_addrmove *m, __u64 now_ns, __u64 return_ns,
			 __u64 *next_ns)
{
	return xglb_addrmove_decide_but(m, now_ns, return_ns, 0, next_ns);
}

int xglb_addrmove_decide_but(const struct xglb_addrmove *m, __u64 now_ns, __u64 return_ns,
			     unsigned int refused, __u64 *next_ns)
{
	int h = m->holder;
	__u64 next = 0;

	if (next_ns)
		*next_ns = 0;
	if (h < 0 || h >= m->n || !m->live[h]) {
		/* the holder is dead (or there is none): the first live one, at once */
		for (int i = 0; i < m->n; i++)
			if (m->live[i] && !(refused >> i & 1))
				return i;
		return -1;
	}
	/* the holder is live: an earlier interface takes it back after its return delay */
	for (int i = 0; i < h; i++) {
		__u64 due;

		if (!m->live[i] || (refused >> i & 1))
			continue;
		due = m->since_ns[i] + return_ns;
		if (due <= now_ns)
			return i;
		if (!next || due < next)
			next = due;
	}
	if (next_ns)
		*next_ns = next;
	return h;
}

enum xglb_addrmove_fate xglb_addrmove_route(const struct xglb_addrmove_route *r, int holder,
					    __be32 addr, __u8 plen)
{
	__be32 mask = htonl(plen ? 0xffffffffu << (32 - (plen > 32 ? 32 : plen)) : 0);

	if (holder < 0 || r->iface < 0 || r->table != RT_TABLE_MAIN || r->type != RTN_UNICAST ||
	    r->protocol == RTPROT_KERNEL || !r->gw)
		return XGLB_ROUTE_NOT_OURS;
	if (r->iface == holder)
		return XGLB_ROUTE_IN_PLACE;
	if (!r->rewritable || (r->gw & mask) != (addr & mask))
		return XGLB_ROUTE_LEFT;
	return XGLB_ROUTE_MOVE;
}

int xglb_garp_frame(__u8 *buf, const __u8 mac[6], __be32 ip)
{
	static const __u8 hdr[8] = {0x00, 0x01, 0x08, 0x00, 6,
				    4,	  0x00, 0x01}; /* Ethernet, IPv4,
							   request */

	memset(buf, 0, 60);
	memset(buf, 0xff, 6);
	memcpy(buf + 6, mac, 6);
	buf[12] = 0x08;
	buf[13] = 0x06;
	memcpy(buf + 14, hdr, sizeof(hdr));
	memcpy(buf + 22, mac, 6);
	memcpy(buf + 28, &ip, 4);
	memcpy(buf + 38, &ip, 4);
	return 60;
}

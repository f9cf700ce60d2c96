// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* segcheck.c - a group's interfaces on different subnets, warned about (see segcheck.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "log.h"
#include "segcheck.h"

static __be32 v4(const struct sockaddr *sa)
{
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
}

static __u8 plen_of(const struct ifaddrs *p)
{
	return p->ifa_netmask ? (__u8)__builtin_popcount(v4(p->ifa_netmask)) : 32;
}

static bool is_v4(const struct ifaddrs *p, const char *name)
{
	return p->ifa_addr && p->ifa_addr->sa_family == AF_INET && p->ifa_name &&
	       !strcmp(p->ifa_name, name);
}

/* a/pa and b/pb on one subnet: each inside the shorter of the two prefixes. */
static bool same_subnet(__be32 a, __u8 pa, __be32 b, __u8 pb)
{
	__u8 p = pa < pb ? pa : pb;
	__be32 mask = p ? htonl(~0u << (32 - p)) : 0;

	return ((a ^ b) & mask) == 0;
}

/* Names x and y both hold IPv4 addresses and no two of them share a subnet. */
static bool apart(const struct ifaddrs *list, const char *x, const char *y,
		  struct xglb_segpair *out)
{
	const struct ifaddrs *p, *q;
	bool any = false;

	for (p = list; p; p = p->ifa_next) {
		if (!is_v4(p, x))
			continue;
		for (q = list; q; q = q->ifa_next) {
			if (!is_v4(q, y))
				continue;
			if (same_subnet(v4(p->ifa_addr), plen_of(p), v4(q->ifa_addr), plen_of(q)))
				return false;
			if (!any) {
				out->addr_a = v4(p->ifa_addr);
				out->plen_a = plen_of(p);
				out->addr_b = v4(q->ifa_addr);
				out->plen_b = plen_of(q);
				any = true;
			}
		}
	}
	return any;
}

bool xglb_segcheck_group(const struct xglb_cfg_group *cg, const struct ifaddrs *list,
			 struct xglb_segpair *out)
{
	for (int a = 0; a < cg->n_ifaces; a++)
		for (int b = a + 1; b < cg->n_ifaces; b++)
			if (apart(list, cg->ifaces[a], cg->ifaces[b], out)) {
				out->a = a;
				out->b = b;
				return true;
			}
	return false;
}

int xglb_segcheck(const char *path, const struct xglb_config *cfg)
{
	struct ifaddrs *list;
	int warned = 0;

	if (getifaddrs(&list))
		return 0; /* nothing to judge by: the check is advice */
	for (int g = 0; g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
		struct xglb_segpair s;

		if (!xglb_segcheck_group(cg, list, &s))
			continue;
		inet_ntop(AF_INET, &s.addr_a, a, sizeof(a));
		inet_ntop(AF_INET, &s.addr_b, b, sizeof(b));
		pr_warn("%s:%d: group %u: interfaces %s (%s/%u) and %s (%s/%u) carry addresses of "
			"different subnets, so likely two segments; a group's interfaces are "
			"links into its one segment: each may carry the node's forwarders (their "
			"learning frames and vMAC traffic), the first live one answers ARP for the "
			"VIP",
			path, cg->line, cg->id, cg->ifaces[s.a], a, s.plen_a, cg->ifaces[s.b], b,
			s.plen_b);
		warned++;
	}
	freeifaddrs(list);
	return warned;
}

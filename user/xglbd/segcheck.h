/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * segcheck.h - a group's interfaces are the node's links into one
 * segment. Where two of them carry IPv4 addresses of different subnets
 * (neither holds an address inside a prefix of the other), they are
 * most likely cabled to two segments: the configuration is accepted,
 * with a warning at start, on a reload and by --config-test, since
 * forwarders bound to the second interface would be learnt by the wrong
 * segment's switches and it could answer ARP for the VIP there
 * (docs/config.md, groups[].interfaces).
 */
#ifndef XGLB_SEGCHECK_H
#define XGLB_SEGCHECK_H

#include <stdbool.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <linux/types.h>
#include "config.h"

/* Two interfaces of a group on different subnets, with one address of each. */
struct xglb_segpair {
	int a, b; /* indexes into the group's interfaces, a < b */
	__be32 addr_a, addr_b;
	__u8 plen_a, plen_b;
};

/*
 * The first pair of cg's interfaces (in configuration order) that both
 * hold IPv4 addresses in LIST (getifaddrs) and share no subnet: true and
 * *out filled, or false. Interfaces without an IPv4 address are not
 * judged. Pure: LIST is passed in.
 */
bool xglb_segcheck_group(const struct xglb_cfg_group *cg, const struct ifaddrs *list,
			 struct xglb_segpair *out);

/* Every group of cfg against the addresses the interfaces hold now: one warning per group
 * (file, line, group, both interfaces and addresses). Returns the groups warned about. */
int xglb_segcheck(const char *path, const struct xglb_config *cfg);

#endif

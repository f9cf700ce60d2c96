/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* netif.h - thin I/O on local interfaces: ifindex and MAC, the VIP on lo (libmnl), sysctls. */
#ifndef XGLB_NETIF_H
#define XGLB_NETIF_H

#include <stdbool.h>
#include <linux/types.h>

/* ifindex and MAC of an interface; 0 or -errno. */
int xglb_netif_get(const char *ifname, __u32 *ifindex, __u8 mac[6]);

/*
 * Add ip/32 to interface ifindex. Returns 1 if added, 0 if it was already
 * there (then it is not ours to remove), -errno on error.
 */
int xglb_netif_addr_add(__u32 ifindex, __be32 ip);
int xglb_netif_addr_del(__u32 ifindex, __be32 ip);

/* Write VALUE to /proc/sys/net/ipv4/conf/IFNAME/KEY; 0 or -errno. */
int xglb_netif_sysctl(const char *ifname, const char *key, const char *value);

#endif

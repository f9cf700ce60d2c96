/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* netif.h - thin I/O on local interfaces: ifindex and MAC, the VIP on lo (libmnl), sysctls. */
#ifndef XGLB_NETIF_H
#define XGLB_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* ifindex and MAC of an interface; 0 or -errno. */
int xglb_netif_get(const char *ifname, __u32 *ifindex, __u8 mac[6]);

/* The driver of interface ifindex ("veth", "virtio_net", ...; ETHTOOL_GDRVINFO); 0 or -errno. */
int xglb_netif_driver(__u32 ifindex, char *drv, size_t len);

/* The interface's MTU now (it may change while xglb runs), or -errno. */
int xglb_netif_mtu(__u32 ifindex);

/*
 * Add ip/32 to interface ifindex, labelled "<ifname>:xglb". Returns 1 if
 * the address is ours (added now, or found with our label: left by an
 * xglbd that was killed), 0 if someone else configured it (then it is
 * not ours to remove), -errno on error.
 */
int xglb_netif_addr_add(__u32 ifindex, __be32 ip);
int xglb_netif_addr_del(__u32 ifindex, __be32 ip);
/* The label xglbd gives its addresses on ifindex: "<ifname>:xglb". */
int xglb_netif_label(__u32 ifindex, char label[16]);

/* Write VALUE to /proc/sys/net/ipv4/conf/IFNAME/KEY; 0 or -errno. */
int xglb_netif_sysctl(const char *ifname, const char *key, const char *value);
/* Read it into buf (without the newline); 0 or -errno. */
int xglb_netif_sysctl_get(const char *ifname, const char *key, char *buf, size_t len);

#endif

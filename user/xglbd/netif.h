/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* netif.h - thin I/O on local interfaces: ifindex and MAC, the VIP on lo (libmnl), sysctls. */
#ifndef XGLB_NETIF_H
#define XGLB_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* ifindex and MAC of an interface; 0 or -errno. */
int xglb_netif_get(const char *ifname, __u32 *ifindex, __u8 mac[6]);

struct nlmsghdr;
/*
 * One rtnetlink request on a fresh socket (strict: the kernel filters a
 * dump by the request's header); its ACK or its dump, each message to cb
 * (a libmnl mnl_cb_t, may be NULL). 0 or -errno.
 */
int xglb_rtnl_talk(struct nlmsghdr *nlh, bool strict,
		   int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);

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

/*
 * A group's virtual IPv6 addresses on its interfaces: /128, no DAD,
 * preferred lifetime 0 (deprecated: never the kernel's choice of source),
 * valid forever, address protocol XGLB_ADDR6_PROTO, which marks them as
 * xglbd's across restarts (IPv6 addresses have no label).
 */
#define XGLB_ADDR6_PROTO 0x78
struct xglb_addr6 {
	__u32 ifindex;
	__u8 addr[16];
};
/* 1: added, or there already as ours; 0: someone else configured it (not ours); -errno. */
int xglb_netif_addr6_add(__u32 ifindex, const __u8 addr[16]);
int xglb_netif_addr6_del(__u32 ifindex, const __u8 addr[16]);
/* Every IPv6 address marked as xglbd's, on any interface: how many (up to max), or -errno. */
int xglb_netif_addr6_ours(struct xglb_addr6 *out, int max);
/*
 * The interface's own IPv6 link-local into out (fe80::/10, not one xglbd
 * added, not deprecated or a failed duplicate; a settled one before a
 * tentative one): 1, 0 if it has none (out ::), -errno.
 */
int xglb_netif_ll6(__u32 ifindex, __u8 out[16]);

/* Write VALUE to /proc/sys/net/ipv4/conf/IFNAME/KEY; 0 or -errno. */
int xglb_netif_sysctl(const char *ifname, const char *key, const char *value);
/* Read it into buf (without the newline); 0 or -errno. */
int xglb_netif_sysctl_get(const char *ifname, const char *key, char *buf, size_t len);

/*
 * Receive VLAN offload (ethtool's rx-vlan-offload: ETH_FLAG_RXVLAN, the
 * kernel's NETIF_F_HW_VLAN_CTAG_RX), by the legacy ethtool ioctl. With it
 * on, a driver may move an 802.1Q tag out of the frame into the receive
 * descriptor, where XDP cannot see it. get: 1 on, 0 off, or -errno. set:
 * 0 once it is as asked (also if it already was); -EOPNOTSUPP if the
 * driver cannot change it or kept it as it was; other -errno.
 */
int xglb_netif_rxvlan_get(const char *ifname);
int xglb_netif_rxvlan_set(const char *ifname, bool on);

#endif

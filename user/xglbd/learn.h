/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* learn.h - learning frames: make switches learn which port a vMAC lives on, without touching host
 * caches. */
#ifndef XGLB_LEARN_H
#define XGLB_LEARN_H

#include <linux/types.h>

#define XGLB_LEARN_FRAME_LEN 60 /* minimum Ethernet frame without FCS */

/*
 * Build the learning frame for vmac into buf (XGLB_LEARN_FRAME_LEN bytes):
 * a broadcast ARP probe (RFC 5227 form: sender IP 0.0.0.0) sent from the
 * vMAC, asking for the VIP. Switches learn the vMAC's port from the source
 * address. Hosts do not update their caches from a probe (sender IP 0) and
 * do not answer (the VIP is not theirs); peer routers drop it in XDP
 * because its sender is a vMAC. A gratuitous ARP naming the VIP would
 * instead rewrite every host's gateway entry to this vMAC and undo the
 * split. The target MAC, which receivers of a request ignore, carries the
 * sending node's own MAC on that interface: a node that finds a frame
 * from one of its own vMACs (a vMAC conflict: two owners, e.g. a split
 * brain) can name the other node. Returns the length.
 */
int xglb_learn_frame(__u8 *buf, const __u8 vmac[6], __be32 vip, const __u8 node_mac[6]);

/*
 * The unsolicited ARP reply that moves a host off a removed forwarder: "VIP is at vmac", unicast to
 * one host (eth dst and tha = host, tpa = host_ip), sent by the AVG from its interface MAC src.
 * Moves that host, and only it, to another forwarder without waiting for it to ARP. Returns the
 * length (XGLB_LEARN_FRAME_LEN).
 */
int xglb_arp_reply_frame(__u8 *buf, const __u8 src[6], const __u8 vmac[6], __be32 vip,
			 const __u8 host[6], __be32 host_ip);

/*
 * The reply that takes a host back from a station claiming the VIP: "VIP
 * is at vmac" in the gratuitous form (spa = tpa = VIP, tha = sha = vmac),
 * unicast to host from the interface MAC src. Linux takes a gratuitous
 * ARP at once, where an ordinary reply within a second (its locktime) of
 * the entry's last change would be ignored: the rogue's own announcement
 * changed it just now. Only that host is moved. Returns the length.
 */
int xglb_garp_reply_frame(__u8 *buf, const __u8 src[6], const __u8 vmac[6], __be32 vip,
			  const __u8 host[6]);

/* Send an Ethernet frame (ARP, IPv6) out of ifindex on a raw packet socket; 0 or -errno. */
int xglb_learn_send(int fd, __u32 ifindex, const __u8 *frame, int len);
/* AF_PACKET socket for xglb_learn_send; fd or -errno. */
int xglb_learn_socket(void);

#endif

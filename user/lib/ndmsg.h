/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ndmsg.h - the neighbour discovery messages xglbd itself sends and reads
 * (pure): router advertisements from a group's virtual link-local, the
 * unsolicited NA that moves an IPv6 host to another forwarder, and the
 * checks of a router solicitation.
 */
#ifndef XGLB_NDMSG_H
#define XGLB_NDMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "config.h"

/* Ethernet + IPv6 + RA (16) + MTU option (8) + XGLB_RA_PREFIXES prefix options (32 each). */
#define XGLB_RA_FRAME_MAX (14 + 40 + 16 + 8 + 32 * XGLB_RA_PREFIXES)

/*
 * The router advertisement of group cg: IPv6 source its virtual link-local
 * (cg->addr6[0]), destination dst_ip (ff02::1, or a soliciting host's
 * address), Ethernet source src_mac, destination dst_mac; hop limit 255;
 * no source link-layer address option (hosts resolve the link-local to a
 * vMAC through the AVG); the MTU option if cg->ra.mtu; one prefix
 * information option per cg->ra.prefix. Returns the frame's length.
 */
int xglb_ra_frame(__u8 buf[XGLB_RA_FRAME_MAX], const struct xglb_cfg_group *cg,
		  const __u8 src_mac[6], const __u8 dst_mac[6], const __u8 dst_ip[16]);

/*
 * The unsolicited NA that moves one IPv6 host: "target is at vmac", from
 * target (a virtual address of the group) to all nodes (ff02::1: no host
 * address needed) but Ethernet-unicast to host, Router and Override set,
 * Solicited clear (RFC 4861 7.2.6), TLLA = vmac. Returns its length (86).
 */
int xglb_na_move_frame(__u8 buf[86], const __u8 src_mac[6], const __u8 host[6],
		       const __u8 target[16], const __u8 vmac[6]);

/*
 * A router solicitation as a raw ICMPv6 socket hands it over (ICMPv6
 * bytes, the packet's source address and hop limit), checked as RFC 4861
 * 6.1.1 asks: hop limit 255, code 0, at least 8 bytes, every option of
 * nonzero length within the message, no SLLA when the source is "::".
 * Returns -1 if invalid, 1 with its SLLA (6 bytes) in slla, 0 without one.
 */
int xglb_rs_check(const __u8 *icmp, size_t len, const __u8 src[16], int hop_limit, __u8 slla[6]);

/* The ICMPv6 checksum of msg (len bytes, its checksum field zero) from src to dst. */
__u16 xglb_icmp6_csum(const __u8 src[16], const __u8 dst[16], const __u8 *msg, size_t len);

#endif

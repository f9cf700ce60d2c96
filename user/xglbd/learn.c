// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* learn.c - builds and sends learning frames (ARP probes from a vMAC). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include "xglb.h"
#include "learn.h"

/* A zeroed minimum-size frame with the Ethernet and IPv4-over-Ethernet ARP headers set. */
static struct xglb_arp_frame *arp_frame(__u8 *buf, const __u8 dst[6], const __u8 src[6], __u16 op)
{
	struct xglb_arp_frame *f = (struct xglb_arp_frame *)buf;

	memset(buf, 0, XGLB_LEARN_FRAME_LEN);
	memcpy(f->eth_dst, dst, 6);
	memcpy(f->eth_src, src, 6);
	f->eth_proto = htons(XGLB_ETH_P_ARP);
	f->hrd = htons(XGLB_ARPHRD_ETHER);
	f->pro = htons(XGLB_ETH_P_IP);
	f->hln = 6;
	f->pln = 4;
	f->op = htons(op);
	return f;
}

int xglb_learn_frame(__u8 *buf, const __u8 vmac[6], __be32 vip, const __u8 node_mac[6])
{
	static const __u8 bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct xglb_arp_frame *f = arp_frame(buf, bcast, vmac, XGLB_ARPOP_REQUEST);

	memcpy(f->sha, vmac, 6);
	f->spa = 0;
	memcpy(f->tha, node_mac, 6);
	f->tpa = vip;
	return XGLB_LEARN_FRAME_LEN;
}

/* An ARP reply to dst from src saying "vip is at vmac", to target tha / tpa. */
static int reply_frame(__u8 *buf, const __u8 dst[6], const __u8 src[6], const __u8 vmac[6],
		       __be32 vip, const __u8 tha[6], __be32 tpa)
{
	struct xglb_arp_frame *f = arp_frame(buf, dst, src, XGLB_ARPOP_REPLY);

	memcpy(f->sha, vmac, 6);
	f->spa = vip;
	memcpy(f->tha, tha, 6);
	f->tpa = tpa;
	return XGLB_LEARN_FRAME_LEN;
}

int xglb_arp_reply_frame(__u8 *buf, const __u8 src[6], const __u8 vmac[6], __be32 vip,
			 const __u8 host[6], __be32 host_ip)
{
	return reply_frame(buf, host, src, vmac, vip, host, host_ip);
}

int xglb_garp_reply_frame(__u8 *buf, const __u8 src[6], const __u8 vmac[6], __be32 vip,
			  const __u8 host[6])
{
	return reply_frame(buf, host, src, vmac, vip, vmac, vip);
}

int xglb_learn_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	return fd < 0 ? -errno : fd;
}

int xglb_learn_send(int fd, __u32 ifindex, const __u8 *frame, int len)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET,
	    .sll_ifindex = (int)ifindex,
	    .sll_halen = 6,
	};

	memcpy(&sll.sll_protocol, frame + 12, 2); /* the frame's EtherType: ARP, IPv6 */
	memcpy(sll.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) != len)
		return -errno;
	return 0;
}

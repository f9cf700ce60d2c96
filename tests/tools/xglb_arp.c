// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_arp.c - sends one hand-made ARP frame (any Ethernet source, sender and target) out of
 * an interface, for lab tests that play a rogue or careless station on the segment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

struct arp_frame {
	unsigned char dst[6], src[6];
	unsigned short proto, hrd, pro;
	unsigned char hln, pln;
	unsigned short op;
	unsigned char sha[6];
	unsigned char spa[4];
	unsigned char tha[6];
	unsigned char tpa[4];
	unsigned char pad[18];
} __attribute__((packed));

static int mac(const char *s, unsigned char m[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6
		   ? 0
		   : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xglb_arp IFACE request|reply ETH_DST ETH_SRC SHA SPA THA TPA [COUNT]\n"
		"  sends the ARP frame COUNT times (default 1), 100 ms apart\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct arp_frame f = {0};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_halen = 6};
	int fd, count = argc > 9 ? atoi(argv[9]) : 1;

	if (argc < 9 || argc > 10 || count < 1)
		usage();
	if (!strcmp(argv[2], "request"))
		f.op = htons(1);
	else if (!strcmp(argv[2], "reply"))
		f.op = htons(2);
	else
		usage();
	if (mac(argv[3], f.dst) || mac(argv[4], f.src) || mac(argv[5], f.sha) ||
	    inet_pton(AF_INET, argv[6], f.spa) != 1 || mac(argv[7], f.tha) ||
	    inet_pton(AF_INET, argv[8], f.tpa) != 1)
		usage();
	f.proto = htons(ETH_P_ARP);
	f.hrd = htons(1);
	f.pro = htons(ETH_P_IP);
	f.hln = 6;
	f.pln = 4;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_protocol = htons(ETH_P_ARP);
	memcpy(sll.sll_addr, f.dst, 6);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "xglb_arp: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("xglb_arp: socket");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		if (i)
			usleep(100000);
		if (sendto(fd, &f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) !=
		    (ssize_t)sizeof(f)) {
			perror("xglb_arp: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}

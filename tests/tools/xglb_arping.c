// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglb_arping.c - steady-rate ARP requests for one address; how long it went unanswered. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

/*
 * xglb_arping IFACE TARGET INTERVAL_MS SECONDS
 *
 * Sends a broadcast ARP request "who has TARGET" from IFACE's MAC and
 * IPv4 address every INTERVAL_MS for SECONDS, never waiting for replies,
 * and records when replies from TARGET arrive. Each request is a minimal
 * Ethernet frame (60 bytes) whose padding after the ARP payload carries its
 * sequence number; a reply built in place (xglb's, XDP or tc) carries it
 * back, so each reply is matched to its request however late it comes.
 * Prints one JSON line:
 *   {"sent":N,"replies":N,"tagged":N,"unanswered":N,"max_gap_ms":X,
 *    "unanswered_ms":Y,"first_reply_ms":Z}
 *   tagged         replies that carried a request's number
 *   unanswered     requests no reply carried the number of
 *   max_gap_ms     the longest time within the run without a reply (from the
 *                  first request to the first reply, between two replies, from
 *                  the last reply to the last request): scheduling delays of
 *                  this process or of the machine show here too
 *   unanswered_ms  the longest run of consecutive unanswered requests times
 *                  the interval: 0 when every request got its reply, in
 *                  steps of one interval. If no reply was tagged (a replier
 *                  that drops the padding), max_gap_ms less one interval, at
 *                  least 0, as a fallback.
 * Exit status 0 if the run completed (whatever the result), 1 on a setup error.
 */

#define SEQ_OFF	  42 /* after the ARP payload, in the padding */
#define FRAME_LEN 60
#define MAX_SENT  (1u << 20)

struct arp_frame {
	__u8 dst[6], src[6];
	__be16 proto;
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[6];
	__u8 spa[4];
	__u8 tha[6];
	__u8 tpa[4];
} __attribute__((packed));

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP)};
	union {
		struct arp_frame a;
		__u8 b[FRAME_LEN];
	} req = {0};
	static __u8 answered[MAX_SENT];
	struct ifreq ifr = {0};
	struct in_addr target, self;
	uint64_t interval, start, end, next, last, gap = 0, first = 0;
	unsigned long sent = 0, replies = 0, tagged = 0, unanswered = 0, run = 0, longest = 0;
	int fd;

	if (argc != 5 || strlen(argv[1]) >= IFNAMSIZ || inet_pton(AF_INET, argv[2], &target) != 1 ||
	    atoi(argv[3]) <= 0 || atoi(argv[4]) <= 0) {
		fprintf(stderr, "usage: xglb_arping IFACE TARGET INTERVAL_MS SECONDS\n");
		return 1;
	}
	interval = (uint64_t)atoi(argv[3]) * 1000000ull;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ARP));
	if (fd < 0) {
		perror("xglb_arping: packet socket");
		return 1;
	}
	strcpy(ifr.ifr_name, argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		perror("xglb_arping: interface");
		return 1;
	}
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("xglb_arping: MAC");
		return 1;
	}
	memcpy(req.a.src, ifr.ifr_hwaddr.sa_data, 6);
	memcpy(req.a.sha, ifr.ifr_hwaddr.sa_data, 6);
	ifr.ifr_addr.sa_family = AF_INET;
	if (ioctl(fd, SIOCGIFADDR, &ifr)) {
		perror("xglb_arping: IPv4 address");
		return 1;
	}
	self = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("xglb_arping: bind");
		return 1;
	}
	memset(req.a.dst, 0xff, 6);
	req.a.proto = htons(ETH_P_ARP);
	req.a.htype = htons(1);
	req.a.ptype = htons(ETH_P_IP);
	req.a.hlen = 6;
	req.a.plen = 4;
	req.a.op = htons(1);
	memcpy(req.a.spa, &self, 4);
	memcpy(req.a.tpa, &target, 4);

	start = next = last = now_ns();
	end = start + (uint64_t)atoi(argv[4]) * 1000000000ull;
	while (next < end) {
		uint64_t now = now_ns();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int wait_ms;

		if (now >= next) {
			__u32 seq = htonl((__u32)sent);

			memcpy(req.b + SEQ_OFF, &seq, sizeof(seq));
			if (sent < MAX_SENT && send(fd, &req, sizeof(req), 0) == sizeof(req))
				sent++;
			next += interval;
			continue;
		}
		wait_ms = (int)((next - now) / 1000000);
		if (poll(&p, 1, wait_ms) <= 0)
			continue;
		for (;;) {
			union {
				struct arp_frame a;
				__u8 b[FRAME_LEN + 4];
			} r;
			ssize_t n = recv(fd, &r, sizeof(r), 0);
			__u32 seq;

			if (n < 0)
				break;
			if (n < (ssize_t)sizeof(r.a) || r.a.op != htons(2) ||
			    memcmp(r.a.spa, &target, 4) || memcmp(r.a.tpa, &self, 4))
				continue;
			now = now_ns();
			replies++;
			memcpy(&seq, r.b + SEQ_OFF, sizeof(seq));
			seq = ntohl(seq);
			if (n >= SEQ_OFF + 4 && seq < sent) {
				tagged++;
				answered[seq] = 1;
			}
			if (!first)
				first = now;
			if (now - last > gap)
				gap = now - last;
			last = now;
		}
	}
	/* the tail: from the last reply to the last request sent */
	if (next - interval > last && next - interval - last > gap)
		gap = next - interval - last;
	/* late replies to the last requests: up to 100 ms more */
	for (uint64_t until = now_ns() + 100000000ull; now_ns() < until;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		union {
			struct arp_frame a;
			__u8 b[FRAME_LEN + 4];
		} r;
		ssize_t n;
		__u32 seq;

		if (poll(&p, 1, 10) <= 0)
			continue;
		while ((n = recv(fd, &r, sizeof(r), 0)) >= 0) {
			memcpy(&seq, r.b + SEQ_OFF, sizeof(seq));
			seq = ntohl(seq);
			if (n >= SEQ_OFF + 4 && r.a.op == htons(2) &&
			    !memcmp(r.a.spa, &target, 4) && !memcmp(r.a.tpa, &self, 4) &&
			    seq < sent) {
				replies++;
				tagged++;
				answered[seq] = 1;
			}
		}
	}
	for (unsigned long i = 0; i < sent; i++) {
		run = answered[i] ? 0 : run + 1;
		unanswered += !answered[i];
		longest = run > longest ? run : longest;
	}
	printf("{\"sent\":%lu,\"replies\":%lu,\"tagged\":%lu,\"unanswered\":%lu,"
	       "\"max_gap_ms\":%.1f,\"unanswered_ms\":%.1f,\"first_reply_ms\":%.1f}\n",
	       sent, replies, tagged, unanswered, gap / 1e6,
	       tagged		? longest * interval / 1e6
	       : gap > interval ? (gap - interval) / 1e6
				: 0.0,
	       first ? (first - start) / 1e6 : -1.0);
	close(fd);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglb_inject.c - membership attacks for the lab: capture a hello, replay it, forge one, with any
 * IP source and TTL. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>

/*
 * capture IFNAME SRC_IP PORT OUTFILE [TIMEOUT_MS]
 *     AF_PACKET on IFNAME (run it in the receiving router's namespace): save
 *     the UDP payload of the first IPv4 datagram from SRC_IP to UDP port
 *     PORT that arrives within TIMEOUT_MS (default 5000) to OUTFILE. Prints
 *     {"captured":LEN,"ttl":T,"sport":P}. Exit 1 on timeout.
 * record IFNAME SRC_IP PORT OUTDIR DURATION_MS
 *     As capture, but every such datagram that arrives within DURATION_MS,
 *     each to OUTDIR/NNNN.bin (0000, 0001, ...). Prints {"recorded":N}.
 *     Exit 1 if there was none.
 * send SRC_IP DST_IP PORT TTL FILE [SPORT]
 *     Send FILE's bytes as the payload of one UDP datagram SRC_IP:SPORT ->
 *     DST_IP:PORT (SPORT defaults to PORT, as xglbd's own hellos) with IP TTL
 *     TTL, from a raw socket with IP_HDRINCL: the IP and UDP headers are
 *     built here, checksums included, so the source address can be any.
 * forge SRC_IP DST_IP PORT TTL GID NODE_ID [N_FWD]
 *     Send a hello a forger without the key can make: well-formed per
 *     user/lib/proto.h (header, hello with priority 255, flags AVG|STATE, a
 *     state of version 0x7fffffff giving all N_FWD (default 3) forwarders
 *     to NODE_ID, boot 0xffffffff, no loads) and a random 32-byte HMAC.
 *     A receiver must drop it as "auth"; anything else means the decoder
 *     trusted a field before the HMAC.
 *
 * flood DST_IP PORT GID NODE_ID MS [SRC_IP]
 *     Forged hellos as fast as they go for MS milliseconds (see do_flood);
 *     with SRC_IP from that address (a node's: what a socket filter by
 *     address admits), through a raw socket.
 *
 * Self-contained on purpose (no libsodium, no libxglb): the forger has no key.
 */

#define HDR_LEN	     32
#define HELLO_LEN    20
#define STATE_LEN    16
#define FWD_LEN	     16
#define LOAD_HDR_LEN 4
#define HMAC_LEN     32
#define MSG_MAX	     668

static int usage(void)
{
	fprintf(stderr, "usage: xglb_inject capture IFNAME SRC_IP PORT OUTFILE [TIMEOUT_MS]\n"
			"       xglb_inject record IFNAME SRC_IP PORT OUTDIR DURATION_MS\n"
			"       xglb_inject send SRC_IP DST_IP PORT TTL FILE [SPORT]\n"
			"       xglb_inject forge SRC_IP DST_IP PORT TTL GID NODE_ID [N_FWD]\n"
			"       xglb_inject flood DST_IP PORT GID NODE_ID MS [SRC_IP]\n");
	return 2;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "xglb_inject: bad IPv4 address '%s'\n", s);
		return -1;
	}
	*ip = a.s_addr;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *v > max) {
		fprintf(stderr, "xglb_inject: bad number '%s' (0..%lu)\n", s, max);
		return -1;
	}
	return 0;
}

/* ---- capture ------------------------------------------------------------ */

/* capture (dir NULL: the first datagram to out) or record (every one until the timeout into dir).
 */
static int do_capture(const char *ifname, const char *src_s, const char *port_s, const char *out,
		      const char *timeout_s, const char *dir)
{
	unsigned int recorded = 0;
	char path[4096];
	unsigned long port, timeout = 5000;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP)};
	uint32_t src;
	uint64_t end;
	uint8_t buf[2048];
	int fd;

	if (parse_ip(src_s, &src) || parse_uint(port_s, 65535, &port) ||
	    (timeout_s && parse_uint(timeout_s, 600000, &timeout)))
		return 2;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "xglb_inject: no interface '%s'\n", ifname);
		return 2;
	}
	/* SOCK_DGRAM: the link header is stripped, data starts at the IP header */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("xglb_inject capture: packet socket");
		return 1;
	}
	end = now_ms() + timeout;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		const struct iphdr *ip = (const struct iphdr *)buf;
		const struct udphdr *uh;
		uint64_t t = now_ms();
		size_t ihl, ulen;
		ssize_t n;
		FILE *f;

		if (t >= end && dir && recorded) {
			printf("{\"recorded\":%u}\n", recorded);
			close(fd);
			return 0;
		}
		if (t >= end) {
			fprintf(stderr,
				"xglb_inject capture: nothing from %s to port %lu in %lu ms\n",
				src_s, port, timeout);
			return 1;
		}
		if (poll(&p, 1, (int)(end - t)) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < (ssize_t)sizeof(*ip) || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		ihl = (size_t)ip->ihl * 4;
		if (ip->version != 4 || ihl < sizeof(*ip) || ip->protocol != IPPROTO_UDP ||
		    ip->saddr != src || (size_t)n < ihl + sizeof(*uh) ||
		    (ntohs(ip->frag_off) & 0x3fff)) /* fragments: not a whole hello */
			continue;
		uh = (const struct udphdr *)(buf + ihl);
		ulen = ntohs(uh->len);
		if (ntohs(uh->dest) != port || ulen < sizeof(*uh) || ihl + ulen > (size_t)n)
			continue;
		if (dir)
			snprintf(path, sizeof(path), "%s/%04u.bin", dir, recorded);
		else
			snprintf(path, sizeof(path), "%s", out);
		f = fopen(path, "wb");
		if (!f ||
		    fwrite(buf + ihl + sizeof(*uh), 1, ulen - sizeof(*uh), f) !=
			ulen - sizeof(*uh) ||
		    fclose(f)) {
			perror(path);
			return 1;
		}
		if (dir) {
			recorded++;
			continue;
		}
		printf("{\"captured\":%zu,\"ttl\":%u,\"sport\":%u}\n", ulen - sizeof(*uh), ip->ttl,
		       ntohs(uh->source));
		close(fd);
		return 0;
	}
}

/* ---- send --------------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One UDP datagram with hand-made IP and UDP headers: any source, any TTL. */
/*
 * The IP and UDP headers of a datagram SRC:SPORT -> DST:DPORT with TTL and PAYLOAD into pkt
 * (room for MSG_MAX + 1024 bytes of payload); its total length, 0 if the payload is too long.
 * Without csum the UDP checksum is 0 ("none", valid in IPv4), so the payload may change later.
 */
static size_t build_raw(uint8_t *pkt, uint32_t src, uint32_t dst, unsigned sport, unsigned dport,
			unsigned ttl, const uint8_t *payload, size_t len, bool csum)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *uh = (struct udphdr *)(pkt + sizeof(*ip));
	size_t total = sizeof(*ip) + sizeof(*uh) + len;
	uint16_t id, ulen = (uint16_t)(sizeof(*uh) + len), c;
	uint8_t pseudo[12];
	uint32_t sum;

	if (len > MSG_MAX + 1024) {
		fprintf(stderr, "xglb_inject: payload of %zu bytes is too long\n", len);
		return 0;
	}
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)getpid();
	memset(pkt, 0, sizeof(*ip) + sizeof(*uh));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)total);
	ip->id = htons(id);
	ip->frag_off = htons(IP_DF);
	ip->ttl = (uint8_t)ttl;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = src;
	ip->daddr = dst;
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
	uh->source = htons((uint16_t)sport);
	uh->dest = htons((uint16_t)dport);
	uh->len = htons(ulen);
	memcpy(pkt + sizeof(*ip) + sizeof(*uh), payload, len);
	if (!csum)
		return total;
	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &dst, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	sum = csum_add(0, pseudo, sizeof(pseudo));
	sum = csum_add(sum, uh, ulen);
	c = csum_fold(sum);
	uh->check = htons(c ? c : 0xffff); /* 0 means "no checksum" in UDP */
	return total;
}

static int send_raw(uint32_t src, uint32_t dst, unsigned sport, unsigned dport, unsigned ttl,
		    const uint8_t *payload, size_t len)
{
	uint8_t pkt[sizeof(struct iphdr) + sizeof(struct udphdr) + MSG_MAX + 1024];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = dst};
	size_t total = build_raw(pkt, src, dst, sport, dport, ttl, payload, len, true);
	int fd, one = 1;

	if (!total)
		return 2;
	fd =
	    socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW); /* IPPROTO_RAW implies HDRINCL */
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("xglb_inject: raw socket");
		return 1;
	}
	if (sendto(fd, pkt, total, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)total) {
		perror("xglb_inject: sendto");
		close(fd);
		return 1;
	}
	close(fd);
	printf("{\"sent\":%zu,\"ttl\":%u}\n", len, ttl);
	return 0;
}

static int do_send(char **a, int n)
{
	unsigned long port, ttl, sport;
	uint8_t payload[MSG_MAX + 1024];
	uint32_t src, dst;
	size_t len;
	FILE *f;

	if (parse_ip(a[0], &src) || parse_ip(a[1], &dst) || parse_uint(a[2], 65535, &port) ||
	    parse_uint(a[3], 255, &ttl))
		return 2;
	sport = port;
	if (n > 5 && parse_uint(a[5], 65535, &sport))
		return 2;
	f = fopen(a[4], "rb");
	if (!f) {
		perror(a[4]);
		return 1;
	}
	len = fread(payload, 1, sizeof(payload), f);
	fclose(f);
	return send_raw(src, dst, (unsigned)sport, (unsigned)port, (unsigned)ttl, payload, len);
}

/* ---- forge -------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The forged hello of "forge" into m (MSG_MAX bytes); its length, 0 if getrandom failed. */
static size_t build_forged(uint8_t *m, unsigned long gid, unsigned long node, unsigned long nfwd)
{
	size_t off;

	memset(m, 0, MSG_MAX);
	/* header */
	put32(m + 0, 0x58474c42u);     /* "XGLB" */
	m[4] = 2;		       /* version */
	m[5] = 1;		       /* hello */
	put16(m + 6, 0x0001 | 0x0002); /* STATE | AVG */
	m[8] = (uint8_t)gid;
	put32(m + 12, (uint32_t)node);
	put32(m + 16, 0xffffffffu); /* boot: above any real one */
	put32(m + 20, 0);	    /* seq, high half */
	put32(m + 24, 1);
	off = HDR_LEN;
	/* hello */
	m[off + 0] = 255; /* priority: wins every election */
	put16(m + off + 2, 100);
	memcpy(m + off + 4, "\x02\x00\x00\x00\x0b\xad", 6);
	put32(m + off + 12, 100); /* hello_ms */
	put32(m + off + 16, 300); /* hold_ms */
	off += HELLO_LEN;
	/* state: every forwarder to the forger */
	put32(m + off + 0, 0x7fffffffu);
	put32(m + off + 4, (uint32_t)node);
	put32(m + off + 8, 0);
	m[off + 12] = (uint8_t)nfwd;
	off += STATE_LEN;
	for (unsigned long i = 0; i < nfwd; i++, off += FWD_LEN) {
		m[off + 0] = (uint8_t)i;
		m[off + 1] = 0;	   /* persistence */
		m[off + 2] = 100;  /* weight */
		m[off + 3] = 0x03; /* ACTIVE | NEW_OK */
		put32(m + off + 4, (uint32_t)node);
		put32(m + off + 8, (uint32_t)node);
	}
	/* no loads */
	off += LOAD_HDR_LEN;
	/* HMAC: the forger has no key, so any 32 bytes */
	if (getrandom(m + off, HMAC_LEN, 0) != HMAC_LEN) {
		perror("xglb_inject forge: getrandom");
		return 0;
	}
	return off + HMAC_LEN;
}

static int do_forge(char **a, int n)
{
	unsigned long port, ttl, gid, node, nfwd = 3;
	uint8_t m[MSG_MAX];
	uint32_t src, dst;
	size_t len;

	if (parse_ip(a[0], &src) || parse_ip(a[1], &dst) || parse_uint(a[2], 65535, &port) ||
	    parse_uint(a[3], 255, &ttl) || parse_uint(a[4], 255, &gid) ||
	    parse_uint(a[5], UINT32_MAX, &node) || (n > 6 && parse_uint(a[6], 16, &nfwd)))
		return 2;
	if (!gid || !node) {
		fprintf(stderr, "xglb_inject forge: GID and NODE_ID must not be 0\n");
		return 2;
	}
	len = build_forged(m, gid, node, nfwd);
	if (!len)
		return 1;
	return send_raw(src, dst, (unsigned)port, (unsigned)port, (unsigned)ttl, m, len);
}

/*
 * flood DST_IP PORT GID NODE_ID MS [SRC_IP]: forged hellos (as "forge", TTL
 * 255 so they pass the link-local check and cost the receiver an HMAC) to
 * DST_IP:PORT, as fast as sendmmsg goes, for MS milliseconds; the sequence
 * number counts up. From this host's own address, or with SRC_IP from that
 * one (raw socket, IP_HDRINCL; UDP checksum 0, source port PORT as
 * xglbd's). Prints {"sent":N,"ms":T,"pps":R}.
 */
static int do_flood(char **a, int n)
{
	enum { RAW_HDR = sizeof(struct iphdr) + sizeof(struct udphdr) };
	unsigned long port, gid, node, ms;
	static uint8_t m[64][RAW_HDR + MSG_MAX];
	uint8_t hello[MSG_MAX];
	struct mmsghdr v[64];
	struct iovec iov[64];
	struct sockaddr_in sa = {.sin_family = AF_INET};
	uint64_t t0, t, sent = 0;
	uint32_t dst, src = 0;
	size_t len = 0, off = 0;
	int fd, ttl = 255, one = 1;

	if (parse_ip(a[0], &dst) || parse_uint(a[1], 65535, &port) || parse_uint(a[2], 255, &gid) ||
	    parse_uint(a[3], UINT32_MAX, &node) || parse_uint(a[4], 3600000, &ms) || !gid ||
	    !node || (n > 5 && parse_ip(a[5], &src)))
		return 2;
	sa.sin_addr.s_addr = dst;
	sa.sin_port = htons((uint16_t)port);
	for (int i = 0; i < 64; i++) {
		len = build_forged(hello, gid, node, 3);
		if (!len)
			return 1;
		if (src) {
			len = build_raw(m[i], src, dst, (unsigned)port, (unsigned)port, 255, hello,
					len, false);
			off = RAW_HDR;
		} else {
			memcpy(m[i], hello, len);
		}
		iov[i] = (struct iovec){.iov_base = m[i], .iov_len = len};
		v[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &sa,
						    .msg_namelen = sizeof(sa),
						    .msg_iov = &iov[i],
						    .msg_iovlen = 1}};
	}
	if (src)
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	else
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || (src && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) ||
	    (!src && setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)))) {
		perror("xglb_inject flood: socket");
		return 1;
	}
	t0 = t = now_ms();
	while (t - t0 < ms) {
		int k;

		for (int i = 0; i < 64; i++)
			put32(m[i] + off + 24, (uint32_t)(sent + i + 1)); /* seq */
		k = sendmmsg(fd, v, 64, 0);
		if (k > 0)
			sent += (uint64_t)k;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
			break;
		t = now_ms();
	}
	close(fd);
	printf("{\"sent\":%llu,\"ms\":%llu,\"pps\":%.0f}\n", (unsigned long long)sent,
	       (unsigned long long)(t - t0), t > t0 ? sent * 1000.0 / (double)(t - t0) : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && argc <= 7 && !strcmp(argv[1], "capture"))
		return do_capture(argv[2], argv[3], argv[4], argv[5], argc > 6 ? argv[6] : NULL,
				  NULL);
	if (argc == 7 && !strcmp(argv[1], "record"))
		return do_capture(argv[2], argv[3], argv[4], NULL, argv[6], argv[5]);
	if (argc >= 7 && argc <= 8 && !strcmp(argv[1], "send"))
		return do_send(argv + 2, argc - 2);
	if (argc >= 8 && argc <= 9 && !strcmp(argv[1], "forge"))
		return do_forge(argv + 2, argc - 2);
	if (argc >= 7 && argc <= 8 && !strcmp(argv[1], "flood"))
		return do_flood(argv + 2, argc - 2);
	return usage();
}

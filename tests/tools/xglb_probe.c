// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglb_probe.c - steady-rate, sequence-numbered UDP probe and echo for outage measurement (RFC
 * 6412). */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

/*
 * echo PORT [SECONDS [BYTES]]
 *                            answer every datagram (IPv4 or IPv6: one dual-stack socket, or
 *                            IPv4 alone where IPv6 is off) to its sender, until killed or SECONDS
 *                            (0: no limit) pass; with BYTES, the answer is that long: the
 *                            datagram, cut or padded with zeros (a small request, a large,
 *                            fragmented reply)
 * send ADDR[,ADDR2] PORT RATE SECONDS [WAIT_MS [BYTES [TAIL_MS]]]
 *                            send RATE datagrams/s (to an IPv4 or IPv6 ADDR) for SECONDS, each
 *                            carrying its sequence number (and padded with zeros to BYTES,
 *                            8..65507, default 8); count the echoes that come back within
 *                            WAIT_MS after the last send (default 500). SIGUSR1 ends the
 *                            sending TAIL_MS (default 0) after it arrives, SECONDS then being
 *                            only a limit: a measurement that covers an operation of unknown
 *                            length and TAIL_MS after it. Prints one JSON line:
 *   {"sent":N,"received":N,"lost":N,"outage_ms":X,"max_gap_ms":Y,"first_lost":S,"last_lost":S,
 *    "rate":R,"addr":"ADDR","stopped":B}
 *   stopped    = true if SIGUSR1 ended it (false: SECONDS ran out first)
 *                            With two addresses (an IPv4 and an IPv6 one, say), two streams
 *                            share one clock: datagram S goes to both at its due time (the
 *                            order alternating from one S to the next), and each stream's
 *                            echoes are counted on its own socket; one JSON line per address,
 *                            in the order given. A failure then falls on the same sequence
 *                            number of both streams, and both are measured alike.
 *   outage_ms  = lost / RATE (RFC 6412: loss over the offered rate, not the wall-clock gap
 *                of a sender that slows down while replies are missing)
 *   max_gap_ms = the longest run of consecutive lost sequence numbers / RATE
 * The sender never waits for replies: the offered rate stays constant through an outage.
 */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A UDP socket bound to PORT: IPv6 and IPv4 on one socket, or IPv4 alone without IPv6. */
static int echo_socket(int port)
{
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int off = 0, fd = socket(AF_INET6, SOCK_DGRAM, 0);

	if (fd >= 0 && !setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) &&
	    !bind(fd, (struct sockaddr *)&sa6, sizeof(sa6)))
		return fd;
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int do_echo(int port, int seconds, int bytes)
{
	uint64_t end = seconds ? now_ns() + (uint64_t)seconds * 1000000000ull : UINT64_MAX;
	int fd = echo_socket(port);
	static char buf[65536];

	if (bytes < 0 || bytes > (int)sizeof(buf)) {
		fprintf(stderr, "xglb_probe echo: BYTES must be 0..%zu\n", sizeof(buf));
		return 2;
	}
	if (fd < 0) {
		perror("xglb_probe echo");
		return 1;
	}
	while (now_ns() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 0 && bytes) {
			if (n < bytes)
				memset(buf + n, 0, bytes - n);
			n = bytes;
		}
		if (n > 0)
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
	}
	return 0;
}

static void drain(int fd, uint8_t *seen, uint64_t total)
{
	uint64_t seq;

	while (recv(fd, &seq, sizeof(seq), MSG_DONTWAIT) == sizeof(seq))
		if (seq < total)
			seen[seq] = 1;
}

#define PROBE_MAX_DST 2

/* One stream of the probe: its destination, connected socket and echoes seen. */
struct stream {
	const char *addr;
	int fd;
	uint8_t *seen;
};

/* A socket connected to ADDR (IPv4 or IPv6) PORT, or -1 (-2: ADDR is not an address). */
static int stream_socket(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	bool v4 = inet_pton(AF_INET, addr, &sa.sin_addr) == 1;
	int fd;

	if (!v4 && inet_pton(AF_INET6, addr, &sa6.sin6_addr) != 1)
		return -2;
	fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, v4 ? (struct sockaddr *)&sa : (struct sockaddr *)&sa6,
			       v4 ? sizeof(sa) : sizeof(sa6))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static volatile sig_atomic_t stop_asked; /* SIGUSR1 came */

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

static void stream_report(const struct stream *st, uint64_t total, int rate, bool stopped)
{
	uint64_t lost = 0, run = 0, max_run = 0, received = 0;
	int64_t first_lost = -1, last_lost = -1;

	for (uint64_t s = 0; s < total; s++) {
		if (st->seen[s]) {
			received++;
			run = 0;
			continue;
		}
		lost++;
		if (first_lost < 0)
			first_lost = (int64_t)s;
		last_lost = (int64_t)s;
		if (++run > max_run)
			max_run = run;
	}
	printf("{\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"outage_ms\":%.1f,"
	       "\"max_gap_ms\":%.1f,\"first_lost\":%lld,\"last_lost\":%lld,\"rate\":%d,"
	       "\"addr\":\"%s\",\"stopped\":%s}\n",
	       (unsigned long long)total, (unsigned long long)received, (unsigned long long)lost,
	       lost * 1000.0 / rate, max_run * 1000.0 / rate, (long long)first_lost,
	       (long long)last_lost, rate, st->addr, stopped ? "true" : "false");
}

static int do_send(char *addrs, int port, int rate, int seconds, int wait_ms, int bytes,
		   int tail_ms)
{
	static uint8_t dgram[65507];
	struct stream st[PROBE_MAX_DST] = {0};
	uint64_t total = (uint64_t)rate * seconds, start, end_at = UINT64_MAX;
	bool stopped = false;
	struct pollfd p[PROBE_MAX_DST];
	int n = 0, rc = 0;
	char *save = NULL;

	if (rate <= 0 || seconds <= 0 || bytes < (int)sizeof(uint64_t) ||
	    bytes > (int)sizeof(dgram) || tail_ms < 0) {
		fprintf(stderr, "xglb_probe send: bad rate, duration or size\n");
		return 2;
	}
	for (char *a = strtok_r(addrs, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		if (n == PROBE_MAX_DST) {
			fprintf(stderr, "xglb_probe send: at most %d addresses\n", PROBE_MAX_DST);
			rc = 2;
			goto out;
		}
		st[n].addr = a;
		st[n].fd = stream_socket(a, port);
		if (st[n].fd == -2) {
			fprintf(stderr, "xglb_probe send: bad address '%s'\n", a);
			rc = 2;
			goto out;
		}
		if (st[n].fd < 0) {
			fprintf(stderr, "xglb_probe send: %s: %s\n", a, strerror(errno));
			rc = 1;
			goto out;
		}
		st[n].seen = calloc(total, 1);
		if (!st[n].seen) {
			perror("xglb_probe send");
			rc = 1;
			goto out;
		}
		p[n] = (struct pollfd){.fd = st[n].fd, .events = POLLIN};
		n++;
	}
	if (!n) {
		fprintf(stderr, "xglb_probe send: no address\n");
		return 2;
	}
	start = now_ns();
	for (uint64_t seq = 0; seq < total; seq++) {
		uint64_t due = start + seq * 1000000000ull / rate, t;

		if (stop_asked && end_at == UINT64_MAX)
			end_at = now_ns() + (uint64_t)tail_ms * 1000000ull;
		if (due >= end_at) { /* asked to stop: what was sent is the measurement */
			total = seq;
			stopped = true;
			break;
		}

		/* sleep to the due time to the nanosecond (no spinning on the last
		 * sub-millisecond), taking replies as they come */
		while ((t = now_ns()) < due) {
			struct timespec left = {.tv_sec = (due - t) / 1000000000ull,
						.tv_nsec = (due - t) % 1000000000ull};

			if (ppoll(p, n, &left, NULL) > 0)
				for (int i = 0; i < n; i++)
					if (p[i].revents)
						drain(st[i].fd, st[i].seen, total);
		}
		/* errors (no route, ARP failed) are losses like any other; with two
		 * streams, neither is always first */
		memcpy(dgram, &seq, sizeof(seq));
		for (int i = 0; i < n; i++)
			send(st[(i + seq) % n].fd, dgram, (size_t)bytes, MSG_DONTWAIT);
	}
	for (uint64_t end = now_ns() + (uint64_t)wait_ms * 1000000ull; now_ns() < end;)
		if (poll(p, n, 10) > 0)
			for (int i = 0; i < n; i++)
				if (p[i].revents)
					drain(st[i].fd, st[i].seen, total);
	for (int i = 0; i < n; i++)
		stream_report(&st[i], total, rate, stopped);
out:
	for (int i = 0; i < PROBE_MAX_DST; i++) {
		if (st[i].fd > 0)
			close(st[i].fd);
		free(st[i].seen);
	}
	return rc;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_stop);
	if (argc >= 3 && !strcmp(argv[1], "echo"))
		return do_echo(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 0,
			       argc > 4 ? atoi(argv[4]) : 0);
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
			       argc > 6 ? atoi(argv[6]) : 500,
			       argc > 7 ? atoi(argv[7]) : (int)sizeof(uint64_t),
			       argc > 8 ? atoi(argv[8]) : 0);
	fprintf(
	    stderr,
	    "usage: xglb_probe echo PORT [SECONDS [BYTES]]\n"
	    "       xglb_probe send ADDR[,ADDR2] PORT RATE SECONDS [WAIT_MS [BYTES [TAIL_MS]]]\n");
	return 2;
}

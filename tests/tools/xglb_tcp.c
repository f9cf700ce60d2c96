// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglb_tcp.c - parallel TCP connections with a verdict each; flow-owner lookups for steering. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "xglb.h"

/*
 * server PORT [SECONDS]
 *     Accept any number of connections and echo every byte back. When a
 *     client half-closes, the rest is echoed and the connection closed.
 *
 * client ADDR PORT [options]
 *     Open -n connections at once (non-blocking), then on each: -r rounds
 *     of "send -b bytes, read them back, compare", one round every -i ms,
 *     then half-close and wait for the server's close. Every step has a
 *     deadline (-c for connect, -t for a round or the close), so a
 *     connection whose packets a firewall drops ends as "timeout", never
 *     hangs. Prints one JSON line on stdout:
 *       {"conns":N,"ok":N,"failed":N,"reset":N,"timeout":N,"refused":N,
 *        "mismatch":N,"eof":N,"error":N,"bytes":B,"elapsed_ms":T,
 *        "c":[{"i":0,"sport":P,"owner":[S,...],"status":"ok","rounds":R,
 *              "bytes":B,"phase":"connect|round|close","err":"..."},...]}
 *     bytes = echoed bytes that came back and matched; status is one of
 *     ok, reset (ECONNRESET/EPIPE), timeout, refused, mismatch (echo
 *     differs), eof (closed by the server early), error (other errno).
 *     Options:
 *       -n CONNS        parallel connections (default 10, at most 4096)
 *       -b BYTES        bytes per round (default 4096)
 *       -r ROUNDS       rounds per connection (default 1)
 *       -i MS           interval between the starts of two rounds (default 0)
 *       -c MS           connect deadline (default 3000)
 *       -t MS           deadline of one round, and of the close (default 5000)
 *       -H AFTER        hold: rounds go on (every -i ms) until SIGUSR1; then
 *                       each connection does AFTER more rounds and closes
 *       -M MS           hold: act as if SIGUSR1 came after MS (default 120000)
 *       -p PIN_ROOT     an xglbd pin root: each connection's "owner" lists,
 *                       per -p given (up to 8), the owner slot of its flow in
 *                       that node's active steering tables at connect time
 *                       (-1: no steering table); see "owner" below
 *     "# established OK/N" goes to stderr once every connect has ended, and
 *     "# round R" each time all live connections completed round R.
 *
 * owner PIN_ROOT SRC SPORT DST DPORT
 *     The owner slot of that TCP flow in the node's active tables (slots
 *     are the nodes in id order, from 0), or -1 without steering tables.
 *
 * port PIN_ROOT SRC DST DPORT SLOT [FROM]
 *     The first source port >= FROM (default 20000) whose TCP flow to
 *     DST:DPORT slot SLOT owns.
 *
 * tables PIN_ROOT
 *     The node's active steering tables in one JSON line, for waiting on
 *     them: {"bank":B,"steer":true|false,"ifaces":[{"ifindex":I,"self":S,
 *     "valid":[slots whose MAC is known]}],"buckets":[buckets of slot 0,
 *     of slot 1, ...],"unowned":N} (buckets: slots up to the highest
 *     that owns one).
 *
 * Owner lookups read the pinned maps with the bpf() syscall (no libbpf):
 * xglb_ctl for the active bank, xglb_steer_cfg for the domain and bucket
 * mask of the first steering interface, xglb_steer_buckets for the slot,
 * hashing the tuple with xglb_flow_hash exactly as bpf/lib/steer.h does.
 */

#define MAX_CONNS 4096
#define MAX_PINS  8

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000ull + (uint64_t)ts.tv_nsec / 1000000ull;
}

/* ---- steering tables, read from the pins ------------------------------------------ */

struct owners {
	int ok;
	__u32 bank, dom, mask;
	int fd_buckets, fd_cfg;
};

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int obj_get(const char *root, const char *name)
{
	union bpf_attr a;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	memset(&a, 0, sizeof(a));
	a.pathname = (__u64)(uintptr_t)path;
	return sys_bpf(BPF_OBJ_GET, &a);
}

static int map_lookup(int fd, const void *key, void *val)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (__u32)fd;
	a.key = (__u64)(uintptr_t)key;
	a.value = (__u64)(uintptr_t)val;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
}

/* The active bank's steering domain and mask; ok = 0 when the node does not steer. */
static int owners_open(const char *root, struct owners *o)
{
	int fd_ctl = obj_get(root, XGLB_MAP_CTL), fd_cfg = obj_get(root, XGLB_MAP_STEER_CFG);
	/*
	 * Values are read into buffers larger than the structs, so a map whose
	 * value grew later (fields appended) cannot overrun them; the fields
	 * read here lead their structs.
	 */
	union {
		struct xglb_ctl v;
		char raw[4096];
	} ctl;
	union {
		struct xglb_steer_cfg v;
		char raw[4096];
	} cfg;
	__u32 k = 0;

	memset(o, 0, sizeof(*o));
	o->fd_buckets = obj_get(root, XGLB_MAP_STEER_BUCKETS);
	if (fd_ctl < 0 || fd_cfg < 0 || o->fd_buckets < 0 || map_lookup(fd_ctl, &k, &ctl)) {
		fprintf(stderr, "xglb_tcp: pins under %s: %s\n", root, strerror(errno));
		return -1;
	}
	o->bank = ctl.v.active_bank & 1;
	for (__u32 j = 0; j < XGLB_STEER_IFSLOTS; j++) {
		k = o->bank * XGLB_STEER_IFSLOTS + j;
		if (map_lookup(fd_cfg, &k, &cfg) == 0 && cfg.v.ifindex &&
		    (cfg.v.flags & XGLB_STEER_ON)) {
			o->ok = 1;
			o->dom = cfg.v.domain & (XGLB_STEER_MAX_DOMAINS - 1);
			o->mask = cfg.v.bucket_mask;
			break;
		}
	}
	close(fd_ctl);
	o->fd_cfg = fd_cfg;
	return 0;
}

/* Owner slot of a TCP flow (addresses in network order, ports in host order), -1 if none. */
static int owner_of(const struct owners *o, __be32 a, __u16 pa, __be32 b, __u16 pb)
{
	__u32 bucket, key;
	struct xglb_steer_chunk ch;

	if (!o->ok)
		return -1;
	bucket = xglb_flow_hash(ntohl(a), ntohl(b), pa, pb, XGLB_IPPROTO_TCP) & o->mask &
		 (XGLB_STEER_BUCKETS - 1);
	key = XGLB_STEER_CHUNK_KEY(o->bank, o->dom, bucket);
	if (map_lookup(o->fd_buckets, &key, &ch))
		return -1;
	return ch.owner[bucket % XGLB_STEER_CHUNK] == XGLB_STEER_NO_OWNER
		   ? -1
		   : ch.owner[bucket % XGLB_STEER_CHUNK];
}

static int do_tables(const char *root)
{
	__u32 counts[XGLB_STEER_MAX_NODES] = {0}, unowned = 0, top = 0;
	union {
		struct xglb_steer_cfg v;
		char raw[4096];
	} cfg;
	struct xglb_steer_chunk ch;
	struct owners o;
	bool first = true;

	if (owners_open(root, &o))
		return 1;
	printf("{\"bank\":%u,\"steer\":%s,\"ifaces\":[", o.bank, o.ok ? "true" : "false");
	for (__u32 j = 0; o.ok && j < XGLB_STEER_IFSLOTS; j++) {
		__u32 k = o.bank * XGLB_STEER_IFSLOTS + j;

		if (map_lookup(o.fd_cfg, &k, &cfg) || !cfg.v.ifindex ||
		    !(cfg.v.flags & XGLB_STEER_ON))
			continue;
		printf("%s{\"ifindex\":%u,\"self\":%d,\"valid\":[", first ? "" : ",", cfg.v.ifindex,
		       cfg.v.self == XGLB_STEER_NO_OWNER ? -1 : cfg.v.self);
		for (int s = 0, n = 0; s < XGLB_STEER_MAX_NODES; s++)
			if (cfg.v.peer[s].flags & XGLB_STEER_PEER_VALID)
				printf("%s%d", n++ ? "," : "", s);
		printf("]}");
		first = false;
	}
	printf("],\"buckets\":[");
	for (__u32 c = 0; o.ok && c <= o.mask / XGLB_STEER_CHUNK; c++) {
		__u32 key = XGLB_STEER_CHUNK_KEY(o.bank, o.dom, c * XGLB_STEER_CHUNK);

		if (map_lookup(o.fd_buckets, &key, &ch))
			return 1;
		for (__u32 b = 0; b < XGLB_STEER_CHUNK && c * XGLB_STEER_CHUNK + b <= o.mask; b++) {
			if (ch.owner[b] < XGLB_STEER_MAX_NODES) {
				counts[ch.owner[b]]++;
				if (ch.owner[b] + 1u > top)
					top = ch.owner[b] + 1u;
			} else {
				unowned++;
			}
		}
	}
	for (__u32 s = 0; s < top; s++)
		printf("%s%u", s ? "," : "", counts[s]);
	printf("],\"unowned\":%u}\n", unowned);
	return 0;
}

/* ---- server ------------------------------------------------------------------------- */

struct sconn {
	int fd;
	bool eof;
	size_t len, off; /* pending echo: buf[off..len) */
	char buf[65536];
};

static int do_server(int port, int seconds)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	uint64_t end = seconds ? now_ms() + (uint64_t)seconds * 1000 : UINT64_MAX;
	static struct pollfd pf[MAX_CONNS + 1];
	static struct sconn *sc[MAX_CONNS + 1];
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), n = 1, one = 1;

	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096)) {
		perror("xglb_tcp server");
		return 1;
	}
	pf[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	while (now_ms() < end) {
		for (int i = 1; i < n; i++)
			pf[i].events =
			    sc[i]->len > sc[i]->off ? POLLOUT : (sc[i]->eof ? 0 : POLLIN);
		if (poll(pf, n, 200) <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			int fd;

			while (n <= MAX_CONNS &&
			       (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				sc[n] = calloc(1, sizeof(*sc[n]));
				if (!sc[n]) {
					close(fd);
					break;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				sc[n]->fd = fd;
				pf[n] = (struct pollfd){.fd = fd};
				n++;
			}
		}
		for (int i = 1; i < n; i++) {
			struct sconn *c = sc[i];
			bool drop = false;
			ssize_t r;

			if (!pf[i].revents)
				continue;
			if (c->len > c->off) {
				r = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
				if (r > 0)
					c->off += (size_t)r;
				else if (r < 0 && errno != EAGAIN)
					drop = true;
				if (c->off == c->len)
					c->off = c->len = 0;
			} else if (!c->eof) {
				r = recv(c->fd, c->buf, sizeof(c->buf), 0);
				if (r > 0)
					c->len = (size_t)r;
				else if (r == 0)
					c->eof = true;
				else if (errno != EAGAIN)
					drop = true;
			} else if (pf[i].revents & (POLLERR | POLLHUP)) {
				drop = true;
			}
			if (c->eof && c->len == c->off)
				drop =
				    true; /* all echoed: close (our FIN ends the client's close) */
			if (drop) {
				close(c->fd);
				free(c);
				sc[i] = sc[n - 1];
				pf[i] = pf[n - 1];
				n--;
				i--;
			}
		}
	}
	return 0;
}

/* ---- client ------------------------------------------------------------------------- */

enum phase { P_CONNECT, P_ROUND, P_IDLE, P_CLOSE, P_DONE };
static const char *const phase_name[] = {"connect", "round", "idle", "close", "done"};

struct conn {
	int fd;
	enum phase ph;
	const char *status; /* NULL while running */
	enum phase failed_in;
	char err[64];
	__u16 sport;
	int owner[MAX_PINS];
	int rounds;  /* completed */
	int started; /* rounds started */
	int target;  /* rounds to do; -1: until SIGUSR1 */
	uint64_t deadline, next_round;
	size_t sent, got;
	uint64_t bytes;
};

static volatile sig_atomic_t g_usr1;

static void on_usr1(int sig)
{
	g_usr1 = 1;
}

static unsigned char pat(int conn, int round, size_t k)
{
	return (unsigned char)(conn * 131 + round * 17 + k * 7 + (k >> 8) * 3);
}

static void fail(struct conn *c, const char *status, int err)
{
	c->failed_in = c->ph;
	c->status = status;
	snprintf(c->err, sizeof(c->err), "%s", err ? strerror(err) : "");
	if (c->fd >= 0) {
		/* no RST from us: a reset in the results is always the network's or the server's */
		close(c->fd);
		c->fd = -1;
	}
	c->ph = P_DONE;
}

static void fail_errno(struct conn *c, int err)
{
	if (err == ECONNRESET || err == EPIPE)
		fail(c, "reset", err);
	else if (err == ECONNREFUSED)
		fail(c, "refused", err);
	else if (err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH)
		fail(c, err == ETIMEDOUT ? "timeout" : "error", err);
	else
		fail(c, "error", err);
}

struct copts {
	int n, rounds, interval_ms, connect_ms, timeout_ms, hold_after;
	size_t bytes;
	uint64_t max_ms;
	int n_pins;
	const char *pins[MAX_PINS];
};

static void start_round(struct conn *c, uint64_t t, const struct copts *o)
{
	c->ph = P_ROUND;
	c->sent = c->got = 0;
	c->started++;
	c->deadline = t + (uint64_t)o->timeout_ms;
	c->next_round = t + (uint64_t)o->interval_ms;
}

static void start_close(struct conn *c, uint64_t t, const struct copts *o)
{
	c->ph = P_CLOSE;
	c->deadline = t + (uint64_t)o->timeout_ms;
	if (shutdown(c->fd, SHUT_WR))
		fail_errno(c, errno);
}

/* One step of connection i after poll said revents (0: only deadlines/timers). */
static void step(struct conn *c, int i, short revents, uint64_t t, const struct copts *o)
{
	unsigned char buf[65536];
	ssize_t r;

	if (c->ph == P_CONNECT && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err) {
			fail_errno(c, err);
			return;
		}
		c->ph = P_IDLE;
		c->next_round = t;
	}
	if (c->ph == P_ROUND && (revents & (POLLOUT | POLLERR | POLLHUP)) && c->sent < o->bytes) {
		size_t n = o->bytes - c->sent;

		if (n > sizeof(buf))
			n = sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = pat(i, c->started, c->sent + k);
		r = send(c->fd, buf, n, MSG_NOSIGNAL);
		if (r > 0)
			c->sent += (size_t)r;
		else if (r < 0 && errno != EAGAIN) {
			fail_errno(c, errno);
			return;
		}
	}
	if (c->ph == P_ROUND && (revents & (POLLIN | POLLERR | POLLHUP))) {
		r = recv(c->fd, buf, sizeof(buf), 0);
		if (r > 0) {
			if (c->got + (size_t)r > o->bytes) {
				fail(c, "mismatch", 0);
				return;
			}
			for (ssize_t k = 0; k < r; k++)
				if (buf[k] != pat(i, c->started, c->got + (size_t)k)) {
					fail(c, "mismatch", 0);
					return;
				}
			c->got += (size_t)r;
			c->bytes += (size_t)r;
		} else if (r == 0) {
			fail(c, "eof", 0);
			return;
		} else if (errno != EAGAIN) {
			fail_errno(c, errno);
			return;
		}
		if (c->got == o->bytes) {
			c->rounds++;
			c->ph = P_IDLE;
		}
	}
	if (c->ph == P_CLOSE && (revents & (POLLIN | POLLERR | POLLHUP))) {
		r = recv(c->fd, buf, sizeof(buf), 0);
		if (r == 0) {
			close(c->fd);
			c->fd = -1;
			c->status = "ok";
			c->ph = P_DONE;
			return;
		}
		if (r > 0) {
			fail(c, "mismatch", 0);
			return;
		}
		if (errno != EAGAIN) {
			fail_errno(c, errno);
			return;
		}
	}
	if (c->ph == P_IDLE) {
		if (c->target >= 0 && c->rounds >= c->target)
			start_close(c, t, o);
		else if (t >= c->next_round)
			start_round(c, t, o);
	}
	if ((c->ph == P_CONNECT || c->ph == P_ROUND || c->ph == P_CLOSE) && t >= c->deadline)
		fail(c, "timeout", 0);
}

static short want_events(const struct conn *c, const struct copts *o)
{
	switch (c->ph) {
	case P_CONNECT:
		return POLLOUT;
	case P_ROUND:
		return POLLIN | (c->sent < o->bytes ? POLLOUT : 0);
	case P_CLOSE:
		return POLLIN;
	default:
		return 0;
	}
}

static int do_client(const char *addr, int port, const struct copts *o)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	static struct conn cs[MAX_CONNS];
	static struct pollfd pf[MAX_CONNS];
	struct owners ow[MAX_PINS];
	uint64_t t0 = now_ms(), usr1_at = t0 + o->max_ms;
	int one = 1, last_round = 0;
	bool announced = false, held = false;
	struct sigaction act = {.sa_handler = on_usr1};

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || o->n < 1 || o->n > MAX_CONNS) {
		fprintf(stderr, "xglb_tcp client: bad address or connection count\n");
		return 2;
	}
	sigaction(SIGUSR1, &act, NULL); /* no SA_RESTART: poll returns at once */
	for (int p = 0; p < o->n_pins; p++)
		if (owners_open(o->pins[p], &ow[p]))
			return 1;
	for (int i = 0; i < o->n; i++) {
		struct conn *c = &cs[i];
		struct sockaddr_in me;
		socklen_t l = sizeof(me);

		memset(c, 0, sizeof(*c));
		c->target = o->hold_after >= 0 ? -1 : o->rounds;
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (c->fd < 0) {
			perror("xglb_tcp client: socket");
			return 1;
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->ph = P_CONNECT;
		c->deadline = now_ms() + (uint64_t)o->connect_ms;
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
			fail_errno(c, errno);
			continue;
		}
		if (getsockname(c->fd, (struct sockaddr *)&me, &l) == 0) {
			c->sport = ntohs(me.sin_port);
			for (int p = 0; p < o->n_pins; p++)
				c->owner[p] = owner_of(&ow[p], me.sin_addr.s_addr, c->sport,
						       sa.sin_addr.s_addr, (__u16)port);
		}
	}
	for (;;) {
		uint64_t t = now_ms(), wake = t + 100;
		int live = 0, connecting = 0, min_round = -1;

		if (!held && o->hold_after >= 0 && (g_usr1 || t >= usr1_at)) {
			held = true;
			for (int i = 0; i < o->n; i++)
				if (cs[i].ph != P_DONE)
					cs[i].target = cs[i].started + o->hold_after;
		}
		for (int i = 0; i < o->n; i++) {
			struct conn *c = &cs[i];

			if (c->ph == P_DONE) {
				pf[i] = (struct pollfd){.fd = -1};
				continue;
			}
			live++;
			connecting += c->ph == P_CONNECT;
			if (c->ph != P_CONNECT && (min_round < 0 || c->rounds < min_round))
				min_round = c->rounds;
			pf[i] = (struct pollfd){.fd = c->fd, .events = want_events(c, o)};
			if (c->ph == P_IDLE && c->next_round < wake)
				wake = c->next_round;
			if (c->ph != P_IDLE && c->deadline < wake)
				wake = c->deadline;
		}
		if (!announced && !connecting) {
			int ok = 0;

			for (int i = 0; i < o->n; i++)
				ok += !cs[i].status || !strcmp(cs[i].status, "ok");
			fprintf(stderr, "# established %d/%d\n", ok, o->n);
			announced = true;
		}
		if (announced && min_round > last_round) {
			last_round = min_round;
			fprintf(stderr, "# round %d\n", last_round);
		}
		if (!live)
			break;
		if (poll(pf, (nfds_t)o->n, wake > t ? (int)(wake - t) : 0) < 0 && errno != EINTR) {
			perror("xglb_tcp client: poll");
			return 1;
		}
		t = now_ms();
		for (int i = 0; i < o->n; i++)
			if (cs[i].ph != P_DONE)
				step(&cs[i], i, pf[i].fd >= 0 ? pf[i].revents : 0, t, o);
	}

	{
		int cnt[8] = {0}, ok = 0;
		uint64_t bytes = 0;
		static const char *const names[] = {"reset",	"timeout", "refused",
						    "mismatch", "eof",	   "error"};

		for (int i = 0; i < o->n; i++) {
			bytes += cs[i].bytes;
			if (!strcmp(cs[i].status, "ok"))
				ok++;
			for (int k = 0; k < 6; k++)
				cnt[k] += !strcmp(cs[i].status, names[k]);
		}
		printf("{\"conns\":%d,\"ok\":%d,\"failed\":%d", o->n, ok, o->n - ok);
		for (int k = 0; k < 6; k++)
			printf(",\"%s\":%d", names[k], cnt[k]);
		printf(",\"bytes\":%llu,\"elapsed_ms\":%llu,\"c\":[", (unsigned long long)bytes,
		       (unsigned long long)(now_ms() - t0));
		for (int i = 0; i < o->n; i++) {
			const struct conn *c = &cs[i];

			printf("%s{\"i\":%d,\"sport\":%u,\"owner\":[", i ? "," : "", i, c->sport);
			for (int p = 0; p < o->n_pins; p++)
				printf("%s%d", p ? "," : "", c->owner[p]);
			printf("],\"status\":\"%s\",\"rounds\":%d,\"bytes\":%llu,\"phase\":\"%s\","
			       "\"err\":\"%s\"}",
			       c->status, c->rounds, (unsigned long long)c->bytes,
			       strcmp(c->status, "ok") ? phase_name[c->failed_in] : "done", c->err);
		}
		printf("]}\n");
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: xglb_tcp server PORT [SECONDS]\n"
	    "       xglb_tcp client ADDR PORT [-n CONNS] [-b BYTES] [-r ROUNDS] [-i MS] [-c MS]\n"
	    "                [-t MS] [-H AFTER_ROUNDS] [-M MS] [-p PIN_ROOT]...\n"
	    "       xglb_tcp owner PIN_ROOT SRC SPORT DST DPORT\n"
	    "       xglb_tcp port PIN_ROOT SRC DST DPORT SLOT [FROM]\n"
	    "       xglb_tcp tables PIN_ROOT\n");
	return 2;
}

/* Where client option opt goes if it takes an int (-n -r -i -c -t -H), else NULL. */
static int *int_option(struct copts *o, int opt)
{
	const struct {
		char opt;
		int *dst;
	} rows[] = {{'n', &o->n},	   {'r', &o->rounds},	  {'i', &o->interval_ms},
		    {'c', &o->connect_ms}, {'t', &o->timeout_ms}, {'H', &o->hold_after}};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].opt == opt)
			return rows[i].dst;
	return NULL;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && !strcmp(argv[1], "server"))
		return do_server(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 0);
	if (argc >= 4 && !strcmp(argv[1], "client")) {
		struct copts o = {.n = 10,
				  .rounds = 1,
				  .connect_ms = 3000,
				  .timeout_ms = 5000,
				  .hold_after = -1,
				  .bytes = 4096,
				  .max_ms = 120000};
		int opt;

		optind = 4;
		while ((opt = getopt(argc, argv, "n:b:r:i:c:t:H:M:p:")) != -1) {
			int *dst = int_option(&o, opt);

			if (dst)
				*dst = atoi(optarg);
			else if (opt == 'b')
				o.bytes = (size_t)atol(optarg);
			else if (opt == 'M')
				o.max_ms = (uint64_t)atoll(optarg);
			else if (opt == 'p' && o.n_pins < MAX_PINS)
				o.pins[o.n_pins++] = optarg;
			else
				return usage();
		}
		if (o.bytes < 1 || o.rounds < 0)
			return usage();
		return do_client(argv[2], atoi(argv[3]), &o);
	}
	if (argc == 7 && !strcmp(argv[1], "owner")) {
		struct owners o;
		struct in_addr a, b;

		if (inet_pton(AF_INET, argv[3], &a) != 1 || inet_pton(AF_INET, argv[5], &b) != 1 ||
		    owners_open(argv[2], &o))
			return usage();
		printf("%d\n", owner_of(&o, a.s_addr, (__u16)atoi(argv[4]), b.s_addr,
					(__u16)atoi(argv[6])));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "tables"))
		return do_tables(argv[2]);
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "port")) {
		struct owners o;
		struct in_addr a, b;
		int want = atoi(argv[6]), from = argc == 8 ? atoi(argv[7]) : 20000;

		if (inet_pton(AF_INET, argv[3], &a) != 1 || inet_pton(AF_INET, argv[4], &b) != 1 ||
		    owners_open(argv[2], &o))
			return usage();
		for (int p = from; p < 65536; p++)
			if (owner_of(&o, a.s_addr, (__u16)p, b.s_addr, (__u16)atoi(argv[5])) ==
			    want) {
				printf("%d\n", p);
				return 0;
			}
		fprintf(stderr, "xglb_tcp port: no port >= %d owned by slot %d\n", from, want);
		return 1;
	}
	return usage();
}

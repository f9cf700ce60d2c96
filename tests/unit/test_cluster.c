// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_cluster.c - the membership runtime over loopback: signing after a reload, freshness across
 * restarts and reloads. */
#include "testlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "bootctr.h"
#include "cluster.h"
#include "proto.h"

#define KEY_HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/*
 * Two nodes, r1 (us) and r2, one group. The loader refuses loopback node
 * addresses, so they are moved to 127.0.0.1 and 127.0.0.2 after loading.
 */
static struct xglb_config *load(const char *path)
{
	struct xglb_config *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	assert_int_equal(xglb_config_load(path, "r1", cfg, stderr), 0);
	assert_int_equal(cfg->n_nodes, 2);
	inet_pton(AF_INET, "127.0.0.1", &cfg->nodes[0].address);
	inet_pton(AF_INET, "127.0.0.2", &cfg->nodes[1].address);
	return cfg;
}

static void eight_groups_down(struct xglb_cluster *c, int rx, struct xglb_config *cfg)
{
	xglb_cluster_close(c);
	close(rx);
	free(cfg);
	free(c);
}

/* A new config file (mkstemp at path) up to "groups:", for the caller's groups; or NULL. */
static FILE *config_head(char *path, int port)
{
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (f)
		fprintf(f,
			"node: r1\n"
			"membership: {port: %d, key: \"" KEY_HEX "\"}\n"
			"nodes:\n"
			"  - {name: r1, id: 1, address: 192.0.2.1}\n"
			"  - {name: r2, id: 2, address: 192.0.2.2}\n"
			"groups:\n",
			port);
	return f;
}

static int write_config(char *path, int port)
{
	FILE *f = config_head(path, port);

	if (!f)
		return -1;
	fputs("  - id: 1\n"
	      "    vip: 10.0.0.1\n"
	      "    interfaces: [lo]\n"
	      "    timers: {hello-ms: 100, hold-ms: 1000}\n"
	      "    forwarders: [{owner: r1}, {owner: r2}]\n",
	      f);
	return fclose(f);
}

/* write_config(PORT) loaded twice (the configuration before a reload and after it), and its key. */
static void load_twice(int port, struct xglb_config **a, struct xglb_config **b, __u8 key[32])
{
	char path[] = "/tmp/xglb-test-cluster.XXXXXX";

	assert_int_equal(write_config(path, port), 0);
	*a = load(path);
	*b = load(path);
	unlink(path);
	for (int i = 0; i < 32; i++)
		sscanf(KEY_HEX + 2 * i, "%2hhx", &key[i]);
}

/* A peer's UDP socket on 127.0.0.ID:port, sending with TTL 255 as xglbd does. */
static int peer_socket(int id, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(0x7f000000u | id)};
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, ttl = 255;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/*
 * SIGHUP: xglbd loads a new configuration, hands it to
 * xglb_cluster_reconfigure and frees the old one. Hellos sent after that
 * must still carry a valid HMAC (the old key bytes are gone; xglbd crashed
 * here once the configuration grew large enough to be unmapped on free).
 */
static void reload_keeps_signing_with_the_key(void **state)
{
	struct xglb_config *a, *b;
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct xglb_cluster_io io = {0};
	__u8 macs[XGLB_MAX_GROUPS][6] = {{2, 0, 0, 0, 0, 1}};
	__u8 buf[XGLB_MSG_MAX + 1], key[32];
	struct xglb_msg m;
	__u64 now = 1000000000ull;
	int port = 20000 + getpid() % 20000, rx, n, ok = 0;

	assert_non_null(c);
	load_twice(port, &a, &b, key);
	assert_int_equal(a->key_len, 32);
	assert_memory_equal(a->key, key, 32);

	/* r2's socket, where r1's hellos arrive */
	rx = peer_socket(2, port);

	assert_int_equal(xglb_cluster_init(c, a, 1, (const __u8(*)[6])macs, NULL, now, &io), 0);
	xglb_cluster_tick(c, now); /* first hello */
	n = (int)recv(rx, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_int_equal(xglb_msg_decode(buf, n, key, sizeof(key), &m), XGLB_RX_OK);

	xglb_cluster_reconfigure(c, b, (const __u8(*)[6])macs, now);
	memset(a, 0xa5, sizeof(*a)); /* what is left of the old configuration */
	free(a);
	for (int k = 1; k <= 3; k++) {
		xglb_cluster_tick(c, now + k * 200000000ull);
		n = (int)recv(rx, buf, sizeof(buf), 0);
		assert_true(n > 0);
		ok += xglb_msg_decode(buf, n, key, sizeof(key), &m) == XGLB_RX_OK;
	}
	assert_int_equal(ok, 3);

	xglb_cluster_close(c);
	close(rx);
	free(b);
	free(c);
}

/* ---- freshness: echo of our boot, one sequence, windows by node id ---------- */

/* Three nodes r1 (us), r2, r3 listed in ORDER (e.g. "r1 r2 r3"), on 127.0.0.x by name. */
static struct xglb_config *load3(int port, const char *order, const char *vip)
{
	char path[] = "/tmp/xglb-test-cluster.XXXXXX", name[3][8];
	struct xglb_config *cfg = calloc(1, sizeof(*cfg));
	int fd = mkstemp(path);
	FILE *f;

	assert_non_null(cfg);
	assert_true(fd >= 0);
	assert_int_equal(sscanf(order, "%7s %7s %7s", name[0], name[1], name[2]), 3);
	f = fdopen(fd, "w");
	fprintf(f, "node: r1\nmembership: {port: %d, key: \"" KEY_HEX "\"}\nnodes:\n", port);
	for (int i = 0; i < 3; i++)
		fprintf(f, "  - {name: %s, id: %c, address: 192.0.2.%c}\n", name[i], name[i][1],
			name[i][1]);
	fprintf(f,
		"groups:\n"
		"  - id: 1\n"
		"    vip: %s\n"
		"    interfaces: [lo]\n"
		"    timers: {hello-ms: 100, hold-ms: 1000}\n"
		"    forwarders: [{owner: r1}, {owner: r2}]\n",
		vip);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(xglb_config_load(path, "r1", cfg, stderr), 0);
	unlink(path);
	for (int i = 0; i < cfg->n_nodes; i++) {
		char a[16];

		snprintf(a, sizeof(a), "127.0.0.%u", cfg->nodes[i].id);
		inet_pton(AF_INET, a, &cfg->nodes[i].address);
	}
	return cfg;
}

static __u8 test_key[32];

/* Node id's hello (admin: drain r1 if set), encoded into buf; returns its length. */
static int peer_hello(__u8 *buf, __u32 id, __u32 boot, __u64 seq, __u32 echo, bool drain_r1)
{
	struct xglb_msg m = {.type = XGLB_MSG_HELLO,
			     .gid = 1,
			     .node_id = id,
			     .boot = boot,
			     .seq = seq,
			     .echo = echo,
			     .priority = 100,
			     .weight = 100,
			     .mac = {2, 0, 0, 0, 0, (__u8)id},
			     .hello_ms = 100,
			     .hold_ms = 1000};
	int len;

	if (drain_r1) {
		m.flags |= XGLB_MSGF_ADMIN;
		m.admin_op = XGLB_ADMIN_DRAIN;
		m.admin_target = 1;
	}
	len = xglb_msg_encode(&m, test_key, sizeof(test_key), buf, XGLB_MSG_MAX);
	assert_true(len > 0);
	return len;
}

/* Deliver buf/len from the peer socket fd to r1 and let r1's cluster read it; the reason it
 * counted. */
static int deliver(struct xglb_cluster *c, int fd, const __u8 *buf, int len, int port, __u64 now)
{
	struct sockaddr_in to = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001u)};
	__u64 before[XGLB_RX_MAX];

	memcpy(before, c->mem.rx, sizeof(before));
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)), len);
	xglb_cluster_readable(c, now);
	for (int r = 0; r < XGLB_RX_MAX; r++)
		if (c->mem.rx[r] != before[r])
			return r;
	return -1;
}

/* r1's latest hello as received on fd (a peer's socket), decoded; every one waiting must decode. */
static void next_hello(int fd, struct xglb_msg *m)
{
	__u8 buf[XGLB_MSG_MAX + 1];
	int n = (int)recv(fd, buf, sizeof(buf), 0);

	while (n > 0) {
		assert_int_equal(xglb_msg_decode(buf, n, test_key, sizeof(test_key), m),
				 XGLB_RX_OK);
		n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	}
	assert_int_equal(m->type, XGLB_MSG_HELLO);
}

static int drains;
static void count_drain(void *ctx, bool drained)
{
	drains += drained;
}

static bool peer_up(const struct xglb_cluster *c, __u32 id)
{
	const struct xglb_fsm_node *n = xglb_fsm_node(&c->fsm[0], id);

	return n && n->up;
}

/*
 * Hellos recorded from r2, one of them carrying an operator's "drain r1",
 * sent again after r1's xglbd restarted (a new boot from the counter
 * file): none is accepted, because none echoes r1's new boot; r1 stays
 * undrained and does not show r2 up. A fresh hello of r2 that echoes the
 * new boot is accepted at once.
 */
static void replay_after_restart_is_refused(void **state)
{
	char dir[] = "/tmp/xglb-test-state.XXXXXX", why[256];
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct xglb_cluster_io io = {.drain = count_drain};
	__u8 macs[XGLB_MAX_GROUPS][6] = {{2, 0, 0, 0, 0, 1}};
	__u8 rec[2][XGLB_MSG_MAX], buf[XGLB_MSG_MAX];
	int port = 20000 + (getpid() + 1) % 20000, r2, r3, len[2], n;
	__u64 now = 1000000000ull;
	struct xglb_config *cfg;
	struct xglb_msg m;
	__u32 boot;

	assert_non_null(c);
	assert_non_null(mkdtemp(dir));
	cfg = load3(port, "r1 r2 r3", "10.0.0.1");
	memcpy(test_key, cfg->key, 32);
	r2 = peer_socket(2, port);
	r3 = peer_socket(3, port);

	assert_int_equal(xglb_boot_next(dir, &boot, why, sizeof(why)), 0);
	assert_int_equal(xglb_cluster_init(c, cfg, boot, (const __u8(*)[6])macs, NULL, now, &io),
			 0);

	/* r2 has not heard r1 yet: its first hello echoes 0, is refused, but teaches r1 r2's boot
	 */
	n = peer_hello(buf, 2, 7, 1, 0, false);
	assert_int_equal(deliver(c, r2, buf, n, port, now), XGLB_RX_ECHO);
	assert_false(peer_up(c, 2));
	xglb_cluster_tick(c, now); /* r1 answers at once, echoing r2's boot */
	next_hello(r2, &m);
	assert_int_equal(m.boot, boot);
	assert_int_equal(m.echo, 7);
	next_hello(r3, &m);
	assert_int_equal(m.echo, 0); /* r3 never spoke */

	len[0] = peer_hello(rec[0], 2, 7, 2, boot, true); /* "drain r1", recorded */
	assert_int_equal(deliver(c, r2, rec[0], len[0], port, now), XGLB_RX_OK);
	assert_int_equal(drains, 1);
	len[1] = peer_hello(rec[1], 2, 7, 3, boot, false);
	assert_int_equal(deliver(c, r2, rec[1], len[1], port, now), XGLB_RX_OK);
	assert_true(peer_up(c, 2));
	/* within one run, the window refuses them */
	assert_int_equal(deliver(c, r2, rec[0], len[0], port, now), XGLB_RX_REPLAY);
	assert_int_equal(drains, 1);

	/* r1 restarts: a new boot, from the file */
	xglb_cluster_close(c);
	assert_int_equal(xglb_boot_next(dir, &boot, why, sizeof(why)), 0);
	assert_int_equal(boot, 2);
	memset(c, 0, sizeof(*c));
	assert_int_equal(xglb_cluster_init(c, cfg, boot, (const __u8(*)[6])macs, NULL, now, &io),
			 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(deliver(c, r2, rec[i], len[i], port, now), XGLB_RX_ECHO);
	assert_int_equal(drains, 1);
	assert_false(peer_up(c, 2));
	assert_int_equal(c->mem.rx[XGLB_RX_OK], 0);

	/* r2 learns the new boot from r1's hello and proves itself with the next one */
	n = peer_hello(buf, 2, 7, 4, boot, false);
	assert_int_equal(deliver(c, r2, buf, n, port, now), XGLB_RX_OK);
	assert_true(peer_up(c, 2));

	xglb_cluster_close(c);
	close(r2);
	close(r3);
	free(cfg);
	free(c);
	t_rm_boot_dir(dir);
}

/*
 * A reload that lists the nodes in another order and re-creates the group
 * (its VIP changed): r1's sequence goes on from where it was, r2 and r3
 * are still accepted (their windows follow their ids, not their places in
 * the file), and a hello of r2 accepted before the reload is still a replay.
 */
static void reload_keeps_sequence_and_windows(void **state)
{
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct xglb_cluster_io io = {0};
	__u8 macs[XGLB_MAX_GROUPS][6] = {{2, 0, 0, 0, 0, 1}};
	__u8 old[XGLB_MSG_MAX], buf[XGLB_MSG_MAX];
	int port = 20000 + (getpid() + 2) % 20000, r2, r3, n, n_old;
	__u64 now = 1000000000ull, seq_before;
	struct xglb_config *a, *b;
	struct xglb_msg m;

	assert_non_null(c);
	a = load3(port, "r1 r2 r3", "10.0.0.1");
	b = load3(port, "r1 r3 r2", "10.0.0.2");
	memcpy(test_key, a->key, 32);
	r2 = peer_socket(2, port);
	r3 = peer_socket(3, port);
	assert_int_equal(xglb_cluster_init(c, a, 5, (const __u8(*)[6])macs, NULL, now, &io), 0);

	n = peer_hello(buf, 3, 900, 50, 5, false); /* r3 runs a much later boot than r2 */
	assert_int_equal(deliver(c, r3, buf, n, port, now), XGLB_RX_OK);
	n_old = peer_hello(old, 2, 4, 10, 5, false);
	assert_int_equal(deliver(c, r2, old, n_old, port, now), XGLB_RX_OK);
	xglb_cluster_tick(c, now);
	next_hello(r2, &m);
	seq_before = c->seq;
	assert_true(seq_before >= m.seq);

	xglb_cluster_reconfigure(c, b, (const __u8(*)[6])macs, now);
	free(a);
	assert_int_equal(c->fsm[0].vip, b->groups[0].vip); /* the group was created afresh */

	n = peer_hello(buf, 2, 4, 11, 5, false);
	assert_int_equal(deliver(c, r2, buf, n, port, now + 1), XGLB_RX_OK);
	n = peer_hello(buf, 3, 900, 51, 5, false);
	assert_int_equal(deliver(c, r3, buf, n, port, now + 1), XGLB_RX_OK);
	assert_int_equal(deliver(c, r2, old, n_old, port, now + 1), XGLB_RX_REPLAY);

	xglb_cluster_tick(c, now + 200000000ull);
	next_hello(r2, &m);
	assert_true(c->seq > seq_before);
	assert_int_equal(m.boot, 5);
	assert_int_equal(m.echo, 4);
	assert_true(m.seq > seq_before);

	xglb_cluster_close(c);
	close(r2);
	close(r3);
	free(b);
	free(c);
}

/* The next hello r1 sends (its timer is due at once after a change). */
static void tick_hello(struct xglb_cluster *c, int rx, __u64 now, const __u8 key[32],
		       struct xglb_msg *m)
{
	__u8 buf[XGLB_MSG_MAX + 1];
	int n;

	xglb_cluster_tick(c, now);
	n = (int)recv(rx, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_int_equal(xglb_msg_decode(buf, n, key, 32, m), XGLB_RX_OK);
}

/*
 * A group the node withdraws from (an interface missing: priority and
 * weight 0; forwarding off: weight 0) says so in its next hello, whatever
 * tracking sets node-wide and across a reload, until the withdrawal ends;
 * a new MAC goes out in the next hello too.
 */
static void withdrawal_rides_on_hellos(void **state)
{
	struct xglb_config *a, *b;
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct xglb_cluster_io io = {0};
	__u8 macs[XGLB_MAX_GROUPS][6] = {{2, 0, 0, 0, 0, 1}}, mac2[6] = {2, 0, 0, 0, 0, 9}, key[32];
	struct xglb_msg m;
	__u64 now = 1000000000ull, step = 10000000ull;
	int port = 20000 + (getpid() + 7) % 20000, rx;

	assert_non_null(c);
	load_twice(port, &a, &b, key);
	rx = peer_socket(2, port);
	assert_int_equal(xglb_cluster_init(c, a, 1, (const __u8(*)[6])macs, NULL, now, &io), 0);

	tick_hello(c, rx, now, key, &m);
	assert_int_equal(m.priority, a->nodes[0].priority);
	assert_int_equal(m.weight, a->nodes[0].weight);
	assert_true(m.priority > 0 && m.weight > 0);

	xglb_cluster_withdraw(c, 0, XGLB_WITHDRAW_FWD); /* forwarding off */
	tick_hello(c, rx, now += step, key, &m);
	assert_int_equal(m.priority, a->nodes[0].priority);
	assert_int_equal(m.weight, 0);

	xglb_cluster_set_self(c, 50, 40); /* tracking lowers the node: the group stays at 0 */
	tick_hello(c, rx, now += step, key, &m);
	assert_int_equal(m.priority, 50);
	assert_int_equal(m.weight, 0);

	xglb_cluster_withdraw(c, 0, XGLB_WITHDRAW_AVG | XGLB_WITHDRAW_FWD); /* interface gone */
	tick_hello(c, rx, now += step, key, &m);
	assert_int_equal(m.priority, 0);
	assert_int_equal(m.weight, 0);

	xglb_cluster_reconfigure(c, b, (const __u8(*)[6])macs, now);
	free(a);
	tick_hello(c, rx, now += 200000000ull, key, &m); /* the regular hello */
	assert_int_equal(m.priority, 0);
	assert_int_equal(m.weight, 0);

	xglb_cluster_withdraw(c, 0, 0); /* back */
	xglb_cluster_set_mac(c, 0, mac2);
	tick_hello(c, rx, now += step, key, &m);
	assert_int_equal(m.priority, b->nodes[0].priority);
	assert_int_equal(m.weight, b->nodes[0].weight);
	assert_memory_equal(m.mac, mac2, 6);

	xglb_cluster_close(c);
	close(rx);
	free(b);
	free(c);
}

/* io.commit of one_commit_per_pass: commits, and hellos sent before the last one. */
struct commits {
	struct xglb_cluster *c;
	int n;
	__u64 tx_at_commit;
};

static void count_commit(void *ctx)
{
	struct commits *k = ctx;

	k->n++;
	k->tx_at_commit = k->c->mem.tx_ok;
}

static int avg_groups(const struct xglb_cluster *c)
{
	int n = 0;

	for (int g = 0; g < c->n_groups; g++)
		n += c->fsm[g].avg == c->cfg->nodes[c->cfg->self].id;
	return n;
}

/*
 * Eight groups on lo (hello 100 ms, hold hold_ms; forwarders of r1 and r2)
 * of this node r1 at now; *rx: a socket as r2 on the groups' port (salt
 * picks it). Returns the config.
 */
static struct xglb_config *eight_groups(struct xglb_cluster *c, int salt, int hold_ms,
					struct xglb_cluster_io *io, int *rx, __u64 now)
{
	static const __u8 macs[XGLB_MAX_GROUPS][6] = {{2, 0, 0, 0, 0, 1}};
	char path[] = "/tmp/xglb-test-cluster.XXXXXX";
	int port = 20000 + (getpid() + salt) % 20000;
	struct xglb_config *cfg;
	FILE *f = config_head(path, port);

	assert_non_null(c);
	assert_non_null(f);
	for (int g = 1; g <= 8; g++)
		fprintf(f,
			"  - {id: %d, vip: 10.0.%d.1, interfaces: [lo], timers: {hello-ms: 100, "
			"hold-ms: %d}, forwarders: [{owner: r1}, {owner: r2}]}\n",
			g, g, hold_ms);
	assert_int_equal(fclose(f), 0);
	cfg = load(path);
	unlink(path);
	assert_int_equal(cfg->n_groups, 8);
	*rx = peer_socket(2, port);
	assert_int_equal(xglb_cluster_init(c, cfg, 1, macs, NULL, now, io), 0);
	return cfg;
}

/* The same, ticked until r1 is the AVG of all of them at *now (r2 silent). */
static struct xglb_config *eight_groups_up(struct xglb_cluster *c, int salt, int hold_ms,
					   struct xglb_cluster_io *io, int *rx, __u64 *now)
{
	struct xglb_config *cfg = eight_groups(c, salt, hold_ms, io, rx, *now);

	for (int i = 0; i < 300 && avg_groups(c) < 8; i++, *now += 10000000ull)
		xglb_cluster_tick(c, *now);
	assert_int_equal(avg_groups(c), 8);
	return cfg;
}

/*
 * Many groups changing in one tick (here 8 groups whose peer never speaks,
 * all becoming AVG at once; a dead peer's 255 groups failing over alike)
 * make one commit, not one per group: each commit rebuilds every group's
 * table and may wait a grace period. The tables still come first: no hello
 * of that tick leaves before the commit.
 */
static void one_commit_per_pass(void **state)
{
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct commits k = {.c = c};
	struct xglb_cluster_io io = {.ctx = &k, .commit = count_commit};
	__u8 buf[XGLB_MSG_MAX + 1];
	__u64 now = 1000000000ull, step = 10000000ull;
	int rx, together = 0;
	struct xglb_config *cfg = eight_groups(c, 13, 300, &io, &rx, now);

	(void)state;

	for (int i = 0; i < 300 && avg_groups(c) < 8; i++, now += step) {
		int before = k.n, avgs = avg_groups(c);
		__u64 tx = c->mem.tx_ok;

		xglb_cluster_tick(c, now);
		while (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;			     /* r2 hears and never answers */
		assert_in_range(k.n - before, 0, 1); /* at most one commit a tick */
		if (avg_groups(c) - avgs > 1) {
			together++;
			assert_int_equal(k.n - before, 1);
			assert_true(k.tx_at_commit == tx); /* tables before that tick's hellos */
			assert_true(c->mem.tx_ok > tx);	   /* which then claimed the role */
		}
	}
	assert_int_equal(avg_groups(c), 8);
	assert_true(together > 0); /* the groups did change in one tick */

	eight_groups_down(c, rx, cfg);
}

/* r2 as group g of c sees it. */
static struct xglb_fsm_node *r2_in(struct xglb_cluster *c, int g)
{
	return (struct xglb_fsm_node *)xglb_fsm_node(&c->fsm[g], 2);
}

/*
 * A dead peer's groups fail over in one commit: r2 last heard in groups
 * 1..6 over 10 ms (holds of 320 ms ending 10 ms apart, as a dead node's
 * hellos of many groups arrive), in groups 7 and 8 40 ms later. At the end
 * of the first hold, r2 is lost in groups 1..6 at once (within the window,
 * a sixteenth of the hold: 20 ms), in one commit; groups 7 and 8, whose
 * holds end beyond it, keep r2 until theirs end. Without the coalescing
 * only group 1 fails over at that tick.
 */
static void dead_peer_fails_over_in_one_commit(void **state)
{
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct commits k = {.c = c};
	struct xglb_cluster_io io = {.ctx = &k, .commit = count_commit};
	__u8 buf[XGLB_MSG_MAX + 1];
	__u64 now = 1000000000ull, t0, ms = 1000000ull;
	int rx, before;
	struct xglb_config *cfg;

	(void)state;
	cfg = eight_groups_up(c, 29, 320, &io, &rx, &now);

	/* r2 up everywhere: groups 1..6 heard 10, 8, .. 0 ms before t0 */
	t0 = now;
	for (int g = 0; g < 8; g++) {
		struct xglb_fsm_node *n = r2_in(c, g);

		n->up = n->heard = true;
		n->last_heard = g < 6 ? t0 - (__u64)(10 - 2 * g) * ms : t0;
	}
	xglb_cluster_tick(c, t0);
	/* groups 7 and 8 hear r2 again 40 ms on; ticks every 40 ms (no gap) up to the first end */
	for (now = t0 + 40 * ms; now < t0 + 310 * ms; now += 40 * ms) {
		if (now == t0 + 40 * ms)
			r2_in(c, 6)->last_heard = r2_in(c, 7)->last_heard = now;
		xglb_cluster_tick(c, now);
		while (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	for (int g = 0; g < 8; g++)
		assert_true(r2_in(c, g)->up);
	before = k.n;
	xglb_cluster_tick(c, t0 + 310 * ms); /* group 1's hold ends */
	for (int g = 0; g < 6; g++)
		assert_false(r2_in(c, g)->up);
	assert_true(r2_in(c, 6)->up);
	assert_true(r2_in(c, 7)->up);
	assert_int_equal(k.n - before, 1);
	for (int g = 0; g < 6; g++) /* r2's forwarder failed over to r1 */
		assert_int_equal(c->fsm[g].fwd[1].owner, 1);
	assert_int_equal(c->fsm[6].fwd[1].owner, 2);
	assert_int_equal(c->losses_coalesced, 5);
	/* and 7 and 8 at the end of their own hold, together */
	before = k.n;
	xglb_cluster_tick(c, t0 + 360 * ms);
	assert_false(r2_in(c, 6)->up);
	assert_false(r2_in(c, 7)->up);
	assert_int_equal(k.n - before, 1);

	eight_groups_down(c, rx, cfg);
}

/*
 * Hellos drift apart (here due 0, 10, .. 60 ms on, hello 100 ms): when one
 * is due, those of the same interval due within half of it go with it,
 * never later than due. Tick at 0: groups 1..6 (0..50 ms); at 60 ms: 7 and
 * the first six (due at 100 ms, 40 ms on): from then on they send
 * together. Group 8, of another interval (1 s), due at 40 ms, is not
 * pulled along at 0; it goes when due.
 */
static void hellos_come_together(void **state)
{
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct xglb_cluster_io io = {0};
	__u8 buf[XGLB_MSG_MAX + 1];
	__u64 now = 1000000000ull, t0, ms = 1000000ull, tx;
	int rx;
	struct xglb_config *cfg;

	(void)state;
	cfg = eight_groups_up(c, 37, 300, &io, &rx, &now);
	xglb_cluster_tick(c, now); /* nothing left to announce */
	while (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;

	t0 = now + 5 * ms;
	for (int g = 0; g < 7; g++)
		c->fsm[g].next_hello = t0 + (__u64)g * 10 * ms;
	c->fsm[7].t.hello_ms = 1000;
	c->fsm[7].t.hold_ms = 3000;
	c->fsm[7].next_hello = t0 + 40 * ms;
	tx = c->mem.tx_ok;
	xglb_cluster_tick(c, t0);
	assert_int_equal(c->mem.tx_ok - tx, 6); /* one peer: one datagram a group */
	for (int g = 0; g < 6; g++)
		assert_true(c->fsm[g].next_hello == t0 + 100 * ms);
	assert_true(c->fsm[6].next_hello == t0 + 60 * ms);
	assert_true(c->fsm[7].next_hello == t0 + 40 * ms);
	tx = c->mem.tx_ok;
	xglb_cluster_tick(c, t0 + 60 * ms);
	assert_int_equal(c->mem.tx_ok - tx, 8); /* 1..7, and 8 due since 40 ms */
	for (int g = 0; g < 7; g++)
		assert_true(c->fsm[g].next_hello == t0 + 160 * ms);
	assert_true(c->fsm[7].next_hello == t0 + 1060 * ms);
	assert_true(xglb_cluster_next(c, t0 + 60 * ms) <= t0 + 160 * ms);

	eight_groups_down(c, rx, cfg);
}

T_MAIN(cmocka_unit_test(reload_keeps_signing_with_the_key),
       cmocka_unit_test(replay_after_restart_is_refused),
       cmocka_unit_test(reload_keeps_sequence_and_windows),
       cmocka_unit_test(withdrawal_rides_on_hellos), cmocka_unit_test(one_commit_per_pass),
       cmocka_unit_test(dead_peer_fails_over_in_one_commit), cmocka_unit_test(hellos_come_together))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_cluster.c - the membership runtime over loopback: a reload must not leave the socket signing
 * with the old configuration. */
#include "testlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

static int write_config(char *path, int port)
{
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	fprintf(f,
		"node: r1\n"
		"membership: {port: %d, key: \"" KEY_HEX "\"}\n"
		"nodes:\n"
		"  - {name: r1, id: 1, address: 192.0.2.1}\n"
		"  - {name: r2, id: 2, address: 192.0.2.2}\n"
		"groups:\n"
		"  - id: 1\n"
		"    vip: 10.0.0.1\n"
		"    interfaces: [lo]\n"
		"    timers: {hello-ms: 100, hold-ms: 1000}\n"
		"    forwarders: [{owner: r1}, {owner: r2}]\n",
		port);
	return fclose(f);
}

/*
 * SIGHUP: xglbd loads a new configuration, hands it to
 * xglb_cluster_reconfigure and frees the old one. Hellos sent after that
 * must still carry a valid HMAC (the old key bytes are gone; xglbd crashed
 * here once the configuration grew large enough to be unmapped on free).
 */
static void reload_keeps_signing_with_the_key(void **state)
{
	char path[] = "/tmp/xglb-test-cluster.XXXXXX";
	struct sockaddr_in peer = {.sin_family = AF_INET};
	struct xglb_config *a, *b;
	struct xglb_cluster *c = calloc(1, sizeof(*c));
	struct xglb_cluster_io io = {0};
	__u8 macs[XGLB_MAX_GROUPS][6] = {{2, 0, 0, 0, 0, 1}};
	__u8 buf[XGLB_MSG_MAX + 1], key[32];
	struct xglb_msg m;
	__u64 now = 1000000000ull;
	int port = 20000 + getpid() % 20000, rx, one = 1, n, ok = 0;
	struct timeval tv = {.tv_sec = 1};

	assert_non_null(c);
	assert_int_equal(write_config(path, port), 0);
	a = load(path);
	b = load(path);
	unlink(path);
	for (int i = 0; i < 32; i++)
		sscanf(KEY_HEX + 2 * i, "%2hhx", &key[i]);
	assert_int_equal(a->key_len, 32);
	assert_memory_equal(a->key, key, 32);

	/* r2's socket, where r1's hellos arrive */
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(rx >= 0);
	peer.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.2", &peer.sin_addr);
	setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(bind(rx, (struct sockaddr *)&peer, sizeof(peer)), 0);

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reload_keeps_signing_with_the_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

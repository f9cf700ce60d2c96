// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_member.c - the membership socket's kernel filter (xglb_member_filter): run through a
 * classic BPF interpreter of the instructions it may use, over IPv4 headers, as the kernel runs
 * it on each datagram before it is queued.
 */
#include "testlib.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "member.h"

/*
 * Run f (len instructions) over the IPv4 header ip (20 bytes) as a socket
 * filter: the value it returns (0 = drop). Fails the test on an instruction
 * the filter should not hold, a load outside the header, a jump out of the
 * program or a program that ends without a return: what the kernel's
 * checker would refuse.
 */
static __u32 run(const struct sock_filter *f, int len, const __u8 *ip)
{
	__u32 a = 0;

	for (int pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &f[pc];
		int off = (int)in->k - SKF_NET_OFF;

		switch (in->code) {
		case BPF_LD | BPF_B | BPF_ABS:
			assert_true(off >= 0 && off < 20);
			a = ip[off];
			break;
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(off >= 0 && off + 4 <= 20);
			a = (__u32)ip[off] << 24 | (__u32)ip[off + 1] << 16 |
			    (__u32)ip[off + 2] << 8 | ip[off + 3];
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == in->k ? in->jt : in->jf;
			assert_true(pc + 1 < len);
			break;
		case BPF_RET | BPF_K:
			return in->k;
		default:
			fail_msg("instruction %d: code 0x%x", pc, in->code);
		}
	}
	fail_msg("the filter ends without a return");
	return 0;
}

/* An IPv4/UDP header from src with ttl. */
static void ip_hdr(__u8 *ip, const char *src, __u8 ttl)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[8] = ttl;
	ip[9] = 17;
	assert_int_equal(inet_pton(AF_INET, src, ip + 12), 1);
	assert_int_equal(inet_pton(AF_INET, "10.0.0.2", ip + 16), 1);
}

static __u32 verdict(const struct sock_filter *f, int len, const char *src, __u8 ttl)
{
	__u8 ip[20];

	ip_hdr(ip, src, ttl);
	return run(f, len, ip);
}

static void admits_nodes_with_ttl_255(void **state)
{
	static const char *const nodes[] = {"10.0.0.3", "10.0.0.4", "192.168.7.250"};
	struct sock_filter f[XGLB_MEMBER_FILTER_MAX];
	__be32 addrs[3];
	int len;

	for (int i = 0; i < 3; i++)
		inet_pton(AF_INET, nodes[i], &addrs[i]);
	len = xglb_member_filter(addrs, 3, f);
	assert_int_equal(len, 3 + 5);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(verdict(f, len, nodes[i], 255), 0xffffffffu);
		/* off-link: routed at least once */
		assert_int_equal(verdict(f, len, nodes[i], 254), 0);
		assert_int_equal(verdict(f, len, nodes[i], 64), 0);
		assert_int_equal(verdict(f, len, nodes[i], 0), 0);
	}
	/* any other address, on the link or not */
	assert_int_equal(verdict(f, len, "10.0.0.5", 255), 0);
	assert_int_equal(verdict(f, len, "10.0.0.2", 255), 0); /* ourselves */
	assert_int_equal(verdict(f, len, "11.0.0.3", 255), 0); /* one byte off, each position */
	assert_int_equal(verdict(f, len, "10.1.0.3", 255), 0);
	assert_int_equal(verdict(f, len, "10.0.1.3", 255), 0);
	assert_int_equal(verdict(f, len, "10.0.0.131", 255), 0);
	assert_int_equal(verdict(f, len, "3.0.0.10", 255), 0); /* byte order */
	assert_int_equal(verdict(f, len, "0.0.0.0", 255), 0);
}

/* The jump offsets at both ends: the first and the last of a full list. */
static void full_list(void **state)
{
	struct sock_filter f[XGLB_MEMBER_FILTER_MAX];
	__be32 addrs[XGLB_MEMBER_MAX_PEERS];
	char ip[INET_ADDRSTRLEN];
	int len;

	for (int i = 0; i < XGLB_MEMBER_MAX_PEERS; i++)
		addrs[i] = htonl(0x0a000100u + (__u32)i + 1); /* 10.0.1.1 .. 10.0.1.32 */
	len = xglb_member_filter(addrs, XGLB_MEMBER_MAX_PEERS, f);
	assert_int_equal(len, XGLB_MEMBER_FILTER_MAX);
	for (int i = 0; i <= XGLB_MEMBER_MAX_PEERS + 1; i++) {
		bool node = i >= 1 && i <= XGLB_MEMBER_MAX_PEERS;

		snprintf(ip, sizeof(ip), "10.0.1.%d", i);
		assert_int_equal(verdict(f, len, ip, 255), node ? 0xffffffffu : 0);
		assert_int_equal(verdict(f, len, ip, 1), 0);
	}
}

/* A node alone in its configuration has no peer: nothing is admitted. */
static void no_peers_admits_nothing(void **state)
{
	struct sock_filter f[XGLB_MEMBER_FILTER_MAX];
	int len = xglb_member_filter(NULL, 0, f);

	assert_int_equal(len, 5);
	assert_int_equal(verdict(f, len, "10.0.0.3", 255), 0);
	assert_int_equal(verdict(f, len, "10.0.0.3", 64), 0);
}

static void refuses_bad_counts(void **state)
{
	struct sock_filter f[XGLB_MEMBER_FILTER_MAX];
	__be32 addrs[XGLB_MEMBER_MAX_PEERS + 1] = {0};

	assert_int_equal(xglb_member_filter(addrs, XGLB_MEMBER_MAX_PEERS + 1, f), -EINVAL);
	assert_int_equal(xglb_member_filter(addrs, -1, f), -EINVAL);
	assert_int_equal(xglb_member_filter(NULL, 2, f), -EINVAL);
}

T_MAIN(cmocka_unit_test(admits_nodes_with_ttl_255), cmocka_unit_test(full_list),
       cmocka_unit_test(no_peers_admits_nothing), cmocka_unit_test(refuses_bad_counts))

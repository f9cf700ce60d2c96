// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_segcheck.c - a group's interfaces on different subnets
 * (user/xglbd/segcheck.c) against address lists built here: two
 * segments found and named, one segment (also through a /32 or a wider
 * prefix on one of them) and interfaces without an address left alone.
 */
#include "testlib.h"
#include <string.h>
#include <arpa/inet.h>
#include "segcheck.h"

#define MAXA 8
static struct ifaddrs ifa[MAXA];
static struct sockaddr_in addr[MAXA], mask[MAXA];
static char names[MAXA][IF_NAMESIZE];
static int n;

/* The list: NAME holds IP/PLEN (IPv4), or an IPv6 address when ip is NULL. */
static void add(const char *name, const char *ip, int plen)
{
	static struct sockaddr_in6 a6;

	snprintf(names[n], IF_NAMESIZE, "%s", name);
	ifa[n] = (struct ifaddrs){.ifa_name = names[n]};
	if (ip) {
		addr[n] = (struct sockaddr_in){.sin_family = AF_INET};
		inet_pton(AF_INET, ip, &addr[n].sin_addr);
		mask[n] = (struct sockaddr_in){.sin_family = AF_INET};
		mask[n].sin_addr.s_addr = htonl(plen ? ~0u << (32 - plen) : 0);
		ifa[n].ifa_addr = (struct sockaddr *)&addr[n];
		ifa[n].ifa_netmask = (struct sockaddr *)&mask[n];
	} else {
		a6.sin6_family = AF_INET6;
		ifa[n].ifa_addr = (struct sockaddr *)&a6;
	}
	if (n)
		ifa[n - 1].ifa_next = &ifa[n];
	n++;
}

static void group(struct xglb_cfg_group *g, int k, const char *a, const char *b, const char *c)
{
	const char *names3[3] = {a, b, c};

	memset(g, 0, sizeof(*g));
	g->id = 7;
	g->n_ifaces = k;
	for (int i = 0; i < k; i++)
		snprintf(g->ifaces[i], IF_NAMESIZE, "%s", names3[i]);
}

static void two_segments_are_named(void **state)
{
	struct xglb_cfg_group g;
	struct xglb_segpair s;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	(void)state;
	n = 0;
	add("eth0", "10.0.0.1", 24);
	add("eth0", NULL, 0);	     /* IPv6 is not judged */
	add("eth1", "10.0.0.9", 32); /* a /32 inside eth0's /24: the same segment */
	add("eth2", "192.168.5.1", 24);
	group(&g, 3, "eth0", "eth1", "eth2");
	assert_true(xglb_segcheck_group(&g, ifa, &s));
	assert_int_equal(s.a, 0);
	assert_int_equal(s.b, 2);
	inet_ntop(AF_INET, &s.addr_a, a, sizeof(a));
	inet_ntop(AF_INET, &s.addr_b, b, sizeof(b));
	assert_string_equal(a, "10.0.0.1");
	assert_string_equal(b, "192.168.5.1");
	assert_int_equal(s.plen_a, 24);
	assert_int_equal(s.plen_b, 24);
}

/* A case: the address list (up to 4 entries; ip NULL: IPv6), the group's interfaces, the verdict
 * and, when two segments are found, which two interfaces. */
struct segcase {
	const char *what;
	struct {
		const char *name, *ip;
		int plen;
	} addrs[4];
	int k;
	const char *ifaces[3];
	bool two;
	int a, b;
};

static const struct segcase cases[] = {
    {"a second subnet on eth1 as well, and a wider one containing eth0's: one segment",
     {{"eth0", "10.0.0.1", 24},
      {"eth1", "10.0.0.2", 24},
      {"eth1", "172.16.0.1", 16},
      {"eth2", "10.0.0.0", 8}},
     3,
     {"eth0", "eth1", "eth2"},
     false,
     0,
     0},
    {"eth3 has no address: nothing to judge by",
     {{"eth0", "10.0.0.1", 24}, {"lo", "127.0.0.1", 8}},
     2,
     {"eth0", "eth3"},
     false,
     0,
     0},
    {"one interface", {{"eth0", "10.0.0.1", 24}}, 1, {"eth0"}, false, 0, 0},
    {"neighbouring /25s are two segments",
     {{"eth0", "10.0.0.1", 25}, {"eth1", "10.0.0.129", 25}},
     2,
     {"eth0", "eth1"},
     true,
     0,
     1},
};

static void cases_are_judged(void **state)
{
	struct xglb_cfg_group g;
	struct xglb_segpair s;

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct segcase *t = &cases[c];

		print_message("%s\n", t->what);
		n = 0;
		for (int i = 0; i < 4 && t->addrs[i].name; i++)
			add(t->addrs[i].name, t->addrs[i].ip, t->addrs[i].plen);
		group(&g, t->k, t->ifaces[0], t->ifaces[1], t->ifaces[2]);
		assert_int_equal(xglb_segcheck_group(&g, ifa, &s), t->two);
		if (t->two) {
			assert_int_equal(s.a, t->a);
			assert_int_equal(s.b, t->b);
		}
	}
	/* no address list at all */
	assert_false(xglb_segcheck_group(&g, NULL, &s));
}

T_MAIN(cmocka_unit_test(two_segments_are_named), cmocka_unit_test(cases_are_judged))

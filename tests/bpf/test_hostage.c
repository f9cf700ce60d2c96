// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_hostage.c - the host table's ageing (user/xglbd/hostage.c) consulting xglb_seen: a host
 * this node saw sending through one of its forwarders is never made room for.
 */
#include "harness.h"
#include "hostage.h"

#define HZ  250
#define NOW 1000000000ull

/* Host n of group gid in xglb_hosts, last asked ago_s seconds before NOW. */
static void put_host(const struct xglb_hosttab *t, __u8 gid, __u32 n, bool est, __s64 ago_s)
{
	struct xglb_host_key k = {.gid = gid};
	struct xglb_host h = {.fwd = 1,
			      .flags = est ? XGLB_HOST_ESTABLISHED : 0,
			      .ip = H_HOSTIP,
			      .first_jiffies = NOW - ago_s * HZ,
			      .last_jiffies = NOW - ago_s * HZ};

	h_host_mac(n, k.mac);
	assert_int_equal(xglb_hosttab_insert(t, &k, &h), 0);
}

/* Host n of group gid in xglb_seen: its frames came through forwarder 1 of this node. */
static void put_seen(int fd, __u8 gid, __u32 n)
{
	struct xglb_host_key k = {.gid = gid};
	struct xglb_seen s = {.ifindex = H_IFINDEX, .ip4 = H_HOSTIP, .last_jiffies = NOW, .fwd = 1};

	h_host_mac(n, k.mac);
	assert_int_equal(bpf_map_update_elem(fd, &k, &s, BPF_ANY), 0);
}

static bool has(const struct xglb_hosttab *t, __u8 gid, __u32 n)
{
	struct xglb_host_key k = {.gid = gid};
	struct xglb_host h;

	h_host_mac(n, k.mac);
	return xglb_hosttab_lookup(t, &k, &h) == 0;
}

/*
 * A full table (8 of 8): hosts 1..3 answered once and past probation, 4
 * and 5 established and idle for a day. xglb_seen holds host 2 and host 4
 * of the group (they sent traffic through this node's forwarders), and
 * host 3 of another group (not the same host). The pass removes 1, 3 and 5
 * and keeps 2 and 4. Without xglb_seen (fd -1) the same pass removes them.
 */
static void test_seen_hosts_kept(void **state)
{
	struct h_env *e = *state;
	const struct xglb_hosttab *fd = &e->hosts;
	int sfd = bpf_map__fd(e->skel->maps.xglb_seen);
	struct xglb_hostage_pass p;
	__u32 gen = 1;

	for (__u32 n = 1; n <= 3; n++)
		put_host(fd, H_GID, n, false, XGLB_HOSTAGE_PROBATION_S + 1);
	put_host(fd, H_GID, 4, true, XGLB_HOSTAGE_IDLE_S + 60);
	put_host(fd, H_GID, 5, true, XGLB_HOSTAGE_IDLE_S + 60);
	for (__u32 n = 6; n <= 8; n++)
		put_host(fd, H_GID, n, true, 0);
	put_seen(sfd, H_GID, 2);
	put_seen(sfd, H_GID, 4);
	put_seen(sfd, H_GID + 1, 3);

	assert_int_equal(xglb_hostage_run_seen(fd, sfd, 8, NOW, HZ, &gen, &p), 0);
	assert_int_equal(p.entries, 8);
	assert_int_equal(p.aged_once, 2);
	assert_int_equal(p.aged_idle, 1);
	assert_int_equal(p.kept_seen, 2);
	assert_int_equal(gen, 2);
	assert_false(has(fd, H_GID, 1));
	assert_true(has(fd, H_GID, 2));
	assert_false(has(fd, H_GID, 3));
	assert_true(has(fd, H_GID, 4));
	assert_false(has(fd, H_GID, 5));
	for (__u32 n = 6; n <= 8; n++)
		assert_true(has(fd, H_GID, n));

	/* once xglb_seen forgets them (or without it), they are judged like any other */
	assert_int_equal(xglb_hostage_run_seen(fd, -1, 5, NOW, HZ, &gen, &p), 0);
	assert_int_equal(p.aged_once, 1);
	assert_int_equal(p.aged_idle, 1);
	assert_int_equal(p.kept_seen, 0);
	assert_false(has(fd, H_GID, 2));
	assert_false(has(fd, H_GID, 4));
}

H_MAIN("hostage", H_TEST(test_seen_hosts_kept))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_redist.c - unit tests of the owner's redistribution logic (seen.c): which xglb_seen
 * entries are told and on which interface, the forwarder a moved host goes to (the same
 * one the AVG picks), and the pace of the sending, with time passed in.
 */
#include <string.h>
#include "testlib.h"
#include "seen.h"
#include "tables.h"

#define GID 7
static const __u32 IFX[2] = {11, 12}; /* the group's interfaces */

static struct xglb_host_key key(__u8 gid, __u32 n)
{
	struct xglb_host_key k = {.gid = gid,
				  .mac = {0x52, 0x54, 0, (__u8)(n >> 16), (__u8)(n >> 8), (__u8)n}};
	return k;
}

static struct xglb_seen val(__u8 fwd, __u32 ifindex, __u64 last)
{
	struct xglb_seen v = {
	    .ifindex = ifindex, .ip4 = 0x3200000a, .last_jiffies = last, .fwd = fwd};
	return v;
}

/*
 * The aging sweep is left out only while a count that began less than the
 * age ago found xglb_seen empty: anything there now came since, none stale.
 */
static void sweep_idle_only_after_an_empty_recent_count(void **state)
{
	const __u64 s = 1000000000ull, age = 600 * s;

	(void)state;
	assert_true(xglb_seen_sweep_idle(3, 0, 100 * s, 101 * s, age));
	assert_true(xglb_seen_sweep_idle(1, 0, 100 * s, 100 * s + age - 1, age));
	assert_false(xglb_seen_sweep_idle(0, 0, 0, 101 * s, age));	       /* no count yet */
	assert_false(xglb_seen_sweep_idle(3, 1, 100 * s, 101 * s, age));       /* not empty */
	assert_false(xglb_seen_sweep_idle(3, 0, 100 * s, 100 * s + age, age)); /* too old */
	assert_false(xglb_seen_sweep_idle(3, 0, 102 * s, 101 * s, age));       /* a start to come */
}

static void select_tells_on_the_interface_seen(void **state)
{
	struct xglb_host_key k = key(GID, 1);
	struct xglb_seen v = val(2, 12, 1000);
	int slot = -1;

	assert_int_equal(xglb_seen_select(&k, &v, GID, 1u << 2, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_TELL);
	assert_int_equal(slot, 1); /* seen on the second interface: told there, not on the first */
	v.ifindex = 11;
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0x5, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_TELL);
	assert_int_equal(slot, 0);
	/* IPv6 only: told (by NA) */
	v.ip4 = 0;
	v.ip6[0] = 0x20;
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0x4, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_TELL);
}

static void select_skips(void **state)
{
	struct xglb_host_key k = key(GID, 1), other = key(GID + 1, 1);
	struct xglb_seen v = val(2, 12, 1000);
	int slot = -1;

	/* another group, a forwarder not removed, an index out of range */
	assert_int_equal(xglb_seen_select(&other, &v, GID, 0x4, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_SKIP_OTHER);
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0x2, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_SKIP_OTHER);
	v.fwd = 200;
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0xffffffffu, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_SKIP_OTHER);
	v.fwd = 2;
	/* not seen for longer than the age */
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0x4, IFX, 2, 1601, 600, &slot),
			 XGLB_SEEN_SKIP_STALE);
	/* an interface that is not the group's */
	v.ifindex = 13;
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0x4, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_SKIP_IFACE);
	v.ifindex = 0; /* and never 0, even against a missing interface */
	assert_int_equal(
	    xglb_seen_select(&k, &v, GID, 0x4, (const __u32[2]){0, 12}, 2, 1500, 600, &slot),
	    XGLB_SEEN_SKIP_IFACE);
	v.ifindex = 12;
	v.ip4 = 0;
	assert_int_equal(xglb_seen_select(&k, &v, GID, 0x4, IFX, 2, 1500, 600, &slot),
			 XGLB_SEEN_SKIP_NO_ADDR);
	assert_int_equal(slot, -1);
}

static void stale_boundaries(void **state)
{
	struct xglb_seen v = val(0, 11, 1000);

	assert_false(xglb_seen_stale(&v, 1600, 600));
	assert_true(xglb_seen_stale(&v, 1601, 600));
	assert_false(xglb_seen_stale(&v, 900, 600)); /* learnt after the clock was read */
}

/* Three forwarders, 1 removed: hosts go to 0 or 2 by the hash of their MAC, as the AVG picks. */
static void dest_is_the_avgs_and_spreads(void **state)
{
	struct xglb_group_state st = {.gid = GID, .policy = XGLB_POLICY_ROUND_ROBIN, .n_fwd = 3};
	struct xglb_group tbl;
	int count[3] = {0};

	for (int i = 0; i < 3; i++)
		st.fwd[i] = (struct xglb_fwd_state){
		    .owner = (__u32)i + 1, .weight = 100, .active = i != 1, .new_ok = i != 1};
	xglb_build_group(&st, 1, &tbl);
	for (__u32 n = 0; n < 30000; n++) {
		struct xglb_host_key k = key(GID, n);
		int to = xglb_seen_dest(&tbl, k.mac);

		assert_true(to == 0 || to == 2);
		assert_int_equal(to, xglb_table_pick(&tbl, k.mac, xglb_mac_hash(k.mac)));
		assert_int_equal(to, xglb_seen_dest(&tbl, k.mac)); /* the same every time */
		count[to]++;
	}
	assert_in_range(count[0], 13500, 16500);
	assert_in_range(count[2], 13500, 16500);
	/* host-dependent: the same choice */
	st.policy = XGLB_POLICY_HOST_DEPENDENT;
	{
		struct xglb_group hd;
		struct xglb_host_key k = key(GID, 4242);

		xglb_build_group(&st, 1, &hd);
		assert_int_equal(xglb_seen_dest(&hd, k.mac), xglb_seen_dest(&tbl, k.mac));
	}
	/* nothing takes new hosts: none */
	st.fwd[0].new_ok = st.fwd[2].new_ok = false;
	xglb_build_group(&st, 1, &tbl);
	assert_int_equal(xglb_seen_dest(&tbl, key(GID, 1).mac), -1);
}

static void pace_burst_then_rate(void **state)
{
	struct xglb_pace p;
	__u64 total = 0, t;

	xglb_pace_init(&p, 50000, 256, 1000);
	assert_int_equal(xglb_pace_take(&p, 1000, 1000), 256); /* a burst at once */
	assert_int_equal(xglb_pace_take(&p, 1000, 1), 0);
	assert_int_equal(xglb_pace_wait(&p, 1000, 1), 20000); /* one host per 20 us */
	assert_int_equal(xglb_pace_wait(&p, 1000, 32), 32 * 20000);
	assert_int_equal(xglb_pace_wait(&p, 1000, 100000), 256 * 20000); /* at most a burst */
	assert_int_equal(xglb_pace_take(&p, 1000 + 19999, 1), 0);
	assert_int_equal(xglb_pace_take(&p, 1000 + 20000, 5), 1);
	assert_int_equal(xglb_pace_wait(&p, 1000 + 20000, 1), 20000);
	assert_int_equal(xglb_pace_wait(&p, 1000 + 30000, 1), 10000);
	/* a long idle spell earns one burst, no more */
	assert_int_equal(xglb_pace_take(&p, 5000000000ull, 100000), 256);
	/* one second of turns every millisecond, each wanting a full burst: the rate */
	for (t = 5000000000ull; t <= 6000000000ull; t += 1000000)
		total += xglb_pace_take(&p, t, 256);
	assert_in_range(total, 49900, 50100);
}

/* A clock read out of order never earns credit, nor takes any back. */
static void pace_clock_backwards(void **state)
{
	struct xglb_pace p;

	xglb_pace_init(&p, 1000, 4, 1000000000ull);
	assert_int_equal(xglb_pace_take(&p, 1000000000ull, 4), 4);
	assert_int_equal(xglb_pace_take(&p, 500000000ull, 4), 0);
	assert_int_equal(xglb_pace_wait(&p, 500000000ull, 1), 1000000);
	assert_int_equal(xglb_pace_take(&p, 1001000000ull, 4), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sweep_idle_only_after_an_empty_recent_count),
	    cmocka_unit_test(select_tells_on_the_interface_seen),
	    cmocka_unit_test(select_skips),
	    cmocka_unit_test(stale_boundaries),
	    cmocka_unit_test(dest_is_the_avgs_and_spreads),
	    cmocka_unit_test(pace_burst_then_rate),
	    cmocka_unit_test(pace_clock_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

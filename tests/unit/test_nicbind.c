// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_nicbind.c - unit tests of the forwarders' binding to a node's
 * interfaces on the segment (pure, time passed in): which forwarder goes
 * to which interface for a live set, failover inside the node, the
 * return delay, the answering interface, the table written.
 */
#include <string.h>
#include "testlib.h"
#include "nicbind.h"
#include "tables.h"

#define MS    1000000ull
#define DELAY (1000 * MS)
#define N     XGLB_NIC_NONE

static void two(struct xglb_nicbind *b, bool c0, bool c1)
{
	bool c[2] = {c0, c1};

	xglb_nicbind_init(b, 2, c);
}

static void spread_kth_owned_to_kth_interface(void **state)
{
	struct xglb_nicbind b;
	__u8 s[XGLB_MAX_FWD];
	bool c[3] = {true, true, true};

	two(&b, true, true);
	/* owned: 1, 4, 6, 9 -> interfaces 0, 1, 0, 1 */
	assert_int_equal(xglb_nicbind_assign(&b, 1u << 1 | 1u << 4 | 1u << 6 | 1u << 9, s), 0);
	assert_int_equal(s[1], 0);
	assert_int_equal(s[4], 1);
	assert_int_equal(s[6], 0);
	assert_int_equal(s[9], 1);
	assert_int_equal(s[0], N);
	assert_int_equal(s[15], N);
	/* three interfaces, seven forwarders: 3, 2, 2 */
	xglb_nicbind_init(&b, 3, c);
	xglb_nicbind_assign(&b, 0x7f, s);
	assert_memory_equal(s, ((__u8[]){0, 1, 2, 0, 1, 2, 0}), 7);
	/* one interface: every forwarder on it */
	xglb_nicbind_init(&b, 1, c);
	xglb_nicbind_assign(&b, 0xffff, s);
	for (int f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(s[f], 0);
}

static void failed_interface_moves_only_its_own(void **state)
{
	struct xglb_nicbind b;
	__u8 s[XGLB_MAX_FWD];
	bool c[3] = {true, true, true};

	two(&b, true, true);
	assert_true(xglb_nicbind_link(&b, 1, false, 5 * MS));
	assert_int_equal(xglb_nicbind_n_live(&b), 1);
	assert_int_equal(xglb_nicbind_assign(&b, 0xf, s), 0);
	assert_memory_equal(s, ((__u8[]){0, 0, 0, 0}), 4);
	/* the first interface fails: the answering one is now the second */
	two(&b, true, true);
	assert_true(xglb_nicbind_link(&b, 0, false, 5 * MS));
	assert_int_equal(xglb_nicbind_assign(&b, 0xf, s), 1);
	assert_memory_equal(s, ((__u8[]){1, 1, 1, 1}), 4);
	/* three: the middle one's forwarders go to the least loaded, the others stay */
	xglb_nicbind_init(&b, 3, c);
	xglb_nicbind_link(&b, 1, false, 1);
	xglb_nicbind_assign(&b, 0x3f, s); /* homes 0 1 2 0 1 2 */
	assert_memory_equal(s, ((__u8[]){0, 0, 2, 0, 2, 2}), 6);
	/* a repeated "down" changes nothing */
	assert_false(xglb_nicbind_link(&b, 1, false, 2));
	/* out of range: ignored */
	assert_false(xglb_nicbind_link(&b, 3, false, 2));
	assert_false(xglb_nicbind_link(&b, -1, false, 2));
}

static void return_waits_for_the_delay(void **state)
{
	struct xglb_nicbind b;
	__u8 s[XGLB_MAX_FWD];

	two(&b, true, true);
	xglb_nicbind_link(&b, 1, false, 10 * MS);
	assert_int_equal(xglb_nicbind_due(&b, DELAY), 0);
	/* back at 20 ms: not live before 1020 ms */
	assert_false(xglb_nicbind_link(&b, 1, true, 20 * MS));
	assert_int_equal(xglb_nicbind_due(&b, DELAY), 20 * MS + DELAY);
	assert_false(xglb_nicbind_tick(&b, 1019 * MS, DELAY));
	xglb_nicbind_assign(&b, 0x3, s);
	assert_int_equal(s[1], 0);
	/* a flap inside the delay starts it again */
	xglb_nicbind_link(&b, 1, false, 500 * MS);
	xglb_nicbind_link(&b, 1, true, 600 * MS);
	assert_false(xglb_nicbind_tick(&b, 1020 * MS, DELAY));
	assert_int_equal(xglb_nicbind_due(&b, DELAY), 1600 * MS);
	assert_true(xglb_nicbind_tick(&b, 1600 * MS, DELAY));
	assert_int_equal(xglb_nicbind_due(&b, DELAY), 0);
	xglb_nicbind_assign(&b, 0x3, s);
	assert_int_equal(s[0], 0);
	assert_int_equal(s[1], 1); /* home again */
	assert_false(xglb_nicbind_tick(&b, 5000 * MS, DELAY));
	/* an "up" repeated while up does not restart anything */
	assert_false(xglb_nicbind_link(&b, 1, true, 6000 * MS));
	assert_int_equal(xglb_nicbind_n_live(&b), 2);
}

static void all_down_then_first_back_is_live_at_once(void **state)
{
	struct xglb_nicbind b;
	__u8 s[XGLB_MAX_FWD];

	two(&b, true, true);
	xglb_nicbind_link(&b, 0, false, 1 * MS);
	assert_true(xglb_nicbind_link(&b, 1, false, 2 * MS));
	assert_int_equal(xglb_nicbind_n_live(&b), 0);
	assert_int_equal(xglb_nicbind_assign(&b, 0x3, s), N);
	assert_int_equal(s[0], N);
	assert_int_equal(s[1], N);
	/* none live: the first back takes everything without the delay */
	assert_true(xglb_nicbind_link(&b, 1, true, 3 * MS));
	assert_int_equal(xglb_nicbind_assign(&b, 0x3, s), 1);
	assert_int_equal(s[0], 1);
	/* the second waits */
	assert_false(xglb_nicbind_link(&b, 0, true, 4 * MS));
	assert_false(xglb_nicbind_tick(&b, 500 * MS, DELAY));
	assert_true(xglb_nicbind_tick(&b, 4 * MS + DELAY, DELAY));
	assert_int_equal(xglb_nicbind_assign(&b, 0x3, s), 0);
	/* started without carrier anywhere: nothing live, nothing due */
	two(&b, false, false);
	assert_int_equal(xglb_nicbind_n_live(&b), 0);
	assert_int_equal(xglb_nicbind_due(&b, DELAY), 0);
}

static void apply_writes_ifindex_and_answering_interface(void **state)
{
	struct xglb_nicbind b;
	struct xglb_group g;

	memset(&g, 0, sizeof(g));
	g.n_fwd = 4;
	g.ifindex[0] = 7;
	g.ifindex[1] = 9;
	for (int f = 0; f < 4; f++)
		g.fwd[f].flags = XGLB_FWD_ACTIVE | (f != 2 ? XGLB_FWD_LOCAL : 0);
	g.fwd[3].flags = XGLB_FWD_LOCAL; /* removed: not bound */
	g.fwd[5].ifindex = 123;		 /* beyond n_fwd: cleared */
	two(&b, true, true);
	assert_int_equal(xglb_nicbind_apply(&b, &g), 2);
	assert_int_equal(g.fwd[0].ifindex, 7);
	assert_int_equal(g.fwd[1].ifindex, 9);
	assert_int_equal(g.fwd[2].ifindex, 0);
	assert_int_equal(g.fwd[3].ifindex, 0);
	assert_int_equal(g.fwd[5].ifindex, 0);
	assert_int_equal(g.answer_if, 0);
	xglb_nicbind_link(&b, 0, false, 1);
	assert_int_equal(xglb_nicbind_apply(&b, &g), 2);
	assert_int_equal(g.fwd[0].ifindex, 9);
	assert_int_equal(g.fwd[1].ifindex, 9);
	assert_int_equal(g.answer_if, 1);
	xglb_nicbind_link(&b, 1, false, 2);
	assert_int_equal(xglb_nicbind_apply(&b, &g), 0);
	assert_int_equal(g.fwd[0].ifindex, 0);
	assert_int_equal(g.answer_if, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spread_kth_owned_to_kth_interface),
	    cmocka_unit_test(failed_interface_moves_only_its_own),
	    cmocka_unit_test(return_waits_for_the_delay),
	    cmocka_unit_test(all_down_then_first_back_is_live_at_once),
	    cmocka_unit_test(apply_writes_ifindex_and_answering_interface),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_group_admin.c - operator requests (move, prefer, unpin) and make-before-break release in
 * group.c. */
#include "testlib.h"
#include <errno.h>
#include "groupsim.h"

static struct sim S;

static void start3(void)
{
	sim_init(&S, 3, NULL, 3, 0, NULL); /* AVG: node 3 (highest id) */
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[2]));
}

static void only_the_avg_carries_out_requests(void **state)
{
	start3();
	assert_int_equal(xglb_fsm_admin(&S.g[0], XGLB_ADMIN_MOVE, 1, XGLB_ADMIN_KEEP, 1, S.now),
			 -EPERM);
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 7, XGLB_ADMIN_KEEP, 1, S.now),
			 -ENOENT); /* no forwarder 7 */
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 1, XGLB_ADMIN_KEEP, 9, S.now),
			 -ENOENT); /* no node 9 */
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 1, 2, 1, S.now), -EINVAL);
}

static void move_pins_and_publishes(void **state)
{
	__u32 v;

	start3();
	v = S.g[2].version;
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 1, XGLB_ADMIN_KEEP, 1, S.now), 0);
	sim_run(&S, 500);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sim_owner(&S, i, 1), 1);
		assert_int_equal(S.g[i].fwd[1].preferred, 1);
		assert_int_equal(S.g[i].fwd[1].persistence, 3); /* pinned: balance leaves it */
	}
	assert_true(S.g[2].version > v);
	sim_run(&S, 3000); /* node 1 owns 2 of 3: balance must not undo the operator */
	assert_int_equal(sim_owner(&S, 2, 1), 1);
	assert_true(sim_converged(&S));
}

static void move_with_persistence_0_is_balanced_back(void **state)
{
	start3();
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 1, 0, 1, S.now), 0);
	sim_run(&S, 1000);
	/* movable: one forwarder each again (which one goes back is balance's choice) */
	for (__u32 n = 1; n <= 3; n++) {
		int c = 0;

		for (int f = 0; f < 3; f++)
			c += sim_owner(&S, 2, f) == n;
		assert_int_equal(c, 1);
	}
}

static void prefer_and_unpin(void **state)
{
	start3();
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_PREFER, 0, 0, 2, S.now), 0);
	sim_run(&S, 500);
	assert_int_equal(S.g[0].fwd[0].preferred, 2);
	assert_int_equal(sim_owner(&S, 0, 0), 1); /* persistence 0: no move by itself */
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 0, 3, 2, S.now), 0);
	sim_run(&S, 500);
	assert_int_equal(S.g[0].fwd[0].persistence, 3);
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_UNPIN, 0, 0, 0, S.now), 0);
	sim_run(&S, 500);
	assert_int_equal(S.g[0].fwd[0].persistence, 0);
}

/* The old owner keeps the vMAC in its data plane for a while: make before break. */
static void planned_move_releases_gently(void **state)
{
	struct xglb_group_state st;

	start3();
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 1, XGLB_ADMIN_KEEP, 1, S.now), 0);
	sim_run(&S, 50);
	assert_int_equal(sim_owner(&S, 1, 1), 1); /* node 2 knows it is node 1's now */
	xglb_fsm_view(&S.g[1], S.now, &st);
	assert_int_equal(st.fwd[1].owner, 2); /* ... and still accepts its frames */
	xglb_fsm_view(&S.g[0], S.now, &st);
	assert_int_equal(st.fwd[1].owner, 1); /* the new owner accepts them too */
	sim_run(&S, 600);		      /* release: max(hold, 500 ms) */
	xglb_fsm_view(&S.g[1], S.now, &st);
	assert_int_equal(st.fwd[1].owner, 1);
}

/* A failover is no planned move: the dead owner releases nothing (it is gone). */
static void release_only_for_the_living(void **state)
{
	start3();
	S.down[0] = true;
	sim_run(&S, 1000);
	for (int i = 1; i < 3; i++)
		for (int f = 0; f < 3; f++)
			assert_int_equal(S.g[i].fwd[f].release_until, 0);
}

/* The flow-owner set is part of the state: every node holds the same one, and it follows failures.
 */
static void steer_mask_follows_membership(void **state)
{
	start3();
	for (int i = 0; i < 3; i++)
		assert_int_equal(S.g[i].steer_mask, 0x7);
	S.down[0] = true; /* node 1 dies */
	sim_run(&S, 1000);
	assert_int_equal(S.g[1].steer_mask, 0x6);
	assert_int_equal(S.g[2].steer_mask, 0x6);
	xglb_fsm_set_self(&S.g[1], 100, 0, NULL); /* node 2 withdrawn (tracking, drain) */
	sim_run(&S, 1000);
	assert_int_equal(S.g[1].steer_mask, 0x4);
	assert_int_equal(S.g[2].steer_mask, 0x4);
	sim_restart(&S, 0);
	xglb_fsm_set_self(&S.g[1], 100, 100, NULL);
	sim_run(&S, 1500);
	for (int i = 0; i < 3; i++)
		assert_int_equal(S.g[i].steer_mask, 0x7);
	assert_true(sim_converged(&S));
}

T_MAIN(cmocka_unit_test(only_the_avg_carries_out_requests),
       cmocka_unit_test(move_pins_and_publishes),
       cmocka_unit_test(move_with_persistence_0_is_balanced_back),
       cmocka_unit_test(prefer_and_unpin), cmocka_unit_test(planned_move_releases_gently),
       cmocka_unit_test(release_only_for_the_living),
       cmocka_unit_test(steer_mask_follows_membership))

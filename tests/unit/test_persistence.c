// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_persistence.c - the persistence of a forwarder, row by row and
 * transition by transition (docs/config.md, "Persistence"):
 *   0  movable: balancing may move it; taken over while a named preferred
 *      owner is down (redirect, then removed at timeout); no preferred
 *      owner: nothing to wait for, never removed;
 *   1  sticky to its current owner: outside balancing, fails over to a
 *      live node and stays there when the old owner returns;
 *   3  sticky to its preferred owner: there whenever it can forward, fails
 *      over, moves back when it recovers;
 *   1 and 3 are never removed while any node can forward.
 * Timers (groupsim.h): hello 100 ms, hold 300 ms, redirect 2 s, timeout 5 s.
 */
#include "testlib.h"
#include <errno.h>
#include "groupsim.h"

static struct sim S;

/* Three equal nodes (AVG node 3), three forwarders, forwarder i preferred by node i+1. */
static void start3(__u8 pers)
{
	sim_init(&S, 3, NULL, 3, pers, NULL);
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 2, f), f + 1);
}

/* start3(pers), then node 1, the preferred owner of forwarder 0, fails and ms pass. */
static void start3_node1_down(__u8 pers, unsigned int ms)
{
	start3(pers);
	S.down[0] = true;
	sim_run(&S, ms);
}

/* The AVG (node 3) takes an operator command (accepted), then ms pass. */
static void avg_admin(__u8 op, __u8 f, __u8 pers, __u32 node, unsigned int ms)
{
	assert_int_equal(xglb_fsm_admin(&S.g[2], op, f, pers, node, S.now), 0);
	sim_run(&S, ms);
}

/* Forwarder f has no preferred owner in every node's configuration ("preferred: none"). */
static void no_preferred(int f)
{
	for (int i = 0; i < S.n; i++)
		S.g[i].fwd[f].preferred = 0;
}

/* Persistence pers, forwarder 0 with no preferred owner, after 1 s: placed on some node. */
static void start_unpreferred(__u8 pers)
{
	sim_init(&S, 3, NULL, 3, pers, NULL);
	no_preferred(0);
	sim_run(&S, 1000);
}

/* Same, then the node that owns forwarder 0 fails and 7 s pass (past redirect and timeout):
 * another live node serves it, nothing was removed. Returns the failed owner. */
static __u32 unpreferred_owner_fails(__u8 pers)
{
	__u32 o;

	start_unpreferred(pers);
	o = sim_owner(&S, 2, 0);
	assert_int_not_equal(o, 0);
	S.down[o - 1] = true;
	sim_run(&S, 7000);
	assert_int_not_equal(sim_owner(&S, 2, 0), o);
	assert_int_not_equal(sim_owner(&S, 2, 0), 0);
	assert_int_equal(S.g[2].stats.removals, 0);
	return o;
}

/* Forwarder 0 is still served and takes new hosts; nothing was ever removed. */
static void fwd0_in_service(void)
{
	assert_true(S.g[2].fwd[0].active);
	assert_true(S.g[2].fwd[0].new_ok);
	assert_int_equal(S.g[2].stats.removals, 0);
}

static int owned_by(__u32 node)
{
	int c = 0;

	for (int f = 0; f < S.g[2].n_fwd; f++)
		c += sim_owner(&S, 2, f) == node;
	return c;
}

/* ---- persistence 0 ---------------------------------------------------------------------- */

static void p0_taken_over_redirected_removed_and_back(void **state)
{
	start3(0);
	sim_clear_out(&S);
	S.down[0] = true; /* node 1, preferred owner of forwarder 0 */
	sim_run(&S, 1500);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1); /* failed over */
	assert_true(S.g[2].fwd[0].new_ok);
	assert_true(S.g[2].fwd[0].takeover_since != 0);
	sim_run(&S, 1000);
	assert_true(S.g[2].fwd[0].active);
	assert_false(S.g[2].fwd[0].new_ok); /* redirect: no new hosts */
	assert_false(S.g[1].fwd[0].new_ok); /* published */
	assert_int_equal(S.out[2].redist_mask, 0);
	sim_run(&S, 3000);
	assert_false(S.g[2].fwd[0].active); /* timeout: removed, hosts redistributed */
	assert_int_equal(S.out[2].redist_mask, 1);
	assert_true(S.out[2].actions & XGLB_FSM_ACT_REDIST);
	assert_int_equal(S.g[2].stats.removals, 1);
	assert_true(sim_converged(&S));
	sim_restart(&S, 0); /* the preferred owner returns: back in service with it */
	sim_run(&S, 1000);
	assert_int_equal(sim_owner(&S, 2, 0), 1);
	assert_true(S.g[2].fwd[0].new_ok);
	assert_true(sim_converged(&S));
}

static void p0_preferred_returns_before_timeout_no_removal(void **state)
{
	start3_node1_down(0, 3000); /* redirected */
	assert_false(S.g[2].fwd[0].new_ok);
	sim_restart(&S, 0);
	sim_run(&S, 1000);
	assert_true(S.g[2].fwd[0].active);
	assert_true(S.g[2].fwd[0].new_ok); /* its preferred owner is back: new hosts again */
	assert_int_equal(S.g[2].fwd[0].takeover_since, 0);
	assert_int_equal(sim_owner(&S, 2, 0), 1); /* balance: one each, preferring node 1 */
	sim_run(&S, 6000);
	assert_int_equal(S.g[2].stats.removals, 0);
}

/* No preferred owner: a failover is final, nothing is waited for, nothing removed. */
static void p0_no_preferred_is_never_removed(void **state)
{
	start_unpreferred(0);
	assert_true(S.g[2].fwd[0].active); /* placed on the least loaded node */
	assert_int_equal(S.g[2].fwd[0].preferred, 0);
	assert_int_equal(S.g[2].fwd[0].takeover_since, 0);
	sim_run(&S, 6000); /* longer than timeout */
	fwd0_in_service();
}

static void p0_no_preferred_fails_over_and_stays_in_service(void **state)
{
	__u32 o = unpreferred_owner_fails(0);

	assert_true(o == 1 || o == 2); /* the AVG (3) owns its own preferred forwarder 2 */
	assert_true(S.g[2].fwd[0].new_ok);
	assert_int_equal(S.g[2].fwd[0].takeover_since, 0);
	assert_true(sim_converged(&S));
}

static void p0_moved_by_weight_balance(void **state)
{
	start3(0);
	/* the operator puts forwarder 1 on node 1 but leaves it movable: balance undoes it */
	avg_admin(XGLB_ADMIN_MOVE, 1, 0, 1, 1000);
	for (__u32 n = 1; n <= 3; n++)
		assert_int_equal(owned_by(n), 1);
	assert_true(S.g[2].stats.rebalances >= 1);
}

/* ---- persistence 1 ---------------------------------------------------------------------- */

static void p1_outside_weight_balance(void **state)
{
	start3(1);
	avg_admin(XGLB_ADMIN_MOVE, 1, 1, 1, 3000);
	assert_int_equal(sim_owner(&S, 2, 1), 1); /* node 1 has 2 of 3, node 2 none: */
	assert_int_equal(owned_by(1), 2);	  /* balance leaves them */
	assert_int_equal(owned_by(2), 0);
	assert_int_equal(S.g[2].fwd[1].persistence, 1);
	assert_int_equal(S.g[2].stats.rebalances, 0);
}

static void p1_fails_over_and_stays_when_old_host_returns(void **state)
{
	__u32 o;

	start3_node1_down(1, 500);
	o = sim_owner(&S, 2, 0);
	assert_true(o == 2 || o == 3);
	assert_int_equal(S.g[2].fwd[0].preferred, o); /* sticky to its new current owner */
	sim_restart(&S, 0);
	sim_run(&S, 2000);
	assert_int_equal(sim_owner(&S, 2, 0), o); /* the old owner is back: no move */
	assert_int_equal(owned_by(1), 0);	  /* and balance does not give it back either */
	assert_true(sim_converged(&S));
}

static void p1_never_removed(void **state)
{
	start3_node1_down(1, 8000); /* far past timeout */
	fwd0_in_service();
}

static void p1_no_preferred_never_removed(void **state)
{
	start_unpreferred(1);
	sim_run(&S, 6000);
	fwd0_in_service();
}

/* ---- persistence 3 ---------------------------------------------------------------------- */

static void p3_moves_to_preferred_whenever_alive(void **state)
{
	start3(3);
	/* a new preferred owner that can forward: the forwarder goes there by itself */
	avg_admin(XGLB_ADMIN_PREFER, 0, 0, 2, 500);
	assert_int_equal(sim_owner(&S, 2, 0), 2);
	assert_int_equal(sim_owner(&S, 0, 0), 2);
	assert_true(sim_converged(&S));
}

static void p3_fails_over_survives_timeout_and_moves_back(void **state)
{
	__u32 o;

	start3(3);
	sim_clear_out(&S);
	S.down[0] = true;
	sim_run(&S, 500);
	o = sim_owner(&S, 2, 0);
	assert_true(o == 2 || o == 3); /* failed over */
	assert_int_equal(S.g[2].fwd[0].preferred, 1);
	sim_run(&S, 7500);			  /* past redirect and timeout */
	assert_int_equal(sim_owner(&S, 2, 0), o); /* still served: never removed */
	assert_true(S.g[2].fwd[0].new_ok);	  /* nor redirected */
	assert_int_equal(S.g[2].stats.removals, 0);
	assert_int_equal(S.out[2].redist_mask, 0);
	sim_restart(&S, 0); /* the preferred owner recovers */
	sim_run(&S, 1000);
	assert_int_equal(sim_owner(&S, 2, 0), 1); /* moved back */
	assert_true(sim_converged(&S));
}

/* "While any node lives": the AVG is the last one up and carries every forwarder. */
static void sticky_served_by_the_last_live_node(void **state)
{
	static const __u8 pers[2] = {1, 3};

	for (int p = 0; p < 2; p++) {
		start3(pers[p]);
		S.down[0] = S.down[1] = true;
		sim_run(&S, 8000);
		for (int f = 0; f < 3; f++) {
			assert_int_equal(sim_owner(&S, 2, f), 3);
			assert_true(S.g[2].fwd[f].new_ok);
		}
		assert_int_equal(S.g[2].stats.removals, 0);
	}
}

static void p3_no_preferred_stays_with_current_owner(void **state)
{
	__u32 o = unpreferred_owner_fails(3);

	sim_restart(&S, (int)o - 1);
	sim_run(&S, 1000);
	assert_int_not_equal(sim_owner(&S, 2, 0), o); /* nothing to return to */
}

/* ---- outside load-aware balancing --------------------------------------------------------- */

/* Node 1 carries 90 % of the bytes on a sticky forwarder and a movable one: only the movable
 * one may leave. */
static void load_balance_moves_only_persistence_0(void **state)
{
	static const __u8 pers[3] = {0, 1, 3};
	struct xglb_fsm_timers t = sim_default_timers;

	for (int p = 0; p < 3; p++) {
		t.load_max_pct = 50;
		sim_init(&S, 2, NULL, 4, 0, &t); /* forwarders 0, 2 on node 1; 1, 3 on node 2 */
		for (int i = 0; i < 2; i++)
			S.g[i].fwd[2].persistence = pers[p];
		sim_run(&S, 1000);
		for (int k = 0; k < 20; k++) {
			S.load[0][0] += 9000000;
			S.load[0][2] += 1000;
			S.load[1][1] += 500000;
			S.load[1][3] += 500000;
			sim_run(&S, 500);
			if (pers[p])
				assert_int_equal(sim_owner(&S, 1, 2), 1); /* sticky: never moves */
		}
		if (!pers[p])
			assert_int_equal(sim_owner(&S, 1, 2), 2); /* the light movable one left */
	}
}

/* ---- transitions ------------------------------------------------------------------------ */

/* 3 -> 0 while taken over: the takeover timers start, and it is removed at timeout. */
static void transition_3_to_0_while_taken_over(void **state)
{
	start3_node1_down(3, 6000);
	assert_true(S.g[2].fwd[0].active);
	avg_admin(XGLB_ADMIN_UNPIN, 0, 0, 0, 500);
	assert_int_equal(S.g[1].fwd[0].persistence, 0);
	assert_true(S.g[2].fwd[0].takeover_since != 0);
	sim_run(&S, 5000);
	assert_false(S.g[2].fwd[0].active);
	assert_int_equal(S.g[2].stats.removals, 1);
}

/* 0 -> 3 after removal: back in service at once on a live node, no longer removable. */
static void transition_0_to_3_after_removal(void **state)
{
	start3_node1_down(0, 6000);
	assert_false(S.g[2].fwd[0].active);
	/* preferred node 1 is down: served elsewhere until it returns */
	avg_admin(XGLB_ADMIN_MOVE, 0, 3, 1, 500);
	assert_true(S.g[2].fwd[0].active);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	assert_true(S.g[2].fwd[0].new_ok);
	sim_run(&S, 6000);
	assert_true(S.g[2].fwd[0].active);
	sim_restart(&S, 0);
	sim_run(&S, 1000);
	assert_int_equal(sim_owner(&S, 2, 0), 1);
}

/* 1 -> 3: the current owner is not the preferred one; it moves to the preferred one. */
static void transition_1_to_3_returns_to_preferred(void **state)
{
	start3_node1_down(1, 500);
	sim_restart(&S, 0);
	sim_run(&S, 1000);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	avg_admin(XGLB_ADMIN_MOVE, 0, 3, 1, 500);
	assert_int_equal(sim_owner(&S, 2, 0), 1);
	assert_int_equal(S.g[0].fwd[0].persistence, 3);
}

/* prefer none: a persistence-3 forwarder stays where it is; a taken-over persistence-0 one
 * stops waiting (no timers) and is never removed. */
static void prefer_none(void **state)
{
	start3_node1_down(0, 3000);
	assert_false(S.g[2].fwd[0].new_ok); /* redirected, waiting for node 1 */
	avg_admin(XGLB_ADMIN_PREFER, 0, 0, 0, 500);
	assert_int_equal(S.g[1].fwd[0].preferred, 0); /* published */
	assert_true(S.g[2].fwd[0].new_ok);
	assert_int_equal(S.g[2].fwd[0].takeover_since, 0);
	sim_run(&S, 6000);
	assert_true(S.g[2].fwd[0].active);
	assert_int_equal(S.g[2].stats.removals, 0);
	/* MOVE still needs a node */
	assert_int_equal(xglb_fsm_admin(&S.g[2], XGLB_ADMIN_MOVE, 0, 3, 0, S.now), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(p0_taken_over_redirected_removed_and_back),
	    cmocka_unit_test(p0_preferred_returns_before_timeout_no_removal),
	    cmocka_unit_test(p0_no_preferred_is_never_removed),
	    cmocka_unit_test(p0_no_preferred_fails_over_and_stays_in_service),
	    cmocka_unit_test(p0_moved_by_weight_balance),
	    cmocka_unit_test(p1_outside_weight_balance),
	    cmocka_unit_test(p1_fails_over_and_stays_when_old_host_returns),
	    cmocka_unit_test(p1_never_removed),
	    cmocka_unit_test(p1_no_preferred_never_removed),
	    cmocka_unit_test(p3_moves_to_preferred_whenever_alive),
	    cmocka_unit_test(p3_fails_over_survives_timeout_and_moves_back),
	    cmocka_unit_test(sticky_served_by_the_last_live_node),
	    cmocka_unit_test(p3_no_preferred_stays_with_current_owner),
	    cmocka_unit_test(load_balance_moves_only_persistence_0),
	    cmocka_unit_test(transition_3_to_0_while_taken_over),
	    cmocka_unit_test(transition_0_to_3_after_removal),
	    cmocka_unit_test(transition_1_to_3_returns_to_preferred),
	    cmocka_unit_test(prefer_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

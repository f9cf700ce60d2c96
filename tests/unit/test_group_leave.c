// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_group_leave.c - a clean stop (xglb_fsm_leave): roles and forwarders handed over before
 * leaving. */
#include "testlib.h"
#include "groupsim.h"

static struct sim S;

static void start3(void)
{
	sim_init(&S, 3, NULL, 3, 0, NULL); /* AVG node 3, standby node 2; one forwarder each */
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	assert_int_equal(S.g[2].standby, 2);
	assert_true(sim_converged(&S));
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 0, f), f + 1);
}

/* Some live node's data-plane view accepts forwarder f's frames. */
static bool served(int f)
{
	for (int i = 0; i < S.n; i++) {
		struct xglb_group_state st;

		if (S.down[i])
			continue;
		xglb_fsm_view(&S.g[i], S.now, &st);
		if (st.fwd[f].active && st.fwd[f].owner == (__u32)i + 1)
			return true;
	}
	return false;
}

/* Number of live nodes whose data-plane view answers ARP (is the AVG). */
static int answering(void)
{
	int c = 0;

	for (int i = 0; i < S.n; i++) {
		struct xglb_group_state st;

		if (S.down[i])
			continue;
		xglb_fsm_view(&S.g[i], S.now, &st);
		c += st.avg == (__u32)i + 1;
	}
	return c;
}

/* Run ms milliseconds one at a time, asserting that nothing goes unserved meanwhile. */
static void run_served(int ms)
{
	for (int t = 0; t < ms; t++) {
		sim_run(&S, 1);
		assert_true(answering() >= 1);
		for (int f = 0; f < 3; f++)
			assert_true(served(f));
	}
}

/* The leaver's hello says so, with priority and weight 0. */
static void leaving_hello(void **state)
{
	struct xglb_msg m;

	start3();
	xglb_fsm_leave(&S.g[0], S.now);
	assert_true(xglb_fsm_next(&S.g[0], S.now) <= S.now); /* a hello is due now */
	xglb_fsm_hello(&S.g[0], S.now, NULL, &m);
	assert_true(m.flags & XGLB_MSGF_LEAVING);
	assert_int_equal(m.priority, 0);
	assert_int_equal(m.weight, 0);
	assert_int_equal(m.n_load, 1); /* it still owns forwarder 0 until the AVG moves it */
}

/* A forwarder of a leaving node moves at once (not after the hold time), make-before-break. */
static void non_avg_leaver_hands_over_forwarders(void **state)
{
	start3();
	xglb_fsm_leave(&S.g[0], S.now);
	assert_false(xglb_fsm_left(&S.g[0], S.now));
	run_served(20); /* far below the hold time (300 ms) */
	for (int i = 0; i < 3; i++) {
		__u32 o = sim_owner(&S, i, 0);

		assert_true(o == 2 || o == 3);
	}
	assert_true(sim_converged(&S));
	assert_int_equal(S.g[0].avg, 3); /* the AVG did not change */
	assert_int_equal(S.g[2].stats.avg_changes, 1);
	assert_int_not_equal(S.fdb[0], 1); /* the new owner announced it */
	/* the leaver keeps accepting its frames for the release time, then it has left */
	assert_false(xglb_fsm_left(&S.g[0], S.now));
	run_served(400);
	assert_false(xglb_fsm_left(&S.g[0], S.now)); /* release time: max(hold, 500 ms) */
	run_served(100);
	assert_true(xglb_fsm_left(&S.g[0], S.now));
	/* it stops; the others never make it owner again while it is silent */
	S.down[0] = true;
	sim_run(&S, 1000);
	for (int f = 0; f < 3; f++) {
		assert_true(served(f));
		assert_int_not_equal(sim_owner(&S, 1, f), 1);
	}
}

/* A leaving AVG answers ARP until the standby speaks as AVG: never zero, never for long two. */
static void avg_leaver_hands_over_role(void **state)
{
	int both = 0;

	start3();
	xglb_fsm_leave(&S.g[2], S.now);
	for (int t = 0; t < 110; t++) { /* the new AVG speaks within one hello interval */
		sim_run(&S, 1);
		assert_true(answering() >= 1);
		both += answering() == 2;
		for (int f = 0; f < 3; f++)
			assert_true(served(f));
	}
	assert_true(both <=
		    101); /* until the new AVG's first hello (the daemon sends it at once) */
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	assert_false(xglb_fsm_is_avg(&S.g[2]));
	assert_int_equal(S.g[0].avg, 2);
	assert_int_equal(S.g[2].avg, 2);
	for (int i = 0; i < 3; i++)
		assert_int_not_equal(sim_owner(&S, i, 2), 3);
	assert_true(sim_converged(&S));
	run_served(500);
	assert_true(xglb_fsm_left(&S.g[2], S.now));
	S.down[2] = true;
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	for (int f = 0; f < 3; f++)
		assert_true(served(f));
}

/* Node 3 stops cleanly and starts again: it gets its share back without a gap. */
static void leave_and_come_back(void **state)
{
	start3();
	xglb_fsm_leave(&S.g[2], S.now);
	run_served(700);
	assert_true(xglb_fsm_left(&S.g[2], S.now));
	S.down[2] = true;
	run_served(50);
	sim_restart(&S, 2);
	run_served(3000);
	assert_true(sim_converged(&S));
	assert_int_equal(sim_owner(&S, 0, 0) + sim_owner(&S, 0, 1) + sim_owner(&S, 0, 2), 6);
	assert_true(xglb_fsm_is_avg(&S.g[2])); /* preemption: the highest node leads again */
}

/* Nobody to hand anything to: leaving is immediate. */
static void lone_node_leaves_at_once(void **state)
{
	sim_init(&S, 1, NULL, 2, 0, NULL);
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[0]));
	assert_false(xglb_fsm_left(&S.g[0], S.now)); /* not leaving */
	xglb_fsm_leave(&S.g[0], S.now);
	assert_true(xglb_fsm_left(&S.g[0], S.now));
}

/* Peers that do not answer (hellos lost): the leaver does not claim to have left. */
static void leaver_waits_while_nobody_takes_over(void **state)
{
	start3();
	for (int j = 1; j < 3; j++)
		S.cut[0][j] = true;
	xglb_fsm_leave(&S.g[0], S.now);
	sim_run(&S, 100);
	assert_false(xglb_fsm_left(&S.g[0], S.now));
	assert_int_equal(sim_owner(&S, 0, 0), 1);
	assert_true(served(0));
}

/* Every node stops at once (a maintenance of all routers): nobody waits for the others. */
static void all_leave_at_once(void **state)
{
	start3();
	for (int i = 0; i < 3; i++)
		xglb_fsm_leave(&S.g[i], S.now);
	sim_run(&S, 5); /* each hears the others leaving */
	for (int i = 0; i < 3; i++)
		assert_true(xglb_fsm_left(&S.g[i], S.now));
}

/*
 * Whether a stopping node's final RA may say "no router" (lifetime 0):
 * only when no other node can forward. One of three leaving: the others
 * remain; the last of three after two died (hold expired): nobody; all
 * leaving at once: nobody; a peer up but withdrawn (weight 0) forwards
 * nothing.
 */
static void others_forward_decides_the_final_ra(void **state)
{
	start3();
	xglb_fsm_leave(&S.g[0], S.now);
	sim_run(&S, 5);
	assert_true(xglb_fsm_others_forward(&S.g[0]));

	start3();
	S.down[1] = S.down[2] = true;
	sim_run(&S, S.g[0].t.hold_ms + 100);
	assert_false(xglb_fsm_others_forward(&S.g[0]));

	start3();
	for (int i = 0; i < 3; i++)
		xglb_fsm_leave(&S.g[i], S.now);
	sim_run(&S, 5);
	for (int i = 0; i < 3; i++)
		assert_false(xglb_fsm_others_forward(&S.g[i]));

	start3();
	xglb_fsm_set_self(&S.g[1], S.g[1].nodes[1].priority, 0, S.g[1].nodes[1].mac);
	xglb_fsm_set_self(&S.g[2], S.g[2].nodes[2].priority, 0, S.g[2].nodes[2].mac);
	sim_run(&S, 500);
	assert_false(xglb_fsm_others_forward(&S.g[0]));
	xglb_fsm_set_self(&S.g[2], S.g[2].nodes[2].priority, 100, S.g[2].nodes[2].mac);
	sim_run(&S, 500);
	assert_true(xglb_fsm_others_forward(&S.g[0]));
}

/* The tables node i would leave pinned, its AVG role included. */
static void pinned_of(int i, struct xglb_group *t)
{
	sim_pinned(&S, i, t);
	if (xglb_fsm_is_avg(&S.g[i]))
		t->flags |= XGLB_GRP_AVG;
}

/*
 * kill -9 of the AVG's xglbd and a new one within the hold time: it keeps
 * the role, so some node answers ARP all along (its data plane answered
 * while no agent ran, on the lease), and nobody else is elected.
 */
static void restarted_avg_resumes_without_gap(void **state)
{
	struct xglb_group pinned;
	__u64 changes[3];

	start3();
	pinned_of(2, &pinned);
	assert_true(pinned.flags & XGLB_GRP_AVG);
	for (int i = 0; i < 3; i++)
		changes[i] = S.g[i].stats.avg_changes;
	S.down[2] = true;
	sim_run(&S, 100); /* the restart takes 100 ms */
	sim_restart(&S, 2);
	xglb_fsm_restore(&S.g[2], &pinned);
	xglb_fsm_resume_avg(&S.g[2]);
	for (int t = 0; t < 1000; t++) { /* through the startup hold (300 ms) and beyond */
		sim_run(&S, 1);
		assert_int_equal(answering(), 1);
		assert_true(xglb_fsm_is_avg(&S.g[2]));
		for (int f = 0; f < 3; f++)
			assert_true(served(f));
	}
	assert_int_equal(S.g[0].stats.avg_changes, changes[0]);
	assert_int_equal(S.g[1].stats.avg_changes, changes[1]);
	assert_true(sim_converged(&S));
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 0, f), f + 1);
	assert_false(xglb_fsm_demoted(&S.g[2], S.now));
}

/* Without resuming, the same restart leaves nobody answering for a while (what resume fixes). */
static void restarted_avg_without_resume_leaves_a_gap(void **state)
{
	struct xglb_group pinned;
	int gap = 0;

	start3();
	pinned_of(2, &pinned);
	S.down[2] = true;
	sim_run(&S, 100);
	sim_restart(&S, 2);
	xglb_fsm_restore(&S.g[2], &pinned);
	for (int t = 0; t < 1000; t++) {
		sim_run(&S, 1);
		gap += answering() == 0;
	}
	assert_true(gap > 0);
}

/* A resumed AVG that meets a better claimant (the peers elected one meanwhile) yields. */
static void resumed_avg_yields_to_a_better_claimant(void **state)
{
	struct xglb_group pinned;
	static const __u8 prio[3] = {100, 100, 100};

	sim_init(&S, 3, prio, 3, 0, NULL);
	sim_run(&S, 1000);
	pinned_of(1, &pinned); /* node 2 pretends its pinned tables said AVG */
	pinned.flags |= XGLB_GRP_AVG;
	S.down[1] = true;
	sim_run(&S, 50);
	sim_restart(&S, 1);
	xglb_fsm_restore(&S.g[1], &pinned);
	xglb_fsm_resume_avg(&S.g[1]);
	sim_run(&S, 1000);
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(xglb_fsm_is_avg(&S.g[2])); /* node 3 outranks it and claims the role */
	assert_true(sim_converged(&S));
}

/*
 * A node that holds no state of the AVG it would follow cannot know what
 * that state gives it: restarted while the AVG's hellos do not reach it,
 * then stopped, it must not call its handover done while the AVG still
 * names it the owner of its forwarder; once the AVG's state no longer
 * does, it may go.
 */
static void leaver_without_the_avgs_state_waits(void **state)
{
	start3();
	S.cut[2][0] = true; /* node 3 (the AVG) does not reach node 1 */
	sim_restart(&S, 0);
	sim_run(&S, 200); /* node 1 hears node 2, holds no state */
	assert_int_equal(sim_owner(&S, 2, 0), 1);
	xglb_fsm_leave(&S.g[0], S.now);
	sim_run(&S, 50);
	assert_int_not_equal(S.g[0].state_avg, 3);
	assert_false(xglb_fsm_left(&S.g[0], S.now));
	S.cut[2][0] = false;
	sim_run(&S, 300);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1); /* the AVG moved it */
	assert_true(xglb_fsm_left(&S.g[0], S.now));
}

T_MAIN(cmocka_unit_test(leaving_hello), cmocka_unit_test(non_avg_leaver_hands_over_forwarders),
       cmocka_unit_test(avg_leaver_hands_over_role), cmocka_unit_test(leave_and_come_back),
       cmocka_unit_test(lone_node_leaves_at_once),
       cmocka_unit_test(leaver_waits_while_nobody_takes_over), cmocka_unit_test(all_leave_at_once),
       cmocka_unit_test(others_forward_decides_the_final_ra),
       cmocka_unit_test(restarted_avg_resumes_without_gap),
       cmocka_unit_test(restarted_avg_without_resume_leaves_a_gap),
       cmocka_unit_test(resumed_avg_yields_to_a_better_claimant),
       cmocka_unit_test(leaver_without_the_avgs_state_waits))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_group.c - election, failover, persistence 0/1/3, timers, partitions and load shifts of
 * group.c. */
#include "testlib.h"
#include "groupsim.h"

static struct sim S;

/* Three equal nodes, three forwarders (forwarder i preferred by node i+1). */
static void start3(__u8 pers, const __u8 *prio)
{
	sim_init(&S, 3, prio, 3, pers, NULL);
	sim_run(&S, 1000);
}

static void startup_elects_one_avg_and_assigns_preferred(void **state)
{
	static const __u8 prio[3] = {100, 200, 150};

	start3(0, prio);
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(xglb_fsm_is_avg(&S.g[1])); /* priority 200 */
	assert_int_equal(S.g[0].standby, 3);   /* next priority */
	assert_true(sim_converged(&S));
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 0, f), f + 1);
	assert_true(S.g[0].version >= 1);
}

static void tie_goes_to_higher_id(void **state)
{
	start3(0, NULL);
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	assert_int_equal(S.g[0].avg, 3);
	assert_int_equal(S.g[0].standby, 2);
}

static void starting_node_is_demoted_for_one_hold(void **state)
{
	static const __u8 prio[3] = {100, 100, 250};

	sim_init(&S, 3, prio, 3, 0, NULL);
	S.down[2] = true; /* the best node is not running yet */
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	sim_restart(&S, 2); /* starts now */
	sim_run(&S, 200);   /* < hold (300 ms): still demoted, must not take over */
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	assert_false(xglb_fsm_is_avg(&S.g[2]));
	sim_run(&S, 400); /* demotion over: preemption by the higher priority */
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(sim_converged(&S));
}

static void preempt_delay_and_no_preempt(void **state)
{
	static const __u8 prio[3] = {100, 100, 250};
	struct xglb_fsm_timers t = sim_default_timers;

	t.preempt_delay_ms = 1000;
	sim_init(&S, 3, prio, 3, 0, &t);
	S.down[2] = true;
	sim_run(&S, 1000);
	sim_restart(&S, 2);
	sim_run(&S, 1000); /* demotion 300 ms + 700 ms of the 1000 ms delay */
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	sim_run(&S, 400);
	assert_true(xglb_fsm_is_avg(&S.g[2]));

	t.preempt = false;
	sim_init(&S, 3, prio, 3, 0, &t);
	S.down[2] = true;
	sim_run(&S, 1000);
	sim_restart(&S, 2);
	sim_run(&S, 3000);
	assert_true(xglb_fsm_is_avg(&S.g[1])); /* no preemption: the live AVG stays */
	assert_int_equal(sim_avg_count(&S), 1);
}

static void avf_failure_moves_its_forwarder_after_hold(void **state)
{
	__u64 heard;
	__u32 v;

	start3(0, NULL); /* AVG = node 3 */
	v = S.g[2].version;
	S.down[0] = true; /* node 1, owner of forwarder 0, dies */
	heard = xglb_fsm_node(&S.g[2], 1)->last_heard;
	sim_run(&S, (heard + 300 * SIM_MS - S.now) / SIM_MS - 1); /* 1 ms before hold */
	assert_int_equal(sim_owner(&S, 2, 0), 1);
	sim_run(&S, 2); /* hold expired */
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	assert_int_not_equal(sim_owner(&S, 2, 0), 0);
	assert_true(S.g[2].version > v);
	assert_true(sim_converged(&S));
	assert_int_equal(S.g[2].stats.failovers, 1);
}

static void avg_failure_standby_takes_over_and_continues_versions(void **state)
{
	__u32 v;

	start3(0, NULL); /* AVG 3, standby 2 */
	v = S.g[2].version;
	S.down[2] = true;
	sim_run(&S, 400);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(S.g[1].version > v); /* "911": continues past the highest version */
	assert_int_not_equal(sim_owner(&S, 1, 2), 3); /* the dead AVG's forwarder moved too */
	assert_true(sim_converged(&S));
}

/* Node 1 fails and returns; where does forwarder 0 (preferred 1) end up? */
static __u32 owner_after_return(__u8 pers)
{
	start3(pers, NULL);
	S.down[0] = true;
	sim_run(&S, 500);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	sim_restart(&S, 0);
	sim_run(&S, 1000);
	assert_true(sim_converged(&S));
	return sim_owner(&S, 2, 0);
}

static void persistence_3_returns_to_preferred(void **state)
{
	assert_int_equal(owner_after_return(3), 1);
}

static void persistence_1_stays_where_it_failed_over(void **state)
{
	__u32 o = owner_after_return(1);

	assert_int_not_equal(o, 1);
	assert_int_equal(S.g[2].fwd[0].preferred, o);	   /* sticky to its new owner */
	assert_int_equal(S.g[2].fwd[0].takeover_since, 0); /* so no redirect/timeout */
}

static void persistence_0_rebalanced_back(void **state)
{
	assert_int_equal(owner_after_return(0), 1); /* balance: one forwarder each */
	for (int n = 1; n <= 3; n++) {
		int c = 0;

		for (int f = 0; f < 3; f++)
			c += sim_owner(&S, 2, f) == (__u32)n;
		assert_int_equal(c, 1);
	}
}

static void redirect_then_timeout_removes_and_redistributes(void **state)
{
	start3(0,
	       NULL); /* timers: redirect 2 s, timeout 5 s; persistence 0 (1, 3: never removed) */
	sim_clear_out(&S);
	S.down[0] = true;
	sim_run(&S, 1500);
	assert_true(S.g[2].fwd[0].active);
	assert_true(S.g[2].fwd[0].new_ok); /* taken over, still takes new hosts */
	sim_run(&S, 1000);
	assert_true(S.g[2].fwd[0].active);
	assert_false(S.g[2].fwd[0].new_ok); /* redirect: no new hosts */
	assert_false(S.g[1].fwd[0].new_ok); /* published to every node */
	assert_int_equal(S.out[2].redist_mask, 0);
	sim_run(&S, 3000);
	assert_false(S.g[2].fwd[0].active);	   /* timeout: removed */
	assert_int_equal(S.out[2].redist_mask, 1); /* the AVG moves its hosts */
	assert_true(S.out[2].actions & XGLB_FSM_ACT_REDIST);
	assert_true(sim_converged(&S));
	sim_restart(&S, 0); /* the preferred owner returns: forwarder back in service */
	sim_run(&S, 1000);
	assert_int_equal(sim_owner(&S, 2, 0), 1);
	assert_true(S.g[2].fwd[0].new_ok);
}

/*
 * Fewer forwarders than nodes, both persistence 0 (1 and 3 have no
 * timers): node 3 prefers none. When the preferred owners of both die,
 * node 3 takes both; with no forwarder left at home (served with no timers
 * of its own) there is no live vMAC to move hosts to, so neither redirect
 * nor timeout may apply: both stay owned and take new hosts, for as long
 * as it takes. Once a preferred owner is back, the other, still a
 * takeover, is redirected and removed as usual.
 */
static void takeovers_kept_while_no_forwarder_is_at_home(void **state)
{
	sim_init(&S, 3, NULL, 2, 0, NULL); /* persistence 0; redirect 2 s, timeout 5 s */
	sim_run(&S, 1000);
	assert_int_equal(sim_owner(&S, 2, 0), 1);
	assert_int_equal(sim_owner(&S, 2, 1), 2);
	sim_clear_out(&S);
	S.down[0] = S.down[1] = true;
	sim_run(&S, 20000); /* four timeouts */
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	for (int f = 0; f < 2; f++) {
		assert_int_equal(sim_owner(&S, 2, f), 3);
		assert_true(S.g[2].fwd[f].new_ok);
	}
	assert_int_equal(S.out[2].redist_mask, 0);
	assert_int_equal(S.g[2].stats.removals, 0);

	sim_restart(&S, 0); /* forwarder 0 is home again: forwarder 1 times out */
	sim_run(&S, 1000);
	/* persistence 0: balancing, not the return, may give forwarder 0 back to node 1;
	 * with its preferred owner up it is at home wherever it is */
	assert_true(sim_owner(&S, 2, 0) == 1 || sim_owner(&S, 2, 0) == 3);
	assert_int_equal(sim_owner(&S, 2, 1), 0);
	assert_int_equal(S.out[2].redist_mask, 2); /* its hosts go to forwarder 0 */
	assert_true(S.g[2].fwd[0].new_ok);
	assert_true(sim_converged(&S));
}

/*
 * A node that did not run for a while (a stall) or whose clock jumped
 * must not take its peers' silence in the gap for their death: it keeps
 * the AVG it follows and the owners, and a peer still expires once it has
 * been silent for a hold time of the node's own running time.
 */
static void stall_or_clock_jump_expires_no_peer(void **state)
{
	struct xglb_fsm_out o = {0};
	struct xglb_fsm *g = &S.g[0];
	__u64 t;

	start3(0, NULL);
	assert_int_equal(g->avg, 3);
	t = S.now + 5000 * SIM_MS; /* 5 s, a jump of 16 hold times */
	xglb_fsm_tick(g, t, &o);
	assert_true(xglb_fsm_node(g, 2)->up && xglb_fsm_node(g, 3)->up);
	assert_int_equal(g->avg, 3);
	assert_false(o.actions & XGLB_FSM_ACT_COMMIT);
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 0, f), f + 1);
	assert_int_equal(g->stats.gaps, 1);
	xglb_fsm_tick(g, t + 100 * SIM_MS, &o); /* still within a hold of running time */
	assert_true(xglb_fsm_node(g, 2)->up);
	assert_int_equal(g->stats.gaps, 1);
	xglb_fsm_tick(g, t + 200 * SIM_MS, &o);
	xglb_fsm_tick(g, t + 300 * SIM_MS, &o); /* silent for a hold since: down */
	assert_false(xglb_fsm_node(g, 2)->up);
	assert_false(xglb_fsm_node(g, 3)->up);

	start3(0, NULL); /* backwards (CLOCK_MONOTONIC never does; a faked clock may) */
	g = &S.g[0];
	xglb_fsm_tick(g, S.now - 3600000 * SIM_MS, &o);
	assert_true(xglb_fsm_node(g, 2)->up && xglb_fsm_node(g, 3)->up);
	assert_int_equal(g->avg, 3);
}

/*
 * The same, but forwarder 0 waits for nobody (persistence 3, or no
 * preferred owner): served by node 3 with no timers of its own, it is at
 * home, so forwarder 1, a persistence-0 takeover, is redirected and
 * removed and its hosts go to forwarder 0.
 */
static void takeover_removed_while_a_forwarder_without_timers_serves(void **state)
{
	for (int v = 0; v < 2; v++) {
		sim_init(&S, 3, NULL, 2, 0, NULL);
		for (int i = 0; i < 3; i++) {
			if (v == 0)
				S.g[i].fwd[0].persistence = 3;
			else
				S.g[i].fwd[0].preferred = 0;
		}
		sim_run(&S, 1000);
		sim_clear_out(&S);
		S.down[0] = S.down[1] = true;
		sim_run(&S, 8000);
		assert_true(xglb_fsm_is_avg(&S.g[2]));
		assert_int_equal(sim_owner(&S, 2, 0), 3);
		assert_true(S.g[2].fwd[0].new_ok);
		assert_false(S.g[2].fwd[1].active);
		assert_int_equal(S.out[2].redist_mask, 2);
		assert_int_equal(S.g[2].stats.removals, 1);
	}
}

static void partition_heals_to_one_avg_one_owner_each(void **state)
{
	start3(0, NULL);
	for (int j = 0; j < 3; j++)
		if (j != 2)
			S.cut[2][j] = S.cut[j][2] = true; /* isolate the AVG, node 3 */
	sim_run(&S, 5000);
	assert_int_equal(sim_avg_count(&S), 2); /* each side has one */
	memset(S.cut, 0, sizeof(S.cut));
	sim_run(&S, 1000);
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	assert_true(sim_converged(&S));
	for (int f = 0; f < 3; f++)
		assert_int_not_equal(sim_owner(&S, 0, f), 0);
}

/*
 * 30 % random loss. With hold = 3 hellos, three losses in a row (2.7 % per
 * window) would be common; a lossy link needs hold >= ~8 hellos, and with
 * 10 the chance of a false failover in this run is ~1e-3.
 */
static void loss_of_30_percent_causes_no_failover(void **state)
{
	struct xglb_fsm_timers t = sim_default_timers;
	__u32 v;

	t.hold_ms = 1000;
	sim_init(&S, 3, NULL, 3, 0, &t);
	sim_run(&S, 3000);
	v = S.g[2].version;
	S.loss_pct = 30;
	sim_run(&S, 20000);
	assert_true(S.dropped > 100);
	assert_true(S.dropped * 100 / (S.delivered + 1) >= 25);
	assert_int_equal(S.g[2].version, v);
	for (int i = 0; i < 3; i++)
		assert_int_equal(S.g[i].stats.failovers, 0);
	assert_int_equal(sim_avg_count(&S), 1);
}

static void restart_within_hold_changes_nothing(void **state)
{
	__u32 owners[3];

	start3(3, NULL);
	for (int f = 0; f < 3; f++)
		owners[f] = sim_owner(&S, 2, f);
	S.down[0] = true;
	sim_run(&S, 100);
	sim_restart(&S, 0);
	sim_run(&S, 2000);
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 2, f), owners[f]);
	assert_int_equal(S.g[2].stats.failovers, 0);
	assert_true(sim_converged(&S));
}

static void load_aware_shifts_away_from_busy_node(void **state)
{
	struct xglb_fsm_timers t = sim_default_timers;
	__u8 w_before;

	t.load_max_pct = 50;
	sim_init(&S, 2, NULL, 4, 0, &t); /* 2 nodes, 4 forwarders: 2 each */
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	w_before = S.g[1].fwd[0].eff_weight;
	for (int k = 0; k < 20; k++) {
		S.load[0][0] += 9000000; /* node 1 forwards 90 % of the bytes */
		S.load[0][2] += 1000;
		S.load[1][1] += 500000;
		S.load[1][3] += 500000;
		sim_run(&S, 500);
	}
	/* the busy node got fewer new hosts and lost a movable forwarder */
	assert_int_equal(S.g[1].stats.rebalances, 1);
	assert_int_equal(sim_owner(&S, 1, 2), 2);	  /* the light forwarder moved, once */
	assert_int_equal(sim_owner(&S, 1, 0), 1);	  /* the busy one stays: no overshoot */
	assert_true(S.g[1].fwd[0].eff_weight < w_before); /* fewer new hosts for the busy node */
	for (int k = 0; k < 20; k++) { /* load evens out: weights and counts come back */
		S.load[0][0] += 500000;
		S.load[1][1] += 500000;
		S.load[1][2] += 500000;
		S.load[1][3] += 500000;
		sim_run(&S, 500);
	}
	assert_int_equal(S.g[1].fwd[0].eff_weight, w_before);
	assert_int_equal(sim_owner(&S, 1, 2), 1);
}

static void withdrawn_node_owns_nothing(void **state)
{
	start3(0, NULL);
	xglb_fsm_set_self(&S.g[0], 100, 0, NULL); /* tracking withdrew node 1 */
	sim_run(&S, 500);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	xglb_fsm_set_self(&S.g[0], 100, 100, NULL);
	sim_run(&S, 500);
	assert_int_equal(sim_owner(&S, 2, 0), 1);
}

/* Forwarders node id owns in node obs's view. */
static int owned_by(int obs, __u32 id, int nf)
{
	int c = 0;

	for (int f = 0; f < nf; f++)
		c += sim_owner(&S, obs, f) == id;
	return c;
}

/*
 * A node back at a lower weight than the others still gets its share:
 * 3 forwarders over weights 90/100/100 (share 0.93 of one) is one each,
 * its preferred forwarder going back to it; 6 over 50/100/100 (shares
 * 1.2, 2.4, 2.4) is 1 or 2 for node 1 and never 0 or 3.
 */
static void returning_lower_weight_gets_its_share(void **state)
{
	start3(0, NULL);
	xglb_fsm_set_self(&S.g[0], 100, 0, NULL);
	sim_run(&S, 500);
	assert_int_equal(owned_by(2, 1, 3), 0);
	xglb_fsm_set_self(&S.g[0], 100, 90, NULL);
	sim_run(&S, 500);
	for (__u32 n = 1; n <= 3; n++)
		assert_int_equal(owned_by(2, n, 3), 1);
	assert_int_equal(sim_owner(&S, 2, 0), 1); /* the one it prefers */
	assert_true(sim_converged(&S));

	sim_init(&S, 3, NULL, 6, 0, NULL);
	sim_run(&S, 1000);
	xglb_fsm_set_self(&S.g[0], 100, 0, NULL);
	sim_run(&S, 500);
	assert_int_equal(owned_by(2, 1, 6), 0);
	xglb_fsm_set_self(&S.g[0], 100, 50, NULL);
	sim_run(&S, 500);
	assert_int_equal(owned_by(2, 1, 6), 1);
	assert_int_equal(owned_by(2, 2, 6) + owned_by(2, 3, 6), 5);
	assert_true(owned_by(2, 2, 6) >= 2 && owned_by(2, 3, 6) >= 2);
	/* balanced means stable: nothing moves any more */
	{
		__u32 before = S.g[2].stats.rebalances;

		sim_run(&S, 2000);
		assert_int_equal(S.g[2].stats.rebalances, before);
	}
}

static void send_failure_demotes(void **state)
{
	start3(0, NULL); /* AVG 3 */
	xglb_fsm_send_failed(&S.g[2], true, S.now);
	sim_run(&S, 500);
	assert_false(xglb_fsm_is_avg(&S.g[2]));
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
}

/* The nodes that would answer ARP for the VIP now: AVG in their own view, link up. */
static int answering(void)
{
	int c = 0;

	for (int i = 0; i < S.n; i++)
		c += !S.down[i] && !S.link_down[i] && xglb_fsm_is_avg(&S.g[i]);
	return c;
}

/*
 * The AVG's link is down just long enough for its peers to count it dead;
 * it comes back the moment node 3 has taken over. The node back, alone in
 * its own view (its peers expired there too), must not take the role back
 * at once: it waits until it has heard node 3 act as AVG for one hello
 * interval, then preempts (preempt on, delay 0) with no moment in which
 * nobody answers. Before, it elected itself at its first tick with sending
 * working, and the role moved twice within a millisecond or two.
 */
static void link_back_at_takeover_moves_the_role_once(void **state)
{
	static const __u8 prio[4] = {100, 100, 100, 200};
	__u64 up_at, heard_at = 0, back_at = 0;
	__u64 changes3;

	sim_init(&S, 4, prio, 4, 0, NULL);
	sim_run(&S, 1000);
	assert_true(xglb_fsm_is_avg(&S.g[3]));
	sim_link(&S, 3, false);
	for (int ms = 0; ms < 2000 && !xglb_fsm_is_avg(&S.g[2]); ms++)
		sim_run(&S, 1);
	assert_true(xglb_fsm_is_avg(&S.g[2])); /* the failover: node 3 (id 3) */
	assert_false(xglb_fsm_is_avg(&S.g[3]));
	changes3 = S.g[2].stats.avg_changes;
	sim_link(&S, 3, true);
	up_at = S.now;
	for (int ms = 0; ms < 3 * 300; ms++) {
		sim_run(&S, 1);
		assert_int_not_equal(answering(), 0);
		if (!heard_at && xglb_fsm_node(&S.g[3], 3)->up)
			heard_at = S.now;
		if (!back_at && xglb_fsm_is_avg(&S.g[3]))
			back_at = S.now;
	}
	assert_true(heard_at > up_at);
	/* node 4 took the role back only after hearing node 3 for one hello interval */
	assert_true(back_at >= heard_at + S.g[3].t.hello_ms * SIM_MS);
	assert_int_equal(answering(), 1);
	assert_true(xglb_fsm_is_avg(&S.g[3]));
	/* at node 3: it took the role once, and gave it up once, to node 4 */
	assert_int_equal(S.g[2].stats.avg_changes, changes3 + 1);
	assert_int_equal(S.g[2].avg, 4);
	assert_true(sim_converged(&S));
}

/* A link down for one failed hello, less than the peers' hold time: nobody took
 * over, so the node back resumes at once (its first hello out does not say
 * demoted), and the AVG its peers follow never changed. */
static void short_link_down_resumes_at_once(void **state)
{
	static const __u8 prio[4] = {100, 100, 100, 200};
	__u64 changes[4];

	sim_init(&S, 4, prio, 4, 0, NULL);
	sim_run(&S, 1000);
	for (int i = 0; i < 4; i++)
		changes[i] = S.g[i].stats.avg_changes;
	sim_link(&S, 3, false);
	for (int ms = 0; ms < 200 && !S.g[3].demoted_send; ms++)
		sim_run(&S, 1);
	sim_run(&S, 1);
	assert_false(xglb_fsm_is_avg(&S.g[3])); /* one hello failed: demoted */
	sim_link(&S, 3, true);
	sim_run(&S, 110); /* its next hello goes out: sending works again */
	assert_true(xglb_fsm_is_avg(&S.g[3]));
	assert_int_equal(S.g[3].rejoin_until, 0);
	sim_run(&S, 1000);
	for (int i = 0; i < 3; i++)
		assert_int_equal(S.g[i].stats.avg_changes, changes[i]);
	assert_true(sim_converged(&S));
}

/*
 * The switch (S.fdb: the node whose learning frame for a vMAC came last)
 * sends every active vMAC's frames to the node that owns it.
 */
static void assert_switch_follows_owners(void)
{
	for (int f = 0; f < S.g[0].n_fwd; f++) {
		for (int i = 0; i < S.n; i++) {
			if (S.down[i])
				continue;
			if (sim_owner(&S, i, f))
				assert_int_equal(S.fdb[f], sim_owner(&S, i, f));
			break;
		}
	}
}

/* Node iso hears none of the others, and they none of it: two AVGs follow. */
static void partition(int iso, __u64 ms)
{
	for (int j = 0; j < 3; j++)
		if (j != iso)
			S.cut[iso][j] = S.cut[j][iso] = true;
	sim_run(&S, ms);
	assert_int_equal(sim_avg_count(&S), 2);
}

/* Every hello gets through again: ms later one AVG, one state, the switch follows the owners. */
static void heal(__u64 ms)
{
	memset(S.cut, 0, sizeof(S.cut));
	sim_run(&S, ms);
	assert_int_equal(sim_avg_count(&S), 1);
	assert_true(sim_converged(&S));
	assert_switch_follows_owners();
}

/*
 * A partition heals: during it each side owned (and announced) the other
 * side's forwarders, so the switch may send a vMAC to a node that loses it
 * in the merged state while its owner never stopped owning it. Every owner
 * must announce its vMACs again once the states have merged, whether both
 * directions heal at once (way 0) or the isolated node hears the others
 * first (way 1) or is heard first (way 2).
 */
static void heal_reannounces_every_vmac_from_its_owner(void **state)
{
	for (int k = 0; k < 9; k++) {
		int iso = k % 3, way = k / 3; /* iso: an AVF, the standby, the AVG */

		start3(0, NULL);
		assert_switch_follows_owners();
		partition(iso, 5000);
		for (int j = 0; way && j < 3; j++) {
			if (way == 1)
				S.cut[j][iso] = false; /* the others' hellos reach it */
			else
				S.cut[iso][j] = false; /* its hellos reach the others */
		}
		sim_run(&S, way ? 1000 : 0);
		heal(1000);
	}
}

/*
 * The same for every order in which the nodes' hellos cross at the heal:
 * each node's hello timer is shifted by its own offset, and the heal comes
 * at every 10 ms of the hello period. Which node hears which first decides
 * whether an owner that kept its forwarder all along meets a state that
 * changes nothing for it (no announcement from adopting) and a peer that no
 * longer claims the vMAC in its loads (no contest), while the switch still
 * sends the vMAC to that peer; and whether a node of the losing side
 * announces what it is about to lose after the owner did.
 */
static void heal_at_any_phase_reannounces(void **state)
{
	static const __u8 pers[] = {0, 1, 3};

	for (int p = 0; p < 3; p++)
		for (int iso = 0; iso < 3; iso++)
			for (int ph = 0; ph < 27; ph++)
				for (int ms = 0; ms < 100; ms += 10) {
					int shift[3] = {ph % 3 * 33, ph / 3 % 3 * 33, ph / 9 * 33};

					start3(pers[p], NULL);
					for (int j = 0; j < 3; j++)
						S.g[j].next_hello += (__u64)shift[j] * SIM_MS;
					partition(iso, 3000 + (__u64)ms);
					heal(2000);
				}
}

/*
 * A node declared dead comes back: its new xglbd restores the tables it had
 * pinned, and the switch has a stale frame from it for a forwarder it lost
 * (an xglb before 0.1 announced its pinned tables at start; any stray
 * frame does the same). With persistence 1 nothing moves back to it, so no
 * new state is published: the owners must announce those vMACs again when
 * they hear it claim them.
 */
static void returning_node_cannot_keep_vmacs_it_lost(void **state)
{
	struct xglb_group pinned = {.id = 1, .flags = XGLB_GRP_ENABLED};

	start3(1, NULL);
	pinned.n_fwd = (__u8)S.g[0].n_fwd;
	pinned.version = S.g[0].version;
	for (int f = 0; f < S.g[0].n_fwd; f++) {
		pinned.fwd[f].owner = sim_owner(&S, 0, f);
		pinned.fwd[f].flags = XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK;
	}
	assert_int_equal(pinned.fwd[0].owner, 1);
	S.down[0] = true;
	sim_run(&S, 1000);
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	assert_switch_follows_owners();
	sim_restart(&S, 0);
	xglb_fsm_restore(&S.g[0], &pinned);
	S.fdb[0] = 1; /* a stale learning frame of its */
	sim_run(&S, 1000);
	assert_true(sim_converged(&S));
	assert_int_not_equal(sim_owner(&S, 2, 0), 1);
	assert_switch_follows_owners();
}

/*
 * A restarted node announces nothing from its pinned tables during its
 * startup hold (xglbd sends no learning frames for a starting group):
 * the forwarder a peer took over meanwhile stays on the peer's port.
 * Alone, it announces what it owns once the hold is over.
 */
static void restarted_node_announces_after_its_startup_hold(void **state)
{
	struct xglb_group pinned;
	__u32 owner;

	start3(1, NULL);
	sim_pinned(&S, 0, &pinned);
	assert_int_equal(pinned.fwd[0].owner, 1);
	S.down[0] = true;
	sim_run(&S, 1000);
	owner = sim_owner(&S, 2, 0);
	assert_int_not_equal(owner, 1);
	assert_int_equal(S.fdb[0], owner);
	sim_restart(&S, 0);
	xglb_fsm_restore(&S.g[0], &pinned);
	assert_true(xglb_fsm_starting(&S.g[0], S.now));
	sim_clear_out(&S);
	sim_run(&S, 250); /* hold 300 ms */
	assert_true(xglb_fsm_starting(&S.g[0], S.now));
	assert_int_equal(S.out[0].learn_mask & 1u, 0);
	assert_int_equal(S.fdb[0], owner);
	sim_run(&S, 1000);
	assert_false(xglb_fsm_starting(&S.g[0], S.now));
	assert_int_equal(S.fdb[0], owner);
	assert_switch_follows_owners();

	sim_init(&S, 1, NULL, 2, 0, NULL);
	sim_run(&S, 1000);
	sim_pinned(&S, 0, &pinned);
	assert_int_equal(pinned.fwd[0].owner | pinned.fwd[1].owner, 1);
	sim_restart(&S, 0);
	xglb_fsm_restore(&S.g[0], &pinned);
	S.fdb[0] = S.fdb[1] = 0; /* the switch forgot */
	sim_clear_out(&S);
	sim_run(&S, 250);
	assert_int_equal(S.out[0].learn_mask, 0);
	sim_run(&S, 100); /* the hold ends */
	assert_int_equal(S.out[0].learn_mask, 3);
	assert_int_equal(S.fdb[0], 1);
	assert_int_equal(S.fdb[1], 1);
}

/* ---- hostile or stale states: serial versions, the AVG's state only, capped priorities ---- */

/* Node i's hello now, as it would send it (does not advance the simulation). */
static void hello_of(int i, struct xglb_msg *m)
{
	static const __u64 loads[XGLB_MAX_FWD];

	xglb_fsm_hello(&S.g[i], S.now, loads, m);
}

/*
 * Versions are serial numbers: at 0xffffffff the next state is 1, and
 * followers take it. (Compared as plain integers, 0xffffffff could never
 * be superseded: the group would be frozen.)
 */
static void version_wraps_past_0xffffffff(void **state)
{
	start3(0, NULL);
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	for (int i = 0; i < 3; i++)
		S.g[i].version = S.g[i].version_max = 0xffffffffu; /* held, so the newest held */
	S.down[0] = true; /* a failover: the AVG publishes a new state */
	sim_run(&S, 1000);
	assert_int_equal(S.g[2].version, 1);
	assert_true(sim_converged(&S));
	assert_int_equal(S.g[1].version, 1);
	assert_int_not_equal(sim_owner(&S, 1, 0), 1);
	assert_int_not_equal(sim_owner(&S, 1, 0), 0);
	assert_true(xglb_version_after(1, 0xffffffffu));
	assert_false(xglb_version_after(0xffffffffu, 1));
	assert_false(xglb_version_after(5, 5));
	assert_true(xglb_version_after(5 + XGLB_VERSION_STEP, 5));
	assert_false(xglb_version_after(6 + XGLB_VERSION_STEP, 5));
	assert_int_equal(xglb_version_next(0xffffffffu), 1);
}

/*
 * A restarted node whose pinned tables say version 0xffffffff (a forged
 * state that once got in, or a counter near its wrap) follows the AVG's
 * state, whatever its version.
 */
static void pinned_0xffffffff_does_not_freeze_a_restarted_node(void **state)
{
	struct xglb_group pinned;

	start3(1, NULL);
	sim_pinned(&S, 0, &pinned);
	pinned.version = 0xffffffffu;
	for (int f = 0; f < 3; f++)
		pinned.fwd[f].owner = 1; /* it believes it owns everything */
	sim_restart(&S, 0);
	xglb_fsm_restore(&S.g[0], &pinned);
	sim_run(&S, 1000);
	assert_true(sim_converged(&S));
	for (int f = 0; f < 3; f++)
		assert_int_equal(sim_owner(&S, 0, f), sim_owner(&S, 2, f));
	assert_int_not_equal(S.g[0].version, 0xffffffffu);
}

/*
 * A state is taken only from the AVG, publishing its own: not from another
 * node claiming a newer version (with or without the AVG flag), and not
 * from the AVG if its version leaps more than the step.
 */
static void state_only_from_the_avg_within_the_step(void **state)
{
	struct xglb_fsm_out out = {0};
	struct xglb_msg m;
	__u32 v;

	start3(0, NULL);
	assert_true(sim_converged(&S));
	assert_true(xglb_fsm_is_avg(&S.g[2]));
	v = S.g[1].version;

	/* node 1 (not AVG) publishes a state giving it every forwarder */
	for (int flags = 0; flags < 2; flags++) {
		hello_of(0, &m);
		m.flags |= XGLB_MSGF_STATE | (flags ? XGLB_MSGF_AVG : 0);
		m.state_version = v + 1;
		m.state_avg = 1;
		for (int f = 0; f < m.n_fwd; f++)
			m.fwd[f].owner = 1;
		xglb_fsm_rx(&S.g[1], &m, S.now, &out);
		assert_int_equal(S.g[1].version, v);
		assert_int_equal(S.g[1].state_avg, 3);
		assert_int_equal(sim_owner(&S, 1, 1), 2);
		assert_int_equal(out.actions & XGLB_FSM_ACT_COMMIT, 0);
	}
	assert_int_equal(S.g[1].stats.states_refused, 2);

	/* the AVG itself, but leaping past the step */
	hello_of(2, &m);
	m.state_version = v + XGLB_VERSION_STEP + 1;
	m.fwd[1].owner = 3;
	xglb_fsm_rx(&S.g[1], &m, S.now, &out);
	assert_int_equal(S.g[1].version, v);
	assert_int_equal(sim_owner(&S, 1, 1), 2);
	assert_int_equal(S.g[1].stats.states_refused, 3);

	/* the AVG's next version is taken */
	m.state_version = v + 1;
	xglb_fsm_rx(&S.g[1], &m, S.now, &out);
	assert_int_equal(S.g[1].version, v + 1);
	assert_int_equal(sim_owner(&S, 1, 1), 3);
}

/* A hello cannot claim more priority or weight than the configuration gives its sender. */
static void advertised_priority_capped_at_configuration(void **state)
{
	static const __u8 prio[3] = {100, 200, 150};
	struct xglb_fsm_out out = {0};
	struct xglb_msg m;

	start3(0, prio);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	hello_of(0, &m);
	m.priority = 255;
	m.weight = 60000;
	xglb_fsm_rx(&S.g[2], &m, S.now, &out);
	assert_int_equal(xglb_fsm_node(&S.g[2], 1)->priority, 100);
	assert_int_equal(xglb_fsm_node(&S.g[2], 1)->weight, 100);
	m.priority = 40; /* lower (tracking) is taken as it is */
	m.weight = 7;
	xglb_fsm_rx(&S.g[2], &m, S.now, &out);
	assert_int_equal(xglb_fsm_node(&S.g[2], 1)->priority, 40);
	assert_int_equal(xglb_fsm_node(&S.g[2], 1)->weight, 7);
	sim_run(&S, 500);
	assert_true(xglb_fsm_is_avg(&S.g[1]));
	assert_int_equal(S.g[2].avg, 2);
}

/*
 * A reload that replaces node 3 by node 4 (same count): node 4's hellos
 * are heard and it takes part; the others keep what was known of them.
 */
static void reload_replaces_a_node(void **state)
{
	struct xglb_fsm_node_param nodes[3] = {
	    {.id = 1, .priority = 100, .weight = 100},
	    {.id = 2, .priority = 100, .weight = 100},
	    {.id = 4, .priority = 90, .weight = 50},
	};
	struct xglb_fsm_out out = {0};
	struct xglb_msg m;

	start3(0, NULL);
	assert_true(xglb_fsm_node(&S.g[0], 2)->up);
	xglb_fsm_set_nodes(&S.g[0], nodes, 3, S.now);
	assert_null(xglb_fsm_node(&S.g[0], 3));
	assert_true(xglb_fsm_node(&S.g[0], 2)->up); /* kept */
	assert_false(xglb_fsm_node(&S.g[0], 4)->up);
	assert_int_equal(S.g[0].avg, 0); /* node 3 was AVG: elect again */
	hello_of(2, &m);
	m.node_id = 4;
	m.flags &= (__u16) ~(XGLB_MSGF_STATE | XGLB_MSGF_AVG | XGLB_MSGF_STEER);
	m.state_version = m.state_avg = m.state_standby = 0;
	m.n_fwd = 0;
	m.steer_mask = 0;
	m.priority = 200;
	xglb_fsm_rx(&S.g[0], &m, S.now, &out);
	assert_true(xglb_fsm_node(&S.g[0], 4)->up);
	assert_int_equal(xglb_fsm_node(&S.g[0], 4)->priority, 90);
	assert_int_equal(xglb_fsm_node(&S.g[0], 4)->weight, 50);
}

T_MAIN(cmocka_unit_test(startup_elects_one_avg_and_assigns_preferred),
       cmocka_unit_test(tie_goes_to_higher_id),
       cmocka_unit_test(starting_node_is_demoted_for_one_hold),
       cmocka_unit_test(preempt_delay_and_no_preempt),
       cmocka_unit_test(avf_failure_moves_its_forwarder_after_hold),
       cmocka_unit_test(avg_failure_standby_takes_over_and_continues_versions),
       cmocka_unit_test(persistence_3_returns_to_preferred),
       cmocka_unit_test(persistence_1_stays_where_it_failed_over),
       cmocka_unit_test(persistence_0_rebalanced_back),
       cmocka_unit_test(returning_lower_weight_gets_its_share),
       cmocka_unit_test(redirect_then_timeout_removes_and_redistributes),
       cmocka_unit_test(takeovers_kept_while_no_forwarder_is_at_home),
       cmocka_unit_test(takeover_removed_while_a_forwarder_without_timers_serves),
       cmocka_unit_test(stall_or_clock_jump_expires_no_peer),
       cmocka_unit_test(partition_heals_to_one_avg_one_owner_each),
       cmocka_unit_test(loss_of_30_percent_causes_no_failover),
       cmocka_unit_test(restart_within_hold_changes_nothing),
       cmocka_unit_test(restarted_node_announces_after_its_startup_hold),
       cmocka_unit_test(load_aware_shifts_away_from_busy_node),
       cmocka_unit_test(withdrawn_node_owns_nothing), cmocka_unit_test(send_failure_demotes),
       cmocka_unit_test(link_back_at_takeover_moves_the_role_once),
       cmocka_unit_test(short_link_down_resumes_at_once),
       cmocka_unit_test(heal_reannounces_every_vmac_from_its_owner),
       cmocka_unit_test(heal_at_any_phase_reannounces),
       cmocka_unit_test(returning_node_cannot_keep_vmacs_it_lost),
       cmocka_unit_test(version_wraps_past_0xffffffff),
       cmocka_unit_test(pinned_0xffffffff_does_not_freeze_a_restarted_node),
       cmocka_unit_test(state_only_from_the_avg_within_the_step),
       cmocka_unit_test(advertised_priority_capped_at_configuration),
       cmocka_unit_test(reload_replaces_a_node))

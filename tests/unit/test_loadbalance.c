// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_loadbalance.c - load-aware balancing in group.c (load-max-share-pct): a node above the
 * max share of the bytes sheds movable forwarders until the shares converge, every move lowers
 * the highest load, and no forwarder moves twice within the hysteresis window (3 load periods
 * of 5 hold times). Timers (groupsim.h): hello 100 ms, hold 300 ms, so a load period is 1.5 s
 * and the window 4.5 s.
 */
#include "testlib.h"
#include "groupsim.h"

#define PERIOD_MS 1500
#define WINDOW_MS (XGLB_BALANCE_HOLD_PERIODS * PERIOD_MS)

static struct sim S;

/* Bytes per 100 ms each forwarder carries; its owner (by the AVG's state) reports them. */
static __u64 traffic[XGLB_MAX_FWD];
/* When each forwarder last changed owner, and how often it moved twice within the window. */
static __u64 moved_at[XGLB_MAX_FWD];
static int moves[XGLB_MAX_FWD], flaps;

static int avg_index(void)
{
	for (int i = 0; i < S.n; i++)
		if (!S.down[i] && xglb_fsm_is_avg(&S.g[i]))
			return i;
	return -1;
}

/* Run ms in 100-ms steps: owners count their forwarders' bytes; watch every owner change. */
static void run_traffic(int ms)
{
	for (int t = 0; t < ms; t += 100) {
		int a = avg_index();
		__u32 before[XGLB_MAX_FWD];

		assert_true(a >= 0);
		for (int f = 0; f < S.g[a].n_fwd; f++) {
			__u32 o = sim_owner(&S, a, f);

			before[f] = o;
			if (o)
				S.load[o - 1][f] += traffic[f];
		}
		sim_run(&S, 100);
		a = avg_index();
		for (int f = 0; f < S.g[a].n_fwd; f++) {
			if (sim_owner(&S, a, f) == before[f])
				continue;
			if (moves[f] && S.now - moved_at[f] < (__u64)WINDOW_MS * SIM_MS)
				flaps++;
			moves[f]++;
			moved_at[f] = S.now;
		}
	}
}

/* A group whose node 1 reports past bytes (past, on forwarder 0) from its first hello on. */
static void start_with_past(int nodes, int nf, __u8 pct, __u64 past)
{
	struct xglb_fsm_timers t = sim_default_timers;

	t.load_max_pct = pct;
	sim_init(&S, nodes, NULL, nf, 0, &t);
	memset(traffic, 0, sizeof(traffic));
	memset(moved_at, 0, sizeof(moved_at));
	memset(moves, 0, sizeof(moves));
	flaps = 0;
	S.load[0][0] = past;
	sim_run(&S, 1000);
}

static void start(int nodes, int nf, __u8 pct)
{
	start_with_past(nodes, nf, pct, 0);
}

/* The share of the bytes node id carries by the AVG's last evaluation, in percent. */
static int share(__u32 id)
{
	__u64 sum = 0, mine = 0;
	int a = avg_index();

	for (int f = 0; f < S.g[a].n_fwd; f++) {
		sum += traffic[f];
		if (sim_owner(&S, a, f) == id)
			mine += traffic[f];
	}
	return sum ? (int)(mine * 100 / sum) : 0;
}

/*
 * Node 1 carries 90 % of the bytes on one movable forwarder and a sticky one; the
 * movable one is too heavy to move (node 2 would then carry more than node 1 does now).
 * Nothing may move, ever: before, the weight balance and the load shift undid each
 * other every few seconds.
 */
static void no_flapping_when_nothing_helps(void **state)
{
	start(2, 4, 50); /* forwarders 0, 2 on node 1; 1, 3 on node 2 */
	for (int i = 0; i < 2; i++)
		S.g[i].fwd[2].persistence = 1;
	traffic[0] = 900000;
	traffic[2] = 100;
	traffic[1] = traffic[3] = 50000;
	run_traffic(30000);
	for (int f = 0; f < 4; f++)
		assert_int_equal(moves[f], 0);
	assert_int_equal(flaps, 0);
	assert_int_equal(S.g[avg_index()].stats.rebalances, 0);
}

/* 3 nodes, 6 forwarders; node 1 carries 3 heavy ones. It sheds until no node is above 50 %. */
static void sheds_until_shares_converge(void **state)
{
	static const __u64 bytes[6] = {400000, 100000, 50000, 300000, 100000, 50000};
	int a, periods = 0;

	start(3, 6, 50); /* forwarder f on node f % 3 + 1: node 1 has 0 and 3 */
	memcpy(traffic, bytes, sizeof(bytes));
	a = avg_index();
	assert_true(share(1) > 50); /* 700 of 1000 */
	while (share(1) > 50 && periods++ < 6)
		run_traffic(PERIOD_MS);
	a = avg_index();
	assert_true(share(1) <= 50);
	assert_true(share(2) <= 50);
	assert_true(share(3) <= 50);
	assert_true(periods <= 2);   /* one move per period; one was enough here */
	run_traffic(10 * PERIOD_MS); /* and then it stays */
	assert_int_equal(flaps, 0);
	for (int f = 0; f < 6; f++)
		assert_true(moves[f] <= 1);
	assert_true(S.g[a].stats.rebalances >= 1);
	assert_true(sim_converged(&S));
}

/* Several moves in a row: every node above the share gives one per period, never back. */
static void converges_over_several_periods_without_flapping(void **state)
{
	static const __u64 bytes[8] = {200000, 10000, 200000, 10000, 200000, 10000, 200000, 10000};

	start(2, 8, 60); /* node 1: 0, 2, 4, 6 (all heavy); node 2: the light ones */
	memcpy(traffic, bytes, sizeof(bytes));
	assert_true(share(1) > 90);
	run_traffic(12 * PERIOD_MS);
	assert_true(share(1) <= 60);
	assert_true(share(2) <= 60);
	assert_int_equal(flaps, 0);
	run_traffic(12 * PERIOD_MS);
	assert_int_equal(flaps, 0);
	assert_true(share(1) <= 60 && share(2) <= 60);
}

/*
 * The counters a node reports are totals since its data path started (pinned maps outlive
 * xglbd). A new AVG, or a node heard again, must not take a whole history for one period's
 * bytes: even traffic after a long busy past moves nothing.
 */
static void history_is_not_a_period(void **state)
{
	start_with_past(2, 4, 60, 1000000000000ull); /* node 1 carried a terabyte before */
	for (int f = 0; f < 4; f++)
		traffic[f] = 100000; /* even */
	run_traffic(4 * PERIOD_MS);
	for (int f = 0; f < 4; f++)
		assert_int_equal(moves[f], 0);
	/* the AVG (node 2) dies and comes back: node 1 is AVG meanwhile, then node 2 again */
	S.down[1] = true;
	sim_run(&S, 400);
	S.load[0][2] += 1000000000000ull; /* another terabyte while the AVG was away */
	sim_restart(&S, 1);
	sim_run(&S, 1000); /* back as AVG; the count balance gives it its two again */
	memset(moved_at, 0, sizeof(moved_at));
	memset(moves, 0, sizeof(moves));
	run_traffic(4 * PERIOD_MS); /* its first evaluations must not see the terabytes */
	assert_int_equal(avg_index(), 1);
	for (int f = 0; f < 4; f++)
		assert_int_equal(moves[f], 0);
	assert_int_equal(share(1), 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_flapping_when_nothing_helps),
	    cmocka_unit_test(sheds_until_shares_converge),
	    cmocka_unit_test(converges_over_several_periods_without_flapping),
	    cmocka_unit_test(history_is_not_a_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

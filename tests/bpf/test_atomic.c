// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_atomic.c - the bank switch under load: every answer comes from one whole committed state. */
#include <pthread.h>
#include <sched.h>
#include "harness.h"

/*
 * State k of the group: 16 forwarders, only forwarder k % 16 active and
 * taking new hosts, so every slot names it; version k. A packet that sees
 * one whole state is answered with vMAC index k % 16. A packet that saw
 * parts of two states (flags of one, slot table of the other) would find
 * its slot naming an inactive forwarder and drop (NO_FWD), or answer with
 * an index that belongs to neither state. Consecutive states differ in
 * every one of these fields.
 */
#define GID	 1
#define COMMITS	 200  /* each commit after the first waits one RCU grace period */
#define PREPARES 5000 /* prepare-only rewrites of the inactive bank */

static void state_k(struct xglb_group_state *st, __u32 k)
{
	h_state(st, GID, H_VIP, XGLB_POLICY_WEIGHTED, XGLB_MAX_FWD, H_SELF);
	st->version = k;
	for (int i = 0; i < XGLB_MAX_FWD; i++) {
		st->fwd[i].active = (__u32)i == k % XGLB_MAX_FWD;
		st->fwd[i].new_ok = st->fwd[i].active;
		st->fwd[i].weight = (__u8)(1 + k % 7);
	}
}

struct writer {
	struct h_env *e;
	__u32 first, last; /* states committed: first..last */
	bool prepare_only; /* rewrite the inactive bank with states first..last, never flip */
	__u32 started;	   /* last k whose commit began */
	__u32 done;	   /* last k whose commit returned (flipped) */
	__u64 reads;	   /* requests the reader has completed */
	bool finished;
	int err;
};

/*
 * Let the reader start a few requests on the state just flipped before
 * the next commit, so that most states are seen even where a grace
 * period is short (rcu_expedited). Bounded: a stalled reader only slows
 * the writer down.
 */
static void pace(struct writer *w)
{
	__u64 from = __atomic_load_n(&w->reads, __ATOMIC_SEQ_CST), t0 = h_now_ns();

	while (__atomic_load_n(&w->reads, __ATOMIC_SEQ_CST) < from + 3 &&
	       h_now_ns() - t0 < 20000000ull)
		sched_yield();
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	for (__u32 k = w->first; k <= w->last; k++) {
		struct xglb_group_state st;
		struct xglb_group g;
		int err;

		state_k(&st, k);
		xglb_build_group(&st, H_SELF, &g);
		if (w->prepare_only) {
			err = xglb_bank_prepare(&w->e->bank, &g, 1);
		} else {
			__atomic_store_n(&w->started, k, __ATOMIC_SEQ_CST);
			err = xglb_bank_commit(&w->e->bank, &g, 1);
			__atomic_store_n(&w->done, k, __ATOMIC_SEQ_CST);
		}
		if (err) {
			w->err = err;
			break;
		}
		if (!w->prepare_only)
			pace(w);
	}
	__atomic_store_n(&w->finished, true, __ATOMIC_SEQ_CST);
	return NULL;
}

struct observed {
	__u64 runs, bad_verdict, bad_reply, outside; /* failures */
	__u64 states; /* answers naming a different state than the answer before */
	int first_bad_verdict, first_bad_idx;
	__u32 first_bad_lo, first_bad_hi;
	bool seen[XGLB_MAX_FWD];
};

/*
 * Ask for the VIP from fresh hosts until the writer finishes. Each answer
 * must name k % 16 for some k in [done before the run, started after it]:
 * the states that may have been active while the packet ran.
 */
static void read_until_done(struct h_env *e, struct writer *w, __u32 *host_n, struct observed *o)
{
	int last_idx = -1;

	memset(o, 0, sizeof(*o));
	while (!__atomic_load_n(&w->finished, __ATOMIC_SEQ_CST)) {
		struct h_frame in, out;
		struct xglb_arp_frame *r = h_arpf(&out);
		__u32 lo, hi;
		bool ok = false;
		__u8 mac[6];
		int v, idx;

		h_host_mac((*host_n)++, mac);
		h_arp_request(&in, mac, H_HOSTIP, H_VIP);
		lo = __atomic_load_n(&w->done, __ATOMIC_SEQ_CST);
		v = h_run_xdp(e, &in, &out);
		hi = __atomic_load_n(&w->started, __ATOMIC_SEQ_CST);
		o->runs++;
		__atomic_store_n(&w->reads, o->runs, __ATOMIC_SEQ_CST);
		if (v != XDP_TX) {
			if (!o->bad_verdict++)
				o->first_bad_verdict = v;
			continue;
		}
		if (out.len != sizeof(*r) || memcmp(r->eth_dst, mac, 6) || r->sha[0] != 0x02 ||
		    r->sha[1] != 0x78 || r->sha[2] != 0x67 || r->sha[3] != 0x62 ||
		    r->sha[4] != GID || r->spa != H_VIP) {
			o->bad_reply++;
			continue;
		}
		idx = r->sha[5];
		for (__u32 k = lo; k <= hi && !ok; k++)
			ok = (__u32)idx == k % XGLB_MAX_FWD;
		if (!ok) {
			if (!o->outside++) {
				o->first_bad_idx = idx;
				o->first_bad_lo = lo;
				o->first_bad_hi = hi;
			}
			continue;
		}
		if (idx < XGLB_MAX_FWD)
			o->seen[idx] = true;
		if (idx != last_idx)
			o->states++;
		last_idx = idx;
	}
}

static void report(const char *what, const struct observed *o)
{
	int distinct = 0;

	for (int i = 0; i < XGLB_MAX_FWD; i++)
		distinct += o->seen[i];
	print_message("%s: %llu runs, %llu state changes seen, %d forwarders seen\n", what,
		      (unsigned long long)o->runs, (unsigned long long)o->states, distinct);
	if (o->bad_verdict)
		print_error("%llu verdicts not XDP_TX, first %d\n",
			    (unsigned long long)o->bad_verdict, o->first_bad_verdict);
	if (o->outside)
		print_error("%llu answers from no committed state, first idx %d, k in [%u, %u]\n",
			    (unsigned long long)o->outside, o->first_bad_idx, o->first_bad_lo,
			    o->first_bad_hi);
}

/*
 * State 1 committed, then the writer runs w (from state 2 on) while this
 * thread asks until it is done; counters around the race in before/after.
 * Asserts what holds for every race: no writer error, every answer a
 * reply from one committed state.
 */
static void race(struct h_env *e, struct writer *w, struct observed *o, __u32 *host_n,
		 __u64 before[XGLB_STATS_SLOTS], __u64 after[XGLB_STATS_SLOTS])
{
	struct xglb_group_state st;
	pthread_t t;

	state_k(&st, 1);
	h_install(e, &st, 1);
	w->started = w->done = 1;
	h_stats(e, before);
	assert_int_equal(pthread_create(&t, NULL, writer_main, w), 0);
	read_until_done(e, w, host_n, o);
	pthread_join(t, NULL);
	h_stats(e, after);
	report(w->prepare_only ? "prepares" : "commits", o);

	assert_int_equal(w->err, 0);
	assert_true(o->runs > 100);
	assert_int_equal(o->bad_verdict, 0);
	assert_int_equal(o->bad_reply, 0);
	assert_int_equal(o->outside, 0);
}

/* The forwarder index a request from a host never seen before is answered with. */
static int ask_new_host(struct h_env *e, __u32 *host_n)
{
	__u8 mac[6];

	h_host_mac((*host_n)++, mac);
	return h_ask(e, mac, H_HOSTIP, GID, H_VIP);
}

/* Commit states 2..COMMITS while ARP requests run: one whole state each, and many states seen. */
static void test_commits_under_load(void **state)
{
	struct h_env *e = *state;
	struct writer w = {.e = e, .first = 2, .last = COMMITS};
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct observed o;
	__u32 host_n = 0;

	race(e, &w, &o, &host_n, before, after);
	assert_int_equal(e->bank.ctl->flips, COMMITS);
	assert_int_equal(after[XGLB_R_XDP_DROP_ARP_NO_FWD] - before[XGLB_R_XDP_DROP_ARP_NO_FWD], 0);
	assert_int_equal(after[XGLB_R_XDP_DROP_VMAC_UNKNOWN] - before[XGLB_R_XDP_DROP_VMAC_UNKNOWN],
			 0);
	/* every request answered: recorded, or not (table full, new-host budget spent) */
	assert_int_equal(after[XGLB_R_XDP_TX_ARP_REPLY] + after[XGLB_R_XDP_TX_ARP_UNTRACKED] +
			     after[XGLB_R_XDP_TX_ARP_RATE_LIMITED] -
			     before[XGLB_R_XDP_TX_ARP_REPLY] - before[XGLB_R_XDP_TX_ARP_UNTRACKED] -
			     before[XGLB_R_XDP_TX_ARP_RATE_LIMITED],
			 o.runs);
	/* the test really raced: (nearly) every state was seen, and all 16 forwarders */
	assert_true(o.states >= COMMITS * 9 / 10);
	for (int i = 0; i < XGLB_MAX_FWD; i++)
		assert_true(o.seen[i]);
	/* and the last state is what packets see now */
	assert_int_equal(ask_new_host(e, &host_n), COMMITS % XGLB_MAX_FWD);
}

/*
 * Rewriting the inactive bank, as fast as it goes, never disturbs the
 * active one: every answer names the one committed state.
 */
static void test_prepare_leaves_active_bank(void **state)
{
	struct h_env *e = *state;
	struct writer w = {.e = e, .first = 2, .last = 1 + PREPARES, .prepare_only = true};
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct observed o;
	__u32 host_n = 0;

	race(e, &w, &o, &host_n, before, after);
	assert_int_equal(o.states, 1);
	assert_int_equal(e->bank.ctl->flips, 1);

	/* one flip makes the last prepared state live at once */
	xglb_bank_flip(&e->bank);
	assert_int_equal(ask_new_host(e, &host_n), (1 + PREPARES) % XGLB_MAX_FWD);
}

H_MAIN("atomic", H_TEST(test_commits_under_load), H_TEST(test_prepare_leaves_active_bank))

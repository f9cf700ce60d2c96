// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * table_bench.c - agent-side cost of a table switch (user/xglbd/bank.c) for a group of 16
 * forwarders.
 *
 *   table_bench        (no traffic, no interface: loads the skeleton and writes its maps)
 *
 * What a failover costs the agent once the group state has changed is
 * commit_tables() in xglbd: xglb_build_group() and then xglb_bank_commit(),
 * i.e. xglb_bank_prepare() (write the inactive bank: the group slots and VIP
 * index slots that differ from what that bank holds) and xglb_bank_flip()
 * (one store into the mmapped xglb_ctl). Before writing a bank that was live
 * until the last flip, prepare waits for an RCU grace period; xglbd pays it
 * from its idle path (xglb_bank_quiesce on the heartbeat timer), not on the
 * failover path, so it is measured separately here:
 *
 *   table_prepare_us   median of build (16 forwarders, weighted, 256 slots)
 *                      + xglb_bank_prepare, with the bank already quiesced
 *   table_flip_us      median of xglb_bank_flip
 *   table_quiesce_ms   median of xglb_bank_quiesce right after a flip (the
 *                      grace period a prepare would otherwise pay)
 *   table_commit_us    median of quiesce-free build + prepare + flip, one
 *                      whole failover-path switch
 *   table_part_build_us   the build alone (xglb_build_group)
 *   table_part_write_us   xglb_bank_prepare alone: the map writes
 *   table_commit_255g_us  median of build + prepare + flip of 255 groups of 16
 *                      forwarders, every group changed (a node's 4 forwarders of
 *                      each moved to the others: a failover of all groups), as
 *                      commit_tables does it after a dead node's hold time
 *   table_part_build_255g_us, table_part_write_255g_us  its two parts
 *
 * Each sample is timed with CLOCK_MONOTONIC around the call; the median of
 * an empty timed section (table_timer_overhead_ns, a few tens of ns here)
 * is printed and not subtracted. The skeleton is loaded but not attached:
 * the map writes cost the same with or without readers, and an RCU grace
 * period does not depend on them either.
 *
 * Prints "BENCH <name> <value> <unit>" lines on stdout.
 */
#include "bench.h"

#define N_PREPARE 3000 /* prepare samples (and commit samples) */
#define N_FLIP	  20000
#define N_QUIESCE 40 /* ~10-30 ms each */
#define N_FWD	  16
#define N_NODES	  4
#define N_PART	  1000 /* samples of each part of prepare */
#define N_GROUPS  255
#define N_SCALE	  200 /* samples of the 255-group commit */

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static __u64 pctl(__u64 *v, int n, int p)
{
	long i = (long)n * p / 100;

	qsort(v, n, sizeof(*v), cmp_u64);
	return v[i < n ? i : n - 1];
}

static __u64 now(void)
{
	return bench_now_ns(CLOCK_MONOTONIC);
}

/* 16 forwarders over 4 nodes, weighted, distinct weights: the costliest slot build. */
static void make_state(struct xglb_group_state *st, __u32 version)
{
	memset(st, 0, sizeof(*st));
	st->gid = 1;
	st->vip = inet_addr("10.99.2.1");
	st->policy = XGLB_POLICY_WEIGHTED;
	st->avg = 1;
	st->version = version;
	st->n_fwd = N_FWD;
	st->ifindex[0] = 1;
	for (int i = 0; i < N_FWD; i++)
		st->fwd[i] = (struct xglb_fwd_state){.owner = 1 + (__u32)i % N_NODES,
						     .weight = (__u8)(10 + 7 * i),
						     .active = true,
						     .new_ok = true};
}

/* Group GID of the 255: forwarder i owned by node 1 + i % 4, or, with node DEAD's
 * forwarders moved, by the next node. */
static void make_state_255(struct xglb_group_state *st, __u8 gid, __u32 version, __u32 dead)
{
	make_state(st, version);
	st->gid = gid;
	st->vip = htonl(0x0a630001 | (__u32)gid << 8); /* 10.99.<gid>.1 */
	for (int i = 0; i < N_FWD; i++)
		if (st->fwd[i].owner == dead)
			st->fwd[i].owner = dead % N_NODES + 1;
}

/* The 255-group commit, alternating between all nodes alive and node 4 dead. */
static int scale_commit(struct xglb_bank *bank)
{
	static struct xglb_group groups[N_GROUPS];
	static __u64 commit[N_SCALE], build[N_SCALE], write[N_SCALE];
	struct xglb_group_state st;
	__u64 t0, t1, t2;
	int err;

	for (int i = 0; i < N_SCALE; i++) {
		xglb_bank_quiesce(bank); /* the idle path, not timed */
		t0 = now();
		for (int g = 0; g < N_GROUPS; g++) {
			make_state_255(&st, (__u8)(g + 1), 300000 + (__u32)i, i % 2 ? 4 : 0);
			xglb_build_group(&st, 1, &groups[g]);
		}
		t1 = now();
		err = xglb_bank_prepare(bank, groups, N_GROUPS);
		if (!err)
			xglb_bank_flip(bank);
		t2 = now();
		if (err) {
			fprintf(stderr, "table_bench: 255 groups: %s\n", strerror(-err));
			return err;
		}
		commit[i] = t2 - t0;
		build[i] = t1 - t0;
		write[i] = t2 - t1;
		bank->need_sync = false; /* as above */
	}
	printf("BENCH table_commit_255g_us %.1f us\n", pctl(commit, N_SCALE, 50) / 1000.0);
	printf("BENCH table_part_build_255g_us %.1f us\n", pctl(build, N_SCALE, 50) / 1000.0);
	printf("BENCH table_part_write_255g_us %.1f us\n", pctl(write, N_SCALE, 50) / 1000.0);
	return 0;
}

/* The group tables the state of version builds to: what xglbd builds before a commit. */
static void make_group(struct xglb_group *g, __u32 version)
{
	struct xglb_group_state st;

	make_state(&st, version);
	xglb_build_group(&st, 1, g);
}

/* True, said on stderr, if what failed (err a negative errno). */
static bool failed(const char *what, int err)
{
	if (err)
		fprintf(stderr, "table_bench: %s: %s\n", what, strerror(-err));
	return err != 0;
}

int main(void)
{
	static __u64 prep[N_PREPARE], commit[N_PREPARE], flip[N_FLIP], empty[N_FLIP],
	    quies[N_QUIESCE], build[N_PART], write[N_PART];
	struct xglb_bank bank = {0};
	struct xglb_group g;
	struct xglb *skel;
	int err, rc = 1;
	__u64 t0, t1;

	bench_pin_cpu(libbpf_num_possible_cpus() > 1 ? 1 : 0);
	skel = bench_load_xglb("table_bench");
	if (!skel)
		return 1;
	err = bench_bank_open(skel, &bank);
	if (failed("bank open", err))
		goto out;
	make_group(&g, 1);
	if (g.n_fwd != N_FWD || !g.n_slots) {
		fprintf(stderr, "table_bench: built %u forwarders, %u slots\n", g.n_fwd, g.n_slots);
		goto out;
	}
	err = xglb_bank_commit(&bank, &g, 1); /* warm-up; pays the first grace period */
	if (failed("commit", err))
		goto out;

	/* grace period after a flip, as the idle path pays it */
	for (int i = 0; i < N_QUIESCE; i++) {
		xglb_bank_flip(&bank);
		t0 = now();
		xglb_bank_quiesce(&bank);
		quies[i] = now() - t0;
	}

	/* prepare: bank quiesced, as on the failover path */
	for (int i = 0; i < N_PREPARE; i++) {
		xglb_bank_quiesce(&bank); /* no-op: no flip since the last one */
		t0 = now();
		make_group(&g, 2 + (__u32)i);
		err = xglb_bank_prepare(&bank, &g, 1);
		t1 = now();
		if (failed("prepare", err))
			goto out;
		prep[i] = t1 - t0;
	}

	/* flip: one store (+ the flip counter) */
	for (int i = 0; i < N_FLIP; i++) {
		t0 = now();
		t1 = now();
		empty[i] = t1 - t0;
		t0 = now();
		xglb_bank_flip(&bank);
		t1 = now();
		flip[i] = t1 - t0;
	}

	/* the whole failover-path switch: build + prepare + flip, grace period paid beforehand */
	for (int i = 0; i < N_PREPARE; i++) {
		xglb_bank_quiesce(&bank); /* the idle path, not timed */
		t0 = now();
		make_group(&g, 100000 + (__u32)i);
		err = xglb_bank_prepare(&bank, &g, 1);
		if (!err)
			xglb_bank_flip(&bank);
		t1 = now();
		if (failed("commit", err))
			goto out;
		commit[i] = t1 - t0;
		/* Stands for the untimed idle-path quiesce above (as tests/bpf/harness.h does):
		 * 3000 real grace periods would take a minute and change nothing timed. */
		bank.need_sync = false;
	}

	/* Where prepare's time goes: the build alone, then xglb_bank_prepare alone (the map
	 * writes). */
	for (int i = 0; i < N_PART; i++) {
		t0 = now();
		make_group(&g, 200000 + (__u32)i);
		t1 = now();
		build[i] = t1 - t0;
		t0 = now();
		err = xglb_bank_prepare(&bank, &g, 1);
		t1 = now();
		if (failed("prepare", err))
			goto out;
		write[i] = t1 - t0;
	}

	printf("BENCH table_prepare_us %.2f us\n", pctl(prep, N_PREPARE, 50) / 1000.0);
	printf("BENCH table_prepare_p90_us %.2f us\n", pctl(prep, N_PREPARE, 90) / 1000.0);
	printf("BENCH table_flip_us %.3f us\n", pctl(flip, N_FLIP, 50) / 1000.0);
	printf("BENCH table_flip_p99_us %.3f us\n", pctl(flip, N_FLIP, 99) / 1000.0);
	printf("BENCH table_timer_overhead_ns %llu ns\n",
	       (unsigned long long)pctl(empty, N_FLIP, 50));
	printf("BENCH table_quiesce_ms %.2f ms\n", pctl(quies, N_QUIESCE, 50) / 1e6);
	printf("BENCH table_quiesce_max_ms %.2f ms\n", pctl(quies, N_QUIESCE, 100) / 1e6);
	printf("BENCH table_commit_us %.2f us\n", pctl(commit, N_PREPARE, 50) / 1000.0);
	printf("BENCH table_part_build_us %.2f us\n", pctl(build, N_PART, 50) / 1000.0);
	printf("BENCH table_part_write_us %.2f us\n", pctl(write, N_PART, 50) / 1000.0);
	printf("BENCH table_forwarders %d forwarders\n", N_FWD);
	if (scale_commit(&bank))
		goto out;
	rc = 0;
out:
	xglb_bank_close(&bank);
	xglb__destroy(skel);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_track.c - tracked objects' effect on priority and weight, with GLBP weighting hysteresis. */
#include "testlib.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "track.h"

static struct xglb_config cfg;

static int setup_cfg(void **state)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_nodes = 1;
	cfg.self = 0;
	cfg.nodes[0].priority = 150;
	cfg.nodes[0].weight = 100;
	cfg.weight_lower = 70;
	cfg.weight_upper = 90;
	cfg.n_track = 3;
	cfg.track[0] = (struct xglb_cfg_track){.priority_dec = 60, .weight_dec = 20};
	cfg.track[1] = (struct xglb_cfg_track){.priority_dec = 100, .weight_dec = 15};
	cfg.track[2] = (struct xglb_cfg_track){.priority_dec = 0, .weight_dec = 5};
	return 0;
}

/* The effect with tracked objects 0, 1 and 2 up or down, the node withdrawn before or not. */
static struct xglb_track_effect eval(bool up0, bool up1, bool up2, bool withdrawn)
{
	const bool up[3] = {up0, up1, up2};
	struct xglb_track_effect e;

	xglb_track_eval(&cfg, up, withdrawn, &e);
	return e;
}

static void all_up_is_configured_values(void **state)
{
	struct xglb_track_effect e = eval(true, true, true, false);

	assert_int_equal(e.priority, 150);
	assert_int_equal(e.weight, 100);
	assert_false(e.withdrawn);
}

static void decrements_add_up_and_clamp_at_zero(void **state)
{
	struct xglb_track_effect e = eval(false, true, true, false);

	assert_int_equal(e.priority, 90);
	assert_int_equal(e.weight, 80);
	e = eval(false, false, true, false);
	assert_int_equal(e.priority, 0); /* 150 - 160, clamped: cannot be AVG */
}

static void weighting_hysteresis(void **state)
{
	struct xglb_track_effect e = eval(false, false, true, false); /* weight 65 < lower 70 */

	assert_true(e.withdrawn);
	assert_int_equal(e.weight, 0); /* advertised 0: owns no forwarder */
	/* 80: above lower, below upper 90 -> stays withdrawn */
	e = eval(false, true, true, e.withdrawn);
	assert_true(e.withdrawn);
	assert_int_equal(e.weight, 0);
	e = eval(true, true, true, e.withdrawn); /* 100 >= upper: restored */
	assert_false(e.withdrawn);
	assert_int_equal(e.weight, 100);
	e = eval(false, true, true, e.withdrawn); /* 80: not withdrawn again until below lower */
	assert_false(e.withdrawn);
	assert_int_equal(e.weight, 80);
}

static void no_weighting_never_withdraws(void **state)
{
	struct xglb_track_effect e;

	cfg.weight_lower = cfg.weight_upper = 0;
	e = eval(false, false, false, false);
	assert_false(e.withdrawn);
	assert_int_equal(e.weight, 60);
}

/* ---- command objects, real processes ------------------------------------------ */

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One command object: run every interval_ms, timeout_ms to finish. */
static void command_cfg(const char *cmd, __u32 interval_ms, __u32 timeout_ms)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_nodes = 1;
	cfg.nodes[0].priority = 100;
	cfg.nodes[0].weight = 100;
	cfg.n_track = 1;
	cfg.track[0] = (struct xglb_cfg_track){
	    .type = XGLB_TRACK_COMMAND, .interval_ms = interval_ms, .timeout_ms = timeout_ms};
	snprintf(cfg.track[0].name, sizeof(cfg.track[0].name), "cmd");
	snprintf(cfg.track[0].command, sizeof(cfg.track[0].command), "%s", cmd);
}

/* Poll the tracker every 10 ms until the object has changed state CHANGES times, at most 10 s. */
static void poll_until_changes(struct xglb_tracker *t, __u64 changes)
{
	for (int i = 0; i < 1000 && t->obj[0].changes < changes; i++) {
		xglb_tracker_poll(t, mono_ns());
		usleep(10000);
	}
	if (t->obj[0].changes != changes)
		print_message("command '%s': pid %d, up %d, %llu changes\n",
			      t->cfg->track[0].command, (int)t->obj[0].pid, t->obj[0].up,
			      (unsigned long long)t->obj[0].changes);
	assert_int_equal(t->obj[0].changes, changes);
}

/*
 * A command that times out is killed with everything it started: its
 * background child (sleep 30) dies by SIGKILL at the timeout. The test is
 * the subreaper, so the orphaned child is reparented to it and its end
 * can be read with waitpid.
 */
static void command_timeout_kills_the_group(void **state)
{
	char pidfile[] = "/tmp/xglb-test-track-XXXXXX", cmd[256];
	struct xglb_tracker t;
	int fd = mkstemp(pidfile), status = 0;
	pid_t child = 0, got = 0;
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidfile);
	command_cfg(cmd, 60000, 300);
	assert_int_equal(xglb_tracker_open(&t, &cfg, mono_ns()), 0);
	t.obj[0].up = true;		  /* so the timeout is one change */
	xglb_tracker_poll(&t, mono_ns()); /* starts the command */
	assert_true(t.obj[0].pid > 0);
	poll_until_changes(&t, 1);
	assert_false(t.obj[0].up);
	assert_int_equal(t.obj[0].pid, 0);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &child), 1);
	fclose(f);
	unlink(pidfile);
	for (int i = 0; i < 200 && got != child; i++) {
		got = waitpid(child, &status, WNOHANG);
		if (got != child)
			usleep(10000);
	}
	if (got != child) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	assert_int_equal(got, child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	xglb_tracker_close(&t);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/*
 * The command starts with no blocked signal whatever xglbd blocks (it
 * blocks those its signalfd reads), so a command's own timeouts and
 * traps work: it is up only if SigBlk is all zeros.
 */
static void command_has_a_clean_signal_mask(void **state)
{
	struct xglb_tracker t;
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	command_cfg("exec grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status", 60000, 8000);
	assert_int_equal(xglb_tracker_open(&t, &cfg, mono_ns()), 0);
	t.obj[0].up = false; /* so a success is one change */
	xglb_tracker_poll(&t, mono_ns());
	poll_until_changes(&t, 1);
	assert_true(t.obj[0].up);
	xglb_tracker_close(&t);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

T_MAIN(cmocka_unit_test_setup(all_up_is_configured_values, setup_cfg),
       cmocka_unit_test_setup(decrements_add_up_and_clamp_at_zero, setup_cfg),
       cmocka_unit_test_setup(weighting_hysteresis, setup_cfg),
       cmocka_unit_test_setup(no_weighting_never_withdraws, setup_cfg),
       cmocka_unit_test(command_timeout_kills_the_group),
       cmocka_unit_test(command_has_a_clean_signal_mask))

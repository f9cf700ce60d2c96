// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_log.c - held log lines: nothing written while held, then every line in order in one write;
 * nested holds; other threads' lines go out at once. */
#include "testlib.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

struct pipe_err {
	int rd, saved;
};

/* stderr into a non-blocking pipe. */
static int setup(void **state)
{
	static struct pipe_err p;
	int fds[2];

	if (pipe(fds))
		return -1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETPIPE_SZ, 1 << 20); /* room for every line of a test unread */
	fflush(stderr);
	p.saved = dup(2);
	dup2(fds[1], 2);
	close(fds[1]);
	p.rd = fds[0];
	xglb_log_init("t", XGLB_LOG_INFO);
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct pipe_err *p = *state;

	dup2(p->saved, 2);
	close(p->saved);
	close(p->rd);
	return 0;
}

/* What the pipe holds now; the number of read() calls that returned data in *reads. */
static char *drain(struct pipe_err *p, int *reads)
{
	static char buf[1 << 17];
	size_t len = 0;
	ssize_t n;

	*reads = 0;
	while ((n = read(p->rd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		(*reads)++;
	}
	buf[len] = '\0';
	return buf;
}

static void held_lines_go_out_at_release(void **state)
{
	struct pipe_err *p = *state;
	int reads;
	char *out;

	pr_info("before");
	assert_string_equal(drain(p, &reads), "t: info: before\n");
	xglb_log_hold();
	pr_info("one");
	xglb_log_hold(); /* nested: the outer release writes */
	pr_warn("two %d", 2);
	pr_debug("not shown at info");
	xglb_log_release();
	assert_string_equal(drain(p, &reads), ""); /* still held */
	assert_int_equal(reads, 0);
	pr_err("three");
	xglb_log_release();
	out = drain(p, &reads);
	assert_string_equal(out, "t: info: one\nt: warning: two 2\nt: error: three\n");
	assert_int_equal(reads, 1); /* one write */
	xglb_log_release();	    /* unbalanced: no effect */
	pr_info("after");
	assert_string_equal(drain(p, &reads), "t: info: after\n");
}

/* More than the hold buffer: written in order, each line whole. */
static void a_full_hold_buffer_is_written_early(void **state)
{
	struct pipe_err *p = *state;
	char want[32], *out, *at;
	int reads;

	xglb_log_hold();
	for (int i = 0; i < 1500; i++)
		pr_info("line %04d of a long commit, padded to about sixty bytes", i);
	xglb_log_release();
	out = drain(p, &reads);
	at = out;
	for (int i = 0; i < 1500; i++) {
		snprintf(want, sizeof(want), "t: info: line %04d ", i);
		at = strstr(at, want);
		assert_non_null(at);
	}
	assert_int_equal(strlen(out),
			 1500 * strlen("t: info: line 0000 of a long commit, padded to "
				       "about sixty bytes\n"));
}

static void *other_thread(void *arg)
{
	(void)arg;
	pr_info("from another thread");
	return NULL;
}

static void other_threads_are_not_held(void **state)
{
	struct pipe_err *p = *state;
	pthread_t t;
	int reads;

	xglb_log_hold();
	pr_info("held");
	assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_join(t, NULL);
	assert_string_equal(drain(p, &reads), "t: info: from another thread\n");
	xglb_log_release();
	assert_string_equal(drain(p, &reads), "t: info: held\n");
}

T_MAIN(cmocka_unit_test_setup_teardown(held_lines_go_out_at_release, setup, teardown),
       cmocka_unit_test_setup_teardown(a_full_hold_buffer_is_written_early, setup, teardown),
       cmocka_unit_test_setup_teardown(other_threads_are_not_held, setup, teardown))

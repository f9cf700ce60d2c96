// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_log.c - held log lines: nothing written while held, then every line in order in one write;
 * nested holds; other threads' lines go out at once; the recent-message ring under writers on
 * several threads and a reader. */
#include "testlib.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
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

/* Writers on several threads and a reader at once: every entry whole, each writer's in order. */
#define HAMMER_WRITERS 4
#define HAMMER_LINES   20000

static int hammer_done; /* __atomic: the reader polls it */

static void *hammer_writer(void *arg)
{
	int w = (int)(long)arg;
	char pad[120];

	for (int n = 0; n < HAMMER_LINES; n++) {
		/* a padding run whose letter and length depend on writer and line: a torn entry
		 * mixes two of them */
		int len = 20 + (n * 7 + w * 13) % 90;

		memset(pad, 'a' + (w * 5 + n) % 26, (size_t)len);
		pad[len] = '\0';
		pr_info("w%d n%d len%d %s", w, n, len, pad);
	}
	return NULL;
}

/*
 * Whether m is a whole entry "w<W> n<N> len<L> <L letters 'a'+(W*5+N)%26>"; its writer and line
 * in *w, *n. No cmocka assert here: the reader thread calls it.
 */
static bool whole(const char *m, int *w, int *n)
{
	int len, at = -1;

	if (sscanf(m, "w%d n%d len%d %n", w, n, &len, &at) != 3 || at <= 0)
		return false;
	if (*w < 0 || *w >= HAMMER_WRITERS || *n < 0 || *n >= HAMMER_LINES ||
	    len != 20 + (*n * 7 + *w * 13) % 90 || strlen(m + at) != (size_t)len)
		return false;
	for (int i = 0; i < len; i++)
		if (m[at + i] != 'a' + (*w * 5 + *n) % 26)
			return false;
	return true;
}

/* The ring's entries, or -1 if one is torn or out of order. */
static int check_recent(void)
{
	struct json_object *a = xglb_log_recent();
	int last[HAMMER_WRITERS], entries = (int)json_object_array_length(a);

	for (int i = 0; i < HAMMER_WRITERS; i++)
		last[i] = -1;
	for (int i = 0; i < entries; i++) {
		struct json_object *e = json_object_array_get_idx(a, (size_t)i), *m, *t;
		int w, n;

		if (json_object_object_get_ex(e, "message", &m) &&
		    json_object_get_string(m)[0] != 'w')
			continue; /* an earlier test's line, not yet overwritten */
		if (!json_object_object_get_ex(e, "message", &m) ||
		    !json_object_object_get_ex(e, "time", &t) ||
		    strlen(json_object_get_string(t)) != 8 || /* HH:MM:SS */
		    !whole(json_object_get_string(m), &w, &n) ||
		    n <= last[w]) { /* oldest first, per writer */
			entries = -1;
			break;
		}
		last[w] = n;
	}
	json_object_put(a);
	return entries;
}

struct reader {
	long reads, bad;
};

static void *hammer_reader(void *arg)
{
	struct reader *r = arg;

	while (!__atomic_load_n(&hammer_done, __ATOMIC_ACQUIRE)) {
		if (check_recent() < 0)
			r->bad++;
		r->reads++;
	}
	return NULL;
}

static void recent_ring_is_whole_under_threads(void **state)
{
	pthread_t w[HAMMER_WRITERS], r;
	struct reader rd = {0};

	xglb_log_init("t", XGLB_LOG_ERR); /* remembered, not printed */
	__atomic_store_n(&hammer_done, 0, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&r, NULL, hammer_reader, &rd), 0);
	for (long i = 0; i < HAMMER_WRITERS; i++)
		assert_int_equal(pthread_create(&w[i], NULL, hammer_writer, (void *)i), 0);
	for (int i = 0; i < HAMMER_WRITERS; i++)
		pthread_join(w[i], NULL);
	__atomic_store_n(&hammer_done, 1, __ATOMIC_RELEASE);
	pthread_join(r, NULL);
	assert_true(rd.reads > 0);
	assert_int_equal(rd.bad, 0); /* no torn or reordered entry seen while they wrote */
	assert_int_equal(check_recent(), 64);
	/* one more line: it is the newest, and the ring still holds 64 */
	pr_warn("w0 n%d len20 %s", HAMMER_LINES - 1, "xxxxxxxxxxxxxxxxxxxx");
	{
		struct json_object *a = xglb_log_recent(), *m;

		assert_int_equal(json_object_array_length(a), 64);
		assert_true(
		    json_object_object_get_ex(json_object_array_get_idx(a, 63), "message", &m));
		assert_string_equal(json_object_get_string(m),
				    "w0 n19999 len20 xxxxxxxxxxxxxxxxxxxx");
		json_object_put(a);
	}
}

T_MAIN(cmocka_unit_test_setup_teardown(held_lines_go_out_at_release, setup, teardown),
       cmocka_unit_test_setup_teardown(a_full_hold_buffer_is_written_early, setup, teardown),
       cmocka_unit_test_setup_teardown(other_threads_are_not_held, setup, teardown),
       cmocka_unit_test(recent_ring_is_whole_under_threads))

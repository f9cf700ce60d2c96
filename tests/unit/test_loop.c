// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_loop.c - the event loop's timeliness (loop.c, grace.c): how late a
 * membership deadline was met, split into the wake-up's part and the
 * loop's own, and the grace period after a table switch paid by a thread,
 * so the loop never waits in membarrier for it.
 */
#include "testlib.h"
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include "daemon.h"

#define MS 1000000ull

/* The daemon's clock (user/xglbd/main.c, not in the library): loop.c and redist.c need one. */
__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The bucket of hist[cause] holding one count, or -1 if not exactly one count. */
static int bucket_of(const struct hello_timing *ht, int cause)
{
	int b = -1, n = 0;

	for (int i = 0; i < HELLO_DELAY_BUCKETS; i++) {
		n += (int)ht->hist[cause][i];
		if (ht->hist[cause][i])
			b = i;
	}
	return n == 1 ? b : -1;
}

/* Idle in epoll_wait before the deadline, woken 3 ms after it: all of it the wake-up's. */
static void test_late_wake(void **state)
{
	struct hello_timing ht = {.due_ns = 100 * MS, .turn_end_ns = 95 * MS};

	(void)state;
	hello_timer_handled(&ht, 103 * MS);
	assert_int_equal(ht.fires, 1);
	assert_int_equal(ht.max_ns[HELLO_DELAY_WAKE], 3 * MS);
	assert_int_equal(ht.max_ns[HELLO_DELAY_BUSY], 0);
	assert_int_equal(bucket_of(&ht, HELLO_DELAY_WAKE), 3); /* (2, 5] ms */
	assert_int_equal(bucket_of(&ht, HELLO_DELAY_BUSY), 0); /* <= 0.5 ms */
	assert_int_equal(ht.due_ns, 0);			       /* counted once */
	hello_timer_handled(&ht, 104 * MS);
	assert_int_equal(ht.fires, 1);
}

/* A turn that ran 12 ms past the deadline, woken at once after it: the loop's own. */
static void test_late_busy(void **state)
{
	struct hello_timing ht = {.due_ns = 100 * MS, .turn_end_ns = 112 * MS};

	(void)state;
	hello_timer_handled(&ht, 112 * MS + 200000);
	assert_int_equal(ht.max_ns[HELLO_DELAY_BUSY], 12 * MS);
	assert_int_equal(ht.max_ns[HELLO_DELAY_WAKE], 200000);
	assert_int_equal(bucket_of(&ht, HELLO_DELAY_BUSY), 5); /* > 10 ms */
	assert_int_equal(bucket_of(&ht, HELLO_DELAY_WAKE), 0);
	hello_timer_sent(&ht, 100 * MS, 113 * MS);
	assert_int_equal(bucket_of(&ht, HELLO_DELAY_SENT), 5);
	assert_int_equal(ht.sum_ns[HELLO_DELAY_SENT], 13 * MS);
}

/* Woken before the deadline (another event): nothing counted, the deadline still pending. */
static void test_not_due(void **state)
{
	struct hello_timing ht = {.due_ns = 100 * MS, .turn_end_ns = 90 * MS};

	(void)state;
	hello_timer_handled(&ht, 99 * MS);
	assert_int_equal(ht.fires, 0);
	assert_int_equal(ht.due_ns, 100 * MS);
	ht.due_ns = 0; /* none armed */
	hello_timer_handled(&ht, 200 * MS);
	assert_int_equal(ht.fires, 0);
}

static bool wait_synced(struct xglb_bank *b)
{
	for (int i = 0; i < 2000; i++) { /* 2 s at most */
		if (xglb_bank_synced(b))
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * A flip owes a grace period: not synced until the thread has paid it,
 * synced after without the loop waiting, and owed again at the next flip.
 */
static void test_grace_thread(void **state)
{
	struct xglb_ctl ctl = {0};
	struct xglb_bank b;
	struct xglb_grace g;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.ctl = &ctl;
	b.need_sync = true; /* as xglb_bank_open: the previous owner's flips */
	assert_false(xglb_bank_synced(&b));
	assert_int_equal(xglb_grace_start(&g, &b), 0);
	xglb_grace_ask(&g);
	assert_true(wait_synced(&b));
	assert_int_equal(__atomic_load_n(&g.runs, __ATOMIC_RELAXED), 1);

	xglb_bank_flip(&b);
	assert_int_equal(ctl.active_bank, 1);
	assert_true(b.need_sync);
	assert_false(xglb_bank_synced(&b)); /* the period paid was before this flip */
	xglb_grace_ask(&g);
	xglb_grace_ask(&g); /* asked once per flip */
	assert_true(wait_synced(&b));
	assert_false(b.need_sync);
	usleep(20000);
	assert_int_equal(__atomic_load_n(&g.runs, __ATOMIC_RELAXED), 2);
	assert_int_equal(__atomic_load_n(&g.errors, __ATOMIC_RELAXED), 0);
	xglb_grace_stop(&g);
	assert_false(g.running);

	/* no thread: nothing pays it but the commit (xglb_bank_quiesce) */
	xglb_bank_flip(&b);
	xglb_grace_ask(&g);
	usleep(20000);
	assert_false(xglb_bank_synced(&b));
	xglb_bank_quiesce(&b);
	assert_true(xglb_bank_synced(&b));
}

/* What the kernel's timer has left to run (ns), 0 if disarmed. */
static __u64 remaining(int fd)
{
	struct itimerspec its;

	assert_int_equal(timerfd_gettime(fd, &its), 0);
	return (__u64)its.it_value.tv_sec * 1000000000ull + (__u64)its.it_value.tv_nsec;
}

/*
 * The membership timer is armed only when its deadline moves: the same
 * deadline again (a hello that moved only its sender's hold) leaves the
 * kernel's timer as it was, 100 ms later by the caller's clock still
 * counting down to the first arming's deadline, not re-armed for what is
 * left. A new deadline, and a deadline already passed, arm it.
 */
static void test_arm_deadline(void **state)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	__u64 armed = 0, left;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(arm_deadline(fd, &armed, 1000 * MS, 700 * MS), 1);
	assert_int_equal(armed, 1000 * MS);
	left = remaining(fd);
	assert_true(left > 250 * MS && left <= 300 * MS);

	/* 100 ms later (the caller's clock), the same deadline: not touched */
	assert_int_equal(arm_deadline(fd, &armed, 1000 * MS, 800 * MS), 0);
	assert_int_equal(armed, 1000 * MS);
	assert_true(remaining(fd) > 250 * MS); /* re-armed, it would say 200 ms */

	/* a later deadline (our own hello moved on): armed for it */
	assert_int_equal(arm_deadline(fd, &armed, 1050 * MS, 800 * MS), 1);
	assert_int_equal(armed, 1050 * MS);
	left = remaining(fd);
	assert_true(left > 200 * MS && left <= 250 * MS);
	/* an earlier one (a hold ending first): armed for it */
	assert_int_equal(arm_deadline(fd, &armed, 900 * MS, 800 * MS), 1);
	left = remaining(fd);
	assert_true(left > 50 * MS && left <= 100 * MS);

	/* due already: at once, and again at the next call (the timer has fired for it) */
	assert_int_equal(arm_deadline(fd, &armed, 900 * MS, 950 * MS), 1);
	assert_int_equal(armed, 950 * MS + 1);
	assert_int_equal(arm_deadline(fd, &armed, 950 * MS + 1, 960 * MS), 1);
	assert_int_equal(armed, 960 * MS + 1);
	usleep(1000);
	assert_int_equal(remaining(fd), 0); /* fired, one-shot */
	close(fd);
}

/* One deadline met at wake, due at due, the last turn ended at turn_end. */
static void deadline(struct hello_timing *ht, __u64 due, __u64 turn_end, __u64 wake)
{
	ht->due_ns = due;
	ht->turn_end_ns = turn_end;
	hello_timer_handled(ht, wake);
}

/*
 * The longest stall is kept with its time and the loop's own part: a later,
 * shorter one leaves it as it was; status gives it in us, its time as Unix
 * time and an age, from the two clocks read at the same instant.
 */
static void test_stall(void **state)
{
	struct hello_timing ht = {0};
	struct json_object *j = stall_json(&ht, 1000 * MS, 5000000000ull * MS), *v;

	(void)state;
	assert_string_equal(json_object_to_json_string(j),
			    "{ \"max_us\": 0, \"busy_us\": 0, \"at\": null, \"ago_s\": null }");
	json_object_put(j);
	deadline(&ht, 100 * MS, 95 * MS, 103 * MS); /* 3 ms late, the wake-up's */
	assert_int_equal(ht.stall_max_ns, 3 * MS);
	assert_int_equal(ht.stall_busy_ns, 0);
	assert_int_equal(ht.stall_at_ns, 103 * MS);
	/* a turn that ran 300 ms past the deadline (a walk of a large table, say), woken 2 ms
	 * after it */
	deadline(&ht, 200 * MS, 500 * MS, 502 * MS);
	assert_int_equal(ht.stall_max_ns, 302 * MS);
	assert_int_equal(ht.stall_busy_ns, 300 * MS);
	assert_int_equal(ht.stall_at_ns, 502 * MS);
	/* shorter ones after it: the longest stays */
	deadline(&ht, 600 * MS, 590 * MS, 640 * MS);
	deadline(&ht, 700 * MS, 750 * MS, 751 * MS);
	assert_int_equal(ht.stall_max_ns, 302 * MS);
	assert_int_equal(ht.stall_busy_ns, 300 * MS);
	assert_int_equal(ht.stall_at_ns, 502 * MS);
	/* 1.5 s later, by a wall clock that reads 5,000,000 s then */
	j = stall_json(&ht, 2002 * MS, 5000000000ull * MS);
	assert_int_equal(json_object_get_int64(json_object_object_get(j, "max_us")), 302000);
	assert_int_equal(json_object_get_int64(json_object_object_get(j, "busy_us")), 300000);
	v = json_object_object_get(j, "at");
	assert_true(json_object_is_type(v, json_type_double));
	assert_true(json_object_get_double(v) > 4999998.4999 &&
		    json_object_get_double(v) < 4999998.5001);
	assert_true(json_object_get_double(json_object_object_get(j, "ago_s")) > 1.4999 &&
		    json_object_get_double(json_object_object_get(j, "ago_s")) < 1.5001);
	json_object_put(j);
}

T_MAIN_NAMED("loop", cmocka_unit_test(test_late_wake), cmocka_unit_test(test_late_busy),
	     cmocka_unit_test(test_not_due), cmocka_unit_test(test_grace_thread),
	     cmocka_unit_test(test_arm_deadline), cmocka_unit_test(test_stall))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_rxvlan.c - receive VLAN offload (user/xglbd/rxvlan.c) against a fake
 * kernel: once the thread runs, a request returns while the driver is
 * still changing the offload (a NIC reset never holds the event loop); a
 * driver that refuses is warned about and counted once per ifindex and
 * never marked as this run's; only what this run turned off is turned on
 * again; an interface gone meanwhile is neither refused nor ours; status
 * reads each interface's offload as the thread last read it (every
 * interface, the ones only read too), with no request to the kernel of its
 * own, and a refresh reads them again without changing any.
 */
#include "testlib.h"
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "log.h"
#include "rxvlan.h"
#include "t_logged.h"

/* The fake kernel: per name, the offload (1 on, 0 off) and what a change does. */
#define NF 4
static struct fake_if {
	const char *name;
	int on;
	int get_err; /* the read fails with it */
	int set_err; /* the change fails with it */
	bool fixed;  /* accepted, but the offload stays as it is */
	int sets[2]; /* changes asked, to off and to on */
	int gets;    /* reads */
	bool blocks; /* a change waits for release() (a NIC reset in progress) */
} fake[NF];
static pthread_mutex_t fk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fk_cond = PTHREAD_COND_INITIALIZER;
static bool released, waited_out;
static pthread_t set_thread, main_thread;
static int main_gets; /* reads made by the test's own thread (the event loop's stand-in) */

static struct fake_if *find(const char *name)
{
	for (int i = 0; i < NF; i++)
		if (fake[i].name && !strcmp(fake[i].name, name))
			return &fake[i];
	return NULL;
}

static int fake_get(const char *name)
{
	struct fake_if *f;
	int r;

	pthread_mutex_lock(&fk);
	f = find(name);
	r = !f ? -ENODEV : f->get_err ? f->get_err : f->on;
	if (f)
		f->gets++;
	main_gets += pthread_equal(pthread_self(), main_thread);
	pthread_mutex_unlock(&fk);
	return r;
}

static int fake_set(const char *name, bool on)
{
	struct fake_if *f;
	int r = 0;

	pthread_mutex_lock(&fk);
	f = find(name);
	set_thread = pthread_self();
	if (f && f->blocks) {
		/* at most 2 s: a change made by the caller waits it out and the test says so */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		while (!released)
			if (pthread_cond_timedwait(&fk_cond, &fk, &until) == ETIMEDOUT) {
				waited_out = true;
				break;
			}
	}
	if (!f)
		r = -ENODEV;
	else if (f->set_err)
		r = f->set_err;
	else {
		f->sets[on]++;
		if (!f->fixed)
			f->on = on;
		else
			r = -EOPNOTSUPP; /* read back unchanged (xglb_netif_rxvlan_set) */
	}
	pthread_mutex_unlock(&fk);
	return r;
}

static const struct xglb_rxvlan_ops ops = {.get = fake_get, .set = fake_set};

static void release(void)
{
	pthread_mutex_lock(&fk);
	released = true;
	pthread_cond_broadcast(&fk_cond);
	pthread_mutex_unlock(&fk);
}

static void reset_fake(void)
{
	memset(fake, 0, sizeof(fake));
	released = waited_out = false;
	main_thread = pthread_self();
	main_gets = 0;
	xglb_log_init("test", XGLB_LOG_INFO);
}

/* Wait (bounded, 5 s) until the thread has applied every request. */
static bool settle(struct xglb_rxvlan *r)
{
	for (int i = 0; i < 500; i++) {
		if (xglb_rxvlan_idle(r))
			return true;
		usleep(10000);
	}
	return false;
}

static struct xglb_rxvlan_if one(const char *name, __u32 ifindex)
{
	struct xglb_rxvlan_if i = {.ifindex = ifindex};

	snprintf(i.name, sizeof(i.name), "%s", name);
	return i;
}

/* The thread runs: the request returns while the change is still being made. */
static void request_never_waits_for_the_driver(void **state)
{
	static struct xglb_rxvlan r;
	struct xglb_rxvlan_if ifs[1] = {one("eth0", 2)};

	(void)state;
	reset_fake();
	fake[0] = (struct fake_if){.name = "eth0", .on = 1, .blocks = true};
	xglb_rxvlan_init(&r, &ops);
	assert_int_equal(xglb_rxvlan_start(&r), 0);
	xglb_rxvlan_ask(&r, ifs, 1);
	/* returned: the change is not made yet (it waits for release) */
	assert_false(xglb_rxvlan_idle(&r));
	assert_false(xglb_rxvlan_ours(&r, "eth0"));
	release();
	assert_true(settle(&r));
	assert_false(waited_out);
	assert_false(pthread_equal(set_thread, pthread_self())); /* made by the thread */
	assert_int_equal(fake[0].on, 0);
	assert_int_equal(fake[0].sets[0], 1);
	assert_true(xglb_rxvlan_ours(&r, "eth0"));
	assert_int_equal(xglb_rxvlan_refused(&r), 0);
	/* the stop waits for the thread, then turns on what this run turned off */
	xglb_rxvlan_restore(&r);
	assert_int_equal(fake[0].on, 1);
	assert_int_equal(fake[0].sets[1], 1);
	assert_false(xglb_rxvlan_ours(&r, "eth0"));
}

/* Before the thread starts (the daemon's start, before its first hello) the caller changes it. */
static void before_the_thread_the_caller_changes_it(void **state)
{
	static struct xglb_rxvlan r;
	struct xglb_rxvlan_if ifs[1] = {one("eth0", 2)};

	(void)state;
	reset_fake();
	fake[0] = (struct fake_if){.name = "eth0", .on = 1};
	xglb_rxvlan_init(&r, &ops);
	xglb_rxvlan_ask(&r, ifs, 1);
	assert_true(xglb_rxvlan_idle(&r));
	assert_true(pthread_equal(set_thread, pthread_self()));
	assert_int_equal(fake[0].on, 0);
	assert_true(xglb_rxvlan_ours(&r, "eth0"));
	xglb_rxvlan_restore(&r);
	assert_int_equal(fake[0].on, 1);
}

/* A driver that refuses (fixed, or an error): warned and counted once per ifindex, not ours. */
static void refusal_is_warned_and_counted_once_per_ifindex(void **state)
{
	static struct xglb_rxvlan r;
	struct xglb_rxvlan_if ifs[3] = {one("eth0", 2), one("eth1", 3), one("eth2", 4)};

	(void)state;
	reset_fake();
	fake[0] = (struct fake_if){.name = "eth0", .on = 1};
	fake[1] = (struct fake_if){.name = "eth1", .on = 1, .fixed = true};
	fake[2] = (struct fake_if){.name = "eth2", .on = 1, .set_err = -EPERM};
	xglb_rxvlan_init(&r, &ops);
	assert_int_equal(xglb_rxvlan_start(&r), 0);
	xglb_rxvlan_ask(&r, ifs, 3);
	assert_true(settle(&r));
	assert_int_equal(xglb_rxvlan_refused(&r), 2);
	assert_int_equal(t_logged("eth1: cannot turn receive VLAN offload off"), 1);
	assert_int_equal(t_logged("eth2: cannot turn receive VLAN offload off"), 1);
	assert_int_equal(fake[1].on, 1);
	assert_true(xglb_rxvlan_ours(&r, "eth0"));
	assert_false(xglb_rxvlan_ours(&r, "eth1"));
	assert_false(xglb_rxvlan_ours(&r, "eth2"));
	/* asked again (a reload): the same devices are not counted or warned again */
	xglb_rxvlan_ask(&r, ifs, 3);
	assert_true(settle(&r));
	assert_int_equal(xglb_rxvlan_refused(&r), 2);
	assert_int_equal(t_logged("eth1: cannot turn receive VLAN offload off"), 1);
	/* eth1 re-created (a new ifindex, the same name): a new device, counted again */
	ifs[1].ifindex = 9;
	xglb_rxvlan_ask(&r, ifs, 3);
	assert_true(settle(&r));
	assert_int_equal(xglb_rxvlan_refused(&r), 3);
	assert_int_equal(t_logged("eth1: cannot turn receive VLAN offload off"), 2);
	xglb_rxvlan_restore(&r);
	assert_int_equal(fake[0].on, 1);
	assert_int_equal(fake[1].sets[1], 0); /* never ours: never turned on */
	assert_int_equal(fake[2].sets[1], 0);
}

/* Found off: left alone and not ours. Gone meanwhile: neither refused nor ours. */
static void found_off_or_gone(void **state)
{
	static struct xglb_rxvlan r;
	struct xglb_rxvlan_if ifs[3] = {one("eth0", 2), one("gone0", 3), one("eth2", 4)};
	int warned;

	(void)state;
	reset_fake();
	warned = t_logged("cannot turn receive VLAN offload off");
	fake[0] = (struct fake_if){.name = "eth0", .on = 0};
	fake[2] = (struct fake_if){.name = "eth2", .on = 1, .get_err = -ENODEV};
	xglb_rxvlan_init(&r, &ops);
	assert_int_equal(xglb_rxvlan_start(&r), 0);
	xglb_rxvlan_ask(&r, ifs, 3);
	assert_true(settle(&r));
	assert_int_equal(fake[0].sets[0], 0);
	assert_false(xglb_rxvlan_ours(&r, "eth0"));
	assert_false(xglb_rxvlan_ours(&r, "gone0"));
	assert_int_equal(xglb_rxvlan_refused(&r), 0);
	assert_int_equal(t_logged("cannot turn receive VLAN offload off"), warned);
	xglb_rxvlan_restore(&r);
	assert_int_equal(fake[0].sets[1], 0);
}

/*
 * What status shows: every interface's offload as the thread last read it, those only read
 * (no xglb_xdp there) too, without a read of its own; a refresh (a link event) reads them
 * again, off the caller's thread, and turns nothing off, not even one found on again.
 */
static void status_reads_what_the_thread_read(void **state)
{
	static struct xglb_rxvlan r;
	struct xglb_rxvlan_if ifs[3] = {one("eth0", 2), one("eth1", 3), one("eth2", 4)};

	(void)state;
	reset_fake();
	fake[0] = (struct fake_if){.name = "eth0", .on = 1};
	fake[1] = (struct fake_if){.name = "eth1", .on = 1};
	fake[2] = (struct fake_if){.name = "eth2", .on = 1, .get_err = -EOPNOTSUPP};
	ifs[1].read_only = ifs[2].read_only = true; /* data path at tc, steering only */
	xglb_rxvlan_init(&r, &ops);
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), -ENOENT); /* nothing read yet */
	assert_int_equal(xglb_rxvlan_start(&r), 0);
	xglb_rxvlan_ask(&r, ifs, 3);
	assert_true(settle(&r));
	assert_int_equal(main_gets, 0);
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), 0); /* turned off */
	assert_int_equal(xglb_rxvlan_state(&r, "eth1"), 1); /* only read: left on */
	assert_int_equal(fake[1].sets[0], 0);
	assert_int_equal(xglb_rxvlan_state(&r, "eth2"), -EOPNOTSUPP);
	assert_int_equal(xglb_rxvlan_refused(&r), 0);		  /* only read: no refusal */
	assert_int_equal(xglb_rxvlan_state(&r, "eth9"), -ENOENT); /* never asked for */
	/* an operator turns eth0's on and eth1's off: status shows what was read, no read */
	pthread_mutex_lock(&fk);
	fake[0].on = 1;
	fake[1].on = 0;
	pthread_mutex_unlock(&fk);
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), 0);
	assert_int_equal(xglb_rxvlan_state(&r, "eth1"), 1);
	assert_int_equal(main_gets, 0);
	/* the link event's refresh: read again by the thread, nothing changed */
	xglb_rxvlan_refresh(&r);
	assert_true(settle(&r));
	assert_int_equal(main_gets, 0);
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), 1);
	assert_int_equal(xglb_rxvlan_state(&r, "eth1"), 0);
	assert_int_equal(fake[0].sets[0], 1); /* turned off once, at the request, not again */
	assert_int_equal(fake[1].sets[0] + fake[1].sets[1], 0);
	/* a request without eth2 (a reload): its state is forgotten */
	xglb_rxvlan_ask(&r, ifs, 2);
	assert_true(settle(&r));
	assert_int_equal(xglb_rxvlan_state(&r, "eth2"), -ENOENT);
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), 0); /* a request turns it off again */
	xglb_rxvlan_restore(&r);
	assert_int_equal(fake[1].sets[1], 0); /* only read: never turned on either */
}

/* Without the thread a refresh reads nothing: the caller is the event loop. */
static void no_thread_no_refresh(void **state)
{
	static struct xglb_rxvlan r;
	struct xglb_rxvlan_if ifs[1] = {one("eth0", 2)};
	int gets;

	(void)state;
	reset_fake();
	fake[0] = (struct fake_if){.name = "eth0", .on = 0};
	xglb_rxvlan_init(&r, &ops);
	assert_true(xglb_rxvlan_read_ns(&r, "eth0") == 0); /* not read yet */
	xglb_rxvlan_ask(&r, ifs, 1); /* the start, before the first hello: read here */
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), 0);
	assert_true(xglb_rxvlan_read_ns(&r, "eth0") > 0); /* status shows its age */
	assert_true(xglb_rxvlan_read_ns(&r, "eth1") == 0);
	gets = fake[0].gets;
	fake[0].on = 1;
	xglb_rxvlan_refresh(&r);
	assert_true(xglb_rxvlan_idle(&r));
	assert_int_equal(fake[0].gets, gets);
	assert_int_equal(xglb_rxvlan_state(&r, "eth0"), 0);
	xglb_rxvlan_restore(&r);
}

T_MAIN(cmocka_unit_test(request_never_waits_for_the_driver),
       cmocka_unit_test(before_the_thread_the_caller_changes_it),
       cmocka_unit_test(refusal_is_warned_and_counted_once_per_ifindex),
       cmocka_unit_test(found_off_or_gone), cmocka_unit_test(status_reads_what_the_thread_read),
       cmocka_unit_test(no_thread_no_refresh))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ifkern.c - the interfaces' kernel state (user/xglbd/ifkern.c)
 * against a fake kernel: before the thread the caller reads them (the
 * start); once it runs, a request returns while a read is held up (rtnl
 * held by another process) and status meanwhile gets the last read, never
 * waiting and never reading on the caller's thread; a link event's
 * refresh and the period read them again; an interface no longer asked
 * for is forgotten; the age of a read.
 */
#include "testlib.h"
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include "ifkern.h"
#include "log.h"

static pthread_mutex_t fk = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fk_cond = PTHREAD_COND_INITIALIZER;
static int fake_mtu = 1500;
static bool blocked, held; /* blocked: a read waits until !blocked; held: one is waiting */
static pthread_t main_thread;
static int main_reads, reads;

static void fake_read(struct xglb_ifkern_if *out)
{
	pthread_mutex_lock(&fk);
	main_reads += pthread_equal(pthread_self(), main_thread);
	while (blocked) {
		held = true;
		pthread_cond_broadcast(&fk_cond);
		pthread_cond_wait(&fk_cond, &fk);
	}
	reads++;
	out->mtu = fake_mtu + (int)out->ifindex;
	out->xdp = XDP_ATTACHED_DRV;
	snprintf(out->xdp_prog, sizeof(out->xdp_prog), "xglb_xdp");
	if (out->has_tcx) {
		out->n_tcx[0] = out->n_tcx[1] = 1;
		snprintf(out->tcx[0][0], BPF_OBJ_NAME_LEN, "xglb_tc_ingress");
		snprintf(out->tcx[1][0], BPF_OBJ_NAME_LEN, "xglb_tc_egress");
	}
	pthread_mutex_unlock(&fk);
}

static const struct xglb_ifkern_ops ops = {.read = fake_read};

static void reset_fake(void)
{
	fake_mtu = 1500;
	blocked = held = false;
	main_thread = pthread_self();
	main_reads = reads = 0;
	xglb_log_init("test", XGLB_LOG_INFO);
}

/* Wait (bounded, 5 s) for COND. */
#define WAIT_FOR(cond)                                                                             \
	({                                                                                         \
		bool ok_ = false;                                                                  \
		for (int i_ = 0; i_ < 500 && !(ok_ = (cond)); i_++)                                \
			usleep(10000);                                                             \
		ok_;                                                                               \
	})

static int mtu_of(const struct xglb_ifkern *k, __u32 ifindex)
{
	static struct xglb_ifkern_if x;

	return xglb_ifkern_get(k, ifindex, &x) ? -1 : x.mtu;
}

static bool is_held(void)
{
	bool h;

	pthread_mutex_lock(&fk);
	h = held;
	pthread_mutex_unlock(&fk);
	return h;
}

static void set_mtu(int m)
{
	pthread_mutex_lock(&fk);
	fake_mtu = m;
	pthread_mutex_unlock(&fk);
}

/* No thread yet (the start): the caller reads, a refresh reads nothing. */
static void before_the_thread_the_caller_reads(void **state)
{
	static struct xglb_ifkern k;
	static struct xglb_ifkern_if x;
	__u32 ifs[2] = {2, 3};

	(void)state;
	reset_fake();
	assert_int_equal(xglb_ifkern_init(&k, &ops, 10000), 0);
	assert_int_equal(xglb_ifkern_get(&k, 2, &x), -ENOENT);
	xglb_ifkern_ask(&k, ifs, 2, true);
	assert_true(xglb_ifkern_idle(&k));
	assert_int_equal(main_reads, 2);
	assert_int_equal(xglb_ifkern_get(&k, 3, &x), 0);
	assert_int_equal(x.mtu, 1503);
	assert_int_equal(x.xdp, XDP_ATTACHED_DRV);
	assert_string_equal(x.xdp_prog, "xglb_xdp");
	assert_true(x.has_tcx);
	assert_int_equal(x.n_tcx[0], 1);
	assert_string_equal(x.tcx[1][0], "xglb_tc_egress");
	assert_true(x.read_ns > 0);
	assert_int_equal(xglb_ifkern_get(&k, 4, &x), -ENOENT);
	set_mtu(9000);
	xglb_ifkern_refresh(&k); /* no thread: nothing read, on the loop least of all */
	assert_int_equal(main_reads, 2);
	assert_int_equal(mtu_of(&k, 2), 1502);
	xglb_ifkern_stop(&k);
}

/* The thread runs: a request and status return while a read is held up (rtnl held). */
static void status_never_waits_for_the_kernel(void **state)
{
	static struct xglb_ifkern k;
	__u32 ifs[2] = {2, 3};

	(void)state;
	reset_fake();
	assert_int_equal(xglb_ifkern_init(&k, &ops, 10000), 0);
	xglb_ifkern_ask(&k, ifs, 2, false); /* the start */
	assert_int_equal(xglb_ifkern_start(&k), 0);
	pthread_mutex_lock(&fk);
	blocked = true;
	fake_mtu = 9000;
	pthread_mutex_unlock(&fk);
	xglb_ifkern_refresh(&k); /* a link event: an MTU changed */
	assert_true(WAIT_FOR(is_held()));
	/* the read is held: status gets the last one, at once */
	assert_int_equal(mtu_of(&k, 2), 1502);
	assert_false(xglb_ifkern_idle(&k));
	xglb_ifkern_ask(&k, ifs, 1, false); /* a new list: returns too */
	pthread_mutex_lock(&fk);
	blocked = false;
	pthread_cond_broadcast(&fk_cond);
	pthread_mutex_unlock(&fk);
	assert_true(WAIT_FOR(xglb_ifkern_idle(&k)));
	assert_int_equal(mtu_of(&k, 2), 9002);
	assert_int_equal(mtu_of(&k, 3), -1); /* no longer asked for: forgotten */
	assert_int_equal(main_reads, 2);     /* the start's two, none since */
	xglb_ifkern_stop(&k);
}

/* Nothing asked, no link event (an XDP program replaced makes none): the period reads. */
static void the_period_reads_again(void **state)
{
	static struct xglb_ifkern k;
	__u32 ifs[1] = {2};

	(void)state;
	reset_fake();
	assert_int_equal(xglb_ifkern_init(&k, &ops, 20), 0);
	xglb_ifkern_ask(&k, ifs, 1, false);
	assert_int_equal(xglb_ifkern_start(&k), 0);
	set_mtu(1400);
	assert_true(WAIT_FOR(mtu_of(&k, 2) == 1402));
	assert_int_equal(main_reads, 1);
	xglb_ifkern_stop(&k);
}

static void age(void **state)
{
	(void)state;
	assert_int_equal(xglb_ifkern_age_ms(1000000000ULL, 3500000000ULL), 2500);
	assert_int_equal(xglb_ifkern_age_ms(1000000000ULL, 1000999999ULL), 0);
	assert_int_equal(xglb_ifkern_age_ms(2000000000ULL, 1000000000ULL), 0); /* never negative */
}

T_MAIN(cmocka_unit_test(before_the_thread_the_caller_reads),
       cmocka_unit_test(status_never_waits_for_the_kernel),
       cmocka_unit_test(the_period_reads_again), cmocka_unit_test(age))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_clock.c - the heartbeat in jiffies: the xglb_beat stamp, the lease on the jiffies path
 * and on the fallback path, and host timestamps (struct xglb_ctl, struct xglb_host).
 */
#include <unistd.h>
#include "harness.h"

#define SEC_NS 1000000000ull

/* CONFIG_HZ as /proc/config.gz says, 0 if it cannot be read. */
static unsigned int config_hz(void)
{
	FILE *p = popen("zcat /proc/config.gz 2>/dev/null | grep '^CONFIG_HZ='", "r");
	unsigned int hz = 0;

	if (!p)
		return 0;
	if (fscanf(p, "CONFIG_HZ=%u", &hz) != 1)
		hz = 0;
	pclose(p);
	return hz;
}

/* What xglb_beat makes of lease_ns: jiffies, rounded up (in us first). */
static __u64 lease_jiffies(__u64 lease_ns, __u64 hz)
{
	return ((lease_ns + 999) / 1000 * hz + 999999) / 1000000;
}

/* A fresh heartbeat with this lease; returns the jiffies it was stamped with ("now"). */
static __u64 beat(struct h_env *e, __u64 lease_ns)
{
	h_heartbeat(e, 0, lease_ns);
	assert_int_equal(e->bank.beat_err, 0);
	return h_ctl(e)->hb_jiffies;
}

static void set_u64(__u64 *p, __u64 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* One broadcast request for the VIP from H_HOST: the verdict. */
static int ask(struct h_env *e)
{
	struct h_frame in, out;

	h_arp_request(&in, H_HOST, H_HOSTIP, H_VIP);
	return h_run_xdp(e, &in, &out);
}

/* xglb_beat stamps jiffies, turns the lease into jiffies with the kernel's HZ, and advances. */
static void test_beat_stamps_jiffies(void **state)
{
	struct h_env *e = *state;
	struct xglb_ctl *c = h_ctl(e);
	unsigned int want_hz = config_hz();
	__u64 j1, j2, t0, t1, hz;

	hz = c->hz;
	print_message("HZ %llu (/proc/config.gz: %u)\n", (unsigned long long)hz, want_hz);
	assert_int_equal(hz, e->bank.hz);
	if (want_hz)
		assert_int_equal(hz, want_hz);
	else
		assert_true(hz == 100 || hz == 250 || hz == 300 || hz == 1000);

	t0 = h_now_ns();
	j1 = beat(e, 60 * SEC_NS);
	assert_int_equal(c->lease_jiffies, 60 * hz);
	assert_int_equal(c->lease_ns, 60 * SEC_NS);
	assert_true(c->heartbeat_ns <= h_now_ns() && c->heartbeat_ns >= t0);
	usleep(200000);
	j2 = beat(e, 60 * SEC_NS);
	t1 = h_now_ns();
	print_message("200 ms of sleep: %llu jiffies\n", (unsigned long long)(j2 - j1));
	assert_true(j2 - j1 + 1 >= 200000000ull * hz / SEC_NS);
	assert_true(j2 - j1 <= (t1 - t0) * hz / SEC_NS + 1);

	/* rounding up: any nonzero lease is at least one jiffy, a jiffy and 1 ns is two */
	beat(e, 1);
	assert_int_equal(c->lease_jiffies, 1);
	beat(e, SEC_NS / hz);
	assert_int_equal(c->lease_jiffies, lease_jiffies(SEC_NS / hz, hz));
	beat(e, SEC_NS / hz + 1000);
	assert_int_equal(c->lease_jiffies, lease_jiffies(SEC_NS / hz + 1000, hz));
	assert_true(c->lease_jiffies >= 2);
	beat(e, 1500000000ull);
	assert_int_equal(c->lease_jiffies, lease_jiffies(1500000000ull, hz));
	/* a zero lease stays zero (the data path then compares heartbeat_ns); the stamp is valid */
	beat(e, 0);
	assert_int_equal(c->lease_jiffies, 0);
	assert_int_equal(c->hz, hz);
}

/*
 * On the jiffies path the stamp decides, whatever heartbeat_ns says:
 * fresh jiffies with an ancient heartbeat_ns answer, stale jiffies with a
 * fresh heartbeat_ns do not. Just inside and just past the lease, a stamp
 * slightly in the future, one far in the past.
 */
static void test_lease_jiffies_path(void **state)
{
	struct h_env *e = *state;
	struct xglb_ctl *c = h_ctl(e);
	__u64 now, lease;

	h_install_default(e, H_SELF);
	now = beat(e, SEC_NS);
	lease = c->lease_jiffies;
	assert_int_equal(lease, c->hz);

	set_u64(&c->heartbeat_ns, 1); /* ancient on the agent's clock: ignored */
	assert_int_equal(ask(e), XDP_TX);

	now = beat(e, SEC_NS);
	set_u64(&c->hb_jiffies, now - lease - 1); /* just past the lease (heartbeat_ns fresh) */
	assert_int_equal(ask(e), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 1);

	set_u64(&c->hb_jiffies, now - lease + c->hz / 5); /* 200 ms of the lease left */
	assert_int_equal(ask(e), XDP_TX);

	/* another CPU may stamp a jiffy this one has not seen yet: fresh, not 2^64 old */
	now = beat(e, SEC_NS);
	set_u64(&c->hb_jiffies, now + 2);
	assert_int_equal(ask(e), XDP_TX);
	set_u64(&c->hb_jiffies, now - (1ull << 40));
	assert_int_equal(ask(e), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 2);
	assert_int_equal(
	    h_reason(e, XGLB_R_XDP_TX_ARP_REPLY) + h_reason(e, XGLB_R_XDP_TX_ARP_UNTRACKED), 3);
}

/*
 * The fallback path (no kernel stamp): heartbeat_ns decides, whatever
 * hb_jiffies says; a heartbeat slightly in the future is fresh.
 */
static void test_lease_fallback_path(void **state)
{
	struct h_env *e = *state;
	struct xglb_ctl *c = h_ctl(e);

	h_install_default(e, H_SELF);
	h_use_fallback(e);
	set_u64(&c->hb_jiffies, 1); /* ancient: ignored */
	h_heartbeat(e, 0, SEC_NS);
	assert_int_equal(ask(e), XDP_TX);
	h_heartbeat(e, 1500000000ull, SEC_NS);
	assert_int_equal(ask(e), XDP_DROP);
	h_heartbeat(e, (__u64)-5000000ll, SEC_NS); /* 5 ms ahead of CLOCK_MONOTONIC */
	assert_int_equal(ask(e), XDP_TX);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 1);
	assert_int_equal(c->lease_jiffies, 0);
}

/*
 * A beat program that cannot run (here: an fd that is not a program):
 * the bank hands the lease back to heartbeat_ns and marks the stamp
 * invalid (hz 0), so ARP keeps being answered on a fresh heartbeat and a
 * stale hb_jiffies from before cannot expire it.
 */
static void test_beat_failure_falls_back(void **state)
{
	struct h_env *e = *state;
	struct xglb_ctl *c = h_ctl(e);

	h_install_default(e, H_SELF);
	set_u64(&c->hb_jiffies, 1); /* what a beat long ago left */
	xglb_bank_set_beat(&e->bank, bpf_map__fd(e->skel->maps.xglb_ctl));
	h_heartbeat(e, 0, SEC_NS);
	assert_true(e->bank.beat_err < 0);
	assert_int_equal(c->lease_jiffies, 0);
	assert_int_equal(c->hz, 0);
	assert_int_equal(ask(e), XDP_TX);
	h_heartbeat(e, 2 * SEC_NS, SEC_NS);
	assert_int_equal(ask(e), XDP_DROP);

	/* the program back: the jiffies path again */
	xglb_bank_set_beat(&e->bank, bpf_program__fd(e->skel->progs.xglb_beat));
	beat(e, SEC_NS);
	assert_int_equal(c->lease_jiffies, c->hz);
	assert_int_equal(ask(e), XDP_TX);
}

/*
 * HZ unknown (no kernel config to read): xglb_beat runs, but leaves
 * lease_jiffies and hz 0, and the lease is checked on heartbeat_ns.
 */
static void test_hz_unknown_falls_back(void **state)
{
	struct h_env *e = *state;
	struct xglb_ctl *c = h_ctl(e);

	h_install_default(e, H_SELF);
	assert_int_equal(e->bank.hz, xglb_kernel_hz());
	e->bank.hz = 0;
	set_u64(&c->hb_jiffies, 1);
	h_heartbeat(e, 0, SEC_NS);
	assert_int_equal(e->bank.beat_err, 0);
	assert_int_equal(c->lease_jiffies, 0);
	assert_int_equal(c->hz, 0);
	assert_true(c->hb_jiffies != 1); /* stamped all the same */
	assert_int_equal(ask(e), XDP_TX);
	h_heartbeat(e, 2 * SEC_NS, SEC_NS);
	assert_int_equal(ask(e), XDP_DROP);
	assert_int_equal(h_reason(e, XGLB_R_XDP_DROP_ARP_LEASE), 1);
}

/* Replace H_HOST's entry (group H_GID) with h. */
static void host_put(struct h_env *e, const struct xglb_host *h)
{
	struct xglb_host_key k = h_host_key(H_GID, H_HOST);

	assert_int_equal(xglb_hosttab_delete(&e->hosts, &k, NULL), 0);
	assert_int_equal(xglb_hosttab_insert(&e->hosts, &k, h), 0);
	h_hosts_changed(e);
}

/*
 * A known host's entry is written only where it changed: last_jiffies
 * once it is at least HZ jiffies (a second) old, the IP when it differs;
 * first_jiffies and the forwarder never.
 */
static void test_host_last_seen_written_once_a_second(void **state)
{
	struct h_env *e = *state;
	struct xglb_host h0, h;
	__u64 now, hz, first;

	h_install_default(e, H_SELF);
	now = beat(e, H_LEASE_NS);
	hz = h_ctl(e)->hz;
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h0), 0);
	assert_true(h0.first_jiffies == h0.last_jiffies);
	assert_true(h0.last_jiffies - now <= 2);
	assert_int_equal(h0.ip, H_HOSTIP);

	/* again at once: nothing to write but the mark of a host that asked again */
	assert_int_equal(h0.flags, 0);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	h0.flags = XGLB_HOST_ESTABLISHED;
	assert_memory_equal(&h, &h0, sizeof(h));
	/* and from then on its answers come from the front cache: not a byte written */
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_memory_equal(&h, &h0, sizeof(h));

	/* half a second old, another address: the address is written, last-seen is not */
	h = h0;
	first = now - 10 * hz;
	h.first_jiffies = first;
	h.last_jiffies = now - hz / 2;
	h.ip = H_HOST2IP;
	host_put(e, &h);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.ip, H_HOSTIP);
	assert_int_equal(h.last_jiffies, now - hz / 2);
	assert_int_equal(h.first_jiffies, first);
	assert_int_equal(h.fwd, 0);

	/* over a second old: refreshed, first-seen kept */
	h.last_jiffies = now - hz - 1;
	host_put(e, &h);
	now = beat(e, H_LEASE_NS);
	assert_int_equal(h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP), 0);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_true(h.last_jiffies >= now && h.last_jiffies - now <= 2);
	assert_int_equal(h.first_jiffies, first);
	assert_int_equal(h.fwd, 0);
	assert_int_equal(h_reason(e, XGLB_R_XDP_TX_ARP_REPLY), 5);
}

H_MAIN("clock", H_TEST(test_beat_stamps_jiffies), H_TEST(test_lease_jiffies_path),
       H_TEST(test_lease_fallback_path), H_TEST(test_beat_failure_falls_back),
       H_TEST(test_hz_unknown_falls_back), H_TEST(test_host_last_seen_written_once_a_second))

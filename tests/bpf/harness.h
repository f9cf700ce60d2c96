/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* harness.h - BPF test_run harness: skeleton, real table install, counters, one case runner. */
#ifndef XGLB_TEST_HARNESS_H
#define XGLB_TEST_HARNESS_H

/*
 * Every tests/bpf/test_*.c is built alone (no shared object), so the
 * helpers are static functions. Groups are installed through the real
 * xglb_build_group + xglb_bank_commit path, and frames run through
 * bpf_prog_test_run_opts with repeat = 1: a repeated run would feed the
 * program its own reply (DESIGN "Known ground").
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>
#include "hosttab.h"
#include "../unit/testlib.h"
#include "frames.h"
#include "xglb.h"
#include "xglb.skel.h"
#include "tables.h"
#include "bank.h"
#include "skelcache.h"

struct h_env {
	struct xglb *skel;
	struct xglb_bank bank;
	struct xglb_hosttab hosts; /* xglb_hosts mapped read-write, as the agent has it */
	int ncpu;
};

/* ---- test order -------------------------------------------------------- */

/*
 * Every cmocka group of these programs runs through h_run_group (the
 * cmocka_run_group_tests macros are redefined below), so the order of the
 * tests can be changed to show that none depends on what ran before it:
 * XGLB_TEST_ORDER=reverse, or shuffle[:SEED] (a seed given, or the time,
 * printed). Unset or "forward": as written.
 */
static inline int h_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
			      CMFixtureFunction setup, CMFixtureFunction teardown)
{
	const char *order = getenv("XGLB_TEST_ORDER");
	struct CMUnitTest *t;
	unsigned int seed;
	int failed;

	if (!order || !*order || !strcmp(order, "forward"))
		return _cmocka_run_group_tests(name, tests, n, setup, teardown);
	t = malloc((n ? n : 1) * sizeof(*t));
	if (!t)
		abort();
	memcpy(t, tests, n * sizeof(*t));
	if (!strcmp(order, "reverse")) {
		for (size_t i = 0; i < n / 2; i++) {
			struct CMUnitTest x = t[i];

			t[i] = t[n - 1 - i];
			t[n - 1 - i] = x;
		}
	} else if (!strncmp(order, "shuffle", 7)) {
		seed = order[7] == ':' ? (unsigned int)strtoul(order + 8, NULL, 0)
				       : (unsigned int)time(NULL);
		print_message("%s: XGLB_TEST_ORDER=shuffle:%u\n", name, seed);
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)rand_r(&seed) % i;
			struct CMUnitTest x = t[i - 1];

			t[i - 1] = t[j];
			t[j] = x;
		}
	} else {
		print_error("XGLB_TEST_ORDER=%s: forward, reverse or shuffle[:SEED]\n", order);
		free(t);
		return (int)(n ? n : 1);
	}
	failed = _cmocka_run_group_tests(name, t, n, setup, teardown);
	free(t);
	return failed;
}

#undef cmocka_run_group_tests
#define cmocka_run_group_tests(group_tests, group_setup, group_teardown)                           \
	h_run_group(#group_tests, group_tests, sizeof(group_tests) / sizeof((group_tests)[0]),     \
		    group_setup, group_teardown)
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(group_name, group_tests, group_setup, group_teardown)          \
	h_run_group(group_name, group_tests, sizeof(group_tests) / sizeof((group_tests)[0]),       \
		    group_setup, group_teardown)

/* ---- small helpers ---------------------------------------------------- */

/* Reason names, from the XGLB_REASONS X-macro (defined once for every check below). */
static const char *const h_reason_names[XGLB_R_MAX] = {
#define H_NAME(n, s) s,
    XGLB_REASONS(H_NAME)
#undef H_NAME
};

static inline const char *h_reason_name(__u32 r)
{
	return r < XGLB_R_MAX ? h_reason_names[r] : "(spare)";
}

static inline __u64 h_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Hex dump of the differing offsets of both buffers; then fail. */
static inline void h_assert_bytes(const char *what, const void *got, size_t glen, const void *want,
				  size_t wlen)
{
	const __u8 *g = got, *w = want;
	size_t n = glen > wlen ? glen : wlen;

	if (glen == wlen && !memcmp(got, want, glen))
		return;
	print_error("%s: %zu bytes, expected %zu; differing offsets:\n", what, glen, wlen);
	for (size_t i = 0; i < n; i++) {
		char gs[4] = "--", ws[4] = "--";

		if (i < glen && i < wlen && g[i] == w[i])
			continue;
		if (i < glen)
			snprintf(gs, sizeof(gs), "%02x", g[i]);
		if (i < wlen)
			snprintf(ws, sizeof(ws), "%02x", w[i]);
		print_error("  [%3zu] got %s want %s\n", i, gs, ws);
	}
	fail_msg("%s differs", what);
}

/* ---- environment: skeleton, bank, iface MAC, heartbeat --------------- */

/* Interface MAC and XGLB_IFACE_* flags for an ifindex (xglb_ifaces). */
static inline void h_set_iface_flags(struct h_env *e, __u32 ifindex, const __u8 *mac, __u8 flags)
{
	struct xglb_iface v = {.flags = flags};

	memcpy(v.mac, mac, 6);
	assert_int_equal(
	    bpf_map_update_elem(bpf_map__fd(e->skel->maps.xglb_ifaces), &ifindex, &v, BPF_ANY), 0);
}

/* A group's interface, as xglbd writes it. */
static inline void h_set_iface(struct h_env *e, __u32 ifindex, const __u8 *mac)
{
	h_set_iface_flags(e, ifindex, mac, XGLB_IFACE_GROUP);
}

static inline void h_del_iface(struct h_env *e, __u32 ifindex)
{
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(e->skel->maps.xglb_ifaces), &ifindex), 0);
}

static inline struct xglb_ctl *h_ctl(struct h_env *e)
{
	return e->bank.ctl;
}

/*
 * Agent heartbeat written age_ns ago, with the given lease, through
 * xglb_bank_heartbeat as the agent does. On the jiffies path (the
 * default: the bank runs xglb_beat, which stamps "now") the stamp is then
 * moved back by age_ns in jiffies, as if the beat had run then; on the
 * fallback path (h_use_fallback) heartbeat_ns is age_ns old. A negative
 * age (cast) stamps the future.
 */
static inline void h_heartbeat(struct h_env *e, __u64 age_ns, __u64 lease_ns)
{
	struct xglb_ctl *c = h_ctl(e);

	xglb_bank_heartbeat(&e->bank, h_now_ns() - age_ns, lease_ns);
	if (c->hz)
		__atomic_store_n(&c->hb_jiffies,
				 c->hb_jiffies -
				     (__u64)((__s64)age_ns * (__s64)c->hz / 1000000000ll),
				 __ATOMIC_RELEASE);
}

/*
 * The data path's lease on the agent's clock: the bank forgets the beat
 * program, so heartbeats leave lease_jiffies 0, as with HZ unknown.
 */
static inline void h_use_fallback(struct h_env *e)
{
	xglb_bank_set_beat(&e->bank, -1);
	h_heartbeat(e, 0, H_LEASE_NS);
	assert_int_equal(h_ctl(e)->lease_jiffies, 0);
	assert_int_equal(h_ctl(e)->hz, 0);
}

/* Close the environment; its skeleton goes back to the cache (skelcache.h). */
static inline void h_close(struct h_env *e)
{
	xglb_hosttab_close(&e->hosts);
	xglb_bank_close(&e->bank);
	h_skel_put(e->skel);
	e->skel = NULL;
}

/*
 * A fresh skeleton with lo's MAC set to H_IFMAC and a fresh heartbeat on
 * the jiffies path (the beat program ran; where the kernel's HZ cannot be
 * read, the fallback path). Fresh: every map as right after load; the
 * program loads the skeleton once per tc_pass and resets its maps for each
 * environment (skelcache.h), the bank and the host table mapping are opened
 * anew. Nothing has run yet, so the first commit need
 * not wait for a grace period: the bank is told so (later commits wait as
 * in production). tc_pass: what the tc programs return for a frame they let
 * through (xglb_tc_pass: 0 at clsact, -1 at tcx, as the loader sets it).
 */
static inline int h_open_pass(struct h_env *e, int tc_pass)
{
	struct h_skel *s;

	memset(e, 0, sizeof(*e));
	e->ncpu = libbpf_num_possible_cpus();
	if (e->ncpu <= 0)
		return -1;
	s = h_skel_get(tc_pass);
	if (!s)
		return -1;
	e->skel = s->skel;
	if (xglb_bank_open(&e->bank, bpf_map__fd(e->skel->maps.xglb_ctl),
			   bpf_map__fd(e->skel->maps.xglb_groups),
			   bpf_map__fd(e->skel->maps.xglb_vips))) {
		print_error("xglb_bank_open: %s\n", strerror(errno));
		h_skel_put(e->skel);
		e->skel = NULL;
		return -1;
	}
	if (xglb_bank_open_vip6(&e->bank, bpf_map__fd(e->skel->maps.xglb_vips6))) {
		print_error("xglb_bank_open_vip6 failed\n");
		h_close(e);
		return -1;
	}
	if (xglb_hosttab_open(&e->hosts, bpf_map__fd(e->skel->maps.xglb_hosts), true)) {
		print_error("mapping xglb_hosts failed\n");
		h_close(e);
		return -1;
	}
	e->bank.need_sync = false;
	xglb_bank_set_beat(&e->bank, bpf_program__fd(e->skel->progs.xglb_beat));
	h_set_iface(e, H_IFINDEX, H_IFMAC);
	h_heartbeat(e, 0, H_LEASE_NS);
	/* as on a kernel whose HZ is unknown: tests of the jiffies path will say so */
	if (!h_ctl(e)->lease_jiffies)
		print_message("note: xglb_beat did not stamp the heartbeat (err %d, HZ %u): "
			      "the lease falls back to heartbeat_ns\n",
			      e->bank.beat_err, e->bank.hz);
	return 0;
}

/* The same, with the tc programs' pass verdict of a clsact filter (TC_ACT_OK). */
static inline int h_open(struct h_env *e)
{
	return h_open_pass(e, 0);
}

/* cmocka fixtures: *state becomes a struct h_env. */
static inline int h_setup(void **state)
{
	struct h_env *e = calloc(1, sizeof(*e));

	if (!e || h_open(e)) {
		free(e);
		return -1;
	}
	*state = e;
	return 0;
}

static inline int h_teardown(void **state)
{
	struct h_env *e = *state;

	if (e) {
		h_close(e);
		free(e);
	}
	*state = NULL;
	return 0;
}

/* A cmocka test with a fresh skeleton (h_setup / h_teardown). */
#define H_TEST(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

/* main() of a test file of H_TEST scenarios only: the cmocka group's name, its tests. */
#define H_MAIN(group, ...)                                                                         \
	int main(void)                                                                             \
	{                                                                                          \
		static const struct CMUnitTest tests[] = {__VA_ARGS__};                            \
                                                                                                   \
		return cmocka_run_group_tests_name(group, tests, NULL, NULL);                      \
	}

/* ---- groups through the real table path -------------------------------- */

/*
 * A group state: n_fwd forwarders, forwarder i owned by node i + 1 (so
 * forwarder 0 is ours), weight 1, active, taking new hosts; interfaces
 * {H_IFINDEX with MAC H_IFMAC}; AVG = avg (H_SELF makes us the AVG).
 */
static inline void h_state(struct xglb_group_state *st, __u8 gid, __be32 vip, __u8 policy,
			   int n_fwd, __u32 avg)
{
	memset(st, 0, sizeof(*st));
	st->gid = gid;
	st->vip = vip;
	st->policy = policy;
	st->avg = avg;
	st->version = 1;
	st->n_fwd = n_fwd;
	st->ifindex[0] = H_IFINDEX;
	memcpy(st->ifmac[0], H_IFMAC, 6);
	for (int i = 0; i < n_fwd && i < XGLB_MAX_FWD; i++) {
		st->fwd[i].owner = (__u32)i + 1;
		st->fwd[i].weight = 1;
		st->fwd[i].active = true;
		st->fwd[i].new_ok = true;
	}
}

/* xglb_build_group for node H_SELF, then xglb_bank_commit; asserts success. */
static inline void h_install(struct h_env *e, const struct xglb_group_state *sts, int n)
{
	struct xglb_group g[4];

	assert_true(n >= 0 && n <= 4);
	for (int i = 0; i < n; i++)
		xglb_build_group(&sts[i], H_SELF, &g[i]);
	assert_int_equal(xglb_bank_commit(&e->bank, g, n), 0);
}

/*
 * H_SETUP(name, build, tweak...): a fixture setup that builds one group state
 * in `st` with build (an expression naming st), changes it with the
 * statements tweak (may be empty) and installs it.
 */
#define H_SETUP(name, build, ...)                                                                  \
	static inline void name(struct h_env *e)                                                   \
	{                                                                                          \
		struct xglb_group_state st;                                                        \
                                                                                                   \
		build;                                                                             \
		__VA_ARGS__;                                                                       \
		h_install(e, &st, 1);                                                              \
	}

/* The default group's state, us (H_SELF) or avg the AVG: for H_SETUP's build. */
#define H_DEFAULT_STATE(avg) h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, (avg))

/*
 * Two interfaces on the segment: the frames' interface (H_IFINDEX, H_IFMAC)
 * is the group's second, ifindex 2 its first; answer_if names the one that
 * answers broadcast ARP and multicast NS (the agent's choice, nicbind.h).
 */
static inline void h_second_nic(struct h_env *e, struct xglb_group_state *st, __u8 answer_if)
{
	struct xglb_group g;

	st->ifindex[1] = H_IFINDEX;
	memcpy(st->ifmac[1], st->ifmac[0], 6);
	st->ifindex[0] = 2;
	st->ifmac[0][5] ^= 0x40;
	xglb_build_group(st, H_SELF, &g);
	g.answer_if = answer_if;
	assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
}

/* H_SETUP_LEASE_EXPIRED(name, setup): setup, then a heartbeat 3 s old with a 2 s lease. */
#define H_SETUP_LEASE_EXPIRED(name, setup)                                                         \
	static inline void name(struct h_env *e)                                                   \
	{                                                                                          \
		setup(e);                                                                          \
		h_heartbeat(e, 3000000000ull, 2000000000ull);                                      \
	}

/* The default group: gid H_GID, VIP H_VIP, 3 forwarders, round-robin, AVG = avg. */
static inline void h_install_default(struct h_env *e, __u32 avg)
{
	struct xglb_group_state st;

	H_DEFAULT_STATE(avg);
	h_install(e, &st, 1);
}

/* Table setups shared by the fixture tables: the default group with us as AVG, or node 2. */
static inline void h_setup_avg(struct h_env *e)
{
	h_install_default(e, H_SELF);
}

static inline void h_setup_not_avg(struct h_env *e)
{
	h_install_default(e, 2);
}

/* The default group, us the AVG, forwarder 2 in the table but not active. */
H_SETUP(h_setup_avg_fwd2_inactive, H_DEFAULT_STATE(H_SELF), st.fwd[2].active = false)

/* ---- counters -------------------------------------------------------- */

/* Per-reason packet counts, summed over CPUs. */
static inline void h_stats(struct h_env *e, __u64 out[XGLB_STATS_SLOTS])
{
	int fd = bpf_map__fd(e->skel->maps.xglb_stats);
	__u64 *v = calloc((size_t)e->ncpu, sizeof(*v));

	assert_non_null(v);
	for (__u32 r = 0; r < XGLB_STATS_SLOTS; r++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &r, v), 0);
		out[r] = 0;
		for (int c = 0; c < e->ncpu; c++)
			out[r] += v[c];
	}
	free(v);
}

static inline __u64 h_reason(struct h_env *e, __u32 reason)
{
	__u64 all[XGLB_STATS_SLOTS];

	h_stats(e, all);
	return all[reason];
}

/* Packets and bytes of forwarder idx of group gid in a per-CPU forwarder counter map
 * (xglb_fwd_stats: accepted; xglb_fwd_tx_stats: sent back to its hosts), summed over CPUs. */
static inline struct xglb_fwd_stats h_fwd_map_stats(struct h_env *e, struct bpf_map *map, __u32 gid,
						    __u32 idx)
{
	int fd = bpf_map__fd(map);
	struct xglb_fwd_stats *v = calloc((size_t)e->ncpu, sizeof(*v)), sum = {0};
	__u32 key = gid * XGLB_MAX_FWD + idx;

	assert_non_null(v);
	assert_int_equal(bpf_map_lookup_elem(fd, &key, v), 0);
	for (int c = 0; c < e->ncpu; c++) {
		sum.packets += v[c].packets;
		sum.bytes += v[c].bytes;
	}
	free(v);
	return sum;
}

/* Packets and bytes accepted for forwarder idx of group gid, summed over CPUs. */
static inline struct xglb_fwd_stats h_fwd_stats(struct h_env *e, __u32 gid, __u32 idx)
{
	return h_fwd_map_stats(e, e->skel->maps.xglb_fwd_stats, gid, idx);
}

/* ---- host table -------------------------------------------------------- */

static inline struct xglb_host_key h_host_key(__u8 gid, const __u8 *mac)
{
	struct xglb_host_key k = {.gid = gid};

	memcpy(k.mac, mac, 6);
	return k;
}

/* Host (gid, mac)'s entry, through the agent's helper (user/lib/hosttab.c): 0 or -errno. */
static inline int h_host_get(struct h_env *e, __u8 gid, const __u8 *mac, struct xglb_host *h)
{
	struct xglb_host_key k = h_host_key(gid, mac);

	return xglb_hosttab_lookup(&e->hosts, &k, h);
}

/* Record host (gid, mac) as the agent would: 0, -EEXIST, -ENOSPC (bucket full). */
static inline int h_host_put(struct h_env *e, __u8 gid, const __u8 *mac, const struct xglb_host *h)
{
	struct xglb_host_key k = h_host_key(gid, mac);

	return xglb_hosttab_insert(&e->hosts, &k, h);
}

/* The ways of host (gid, mac)'s bucket in the mapped table. */
static inline struct xglb_host_way *h_host_bucket(struct h_env *e, __u8 gid, const __u8 *mac)
{
	struct xglb_host_key k = h_host_key(gid, mac);

	return &e->hosts.ways[(size_t)xglb_host_bucket(xglb_host_key_word(&k),
						       e->hosts.n_ways / XGLB_HOST_WAYS) *
			      XGLB_HOST_WAYS];
}

/* How many host entries there are (all groups), without changing them. */
static inline int h_hosts_count(struct h_env *e)
{
	int n = 0;

	for (__u32 i = 0; i < e->hosts.n_ways; i++)
		n += (e->hosts.ways[i].tag & XGLB_HOST_TAG_LIVE) != 0;
	return n;
}

/*
 * Say that xglb_hosts was written from outside the data path, as the agent
 * does (xglb_ctl.hosts_gen): no front-cache entry filled before is trusted.
 */
static inline void h_hosts_changed(struct h_env *e)
{
	__atomic_fetch_add(&h_ctl(e)->hosts_gen, 1, __ATOMIC_RELEASE);
}

/* Delete every host entry; returns how many there were. */
static inline int h_hosts_clear(struct h_env *e)
{
	struct xglb_host_key k;
	struct xglb_host h;
	__u64 cursor = 0;
	int n = 0;

	while (xglb_hosttab_walk(&e->hosts, &cursor, &k, &h, 1) == 1) {
		assert_int_equal(xglb_hosttab_delete(&e->hosts, &k, NULL), 0);
		n++;
	}
	h_hosts_changed(e);
	return n;
}

/* ---- running one frame ---------------------------------------------- */

/*
 * One frame through prog with test_run (repeat 1) and an optional context:
 * returns the verdict or a negative errno (a failed test_run is never a
 * verdict); out receives the frame as the program left it.
 */
static inline int h_run_prog(const struct bpf_program *prog, void *ctx, __u32 ctx_size,
			     const struct h_frame *in, struct h_frame *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .ctx_in = ctx,
		    .ctx_size_in = ctx_size, .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o))
		return errno ? -errno : -EIO;
	out->len = o.data_size_out;
	return (int)o.retval;
}

/* One frame through xglb_xdp arriving on ifindex: the verdict (XDP_*) or a negative errno. */
static inline int h_run_xdp_on(struct h_env *e, __u32 ifindex, const struct h_frame *in,
			       struct h_frame *out)
{
	struct xdp_md ctx = {.data_end = in->len, .ingress_ifindex = ifindex};

	return h_run_prog(e->skel->progs.xglb_xdp, &ctx, sizeof(ctx), in, out);
}

static inline int h_run_xdp(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	return h_run_xdp_on(e, H_IFINDEX, in, out);
}

/*
 * One multi-buffer frame through xglb_xdp arriving on ifindex: len bytes
 * of which the first linear lie in the first buffer (xdp_md.data_end), the
 * rest in fragments, as a jumbo frame arrives. out (room bytes) receives
 * the whole frame as the program left it, *out_len its length. The
 * verdict (XDP_*) or a negative errno.
 */
static inline int h_run_xdp_frags(struct h_env *e, __u32 ifindex, const void *in, __u32 len,
				  __u32 linear, void *out, __u32 room, __u32 *out_len)
{
	struct xdp_md ctx = {.data_end = linear, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = room, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

	memset(out, 0, room);
	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.xglb_xdp), &o))
		return errno ? -errno : -EIO;
	*out_len = o.data_size_out;
	return (int)o.retval;
}

/* One frame through the tc egress guard: returns TC_ACT_* or a negative errno. */
static inline int h_run_tc(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	return h_run_prog(e->skel->progs.xglb_tc_egress, NULL, 0, in, out);
}

/*
 * A broadcast ARP request for vip from host: asserts XDP_TX and a reply
 * addressed back to host from our interface, naming a vMAC of group gid;
 * returns that vMAC's forwarder index.
 */
static inline int h_ask(struct h_env *e, const __u8 *host, __be32 host_ip, __u8 gid, __be32 vip)
{
	struct h_frame in, out;
	struct xglb_arp_frame *r;
	__u8 want_prefix[4] = {0x02, 0x78, 0x67, 0x62};
	int v;

	h_arp_request(&in, host, host_ip, vip);
	v = h_run_xdp(e, &in, &out);
	assert_int_equal(v, XDP_TX);
	assert_int_equal(out.len, sizeof(struct xglb_arp_frame));
	r = h_arpf(&out);
	assert_memory_equal(r->eth_dst, host, 6);
	assert_memory_equal(r->eth_src, H_IFMAC, 6);
	assert_int_equal(ntohs(r->op), XGLB_ARPOP_REPLY);
	assert_memory_equal(r->sha, want_prefix, 4);
	assert_int_equal(r->sha[4], gid);
	assert_int_equal(r->spa, vip);
	assert_memory_equal(r->tha, host, 6);
	assert_int_equal(r->tpa, host_ip);
	return r->sha[5];
}

/* ---- tc ingress and steering (test_steer.c) ---------------------------- */

/* One frame through a tc program (an skb) arriving on ifindex. */
static inline int h_run_skb(const struct bpf_program *prog, __u32 ifindex, const struct h_frame *in,
			    struct h_frame *out)
{
	struct __sk_buff ctx = {.ifindex = ifindex};

	return h_run_prog(prog, &ctx, sizeof(ctx), in, out);
}

/*
 * One frame through xglb_tc_ingress arriving on ifindex (which must
 * exist: lo = 1 does everywhere). Returns the verdict (TC_ACT_*) or a
 * negative errno; out receives the frame as the program left it. test_run
 * classifies the frame against lo's all-zero MAC, so any other unicast
 * destination arrives as PACKET_OTHERHOST, as on a veth after XDP.
 */
static inline int h_run_tc_in_on(struct h_env *e, __u32 ifindex, const struct h_frame *in,
				 struct h_frame *out)
{
	return h_run_skb(e->skel->progs.xglb_tc_ingress, ifindex, in, out);
}

static inline int h_run_tc_in(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	return h_run_tc_in_on(e, H_IFINDEX, in, out);
}

/*
 * One frame through xglb_tc, the whole ingress data path at tc ingress
 * ("datapath: tc"), arriving on ifindex: the verdict (TC_ACT_*; an ARP
 * answer is TC_ACT_REDIRECT) or a negative errno.
 */
static inline int h_run_tcdp_on(struct h_env *e, __u32 ifindex, const struct h_frame *in,
				struct h_frame *out)
{
	return h_run_skb(e->skel->progs.xglb_tc, ifindex, in, out);
}

static inline int h_run_tcdp(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	return h_run_tcdp_on(e, H_IFINDEX, in, out);
}

/* The skeleton's steering maps, as the agent hands them to the bank. */
static inline struct xglb_steer_fds h_steer_fds(struct h_env *e)
{
	return (struct xglb_steer_fds){
	    .cfg = bpf_map__fd(e->skel->maps.xglb_steer_cfg),
	    .spill = bpf_map__fd(e->skel->maps.xglb_steer_spill),
	    .buckets = bpf_map__fd(e->skel->maps.xglb_steer_buckets),
	    .peers = bpf_map__fd(e->skel->maps.xglb_steer_peers),
	    .local_ips = bpf_map__fd(e->skel->maps.xglb_local_ips),
	    .local_bloom = bpf_map__fd(e->skel->maps.xglb_local_bloom),
	};
}

/* Hand the steering maps to the bank (xglb_bank_open_steer). */
static inline void h_open_steer(struct h_env *e)
{
	struct xglb_steer_fds fds = h_steer_fds(e);

	assert_int_equal(xglb_bank_open_steer(&e->bank, &fds), 0);
}

/* Between two snapshots, reason r counted exactly want times; a mismatch fails. */
static inline void h_check_counts(const __u64 before[XGLB_STATS_SLOTS],
				  const __u64 after[XGLB_STATS_SLOTS], const __u32 *want, int n)
{
	for (int i = 0; i < n; i++)
		if (want[i] >= XGLB_R_MAX)
			fail_msg("expected reason %u is not a reason", want[i]);
	for (__u32 r = 0; r < XGLB_STATS_SLOTS; r++) {
		__u64 d = after[r] - before[r], w = 0;

		for (int i = 0; i < n; i++)
			w += want[i] == r;
		if (d != w)
			fail_msg("reason %s: counted %llu, expected %llu%s%s", h_reason_name(r),
				 (unsigned long long)d, (unsigned long long)w,
				 n ? " (first expected reason " : "",
				 n ? h_reason_name(want[0]) : "");
	}
}

/*
 * Between two snapshots, each reason of want[0..n) counted exactly once
 * (a reason may appear twice to mean twice), every other reason unchanged.
 * n must be > 0: use h_assert_no_reason to say nothing was counted.
 */
static inline void h_assert_reasons(const __u64 before[XGLB_STATS_SLOTS],
				    const __u64 after[XGLB_STATS_SLOTS], const __u32 *want, int n)
{
	if (n <= 0 || !want)
		fail_msg("h_assert_reasons: no expected reason given");
	h_check_counts(before, after, want, n);
}

/* Between two snapshots exactly one packet counted, under reason; every other reason unchanged. */
static inline void h_assert_one_reason(const __u64 before[XGLB_STATS_SLOTS],
				       const __u64 after[XGLB_STATS_SLOTS], __u32 reason)
{
	h_assert_reasons(before, after, &reason, 1);
}

/* Between two snapshots no reason counted anything. */
static inline void h_assert_no_reason(const __u64 before[XGLB_STATS_SLOTS],
				      const __u64 after[XGLB_STATS_SLOTS])
{
	h_check_counts(before, after, NULL, 0);
}

/* ---- the one table-driven case runner ------------------------------------ */

/*
 * A fixture table: every case runs in a fresh skeleton (h_open). The
 * table's prepare installs the case's state and fills a struct h_io: the
 * input frame, the expected verdict, the expected output frame (prepare
 * copies the input there when the program must leave it unchanged) and
 * the reasons that must each be counted once, every other reason
 * unchanged. check, if set, asserts more state afterwards. The runner
 * fails a case that leaves any of these unset, so no row can pass by
 * checking nothing.
 */
#define H_IO_REASONS 4
#define H_NO_VERDICT (-100000) /* prepare did not say */

struct h_io {
	struct h_frame in;   /* the frame to run */
	struct h_frame want; /* the frame the program must leave */
	int verdict;	     /* XDP_* or TC_ACT_* */
	__u32 reasons[H_IO_REASONS];
	int n_reasons;
};

/* Case structs of a table start with `const char *name`: the runner names tests by it. */
struct h_table {
	const char *group; /* cmocka group name */
	int (*run)(struct h_env *e, const struct h_frame *in, struct h_frame *out);
	void (*prepare)(struct h_env *e, const void *c, struct h_io *io);
	void (*check)(struct h_env *e, const void *c, const struct h_io *io); /* or NULL */
};

/* Expect reason counted once more (call twice for twice). */
static inline void h_expect_reason(struct h_io *io, __u32 reason)
{
	assert_true(io->n_reasons < H_IO_REASONS);
	io->reasons[io->n_reasons++] = reason;
}

/*
 * The row of a frame fixture table (test_xdp, test_ndp): setup (or NULL)
 * prepares the tables, input(f, arg) builds the frame, expect (or NULL:
 * the frame unchanged) the frame the program must leave; verdict and
 * reason are asserted, then check (or NULL) looks at the maps.
 */
struct h_frame_case {
	const char *name;
	void (*setup)(struct h_env *e);
	void (*input)(struct h_frame *f, int arg);
	int arg;
	int verdict;
	void (*expect)(const struct h_frame *in, struct h_frame *want);
	__u32 reason;
	void (*check)(struct h_env *e, const struct h_frame *in);
};

/* An xdp_ ingress reason (of any of its lists) as its tc_ twin, for rows run at both hooks. */
static inline __u32 h_tc_reason(__u32 r)
{
	if (r >= XGLB_R_XDP_NDP2_BASE && r < XGLB_R_TC_NDP2_BASE)
		return r - XGLB_R_XDP_NDP2_BASE + XGLB_R_TC_NDP2_BASE;
	if (r >= XGLB_R_XDP_NIC_BASE && r < XGLB_R_TC_NIC_BASE)
		return r - XGLB_R_XDP_NIC_BASE + XGLB_R_TC_NIC_BASE;
	if (r >= XGLB_R_XDP_VLAN_BASE && r < XGLB_R_TC_VLAN_BASE)
		return r - XGLB_R_XDP_VLAN_BASE + XGLB_R_TC_VLAN_BASE;
	if (r >= XGLB_R_XDP_NDP_BASE && r < XGLB_R_TC_NDP_BASE)
		return r - XGLB_R_XDP_NDP_BASE + XGLB_R_TC_NDP_BASE;
	if (r >= XGLB_R_XDP_BASE2 && r < XGLB_R_TC_BASE2)
		return r - XGLB_R_XDP_BASE2 + XGLB_R_TC_BASE2;
	assert_true(r - XGLB_R_XDP_BASE < XGLB_IN_BASE2);
	return r - XGLB_R_XDP_BASE + XGLB_R_TC_BASE;
}

/* h_table.prepare for struct h_frame_case rows. */
static inline void h_frame_prepare(struct h_env *e, const void *p, struct h_io *io)
{
	const struct h_frame_case *c = p;

	if (c->setup)
		c->setup(e);
	c->input(&io->in, c->arg);
	if (c->expect)
		c->expect(&io->in, &io->want);
	else
		io->want = io->in;
	io->verdict = c->verdict;
	h_expect_reason(io, c->reason);
}

/*
 * h_table.prepare for the same h_frame_case rows run through xglb_tc
 * ("datapath: tc"): the helpers are shared, so every row must give the
 * same frame, the hook's verdict (XDP_TX is a redirect out of the same
 * interface, XDP_DROP a TC_ACT_SHOT) and its reason under the tc_ prefix.
 * A frame that passes goes on to steering, which no row configures:
 * tc_steer_off for an untagged IPv4 or IPv6 frame, tc_steer_vlan for a
 * tagged one, tc_steer_not_ipv4 for anything else.
 */
static inline void h_frame_prepare_tc(struct h_env *e, const void *p, struct h_io *io)
{
	const struct h_frame_case *c = p;
	const __u8 *b = io->in.b;

	h_frame_prepare(e, p, io);
	io->reasons[0] = h_tc_reason(c->reason);
	switch (c->verdict) {
	case XDP_TX:
		io->verdict = TC_ACT_REDIRECT;
		break;
	case XDP_DROP:
		io->verdict = TC_ACT_SHOT;
		break;
	case XDP_PASS:
		io->verdict = TC_ACT_OK;
		h_expect_reason(io, io->in.len >= 14 && ((b[12] == 0x08 && b[13] == 0x00) ||
							 (b[12] == 0x86 && b[13] == 0xdd))
					? XGLB_R_TC_STEER_OFF
				    : h_tagged(b, io->in.len) ? XGLB_R_TC_STEER_VLAN
							      : XGLB_R_TC_STEER_NOT_IPV4);
		break;
	default:
		fail_msg("verdict %d has no tc equivalent", c->verdict);
	}
}

/* An expect of a h_frame_case: the frame with its destination rewritten to lo's MAC, nothing else.
 */
static inline void h_want_dst_ifmac(const struct h_frame *in, struct h_frame *w)
{
	*w = *in;
	memcpy(w->b, H_IFMAC, 6);
}

/* h_table.check for struct h_frame_case rows. */
static inline void h_frame_check(struct h_env *e, const void *p, const struct h_io *io)
{
	const struct h_frame_case *c = p;

	if (c->check)
		c->check(e, &io->in);
}

struct h_case_ref {
	const struct h_table *t;
	const void *c;
};

struct h_case_env {
	struct h_env e;
	const struct h_case_ref *ref;
};

static inline int h_case_setup(void **state)
{
	struct h_case_env *ce = calloc(1, sizeof(*ce));

	if (!ce)
		return -1;
	ce->ref = *state;
	if (h_open(&ce->e)) {
		free(ce);
		return -1;
	}
	*state = ce;
	return 0;
}

static inline int h_case_teardown(void **state)
{
	struct h_case_env *ce = *state;

	h_close(&ce->e);
	free(ce);
	return 0;
}

static inline void h_case_run(void **state)
{
	struct h_case_env *ce = *state;
	const struct h_table *t = ce->ref->t;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct h_io io;
	struct h_frame out;
	int v;

	memset(&io, 0, sizeof(io));
	io.verdict = H_NO_VERDICT;
	t->prepare(&ce->e, ce->ref->c, &io);
	if (io.in.len < 14 || io.want.len == 0 || io.verdict == H_NO_VERDICT || io.n_reasons == 0)
		fail_msg("case incomplete: input %u bytes, expected output %u bytes, verdict %s, "
			 "%d reasons",
			 io.in.len, io.want.len, io.verdict == H_NO_VERDICT ? "unset" : "set",
			 io.n_reasons);

	h_stats(&ce->e, before);
	v = t->run(&ce->e, &io.in, &out);
	h_stats(&ce->e, after);

	if (v < 0)
		fail_msg("test_run failed: %s", strerror(-v));
	if (v != io.verdict)
		fail_msg("verdict %d, expected %d", v, io.verdict);
	h_assert_bytes("output frame", out.b, out.len, io.want.b, io.want.len);
	h_assert_reasons(before, after, io.reasons, io.n_reasons);
	if (t->check)
		t->check(&ce->e, ce->ref->c, &io);
}

/* A generated case's name, as printf would write it; kept as long as the program runs. */
__attribute__((format(printf, 1, 2))) static inline const char *h_name(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = malloc((size_t)n + 1);
	if (n < 0 || !s)
		abort();
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/*
 * A table's n fixed cases (size bytes each) followed by n_gen generated
 * ones in one array for h_run_table: gen fills generated case i (0 ..
 * n_gen - 1). The array is kept as long as the program runs.
 */
static inline const void *h_cases(const void *cases, size_t n, size_t size, size_t n_gen,
				  void (*gen)(void *c, int i))
{
	char *all = calloc(n + n_gen, size);

	if (!all)
		abort();
	memcpy(all, cases, n * size);
	for (size_t i = 0; i < n_gen; i++)
		gen(all + (n + i) * size, (int)i);
	return all;
}

/*
 * Run n cases (an array of structs of size bytes each) as one cmocka
 * group; returns the number of failed cases. An empty table fails.
 */
static inline int h_run_table(const struct h_table *t, const void *cases, size_t n, size_t size)
{
	struct CMUnitTest *tests = calloc(n ? n : 1, sizeof(*tests));
	struct h_case_ref *refs = calloc(n ? n : 1, sizeof(*refs));
	int failed = 1;

	if (!n || !tests || !refs) {
		print_error("%s: %zu cases\n", t->group, n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		refs[i] = (struct h_case_ref){t, (const char *)cases + i * size};
		tests[i] = (struct CMUnitTest){*(const char *const *)refs[i].c, h_case_run,
					       h_case_setup, h_case_teardown, &refs[i]};
	}
	failed = h_run_group(t->group, tests, n, NULL, NULL);
out:
	free(tests);
	free(refs);
	return failed;
}

/* h_run_table over every row of the array cases. */
#define H_RUN_CASES(t, cases)                                                                      \
	h_run_table(t, cases, sizeof(cases) / sizeof((cases)[0]), sizeof((cases)[0]))

/*
 * The n h_frame_case rows as two cmocka groups: group through xglb_xdp,
 * tc_group through xglb_tc (h_frame_prepare_tc); returns the number of
 * failed cases.
 */
static inline int h_run_frame_cases(const char *group, const char *tc_group,
				    const struct h_frame_case *cases, size_t n)
{
	const struct h_table xdp = {group, h_run_xdp, h_frame_prepare, h_frame_check};
	const struct h_table tc = {tc_group, h_run_tcdp, h_frame_prepare_tc, h_frame_check};

	return h_run_table(&xdp, cases, n, sizeof(cases[0])) +
	       h_run_table(&tc, cases, n, sizeof(cases[0]));
}

/* ---- steering ---------------------------------------------------------- */

/*
 * Steering of one domain (group H_GID, n_buckets buckets, owners in owner,
 * every bucket owned by slot fill) on one interface ifindex with MAC
 * H_IFMAC, where we are slot 0 and H_PEERMAC is slot 1; returns that
 * interface for the caller's extra peers.
 */
static inline struct xglb_steer_iface *h_steer_one(struct xglb_steer *st, __u8 *owner,
						   __u32 n_buckets, __u8 fill, __u32 ifindex)
{
	struct xglb_steer_iface *f = &st->iface[0];

	memset(st, 0, sizeof(*st));
	memset(owner, fill, XGLB_STEER_BUCKETS);
	st->version = 1;
	st->n_domains = 1;
	st->dom[0].gid = H_GID;
	st->dom[0].n_buckets = n_buckets;
	st->dom[0].owner = owner;
	st->n_ifaces = 1;
	f->ifindex = ifindex;
	f->domain = 0;
	f->self = 0;
	memcpy(f->mac, H_IFMAC, 6);
	memcpy(f->peer_mac[0], H_IFMAC, 6);
	memcpy(f->peer_mac[1], H_PEERMAC, 6);
	return f;
}

#endif

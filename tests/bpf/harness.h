/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* harness.h - BPF test_run harness: skeleton, frame builders, real table install, counters. */
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
#include "../unit/testlib.h"
#include "xglb.h"
#include "xglb.skel.h"
#include "tables.h"
#include "bank.h"

#define H_IFINDEX 1 /* lo: exists in every network namespace */
#define H_SELF 1 /* node id of the node under test */
#define H_GID 7
#define H_FRAME_MAX 512 /* bytes of one test frame */
#define H_LEASE_NS (60ull * 1000000000ull) /* lease used unless a test sets another */

/* addresses used throughout: names say whose they are */
static const __u8 H_IFMAC[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 }; /* our interface */
static const __u8 H_HOST[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 }; /* a client host */
static const __u8 H_HOST2[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02 };
/* a peer router's real MAC */
static const __u8 H_PEERMAC[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };
static const __u8 H_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 H_ZERO[6] = { 0 };
#define H_VIP h_ip(10, 0, 0, 1)
#define H_HOSTIP h_ip(10, 0, 0, 50)
#define H_HOST2IP h_ip(10, 0, 0, 51)
#define H_ROUTERIP h_ip(10, 0, 0, 2) /* the router's own, non-virtual address */
#define H_OTHERIP h_ip(10, 0, 0, 99)

struct h_frame {
	__u8 b[H_FRAME_MAX];
	__u32 len;
};

struct h_env {
	struct xglb *skel;
	struct xglb_bank bank;
	int ncpu;
};

/* ---- small helpers ---------------------------------------------------- */

static inline __be32 h_ip(int a, int b, int c, int d)
{
	return htonl((__u32)a << 24 | (__u32)b << 16 | (__u32)c << 8 | (__u32)d);
}

static inline void h_vmac(__u8 gid, __u8 idx, __u8 mac[6])
{
	const __u8 v[6] = { 0x02, 0x78, 0x67, 0x62, gid, idx }; /* spelled out, not xglb_vmac() */

	memcpy(mac, v, 6);
}

/* A distinct unicast host MAC per n (locally administered, never a vMAC). */
static inline void h_host_mac(__u32 n, __u8 mac[6])
{
	mac[0] = 0x0a;
	mac[1] = 0x00;
	mac[2] = (__u8)(n >> 24);
	mac[3] = (__u8)(n >> 16);
	mac[4] = (__u8)(n >> 8);
	mac[5] = (__u8)n;
}

static inline __u64 h_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Hex dump of the differing offsets of both buffers; then fail. */
static inline void h_assert_bytes(const char *what, const void *got, size_t glen,
				  const void *want, size_t wlen)
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

/* ---- frames ------------------------------------------------------------ */

static inline void h_arp(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src, __u16 op,
			 const __u8 *sha, __be32 spa, const __u8 *tha, __be32 tpa)
{
	struct xglb_arp_frame a = {
		.eth_proto = htons(XGLB_ETH_P_ARP),
		.hrd = htons(XGLB_ARPHRD_ETHER),
		.pro = htons(XGLB_ETH_P_IP),
		.hln = 6,
		.pln = 4,
		.op = htons(op),
		.spa = spa,
		.tpa = tpa,
	};

	memcpy(a.eth_dst, eth_dst, 6);
	memcpy(a.eth_src, eth_src, 6);
	memcpy(a.sha, sha, 6);
	memcpy(a.tha, tha, 6);
	memset(f, 0, sizeof(*f));
	memcpy(f->b, &a, sizeof(a));
	f->len = sizeof(a);
}

/* "who has tpa? tell spa", broadcast, as Linux sends it (tha zero). */
static inline void h_arp_request(struct h_frame *f, const __u8 *host, __be32 host_ip, __be32 tpa)
{
	h_arp(f, H_BCAST, host, XGLB_ARPOP_REQUEST, host, host_ip, H_ZERO, tpa);
}

static inline struct xglb_arp_frame *h_arpf(struct h_frame *f)
{
	return (struct xglb_arp_frame *)f->b;
}

/* Pad to len with a recognisable byte pattern (Ethernet minimum is 60). */
static inline void h_pad(struct h_frame *f, __u32 len, __u8 pattern)
{
	for (__u32 i = f->len; i < len && i < H_FRAME_MAX; i++)
		f->b[i] = (__u8)(pattern + i);
	f->len = len;
}

/* Ethernet + IPv4 + UDP with payload bytes of a pattern; len = total frame bytes (>= 42). */
static inline void h_ipv4(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			  __be32 saddr, __be32 daddr, __u32 len)
{
	__u8 *p = f->b;

	memset(f, 0, sizeof(*f));
	memcpy(p, eth_dst, 6);
	memcpy(p + 6, eth_src, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	p[14] = 0x45; /* v4, ihl 5 */
	p[16] = (__u8)((len - 14) >> 8);
	p[17] = (__u8)(len - 14);
	p[22] = 64; /* ttl */
	p[23] = 17; /* udp */
	memcpy(p + 26, &saddr, 4);
	memcpy(p + 30, &daddr, 4);
	p[34] = 0x30; /* sport 12345 */
	p[35] = 0x39;
	p[36] = 0x00; /* dport 53 */
	p[37] = 0x35;
	p[38] = (__u8)((len - 34) >> 8);
	p[39] = (__u8)(len - 34);
	f->len = 42;
	h_pad(f, len, 0x40);
}

/* Insert an 802.1Q / 802.1ad tag after the MAC addresses. */
static inline void h_vlan(struct h_frame *f, __u16 tpid, __u16 vid)
{
	memmove(f->b + 16, f->b + 12, f->len - 12);
	f->b[12] = (__u8)(tpid >> 8);
	f->b[13] = (__u8)tpid;
	f->b[14] = (__u8)(vid >> 8);
	f->b[15] = (__u8)vid;
	f->len += 4;
}

/* ---- environment: skeleton, bank, iface MAC, heartbeat --------------- */

/* Interface MAC for an ifindex (xglb_ifaces). */
static inline void h_set_iface(struct h_env *e, __u32 ifindex, const __u8 *mac)
{
	struct xglb_iface v = { 0 };

	memcpy(v.mac, mac, 6);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(e->skel->maps.xglb_ifaces), &ifindex, &v,
					     BPF_ANY),
			 0);
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
				 c->hb_jiffies - (__u64)((__s64)age_ns * (__s64)c->hz / 1000000000ll),
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

static inline void h_close(struct h_env *e)
{
	xglb_bank_close(&e->bank);
	xglb__destroy(e->skel);
	e->skel = NULL;
}

/*
 * A fresh skeleton with lo's MAC set to H_IFMAC and a fresh heartbeat on
 * the jiffies path (the beat program ran; where the kernel's HZ cannot be
 * read, the fallback path). Nothing has run yet, so the first commit need
 * not wait for a grace period: the bank is told so (later commits wait as
 * in production).
 */
static inline int h_open(struct h_env *e)
{
	memset(e, 0, sizeof(*e));
	e->ncpu = libbpf_num_possible_cpus();
	if (e->ncpu <= 0)
		return -1;
	e->skel = xglb__open_and_load();
	if (!e->skel) {
		print_error("xglb__open_and_load: %s\n", strerror(errno));
		return -1;
	}
	if (xglb_bank_open(&e->bank, bpf_map__fd(e->skel->maps.xglb_ctl),
			   bpf_map__fd(e->skel->maps.xglb_groups),
			   bpf_map__fd(e->skel->maps.xglb_vips))) {
		print_error("xglb_bank_open: %s\n", strerror(errno));
		xglb__destroy(e->skel);
		e->skel = NULL;
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

/* The default group: gid H_GID, VIP H_VIP, 3 forwarders, round-robin, AVG = avg. */
static inline void h_install_default(struct h_env *e, __u32 avg)
{
	struct xglb_group_state st;

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, avg);
	h_install(e, &st, 1);
}

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

/* Packets and bytes accepted for forwarder idx of group gid, summed over CPUs. */
static inline struct xglb_fwd_stats h_fwd_stats(struct h_env *e, __u32 gid, __u32 idx)
{
	int fd = bpf_map__fd(e->skel->maps.xglb_fwd_stats);
	struct xglb_fwd_stats *v = calloc((size_t)e->ncpu, sizeof(*v)), sum = { 0 };
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

/* ---- host table -------------------------------------------------------- */

static inline int h_host_get(struct h_env *e, __u8 gid, const __u8 *mac, struct xglb_host *h)
{
	struct xglb_host_key k = { .gid = gid };

	memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_hosts), &k, h) ? -errno : 0;
}

/* Delete every host entry; returns how many there were. */
static inline int h_hosts_clear(struct h_env *e)
{
	int fd = bpf_map__fd(e->skel->maps.xglb_hosts), n = 0;
	struct xglb_host_key k;

	while (bpf_map_get_next_key(fd, NULL, &k) == 0) {
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
		n++;
	}
	return n;
}

/* ---- running one frame ---------------------------------------------- */

/*
 * One frame through xglb_xdp arriving on ifindex: returns the verdict
 * (XDP_*) or a negative errno; out receives the frame as the program
 * left it.
 */
static inline int h_run_xdp_on(struct h_env *e, __u32 ifindex, const struct h_frame *in,
			       struct h_frame *out)
{
	struct xdp_md ctx = { .data_end = in->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.xglb_xdp), &o))
		return -errno;
	out->len = o.data_size_out;
	return (int)o.retval;
}

static inline int h_run_xdp(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	return h_run_xdp_on(e, H_IFINDEX, in, out);
}

/* One frame through the tc egress guard: returns TC_ACT_* or a negative errno. */
static inline int h_run_tc(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.xglb_tc_egress), &o))
		return -errno;
	out->len = o.data_size_out;
	return (int)o.retval;
}

/*
 * Check that between two snapshots exactly one packet was counted, under
 * reason; every other reason unchanged.
 */
static inline void h_assert_one_reason(const __u64 before[XGLB_STATS_SLOTS],
				       const __u64 after[XGLB_STATS_SLOTS], __u32 reason)
{
	static const char *names[] = {
#define H_NAME(n, s) s,
		XGLB_REASONS(H_NAME)
#undef H_NAME
	};

	for (__u32 r = 0; r < XGLB_STATS_SLOTS; r++) {
		__u64 d = after[r] - before[r], want = r == reason;

		if (d != want)
			fail_msg("reason %s: counted %llu, expected %llu (expected reason %s)",
				 r < XGLB_R_MAX ? names[r] : "(spare)", (unsigned long long)d,
				 (unsigned long long)want,
				 reason < XGLB_R_MAX ? names[reason] : "?");
	}
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
	__u8 want_prefix[4] = { 0x02, 0x78, 0x67, 0x62 };
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
	struct __sk_buff ctx = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b, .data_size_in = in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(bpf_program__fd(e->skel->progs.xglb_tc_ingress), &o))
		return -errno;
	out->len = o.data_size_out;
	return (int)o.retval;
}

static inline int h_run_tc_in(struct h_env *e, const struct h_frame *in, struct h_frame *out)
{
	return h_run_tc_in_on(e, H_IFINDEX, in, out);
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

/*
 * Ethernet + IPv4 (IHL 5, DF clear, TTL 64) + l4len bytes of L4 header and
 * payload copied from l4. Checksums are left 0: nothing here reads them.
 */
static inline void h_ip_frame(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			      __be32 saddr, __be32 daddr, __u8 proto, const void *l4, __u32 l4len)
{
	__u8 *p = f->b;
	__u32 tot = 20 + l4len;

	memset(f, 0, sizeof(*f));
	assert_true(14 + tot <= H_FRAME_MAX);
	memcpy(p, eth_dst, 6);
	memcpy(p + 6, eth_src, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	p[14] = 0x45;
	p[16] = (__u8)(tot >> 8);
	p[17] = (__u8)tot;
	p[18] = 0x12; /* id */
	p[19] = 0x34;
	p[22] = 64;
	p[23] = proto;
	memcpy(p + 26, &saddr, 4);
	memcpy(p + 30, &daddr, 4);
	if (l4len)
		memcpy(p + 34, l4, l4len);
	f->len = 14 + tot;
}

/* TCP (proto 6) or UDP (17) with 8 bytes of header fields after the ports, then pay bytes. */
static inline void h_l4_frame(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			      __u8 proto, __be32 saddr, __u16 sport, __be32 daddr, __u16 dport,
			      __u32 pay)
{
	__u8 l4[H_FRAME_MAX] = { 0 };
	__u32 hl = proto == 6 ? 20 : 8;

	l4[0] = (__u8)(sport >> 8);
	l4[1] = (__u8)sport;
	l4[2] = (__u8)(dport >> 8);
	l4[3] = (__u8)dport;
	if (proto == 6) {
		l4[12] = 0x50; /* data offset 5 */
		l4[13] = 0x10; /* ACK */
	} else {
		l4[4] = (__u8)((hl + pay) >> 8);
		l4[5] = (__u8)(hl + pay);
	}
	for (__u32 i = 0; i < pay; i++)
		l4[hl + i] = (__u8)(0x61 + i);
	h_ip_frame(f, eth_dst, eth_src, saddr, daddr, proto, l4, hl + pay);
}

/* ICMP echo request (type 8) or reply (type 0): identifier id, sequence seq, 16 bytes of data. */
static inline void h_icmp_echo(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
			       __be32 saddr, __be32 daddr, __u8 type, __u16 id, __u16 seq)
{
	__u8 l4[24] = { type, 0, 0, 0, (__u8)(id >> 8), (__u8)id, (__u8)(seq >> 8), (__u8)seq };

	for (int i = 8; i < 24; i++)
		l4[i] = (__u8)i;
	h_ip_frame(f, eth_dst, eth_src, saddr, daddr, 1, l4, sizeof(l4));
}

/*
 * An ICMP error (type, code) from saddr to daddr about the packet orig
 * (an IPv4 frame): it carries orig's IP header and the first 8 bytes of
 * its payload, as RFC 792 asks.
 */
static inline void h_icmp_error(struct h_frame *f, const __u8 *eth_dst, const __u8 *eth_src,
				__be32 saddr, __be32 daddr, __u8 type, __u8 code,
				const struct h_frame *orig)
{
	__u8 l4[8 + 60 + 8] = { type, code };
	__u32 ihl = (orig->b[14] & 0xf) * 4u, n = ihl + 8;

	if (14 + n > orig->len)
		n = orig->len - 14;
	if (type == 3 && code == 4) {
		l4[6] = 0x05; /* next-hop MTU 1400 */
		l4[7] = 0x78;
	}
	memcpy(l4 + 8, orig->b + 14, n);
	h_ip_frame(f, eth_dst, eth_src, saddr, daddr, 1, l4, 8 + n);
}

/* Set the IPv4 flags/fragment offset field of an IPv4 frame (MF = 0x2000, DF = 0x4000). */
static inline void h_frag(struct h_frame *f, __u16 frag_off)
{
	f->b[20] = (__u8)(frag_off >> 8);
	f->b[21] = (__u8)frag_off;
}

/*
 * Between two snapshots, each reason of want[0..n) counted exactly once
 * (a reason may appear twice to mean twice), every other reason unchanged.
 */
static inline void h_assert_reasons(const __u64 before[XGLB_STATS_SLOTS],
				    const __u64 after[XGLB_STATS_SLOTS], const __u32 *want, int n)
{
	static const char *names[] = {
#define H_NAME(n, s) s,
		XGLB_REASONS(H_NAME)
#undef H_NAME
	};

	for (__u32 r = 0; r < XGLB_STATS_SLOTS; r++) {
		__u64 d = after[r] - before[r], w = 0;

		for (int i = 0; i < n; i++)
			w += want[i] == r;
		if (d != w)
			fail_msg("reason %s: counted %llu, expected %llu",
				 r < XGLB_R_MAX ? names[r] : "(spare)", (unsigned long long)d,
				 (unsigned long long)w);
	}
}

#endif

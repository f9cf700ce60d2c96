// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_return.c - a forwarder's load counted both ways through test_run: frames to an owned
 * vMAC (xglb_fwd_stats, at XDP and at tc ingress) teach xglb_fwd_hosts which forwarder a host
 * uses; frames the node sends back to that host through the tc egress program count for that
 * forwarder in xglb_fwd_tx_stats, while the forwarder is ours. The guard's verdict and the
 * frame never change.
 */
#include <linux/pkt_cls.h>
#include "harness.h"
#include "daemon.h"

/* Packets and bytes sent back to the hosts of forwarder idx of group gid, summed over CPUs. */
static struct xglb_fwd_stats tx_stats(struct h_env *e, __u32 gid, __u32 idx)
{
	return h_fwd_map_stats(e, e->skel->maps.xglb_fwd_tx_stats, gid, idx);
}

/* host sends a datagram of len bytes to the vMAC of forwarder idx: XDP (or tc) verdict. */
static int host_sends(struct h_env *e, const __u8 *host, int idx, __u32 len, bool tc)
{
	struct h_frame in, out;

	h_ipv4(&in, H_VMAC(H_GID, idx), host, H_HOSTIP, h_ip(10, 1, 0, 100), len);
	return tc ? h_run_tcdp(e, &in, &out) : h_run_xdp(e, &in, &out);
}

/* The node sends len bytes back to dst through the egress program: asserts OK and no change. */
static void node_sends(struct h_env *e, const __u8 *dst, __u32 len)
{
	struct h_frame in, out;

	h_ipv4(&in, dst, H_IFMAC, h_ip(10, 1, 0, 100), H_HOSTIP, len);
	assert_int_equal(h_run_tc(e, &in, &out), TC_ACT_OK);
	h_assert_bytes("egress frame", out.b, out.len, in.b, in.len);
}

/* host sends up bytes to the vMAC of forwarder idx (XDP or tc: passed to the stack), then the
 * node sends down bytes back to it. */
static void exchange(struct h_env *e, const __u8 *host, int idx, __u32 up, __u32 down, bool tc)
{
	assert_int_equal(host_sends(e, host, idx, up, tc), tc ? TC_ACT_OK : XDP_PASS);
	node_sends(e, host, down);
}

static void return_counted_for_owned_forwarder(void **state)
{
	struct h_env *e = *state;
	struct xglb_fwd_stats rx, tx;

	h_setup_avg(e); /* forwarder 0 ours */
	exchange(e, H_HOST, 0, 100, 300, false);
	node_sends(e, H_HOST, 200);
	rx = h_fwd_stats(e, H_GID, 0);
	tx = tx_stats(e, H_GID, 0);
	assert_int_equal(rx.packets, 1);
	assert_int_equal(rx.bytes, 100);
	assert_int_equal(tx.packets, 2);
	assert_int_equal(tx.bytes, 500);
	assert_int_equal(tx_stats(e, H_GID, 1).packets, 0);
}

static void return_counted_at_tc_datapath(void **state)
{
	struct h_env *e = *state;

	h_setup_avg(e);
	exchange(e, H_HOST, 0, 120, 400, true);
	assert_int_equal(h_fwd_stats(e, H_GID, 0).bytes, 120);
	assert_int_equal(tx_stats(e, H_GID, 0).bytes, 400);
}

/* Unknown hosts, group addresses, and hosts of forwarders owned elsewhere count nothing. */
static void return_not_counted(void **state)
{
	struct h_env *e = *state;
	static const __u8 mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

	h_setup_avg(e);
	node_sends(e, H_HOST, 300); /* never seen through a vMAC */
	assert_int_equal(host_sends(e, H_HOST2, 1, 100, false), XDP_DROP); /* forwarder 1: node 2 */
	node_sends(e, H_HOST2, 300);
	node_sends(e, H_BCAST, 300);
	node_sends(e, mcast, 300);
	for (int i = 0; i < 3; i++)
		assert_int_equal(tx_stats(e, H_GID, (__u32)i).packets, 0);
}

/* The forwarder moves away: its hosts' return bytes are no longer this node's load. */
static void return_follows_ownership(void **state)
{
	struct h_env *e = *state;
	struct xglb_group_state st;

	h_setup_avg(e);
	exchange(e, H_HOST, 0, 100, 300, false);
	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	st.fwd[0].owner = 2; /* forwarder 0 moves to node 2 */
	st.fwd[1].owner = H_SELF;
	h_install(e, &st, 1);
	node_sends(e, H_HOST, 300);
	assert_int_equal(tx_stats(e, H_GID, 0).packets, 1);
	/* the host now uses forwarder 1, which is ours: counted there */
	exchange(e, H_HOST, 1, 100, 250, false);
	assert_int_equal(tx_stats(e, H_GID, 0).packets, 1);
	assert_int_equal(tx_stats(e, H_GID, 1).bytes, 250);
}

/* ARP back to a host is the guard's: counted for the load only if it is IP (not ARP). */
static void arp_replies_are_not_load(void **state)
{
	struct h_env *e = *state;
	struct h_frame in, out;

	h_setup_avg(e);
	assert_int_equal(host_sends(e, H_HOST, 0, 100, false), XDP_PASS);
	h_arp(&in, H_HOST, H_IFMAC, XGLB_ARPOP_REPLY, H_IFMAC, H_ROUTERIP, H_HOST, H_HOSTIP);
	assert_int_equal(h_run_tc(e, &in, &out), TC_ACT_OK);
	assert_int_equal(tx_stats(e, H_GID, 0).packets, 0);
}

/* The daemon's clock (user/xglbd/main.c, not in the library): redist.c needs one. */
__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Per-CPU value V for forwarder IDX of group GID in map FD (the same on every CPU). */
static void put_stats(struct h_env *e, int fd, __u32 gid, __u32 idx, __u64 bytes)
{
	struct xglb_fwd_stats v[e->ncpu];
	__u32 key = gid * XGLB_MAX_FWD + idx;

	for (int c = 0; c < e->ncpu; c++)
		v[c] = (struct xglb_fwd_stats){.packets = 1, .bytes = bytes};
	assert_int_equal(bpf_map_update_elem(fd, &key, v, BPF_ANY), 0);
}

/* This node (id 1) owns forwarders MASK of cfg group g, and no other. */
static void own(struct xglb_cluster *c, int g, __u32 mask)
{
	c->fsm[g].self = 1;
	for (int f = 0; f < XGLB_MAX_FWD; f++)
		c->fsm[g].fwd[f] =
		    (struct xglb_fsm_fwd){.active = true, .owner = mask >> f & 1 ? 1 : 2};
}

/*
 * The load a hello carries (cb_loads): per forwarder of its group this node
 * owns (a hello carries no other), the bytes to its vMAC and back to its
 * hosts summed over CPUs, read in one batch a map; nothing of the groups
 * next to it (keys gid * 16 - 1 and (gid + 1) * 16), nor of group 255 at the
 * end of the maps, nor of a forwarder owned by another node, even one
 * between two of ours; nothing at all where it owns none.
 */
static void hello_load_is_both_maps(void **state)
{
	struct h_env *e = *state;
	struct daemon *d = calloc(1, sizeof(*d));
	struct xglb_config *cfg = calloc(1, sizeof(*cfg));
	int rx = bpf_map__fd(e->skel->maps.xglb_fwd_stats),
	    tx = bpf_map__fd(e->skel->maps.xglb_fwd_tx_stats);
	__u64 bytes[XGLB_MAX_FWD];

	assert_non_null(d);
	assert_non_null(cfg);
	d->cl = calloc(1, sizeof(*d->cl));
	assert_non_null(d->cl);
	d->cfg = cfg;
	d->ld.skel = e->skel;
	cfg->n_groups = 2;
	cfg->groups[0].id = 7;
	cfg->groups[1].id = 255;
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++) {
		put_stats(e, rx, 7, f, 1000 + f);
		put_stats(e, tx, 7, f, 10 * f);
		put_stats(e, rx, 255, f, 5);
	}
	put_stats(e, rx, 6, XGLB_MAX_FWD - 1, 1u << 30); /* key 7 * 16 - 1 */
	put_stats(e, tx, 8, 0, 1u << 30);		 /* key 8 * 16 */
	own(d->cl, 0, 0xffff);
	own(d->cl, 1, 0xffff);
	cb_loads(d, 0, bytes);
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(bytes[f], (__u64)e->ncpu * (1000 + f + 10 * f));
	cb_loads(d, 1, bytes);
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(bytes[f], (__u64)e->ncpu * 5);

	own(d->cl, 0, 1u << 3 | 1u << 5 | 1u << 9); /* a span of 3..9, 4 and 6-8 not ours */
	cb_loads(d, 0, bytes);
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(bytes[f], f == 3 || f == 5 || f == 9
					       ? (__u64)e->ncpu * (1000 + f + 10 * f)
					       : 0);
	own(d->cl, 0, 1u << 0); /* the first: after key 7 * 16 - 1, which is not read */
	cb_loads(d, 0, bytes);
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(bytes[f], f == 0 ? (__u64)e->ncpu * 1000 : 0);
	own(d->cl, 1, 1u << 15); /* the last key of the maps */
	cb_loads(d, 1, bytes);
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(bytes[f], f == 15 ? (__u64)e->ncpu * 5 : 0);
	own(d->cl, 1, 0);
	memset(bytes, 0xff, sizeof(bytes));
	cb_loads(d, 1, bytes);
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		assert_int_equal(bytes[f], 0);
	free(d->cl);
	free(cfg);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    H_TEST(return_counted_for_owned_forwarder),
	    H_TEST(return_counted_at_tc_datapath),
	    H_TEST(return_not_counted),
	    H_TEST(return_follows_ownership),
	    H_TEST(arp_replies_are_not_load),
	    H_TEST(hello_load_is_both_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_seen.c - the owner's learning of its forwarders' hosts (xglb_seen, bpf/lib/vmac.h
 * seen_learn) through test_run: frames to an owned vMAC teach host MAC, IPv4 and IPv6 source,
 * interface, forwarder and time, at XDP and at tc; forged or invalid sources, frames that are
 * not IP and frames to a vMAC owned elsewhere teach nothing; a full table refuses new hosts,
 * never pushes a known one out, and every outcome is counted in xglb_seen_stats.
 */
#include <linux/pkt_cls.h>
#include "harness.h"

static const __u8 SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x50};
static const __u8 H_DST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x01};

static __u64 seen_stat(struct h_env *e, __u32 what)
{
	__u64 vals[e->ncpu], sum = 0;

	assert_int_equal(
	    bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_seen_stats), &what, vals), 0);
	for (int c = 0; c < e->ncpu; c++)
		sum += vals[c];
	return sum;
}

static int seen_get(struct h_env *e, const __u8 *mac, struct xglb_seen *v)
{
	struct xglb_host_key k = {.gid = H_GID};

	memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.xglb_seen), &k, v);
}

static int seen_count(struct h_env *e)
{
	struct xglb_host_key k, next;
	int fd = bpf_map__fd(e->skel->maps.xglb_seen), n = 0;

	for (void *prev = NULL; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &k, k = next)
		n++;
	return n;
}

/* host sends an IPv4 datagram from src to the vMAC of forwarder idx: the verdict. */
static int send4(struct h_env *e, const __u8 *host, __be32 src, int idx, bool tc)
{
	struct h_frame in, out;

	h_ipv4(&in, H_VMAC(H_GID, idx), host, src, h_ip(10, 1, 0, 100), 100);
	return tc ? h_run_tcdp(e, &in, &out) : h_run_xdp(e, &in, &out);
}

static int send6(struct h_env *e, const __u8 *host, const __u8 *src, int idx)
{
	struct h_frame in, out;

	h_udp6(&in, H_VMAC(H_GID, idx), host, src, H_DST6, 20);
	return h_run_xdp(e, &in, &out);
}

/* Forwarders 0 and 1 ours, 2 node 2's. */
static void setup_two_owned(struct h_env *e)
{
	struct xglb_group_state st;

	h_state(&st, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	st.fwd[1].owner = H_SELF;
	st.fwd[2].owner = 2;
	h_install(e, &st, 1);
}

/* A host not seen before sends to forwarder 0 (at tc or XDP): passed, learnt, counted new. */
static void learns_new(struct h_env *e, const __u8 *host, __be32 ip, bool tc, struct xglb_seen *v)
{
	assert_int_equal(send4(e, host, ip, 0, tc), tc ? TC_ACT_OK : XDP_PASS);
	assert_int_equal(seen_get(e, host, v), 0);
	assert_int_equal(v->ip4, ip);
	assert_int_equal(v->ifindex, H_IFINDEX);
	assert_int_equal(seen_stat(e, XGLB_SEEN_NEW), 1);
}

static void learns_ipv4_host(void **state)
{
	struct h_env *e = *state;
	struct xglb_seen v;
	__u64 j0 = h_ctl(e)->hb_jiffies;

	h_setup_avg(e); /* forwarder 0 ours */
	learns_new(e, H_HOST, H_HOSTIP, false, &v);
	assert_int_equal(v.fwd, 0);
	assert_true(v.last_jiffies >= j0 && v.last_jiffies > 0);
	/* the same host again within the epoch: no lookup, nothing counted */
	assert_int_equal(send4(e, H_HOST, H_HOSTIP, 0, false), XDP_PASS);
	assert_int_equal(seen_stat(e, XGLB_SEEN_NEW) + seen_stat(e, XGLB_SEEN_UPDATE), 1);
	assert_int_equal(seen_count(e), 1);
}

/* The host moves to another owned forwarder, then adds IPv6: one entry follows it. */
static void follows_forwarder_and_family(void **state)
{
	struct h_env *e = *state;
	struct xglb_seen v;

	setup_two_owned(e);
	assert_int_equal(send4(e, H_HOST, H_HOSTIP, 0, false), XDP_PASS);
	assert_int_equal(send4(e, H_HOST, H_HOSTIP, 1, false), XDP_PASS);
	assert_int_equal(seen_get(e, H_HOST, &v), 0);
	assert_int_equal(v.fwd, 1);
	assert_int_equal(seen_stat(e, XGLB_SEEN_UPDATE), 1);
	assert_int_equal(send6(e, H_HOST, SRC6, 1), XDP_PASS);
	assert_int_equal(seen_get(e, H_HOST, &v), 0);
	h_assert_bytes("learnt IPv6 source", v.ip6, 16, SRC6, 16);
	assert_int_equal(v.ip4, H_HOSTIP); /* kept */
	assert_int_equal(seen_stat(e, XGLB_SEEN_UPDATE), 2);
	assert_int_equal(seen_count(e), 1);
}

static void learns_at_tc_datapath(void **state)
{
	struct h_env *e = *state;
	struct xglb_seen v;

	h_setup_avg(e);
	learns_new(e, H_HOST2, H_HOST2IP, true, &v);
}

/* Forged and invalid sources, non-IP frames, vMACs owned elsewhere: nothing learnt, counted. */
static void refuses_invalid_sources(void **state)
{
	struct h_env *e = *state;
	static const __u8 mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	static const __u8 any6[16], mcast6[16] = {0xff, 0x02, [15] = 1}, lo6[16] = {[15] = 1};
	static const __be32 bad4[] = {0, 0x0100007f /* 127.0.0.1 */, 0x010000e0 /* 224.0.0.1 */,
				      0xffffffff, 0x05000000 /* 0.0.0.5 */};
	const __u8 *bad_macs[] = {mcast, H_ZERO, H_BCAST, H_VMAC(H_GID, 2)};
	struct h_frame in, out;
	__u64 bad = 0;

	h_setup_avg(e);
	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		__u8 mac[6];

		h_host_mac((__u32)i + 100, mac); /* a new host each: no gate in the way */
		assert_int_equal(send4(e, mac, bad4[i], 0, false), XDP_PASS);
		bad++;
	}
	for (size_t i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		assert_int_equal(send4(e, bad_macs[i], H_HOSTIP, 0, false), XDP_PASS);
		bad++;
	}
	{
		const __u8 *bad6[] = {any6, mcast6, lo6};

		for (size_t i = 0; i < 3; i++) {
			__u8 mac[6];

			h_host_mac((__u32)i + 200, mac);
			assert_int_equal(send6(e, mac, bad6[i], 0), XDP_PASS);
			bad++;
		}
	}
	assert_int_equal(seen_stat(e, XGLB_SEEN_BAD_SRC), bad);
	/* not IP: an LLDP-type frame to the vMAC */
	h_eth(&in, H_VMAC(H_GID, 0), H_HOST, 0x88cc);
	in.len = 14;
	h_pad(&in, 60, 0);
	assert_int_equal(h_run_xdp(e, &in, &out), XDP_PASS);
	assert_int_equal(seen_stat(e, XGLB_SEEN_NOT_IP), 1);
	/* a vMAC owned elsewhere: dropped, nothing learnt */
	assert_int_equal(send4(e, H_HOST2, H_HOST2IP, 1, false), XDP_DROP);
	assert_int_equal(seen_count(e), 0);
	assert_int_equal(seen_stat(e, XGLB_SEEN_NEW) + seen_stat(e, XGLB_SEEN_UPDATE), 0);
}

/*
 * A full table (a flood of forged sources that got in) refuses a new host
 * and counts it, and still refreshes a host it holds: nothing is evicted.
 */
static void full_table_refuses_never_evicts(void **state)
{
	struct h_env *e = *state;
	int fd = bpf_map__fd(e->skel->maps.xglb_seen);
	struct xglb_host_key *keys = calloc(XGLB_SEEN_MAX, sizeof(*keys));
	struct xglb_seen *vals = calloc(XGLB_SEEN_MAX, sizeof(*vals)), v;
	__u32 n = XGLB_SEEN_MAX;
	__u8 known[6];

	assert_non_null(keys);
	assert_non_null(vals);
	h_setup_avg(e);
	for (__u32 i = 0; i < n; i++) {
		keys[i].gid = H_GID;
		h_host_mac(i + 1000, keys[i].mac);
		vals[i].ip4 = h_ip(10, 9, (int)(i >> 8) & 255, (int)i & 255);
		vals[i].ifindex = 99;
		vals[i].fwd = 0;
	}
	assert_int_equal(bpf_map_update_batch(fd, keys, vals, &n, NULL), 0);
	assert_int_equal(n, XGLB_SEEN_MAX);
	memcpy(known, keys[7].mac, 6);
	free(keys);
	free(vals);
	assert_int_equal(send4(e, H_HOST, H_HOSTIP, 0, false), XDP_PASS); /* new host: refused */
	assert_int_equal(seen_get(e, H_HOST, &v), -ENOENT);
	assert_int_equal(seen_stat(e, XGLB_SEEN_FULL), 1);
	assert_int_equal(send4(e, known, h_ip(10, 0, 0, 77), 0, false), XDP_PASS);
	assert_int_equal(seen_get(e, known, &v), 0);
	assert_int_equal(v.ifindex, H_IFINDEX); /* refreshed where it was seen now */
	assert_int_equal(v.ip4, h_ip(10, 0, 0, 77));
	assert_int_equal(seen_stat(e, XGLB_SEEN_UPDATE), 1);
	assert_int_equal(seen_count(e), XGLB_SEEN_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    H_TEST(learns_ipv4_host),
	    H_TEST(follows_forwarder_and_family),
	    H_TEST(learns_at_tc_datapath),
	    H_TEST(refuses_invalid_sources),
	    H_TEST(full_table_refuses_never_evicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

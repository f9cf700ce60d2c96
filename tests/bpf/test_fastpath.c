// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_fastpath.c - the XDP fast path ("fast-path: true", bpf/lib/fastpath.h)
 * through test_run, every verdict byte for byte.
 *
 * bpf_fib_lookup needs real routes and neighbours: the test runs in a
 * network namespace of its own (unshare), with veth pairs the router
 * side of which are:
 *   fpin   H_IFMAC, 10.0.0.2/24, 2001:db8:7::2/64: the group's interface,
 *          where frames arrive (xdp_md.ingress_ifindex); H_HOST2IP has a
 *          neighbour entry here (a route back out where frames came in)
 *   fpout  OUTMAC, 192.0.2.1/24, 2001:db8:2::1/64: the server side, with
 *          permanent neighbours SRV and SRV6 at NEXTMAC; SRV_NONEIGH has none
 *   fpsm   SMMAC, 198.51.100.1/24, MTU 400: SMALL_DST at SMNEXT
 * plus a blackhole and an unreachable route. fpout and fpsm are in
 * xglb_fp_ifaces as the agent would put them.
 *
 * A routed frame must come back XDP_REDIRECT with exactly its MACs from
 * the neighbour table, its TTL / hop limit one lower and (IPv4) its
 * checksum what a full recomputation gives; every other frame XDP_PASS
 * with only its destination rewritten to the interface's MAC (the vMAC
 * path the kernel takes). Each run counts exactly one reason.
 */
#include <sched.h>
#include <net/if.h>
#include "harness.h"

#define SRV	    h_ip(192, 0, 2, 10)
#define SRV_NONEIGH h_ip(192, 0, 2, 11)
#define SMALL_DST   h_ip(198, 51, 100, 10)
#define BLACKHOLED  h_ip(203, 0, 113, 5)
#define UNREACH	    h_ip(198, 18, 0, 5)
#define SUBNET_BC   h_ip(10, 0, 0, 255)

static const __u8 OUTMAC[6] = {0x52, 0x54, 0x00, 0x00, 0x10, 0x01};
static const __u8 NEXTMAC[6] = {0x52, 0x54, 0x00, 0x00, 0x10, 0xaa};
static const __u8 SMMAC[6] = {0x52, 0x54, 0x00, 0x00, 0x20, 0x01};
static const __u8 SMNEXT[6] = {0x52, 0x54, 0x00, 0x00, 0x20, 0xaa};
static const __u8 SRV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const __u8 SRV6_NONEIGH[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0,
				      0,    0,	  0,	0,    0, 0, 0, 0x11};
static const __u8 LL6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};
static const __u8 MC6[16] = {0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};
static const __u8 LO6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const __u8 MAPPED6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 50};

static __u32 if_in, if_out, if_sm;
static bool have_net;

/* The namespace's links, addresses, routes and neighbours; false if one could not be made. */
static bool net_setup(void)
{
	static const char *const cmds[] = {
	    "ip link set lo up",
	    "ip link add fpin address 52:54:00:00:00:01 type veth peer name fpinp",
	    "ip link add fpout address 52:54:00:00:10:01 type veth peer name fpoutp",
	    "ip link add fpsm mtu 400 address 52:54:00:00:20:01 type veth peer name fpsmp mtu 400",
	    "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
	    "for l in fpin fpinp fpout fpoutp fpsm fpsmp; do ip link set $l up || exit 1; done",
	    "ip addr add 10.0.0.2/24 dev fpin",
	    "ip addr add 192.0.2.1/24 dev fpout",
	    "ip addr add 198.51.100.1/24 dev fpsm",
	    "ip -6 addr add 2001:db8:7::2/64 dev fpin nodad",
	    "ip -6 addr add 2001:db8:2::1/64 dev fpout nodad",
	    "ip neigh add 192.0.2.10 lladdr 52:54:00:00:10:aa dev fpout nud permanent",
	    "ip neigh add 198.51.100.10 lladdr 52:54:00:00:20:aa dev fpsm nud permanent",
	    "ip neigh add 10.0.0.51 lladdr 52:54:00:aa:bb:02 dev fpin nud permanent",
	    "ip -6 neigh add 2001:db8:2::10 lladdr 52:54:00:00:10:aa dev fpout nud permanent",
	    "ip route add blackhole 203.0.113.0/24",
	    "ip route add unreachable 198.18.0.0/24",
	};

	if (unshare(CLONE_NEWNET)) {
		print_error("unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return false;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", cmds[i]);
		if (system(cmd)) {
			print_error("test network: '%s' failed\n", cmds[i]);
			return false;
		}
	}
	if_in = if_nametoindex("fpin");
	if_out = if_nametoindex("fpout");
	if_sm = if_nametoindex("fpsm");
	return if_in && if_out && if_sm;
}

/* The default group on fpin (forwarder 0 ours), fast path as asked, fpout and fpsm ways out. */
static void fp_install(struct h_env *e, bool fast, const struct xglb_steer *st)
{
	struct xglb_group_state s;
	struct xglb_group g;
	int fd = bpf_map__fd(e->skel->maps.xglb_fp_ifaces);

	h_state(&s, H_GID, H_VIP, XGLB_POLICY_ROUND_ROBIN, 3, H_SELF);
	s.ifindex[0] = if_in;
	xglb_build_group(&s, H_SELF, &g);
	if (fast)
		g.flags |= XGLB_GRP_FAST_PATH;
	if (st) {
		if (!e->bank.steer_open)
			h_open_steer(e);
		assert_int_equal(xglb_bank_commit_steer(&e->bank, &g, 1, st), 0);
	} else {
		assert_int_equal(xglb_bank_commit(&e->bank, &g, 1), 0);
	}
	assert_int_equal(bpf_map_update_elem(fd, &if_out, &if_out, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(fd, &if_sm, &if_sm, BPF_ANY), 0);
}

static int fp_setup(void **state)
{
	if (!have_net || h_setup(state))
		return -1;
	fp_install(*state, true, NULL);
	return 0;
}

#define FP_TEST(f) cmocka_unit_test_setup_teardown(f, fp_setup, h_teardown)

/* Runs in through xglb_xdp on fpin; asserts the verdict and exactly one count, under reason. */
static void fp_run(struct h_env *e, const struct h_frame *in, int verdict, __u32 reason,
		   struct h_frame *out)
{
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];

	h_stats(e, before);
	assert_int_equal(h_run_xdp_on(e, if_in, in, out), verdict);
	h_stats(e, after);
	h_assert_one_reason(before, after, reason);
}

/* in goes to the kernel: XDP_PASS, counted under reason, only the destination rewritten. */
static void fp_passes(struct h_env *e, const struct h_frame *in, __u32 reason)
{
	struct h_frame out, want = *in;

	fp_run(e, in, XDP_PASS, reason, &out);
	memcpy(want.b, H_IFMAC, 6);
	h_assert_bytes("frame passed to the kernel", out.b, out.len, want.b, want.len);
}

/* in is routed: XDP_REDIRECT, MACs dst/src, TTL - 1 and a correct checksum, nothing else. */
static void fp_routed(struct h_env *e, const struct h_frame *in, const __u8 *dst, const __u8 *src)
{
	struct h_frame out, want = *in;
	bool v6 = in->b[12] == 0x86;

	fp_run(e, in, XDP_REDIRECT, XGLB_R_XDP_FP_REDIRECT, &out);
	memcpy(want.b, dst, 6);
	memcpy(want.b + 6, src, 6);
	if (v6) {
		want.b[21]--;
	} else {
		want.b[22]--;
		h_ip_csum(&want); /* from scratch: the program mended it incrementally */
	}
	h_assert_bytes("routed frame", out.b, out.len, want.b, want.len);
}

/* A UDP datagram from the client H_HOST to dst through our vMAC (gid H_GID, index 0). */
static void udp4(struct h_frame *f, __be32 src, __be32 dst, __u32 pay)
{
	h_l4_frame(f, H_VMAC(H_GID, 0), H_HOST, 17, src, 40000, dst, 53, pay);
	h_ip_csum(f);
}

static void set_ttl(struct h_frame *f, __u8 ttl)
{
	f->b[22] = ttl;
	h_ip_csum(f);
}

/* ---- routed ------------------------------------------------------------------ */

static void routes_udp_tcp_icmp(void **state)
{
	struct h_env *e = *state;
	struct xglb_fwd_stats s0 = h_fwd_stats(e, H_GID, 0), s1;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SRV, 22); /* 64 bytes */
	assert_int_equal(f.len, 64);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	h_l4_frame(&f, H_VMAC(H_GID, 0), H_HOST, 6, H_HOSTIP, 40000, SRV, 443, 100);
	h_ip_csum(&f);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	h_icmp_echo(&f, H_VMAC(H_GID, 0), H_HOST, H_HOSTIP, SRV, 8, 0x1234, 1);
	h_ip_csum(&f);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	/* DF is no fragment; TTL 2 leaves with 1; a checksum of 0xffff-ish carries (ttl 0xff) */
	udp4(&f, H_HOSTIP, SRV, 18);
	h_frag(&f, 0x4000);
	set_ttl(&f, 2);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	set_ttl(&f, 255);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	s1 = h_fwd_stats(e, H_GID, 0);
	assert_int_equal(s1.packets - s0.packets, 5);
}

/* The incremental checksum agrees with a full one for every TTL and many headers. */
static void checksum_all_ttls(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	for (int ttl = 2; ttl <= 255; ttl += 1) {
		udp4(&f, H_HOSTIP, SRV, (__u32)ttl % 40);
		f.b[18] = (__u8)(ttl * 7); /* IP id: other sums */
		f.b[19] = (__u8)(ttl * 13);
		set_ttl(&f, (__u8)ttl);
		fp_routed(e, &f, NEXTMAC, OUTMAC);
	}
}

static void routes_ipv6(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	f.b[21] = 2;
	fp_routed(e, &f, NEXTMAC, OUTMAC);
}

/* A datagram exactly the egress MTU long is routed; one byte more goes to the kernel. */
static void mtu_boundary(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SMALL_DST, 400 - 28);
	assert_int_equal(f.len, 14 + 400);
	fp_routed(e, &f, SMNEXT, SMMAC);
	udp4(&f, H_HOSTIP, SMALL_DST, 400 - 28 + 1);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_MTU);
}

/* ---- to the kernel ----------------------------------------------------------- */

static void ttl_expiry(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SRV, 18);
	set_ttl(&f, 1);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_TTL);
	set_ttl(&f, 0);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_TTL);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	f.b[21] = 1;
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_TTL);
	f.b[21] = 0;
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_TTL);
}

static void no_neighbour(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SRV_NONEIGH, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_NO_NEIGH);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6_NONEIGH, 16);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_NO_NEIGH);
}

static void fragments(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SRV, 18);
	h_frag(&f, 0x2000); /* first fragment: MF */
	h_ip_csum(&f);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_FRAG);
	h_frag(&f, 0x0010); /* last fragment: an offset */
	h_ip_csum(&f);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_FRAG);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	f.b[20] = 44; /* a fragment header */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_FRAG);
}

static void options_and_extension_headers(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SRV, 18);
	/* four NOP option bytes: IHL 6 */
	memmove(f.b + 38, f.b + 34, f.len - 34);
	memset(f.b + 34, 1, 4);
	f.len += 4;
	f.b[14] = 0x46;
	f.b[17] = (__u8)(f.len - 14);
	h_ip_csum(&f);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_OPTIONS);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	f.b[20] = 0; /* hop-by-hop options first */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_OPTIONS);
	f.b[20] = 47; /* GRE: not parsed here */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_OPTIONS);
}

static void malformed(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, SRV, 18);
	f.b[25] ^= 0x5a; /* checksum */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_MALFORMED);
	udp4(&f, H_HOSTIP, SRV, 18);
	f.b[14] = 0x44; /* IHL 4 */
	h_ip_csum(&f);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_MALFORMED);
	udp4(&f, H_HOSTIP, SRV, 18);
	f.b[14] = 0x65; /* version 6 in an IPv4 frame */
	h_ip_csum(&f);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_MALFORMED);
	udp4(&f, H_HOSTIP, SRV, 18);
	f.len = 14 + 19; /* shorter than an IPv4 header */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_MALFORMED);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	f.b[14] = 0x40; /* version 4 in an IPv6 frame */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_MALFORMED);
	/* a total length beyond the frame (truncated, or the rest in a fragment) */
	udp4(&f, H_HOSTIP, SRV, 18);
	f.b[17] += 1;
	h_ip_csum(&f);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_LEN);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	f.b[19] += 1;
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_LEN);
	/* neither IPv4 nor IPv6 */
	udp4(&f, H_HOSTIP, SRV, 18);
	f.b[12] = 0x88;
	f.b[13] = 0xb5;
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_NOT_IP);
}

static void special_addresses(void **state)
{
	struct h_env *e = *state;
	const __be32 bad[][2] = {
	    {h_ip(127, 0, 0, 1), SRV},	    {h_ip(0, 0, 0, 0), SRV},
	    {h_ip(224, 0, 0, 5), SRV},	    {H_HOSTIP, h_ip(127, 0, 0, 1)},
	    {H_HOSTIP, h_ip(0, 1, 2, 3)},   {H_HOSTIP, h_ip(224, 0, 0, 5)},
	    {H_HOSTIP, h_ip(239, 1, 1, 1)}, {H_HOSTIP, h_ip(255, 255, 255, 255)},
	};
	const __u8 *bad6[][2] = {{LL6, SRV6}, {H_HOST6G, LL6}, {H_HOST6G, MC6}, {MC6, SRV6},
				 {LO6, SRV6}, {H_HOST6G, LO6}, {MAPPED6, SRV6}};
	struct h_frame f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		udp4(&f, bad[i][0], bad[i][1], 18);
		fp_passes(e, &f, XGLB_R_XDP_FP_PASS_ADDR);
	}
	for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, bad6[i][0], bad6[i][1], 16);
		fp_passes(e, &f, XGLB_R_XDP_FP_PASS_ADDR);
	}
}

static void routing_results(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	udp4(&f, H_HOSTIP, H_ROUTERIP, 18); /* the router's own address */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_LOCAL);
	udp4(&f, H_HOSTIP, SUBNET_BC, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_LOCAL);
	udp4(&f, H_HOSTIP, BLACKHOLED, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_UNREACHABLE);
	udp4(&f, H_HOSTIP, UNREACH, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_UNREACHABLE);
	/* another host of the segment: the kernel forwards it and tells the sender (redirect) */
	udp4(&f, H_HOSTIP, H_HOST2IP, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_SAME_IFACE);
}

static void forwarding_disabled(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	assert_int_equal(system("sysctl -qw net.ipv4.conf.fpin.forwarding=0"), 0);
	udp4(&f, H_HOSTIP, SRV, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_FWD_DISABLED);
	assert_int_equal(system("sysctl -qw net.ipv4.conf.fpin.forwarding=1"), 0);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
}

/* A route out of an interface that is not in xglb_fp_ifaces: the kernel's. */
static void egress_not_in_devmap(void **state)
{
	struct h_env *e = *state;
	int fd = bpf_map__fd(e->skel->maps.xglb_fp_ifaces);
	struct h_frame f;

	assert_int_equal(bpf_map_delete_elem(fd, &if_out), 0);
	udp4(&f, H_HOSTIP, SRV, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_NO_EGRESS);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_NO_EGRESS);
	assert_int_equal(bpf_map_update_elem(fd, &if_out, &if_out, BPF_ANY), 0);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
}

/* ---- steering: only flows this node owns ------------------------------------- */

static __u8 g_owner[XGLB_STEER_BUCKETS];

/* Steering on fpin: every bucket owned by slot fill; we are slot 0, a peer slot 1. */
static struct xglb_steer *steer_all(__u8 fill)
{
	static struct xglb_steer st;

	h_steer_one(&st, g_owner, XGLB_STEER_BUCKETS_DEFAULT, fill, if_in);
	return &st;
}

static void steering_owner_only(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	fp_install(e, true, steer_all(1)); /* every flow the peer's */
	udp4(&f, H_HOSTIP, SRV, 18);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_STEER);
	h_udp6(&f, H_VMAC(H_GID, 0), H_HOST, H_HOST6G, SRV6, 16);
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_STEER); /* IPv6 under steering: the kernel's */
	fp_install(e, true, steer_all(0));	    /* every flow ours */
	udp4(&f, H_HOSTIP, SRV, 18);
	fp_routed(e, &f, NEXTMAC, OUTMAC);
	fp_install(e, true, steer_all(XGLB_STEER_NO_OWNER)); /* buckets without an owner */
	fp_passes(e, &f, XGLB_R_XDP_FP_PASS_STEER);
}

/* ---- off, and at tc ------------------------------------------------------------ */

/* With fast-path off the frame takes the vMAC path as before: xdp_pass_vmac. */
static void off_is_the_vmac_path(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	fp_install(e, false, NULL);
	udp4(&f, H_HOSTIP, SRV, 18);
	fp_passes(e, &f, XGLB_R_XDP_PASS_VMAC);
}

/* "datapath: tc" runs no fast path even with the flag: tc_pass_vmac, the kernel routes it. */
static void tc_runs_no_fast_path(void **state)
{
	struct h_env *e = *state;
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	struct h_frame f, out, want;
	const __u32 reasons[] = {XGLB_R_TC_PASS_VMAC, XGLB_R_TC_STEER_OFF};

	udp4(&f, H_HOSTIP, SRV, 18);
	want = f;
	memcpy(want.b, H_IFMAC, 6);
	h_stats(e, before);
	assert_int_equal(h_run_tcdp_on(e, if_in, &f, &out), 0 /* TC_ACT_OK */);
	h_stats(e, after);
	h_check_counts(before, after, reasons, 2);
	h_assert_bytes("frame at tc", out.b, out.len, want.b, want.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FP_TEST(routes_udp_tcp_icmp),
	    FP_TEST(checksum_all_ttls),
	    FP_TEST(routes_ipv6),
	    FP_TEST(mtu_boundary),
	    FP_TEST(ttl_expiry),
	    FP_TEST(no_neighbour),
	    FP_TEST(fragments),
	    FP_TEST(options_and_extension_headers),
	    FP_TEST(malformed),
	    FP_TEST(special_addresses),
	    FP_TEST(routing_results),
	    FP_TEST(forwarding_disabled),
	    FP_TEST(egress_not_in_devmap),
	    FP_TEST(steering_owner_only),
	    FP_TEST(off_is_the_vmac_path),
	    FP_TEST(tc_runs_no_fast_path),
	};

	have_net = net_setup();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

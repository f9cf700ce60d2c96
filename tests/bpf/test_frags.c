// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_frags.c - xglb_xdp with multi-buffer (jumbo) frames through test_run:
 * the headers in the first buffer are handled as in a single-buffer frame,
 * frames whose headers reach into the fragments pass untouched and counted
 * (xdp_pass_nonlinear), and a vMAC frame counts all its bytes.
 */
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include "harness.h"

#define J_LEN  9014 /* a 9000-byte MTU frame with its Ethernet header */
#define J_ROOM 10000

struct jumbo {
	__u8 b[J_ROOM];
	__u32 len;
};

/* The first bytes of f (a test frame builder's output) padded with a pattern up to len. */
static void j_from(struct jumbo *j, const struct h_frame *f, __u32 len)
{
	memset(j, 0, sizeof(*j));
	memcpy(j->b, f->b, f->len);
	for (__u32 i = f->len; i < len; i++)
		j->b[i] = (__u8)(0x5a + i * 7);
	j->len = len;
}

/* Runs j with linear bytes in the first buffer; asserts the verdict and exactly one count, under
 * reason. */
static void j_run(struct h_env *e, const struct jumbo *j, __u32 linear, int verdict, __u32 reason,
		  struct jumbo *out)
{
	__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];
	int ret;

	h_stats(e, before);
	ret =
	    h_run_xdp_frags(e, H_IFINDEX, j->b, j->len, linear, out->b, sizeof(out->b), &out->len);
	assert_int_equal(ret, verdict);
	h_stats(e, after);
	h_assert_one_reason(before, after, reason);
}

/* f padded to J_LEN bytes (into j) through j_run. */
static void j_run_frame(struct h_env *e, const struct h_frame *f, __u32 linear, int verdict,
			__u32 reason, struct jumbo *j, struct jumbo *out)
{
	j_from(j, f, J_LEN);
	j_run(e, j, linear, verdict, reason, out);
}

/* f padded to J_LEN bytes passes untouched, counted once under reason. */
static void j_passes(struct h_env *e, const struct h_frame *f, __u32 linear, __u32 reason)
{
	struct jumbo j, out;

	j_run_frame(e, f, linear, XDP_PASS, reason, &j, &out);
	h_assert_bytes("passed frame", out.b, out.len, j.b, j.len);
}

/* A broadcast ARP request for the VIP, in a 9014-byte frame, all of ARP in a 64-byte first buffer.
 */
static void test_arp_request_jumbo_answered(void **state)
{
	struct h_env *e = *state;
	struct h_frame f, want;
	struct jumbo j, out;
	struct xglb_host h;

	h_setup_avg(e);
	h_arp_request(&f, H_HOST, H_HOSTIP, H_VIP);
	want = f;
	j_run_frame(e, &f, 64, XDP_TX, XGLB_R_XDP_TX_ARP_REPLY, &j, &out);
	assert_int_equal(out.len, J_LEN);
	/* the reply in place: fwd0 (round-robin from 0), to the host, from our interface */
	h_arp(&want, H_HOST, H_IFMAC, XGLB_ARPOP_REPLY, H_VMAC(H_GID, 0), H_VIP, H_HOST, H_HOSTIP);
	h_assert_bytes("reply header", out.b, want.len, want.b, want.len);
	h_assert_bytes("bytes after the ARP header", out.b + want.len, J_LEN - want.len,
		       j.b + want.len, J_LEN - want.len);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), 0);
	assert_int_equal(h.fwd, 0);
	assert_int_equal(h.ip, H_HOSTIP);
}

/* The ARP header exactly filling the first buffer (42 bytes) is still all there. */
static void test_arp_request_exactly_linear(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;
	struct jumbo j, out;

	h_setup_avg(e);
	h_arp_request(&f, H_HOST, H_HOSTIP, H_VIP);
	j_from(&j, &f, 4000);
	j_run(e, &j, sizeof(struct xglb_arp_frame), XDP_TX, XGLB_R_XDP_TX_ARP_REPLY, &out);
	assert_memory_equal(out.b, H_HOST, 6);
	assert_memory_equal(out.b + 22, H_VMAC(H_GID, 0), 6);
}

/*
 * ARP for the VIP whose header continues in the fragments (first buffer
 * 14 or 41 bytes): passed untouched, counted xdp_pass_nonlinear, no host
 * learnt; the same frame single-buffer and truncated stays malformed.
 */
static void test_arp_split_header_passed(void **state)
{
	static const __u32 linear[] = {14, 20, 41};
	struct h_env *e = *state;
	struct h_frame f, out1;
	struct xglb_host h;

	h_setup_avg(e);
	h_arp_request(&f, H_HOST, H_HOSTIP, H_VIP);
	for (size_t i = 0; i < sizeof(linear) / sizeof(linear[0]); i++)
		j_passes(e, &f, linear[i], XGLB_R_XDP_PASS_NONLINEAR);
	assert_int_equal(h_host_get(e, H_GID, H_HOST, &h), -ENOENT);

	/* single buffer, 41 bytes: malformed, as before */
	{
		__u64 before[XGLB_STATS_SLOTS], after[XGLB_STATS_SLOTS];

		f.len = 41;
		h_stats(e, before);
		assert_int_equal(h_run_xdp(e, &f, &out1), XDP_DROP);
		h_stats(e, after);
		h_assert_one_reason(before, after, XGLB_R_XDP_DROP_ARP_MALFORMED);
	}
}

/* ARP not about a VIP in a jumbo frame: passed, as any ARP not ours. */
static void test_arp_other_jumbo_passed(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	h_setup_avg(e);
	h_arp_request(&f, H_HOST, H_HOSTIP, H_OTHERIP);
	j_passes(e, &f, 128, XGLB_R_XDP_PASS_ARP_OTHER);
}

/* IPv4 to our vMAC, 9014 bytes: accepted, dst := interface MAC, all 9014 bytes counted. */
static void test_vmac_jumbo_accepted(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;
	struct jumbo j, out, want;
	struct xglb_fwd_stats st;

	h_setup_avg(e);
	h_ipv4(&f, H_VMAC(H_GID, 0), H_HOST, H_HOSTIP, H_OTHERIP, 60);
	j_from(&j, &f, J_LEN);
	/* the IPv4 length as the 9014-byte frame says */
	j.b[16] = (__u8)((J_LEN - 14) >> 8);
	j.b[17] = (__u8)(J_LEN - 14);
	for (int round = 1; round <= 2; round++) {
		/* a short first buffer (only Ethernet) and a page-sized one */
		j_run(e, &j, round == 1 ? 14 : 3500, XDP_PASS, XGLB_R_XDP_PASS_VMAC, &out);
		want = j;
		memcpy(want.b, H_IFMAC, 6);
		h_assert_bytes("accepted frame", out.b, out.len, want.b, want.len);
		st = h_fwd_stats(e, H_GID, 0);
		assert_int_equal(st.packets, round);
		assert_int_equal(st.bytes, (__u64)round * J_LEN);
	}
}

/* To a vMAC owned by a peer: dropped however large; nothing counted for the forwarder. */
static void test_vmac_jumbo_remote_dropped(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;
	struct jumbo j, out;
	struct xglb_fwd_stats st;

	h_setup_avg(e);
	h_ipv4(&f, H_VMAC(H_GID, 1), H_HOST, H_HOSTIP, H_OTHERIP, 60);
	j_run_frame(e, &f, 64, XDP_DROP, XGLB_R_XDP_DROP_VMAC_REMOTE, &j, &out);
	st = h_fwd_stats(e, H_GID, 1);
	assert_int_equal(st.packets, 0);
	assert_int_equal(st.bytes, 0);
}

/* Neither ARP nor a vMAC: passed untouched (xdp_pass_other); a tagged one xdp_pass_vlan. */
static void test_other_jumbo_passed(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;

	h_setup_avg(e);
	h_ipv4(&f, H_IFMAC, H_HOST, H_HOSTIP, H_OTHERIP, 60);
	j_passes(e, &f, 14, XGLB_R_XDP_PASS_OTHER);
	h_vlan(&f, XGLB_ETH_P_8021Q, 10);
	j_passes(e, &f, 64, XGLB_R_XDP_PASS_VLAN);
}

/*
 * The reply to an ARP request names the forwarder the host already holds
 * also when the request arrives as a multi-buffer frame: the host table
 * is the same, whichever size the frames have.
 */
static void test_arp_sticky_across_sizes(void **state)
{
	struct h_env *e = *state;
	struct h_frame f;
	struct jumbo j, out;

	h_setup_avg(e);
	/* host 1 gets fwd0 with a normal frame, host 2 fwd1 with a jumbo one */
	h_ask(e, H_HOST, H_HOSTIP, H_GID, H_VIP);
	h_arp_request(&f, H_HOST2, H_HOST2IP, H_VIP);
	j_run_frame(e, &f, 64, XDP_TX, XGLB_R_XDP_TX_ARP_REPLY, &j, &out);
	assert_memory_equal(out.b + 22, H_VMAC(H_GID, 1), 6);
	/* host 1 asks again in a jumbo frame: fwd0 still */
	h_arp_request(&f, H_HOST, H_HOSTIP, H_VIP);
	j_run_frame(e, &f, 64, XDP_TX, XGLB_R_XDP_TX_ARP_REPLY, &j, &out);
	assert_memory_equal(out.b + 22, H_VMAC(H_GID, 0), 6);
}

/*
 * xglb_xdp attaches natively to a veth whose MTU (9000) does not fit in
 * one page, which the kernel allows only to a program loaded multi-buffer
 * (BPF_F_XDP_HAS_FRAGS); and stays attached when the MTU changes 1500 <->
 * 9000. In a private network namespace, gone with the test.
 */
static void test_attach_jumbo_mtu(void **state)
{
	struct h_env *e = *state;
	int netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = bpf_program__fd(e->skel->progs.xglb_xdp);
	__u32 ifa, id = 0;

	assert_true(netns >= 0);
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(
	    system("ip link add xglbj0 mtu 9000 type veth peer name xglbj1 mtu 9000 && "
		   "ip link set xglbj0 up && ip link set xglbj1 up"),
	    0);
	ifa = if_nametoindex("xglbj0");
	assert_true(ifa);
	assert_int_equal(bpf_xdp_attach((int)ifa, fd, XDP_FLAGS_DRV_MODE, NULL), 0);
	assert_int_equal(bpf_xdp_query_id((int)ifa, XDP_FLAGS_DRV_MODE, &id), 0);
	assert_true(id != 0);
	assert_int_equal(system("ip link set xglbj0 mtu 1500 && ip link set xglbj1 mtu 1500 && "
				"ip link set xglbj1 mtu 9000 && ip link set xglbj0 mtu 9000"),
			 0);
	id = 0;
	assert_int_equal(bpf_xdp_query_id((int)ifa, XDP_FLAGS_DRV_MODE, &id), 0);
	assert_true(id != 0);
	assert_int_equal(bpf_xdp_detach((int)ifa, XDP_FLAGS_DRV_MODE, NULL), 0);

	assert_int_equal(setns(netns, CLONE_NEWNET), 0);
	close(netns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    H_TEST(test_attach_jumbo_mtu),	     H_TEST(test_arp_request_jumbo_answered),
	    H_TEST(test_arp_request_exactly_linear), H_TEST(test_arp_split_header_passed),
	    H_TEST(test_arp_other_jumbo_passed),     H_TEST(test_vmac_jumbo_accepted),
	    H_TEST(test_vmac_jumbo_remote_dropped),  H_TEST(test_other_jumbo_passed),
	    H_TEST(test_arp_sticky_across_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ndp_micro.c - ns per packet of xglb_xdp's IPv6 neighbour discovery paths over an empty XDP
 * program.
 *
 *   ndp_micro        (run inside a fresh network namespace: uses lo, ifindex 1)
 *
 * The method is xdp_micro.c's method 2 (read its comment): a wrapper
 * (ndp_wrap.bpf.c) writes the case's frame back into the packet before
 * every run, since xglb_xdp turns an NS into an NA in place, then
 * tail-calls xglb_xdp or the empty program; the difference of the two
 * medians over calls of REPEAT packets is the cost of xglb_xdp on a fresh
 * frame. The frames are 86 bytes: an NS from a host for the group's vip6
 * with its source link-layer address option, as Linux sends it. For "new
 * host" the wrapper stamps a fresh host MAC into the Ethernet source and
 * the option and mends the checksum, so every packet is a valid NS of an
 * unknown host (host entries are flushed between calls, untimed, as in
 * xdp_micro). Cases are interleaved call by call. Every verdict is
 * checked, and the counters at the end must show that each packet took
 * the intended path.
 *
 *   xdp_ns_known_ns     NS from a host the table knows: NA (goal <= 30)
 *   xdp_ns_new_ns       NS from a new host: forwarder by policy, NA (goal <= 150)
 *   xdp_ipv6_pass_ns    an IPv6 data frame to another MAC (the new check's cost)
 *   xdp_ipv4_pass86_ns  an IPv4 frame of the same length (the common case)
 *
 * Prints "BENCH <name> <value> <unit>" lines on stdout.
 */
#include "bench.h"
#include "ndp_wrap.skel.h"

enum { C_PASS4, C_PASS6, C_KNOWN, C_NEW, C_MAX };

static const char *const case_name[C_MAX] = {"ipv4_pass86", "ipv6_pass", "ns_known", "ns_new"};

#define CALLS	     400     /* samples per wrapper */
#define REPEAT	     100     /* packets per sample */
#define NEW_BASE     0x10000 /* new host MACs: 02:42:00:01:00:01 on */
#define HOSTS_MARGIN 256
#define NDP_LEN	     86
_Static_assert(NEW_BASE + CALLS * REPEAT < 0x1000000, "host MACs wrap");

static const __u8 host_mac[6] = {0x02, 0x42, 0x00, 0x00, 0x00, 0x01};
static const __u8 other_mac[6] = {0x02, 0x42, 0x00, 0x00, 0x00, 0x99};
static const __u8 vip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x63, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const __u8 host6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x63, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const __u8 other6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* The method 2 wrappers of one case (tests/bench/ndp_wrap.bpf.c), as xdp_micro's. */
BENCH_WRAPPER_OPEN(wrapper_open, ndp_wrap, "ndp_micro", NDP_LEN, NEW_BASE)

static int run_once(int fd, const void *frame, int repeat, struct xdp_md *ctx, __u32 *retval,
		    __u32 *duration, void *out, __u32 out_sz)
{
	return bench_run_once(fd, frame, NDP_LEN, repeat, ctx, retval, duration, out, out_sz);
}

int main(void)
{
	struct xdp_md ctx = {.ingress_ifindex = 1, .data_end = NDP_LEN};
	unsigned char frames[C_MAX][NDP_LEN], out[256];
	__be32 vip = inet_addr("10.99.1.1");
	int wrap[C_MAX][2], bad = 0, rc = 1;
	struct ndp_wrap *wskel[C_MAX] = {0};
	struct bench_xdp *helpers = NULL;
	__u32 *dur[C_MAX][2] = {{0}}, want[C_MAX], retval = 0, d = 0;
	__u64 base[4];
	struct xglb_bank bank = {0};
	struct xglb *skel = NULL;
	struct h_frame f;
	__u8 ifmac[6];
	__u32 hosts_cap, hosts_new = 0, lo_ifindex;
	static const __u32 count_reason[4] = {XGLB_R_XDP_PASS_OTHER, XGLB_R_XDP_TX_NA_REPLY,
					      XGLB_R_XDP_TX_NA_UNTRACKED,
					      XGLB_R_XDP_DROP_NDP_CHECKSUM};

	for (int c = 0; c < C_MAX; c++)
		wrap[c][0] = wrap[c][1] = -1;
	skel = bench_start_lo("ndp_micro", &bank, vip, &lo_ifindex, ifmac);
	if (!skel)
		return 1;
	if (bench_install_vip6(&bank, vip, lo_ifindex, ifmac, vip6)) {
		fprintf(stderr, "ndp_micro: installing the IPv6 address failed\n");
		goto out;
	}
	hosts_cap = bench_hosts_cap("ndp_micro", skel, REPEAT + HOSTS_MARGIN);
	helpers = hosts_cap ? bench_open_helpers("ndp_micro", BENCH_P_EMPTY, NULL) : NULL;
	if (!helpers)
		goto out;

	h_l4_frame(&f, other_mac, host_mac, 17, inet_addr("10.99.1.10"), 12345,
		   inet_addr("10.99.2.1"), 53, NDP_LEN - 42);
	memcpy(frames[C_PASS4], f.b, NDP_LEN);
	h_udp6(&f, other_mac, host_mac, host6, other6, NDP_LEN - 62);
	memcpy(frames[C_PASS6], f.b, NDP_LEN);
	h_ns_resolve(&f, host_mac, host6, vip6);
	if (f.len != NDP_LEN) {
		fprintf(stderr, "ndp_micro: NS of %u bytes\n", f.len);
		goto out;
	}
	memcpy(frames[C_KNOWN], f.b, NDP_LEN);
	memcpy(frames[C_NEW], f.b, NDP_LEN);
	want[C_PASS4] = want[C_PASS6] = XDP_PASS;
	want[C_KNOWN] = want[C_NEW] = XDP_TX;

	for (int c = 0; c < C_MAX; c++) {
		wskel[c] =
		    wrapper_open(frames[c], c == C_NEW, bpf_program__fd(skel->progs.xglb_xdp),
				 bpf_program__fd(helpers->progs.xglb_b_empty));
		if (!wskel[c])
			goto out;
		wrap[c][0] = bpf_program__fd(wskel[c]->progs.xglb_b_ndp_wrap0);
		wrap[c][1] = bpf_program__fd(wskel[c]->progs.xglb_b_ndp_wrap1);
		bench_park_pair("ndp_micro", "xglbn", c, wrap[c]);
		dur[c][0] = calloc(CALLS, sizeof(__u32));
		dur[c][1] = calloc(CALLS, sizeof(__u32));
		if (!dur[c][0] || !dur[c][1])
			goto out;
	}

	/* One checked call of each answering path: an NA to the host naming forwarder 0's vMAC. */
	for (int c = C_KNOWN; c <= C_NEW; c++) {
		memset(out, 0, sizeof(out));
		if (run_once(wrap[c][0], frames[c], 1, &ctx, &retval, &d, out, sizeof(out)) ||
		    retval != XDP_TX || out[54] != 136 || memcmp(out + 62, vip6, 16) ||
		    memcmp(out + 80, "\x02\x78\x67\x62\x01", 5) || memcmp(out, host_mac, 3)) {
			fprintf(stderr, "ndp_micro: NS not answered (%s, verdict %u)\n",
				case_name[c], retval);
			goto out;
		}
	}
	hosts_new = 1;
	for (int i = 0; i < 4; i++)
		base[i] = bench_stat(skel, count_reason[i]);

	for (int i = 0; i < CALLS; i++) {
		for (int k = 0; k < 2 * C_MAX; k++) {
			int j = (unsigned int)(i + k) % (2 * C_MAX);
			int c = j / 2, key = j % 2;

			if (c == C_NEW && key == 0 &&
			    bench_hosts_room("ndp_micro", skel, host_mac, hosts_cap, HOSTS_MARGIN,
					     &hosts_new, REPEAT))
				goto out;
			if (bench_wrapped_call("ndp_micro", case_name[c], wrap[c][key], key,
					       frames[c], NDP_LEN, REPEAT, &ctx, want[c], &bad,
					       &dur[c][key][i]))
				goto out;
		}
	}
	if (bad) {
		fprintf(stderr, "ndp_micro: %d calls returned an unexpected verdict\n", bad);
		goto out;
	}
	{
		__u64 n = (__u64)CALLS * REPEAT, got[4];

		for (int i = 0; i < 4; i++)
			got[i] = bench_stat(skel, count_reason[i]) - base[i];
		if (got[0] != 2 * n || got[1] != 2 * n || got[2] || got[3]) {
			fprintf(stderr,
				"ndp_micro: counters disagree: pass_other %llu, tx_na_reply %llu "
				"(want %llu each), untracked %llu, checksum drops %llu\n",
				(unsigned long long)got[0], (unsigned long long)got[1],
				(unsigned long long)(2 * n), (unsigned long long)got[2],
				(unsigned long long)got[3]);
			goto out;
		}
	}
	bench_print_wrapped("xdp", case_name, C_MAX, dur, CALLS);
	rc = 0;
out:
	bench_free_pairs(dur, C_MAX);
	for (int c = 0; c < C_MAX; c++)
		ndp_wrap__destroy(wskel[c]);
	bench_xdp__destroy(helpers);
	xglb_bank_close(&bank);
	xglb__destroy(skel);
	return rc;
}

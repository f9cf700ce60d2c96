// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * host_flood.c - established hosts against a flood of new MACs.
 *
 *   host_flood        (run inside a fresh network namespace: uses lo, ifindex 1)
 *
 * 10,000 hosts ask for the VIP twice each (so they are established: asked
 * more than once) and their forwarders are noted. Then, for 5 s, xglb_xdp
 * answers ARP requests each from a MAC never seen before (the xdp_wrap
 * wrapper stamps a new, scattered MAC into every frame; test_run repeat,
 * so the flood runs as fast as this CPU can answer). Afterwards every
 * established host is looked up: still in xglb_hosts with the forwarder it
 * was handed, and answered with it again.
 *
 * Prints "BENCH <name> <value> <unit>" lines:
 *   host_flood_survivors_pct        established hosts still mapped to their forwarder (goal 100)
 *   host_flood_pps                  flood requests answered per second (one CPU)
 *   host_flood_ns                   ns per flood request (wrapper included)
 *   host_flood_recorded             flood MACs the table took (room, budget)
 *   host_flood_refused_full         answered, not recorded: bucket full (xdp_tx_arp_untracked)
 *   host_flood_refused_rate         answered, not recorded: budget spent (xdp_tx_arp_rate_limited)
 */
#include "bench.h"
#include "xdp_wrap.skel.h"

#define HOSTS	10000
#define FLOOD_S 5
#define REPEAT	20000 /* flood requests per test_run call */

static void host_mac(__u32 n, __u8 mac[6])
{
	const __u8 m[6] = {0x02, 0x43, 0x00, 0x00, (__u8)(n >> 8), (__u8)n};

	memcpy(mac, m, 6);
}

/* One request from host n through xglb_xdp: the forwarder index answered, -1 if none. */
static int ask(int prog, struct xdp_md *ctx, __u32 n, __be32 hip, __be32 vip)
{
	unsigned char frame[BENCH_FRAME_LEN], out[256];
	const struct xglb_arp_frame *r = (const void *)out;
	__u32 retval = 0, d = 0;
	__u8 mac[6];

	host_mac(n, mac);
	bench_arp_request(frame, mac, hip, vip);
	if (bench_run_once(prog, frame, BENCH_FRAME_LEN, 1, ctx, &retval, &d, out, sizeof(out)) ||
	    retval != XDP_TX || memcmp(r->eth_dst, mac, 6) || memcmp(r->sha, "\x02\x78\x67\x62", 4))
		return -1;
	return r->sha[5];
}

int main(void)
{
	struct xdp_md ctx = {.ingress_ifindex = 1, .data_end = BENCH_FRAME_LEN};
	__be32 vip = inet_addr("10.99.1.1"), hip = inet_addr("10.99.1.10");
	static signed char fwd_of[HOSTS];
	unsigned char frame[BENCH_FRAME_LEN];
	struct xglb_bank bank = {0};
	struct xglb *skel = NULL;
	struct xdp_wrap *w = NULL;
	__u64 t0, t1, sent = 0, busy = 0, r0[3], r1[3];
	const __u32 reasons[3] = {XGLB_R_XDP_TX_ARP_REPLY, XGLB_R_XDP_TX_ARP_UNTRACKED,
				  XGLB_R_XDP_TX_ARP_RATE_LIMITED};
	struct xglb_hosttab hosts = {0};
	int prog, wrap, survivors = 0, rc = 1;
	__u32 lo_ifindex, k0 = 0;
	__u8 ifmac[6];

	skel = bench_start_lo("host_flood", &bank, vip, &lo_ifindex, ifmac);
	if (!skel)
		return 1;
	prog = bpf_program__fd(skel->progs.xglb_xdp);
	rc = xglb_hosttab_open(&hosts, bpf_map__fd(skel->maps.xglb_hosts), false);
	if (rc) {
		fprintf(stderr, "host_flood: mapping xglb_hosts: %s\n", strerror(-rc));
		rc = 1;
		goto out;
	}
	rc = 1;

	/* the established hosts: each asks twice */
	for (__u32 n = 0; n < HOSTS; n++) {
		int a = ask(prog, &ctx, n, hip, vip), b = ask(prog, &ctx, n, hip, vip);

		if (a < 0 || a != b) {
			fprintf(stderr, "host_flood: host %u answered %d then %d\n", n, a, b);
			goto out;
		}
		fwd_of[n] = (signed char)a;
	}

	/* the flood: a wrapper stamping a new MAC into each request, tail-calling xglb_xdp */
	bench_arp_request(frame, (const __u8[6]){0x02, 0x44, 0, 0, 0, 0}, hip, vip);
	w = xdp_wrap__open();
	if (!w) {
		fprintf(stderr, "host_flood: open xdp_wrap: %s\n", strerror(errno));
		goto out;
	}
	memcpy((void *)w->rodata->frame, frame, sizeof(w->rodata->frame));
	w->rodata->stamp = true;
	w->rodata->stamp_random = true;
	if (xdp_wrap__load(w) ||
	    bpf_map_update_elem(bpf_map__fd(w->maps.jmp), &k0, &prog, BPF_ANY)) {
		fprintf(stderr, "host_flood: xdp_wrap: %s\n", strerror(errno));
		goto out;
	}
	wrap = bpf_program__fd(w->progs.xglb_b_wrap0);
	if (bench_park("xglbf", 0, wrap))
		fprintf(stderr,
			"host_flood: could not park the wrapper (%s); the run will be slow\n",
			strerror(errno));
	for (int i = 0; i < 3; i++)
		r0[i] = bench_stat(skel, reasons[i]);
	t0 = bench_now_ns(CLOCK_MONOTONIC);
	do {
		__u32 retval = 0, d = 0;

		if (bench_run_once(wrap, frame, BENCH_FRAME_LEN, REPEAT, &ctx, &retval, &d, NULL,
				   0) ||
		    retval != XDP_TX) {
			fprintf(stderr, "host_flood: flood call failed (%s, verdict %u)\n",
				strerror(errno), retval);
			goto out;
		}
		sent += REPEAT;
		busy += (__u64)d * REPEAT;
		t1 = bench_now_ns(CLOCK_MONOTONIC);
	} while (t1 - t0 < FLOOD_S * 1000000000ull);
	for (int i = 0; i < 3; i++)
		r1[i] = bench_stat(skel, reasons[i]);
	if (r1[0] + r1[1] + r1[2] - r0[0] - r0[1] - r0[2] != sent) {
		fprintf(stderr, "host_flood: %llu flood requests, %llu answers counted\n",
			(unsigned long long)sent,
			(unsigned long long)(r1[0] + r1[1] + r1[2] - r0[0] - r0[1] - r0[2]));
		goto out;
	}

	/* who is left: in the table with its forwarder, and answered with it */
	for (__u32 n = 0; n < HOSTS; n++) {
		struct xglb_host_key k = {.gid = 1};
		struct xglb_host h;

		host_mac(n, k.mac);
		if (xglb_hosttab_lookup(&hosts, &k, &h) == 0 && h.fwd == fwd_of[n] &&
		    ask(prog, &ctx, n, hip, vip) == fwd_of[n])
			survivors++;
	}
	printf("BENCH host_flood_survivors_pct %.1f %%\n", 100.0 * survivors / HOSTS);
	printf("BENCH host_flood_pps %.0f pps\n", sent * 1e9 / (double)(t1 - t0));
	printf("BENCH host_flood_ns %.0f ns\n", busy / (double)sent);
	printf("BENCH host_flood_recorded %llu entries\n", (unsigned long long)(r1[0] - r0[0]));
	printf("BENCH host_flood_refused_full %llu requests\n",
	       (unsigned long long)(r1[1] - r0[1]));
	printf("BENCH host_flood_refused_rate %llu requests\n",
	       (unsigned long long)(r1[2] - r0[2]));
	rc = 0;
out:
	xglb_hosttab_close(&hosts);
	xdp_wrap__destroy(w);
	xglb_bank_close(&bank);
	xglb__destroy(skel);
	return rc;
}

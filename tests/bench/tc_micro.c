// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tc_micro.c - ns per packet of xglb_tc_ingress's steering paths over an empty tc program.
 *
 *   tc_micro        (run inside a fresh network namespace: uses lo, ifindex 1)
 *
 * Steering state, installed through the real agent path (xglb_owners_build,
 * xglb_bank_commit_steer, xglb_bank_set_local_ips): one domain of 65,536
 * buckets shared by three nodes of equal weight; this node is slot 0 on lo
 * (ifindex 1, MAC 52:54:00:00:00:01 as the agent knows it), the two peers'
 * MACs are known, the VIP and the router's address are local. The frames
 * are 60-byte TCP segments from a client host (whose MAC is not in the
 * from-peer filter) to a server, addressed to the interface MAC: the
 * tuple of the "owned" frame hashes to a bucket of slot 0, that of the
 * "steered" frame to a bucket of slot 1.
 *
 * Cases (headline figures first):
 *   tc_owned_ns          owned flow, frame classified PACKET_HOST (a frame
 *                        sent to the router's own MAC: the server side, or
 *                        a peer's steered frame): walk, hash, bucket, stay;
 *                        then the PACKET_HOST fix-up returns at once
 *   tc_steered_ns        flow owned by slot 1: the same walk, then the
 *                        from-peer filter, the local-address filter, both
 *                        MACs rewritten, bpf_redirect() (test_run returns
 *                        TC_ACT_REDIRECT; the transmission itself is not
 *                        part of the figure: it happens after the program)
 *   tc_owned_to_host_ns  owned flow, frame still PACKET_OTHERHOST (a vMAC
 *                        frame XDP readdressed on a veth): plus the fix-up's
 *                        MAC compare (the steering config's MAC, no
 *                        xglb_ifaces lookup) and bpf_skb_change_type()
 *   tc_tcdp_owned_ns     "datapath: tc": xglb_tc on the owned frame, the
 *                        common case there (not ARP, not to a vMAC:
 *                        tc_pass_other), then the same steering
 *   tc_tcdp_vmac_ns      "datapath: tc": xglb_tc on the owned flow's frame
 *                        sent to forwarder 0's vMAC, PACKET_OTHERHOST as the
 *                        kernel classifies it: vMAC accept (group lookup,
 *                        rewrite, forwarder counters, bpf_skb_change_type),
 *                        then the same steering
 *   tc_egress_other_ns   xglb_tc_egress on a frame the router sends to a
 *                        host that never sent through an owned vMAC: the
 *                        return count's hash and xglb_fwd_hosts lookup
 *                        miss, the guard passes it (not ARP)
 *   tc_egress_return_ns  the same to the host of tcdp_vmac (forwarder 0,
 *                        ours): the slot names it, so the group, forwarder
 *                        and interface checks and the per-CPU return
 *                        counter (xglb_fwd_tx_stats) follow
 *
 * Method (that of xdp_micro.c's method 2). bpf_prog_test_run with repeat
 * runs the program again and again on one skb, so from the second run on
 * a steered frame would carry the peer's MAC as destination and stay
 * (tc_steer_local), and the fix-up would see PACKET_HOST. (Setting the
 * peer's MAC to our own so that the rewrite writes the same bytes does
 * not work with the agent's tables: every peer MAC is also in the
 * from-peer set, so from the second run on the frame, whose source is
 * then our MAC, would stay as tc_steer_from_peer.) So a tiny SCHED_CLS
 * wrapper (tc_wrap.bpf.c, one instance per case) first sets the case's packet type
 * (bpf_skb_change_type) and writes the case's 12 MAC bytes back into the
 * packet, then tail-calls either xglb_tc_ingress or an empty program
 * (return TC_ACT_OK). Both wrappers of a case run the same instructions
 * except the tail-call key, so the median over calls of (wrapper ->
 * xglb_tc_ingress) minus that of (wrapper -> empty) is the cost of
 * xglb_tc_ingress on a fresh frame, averaged over REPEAT packets per call
 * (test_run reports the mean per run): 1 ns resolution. Cases and their
 * two wrappers are interleaved call by call, so drift and noise hit all
 * alike. Every call's verdict is checked, one checked call per case
 * compares the frame the program left, and the reason counters at the
 * end must show that each packet took the intended path.
 *
 * Prints "BENCH <name> <value> <unit>" lines on stdout.
 */
#include <stddef.h>
#include "bench.h"
#include "owners.h"
#include "tc_wrap.skel.h"

#define TC_ACT_OK_	 0
#define TC_ACT_SHOT_	 2
#define TC_ACT_REDIRECT_ 7
#define PKT_HOST	 0
#define PKT_OTHERHOST	 3

enum {
	C_OWNED,
	C_STEERED,
	C_TOHOST,
	C_TCDP_OWNED,
	C_TCDP_VMAC,
	C_EGRESS_OTHER,
	C_EGRESS_RETURN,
	C_MAX
};
static const char *const case_name[C_MAX] = {"owned",	     "steered",	  "owned_to_host",
					     "tcdp_owned",   "tcdp_vmac", "egress_other",
					     "egress_return"};

#define CALLS  2000 /* samples per wrapper */
#define REPEAT 100  /* packets per sample */
#define WARMUP 20   /* calls per wrapper not recorded */
#define FRAME  60

static const __u8 ifmac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
static const __u8 peer2[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};
static const __u8 peer3[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x03};
static const __u8 vmac0[6] = {0x02, 0x78, 0x67, 0x62, 0x01, 0x00}; /* group 1, forwarder 0: ours */

/*
 * Wrappers of one case (tests/bench/tc_wrap.bpf.c): pkt_type := pkt_type,
 * the first 12 bytes := mac12, then a tail call to key 0 (xglb_tc_ingress,
 * program xglb_b_tcwrap0) or key 1 (the instance's empty program,
 * xglb_b_tcwrap1); TC_ACT_SHOT if the frame is short or the tail call
 * fails. NULL on failure.
 */
static struct tc_wrap *wrapper_open(const __u8 *mac12, int pkt_type, int tc_fd)
{
	struct tc_wrap *w = tc_wrap__open();
	__u32 k0 = 0, k1 = 1;
	int empty;

	if (!w) {
		fprintf(stderr, "tc_micro: open tc_wrap: %s\n", strerror(errno));
		return NULL;
	}
	memcpy(w->rodata->mac12, mac12, 12);
	w->rodata->pkt_type = (__u32)pkt_type;
	if (tc_wrap__load(w)) {
		fprintf(stderr, "tc_micro: load tc_wrap: %s\n", strerror(errno));
		goto fail;
	}
	empty = bpf_program__fd(w->progs.xglb_b_tcempty);
	if (bpf_map_update_elem(bpf_map__fd(w->maps.jmp), &k0, &tc_fd, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(w->maps.jmp), &k1, &empty, BPF_ANY)) {
		fprintf(stderr, "tc_micro: programs: %s\n", strerror(errno));
		goto fail;
	}
	return w;
fail:
	tc_wrap__destroy(w);
	return NULL;
}

/* A 60-byte TCP segment (ACK) src:sport -> dst:dport from src to dst: 54 bytes and zero padding. */
static void tcp_frame(__u8 *b, const __u8 *dst, const __u8 *src, __be32 sip, __u16 sport,
		      __be32 dip, __u16 dport)
{
	struct h_frame f;

	h_l4_frame(&f, dst, src, 6, sip, sport, dip, dport, 0);
	h_len(&f, FRAME);
	memcpy(b, f.b, FRAME);
}

/* Packets counted back to the hosts of forwarder idx of group gid, over all CPUs. */
static __u64 fwd_tx_packets(struct xglb *skel, __u32 gid, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xglb_fwd_stats v[ncpu];
	__u32 key = gid * XGLB_MAX_FWD + idx;
	__u64 n = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.xglb_fwd_tx_stats), &key, v))
		return 0;
	for (int c = 0; c < ncpu; c++)
		n += v[c].packets;
	return n;
}

static int run(int fd, const __u8 *frame, int repeat, __u32 *retval, __u32 *duration, __u8 *out)
{
	struct __sk_buff ctx = {.ifindex = 1};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = FRAME, .data_out = out,
		    .data_size_out = out ? FRAME : 0, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*retval = o.retval;
	*duration = o.duration;
	return 0;
}

int main(void)
{
	static __u8 owner[XGLB_STEER_BUCKETS];
	static struct xglb_steer st;
	const struct xglb_owner_node nodes[3] = {{1, 100}, {2, 100}, {3, 100}};
	__be32 cli = inet_addr("10.99.1.10"), srv = inet_addr("10.99.2.10");
	const __be32 local[] = {inet_addr("10.99.1.1"), inet_addr("10.99.1.2")};
	__u8 host[6] = {0x02, 0x42, 0x00, 0x00, 0x00, 0x10};
	__u8 frames[C_MAX][FRAME], out[FRAME], want_out[C_MAX][FRAME];
	__u32 want_ret[C_MAX], *dur[C_MAX][2] = {{0}}, retval, d;
	int wrap[C_MAX][2], bad = 0, rc = 1, err;
	struct tc_wrap *wskel[C_MAX] = {0};
	__u16 port[C_MAX] = {0};
	__u64 base[XGLB_STATS_SLOTS];
	struct xglb_bank bank = {0};
	struct xglb *skel;

	for (int c = 0; c < C_MAX; c++)
		wrap[c][0] = wrap[c][1] = -1;
	skel = bench_start("tc_micro");
	if (!skel)
		return 1;

	/* ---- steering state through the agent's path ---- */
	err = bench_bank_open(skel, &bank);
	if (!err) {
		struct xglb_steer_fds fds = {
		    .cfg = bpf_map__fd(skel->maps.xglb_steer_cfg),
		    .spill = bpf_map__fd(skel->maps.xglb_steer_spill),
		    .buckets = bpf_map__fd(skel->maps.xglb_steer_buckets),
		    .peers = bpf_map__fd(skel->maps.xglb_steer_peers),
		    .local_ips = bpf_map__fd(skel->maps.xglb_local_ips),
		    .local_bloom = bpf_map__fd(skel->maps.xglb_local_bloom),
		};

		bank.need_sync = false; /* nothing ran yet */
		err = xglb_bank_open_steer(&bank, &fds);
	}
	if (!err)
		err = xglb_owners_build(nodes, 3, XGLB_STEER_BUCKETS_DEFAULT, owner);
	if (!err) {
		struct xglb_steer_iface *f = &st.iface[0];

		st.version = 1;
		st.n_domains = 1;
		st.dom[0] = (struct xglb_steer_domain){
		    .gid = 1, .n_buckets = XGLB_STEER_BUCKETS_DEFAULT, .owner = owner};
		st.n_ifaces = 1;
		f->ifindex = 1;
		f->domain = 0;
		f->self = xglb_owners_slot(nodes, 3, 1);
		memcpy(f->mac, ifmac, 6);
		memcpy(f->peer_mac[xglb_owners_slot(nodes, 3, 2)], peer2, 6);
		memcpy(f->peer_mac[xglb_owners_slot(nodes, 3, 3)], peer3, 6);
		/* group 1 on lo, forwarder 0 ours, for the vMAC case */
		struct xglb_group_state gs = {
		    .gid = 1, .vip = local[0], .avg = 1, .version = 1, .n_fwd = 1, .ifindex = {1}};
		struct xglb_group grp;

		gs.fwd[0] = (struct xglb_fwd_state){
		    .owner = 1, .weight = 100, .active = true, .new_ok = true};
		memcpy(gs.ifmac[0], ifmac, 6);
		xglb_build_group(&gs, 1, &grp);
		err = xglb_bank_commit_steer(&bank, &grp, 1, &st);
	}
	if (!err)
		err = xglb_bank_set_local_ips(&bank, local, 2);
	if (!err) {
		struct xglb_iface ifv = {0};
		__u32 lo = 1;

		memcpy(ifv.mac, ifmac, 6);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.xglb_ifaces), &lo, &ifv, BPF_ANY))
			err = -errno;
	}
	if (err) {
		fprintf(stderr, "tc_micro: steering state: %s\n", strerror(-err));
		goto out;
	}
	/* a host MAC outside the from-peer filter, as almost every host's is */
	while (xglb_steer_bloom_bit(host) == xglb_steer_bloom_bit(peer2) ||
	       xglb_steer_bloom_bit(host) == xglb_steer_bloom_bit(peer3))
		host[5]++;
	/* client ports whose flows slot 0 (us) and slot 1 own */
	for (__u32 p = 40000; p < 65535 && (!port[C_OWNED] || !port[C_STEERED]); p++) {
		__u8 o = owner[xglb_flow_hash(ntohl(cli), ntohl(srv), (__u16)p, 443, 6) &
			       (XGLB_STEER_BUCKETS_DEFAULT - 1)];

		if (o == 0 && !port[C_OWNED])
			port[C_OWNED] = (__u16)p;
		if (o == 1 && !port[C_STEERED])
			port[C_STEERED] = (__u16)p;
	}
	port[C_TOHOST] = port[C_TCDP_OWNED] = port[C_TCDP_VMAC] = port[C_OWNED];
	for (int c = 0; c < C_MAX; c++) {
		tcp_frame(frames[c], c == C_TCDP_VMAC ? vmac0 : ifmac, host, cli, port[c], srv,
			  443);
		memcpy(want_out[c], frames[c], FRAME);
	}
	/* the way back: server -> client, from the interface to the host (another host) */
	for (int c = C_EGRESS_OTHER; c <= C_EGRESS_RETURN; c++) {
		__u8 dst[6];

		memcpy(dst, host, 6);
		dst[4] ^= c == C_EGRESS_OTHER; /* never sent through a vMAC */
		tcp_frame(frames[c], dst, ifmac, srv, 443, cli, port[C_OWNED]);
		memcpy(want_out[c], frames[c], FRAME);
	}
	memcpy(want_out[C_TCDP_VMAC], ifmac, 6); /* accepted: readdressed to the interface */
	memcpy(want_out[C_STEERED], peer2, 6);
	memcpy(want_out[C_STEERED] + 6, ifmac, 6);
	want_ret[C_OWNED] = want_ret[C_TOHOST] = want_ret[C_TCDP_OWNED] = want_ret[C_TCDP_VMAC] =
	    want_ret[C_EGRESS_OTHER] = want_ret[C_EGRESS_RETURN] = TC_ACT_OK_;
	want_ret[C_STEERED] = TC_ACT_REDIRECT_;

	/* ---- programs: key 0 -> xglb_tc_ingress (xglb_tc for tcdp_*), key 1 -> empty ---- */
	for (int c = 0; c < C_MAX; c++) {
		bool tcdp = c == C_TCDP_OWNED || c == C_TCDP_VMAC;
		bool egress = c == C_EGRESS_OTHER || c == C_EGRESS_RETURN;

		wskel[c] = wrapper_open(
		    frames[c], c == C_TOHOST || c == C_TCDP_VMAC ? PKT_OTHERHOST : PKT_HOST,
		    bpf_program__fd(egress ? skel->progs.xglb_tc_egress
				    : tcdp ? skel->progs.xglb_tc
					   : skel->progs.xglb_tc_ingress));
		if (!wskel[c])
			goto out;
		wrap[c][0] = bpf_program__fd(wskel[c]->progs.xglb_b_tcwrap0);
		wrap[c][1] = bpf_program__fd(wskel[c]->progs.xglb_b_tcwrap1);
	}

	/* ---- one checked call per case: verdict and the frame as the program left it ---- */
	for (int c = 0; c < C_MAX; c++) {
		memset(out, 0xee, sizeof(out));
		if (run(wrap[c][0], frames[c], 1, &retval, &d, out) || retval != want_ret[c] ||
		    memcmp(out, want_out[c], FRAME)) {
			fprintf(stderr, "tc_micro: %s: verdict %u (want %u) or frame differs\n",
				case_name[c], retval, want_ret[c]);
			goto out;
		}
	}

	for (int c = 0; c < C_MAX; c++)
		for (int k = 0; k < 2; k++) {
			dur[c][k] = calloc(CALLS, sizeof(__u32));
			if (!dur[c][k])
				goto out;
		}
	for (__u32 r = 0; r < XGLB_STATS_SLOTS; r++)
		base[r] = bench_stat(skel, r);
	for (int i = -WARMUP; i < CALLS; i++) {
		for (int k = 0; k < 2 * C_MAX; k++) {
			/* rotate the order so no wrapper always follows the same one */
			int j = (unsigned int)(i + WARMUP + k) % (2 * C_MAX), c = j / 2,
			    key = j % 2;

			err = run(wrap[c][key], frames[c], REPEAT, &retval, &d, NULL);
			if (err) {
				fprintf(stderr, "tc_micro: test_run %s: %s\n", case_name[c],
					strerror(-err));
				goto out;
			}
			bad += retval != (key ? (__u32)TC_ACT_OK_ : want_ret[c]);
			if (i >= 0)
				dur[c][key][i] = d;
		}
	}
	if (bad) {
		fprintf(stderr, "tc_micro: %d calls returned an unexpected verdict\n", bad);
		goto out;
	}
	/* Every packet took the intended path. */
	{
		__u64 n = (__u64)(WARMUP + CALLS) * REPEAT, got[XGLB_STATS_SLOTS];

		for (__u32 r = 0; r < XGLB_STATS_SLOTS; r++)
			got[r] = bench_stat(skel, r) - base[r];
		if (got[XGLB_R_TC_STEER_OWNED] != 4 * n || got[XGLB_R_TC_STEER_STEERED] != n ||
		    got[XGLB_R_TC_INGRESS_PASS] != n || got[XGLB_R_TC_INGRESS_TO_HOST] != n ||
		    got[XGLB_R_TC_PASS_OTHER] != n || got[XGLB_R_TC_PASS_VMAC] != n ||
		    got[XGLB_R_TC_STEER_FROM_PEER] || got[XGLB_R_TC_STEER_LOCAL] ||
		    got[XGLB_R_TC_STEER_NO_OWNER] || got[XGLB_R_TC_EGRESS_PASS] != 2 * n) {
			fprintf(
			    stderr,
			    "tc_micro: counters disagree: owned %llu steered %llu pass %llu "
			    "to_host %llu tc_pass_other %llu tc_pass_vmac %llu (want %llu, %llu, "
			    "%llu, %llu, %llu, %llu), from_peer %llu local %llu no_owner %llu\n",
			    (unsigned long long)got[XGLB_R_TC_STEER_OWNED],
			    (unsigned long long)got[XGLB_R_TC_STEER_STEERED],
			    (unsigned long long)got[XGLB_R_TC_INGRESS_PASS],
			    (unsigned long long)got[XGLB_R_TC_INGRESS_TO_HOST],
			    (unsigned long long)got[XGLB_R_TC_PASS_OTHER],
			    (unsigned long long)got[XGLB_R_TC_PASS_VMAC],
			    (unsigned long long)(4 * n), (unsigned long long)n,
			    (unsigned long long)n, (unsigned long long)n, (unsigned long long)n,
			    (unsigned long long)n,
			    (unsigned long long)got[XGLB_R_TC_STEER_FROM_PEER],
			    (unsigned long long)got[XGLB_R_TC_STEER_LOCAL],
			    (unsigned long long)got[XGLB_R_TC_STEER_NO_OWNER]);
			goto out;
		}
		/* only the return case counted, every packet of it (and its checked call) */
		if (fwd_tx_packets(skel, 1, 0) != n + 1) {
			fprintf(stderr, "tc_micro: return count %llu, want %llu\n",
				(unsigned long long)fwd_tx_packets(skel, 1, 0),
				(unsigned long long)(n + 1));
			goto out;
		}
	}
	bench_print_wrapped("tc", case_name, C_MAX, dur, CALLS);
	rc = 0;
out:
	bench_free_pairs(dur, C_MAX);
	for (int c = 0; c < C_MAX; c++)
		tc_wrap__destroy(wskel[c]);
	xglb_bank_close(&bank);
	xglb__destroy(skel);
	return rc;
}

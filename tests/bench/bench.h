/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench.h - helpers shared by the xglb benchmarks: tiny XDP programs built
 * from raw instructions at run time, frame builders, installing one group
 * into a loaded skeleton, reading the verdict counters.
 *
 * The Makefile compiles only the BPF sources under bpf/ into objects, so
 * the helper programs the benchmarks need (an empty XDP program, a frame
 * generator, a reply counter) are assembled here from a few instructions
 * each.
 */
#ifndef XGLB_BENCH_H
#define XGLB_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xglb.h"
#include "xglb.skel.h"
#include "tables.h"
#include "bank.h"

#define BENCH_FN static __attribute__((unused)) /* not every bench uses every helper */

/* ---- raw BPF instructions ---------------------------------------------- */

#define B_INSN(c, d, s, o, i)                                                                      \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define B_MOV64_IMM(d, i)	B_INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define B_MOV64_REG(d, s)	B_INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define B_ADD64_IMM(d, i)	B_INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define B_LDX(sz, d, s, o)	B_INSN(BPF_LDX | (sz) | BPF_MEM, d, s, o, 0)
#define B_ST(sz, d, o, i)	B_INSN(BPF_ST | (sz) | BPF_MEM, d, 0, o, i)
#define B_JGT_REG(d, s, o)	B_INSN(BPF_JMP | BPF_JGT | BPF_X, d, s, o, 0)
#define B_JNE_IMM(d, i, o)	B_INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define B_JEQ_IMM(d, i, o)	B_INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define B_RSH64_IMM(d, i)	B_INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define B_STX(sz, d, s, o)	B_INSN(BPF_STX | (sz) | BPF_MEM, d, s, o, 0)
#define B_CALL(f)		B_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define B_ATOMIC_ADD64(d, s, o) B_INSN(BPF_STX | BPF_DW | BPF_ATOMIC, d, s, o, BPF_ADD)
#define B_EXIT()		B_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* dst = map (fd), for helpers that take a map */
#define B_LD_MAP_FD(d, fd)                                                                         \
	B_INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), B_INSN(0, 0, 0, 0, 0)
/* dst = &value_of(map fd)[off]: a 16-byte ld_imm64 (BPF_PSEUDO_MAP_VALUE) */
#define B_LD_MAP_VALUE(d, fd, o)                                                                   \
	B_INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_VALUE, 0, fd), B_INSN(0, 0, 0, 0, o)

BENCH_FN int bench_load_xdp(const char *name, const struct bpf_insn *insns, size_t n)
{
	static char log[65536];
	/* BPF_XDP as libbpf sets it for SEC("xdp"): tail calls need matching programs */
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_XDP, .log_buf = log,
		    .log_size = sizeof(log), .log_level = 0);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, &o);

	if (fd < 0)
		fprintf(stderr, "bench: load %s: %s\n%s\n", name, strerror(errno), log);
	return fd;
}

/* r0 = XDP_PASS; exit: the baseline every ns figure is measured against. */
BENCH_FN int bench_empty_prog(void)
{
	const struct bpf_insn insns[] = {B_MOV64_IMM(0, XDP_PASS), B_EXIT()};

	return bench_load_xdp("xglb_b_empty", insns, 2);
}

/*
 * XDP_TX generator for live-frames mode. BPF_F_TEST_XDP_LIVE_FRAMES copies
 * data_in into a page only when the page pool creates the page; a recycled
 * page keeps whatever the last program wrote into it (the kernel resets
 * the frame pointers, not the bytes). xglb_xdp turns the request into a
 * reply in place and the page comes back to this pool after the counter
 * drops it, so the generator writes the first 42 bytes of the request
 * back on every frame (11 stores) before transmitting it.
 */
BENCH_FN int bench_gen_prog(const unsigned char *frame42)
{
	struct bpf_insn insns[32];
	int n = 0, i;
	__s32 w;
	__u16 h;

	insns[n++] = B_LDX(BPF_W, 2, 1, 0); /* r2 = ctx->data */
	insns[n++] = B_LDX(BPF_W, 3, 1, 4); /* r3 = ctx->data_end */
	insns[n++] = B_MOV64_REG(4, 2);
	insns[n++] = B_ADD64_IMM(4, 42);
	insns[n++] = B_JGT_REG(4, 3, 13); /* short: to the XDP_DROP below */
	for (i = 0; i < 40; i += 4) {
		memcpy(&w, frame42 + i, 4);
		insns[n++] = B_ST(BPF_W, 2, i, w);
	}
	memcpy(&h, frame42 + 40, 2);
	insns[n++] = B_ST(BPF_H, 2, 40, h);
	insns[n++] = B_MOV64_IMM(0, XDP_TX);
	insns[n++] = B_EXIT();
	insns[n++] = B_MOV64_IMM(0, XDP_DROP);
	insns[n++] = B_EXIT();
	return bench_load_xdp("xglb_b_gen", insns, n);
}

/*
 * Reply counter for the generator's side: ARP frames are counted in the
 * 16-byte value of array map_fd (word 0: ARP replies, word 1: other ARP)
 * and dropped; everything else passes.
 */
BENCH_FN int bench_counter_prog(int map_fd)
{
	const struct bpf_insn insns[] = {
	    B_LDX(BPF_W, 2, 1, 0),	  /* 0: r2 = data */
	    B_LDX(BPF_W, 3, 1, 4),	  /* 1: r3 = data_end */
	    B_MOV64_REG(4, 2),		  /* 2 */
	    B_ADD64_IMM(4, 22),		  /* 3: through the ARP opcode */
	    B_JGT_REG(4, 3, 11),	  /* 4: -> 16 pass */
	    B_LDX(BPF_H, 5, 2, 12),	  /* 5: ethertype */
	    B_JNE_IMM(5, 0x0608, 9),	  /* 6: htons(ETH_P_ARP) -> 16 pass */
	    B_LDX(BPF_H, 5, 2, 20),	  /* 7: opcode */
	    B_LD_MAP_VALUE(1, map_fd, 0), /* 8, 9 */
	    B_JEQ_IMM(5, 0x0200, 1),	  /* 10: htons(ARPOP_REPLY) -> 12 */
	    B_ADD64_IMM(1, 8),		  /* 11 */
	    B_MOV64_IMM(6, 1),		  /* 12 */
	    B_ATOMIC_ADD64(1, 6, 0),	  /* 13 */
	    B_MOV64_IMM(0, XDP_DROP),	  /* 14 */
	    B_EXIT(),			  /* 15 */
	    B_MOV64_IMM(0, XDP_PASS),	  /* 16 */
	    B_EXIT(),			  /* 17 */
	};

	return bench_load_xdp("xglb_b_count", insns, sizeof(insns) / sizeof(insns[0]));
}

/* ---- frames ----------------------------------------------------------- */

#define BENCH_FRAME_LEN 60 /* minimum Ethernet frame without FCS */

BENCH_FN void bench_arp_request(unsigned char *buf, const __u8 *src_mac, __be32 sip, __be32 tip)
{
	struct xglb_arp_frame *f = (struct xglb_arp_frame *)buf;

	memset(buf, 0, BENCH_FRAME_LEN);
	memset(f->eth_dst, 0xff, 6);
	memcpy(f->eth_src, src_mac, 6);
	f->eth_proto = htons(XGLB_ETH_P_ARP);
	f->hrd = htons(XGLB_ARPHRD_ETHER);
	f->pro = htons(XGLB_ETH_P_IP);
	f->hln = 6;
	f->pln = 4;
	f->op = htons(XGLB_ARPOP_REQUEST);
	memcpy(f->sha, src_mac, 6);
	f->spa = sip;
	f->tpa = tip;
}

/* An IPv4/UDP frame (checksums irrelevant: XDP never looks). */
BENCH_FN void bench_ipv4_frame(unsigned char *buf, const __u8 *dst, const __u8 *src, __be32 sip,
			       __be32 dip)
{
	memset(buf, 0, BENCH_FRAME_LEN);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	buf[14] = 0x45; /* version 4, ihl 5 */
	buf[16] = 0;
	buf[17] = BENCH_FRAME_LEN - 14;
	buf[22] = 64; /* ttl */
	buf[23] = 17; /* udp */
	memcpy(buf + 26, &sip, 4);
	memcpy(buf + 30, &dip, 4);
}

/* ---- xglb state ------------------------------------------------------- */

BENCH_FN __u64 bench_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

BENCH_FN int bench_iface_mac(const char *name, __u8 mac[6])
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return err;
}

/*
 * Install one group in the loaded skeleton so this node (id 1) is its AVG
 * on ifindex (MAC ifmac) and owns forwarder 0; forwarder 1 belongs to
 * node 2. Every forwarder takes new hosts (round-robin). The heartbeat is
 * stamped by xglb_beat, as xglbd does: the data path checks the lease in
 * jiffies.
 */
BENCH_FN int bench_install_group(struct xglb *skel, struct xglb_bank *bank, __u8 gid, __be32 vip,
				 __u32 ifindex, const __u8 ifmac[6])
{
	struct xglb_group_state st = {0};
	struct xglb_iface ifv = {0};
	struct xglb_group g;
	int err;

	err =
	    xglb_bank_open(bank, bpf_map__fd(skel->maps.xglb_ctl),
			   bpf_map__fd(skel->maps.xglb_groups), bpf_map__fd(skel->maps.xglb_vips));
	if (err) {
		fprintf(stderr, "bench: bank open: %s\n", strerror(-err));
		return err;
	}
	st.gid = gid;
	st.vip = vip;
	st.policy = XGLB_POLICY_ROUND_ROBIN;
	st.avg = 1;
	st.version = 1;
	st.n_fwd = 2;
	st.fwd[0] =
	    (struct xglb_fwd_state){.owner = 1, .weight = 100, .active = true, .new_ok = true};
	st.fwd[1] =
	    (struct xglb_fwd_state){.owner = 2, .weight = 100, .active = true, .new_ok = true};
	st.ifindex[0] = ifindex;
	memcpy(st.ifmac[0], ifmac, 6);
	xglb_build_group(&st, 1, &g);
	err = xglb_bank_commit(bank, &g, 1);
	if (err) {
		fprintf(stderr, "bench: bank commit: %s\n", strerror(-err));
		return err;
	}
	xglb_bank_set_beat(bank, bpf_program__fd(skel->progs.xglb_beat));
	xglb_bank_heartbeat(bank, bench_now_ns(CLOCK_MONOTONIC), 3600ull * 1000000000ull);
	if (!bank->ctl->lease_jiffies) {
		fprintf(stderr, "bench: xglb_beat did not stamp the heartbeat (%s, hz %u)\n",
			strerror(-bank->beat_err), bank->ctl->hz);
		return -EINVAL;
	}
	/* the tc fix-up's interface MAC; XDP reads the group's */
	memcpy(ifv.mac, ifmac, 6);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xglb_ifaces), &ifindex, &ifv, BPF_ANY)) {
		fprintf(stderr, "bench: ifaces update: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Sum of one xglb_stats reason over all CPUs. */
BENCH_FN __u64 bench_stat(struct xglb *skel, __u32 reason)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 sum = 0, *v;

	if (ncpu <= 0)
		return 0;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.xglb_stats), &reason, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

BENCH_FN void bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set); /* best effort */
}

#endif

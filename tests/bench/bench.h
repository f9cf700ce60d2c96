/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench.h - helpers shared by the xglb benchmarks: frames (tests/bpf/frames.h),
 * installing one group into a loaded skeleton, reading the verdict counters.
 *
 * The helper programs the benchmarks need (an empty XDP program, a frame
 * generator, a reply counter, the wrappers of xdp_micro and tc_micro) are
 * BPF C in tests/bench/NAME.bpf.c, built into NAME.skel.h like bpf/.
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
#include "hosttab.h"
#include "xglb.h"
#include "xglb.skel.h"
#include "tables.h"
#include "bank.h"
#include "netif.h"
#include "frames.h"
#include "bench_xdp.skel.h"

#define BENCH_FN static __attribute__((unused)) /* not every bench uses every helper */

/* ---- frames: the builders of tests/bpf/frames.h, into plain buffers ------ */

#define BENCH_FRAME_LEN 60 /* minimum Ethernet frame without FCS */
#define BENCH_NS_LEN	86 /* an NS with its source link-layer option (bench.bpf.h) */

/* "who has tip? tell sip" from src_mac, broadcast, zero-padded to 60 bytes. */
BENCH_FN void bench_arp_request(unsigned char *buf, const __u8 *src_mac, __be32 sip, __be32 tip)
{
	struct h_frame f;

	h_arp_request(&f, src_mac, sip, tip);
	h_len(&f, BENCH_FRAME_LEN);
	memcpy(buf, f.b, BENCH_FRAME_LEN);
}

/* A 60-byte IPv4 frame, protocol UDP, zero L4 bytes (checksums irrelevant: XDP never looks). */
BENCH_FN void bench_ipv4_frame(unsigned char *buf, const __u8 *dst, const __u8 *src, __be32 sip,
			       __be32 dip)
{
	struct h_frame f;

	h_ip_frame(&f, dst, src, sip, dip, 17, NULL, BENCH_FRAME_LEN - 34);
	memcpy(buf, f.b, BENCH_FRAME_LEN);
}

/* ---- xglb state ------------------------------------------------------- */

BENCH_FN __u64 bench_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* The xglb skeleton, loaded; NULL (reported as who's) on failure. */
BENCH_FN struct xglb *bench_load_xglb(const char *who)
{
	struct xglb *skel = xglb__open_and_load();

	if (!skel)
		fprintf(stderr, "%s: load xglb: %s\n", who, strerror(errno));
	return skel;
}

/* xglb_bank_open on the skeleton's maps: 0 or -errno. */
BENCH_FN int bench_bank_open(struct xglb *skel, struct xglb_bank *bank)
{
	int err =
	    xglb_bank_open(bank, bpf_map__fd(skel->maps.xglb_ctl),
			   bpf_map__fd(skel->maps.xglb_groups), bpf_map__fd(skel->maps.xglb_vips));

	return err ? err : xglb_bank_open_vip6(bank, bpf_map__fd(skel->maps.xglb_vips6));
}

/*
 * The benchmarks' group: gid with VIP vip on ifindex/ifmac, this node (1)
 * its AVG, two forwarders owned by nodes 1 and 2, round robin; version.
 */
BENCH_FN void bench_group_state(struct xglb_group_state *st, __u8 gid, __be32 vip, __u32 ifindex,
				const __u8 ifmac[6], __u32 version)
{
	memset(st, 0, sizeof(*st));
	st->gid = gid;
	st->vip = vip;
	st->policy = XGLB_POLICY_ROUND_ROBIN;
	st->avg = 1;
	st->version = version;
	st->n_fwd = 2;
	st->fwd[0] =
	    (struct xglb_fwd_state){.owner = 1, .weight = 100, .active = true, .new_ok = true};
	st->fwd[1] =
	    (struct xglb_fwd_state){.owner = 2, .weight = 100, .active = true, .new_ok = true};
	st->ifindex[0] = ifindex;
	memcpy(st->ifmac[0], ifmac, 6);
}

/*
 * Install one group in the loaded skeleton so this node (id 1) is its AVG
 * on ifindex (MAC ifmac) and owns forwarder 0; forwarder 1 belongs to
 * node 2. Every forwarder takes new hosts (round-robin). The heartbeat is
 * stamped by xglb_beat, as xglbd does: the data path checks the lease in
 * jiffies.
 */
/* The group of bench_install_group with a virtual IPv6 address added (a second commit). */
BENCH_FN int bench_install_vip6(struct xglb_bank *bank, __be32 vip, __u32 ifindex,
				const __u8 *ifmac, const __u8 vip6[16])
{
	struct xglb_group_state st;
	struct xglb_group g;

	bench_group_state(&st, 1, vip, ifindex, ifmac, 2);
	memcpy(st.vip6[0], vip6, 16);
	xglb_build_group(&st, 1, &g);
	return xglb_bank_commit(bank, &g, 1);
}

BENCH_FN int bench_install_group(struct xglb *skel, struct xglb_bank *bank, __u8 gid, __be32 vip,
				 __u32 ifindex, const __u8 ifmac[6])
{
	struct xglb_group_state st = {0};
	struct xglb_iface ifv = {0};
	struct xglb_group g;
	int err;

	err = bench_bank_open(skel, bank);
	if (err) {
		fprintf(stderr, "bench: bank open: %s\n", strerror(-err));
		return err;
	}
	bench_group_state(&st, gid, vip, ifindex, ifmac, 1);
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

BENCH_FN int bench_cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v (so percentiles can be read from it afterwards); returns its median. */
BENCH_FN __u32 bench_median(__u32 *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_u32);
	return v[n / 2];
}

BENCH_FN int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v ([0] min, [n - 1] max afterwards); returns its median (for even n, the middle mean). */
BENCH_FN double bench_median_d(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Which programs of bench_xdp to load. */
/*
 * BENCH_P_TC: xglb_b_tcbounce and xglb_b_tcpass; _GEN6, _COUNT6: the NDP generator, NA counter;
 * _BOUNCE: xglb_b_bounce and xglb_b_bounce6 (the XDP floor)
 */
enum {
	BENCH_P_EMPTY = 1,
	BENCH_P_GEN = 2,
	BENCH_P_COUNT = 4,
	BENCH_P_TC = 8,
	BENCH_P_GEN6 = 16,
	BENCH_P_COUNT6 = 32,
	BENCH_P_BOUNCE = 64
};

/*
 * bench_xdp with only the programs in progs loaded; gen_frame (BENCH_FRAME_HEAD bytes, or
 * with BENCH_P_GEN6 the BENCH_NS_LEN bytes of an NS) is the generator's frame when not NULL.
 * NULL after a message that starts with tool.
 */
BENCH_FN struct bench_xdp *bench_open_helpers(const char *tool, int progs, const __u8 *gen_frame)
{
	struct bench_xdp *h = bench_xdp__open();

	if (!h) {
		fprintf(stderr, "%s: open bench_xdp: %s\n", tool, strerror(errno));
		return NULL;
	}
	bpf_program__set_autoload(h->progs.xglb_b_empty, !!(progs & BENCH_P_EMPTY));
	bpf_program__set_autoload(h->progs.xglb_b_gen, !!(progs & BENCH_P_GEN));
	bpf_program__set_autoload(h->progs.xglb_b_count, !!(progs & BENCH_P_COUNT));
	bpf_program__set_autoload(h->progs.xglb_b_tcbounce, !!(progs & BENCH_P_TC));
	bpf_program__set_autoload(h->progs.xglb_b_tcpass, !!(progs & BENCH_P_TC));
	bpf_program__set_autoload(h->progs.xglb_b_gen6, !!(progs & BENCH_P_GEN6));
	bpf_program__set_autoload(h->progs.xglb_b_count6, !!(progs & BENCH_P_COUNT6));
	bpf_program__set_autoload(h->progs.xglb_b_bounce, !!(progs & BENCH_P_BOUNCE));
	bpf_program__set_autoload(h->progs.xglb_b_bounce6, !!(progs & BENCH_P_BOUNCE));
	if (gen_frame && (progs & BENCH_P_GEN6))
		memcpy((void *)h->rodata->gen_frame6, gen_frame, BENCH_NS_LEN);
	else if (gen_frame)
		memcpy((void *)h->rodata->gen_frame, gen_frame, sizeof(h->rodata->gen_frame));
	if (bench_xdp__load(h)) {
		fprintf(stderr, "%s: load bench_xdp: %s\n", tool, strerror(errno));
		bench_xdp__destroy(h);
		return NULL;
	}
	return h;
}

BENCH_FN void bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set); /* best effort */
}

/*
 * A device of this (private) namespace holding prog_fd in SKB mode: one
 * end, PREFIX<idx>, of a veth pair, down. A wrapper attached this way
 * stays in the dispatcher, as a program on an interface would.
 */
BENCH_FN int bench_park(const char *prefix, int idx, int prog_fd)
{
	char cmd[128], name[IF_NAMESIZE];
	int ifindex;

	snprintf(name, sizeof(name), "%s%d", prefix, idx);
	if (!if_nametoindex(name)) {
		snprintf(cmd, sizeof(cmd), "ip link add %s%d type veth peer name %s%d 2>/dev/null",
			 prefix, idx, prefix, idx + 1);
		if (system(cmd) != 0)
			return -1;
	}
	ifindex = if_nametoindex(name);
	if (!ifindex || bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_SKB_MODE, NULL))
		return -1;
	return 0;
}

/* One test_run of an XDP program over len bytes of frame, repeat times; out may be NULL. */
BENCH_FN int bench_run_once(int fd, const void *frame, __u32 len, int repeat, struct xdp_md *ctx,
			    __u32 *retval, __u32 *duration, void *out, __u32 out_sz)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = out ? out_sz : 0, .ctx_in = ctx, .ctx_size_in = sizeof(*ctx),
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*retval = o.retval;
	*duration = o.duration;
	return 0;
}

/*
 * Delete every xglb_hosts entry (map fd) but keep's, so the new hosts to
 * come find room in the table (through the agent's helper, hosttab.h).
 * Returns how many there were (every new host since the last flush), or
 * -errno.
 */
BENCH_FN int bench_flush_hosts(int fd, const __u8 *keep)
{
	struct xglb_host_key k;
	struct xglb_host h;
	struct xglb_hosttab t;
	__u64 cursor = 0;
	int n = 0, err = xglb_hosttab_open(&t, fd, true);

	if (err)
		return err;
	while (xglb_hosttab_walk(&t, &cursor, &k, &h, 1) == 1) {
		if (!memcmp(k.mac, keep, 6))
			continue;
		err = xglb_hosttab_delete(&t, &k, NULL);
		if (err)
			break;
		n++;
	}
	xglb_hosttab_close(&t);
	return err ? err : n;
}

/*
 * Room for `more` new hosts in cap entries of xglb_hosts, flushing (all
 * but keep) once fewer than margin would be left; *inserted counts the new
 * hosts since the last flush. The new-host budget of every CPU
 * (xglb_host_rl) is refilled too, untimed, so each new host costs an
 * insert, as on a quiet segment. 0, or -1 said on stderr.
 */
BENCH_FN int bench_hosts_room(const char *who, struct xglb *skel, const __u8 *keep, __u32 cap,
			      __u32 margin, __u32 *inserted, __u32 more)
{
	int fd = bpf_map__fd(skel->maps.xglb_hosts), ncpu = libbpf_num_possible_cpus(), n;
	struct xglb_host_rl rl[ncpu > 0 ? ncpu : 1];
	__u32 zero = 0;

	memset(rl, 0, sizeof(rl));
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xglb_host_rl), &zero, rl, BPF_ANY)) {
		fprintf(stderr, "%s: refilling xglb_host_rl: %s\n", who, strerror(errno));
		return -1;
	}
	if (*inserted + more + margin < cap) {
		*inserted += more;
		return 0;
	}
	n = bench_flush_hosts(fd, keep);
	if (n < 0 || (__u32)n != *inserted) {
		fprintf(stderr, "%s: %d new hosts in xglb_hosts, %u inserted%s%s\n", who, n,
			*inserted, n < 0 ? ": " : " (evicted?)", n < 0 ? strerror(-n) : "");
		return -1;
	}
	*inserted = more;
	return 0;
}

/*
 * The method 2 wrapper programs of one case, from a skeleton SKEL built of
 * a wrapper .bpf.c (xdp_wrap, ndp_wrap) with a rodata frame, a stamp flag,
 * a jmp map and a bss next_host: defines
 * static struct SKEL *FN(frame, stamp, xdp_fd, empty_fd), which restores
 * the first LEN bytes of frame each run, stamps new host MACs from
 * FIRST_HOST on if stamp, and tail-calls key 0 (xdp_fd) or key 1
 * (empty_fd). NULL on failure, said on stderr as WHO.
 */
#define BENCH_WRAPPER_OPEN(fn, skel, who, len, first_host)                                         \
	static struct skel *fn(const unsigned char *frame, bool stamp, int xdp_fd, int empty_fd)   \
	{                                                                                          \
		struct skel *w = skel##__open();                                                   \
		__u32 k0 = 0, k1 = 1;                                                              \
                                                                                                   \
		if (!w) {                                                                          \
			fprintf(stderr, who ": open " #skel ": %s\n", strerror(errno));            \
			return NULL;                                                               \
		}                                                                                  \
		memcpy((void *)w->rodata->frame, frame, len);                                      \
		w->rodata->stamp = stamp;                                                          \
		if (skel##__load(w) ||                                                             \
		    bpf_map_update_elem(bpf_map__fd(w->maps.jmp), &k0, &xdp_fd, BPF_ANY) ||        \
		    bpf_map_update_elem(bpf_map__fd(w->maps.jmp), &k1, &empty_fd, BPF_ANY)) {      \
			fprintf(stderr, who ": " #skel ": %s\n", strerror(errno));                 \
			skel##__destroy(w);                                                        \
			return NULL;                                                               \
		}                                                                                  \
		w->bss->next_host = first_host;                                                    \
		return w;                                                                          \
	}

/* Parks both wrappers of case c (bench_park, devices PREFIX<2c>, PREFIX<2c+1>); says so if not. */
BENCH_FN void bench_park_pair(const char *who, const char *prefix, int c, const int wrap[2])
{
	for (int k = 0; k < 2; k++)
		if (bench_park(prefix, 2 * c + k, wrap[k]))
			fprintf(stderr,
				"%s: could not park a wrapper on a device (%s); the run will be "
				"slow\n",
				who, strerror(errno));
}

/* Pins this thread to CPU 1 (0 on a one-CPU machine), makes libbpf strict, loads xglb as who. */
BENCH_FN struct xglb *bench_start(const char *who)
{
	bench_pin_cpu(libbpf_num_possible_cpus() > 1 ? 1 : 0);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	return bench_load_xglb(who);
}

/*
 * bench_start, then group 1 (VIP vip) installed on lo (*lo_ifindex, its
 * MAC in ifmac): the skeleton, or NULL, said on stderr, nothing left open.
 */
BENCH_FN struct xglb *bench_start_lo(const char *who, struct xglb_bank *bank, __be32 vip,
				     __u32 *lo_ifindex, __u8 ifmac[6])
{
	struct xglb *skel = bench_start(who);

	if (skel && (xglb_netif_get("lo", lo_ifindex, ifmac) ||
		     bench_install_group(skel, bank, 1, vip, *lo_ifindex, ifmac))) {
		fprintf(stderr, "%s: installing the group on lo failed\n", who);
		xglb_bank_close(bank);
		xglb__destroy(skel);
		return NULL;
	}
	return skel;
}

/*
 * How many new hosts the bench may have in xglb_hosts between flushes: a
 * sixteenth of its ways. xglb_hosts is set-associative: at half a host a
 * bucket of XGLB_HOST_WAYS on average, a new host finds its bucket full
 * about once in ten million, so each new host costs an insert, never a
 * refusal (which the bench's counters would report). 0, said on stderr,
 * if not above need.
 */
BENCH_FN __u32 bench_hosts_cap(const char *who, struct xglb *skel, __u32 need)
{
	__u32 cap = bpf_map__max_entries(skel->maps.xglb_hosts) / 16;

	if (cap <= need) {
		fprintf(stderr, "%s: %u host entries is too few\n", who, cap);
		return 0;
	}
	return cap;
}

/*
 * The figures of n wrapped cases, from calls timed calls of each through
 * both wrappers (dur[c][0]: the case, dur[c][1]: the empty program; sorted
 * here): "BENCH <hook>_<name>_ns" (the case's median minus the empty
 * program's through the same wrapper) for each, then each raw median of both.
 */
BENCH_FN void bench_print_wrapped(const char *hook, const char *const *names, int n,
				  __u32 *(*dur)[2], int calls)
{
	__u32 med[n][2];

	for (int c = 0; c < n; c++)
		for (int k = 0; k < 2; k++)
			med[c][k] = bench_median(dur[c][k], calls);
	for (int c = 0; c < n; c++)
		printf("BENCH %s_%s_ns %d ns\n", hook, names[c], (int)med[c][0] - (int)med[c][1]);
	for (int c = 0; c < n; c++)
		printf("BENCH %s_%s_wrapped_raw_ns %u ns\n", hook, names[c], med[c][0]);
	for (int c = 0; c < n; c++)
		printf("BENCH %s_%s_wrapped_empty_raw_ns %u ns\n", hook, names[c], med[c][1]);
}

/*
 * One timed call of wrapper fd of a case (key 0: through the program under
 * test, key 1: through the empty one) over len bytes of frame, repeat
 * times: the duration into *dur, a verdict other than want (XDP_PASS for
 * key 1) counted in *bad. -1, said as who, if test_run failed.
 */
BENCH_FN int bench_wrapped_call(const char *who, const char *name, int fd, int key,
				const void *frame, __u32 len, int repeat, struct xdp_md *ctx,
				__u32 want, int *bad, __u32 *dur)
{
	__u32 retval = 0, d = 0;
	int err = bench_run_once(fd, frame, len, repeat, ctx, &retval, &d, NULL, 0);

	if (err) {
		fprintf(stderr, "%s: test_run wrapped %s: %s\n", who, name, strerror(-err));
		return -1;
	}
	*bad += retval != (key ? (__u32)XDP_PASS : want);
	*dur = d;
	return 0;
}

/* Frees the duration arrays of n wrapped cases (both keys). */
BENCH_FN void bench_free_pairs(__u32 *(*dur)[2], int n)
{
	for (int c = 0; c < n; c++) {
		free(dur[c][0]);
		free(dur[c][1]);
	}
}

/* Busy and total jiffies of one CPU, from /proc/stat. */
BENCH_FN void bench_cpu_times(int cpu, __u64 *busy, __u64 *total)
{
	unsigned long long v[8] = {0};
	char line[512], want[16];
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	snprintf(want, sizeof(want), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		for (int i = 0; i < 8; i++) /* guest time is already in user */
			*total += v[i];
		*busy = *total - v[3] - v[4]; /* minus idle and iowait */
		break;
	}
	fclose(f);
}

/* Sleeps ms milliseconds, across signals. */
BENCH_FN void bench_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* An fd of the named network namespace /run/netns/NAME, or -1 (reported as who's). */
BENCH_FN int bench_open_ns(const char *who, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
	return fd;
}

#endif

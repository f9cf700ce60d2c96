// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fwd_flood.c - datagrams per second a router forwards on one CPU, for several routers side
 * by side in one run (tests/bench/forward.sh builds them and prints the ratios).
 *
 *   fwd_flood ROUNDS WINDOW_MS MODE...
 *   MODE = NAME,GEN_NS,GEN_IF,SINK_NS,SINK_IF,DST_MAC
 *
 * Each mode is its own chain of namespaces: GEN_IF in GEN_NS is one end of a veth pair
 * whose other end is the router's client side (or, for a rig mode, the sink itself);
 * SINK_IF in SINK_NS is the far end of the router's server side. The generator
 * (bpf_prog_test_run with BPF_F_TEST_XDP_LIVE_FRAMES on GEN_IF, xglb_fb_gen returning
 * XDP_TX) sends real frames: Ethernet to DST_MAC from GEN_IF's MAC, IPv4 10.0.0.101 ->
 * 10.1.0.100, TTL 64, UDP 1234 -> 9 with a 64-byte payload (106-byte frames), checksums
 * finished. The sink (xglb_fb_sink, native XDP on SINK_IF) counts them by TTL and drops
 * them; a datagram that crossed one router has TTL 63, and a rig mode's (no router) 64.
 *
 * Every mode's generator runs on the last CPU, and everything it sets off (the router's
 * veth NAPI, XDP, the kernel's forwarding, the sink's NAPI) runs in softirq on that same
 * CPU: a rate is what one CPU sustains for generator + router + sink. The modes rotate
 * round by round (ROUNDS of each, a WINDOW_MS window after a warm-up), so each round's
 * modes see nearly the same load from the rest of the machine.
 *
 * Prints, per mode NAME:
 *   BENCH fwd_NAME_pps_roundN R pps     datagrams at the sink per second of the window
 *   BENCH fwd_NAME_pps R pps            median over rounds
 *   BENCH fwd_NAME_cpu_load_pct L %     the generator CPU's busy share during its windows
 * and fails if a mode's sink saw a datagram with a TTL other than the expected one, or none.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "bench.h"
#include "fwd_bench.skel.h"

#define MAX_MODES   12
#define MAX_ROUNDS  32
#define GEN_CHUNK   65536 /* frames per test_run call */
#define GEN_THREADS 2	  /* one sends while the other waits out its call's teardown */
#define WARMUP_MS   150
#define FRAME_LEN   (42 + 64)

struct mode {
	char name[32], gen_ns[64], gen_if[16], sink_ns[64], sink_if[16];
	__u8 dst[6], src[6];
	int gen_fd, sink_fd, gen_ifindex, sink_ifindex;
	bool rig; /* no router: TTL 64 at the sink */
	struct fwd_bench *skel;
	unsigned char frame[FRAME_LEN];
	double pps[MAX_ROUNDS], load[MAX_ROUNDS];
	__u64 wrong;
};

struct gen {
	struct mode *m;
	int cpu;
	atomic_int stop, err;
};

static int enter(const char *ns)
{
	int fd = bench_open_ns("fwd_flood", ns), err = 0;

	if (fd < 0)
		return -1;
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "fwd_flood: setns %s: %s\n", ns, strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
}

static void *gen_thread(void *arg)
{
	struct gen *g = arg;
	struct xdp_md ctx = {.ingress_ifindex = (__u32)g->m->gen_ifindex, .data_end = FRAME_LEN};

	bench_pin_cpu(g->cpu);
	if (enter(g->m->gen_ns)) {
		atomic_store(&g->err, EINVAL);
		return NULL;
	}
	while (!atomic_load(&g->stop)) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = g->m->frame, .data_size_in = FRAME_LEN,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = GEN_CHUNK,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(g->m->gen_fd, &o)) {
			atomic_store(&g->err, errno);
			break;
		}
	}
	return NULL;
}

static int parse_mac(const char *s, __u8 mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (__u8)b[i];
	return 0;
}

static int parse_mode(char *arg, struct mode *m)
{
	char *f[6];
	int n = 0;

	for (char *s = strtok(arg, ","); s && n < 6; s = strtok(NULL, ","))
		f[n++] = s;
	if (n != 6 || parse_mac(f[5], m->dst))
		return -1;
	snprintf(m->name, sizeof(m->name), "%s", f[0]);
	snprintf(m->gen_ns, sizeof(m->gen_ns), "%s", f[1]);
	snprintf(m->gen_if, sizeof(m->gen_if), "%s", f[2]);
	snprintf(m->sink_ns, sizeof(m->sink_ns), "%s", f[3]);
	snprintf(m->sink_if, sizeof(m->sink_if), "%s", f[4]);
	m->rig = !strncmp(m->name, "rig", 3);
	return 0;
}

/* The datagram: Ethernet dst <- src, 10.0.0.101:1234 -> 10.1.0.100:9, 64 bytes, TTL 64. */
static void build_frame(struct mode *m)
{
	struct h_frame f;
	__u32 s = 0;

	h_l4_frame(&f, m->dst, m->src, 17, h_ip(10, 0, 0, 101), 1234, h_ip(10, 1, 0, 100), 9, 64);
	h_ip_csum(&f);
	/* UDP checksum over the pseudo-header and the datagram */
	f.b[40] = f.b[41] = 0;
	for (int i = 26; i < 34; i += 2)
		s += (__u32)(f.b[i] << 8 | f.b[i + 1]);
	s += 17 + (f.len - 34);
	for (__u32 i = 34; i < f.len; i += 2)
		s += (__u32)(f.b[i] << 8 | (i + 1 < f.len ? f.b[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	f.b[40] = (__u8)(s >> 8);
	f.b[41] = (__u8)s;
	memcpy(m->frame, f.b, FRAME_LEN);
}

static int mode_open(struct mode *m)
{
	__u32 idx;

	if (enter(m->gen_ns) || xglb_netif_get(m->gen_if, &idx, m->src)) {
		fprintf(stderr, "fwd_flood: %s: no %s in %s\n", m->name, m->gen_if, m->gen_ns);
		return -1;
	}
	m->gen_ifindex = (int)idx;
	build_frame(m);
	m->skel = fwd_bench__open();
	if (!m->skel)
		return -1;
	memcpy((void *)m->skel->rodata->gen_frame, m->frame, 42);
	if (fwd_bench__load(m->skel)) {
		fprintf(stderr, "fwd_flood: load fwd_bench: %s\n", strerror(errno));
		return -1;
	}
	m->gen_fd = bpf_program__fd(m->skel->progs.xglb_fb_gen);
	m->sink_fd = bpf_program__fd(m->skel->progs.xglb_fb_sink);
	if (enter(m->sink_ns) || !(m->sink_ifindex = (int)if_nametoindex(m->sink_if)) ||
	    bpf_xdp_attach(m->sink_ifindex, m->sink_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "fwd_flood: %s: the sink on %s in %s: %s\n", m->name, m->sink_if,
			m->sink_ns, strerror(errno));
		return -1;
	}
	return 0;
}

static void mode_close(struct mode *m)
{
	if (m->sink_ifindex && !enter(m->sink_ns))
		bpf_xdp_detach(m->sink_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	fwd_bench__destroy(m->skel);
}

static __u64 good(struct mode *m)
{
	return m->skel->bss->counts[m->rig ? 1 : 0];
}

/* One round of mode m: the rate at its sink over window_ms; -1 on a generator error. */
static int run_round(struct mode *m, int round, int window_ms, int cpu)
{
	struct gen g[GEN_THREADS];
	pthread_t th[GEN_THREADS];
	__u64 c0, c1, t0, t1, b0, tot0, b1, tot1;
	int err = 0;

	for (int i = 0; i < GEN_THREADS; i++) {
		g[i] = (struct gen){.m = m, .cpu = cpu};
		if (pthread_create(&th[i], NULL, gen_thread, &g[i]))
			return -1;
	}
	bench_sleep_ms(WARMUP_MS);
	c0 = good(m);
	t0 = bench_now_ns(CLOCK_MONOTONIC);
	bench_cpu_times(cpu, &b0, &tot0);
	bench_sleep_ms(window_ms);
	c1 = good(m);
	t1 = bench_now_ns(CLOCK_MONOTONIC);
	bench_cpu_times(cpu, &b1, &tot1);
	for (int i = 0; i < GEN_THREADS; i++)
		atomic_store(&g[i].stop, 1);
	for (int i = 0; i < GEN_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (atomic_load(&g[i].err))
			err = atomic_load(&g[i].err);
	}
	if (err) {
		fprintf(stderr, "fwd_flood: %s: generator: %s\n", m->name, strerror(err));
		return -1;
	}
	m->pps[round] = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	m->load[round] = tot1 > tot0 ? 100.0 * (double)(b1 - b0) / (double)(tot1 - tot0) : 0;
	return 0;
}

int main(int argc, char **argv)
{
	static struct mode modes[MAX_MODES];
	int rounds, window_ms, n = argc - 3, cpu = libbpf_num_possible_cpus() - 1, rc = 0;

	if (argc < 4 || n > MAX_MODES || (rounds = atoi(argv[1])) < 1 || rounds > MAX_ROUNDS ||
	    (window_ms = atoi(argv[2])) < 100) {
		fprintf(stderr,
			"usage: fwd_flood ROUNDS(1..%d) WINDOW_MS(>=100) "
			"NAME,GEN_NS,GEN_IF,SINK_NS,SINK_IF,DST_MAC...\n",
			MAX_ROUNDS);
		return 2;
	}
	if (cpu < 0)
		cpu = 0;
	libbpf_set_print(NULL);
	for (int i = 0; i < n; i++) {
		if (parse_mode(argv[3 + i], &modes[i])) {
			fprintf(stderr, "fwd_flood: bad mode '%s'\n", argv[3 + i]);
			return 2;
		}
		if (mode_open(&modes[i])) {
			rc = 1;
			goto out;
		}
	}
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++)
			if (run_round(&modes[(r + k) % n], r, window_ms, cpu)) {
				rc = 1;
				goto out;
			}
	for (int i = 0; i < n; i++) {
		struct mode *m = &modes[i];
		__u64 wrong = m->rig ? m->skel->bss->counts[0] : m->skel->bss->counts[1];
		__u64 right = m->rig ? m->skel->bss->counts[1] : m->skel->bss->counts[0];

		for (int r = 0; r < rounds; r++)
			printf("BENCH fwd_%s_pps_round%d %.0f pps\n", m->name, r, m->pps[r]);
		printf("BENCH fwd_%s_pps %.0f pps\n", m->name, bench_median_d(m->pps, rounds));
		printf("BENCH fwd_%s_cpu_load_pct %.0f %%\n", m->name,
		       bench_median_d(m->load, rounds));
		/* a rig's datagrams cross no router: TTL 64, counted in [1] */
		if (wrong || !right) {
			fprintf(stderr,
				"fwd_flood: %s: the sink counted %llu datagrams with the expected "
				"TTL and %llu with another\n",
				m->name, (unsigned long long)right, (unsigned long long)wrong);
			rc = 1;
		}
	}
	fflush(stdout);
out:
	for (int i = 0; i < n; i++)
		if (modes[i].skel)
			mode_close(&modes[i]);
	return rc;
}

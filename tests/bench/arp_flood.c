// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * arp_flood.c - ARP replies per second under a live flood: xglb_xdp (or,
 * with "tc", xglb_tc at tc ingress) versus the kernel answering the same
 * requests, side by side in one run.
 *
 *   arp_flood GEN_NS RTR_NS GEN_IF RTR_IF VIP GEN_IP [xdp [owncpu]|tc]
 *   arp_flood GEN_NS RTR_NS GEN_IF RTR_IF VIP GEN_IP ndp VIP6 GEN_IP6 [owncpu]
 *
 * "ndp": the same rounds for IPv6 neighbour discovery (xglb_xdp): the
 * generator (xglb_b_gen6) sends an 86-byte NS for VIP6 from GEN_IP6 with
 * GEN_IF's MAC as source link-layer address, to VIP6's solicited-node
 * group, as a host resolving its gateway does; NAs are counted at GEN_IF
 * (xglb_b_count6). The kernel round answers for VIP6 as an ordinary
 * address of RTR_IF (the caller adds it, without DAD); the xglb round
 * answers it as the group's virtual address. Figures: ndp_flood_*
 * (ndp_flood_ratio_vs_kernel).
 *
 * The caller (tests/bench/run.sh) creates two namespaces joined by one
 * veth pair: GEN_IF in GEN_NS (address GEN_IP), RTR_IF in RTR_NS (address
 * VIP, so the kernel there answers for it). This program only attaches
 * programs and sends frames on those two interfaces.
 *
 * Generator: bpf_prog_test_run with BPF_F_TEST_XDP_LIVE_FRAMES on GEN_IF,
 * a tiny program returning XDP_TX, so every repetition is transmitted to
 * the peer RTR_IF as a real frame: "who-has VIP tell GEN_IP" from GEN_IF's
 * MAC (one sender MAC and IP: the kernel's neighbour table is shared by
 * all namespaces, so the kernel side sees one neighbour). The generator
 * writes the request back into every frame first, because live-frames
 * mode recycles pages without copying data_in again and xglb_xdp rewrites
 * the request into a reply in place (see xglb_b_gen in bench_xdp.bpf.c).
 *
 * Replies are counted on GEN_IF by a counting XDP program (ARP replies and
 * other ARP separately) that drops them. A frame XDP_TX'ed into a veth
 * reaches the peer only if the peer runs an XDP program (that is what
 * turns on the veth's NAPI), so both ends always have one:
 *   rig round:    RTR_IF runs the same counting program: requests are
 *                 counted and dropped, nobody answers. This is the test
 *                 rig alone (generator + one veth hop), the ceiling.
 *   kernel round: RTR_IF runs an XDP_PASS program; the kernel answers.
 *   xglb round:   RTR_IF runs xglb_xdp (native mode) with one group whose
 *                 AVG is this node; xglb answers with XDP_TX.
 *                 With "tc": RTR_IF runs the XDP_PASS program, as in the
 *                 kernel round, and xglb_tc at tc ingress answers with a
 *                 redirect out of RTR_IF ("datapath: tc"), through the
 *                 egress guard xglb_tc_egress as in xglbd (every answer
 *                 must pass it). The figures are then named arp_flood_tc_*
 *                 (arp_flood_tc_ratio_vs_kernel).
 *   floor round:  as the xglb round, with the least any responder can
 *                 do in xglb's place: xglb_b_bounce (xglb_b_bounce6 for
 *                 NDP, bench_xdp.bpf.c) makes the request a reply by its
 *                 opcode (ICMPv6 type) and sends it back with XDP_TX, as
 *                 xglb_xdp does. The reply's way back (the veth's transmit,
 *                 GEN_IF's poll, the counter) is the rig's, the same for
 *                 every XDP responder: the floor's rate is the ceiling of
 *                 any XDP responder here (arp_flood_floor_ratio_vs_kernel),
 *                 and 1/xglb - 1/floor is what xglb_xdp itself costs per
 *                 answer (arp_flood_xglb_ns_per_reply_over_floor); the
 *                 kernel's over the floor is its own work, its reply's
 *                 copy (below) and its skb's way back
 *                 (_responder_over_floor_ratio_vs_kernel).
 *                 With "tc": the least any responder at tc ingress can
 *                 do in xglb_tc's place: xglb_b_tcbounce
 *                 (bench_xdp.bpf.c) makes the request a reply by its opcode
 *                 and redirects it out of RTR_IF, and an empty program sits
 *                 at egress in the guard's place. Every request is still an
 *                 skb, built, received, redirected and transmitted through
 *                 both clsact hooks, as xglb_tc's and the kernel's are: the
 *                 floor's rate is the ceiling of a tc responder here
 *                 (arp_flood_tc_floor_ratio_vs_kernel), and 1/xglb - 1/floor
 *                 is what xglb_tc and the guard cost per answer
 *                 (arp_flood_tc_xglb_ns_per_reply_over_floor).
 *   xglb_tcx round (tc only): as the xglb round, xglb_tc and the guard
 *                 attached as tcx links (BPF links at the hooks, no
 *                 clsact qdisc or cls_bpf classifier in between) instead of
 *                 the clsact filters xglbd attaches: what that dispatch
 *                 costs per answer (arp_flood_tc_clsact_ns_per_reply_over_tcx).
 *   own-CPU rounds ("owncpu" only): rig, kernel, floor and xglb again with
 *                 the responder on a CPU of its own (below); figures
 *                 named arp_flood_owncpu_* (ndp_flood_owncpu_*).
 * Rounds rotate (rig, kernel, floor, xglb, [xglb_tcx,] [the own-CPU four,] rig, ...),
 * ROUNDS of each, with the same generator and the same measuring window after a short
 * warm-up: rate = frames counted in the window / window length; the figure
 * per side is the median over its rounds, and every round's rate is
 * printed (_pps_roundN). Every wait is on the counters and bounded in
 * time.
 *
 * CPU placement: the generator runs on the last CPU, and everything it
 * sets off (the veth NAPI polls: the responder, the reply's way back, the
 * counter) runs in softirq on that same CPU, inline in the generator's
 * threads or in that CPU's ksoftirqd; this thread sleeps on CPU 0. So a
 * rate is what one CPU sustains for rig + responder. Other work on the
 * machine may share that CPU, so the headline rates are per second of CPU
 * time the flood used there (generator threads + ksoftirqd, from the
 * scheduler; this kernel has no IRQ time accounting, so softirq work is
 * charged to the thread it ran in): the wall-clock rate of a CPU of its
 * own. The wall-clock rates and the CPU's load are printed too; when the
 * flood had the CPU to itself the two rates agree. The rig costs the same
 * in every round, so responder cost per reply = 1/rate - 1/rig_rate, and
 * the ratio of those is the responders' own ratio
 * (_responder_ratio_vs_kernel); over the floor instead of the rig, the
 * reply's way back is taken out of both too.
 *
 * Own-CPU rounds ("owncpu"; run.sh's step arp_flood_owncpu, run only when
 * named): the sender as another machine would be, the responder on a CPU
 * of its own. Both veth ends poll in NAPI threads ("threaded", set through
 * a sysfs of each namespace mounted in this process's own mount
 * namespace): RTR_IF's thread on CPU 0 (the responder: the XDP program,
 * the kernel's whole answer, the reply's transmit into GEN_IF's ring),
 * GEN_IF's with the generator on the last CPU (the counter, and the copy
 * of the kernel's reply below, so that copy is the rig's here, not the
 * kernel's), both SCHED_FIFO so that they run as soon as they have
 * frames, as softirq polling would. The live-frames XDP_TX lands on
 * RTR_IF's ring (veth_xdp_xmit) and wakes its thread (perf shows
 * veth_poll, the programs and arp_process in that thread on CPU 0, and
 * _ksoftirqd_pct ~0). A rate is then frames counted per second of the
 * responder CPU's time (that thread + CPU 0's ksoftirqd, from the
 * scheduler), _ns_per_reply its inverse. Evaluated on this 2-vCPU VM and
 * not made the headline: the figures measure the cross-CPU hand-off
 * rather than the responders. The responder CPU's cost of a bare drop
 * (_rig_ns_per_frame) moved from 79 to 248 ns between runs with the
 * machine's load, and the floor cost the responder CPU more than xglb
 * (326-373 vs 284-328 ns): the faster a responder empties its ring, the
 * more often its thread sleeps and is woken by an IPI
 * (_napi_runs_per_1k: floor 5.4, xglb 3.1, kernel 0.2). The kernel's
 * replies wake GEN_IF's thread 74-78 times per 1000 (xglb's 3: one
 * transmit per NAPI poll), and in a perf profile of CPU 0 about 45 % of
 * the kernel's responder time is __napi_schedule waking it across CPUs,
 * a hand-off a NIC's doorbell costs far less. Own-CPU ratio_vs_kernel
 * was 6.8-9.7 over 9 runs.
 *
 * The rig bounds the ratio: no reply costs less than the rig's frame
 * (~125 ns here: the live-frames call, the redirect into the veth, its
 * NAPI poll, the counter, the page's way back to the pool) and the
 * reply's way back (~50 ns, the floor over the rig), so a responder that
 * cost nothing reaches (rig + kernel) / (rig + floor's way back), the
 * floor's ratio, 7.4 with the kernel's ~1,200 ns over the rig. Larger live-frames
 * batches (256 instead of 64) and a per-CPU counter without the locked
 * add moved the rig by 2-3 % at most: its cost is the kernel's XDP
 * plumbing, the same in every round.
 *
 * The counter flatters xglb: an XDP program on GEN_IF sees the kernel's
 * reply only after veth copies its skb (a kmalloc'ed head, less headroom
 * than XDP's) into a page of its pool (skb_pp_cow_data: ~200 of the
 * ~290 ns the kernel's reply costs on its way into GEN_IF's XDP, in a
 * perf profile of the generator's CPU), work of the rig's, not of the
 * kernel's; xglb's reply arrives as an XDP frame and is not copied (in
 * the own-CPU rounds the copy runs in GEN_IF's NAPI thread, on the
 * generator's CPU, and is not in the responder's figures).
 *
 * Each live-frames call ends with an RCU grace period (page pool
 * teardown, ~20 ms here) during which its thread sleeps, so two
 * generator threads share the generator CPU and chunks are large.
 *
 * Prints "BENCH <name> <value> <unit>" lines on stdout.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include "bench.h"

#define ROUNDS	       5      /* of each side */
#define WINDOW_MS      1000   /* measuring window per round */
#define WARMUP_MS      200    /* from the first reply to the window */
#define GEN_CHUNK      262144 /* frames per test_run call */
#define GEN_THREADS    2 /* on one CPU: one sends while the other waits out its call's teardown */
#define FIRST_REPLY_MS 3000 /* a round fails without a reply by then */
#define SETTLE_MS      3000 /* bound on waiting for the counters to settle */
#define NAPI_RT_PRIO   50   /* SCHED_FIFO priority of the NAPI threads in the own-CPU rounds */
#define RESP_CPU       0    /* the responder's CPU in the own-CPU rounds */

struct gen {
	int prog_fd, ifindex, ns_fd, cpu, len; /* len: bytes of frame sent */
	pid_t softirqd;			       /* ksoftirqd of cpu, 0 if not found */
	unsigned char frame[BENCH_NS_LEN];
	atomic_int stop;
	atomic_int err;
};

/* What a round counts: word (0 replies, 1 other ARP) of a counter map. */
static int count_map = -1, count_word;

static __u64 counted(void)
{
	__u64 v[2] = {0, 0};
	__u32 k = 0;

	bpf_map_lookup_elem(count_map, &k, v);
	return v[count_word & 1];
}

static void *gen_thread(void *arg)
{
	struct gen *g = arg;
	struct xdp_md ctx = {.ingress_ifindex = g->ifindex, .data_end = (__u32)g->len};

	bench_pin_cpu(g->cpu);
	if (setns(g->ns_fd, CLONE_NEWNET)) {
		atomic_store(&g->err, errno);
		return NULL;
	}
	while (!atomic_load(&g->stop)) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = g->frame,
			    .data_size_in = (__u32)g->len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = GEN_CHUNK,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(g->prog_fd, &o)) {
			atomic_store(&g->err, errno);
			break;
		}
	}
	return NULL;
}

static int enter_ns(int fd, const char *what)
{
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "arp_flood: setns %s: %s\n", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* Enters namespace fd (side names it in errors), then finds ifname there (ns_name in errors). */
static int side_iface(int fd, const char *side, const char *ifname, const char *ns_name,
		      int *ifindex, __u8 mac[6])
{
	__u32 idx;

	if (enter_ns(fd, side))
		return -1;
	if (xglb_netif_get(ifname, &idx, mac)) {
		fprintf(stderr, "arp_flood: no %s in %s\n", ifname, ns_name);
		return -1;
	}
	*ifindex = (int)idx;
	return 0;
}

/*
 * Field n (0: CPU time in ns, 1: time waiting to run, 2: times run) of a thread's
 * /proc/PID/schedstat; 0 if unknown.
 */
static __u64 schedstat_field(pid_t pid, int n)
{
	unsigned long long v[3] = {0};
	char path[64];
	FILE *f;

	if (!pid || n < 0 || n > 2)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu %llu", &v[0], &v[1], &v[2]) != 3)
		v[n] = 0;
	fclose(f);
	return v[n];
}

/* CPU time in ns of a thread (0 if unknown). */
static __u64 schedstat_ns(pid_t pid)
{
	return schedstat_field(pid, 0);
}

/* Times a thread was run (scheduled in; 0 if unknown). */
static __u64 schedstat_runs(pid_t pid)
{
	return schedstat_field(pid, 2);
}

/* PID of ksoftirqd/cpu, or 0. */
static pid_t find_ksoftirqd(int cpu)
{
	char want[32], path[64], comm[32];
	pid_t found = 0;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	/* kernel threads started at boot: low PIDs */
	for (int pid = 2; pid < 4096 && !found; pid++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			found = pid;
		fclose(f);
	}
	return found;
}

/* CPU time of the generator threads + ksoftirqd of their CPU, in ns. */
static __u64 flood_cpu_ns(const pthread_t *th, int n, pid_t softirqd)
{
	__u64 sum = schedstat_ns(softirqd);

	for (int i = 0; i < n; i++) {
		clockid_t clk;
		struct timespec ts;

		if (pthread_getcpuclockid(th[i], &clk) == 0 && clock_gettime(clk, &ts) == 0)
			sum += (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	}
	return sum;
}

/*
 * Own-CPU rounds: threaded NAPI on both ends of the pair, the router side's poll thread on
 * CPU 0 (the responder's), the generator side's with the generator on its CPU.
 */
struct napi_side {
	int ns_fd;
	const char *ns_name, *ifname;
	pid_t thread; /* the NAPI kthread of ifname while threaded, else 0 */
};

/*
 * Sets ifname's NAPI threaded (on) or back to softirq polling in its namespace, through a
 * sysfs mounted over /sys in this process's own mount namespace (made in main) while in that
 * network namespace: the only sysfs that shows the namespace's devices; 0 or -1.
 */
static int set_threaded(const struct napi_side *s, int on)
{
	char path[96];
	int fd, rc = -1;

	if (enter_ns(s->ns_fd, s->ns_name))
		return -1;
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		fprintf(stderr, "arp_flood: mount sysfs in %s: %s\n", s->ns_name, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", s->ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, on ? "1" : "0", 1) == 1)
		rc = 0;
	else
		fprintf(stderr, "arp_flood: %s in %s: %s\n", path, s->ns_name, strerror(errno));
	if (fd >= 0)
		close(fd);
	umount2("/sys", MNT_DETACH);
	return rc;
}

/*
 * The kernel thread "napi/IFNAME-<napi id>" (the name cut to 15 characters) polling
 * ifname's one NAPI instance, or 0 if there is none or more than one.
 */
static pid_t find_napi_thread(const char *ifname)
{
	char want[32], path[64], buf[256], *lp, *rp;
	pid_t found = 0;
	int n = 0, ppid;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	snprintf(want, sizeof(want), "napi/%s-", ifname);
	if (!dir || strlen(want) > 15)
		goto out;
	while ((d = readdir(dir))) {
		FILE *f;
		pid_t pid = (pid_t)atoi(d->d_name);

		if (pid <= 2)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		buf[0] = 0;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		lp = strchr(buf, '(');
		rp = strrchr(buf, ')');
		if (!lp || !rp || strncmp(lp + 1, want, strlen(want)))
			continue;
		/* a kernel thread: a child of kthreadd (pid 2) */
		if (sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == 2) {
			found = pid;
			n++;
		}
	}
out:
	if (dir)
		closedir(dir);
	if (n != 1)
		fprintf(stderr, "arp_flood: %d NAPI threads named %s*\n", n, want);
	return n == 1 ? found : 0;
}

/*
 * Moves a thread (a NAPI kthread) onto cpu alone, at a real-time priority: it runs whenever
 * it has frames, as the softirq it replaces would, not in turns with other work there; 0 or -1.
 */
static int pin_thread(pid_t pid, int cpu)
{
	struct sched_param sp = {.sched_priority = NAPI_RT_PRIO};
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(pid, sizeof(set), &set) || sched_setscheduler(pid, SCHED_FIFO, &sp)) {
		fprintf(stderr, "arp_flood: thread %d on CPU %d: %s\n", (int)pid, cpu,
			strerror(errno));
		return -1;
	}
	return 0;
}

static bool own_rounds;	      /* this run has own-CPU rounds ("owncpu") */
static int own_cpu_mode = -1; /* threaded NAPI on both ends (1), softirq (0), unknown (-1) */
static struct napi_side rtr_side, gen_side;

/*
 * Both ends' NAPI threaded and pinned (on: RTR_IF's to RESP_CPU, GEN_IF's to the
 * generator's CPU) or polled in softirq (off); 0 or -1.
 */
static int napi_mode(int on, int gen_cpu)
{
	if (own_cpu_mode != on) {
		if (set_threaded(&rtr_side, on) || set_threaded(&gen_side, on))
			return -1;
		own_cpu_mode = on;
	}
	rtr_side.thread = gen_side.thread = 0;
	if (!on)
		return 0;
	rtr_side.thread = find_napi_thread(rtr_side.ifname);
	gen_side.thread = find_napi_thread(gen_side.ifname);
	if (!rtr_side.thread || !gen_side.thread)
		return -1;
	return pin_thread(rtr_side.thread, RESP_CPU) || pin_thread(gen_side.thread, gen_cpu) ? -1
											     : 0;
}

static pid_t resp_softirqd; /* ksoftirqd of RESP_CPU */

/* The responder CPU's time of an own-CPU round: RTR_IF's NAPI thread and that CPU's ksoftirqd. */
static __u64 resp_cpu_ns(__u64 *soft)
{
	*soft = schedstat_ns(resp_softirqd);
	return schedstat_ns(rtr_side.thread) + *soft;
}

struct round {
	double pps, wall_pps, cpu_load;
	double resp_ns;		   /* own-CPU rounds: the responder CPU's ns per frame counted */
	double soft_pct;	   /* own-CPU rounds: share of that time in the CPU's ksoftirqd */
	double rtr_runs, gen_runs; /* own-CPU rounds: runs of either NAPI thread per 1000 frames */
};

/*
 * tcx (BPF links at the tc hooks, no clsact qdisc, no cls_bpf classifier in between) instead
 * of clsact filters for the round; the links while attached. The attach types, from the
 * kernel's uapi (libbpf 1.1 here has no name for them).
 */
#define ATTACH_TCX_INGRESS 46
#define ATTACH_TCX_EGRESS  47
static bool round_tcx;
static int tcx_link[2] = {-1, -1};
static bool cls_attached; /* the clsact filters of a round */
static bool clsact_made;  /* the qdisc, made once, left to the namespace's end */

/*
 * tc_fd on RTR_IF's tc ingress and eg_fd at its egress for one round (tc_fd >= 0), or both
 * off (tc_fd -1); clsact filters, or tcx links if round_tcx; 0 or -1.
 */
static int rtr_tc(int rtr_ifindex, int tc_fd, int eg_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = rtr_ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_hook, ehook, .ifindex = rtr_ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1, .prog_fd = tc_fd);
	LIBBPF_OPTS(bpf_tc_opts, eopts, .handle = 1, .priority = 1, .prog_fd = eg_fd);
	int err;

	if (tc_fd < 0) {
		opts.prog_fd = eopts.prog_fd = 0;
		if (cls_attached) {
			bpf_tc_detach(&hook, &opts);
			bpf_tc_detach(&ehook, &eopts);
			cls_attached = false;
		}
		for (int i = 0; i < 2; i++) {
			if (tcx_link[i] >= 0)
				close(tcx_link[i]); /* the last reference: detached */
			tcx_link[i] = -1;
		}
		return 0;
	}
	if (round_tcx) {
		tcx_link[0] = bpf_link_create(tc_fd, rtr_ifindex, ATTACH_TCX_INGRESS, NULL);
		tcx_link[1] = bpf_link_create(eg_fd, rtr_ifindex, ATTACH_TCX_EGRESS, NULL);
		if (tcx_link[0] >= 0 && tcx_link[1] >= 0)
			return 0;
		fprintf(stderr, "arp_flood: tcx on the router side: %s\n",
			strerror(-(tcx_link[0] < 0 ? tcx_link[0] : tcx_link[1])));
		return -1;
	}
	err = clsact_made ? 0 : bpf_tc_hook_create(&hook); /* clsact: both hooks */
	clsact_made = true;
	if (!err || err == -EEXIST)
		err = bpf_tc_attach(&hook, &opts);
	cls_attached = true; /* detached in any case */
	if (!err)
		err = bpf_tc_attach(&ehook, &eopts);
	if (err)
		fprintf(stderr, "arp_flood: tc on the router side: %s\n", strerror(-err));
	return err ? -1 : 0;
}

/*
 * One round with prog_fd on the router side (XDP), tc_fd at its tc ingress
 * (-1: none) and eg_fd at its egress, counting word of map; 0 or -1.
 */
static int run_round(struct gen *g, int rtr_ns, int rtr_ifindex, int prog_fd, int tc_fd, int eg_fd,
		     int map, int word, bool own, struct round *r)
{
	__u64 c_start, c0, c1, b0, b1, j0, j1, t0, t1, u0, u1, deadline, last, prev;
	__u64 a0 = 0, a1 = 0, s0 = 0, s1 = 0, rw0 = 0, rw1 = 0, gw0 = 0, gw1 = 0;
	pthread_t th[GEN_THREADS];
	int rc = -1, stable, started = 0;

	if (enter_ns(rtr_ns, "router"))
		return -1;
	if (bpf_xdp_attach(rtr_ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "arp_flood: attach on the router side: %s\n", strerror(errno));
		return -1;
	}
	if (tc_fd >= 0 && rtr_tc(rtr_ifindex, tc_fd, eg_fd))
		return -1;
	if (own_rounds && napi_mode(own, g->cpu))
		return -1;
	count_map = map;
	count_word = word;
	c_start = counted();
	atomic_store(&g->stop, 0);
	atomic_store(&g->err, 0);
	for (; started < GEN_THREADS; started++)
		if (pthread_create(&th[started], NULL, gen_thread, g)) {
			fprintf(stderr, "arp_flood: pthread_create failed\n");
			goto stop;
		}
	/* first reply, then the warm-up, then the window */
	deadline = bench_now_ns(CLOCK_MONOTONIC) + FIRST_REPLY_MS * 1000000ull;
	while (counted() == c_start && !atomic_load(&g->err) &&
	       bench_now_ns(CLOCK_MONOTONIC) < deadline)
		bench_sleep_ms(5);
	if (counted() == c_start) {
		fprintf(stderr, "arp_flood: nothing counted within %d ms (generator: %s)\n",
			FIRST_REPLY_MS,
			atomic_load(&g->err) ? strerror(atomic_load(&g->err)) : "running");
		goto stop;
	}
	bench_sleep_ms(WARMUP_MS);
	t0 = bench_now_ns(CLOCK_MONOTONIC);
	c0 = counted();
	bench_cpu_times(own ? RESP_CPU : g->cpu, &b0, &j0);
	u0 = flood_cpu_ns(th, started, g->softirqd);
	if (own) {
		a0 = resp_cpu_ns(&s0);
		rw0 = schedstat_runs(rtr_side.thread);
		gw0 = schedstat_runs(gen_side.thread);
	}
	bench_sleep_ms(WINDOW_MS);
	t1 = bench_now_ns(CLOCK_MONOTONIC);
	c1 = counted();
	bench_cpu_times(own ? RESP_CPU : g->cpu, &b1, &j1);
	u1 = flood_cpu_ns(th, started, g->softirqd);
	if (own) {
		a1 = resp_cpu_ns(&s1);
		rw1 = schedstat_runs(rtr_side.thread);
		gw1 = schedstat_runs(gen_side.thread);
	}
	if (atomic_load(&g->err)) {
		fprintf(stderr, "arp_flood: generator: %s\n", strerror(atomic_load(&g->err)));
		goto stop;
	}
	r->wall_pps = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	/* per second of the CPU the flood had; never above the wall clock's */
	r->pps = u1 - u0 > t1 - t0 || u1 <= u0 ? r->wall_pps
					       : (double)(c1 - c0) * 1e9 / (double)(u1 - u0);
	r->cpu_load = j1 > j0 ? (double)(b1 - b0) / (double)(j1 - j0) : 0;
	if (own) {
		/* per second of the responder CPU's time (its NAPI thread and ksoftirqd) */
		if (a1 <= a0 || c1 <= c0) {
			fprintf(stderr,
				"arp_flood: no responder CPU time or frames in the window\n");
			goto stop;
		}
		r->pps = (double)(c1 - c0) * 1e9 / (double)(a1 - a0);
		r->resp_ns = (double)(a1 - a0) / (double)(c1 - c0);
		r->soft_pct = 100.0 * (double)(s1 - s0) / (double)(a1 - a0);
		r->rtr_runs = 1000.0 * (double)(rw1 - rw0) / (double)(c1 - c0);
		r->gen_runs = 1000.0 * (double)(gw1 - gw0) / (double)(c1 - c0);
	}
	rc = 0;
stop:
	atomic_store(&g->stop, 1);
	while (started > 0)
		pthread_join(th[--started], NULL); /* returns after the current chunk */
	/* drain: the counter is unchanged over 4 polls 10 ms apart */
	deadline = bench_now_ns(CLOCK_MONOTONIC) + SETTLE_MS * 1000000ull;
	prev = counted();
	stable = 0;
	while (stable < 4 && bench_now_ns(CLOCK_MONOTONIC) < deadline) {
		bench_sleep_ms(10);
		last = counted();
		stable = last == prev ? stable + 1 : 0;
		prev = last;
	}
	if (stable < 4) {
		fprintf(stderr, "arp_flood: frames still arriving %d ms after the flood\n",
			SETTLE_MS);
		rc = -1;
	}
	if (tc_fd >= 0 && enter_ns(rtr_ns, "router") == 0)
		rtr_tc(rtr_ifindex, -1, -1);
	return rc;
}

static double per_reply_ns(double pps, double rig_pps)
{
	return pps > 0 && rig_pps > 0 ? 1e9 / pps - 1e9 / rig_pps : 0;
}

/* S_O*: the own-CPU rounds (the responder on a CPU of its own), without "tc" */
enum { S_RIG, S_KERNEL, S_FLOOR, S_XGLB, S_XGLB_TCX, S_ORIG, S_OKERNEL, S_OFLOOR, S_OXGLB, S_MAX };
static const char *const side_name[S_MAX] = {"rig", "kernel", "floor", "xglb", "xglb_tcx",
					     "rig", "kernel", "floor", "xglb"};

static bool own_side(int sd)
{
	return sd >= S_ORIG;
}

/* xglb_tcx is a tc round: with "tc" only; the own-CPU rounds with "owncpu" only. */
static bool has_side(int sd, bool tc, bool own)
{
	if (own_side(sd))
		return own;
	return sd != S_XGLB_TCX || tc;
}

/* A side's counterpart in the other CPU placement's rounds */
static int base_side(int sd)
{
	return sd == S_ORIG	 ? S_RIG
	       : sd == S_OKERNEL ? S_KERNEL
	       : sd == S_OFLOOR	 ? S_FLOOR
	       : sd == S_OXGLB	 ? S_XGLB
				 : sd;
}

/*
 * The figures of one CPU placement from the medians: rates in pps (per second of the CPU
 * the placement charges), wall rates in wall, sides rig, kernel, floor, xglb; prefix p.
 */
static void print_set(const char *p, const double *pps, const double *wall, int rig, int kernel,
		      int floor, int xglb)
{
	double k = pps[kernel], x = pps[xglb], rg = pps[rig], f = pps[floor];
	double kn = per_reply_ns(k, rg), xn = per_reply_ns(x, rg);
	double kf = per_reply_ns(k, f), xf = per_reply_ns(x, f);

	printf("BENCH %s_xglb_pps %.0f pps\n", p, x);
	printf("BENCH %s_kernel_pps %.0f pps\n", p, k);
	printf("BENCH %s_ratio_vs_kernel %.1f x\n", p, k > 0 ? x / k : 0.0);
	printf("BENCH %s_rig_pps %.0f pps\n", p, rg);
	printf("BENCH %s_xglb_ns_per_reply_over_rig %.0f ns\n", p, xn);
	printf("BENCH %s_kernel_ns_per_reply_over_rig %.0f ns\n", p, kn);
	printf("BENCH %s_responder_ratio_vs_kernel %.1f x\n", p, xn > 0 ? kn / xn : 0.0);
	/* the least any responder at this hook costs, and what xglb and the kernel add to it */
	printf("BENCH %s_floor_pps %.0f pps\n", p, f);
	printf("BENCH %s_floor_ratio_vs_kernel %.1f x\n", p, k > 0 ? f / k : 0.0);
	printf("BENCH %s_floor_ns_per_reply_over_rig %.0f ns\n", p, per_reply_ns(f, rg));
	printf("BENCH %s_xglb_ns_per_reply_over_floor %.0f ns\n", p, xf);
	printf("BENCH %s_kernel_ns_per_reply_over_floor %.0f ns\n", p, kf);
	printf("BENCH %s_responder_over_floor_ratio_vs_kernel %.1f x\n", p, xf > 0 ? kf / xf : 0.0);
	printf("BENCH %s_wall_ratio_vs_kernel %.1f x\n", p,
	       wall[kernel] > 0 ? wall[xglb] / wall[kernel] : 0.0);
}

int main(int argc, char **argv)
{
	int self_ns = -1, gen_ns = -1, rtr_ns = -1, gen_ifindex = 0, rtr_ifindex = 0;
	int reply_map = -1, rig_map = -1, reply_fd = -1, rig_fd = -1, pass_fd = -1, rc = 1;
	struct bench_xdp *helpers = NULL, *rig = NULL; /* rig: a second counter of its own */
	int ncpu = libbpf_num_possible_cpus();
	bool gen_attached = false, rtr_attached = false;
	double pps[S_MAX][ROUNDS], wall[S_MAX][ROUNDS], load[S_MAX][ROUNDS], med[S_MAX],
	    mwall[S_MAX], mload[S_MAX], resp[S_MAX][ROUNDS], soft[S_MAX][ROUNDS], mresp[S_MAX],
	    msoft[S_MAX], rruns[S_MAX][ROUNDS], gruns[S_MAX][ROUNDS], mrruns[S_MAX], mgruns[S_MAX];
	char own_p[40];
	__u64 x_reply0, x_peer0, x_guard0, v[2];
	struct xglb_bank bank = {0};
	struct xglb *skel = NULL;
	__u8 gen_mac[6], rtr_mac[6];
	static struct gen g;
	__be32 vip, gen_ip;
	__u32 zero = 0, r_reply, r_peer, r_guard;
	bool tc = argc == 8 && !strcmp(argv[7], "tc");
	bool ndp = (argc == 10 || argc == 11) && !strcmp(argv[7], "ndp");
	/* the own-CPU rounds too: "xdp owncpu", "ndp VIP6 GEN_IP6 owncpu" */
	bool own = (argc == 9 && !strcmp(argv[7], "xdp") && !strcmp(argv[8], "owncpu")) ||
		   (argc == 11 && ndp && !strcmp(argv[10], "owncpu"));
	/* the figures' prefix */
	const char *P = tc ? "arp_flood_tc" : ndp ? "ndp_flood" : "arp_flood";
#define SP(sd) (own_side(sd) ? own_p : P) /* a side's prefix */
	__u8 vip6[16], gen_ip6[16];

	if ((argc != 7 && argc != 8 && !ndp && !own) ||
	    (argc == 8 && !tc && strcmp(argv[7], "xdp")) || (argc == 11 && !own) ||
	    (ndp && (inet_pton(AF_INET6, argv[8], vip6) != 1 ||
		     inet_pton(AF_INET6, argv[9], gen_ip6) != 1))) {
		fprintf(
		    stderr,
		    "usage: arp_flood GEN_NS RTR_NS GEN_IF RTR_IF VIP GEN_IP [xdp [owncpu]|tc]\n"
		    "       arp_flood GEN_NS RTR_NS GEN_IF RTR_IF VIP GEN_IP ndp VIP6 GEN_IP6 "
		    "[owncpu]\n");
		return 2;
	}
	r_reply = tc	? XGLB_R_TC_TX_ARP_REPLY
		  : ndp ? XGLB_R_XDP_TX_NA_REPLY
			: XGLB_R_XDP_TX_ARP_REPLY;
	r_guard = tc ? XGLB_R_TC_EGRESS_PASS_VMAC_ARP : XGLB_R_TC_EGRESS_DROP_VIP_ARP;
	r_peer = tc    ? XGLB_R_TC_DROP_ARP_PEER
		 : ndp ? XGLB_R_XDP_DROP_NDP_PEER
		       : XGLB_R_XDP_DROP_ARP_PEER;
	g.len = ndp ? BENCH_NS_LEN : BENCH_FRAME_LEN;
	vip = inet_addr(argv[5]);
	gen_ip = inet_addr(argv[6]);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	bench_pin_cpu(0); /* this thread sleeps; the generator gets the last CPU */
	g.cpu = ncpu > 1 ? ncpu - 1 : 0;
	g.softirqd = find_ksoftirqd(g.cpu);
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	gen_ns = bench_open_ns("arp_flood", argv[1]);
	rtr_ns = bench_open_ns("arp_flood", argv[2]);
	if (self_ns < 0 || gen_ns < 0 || rtr_ns < 0)
		goto out;
	/* the own-CPU rounds' figures */
	snprintf(own_p, sizeof(own_p), "%s_owncpu", P);
	if (own) {
		/*
		 * Own-CPU rounds: a mount namespace of this process's own (made before any thread),
		 * where a sysfs of each network namespace is mounted while its NAPI mode is set.
		 */
		if (ncpu < 2 || g.cpu == RESP_CPU) {
			fprintf(stderr, "arp_flood: the own-CPU rounds need 2 CPUs\n");
			goto out;
		}
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
			fprintf(stderr, "arp_flood: private mount namespace: %s\n",
				strerror(errno));
			goto out;
		}
		own_rounds = true;
		rtr_side = (struct napi_side){rtr_ns, argv[2], argv[4], 0};
		gen_side = (struct napi_side){gen_ns, argv[1], argv[3], 0};
		resp_softirqd = find_ksoftirqd(RESP_CPU);
	}

	/*
	 * Counters (tests/bench/bench_xdp.bpf.c): replies on GEN_IF, requests on
	 * RTR_IF in the rig round; each instance counts into its own .bss, one
	 * 16-byte value (replies, other ARP). The rig's instance loads its
	 * counter only; the generator's (below, once its frame is known) also
	 * brings the generator and the empty program.
	 */
	rig = bench_open_helpers("arp_flood", ndp ? BENCH_P_COUNT6 : BENCH_P_COUNT, NULL);
	if (!rig)
		goto out;
	rig_map = bpf_map__fd(rig->maps.bss);
	rig_fd = bpf_program__fd(ndp ? rig->progs.xglb_b_count6 : rig->progs.xglb_b_count);

	/* router side: xglb with one group, this node its AVG on RTR_IF */
	if (side_iface(rtr_ns, "router", argv[4], argv[2], &rtr_ifindex, rtr_mac))
		goto out;
	skel = bench_load_xglb("arp_flood");
	if (!skel)
		goto out;
	if (bench_install_group(skel, &bank, 1, vip, rtr_ifindex, rtr_mac) ||
	    (ndp && bench_install_vip6(&bank, vip, rtr_ifindex, rtr_mac, vip6)))
		goto out;
	rtr_attached = true; /* from here on, detach on the way out */

	/* generator side: reply counter on GEN_IF, the generator program */
	if (side_iface(gen_ns, "generator", argv[3], argv[1], &gen_ifindex, gen_mac))
		goto out;
	if (ndp) {
		struct h_frame f;

		h_ns_resolve(&f, gen_mac, gen_ip6, vip6); /* to VIP6's solicited-node group */
		memcpy(g.frame, f.b, BENCH_NS_LEN);
	} else {
		bench_arp_request(g.frame, gen_mac, gen_ip, vip);
	}
	helpers = bench_open_helpers(
	    "arp_flood",
	    BENCH_P_EMPTY | (ndp ? BENCH_P_GEN6 | BENCH_P_COUNT6 : BENCH_P_GEN | BENCH_P_COUNT) |
		(tc ? BENCH_P_TC : BENCH_P_BOUNCE),
	    g.frame);
	if (!helpers)
		goto out;
	reply_map = bpf_map__fd(helpers->maps.bss);
	reply_fd =
	    bpf_program__fd(ndp ? helpers->progs.xglb_b_count6 : helpers->progs.xglb_b_count);
	pass_fd = bpf_program__fd(helpers->progs.xglb_b_empty); /* XDP_PASS: the kernel answers */
	g.prog_fd = bpf_program__fd(ndp ? helpers->progs.xglb_b_gen6 : helpers->progs.xglb_b_gen);
	gen_attached = true;
	if (bpf_xdp_attach(gen_ifindex, reply_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "arp_flood: attach counter: %s\n", strerror(errno));
		goto out;
	}
	g.ifindex = gen_ifindex;
	g.ns_fd = gen_ns;

	x_reply0 = bench_stat(skel, r_reply);
	x_peer0 = bench_stat(skel, r_peer);
	x_guard0 = bench_stat(skel, r_guard);
	for (int i = 0; i < ROUNDS; i++) {
		for (int sd = 0; sd < S_MAX; sd++) {
			int b = base_side(sd); /* own-CPU rounds: the same programs */
			/*
			 * XDP: the counter (rig), XDP_PASS (kernel; tc: every side, xglb_tc behind
			 * it), the bounce (floor), xglb_xdp
			 */
			int prog = b == S_RIG		 ? rig_fd
				   : b == S_KERNEL || tc ? pass_fd
				   : b == S_FLOOR
				       ? bpf_program__fd(ndp ? helpers->progs.xglb_b_bounce6
							     : helpers->progs.xglb_b_bounce)
				       : bpf_program__fd(skel->progs.xglb_xdp);
			/* tc: xglb_tc and the guard, or the floor's bounce and empty program */
			int tc_fd = !tc ? -1
				    : b == S_XGLB || b == S_XGLB_TCX
					? bpf_program__fd(skel->progs.xglb_tc)
				    : b == S_FLOOR ? bpf_program__fd(helpers->progs.xglb_b_tcbounce)
						   : -1;
			int eg_fd = b == S_XGLB || b == S_XGLB_TCX
					? bpf_program__fd(skel->progs.xglb_tc_egress)
					: bpf_program__fd(helpers->progs.xglb_b_tcpass);
			/* the rig counts requests (word 1) at RTR_IF; the others replies at GEN_IF
			 */
			int map = b == S_RIG ? rig_map : reply_map, word = b == S_RIG ? 1 : 0;
			struct round r = {0, 0, 0, 0, 0, 0, 0};

			if (!has_side(sd, tc, own))
				continue;
			round_tcx = sd == S_XGLB_TCX;
			if (run_round(&g, rtr_ns, rtr_ifindex, prog, tc_fd, eg_fd, map, word,
				      own_side(sd), &r)) {
				fprintf(stderr, "arp_flood: %s round %d failed\n", side_name[sd],
					i + 1);
				goto out;
			}
			pps[sd][i] = r.pps;
			wall[sd][i] = r.wall_pps;
			load[sd][i] = r.cpu_load;
			resp[sd][i] = r.resp_ns;
			soft[sd][i] = r.soft_pct;
			rruns[sd][i] = r.rtr_runs;
			gruns[sd][i] = r.gen_runs;
		}
	}
	/* xglb answered, and from intact requests (no recycled reply came back as a request) */
	bpf_map_lookup_elem(reply_map, &zero, v);
	/* tc: every answer passed the egress guard on its way out */
	if (bench_stat(skel, r_reply) == x_reply0 || bench_stat(skel, r_peer) != x_peer0 ||
	    (tc && bench_stat(skel, r_guard) - x_guard0 != bench_stat(skel, r_reply) - x_reply0)) {
		fprintf(stderr,
			"arp_flood: sanity: xglb replies %llu, peer drops %llu, guard %llu\n",
			(unsigned long long)(bench_stat(skel, r_reply) - x_reply0),
			(unsigned long long)(bench_stat(skel, r_peer) - x_peer0),
			(unsigned long long)(bench_stat(skel, r_guard) - x_guard0));
		goto out;
	}
	/* every round, in the order run, before the medians sort them */
	for (int i = 0; i < ROUNDS; i++)
		for (int sd = 0; sd < S_MAX; sd++)
			if (has_side(sd, tc, own))
				printf("BENCH %s_%s_pps_round%d %.0f pps\n", SP(sd), side_name[sd],
				       i + 1, pps[sd][i]);
	for (int sd = 0; sd < S_MAX; sd++) {
		if (!has_side(sd, tc, own))
			continue;
		mload[sd] = bench_median_d(load[sd], ROUNDS);
		mwall[sd] = bench_median_d(wall[sd], ROUNDS);
		mresp[sd] = bench_median_d(resp[sd], ROUNDS);
		msoft[sd] = bench_median_d(soft[sd], ROUNDS);
		mrruns[sd] = bench_median_d(rruns[sd], ROUNDS);
		mgruns[sd] = bench_median_d(gruns[sd], ROUNDS);
		med[sd] = bench_median_d(pps[sd], ROUNDS); /* sorts: [0] min, [ROUNDS-1] max */
	}
	{
		double k = med[S_KERNEL], x = med[S_XGLB], t = med[S_XGLB_TCX];

		/* one CPU for rig and responder: the headline figures */
		print_set(P, med, mwall, S_RIG, S_KERNEL, S_FLOOR, S_XGLB);
		if (tc) {
			/* the same programs attached as tcx links instead of clsact filters */
			printf("BENCH %s_xglb_tcx_pps %.0f pps\n", P, t);
			printf("BENCH %s_xglb_tcx_ratio_vs_kernel %.1f x\n", P,
			       k > 0 ? t / k : 0.0);
			printf("BENCH %s_clsact_ns_per_reply_over_tcx %.0f ns\n", P,
			       x > 0 && t > 0 ? 1e9 / x - 1e9 / t : 0.0);
		}
		if (own) {
			/* the responder on a CPU of its own: rates per second of that CPU */
			print_set(own_p, med, mwall, S_ORIG, S_OKERNEL, S_OFLOOR, S_OXGLB);
			printf("BENCH %s_xglb_ns_per_reply %.0f ns\n", own_p, mresp[S_OXGLB]);
			printf("BENCH %s_kernel_ns_per_reply %.0f ns\n", own_p, mresp[S_OKERNEL]);
			printf("BENCH %s_floor_ns_per_reply %.0f ns\n", own_p, mresp[S_OFLOOR]);
			printf("BENCH %s_rig_ns_per_frame %.0f ns\n", own_p, mresp[S_ORIG]);
		}
		for (int sd = 0; sd < S_MAX; sd++)
			if (has_side(sd, tc, own))
				printf(
				    "BENCH %s_%s_pps_min %.0f pps\nBENCH %s_%s_pps_max %.0f pps\n",
				    SP(sd), side_name[sd], pps[sd][0], SP(sd), side_name[sd],
				    pps[sd][ROUNDS - 1]);
		for (int sd = 0; sd < S_MAX; sd++)
			if (has_side(sd, tc, own))
				printf("BENCH %s_%s_wall_pps %.0f pps\n", SP(sd), side_name[sd],
				       mwall[sd]);
		/* own-CPU rounds: the responder CPU's load; one CPU: the flood CPU's */
		for (int sd = 0; sd < S_MAX; sd++)
			if (has_side(sd, tc, own))
				printf("BENCH %s_%s_cpu_load_pct %.0f %%\n", SP(sd), side_name[sd],
				       100 * mload[sd]);
		/* the share of the responder CPU's time its ksoftirqd had (NAPI thread: the rest)
		 */
		for (int sd = 0; sd < S_MAX; sd++)
			if (has_side(sd, tc, own) && own_side(sd))
				printf("BENCH %s_%s_ksoftirqd_pct %.1f %%\n", SP(sd), side_name[sd],
				       msoft[sd]);
		/* how often either NAPI thread was run (woken) per 1000 frames counted */
		for (int sd = 0; sd < S_MAX; sd++)
			if (has_side(sd, tc, own) && own_side(sd))
				printf("BENCH %s_%s_napi_runs_per_1k %.1f runs\nBENCH "
				       "%s_%s_gen_napi_runs_per_1k %.1f runs\n",
				       SP(sd), side_name[sd], mrruns[sd], SP(sd), side_name[sd],
				       mgruns[sd]);
		/* ARP (IPv6) other than replies at GEN_IF (e.g. kernel probes): expected 0 */
		printf("BENCH %s_other_%s_seen %llu frames\n", P, ndp ? "ipv6" : "arp",
		       (unsigned long long)v[1]);
		printf("BENCH %s_rounds %d rounds_per_side\n", P, ROUNDS);
		printf("BENCH %s_window_ms %d ms\n", P, WINDOW_MS);
	}
	rc = 0;
out:
	/* NAPI back to softirq polling, detach what this program attached; run.sh deletes the
	 * namespaces too */
	if (own_cpu_mode > 0)
		napi_mode(0, g.cpu);
	if (rtr_attached && enter_ns(rtr_ns, "router") == 0)
		bpf_xdp_detach(rtr_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (gen_attached && enter_ns(gen_ns, "generator") == 0)
		bpf_xdp_detach(gen_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (self_ns >= 0)
		setns(self_ns, CLONE_NEWNET);
	xglb_bank_close(&bank);
	xglb__destroy(skel);
	bench_xdp__destroy(helpers);
	bench_xdp__destroy(rig);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* main.c - start-up, the epoll loop, the heartbeat and the watchdog. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ifaddrs.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include "xglb.skel.h"
#include "bank.h"
#include "bootctr.h"
#include "cfgstate.h"
#include "cluster.h"
#include "ctlsock.h"
#include "http.h"
#include "metrics.h"
#include "config.h"
#include "learn.h"
#include "loader.h"
#include "log.h"
#include "netif.h"
#include "owners.h"
#include "tables.h"
#include "track.h"
#include "daemon.h"

__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void heartbeat(struct daemon *d)
{
	xglb_bank_heartbeat(&d->bank, now_ns(), (__u64)d->cfg->lease_ms * 1000000ull);
	if (d->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");
}

/* Idle work: pay the RCU grace period of the next table switch now, not on a failover. */
static void idle(struct daemon *d)
{
	if (d->grace.running) { /* off the loop: a thread pays it (grace.h) */
		if (!xglb_bank_synced(&d->bank))
			xglb_grace_ask(&d->grace);
		return;
	}
	xglb_bank_quiesce(&d->bank);
}

int arm_timer(int fd, __u64 period_ms)
{
	struct itimerspec its = {0};

	if (period_ms) {
		its.it_interval.tv_sec = period_ms / 1000;
		its.it_interval.tv_nsec = (period_ms % 1000) * 1000000;
		its.it_value = its.it_interval;
	}
	return timerfd_settime(fd, 0, &its, NULL);
}

__u64 heartbeat_period_ms(const struct daemon *d)
{
	__u64 p = d->cfg->lease_ms / 4;

	if (d->watchdog_usec && p > d->watchdog_usec / 2000)
		p = d->watchdog_usec / 2000;
	return p < 10 ? 10 : p;
}

static int setup_fds(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};
	const int *const fds[] = {&d->again_fd, &d->trk_tfd,  &d->mem_tfd, &d->sigfd,
				  &d->hb_fd,	&d->learn_fd, &d->walk_fd, &d->seen_fd};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->hb_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->learn_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->mem_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->trk_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->again_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->again = calloc(REDIST_AGAIN_MAX, sizeof(*d->again));
	d->walk_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->walk.keys = calloc(REDIST_STEP, sizeof(*d->walk.keys));
	d->walk.vals = calloc(REDIST_STEP, sizeof(*d->walk.vals));
	d->seen_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->seen.keys = calloc(REDIST_STEP, sizeof(*d->seen.keys));
	d->seen.vals = calloc(REDIST_STEP, sizeof(*d->seen.vals));
	d->rxf_want = calloc(1, sizeof(*d->rxf_want));
	d->rxf_last = calloc(1, sizeof(*d->rxf_last));
	if (!d->rxf_want || !d->rxf_last || xglb_rxf_init(&d->rxf))
		return -ENOMEM;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->hb_fd < 0 || d->learn_fd < 0 || d->mem_tfd < 0 || d->trk_tfd < 0 ||
	    d->again_fd < 0 || !d->again || d->walk_fd < 0 || !d->walk.keys || !d->walk.vals ||
	    d->seen_fd < 0 || !d->seen.keys || !d->seen.vals || d->epfd < 0)
		return -errno ? -errno : -ENOMEM;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		ev.data.fd = *fds[i];
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, *fds[i], &ev);
	}
	return 0;
}

/* Returns when asked to stop. */
static void run(struct daemon *d)
{
	__u64 leave_at = 0, leave_by = 0, bound; /* a clean stop in progress (membership) */

	for (;;) {
		struct epoll_event evs[8];
		int n;
		unsigned int bulk = 0; /* redistribution steps due this turn: run after the rest */
		__u64 wake, due, tx;

		d->ht.turn_end_ns = now_ns();
		n = epoll_wait(d->epfd, evs, 8, -1);
		wake = now_ns();
		/* The membership deadline (hellos) passed while we waited or worked: how late,
		 * and until its hellos went out, whichever handler sends them. */
		due = d->ht.due_ns && wake >= d->ht.due_ns ? d->ht.due_ns : 0;
		if (due)
			hello_timer_handled(&d->ht, wake);
		tx = d->cl ? d->cl->mem.tx_ok + d->cl->mem.tx_err : 0;

		if (n < 0 && errno != EINTR) {
			pr_err("epoll_wait: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			enum loop_kind kind = loop_kind(d, fd);
			__u64 ticks, t_ev = now_ns();

			if (fd == d->hb_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0) {
					__u64 t_q;

					heartbeat(d);
					t_q = now_ns();
					idle(d);
					loop_account(&d->ht, LOOP_QUIESCE, t_q, now_ns());
					seen_sweep(d);
					fastpath_tick(d);
					if (d->http)
						xglb_http_run(d->http); /* connection timeouts */
				}
			} else if (d->cl && fd == xglb_cluster_fd(d->cl)) {
				xglb_cluster_readable(d->cl, now_ns());
				arm_membership(d);
			} else if (fd == d->mem_tfd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0 && d->cl)
					xglb_cluster_tick(d->cl, now_ns());
				arm_membership(d);
			} else if (fd == d->nw.fd) {
				netwatch_event(d);
			} else if (fd == d->trk.nl_fd) {
				xglb_tracker_netlink(&d->trk);
				track_apply(d);
				arm_membership(d);
			} else if (fd == d->trk.icmp_fd) {
				xglb_tracker_icmp(&d->trk, now_ns());
				track_apply(d);
				arm_membership(d);
			} else if (fd == d->trk_tfd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0) {
					xglb_tracker_poll(&d->trk, now_ns());
					track_apply(d);
					arm_membership(d);
				}
			} else if (d->http && fd == xglb_http_fd(d->http)) {
				xglb_http_run(d->http);
			} else if (xglb_ctlsock_owns(&d->ctl, fd)) {
				xglb_ctlsock_event(&d->ctl, d->epfd, fd, ctl_handle, d);
			} else if (fd == d->learn_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					send_learning(d);
			} else if (conflicts_owns(d, fd)) {
				if (conflicts_event(d, fd))
					bulk |= BULK_DEFEND;
			} else if (fd == d->again_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					bulk |= BULK_AGAIN;
			} else if (fd == d->na.tfd) {
				nodeaddr_timer(d);
			} else if (fd == d->ra.tfd) {
				ra_tick(d);
			} else if (fd == d->ra.rs_fd) {
				ra_rs_event(d);
			} else if (fd == d->walk_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					bulk |= BULK_WALK;
			} else if (fd == d->nic.tfd) {
				nic_tick(d);
			} else if (fd == d->seen_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					bulk |= BULK_SEEN;
			} else if (fd == d->sigfd) {
				struct signalfd_siginfo si;

				if (read(fd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP && leave_by) {
					pr_warn("SIGHUP while stopping: not reloading");
					continue;
				}
				if (si.ssi_signo == SIGHUP) {
					reload(d);
					continue;
				}
				if (d->cl && !leave_by) {
					/* A clean stop hands everything over first, so no host
					 * waits a hold time for what this node served. */
					bound = xglb_cluster_leave_bound_ms(d->cl);
					leave_at = now_ns();
					leave_by = leave_at + bound * 1000000ull;
					pr_info("signal %u: stopping; handing roles and forwarders "
						"to the peers (at most %llu ms; again: at once)",
						si.ssi_signo, (unsigned long long)bound);
					/* systemd's stop timeout must cover the hand-over */
					sd_notifyf(0, "STOPPING=1\nEXTEND_TIMEOUT_USEC=%llu",
						   (unsigned long long)(bound + 2000) * 1000);
					xglb_cluster_leave(d->cl, leave_at);
					arm_membership(d);
					continue;
				}
				pr_info("signal %u: stopping", si.ssi_signo);
				return;
			}
			loop_account(&d->ht, kind, t_ev, now_ns());
			if (due && d->cl && d->cl->mem.tx_ok + d->cl->mem.tx_err != tx) {
				hello_timer_sent(&d->ht, due, now_ns());
				due = 0;
			}
		}
		/* A table switch this turn: its grace period is paid off the loop at once. */
		xglb_grace_ask(&d->grace);
		/* The bulk senders (redistribution) last: a hello or heartbeat due in the
		 * same turn has gone out before any of their steps. */
		run_bulk(d, bulk);
		if (leave_by) {
			__u64 now = now_ns();

			if (xglb_cluster_left(d->cl, now)) {
				pr_info("handed over in %llu ms: stopping",
					(unsigned long long)((now - leave_at) / 1000000));
				return;
			}
			if (now >= leave_by) {
				pr_warn("hand-over not confirmed after %llu ms: stopping anyway",
					(unsigned long long)((now - leave_at) / 1000000));
				return;
			}
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: xglbd [OPTIONS]\n"
		   "Run the xglb gateway load balancer on this router.\n\n"
		   "  -c, --config FILE     configuration (default " XGLB_DEFAULT_CONFIG ")\n"
		   "  -n, --node NAME       this router's node name (overrides \"node:\")\n"
		   "  -p, --pin-root DIR    where BPF maps are pinned (overrides \"pin-root:\")\n"
		   "  -t, --config-test     check the configuration and exit (0 ok, 1 errors)\n"
		   "  -v, --verbose         debug logging (twice: libbpf/libxdp too)\n"
		   "  -V, --version         print the version and exit\n"
		   "  -h, --help            this help\n\n"
		   "Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT hand roles and\n"
		   "forwarders to the peers, then stop and detach (a second one: at once).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},	{"node", required_argument, NULL, 'n'},
	    {"pin-root", required_argument, NULL, 'p'}, {"config-test", no_argument, NULL, 't'},
	    {"verbose", no_argument, NULL, 'v'},	{"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},		{0},
	};
	struct daemon d = {.config_path = XGLB_DEFAULT_CONFIG,
			   .pkt_fd = -1,
			   .ra.tfd = -1,
			   .ra.rs_fd = -1,
			   .ctl.fd = -1,
			   .trk.nl_fd = -1,
			   .trk.icmp_fd = -1,
			   .nw.fd = -1,
			   .na.tfd = -1,
			   .nic.tfd = -1};
	bool test_only = false;
	int verbose = 0, c, err, rc = 1;

	/* Large buffers (a status document, start-up's parsing) go back to the system when
	 * freed, rather than raising glibc's threshold and staying resident in the heap. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	while ((c = getopt_long(argc, argv, "c:n:p:tvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'n':
			d.node_override = optarg;
			break;
		case 'p':
			d.pin_root_override = optarg;
			break;
		case 't':
			test_only = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("xglbd %s\n", XGLB_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xglbd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	xglb_log_init("xglbd", verbose ? XGLB_LOG_DEBUG : XGLB_LOG_INFO);
	xglb_rxvlan_init(&d.rxvlan, &xglb_rxvlan_netif);
	if (xglb_ifkern_init(&d.ifkern, &xglb_ifkern_kernel, XGLB_IFKERN_PERIOD_MS)) {
		fprintf(stderr, "xglbd: %s\n", strerror(ENOMEM));
		return 1;
	}
	if (verbose > 1)
		xglb_log_libs();
	else
		libbpf_set_print(NULL);

	d.cfg = load_config(&d);
	if (!d.cfg)
		return 1;
	if (test_only) {
		printf("%s: ok (%d nodes, %d groups; this node %s)\n", d.config_path,
		       d.cfg->n_nodes, d.cfg->n_groups, d.cfg->nodes[d.cfg->self].name);
		free(d.cfg);
		return 0;
	}
	if (d.cfg->membership) {
		/* Before anything is attached or sent: a boot that cannot be made
		 * durable could be handed out again after a crash, and a peer would
		 * then take this run's hellos for an earlier run's, or the reverse. */
		char why[2 * XGLB_PATH_MAX];

		err = xglb_boot_next(d.cfg->state_dir, &d.boot, why, sizeof(why));
		if (err) {
			pr_err("boot counter: %s; not starting (state-dir: in %s)", why,
			       d.config_path);
			goto out;
		}
		pr_info("boot counter %u (%s/%s)", d.boot, d.cfg->state_dir, XGLB_BOOT_FILE);
	}
	/* After the boot counter, whose state-dir problem is the one to report
	 * first (the token file lives there too by default). */
	if (console_token_load(&d, false))
		goto out; /* before anything is attached: nothing to undo */
	if (sd_watchdog_enabled(0, &d.watchdog_usec) <= 0)
		d.watchdog_usec = 0;
	if (setup_fds(&d))
		goto out;
	/* Interfaces and addresses may come up after us (a NIC, a bridge, DHCP). */
	err = netwatch_wait(&d);
	if (err == 1)
		rc = 0;
	if (err || resolve_ifaces(d.cfg, &d.ifs))
		goto out;
	/* What the unicast filters hold, before any table switch (membership's first included). */
	rx_filter_ifaces(&d); /* a failure is logged; adds are tried at every switch */
	err = xglb_loader_open(&d.ld, d.cfg->pin_root, d.cfg->datapath, d.cfg->xdp_mode,
			       d.cfg->host_table_size);
	if (err)
		goto out;
	err = xglb_loader_attach_some(&d.ld, d.ifs.ifindex, d.ifs.dp, d.ifs.n);
	if (err)
		goto detach;
	err = xglb_bank_open(&d.bank, bpf_map__fd(d.ld.skel->maps.xglb_ctl),
			     bpf_map__fd(d.ld.skel->maps.xglb_groups),
			     bpf_map__fd(d.ld.skel->maps.xglb_vips));
	if (err) {
		pr_err("mapping xglb_ctl: %s", strerror(-err));
		goto detach;
	}
	err = xglb_bank_open_vip6(&d.bank, bpf_map__fd(d.ld.skel->maps.xglb_vips6));
	if (err) {
		pr_err("the IPv6 address index: %s", strerror(-err));
		goto detach;
	}
	/*
	 * The data path's front cache (xglb_host_cache, pinned) may hold hosts an
	 * earlier xglbd's table had and this one has not (a replaced or carried-over
	 * table): a new generation stops it answering from them before the table.
	 */
	__atomic_fetch_add(&d.bank.ctl->hosts_gen, 1, __ATOMIC_RELEASE);
	xglb_bank_set_beat(&d.bank, bpf_program__fd(d.ld.skel->progs.xglb_beat));
	/* both threads walk the loader's mapping of xglb_hosts: one mapping, one copy resident */
	err = xglb_hostcount_start(&d.hosts, &d.ld.hosts, bpf_map__fd(d.ld.skel->maps.xglb_seen));
	if (err)
		pr_warn("counting xglb_hosts: %s (no host counts in /metrics)", strerror(-err));
	err =
	    xglb_hostage_start_seen(&d.hostage, &d.ld.hosts, bpf_map__fd(d.ld.skel->maps.xglb_seen),
				    xglb_hosttab_capacity(&d.ld.hosts), d.bank.ctl);
	if (err)
		pr_warn("ageing xglb_hosts: %s (a full host table stays full)", strerror(-err));
	err = xglb_grace_start(&d.grace, &d.bank);
	if (err)
		pr_warn("grace period thread: %s (table switches wait for grace periods on the "
			"event loop)",
			strerror(-err));
	if (open_steering(&d))
		goto detach;
	/* Resume the version sequence of tables a previous xglbd left pinned. */
	d.version = d.bank.ctl->flips ? (__u32)d.bank.ctl->flips : 0;
	d.bank.ctl->boot = d.boot; /* for xglbctl; the counter itself lives in state-dir */
	d.prev_beat_ns = d.bank.ctl->flips ? d.bank.ctl->heartbeat_ns : 0;
	heartbeat(&d);
	if (d.cfg->membership && start_membership(&d))
		goto detach;
	err = xglb_tracker_open(&d.trk, d.cfg, now_ns());
	if (err || track_epoll(&d)) {
		pr_err("tracking: %s", strerror(-err));
		goto detach;
	}
	if (d.cfg->n_track && !d.cl)
		pr_warn("tracking: without membership, tracked objects change nothing");
	arm_timer(d.trk_tfd, d.cfg->n_track ? 100 : 0);
	track_apply(&d);
	fastpath_sync(&d); /* the ways out before the tables that use them */
	if (write_ifaces(&d) || commit_tables(&d))
		goto detach;
	err = xglb_ctlsock_open(&d.ctl, d.cfg->control_socket);
	if (err || xglb_ctlsock_epoll(&d.ctl, d.epfd)) {
		pr_err("control socket %s: %s", d.cfg->control_socket, strerror(-err));
		goto detach;
	}
	if (http_start(&d))
		goto detach;
	sync_vips(&d, false); /* receive VLAN offload changed here, before the first hello */
	err = xglb_rxvlan_start(&d.rxvlan);
	if (err)
		pr_warn("receive VLAN offload thread: %s (changed on the event loop)",
			strerror(-err));
	err = xglb_ifkern_start(&d.ifkern);
	if (err)
		pr_warn("interface read thread: %s (status shows the interfaces as read at start)",
			strerror(-err));
	d.pkt_fd = xglb_learn_socket();
	if (d.pkt_fd < 0)
		pr_warn("no packet socket for learning frames: %s", strerror(-d.pkt_fd));
	err = conflicts_open(&d);
	if (err)
		pr_warn("no conflict reports from the data path: %s", strerror(-err));
	send_learning(&d);
	err = ra_open(&d);
	if (err)
		pr_warn("router solicitations: %s (RAs are sent, solicitations not answered)",
			strerror(-err));
	ra_schedule(&d);
	arm_timer(d.hb_fd, heartbeat_period_ms(&d));
	arm_timer(d.learn_fd, d.cfg->learn_interval_ms);
	if (netwatch_start(&d) || nodeaddr_init(&d) || nic_open(&d))
		goto detach;
	netwatch_resync(&d); /* forwarding, and anything that changed while we started */
	arm_membership(&d);
	apply_realtime(&d);
	malloc_trim(0); /* what loading the object and the configuration left free */
	sd_notify(0, "READY=1");
	pr_info(
	    "ready: node %s (id %u), %d groups on %d interfaces, tables version %u, pin-root %s",
	    d.cfg->nodes[d.cfg->self].name, d.cfg->nodes[d.cfg->self].id, d.cfg->n_groups, d.ifs.n,
	    d.version, d.cfg->pin_root);

	run(&d);
	sd_notify(0, "STOPPING=1");
	ra_final_stop(
	    &d); /* the last router of a group: router lifetime 0, while the addresses stand */
	rc = 0;
	sync_vips(&d, true);
	sysctls_restore(&d);
detach:
	sysctls_restore(&d); /* a failed start leaves them as it found them */
	conflicts_close(&d);
	http_stop(&d);
	xglb_ifkern_stop(&d.ifkern);
	xglb_tracker_close(&d.trk);
	xglb_ctlsock_close(&d.ctl);
	if (d.cl) {
		xglb_cluster_close(d.cl);
		free(d.cl);
	}
	xglb_hostcount_stop(&d.hosts);
	xglb_hostage_stop(&d.hostage);
	xglb_grace_stop(&d.grace);
	xglb_loader_detach(&d.ld, true);
	/* The data path is gone: its vMACs leave the filters (only ours). */
	xglb_rxf_close(d.rxf);
	xglb_bank_close(&d.bank);
	xglb_loader_close(&d.ld);
out:
	if (d.nw.fd >= 0)
		close(d.nw.fd);
	if (d.na.tfd >= 0)
		close(d.na.tfd);
	if (d.nic.tfd >= 0)
		close(d.nic.tfd);
	if (d.pkt_fd >= 0)
		close(d.pkt_fd);
	ra_close(&d);
	free(d.cfg);
	free(d.rxf_want);
	free(d.rxf_last);
	return rc;
}

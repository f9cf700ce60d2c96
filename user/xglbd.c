// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglbd.c - the xglb daemon: loads the data plane, writes its tables, keeps the heartbeat, reloads. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
#include "cfgstate.h"
#include "config.h"
#include "learn.h"
#include "loader.h"
#include "log.h"
#include "netif.h"
#include "tables.h"

#define XGLB_VERSION "0.1.0"
#define LO_IFINDEX 1

/* The interfaces the configuration uses, resolved. */
struct ifaces {
	int n;
	char name[XGLB_MAX_IFACES][IF_NAMESIZE];
	__u32 ifindex[XGLB_MAX_IFACES];
	__u8 mac[XGLB_MAX_IFACES][6];
};

struct daemon {
	struct xglb_config *cfg;
	const char *config_path, *node_override, *pin_root_override;
	struct xglb_loader ld;
	struct xglb_bank bank;
	struct ifaces ifs;
	__u32 version;
	bool vip_ours[XGLB_MAX_GROUPS]; /* by gid: we added vip_of[gid]/32 to lo */
	__be32 vip_of[XGLB_MAX_GROUPS];
	int epfd, sigfd, hb_fd, learn_fd, pkt_fd;
	uint64_t watchdog_usec;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int iface_find(const struct ifaces *ifs, const char *name)
{
	for (int i = 0; i < ifs->n; i++)
		if (!strcmp(ifs->name[i], name))
			return i;
	return -1;
}

/* Resolve every interface the configuration names; all or nothing. */
static int resolve_ifaces(const struct xglb_config *cfg, struct ifaces *ifs)
{
	memset(ifs, 0, sizeof(*ifs));
	for (int g = 0; g < cfg->n_groups; g++) {
		for (int i = 0; i < cfg->groups[g].n_ifaces; i++) {
			const char *name = cfg->groups[g].ifaces[i];
			int err, k = ifs->n;

			if (iface_find(ifs, name) >= 0)
				continue;
			if (k == XGLB_MAX_IFACES) {
				pr_err("%s: more than %d interfaces", cfg->path, XGLB_MAX_IFACES);
				return -E2BIG;
			}
			err = xglb_netif_get(name, &ifs->ifindex[k], ifs->mac[k]);
			if (err) {
				pr_err("%s:%d: groups[%d].interfaces: %s: %s", cfg->path,
				       cfg->groups[g].line, g, name, strerror(-err));
				return err;
			}
			snprintf(ifs->name[k], IF_NAMESIZE, "%s", name);
			ifs->n++;
		}
	}
	return 0;
}

/* Build every group's table as this node sees it and switch banks. */
static int commit_tables(struct daemon *d)
{
	static struct xglb_group groups[XGLB_MAX_GROUPS];
	const struct xglb_config *cfg = d->cfg;
	__u32 self = cfg->nodes[cfg->self].id;
	int err;

	d->version++;
	for (int g = 0; g < cfg->n_groups; g++) {
		__u32 ifidx[XGLB_GROUP_IFACES] = { 0 };
		struct xglb_group_state st;

		for (int i = 0; i < cfg->groups[g].n_ifaces; i++)
			ifidx[i] = d->ifs.ifindex[iface_find(&d->ifs, cfg->groups[g].ifaces[i])];
		xglb_cfg_group_state(cfg, g, ifidx, d->version, &st);
		xglb_build_group(&st, self, &groups[g]);
	}
	err = xglb_bank_commit(&d->bank, groups, cfg->n_groups);
	if (err)
		pr_err("writing tables: %s", strerror(-err));
	return err;
}

static int write_ifaces(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_ifaces);

	for (int i = 0; i < d->ifs.n; i++) {
		struct xglb_iface v = { 0 };

		memcpy(v.mac, d->ifs.mac[i], 6);
		if (bpf_map_update_elem(fd, &d->ifs.ifindex[i], &v, BPF_ANY)) {
			pr_err("%s: writing xglb_ifaces: %s", d->ifs.name[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static void heartbeat(struct daemon *d)
{
	xglb_bank_heartbeat(&d->bank, now_ns(), (__u64)d->cfg->lease_ms * 1000000ull);
	if (d->watchdog_usec)
		sd_notify(0, "WATCHDOG=1");
}

/* Learning frames from every vMAC this node owns, on each group interface. */
static void send_learning(struct daemon *d)
{
	const struct xglb_config *cfg = d->cfg;
	__u32 self = cfg->nodes[cfg->self].id;
	__u8 frame[XGLB_LEARN_FRAME_LEN], vmac[6];

	if (d->pkt_fd < 0)
		return;
	for (int g = 0; g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];

		for (int f = 0; f < cg->n_fwd; f++) {
			if (cfg->nodes[cg->fwd[f].owner].id != self)
				continue;
			xglb_vmac(cg->id, cg->fwd[f].index, vmac);
			xglb_learn_frame(frame, vmac, cg->vip);
			for (int i = 0; i < cg->n_ifaces; i++) {
				__u32 ifindex = d->ifs.ifindex[iface_find(&d->ifs, cg->ifaces[i])];
				int err = xglb_learn_send(d->pkt_fd, ifindex, frame, sizeof(frame));

				if (err)
					pr_debug("learning frame on %s: %s", cg->ifaces[i], strerror(-err));
			}
		}
	}
}

/* VIPs live on lo so every router answers pings to the gateway; ARP never shows them. */
static bool vip_wanted(const struct xglb_config *cfg, int gid, __be32 vip)
{
	for (int g = 0; g < cfg->n_groups; g++)
		if (cfg->groups[g].id == gid && cfg->groups[g].vip == vip)
			return true;
	return false;
}

static void sync_vips(struct daemon *d, bool remove_all)
{
	const struct xglb_config *cfg = d->cfg;

	/* Remove the VIPs we added that are gone from the configuration (or all). */
	for (int id = 1; id < XGLB_MAX_GROUPS; id++) {
		if (!d->vip_ours[id] || (!remove_all && vip_wanted(cfg, id, d->vip_of[id])))
			continue;
		xglb_netif_addr_del(LO_IFINDEX, d->vip_of[id]);
		d->vip_ours[id] = false;
	}
	for (int g = 0; !remove_all && g < cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];
		char ip[INET_ADDRSTRLEN];
		int ret;

		inet_ntop(AF_INET, &cg->vip, ip, sizeof(ip));
		ret = xglb_netif_addr_add(LO_IFINDEX, cg->vip);
		if (ret < 0)
			pr_warn("group %u: adding VIP %s/32 to lo: %s", cg->id, ip, strerror(-ret));
		if (ret == 1) {
			d->vip_ours[cg->id] = true;
			d->vip_of[cg->id] = cg->vip;
		}
		for (int i = 0; i < cg->n_ifaces; i++) {
			/* Never pick the VIP as the source of the kernel's own ARP. */
			ret = xglb_netif_sysctl(cg->ifaces[i], "arp_announce", "2");
			if (ret)
				pr_warn("%s: arp_announce: %s", cg->ifaces[i], strerror(-ret));
		}
	}
}

static int arm_timer(int fd, __u64 period_ms)
{
	struct itimerspec its = { 0 };

	if (period_ms) {
		its.it_interval.tv_sec = period_ms / 1000;
		its.it_interval.tv_nsec = (period_ms % 1000) * 1000000;
		its.it_value = its.it_interval;
	}
	return timerfd_settime(fd, 0, &its, NULL);
}

static __u64 heartbeat_period_ms(const struct daemon *d)
{
	__u64 p = d->cfg->lease_ms / 4;

	if (d->watchdog_usec && p > d->watchdog_usec / 2000)
		p = d->watchdog_usec / 2000;
	return p < 10 ? 10 : p;
}

static struct xglb_config *load_config(const struct daemon *d)
{
	struct xglb_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	if (xglb_config_load(d->config_path, d->node_override, cfg, stderr)) {
		free(cfg);
		return NULL;
	}
	if (d->pin_root_override)
		snprintf(cfg->pin_root, sizeof(cfg->pin_root), "%s", d->pin_root_override);
	return cfg;
}

/*
 * SIGHUP: a new configuration replaces the running one only if it parses,
 * its interfaces exist and attach; otherwise the running state stays.
 */
static void reload(struct daemon *d)
{
	struct xglb_config *ncfg, *old = d->cfg;
	struct ifaces nifs, oifs = d->ifs;
	int err;

	sd_notify(0, "RELOADING=1");
	pr_info("reloading %s", d->config_path);
	ncfg = load_config(d);
	if (!ncfg) {
		pr_err("reload: %s has errors; keeping the running configuration", d->config_path);
		goto out;
	}
	if (strcmp(ncfg->pin_root, old->pin_root) ||
	    ncfg->nodes[ncfg->self].id != old->nodes[old->self].id) {
		pr_err("reload: pin-root and this node's id change only with a restart; keeping the "
		       "running configuration");
		free(ncfg);
		goto out;
	}
	if (resolve_ifaces(ncfg, &nifs)) {
		pr_err("reload: keeping the running configuration");
		free(ncfg);
		goto out;
	}
	err = xglb_loader_attach(&d->ld, nifs.ifindex, nifs.n);
	if (err) {
		pr_err("reload: attaching: %s; keeping the running configuration", strerror(-err));
		xglb_loader_attach(&d->ld, oifs.ifindex, oifs.n);
		free(ncfg);
		goto out;
	}
	d->cfg = ncfg;
	d->ifs = nifs;
	if (write_ifaces(d) || commit_tables(d)) {
		pr_err("reload: writing tables failed; restoring the running configuration");
		d->cfg = old;
		d->ifs = oifs;
		commit_tables(d);
		free(ncfg);
		goto out;
	}
	/* Interfaces no longer used lose our programs. */
	for (int i = 0; i < oifs.n; i++) {
		if (iface_find(&nifs, oifs.name[i]) < 0) {
			struct xglb_loader one = d->ld;

			one.n_if = 1;
			one.ifindex[0] = oifs.ifindex[i];
			xglb_loader_detach(&one, false);
			bpf_map_delete_elem(bpf_map__fd(d->ld.skel->maps.xglb_ifaces),
					    &oifs.ifindex[i]);
		}
	}
	sync_vips(d, false);
	heartbeat(d);
	arm_timer(d->hb_fd, heartbeat_period_ms(d));
	arm_timer(d->learn_fd, d->cfg->learn_interval_ms);
	send_learning(d);
	free(old);
	pr_info("reloaded: %d groups on %d interfaces, tables version %u", d->cfg->n_groups,
		d->ifs.n, d->version);
out:
	sd_notify(0, "READY=1");
}

static int setup_fds(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->hb_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->learn_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->hb_fd < 0 || d->learn_fd < 0 || d->epfd < 0)
		return -errno;
	ev.data.fd = d->sigfd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev);
	ev.data.fd = d->hb_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->hb_fd, &ev);
	ev.data.fd = d->learn_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->learn_fd, &ev);
	return 0;
}

/* Returns when asked to stop. */
static void run(struct daemon *d)
{
	for (;;) {
		struct epoll_event evs[8];
		int n = epoll_wait(d->epfd, evs, 8, -1);

		if (n < 0 && errno != EINTR) {
			pr_err("epoll_wait: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			__u64 ticks;

			if (fd == d->hb_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					heartbeat(d);
			} else if (fd == d->learn_fd) {
				if (read(fd, &ticks, sizeof(ticks)) > 0)
					send_learning(d);
			} else if (fd == d->sigfd) {
				struct signalfd_siginfo si;

				if (read(fd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(d);
					continue;
				}
				pr_info("signal %u: stopping", si.ssi_signo);
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
		   "Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop and detach.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "config-test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct daemon d = { .config_path = XGLB_DEFAULT_CONFIG, .pkt_fd = -1 };
	bool test_only = false;
	int verbose = 0, c, err, rc = 1;

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
	if (sd_watchdog_enabled(0, &d.watchdog_usec) <= 0)
		d.watchdog_usec = 0;
	if (setup_fds(&d) || resolve_ifaces(d.cfg, &d.ifs))
		goto out;
	err = xglb_loader_open(&d.ld, d.cfg->pin_root);
	if (err)
		goto out;
	err = xglb_loader_attach(&d.ld, d.ifs.ifindex, d.ifs.n);
	if (err)
		goto detach;
	err = xglb_bank_open(&d.bank, bpf_map__fd(d.ld.skel->maps.xglb_ctl),
			     bpf_map__fd(d.ld.skel->maps.xglb_groups),
			     bpf_map__fd(d.ld.skel->maps.xglb_vips));
	if (err) {
		pr_err("mapping xglb_ctl: %s", strerror(-err));
		goto detach;
	}
	/* Resume the version sequence of tables a previous xglbd left pinned. */
	d.version = d.bank.ctl->flips ? (__u32)d.bank.ctl->flips : 0;
	heartbeat(&d);
	if (write_ifaces(&d) || commit_tables(&d))
		goto detach;
	sync_vips(&d, false);
	d.pkt_fd = xglb_learn_socket();
	if (d.pkt_fd < 0)
		pr_warn("no packet socket for learning frames: %s", strerror(-d.pkt_fd));
	send_learning(&d);
	arm_timer(d.hb_fd, heartbeat_period_ms(&d));
	arm_timer(d.learn_fd, d.cfg->learn_interval_ms);
	sd_notify(0, "READY=1");
	pr_info("ready: node %s (id %u), %d groups on %d interfaces, tables version %u, pin-root %s",
		d.cfg->nodes[d.cfg->self].name, d.cfg->nodes[d.cfg->self].id, d.cfg->n_groups,
		d.ifs.n, d.version, d.cfg->pin_root);

	run(&d);
	sd_notify(0, "STOPPING=1");
	rc = 0;
	sync_vips(&d, true);
detach:
	xglb_loader_detach(&d.ld, true);
	xglb_bank_close(&d.bank);
	xglb_loader_close(&d.ld);
out:
	if (d.pkt_fd >= 0)
		close(d.pkt_fd);
	free(d.cfg);
	return rc;
}

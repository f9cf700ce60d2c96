// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* membership.c - the membership callbacks, object tracking and the membership timer. */
#include <errno.h>
#include <getopt.h>
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

/* ---- membership callbacks ------------------------------------------------ */

static void cb_commit(void *ctx)
{
	commit_tables(ctx);
}

/* ---- tracking ------------------------------------------------------------------ */

/*
 * Our advertised priority and weight: what tracking leaves of the
 * configured values, or nothing while an operator has us drained.
 */
void apply_self(struct daemon *d, bool force)
{
	bool changed = xglb_tracker_update(&d->trk);
	__u8 prio = d->drained ? 0 : d->trk.effect.priority;
	__u16 weight = d->drained ? 0 : d->trk.effect.weight;

	if ((!changed && !force) || !d->cl)
		return;
	pr_info("advertising priority %u, weight %u%s", prio, weight,
		d->drained		  ? " (drained)"
		: d->trk.effect.withdrawn ? " (withdrawn by tracking)"
					  : "");
	xglb_cluster_set_self(d->cl, prio, weight);
	xglb_cluster_tick(d->cl, now_ns());
}

void track_apply(struct daemon *d)
{
	apply_self(d, false);
}

static void cb_drain(void *ctx, bool drained)
{
	struct daemon *d = ctx;

	if (d->drained == drained)
		return;
	d->drained = drained;
	pr_info("%s by an operator", drained ? "drained" : "undrained");
	apply_self(d, true);
}

int track_epoll(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};

	if (d->trk.nl_fd >= 0) {
		ev.data.fd = d->trk.nl_fd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->trk.nl_fd, &ev) && errno != EEXIST)
			return -errno;
	}
	if (d->trk.icmp_fd >= 0) {
		ev.data.fd = d->trk.icmp_fd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->trk.icmp_fd, &ev) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

/*
 * Armed relative to the time we read, never as an absolute time: then the
 * timer keeps its interval whatever clock the kernel's timer and our reading
 * disagree on (a clock faked for this process shifts only the latter). Only
 * when the earliest deadline moved (arm_deadline): a hello received moves
 * its sender's hold, which ends after our next hello is due, so most turns
 * leave the timer as it is and make no system call for it.
 */
void arm_membership(struct daemon *d)
{
	__u64 now;

	if (!d->cl)
		return;
	now = now_ns();
	arm_deadline(d->mem_tfd, &d->ht.armed_ns, xglb_cluster_next(d->cl, now), now);
	d->ht.due_ns = d->ht.armed_ns; /* how late it is handled: hello_timer_handled (main.c) */
}

/* Our MAC on each group's segment (its first interface), for hellos. */
void group_macs(const struct xglb_config *cfg, const struct ifaces *ifs, __u8 (*macs)[6])
{
	for (int g = 0; g < cfg->n_groups; g++)
		memcpy(macs[g], ifs->mac[iface_find(ifs, cfg->groups[g].ifaces[0])], 6);
}

/*
 * Membership: restore each group from the tables a previous xglbd left
 * pinned (if any), then start the state machines and the socket.
 */
/*
 * A restart of the AVG (kill -9, a crash) that comes back within the hold
 * time keeps the role: the peers still count on it and elect no one else,
 * and its data plane answered ARP on the lease meanwhile. Only if its last
 * heartbeat is younger than hold less one hello, so its hellos resume
 * before any peer can have declared it down.
 */
static void resume_avg(struct daemon *d, const struct xglb_group *const *restore)
{
	__u64 now = now_ns();

	for (int g = 0; d->prev_beat_ns && now > d->prev_beat_ns && g < d->cfg->n_groups; g++) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		__u64 age_ms = (now - d->prev_beat_ns) / 1000000;

		if (!restore[g] || !(restore[g]->flags & XGLB_GRP_AVG))
			continue;
		if (age_ms + cg->hello_ms >= cg->hold_ms) {
			pr_info("group %u: was the AVG %llu ms ago, too long for hold %u ms: "
				"starting afresh",
				cg->id, (unsigned long long)age_ms, cg->hold_ms);
			continue;
		}
		xglb_fsm_resume_avg(&d->cl->fsm[g]);
		pr_info("group %u: was the AVG %llu ms ago (hold %u ms): keeping the role", cg->id,
			(unsigned long long)age_ms, cg->hold_ms);
	}
}

int start_membership(struct daemon *d)
{
	static struct xglb_group pinned[XGLB_MAX_GROUPS];
	const struct xglb_group *restore[XGLB_MAX_GROUPS] = {NULL};
	__u8 macs[XGLB_MAX_GROUPS][6];
	struct xglb_cluster_io io = {.ctx = d,
				     .commit = cb_commit,
				     .learn = cb_learn,
				     .redistribute = cb_redistribute,
				     .loads = cb_loads,
				     .drain = cb_drain};
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_groups), ev_err;
	struct epoll_event ev = {.events = EPOLLIN};
	__u32 bank = xglb_bank_active(&d->bank);
	int err;

	for (int g = 0; d->bank.ctl->flips && g < d->cfg->n_groups; g++) {
		__u32 key = XGLB_GROUP_KEY(bank, d->cfg->groups[g].id);

		if (bpf_map_lookup_elem(fd, &key, &pinned[g]) == 0 &&
		    (pinned[g].flags & XGLB_GRP_ENABLED))
			restore[g] = &pinned[g];
	}
	group_macs(d->cfg, &d->ifs, macs);
	d->cl = calloc(1, sizeof(*d->cl));
	if (!d->cl)
		return -ENOMEM;
	err = xglb_cluster_init(d->cl, d->cfg, d->boot, (const __u8(*)[6])macs, restore, now_ns(),
				&io);
	if (err) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &d->cfg->nodes[d->cfg->self].address, ip, sizeof(ip));
		pr_err("membership socket %s port %u (node %s's address): %s", ip, d->cfg->port,
		       d->cfg->nodes[d->cfg->self].name, strerror(-err));
		free(d->cl);
		d->cl = NULL;
		return err;
	}
	resume_avg(d, restore);
	steer_segments(d);
	ev.data.fd = xglb_cluster_fd(d->cl);
	ev_err = epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	return ev_err ? -errno : 0;
}

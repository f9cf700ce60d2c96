// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* redist.c - learning frames and the redistribution of hosts by unsolicited ARP replies. */
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

/* Learning frames from forwarder idx of cfg group g, on each of the group's interfaces. */
static void learn_one(struct daemon *d, int g, int idx)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	__u8 frame[XGLB_LEARN_FRAME_LEN], vmac[6];

	if (d->pkt_fd < 0)
		return;
	xglb_vmac(cg->id, (__u8)idx, vmac);
	xglb_learn_frame(frame, vmac, cg->vip);
	for (int i = 0; i < cg->n_ifaces; i++) {
		__u32 ifindex = d->ifs.ifindex[iface_find(&d->ifs, cg->ifaces[i])];
		int err = xglb_learn_send(d->pkt_fd, ifindex, frame, sizeof(frame));

		if (err)
			pr_debug("learning frame on %s: %s", cg->ifaces[i], strerror(-err));
	}
}

/*
 * Learning frames from every vMAC this node owns. A forwarder we are
 * releasing after a planned move is still local in the tables (we keep
 * accepting its frames) but must not be announced: that would pull the
 * switch port back from its new owner. Nor is any vMAC of a group in its
 * startup hold: after a restart its tables may be the pinned ones of
 * before, naming forwarders a peer has taken over since; the group asks
 * for learning frames itself once the hold is over (xglb_fsm_starting).
 */
void send_learning(struct daemon *d)
{
	__u64 now = now_ns();

	for (int g = 0; g < d->cfg->n_groups; g++) {
		if (d->cl && xglb_cluster_starting(d->cl, g, now))
			continue;
		for (int f = 0; f < d->tables[g].n_fwd; f++)
			if ((d->tables[g].fwd[f].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL)) ==
				(XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL) &&
			    (!d->cl || xglb_cluster_owns(d->cl, g, f)))
				learn_one(d, g, f);
	}
}

void cb_learn(void *ctx, int g, unsigned int mask)
{
	for (int f = 0; f < XGLB_MAX_FWD; f++)
		if (mask & (1u << f))
			learn_one(ctx, g, f);
}

void cb_loads(void *ctx, int g, __u64 bytes[XGLB_MAX_FWD])
{
	struct daemon *d = ctx;
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(d->ld.skel->maps.xglb_fwd_stats);
	struct xglb_fwd_stats vals[ncpu];

	for (__u32 f = 0; f < XGLB_MAX_FWD; f++) {
		__u32 key = d->cfg->groups[g].id * XGLB_MAX_FWD + f;

		bytes[f] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				bytes[f] += vals[c].bytes;
	}
}

/*
 * The forwarders in mask were removed by the timeout. Each host the AVG had given
 * one of them is handed a live forwarder: its host entry is rewritten and
 * it gets an unsolicited ARP reply naming the new vMAC, unicast, so it
 * moves without waiting for its cache to expire.
 */
void cb_redistribute(void *ctx, int g, unsigned int mask)
{
	struct daemon *d = ctx;
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	const struct xglb_group *tbl = &d->tables[g];
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts), ifi;
	struct xglb_host_key key, *prev = NULL;
	__u8 frame[XGLB_LEARN_FRAME_LEN];
	struct xglb_host h;
	int moved = 0;

	if (!(tbl->flags & XGLB_GRP_AVG) || d->pkt_fd < 0)
		return; /* only the AVG knows the hosts */
	ifi = iface_find(&d->ifs, cg->ifaces[0]);
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		int to;

		prev = &key;
		if (key.gid != cg->id || bpf_map_lookup_elem(fd, &key, &h) ||
		    !(mask & (1u << h.fwd)) || !h.ip)
			continue;
		to = xglb_table_pick(tbl, key.mac, d->rr[g]++);
		if (to < 0)
			break; /* no forwarder takes new hosts: they will ARP again */
		h.fwd = (__u8)to;
		bpf_map_update_elem(fd, &key, &h, BPF_EXIST);
		xglb_arp_reply_frame(frame, d->ifs.mac[ifi], tbl->fwd[to].vmac, cg->vip, key.mac,
				     h.ip);
		if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame, sizeof(frame)) == 0)
			moved++;
		if (d->again && d->n_again < REDIST_AGAIN_MAX)
			d->again[d->n_again++] = (struct redist_again){
			    .key = key, .ip = h.ip, .g = (__u8)g, .to = (__u8)to};
	}
	d->redistributed += moved;
	if (d->n_again) {
		struct itimerspec its = {.it_value = {.tv_sec = REDIST_AGAIN_MS / 1000,
						      .tv_nsec = REDIST_AGAIN_MS % 1000 * 1000000}};

		timerfd_settime(d->again_fd, 0, &its, NULL);
	}
	pr_info("group %u: %d hosts of removed forwarders moved by unsolicited ARP", cg->id, moved);
}

/*
 * The second unsolicited reply to each moved host, if the AVG still gives
 * it that forwarder (no ARP of its own, no other move since).
 */
void redistribute_again(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts), sent = 0;
	__u8 frame[XGLB_LEARN_FRAME_LEN];

	for (int i = 0; i < d->n_again; i++) {
		const struct redist_again *a = &d->again[i];
		const struct xglb_cfg_group *cg;
		const struct xglb_group *tbl;
		struct xglb_host h;
		int ifi;

		if (a->g >= d->cfg->n_groups)
			continue; /* a reload removed the group */
		cg = &d->cfg->groups[a->g];
		tbl = &d->tables[a->g];
		if (!(tbl->flags & XGLB_GRP_AVG) || cg->id != a->key.gid || a->to >= tbl->n_fwd ||
		    !(tbl->fwd[a->to].flags & XGLB_FWD_ACTIVE) ||
		    bpf_map_lookup_elem(fd, &a->key, &h) || h.fwd != a->to || h.ip != a->ip)
			continue;
		ifi = iface_find(&d->ifs, cg->ifaces[0]);
		xglb_arp_reply_frame(frame, d->ifs.mac[ifi], tbl->fwd[a->to].vmac, cg->vip,
				     a->key.mac, a->ip);
		if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame, sizeof(frame)) == 0)
			sent++;
	}
	d->redist_repeated += sent;
	pr_debug("%d of %d moved hosts told again", sent, d->n_again);
	d->n_again = 0;
}

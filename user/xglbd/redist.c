// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* redist.c - learning frames and the redistribution of hosts by unsolicited ARP replies and NAs. */
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
#include "ndmsg.h"
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
	for (int i = 0; i < cg->n_ifaces; i++) {
		int k = iface_find(&d->ifs, cg->ifaces[i]);
		__u32 ifindex = d->ifs.ifindex[k];
		int err;

		xglb_learn_frame(frame, vmac, cg->vip, d->ifs.mac[k]);
		err = xglb_learn_send(d->pkt_fd, ifindex, frame, sizeof(frame));

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

/*
 * A forwarder's load: the bytes to its vMAC and the bytes back to its hosts
 * (both maps), for every hello: one batch lookup of the group's 16 keys a
 * map (keys gid * 16 .. gid * 16 + 15, after gid * 16 - 1), not 32 lookups.
 */
void cb_loads(void *ctx, int g, __u64 bytes[XGLB_MAX_FWD])
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct daemon *d = ctx;
	int ncpu = libbpf_num_possible_cpus(),
	    fds[2] = {bpf_map__fd(d->ld.skel->maps.xglb_fwd_stats),
		      bpf_map__fd(d->ld.skel->maps.xglb_fwd_tx_stats)};
	__u32 first = d->cfg->groups[g].id * XGLB_MAX_FWD, keys[XGLB_MAX_FWD];
	struct xglb_fwd_stats vals[XGLB_MAX_FWD * ncpu];

	memset(bytes, 0, XGLB_MAX_FWD * sizeof(bytes[0]));
	for (int m = 0; m < 2; m++) {
		__u32 prev = first - 1, out, n = XGLB_MAX_FWD;
		int err = bpf_map_lookup_batch(fds[m], &prev, &out, keys, vals, &n, &opts);

		if (err && errno != ENOENT) { /* no batch lookups here: key by key */
			n = 0;
			for (__u32 f = 0; f < XGLB_MAX_FWD; f++) {
				keys[n] = first + f;
				n += bpf_map_lookup_elem(fds[m], &keys[n], &vals[n * ncpu]) == 0;
			}
		}
		for (__u32 i = 0; i < n; i++)
			if (keys[i] >= first && keys[i] < first + XGLB_MAX_FWD)
				for (int c = 0; c < ncpu; c++)
					bytes[keys[i] - first] += vals[i * ncpu + c].bytes;
	}
}

/* Arm timerfd fd to fire after ns, or at once (the next turn of the event loop) for 0. */
static void arm_once(int fd, __u64 ns)
{
	struct itimerspec its = {.it_value = {.tv_sec = (time_t)(ns / 1000000000ull),
					      .tv_nsec = (long)(ns % 1000000000ull)}};

	if (!ns)
		its.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &its, NULL);
}

/*
 * The forwarders in mask were removed by the timeout. Each host the AVG had
 * given one of them is handed a live forwarder: its host entry is rewritten
 * and it gets an unsolicited ARP reply naming the new vMAC, unicast (an
 * IPv6 host: an unsolicited NA per virtual IPv6 address, tell_moved), so it
 * moves without waiting for its cache to expire. The walk of xglb_hosts
 * runs in steps (redistribute_step); a new removal while it runs starts it
 * over with both masks (the hosts already moved no longer match).
 */
void cb_redistribute(void *ctx, int g, unsigned int mask)
{
	struct daemon *d = ctx;
	struct redist_walk *w = &d->walk;

	if (!(d->tables[g].flags & XGLB_GRP_AVG) || d->pkt_fd < 0)
		return; /* only the AVG knows the hosts */
	if (w->gid[g] != d->cfg->groups[g].id)
		w->mask[g] = 0;
	w->gid[g] = (__u8)d->cfg->groups[g].id;
	w->mask[g] |= mask;
	pr_info("group %u: moving the hosts of removed forwarders 0x%x (xglb_hosts walked %d "
		"entries per turn)%s",
		d->cfg->groups[g].id, w->mask[g], REDIST_STEP,
		w->running ? "; the walk under way starts over" : "");
	if (!w->running) {
		w->visited = w->moved = w->steps = w->max_step_ns = 0;
		w->t0_ns = now_ns();
	}
	w->running = true;
	w->started = false;
	w->n = w->next = 0;
	w->fetch_err = 0;
	arm_once(d->walk_fd, 0);
}

/*
 * Tell a host of cfg group g that forwarder to is now its gateway, from
 * the group's first interface: an unsolicited ARP reply if ARP gave us its
 * IPv4 address, and, if it asked by neighbour solicitation, an unsolicited
 * NA with the override flag for each of the group's virtual IPv6 addresses
 * (ndmsg.h). True if anything went out.
 */
static bool tell_moved(struct daemon *d, int g, int to, const __u8 host[6], __be32 ip, __u8 flags)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	const __u8 *vmac = d->tables[g].fwd[to].vmac;
	int ifi = iface_find(&d->ifs, cg->ifaces[0]);
	__u8 frame[86];
	bool sent = false;

	if (ip) {
		xglb_arp_reply_frame(frame, d->ifs.mac[ifi], vmac, cg->vip, host, ip);
		sent |= xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame,
					XGLB_LEARN_FRAME_LEN) == 0;
	}
	for (int a = 0; (flags & XGLB_HOST_NDP) && a < cg->n_addr6; a++) {
		xglb_na_move_frame(frame, d->ifs.mac[ifi], host, cg->addr6[a], vmac);
		if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame, sizeof(frame)) == 0) {
			d->ra.na_moved++;
			sent = true;
		}
	}
	return sent;
}

/* Remember a moved host for its second reply, if there is room. */
static void remember(struct daemon *d, const struct xglb_host_key *key, __be32 ip, __u8 flags,
		     int g, int to)
{
	if (d->n_again >= REDIST_AGAIN_MAX)
		return;
	d->again[(d->again_head + d->n_again++) % REDIST_AGAIN_MAX] =
	    (struct redist_again){.key = *key,
				  .ip = ip,
				  .flags = flags,
				  .g = (__u8)g,
				  .to = (__u8)to,
				  .due_ns = now_ns() + REDIST_AGAIN_MS * 1000000ull};
	if (d->n_again == 1)
		arm_once(d->again_fd, REDIST_AGAIN_MS * 1000000ull);
}

/* One host entry met by the walk: moved if its forwarder was removed. */
static void visit(struct daemon *d, const struct xglb_host_key *key, struct xglb_host *h, int fd)
{
	struct redist_walk *w = &d->walk;
	int g, to;

	for (g = 0; g < d->cfg->n_groups; g++)
		if (w->mask[g] && w->gid[g] == key->gid)
			break;
	if (g == d->cfg->n_groups || h->fwd >= XGLB_MAX_FWD || !(w->mask[g] & (1u << h->fwd)) ||
	    (!h->ip && !(h->flags & XGLB_HOST_NDP)))
		return;
	to = xglb_table_pick(&d->tables[g], key->mac, d->rr[g]++);
	if (to < 0)
		return; /* no forwarder takes new hosts: they will ARP again */
	h->fwd = (__u8)to;
	if (bpf_map_update_elem(fd, key, h, BPF_EXIST))
		return; /* gone meanwhile: it will ARP again */
	/* no front cache keeps answering the old forwarder (bpf/lib/hosts.h) */
	__atomic_fetch_add(&d->bank.ctl->hosts_gen, 1, __ATOMIC_RELEASE);
	if (tell_moved(d, g, to, key->mac, h->ip, h->flags)) {
		w->moved++;
		d->redistributed++;
	}
	remember(d, key, h->ip, h->flags, g, to);
}

/* Up to REDIST_STEP entries by batch: how many, or -errno (-ENOENT: the end). */
static int step_batch(struct daemon *d, int fd, __u32 *n)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct redist_walk *w = &d->walk;
	__u64 in = w->cursor, out = 0;
	int err;

	*n = REDIST_STEP;
	err = bpf_map_lookup_batch(fd, w->started ? &in : NULL, &out, w->keys, w->vals, n, &opts);
	err = err ? -errno : 0;
	if (err && err != -ENOENT) {
		*n = 0;
		return err;
	}
	w->cursor = out;
	w->started = true;
	return err;
}

/* Up to REDIST_STEP entries key by key (a kernel without batches): as step_batch. */
static int step_keys(struct daemon *d, int fd, __u32 *n)
{
	struct redist_walk *w = &d->walk;

	for (*n = 0; *n < REDIST_STEP; (*n)++) {
		if (bpf_map_get_next_key(fd, w->started ? &w->last : NULL, &w->keys[*n]))
			return -ENOENT;
		w->last = w->keys[*n];
		w->started = true;
		if (bpf_map_lookup_elem(fd, &w->keys[*n], &w->vals[*n]))
			(*n)--; /* gone meanwhile */
	}
	return 0;
}

/*
 * One step of the walk: the entries of one lookup of REDIST_STEP, or what
 * REDIST_STEP_NS leaves of them (the rest waits for the next step), then
 * back to the event loop, which calls again at its next turn until the
 * walk ends.
 */
void redistribute_step(struct daemon *d)
{
	struct redist_walk *w = &d->walk;
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts), err;
	__u64 t0 = now_ns(), took;
	bool any = false;

	if (!w->running)
		return;
	/* A group that is no longer ours to redistribute (AVG lost, reloaded away) drops out. */
	for (int g = 0; g < XGLB_MAX_GROUPS; g++) {
		if (w->mask[g] && (g >= d->cfg->n_groups || d->cfg->groups[g].id != w->gid[g] ||
				   !(d->tables[g].flags & XGLB_GRP_AVG)))
			w->mask[g] = 0;
		any |= w->mask[g] != 0;
	}
	if (!any || d->pkt_fd < 0) {
		err = -ECANCELED;
		goto end;
	}
	if (w->next >= w->n) {
		if (w->fetch_err) {
			err = w->fetch_err;
			goto end;
		}
		err = w->batch_off ? step_keys(d, fd, &w->n) : step_batch(d, fd, &w->n);
		if ((err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */) &&
		    !w->batch_off && !w->started) {
			w->batch_off = true; /* batches refused: key by key from the start */
			w->n = 0;
			arm_once(d->walk_fd, 0);
			return;
		}
		w->next = 0;
		w->fetch_err = err;
		w->visited += w->n;
		/* Key by key restarts at the first key when the last one is evicted: bounded. */
		if (!err && w->visited > 2ull * bpf_map__max_entries(d->ld.skel->maps.xglb_hosts))
			w->fetch_err = -ELOOP;
	}
	while (w->next < w->n) {
		visit(d, &w->keys[w->next], &w->vals[w->next], fd);
		w->next++;
		if (!(w->next & 15) && now_ns() - t0 >= REDIST_STEP_NS)
			break;
	}
	w->steps++;
	w->total_steps++;
	took = now_ns() - t0;
	w->max_step_ns = took > w->max_step_ns ? took : w->max_step_ns;
	if (w->next < w->n || !w->fetch_err) {
		arm_once(d->walk_fd, 0);
		return;
	}
	err = w->fetch_err;
end:
	if (err != -ENOENT && err != -ECANCELED)
		pr_warn("moving hosts of removed forwarders: walking xglb_hosts: %s (the rest "
			"will ARP again)",
			strerror(-err));
	w->walks++;
	w->running = w->started = false;
	w->n = w->next = 0;
	w->fetch_err = 0;
	memset(w->mask, 0, sizeof(w->mask));
	pr_info(
	    "%llu hosts of removed forwarders moved by unsolicited ARP / NA (%llu entries in %llu "
	    "steps, %llu ms, longest step %.2f ms)",
	    (unsigned long long)w->moved, (unsigned long long)w->visited,
	    (unsigned long long)w->steps, (unsigned long long)((now_ns() - w->t0_ns) / 1000000),
	    w->max_step_ns / 1e6);
}

/*
 * The second unsolicited reply to each moved host that is due, at most
 * REDIST_STEP per turn of the event loop, if the AVG still gives it that
 * forwarder (no ARP of its own, no other move since).
 */
void redistribute_again(struct daemon *d)
{
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_hosts), sent = 0, done = 0;
	__u64 now = now_ns();

	while (d->n_again && done < REDIST_STEP &&
	       ((done & 15) || !done || now_ns() - now < REDIST_STEP_NS)) {
		const struct redist_again *a = &d->again[d->again_head];
		const struct xglb_cfg_group *cg;
		const struct xglb_group *tbl;
		struct xglb_host h;

		if (a->due_ns > now)
			break;
		d->again_head = (d->again_head + 1) % REDIST_AGAIN_MAX;
		d->n_again--;
		done++;
		if (a->g >= d->cfg->n_groups)
			continue; /* a reload removed the group */
		cg = &d->cfg->groups[a->g];
		tbl = &d->tables[a->g];
		if (!(tbl->flags & XGLB_GRP_AVG) || cg->id != a->key.gid || a->to >= tbl->n_fwd ||
		    !(tbl->fwd[a->to].flags & XGLB_FWD_ACTIVE) ||
		    bpf_map_lookup_elem(fd, &a->key, &h) || h.fwd != a->to || h.ip != a->ip)
			continue;
		if (tell_moved(d, a->g, a->to, a->key.mac, a->ip, a->flags & h.flags))
			sent++;
	}
	d->redist_repeated += sent;
	if (d->n_again) {
		const struct redist_again *a = &d->again[d->again_head];

		arm_once(d->again_fd, a->due_ns > now ? a->due_ns - now : 0);
	}
	pr_debug("%d moved hosts told again, %d to go", sent, d->n_again);
}

struct json_object *redistribution_json(const struct daemon *d)
{
	const struct redist_walk *w = &d->walk;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "running", json_object_new_boolean(w->running));
	json_object_object_add(o, "walks", json_object_new_int64((int64_t)w->walks));
	json_object_object_add(o, "steps", json_object_new_int64((int64_t)w->total_steps));
	json_object_object_add(o, "pending_again", json_object_new_int64(d->n_again));
	return o;
}

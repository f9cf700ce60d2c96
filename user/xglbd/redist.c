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
#include "seen.h"
#include "tables.h"
#include "track.h"
#include "daemon.h"

/*
 * The learning frame from forwarder idx of cfg group g, on the interface it
 * is bound to only (nicfail.c): from each of the node's interfaces in turn,
 * a switch would move the vMAC's port back and forth.
 */
static void learn_one(struct daemon *d, int g, int idx)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	__u8 frame[XGLB_LEARN_FRAME_LEN], vmac[6];
	__u32 out = nic_out_ifindex(d, g, idx);

	if (d->pkt_fd < 0 || !out)
		return;
	xglb_vmac(cg->id, (__u8)idx, vmac);
	for (int i = 0; i < cg->n_ifaces; i++) {
		int k = iface_find(&d->ifs, cg->ifaces[i]);
		__u32 ifindex = d->ifs.ifindex[k];
		int err;

		if (ifindex != out)
			continue;
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
 * (both maps), for every hello. A hello carries the loads of the forwarders
 * this node owns only (xglb_fsm_hello), so only those are read: one batch
 * lookup a map of the keys from the lowest owned forwarder's to the
 * highest's (keys gid * 16 + lo .. gid * 16 + hi, after gid * 16 + lo - 1),
 * not the group's 16 (a batch costs about 3.5 us and 0.4 us a key here), and
 * none for a group where this node owns none.
 */
void cb_loads(void *ctx, int g, __u64 bytes[XGLB_MAX_FWD])
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct daemon *d = ctx;
	int ncpu = libbpf_num_possible_cpus(),
	    fds[2] = {bpf_map__fd(d->ld.skel->maps.xglb_fwd_stats),
		      bpf_map__fd(d->ld.skel->maps.xglb_fwd_tx_stats)};
	__u32 first = d->cfg->groups[g].id * XGLB_MAX_FWD, keys[XGLB_MAX_FWD], lo = XGLB_MAX_FWD,
	      hi = 0, owned = 0;
	struct xglb_fwd_stats vals[XGLB_MAX_FWD * ncpu];

	memset(bytes, 0, XGLB_MAX_FWD * sizeof(bytes[0]));
	for (__u32 f = 0; f < XGLB_MAX_FWD; f++)
		if (d->cl && xglb_cluster_owns(d->cl, g, (int)f)) {
			owned |= 1u << f;
			lo = f < lo ? f : lo;
			hi = f;
		}
	if (!owned)
		return;
	for (int m = 0; m < 2; m++) {
		__u32 prev = first + lo - 1, out, n = hi - lo + 1;
		int err = bpf_map_lookup_batch(fds[m], &prev, &out, keys, vals, &n, &opts);

		if (err && errno != ENOENT) { /* no batch lookups here: key by key */
			n = 0;
			for (__u32 f = lo; f <= hi; f++) {
				keys[n] = first + f;
				if (owned >> f & 1)
					n += bpf_map_lookup_elem(fds[m], &keys[n],
								 &vals[n * ncpu]) == 0;
			}
		}
		for (__u32 i = 0; i < n; i++)
			if (keys[i] >= first + lo && keys[i] <= first + hi &&
			    (owned >> (keys[i] - first) & 1))
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
	if (w->walk.gid[g] != d->cfg->groups[g].id)
		w->walk.mask[g] = 0;
	w->walk.gid[g] = (__u8)d->cfg->groups[g].id;
	w->walk.mask[g] |= mask;
	pr_info("group %u: moving the hosts of removed forwarders 0x%x (xglb_hosts walked %d "
		"entries per turn)%s",
		d->cfg->groups[g].id, w->walk.mask[g], REDIST_STEP,
		w->walk.running ? "; the walk under way starts over" : "");
	if (!w->walk.running) {
		w->walk.visited = w->moved = w->steps = w->max_step_ns = 0;
		w->walk.t0_ns = now_ns();
	}
	w->walk.running = true;
	w->walk.started = false;
	w->walk.n = w->walk.next = 0;
	w->walk.fetch_err = 0;
	arm_once(d->walk_fd, 0);
}

/* The index in d->ifs of interface ifindex, if it is one of cfg group g's; else -1. */
static int group_iface(const struct daemon *d, int g, __u32 ifindex)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];

	for (int i = 0; i < cg->n_ifaces; i++) {
		int k = iface_find(&d->ifs, cg->ifaces[i]);

		if (k >= 0 && d->ifs.ifindex[k] == ifindex)
			return k;
	}
	return -1;
}

/*
 * Tell a host of cfg group g that forwarder to is now its gateway, on
 * interface ifindex (where the host was seen), or on every interface of
 * the group for 0 (where it is not known): an unsolicited ARP reply if we
 * know its IPv4 address, and, if it uses IPv6, an unsolicited NA with the
 * override flag for each of the group's virtual IPv6 addresses (ndmsg.h).
 * True if anything went out.
 */
static bool tell_moved(struct daemon *d, int g, int to, const __u8 host[6], __be32 ip, __u8 flags,
		       __u32 ifindex)
{
	const struct xglb_cfg_group *cg = &d->cfg->groups[g];
	const __u8 *vmac = d->tables[g].fwd[to].vmac;
	__u8 frame[86];
	bool sent = false;

	/* not known where it was seen: from the new forwarder's interface (or the group's
	 * answering one), once, not once per interface of the node */
	if (!ifindex)
		ifindex = nic_out_ifindex(d, g, to);
	for (int i = 0; i < cg->n_ifaces; i++) {
		int ifi = iface_find(&d->ifs, cg->ifaces[i]);

		if (ifi < 0 || (ifindex && d->ifs.ifindex[ifi] != ifindex))
			continue;
		if (ip) {
			xglb_arp_reply_frame(frame, d->ifs.mac[ifi], vmac, cg->vip, host, ip);
			sent |= xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame,
						XGLB_LEARN_FRAME_LEN) == 0;
		}
		for (int a = 0; (flags & XGLB_HOST_NDP) && a < cg->n_addr6; a++) {
			xglb_na_move_frame(frame, d->ifs.mac[ifi], host, cg->addr6[a], vmac);
			if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[ifi], frame, sizeof(frame)) ==
			    0) {
				d->ra.na_moved++;
				sent = true;
			}
		}
	}
	return sent;
}

/* Remember a moved host for its second reply, if there is room. */
static void remember(struct daemon *d, const struct xglb_host_key *key, __be32 ip, __u8 flags,
		     int g, int to, bool owner, __u32 ifindex)
{
	if (d->n_again >= REDIST_AGAIN_MAX) {
		d->again_dropped++;
		return;
	}
	d->again[(d->again_head + d->n_again++) % REDIST_AGAIN_MAX] =
	    (struct redist_again){.key = *key,
				  .ip = ip,
				  .flags = flags,
				  .g = (__u8)g,
				  .to = (__u8)to,
				  .owner = owner,
				  .ifindex = ifindex,
				  .due_ns = now_ns() + REDIST_AGAIN_MS * 1000000ull};
	if (d->n_again == 1)
		arm_once(d->again_fd, REDIST_AGAIN_MS * 1000000ull);
}

/* One host entry met by the walk: moved if its forwarder was removed. */
static void visit(struct daemon *d, const struct xglb_host_key *key, struct xglb_host *h)
{
	struct redist_walk *w = &d->walk;
	struct xglb_seen seen;
	__u32 ifindex = 0;
	int g, to;

	for (g = 0; g < d->cfg->n_groups; g++)
		if (w->walk.mask[g] && w->walk.gid[g] == key->gid)
			break;
	if (g == d->cfg->n_groups || h->fwd >= XGLB_MAX_FWD ||
	    !(w->walk.mask[g] & (1u << h->fwd)) || (!h->ip && !(h->flags & XGLB_HOST_NDP)))
		return;
	to = xglb_seen_dest(&d->tables[g], key->mac);
	if (to < 0)
		return; /* no forwarder takes new hosts: they will ARP again */
	h->fwd = (__u8)to;
	if (xglb_hosttab_set_fwd(&d->ld.hosts, key, h->fwd))
		return; /* gone meanwhile: it will ARP again */
	/* no front cache keeps answering the old forwarder (bpf/lib/hosts.h) */
	__atomic_fetch_add(&d->bank.ctl->hosts_gen, 1, __ATOMIC_RELEASE);
	/* Seen by our own data path: the interface is known; and if it used a
	 * forwarder we held when it was removed, the owner's walk tells it. */
	if (bpf_map_lookup_elem(bpf_map__fd(d->ld.skel->maps.xglb_seen), key, &seen) == 0) {
		ifindex = group_iface(d, g, seen.ifindex) >= 0 ? seen.ifindex : 0;
		if (seen.fwd < XGLB_MAX_FWD && (d->seen.walk.mask[g] & (1u << seen.fwd)))
			return;
	}
	if (tell_moved(d, g, to, key->mac, h->ip, h->flags, ifindex)) {
		w->moved++;
		d->redistributed++;
	}
	remember(d, key, h->ip, h->flags, g, to, false, ifindex);
}

/* Up to REDIST_STEP hosts of the mapped table into w->keys/vals: 0, or -ENOENT at the end. */
static int step_walk(struct daemon *d, __u32 *n)
{
	struct redist_walk *w = &d->walk;

	if (!w->walk.started)
		w->walk.cursor = 0;
	w->walk.started = true;
	*n = xglb_hosttab_walk(&d->ld.hosts, &w->walk.cursor, w->keys, w->vals, REDIST_STEP);
	return w->walk.cursor >= d->ld.hosts.n_ways ? -ENOENT : 0;
}

/*
 * Drops from a walk's MASK the groups reloaded away (another id at that
 * index) and, with AVG, those this node is no longer the AVG of; whether
 * any group is left.
 */
static bool walk_groups_left(const struct daemon *d, unsigned int mask[XGLB_MAX_GROUPS],
			     const __u8 gid[XGLB_MAX_GROUPS], bool avg)
{
	bool any = false;

	for (int g = 0; g < XGLB_MAX_GROUPS; g++) {
		if (mask[g] && (g >= d->cfg->n_groups || d->cfg->groups[g].id != gid[g] ||
				(avg && !(d->tables[g].flags & XGLB_GRP_AVG))))
			mask[g] = 0;
		any |= mask[g] != 0;
	}
	return any;
}

/*
 * Whether a walk takes its next step: 0, or why it ends: -ECANCELED when
 * none of its groups is left to serve (walk_groups_left) or there is no
 * packet socket, the error of its last fetch when it has used up what
 * that fetch read.
 */
static int walk_may_step(const struct daemon *d, struct map_walk *w, bool avg)
{
	if (!walk_groups_left(d, w->mask, w->gid, avg) || d->pkt_fd < 0)
		return -ECANCELED;
	return w->next >= w->n ? w->fetch_err : 0;
}

/* The batch fetched into keys/vals (n entries, err the fetch's): the walk goes on with it. */
static void walk_fetched(struct map_walk *w, int err)
{
	w->next = 0;
	w->fetch_err = err;
	w->visited += w->n;
}

/*
 * After a step: 0 if the walk goes on (its timer fd armed to come back at
 * once), else why it ends (the error of its last fetch: -ENOENT at the end).
 */
static int walk_again(const struct map_walk *w, int fd)
{
	if (w->next < w->n || !w->fetch_err) {
		arm_once(fd, 0);
		return 0;
	}
	return w->fetch_err;
}

/*
 * A walk ends for err (walk_may_step, walk_again), said as "WHAT: <error>"
 * unless it is the end of the map or a cancel; the walk cleared for the next.
 */
static void walk_end(struct map_walk *w, int err, const char *what)
{
	if (err != -ENOENT && err != -ECANCELED)
		pr_warn("%s: %s (the rest will ARP again)", what, strerror(-err));
	w->walks++;
	w->running = w->started = false;
	w->n = w->next = 0;
	w->fetch_err = 0;
	memset(w->mask, 0, sizeof(w->mask));
}

/*
 * One step of the walk: the entries of one lookup of REDIST_STEP, or what
 * the turn's time leaves of them (bulk_over: REDIST_STEP_NS, and nothing
 * past BULK_GUARD_NS before a hello; the rest waits for the next step), then
 * back to the event loop, which calls again at its next turn until the
 * walk ends.
 */
void redistribute_step(struct daemon *d)
{
	struct redist_walk *w = &d->walk;
	__u64 t0 = now_ns(), took;
	int err;

	if (!w->walk.running)
		return;
	/* A group that is no longer ours to redistribute (AVG lost, reloaded away) drops out. */
	err = walk_may_step(d, &w->walk, true);
	if (err)
		goto end;
	if (w->walk.next >= w->walk.n)
		walk_fetched(&w->walk, step_walk(d, &w->walk.n));
	while (w->walk.next < w->walk.n) {
		visit(d, &w->keys[w->walk.next], &w->vals[w->walk.next]);
		w->walk.next++;
		if (!(w->walk.next & 7) && bulk_over(d))
			break;
	}
	w->steps++;
	w->total_steps++;
	took = now_ns() - t0;
	w->max_step_ns = took > w->max_step_ns ? took : w->max_step_ns;
	err = walk_again(&w->walk, d->walk_fd);
	if (!err)
		return;
end:
	walk_end(&w->walk, err, "moving hosts of removed forwarders: walking xglb_hosts");
	pr_info(
	    "%llu hosts of removed forwarders moved by unsolicited ARP / NA (%llu entries in %llu "
	    "steps, %llu ms, longest step %.2f ms)",
	    (unsigned long long)w->moved, (unsigned long long)w->walk.visited,
	    (unsigned long long)w->steps,
	    (unsigned long long)((now_ns() - w->walk.t0_ns) / 1000000), w->max_step_ns / 1e6);
}

/*
 * The second unsolicited reply to each moved host that is due, at most
 * REDIST_STEP per turn of the event loop, if the AVG still gives it that
 * forwarder (no ARP of its own, no other move since).
 */
void redistribute_again(struct daemon *d)
{
	int sent = 0, sent_owner = 0, done = 0;
	__u64 now = now_ns();

	while (d->n_again && done < REDIST_STEP && ((done & 7) || !done || !bulk_over(d))) {
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
		if (cg->id != a->key.gid || a->to >= tbl->n_fwd ||
		    !(tbl->fwd[a->to].flags & XGLB_FWD_ACTIVE))
			continue;
		if (a->owner) {
			/* the owner's: the forwarder it was sent to is still there */
			if (tell_moved(d, a->g, a->to, a->key.mac, a->ip, a->flags, a->ifindex))
				sent_owner++;
			continue;
		}
		if (!(tbl->flags & XGLB_GRP_AVG) ||
		    xglb_hosttab_lookup(&d->ld.hosts, &a->key, &h) || h.fwd != a->to ||
		    h.ip != a->ip)
			continue;
		if (tell_moved(d, a->g, a->to, a->key.mac, a->ip, a->flags & h.flags, a->ifindex))
			sent++;
	}
	d->redist_repeated += sent;
	d->seen.again_total += sent_owner;
	sent += sent_owner;
	if (d->n_again) {
		const struct redist_again *a = &d->again[d->again_head];

		arm_once(d->again_fd, a->due_ns > now ? a->due_ns - now : 0);
	}
	pr_debug("%d moved hosts told again, %d to go", sent, d->n_again);
}

/* Jiffies now as the data path counts them (xglb_beat stamps them), and the age limit in jiffies.
 */
static __u64 seen_now(const struct daemon *d, __u64 *age)
{
	unsigned int hz = d->bank.hz ? d->bank.hz : 1000; /* unknown: the longest age */

	*age = (__u64)XGLB_SEEN_AGE_S * hz;
	return d->bank.ctl ? d->bank.ctl->hb_jiffies : 0;
}

/*
 * Called by commit_tables with the tables about to go live (now, n cfg
 * groups) while d->tables still holds the ones before: every forwarder
 * this node held (active, local) that the new tables no longer have
 * active (removed at the timeout, or by a reload) has its hosts, as the
 * data path saw them, told where to go next. This runs on every node that
 * held such a forwarder, AVG or not, so hosts that resolved their vMAC
 * from an earlier AVG, or by any other means, are told too.
 */
void seen_removed(struct daemon *d, const struct xglb_group *now, int n)
{
	struct seen_walk *w = &d->seen;
	bool any = false;

	for (int g = 0; g < n; g++) {
		const struct xglb_group *old = &d->tables[g];
		unsigned int mask = 0;

		if (old->id != now[g].id)
			continue; /* a reload put another group at this index */
		for (int f = 0; f < old->n_fwd; f++)
			if ((old->fwd[f].flags & (XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL)) ==
				(XGLB_FWD_ACTIVE | XGLB_FWD_LOCAL) &&
			    (f >= now[g].n_fwd || !(now[g].fwd[f].flags & XGLB_FWD_ACTIVE)))
				mask |= 1u << f;
		if (!mask)
			continue;
		if (w->walk.gid[g] != now[g].id)
			w->walk.mask[g] = 0;
		w->walk.gid[g] = now[g].id;
		w->walk.mask[g] |= mask;
		any = true;
		pr_info("group %u: forwarders 0x%x removed while this node held them: telling the "
			"hosts seen using them (at most %d a second)%s",
			now[g].id, mask, SEEN_RATE,
			w->walk.running ? "; the walk under way starts over" : "");
	}
	if (!any || d->pkt_fd < 0)
		return;
	if (!w->walk.running) {
		w->walk.visited = w->told = 0;
		w->walk.t0_ns = now_ns();
		xglb_pace_init(&w->pace, SEEN_RATE, SEEN_BURST, w->walk.t0_ns);
	}
	w->walk.running = true;
	w->walk.started = false;
	w->walk.n = w->walk.next = 0;
	w->walk.fetch_err = 0;
	arm_once(d->seen_fd, 0);
}

/* Up to REDIST_STEP entries of xglb_seen: 0, or -errno (-ENOENT: the last ones). */
static int seen_batch(int fd, bool *started, __u64 *cursor, struct xglb_host_key *keys,
		      struct xglb_seen *vals, __u32 *n, __u32 max)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 in = *cursor, out = 0;
	int err;

	*n = max;
	err = bpf_map_lookup_batch(fd, *started ? &in : NULL, &out, keys, vals, n, &opts);
	err = err ? -errno : 0;
	if (err && err != -ENOENT) {
		*n = 0;
		return err;
	}
	*cursor = out;
	*started = true;
	return err;
}

/* One entry of the owner's walk: told, or why not. False: no credit left this turn. */
static bool seen_visit(struct daemon *d, int fd, const struct xglb_host_key *k,
		       const struct xglb_seen *v, __u64 jnow, __u64 age)
{
	struct seen_walk *w = &d->seen;
	enum xglb_seen_pick p = XGLB_SEEN_SKIP_OTHER;
	int g, slot = -1, to;

	for (g = 0; g < d->cfg->n_groups; g++)
		if (w->walk.mask[g] && w->walk.gid[g] == k->gid)
			break;
	if (g < d->cfg->n_groups) {
		const struct xglb_cfg_group *cg = &d->cfg->groups[g];
		__u32 ifx[XGLB_GROUP_IFACES] = {0};

		for (int i = 0; i < cg->n_ifaces && i < XGLB_GROUP_IFACES; i++) {
			int ifi = iface_find(&d->ifs, cg->ifaces[i]);

			ifx[i] = ifi >= 0 ? d->ifs.ifindex[ifi] : 0;
		}
		p = xglb_seen_select(k, v, w->walk.gid[g], w->walk.mask[g], ifx, cg->n_ifaces, jnow,
				     age, &slot);
	}
	if (p != XGLB_SEEN_TELL) {
		w->n_pick[p]++;
		return true;
	}
	to = xglb_seen_dest(&d->tables[g], k->mac);
	if (to < 0) {
		w->no_dest++;
		return true; /* it will ARP again */
	}
	if (!xglb_pace_take(&w->pace, now_ns(), 1))
		return false;
	w->n_pick[p]++;
	if (tell_moved(d, g, to, k->mac, v->ip4, xglb_seen_has_ip6(v) ? XGLB_HOST_NDP : 0,
		       v->ifindex)) {
		w->told++;
		w->told_total++;
	} else {
		w->send_errors++;
	}
	remember(d, k, v->ip4, xglb_seen_has_ip6(v) ? XGLB_HOST_NDP : 0, g, to, true, v->ifindex);
	bpf_map_delete_elem(fd, k); /* told: it learns again through the forwarder it goes to */
	return true;
}

/*
 * One step of the owner's walk: the entries of one batch, as far as the
 * pace and the turn's time allow (at most SEEN_BURST hosts told per turn;
 * bulk_over), then back to the event loop; the timer brings it back at
 * once, or when the pace has credit again.
 */
void seen_step(struct daemon *d)
{
	struct seen_walk *w = &d->seen;
	__u64 age, jnow;
	int fd, err;

	if (!w->walk.running)
		return;
	fd = bpf_map__fd(d->ld.skel->maps.xglb_seen);
	jnow = seen_now(d, &age);
	err = walk_may_step(d, &w->walk, false);
	if (err)
		goto end;
	if (w->walk.next >= w->walk.n)
		walk_fetched(&w->walk, seen_batch(fd, &w->walk.started, &w->walk.cursor, w->keys,
						  w->vals, &w->walk.n, REDIST_STEP));
	while (w->walk.next < w->walk.n) {
		if (!seen_visit(d, fd, &w->keys[w->walk.next], &w->vals[w->walk.next], jnow, age)) {
			w->steps++;
			/* back when a batch's worth has built up, not for every host */
			arm_once(d->seen_fd, xglb_pace_wait(&w->pace, now_ns(), SEEN_BATCH));
			return;
		}
		w->walk.next++;
		if (!(w->walk.next & 7) && bulk_over(d))
			break;
	}
	w->steps++;
	err = walk_again(&w->walk, d->seen_fd);
	if (!err)
		return;
end:
	walk_end(&w->walk, err, "telling the hosts of removed forwarders: walking xglb_seen");
	w->t1_ns = now_ns();
	pr_info("%llu hosts seen using removed forwarders told their new vMAC (%llu entries, %llu "
		"ms)",
		(unsigned long long)w->told, (unsigned long long)w->walk.visited,
		(unsigned long long)((now_ns() - w->walk.t0_ns) / 1000000));
}

/*
 * The aging sweep, at most once a second: SEEN_SWEEP entries of xglb_seen,
 * those not refreshed for XGLB_SEEN_AGE_S deleted (a host that left, or a
 * forged source), so the room they held goes to new hosts. Not while the
 * owner's walk runs: it reads the same entries. Nor while the counting
 * thread's last count found the map empty (xglb_seen_sweep_idle): a batch
 * lookup of an empty hash walks all its 131,072 buckets (50-80 us here).
 */
void seen_sweep(struct daemon *d)
{
	struct seen_walk *w = &d->seen;
	static struct xglb_host_key keys[SEEN_SWEEP];
	static struct xglb_seen vals[SEEN_SWEEP];
	int fd = bpf_map__fd(d->ld.skel->maps.xglb_seen), err;
	__u64 age, jnow = seen_now(d, &age), now = now_ns(), walks, entries, start;
	__u32 n;

	if (w->walk.running || !jnow || now - w->sweep_last_ns < 1000000000ull)
		return;
	w->sweep_last_ns = now;
	xglb_hostcount_seen(&d->hosts, &walks, &entries, &start);
	if (xglb_seen_sweep_idle(walks, entries, start, now, XGLB_SEEN_AGE_S * 1000000000ull))
		return;
	err = seen_batch(fd, &w->sweep_started, &w->sweep_cursor, keys, vals, &n, SEEN_SWEEP);
	w->swept += n;
	for (__u32 i = 0; i < n; i++)
		if (xglb_seen_stale(&vals[i], jnow, age) && bpf_map_delete_elem(fd, &keys[i]) == 0)
			w->aged++;
	if (err)
		w->sweep_started = false; /* the end (or an error): from the start next time */
}

/* The data path's learning counters (xglb_seen_stats), summed over CPUs. */
static struct json_object *seen_learning_json(const struct daemon *d)
{
	static const char *const names[XGLB_SEEN_STATS] = {
	    [XGLB_SEEN_NEW] = "new",	       [XGLB_SEEN_UPDATE] = "update",
	    [XGLB_SEEN_FULL] = "refused_full", [XGLB_SEEN_BAD_SRC] = "refused_source",
	    [XGLB_SEEN_NOT_IP] = "not_ip",
	};
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(d->ld.skel->maps.xglb_seen_stats);
	struct json_object *o = json_object_new_object();
	__u64 vals[ncpu > 0 ? ncpu : 1];

	for (__u32 k = 0; k < XGLB_SEEN_STATS; k++) {
		__u64 sum = 0;

		if (ncpu > 0 && bpf_map_lookup_elem(fd, &k, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				sum += vals[c];
		json_object_object_add(o, names[k], json_object_new_int64((int64_t)sum));
	}
	return o;
}

static struct json_object *seen_json(const struct daemon *d)
{
	const struct seen_walk *w = &d->seen;
	struct json_object *o = json_object_new_object();
	static const char *const picks[] = {
	    [XGLB_SEEN_TELL] = "told",
	    [XGLB_SEEN_SKIP_OTHER] = "other",
	    [XGLB_SEEN_SKIP_STALE] = "skipped_stale",
	    [XGLB_SEEN_SKIP_IFACE] = "skipped_iface",
	    [XGLB_SEEN_SKIP_NO_ADDR] = "skipped_no_address",
	};

	json_object_object_add(o, "running", json_object_new_boolean(w->walk.running));
	json_object_object_add(o, "walks", json_object_new_int64((int64_t)w->walk.walks));
	json_object_object_add(o, "steps", json_object_new_int64((int64_t)w->steps));
	json_object_object_add(o, "visited", json_object_new_int64((int64_t)w->walk.visited));
	json_object_object_add(o, "told_this_walk", json_object_new_int64((int64_t)w->told));
	/* how long this walk has run (or the last one ran): with told_this_walk, its rate */
	json_object_object_add(
	    o, "walk_ms",
	    json_object_new_int64(
		(int64_t)(((w->walk.running ? now_ns() : w->t1_ns) - w->walk.t0_ns) / 1000000)));
	json_object_object_add(o, "hosts_told", json_object_new_int64((int64_t)w->told_total));
	json_object_object_add(o, "hosts_told_again",
			       json_object_new_int64((int64_t)w->again_total));
	json_object_object_add(o, "send_errors", json_object_new_int64((int64_t)w->send_errors));
	json_object_object_add(o, "no_forwarder", json_object_new_int64((int64_t)w->no_dest));
	for (int p = XGLB_SEEN_SKIP_STALE; p <= XGLB_SEEN_SKIP_NO_ADDR; p++)
		json_object_object_add(o, picks[p], json_object_new_int64((int64_t)w->n_pick[p]));
	json_object_object_add(o, "aged", json_object_new_int64((int64_t)w->aged));
	json_object_object_add(o, "learning", seen_learning_json(d));
	return o;
}

struct json_object *redistribution_json(const struct daemon *d)
{
	const struct redist_walk *w = &d->walk;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "running", json_object_new_boolean(w->walk.running));
	json_object_object_add(o, "walks", json_object_new_int64((int64_t)w->walk.walks));
	json_object_object_add(o, "steps", json_object_new_int64((int64_t)w->total_steps));
	json_object_object_add(o, "pending_again", json_object_new_int64(d->n_again));
	json_object_object_add(o, "again_dropped",
			       json_object_new_int64((int64_t)d->again_dropped));
	json_object_object_add(o, "seen", seen_json(d));
	return o;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * conflict.c - conflicts the data path saw on the wire (bpf/lib/conflict.h): a station
 * claiming a VIP or a virtual IPv6 address with a MAC that is no vMAC, or speaking from a vMAC
 * this node owns. Each is counted, logged (at most one line per group and kind every
 * CONFLICT_LOG_MS, naming the offender's MAC and, when it is a known node's, the node), and a
 * claim is defended: the AVG tells every host it knows its own vMAC again (a VIP: its hosts, by
 * gratuitous ARP reply; a virtual IPv6 address: its IPv6 hosts, by unsolicited NA), twice
 * (user/lib/defend.h: one schedule for both families), paced, on the loop that also beats.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xglb.skel.h"
#include "conflict.h"
#include "daemon.h"
#include "defend.h"
#include "learn.h"
#include "log.h"
#include "names.h"
#include "ndmsg.h"

#define CONFLICT_LOG_MS	  10000	     /* one log line per group and kind this often, at most */
#define DEFEND_BATCH	  512	     /* host entries visited per step of a defence */
#define DEFEND_STEP_NS	  1000000ull /* between steps: the loop beats in between */
#define CONFLICT_KINDS	  4	     /* enum xglb_conflict_kind, 0 unused */
#define XGLB_NA_FRAME_LEN 86	     /* xglb_na_move_frame (ndmsg.h) */

struct conflict_group {
	__u64 count[CONFLICT_KINDS];	/* events received, by kind */
	__u64 last_log[CONFLICT_KINDS]; /* ns of the last line logged, by kind */
	__u64 unlogged[CONFLICT_KINDS]; /* events since that line */
	/* the defence of the VIP: passes over the host table (defend.h, mask XGLB_DEFEND_VIP) */
	struct xglb_defend v4;
	bool have_cursor;
	__u32 ifindex;	/* where the latest claim was seen: the hosts' segment */
	__u64 cursor;	/* the next way of the host table (hosttab.h) */
	int sent;	/* replies of this pass */
	__u64 arp_sent; /* replies sent in defence of the group's VIP */
	/* the defence of the virtual IPv6 addresses: passes over the host table (defend.h) */
	struct xglb_defend v6;
	bool have_cursor6;
	__u32 ifindex6; /* where the latest claim was seen */
	__u64 cursor6;	/* the next way of the host table */
	int sent6;	/* NAs of this pass */
	__u64 na_sent;	/* NAs sent in defence of the group's virtual IPv6 addresses */
};

struct xglb_conflicts {
	struct ring_buffer *rb;
	int rb_fd, timer_fd;
	__u64 defended;				    /* replies sent to hosts, all groups */
	__u64 na_defended;			    /* NAs sent to IPv6 hosts, all groups */
	__u32 rr;				    /* the group id the next turn starts at */
	struct conflict_group grp[XGLB_MAX_GROUPS]; /* by group id */
};

/* The configuration index of group id gid, -1 if it is not configured. */
static int cfg_group(const struct daemon *d, __u32 gid)
{
	for (int g = 0; g < d->cfg->n_groups; g++)
		if (d->cfg->groups[g].id == gid)
			return g;
	return -1;
}

/* The name of the known node whose MAC on cfg group g's segment is mac, or NULL. */
static const char *node_of(const struct daemon *d, int g, const __u8 mac[6])
{
	if (!d->cl || g < 0)
		return NULL;
	for (int i = 0; i < d->cl->fsm[g].n_nodes; i++) {
		const struct xglb_fsm_node *n = &d->cl->fsm[g].nodes[i];

		if (n->last_heard && !memcmp(n->mac, mac, 6))
			return xglb_node_name(d->cfg, n->id, "?");
	}
	return NULL;
}

static void log_event(struct daemon *d, struct conflict_group *cg, int g,
		      const struct xglb_conflict_event *ev)
{
	char src[XGLB_MAC_STR], sha[XGLB_MAC_STR], ip[INET_ADDRSTRLEN], ifn[IF_NAMESIZE] = "?";
	char node[96], more[80] = "";
	const char *name;
	__u64 now = now_ns();

	cg->unlogged[ev->kind]++;
	if (cg->last_log[ev->kind] && now - cg->last_log[ev->kind] < CONFLICT_LOG_MS * 1000000ull)
		return;
	if (cg->unlogged[ev->kind] > 1)
		snprintf(more, sizeof(more), "; %llu such frames since the last report",
			 (unsigned long long)cg->unlogged[ev->kind]);
	cg->last_log[ev->kind] = now;
	cg->unlogged[ev->kind] = 0;
	xglb_fmt_mac(src, ev->src);
	xglb_fmt_mac(sha, ev->sha);
	inet_ntop(AF_INET, &ev->spa, ip, sizeof(ip));
	if_indextoname(ev->ifindex, ifn);
	name = node_of(d, g, ev->src);
	if (name)
		snprintf(node, sizeof(node), " (node %s)", name);
	/* a node's learning frame names the node's own MAC as its target MAC */
	else if (ev->kind == XGLB_CONFLICT_VMAC && (name = node_of(d, g, ev->tha)))
		snprintf(node, sizeof(node), " (a learning frame of node %s)", name);
	else
		node[0] = 0;
	if (ev->kind == XGLB_CONFLICT_VIP6) {
		char ip6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, ev->ip6, ip6, sizeof(ip6));
		pr_warn("group %u: IPv6 address conflict: %s%s announces %s at %s (%s) on %s; %s%s",
			ev->gid, src, node, ip6, sha,
			ev->op == XGLB_ND_NA   ? "NA"
			: ev->op == XGLB_ND_NS ? "NS"
					       : "RA",
			ifn,
			g >= 0 && (d->tables[g].flags & XGLB_GRP_AVG)
			    ? "telling the group's IPv6 hosts their vMAC again"
			    : "the AVG tells the IPv6 hosts their vMAC again",
			more);
		return;
	}
	if (ev->kind == XGLB_CONFLICT_VIP)
		pr_warn("group %u: VIP conflict: %s%s announces VIP %s at %s (ARP %s) on %s; %s%s",
			ev->gid, src, node, ip, sha,
			ev->op == XGLB_ARPOP_REPLY ? "reply" : "request", ifn,
			g >= 0 && (d->tables[g].flags & XGLB_GRP_AVG)
			    ? "telling the group's hosts their vMAC again"
			    : "the AVG tells the hosts their vMAC again",
			more);
	else
		pr_warn("group %u: vMAC conflict: another station sends from %s%s, forwarder %u, "
			"which this node owns (ARP %s, sender %s at %s) on %s%s",
			ev->gid, src, node, ev->fwd,
			ev->op == XGLB_ARPOP_REPLY ? "reply" : "request", ip, sha, ifn, more);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	struct xglb_conflict_event ev;
	struct conflict_group *cg;
	bool avg;
	int g;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.kind != XGLB_CONFLICT_VIP && ev.kind != XGLB_CONFLICT_VMAC &&
	    ev.kind != XGLB_CONFLICT_VIP6)
		return 0;
	cg = &d->conflicts->grp[ev.gid];
	cg->count[ev.kind]++;
	g = cfg_group(d, ev.gid);
	log_event(d, cg, g, &ev);
	if (g < 0)
		return 0;
	/* only the AVG knows the hosts: elsewhere a claim schedules nothing */
	avg = d->tables[g].flags & XGLB_GRP_AVG;
	if (ev.kind == XGLB_CONFLICT_VIP) {
		xglb_defend_claim(&cg->v4, XGLB_DEFEND_VIP, avg);
		cg->ifindex = ev.ifindex;
	}
	if (ev.kind == XGLB_CONFLICT_VIP6) {
		int a = xglb_defend6_addr(&d->cfg->groups[g], ev.ip6);

		if (a >= 0) { /* else reloaded away meanwhile */
			xglb_defend_claim(&cg->v6, a, avg);
			cg->ifindex6 = ev.ifindex;
		}
	}
	return 0;
}

/* The interface of cfg group g to tell its hosts on: where the conflict was seen, else its first.
 */
static int defend_iface(const struct daemon *d, int g, __u32 ifindex)
{
	const struct xglb_cfg_group *c = &d->cfg->groups[g];
	int first = -1;

	for (int i = 0; i < c->n_ifaces; i++) {
		int k = iface_find(&d->ifs, c->ifaces[i]);

		if (k < 0)
			continue;
		if (first < 0)
			first = k;
		if (d->ifs.ifindex[k] == ifindex)
			return k;
	}
	return first;
}

/*
 * One step of the defence of group gid: up to DEFEND_BATCH host entries,
 * each host of the group told "VIP is at <its vMAC>" by a unicast
 * gratuitous reply. Returns true when the pass is over.
 */
static bool defend_step(struct daemon *d, __u32 gid, struct conflict_group *cg)
{
	int g = cfg_group(d, gid), k;
	const struct xglb_group *tbl;
	__u8 frame[XGLB_LEARN_FRAME_LEN];
	struct xglb_host_key key;
	struct xglb_host h;

	if (g < 0 || d->pkt_fd < 0)
		return true;
	tbl = &d->tables[g];
	k = defend_iface(d, g, cg->ifindex);
	if (!(tbl->flags & XGLB_GRP_AVG) || k < 0)
		return true; /* only the AVG knows the hosts */
	for (int n = 0; n < DEFEND_BATCH; n++) {
		if (!cg->have_cursor)
			cg->cursor = 0;
		cg->have_cursor = true;
		if (!xglb_hosttab_walk(&d->ld.hosts, &cg->cursor, &key, &h, 1))
			return true; /* the end */
		if (!xglb_defend4_tells(&key, &h, tbl))
			continue;
		xglb_garp_reply_frame(frame, d->ifs.mac[k], tbl->fwd[h.fwd].vmac,
				      d->cfg->groups[g].vip, key.mac);
		if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[k], frame, sizeof(frame)) == 0) {
			cg->sent++;
			cg->arp_sent++;
			d->conflicts->defended++;
		}
	}
	return false;
}

/*
 * One step of a pass of the defence of group gid's virtual IPv6 addresses
 * (the mask cg->v6.running): up to DEFEND_BATCH host entries or NAs, each
 * IPv6 host of the group (xglb_defend6_tells) told "<address> is at <its
 * vMAC>" for each address of the pass, by the unsolicited NA with the
 * override flag that moves a redistributed host (xglb_na_move_frame:
 * unicast to the host, hop limit 255, TLLA its forwarder's vMAC), from the
 * interface the claim came in on. Returns true when the pass is over.
 */
static bool defend6_step(struct daemon *d, __u32 gid, struct conflict_group *cg)
{
	int g = cfg_group(d, gid), k, frames = 0;
	const struct xglb_cfg_group *c;
	const struct xglb_group *tbl;
	__u8 frame[XGLB_NA_FRAME_LEN];
	struct xglb_host_key key;
	struct xglb_host h;

	if (g < 0 || d->pkt_fd < 0)
		return true;
	c = &d->cfg->groups[g];
	tbl = &d->tables[g];
	k = defend_iface(d, g, cg->ifindex6);
	if (!(tbl->flags & XGLB_GRP_AVG) || k < 0)
		return true; /* only the AVG knows the hosts */
	for (int n = 0; n < DEFEND_BATCH && frames < DEFEND_BATCH; n++) {
		if (!cg->have_cursor6)
			cg->cursor6 = 0;
		cg->have_cursor6 = true;
		if (!xglb_hosttab_walk(&d->ld.hosts, &cg->cursor6, &key, &h, 1))
			return true; /* the end */
		if (!xglb_defend6_tells(&key, &h, tbl))
			continue;
		for (int a = 0; a < c->n_addr6 && a < XGLB_VIP6_PER_GROUP; a++) {
			if (!(cg->v6.running & (1u << a)))
				continue;
			xglb_na_move_frame(frame, d->ifs.mac[k], key.mac, c->addr6[a],
					   tbl->fwd[h.fwd].vmac);
			frames++;
			if (xglb_learn_send(d->pkt_fd, d->ifs.ifindex[k], frame, sizeof(frame)) ==
			    0) {
				cg->sent6++;
				cg->na_sent++;
				d->conflicts->na_defended++;
			}
		}
	}
	return false;
}

/* When schedule s wants the defence's timer: a step soon if a pass runs or is due, the
 * due time of the next one, 0 if none. */
static __u64 pass_next(const struct xglb_defend *s, __u64 now)
{
	__u64 due;

	if (s->running)
		return now + DEFEND_STEP_NS;
	due = xglb_defend_due(s, now);
	return due > now ? due : due ? now + DEFEND_STEP_NS : 0;
}

/* *next := t if it is earlier (0: none yet). */
static void next_min(__u64 *next, __u64 t)
{
	if (t && (!*next || t < *next))
		*next = t;
}

/*
 * Start due passes, run a step of each running one (steps true: a turn of the
 * bulk senders, run_bulk in loop.c), arm the timer for what remains. A turn
 * is one for all groups: it stops where the bulk senders' time does (a
 * hello may be due; bulk_over), and the next one starts at the group it
 * stopped at, so many groups claimed at once never hold up a hello and
 * none waits for the others. steps false (a conflict just reported): the
 * timer is armed, nothing sent on the ring buffer's wakeup.
 */
static void defend(struct daemon *d, bool steps)
{
	struct xglb_conflicts *c = d->conflicts;
	__u64 now = now_ns(), next = 0;
	bool cut = false;

	for (__u32 i = 0; i < XGLB_MAX_GROUPS - 1; i++) {
		__u32 gid = 1 + (c->rr + i) % (XGLB_MAX_GROUPS - 1);
		struct conflict_group *cg = &c->grp[gid];
		int g = cfg_group(d, gid);
		bool avg = g >= 0 && (d->tables[g].flags & XGLB_GRP_AVG);

		if (steps && !cut && (pass_next(&cg->v4, now) || pass_next(&cg->v6, now)) &&
		    bulk_over(d)) {
			cut = true; /* this group and those after it: the next turn */
			c->rr = gid - 1;
		}
		if (!steps || cut) {
			next_min(&next, pass_next(&cg->v4, now));
			next_min(&next, pass_next(&cg->v6, now));
			continue;
		}

		/* the VIP: a first pass, then its repeat (defend.h) */
		if (xglb_defend_start(&cg->v4, now, avg)) {
			cg->have_cursor = false;
			cg->sent = 0;
		}
		if (cg->v4.running && defend_step(d, gid, cg)) {
			xglb_defend_done(&cg->v4);
			if (cg->sent)
				pr_info(
				    "group %u: %d hosts told their vMAC again after a VIP conflict",
				    gid, cg->sent);
		}
		next_min(&next, pass_next(&cg->v4, now));

		/* the virtual IPv6 addresses: the same */
		if (xglb_defend_start(&cg->v6, now, avg)) {
			cg->have_cursor6 = false;
			cg->sent6 = 0;
		}
		if (cg->v6.running && defend6_step(d, gid, cg)) {
			xglb_defend_done(&cg->v6);
			if (cg->sent6)
				pr_info(
				    "group %u: %d NAs told IPv6 hosts their vMAC again after an "
				    "IPv6 address conflict",
				    gid, cg->sent6);
		}
		next_min(&next, pass_next(&cg->v6, now));
	}
	if (next)
		arm_at(c->timer_fd, next, now); /* relative (loop.c) */
}

int conflicts_open(struct daemon *d)
{
	struct xglb_conflicts *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = EPOLLIN};
	int err;

	if (!c)
		return -ENOMEM;
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	c->rb = ring_buffer__new(bpf_map__fd(d->ld.skel->maps.xglb_conflicts), on_event, d, NULL);
	if (c->timer_fd < 0 || !c->rb) {
		err = -errno ? -errno : -ENOMEM;
		goto fail;
	}
	c->rb_fd = ring_buffer__epoll_fd(c->rb);
	ev.data.fd = c->rb_fd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->rb_fd, &ev))
		goto fail_errno;
	ev.data.fd = c->timer_fd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->timer_fd, &ev))
		goto fail_errno;
	d->conflicts = c;
	return 0;
fail_errno:
	err = -errno;
fail:
	if (c->rb)
		ring_buffer__free(c->rb);
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	free(c);
	return err;
}

void conflicts_close(struct daemon *d)
{
	struct xglb_conflicts *c = d->conflicts;

	if (!c)
		return;
	ring_buffer__free(c->rb);
	close(c->timer_fd);
	free(c);
	d->conflicts = NULL;
}

bool conflicts_owns(const struct daemon *d, int fd)
{
	return d->conflicts && (fd == d->conflicts->rb_fd || fd == d->conflicts->timer_fd);
}

bool conflicts_event(struct daemon *d, int fd)
{
	__u64 ticks;

	if (fd == d->conflicts->timer_fd)
		return read(fd, &ticks, sizeof(ticks)) > 0;
	ring_buffer__consume(d->conflicts->rb);
	defend(d, false);
	return false;
}

int conflicts_timer_fd(const struct daemon *d)
{
	return d->conflicts ? d->conflicts->timer_fd : -1;
}

void conflicts_step(struct daemon *d)
{
	if (d->conflicts)
		defend(d, true);
}

struct json_object *conflicts_json(const struct daemon *d)
{
	static const char *const kinds[CONFLICT_KINDS] = {NULL, "vip", "vmac", "vip6"};
	struct json_object *o = json_object_new_object(), *groups = json_object_new_array();
	int ncpu = libbpf_num_possible_cpus();
	__u64 suppressed = 0, lost = 0;
	__u32 zero = 0;

	if (ncpu > 0) {
		struct xglb_conflict_rl rl[ncpu];

		if (!bpf_map_lookup_elem(bpf_map__fd(d->ld.skel->maps.xglb_conflict_rl), &zero, rl))
			for (int i = 0; i < ncpu; i++) {
				suppressed += rl[i].suppressed;
				lost += rl[i].lost;
			}
	}
	for (int g = 0; g < d->cfg->n_groups; g++) {
		__u8 gid = d->cfg->groups[g].id;
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "id", json_object_new_int(gid));
		for (int k = 1; k < CONFLICT_KINDS; k++)
			json_object_object_add(
			    x, kinds[k],
			    json_object_new_int64(
				d->conflicts ? (int64_t)d->conflicts->grp[gid].count[k] : 0));
		json_object_object_add(
		    x, "vip6_na_sent",
		    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->grp[gid].na_sent
						       : 0));
		json_object_object_add(
		    x, "vip_replies_sent",
		    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->grp[gid].arp_sent
						       : 0));
		/* passes begun: first ones, and their repeats (defend.h) */
		json_object_object_add(
		    x, "vip_passes",
		    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->grp[gid].v4.passes
						       : 0));
		json_object_object_add(
		    x, "vip_repeats",
		    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->grp[gid].v4.repeats
						       : 0));
		json_object_object_add(
		    x, "vip6_passes",
		    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->grp[gid].v6.passes
						       : 0));
		json_object_object_add(
		    x, "vip6_repeats",
		    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->grp[gid].v6.repeats
						       : 0));
		json_object_array_add(groups, x);
	}
	json_object_object_add(o, "groups", groups);
	json_object_object_add(
	    o, "hosts_defended",
	    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->defended : 0));
	json_object_object_add(
	    o, "na_defended",
	    json_object_new_int64(d->conflicts ? (int64_t)d->conflicts->na_defended : 0));
	json_object_object_add(o, "events_suppressed", json_object_new_int64((int64_t)suppressed));
	json_object_object_add(o, "events_lost", json_object_new_int64((int64_t)lost));
	return o;
}

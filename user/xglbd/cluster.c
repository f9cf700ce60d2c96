// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cluster.c - membership runtime: receive, check and route hellos; tick groups; send; report. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "cluster.h"
#include "log.h"
#include "names.h"
#include "tables.h"

#define MS 1000000ull

/* Our priority and weight in group g: the node's, less what the group withdraws. */
static void set_group_self(struct xglb_cluster *c, int g, const __u8 *mac)
{
	__u8 w = c->withdraw[g];

	xglb_fsm_set_self(&c->fsm[g], w & XGLB_WITHDRAW_AVG ? 0 : c->self_prio,
			  w & XGLB_WITHDRAW_FWD ? 0 : c->self_weight, mac);
}

static void grp_from_cfg(struct xglb_cluster *c, int g, const __u8 *mac, __u64 now)
{
	const struct xglb_config *cfg = c->cfg;
	const struct xglb_cfg_group *cg = &cfg->groups[g];
	struct xglb_fsm_node_param nodes[XGLB_MAX_NODES];
	struct xglb_fsm_fwd_param fwd[XGLB_MAX_FWD];
	struct xglb_fsm_timers t = {
	    .hello_ms = cg->hello_ms,
	    .hold_ms = cg->hold_ms,
	    .redirect_ms = cg->redirect_ms,
	    .timeout_ms = cg->timeout_ms,
	    .preempt = cg->preempt,
	    .preempt_delay_ms = cg->preempt_delay_ms,
	    .load_max_pct = cg->load_max_pct,
	};

	for (int i = 0; i < cfg->n_nodes; i++)
		nodes[i] = (struct xglb_fsm_node_param){.id = cfg->nodes[i].id,
							.priority = cfg->nodes[i].priority,
							.weight = cfg->nodes[i].weight};
	for (int i = 0; i < cg->n_fwd; i++)
		fwd[i] = (struct xglb_fsm_fwd_param){
		    .preferred =
			cg->fwd[i].preferred >= 0 ? cfg->nodes[cg->fwd[i].preferred].id : 0,
		    .persistence = cg->fwd[i].persistence,
		    .weight = cg->fwd[i].weight};
	xglb_fsm_init(&c->fsm[g], cg->id, cg->vip, cg->policy, &t, cfg->nodes[cfg->self].id,
		      c->fsm[g].boot, nodes, cfg->n_nodes, fwd, cg->n_fwd, now);
	set_group_self(c, g, mac);
}

/*
 * The record of peer id, created if new. A full table gives up the slot
 * of a node no longer configured (there always is one: the table holds
 * more than XGLB_MAX_NODES).
 */
static struct xglb_peer *peer(struct xglb_cluster *c, __u32 id)
{
	struct xglb_peer *free_slot = NULL, *gone = NULL;

	for (int i = 0; i < XGLB_PEERS_MAX; i++) {
		struct xglb_peer *p = &c->peers[i];

		if (p->id == id)
			return p;
		if (!p->id && !free_slot)
			free_slot = p;
		else if (p->id && !gone && xglb_node_by_id(c->cfg, p->id) < 0)
			gone = p;
	}
	if (!free_slot)
		free_slot = gone;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->id = id;
	return free_slot;
}

/* The boot of peer id our hellos echo: the highest it has shown us, 0 if none yet. */
static __u32 peer_boot(const struct xglb_cluster *c, __u32 id)
{
	for (int i = 0; i < XGLB_PEERS_MAX; i++)
		if (c->peers[i].id == id)
			return c->peers[i].boot;
	return 0;
}

/* Only the configured nodes' addresses reach the socket (see xglb_member_admit_only). */
static int admit_nodes(struct xglb_cluster *c, const struct xglb_config *cfg)
{
	__be32 addrs[XGLB_MEMBER_MAX_PEERS];
	int n = 0;

	_Static_assert(XGLB_MAX_NODES <= XGLB_MEMBER_MAX_PEERS, "every node fits the filter");
	for (int i = 0; i < cfg->n_nodes; i++)
		if (i != cfg->self)
			addrs[n++] = cfg->nodes[i].address;
	return xglb_member_admit_only(&c->mem, addrs, n);
}

int xglb_cluster_init(struct xglb_cluster *c, const struct xglb_config *cfg, __u32 boot,
		      const __u8 (*self_mac)[6], const struct xglb_group *const *restore, __u64 now,
		      const struct xglb_cluster_io *io)
{
	int err;

	/* zeroed by the caller: a memset here would make all 256 groups' room resident */
	c->cfg = cfg;
	c->io = *io;
	c->boot = boot;
	c->self_prio = cfg->nodes[cfg->self].priority;
	c->self_weight = cfg->nodes[cfg->self].weight;
	err = xglb_member_open(&c->mem, cfg->nodes[cfg->self].address, cfg->port, cfg->key,
			       cfg->key_len);
	if (err)
		return err;
	err = admit_nodes(c, cfg);
	if (err) {
		xglb_member_close(&c->mem);
		return err;
	}
	c->n_groups = cfg->n_groups;
	c->started = now;
	for (int g = 0; g < c->n_groups; g++) {
		c->fsm[g].boot = boot;
		grp_from_cfg(c, g, self_mac[g], now);
		if (restore && restore[g])
			xglb_fsm_restore(&c->fsm[g], restore[g]);
	}
	return 0;
}

void xglb_cluster_close(struct xglb_cluster *c)
{
	xglb_member_close(&c->mem);
}

void xglb_cluster_reconfigure(struct xglb_cluster *c, const struct xglb_config *cfg,
			      const __u8 (*self_mac)[6], __u64 now)
{
	static struct xglb_fsm old[XGLB_MAX_GROUPS];
	struct xglb_fsm_node_param nodes[XGLB_MAX_NODES];
	int n_old = c->n_groups;
	__u32 boot = c->boot;
	int err;

	memcpy(old, c->fsm, sizeof(old[0]) * n_old); /* only what is in use: the rest untouched */
	c->cfg = cfg;
	/* The socket keeps its port and key (a reload cannot change them); the
	 * key is made ready again from the new configuration's bytes all the same. */
	xglb_member_set_key(&c->mem, cfg->key, cfg->key_len);
	err = admit_nodes(c, cfg); /* on failure the old filter stays: the old nodes */
	if (err)
		pr_warn("membership: filtering by node address: %s", strerror(-err));
	c->self_prio = cfg->nodes[cfg->self].priority;
	c->self_weight = cfg->nodes[cfg->self].weight;
	c->n_groups = cfg->n_groups;
	for (int i = 0; i < cfg->n_nodes; i++)
		nodes[i] = (struct xglb_fsm_node_param){.id = cfg->nodes[i].id,
							.priority = cfg->nodes[i].priority,
							.weight = cfg->nodes[i].weight};
	for (int g = 0; g < c->n_groups; g++) {
		const struct xglb_cfg_group *cg = &cfg->groups[g];
		int k;

		for (k = 0; k < n_old; k++)
			if (old[k].gid == cg->id && old[k].vip == cg->vip &&
			    old[k].n_fwd == cg->n_fwd)
				break;
		if (k == n_old) {
			c->fsm[g].boot = boot;
			grp_from_cfg(c, g, self_mac[g], now);
			continue;
		}
		/* Same group: keep peers (by id), roles, owners and versions; take new knobs. */
		c->fsm[g] = old[k];
		xglb_fsm_set_nodes(&c->fsm[g], nodes, cfg->n_nodes, now);
		c->fsm[g].policy = cg->policy;
		c->fsm[g].t.hello_ms = cg->hello_ms;
		c->fsm[g].t.hold_ms = cg->hold_ms;
		c->fsm[g].t.redirect_ms = cg->redirect_ms;
		c->fsm[g].t.timeout_ms = cg->timeout_ms;
		c->fsm[g].t.preempt = cg->preempt;
		c->fsm[g].t.preempt_delay_ms = cg->preempt_delay_ms;
		c->fsm[g].t.load_max_pct = cg->load_max_pct;
		set_group_self(c, g, self_mac[g]);
	}
	c->commit_pending = true;
}

int xglb_cluster_fd(const struct xglb_cluster *c)
{
	return c->mem.fd;
}

void xglb_cluster_set_self(struct xglb_cluster *c, __u8 priority, __u16 weight)
{
	c->self_prio = priority;
	c->self_weight = weight;
	for (int g = 0; g < c->n_groups; g++) {
		set_group_self(c, g, NULL);
		c->fsm[g].next_hello = 0; /* tell peers at once */
	}
}

void xglb_cluster_withdraw(struct xglb_cluster *c, int g, __u8 what)
{
	if (g < 0 || g >= c->n_groups)
		return;
	if (c->withdraw[g] != what)
		c->fsm[g].next_hello = 0; /* tell peers at once */
	c->withdraw[g] = what;
	set_group_self(c, g, NULL);
}

void xglb_cluster_set_mac(struct xglb_cluster *c, int g, const __u8 mac[6])
{
	if (g < 0 || g >= c->n_groups)
		return;
	set_group_self(c, g, mac);
	c->fsm[g].next_hello = 0;
}

static void send_hello(struct xglb_cluster *c, int g, __u64 now)
{
	const struct xglb_config *cfg = c->cfg;
	__u64 loads[XGLB_MAX_FWD] = {0};
	struct xglb_msg m;
	int sent = 0, ok = 0;

	if (c->io.loads)
		c->io.loads(c->io.ctx, g, loads);
	xglb_fsm_hello(&c->fsm[g], now, loads, &m);
	/* One counter for every group and across reloads: a group created
	 * afresh by a reload must not start again below what peers accepted. */
	m.seq = ++c->seq;
	if (c->n_seg[g]) {
		m.flags |= XGLB_MSGF_STEER;
		m.n_seg = c->n_seg[g];
		memcpy(m.seg_mac, c->self_seg[g], sizeof(m.seg_mac));
	}
	if (c->admin[g].repeats > 0) {
		m.flags |= XGLB_MSGF_ADMIN;
		m.admin_op = c->admin[g].op;
		m.admin_index = c->admin[g].index;
		m.admin_persistence = c->admin[g].persistence;
		m.admin_target = c->admin[g].target;
		c->admin[g].repeats--;
		if (c->admin[g].repeats)
			c->fsm[g].next_hello = now + MS; /* the next copies follow quickly */
	}
	for (int i = 0; i < cfg->n_nodes; i++) {
		int err;

		if (i == cfg->self)
			continue;
		m.echo = peer_boot(
		    c, cfg->nodes[i].id); /* proves to it this hello is from its current run */
		err = xglb_member_send(&c->mem, cfg->nodes[i].address, &m);
		sent++;
		ok += !err;
		if (err)
			pr_debug("group %u: hello to %s: %s", m.gid, cfg->nodes[i].name,
				 strerror(-err));
	}
	/* A node that can reach no peer holds a demotion: it must not hold roles it cannot
	 * announce. One unreachable peer is that peer's problem. */
	xglb_fsm_send_failed(&c->fsm[g], sent > 0 && ok == 0, now);
}

static void handle(struct xglb_cluster *c, int g, const struct xglb_fsm_out *out, __u64 now)
{
	if (out->actions & XGLB_FSM_ACT_COMMIT)
		c->commit_pending = true;
	if ((out->actions & XGLB_FSM_ACT_HELLO) && c->commit_pending && c->io.commit) {
		/* Serve first, speak second: a hello claiming a role (a new AVG) lets a
		 * leaving node stop answering, so our tables must say it already. */
		c->io.commit(c->io.ctx);
		c->commit_pending = false;
	}
	if (out->actions & XGLB_FSM_ACT_HELLO)
		send_hello(c, g, now);
	if ((out->actions & XGLB_FSM_ACT_LEARN) && c->io.learn) {
		/* Accept first, announce second: a switch that moves the vMAC's port
		 * to us must find our tables already saying it is ours. */
		if (c->commit_pending && c->io.commit) {
			c->io.commit(c->io.ctx);
			c->commit_pending = false;
		}
		c->io.learn(c->io.ctx, g, out->learn_mask);
	}
	if ((out->actions & XGLB_FSM_ACT_REDIST) && c->io.redistribute) {
		/* Tables first: hosts must be sent to forwarders the data path already has. */
		if (c->commit_pending && c->io.commit) {
			c->io.commit(c->io.ctx);
			c->commit_pending = false;
		}
		c->io.redistribute(c->io.ctx, g, out->redist_mask);
	}
}

static void flush(struct xglb_cluster *c)
{
	if (c->commit_pending && c->io.commit)
		c->io.commit(c->io.ctx);
	c->commit_pending = false;
}

/* Group G's output, kept for the end of the pass; merged with what it asked before in it. */
static void collect(struct xglb_cluster *c, int g, const struct xglb_fsm_out *out)
{
	c->pass[g].actions |= out->actions;
	c->pass[g].learn_mask |= out->learn_mask;
	c->pass[g].redist_mask |= out->redist_mask;
	if (out->actions & XGLB_FSM_ACT_COMMIT)
		c->commit_pending = true;
}

/*
 * xglb_fsm_tick of group g, noting the peers it took as lost (their hold
 * ended) for coalesce_losses.
 */
static void tick_group(struct xglb_cluster *c, int g, __u64 now, struct xglb_fsm_out *out)
{
	struct xglb_fsm *f = &c->fsm[g];
	__u32 up = 0;
	int n = f->n_nodes < 32 ? f->n_nodes : 32;

	for (int i = 0; i < n; i++)
		up |= (__u32)f->nodes[i].up << i;
	xglb_fsm_tick(f, now, out);
	for (int i = 0; i < n; i++) {
		bool known = false;

		if (!(up >> i & 1) || f->nodes[i].up || f->nodes[i].id == f->self)
			continue;
		for (int k = 0; k < c->n_lost && !known; k++)
			known = c->lost[k] == f->nodes[i].id;
		if (!known && c->n_lost < XGLB_FSM_MAX_NODES)
			c->lost[c->n_lost++] = f->nodes[i].id;
	}
}

/*
 * A peer whose hold ended in one group in this pass is lost in this pass
 * in every group where its hold ends within a window: a sixteenth of the
 * hold, at most XGLB_LOSS_COALESCE_MS. A dead node's hellos of its groups
 * reach us over a few milliseconds (sent in a few ticks, read in batches),
 * so their holds end a few milliseconds apart, and each end alone, or a
 * hello of another node for that group, would make a commit of its own: a
 * failover of 255 groups took several commits. Now it takes one, and no
 * group fails over more than the window before its hold ends. A group
 * where the peer was heard since (its hold ends later) keeps it.
 */
#define XGLB_LOSS_COALESCE_MS 20

static void coalesce_losses(struct xglb_cluster *c, __u64 now)
{
	for (int k = 0; k < c->n_lost; k++) {
		int n = 0;

		for (int g = 0; g < c->n_groups; g++) {
			struct xglb_fsm *f = &c->fsm[g];
			__u64 w = f->t.hold_ms / 16 < XGLB_LOSS_COALESCE_MS ? f->t.hold_ms / 16
									    : XGLB_LOSS_COALESCE_MS;
			struct xglb_fsm_out out = {0};

			if (!xglb_fsm_lose_peer(f, c->lost[k], now, w * MS))
				continue;
			n++;
			xglb_fsm_tick(f, now, &out);
			collect(c, g, &out);
		}
		c->losses_coalesced += (__u64)n;
		if (n)
			pr_info("%s lost in %d more group(s) whose hold ends within %u ms: one "
				"failover",
				xglb_node_name(c->cfg, c->lost[k], "a node"), n,
				XGLB_LOSS_COALESCE_MS);
	}
	c->n_lost = 0;
}

/*
 * The end of a pass over the groups (a tick, a batch of hellos): one commit
 * for every group whose view changed, then each group's hellos, learning
 * frames and redistribution. Tables still come before anything that
 * announces them, as handle() orders it for one group; but a failover of
 * 255 groups in one tick is one table build and one flip, not 255 (each
 * rebuilding every group and waiting a grace period).
 */
static void run_pass(struct xglb_cluster *c, __u64 now)
{
	flush(c);
	for (int g = 0; g < c->n_groups; g++) {
		struct xglb_fsm_out out = c->pass[g];

		if (!out.actions)
			continue;
		memset(&c->pass[g], 0, sizeof(c->pass[g]));
		out.actions &= ~XGLB_FSM_ACT_COMMIT; /* committed above */
		handle(c, g, &out, now);
	}
	flush(c); /* anything handle() itself asked for */
}

static int group_index(const struct xglb_cluster *c, __u8 gid)
{
	for (int g = 0; g < c->n_groups; g++)
		if (c->fsm[g].gid == gid)
			return g;
	return -1;
}

/*
 * Everything a decoded hello must satisfy before it may touch a group.
 * Freshness has two parts (ARCHITECTURE.md, "Replay"): the hello must echo
 * our current boot, which no hello sent before this run can, and within
 * this run its (boot, seq) must be newer than any seen from that node.
 */
static int admit(struct xglb_cluster *c, const struct xglb_msg *m, __be32 src, int *gp)
{
	const struct xglb_config *cfg = c->cfg;
	int g = group_index(c, m->gid), n = xglb_node_by_id(cfg, m->node_id);
	struct xglb_peer *p;

	if (m->node_id == cfg->nodes[cfg->self].id)
		return XGLB_RX_SELF;
	if (n < 0 || cfg->nodes[n].address != src)
		return XGLB_RX_UNKNOWN_NODE; /* the id must come from its configured address */
	if (g < 0)
		return XGLB_RX_UNKNOWN_GROUP;
	*gp = g;
	p = peer(c, m->node_id);
	/*
	 * The HMAC verified, so the sender did run with this boot: echo it
	 * from now on, even if this hello is refused below. Only a rise
	 * counts, so a replayed older hello changes nothing. A new boot is a
	 * peer that has (re)started and cannot yet know ours: answer at once
	 * rather than make it wait a hello interval.
	 */
	if (m->boot > p->boot) {
		p->boot = m->boot;
		for (int k = 0; k < c->n_groups; k++)
			c->fsm[k].next_hello = 0;
	}
	if (m->echo != c->boot)
		return XGLB_RX_ECHO;
	return xglb_replay_check(&p->win, m->boot, m->seq);
}

/* A peer's operator request: ours to carry out if we are its AVG or its target. */
static void apply_admin(struct xglb_cluster *c, int g, const struct xglb_msg *m, __u64 now)
{
	__u32 self = c->cfg->nodes[c->cfg->self].id;

	if (m->admin_op == XGLB_ADMIN_DRAIN || m->admin_op == XGLB_ADMIN_UNDRAIN) {
		if (m->admin_target == self && c->io.drain)
			c->io.drain(c->io.ctx, m->admin_op == XGLB_ADMIN_DRAIN);
		return;
	}
	if (xglb_fsm_is_avg(&c->fsm[g]) &&
	    xglb_fsm_admin(&c->fsm[g], m->admin_op, m->admin_index, m->admin_persistence,
			   m->admin_target, now) == 0)
		pr_info("group %u: carried out request %u for forwarder %u from node %u", m->gid,
			m->admin_op, m->admin_index, m->node_id);
}

int xglb_cluster_admin(struct xglb_cluster *c, int g, __u8 op, __u8 index, __u8 persistence,
		       __u32 target, __u64 now)
{
	__u32 self = c->cfg->nodes[c->cfg->self].id;
	int err;

	if (g < 0 || g >= c->n_groups)
		return -ENOENT;
	if ((op == XGLB_ADMIN_DRAIN || op == XGLB_ADMIN_UNDRAIN) && target == self) {
		if (c->io.drain)
			c->io.drain(c->io.ctx, op == XGLB_ADMIN_DRAIN);
		return 1;
	}
	if (op != XGLB_ADMIN_DRAIN && op != XGLB_ADMIN_UNDRAIN && xglb_fsm_is_avg(&c->fsm[g])) {
		err = xglb_fsm_admin(&c->fsm[g], op, index, persistence, target, now);
		if (err)
			return err;
		xglb_cluster_tick(c, now);
		return 1;
	}
	if (op != XGLB_ADMIN_MOVE)
		persistence = 0;
	c->admin[g] = (struct xglb_admin_pending){.op = op,
						  .index = op <= XGLB_ADMIN_UNPIN ? index : 0,
						  .persistence = persistence,
						  .target = op == XGLB_ADMIN_UNPIN ? 0 : target,
						  .repeats = 3};
	c->fsm[g].next_hello = 0; /* now */
	xglb_cluster_tick(c, now);
	return 0;
}

void xglb_cluster_readable(struct xglb_cluster *c, __u64 now)
{
	for (int budget = 0; budget < 256; budget++) {
		struct xglb_fsm_out out = {0};
		struct xglb_msg m;
		__be32 src;
		int r, g = -1;

		r = xglb_member_recv(&c->mem, &m, &src);
		if (r == -EAGAIN)
			break;
		if (r <= 0)
			continue;
		r = admit(c, &m, src, &g);
		c->mem.rx[r]++;
		if (r != XGLB_RX_OK)
			continue;
		if (m.flags & XGLB_MSGF_STEER) {
			int ni = xglb_node_by_id(c->cfg, m.node_id);

			if (memcmp(c->seg_mac[g][ni], m.seg_mac, sizeof(m.seg_mac))) {
				memcpy(c->seg_mac[g][ni], m.seg_mac, sizeof(m.seg_mac));
				c->commit_pending =
				    true; /* a peer's MAC is part of the steering tables */
			}
		}
		xglb_fsm_rx(&c->fsm[g], &m, now, &out);
		if (m.flags & XGLB_MSGF_ADMIN)
			apply_admin(c, g, &m, now);
		tick_group(c, g, now, &out);
		collect(c, g, &out);
	}
	coalesce_losses(c, now);
	run_pass(c, now);
}

/*
 * A configured peer we do not hear (a firewall dropping the membership port
 * makes a silent split: every side elects itself AVG): a warning once it is
 * hold time overdue, again every XGLB_SILENCE_REPEAT_MS, and a note when it
 * is heard again.
 */
static void watch_silence(struct xglb_cluster *c, __u64 now)
{
	const struct xglb_config *cfg = c->cfg;

	for (int ni = 0; ni < cfg->n_nodes; ni++) {
		const struct xglb_cfg_node *cn = &cfg->nodes[ni];
		__u64 last = 0, hold = 0;
		bool heard = false;
		char ip[INET_ADDRSTRLEN];

		if (ni == cfg->self)
			continue;
		for (int g = 0; g < c->n_groups; g++) {
			const struct xglb_fsm_node *n = xglb_fsm_node(&c->fsm[g], cn->id);

			hold = !hold || c->fsm[g].t.hold_ms < hold ? c->fsm[g].t.hold_ms : hold;
			if (n && n->heard) {
				heard = true;
				last = n->last_heard > last ? n->last_heard : last;
			}
		}
		if (!c->n_groups)
			return;
		if (!heard)
			last = c->started;
		/* the address formatted only for a line logged, not at every tick */
		if (now - last < hold * MS) {
			if (c->silence_warn_at[ni] && heard)
				pr_info("hellos from %s (%s) again", cn->name,
					inet_ntop(AF_INET, &cn->address, ip, sizeof(ip)));
			c->silence_warn_at[ni] = 0;
			continue;
		}
		if (c->silence_warn_at[ni] && now < c->silence_warn_at[ni])
			continue;
		inet_ntop(AF_INET, &cn->address, ip, sizeof(ip));
		if (heard)
			pr_warn(
			    "no hellos from %s (%s) for %llu s: is UDP port %u open between the "
			    "routers?",
			    cn->name, ip, (unsigned long long)((now - last) / (1000 * MS)),
			    cfg->port);
		else
			pr_warn(
			    "no hellos from %s (%s) ever (%llu s since start): is UDP port %u open "
			    "between the routers?",
			    cn->name, ip, (unsigned long long)((now - last) / (1000 * MS)),
			    cfg->port);
		c->silence_warn_at[ni] = now + XGLB_SILENCE_REPEAT_MS * MS;
	}
}

void xglb_cluster_leave(struct xglb_cluster *c, __u64 now)
{
	for (int g = 0; g < c->n_groups; g++)
		xglb_fsm_leave(&c->fsm[g], now);
	xglb_cluster_tick(c, now);
}

bool xglb_cluster_left(const struct xglb_cluster *c, __u64 now)
{
	for (int g = 0; g < c->n_groups; g++)
		if (!xglb_fsm_left(&c->fsm[g], now))
			return false;
	return true;
}

__u64 xglb_cluster_leave_bound_ms(const struct xglb_cluster *c)
{
	__u64 b = 0;

	for (int g = 0; g < c->n_groups; g++) {
		__u64 h = c->fsm[g].t.hold_ms;

		/* the peers' AVG reacts within a hello (one hold at most), then the release */
		if (h + (h > 500 ? h : 500) > b)
			b = h + (h > 500 ? h : 500);
	}
	return b;
}

/*
 * When a group's hello is due, the hellos of the others with the same
 * interval due within half of it go now too: sent early (never late), so
 * a node's groups come to send in one tick, whatever moved them apart (an
 * election, a greeting, an operator request answered at once). Two phases
 * less than half an interval apart merge at the earlier one's tick, the
 * others at the later one's: after one interval a node sends every group's
 * hello together, its peers read them together, and when it dies its holds
 * end together (coalesce_losses then takes the stragglers). Only the same
 * interval: a group of 50 ms must not pull one of 1 s along every 50 ms.
 */
#define ALIGN_KINDS 8 /* distinct hello intervals aligned in one tick */

static void align_hellos(struct xglb_cluster *c, __u64 now)
{
	__u32 due[ALIGN_KINDS];
	int n = 0;

	for (int g = 0; g < c->n_groups && n < ALIGN_KINDS; g++) {
		bool known = false;

		if (c->fsm[g].next_hello > now)
			continue;
		for (int k = 0; k < n && !known; k++)
			known = due[k] == c->fsm[g].t.hello_ms;
		if (!known)
			due[n++] = c->fsm[g].t.hello_ms;
	}
	for (int g = 0; n && g < c->n_groups; g++) {
		struct xglb_fsm *f = &c->fsm[g];
		bool same = false;

		for (int k = 0; k < n && !same; k++)
			same = due[k] == f->t.hello_ms;
		if (same && f->next_hello > now &&
		    f->next_hello - now <= (__u64)f->t.hello_ms * MS / 2)
			f->next_hello = now;
	}
}

void xglb_cluster_tick(struct xglb_cluster *c, __u64 now)
{
	watch_silence(c, now);
	align_hellos(c, now);
	for (int g = 0; g < c->n_groups; g++) {
		struct xglb_fsm_out out = {0};

		tick_group(c, g, now, &out);
		collect(c, g, &out);
	}
	coalesce_losses(c, now);
	run_pass(c, now);
}

__u64 xglb_cluster_next(const struct xglb_cluster *c, __u64 now)
{
	__u64 next = now + 1000 * MS;

	for (int g = 0; g < c->n_groups; g++) {
		__u64 t = xglb_fsm_next(&c->fsm[g], now);

		if (t < next)
			next = t;
	}
	return next;
}

void xglb_cluster_set_segments(struct xglb_cluster *c, int g, int n, const __u8 (*macs)[6])
{
	c->n_seg[g] = (__u8)(n > XGLB_PROTO_SEGMENTS ? XGLB_PROTO_SEGMENTS : n);
	memset(c->self_seg[g], 0, sizeof(c->self_seg[g]));
	memcpy(c->self_seg[g], macs, c->n_seg[g] * 6);
}

const __u8 *xglb_cluster_seg_mac(const struct xglb_cluster *c, int g, int ni, int seg)
{
	static const __u8 zero[6];
	const __u8 *m = c->seg_mac[g][ni][seg];

	return memcmp(m, zero, 6) ? m : NULL;
}

bool xglb_cluster_owns(const struct xglb_cluster *c, int g, int f)
{
	const struct xglb_fsm_fwd *x = &c->fsm[g].fwd[f];

	return x->active && x->owner == c->fsm[g].self;
}

bool xglb_cluster_starting(const struct xglb_cluster *c, int g, __u64 now)
{
	return xglb_fsm_starting(&c->fsm[g], now);
}

void xglb_cluster_view(const struct xglb_cluster *c, int g, __u64 now, struct xglb_group_state *st)
{
	xglb_fsm_view(&c->fsm[g], now, st);
}

static struct json_object *jstr_ip(__be32 ip)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &ip, buf, sizeof(buf));
	return json_object_new_string(buf);
}

struct json_object *xglb_cluster_group_json(const struct xglb_cluster *c, int gi, __u64 now)
{
	const struct xglb_config *cfg = c->cfg;
	const struct xglb_fsm *g = &c->fsm[gi];
	struct json_object *o = json_object_new_object(), *peers = json_object_new_array(),
			   *fwds = json_object_new_array(), *st = json_object_new_object();
	const char *role = xglb_fsm_is_avg(g)	   ? "avg"
			   : g->standby == g->self ? "standby"
						   : "listen";

	json_object_object_add(o, "id", json_object_new_int(g->gid));
	json_object_object_add(o, "vip", jstr_ip(g->vip));
	json_object_object_add(o, "role", json_object_new_string(role));
	json_object_object_add(o, "avg", json_object_new_int64(g->avg));
	json_object_object_add(o, "avg_name",
			       json_object_new_string(xglb_node_name(cfg, g->avg, "")));
	json_object_object_add(o, "standby", json_object_new_int64(g->standby));
	json_object_object_add(o, "version", json_object_new_int64(g->version));
	json_object_object_add(o, "state_from", json_object_new_int64(g->state_avg));
	json_object_object_add(o, "demoted", json_object_new_boolean(xglb_fsm_demoted(g, now)));
	json_object_object_add(o, "hello_ms", json_object_new_int64(g->t.hello_ms));
	json_object_object_add(o, "hold_ms", json_object_new_int64(g->t.hold_ms));
	for (int i = 0; i < g->n_nodes; i++) {
		const struct xglb_fsm_node *n = &g->nodes[i];
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "id", json_object_new_int64(n->id));
		json_object_object_add(p, "name",
				       json_object_new_string(xglb_node_name(cfg, n->id, "")));
		json_object_object_add(p, "self", json_object_new_boolean(n->id == g->self));
		json_object_object_add(p, "up", json_object_new_boolean(n->up));
		json_object_object_add(p, "heard",
				       json_object_new_boolean(n->id == g->self || n->heard));
		json_object_object_add(p, "leaving", json_object_new_boolean(n->leaving));
		json_object_object_add(p, "age_ms",
				       json_object_new_int64(n->last_heard && now > n->last_heard
								 ? (now - n->last_heard) / MS
								 : 0));
		json_object_object_add(p, "priority", json_object_new_int(n->priority));
		json_object_object_add(p, "weight", json_object_new_int(n->weight));
		json_object_object_add(p, "avg", json_object_new_boolean(n->claims_avg));
		json_object_object_add(p, "demoted", json_object_new_boolean(n->demoted));
		json_object_array_add(peers, p);
	}
	json_object_object_add(o, "peers", peers);
	for (int i = 0; i < g->n_fwd; i++) {
		const struct xglb_fsm_fwd *f = &g->fwd[i];
		struct json_object *j = json_object_new_object();
		char vmac[XGLB_MAC_STR];
		__u8 m[6];

		xglb_vmac(g->gid, (__u8)i, m);
		xglb_fmt_mac(vmac, m);
		json_object_object_add(j, "index", json_object_new_int(i));
		json_object_object_add(j, "vmac", json_object_new_string(vmac));
		json_object_object_add(j, "owner", json_object_new_int64(f->active ? f->owner : 0));
		json_object_object_add(
		    j, "owner_name",
		    json_object_new_string(f->active ? xglb_node_name(cfg, f->owner, "") : ""));
		json_object_object_add(j, "preferred", json_object_new_int64(f->preferred));
		json_object_object_add(
		    j, "preferred_name",
		    json_object_new_string(f->preferred ? xglb_node_name(cfg, f->preferred, "")
							: "none"));
		json_object_object_add(j, "persistence", json_object_new_int(f->persistence));
		json_object_object_add(j, "weight", json_object_new_int(f->weight));
		json_object_object_add(j, "effective_weight", json_object_new_int(f->eff_weight));
		/* load-aware balancing, as the AVG measured it (0 elsewhere) */
		json_object_object_add(
		    j, "load_bytes_per_s",
		    json_object_new_int64(
			g->t.hold_ms ? (int64_t)(f->rate * 1000 / (5ull * g->t.hold_ms)) : 0));
		json_object_object_add(j, "balance_moves", json_object_new_int64(f->balance_moves));
		json_object_object_add(
		    j, "balanced_ms",
		    json_object_new_int64(f->balanced_at && now > f->balanced_at
					      ? (int64_t)((now - f->balanced_at) / MS)
					      : -1));
		json_object_object_add(j, "active", json_object_new_boolean(f->active));
		json_object_object_add(j, "new_hosts", json_object_new_boolean(f->new_ok));
		json_object_object_add(j, "local",
				       json_object_new_boolean(f->active && f->owner == g->self));
		json_object_object_add(
		    j, "takeover_ms",
		    json_object_new_int64(f->takeover_since && now > f->takeover_since
					      ? (now - f->takeover_since) / MS
					      : 0));
		json_object_array_add(fwds, j);
	}
	json_object_object_add(o, "forwarders", fwds);
	json_object_object_add(st, "avg_changes", json_object_new_int64(g->stats.avg_changes));
	json_object_object_add(st, "owner_changes", json_object_new_int64(g->stats.owner_changes));
	json_object_object_add(st, "failovers", json_object_new_int64(g->stats.failovers));
	json_object_object_add(st, "removals", json_object_new_int64(g->stats.removals));
	json_object_object_add(st, "rebalances", json_object_new_int64(g->stats.rebalances));
	json_object_object_add(st, "gaps", json_object_new_int64(g->stats.gaps));
	json_object_object_add(st, "states_adopted",
			       json_object_new_int64(g->stats.states_adopted));
	json_object_object_add(o, "events", st);
	return o;
}

struct json_object *xglb_cluster_rx_json(const struct xglb_cluster *c)
{
	struct json_object *o = json_object_new_object();

	for (int r = 0; r < XGLB_RX_MAX; r++)
		json_object_object_add(o, xglb_rx_reason_name(r),
				       json_object_new_int64(c->mem.rx[r]));
	/* before the daemon saw them: not a node's address or not TTL 255, or no room */
	json_object_object_add(o, "kernel_dropped",
			       json_object_new_int64((int64_t)xglb_member_kernel_drops(&c->mem)));
	json_object_object_add(o, "tx_ok", json_object_new_int64(c->mem.tx_ok));
	json_object_object_add(o, "tx_errors", json_object_new_int64(c->mem.tx_err));
	return o;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* group.c - membership, AVG election, forwarder assignment and versioned group state (pure). */
#include <errno.h>
#include <string.h>
#include "group.h"

#define MS (1000000ull) /* ns per ms */

const struct xglb_fsm_node *xglb_fsm_node(const struct xglb_fsm *g, __u32 id)
{
	for (int i = 0; id && i < g->n_nodes; i++)
		if (g->nodes[i].id == id)
			return &g->nodes[i];
	return NULL;
}

static struct xglb_fsm_node *node_mut(struct xglb_fsm *g, __u32 id)
{
	return (struct xglb_fsm_node *)xglb_fsm_node(g, id);
}

bool xglb_fsm_is_avg(const struct xglb_fsm *g)
{
	return g->avg && g->avg == g->self;
}

/* Demoted for a reason other than failing sends: starting, or back from a silence. */
static bool demoted_speaking(const struct xglb_fsm *g, __u64 now)
{
	return (now < g->demoted_until && !g->resumed) || now < g->rejoin_until;
}

/*
 * Sends fail, for long enough that peers may count us dead: our last hello
 * got out at most one hello interval before the first failure, and they
 * expire us one hold time after it (xglb_fsm_send_failed).
 */
static bool long_silence(const struct xglb_fsm *g, __u64 now)
{
	return g->demoted_send &&
	       now + (__u64)g->t.hello_ms * MS >= g->send_failed_at + (__u64)g->t.hold_ms * MS;
}

bool xglb_fsm_demoted(const struct xglb_fsm *g, __u64 now)
{
	return demoted_speaking(g, now) || g->demoted_send;
}

bool xglb_fsm_starting(const struct xglb_fsm *g, __u64 now)
{
	return now < g->demoted_until;
}

/* May win the AVG election. */
static bool can_lead(const struct xglb_fsm_node *n)
{
	return n && n->up && !n->demoted && !n->leaving && n->priority > 0;
}

/* May own forwarders: up and not withdrawn by its tracking (weight 0). */
static bool can_forward(const struct xglb_fsm *g, __u32 id)
{
	const struct xglb_fsm_node *n = xglb_fsm_node(g, id);

	return n && n->up && !n->leaving && n->weight > 0;
}

bool xglb_version_after(__u32 a, __u32 b)
{
	__u32 d = a - b; /* modulo 2^32 */

	return d != 0 && d <= XGLB_VERSION_STEP;
}

__u32 xglb_version_next(__u32 v)
{
	return v + 1 ? v + 1 : 1;
}

/* Hold version v, and remember the newest version held in this run (version_max). */
static void hold_version(struct xglb_fsm *g, __u32 v)
{
	g->version = v;
	if (v && (!g->version_max || xglb_version_after(v, g->version_max)))
		g->version_max = v;
}

/* Election order: priority, then node id. */
static bool outranks(const struct xglb_fsm_node *a, const struct xglb_fsm_node *b)
{
	if (!b)
		return true;
	return a->priority > b->priority || (a->priority == b->priority && a->id > b->id);
}

void xglb_fsm_init(struct xglb_fsm *g, __u8 gid, __be32 vip, __u8 policy,
		   const struct xglb_fsm_timers *t, __u32 self, __u32 boot,
		   const struct xglb_fsm_node_param *nodes, int n_nodes,
		   const struct xglb_fsm_fwd_param *fwd, int n_fwd, __u64 now)
{
	memset(g, 0, sizeof(*g));
	g->gid = gid;
	g->vip = vip;
	g->policy = policy;
	g->t = *t;
	g->self = self;
	g->boot = boot;
	g->n_nodes = n_nodes > XGLB_FSM_MAX_NODES ? XGLB_FSM_MAX_NODES : n_nodes;
	for (int i = 0; i < g->n_nodes; i++) {
		struct xglb_fsm_node *n = &g->nodes[i];

		n->id = nodes[i].id;
		n->priority = n->cfg_priority = nodes[i].priority;
		n->weight = n->cfg_weight = nodes[i].weight;
		n->up = n->id == self;
		n->last_heard = now;
		n->load_factor = 100;
	}
	g->n_fwd = n_fwd > XGLB_MAX_FWD ? XGLB_MAX_FWD : n_fwd;
	for (int i = 0; i < g->n_fwd; i++) {
		g->fwd[i].preferred = fwd[i].preferred;
		g->fwd[i].persistence = fwd[i].persistence;
		g->fwd[i].weight = fwd[i].weight;
		g->fwd[i].eff_weight = fwd[i].weight;
	}
	g->demoted_until = now + (__u64)t->hold_ms * MS;
	g->start_announce = true;
	g->next_hello = now;
	g->next_load = now + (__u64)t->hold_ms * MS;
}

void xglb_fsm_restore(struct xglb_fsm *g, const struct xglb_group *tbl)
{
	int n = tbl->n_fwd < g->n_fwd ? tbl->n_fwd : g->n_fwd;

	if (!(tbl->flags & XGLB_GRP_ENABLED) || tbl->id != g->gid)
		return;
	for (int i = 0; i < n; i++) {
		g->fwd[i].owner = tbl->fwd[i].owner;
		g->fwd[i].active = tbl->fwd[i].flags & XGLB_FWD_ACTIVE;
		g->fwd[i].new_ok = tbl->fwd[i].flags & XGLB_FWD_NEW_OK;
	}
	hold_version(g, tbl->version);
	g->state_avg = 0; /* unknown: any peer's state of the same version replaces it */
}

void xglb_fsm_set_nodes(struct xglb_fsm *g, const struct xglb_fsm_node_param *nodes, int n_nodes,
			__u64 now)
{
	struct xglb_fsm_node next[XGLB_FSM_MAX_NODES];
	int n = n_nodes > XGLB_FSM_MAX_NODES ? XGLB_FSM_MAX_NODES : n_nodes;

	memset(next, 0, sizeof(next));
	for (int i = 0; i < n; i++) {
		const struct xglb_fsm_node *old = xglb_fsm_node(g, nodes[i].id);
		struct xglb_fsm_node *x = &next[i];

		if (old) {
			*x = *old;
		} else {
			x->id = nodes[i].id;
			x->priority = nodes[i].priority;
			x->weight = nodes[i].weight;
			x->up = nodes[i].id == g->self;
			x->last_heard = now;
			x->load_factor = 100;
		}
		x->cfg_priority = nodes[i].priority;
		x->cfg_weight = nodes[i].weight;
		if (x->priority > x->cfg_priority)
			x->priority = x->cfg_priority;
		if (x->weight > x->cfg_weight)
			x->weight = x->cfg_weight;
	}
	memcpy(g->nodes, next, sizeof(next));
	g->n_nodes = n;
	if (g->avg && !xglb_fsm_node(g, g->avg))
		g->avg = 0; /* removed: the next tick elects again */
	if (g->standby && !xglb_fsm_node(g, g->standby))
		g->standby = 0;
}

void xglb_fsm_resume_avg(struct xglb_fsm *g)
{
	g->avg = g->self;
	g->resumed = true;
}

void xglb_fsm_set_self(struct xglb_fsm *g, __u8 priority, __u16 weight, const __u8 mac[6])
{
	struct xglb_fsm_node *n = node_mut(g, g->self);

	if (!n)
		return;
	n->priority = priority;
	n->weight = weight;
	if (mac)
		memcpy(n->mac, mac, 6);
}

void xglb_fsm_send_failed(struct xglb_fsm *g, bool failed, __u64 now)
{
	if (failed && !g->demoted_send)
		g->send_failed_at = now;
	if (!failed && long_silence(g, now))
		g->rejoin_until = now + (__u64)g->t.hold_ms * MS;
	g->demoted_send = failed;
}

static unsigned int local_mask(const struct xglb_fsm *g)
{
	unsigned int m = 0;

	for (int i = 0; i < g->n_fwd; i++)
		if (g->fwd[i].active && g->fwd[i].owner == g->self)
			m |= 1u << i;
	return m;
}

/* Planned release: how long we keep accepting a forwarder's frames after losing it alive. */
static __u64 release_ns(const struct xglb_fsm *g)
{
	return (g->t.hold_ms > 500 ? g->t.hold_ms : 500) * MS;
}

/* Forwarders in lost (bit mask) were ours a moment ago: release them gently. */
static void start_release(struct xglb_fsm *g, unsigned int lost, __u64 now)
{
	for (int i = 0; i < g->n_fwd; i++)
		if (lost & (1u << i))
			g->fwd[i].release_until = now + release_ns(g);
}

/*
 * The node acting as AVG by the election's rule: of the nodes that may
 * lead and claim the role, the one that outranks the others (two claim it
 * only for a moment, after a partition heals).
 */
static const struct xglb_fsm_node *avg_claimant(const struct xglb_fsm *g)
{
	const struct xglb_fsm_node *cur = NULL;

	for (int i = 0; i < g->n_nodes; i++) {
		const struct xglb_fsm_node *n = &g->nodes[i];

		if (can_lead(n) && n->claims_avg && outranks(n, cur))
			cur = n;
	}
	return cur;
}

/*
 * May we take the state m carries? Only from the AVG, publishing its own
 * state: a new publisher's whatever its version, the same publisher's
 * only if the version moved forward within the step.
 */
static bool state_acceptable(const struct xglb_fsm *g, const struct xglb_msg *m)
{
	const struct xglb_fsm_node *avg = avg_claimant(g);

	if (!avg || avg->id != m->node_id || m->state_avg != m->node_id)
		return false;
	if (g->adopt_any || !g->version || m->state_avg != g->state_avg)
		return true;
	return xglb_version_after(m->state_version, g->version);
}

static void adopt_state(struct xglb_fsm *g, const struct xglb_msg *m, __u64 now)
{
	for (int k = 0; k < m->n_fwd; k++) {
		const struct xglb_msg_fwd *mf = &m->fwd[k];
		struct xglb_fsm_fwd *f;
		__u64 since = (__u64)mf->takeover_ms * MS;

		if (mf->index >= g->n_fwd)
			continue; /* a forwarder we are not configured for */
		f = &g->fwd[mf->index];
		if (f->owner != mf->owner)
			g->stats.owner_changes++;
		f->owner = mf->owner;
		f->preferred = mf->preferred;
		f->persistence = mf->persistence;
		f->weight = mf->weight;
		f->eff_weight = mf->weight;
		f->active = mf->flags & XGLB_MSG_FWD_ACTIVE;
		f->new_ok = mf->flags & XGLB_MSG_FWD_NEW_OK;
		f->takeover_since = !mf->takeover_ms ? 0 : now > since ? now - since : 1;
	}
	if (m->flags & XGLB_MSGF_STEER)
		g->steer_mask = m->steer_mask;
	hold_version(g, m->state_version);
	g->state_avg = m->state_avg;
	g->adopt_any = false;
	g->stats.states_adopted++;
}

void xglb_fsm_rx(struct xglb_fsm *g, const struct xglb_msg *m, __u64 now, struct xglb_fsm_out *out)
{
	struct xglb_fsm_node *n = node_mut(g, m->node_id);
	unsigned int before = local_mask(g);

	if (!n || n->id == g->self || m->gid != g->gid)
		return;
	if (!n->up) {
		out->actions |= XGLB_FSM_ACT_HELLO; /* greet a node that (re)appears */
		/*
		 * Cut off from us, it may have taken and announced our
		 * forwarders (a partition: each side owns the other's), and a
		 * switch may still send those vMACs to it. Neither a state (it
		 * may change nothing for us) nor its loads (it may adopt a
		 * state without them before we hear from it) need make us
		 * announce what we kept; and until the states have merged, a
		 * node of the losing side may announce what it is about to
		 * lose. So once they have (two hellos on), every node
		 * announces what it owns then.
		 */
		g->reannounce_at = now + 2ull * g->t.hello_ms * MS;
	}
	n->up = true;
	n->heard = true;
	n->last_heard = now;
	/* What the configuration gives a node caps what its hellos may claim. */
	n->priority = m->priority < n->cfg_priority ? m->priority : n->cfg_priority;
	n->weight = m->weight < n->cfg_weight ? m->weight : n->cfg_weight;
	n->demoted = m->flags & XGLB_MSGF_DEMOTED;
	n->starting = m->flags & XGLB_MSGF_STARTING;
	n->claims_avg = m->flags & XGLB_MSGF_AVG;
	n->leaving = m->flags & XGLB_MSGF_LEAVING;
	memcpy(n->mac, m->mac, 6);
	if (now < g->rejoin_until && n->claims_avg && can_lead(n) &&
	    now + (__u64)g->t.hello_ms * MS < g->rejoin_until)
		/* Back from a silence (xglb_fsm_send_failed): the AVG of the peers speaks.
		 * One hello interval to take its state, then the usual rules. */
		g->rejoin_until = now + (__u64)g->t.hello_ms * MS;
	for (int k = 0; k < m->n_load; k++) {
		n->load[m->load[k].index & (XGLB_MAX_FWD - 1)] = m->load[k].bytes;
		n->load_known |= (__u16)(1u << (m->load[k].index & (XGLB_MAX_FWD - 1)));
	}

	if (g->leaving && xglb_fsm_is_avg(g) && n->claims_avg && can_lead(n)) {
		/* Our successor speaks as AVG: its data path answers ARP now, ours may stop. */
		g->avg = n->id;
		g->stats.avg_changes++;
		out->actions |= XGLB_FSM_ACT_COMMIT;
	}
	if (xglb_fsm_is_avg(g) && (m->flags & XGLB_MSGF_STATE) &&
	    xglb_version_after(m->state_version, g->version)) {
		/*
		 * Another node published a newer state while we act as AVG
		 * (a healed partition). Number past it and republish ours:
		 * the election decides which AVG survives, and it always
		 * speaks last with the newest version.
		 */
		hold_version(g, m->state_version);
		g->state_avg = 0; /* forces a publish at the next tick */
		return;
	}
	if ((m->flags & XGLB_MSGF_STATE) && !xglb_fsm_is_avg(g) && !state_acceptable(g, m) &&
	    m->state_version != g->version && !xglb_version_after(g->version, m->state_version)) {
		/* Not older than ours, but not the AVG's own (a relay, a node
		 * that claims too much) or out of step: wait for the AVG. What
		 * the sender owns by it is contested all the same (below). */
		g->stats.states_refused++;
		for (int k = 0; k < m->n_load; k++)
			g->contested |= (__u16)(1u << (m->load[k].index & (XGLB_MAX_FWD - 1)));
		return;
	}
	if (!(m->flags & XGLB_MSGF_STATE) || xglb_fsm_is_avg(g) || !state_acceptable(g, m)) {
		/*
		 * The sender owns (its loads list exactly what it owns) what an
		 * older state, or none, gave it: a partition that has just
		 * healed, or a node back with the tables it had pinned. It
		 * announced those vMACs when it took them (or at its start), so
		 * switches may send them to it. Those that are ours by the newer
		 * state we hold get announced again at the tick, and again at
		 * each such hello, until the sender has caught up.
		 */
		for (int k = 0; k < m->n_load; k++)
			g->contested |= (__u16)(1u << (m->load[k].index & (XGLB_MAX_FWD - 1)));
		return;
	}
	adopt_state(g, m, now);
	start_release(g, before & ~local_mask(g), now);
	out->actions |= XGLB_FSM_ACT_COMMIT;
	/*
	 * Every forwarder the new state gives us, not only the new ones: in
	 * the states it replaces (two sides of a partition, a transition)
	 * other nodes may have owned and announced some we keep.
	 */
	out->learn_mask |= local_mask(g);
	if (out->learn_mask)
		out->actions |= XGLB_FSM_ACT_LEARN;
}

static void peer_down(struct xglb_fsm_node *n)
{
	n->up = false;
	n->claims_avg = false;
	n->load_known = n->load_primed = 0; /* counters taken afresh when back */
}

bool xglb_fsm_lose_peer(struct xglb_fsm *g, __u32 id, __u64 now, __u64 within)
{
	struct xglb_fsm_node *n = node_mut(g, id);

	if (!n || id == g->self || !n->up ||
	    n->last_heard + (__u64)g->t.hold_ms * MS > now + within)
		return false;
	peer_down(n);
	return true;
}

static void expire_peers(struct xglb_fsm *g, __u64 now)
{
	for (int i = 0; i < g->n_nodes; i++) {
		struct xglb_fsm_node *n = &g->nodes[i];

		if (n->id == g->self) {
			n->up = true;
			n->last_heard = now;
			n->demoted = xglb_fsm_demoted(g, now);
			n->starting = now < g->demoted_until;
			n->leaving = g->leaving;
			n->claims_avg = xglb_fsm_is_avg(g);
			continue;
		}
		if (n->up && now - n->last_heard >= (__u64)g->t.hold_ms * MS)
			peer_down(n);
	}
}

static void elect(struct xglb_fsm *g, __u64 now, struct xglb_fsm_out *out)
{
	const struct xglb_fsm_node *cur = NULL, *best = NULL, *sb = NULL;
	__u32 avg;

	if (g->leaving && xglb_fsm_is_avg(g)) {
		/* Keep the role (and answering ARP) until a successor claims it (xglb_fsm_rx). */
		for (int i = 0; i < g->n_nodes; i++)
			if (can_lead(&g->nodes[i]) && outranks(&g->nodes[i], sb))
				sb = &g->nodes[i];
		g->standby = sb ? sb->id : 0;
		return;
	}

	cur = avg_claimant(g); /* of several claimants (a healed split), the best keeps it */
	for (int i = 0; i < g->n_nodes; i++) {
		const struct xglb_fsm_node *n = &g->nodes[i];

		if (can_lead(n) && outranks(n, best))
			best = n;
	}
	if (!cur) {
		/*
		 * No AVG: the best eligible node takes it, unless a node that
		 * outranks it is up but still starting (demoted): then wait
		 * for it, at most one hold time, so nodes that start together
		 * elect the same AVG with or without preemption.
		 */
		avg = best ? best->id : 0;
		for (int i = 0; i < g->n_nodes; i++) {
			const struct xglb_fsm_node *n = &g->nodes[i];

			if (n->up && n->starting && n->priority > 0 && best && outranks(n, best))
				avg = 0;
		}
		g->preempt_at = 0;
	} else if (best != cur && g->t.preempt && outranks(best, cur) && best->id == g->self) {
		/* Preemption follows the election order, so nodes that start
		 * together end with the one a simultaneous election would pick. */
		if (!g->preempt_at)
			g->preempt_at = now + (__u64)g->t.preempt_delay_ms * MS;
		avg = now >= g->preempt_at ? g->self : cur->id;
	} else {
		avg = cur->id;
		g->preempt_at = 0;
	}
	for (int i = 0; i < g->n_nodes; i++) {
		const struct xglb_fsm_node *n = &g->nodes[i];

		if (can_lead(n) && n->id != avg && outranks(n, sb))
			sb = n;
	}
	g->standby = sb ? sb->id : 0;
	if (avg != g->avg) {
		for (int i = 0; i < g->n_nodes; i++)
			g->nodes[i].load_primed = 0; /* a new AVG's loads start afresh */
		g->avg = avg;
		g->preempt_at = 0;
		g->stats.avg_changes++;
		out->actions |= XGLB_FSM_ACT_COMMIT | XGLB_FSM_ACT_HELLO;
		if (avg == g->self)
			g->state_avg = 0; /* a new AVG publishes at once, past every version seen */
		else /* a follower takes the new AVG's state whatever its version, unless it
		      * holds one of that AVG's already: then only a newer one (a hello delayed
		      * from before must not take it back) */
			g->adopt_any = g->state_avg != avg;
	}
}

static int owned_count(const struct xglb_fsm *g, __u32 id)
{
	int c = 0;

	for (int i = 0; i < g->n_fwd; i++)
		c += g->fwd[i].active && g->fwd[i].owner == id;
	return c;
}

/* Weight for forwarder balance: configured/tracked weight, scaled down by load-aware balancing. */
static __u64 bal_weight(const struct xglb_fsm_node *n)
{
	return (__u64)n->weight * n->load_factor;
}

/* The node with the fewest active forwarders for its weight (ties: lowest id). */
static __u32 least_loaded(const struct xglb_fsm *g, __u32 exclude)
{
	const struct xglb_fsm_node *best = NULL;
	__u64 best_c = 0;

	for (int i = 0; i < g->n_nodes; i++) {
		const struct xglb_fsm_node *n = &g->nodes[i];
		__u64 c;

		if (n->id == exclude || !can_forward(g, n->id))
			continue;
		/* compare count/weight without division: c_a * w_b < c_b * w_a */
		c = (__u64)owned_count(g, n->id);
		if (!best || c * bal_weight(best) < best_c * bal_weight(n) ||
		    (c * bal_weight(best) == best_c * bal_weight(n) && n->id < best->id)) {
			best = n;
			best_c = c;
		}
	}
	return best ? best->id : 0;
}

/*
 * A forwarder at home: active, with an owner that can forward, and no
 * takeover timers (persistence 1 or 3, no preferred owner, with its
 * preferred owner, or that owner is up to take it back). It keeps its hosts
 * and takes new ones, so hosts may leave a taken-over forwarder (redirect,
 * timeout) for it; with none (fewer forwarders than nodes, the named
 * preferred owners of all the persistence-0 ones down) there is no vMAC to
 * send them to.
 */
static bool any_at_home(const struct xglb_fsm *g)
{
	for (int i = 0; i < g->n_fwd; i++) {
		const struct xglb_fsm_fwd *f = &g->fwd[i];

		if (f->active && can_forward(g, f->owner) &&
		    (f->persistence != 0 || !f->preferred || f->owner == f->preferred ||
		     can_forward(g, f->preferred)))
			return true;
	}
	return false;
}

/*
 * Failover, return to the preferred owner, and the takeover timers of one
 * forwarder, by its persistence (the preferred owner may be none, 0):
 *
 *   0  movable. Fails over to the preferred owner if it can forward, else
 *      to the least loaded node. While it is served away from a named
 *      preferred owner that cannot forward, it is taken over: after
 *      redirect-ms no new hosts, after timeout-ms removed (its hosts are
 *      redistributed), back in service when that owner returns; both
 *      timers run only while some forwarder is at home (any_at_home),
 *      else it keeps its hosts and takes new ones. With no
 *      preferred owner nothing waits for anyone: no timers. Weight and
 *      load balancing may move it.
 *   1  sticky to its current owner. Fails over like 0 and the new owner
 *      becomes its preferred owner: it stays there when the old one
 *      returns. Never moved by balancing, never removed.
 *   3  sticky to its preferred owner: moves there whenever it can
 *      forward, fails over while it cannot, moves back when it can again.
 *      Never moved by balancing, never removed. With no preferred owner
 *      it stays with its current owner as 1 does.
 *
 * A sticky (1, 3) forwarder is thus served as long as any node can
 * forward: if it is inactive (its persistence changed while removed) it
 * is put back at once.
 */
static void assign_one(struct xglb_fsm *g, int i, __u64 now, struct xglb_fsm_out *out)
{
	struct xglb_fsm_fwd *f = &g->fwd[i];
	bool pref_up = can_forward(g, f->preferred);
	bool waits = f->persistence == 0 && f->preferred; /* may be taken over and removed */
	__u64 age;

	if (!f->active) {
		/* Never assigned, or removed by the timeout: back with its preferred owner. */
		__u32 to = pref_up		      ? f->preferred
			   : f->owner && waits	      ? 0
			   : can_forward(g, f->owner) ? f->owner
						      : least_loaded(g, 0);

		if (!to)
			return;
		f->owner = to;
		f->active = true;
		f->new_ok = true;
		f->takeover_since = 0;
	} else if (!can_forward(g, f->owner)) {
		__u32 to = pref_up ? f->preferred : least_loaded(g, f->owner);

		if (to) {
			f->owner = to;
			g->stats.failovers++;
			if (f->persistence == 1)
				f->preferred = to; /* sticky to where it failed over to */
		}
	} else if (f->persistence == 3 && pref_up && f->owner != f->preferred) {
		f->owner = f->preferred; /* sticky to the preferred owner: it is back */
	}

	if (!waits || f->owner == f->preferred || pref_up) {
		f->takeover_since = 0;
		f->new_ok = true;
		return;
	}
	if (!f->takeover_since)
		f->takeover_since = now;
	if (!any_at_home(g)) {
		/* Every active forwarder is a takeover (fewer forwarders than nodes,
		 * the preferred owners of all down): no other vMAC for its hosts or
		 * new ones. */
		f->new_ok = true;
		return;
	}
	age = now - f->takeover_since;
	if (age >= (__u64)g->t.redirect_ms * MS)
		f->new_ok = false;
	if (age >= (__u64)g->t.timeout_ms * MS) {
		f->active = false;
		f->new_ok = false;
		f->takeover_since = 0;
		g->stats.removals++;
		out->redist_mask |= 1u << i;
		out->actions |= XGLB_FSM_ACT_REDIST;
	}
}

/*
 * Load-aware balancing (load_max_pct) evaluates the bytes carried every
 * load period (5 hold times). A forwarder moved by balancing (weight or
 * load) stays where it went for the hysteresis window (3 load periods):
 * no forwarder moves twice within it.
 */
static __u64 load_period_ns(const struct xglb_fsm *g)
{
	return 5ull * g->t.hold_ms * MS;
}

static bool settled(const struct xglb_fsm *g, const struct xglb_fsm_fwd *f, __u64 now)
{
	return !g->t.load_max_pct || !f->balanced_at ||
	       now - f->balanced_at >= XGLB_BALANCE_HOLD_PERIODS * load_period_ns(g);
}

/* Bytes per load period of the forwarders node id owns now (their last measured rates). */
static __u64 node_rate(const struct xglb_fsm *g, __u32 id)
{
	__u64 r = 0;

	for (int k = 0; k < g->n_fwd; k++)
		if (g->fwd[k].active && g->fwd[k].owner == id)
			r += g->fwd[k].rate;
	return r;
}

static __u64 total_rate(const struct xglb_fsm *g)
{
	__u64 r = 0;

	for (int k = 0; k < g->n_fwd; k++)
		if (g->fwd[k].active)
			r += g->fwd[k].rate;
	return r;
}

/* Load-aware: forwarder k may go to node to without taking it above the max share. */
static bool load_allows(const struct xglb_fsm *g, int k, __u32 to)
{
	__u64 total = total_rate(g);

	if (!g->t.load_max_pct || !total)
		return true;
	return (node_rate(g, to) + g->fwd[k].rate) * 100 <= (__u64)g->t.load_max_pct * total;
}

static void balance_move(struct xglb_fsm *g, int k, __u32 to, __u64 now)
{
	g->fwd[k].owner = to;
	g->fwd[k].balanced_at = now ? now : 1;
	g->fwd[k].balance_moves++;
	g->stats.rebalances++;
}

/*
 * Weight balance for movable (persistence 0) forwarders. Each node's
 * surplus is what it owns minus its weighted share of the active
 * forwarders. While the node with the largest surplus has more than one
 * forwarder above the node with the smallest, one movable forwarder goes
 * from the first to the second, preferring one whose preferred owner is
 * the second. Each move lowers the sum of squared surpluses, so balance
 * ends and never moves forwarders back and forth; a distribution as even
 * as it can be (no two nodes more than one apart in surplus) is left
 * alone. 3 forwarders over weights 90/100/100 end up one each; over
 * 50/100/100, one each as well (surpluses 0.4, -0.2, -0.2). With
 * load-aware balancing on, a forwarder is not moved within the hysteresis
 * window of its last balancing move, nor to a node it would take above
 * the max share of the bytes: counts never undo what the bytes decided.
 */
static void rebalance(struct xglb_fsm *g, __u64 now)
{
	__u64 total_w = 0;
	int total_f = 0;

	for (int i = 0; i < g->n_nodes; i++)
		if (can_forward(g, g->nodes[i].id))
			total_w += bal_weight(&g->nodes[i]);
	for (int i = 0; i < g->n_fwd; i++)
		total_f += g->fwd[i].active;
	if (!total_w || !total_f)
		return;

	for (int round = 0; round < XGLB_MAX_FWD; round++) {
		const struct xglb_fsm_node *over = NULL, *under = NULL;
		__s64 s_over = 0, s_under = 0;
		int pick = -1;

		for (int i = 0; i < g->n_nodes; i++) {
			const struct xglb_fsm_node *n = &g->nodes[i];
			__s64 sur;

			if (!can_forward(g, n->id))
				continue;
			/* surplus x total_w: owned x total_w - total_f x weight */
			sur = (__s64)owned_count(g, n->id) * (__s64)total_w -
			      (__s64)total_f * (__s64)bal_weight(n);
			if (!over || sur > s_over || (sur == s_over && n->id < over->id)) {
				over = n;
				s_over = sur;
			}
			if (!under || sur < s_under || (sur == s_under && n->id < under->id)) {
				under = n;
				s_under = sur;
			}
		}
		if (!over || over == under || s_over - s_under <= (__s64)total_w)
			return;
		for (int i = 0; i < g->n_fwd; i++) {
			const struct xglb_fsm_fwd *f = &g->fwd[i];

			if (!f->active || f->owner != over->id || f->persistence != 0 ||
			    !settled(g, f, now) || !load_allows(g, i, under->id))
				continue;
			if (pick < 0 || f->preferred == under->id)
				pick = i;
			if (f->preferred == under->id)
				break;
		}
		if (pick < 0)
			return; /* what over has above its share is pinned there */
		balance_move(g, pick, under->id, now);
	}
}

/*
 * Load-aware balancing. Every load period the AVG takes the bytes each
 * forwarder carried since the last evaluation, as the nodes count them
 * (frames to its vMAC and frames back to its hosts, each node counting
 * while it owns it; a forwarder's rate is the sum over nodes, so a move
 * within the period loses nothing), and a node's load is the sum of the
 * rates of the forwarders it owns. A node above load_max_pct of the total
 * gets its balance weight scaled by max/share (load_factor): its
 * forwarders get a smaller share of new hosts. And one movable forwarder
 * of the busiest such node goes to the least busy node: the one that
 * leaves the larger of the two loads smallest (of equals, one whose
 * preferred owner is that node), and only if that is below the busiest
 * node's load now. Every move thus lowers the highest load
 * (moving it back would raise it), and a moved forwarder stays for the
 * hysteresis window, so load balancing never flaps. Weight balance
 * (rebalance) uses the same scaled weights and respects the max share, so
 * it keeps the shifted distribution.
 */
static void load_balance(struct xglb_fsm *g, __u64 now)
{
	__u64 rate[XGLB_FSM_MAX_NODES] = {0}, total;
	int busiest = -1, idlest = -1, pick = -1;
	__u64 best = 0;

	if (!g->t.load_max_pct || now < g->next_load)
		return;
	g->next_load = now + load_period_ns(g);
	for (int k = 0; k < g->n_fwd; k++)
		g->fwd[k].rate = 0;
	for (int i = 0; i < g->n_nodes; i++) {
		struct xglb_fsm_node *n = &g->nodes[i];

		/*
		 * Counters are totals since the data path started: the first
		 * evaluation that sees a node's counter of a forwarder (a new
		 * AVG, a node heard again, a forwarder it reports for the first
		 * time) only takes it, or a whole history would count as one
		 * period.
		 */
		for (int k = 0; k < g->n_fwd; k++) {
			if (n->load_primed & (1u << k))
				g->fwd[k].rate += n->load[k] >= n->load_prev[k]
						      ? n->load[k] - n->load_prev[k]
						      : 0;
			n->load_prev[k] = n->load[k];
		}
		n->load_primed = n->load_known;
	}
	total = total_rate(g);
	for (int i = 0; i < g->n_nodes; i++) {
		struct xglb_fsm_node *n = &g->nodes[i];
		__u64 pct;

		rate[i] = node_rate(g, n->id);
		pct = total ? rate[i] * 100 / total : 0;
		n->load_factor = 100;
		if (!can_forward(g, n->id))
			continue;
		if (pct > g->t.load_max_pct) {
			n->load_factor = (__u8)(g->t.load_max_pct * 100 / pct);
			if (!n->load_factor)
				n->load_factor = 1;
			if (busiest < 0 || rate[i] > rate[busiest])
				busiest = i;
		}
		if (idlest < 0 || rate[i] < rate[idlest])
			idlest = i;
	}
	for (int k = 0; k < g->n_fwd; k++) {
		const struct xglb_fsm_node *o = xglb_fsm_node(g, g->fwd[k].owner);
		__u32 w = g->fwd[k].weight * (o ? o->load_factor : 100) / 100;

		g->fwd[k].eff_weight = w ? (__u8)w : 1;
	}
	if (busiest < 0 || idlest < 0 || idlest == busiest)
		return;
	for (int k = 0; k < g->n_fwd; k++) {
		const struct xglb_fsm_fwd *f = &g->fwd[k];
		__u64 from, to, worst;

		if (!f->active || f->persistence != 0 || f->owner != g->nodes[busiest].id ||
		    !settled(g, f, now))
			continue;
		from = rate[busiest] - f->rate;
		to = rate[idlest] + f->rate;
		worst = from > to ? from : to;
		if (worst < rate[busiest] &&
		    (pick < 0 || worst < best ||
		     (worst == best && f->preferred == g->nodes[idlest].id &&
		      g->fwd[pick].preferred != g->nodes[idlest].id))) {
			pick = k;
			best = worst;
		}
	}
	if (pick >= 0)
		balance_move(g, pick, g->nodes[idlest].id, now);
}

static bool fwd_differs(const struct xglb_fsm_fwd *a, const struct xglb_fsm_fwd *b)
{
	return a->owner != b->owner || a->preferred != b->preferred || a->active != b->active ||
	       a->new_ok != b->new_ok || a->eff_weight != b->eff_weight ||
	       a->persistence != b->persistence;
}

/* The nodes that may own flows (steering): those that may own forwarders. */
static __u32 forwarding_mask(const struct xglb_fsm *g)
{
	__u32 m = 0;

	for (int i = 0; i < g->n_nodes && i < 32; i++)
		if (can_forward(g, g->nodes[i].id))
			m |= 1u << i;
	return m;
}

static void assign(struct xglb_fsm *g, __u64 now, struct xglb_fsm_out *out)
{
	__u32 mask;
	struct xglb_fsm_fwd before[XGLB_MAX_FWD];
	unsigned int local_before = local_mask(g);
	bool changed = g->state_avg != g->self;

	memcpy(before, g->fwd, sizeof(before));
	for (int i = 0; i < g->n_fwd; i++)
		assign_one(g, i, now, out);
	rebalance(g, now);
	load_balance(g, now);
	for (int i = 0; i < g->n_fwd; i++) {
		if (!fwd_differs(&before[i], &g->fwd[i]))
			continue;
		changed = true;
		if (before[i].owner != g->fwd[i].owner)
			g->stats.owner_changes++;
	}
	mask = forwarding_mask(g);
	if (mask != g->steer_mask) {
		g->steer_mask = mask;
		changed = true;
	}
	if (!changed)
		return;
	start_release(g, local_before & ~local_mask(g), now);
	/* Past every version held in this run: one adopted from a new AVG may be older. */
	hold_version(g, xglb_version_next(xglb_version_after(g->version_max, g->version)
					      ? g->version_max
					      : g->version));
	g->state_avg = g->self;
	out->actions |= XGLB_FSM_ACT_COMMIT | XGLB_FSM_ACT_HELLO;
	out->learn_mask |= local_mask(g); /* all of ours, as when adopting a state */
	if (out->learn_mask)
		out->actions |= XGLB_FSM_ACT_LEARN;
}

/*
 * Ticks come at least once a hello interval. A longer gap means this node
 * did not run (a stall) or its clock jumped: the peers' silence in the gap
 * is no news, since their hellos either wait in our socket or were sent to
 * a node that was not looking. Each peer keeps the age it had at the last
 * tick; what was already late still expires, a hold time after it was
 * last heard as counted by our own running time.
 */
static void skip_gap(struct xglb_fsm *g, __u64 now)
{
	if (g->last_tick &&
	    (now < g->last_tick || now - g->last_tick > 2ull * g->t.hello_ms * MS)) {
		for (int i = 0; i < g->n_nodes; i++) {
			struct xglb_fsm_node *n = &g->nodes[i];
			__u64 age = g->last_tick > n->last_heard ? g->last_tick - n->last_heard : 0;

			if (n->up && n->id != g->self)
				n->last_heard = now > age ? now - age : 0;
		}
		g->stats.gaps++;
	}
	g->last_tick = now;
}

void xglb_fsm_tick(struct xglb_fsm *g, __u64 now, struct xglb_fsm_out *out)
{
	unsigned int before = local_mask(g);

	skip_gap(g, now);
	expire_peers(g, now);
	elect(g, now, out);
	expire_peers(g, now); /* refresh our own claim after the election */
	if (xglb_fsm_is_avg(g) && !xglb_fsm_demoted(g, now) && !xglb_fsm_starting(g, now) &&
	    !g->leaving)
		assign(g, now, out);
	for (int i = 0; i < g->n_fwd; i++) {
		if (g->fwd[i].release_until && now >= g->fwd[i].release_until) {
			g->fwd[i].release_until = 0;
			out->actions |=
			    XGLB_FSM_ACT_COMMIT; /* now the frames are the new owner's */
		}
	}
	if ((out->actions & XGLB_FSM_ACT_COMMIT) && (local_mask(g) & ~before)) {
		out->learn_mask |= local_mask(g) & ~before;
		out->actions |= XGLB_FSM_ACT_LEARN;
	}
	if (g->start_announce && !xglb_fsm_starting(g, now)) {
		/* the startup hold is over: what we own now is current */
		g->start_announce = false;
		out->learn_mask |= local_mask(g);
		if (out->learn_mask)
			out->actions |= XGLB_FSM_ACT_LEARN;
	}
	if (g->reannounce_at && now >= g->reannounce_at) {
		g->reannounce_at = 0;
		g->contested |= (__u16)local_mask(g);
	}
	/* Not from pinned tables in the startup hold: start_announce does it after. */
	if ((g->contested & local_mask(g)) && !xglb_fsm_starting(g, now)) {
		/* stale claims on ours (xglb_fsm_rx) */
		out->learn_mask |= g->contested & local_mask(g);
		out->actions |= XGLB_FSM_ACT_LEARN;
	}
	g->contested = 0;
	if (now >= g->next_hello)
		out->actions |= XGLB_FSM_ACT_HELLO;
}

static __u64 min_after(__u64 cur, __u64 t, __u64 now)
{
	return t > now && t < cur ? t : cur;
}

__u64 xglb_fsm_next(const struct xglb_fsm *g, __u64 now)
{
	__u64 next = g->next_hello > now ? g->next_hello : now;

	if (g->next_hello <= now)
		return now;
	next = min_after(next, g->demoted_until, now);
	next = min_after(next, g->rejoin_until, now);
	next = min_after(next, g->preempt_at, now);
	next = min_after(next, g->reannounce_at, now);
	for (int i = 0; i < g->n_fwd; i++)
		next = min_after(next, g->fwd[i].release_until, now);
	for (int i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].up && g->nodes[i].id != g->self)
			next =
			    min_after(next, g->nodes[i].last_heard + (__u64)g->t.hold_ms * MS, now);
	if (xglb_fsm_is_avg(g)) {
		if (g->t.load_max_pct)
			next = min_after(next, g->next_load, now);
		for (int i = 0; i < g->n_fwd; i++) {
			__u64 s = g->fwd[i].takeover_since;

			if (!g->fwd[i].active || !s)
				continue;
			next = min_after(next, s + (__u64)g->t.redirect_ms * MS, now);
			next = min_after(next, s + (__u64)g->t.timeout_ms * MS, now);
		}
	}
	return next;
}

void xglb_fsm_hello(struct xglb_fsm *g, __u64 now, const __u64 loads[XGLB_MAX_FWD],
		    struct xglb_msg *m)
{
	const struct xglb_fsm_node *self = xglb_fsm_node(g, g->self);

	memset(m, 0, sizeof(*m));
	m->type = XGLB_MSG_HELLO;
	m->gid = g->gid;
	m->node_id = g->self;
	m->boot = g->boot;
	m->seq = ++g->seq;
	m->priority = self && !g->leaving ? self->priority : 0;
	m->weight = self && !g->leaving ? self->weight : 0;
	if (self)
		memcpy(m->mac, self->mac, 6);
	m->hello_ms = g->t.hello_ms;
	m->hold_ms = g->t.hold_ms;
	if (xglb_fsm_is_avg(g))
		m->flags |= XGLB_MSGF_AVG;
	if (g->standby == g->self)
		m->flags |= XGLB_MSGF_STANDBY;
	/* Peers only get a hello that got out: failing sends (demoted_send) are over
	 * then, unless they lasted long enough to make us rejoin (xglb_fsm_send_failed). */
	if (demoted_speaking(g, now) || long_silence(g, now))
		m->flags |= XGLB_MSGF_DEMOTED;
	if (now < g->demoted_until)
		m->flags |= XGLB_MSGF_STARTING;
	if (g->leaving)
		m->flags |= XGLB_MSGF_LEAVING;
	if (g->version && g->state_avg) {
		m->flags |= XGLB_MSGF_STATE;
		m->state_version = g->version;
		m->state_avg = g->state_avg;
		m->state_standby = g->standby;
		m->n_fwd = (__u8)g->n_fwd;
		for (int i = 0; i < g->n_fwd; i++) {
			const struct xglb_fsm_fwd *f = &g->fwd[i];
			struct xglb_msg_fwd *mf = &m->fwd[i];
			__u64 age = f->takeover_since && now > f->takeover_since
					? (now - f->takeover_since) / MS
					: 0;

			mf->index = (__u8)i;
			mf->persistence = f->persistence;
			mf->weight = f->weight;
			mf->flags = (f->active ? XGLB_MSG_FWD_ACTIVE : 0) |
				    (f->new_ok ? XGLB_MSG_FWD_NEW_OK : 0);
			mf->owner = f->owner;
			mf->preferred = f->preferred;
			mf->takeover_ms = f->takeover_since ? (__u32)(age ? age : 1) : 0;
		}
	}
	if (m->flags & XGLB_MSGF_STATE) {
		m->flags |= XGLB_MSGF_STEER; /* the cluster layer adds our segment MACs */
		m->steer_mask = g->steer_mask;
	}
	for (int i = 0; i < g->n_fwd; i++) {
		if (!g->fwd[i].active || g->fwd[i].owner != g->self)
			continue;
		m->load[m->n_load].index = (__u8)i;
		m->load[m->n_load].bytes = loads ? loads[i] : 0;
		m->n_load++;
		if (loads) {
			node_mut(g, g->self)->load[i] = loads[i];
			node_mut(g, g->self)->load_known |= (__u16)(1u << i);
		}
	}
	g->next_hello = now + (__u64)g->t.hello_ms * MS;
}

void xglb_fsm_view(const struct xglb_fsm *g, __u64 now, struct xglb_group_state *st)
{
	memset(st, 0, sizeof(*st));
	st->gid = g->gid;
	st->vip = g->vip;
	st->policy = g->policy;
	st->avg = g->avg;
	st->version = g->version;
	st->n_fwd = g->n_fwd;
	for (int i = 0; i < g->n_fwd; i++) {
		const struct xglb_fsm_fwd *f = &g->fwd[i];
		bool releasing = f->release_until && now < f->release_until;

		st->fwd[i].owner = releasing ? g->self : f->owner;
		st->fwd[i].weight = f->eff_weight;
		st->fwd[i].active = f->active && st->fwd[i].owner;
		st->fwd[i].new_ok = f->new_ok;
	}
}

void xglb_fsm_leave(struct xglb_fsm *g, __u64 now)
{
	g->leaving = true;
	g->preempt_at = 0;
	g->next_hello = now; /* tell the others at once */
}

bool xglb_fsm_left(const struct xglb_fsm *g, __u64 now)
{
	bool lead = false, forward = false;

	if (!g->leaving)
		return false;
	for (int i = 0; i < g->n_nodes; i++) {
		if (g->nodes[i].id == g->self)
			continue;
		lead |= can_lead(&g->nodes[i]);
		forward |= can_forward(g, g->nodes[i].id);
	}
	if (!lead)
		return true; /* nobody to take the role, nor to move forwarders: nothing to wait for
			      */
	if (xglb_fsm_is_avg(g) || g->state_avg == g->self)
		return false;
	if (!g->avg || g->state_avg != g->avg)
		return false; /* no state of the AVG we follow: it may still name us */
	for (int i = 0; i < g->n_fwd; i++) {
		if (forward && g->fwd[i].active && g->fwd[i].owner == g->self)
			return false;
		if (g->fwd[i].release_until && now < g->fwd[i].release_until)
			return false;
	}
	return true;
}

bool xglb_fsm_others_forward(const struct xglb_fsm *g)
{
	for (int i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].id != g->self && can_forward(g, g->nodes[i].id))
			return true;
	return false;
}

int xglb_fsm_admin(struct xglb_fsm *g, __u8 op, __u8 index, __u8 persistence, __u32 target,
		   __u64 now)
{
	struct xglb_fsm_fwd *f;

	if (!xglb_fsm_is_avg(g))
		return -EPERM;
	/* PREFER may name no node (0): the forwarder then has no preferred owner */
	if (index >= g->n_fwd || (op != XGLB_ADMIN_UNPIN && !xglb_fsm_node(g, target) &&
				  !(op == XGLB_ADMIN_PREFER && !target)))
		return -ENOENT;
	f = &g->fwd[index];
	switch (op) {
	case XGLB_ADMIN_MOVE:
		if (persistence == XGLB_ADMIN_KEEP)
			persistence = 3;
		if (persistence != 0 && persistence != 1 && persistence != 3)
			return -EINVAL;
		f->preferred = target;
		f->persistence = persistence;
		if (can_forward(g, target) && (f->owner != target || !f->active)) {
			if (f->active && f->owner == g->self)
				start_release(g, 1u << index, now);
			f->owner = target;
			f->active = true;
			g->stats.owner_changes++;
		}
		break;
	case XGLB_ADMIN_PREFER:
		f->preferred = target;
		break;
	case XGLB_ADMIN_UNPIN:
		f->persistence = 0;
		break;
	default:
		return -EINVAL;
	}
	g->state_avg = 0; /* publish at the next tick */
	return 0;
}

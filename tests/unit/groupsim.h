/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* groupsim.h - an in-process cluster for group.c tests: N nodes, hellos through the real codec, a
 * fake clock. */
#ifndef XGLB_GROUPSIM_H
#define XGLB_GROUPSIM_H

#include <string.h>
#include "group.h"
#include "proto.h"

#define SIM_MAX 8
#define SIM_MS	1000000ull

struct sim {
	int n;
	struct xglb_fsm g[SIM_MAX];
	bool down[SIM_MAX];	    /* node crashed: sends and hears nothing */
	bool cut[SIM_MAX][SIM_MAX]; /* cut[a][b]: a's hellos do not reach b */
	bool link_down[SIM_MAX];    /* its link is down: it hears nothing, its sends fail */
	bool link_ctl[SIM_MAX];	    /* sim_link drives it: sends tell xglb_fsm_send_failed */
	__u64 now;
	__u64 load[SIM_MAX][XGLB_MAX_FWD]; /* bytes each node reports per forwarder */
	struct xglb_fsm_out out[SIM_MAX];  /* actions accumulated since sim_clear_out */
	__u8 key[32];
	struct xglb_replay replay[SIM_MAX][SIM_MAX]; /* [receiver][sender] */
	__u32 fdb[XGLB_MAX_FWD]; /* the switch: node whose learning frame for vMAC f came last, 0
				    none */
	int loss_pct;		 /* drop this share of deliveries, pseudo-randomly */
	__u64 rng;
	unsigned long delivered, dropped;
};

static const struct xglb_fsm_timers sim_default_timers = {
    .hello_ms = 100,
    .hold_ms = 300,
    .redirect_ms = 2000,
    .timeout_ms = 5000,
    .preempt = true,
    .preempt_delay_ms = 0,
};

/*
 * n nodes with ids 1..n, priorities prio[i] (NULL: 100), weights 100.
 * nf forwarders, forwarder i preferred by node (i % n) + 1, persistence pers.
 */
static inline void sim_init(struct sim *s, int n, const __u8 *prio, int nf, __u8 pers,
			    const struct xglb_fsm_timers *t)
{
	struct xglb_fsm_node_param nodes[SIM_MAX];
	struct xglb_fsm_fwd_param fwd[XGLB_MAX_FWD];

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->now = 1000 * SIM_MS;
	memset(s->key, 0x5a, sizeof(s->key));
	for (int i = 0; i < n; i++)
		nodes[i] = (struct xglb_fsm_node_param){
		    .id = i + 1, .priority = prio ? prio[i] : 100, .weight = 100};
	for (int i = 0; i < nf; i++)
		fwd[i] = (struct xglb_fsm_fwd_param){
		    .preferred = (i % n) + 1, .persistence = pers, .weight = 100};
	for (int i = 0; i < n; i++) {
		__u8 mac[6] = {2, 0, 0, 0, 0, (__u8)(i + 1)};

		xglb_fsm_init(&s->g[i], 1, 0x0100000a, XGLB_POLICY_ROUND_ROBIN,
			      t ? t : &sim_default_timers, i + 1, 1, nodes, n, fwd, nf, s->now);
		xglb_fsm_set_self(&s->g[i], nodes[i].priority, 100, mac);
	}
}

/*
 * Node i's actions: add them to out[i], and let the switch learn the vMACs it
 * announces (learning frames: the last one for a vMAC decides its port).
 */
static inline void sim_out(struct sim *s, int i, const struct xglb_fsm_out *o)
{
	s->out[i].actions |= o->actions;
	s->out[i].learn_mask |= o->learn_mask;
	s->out[i].redist_mask |= o->redist_mask;
	if (!(o->actions & XGLB_FSM_ACT_LEARN))
		return;
	for (int f = 0; f < XGLB_MAX_FWD; f++)
		if (o->learn_mask & (1u << f))
			s->fdb[f] = (__u32)i + 1;
}

/* Node i sends a hello now: encoded, decoded, replay-checked per receiver. */
static inline void sim_send(struct sim *s, int i)
{
	__u8 buf[XGLB_MSG_MAX];
	struct xglb_msg m, r;
	int len;

	xglb_fsm_hello(&s->g[i], s->now, s->load[i], &m);
	if (s->link_ctl[i]) /* as cluster.c send_hello: no peer reached, a failure */
		xglb_fsm_send_failed(&s->g[i], s->link_down[i], s->now);
	if (s->link_down[i])
		return;
	len = xglb_msg_encode(&m, s->key, sizeof(s->key), buf, sizeof(buf));
	if (len < 0)
		return;
	for (int j = 0; j < s->n; j++) {
		struct xglb_fsm_out o = {0};

		if (j == i || s->down[j] || s->cut[i][j] || s->link_down[j])
			continue;
		s->delivered++;
		s->rng = s->rng * 6364136223846793005ull + 1442695040888963407ull;
		if (s->loss_pct && (s->rng >> 33) % 100 < (__u64)s->loss_pct) {
			s->dropped++;
			continue;
		}
		if (xglb_msg_decode(buf, len, s->key, sizeof(s->key), &r) != XGLB_RX_OK)
			continue;
		if (xglb_replay_check(&s->replay[j][i], r.boot, r.seq) != XGLB_RX_OK)
			continue;
		xglb_fsm_rx(&s->g[j], &r, s->now, &o);
		xglb_fsm_tick(&s->g[j], s->now, &o);
		sim_out(s, j, &o);
	}
}

/* Run the cluster until now + ms, in steps of 1 ms. */
static inline void sim_run(struct sim *s, __u64 ms)
{
	__u64 end = s->now + ms * SIM_MS;

	for (; s->now < end; s->now += SIM_MS) {
		for (int i = 0; i < s->n; i++) {
			struct xglb_fsm_out o = {0};

			if (s->down[i])
				continue;
			xglb_fsm_tick(&s->g[i], s->now, &o);
			/* learning frames reach the switch before peers act on the hello */
			sim_out(s, i, &o);
			if (o.actions & XGLB_FSM_ACT_HELLO)
				sim_send(s, i);
		}
	}
}

/* Restart node i (crash or kill -9 and a new xglbd): fresh state, next boot. */
static inline void sim_restart(struct sim *s, int i)
{
	struct xglb_fsm_node_param nodes[SIM_MAX];
	struct xglb_fsm_fwd_param fwd[XGLB_MAX_FWD];
	struct xglb_fsm *g = &s->g[i];
	__u8 mac[6] = {2, 0, 0, 0, 0, (__u8)(i + 1)};
	__u32 boot = g->boot + 1;
	__u8 prio = xglb_fsm_node(g, g->self)->priority;
	struct xglb_fsm_timers t = g->t;
	int nf = g->n_fwd;

	for (int k = 0; k < s->n; k++)
		nodes[k] = (struct xglb_fsm_node_param){
		    .id = g->nodes[k].id,
		    .priority = k == i ? prio : g->nodes[k].cfg_priority,
		    .weight = g->nodes[k].cfg_weight};
	for (int k = 0; k < nf; k++)
		fwd[k] = (struct xglb_fsm_fwd_param){.preferred = (k % s->n) + 1,
						     .persistence = g->fwd[k].persistence,
						     .weight = 100};
	xglb_fsm_init(g, 1, 0x0100000a, XGLB_POLICY_ROUND_ROBIN, &t, i + 1, boot, nodes, s->n, fwd,
		      nf, s->now);
	xglb_fsm_set_self(g, prio, 100, mac);
	s->down[i] = false;
}

/* Node i's link goes down (it hears nothing, every hello it sends fails) or comes back. */
static inline void sim_link(struct sim *s, int i, bool up)
{
	s->link_down[i] = !up;
	s->link_ctl[i] = true;
}

static inline void sim_clear_out(struct sim *s)
{
	memset(s->out, 0, sizeof(s->out));
}

/* Number of live nodes that believe they are AVG. */
static inline int sim_avg_count(const struct sim *s)
{
	int c = 0;

	for (int i = 0; i < s->n; i++)
		c += !s->down[i] && xglb_fsm_is_avg(&s->g[i]);
	return c;
}

/* Owner of forwarder f in node i's state (0 if inactive). */
static inline __u32 sim_owner(const struct sim *s, int i, int f)
{
	return s->g[i].fwd[f].active ? s->g[i].fwd[f].owner : 0;
}

/*
 * The tables node i's xglbd would leave pinned: its view of group 1 now
 * (whether it was the AVG left out: flags XGLB_GRP_ENABLED only).
 */
static inline void sim_pinned(const struct sim *s, int i, struct xglb_group *t)
{
	memset(t, 0, sizeof(*t));
	t->id = 1;
	t->flags = XGLB_GRP_ENABLED;
	t->n_fwd = (__u8)s->g[i].n_fwd;
	t->version = s->g[i].version;
	for (int f = 0; f < s->g[i].n_fwd; f++) {
		t->fwd[f].owner = sim_owner(s, i, f);
		t->fwd[f].flags = XGLB_FWD_ACTIVE | XGLB_FWD_NEW_OK;
	}
}

/* All live nodes hold the same version and the same owners. */
static inline bool sim_converged(const struct sim *s)
{
	int ref = -1;

	for (int i = 0; i < s->n; i++) {
		if (s->down[i])
			continue;
		if (ref < 0) {
			ref = i;
			continue;
		}
		if (s->g[i].version != s->g[ref].version || s->g[i].avg != s->g[ref].avg)
			return false;
		for (int f = 0; f < s->g[i].n_fwd; f++)
			if (sim_owner(s, i, f) != sim_owner(s, ref, f) ||
			    s->g[i].fwd[f].new_ok != s->g[ref].fwd[f].new_ok)
				return false;
	}
	return true;
}

#endif

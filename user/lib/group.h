/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * group.h - one group's membership state machine (struct xglb_fsm): AVG
 * election and forwarder assignment; pure logic, time passed in.
 *
 * Naming along the chain a group goes through:
 *   xglb_cfg_group/_fwd/_node  the configuration file (config.h)
 *   xglb_fsm/_fwd/_node        this state machine's live view (here)
 *   xglb_group_state/fwd_state what the tables are built from (tables.h)
 *   xglb_group/xglb_fwd        the BPF map values (xglb.h)
 */
#ifndef XGLB_GROUP_H
#define XGLB_GROUP_H

#include <stdbool.h>
#include <linux/types.h>
#include "proto.h"
#include "tables.h"

#define XGLB_FSM_MAX_NODES 32

/* Timers and policy knobs of a group (config "timers", "preempt", "load-balancing"). */
struct xglb_fsm_timers {
	__u32 hello_ms;	   /* hello interval */
	__u32 hold_ms;	   /* a peer not heard for this long is down */
	__u32 redirect_ms; /* a taken-over forwarder gets no new hosts after this */
	__u32 timeout_ms;  /* a taken-over forwarder is removed after this */
	bool preempt;	   /* a higher-priority node takes the AVG role from a live AVG */
	__u32 preempt_delay_ms;
	__u32 load_max_pct; /* load-aware: max share of bytes per node, 0 = off */
};

/* What this node knows of one node of the group (itself included). */
struct xglb_fsm_node {
	__u32 id;
	bool up;	   /* heard within hold (self: always) */
	bool claims_avg;   /* its last hello said it acts as AVG */
	bool demoted;	   /* cannot win an election */
	bool starting;	   /* demoted because it is starting (will be eligible within one hold) */
	bool leaving;	   /* its last hello said it is stopping: no role, no forwarder for it */
	bool heard;	   /* a hello of it arrived since init (else last_heard is our start) */
	__u8 load_factor;  /* percent of its weight load-aware balancing lets it have, 100 = all */
	__u8 priority;	   /* effective priority as advertised, at most cfg_priority */
	__u16 weight;	   /* effective weight; 0 = withdrawn as forwarder; at most cfg_weight */
	__u8 cfg_priority; /* what the configuration gives it: a hello never claims more */
	__u16 cfg_weight;
	__u8 mac[6];
	__u64 last_heard;	       /* ns */
	__u64 load[XGLB_MAX_FWD];      /* bytes it reported per forwarder it owns */
	__u64 load_prev[XGLB_MAX_FWD]; /* ... at the previous load evaluation */
	__u16 load_known;  /* bit k: load[k] was reported since it was last heard again */
	__u16 load_primed; /* bit k: load_prev[k] is a reported value of this AVG's run */
};

/* One virtual forwarder, as the group state says. */
struct xglb_fsm_fwd {
	__u8 persistence; /* 0 movable, 1 sticky to owner, 3 sticky to preferred */
	__u8 weight;	  /* configured share of new hosts */
	__u8 eff_weight;  /* share after load-aware correction */
	__u32 owner;	  /* node id, 0 = none yet */
	__u32 preferred;  /* node id */
	bool active;	  /* the vMAC is in use */
	bool new_ok;	  /* may take new hosts */
	__u64
	    takeover_since;  /* ns since it is served away from its down preferred owner, 0 = not */
	__u64 release_until; /* ns: we lost it while alive (a planned move): keep accepting its
			      * frames until then, so none is lost before switches relearn */
	/* load-aware balancing (AVG) */
	__u64 rate;	     /* bytes it carried in the last load period, all nodes' counts */
	__u64 balanced_at;   /* ns of its last move by balancing, 0 = none */
	__u32 balance_moves; /* moves by balancing while this node was AVG */
};

/* A forwarder moved by balancing stays put this many load periods (5 hold times each). */
#define XGLB_BALANCE_HOLD_PERIODS 3

/* Actions the I/O layer carries out after xglb_fsm_rx / xglb_fsm_tick. */
#define XGLB_FSM_ACT_COMMIT 0x01 /* the data-plane view changed: rebuild and flip tables */
#define XGLB_FSM_ACT_HELLO  0x02 /* send a hello now */
#define XGLB_FSM_ACT_LEARN                                                                         \
	0x04 /* learn_mask: forwarders of ours to announce: learning frames now */
#define XGLB_FSM_ACT_REDIST 0x08 /* redist_mask: forwarders removed: move their hosts */

struct xglb_fsm_out {
	unsigned int actions;
	__u16 learn_mask;  /* bit i: forwarder i became local, or a stale claim on it was heard */
	__u16 redist_mask; /* bit i: forwarder i was removed by the timeout */
};

/* Counters of what happened, for metrics and tests. */
struct xglb_fsm_stats {
	__u64 avg_changes;    /* times the AVG this node believes in changed */
	__u64 owner_changes;  /* forwarder owner changes applied */
	__u64 failovers;      /* forwarders moved because their owner went down */
	__u64 removals;	      /* forwarders removed by the timeout */
	__u64 rebalances;     /* forwarders moved by load balancing */
	__u64 states_adopted; /* higher-version states taken from peers */
	__u64 states_refused; /* states not from our AVG, or a version out of step */
	__u64 gaps;	      /* ticks after a stall or clock jump (xglb_fsm_tick) */
};

/*
 * Group state versions are serial numbers (modulo 2^32, 0 = none): a
 * version is after another if it is ahead by 1 to XGLB_VERSION_STEP. No
 * value is "highest" for ever, and a version that jumps further than the
 * step from its publisher's last one is refused.
 */
#define XGLB_VERSION_STEP 65536u
bool xglb_version_after(__u32 a, __u32 b);
/* The version that follows v (skips 0, which means none). */
__u32 xglb_version_next(__u32 v);

/* One group's state machine, as this node runs it. */
struct xglb_fsm {
	/* configuration */
	__u8 gid;
	__be32 vip;
	__u8 policy;
	struct xglb_fsm_timers t;
	__u32 self; /* our node id */
	int n_nodes;
	struct xglb_fsm_node nodes[XGLB_FSM_MAX_NODES]; /* every configured node, self included */
	int n_fwd;
	struct xglb_fsm_fwd fwd[XGLB_MAX_FWD];

	/* election, as this node sees it */
	__u32 avg; /* 0 = none */
	__u32 standby;
	__u64 preempt_at; /* ns when a pending preemption by self fires, 0 = none */

	/* the group state this node holds (published if AVG) */
	__u32 steer_mask; /* nodes (bit = index in nodes[]) that own flows: up, weight > 0 */
	__u32 version;
	__u32 state_avg; /* who published it */
	bool adopt_any;	 /* the AVG changed: take its next state whatever the version */
	/* the newest version held during this run: a new AVG numbers past it */
	__u32 version_max;

	/* self */
	__u64 demoted_until;  /* ns; starting nodes hold a demotion for one hold time */
	bool demoted_send;    /* sending hellos fails */
	__u64 send_failed_at; /* ns sending began to fail (while demoted_send) */
	__u64 rejoin_until;   /* ns: back from a silence peers may have taken for our death, we
				 claim no role until then (xglb_fsm_send_failed) */
	bool start_announce;  /* announce our vMACs once the startup hold is over */
	bool leaving; /* we are stopping (xglb_fsm_leave): handing over roles and forwarders */
	bool resumed; /* restarted as the AVG within the hold time: keeps the role
			 (xglb_fsm_resume_avg) */
	__u64 reannounce_at; /* a peer reappeared: announce what we own then (xglb_fsm_rx) */
	__u16 contested; /* forwarders peers claimed on an older state: announce ours at the next
			    tick */
	__u64 seq;
	__u32 boot;
	__u64 next_hello; /* ns */
	__u64 last_tick;  /* ns of the last xglb_fsm_tick (a stall or clock jump: see there) */
	__u64 next_load;  /* ns of the next load-aware evaluation */
	struct xglb_fsm_stats stats;
};

/* Configured node and forwarder, for xglb_fsm_init. */
struct xglb_fsm_node_param {
	__u32 id;
	__u8 priority;
	__u16 weight;
};
struct xglb_fsm_fwd_param {
	__u32 preferred; /* node id */
	__u8 persistence;
	__u8 weight;
};

/*
 * A fresh group at time now: only self is up; no AVG, no owners. Self
 * holds a demotion for one hold time, so it learns its peers before it can
 * win an election (a starting node must not take roles it cannot serve).
 */
void xglb_fsm_init(struct xglb_fsm *g, __u8 gid, __be32 vip, __u8 policy,
		   const struct xglb_fsm_timers *t, __u32 self, __u32 boot,
		   const struct xglb_fsm_node_param *nodes, int n_nodes,
		   const struct xglb_fsm_fwd_param *fwd, int n_fwd, __u64 now);

/*
 * Seed the state from the data-plane table a previous xglbd left pinned
 * (restart): owners, flags and version continue instead of starting
 * empty, so the data plane keeps forwarding while peers are relearned.
 */
void xglb_fsm_restore(struct xglb_fsm *g, const struct xglb_group *tbl);

/*
 * A reloaded node list: nodes keep what is known of them by id (up, roles,
 * loads) and take their new configured priority and weight as caps; new
 * ids start down, removed ones are forgotten.
 */
void xglb_fsm_set_nodes(struct xglb_fsm *g, const struct xglb_fsm_node_param *nodes, int n_nodes,
			__u64 now);

/*
 * A restart of the AVG within the hold time (the tables it left pinned say
 * it answered ARP, and its last heartbeat is younger than hold less one
 * hello): the peers still count on it, so it keeps the role instead of
 * leaving ARP for the VIP unanswered until someone else is elected. It is
 * not demoted in the election (its hellos claim the AVG role and say
 * STARTING only), but still assigns no forwarder and announces no vMAC
 * until its startup hold is over and it has heard its peers.
 */
void xglb_fsm_resume_avg(struct xglb_fsm *g);

/* Our own effective priority and weight (tracking lowers them; weight 0 withdraws us). */
void xglb_fsm_set_self(struct xglb_fsm *g, __u8 priority, __u16 weight, const __u8 mac[6]);

/*
 * A hello that passed decode, replay and TTL checks, from a configured
 * node of this group. Marks the sender up, records what it advertises
 * (priority and weight capped at what the configuration gives it), and
 * adopts the group state it carries only if the sender is the AVG by our
 * election and publishes the state itself: a state from a new AVG is
 * taken whatever its version, one from the AVG it came from before only
 * if its version is after ours (xglb_version_after). Every node follows
 * the one AVG, so all data planes converge on its state.
 */
void xglb_fsm_rx(struct xglb_fsm *g, const struct xglb_msg *m, __u64 now, struct xglb_fsm_out *out);

/*
 * Advance to time now: expire peers not heard within hold, elect the AVG
 * and standby, and if we are the AVG recompute forwarder owners (failover,
 * persistence, return of preferred owners, weight balance, load shifts,
 * redirect and timeout) and publish a new version when anything changed.
 */
void xglb_fsm_tick(struct xglb_fsm *g, __u64 now, struct xglb_fsm_out *out);

/* Earliest time xglb_fsm_tick has work to do (hello due, a hold or timer expiring). */
__u64 xglb_fsm_next(const struct xglb_fsm *g, __u64 now);

/*
 * Peer id, up in g, whose hold ends by now + within: taken as lost now, as
 * xglb_fsm_tick would take it at the end of its hold (then tick g). The
 * cluster uses it to fail a dead node over in every group in one pass
 * (cluster.c, coalesce_losses). Returns true if it was up and is now down.
 */
bool xglb_fsm_lose_peer(struct xglb_fsm *g, __u32 id, __u64 now, __u64 within);

/* The hello we send now (advances seq, schedules the next one). loads: bytes per forwarder we own.
 */
void xglb_fsm_hello(struct xglb_fsm *g, __u64 now, const __u64 loads[XGLB_MAX_FWD],
		    struct xglb_msg *m);

/*
 * Sending hellos failed (true) or works again (false) at time now: a node
 * that cannot speak holds a demotion. Back from a silence long enough for
 * its peers to have counted it dead (hold less one hello interval since
 * the first failure), it holds the demotion on until it has heard the node
 * that acts as AVG now for one hello interval (xglb_fsm_rx), or one hold
 * time if none speaks: the peers may have elected a successor meanwhile,
 * and a node that took the role back at once, alone in its own view,
 * would move it twice within a moment and reassign forwarders on a view
 * with no peer up. Preemption follows the usual rules after that.
 */
void xglb_fsm_send_failed(struct xglb_fsm *g, bool failed, __u64 now);

/*
 * The data-plane view at time now: owners, flags, weights and whether we
 * are AVG. A forwarder we are releasing still shows as ours.
 */
void xglb_fsm_view(const struct xglb_fsm *g, __u64 now, struct xglb_group_state *st);

/*
 * An operator's request for a forwarder (XGLB_ADMIN_MOVE, PREFER, UNPIN),
 * applied by the AVG and published with the next state version. MOVE sets
 * the preferred owner, the persistence (XGLB_ADMIN_KEEP: 3, so balance
 * does not undo it) and moves the forwarder at once if the target can
 * forward. PREFER may name no node (target 0): no preferred owner. Returns 0, -EPERM if we are not
 * the AVG, -ENOENT for an unknown forwarder or node, -EINVAL for a bad op or persistence.
 */
int xglb_fsm_admin(struct xglb_fsm *g, __u8 op, __u8 index, __u8 persistence, __u32 target,
		   __u64 now);

/*
 * We are stopping (a clean stop): from now on our hellos say so
 * (XGLB_MSGF_LEAVING, priority and weight 0), so the AVG moves our
 * forwarders to the others and the standby takes the AVG role at once.
 * Until then we keep everything as it is, so nothing goes unserved: as AVG
 * we answer ARP until another node's hello claims the role; our forwarders
 * stay ours until a state from the new owner's AVG moves them, and then
 * are released gently as in any planned move. Asks for a hello now.
 */
void xglb_fsm_leave(struct xglb_fsm *g, __u64 now);

/*
 * A leaving node has handed over everything: no other node could take the
 * AVG role (none up, or all leaving, starting or with priority 0: then
 * nobody could move anything either, so there is nothing to wait for), or
 * the state we hold names someone else as AVG, and as owner of every
 * forwarder (unless no other node may own one), and no release is running.
 */
bool xglb_fsm_left(const struct xglb_fsm *g, __u64 now);

/*
 * Another node of the group can still forward (up, not leaving, weight >
 * 0): a node that stops advertising the group's router (a clean stop, the
 * group removed or its RAs turned off by a reload, IPv6 forwarding off)
 * sends its final router advertisement with router lifetime 0 only when
 * this is false, so hosts drop the default route only when nobody is left
 * to serve it (user/xglbd/ra.c).
 */
bool xglb_fsm_others_forward(const struct xglb_fsm *g);

/* Helpers for status output and tests. */
const struct xglb_fsm_node *xglb_fsm_node(const struct xglb_fsm *g, __u32 id);
bool xglb_fsm_is_avg(const struct xglb_fsm *g);
bool xglb_fsm_demoted(const struct xglb_fsm *g, __u64 now);

/*
 * Still in the startup hold (one hold time after init): what the group
 * holds may be restored from tables pinned before a restart and be stale,
 * so xglbd announces none of it (learning frames) until then; the tick
 * that ends the hold asks for learning frames of all that is ours.
 */
bool xglb_fsm_starting(const struct xglb_fsm *g, __u64 now);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* cluster.h - membership runtime: the groups' state machines wired to the socket, timer and daemon.
 */
#ifndef XGLB_CLUSTER_H
#define XGLB_CLUSTER_H

#include <json-c/json.h>
#include "config.h"
#include "group.h"
#include "member.h"

/* What the cluster asks of the daemon (which owns maps and packet sockets). */
struct xglb_cluster_io {
	void *ctx;
	/* Some group's data-plane view changed: rebuild tables and flip. */
	void (*commit)(void *ctx);
	/* Send learning frames now for these forwarders of cfg group g (they became ours). */
	void (*learn)(void *ctx, int g, unsigned int mask);
	/* Forwarders of cfg group g were removed: move their hosts (unsolicited ARP replies). */
	void (*redistribute)(void *ctx, int g, unsigned int mask);
	/* Bytes forwarded so far per forwarder of cfg group g (for hellos). */
	void (*loads)(void *ctx, int g, __u64 bytes[XGLB_MAX_FWD]);
	/* An operator drained (true) or undrained this node, from here or from a peer. */
	void (*drain)(void *ctx, bool drained);
};

/* An operator request waiting to ride on our next hellos. */
struct xglb_admin_pending {
	__u8 op, index, persistence;
	__u32 target;
	int repeats; /* hellos left to carry it (UDP may lose one; requests are idempotent) */
};

/*
 * What we know of one peer, by node id (not by its place in the
 * configuration, which a reload may change): the highest boot it has
 * shown us, which our hellos to it echo, and the anti-replay window of
 * its sequence, which counts across all its groups.
 */
struct xglb_peer {
	__u32 id;   /* 0 = free */
	__u32 boot; /* highest boot seen in an authenticated hello, echoed back */
	struct xglb_replay win;
};
/* Peers remembered: more than configured, so a node removed by one reload
 * and added back by the next keeps its window. */
#define XGLB_PEERS_MAX (4 * XGLB_MAX_NODES)
_Static_assert(XGLB_PEERS_MAX > XGLB_MAX_NODES,
	       "a full table always holds a node no longer configured");

struct xglb_cluster {
	const struct xglb_config *cfg;
	struct xglb_cluster_io io;
	struct xglb_member mem;
	int n_groups;
	struct xglb_fsm fsm[XGLB_MAX_GROUPS]; /* indexed like cfg->groups */
	__u32 boot; /* ours: our hellos carry it, and peers' must echo it */
	__u64 seq;  /* our last sequence number, one counter for all groups and reloads */
	struct xglb_peer peers[XGLB_PEERS_MAX];
	__u8 self_prio;
	__u16 self_weight;
	__u8 withdraw[XGLB_MAX_GROUPS]; /* XGLB_WITHDRAW_* per group, by the daemon (netwatch) */
	bool commit_pending;
	/* what each group asked for in this pass (a tick, a batch of hellos): handled after one
	 * commit for them all (run_pass in cluster.c) */
	struct xglb_fsm_out pass[XGLB_MAX_GROUPS];
	/* peers whose hold ended in some group in this pass (coalesce_losses in cluster.c) */
	__u32 lost[XGLB_FSM_MAX_NODES];
	int n_lost;
	__u64 losses_coalesced; /* groups that lost a peer with another group, not at their own */
	struct xglb_admin_pending admin[XGLB_MAX_GROUPS];
	/* flow steering: MACs per steered segment, ours and each node's (by config index) */
	__u8 n_seg[XGLB_MAX_GROUPS];
	__u8 self_seg[XGLB_MAX_GROUPS][XGLB_PROTO_SEGMENTS][6];
	__u8 seg_mac[XGLB_MAX_GROUPS][XGLB_MAX_NODES][XGLB_PROTO_SEGMENTS][6];
	/* silent peers (by config index): when to warn next, 0 = heard within hold */
	__u64 silence_warn_at[XGLB_MAX_NODES];
	__u64 started; /* ns, for peers never heard */
};

/* A silent peer is warned about once it is hold time overdue, then every this many ms. */
#define XGLB_SILENCE_REPEAT_MS 30000

/*
 * Start membership for cfg: bind the socket, create the groups (restored
 * from restore[g] when not NULL: the tables a previous xglbd left), and
 * self_mac[g] is our MAC on group g's segment. C must be zeroed (calloc):
 * its room for 256 groups stays untouched beyond the configured ones. 0 or
 * -errno.
 */
int xglb_cluster_init(struct xglb_cluster *c, const struct xglb_config *cfg, __u32 boot,
		      const __u8 (*self_mac)[6], const struct xglb_group *const *restore, __u64 now,
		      const struct xglb_cluster_io *io);
void xglb_cluster_close(struct xglb_cluster *c);

/*
 * A reloaded configuration: groups whose id, VIP and forwarder count are
 * unchanged keep their state and take the new timers, policy and
 * priorities; others start afresh. The socket stays (port and key must
 * not change: the caller refuses such a reload).
 */
void xglb_cluster_reconfigure(struct xglb_cluster *c, const struct xglb_config *cfg,
			      const __u8 (*self_mac)[6], __u64 now);

int xglb_cluster_fd(const struct xglb_cluster *c);
void xglb_cluster_readable(struct xglb_cluster *c, __u64 now);
void xglb_cluster_tick(struct xglb_cluster *c, __u64 now);
/*
 * A clean stop: every group hands its roles and forwarders to the others
 * (xglb_fsm_leave) and says so in a hello now. xglb_cluster_left is true
 * once every group has handed over everything (or has no one to hand to).
 */
void xglb_cluster_leave(struct xglb_cluster *c, __u64 now);
bool xglb_cluster_left(const struct xglb_cluster *c, __u64 now);
/* The longest a hand-over may take: the largest hold time plus release time. */
__u64 xglb_cluster_leave_bound_ms(const struct xglb_cluster *c);

/* Earliest time xglb_cluster_tick has work. */
__u64 xglb_cluster_next(const struct xglb_cluster *c, __u64 now);

/*
 * An operator request (enum xglb_admin_op) for cfg group g. Carried out
 * here if this node is the one to do it (the AVG for forwarder requests,
 * the target for drain/undrain), otherwise sent to the group in our next
 * hellos. Returns 1 if applied here, 0 if sent, -errno if refused here.
 */
int xglb_cluster_admin(struct xglb_cluster *c, int g, __u8 op, __u8 index, __u8 persistence,
		       __u32 target, __u64 now);

/* Our effective priority and weight after tracking (applied at the next tick). */
void xglb_cluster_set_self(struct xglb_cluster *c, __u8 priority, __u16 weight);

/*
 * What this node cannot do in cfg group g, whatever tracking says:
 * XGLB_WITHDRAW_AVG advertises priority 0 there (it cannot answer ARP),
 * XGLB_WITHDRAW_FWD weight 0 (it cannot forward). Told to peers at once.
 */
#define XGLB_WITHDRAW_AVG 0x1
#define XGLB_WITHDRAW_FWD 0x2
void xglb_cluster_withdraw(struct xglb_cluster *c, int g, __u8 what);

/* Our MAC on group g's segment changed (hellos carry it). */
void xglb_cluster_set_mac(struct xglb_cluster *c, int g, const __u8 mac[6]);

/* Our MAC on each of group g's steered segments (its steering.interfaces, in order). */
void xglb_cluster_set_segments(struct xglb_cluster *c, int g, int n, const __u8 (*macs)[6]);

/* Node (config index) ni's MAC on segment seg of group g, as its hellos said; NULL if unknown. */
const __u8 *xglb_cluster_seg_mac(const struct xglb_cluster *c, int g, int ni, int seg);

/* Do we own forwarder f of cfg group g (not merely release it)? Only owners announce a vMAC. */
bool xglb_cluster_owns(const struct xglb_cluster *c, int g, int f);

/* Group g is in its startup hold: announce none of its vMACs (xglb_fsm_starting). */
bool xglb_cluster_starting(const struct xglb_cluster *c, int g, __u64 now);

/* The data-plane view of cfg group g at time now. */
void xglb_cluster_view(const struct xglb_cluster *c, int g, __u64 now, struct xglb_group_state *st);

/* Status of group g (peers, roles, forwarders) as JSON, for the control socket. */
struct json_object *xglb_cluster_group_json(const struct xglb_cluster *c, int g, __u64 now);
/* Datagram counters by reason. */
struct json_object *xglb_cluster_rx_json(const struct xglb_cluster *c);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* daemon.h - the daemon's state (struct daemon) shared by the xglbd modules in this folder. */
#ifndef XGLB_DAEMON_H
#define XGLB_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <json-c/json.h>
#include "addrmove.h"
#include "bank.h"
#include "cluster.h"
#include "conflict.h"
#include "config.h"
#include "ctlsock.h"
#include "hostcount.h"
#include "grace.h"
#include "ifkern.h"
#include "rxvlan.h"
#include "hostage.h"
#include "http.h"
#include "token.h"
#include "loader.h"
#include "metrics.h"
#include "nicbind.h"
#include "nlmon.h"
#include "rxfilter.h"
#include "seen.h"
#include "track.h"

#define XGLB_VERSION "0.1.0"
#define LO_IFINDEX   1

/* The interfaces the configuration uses, resolved. */
struct ifaces {
	int n;
	char name[XGLB_MAX_IFACES][IF_NAMESIZE];
	__u32 ifindex[XGLB_MAX_IFACES];
	__u8 mac[XGLB_MAX_IFACES][6];
	bool dp[XGLB_MAX_IFACES]; /* a group interface (the data path, XDP or tc); else steering
				     only */
};

/* The fast path's ways out (fastpath.c): what xglb_fp_ifaces holds. */
struct fastpath {
	__u32 egress[XGLB_FP_MAX_IFACES];
	int n_egress;
	__u64 last_ns; /* last sync */
	__u64 syncs, errors;
	bool scan_failed, warned_more;
	bool tc_warned[XGLB_MAX_IFACES]; /* by d->ifs index: told that tc runs no fast path */
};

/* A host moved by an unsolicited ARP reply, to be told again (cb_redistribute). */
struct redist_again {
	struct xglb_host_key key;
	__be32 ip;
	__u8 flags;    /* the host entry's XGLB_HOST_* when it was moved */
	__u8 g;	       /* cfg group index */
	__u8 to;       /* forwarder it was moved to */
	__u8 owner;    /* told by the owner's walk of xglb_seen, not the AVG's of xglb_hosts */
	__u32 ifindex; /* the interface to tell it on; 0: every interface of the group */
	__u64 due_ns;  /* when to tell it again: REDIST_AGAIN_MS after the first reply */
};

/*
 * A redistribution walks xglb_hosts (up to a million entries) in steps of
 * REDIST_STEP entries and REDIST_STEP_NS, one per turn of the event loop, so hellos and
 * heartbeats go out between two steps however large the table is; the
 * second replies are sent REDIST_STEP at a time as well.
 */
#define REDIST_STEP    256
#define REDIST_STEP_NS 1000000ull /* and at most this long: the rest of a batch waits a turn */

/* Where a walk of a BPF map in batches is, and for which groups (redist.c). */
struct map_walk {
	unsigned int mask[XGLB_MAX_GROUPS]; /* by cfg group index: the removed forwarders */
	__u8 gid[XGLB_MAX_GROUPS];	    /* the group's id when its mask was set */
	bool running;
	bool started;  /* cursor holds a position */
	__u64 cursor;  /* the next way of xglb_hosts (hosttab.h), bpf_map_lookup_batch's position */
	__u32 n, next; /* entries in keys/vals, the next to visit */
	int fetch_err; /* of the lookup that filled them: -ENOENT at the end */
	__u64 visited; /* entries, this walk */
	__u64 t0_ns;   /* the start of this walk */
	__u64 walks;   /* walks finished since the start */
};

/* The walk of xglb_hosts that moves the hosts of removed forwarders (redist.c). */
struct redist_walk {
	struct map_walk walk; /* mask: forwarders whose hosts move */
	__u64 moved, steps;   /* this walk */
	__u64 max_step_ns;
	struct xglb_host_key *keys; /* REDIST_STEP entries each */
	struct xglb_host *vals;
	__u64 total_steps; /* steps taken since start */
};

/*
 * The owner's redistribution (redist.c): when a forwarder this node held
 * is removed, the hosts the data path saw using it (xglb_seen) are told
 * their new vMAC on the interface each was seen on, walking xglb_seen in
 * steps like the AVG's walk, at most SEEN_RATE hosts a second and
 * SEEN_BURST per turn of the event loop (struct xglb_pace, seen.h).
 */
#define SEEN_RATE  30000
#define SEEN_BURST 64
#define SEEN_BATCH 32	/* out of credit: the walk comes back once this many may go */
#define SEEN_SWEEP 1024 /* xglb_seen entries looked at per second by the aging sweep */

/* The owner's walk of xglb_seen and the aging sweep (redist.c). */
struct seen_walk {
	struct map_walk walk;	    /* mask: removed forwarders held here */
	struct xglb_host_key *keys; /* REDIST_STEP entries each */
	struct xglb_seen *vals;
	struct xglb_pace pace;
	__u64 t1_ns, told; /* this walk: end, hosts told */
	__u64 steps, told_total, again_total, send_errors;
	__u64 n_pick[XGLB_SEEN_SKIP_NO_ADDR + 1]; /* entries by xglb_seen_select verdict */
	__u64 no_dest; /* hosts of a removed forwarder with no forwarder taking new hosts */
	/* the aging sweep */
	__u64 sweep_cursor, sweep_last_ns, swept, aged;
	bool sweep_started;
};

/*
 * Linux ignores an ARP reply that would change a neighbour entry updated
 * less than its locktime ago (1 s by default; an entry's own state change,
 * e.g. REACHABLE to STALE, counts), so every moved host is told a second
 * time this much later.
 */
#define REDIST_AGAIN_MS	 1500
#define REDIST_AGAIN_MAX 262144 /* hosts remembered for the second reply (2 x XGLB_SEEN_MAX) */

/*
 * How late the hellos go out (main.c, loop.c): for each membership
 * deadline (the timer that sends the hellos) passed when the loop wakes,
 * "wake", the time the loop sat idle in epoll_wait past it (the kernel or
 * the CPU scheduler woke it late: realtime-priority), "busy", the time a
 * turn begun before it still ran, and "sent", from the deadline until the
 * turn's hellos were sent. Each a histogram. The bulk senders
 * (redistribution) stop BULK_GUARD_NS before the next membership deadline
 * and resume right after it, and the grace period after a table switch is
 * paid by a thread of its own (grace.h), so "busy" stays small however
 * much there is to send.
 */
#define HELLO_DELAY_BUCKETS 6 /* <= 0.5, 1, 2, 5, 10 ms, more */
#define BULK_GUARD_NS	    500000ull
/* SENT: from the deadline until the turn of the timer that sent hellos had sent them */
enum { HELLO_DELAY_WAKE, HELLO_DELAY_BUSY, HELLO_DELAY_SENT, HELLO_DELAY_CAUSES };
/* What the loop spends its turns on, for the "busy" part (loop_kind, loop.c). */
enum loop_kind {
	LOOP_HEARTBEAT,	 /* the heartbeat timer: heartbeat, idle work, xglb_seen aging, ... */
	LOOP_QUIESCE,	 /* of that, the grace period paid on the loop (idle) */
	LOOP_MEMBERSHIP, /* the membership timer and socket: hellos in and out, commits */
	LOOP_CONTROL,	 /* control socket and HTTP requests */
	LOOP_NETWORK,	 /* rtnetlink monitor, tracking */
	LOOP_OTHER,	 /* learning frames, conflicts, RAs, signals */
	LOOP_BULK,	 /* the bulk senders (run_bulk) */
	LOOP_KINDS
};
struct loop_use {
	__u64 n, max_ns, over_2ms;
};
struct hello_timing {
	__u64 due_ns;	   /* the membership timer's deadline, as last armed; 0 none */
	__u64 armed_ns;	   /* what the membership timer is armed for (arm_deadline); 0 none */
	__u64 turn_end_ns; /* when the loop last went back to epoll_wait */
	__u64 fires;	   /* membership timer fires handled */
	__u64 hist[HELLO_DELAY_CAUSES][HELLO_DELAY_BUCKETS];
	__u64 sum_ns[HELLO_DELAY_CAUSES], max_ns[HELLO_DELAY_CAUSES];
	__u64 bulk_until_ns;		 /* the bulk senders of this turn stop at this time */
	__u64 bulk_max_ns;		 /* the longest run of the bulk senders in one turn */
	__u64 bulk_deferred;		 /* bulk steps put off past a membership deadline */
	struct loop_use use[LOOP_KINDS]; /* handlers' run times by kind */
	/* The longest stall: the membership deadline met the latest since the start (wake +
	 * busy), the loop's own part of it (busy) and when the loop woke to it (now_ns). */
	__u64 stall_max_ns, stall_busy_ns, stall_at_ns;
};
extern const __u64 hello_delay_le_ns[HELLO_DELAY_BUCKETS - 1];

/*
 * IPv6 router advertisements (ra.c): every node sends its groups' RAs from
 * the virtual link-local on a timer; the AVG answers router solicitations,
 * at most RA_ANSWER_BURST at once and one per RA_ANSWER_NS after that, per
 * group. The first RA_INITIAL RAs after a start or reload come at most
 * RA_INITIAL_MS apart.
 */
#define RA_ANSWER_BURST 20
#define RA_ANSWER_NS	50000000ull /* 20 answers a second, per group */
#define RA_INITIAL	3
#define RA_INITIAL_MS	4000
#define RA_RS_BATCH	64 /* solicitations read per turn of the event loop */
#define RA_FINAL	3  /* final RAs (lifetime 0), RFC 4861 MAX_FINAL_RTR_ADVERTISEMENTS */

/* What happened to a router solicitation; index of struct ra_state.rs[]. */
enum ra_rs_result {
	RS_ANSWERED,	/* an RA went back (unicast to the host, or to all nodes from ::) */
	RS_NOT_AVG,	/* not this node's to answer: the AVG does */
	RS_RATELIMITED, /* over the group's answer budget: dropped */
	RS_INVALID,	/* failed the RFC 4861 checks (hop limit, code, options) */
	RS_NO_GROUP,	/* no group with RAs on the interface it came in on */
	RS_NO_ROUTER,	/* IPv6 forwarding off here and no other router of the group forwards */
	RS_RESULTS,
};

struct ra_state {
	int tfd;			  /* timerfd: the next unsolicited RA due */
	int rs_fd;			  /* raw ICMPv6 socket passing router solicitations only */
	__u64 next_ns[XGLB_MAX_GROUPS];	  /* by cfg group index: the next RA, 0 = none */
	__u8 gid[XGLB_MAX_GROUPS];	  /* the group id next_ns was scheduled for */
	__u8 initial[XGLB_MAX_GROUPS];	  /* initial RAs still to send */
	bool advertised[XGLB_MAX_GROUPS]; /* an RA went out since the last final one */
	__u64 bucket_ns[XGLB_MAX_GROUPS]; /* answer budget: spent up to this time */
	__u64 sent, answers, errors;	  /* RAs sent unsolicited, in answer; sendto failures */
	__u64 rs[RS_RESULTS];
	__u64 na_moved;	     /* unsolicited NAs sent to moved IPv6 hosts (first and repeated) */
	__u64 final;	     /* final RAs (router lifetime 0) sent: the last router stopped */
	__u64 final_skipped; /* groups that stopped being advertised here while others remain */
};

/* Why this node withdraws from a group (netwatch.c); bits of struct netwatch.why[]. */
#define NW_IFACE_GONE	 0x1 /* one of its interfaces does not exist: priority 0, weight 0 */
#define NW_NO_FORWARDING 0x2 /* IPv4 forwarding is off on one of them: weight 0 */
/* IPv6 forwarding is off (all, or one of its interfaces) and the group serves IPv6: weight 0,
 * no RAs of its own (ra.c) */
#define NW_NO_FORWARDING6 0x4
/* none of its interfaces has carrier, or all are down (nicfail.c): priority 0, weight 0 */
#define NW_NO_CARRIER 0x8
/* the node address (the source of its hellos) has no live interface of the segment to be on
 * (nodeaddr.c): priority 0, weight 0 */
#define NW_NODE_ADDR 0x10

/*
 * The rtnetlink monitor's state: what the kernel's interfaces look like
 * compared with what xglbd set up, by index into struct ifaces.
 */
struct netwatch {
	int fd; /* xglb_nlmon_open(), -1 before start */
	struct xglb_nlmon_stats st;
	bool gone[XGLB_MAX_IFACES];    /* the interface does not exist */
	bool no_fwd[XGLB_MAX_IFACES];  /* a group interface with forwarding off */
	bool no_fwd6[XGLB_MAX_IFACES]; /* ... with IPv6 forwarding off (there or all) */
	__u8 why[XGLB_MAX_GROUPS];     /* NW_* by cfg group index */
	__u64 reattached;    /* interfaces re-created (new ifindex): programs attached again */
	__u64 mac_changes;   /* an interface's MAC changed: tables and hellos rewritten */
	__u64 vip_restored;  /* a VIP removed from lo (or a virtual IPv6 address from a group
			      * interface) by someone else, put back */
	__u64 local_updates; /* steering's local-address set rewritten on an address change */
	__u64 errors;	     /* re-applying to an interface failed (logged) */
};
/*
 * The node address on the segment's interfaces (nodeaddr.c): where it is,
 * where it should be (user/lib/addrmove.h), what moving it did.
 */
struct nodeaddr {
	bool managed; /* found on one of the segment's interfaces at start: xglbd moves it */
	bool lost;    /* no live interface can hold it: withdrawn from every group */
	char why[96]; /* why it is lost */
	__be32 addr;  /* nodes[].address */
	__u8 plen;    /* its prefix length, as found on the interface */
	int n;	      /* the segment's interfaces, configuration order */
	char name[XGLB_ADDRMOVE_MAX][IF_NAMESIZE];
	struct xglb_addrmove m;
	int tfd;	   /* timerfd: the return delay ending, the repeated gratuitous ARP */
	__u64 garp_due_ns; /* the repeated gratuitous ARP, 0 = none */
	__u64 last_move_ns;
	__u64 moves;	     /* moved off an interface without carrier (or down) */
	__u64 returns;	     /* moved back to an earlier interface after nic-return-ms */
	__u64 failures;	     /* adding it on the chosen interface failed */
	__u64 steps_down;    /* times the node withdrew because the address had nowhere to go */
	__u64 garps;	     /* gratuitous ARPs sent */
	__u64 routes_moved;  /* routes through a gateway of its prefix moved with it */
	__u64 neigh_flushed; /* neighbour entries flushed from the interface it left */
	__u64 errors;	     /* other netlink or send failures (logged) */
};
/*
 * The forwarders this node owns on its interfaces of each group's segment
 * (nicfail.c; the choice is user/lib/nicbind.h's).
 */
struct nicfail {
	const struct xglb_config *cfg;		/* the configuration b[] was read for */
	struct xglb_nicbind b[XGLB_MAX_GROUPS]; /* by cfg group index */
	int tfd;	 /* timerfd: the next interface past its return delay */
	__u64 moves;	 /* forwarders moved from one of this node's interfaces to another */
	__u64 events[2]; /* carrier lost [0] / back [1] on a group interface */
	__u64 returns;	 /* interfaces that took their forwarders back after the delay */
	char why[128];	 /* the cause of the commit in progress, for its log lines */
};

/* A sysctl xglbd changed, with the value it found, to put back on a clean stop. */
struct sysctl_saved {
	char ifname[IF_NAMESIZE]; /* or "all" */
	const char *key;
	char value[16];
};
#define SYSCTL_SAVED_MAX                                                                           \
	((XGLB_MAX_IFACES + 1) * 3) /* arp_announce, send_redirects, arp_ignore                    \
				     */

struct daemon {
	struct xglb_config *cfg;
	const char *config_path, *node_override, *pin_root_override;
	struct xglb_loader ld;
	struct xglb_bank bank;
	struct ifaces ifs;
	__u32 version;
	__u32 boot;	    /* this run's boot counter (state-dir), with membership; 0 without */
	__u64 prev_beat_ns; /* the heartbeat a previous xglbd left pinned (CLOCK_MONOTONIC), 0 =
			       none */
	bool vip_ours[XGLB_MAX_GROUPS]; /* by gid: we added vip_of[gid]/32 to lo */
	__be32 vip_of[XGLB_MAX_GROUPS];
	int epfd, sigfd, hb_fd, learn_fd, pkt_fd, mem_tfd;
	uint64_t watchdog_usec;
	struct xglb_ctlsock ctl;
	struct xglb_hostcount hosts; /* xglb_hosts counted off the event loop */
	struct xglb_hostage hostage; /* xglb_hosts aged off the event loop */
	struct xglb_grace grace;     /* grace periods after table switches, off the event loop */
	struct xglb_cluster *cl;     /* membership; NULL in static mode */
	struct xglb_tracker trk;
	int trk_tfd;
	struct xglb_http *http;
	char console_token[XGLB_TOKEN_MAX + 1]; /* "" = no console actions */
	char console_token_path[XGLB_PATH_MAX + 32];
	bool drained; /* an operator drained this node: priority and weight 0 */
	struct xglb_group tables[XGLB_MAX_GROUPS]; /* last committed, by cfg group index */
	struct xglb_commit_hist commits;	   /* how long each commit_tables took */
	__u64 redistributed;			   /* hosts moved by unsolicited ARP replies */
	/* the moved hosts, told once more after a host's ARP lock time (cb_redistribute): a
	 * ring of REDIST_AGAIN_MAX, oldest first */
	struct redist_again *again;
	int again_head, n_again, again_fd;
	__u64 redist_repeated;
	__u64
	    again_dropped; /* moved hosts not remembered for the second reply: the ring was full */
	struct redist_walk walk;
	int walk_fd; /* timerfd: the walk's next step */
	struct seen_walk seen;
	int seen_fd; /* timerfd: the owner's walk's next step */
	struct netwatch nw;
	struct nodeaddr na;
	struct nicfail nic;
	struct sysctl_saved sysctls[SYSCTL_SAVED_MAX]; /* what sysctls_apply changed */
	int n_sysctls;
	/* receive VLAN offload off where xglb_xdp runs (rxvlan_apply), off the event loop
	 * once it runs; what this process turned off, to turn on again on a clean stop */
	struct xglb_rxvlan rxvlan;
	/* each data path interface's MTU, XDP and tcx attachments as the kernel has them, read
	 * off the event loop (ifkern_apply): what status and /metrics show */
	struct xglb_ifkern ifkern;
	/* every vMAC of our groups on their interfaces' unicast filters (rxfilter.h) */
	struct xglb_rxfilter *rxf;
	struct xglb_ucf_set *rxf_want, *rxf_last; /* scratch; the set of the last commit */
	bool rxf_dirty; /* the filters' interfaces or mode were set again (or a switch failed):
			 * the next commit makes and breaks the entries, whatever changed */
	struct xglb_conflicts *conflicts; /* conflict reports from the data path (conflict.c) */
	struct ra_state ra;
	struct fastpath fp;
	struct hello_timing ht; /* how late the hellos' timer was handled, and why (main.c) */
	int rt_prio, rt_err;	/* the event loop's SCHED_RR priority (0: SCHED_OTHER), the
				 * errno of the last refused realtime-priority */
};

/* main.c */
__u64 now_ns(void);
void heartbeat(struct daemon *d);

/* loop.c */
/* the bulk senders due in a turn (BULK_DEFEND: the conflict defence, conflict.c) */
enum { BULK_AGAIN = 1, BULK_WALK = 2, BULK_SEEN = 4, BULK_DEFEND = 8 };
void hello_timer_handled(struct hello_timing *ht, __u64 wake);
void hello_timer_sent(struct hello_timing *ht, __u64 due, __u64 now);
enum loop_kind loop_kind(struct daemon *d, int fd);
void loop_account(struct hello_timing *ht, enum loop_kind k, __u64 t0, __u64 t1);
void run_bulk(struct daemon *d, unsigned int bulk);
bool bulk_over(const struct daemon *d);
void apply_realtime(struct daemon *d);
struct json_object *event_loop_json(const struct daemon *d);
struct json_object *stall_json(const struct hello_timing *ht, __u64 now, __u64 real);
int arm_timer(int fd, __u64 period_ms);
int arm_at(int fd, __u64 due_ns, __u64 now);
int arm_deadline(int fd, __u64 *armed, __u64 due, __u64 now);
__u64 heartbeat_period_ms(const struct daemon *d);

/* dataplane.c */
int iface_find(const struct ifaces *ifs, const char *name);
int resolve_ifaces(const struct xglb_config *cfg, struct ifaces *ifs);
int commit_tables(struct daemon *d);
int rx_filter_ifaces(struct daemon *d);
int write_ifaces(struct daemon *d);
void sync_vips(struct daemon *d, bool remove_all);
int sync_addrs6(struct daemon *d, bool remove_all);
void sysctls_apply(struct daemon *d);
void sysctls_restore(struct daemon *d);
void rxvlan_apply(struct daemon *d);
void rxvlan_restore(struct daemon *d);
void ifkern_apply(struct daemon *d);
int open_steering(struct daemon *d);
void steer_segments(struct daemon *d);

void set_local_ips(struct daemon *d);
bool fastpath_wanted(const struct xglb_config *cfg);
void fastpath_sync(struct daemon *d);
void fastpath_tick(struct daemon *d);
struct json_object *fastpath_json(const struct daemon *d);

/* netwatch.c */
int netwatch_wait(struct daemon *d);
int netwatch_start(struct daemon *d);
void netwatch_event(struct daemon *d);
void netwatch_resync(struct daemon *d);
struct json_object *netwatch_json(const struct daemon *d, int g);
struct json_object *netwatch_status(const struct daemon *d);
const char *netwatch_reason(__u8 bit);

/* nodeaddr.c */
int nodeaddr_init(struct daemon *d);
void nodeaddr_sync(struct daemon *d);
void nodeaddr_timer(struct daemon *d);
bool nodeaddr_lost(const struct daemon *d);
struct json_object *nodeaddr_json(const struct daemon *d);
/* nicfail.c */
int nic_open(struct daemon *d);
void nic_apply(struct daemon *d, int g, struct xglb_group *t);
void nic_moved(struct daemon *d, const struct xglb_group *now, int n);
void nic_links(struct daemon *d);
void nic_tick(struct daemon *d);
__u32 nic_out_ifindex(const struct daemon *d, int g, int f);
bool nic_all_down(const struct daemon *d, int g);
void nic_status(const struct daemon *d, struct json_object *o, struct json_object *groups);

/* redist.c */
void send_learning(struct daemon *d);
void cb_learn(void *ctx, int g, unsigned int mask);
void cb_loads(void *ctx, int g, __u64 bytes[XGLB_MAX_FWD]);
void cb_redistribute(void *ctx, int g, unsigned int mask);
void redistribute_again(struct daemon *d);
void redistribute_step(struct daemon *d);
void seen_removed(struct daemon *d, const struct xglb_group *now, int n);
void seen_step(struct daemon *d);
void seen_sweep(struct daemon *d);
struct json_object *redistribution_json(const struct daemon *d);

/* ra.c */
int ra_open(struct daemon *d);
void ra_close(struct daemon *d);
void ra_schedule(struct daemon *d);
void ra_tick(struct daemon *d);
void ra_rs_event(struct daemon *d);
void ra_final_stop(struct daemon *d);
void ra_forwarding6(struct daemon *d, int g, bool off);
void ra_final_plan(struct daemon *d, const struct xglb_config *ncfg, bool due[XGLB_MAX_GROUPS]);
void ra_final_reload(struct daemon *d, const struct xglb_config *old, const struct ifaces *oifs,
		     const bool due[XGLB_MAX_GROUPS]);
struct json_object *ra_json(const struct daemon *d);

/* membership.c */
void apply_self(struct daemon *d, bool force);
void track_apply(struct daemon *d);
int track_epoll(struct daemon *d);
void arm_membership(struct daemon *d);
void group_macs(const struct xglb_config *cfg, const struct ifaces *ifs, __u8 (*macs)[6]);
int start_membership(struct daemon *d);

/* control.c */
int http_start(struct daemon *d);
void http_stop(struct daemon *d);
int console_token_load(struct daemon *d, bool reloading);
struct json_object *ctl_handle(void *ctx, const struct xglb_ctl_req *req);
/* The same request from WHO ("control socket", "console ADDR:PORT"), logged with its outcome. */
struct json_object *ctl_handle_from(void *ctx, const struct xglb_ctl_req *req, const char *who);

/* reload.c */
struct xglb_config *load_config(const struct daemon *d);
void reload(struct daemon *d);

#endif

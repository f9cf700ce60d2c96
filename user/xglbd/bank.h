/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bank.h - atomic table switch: write the inactive bank, then flip one index. */
#ifndef XGLB_BANK_H
#define XGLB_BANK_H

#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

struct xglb_steer;

/* The steering maps (bpf/lib/maps.h), for xglb_bank_open_steer(). */
struct xglb_steer_fds {
	int cfg;	 /* xglb_steer_cfg */
	int spill;	 /* xglb_steer_spill */
	int buckets;	 /* xglb_steer_buckets */
	int peers;	 /* xglb_steer_peers */
	int local_ips;	 /* xglb_local_ips */
	int local_bloom; /* xglb_local_bloom */
};

struct xglb_bank {
	int groups_fd;		/* xglb_groups */
	int vips_fd;		/* xglb_vips */
	int beat_fd;		/* the xglb_beat program, -1 = none (see xglb_bank_set_beat) */
	int beat_err;		/* 0, or the -errno of the last xglb_beat run that failed */
	unsigned int hz;	/* the kernel's CONFIG_HZ handed to xglb_beat; 0 = unknown */
	unsigned int vip_seeds; /* hash multipliers a prepare tries (XGLB_VIP_SEEDS) */
	struct xglb_vip_slot *vips[XGLB_BANKS]; /* what each bank's VIP index holds, if known */
	bool vips_known[XGLB_BANKS];
	int vips6_fd;				  /* xglb_vips6, -1 until xglb_bank_open_vip6() */
	struct xglb_vip6_slot *vips6[XGLB_BANKS]; /* what each bank's IPv6 index holds, if known */
	bool vips6_known[XGLB_BANKS];
	struct xglb_group *groups[XGLB_BANKS]; /* what each bank's group slots hold, if known */
	bool groups_known[XGLB_BANKS];
	struct xglb_ctl *ctl; /* xglb_ctl, mmapped */
	bool need_sync;	      /* a flip happened since the inactive bank was last quiesced */
	/* flips by this run, and 1 + the flips a grace period paid off the event loop covers
	 * (grace.c; 0: none): both read and written atomically */
	__u64 flips, grace_done;
	/* steering, once xglb_bank_open_steer() was called; untouched otherwise */
	bool steer_open;
	struct xglb_steer_fds steer_fds;
	struct xglb_steer *steer; /* the current steering state (a copy), written into each bank */
	__u8 *steer_owner; /* its bucket tables: XGLB_STEER_MAX_DOMAINS x XGLB_STEER_BUCKETS */
	__u32 steer_gen;   /* bumped by each xglb_bank_prepare_steer() */
	__u32 bank_gen[XGLB_BANKS]; /* steer_gen each bank holds; 0 = not known */
	__u64 quiesce_waits;	    /* grace periods waited for (xglb_bank_quiesce) */
	__u64 quiesce_ns;	    /* and their wall time */
};

/* Map fds from a loaded object; mmaps xglb_ctl. Returns 0 or -errno. */
int xglb_bank_open(struct xglb_bank *b, int ctl_fd, int groups_fd, int vips_fd);
void xglb_bank_close(struct xglb_bank *b);

/*
 * The IPv6 index map (xglb_vips6): from now on every prepare writes the
 * groups' virtual IPv6 addresses into it. Until then a prepare refuses
 * groups that have any (-ENXIO). Returns 0 or -errno.
 */
int xglb_bank_open_vip6(struct xglb_bank *b, int vips6_fd);

/*
 * The fd of the loaded xglb_beat program (bpf/xglb.bpf.c), which each
 * heartbeat runs to stamp the heartbeat in jiffies; the data path then
 * checks the lease without a clock helper call. -1 (the default), a
 * program that fails, or HZ unknown: the data path compares heartbeat_ns
 * instead. Also reads the kernel's HZ into b->hz (once per process).
 */
void xglb_bank_set_beat(struct xglb_bank *b, int prog_fd);

/*
 * CONFIG_HZ of the running kernel from /boot/config-$(uname -r) or
 * /proc/config.gz, where libbpf looks for __kconfig values; 0 if neither
 * says.
 */
unsigned int xglb_kernel_hz(void);

/*
 * Step 1 (prepare): write groups[0..n) into the inactive bank. Every
 * group slot not in the list is written disabled, and the bank's VIP
 * index is rewritten to hold exactly the listed VIPs. Before writing,
 * waits for one RCU grace period if the inactive bank was active until
 * the last flip, so no packet still reads it. Returns 0 or -errno
 * (-ENOSPC: the VIPs or the virtual IPv6 addresses do not fit their index,
 * see xglb_vip_index_build and xglb_vip6_index_build; -ENXIO: a group has
 * virtual IPv6 addresses and xglb_bank_open_vip6 was not called; then
 * nothing was written); on error the active bank is untouched.
 */
int xglb_bank_prepare(struct xglb_bank *b, const struct xglb_group *groups, int n);

/*
 * Wait for the RCU grace period the next prepare would need (8-25 ms
 * here), now: call it when idle, so a prepare on the failover path does
 * not pay it. No-op if no flip happened since the last one.
 */
void xglb_bank_quiesce(struct xglb_bank *b);
/* Whether no grace period is owed (need_sync false, or a grace thread paid it since the last
 * flip: then need_sync is cleared); never waits. */
bool xglb_bank_synced(struct xglb_bank *b);

/* Step 2 (flip): make the prepared bank active. One aligned store. */
void xglb_bank_flip(struct xglb_bank *b);

/* prepare + flip. */
int xglb_bank_commit(struct xglb_bank *b, const struct xglb_group *groups, int n);

/* The bank packets read now. */
__u32 xglb_bank_active(const struct xglb_bank *b);

/*
 * Heartbeat and lease, written with single aligned stores; then xglb_beat
 * stamps them in jiffies (see xglb_bank_set_beat and struct xglb_ctl).
 */
void xglb_bank_heartbeat(struct xglb_bank *b, __u64 now_ns, __u64 lease_ns);

/* ---- steering tables (bpf/lib/steer.h; docs/datapath.md "Flow steering") */

/*
 * Steering of one interface. Every interface that carries the routed
 * traffic of a group (its client side and its server sides) gets one,
 * all naming the group's domain, so both directions of a flow find the
 * same owner.
 */
struct xglb_steer_iface {
	__u32 ifindex; /* nonzero, unique in the list */
	__u8 domain;   /* index into xglb_steer.dom[] */
	/* our slot in the domain (xglb_owners_slot); XGLB_STEER_NO_OWNER: we own no flow */
	__u8 self;
	__u8 mac[6]; /* this interface's MAC: source of steered frames; only frames to it are
			steered */
	/*
	 * slot -> that node's MAC on this interface's segment, for every slot
	 * of the domain's table except self. All-zero = not known: frames of
	 * its buckets stay here (counted tc_steer_no_owner). The known MACs
	 * (self's excepted) also form the interface's from-peer set.
	 */
	__u8 peer_mac[XGLB_STEER_MAX_NODES][6];
	/* more source MACs of peer routers never to steer again (e.g. a peer's second interface) */
	int n_extra; /* 0..XGLB_STEER_MAX_EXTRA */
	__u8 extra_from[XGLB_STEER_MAX_EXTRA][6];
};

/* One domain: the bucket -> owner-slot table of one group's nodes. */
struct xglb_steer_domain {
	__u8 gid;	 /* the group it serves (shown to operators) */
	__u32 n_buckets; /* power of two, 1..XGLB_STEER_BUCKETS (default XGLB_STEER_BUCKETS_DEFAULT)
			  */
	const __u8 *owner; /* n_buckets slots, from xglb_owners_build(); copied, not kept */
};

/* The whole steering state of a node; n_ifaces == 0 turns steering off everywhere. */
struct xglb_steer {
	__u32 version; /* the group state version it was built from (shown to operators) */
	int n_domains; /* 0..XGLB_STEER_MAX_DOMAINS */
	struct xglb_steer_domain dom[XGLB_STEER_MAX_DOMAINS];
	int n_ifaces; /* 0..XGLB_MAX_IFACES */
	struct xglb_steer_iface iface[XGLB_MAX_IFACES];
};

/*
 * Take over the steering maps (fds: one per map, as named in struct
 * xglb_steer_fds), after xglb_bank_open(). The current
 * steering state starts as what the active bank holds (empty on a fresh
 * object; a restarted agent keeps steering as its predecessor left it
 * until it computes a new state). From here on every prepare also writes
 * the current steering state into the inactive bank, so a flip never
 * shows steering tables older than the group tables. Returns 0 or -errno.
 */
int xglb_bank_open_steer(struct xglb_bank *b, const struct xglb_steer_fds *fds);

/*
 * Make st the current steering state and write it into the inactive bank
 * (waiting for a grace period first if needed, as xglb_bank_prepare).
 * Call it between xglb_bank_prepare() and xglb_bank_flip() (either order
 * with xglb_bank_prepare() works); the flip then switches group and
 * steering tables together. st is copied: the caller may free or reuse
 * it and its owner tables. Returns 0, -EINVAL for an invalid st (the
 * current state is kept), -ENODEV before xglb_bank_open_steer(), or
 * another -errno from the map writes (then do not flip; the next prepare
 * writes the state again).
 */
int xglb_bank_prepare_steer(struct xglb_bank *b, const struct xglb_steer *st);

/* xglb_bank_prepare() + xglb_bank_prepare_steer() + xglb_bank_flip(). */
int xglb_bank_commit_steer(struct xglb_bank *b, const struct xglb_group *groups, int n,
			   const struct xglb_steer *st);

/*
 * The node's own IPv4 addresses (VIPs, interface addresses), which are
 * never steered: xglb_local_ips becomes exactly ips[0..n). Not banked: a
 * packet racing an address change is at worst steered once or kept once.
 * n: 0..XGLB_STEER_MAX_LOCAL. Returns 0 or -errno.
 */
int xglb_bank_set_local_ips(struct xglb_bank *b, const __be32 *ips, int n);

#endif

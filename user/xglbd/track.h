/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* track.h - tracked objects (link, ping, command, file) and what they do to our priority and
 * weight. */
#ifndef XGLB_TRACK_H
#define XGLB_TRACK_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include <json-c/json.h>
#include "config.h"

/* ---- pure: the effect of tracked objects ------------------------------- */

struct xglb_track_effect {
	__u8 priority;	/* configured priority minus the decrements of objects that are down */
	__u16 weight;	/* configured weight minus decrements; 0 while withdrawn */
	bool withdrawn; /* below weighting.lower until it reaches weighting.upper again */
};

/*
 * Our effective priority and weight given which tracked objects are up.
 * prev_withdrawn carries the hysteresis of GLBP weighting: a node whose
 * weight fell below `lower` stops forwarding until it is back at `upper`.
 */
void xglb_track_eval(const struct xglb_config *cfg, const bool *up, bool prev_withdrawn,
		     struct xglb_track_effect *out);

/* ---- I/O: the monitors ---------------------------------------------------- */

struct xglb_track_obj {
	bool up;
	__u64 next_ns;	   /* next probe (ping, command, file) */
	__u64 deadline_ns; /* outstanding probe must answer by then, 0 = none */
	pid_t pid;	   /* command running */
	__u16 ping_seq;	   /* outstanding echo sequence */
	__u64 changes;	   /* up/down transitions, for status */
};

struct xglb_tracker {
	const struct xglb_config *cfg;
	int nl_fd;   /* rtnetlink link events, -1 if no link objects */
	int icmp_fd; /* raw ICMP socket, -1 if no ping objects */
	__u16 ping_id;
	struct xglb_track_obj obj[XGLB_MAX_TRACK];
	struct xglb_track_effect effect;
};

/* Open the sockets the configuration's objects need and probe link states. 0 or -errno. */
int xglb_tracker_open(struct xglb_tracker *t, const struct xglb_config *cfg, __u64 now);
void xglb_tracker_close(struct xglb_tracker *t);
/* A new configuration: objects are matched by name and keep their state. */
int xglb_tracker_reconfigure(struct xglb_tracker *t, const struct xglb_config *cfg, __u64 now);

/* Drive the monitors: call on netlink/ICMP readability and from a periodic timer. */
void xglb_tracker_netlink(struct xglb_tracker *t);
void xglb_tracker_icmp(struct xglb_tracker *t, __u64 now);
void xglb_tracker_poll(struct xglb_tracker *t, __u64 now);

/* Recompute the effect; true if priority, weight or withdrawal changed. */
bool xglb_tracker_update(struct xglb_tracker *t);

struct json_object *xglb_tracker_json(const struct xglb_tracker *t);

#endif

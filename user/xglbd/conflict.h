/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* conflict.h - conflicts the data path saw on the wire: logged, counted, and VIP claims defended.
 */
#ifndef XGLB_CONFLICT_H
#define XGLB_CONFLICT_H

#include <stdbool.h>
#include <json-c/json.h>

struct daemon;
struct xglb_conflicts;

/*
 * Read xglb_conflicts (the data path's ring buffer) on the daemon's epoll
 * loop, with a timer that paces the defence. 0 or -errno (the daemon
 * runs on without conflict reports then, and says so).
 */
int conflicts_open(struct daemon *d);
void conflicts_close(struct daemon *d);
/* Is fd one of the conflict module's? Then conflicts_event handles it. */
bool conflicts_owns(const struct daemon *d, int fd);
/* A ring buffer wakeup: events read, the defence's timer armed (false). The
 * defence's timer: true, a turn of the defence is due (BULK_DEFEND, run_bulk). */
bool conflicts_event(struct daemon *d, int fd);
/* The defence's timer (run_bulk puts a turn off past a hello with it); -1 if none. */
int conflicts_timer_fd(const struct daemon *d);
/* A turn of the defence: a step of each running pass, while the bulk senders have time. */
void conflicts_step(struct daemon *d);
/* Counters for status and /metrics: per group and kind, events held back, hosts defended. */
struct json_object *conflicts_json(const struct daemon *d);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctlsock.h - the daemon's control socket: one JSON request line in, one JSON document out. */
#ifndef XGLB_CTLSOCK_H
#define XGLB_CTLSOCK_H

#include <stdbool.h>
#include <json-c/json.h>
#include <linux/types.h>
#include "ctlreq.h"

#define XGLB_CTL_MAX_CLIENTS 8
#define XGLB_CTL_REQ_MAX     4096
/* A client has this long from connecting to having read its whole reply. */
#define XGLB_CTL_DEADLINE_MS 2000

/* Handles one checked request; returns the reply (the caller frees it). */
typedef struct json_object *(*xglb_ctl_handler)(void *ctx, const struct xglb_ctl_req *req);

/* Requests answered with an error or cut off before the handler, by reason (for /metrics). */
struct xglb_ctl_refused {
	__u64 malformed;  /* not a valid request: bad JSON, a NUL byte, a field of the wrong type */
	__u64 too_long;	  /* no newline within XGLB_CTL_REQ_MAX bytes */
	__u64 no_newline; /* the client closed its side before a newline */
	__u64 timeout;	  /* no request line, or the reply not read, within the deadline */
	__u64 evicted;	  /* the oldest client, closed to let a new one in */
};

struct xglb_ctlsock {
	int fd;	 /* listening socket */
	int tfd; /* timerfd: deadlines of connected clients */
	char path[256];
	struct xglb_ctl_refused refused;
	struct {
		int fd; /* -1 = free */
		__u64 deadline_ns;
		size_t len;
		char *out; /* reply still to send (malloc'd), NULL while reading */
		size_t out_len, out_off;
		char buf[XGLB_CTL_REQ_MAX];
	} cl[XGLB_CTL_MAX_CLIENTS];
};

/*
 * Listen on the unix socket PATH (a stale socket file is replaced; the
 * directory is created 0750; the socket is 0660: root and its group).
 * 0 or -errno.
 */
int xglb_ctlsock_open(struct xglb_ctlsock *s, const char *path);
void xglb_ctlsock_close(struct xglb_ctlsock *s);

/* Register the listening socket and the deadline timer with epoll; clients are added as they
 * connect. */
int xglb_ctlsock_epoll(struct xglb_ctlsock *s, int epfd);

/*
 * Does this fd belong to the control socket? Then handle its event. Never
 * blocks: a request is read as it arrives, the reply written as the client
 * reads it; a client that sends no full line, or does not read its reply,
 * within XGLB_CTL_DEADLINE_MS gets an error (if it can still read) and is
 * closed, and when all slots are taken the oldest client makes room.
 */
bool xglb_ctlsock_owns(const struct xglb_ctlsock *s, int fd);
void xglb_ctlsock_event(struct xglb_ctlsock *s, int epfd, int fd, xglb_ctl_handler h, void *ctx);

/* A {"error": msg} reply. */
struct json_object *xglb_ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

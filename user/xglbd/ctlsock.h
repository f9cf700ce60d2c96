/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctlsock.h - the daemon's control socket: one JSON request line in, one JSON document out. */
#ifndef XGLB_CTLSOCK_H
#define XGLB_CTLSOCK_H

#include <json-c/json.h>

#define XGLB_CTL_MAX_CLIENTS 8
#define XGLB_CTL_REQ_MAX     4096

/* Handles one request; returns the reply (the caller frees it). */
typedef struct json_object *(*xglb_ctl_handler)(void *ctx, struct json_object *req);

struct xglb_ctlsock {
	int fd; /* listening socket */
	char path[256];
	struct {
		int fd; /* -1 = free */
		size_t len;
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

/* Register the listening socket with epoll; client fds are added as they connect. */
int xglb_ctlsock_epoll(struct xglb_ctlsock *s, int epfd);

/* Does this fd belong to the control socket? Then handle its event. */
bool xglb_ctlsock_owns(const struct xglb_ctlsock *s, int fd);
void xglb_ctlsock_event(struct xglb_ctlsock *s, int epfd, int fd, xglb_ctl_handler h, void *ctx);

/* A {"error": msg} reply. */
struct json_object *xglb_ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

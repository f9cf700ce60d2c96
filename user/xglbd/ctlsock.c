// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctlsock.c - unix control socket, non-blocking both ways: a client that
 * sends slowly, sends no newline or does not read never stalls the event
 * loop, and is cut off at its deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libgen.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include "ctlsock.h"
#include "log.h"

#define MS 1000000ull
_Static_assert(XGLB_CTL_REQ_MAX == 4096, "the too-long message names the size");

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int xglb_ctlsock_open(struct xglb_ctlsock *s, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[256];
	int err;

	memset(s, 0, sizeof(*s));
	s->tfd = -1;
	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(s->path)) {
		s->fd = -1;
		return -ENAMETOOLONG;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0750);
	strcpy(sa.sun_path, path);
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || s->tfd < 0) {
		err = -errno;
		goto fail;
	}
	unlink(path); /* a socket left by a killed xglbd */
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0660) ||
	    listen(s->fd, 8)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	if (s->tfd >= 0)
		close(s->tfd);
	s->fd = s->tfd = -1;
	return err;
}

static void client_free(struct xglb_ctlsock *s, int i)
{
	close(s->cl[i].fd);
	free(s->cl[i].out);
	s->cl[i].fd = -1;
	s->cl[i].out = NULL;
	s->cl[i].len = s->cl[i].out_len = s->cl[i].out_off = 0;
}

void xglb_ctlsock_close(struct xglb_ctlsock *s)
{
	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++)
		if (s->cl[i].fd >= 0)
			client_free(s, i);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	if (s->tfd >= 0)
		close(s->tfd);
	s->fd = s->tfd = -1;
}

int xglb_ctlsock_epoll(struct xglb_ctlsock *s, int epfd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->fd};

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev))
		return -errno;
	ev.data.fd = s->tfd;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, s->tfd, &ev) ? -errno : 0;
}

bool xglb_ctlsock_owns(const struct xglb_ctlsock *s, int fd)
{
	if (fd < 0)
		return false;
	if (fd == s->fd || fd == s->tfd)
		return true;
	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++)
		if (s->cl[i].fd == fd)
			return true;
	return false;
}

struct json_object *xglb_ctl_error(const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(buf));
	return o;
}

/* The timer fires at the earliest client deadline; disarmed without clients. */
static void arm(struct xglb_ctlsock *s)
{
	struct itimerspec its = {0};
	__u64 first = 0;

	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++)
		if (s->cl[i].fd >= 0 && (!first || s->cl[i].deadline_ns < first))
			first = s->cl[i].deadline_ns;
	if (first) { /* relative, as arm_membership (membership.c) says why */
		__u64 now = mono_ns(), d = first > now ? first - now : 1;

		its.it_value.tv_sec = d / 1000000000ull;
		its.it_value.tv_nsec = d % 1000000000ull;
	}
	timerfd_settime(s->tfd, 0, &its, NULL);
}

static void drop(struct xglb_ctlsock *s, int epfd, int i)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, s->cl[i].fd, NULL);
	client_free(s, i);
}

/* Send what the client can take now; done (and closed) when all of it went. */
static void flush(struct xglb_ctlsock *s, int epfd, int i)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.fd = s->cl[i].fd};

	while (s->cl[i].out_off < s->cl[i].out_len) {
		ssize_t n = send(s->cl[i].fd, s->cl[i].out + s->cl[i].out_off,
				 s->cl[i].out_len - s->cl[i].out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			epoll_ctl(epfd, EPOLL_CTL_MOD, s->cl[i].fd, &ev);
			return; /* the rest when it reads */
		}
		if (n <= 0)
			break;
		s->cl[i].out_off += n;
	}
	drop(s, epfd, i);
}

/* Queue reply R (freed here) as one line and start sending it. */
static void reply(struct xglb_ctlsock *s, int epfd, int i, struct json_object *r)
{
	const char *txt = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(txt);

	s->cl[i].out = malloc(len + 1);
	if (s->cl[i].out) {
		memcpy(s->cl[i].out, txt, len);
		s->cl[i].out[len] = '\n';
		s->cl[i].out_len = len + 1;
		s->cl[i].out_off = 0;
	}
	json_object_put(r);
	shutdown(s->cl[i].fd, SHUT_RD); /* one request per connection */
	if (!s->cl[i].out) {
		drop(s, epfd, i);
		return;
	}
	flush(s, epfd, i);
}

/* An error for a client cut off before its request was handled. */
static void refuse(struct xglb_ctlsock *s, int epfd, int i, __u64 *counter, const char *msg)
{
	(*counter)++;
	pr_debug("control socket: %s", msg);
	reply(s, epfd, i, xglb_ctl_error("%s", msg));
}

/* Deadlines: a client still sending gets an error if it can take it at once; all are closed. */
static void expire(struct xglb_ctlsock *s, int epfd, __u64 now)
{
	__u64 ticks;

	if (read(s->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++) {
		if (s->cl[i].fd < 0 || now < s->cl[i].deadline_ns)
			continue;
		s->refused.timeout++;
		if (!s->cl[i].out)
			reply(s, epfd, i,
			      xglb_ctl_error("request: no complete line within %u ms",
					     XGLB_CTL_DEADLINE_MS));
		if (s->cl[i].fd >= 0)
			drop(s, epfd, i); /* not reading its reply either */
	}
}

static void accept_one(struct xglb_ctlsock *s, int epfd, __u64 now)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i, oldest = 0;

	if (fd < 0)
		return;
	for (i = 0; i < XGLB_CTL_MAX_CLIENTS && s->cl[i].fd >= 0; i++)
		if (s->cl[i].deadline_ns < s->cl[oldest].deadline_ns)
			oldest = i;
	if (i == XGLB_CTL_MAX_CLIENTS) {
		/* all taken: the client that has had longest makes room */
		i = oldest;
		s->refused.evicted++;
		if (!s->cl[i].out)
			reply(s, epfd, i,
			      xglb_ctl_error("request: closed to make room for another client"));
		if (s->cl[i].fd >= 0)
			drop(s, epfd, i);
	}
	s->cl[i].fd = fd;
	s->cl[i].len = 0;
	s->cl[i].deadline_ns = now + XGLB_CTL_DEADLINE_MS * MS;
	ev.data.fd = fd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void handle(struct xglb_ctlsock *s, int epfd, int i, xglb_ctl_handler h, void *ctx)
{
	struct xglb_ctl_req req;
	char err[256], *nl;

	for (;;) {
		ssize_t n = recv(s->cl[i].fd, s->cl[i].buf + s->cl[i].len,
				 sizeof(s->cl[i].buf) - s->cl[i].len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* wait for the rest of the line */
		if (n < 0 || (n == 0 && s->cl[i].len == 0)) {
			drop(s, epfd, i);
			return;
		}
		if (n == 0) {
			refuse(s, epfd, i, &s->refused.no_newline,
			       "request: ends without a newline");
			return;
		}
		nl = memchr(s->cl[i].buf + s->cl[i].len, '\n', n);
		s->cl[i].len += n;
		if (nl)
			break;
		if (s->cl[i].len == sizeof(s->cl[i].buf)) {
			refuse(s, epfd, i, &s->refused.too_long,
			       "request: no newline within the first 4096 bytes");
			return;
		}
	}
	if (xglb_ctl_parse(s->cl[i].buf, nl - s->cl[i].buf, &req, err, sizeof(err))) {
		refuse(s, epfd, i, &s->refused.malformed, err);
		return;
	}
	reply(s, epfd, i, h(ctx, &req));
}

void xglb_ctlsock_event(struct xglb_ctlsock *s, int epfd, int fd, xglb_ctl_handler h, void *ctx)
{
	__u64 now = mono_ns();
	int i;

	if (fd == s->tfd) {
		expire(s, epfd, now);
	} else if (fd == s->fd) {
		accept_one(s, epfd, now);
	} else {
		for (i = 0; i < XGLB_CTL_MAX_CLIENTS && s->cl[i].fd != fd; i++)
			;
		if (i == XGLB_CTL_MAX_CLIENTS)
			return;
		if (s->cl[i].out)
			flush(s, epfd, i);
		else
			handle(s, epfd, i, h, ctx);
	}
	arm(s);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctlsock.c - unix control socket, non-blocking: clients never stall the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libgen.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "ctlsock.h"
#include "log.h"

int xglb_ctlsock_open(struct xglb_ctlsock *s, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[256];
	int err;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(s->path))
		return -ENAMETOOLONG;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0750);
	strcpy(sa.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	unlink(path); /* a socket left by a killed xglbd */
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0660) ||
	    listen(s->fd, 8)) {
		err = -errno;
		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

void xglb_ctlsock_close(struct xglb_ctlsock *s)
{
	for (int i = 0; i < XGLB_CTL_MAX_CLIENTS; i++)
		if (s->cl[i].fd >= 0)
			close(s->cl[i].fd);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = -1;
}

int xglb_ctlsock_epoll(struct xglb_ctlsock *s, int epfd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) ? -errno : 0;
}

bool xglb_ctlsock_owns(const struct xglb_ctlsock *s, int fd)
{
	if (fd == s->fd)
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

static void drop(struct xglb_ctlsock *s, int epfd, int i)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, s->cl[i].fd, NULL);
	close(s->cl[i].fd);
	s->cl[i].fd = -1;
	s->cl[i].len = 0;
}

static void accept_one(struct xglb_ctlsock *s, int epfd)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	struct epoll_event ev = {.events = EPOLLIN};
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < XGLB_CTL_MAX_CLIENTS && s->cl[i].fd >= 0; i++)
		;
	if (i == XGLB_CTL_MAX_CLIENTS) {
		close(fd); /* busy: the client sees EOF and says so */
		return;
	}
	/* Replies are written in one go; a client that does not read gets cut off. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s->cl[i].fd = fd;
	s->cl[i].len = 0;
	ev.data.fd = fd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void reply(int fd, struct json_object *r)
{
	const char *txt = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(txt), off = 0;

	/* Blocking from here on, bounded by SO_SNDTIMEO (set at accept). */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while (off < len) {
		ssize_t n = send(fd, txt + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		off += n;
	}
	send(fd, "\n", 1, MSG_NOSIGNAL);
}

void xglb_ctlsock_event(struct xglb_ctlsock *s, int epfd, int fd, xglb_ctl_handler h, void *ctx)
{
	struct json_object *req, *rep;
	char *nl;
	int i;

	if (fd == s->fd) {
		accept_one(s, epfd);
		return;
	}
	for (i = 0; i < XGLB_CTL_MAX_CLIENTS && s->cl[i].fd != fd; i++)
		;
	if (i == XGLB_CTL_MAX_CLIENTS)
		return;
	for (;;) {
		ssize_t n = recv(fd, s->cl[i].buf + s->cl[i].len,
				 sizeof(s->cl[i].buf) - 1 - s->cl[i].len, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* wait for the rest of the line */
		if (n <= 0) {
			drop(s, epfd, i);
			return;
		}
		s->cl[i].len += n;
		s->cl[i].buf[s->cl[i].len] = '\0';
		nl = strchr(s->cl[i].buf, '\n');
		if (nl || s->cl[i].len == sizeof(s->cl[i].buf) - 1)
			break;
	}
	if (nl)
		*nl = '\0';
	req = json_tokener_parse(s->cl[i].buf);
	if (!req || !json_object_is_type(req, json_type_object))
		rep = xglb_ctl_error("request is not a JSON object");
	else
		rep = h(ctx, req);
	reply(fd, rep);
	json_object_put(rep);
	json_object_put(req);
	drop(s, epfd, i);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* http.c - libmicrohttpd on the daemon's epoll: metrics, console and status, GET only. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include "http.h"
#include "log.h"

struct xglb_http {
	struct MHD_Daemon *d;
	struct xglb_http_ops ops;
	unsigned long long host_refused; /* requests refused for their Host header */
};

unsigned long long xglb_http_host_refused(const struct xglb_http *h)
{
	return h ? h->host_refused : 0;
}

static enum MHD_Result send_buf(struct MHD_Connection *con, unsigned int code, const char *type,
				char *buf, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(con, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *con, unsigned int code, const char *msg)
{
	return send_buf(con, code, "text/plain; charset=utf-8", (char *)msg, strlen(msg),
			MHD_RESPMEM_PERSISTENT);
}

bool xglb_http_host_ok(const char *host)
{
	char name[256];
	const char *port = NULL, *end;
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (!host)
		return true;  /* HTTP/1.0: no Host, so no name a browser could have resolved */
	if (host[0] == '[') { /* [IPv6]:port */
		end = strchr(host, ']');
		if (!end)
			return false;
		n = end - host - 1;
		port = end[1] == ':' ? end + 2 : NULL;
		if (end[1] && !port)
			return false;
		host++;
	} else {
		end = strchr(host, ':');
		n = end ? (size_t)(end - host) : strlen(host);
		port = end ? end + 1 : NULL;
	}
	if (n == 0 || n >= sizeof(name))
		return false;
	if (port) {
		if (!*port || strlen(port) > 5)
			return false;
		for (const char *p = port; *p; p++)
			if (!isdigit((unsigned char)*p))
				return false;
	}
	memcpy(name, host, n);
	name[n] = '\0';
	if (host[-1] == '[')
		return inet_pton(AF_INET6, name, &a6) == 1;
	return inet_pton(AF_INET, name, &a4) == 1 || !strcasecmp(name, "localhost");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct xglb_http *h = cls;
	char *buf = NULL;
	size_t len = 0;

	(void)version;
	(void)upload;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_text(con, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET only\n");
	if (*upload_size)
		return send_text(con, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	/*
	 * DNS rebinding: a web page can point a name of its own at this
	 * address, and the browser then sends that name as Host. Only an
	 * address or localhost is served.
	 */
	if (!xglb_http_host_ok(
		MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))) {
		h->host_refused++;
		return send_text(con, MHD_HTTP_MISDIRECTED_REQUEST,
				 "misdirected request: Host must be an IP address or localhost\n");
	}
	(void)con_cls;
	if (!strcmp(url, "/metrics")) {
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			return send_text(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		h->ops.metrics(h->ops.ctx, f);
		fclose(f);
		return send_buf(con, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf,
				len, MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/api/status")) {
		struct json_object *s = h->ops.status(h->ops.ctx);
		const char *txt = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN);
		enum MHD_Result r = send_buf(con, MHD_HTTP_OK, "application/json", strdup(txt),
					     strlen(txt), MHD_RESPMEM_MUST_FREE);

		json_object_put(s);
		return r;
	}
	if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
		return send_buf(con, MHD_HTTP_OK, "text/html; charset=utf-8",
				(char *)xglb_console_html, xglb_console_html_len,
				MHD_RESPMEM_PERSISTENT);
	return send_text(con, MHD_HTTP_NOT_FOUND, "not found: try /, /metrics or /api/status\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	pr_debug("http: %s", buf);
}

int xglb_http_start(struct xglb_http **hp, const char *listen, const struct xglb_http_ops *ops)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char host[64];
	const char *colon = strrchr(listen, ':');
	struct xglb_http *h;
	long port;

	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
		return -EINVAL;
	memcpy(host, listen, colon - listen);
	host[colon - listen] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	sa.sin_port = htons((unsigned short)port);
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->ops = *ops;
	h->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, h,
				MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_EXTERNAL_LOGGER,
				mhd_log, NULL, MHD_OPTION_END);
	if (!h->d) {
		free(h);
		return -EADDRINUSE;
	}
	*hp = h;
	return 0;
}

int xglb_http_fd(const struct xglb_http *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

void xglb_http_run(struct xglb_http *h)
{
	MHD_run(h->d);
}

void xglb_http_stop(struct xglb_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

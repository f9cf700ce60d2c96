/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* http.h - the read-only HTTP endpoint: /metrics (Prometheus), / (console), /api/status (JSON). */
#ifndef XGLB_HTTP_H
#define XGLB_HTTP_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

struct xglb_http;

struct xglb_http_ops {
	void *ctx;
	struct json_object *(*status)(void *ctx); /* caller of status frees */
	void (*metrics)(void *ctx, FILE *out);
};

/*
 * Serve on LISTEN ("ADDR:PORT", IPv4) from the caller's event loop:
 * libmicrohttpd runs without threads of its own, on an epoll fd the
 * caller watches, so handlers read daemon state without locking.
 * 0 or -errno.
 */
int xglb_http_start(struct xglb_http **hp, const char *listen, const struct xglb_http_ops *ops);
int xglb_http_fd(const struct xglb_http *h);
/* Process what is ready; call when the fd is readable and now and then (timeouts). */
void xglb_http_run(struct xglb_http *h);
void xglb_http_stop(struct xglb_http *h);

/*
 * Is HOST (the Host header, NULL if absent) one this server answers? An
 * IPv4 or bracketed IPv6 literal or localhost, each with an optional port:
 * any other name is refused (421), so a page that rebinds its own name to
 * this address cannot read it from a browser.
 */
bool xglb_http_host_ok(const char *host);
/* How many requests were refused for their Host header (for /metrics). */
unsigned long long xglb_http_host_refused(const struct xglb_http *h);

/* The console page (generated from user/xglbd/console.html at build time). */
extern const char xglb_console_html[];
extern const unsigned int xglb_console_html_len;

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * http.h - the HTTP endpoint: /metrics (Prometheus), / (console), /api/status (JSON) for anyone
 * who reaches it; POST /api/action (the console's operator actions) only with the console token.
 */
#ifndef XGLB_HTTP_H
#define XGLB_HTTP_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>
#include "ctlreq.h"

struct xglb_http;

struct xglb_http_ops {
	void *ctx;
	struct json_object *(*status)(void *ctx); /* caller of status frees */
	void (*metrics)(void *ctx, FILE *out);
	/*
	 * An operator's request that passed every check below: handled as the
	 * control socket handles it; WHO ("console ADDR:PORT") is logged with
	 * it. Returns the reply, which the caller frees.
	 */
	struct json_object *(*action)(void *ctx, const struct xglb_ctl_req *req, const char *who);
	/* The console token (NUL-terminated, read at each request); NULL or "": no actions. */
	const char *token;
};

/* Why a request was refused; the names are the reason labels of xglb_requests_refused_total. */
enum xglb_http_refusal {
	XGLB_HTTP_PASS,		  /* not refused */
	XGLB_HTTP_R_HOST,	  /* 421: Host is a name (DNS rebinding) */
	XGLB_HTTP_R_METHOD,	  /* 405: not GET/HEAD, or an action not POSTed */
	XGLB_HTTP_R_CONTENT_TYPE, /* 415: an action whose body is not application/json */
	XGLB_HTTP_R_CROSS_SITE,	  /* 403: Origin or Sec-Fetch-Site names another site */
	XGLB_HTTP_R_DISABLED,	  /* 403: no console token loaded */
	XGLB_HTTP_R_NO_TOKEN,	  /* 401: no X-Xglb-Token header */
	XGLB_HTTP_R_BAD_TOKEN,	  /* 401: the wrong token */
	XGLB_HTTP_R_BODY,	  /* 400 or 413: not a valid request, or longer than 4096 bytes */
	XGLB_HTTP_R_COMMAND,	  /* 403: a command the console may not send (status, reload) */
	XGLB_HTTP_R_MAX,
};

/* The header an action carries its token in (a custom header: no form can send it). */
#define XGLB_HTTP_TOKEN_HEADER "X-Xglb-Token"
#define XGLB_HTTP_ACTION_MAX   4096 /* bytes of an action's body, as a control-socket line */

/* What an action request is judged by: its method and headers, NULL where absent. */
struct xglb_http_action_req {
	const char *method;
	const char *host;	  /* Host */
	const char *origin;	  /* Origin */
	const char *fetch_site;	  /* Sec-Fetch-Site */
	const char *content_type; /* Content-Type */
	const char *token;	  /* X-Xglb-Token */
};

/*
 * May this request act (pure)? In order: POST (405), a Host that is an
 * address or localhost (421), Content-Type application/json (415: a
 * cross-site form can only send text/plain, urlencoded or multipart), an
 * Origin that is http://HOST and a Sec-Fetch-Site of same-origin or none
 * where the browser sends them (403), a token configured (403), given (401)
 * and equal to WANT (401; compared in constant time, whatever the lengths).
 */
enum xglb_http_refusal xglb_http_action_check(const struct xglb_http_action_req *r,
					      const char *want);
/* The HTTP status of a refusal (200 for XGLB_HTTP_PASS). */
unsigned int xglb_http_refusal_status(enum xglb_http_refusal v);
/* Its label: "host", "method", "content_type", ...; NULL out of range. */
const char *xglb_http_refusal_name(enum xglb_http_refusal v);
/* A and B equal, in time that depends on neither (hashes compared with sodium_memcmp). */
bool xglb_http_token_eq(const char *a, const char *b);

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
/* How many requests were refused for reason V (for /metrics). */
unsigned long long xglb_http_refused(const struct xglb_http *h, enum xglb_http_refusal v);

/* The console page (generated from user/xglbd/console.html at build time). */
extern const char xglb_console_html[];
extern const unsigned int xglb_console_html_len;

#endif

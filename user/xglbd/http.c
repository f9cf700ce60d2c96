// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * http.c - libmicrohttpd on the daemon's epoll: metrics, console and status for GET; the
 * console's operator actions for a POST that carries the console token.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include "http.h"
#include "log.h"

struct xglb_http {
	struct MHD_Daemon *d;
	struct xglb_http_ops ops;
	unsigned long long refused[XGLB_HTTP_R_MAX]; /* requests refused, by reason */
	struct timespec log_window;		     /* refusals logged in this second ... */
	unsigned int log_count, log_skipped;	     /* ... how many, and how many not */
};

/* The body of an action POST, gathered over the calls libmicrohttpd makes as it arrives. */
struct post {
	size_t len;
	bool too_long;
	char buf[XGLB_HTTP_ACTION_MAX];
};

/* Each verdict: its metric label, HTTP status and what the refusal tells the client (body and
 * command refusals tell the parser's own error instead). */
static const struct {
	const char *name;
	unsigned int status;
	const char *text;
} refusals[XGLB_HTTP_R_MAX] = {
    [XGLB_HTTP_PASS] = {"pass", MHD_HTTP_OK, "accepted"},
    [XGLB_HTTP_R_HOST] = {"host", MHD_HTTP_MISDIRECTED_REQUEST,
			  "Host must be an IP address or localhost"},
    [XGLB_HTTP_R_METHOD] = {"method", MHD_HTTP_METHOD_NOT_ALLOWED, "actions are POSTed"},
    [XGLB_HTTP_R_CONTENT_TYPE] = {"content_type", MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				  "Content-Type must be application/json"},
    [XGLB_HTTP_R_CROSS_SITE] =
	{"cross_site", MHD_HTTP_FORBIDDEN,
	 "the request comes from a page of another site (Origin, Sec-Fetch-Site)"},
    [XGLB_HTTP_R_DISABLED] = {"actions_disabled", MHD_HTTP_FORBIDDEN,
			      "no console token is loaded: actions are off (see the log)"},
    [XGLB_HTTP_R_NO_TOKEN] =
	{"no_token", MHD_HTTP_UNAUTHORIZED,
	 "authentication needed: the console token in " XGLB_HTTP_TOKEN_HEADER},
    [XGLB_HTTP_R_BAD_TOKEN] = {"bad_token", MHD_HTTP_UNAUTHORIZED,
			       "authentication failed: wrong console token"},
    [XGLB_HTTP_R_BODY] = {"body", MHD_HTTP_BAD_REQUEST, "not a control request"},
    [XGLB_HTTP_R_COMMAND] = {"command", MHD_HTTP_FORBIDDEN, "not a console command"},
};

const char *xglb_http_refusal_name(enum xglb_http_refusal v)
{
	return (unsigned int)v < XGLB_HTTP_R_MAX ? refusals[v].name : NULL;
}

unsigned int xglb_http_refusal_status(enum xglb_http_refusal v)
{
	return (unsigned int)v < XGLB_HTTP_R_MAX ? refusals[v].status
						 : MHD_HTTP_INTERNAL_SERVER_ERROR;
}

unsigned long long xglb_http_refused(const struct xglb_http *h, enum xglb_http_refusal v)
{
	return h && v > XGLB_HTTP_PASS && v < XGLB_HTTP_R_MAX ? h->refused[v] : 0;
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
	/* no other site may frame the console and steer an operator's drag (clickjacking) */
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy", "frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
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

bool xglb_http_token_eq(const char *a, const char *b)
{
	unsigned char ha[crypto_generichash_BYTES], hb[crypto_generichash_BYTES];

	if (sodium_init() < 0) /* once; later calls return at once */
		return false;
	/* hashes of equal length: the comparison's time says nothing of either length */
	crypto_generichash(ha, sizeof(ha), (const unsigned char *)a, strlen(a), NULL, 0);
	crypto_generichash(hb, sizeof(hb), (const unsigned char *)b, strlen(b), NULL, 0);
	return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}

/* "application/json", any case, alone or with parameters ("; charset=utf-8"). */
static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (!ct || strncasecmp(ct, want, n))
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* ORIGIN is "http://" HOST: the page that sent the request came from this server. */
static bool same_origin(const char *origin, const char *host)
{
	static const char scheme[] = "http://";
	size_t n = sizeof(scheme) - 1;

	return host && !strncasecmp(origin, scheme, n) && !strcasecmp(origin + n, host);
}

enum xglb_http_refusal xglb_http_action_check(const struct xglb_http_action_req *r,
					      const char *want)
{
	if (!r->method || strcmp(r->method, "POST"))
		return XGLB_HTTP_R_METHOD;
	if (!xglb_http_host_ok(r->host))
		return XGLB_HTTP_R_HOST;
	if (!is_json_type(r->content_type))
		return XGLB_HTTP_R_CONTENT_TYPE;
	/* a browser names the page's origin on every POST; curl and scripts send none */
	if (r->origin && !same_origin(r->origin, r->host))
		return XGLB_HTTP_R_CROSS_SITE;
	if (r->fetch_site && strcmp(r->fetch_site, "same-origin") && strcmp(r->fetch_site, "none"))
		return XGLB_HTTP_R_CROSS_SITE;
	if (!want || !*want)
		return XGLB_HTTP_R_DISABLED;
	if (!r->token || !*r->token)
		return XGLB_HTTP_R_NO_TOKEN;
	if (!xglb_http_token_eq(r->token, want))
		return XGLB_HTTP_R_BAD_TOKEN;
	return XGLB_HTTP_PASS;
}

/* "console ADDR:PORT": who asked, for the log. */
static void who(struct MHD_Connection *con, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ci->client_addr;

		inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
		port = ntohs(a->sin_port);
	}
	snprintf(out, len, "console %s:%u", addr, port);
}

static enum MHD_Result send_json(struct MHD_Connection *con, unsigned int code,
				 struct json_object *o)
{
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char *copy = strdup(txt);
	enum MHD_Result r;

	json_object_put(o);
	if (!copy)
		return MHD_NO;
	r = send_buf(con, code, "application/json", copy, strlen(copy), MHD_RESPMEM_MUST_FREE);
	return r;
}

/*
 * A refused action: counted, logged (at most 10 lines a second, so a flood
 * of forged requests cannot flood the log), answered with its status.
 */
static enum MHD_Result refuse(struct xglb_http *h, struct MHD_Connection *con,
			      enum xglb_http_refusal v, const char *detail)
{
	struct json_object *o = json_object_new_object();
	struct timespec now;
	char w[80];

	h->refused[v]++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != h->log_window.tv_sec) {
		if (h->log_skipped)
			pr_warn("http: %u more refused console actions not logged", h->log_skipped);
		h->log_window = now;
		h->log_count = h->log_skipped = 0;
	}
	who(con, w, sizeof(w));
	if (h->log_count++ < 10)
		pr_warn("%s: action refused (%s): %s", w, refusals[v].name, detail);
	else
		h->log_skipped++;
	json_object_object_add(o, "ok", json_object_new_boolean(false));
	json_object_object_add(o, "refused", json_object_new_string(refusals[v].name));
	json_object_object_add(o, "error", json_object_new_string(detail));
	return send_json(con, refusals[v].status, o);
}

static const char *header(struct MHD_Connection *con, const char *name)
{
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
}

/* Only what the console offers: forwarders and nodes, never status or reload. */
static bool console_command(enum xglb_ctl_cmd c)
{
	return c == XGLB_CTL_MOVE || c == XGLB_CTL_PREFER || c == XGLB_CTL_UNPIN ||
	       c == XGLB_CTL_DRAIN || c == XGLB_CTL_UNDRAIN;
}

/* The whole body is in: parse it as the control socket would, and hand it to the handler. */
static enum MHD_Result act(struct xglb_http *h, struct MHD_Connection *con, struct post *p)
{
	struct xglb_ctl_req req;
	struct json_object *o;
	char err[256], w[80];

	if (p->too_long) {
		h->refused[XGLB_HTTP_R_BODY]++;
		o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(false));
		json_object_object_add(o, "refused", json_object_new_string("body"));
		json_object_object_add(o, "error",
				       json_object_new_string("request: longer than 4096 bytes"));
		return send_json(con, MHD_HTTP_CONTENT_TOO_LARGE, o);
	}
	if (xglb_ctl_parse(p->buf, p->len, &req, err, sizeof(err)))
		return refuse(h, con, XGLB_HTTP_R_BODY, err);
	if (!console_command(req.cmd)) {
		snprintf(err, sizeof(err), "command: %s is not a console action (use xglbctl)",
			 xglb_ctl_cmd_name(req.cmd));
		return refuse(h, con, XGLB_HTTP_R_COMMAND, err);
	}
	who(con, w, sizeof(w));
	o = h->ops.action(h->ops.ctx, &req, w);
	return send_json(
	    con, json_object_object_get_ex(o, "error", NULL) ? MHD_HTTP_CONFLICT : MHD_HTTP_OK, o);
}

/*
 * POST /api/action. The first call sees the headers only: the request is
 * judged there, before any of its body is read; the body arrives in later
 * calls, and the last one (no data) acts on it.
 */
static enum MHD_Result action(struct xglb_http *h, struct MHD_Connection *con, const char *method,
			      const char *upload, size_t *upload_size, void **con_cls)
{
	struct post *p = *con_cls;

	if (!p) {
		struct xglb_http_action_req r = {
		    .method = method,
		    .host = header(con, MHD_HTTP_HEADER_HOST),
		    .origin = header(con, "Origin"),
		    .fetch_site = header(con, "Sec-Fetch-Site"),
		    .content_type = header(con, MHD_HTTP_HEADER_CONTENT_TYPE),
		    .token = header(con, XGLB_HTTP_TOKEN_HEADER),
		};
		enum xglb_http_refusal v = xglb_http_action_check(&r, h->ops.token);

		if (v != XGLB_HTTP_PASS)
			return refuse(h, con, v, refusals[v].text);
		p = calloc(1, sizeof(*p));
		if (!p)
			return MHD_NO;
		*con_cls = p;
		return MHD_YES;
	}
	if (*upload_size) {
		if (*upload_size > sizeof(p->buf) - p->len)
			p->too_long = true;
		else
			memcpy(p->buf + p->len, upload, *upload_size);
		if (!p->too_long)
			p->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	return act(h, con, p);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct xglb_http *h = cls;
	char *buf = NULL;
	size_t len = 0;

	(void)version;
	/*
	 * DNS rebinding: a web page can point a name of its own at this
	 * address, and the browser then sends that name as Host. Only an
	 * address or localhost is served.
	 */
	if (!*con_cls && !xglb_http_host_ok(header(con, MHD_HTTP_HEADER_HOST))) {
		h->refused[XGLB_HTTP_R_HOST]++;
		return send_text(con, MHD_HTTP_MISDIRECTED_REQUEST,
				 "misdirected request: Host must be an IP address or localhost\n");
	}
	if (!strcmp(url, "/api/action"))
		return action(h, con, method, upload, upload_size, con_cls);
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		h->refused[XGLB_HTTP_R_METHOD]++;
		return send_text(con, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "GET only (the console's actions are POSTed to /api/action)\n");
	}
	if (*upload_size)
		return send_text(con, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	if (!strcmp(url, "/metrics")) {
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			return send_text(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		h->ops.metrics(h->ops.ctx, f);
		fclose(f);
		return send_buf(con, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf,
				len, MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/api/status"))
		return send_json(con, MHD_HTTP_OK, h->ops.status(h->ops.ctx));
	if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
		return send_buf(con, MHD_HTTP_OK, "text/html; charset=utf-8",
				(char *)xglb_console_html, xglb_console_html_len,
				MHD_RESPMEM_PERSISTENT);
	return send_text(con, MHD_HTTP_NOT_FOUND,
			 "not found: try /, /metrics, /api/status or POST /api/action\n");
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
		      enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)con;
	(void)why;
	free(*con_cls);
	*con_cls = NULL;
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
	h->d =
	    MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, h,
			     MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
			     MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
			     NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
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

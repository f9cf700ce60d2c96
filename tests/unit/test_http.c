// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_http.c - the Host header check against DNS rebinding; who may act from the console
 * (method, Host, Content-Type, Origin, Sec-Fetch-Site, token); the token comparison.
 */
#include "testlib.h"
#include <stdbool.h>
#include <string.h>
#include "http.h"

static void host_header(void **state)
{
	static const struct {
		const char *host;
		bool ok;
	} cases[] = {
	    {NULL, true}, /* HTTP/1.0 without Host */
	    {"10.0.0.2", true},
	    {"10.0.0.2:9100", true},
	    {"127.0.0.1:80", true},
	    {"localhost", true},
	    {"LocalHost:9100", true},
	    {"[::1]", true},
	    {"[::1]:9100", true},
	    {"[fe80::1]:1", true},
	    {"evil.example", false},
	    {"evil.example:9100", false},
	    {"localhost.evil.example", false},
	    {"10.0.0.2.nip.io", false},
	    {"10.0.0.2:", false},
	    {"10.0.0.2:91a", false},
	    {"10.0.0.2:123456", false},
	    {"10.0.0.2:9100:1", false},
	    {"[::1", false},
	    {"[::1]x", false},
	    {"[evil]:80", false},
	    {"[]", false},
	    {"", false},
	    {":9100", false},
	    {"010.0.0.2", false}, /* not a dotted quad inet_pton takes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (xglb_http_host_ok(cases[i].host) != cases[i].ok)
			print_message("Host %s: want %s\n",
				      cases[i].host ? cases[i].host : "(none)",
				      cases[i].ok ? "accepted" : "refused");
		assert_int_equal(xglb_http_host_ok(cases[i].host), cases[i].ok);
	}
}

#define TOKEN "3b1f0c5a9e7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0246a"

/* What the console page itself sends, from http://10.0.0.2:9867/. */
static const struct xglb_http_action_req good = {
    .method = "POST",
    .host = "10.0.0.2:9867",
    .origin = "http://10.0.0.2:9867",
    .fetch_site = "same-origin",
    .content_type = "application/json",
    .token = TOKEN,
};

/* The HTTP status each verdict answers with. */
static unsigned int status_of(enum xglb_http_refusal v)
{
	static const struct {
		enum xglb_http_refusal v;
		unsigned int status;
	} statuses[] = {
	    {XGLB_HTTP_PASS, 200},	   {XGLB_HTTP_R_METHOD, 405},
	    {XGLB_HTTP_R_HOST, 421},	   {XGLB_HTTP_R_CONTENT_TYPE, 415},
	    {XGLB_HTTP_R_CROSS_SITE, 403}, {XGLB_HTTP_R_DISABLED, 403},
	    {XGLB_HTTP_R_NO_TOKEN, 401},   {XGLB_HTTP_R_BAD_TOKEN, 401},
	};

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].v == v)
			return statuses[i].status;
	fail_msg("no status listed for %s", xglb_http_refusal_name(v));
	return 0;
}

#define HOST "10.0.0.2:9867"
#define SELF "http://10.0.0.2:9867"
#define EVIL "http://evil.example"
#define JSON "application/json"
/* the verdicts, short enough for a case to stand on one line */
#define PASS   XGLB_HTTP_PASS
#define METHOD XGLB_HTTP_R_METHOD
#define REBIND XGLB_HTTP_R_HOST
#define CTYPE  XGLB_HTTP_R_CONTENT_TYPE
#define XSITE  XGLB_HTTP_R_CROSS_SITE
#define NOTOK  XGLB_HTTP_R_NO_TOKEN
#define BADTOK XGLB_HTTP_R_BAD_TOKEN

static void action_check(void **state)
{
	static const struct {
		const char *what;
		struct xglb_http_action_req r;
		enum xglb_http_refusal v;
	} cases[] = {
	    {"the console page", good, PASS},
	    {"curl: no Origin, no Sec-Fetch-Site",
	     {"POST", "127.0.0.1:9867", NULL, NULL, JSON, TOKEN},
	     PASS},
	    {"charset parameter, upper case",
	     {"POST", HOST, SELF, "same-origin", "Application/JSON; charset=utf-8", TOKEN},
	     PASS},
	    {"typed into the address bar (Sec-Fetch-Site none)",
	     {"POST", "localhost:9867", "http://localhost:9867", "none", JSON, TOKEN},
	     PASS},
	    /* method */
	    {"GET", {"GET", HOST, NULL, NULL, JSON, TOKEN}, METHOD},
	    {"PUT", {"PUT", HOST, NULL, NULL, JSON, TOKEN}, METHOD},
	    {"a CORS preflight", {"OPTIONS", HOST, EVIL, "cross-site", NULL, NULL}, METHOD},
	    {"no method", {NULL, HOST, NULL, NULL, JSON, TOKEN}, METHOD},
	    {"post in lower case", {"post", HOST, NULL, NULL, JSON, TOKEN}, METHOD},
	    /* Host: DNS rebinding, even with the right token */
	    {"a rebound name",
	     {"POST", "evil.example:9867", "http://evil.example:9867", "same-origin", JSON, TOKEN},
	     REBIND},
	    /* Content-Type: all a cross-site form can send */
	    {"form: text/plain", {"POST", HOST, EVIL, "cross-site", "text/plain", NULL}, CTYPE},
	    {"form: urlencoded",
	     {"POST", HOST, EVIL, "cross-site", "application/x-www-form-urlencoded", NULL},
	     CTYPE},
	    {"form: multipart",
	     {"POST", HOST, NULL, NULL, "multipart/form-data; boundary=x", TOKEN},
	     CTYPE},
	    {"no Content-Type", {"POST", HOST, NULL, NULL, NULL, TOKEN}, CTYPE},
	    {"application/jsonx", {"POST", HOST, NULL, NULL, "application/jsonx", TOKEN}, CTYPE},
	    {"text/plain that claims json",
	     {"POST", HOST, NULL, NULL, "text/plain; a=application/json", TOKEN},
	     CTYPE},
	    /* Origin, Sec-Fetch-Site: another page, even one holding the token */
	    {"another origin", {"POST", HOST, EVIL, NULL, JSON, TOKEN}, XSITE},
	    {"another port of the same address",
	     {"POST", HOST, "http://10.0.0.2:8000", NULL, JSON, TOKEN},
	     XSITE},
	    {"https origin", {"POST", HOST, "https://10.0.0.2:9867", NULL, JSON, TOKEN}, XSITE},
	    {"origin with a path after the host",
	     {"POST", HOST, SELF "/x", NULL, JSON, TOKEN},
	     XSITE},
	    {"opaque origin (sandboxed frame, file:)",
	     {"POST", HOST, "null", NULL, JSON, TOKEN},
	     XSITE},
	    {"an Origin but no Host to match it", {"POST", NULL, SELF, NULL, JSON, TOKEN}, XSITE},
	    {"Sec-Fetch-Site cross-site", {"POST", HOST, NULL, "cross-site", JSON, TOKEN}, XSITE},
	    {"Sec-Fetch-Site same-site", {"POST", HOST, SELF, "same-site", JSON, TOKEN}, XSITE},
	    /* the token */
	    {"no token header", {"POST", HOST, SELF, "same-origin", JSON, NULL}, NOTOK},
	    {"an empty token header", {"POST", HOST, NULL, NULL, JSON, ""}, NOTOK},
	    {"a wrong token",
	     {"POST", HOST, NULL, NULL, JSON,
	      "3b1f0c5a9e7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0246b"},
	     BADTOK},
	    {"a prefix of the token", {"POST", HOST, NULL, NULL, JSON, "3b1f0c5a9e7d2468"}, BADTOK},
	    {"the token and more", {"POST", HOST, NULL, NULL, JSON, TOKEN "0"}, BADTOK},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum xglb_http_refusal v = xglb_http_action_check(&cases[i].r, TOKEN);

		if (v != cases[i].v)
			print_message("%s: want %s, got %s\n", cases[i].what,
				      xglb_http_refusal_name(cases[i].v),
				      xglb_http_refusal_name(v));
		assert_int_equal(v, cases[i].v);
		assert_int_equal(xglb_http_refusal_status(v), status_of(cases[i].v));
	}
	/* no token loaded ("" or NULL): the console page itself is refused */
	for (size_t i = 0; i < 2; i++) {
		enum xglb_http_refusal v = xglb_http_action_check(&good, i ? NULL : "");

		assert_int_equal(v, XGLB_HTTP_R_DISABLED);
		assert_int_equal(xglb_http_refusal_status(v), status_of(XGLB_HTTP_R_DISABLED));
	}
}

static void refusal_names(void **state)
{
	(void)state;
	/* the reason labels of xglb_requests_refused_total{channel="http"} */
	assert_string_equal(xglb_http_refusal_name(XGLB_HTTP_R_HOST), "host");
	assert_string_equal(xglb_http_refusal_name(XGLB_HTTP_R_CROSS_SITE), "cross_site");
	assert_string_equal(xglb_http_refusal_name(XGLB_HTTP_R_BAD_TOKEN), "bad_token");
	assert_string_equal(xglb_http_refusal_name(XGLB_HTTP_R_COMMAND), "command");
	assert_null(xglb_http_refusal_name(XGLB_HTTP_R_MAX));
	for (int v = XGLB_HTTP_PASS; v < XGLB_HTTP_R_MAX; v++)
		assert_non_null(xglb_http_refusal_name(v));
	assert_int_equal(xglb_http_refused(NULL, XGLB_HTTP_R_HOST), 0);
}

static void token_eq(void **state)
{
	(void)state;
	assert_true(xglb_http_token_eq(TOKEN, TOKEN));
	assert_true(xglb_http_token_eq("", ""));
	assert_false(xglb_http_token_eq(TOKEN, ""));
	assert_false(xglb_http_token_eq(TOKEN, TOKEN "x"));
	assert_false(xglb_http_token_eq("abcd", "abce"));
	assert_false(xglb_http_token_eq("Abcd", "abcd")); /* case counts */
}

T_MAIN(cmocka_unit_test(host_header), cmocka_unit_test(action_check),
       cmocka_unit_test(refusal_names), cmocka_unit_test(token_eq))

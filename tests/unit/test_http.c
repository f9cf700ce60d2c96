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

static void action_check(void **state)
{
	static const struct {
		const char *what;
		struct xglb_http_action_req r;
		const char *want; /* the loaded token */
		enum xglb_http_refusal v;
		unsigned int status;
	} cases[] = {
	    {"the console page", good, TOKEN, XGLB_HTTP_PASS, 200},
	    {"curl: no Origin, no Sec-Fetch-Site",
	     {"POST", "127.0.0.1:9867", NULL, NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_PASS,
	     200},
	    {"charset parameter, upper case",
	     {"POST", "10.0.0.2:9867", "http://10.0.0.2:9867", "same-origin",
	      "Application/JSON; charset=utf-8", TOKEN},
	     TOKEN,
	     XGLB_HTTP_PASS,
	     200},
	    {"typed into the address bar (Sec-Fetch-Site none)",
	     {"POST", "localhost:9867", "http://localhost:9867", "none", "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_PASS,
	     200},
	    /* method */
	    {"GET",
	     {"GET", "10.0.0.2:9867", NULL, NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_METHOD,
	     405},
	    {"PUT",
	     {"PUT", "10.0.0.2:9867", NULL, NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_METHOD,
	     405},
	    {"a CORS preflight",
	     {"OPTIONS", "10.0.0.2:9867", "http://evil.example", "cross-site", NULL, NULL},
	     TOKEN,
	     XGLB_HTTP_R_METHOD,
	     405},
	    {"no method",
	     {NULL, "10.0.0.2:9867", NULL, NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_METHOD,
	     405},
	    {"post in lower case",
	     {"post", "10.0.0.2:9867", NULL, NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_METHOD,
	     405},
	    /* Host: DNS rebinding, even with the right token */
	    {"a rebound name",
	     {"POST", "evil.example:9867", "http://evil.example:9867", "same-origin",
	      "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_HOST,
	     421},
	    /* Content-Type: all a cross-site form can send */
	    {"form: text/plain",
	     {"POST", "10.0.0.2:9867", "http://evil.example", "cross-site", "text/plain", NULL},
	     TOKEN,
	     XGLB_HTTP_R_CONTENT_TYPE,
	     415},
	    {"form: urlencoded",
	     {"POST", "10.0.0.2:9867", "http://evil.example", "cross-site",
	      "application/x-www-form-urlencoded", NULL},
	     TOKEN,
	     XGLB_HTTP_R_CONTENT_TYPE,
	     415},
	    {"form: multipart",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "multipart/form-data; boundary=x", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CONTENT_TYPE,
	     415},
	    {"no Content-Type",
	     {"POST", "10.0.0.2:9867", NULL, NULL, NULL, TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CONTENT_TYPE,
	     415},
	    {"application/jsonx",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "application/jsonx", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CONTENT_TYPE,
	     415},
	    {"text/plain that claims json",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "text/plain; a=application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CONTENT_TYPE,
	     415},
	    /* Origin, Sec-Fetch-Site: another page, even one holding the token */
	    {"another origin",
	     {"POST", "10.0.0.2:9867", "http://evil.example", NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"another port of the same address",
	     {"POST", "10.0.0.2:9867", "http://10.0.0.2:8000", NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"https origin",
	     {"POST", "10.0.0.2:9867", "https://10.0.0.2:9867", NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"origin with a path after the host",
	     {"POST", "10.0.0.2:9867", "http://10.0.0.2:9867/x", NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"opaque origin (sandboxed frame, file:)",
	     {"POST", "10.0.0.2:9867", "null", NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"an Origin but no Host to match it",
	     {"POST", NULL, "http://10.0.0.2:9867", NULL, "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"Sec-Fetch-Site cross-site",
	     {"POST", "10.0.0.2:9867", NULL, "cross-site", "application/json", TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    {"Sec-Fetch-Site same-site",
	     {"POST", "10.0.0.2:9867", "http://10.0.0.2:9867", "same-site", "application/json",
	      TOKEN},
	     TOKEN,
	     XGLB_HTTP_R_CROSS_SITE,
	     403},
	    /* the token */
	    {"no token loaded", good, "", XGLB_HTTP_R_DISABLED, 403},
	    {"no token loaded (NULL)", good, NULL, XGLB_HTTP_R_DISABLED, 403},
	    {"no token header",
	     {"POST", "10.0.0.2:9867", "http://10.0.0.2:9867", "same-origin", "application/json",
	      NULL},
	     TOKEN,
	     XGLB_HTTP_R_NO_TOKEN,
	     401},
	    {"an empty token header",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "application/json", ""},
	     TOKEN,
	     XGLB_HTTP_R_NO_TOKEN,
	     401},
	    {"a wrong token",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "application/json",
	      "3b1f0c5a9e7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0246b"},
	     TOKEN,
	     XGLB_HTTP_R_BAD_TOKEN,
	     401},
	    {"a prefix of the token",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "application/json", "3b1f0c5a9e7d2468"},
	     TOKEN,
	     XGLB_HTTP_R_BAD_TOKEN,
	     401},
	    {"the token and more",
	     {"POST", "10.0.0.2:9867", NULL, NULL, "application/json", TOKEN "0"},
	     TOKEN,
	     XGLB_HTTP_R_BAD_TOKEN,
	     401},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum xglb_http_refusal v = xglb_http_action_check(&cases[i].r, cases[i].want);

		if (v != cases[i].v)
			print_message("%s: want %s, got %s\n", cases[i].what,
				      xglb_http_refusal_name(cases[i].v),
				      xglb_http_refusal_name(v));
		assert_int_equal(v, cases[i].v);
		assert_int_equal(xglb_http_refusal_status(v), cases[i].status);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_header),
	    cmocka_unit_test(action_check),
	    cmocka_unit_test(refusal_names),
	    cmocka_unit_test(token_eq),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}

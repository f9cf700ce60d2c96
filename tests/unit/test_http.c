// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_http.c - the Host header check against DNS rebinding. */
#include "testlib.h"
#include <stdbool.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_header),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}

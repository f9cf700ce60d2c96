// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_ctl.c - libFuzzer target: the control-socket request parser (user/lib/ctlreq.c). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctlreq.h"

/*
 * The input is one request line as the daemon would pass it (bytes, no
 * newline, a NUL among them allowed). Each is parsed from an exactly sized
 * copy (AddressSanitizer sees any read past it); a parsed request must have
 * every field in its documented range, an error must be one NUL-terminated
 * line; both must come out the same the second time.
 */
static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ctl: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xglb_ctl_req r, r2;
	char err[256], err2[256], *buf = malloc(size ? size : 1);
	int ret, ret2;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(err, 0x55, sizeof(err));
	ret = xglb_ctl_parse(buf, size, &r, err, sizeof(err));
	check(ret == 0 || ret == -1, "returns 0 or -1");
	if (ret == 0) {
		check((unsigned int)r.cmd < XGLB_CTL_MAX, "command in range");
		check(xglb_ctl_cmd_name(r.cmd) != NULL, "command has a name");
		check(r.group >= 0 && r.group <= 255, "group 0..255");
		check(r.forwarder >= -1 && r.forwarder < XGLB_MAX_FWD, "forwarder -1..15");
		check(r.persistence == -1 || r.persistence == 0 || r.persistence == 1 ||
			  r.persistence == 3,
		      "persistence -1, 0, 1 or 3");
		check(memchr(r.node, '\0', sizeof(r.node)) != NULL, "node name terminated");
		for (const char *p = r.node; *p; p++)
			check(*p > 0x20 && *p < 0x7f, "node name printable");
		check(memchr(buf, '\0', size) == NULL, "no NUL in an accepted request");
	} else {
		check(memchr(err, '\0', sizeof(err)) != NULL, "error terminated");
		check(strlen(err) > 0, "error not empty");
		check(strchr(err, '\n') == NULL, "error is one line");
	}
	ret2 = xglb_ctl_parse(buf, size, &r2, err2, sizeof(err2));
	check(ret2 == ret, "same verdict twice");
	check(ret ? !strcmp(err, err2) : !memcmp(&r, &r2, sizeof(r)), "same result twice");
	free(buf);
	return 0;
}

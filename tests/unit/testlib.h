/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* testlib.h - cmocka with the headers it needs, for every C test of xglb, and shared test helpers.
 */
#ifndef XGLB_TESTLIB_H
#define XGLB_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

/*
 * Removes a state directory a test gave xglb_boot_next(): the boot file,
 * its lock, a left-over temporary, then the directory; rmdir's result.
 */
static inline int t_rm_boot_dir(const char *dir)
{
	static const char *const files[] = {"boot", "boot.lock", "boot.tmp"};
	char p[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	return rmdir(dir);
}

/* main() of a test file whose tests share no setup: the cmocka tests (cmocka_unit_test(f), ...). */
#define T_MAIN(...) T_MAIN_NAMED("tests", __VA_ARGS__)

/* The same with the group's name for cmocka's reports. */
#define T_MAIN_NAMED(name, ...)                                                                    \
	int main(void)                                                                             \
	{                                                                                          \
		const struct CMUnitTest tests[] = {__VA_ARGS__};                                   \
                                                                                                   \
		return cmocka_run_group_tests_name(name, tests, NULL, NULL);                       \
	}

#endif

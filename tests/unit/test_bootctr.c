// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_bootctr.c - the boot counter file: increments, survives, refuses what it cannot trust. */
#include "testlib.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "bootctr.h"

static char dir[64], file[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/xglb-test-boot.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/boot", dir);
	return 0;
}

static int teardown(void **state)
{
	return t_rm_boot_dir(dir);
}

static void put(const char *s)
{
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

static void get(char *buf, size_t len)
{
	FILE *f = fopen(file, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* A new node starts at 1; every call (a start of xglbd) adds one, kept in the file. */
static void counts_up_and_persists(void **state)
{
	char why[256], buf[32];
	__u32 boot = 0;

	for (__u32 want = 1; want <= 3; want++) {
		assert_int_equal(xglb_boot_next(dir, &boot, why, sizeof(why)), 0);
		assert_int_equal(boot, want);
	}
	get(buf, sizeof(buf));
	assert_string_equal(buf, "3\n");
	put("4000000000\n");
	assert_int_equal(xglb_boot_next(dir, &boot, why, sizeof(why)), 0);
	assert_int_equal(boot, 4000000001u);
	get(buf, sizeof(buf));
	assert_string_equal(buf, "4000000001\n");
}

/* A missing state-dir is created (a fresh install). */
static void creates_the_directory(void **state)
{
	char sub[128], why[256];
	__u32 boot = 0;
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/new", dir);
	assert_int_equal(xglb_boot_next(sub, &boot, why, sizeof(why)), 0);
	assert_int_equal(boot, 1);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(t_rm_boot_dir(sub), 0);
}

/* What it cannot trust it refuses, naming the path, and leaves the file as it was. */
static void refuses_bad_files(void **state)
{
	static const char *const bad[] = {
	    "",	    "abc\n", "12",	     "12\n13\n",
	    "-1\n", " 5\n",  "4294967296\n", "99999999999999999999\n"};
	char why[256], buf[32];
	__u32 boot = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(bad[i]);
		assert_int_equal(xglb_boot_next(dir, &boot, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, file));
		assert_non_null(strstr(why, "not a boot counter"));
		get(buf, sizeof(buf));
		assert_string_equal(buf, bad[i]);
		assert_int_equal(boot, 77);
	}
	put("4294967295\n");
	assert_int_equal(xglb_boot_next(dir, &boot, why, sizeof(why)), -EOVERFLOW);
	assert_non_null(strstr(why, "exhausted"));
	assert_int_equal(boot, 77);
}

/* A state-dir that cannot be a directory: an error naming it, no value. */
static void refuses_unusable_dir(void **state)
{
	char sub[192], why[256];
	__u32 boot = 77;

	put("5\n");
	snprintf(sub, sizeof(sub), "%s/sub", file); /* below a regular file */
	assert_int_equal(xglb_boot_next(sub, &boot, why, sizeof(why)), -ENOTDIR);
	assert_non_null(strstr(why, sub));
	assert_int_equal(boot, 77);
}

T_MAIN(cmocka_unit_test_setup_teardown(counts_up_and_persists, setup, teardown),
       cmocka_unit_test_setup_teardown(creates_the_directory, setup, teardown),
       cmocka_unit_test_setup_teardown(refuses_bad_files, setup, teardown),
       cmocka_unit_test_setup_teardown(refuses_unusable_dir, setup, teardown))

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_token.c - the console token file: created 0600 when absent, read back, refused when others
 * may read it, when it is a symbolic link, too short, or holds a space. */
#include "testlib.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "token.h"

struct dirs {
	char top[64], dir[96], path[128];
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));

	snprintf(d->top, sizeof(d->top), "/tmp/xglb-token.XXXXXX");
	if (!mkdtemp(d->top))
		return -1;
	snprintf(d->dir, sizeof(d->dir), "%s/state", d->top); /* made by the first load */
	snprintf(d->path, sizeof(d->path), "%s/%s", d->dir, XGLB_TOKEN_FILE);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	char p[160];

	unlink(d->path);
	snprintf(p, sizeof(p), "%s/link", d->dir);
	unlink(p);
	rmdir(d->dir);
	rmdir(d->top);
	free(d);
	return 0;
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void created_then_read(void **state)
{
	struct dirs *d = *state;
	char tok[XGLB_TOKEN_MAX + 1], again[XGLB_TOKEN_MAX + 1], err[512];
	bool created;
	struct stat st;

	assert_int_equal(xglb_token_load(d->path, false, tok, &created, err, sizeof(err)), -ENOENT);
	assert_false(created);
	assert_non_null(strstr(err, d->path));
	assert_int_equal(xglb_token_load(d->path, true, tok, &created, err, sizeof(err)), 0);
	assert_true(created);
	assert_int_equal(strlen(tok), 2 * XGLB_TOKEN_NEW);
	assert_int_equal(strspn(tok, "0123456789abcdef"), 2 * XGLB_TOKEN_NEW);
	assert_int_equal(stat(d->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(d->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* the next start reads the same token, and does not make another */
	assert_int_equal(xglb_token_load(d->path, true, again, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_string_equal(again, tok);
	/* two creations differ */
	unlink(d->path);
	assert_int_equal(xglb_token_load(d->path, true, again, &created, err, sizeof(err)), 0);
	assert_true(created);
	assert_string_not_equal(again, tok);
}

static void operator_file(void **state)
{
	struct dirs *d = *state;
	char tok[XGLB_TOKEN_MAX + 1], err[512], link[160], long_tok[XGLB_TOKEN_MAX + 3];
	bool created;

	assert_int_equal(mkdir(d->dir, 0700), 0);
	/* one line, a newline at the end is not part of it */
	put(d->path, "operator-chosen-token-of-32-chars!\n", 0600);
	assert_int_equal(xglb_token_load(d->path, true, tok, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_string_equal(tok, "operator-chosen-token-of-32-chars!");
	memset(long_tok, 'x', XGLB_TOKEN_MAX + 1);
	long_tok[XGLB_TOKEN_MAX + 1] = '\0';
	/* refused, the error naming the file, what is wrong (NULL: not checked) and the fix */
	const struct {
		const char *text;
		mode_t mode;
		int rc;
		const char *says, *fix;
	} refused[] = {
	    /* readable by the group or others */
	    {"operator-chosen-token-of-32-chars!\n", 0640, -EPERM, "mode 0640 lets the group",
	     "chmod 600"},
	    {"operator-chosen-token-of-32-chars!\n", 0604, -EPERM, "lets others", NULL},
	    /* too short, a space, two lines, too long */
	    {"short\n", 0600, -EINVAL, "has 5 characters, must have 32 to 256", NULL},
	    {"operator chosen token of 32 chars!", 0600, -EINVAL, "character 9 of the token", NULL},
	    {"operator-chosen-token-of-32-chars!\n\n", 0600, -EINVAL, NULL, NULL},
	    {long_tok, 0600, -EINVAL, "more than 256", NULL},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		put(d->path, refused[i].text, refused[i].mode);
		assert_int_equal(xglb_token_load(d->path, true, tok, &created, err, sizeof(err)),
				 refused[i].rc);
		assert_string_equal(tok, ""); /* no token is left behind */
		assert_non_null(strstr(err, d->path));
		if (refused[i].says)
			assert_non_null(strstr(err, refused[i].says));
		if (refused[i].fix)
			assert_non_null(strstr(err, refused[i].fix));
	}
	long_tok[XGLB_TOKEN_MAX] = '\0'; /* exactly the most */
	put(d->path, long_tok, 0600);
	assert_int_equal(xglb_token_load(d->path, true, tok, &created, err, sizeof(err)), 0);
	assert_int_equal(strlen(tok), XGLB_TOKEN_MAX);
	/* a symbolic link is refused, not followed (nor replaced by a new token) */
	snprintf(link, sizeof(link), "%s/link", d->dir);
	assert_int_equal(symlink(d->path, link), 0);
	assert_int_equal(xglb_token_load(link, true, tok, &created, err, sizeof(err)), -ELOOP);
	assert_false(created);
	assert_non_null(strstr(err, "symbolic link"));
	/* a directory */
	assert_int_not_equal(xglb_token_load(d->dir, true, tok, &created, err, sizeof(err)), 0);
	assert_false(created);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(created_then_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(operator_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * token.h - the console's action token: a secret in a root-only file that an
 * operator's browser sends in a header to act (move, prefer, unpin, drain,
 * undrain) from the web console. Created by xglbd when the file is absent.
 */
#ifndef XGLB_TOKEN_H
#define XGLB_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define XGLB_TOKEN_FILE "console-token" /* in state-dir, unless console-token-file says */
#define XGLB_TOKEN_MIN	32		/* characters */
#define XGLB_TOKEN_MAX	256
#define XGLB_TOKEN_NEW	32 /* random bytes of a token xglbd creates (64 hex digits) */

/*
 * Read the token of PATH into TOK (XGLB_TOKEN_MAX + 1 bytes): one line of
 * XGLB_TOKEN_MIN..XGLB_TOKEN_MAX printable ASCII characters without spaces,
 * one trailing newline allowed. The file must be a regular file (not a
 * symbolic link) owned by root or by the user xglbd runs as, that its group
 * and others can neither read nor write.
 *
 * When PATH does not exist and CREATE is set, a new token is made (32
 * random bytes from libsodium, as 64 hex digits), written with mode 0600
 * (O_EXCL: never over a file another process put there meanwhile) and
 * fsynced with its directory; the directory is created (0700) if missing,
 * its parent must exist. *CREATED says whether that happened.
 *
 * 0, or -errno with a one-line message in ERR naming the path and the fix.
 */
int xglb_token_load(const char *path, bool create, char *tok, bool *created, char *err,
		    size_t errlen);

#endif

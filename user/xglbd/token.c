// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* token.c - the console's action token file: read and checked, or created with mode 0600. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "token.h"

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int e,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -e;
}

/* Whoever reads the token can act from the console: root's (or ours) alone. */
static int check_private(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st))
		return fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, EINVAL, "%s: not a regular file", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return fail(err, errlen, EPERM,
			    "%s: owned by uid %u, must be owned by root (chown root %s)", path,
			    (unsigned int)st.st_uid, path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return fail(err, errlen, EPERM,
			    "%s: mode %04o lets %s at the console token, must be 0600 or stricter "
			    "(chmod 600 %s)",
			    path, (unsigned int)(st.st_mode & 07777),
			    st.st_mode & S_IRWXG
				? (st.st_mode & S_IRWXO ? "group and others" : "the group")
				: "others",
			    path);
	return 0;
}

static int read_token(int fd, const char *path, char *tok, char *err, size_t errlen)
{
	char buf[XGLB_TOKEN_MAX + 2];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail(err, errlen, errno, "%s: %s", path, strerror(errno));
		}
		len += (size_t)n;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	if (len < XGLB_TOKEN_MIN || len > XGLB_TOKEN_MAX) {
		sodium_memzero(buf, sizeof(buf));
		return fail(err, errlen, EINVAL,
			    "%s: the token has %s%zu characters, must have %d to %d on one line",
			    path, len > XGLB_TOKEN_MAX ? "more than " : "",
			    len > XGLB_TOKEN_MAX ? (size_t)XGLB_TOKEN_MAX : len, XGLB_TOKEN_MIN,
			    XGLB_TOKEN_MAX);
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x21 || (unsigned char)buf[i] > 0x7e) {
			sodium_memzero(buf, sizeof(buf));
			return fail(err, errlen, EINVAL,
				    "%s: character %zu of the token is not printable ASCII "
				    "(spaces and line breaks are not allowed)",
				    path, i + 1);
		}
	memcpy(tok, buf, len);
	tok[len] = '\0';
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

/* fsync the directory holding PATH, so the new file's name survives a crash. */
static int sync_dir(const char *path, char *err, size_t errlen)
{
	char copy[4096];
	int fd, ret = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		ret = fail(err, errlen, errno, "%s: syncing its directory: %s", path,
			   strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int create_token(const char *path, char *tok, char *err, size_t errlen)
{
	unsigned char raw[XGLB_TOKEN_NEW];
	char hex[2 * XGLB_TOKEN_NEW + 2], dir[4096];
	size_t len;
	ssize_t n;
	int fd;

	if (sodium_init() < 0)
		return fail(err, errlen, EIO, "%s: libsodium did not initialise", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) && errno != EEXIST)
		return fail(err, errlen, errno, "%s: creating its directory: %s", path,
			    strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(err, errlen, errno, "%s: creating it: %s", path, strerror(errno));
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	len = strlen(hex);
	hex[len++] = '\n';
	n = write(fd, hex, len);
	if (n != (ssize_t)len || fsync(fd)) {
		int e = n < 0 || n == (ssize_t)len ? errno : EIO;

		close(fd);
		unlink(path); /* never leave a cut-short token for the next start to refuse */
		sodium_memzero(hex, sizeof(hex));
		return fail(err, errlen, e, "%s: writing it: %s", path, strerror(e));
	}
	close(fd);
	memcpy(tok, hex, len - 1);
	tok[len - 1] = '\0';
	sodium_memzero(hex, sizeof(hex));
	return sync_dir(path, err, errlen);
}

int xglb_token_load(const char *path, bool create, char *tok, bool *created, char *err,
		    size_t errlen)
{
	int fd, ret;

	*created = false;
	tok[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && create) {
		ret = create_token(path, tok, err, errlen);
		*created = ret == 0;
		return ret;
	}
	if (fd < 0)
		return fail(err, errlen, errno, "%s: %s", path,
			    errno == ELOOP ? "a symbolic link (give the file itself)"
					   : strerror(errno));
	ret = check_private(fd, path, err, errlen);
	if (!ret)
		ret = read_token(fd, path, tok, err, errlen);
	close(fd);
	return ret;
}

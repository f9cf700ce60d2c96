// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bootctr.c - the node's boot counter in state-dir: read, increment, write, fsync file and
 * directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "bootctr.h"

static int fail(char *err, size_t errlen, int e, const char *path, const char *what)
{
	snprintf(err, errlen, "%s: %s: %s", path, what, strerror(e));
	return -e;
}

/* The current value of path: 0 if it does not exist, -errno (err set) if unreadable or malformed.
 */
static int read_counter(const char *path, __u32 *val, char *err, size_t errlen)
{
	char buf[32], *end;
	unsigned long v;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			*val = 0;
			return 0;
		}
		return fail(err, errlen, errno, path, "cannot open");
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return fail(err, errlen, e, path, "cannot read");
	}
	close(fd);
	buf[n] = 0;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (n == 0 || buf[0] < '0' || buf[0] > '9' || errno || strcmp(end, "\n") ||
	    v > UINT32_MAX) {
		snprintf(
		    err, errlen,
		    "%s: not a boot counter (one decimal number up to 4294967295 and a newline); "
		    "it must never be edited or reset",
		    path);
		return -EINVAL;
	}
	*val = (__u32)v;
	return 0;
}

int xglb_boot_next(const char *dir, __u32 *boot, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX], lock[PATH_MAX], line[16];
	int dfd = -1, fd = -1, lfd = -1, ret, len;
	__u32 cur = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, XGLB_BOOT_FILE) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
		return fail(err, errlen, ENAMETOOLONG, dir, "state-dir");
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail(err, errlen, errno, dir, "cannot create state-dir");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(err, errlen, errno, dir, "cannot open state-dir");
	/* Two daemons sharing a state-dir by mistake must still never hand out one value twice. */
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX)) {
		ret = fail(err, errlen, errno, lock, "cannot lock");
		goto out;
	}
	ret = read_counter(path, &cur, err, errlen);
	if (ret)
		goto out;
	if (cur == UINT32_MAX) {
		snprintf(err, errlen, "%s: the boot counter is exhausted (4294967295)", path);
		ret = -EOVERFLOW;
		goto out;
	}
	len = snprintf(line, sizeof(line), "%u\n", cur + 1);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = fail(err, errlen, errno, tmp, "cannot create");
		goto out;
	}
	errno = 0;
	if (write(fd, line, len) != len) {
		ret = fail(err, errlen, errno ? errno : EIO, tmp, "cannot write");
		goto out;
	}
	if (fsync(fd)) {
		ret = fail(err, errlen, errno, tmp, "cannot fsync");
		goto out;
	}
	if (rename(tmp, path)) {
		ret = fail(err, errlen, errno, path, "cannot replace");
		goto out;
	}
	if (fsync(dfd)) {
		ret = fail(err, errlen, errno, dir, "cannot fsync state-dir");
		goto out;
	}
	*boot = cur + 1;
	ret = 0;
out:
	if (fd >= 0) {
		close(fd);
		if (ret)
			unlink(tmp);
	}
	if (lfd >= 0)
		close(lfd); /* drops the lock */
	close(dfd);
	return ret;
}

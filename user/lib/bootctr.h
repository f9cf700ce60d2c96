/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bootctr.h - the node's boot counter: a monotonic counter in a file, fsynced before use. */
#ifndef XGLB_BOOTCTR_H
#define XGLB_BOOTCTR_H

#include <stddef.h>
#include <linux/types.h>

#define XGLB_BOOT_FILE "boot" /* in state-dir */

/*
 * Read the counter kept in DIR/boot, add one, and make the new value
 * durable before returning it: written to DIR/boot.tmp, fsynced, renamed
 * over DIR/boot, the directory fsynced. A missing file counts as 0 (a new
 * node); DIR is created (0700) if missing. The file holds one decimal
 * number and a newline; anything else, 0xffffffff (the counter would wrap)
 * or any failing step is an error: returns -errno and writes a sentence
 * naming the path and the problem into err/errlen, and the old value
 * stays. On success *boot is the new value (>= 1) and 0 is returned.
 *
 * The value never comes from a clock: a node whose clock steps back must
 * still never reuse a boot.
 */
int xglb_boot_next(const char *dir, __u32 *boot, char *err, size_t errlen);

#endif

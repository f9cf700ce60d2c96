/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* names.h - printable names shared by the daemon and the CLI: verdict reasons and MAC addresses. */
#ifndef XGLB_NAMES_H
#define XGLB_NAMES_H

#include <linux/types.h>

#define XGLB_MAC_STR 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */

/* The metric label of a data-plane verdict reason (XGLB_REASONS in xglb.h); "unknown" if out of
 * range. */
const char *xglb_reason_name(int reason);

/* Writes MAC as "aa:bb:cc:dd:ee:ff" into BUF and returns BUF. */
char *xglb_fmt_mac(char buf[XGLB_MAC_STR], const __u8 mac[6]);

#endif

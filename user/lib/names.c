// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* names.c - printable names shared by the daemon and the CLI: verdict reasons and MAC addresses. */
#include <stdio.h>
#include "names.h"
#include "xglb.h"

#define REASON_NAME(name, str) [XGLB_R_##name] = str,
static const char *const reason_names[XGLB_R_MAX] = {XGLB_REASONS(REASON_NAME)};

const char *xglb_reason_name(int reason)
{
	return reason >= 0 && reason < XGLB_R_MAX ? reason_names[reason] : "unknown";
}

char *xglb_fmt_mac(char buf[XGLB_MAC_STR], const __u8 mac[6])
{
	snprintf(buf, XGLB_MAC_STR, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

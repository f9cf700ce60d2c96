/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctlreq.h - one control-socket request line, parsed and type-checked into a
 * struct (pure: no I/O, no daemon state), so the daemon's handlers only see
 * requests whose every field has the right type and range.
 */
#ifndef XGLB_CTLREQ_H
#define XGLB_CTLREQ_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"

enum xglb_ctl_cmd {
	XGLB_CTL_STATUS,
	XGLB_CTL_MOVE,
	XGLB_CTL_PREFER,
	XGLB_CTL_UNPIN,
	XGLB_CTL_DRAIN,
	XGLB_CTL_UNDRAIN,
	XGLB_CTL_RELOAD,
	XGLB_CTL_MAX,
};

struct xglb_ctl_req {
	enum xglb_ctl_cmd cmd;
	int group;		  /* 1..255, 0 = not given (the first group) */
	int forwarder;		  /* 0..XGLB_MAX_FWD - 1; -1 = not given */
	char node[XGLB_NAME_MAX]; /* "" = not given */
	int persistence;	  /* 0, 1 or 3; -1 = not given */
};

/*
 * Parse one request: LEN bytes of BUF (a NUL byte among them is an error),
 * without its newline. A JSON object with a string "command" and only the
 * fields that command takes, each of its type and range (null is not a
 * value of any field):
 *
 *   status, reload                 -
 *   move                           forwarder, node; group, persistence
 *   prefer                         forwarder, node; group
 *   unpin                          forwarder; group
 *   drain, undrain                 node; group
 *
 * 0 and *req filled, or -1 with a one-line message in err ("field: problem").
 */
int xglb_ctl_parse(const char *buf, size_t len, struct xglb_ctl_req *req, char *err, size_t errlen);

/* "status", "move", ...; NULL for a value out of range. */
const char *xglb_ctl_cmd_name(enum xglb_ctl_cmd cmd);

#endif

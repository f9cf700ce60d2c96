/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log.h - leveled logging to stderr, journald-friendly, with libbpf/libxdp messages routed in. */
#ifndef XGLB_LOG_H
#define XGLB_LOG_H

#include <stdbool.h>

enum xglb_log_level { XGLB_LOG_ERR = 3, XGLB_LOG_WARN = 4, XGLB_LOG_INFO = 6, XGLB_LOG_DEBUG = 7 };

/* prog: name printed before each line; level: most verbose level printed. */
void xglb_log_init(const char *prog, enum xglb_log_level level);
void xglb_log(enum xglb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Whether a line at level is printed (so a caller can skip building one). */
bool xglb_log_enabled(enum xglb_log_level level);
/* Route libbpf's and libxdp's messages through xglb_log, one level quieter. */
void xglb_log_libs(void);

/*
 * Hold the lines logged on this thread until the matching release, then
 * write them as one (a commit that moves a thousand forwarders logs a
 * thousand lines: one write, not a thousand). Only the event loop holds;
 * other threads' lines go out at once. Nestable.
 */
void xglb_log_hold(void);
void xglb_log_release(void);

/* The most recent info-or-worse messages, oldest first, as [{"time": ..., "message": ...}]. */
struct json_object;
struct json_object *xglb_log_recent(void);

#define pr_err(...)   xglb_log(XGLB_LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  xglb_log(XGLB_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  xglb_log(XGLB_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xglb_log(XGLB_LOG_DEBUG, __VA_ARGS__)

#endif

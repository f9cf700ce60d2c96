// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* log.c - leveled logging: "<N>" syslog prefixes under journald, "prog: level: msg" on a terminal.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

static const char *log_prog = "xglb";
static enum xglb_log_level log_max = XGLB_LOG_INFO;
static int log_journal; /* stderr is connected to journald: use <N> prefixes */

void xglb_log_init(const char *prog, enum xglb_log_level level)
{
	log_prog = prog;
	log_max = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

bool xglb_log_enabled(enum xglb_log_level level)
{
	return level <= log_max;
}

static const char *level_name(enum xglb_log_level l)
{
	switch (l) {
	case XGLB_LOG_ERR:
		return "error";
	case XGLB_LOG_WARN:
		return "warning";
	case XGLB_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/*
 * Recent events for the console and status: a ring of the last messages at
 * info or worse. The event loop and the worker threads (rxvlan, grace,
 * hostage...) all log, and status reads it from the loop: one mutex, held
 * only to copy an entry in or the ring out (never across formatting, I/O or
 * JSON building), so a writer never waits longer than one ring copy.
 */
#define RECENT 64
struct recent_entry {
	char time[24];
	char msg[200];
};
static struct recent_entry recent[RECENT];
static unsigned int recent_next;
static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;

static void remember(const char *msg)
{
	struct recent_entry e;
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(e.time, sizeof(e.time), "%H:%M:%S", &tm);
	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	pthread_mutex_lock(&recent_lock);
	recent[recent_next % RECENT] = e;
	recent_next++;
	pthread_mutex_unlock(&recent_lock);
}

struct json_object *xglb_log_recent(void)
{
	static __thread struct recent_entry copy[RECENT];
	struct json_object *a = json_object_new_array();
	unsigned int next, first;

	pthread_mutex_lock(&recent_lock);
	memcpy(copy, recent, sizeof(copy));
	next = recent_next;
	pthread_mutex_unlock(&recent_lock);
	first = next > RECENT ? next - RECENT : 0;
	for (unsigned int i = first; i < next; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "time", json_object_new_string(copy[i % RECENT].time));
		json_object_object_add(e, "message", json_object_new_string(copy[i % RECENT].msg));
		json_object_array_add(a, e);
	}
	return a;
}

/* Lines held by xglb_log_hold (on the one thread that holds), written out as one. */
static __thread int hold_depth;
static char held[1 << 16];
static size_t held_len;

static void held_write(void)
{
	if (held_len)
		fwrite(held, 1, held_len, stderr); /* stderr is unbuffered: one write */
	held_len = 0;
}

void xglb_log_hold(void)
{
	hold_depth++;
}

void xglb_log_release(void)
{
	if (hold_depth && !--hold_depth)
		held_write();
}

static void vlog(enum xglb_log_level level, const char *fmt, va_list ap)
{
	char buf[1024], line[1100];
	size_t n;
	int len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (level <= XGLB_LOG_INFO && level >= XGLB_LOG_ERR)
		remember(buf);
	if (level > log_max)
		return;
	if (log_journal)
		len = snprintf(line, sizeof(line), "<%d>%s\n", level, buf);
	else
		len =
		    snprintf(line, sizeof(line), "%s: %s: %s\n", log_prog, level_name(level), buf);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line)) { /* cut: still one line */
		len = sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	if (!hold_depth) {
		fwrite(line, 1, (size_t)len, stderr);
		return;
	}
	if (held_len + (size_t)len > sizeof(held))
		held_write();
	memcpy(held + held_len, line, (size_t)len);
	held_len += (size_t)len;
}

void xglb_log(enum xglb_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_max && level > XGLB_LOG_INFO)
		return; /* neither printed nor remembered: not even formatted */
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	vlog(l == LIBBPF_WARN ? XGLB_LOG_INFO : XGLB_LOG_DEBUG, fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level l, const char *fmt, va_list ap)
{
	vlog(l == LIBXDP_WARN ? XGLB_LOG_INFO : XGLB_LOG_DEBUG, fmt, ap);
	return 0;
}

void xglb_log_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

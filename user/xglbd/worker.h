/* SPDX-License-Identifier: GPL-2.0 */
/*
 * worker.h - what the daemon's background threads (host counting, host
 * ageing, grace periods, receive VLAN offload) share: a start with every
 * signal blocked (signals stay with the event loop's signalfd), and for
 * those woken through an eventfd, its making and the stop.
 */
#ifndef XGLB_WORKER_H
#define XGLB_WORKER_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "log.h"

/* FN(ARG) on a new thread that takes no signal; 0 or a positive error number. */
static inline int xglb_worker_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	struct sched_param sp = {0};
	sigset_t all, old;
	pthread_attr_t attr;
	int err;

	/* SCHED_OTHER whatever the event loop runs at (realtime-priority) */
	err = pthread_attr_init(&attr);
	if (err)
		return err;
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(thread, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return err;
}

/*
 * A worker woken through an eventfd: *WAKE_FD made (non-blocking,
 * close-on-exec), then FN(ARG) started as above; 0, or -errno with
 * *WAKE_FD closed and -1 (the caller then does the work itself).
 */
static inline int xglb_worker_start_woken(pthread_t *thread, int *wake_fd, void *(*fn)(void *),
					  void *arg)
{
	int err;

	*wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*wake_fd < 0)
		return -errno;
	err = xglb_worker_start(thread, fn, arg);
	if (err) {
		close(*wake_fd);
		*wake_fd = -1;
		return -err;
	}
	return 0;
}

/*
 * Wake a woken worker whose stop flag the caller has set, wait for it to
 * end, and close *WAKE_FD (-1 after). A failed wake is logged as
 * "stopping WHAT: ..."; the join still waits.
 */
static inline void xglb_worker_stop(pthread_t thread, int *wake_fd, const char *what)
{
	if (eventfd_write(*wake_fd, 1))
		pr_warn("stopping %s: %s", what, strerror(errno));
	pthread_join(thread, NULL);
	close(*wake_fd);
	*wake_fd = -1;
}

#endif

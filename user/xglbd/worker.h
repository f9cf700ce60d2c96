/* SPDX-License-Identifier: GPL-2.0 */
/*
 * worker.h - what the daemon's background threads (host counting, host
 * ageing, grace periods) share: a start with every signal blocked (signals
 * stay with the event loop's signalfd).
 */
#ifndef XGLB_WORKER_H
#define XGLB_WORKER_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <sys/eventfd.h>

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

#endif

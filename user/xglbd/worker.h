/* SPDX-License-Identifier: GPL-2.0 */
/*
 * worker.h - what the daemon's background threads (host counting, host
 * ageing) share: a dup of the map they read and an eventfd that ends their
 * wait, and a start with every signal blocked (signals stay with the event
 * loop's signalfd).
 */
#ifndef XGLB_WORKER_H
#define XGLB_WORKER_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/eventfd.h>

/* *FD = a dup of MAP_FD, *WAKE_FD = a new eventfd: 0, or -errno with both -1. */
static inline int xglb_worker_fds(int map_fd, int *fd, int *wake_fd)
{
	int err;

	*wake_fd = -1;
	*fd = fcntl(map_fd, F_DUPFD_CLOEXEC, 0);
	if (*fd < 0)
		return -errno;
	*wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*wake_fd >= 0)
		return 0;
	err = -errno;
	close(*fd);
	*fd = -1;
	return err;
}

/* FN(ARG) on a new thread that takes no signal; 0 or a positive error number. */
static inline int xglb_worker_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

#endif

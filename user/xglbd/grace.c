// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* grace.c - the grace period after a table switch, paid off the event loop (grace.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include "grace.h"
#include "log.h"
#include "worker.h"

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void *run(void *arg)
{
	struct xglb_grace *g = arg;

	for (;;) {
		eventfd_t n;
		__u64 flips, t0, ns;

		poll(&(struct pollfd){.fd = g->wake_fd, .events = POLLIN}, 1, -1);
		eventfd_read(g->wake_fd, &n);
		if (__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE))
			break;
		/* The flips this grace period covers: those before it starts. */
		flips = __atomic_load_n(&g->bank->flips, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&g->bank->grace_done, __ATOMIC_ACQUIRE) == flips + 1)
			continue; /* paid already */
		t0 = mono_ns();
		if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0)) {
			__atomic_fetch_add(&g->errors, 1, __ATOMIC_RELAXED);
			continue; /* xglb_bank_quiesce pays it on the loop, and logs why */
		}
		ns = mono_ns() - t0;
		__atomic_store_n(&g->bank->grace_done, flips + 1, __ATOMIC_RELEASE);
		__atomic_fetch_add(&g->runs, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&g->total_ns, ns, __ATOMIC_RELAXED);
		if (ns > __atomic_load_n(&g->max_ns, __ATOMIC_RELAXED))
			__atomic_store_n(&g->max_ns, ns, __ATOMIC_RELAXED);
	}
	return NULL;
}

int xglb_grace_start(struct xglb_grace *g, struct xglb_bank *bank)
{
	int err;

	memset(g, 0, sizeof(*g));
	g->bank = bank;
	err = xglb_worker_start_woken(&g->thread, &g->wake_fd, run, g);
	if (err)
		return err;
	g->running = true;
	return 0;
}

void xglb_grace_ask(struct xglb_grace *g)
{
	__u64 flips = g->bank ? g->bank->flips : 0;

	if (!g->running || !g->bank->need_sync || g->asked == flips + 1)
		return;
	if (eventfd_write(g->wake_fd, 1) == 0)
		g->asked = flips + 1;
}

void xglb_grace_stop(struct xglb_grace *g)
{
	if (!g->running)
		return;
	__atomic_store_n(&g->stop, true, __ATOMIC_RELEASE);
	xglb_worker_stop(g->thread, &g->wake_fd, "the grace period thread");
	g->running = false;
}

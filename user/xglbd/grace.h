/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * grace.h - the RCU grace period a table switch owes (bank.c: the bank a
 * flip made inactive is rewritten only after it), paid by a thread of its
 * own right after each flip: membarrier(MEMBARRIER_CMD_GLOBAL) takes
 * 10-30 ms on a loaded machine, longer than a hello interval, so the event
 * loop that sends hellos never waits in it. A commit that comes before the
 * thread is done waits as it always did (xglb_bank_quiesce); so does every
 * commit when the thread could not start.
 */
#ifndef XGLB_GRACE_H
#define XGLB_GRACE_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>
#include "bank.h"

struct xglb_grace {
	struct xglb_bank *bank;
	pthread_t thread;
	int wake_fd;	/* eventfd: a flip to cover, or stop */
	bool running;	/* the thread was started */
	bool stop;	/* atomic */
	__u64 asked;	/* bank->flips when the event loop last asked (event loop only) */
	__u64 runs;	/* grace periods paid (atomic) */
	__u64 errors;	/* membarrier refused (atomic): the commit pays it, and logs */
	__u64 max_ns;	/* the longest (atomic) */
	__u64 total_ns; /* their sum (atomic) */
};

/* Start the thread for BANK: 0 or -errno (then xglb_bank_quiesce keeps paying on the loop). */
int xglb_grace_start(struct xglb_grace *g, struct xglb_bank *bank);
/* A grace period is owed (the bank flipped since the last one): have the thread pay it.
 * Never waits; asks once per flip. */
void xglb_grace_ask(struct xglb_grace *g);
/* Stop the thread and wait for it (at most one grace period). */
void xglb_grace_stop(struct xglb_grace *g);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bank.h - atomic table switch: write the inactive bank, then flip one index. */
#ifndef XGLB_BANK_H
#define XGLB_BANK_H

#include <stdbool.h>
#include <linux/types.h>
#include "xglb.h"

struct xglb_bank {
	int groups_fd; /* xglb_groups */
	int vips_fd; /* xglb_vips */
	struct xglb_ctl *ctl; /* xglb_ctl, mmapped */
	bool need_sync; /* a flip happened since the inactive bank was last quiesced */
};

/* Map fds from a loaded object; mmaps xglb_ctl. Returns 0 or -errno. */
int xglb_bank_open(struct xglb_bank *b, int ctl_fd, int groups_fd, int vips_fd);
void xglb_bank_close(struct xglb_bank *b);

/*
 * Step 1 (prepare): write groups[0..n) into the inactive bank. Every
 * group slot not in the list is written disabled; VIPs of the inactive
 * bank that are not in the list are deleted. Before writing, waits for
 * one RCU grace period if the inactive bank was active until the last
 * flip, so no packet still reads it. Returns 0 or -errno; on error the
 * active bank is untouched.
 */
int xglb_bank_prepare(struct xglb_bank *b, const struct xglb_group *groups, int n);

/*
 * Wait for the RCU grace period the next prepare would need (8-25 ms
 * here), now: call it when idle, so a prepare on the failover path does
 * not pay it. No-op if no flip happened since the last one.
 */
void xglb_bank_quiesce(struct xglb_bank *b);

/* Step 2 (flip): make the prepared bank active. One aligned store. */
void xglb_bank_flip(struct xglb_bank *b);

/* prepare + flip. */
int xglb_bank_commit(struct xglb_bank *b, const struct xglb_group *groups, int n);

/* The bank packets read now. */
__u32 xglb_bank_active(const struct xglb_bank *b);

/* Heartbeat and lease, written with single aligned stores. */
void xglb_bank_heartbeat(struct xglb_bank *b, __u64 now_ns, __u64 lease_ns);

#endif

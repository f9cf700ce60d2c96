/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hosttab.h - the agent's one way into the host table xglb_hosts: look a
 * host up, insert, change its forwarder, delete, walk. xglb_hosts is a
 * set-associative table in an mmapable BPF array (include/xglb.h, struct
 * xglb_host_way); these functions read and write it in place through the
 * mapping, with the data path's tag protocol (compare-and-swap on each
 * way's tag word), so no write of the agent's ever overwrites a host the
 * data path records at the same time. docs/datapath.md, "Host table".
 */
#ifndef XGLB_HOSTTAB_H
#define XGLB_HOSTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "xglb.h"

struct xglb_hosttab {
	struct xglb_host_way *ways; /* the table: n_ways ways, buckets of XGLB_HOST_WAYS */
	__u32 n_ways;		    /* a multiple of XGLB_HOST_WAYS */
	size_t map_len; /* > 0: ways is a mapping of this length (closed by unmapping) */
};

/* The key as the tag word holds it (pad byte 0); and back. */
__u64 xglb_host_key_word(const struct xglb_host_key *k);
void xglb_host_key_from_tag(__u64 tag, struct xglb_host_key *k);

/*
 * Map xglb_hosts (map_fd: an array of struct xglb_host_way, BPF_F_MMAPABLE,
 * a multiple of XGLB_HOST_WAYS entries) read-only or read-write. 0 or
 * -errno (-EPROTO: a map of another layout, an older xglb's).
 */
int xglb_hosttab_open(struct xglb_hosttab *t, int map_fd, bool writable);
/* A table over memory the caller owns (n_ways a multiple of XGLB_HOST_WAYS): tests, tools. */
int xglb_hosttab_init(struct xglb_hosttab *t, struct xglb_host_way *ways, __u32 n_ways);
void xglb_hosttab_close(struct xglb_hosttab *t);

/* Ways in the table: the most hosts it can hold. */
static inline __u64 xglb_hosttab_capacity(const struct xglb_hosttab *t)
{
	return t->n_ways;
}

/* Host k's entry into *h: 0, -ENOENT (not there) or -EBUSY (being recorded right now). */
int xglb_hosttab_lookup(const struct xglb_hosttab *t, const struct xglb_host_key *k,
			struct xglb_host *h);

/* Record host k as *h: 0, -EEXIST (already there), -ENOSPC (its bucket is full). */
int xglb_hosttab_insert(const struct xglb_hosttab *t, const struct xglb_host_key *k,
			const struct xglb_host *h);

/* Hand host k forwarder fwd, in place: 0 or -ENOENT. */
int xglb_hosttab_set_fwd(const struct xglb_hosttab *t, const struct xglb_host_key *k, __u8 fwd);

/*
 * Remove host k: 0 or -ENOENT. With seen (not NULL), only if its entry is
 * still *seen (what the caller judged): -EAGAIN if it changed meanwhile.
 */
int xglb_hosttab_delete(const struct xglb_hosttab *t, const struct xglb_host_key *k,
			const struct xglb_host *seen);

/*
 * Up to n hosts from way *cursor on (0 to start) into keys/vals; *cursor
 * moves past the ways read. Returns how many; the walk is over when
 * *cursor >= n_ways. Ways being written (BUSY) are passed over.
 */
__u32 xglb_hosttab_walk(const struct xglb_hosttab *t, __u64 *cursor, struct xglb_host_key *keys,
			struct xglb_host *vals, __u32 n);

/*
 * Ways left BUSY by a writer that died between its claim and its publish
 * (an agent or tool killed mid-insert; the data path always finishes):
 * call once a pass with the same `stale` array (room pairs of words: way,
 * tag; *n_stale pairs used, 0 at the first call). A way BUSY with the same tag as at the previous
 * call is freed. Returns the ways freed.
 */
__u32 xglb_hosttab_reap(const struct xglb_hosttab *t, __u64 *stale, __u32 room, __u32 *n_stale);

#endif

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hosttab.c - the agent's access to the host table (see hosttab.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "hosttab.h"

#define KEY_MASK (~XGLB_HOST_TAG_STATE)

__u64 xglb_host_key_word(const struct xglb_host_key *k)
{
	struct xglb_host_key c = *k;
	__u64 w;

	c.pad = 0;
	memcpy(&w, &c, sizeof(w)); /* as the data path loads it: one native word */
	return w;
}

void xglb_host_key_from_tag(__u64 tag, struct xglb_host_key *k)
{
	tag &= KEY_MASK;
	memcpy(k, &tag, sizeof(*k));
}

int xglb_hosttab_init(struct xglb_hosttab *t, struct xglb_host_way *ways, __u32 n_ways)
{
	memset(t, 0, sizeof(*t));
	if (!ways || !n_ways || n_ways % XGLB_HOST_WAYS)
		return -EINVAL;
	t->ways = ways;
	t->n_ways = n_ways;
	return 0;
}

int xglb_hosttab_open(struct xglb_hosttab *t, int map_fd, bool writable)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *p;

	memset(t, 0, sizeof(*t));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != sizeof(struct xglb_host_way) || !(info.map_flags & BPF_F_MMAPABLE) ||
	    !info.max_entries || info.max_entries % XGLB_HOST_WAYS)
		return -EPROTO;
	t->map_len = (size_t)info.max_entries * sizeof(struct xglb_host_way);
	p = mmap(NULL, t->map_len, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED) {
		t->map_len = 0;
		return -errno;
	}
	t->ways = p;
	t->n_ways = info.max_entries;
	return 0;
}

void xglb_hosttab_close(struct xglb_hosttab *t)
{
	if (t->map_len && t->ways)
		munmap(t->ways, t->map_len);
	memset(t, 0, sizeof(*t));
}

/* The first way of key's bucket. */
static struct xglb_host_way *bucket(const struct xglb_hosttab *t, __u64 key)
{
	return &t->ways[(size_t)xglb_host_bucket(key, t->n_ways / XGLB_HOST_WAYS) * XGLB_HOST_WAYS];
}

/* The way of key (LIVE or BUSY) and its tag, or NULL. */
static struct xglb_host_way *find(const struct xglb_hosttab *t, __u64 key, __u64 *tag)
{
	struct xglb_host_way *b = bucket(t, key);

	for (int i = 0; i < XGLB_HOST_WAYS; i++) {
		__u64 v = __atomic_load_n(&b[i].tag, __ATOMIC_ACQUIRE);

		if (v && (v & KEY_MASK) == key) {
			*tag = v;
			return &b[i];
		}
	}
	return NULL;
}

/* A consistent copy of w's entry while its tag stays `tag`: false if it changed. */
static bool copy_entry(struct xglb_host_way *w, __u64 tag, struct xglb_host *h)
{
	for (int tries = 0; tries < 4; tries++) {
		memcpy(h, (const void *)&w->host, sizeof(*h));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&w->tag, __ATOMIC_RELAXED) != tag)
			return false;
		/* the data path writes fields in place; a torn copy differs from a second one */
		struct xglb_host again;

		memcpy(&again, (const void *)&w->host, sizeof(again));
		if (!memcmp(&again, h, sizeof(again)))
			return true;
	}
	return true; /* still being touched: the latest copy is as good as any */
}

int xglb_hosttab_lookup(const struct xglb_hosttab *t, const struct xglb_host_key *k,
			struct xglb_host *h)
{
	__u64 key = xglb_host_key_word(k), tag;
	struct xglb_host_way *w = find(t, key, &tag);

	if (!w)
		return -ENOENT;
	if (tag & XGLB_HOST_TAG_BUSY)
		return -EBUSY;
	return copy_entry(w, tag, h) ? 0 : -ENOENT;
}

int xglb_hosttab_insert(const struct xglb_hosttab *t, const struct xglb_host_key *k,
			const struct xglb_host *h)
{
	__u64 key = xglb_host_key_word(k), tag;
	struct xglb_host_way *b = bucket(t, key);

	if (!key)
		return -EINVAL;
	if (find(t, key, &tag))
		return -EEXIST;
	for (int i = 0; i < XGLB_HOST_WAYS; i++) {
		__u64 old = 0;

		if (__atomic_compare_exchange_n(&b[i].tag, &old, key | XGLB_HOST_TAG_BUSY, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			memcpy(&b[i].host, h, sizeof(*h));
			__atomic_store_n(&b[i].tag, key | XGLB_HOST_TAG_LIVE, __ATOMIC_RELEASE);
			return 0;
		}
		if ((old & KEY_MASK) == key)
			return -EEXIST; /* the data path recorded it meanwhile */
	}
	return -ENOSPC;
}

int xglb_hosttab_set_fwd(const struct xglb_hosttab *t, const struct xglb_host_key *k, __u8 fwd)
{
	__u64 key = xglb_host_key_word(k), tag;
	struct xglb_host_way *w = find(t, key, &tag);

	if (!w || !(tag & XGLB_HOST_TAG_LIVE))
		return -ENOENT;
	__atomic_store_n(&w->host.fwd, fwd, __ATOMIC_RELEASE);
	return 0;
}

int xglb_hosttab_delete(const struct xglb_hosttab *t, const struct xglb_host_key *k,
			const struct xglb_host *seen)
{
	__u64 key = xglb_host_key_word(k), tag;
	struct xglb_host_way *w = find(t, key, &tag);
	struct xglb_host now;

	if (!w || !(tag & XGLB_HOST_TAG_LIVE))
		return -ENOENT;
	if (seen && (!copy_entry(w, tag, &now) || memcmp(&now, seen, sizeof(now))))
		return -EAGAIN;
	return __atomic_compare_exchange_n(&w->tag, &tag, 0, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE)
		   ? 0
		   : -EAGAIN;
}

__u32 xglb_hosttab_walk(const struct xglb_hosttab *t, __u64 *cursor, struct xglb_host_key *keys,
			struct xglb_host *vals, __u32 n)
{
	__u32 got = 0;

	while (got < n && *cursor < t->n_ways) {
		struct xglb_host_way *w = &t->ways[(*cursor)++];
		__u64 tag = __atomic_load_n(&w->tag, __ATOMIC_ACQUIRE);

		if (!(tag & XGLB_HOST_TAG_LIVE) || !copy_entry(w, tag, &vals[got]))
			continue;
		xglb_host_key_from_tag(tag, &keys[got++]);
	}
	return got;
}

__u32 xglb_hosttab_reap(const struct xglb_hosttab *t, __u64 *stale, __u32 room, __u32 *n_stale)
{
	__u32 freed = 0, n = 0;

	/* the ones BUSY at the last call: still so, the same claim, now a pass later */
	for (__u32 i = 0; i < *n_stale; i++) {
		__u64 way = stale[2 * i], tag = stale[2 * i + 1];

		if (way < t->n_ways &&
		    __atomic_compare_exchange_n(&t->ways[way].tag, &tag, 0, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			freed++;
	}
	for (__u64 w = 0; w < t->n_ways && n < room; w++) {
		__u64 tag = __atomic_load_n(&t->ways[w].tag, __ATOMIC_ACQUIRE);

		if (tag & XGLB_HOST_TAG_BUSY) {
			stale[2 * n] = w;
			stale[2 * n + 1] = tag;
			n++;
		}
	}
	*n_stale = n;
	return freed;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* skelcache.h - the xglb skeleton loaded once per process; its maps as after load for each test. */
#ifndef XGLB_TEST_SKELCACHE_H
#define XGLB_TEST_SKELCACHE_H

/*
 * Loading xglb.bpf.o runs the verifier over every program, which is most
 * of what a BPF test case costs. So a test program loads the skeleton once
 * per distinct load-time configuration (the rodata xglb_tc_pass h_open_pass
 * takes) and, each time a test takes it (h_skel_get), puts every map back
 * into the state it had right after that load, as a snapshot taken then:
 *
 *   array, per-CPU array (every CPU's value), and the global data sections
 *   (.bss, .data): every entry rewritten from the snapshot (an mmap-able
 *   array through its mapping, only the pages that changed);
 *   hash, LRU hash, per-CPU hash, LPM trie, devmap (hash): every key
 *   deleted, then the entries present after load (if any) put back;
 *   ring buffer: every record left in it consumed;
 *   read-only sections (.rodata, .kconfig: frozen): not written, checked.
 *
 * The maps are enumerated with bpf_object__for_each_map, so a map added to
 * bpf/lib/maps.h is reset without anyone listing it; a map type not above
 * (or a devmap or program array holding entries after load, whose values
 * user space cannot write back as it reads them) fails the load, so the
 * test's setup fails loudly instead of a test inheriting the last one's
 * state. The kernel objects are the same from test to test (map and program
 * ids, an LRU map's internal lists); their contents are not.
 *
 * Two tests' environments can be open at once (an agent restart: a second
 * data plane next to the first); the second then gets a skeleton of its own,
 * kept for the next time. Environment:
 *   XGLB_TEST_FRESH_SKEL=1   load a new skeleton for every test, as before
 *                            the cache (to compare results with);
 *   XGLB_TEST_CHECK_RESET=1  after every reset, read every map back and fail
 *                            the setup where one differs from its snapshot.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../unit/testlib.h"
#include "xglb.skel.h"

/* One map's state right after load. */
struct h_snap {
	struct bpf_map *map;
	const char *name;
	int fd;
	enum bpf_map_type type;
	__u32 key_size;
	__u32 value_size; /* as the syscalls copy it: per-CPU maps, round_up(8) x possible CPUs */
	__u32 max_entries;
	__u32 n;      /* entries saved: an array's max_entries; a hash's entries present */
	void *keys;   /* n keys (hash-like maps) */
	void *values; /* n values */
	bool frozen;  /* read-only from user space: checked, not written */
	void *mem;    /* an mmap-able array mapped (values: a copy of it), or NULL */
	size_t mem_len;
	struct ring_buffer *rb;			 /* a ring buffer's consumer, to drain it */
	int rb_records;				 /* records it consumed */
	const volatile unsigned long *rb_pos[2]; /* its consumer and producer positions (mmap) */
};

/* A loaded skeleton, its load-time configuration and its maps' snapshots. */
struct h_skel {
	struct xglb *skel;
	int tc_pass; /* rodata xglb_tc_pass */
	bool in_use; /* taken by an open h_env */
	int n_maps;
	struct h_snap *maps;
};

#define H_SKELS 4 /* skeletons kept: configurations x environments open at once */

static struct h_skel h_skels[H_SKELS];
static __u32 *h_seq_keys; /* 0, 1, 2, ...: the keys of every array, for batch updates */
static __u32 h_seq_n;

static inline bool h_env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static inline const char *h_map_type_name(enum bpf_map_type t)
{
	const char *s = libbpf_bpf_map_type_str(t);

	return s ? s : "(unknown)";
}

static inline bool h_map_is_array(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static inline bool h_map_is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Maps reset by deleting every key (then putting back the entries present after load). */
static inline bool h_map_is_keyed(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_PROG_ARRAY:
		return true;
	default:
		return false;
	}
}

/* Keyed maps whose values read back (ids) are not what an update takes (fds). */
static inline bool h_map_values_are_refs(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_DEVMAP || t == BPF_MAP_TYPE_DEVMAP_HASH ||
	       t == BPF_MAP_TYPE_PROG_ARRAY;
}

static inline int h_seq_keys_at_least(__u32 n)
{
	__u32 *k;

	if (n <= h_seq_n)
		return 0;
	k = realloc(h_seq_keys, (size_t)n * sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (__u32 i = h_seq_n; i < n; i++)
		k[i] = i;
	h_seq_keys = k;
	h_seq_n = n;
	return 0;
}

/* Every value of an array map, in key order, into values (max_entries x value_size). */
static inline int h_array_read(const struct h_snap *m, void *values)
{
	__u32 *keys = malloc((size_t)m->max_entries * sizeof(*keys)), out = 0, done = 0;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (done < m->max_entries) {
		__u32 count = m->max_entries - done;

		err = bpf_map_lookup_batch(m->fd, done ? &out : NULL, &out, keys + done,
					   (char *)values + (size_t)done * m->value_size, &count,
					   NULL);
		done += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
	}
	for (__u32 i = 0; !err && i < done; i++)
		if (keys[i] != i)
			err = -EIO;
	if (!err && done != m->max_entries)
		err = -EIO;
	free(keys);
	return err;
}

/* Every key of a keyed map: *keys (malloc'ed, *n of them); 0 or -errno. */
static inline int h_keys_read(const struct h_snap *m, void **keys, __u32 *n)
{
	size_t cap = 64;
	char *k = malloc(cap * m->key_size);

	*keys = NULL;
	*n = 0;
	if (!k)
		return -ENOMEM;
	while (bpf_map_get_next_key(m->fd, *n ? k + (size_t)(*n - 1) * m->key_size : NULL,
				    k + (size_t)*n * m->key_size) == 0) {
		if (++*n == cap) {
			char *b = realloc(k, 2 * cap * m->key_size);

			if (!b) {
				free(k);
				return -ENOMEM;
			}
			k = b;
			cap *= 2;
		}
	}
	if (errno != ENOENT) {
		free(k);
		return -errno;
	}
	*keys = k;
	return 0;
}

/* The keyed entries present: *keys, *values (n of each, malloc'ed); 0 or -errno. */
static inline int h_entries_read(const struct h_snap *m, void **keys, void **values, __u32 *n)
{
	char *k, *v;
	__u32 got = 0;
	int err = h_keys_read(m, keys, n);

	*values = NULL;
	if (err)
		return err;
	k = *keys;
	v = malloc(((size_t)*n + 1) * m->value_size);
	if (!v) {
		free(k);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < *n; i++) {
		const char *key = k + (size_t)i * m->key_size;

		if (bpf_map_lookup_elem(m->fd, key, v + (size_t)got * m->value_size) == 0) {
			memmove(k + (size_t)got * m->key_size, key, m->key_size);
			got++;
		} else if (errno != ENOENT) { /* an array devmap's empty slot: ENOENT */
			err = -errno;
			free(k);
			free(v);
			return err;
		}
	}
	*n = got;
	*values = v;
	return 0;
}

static inline int h_rb_count(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	++*(int *)ctx;
	return 0;
}

/* Consume every record waiting in a ring buffer: how many there were, or -errno. */
static inline int h_rb_drain(struct h_snap *m)
{
	int err;

	m->rb_records = 0;
	err = ring_buffer__consume(m->rb);
	return err < 0 ? err : m->rb_records;
}

/* Bytes written to a ring buffer and not consumed yet (records, headers), read without consuming.
 */
static inline unsigned long h_rb_pending(const struct h_snap *m)
{
	return __atomic_load_n(m->rb_pos[1], __ATOMIC_ACQUIRE) -
	       __atomic_load_n(m->rb_pos[0], __ATOMIC_ACQUIRE);
}

static inline void h_snap_free(struct h_snap *m)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int i = 0; i < 2; i++)
		if (m->rb_pos[i])
			munmap((void *)m->rb_pos[i], (size_t)page);
	if (m->mem)
		munmap(m->mem, m->mem_len);
	ring_buffer__free(m->rb);
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

/* Map m's state now, as its snapshot; 0 or -errno (an unhandled type: -EOPNOTSUPP). */
static inline int h_snap_take(struct h_snap *m, struct bpf_map *map, int ncpu)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->map = map;
	m->name = bpf_map__name(map);
	m->fd = bpf_map__fd(map);
	m->type = bpf_map__type(map);
	m->key_size = bpf_map__key_size(map);
	m->value_size = bpf_map__value_size(map);
	m->max_entries = bpf_map__max_entries(map);
	m->frozen = bpf_map__is_internal(map) && (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG);
	if (h_map_is_percpu(m->type))
		m->value_size = ((m->value_size + 7) & ~7u) * (__u32)ncpu;
	if (m->type == BPF_MAP_TYPE_ARRAY && (bpf_map__map_flags(map) & BPF_F_MMAPABLE) &&
	    !m->frozen) {
		/* the values as the kernel lays them out (8-byte stride), read and written in place
		 */
		long page = sysconf(_SC_PAGESIZE);

		m->n = m->max_entries;
		m->mem_len = ((size_t)((m->value_size + 7) & ~7u) * m->n + (size_t)page - 1) &
			     ~((size_t)page - 1);
		m->mem = mmap(NULL, m->mem_len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
		if (m->mem == MAP_FAILED) {
			m->mem = NULL;
			return -errno;
		}
		m->values = malloc(m->mem_len);
		if (!m->values)
			return -ENOMEM;
		memcpy(m->values, m->mem, m->mem_len);
		return h_seq_keys_at_least(m->n);
	}
	if (h_map_is_array(m->type)) {
		m->n = m->max_entries;
		m->values = malloc((size_t)m->n * m->value_size);
		if (!m->values)
			return -ENOMEM;
		err = h_seq_keys_at_least(m->n);
		return err ? err : h_array_read(m, m->values);
	}
	if (h_map_is_keyed(m->type)) {
		err = h_entries_read(m, &m->keys, &m->values, &m->n);
		if (!err && m->n && h_map_values_are_refs(m->type)) {
			print_error(
			    "map %s (%s) holds %u entries right after load: their values "
			    "(ids) cannot be written back; tests/bpf/skelcache.h must learn "
			    "this\n",
			    m->name, h_map_type_name(m->type), m->n);
			return -EOPNOTSUPP;
		}
		return err;
	}
	if (m->type == BPF_MAP_TYPE_RINGBUF) {
		long page = sysconf(_SC_PAGESIZE);

		m->rb = ring_buffer__new(m->fd, h_rb_count, &m->rb_records, NULL);
		if (!m->rb)
			return -errno;
		for (int i = 0; i < 2; i++) {
			void *p =
			    mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, m->fd, (off_t)i * page);

			if (p == MAP_FAILED)
				return -errno;
			m->rb_pos[i] = p;
		}
		err = h_rb_drain(m);
		if (err > 0) {
			print_error("ring buffer %s holds %d records right after load\n", m->name,
				    err);
			return -EOPNOTSUPP;
		}
		return err;
	}
	print_error("map %s: type %s is not reset between tests; tests/bpf/skelcache.h must learn "
		    "it\n",
		    m->name, h_map_type_name(m->type));
	return -EOPNOTSUPP;
}

/* Map m back to its snapshot; 0 or -errno. */
static inline int h_snap_restore(struct h_snap *m)
{
	if (m->frozen)
		return 0;
	if (m->mem) { /* page by page, writing only what changed */
		for (size_t o = 0; o < m->mem_len; o += 4096) {
			size_t l = m->mem_len - o < 4096 ? m->mem_len - o : 4096;

			if (memcmp((char *)m->mem + o, (char *)m->values + o, l))
				memcpy((char *)m->mem + o, (char *)m->values + o, l);
		}
		return 0;
	}
	if (h_map_is_array(m->type)) {
		__u32 count = m->n;

		if (bpf_map_update_batch(m->fd, h_seq_keys, m->values, &count, NULL))
			return -errno;
		return count == m->n ? 0 : -EIO;
	}
	if (h_map_is_keyed(m->type)) {
		void *keys = NULL;
		__u32 n = 0;
		int err = h_keys_read(m, &keys, &n);

		if (err)
			return err;
		for (__u32 i = 0; i < n; i++)
			if (bpf_map_delete_elem(m->fd, (char *)keys + (size_t)i * m->key_size) &&
			    errno != ENOENT) {
				err = -errno;
				break;
			}
		free(keys);
		for (__u32 i = 0; !err && i < m->n; i++)
			if (bpf_map_update_elem(m->fd, (char *)m->keys + (size_t)i * m->key_size,
						(char *)m->values + (size_t)i * m->value_size,
						BPF_ANY))
				err = -errno;
		return err;
	}
	if (m->type == BPF_MAP_TYPE_RINGBUF) {
		int n = h_rb_drain(m);

		return n < 0 ? n : 0;
	}
	return -EOPNOTSUPP;
}

/*
 * Map m's state against its snapshot: 0 if equal, 1 (said why, if say) if
 * not, or -errno. A ring buffer differs while it holds a record not consumed.
 */
static inline int h_snap_differs(struct h_snap *m, bool say)
{
	if (m->mem) {
		int r = memcmp(m->mem, m->values, m->mem_len) != 0;

		if (r && say)
			print_error("map %s differs from after load\n", m->name);
		return r;
	}
	if (h_map_is_array(m->type)) {
		char *v = malloc((size_t)m->n * m->value_size);
		int err = v ? h_array_read(m, v) : -ENOMEM;

		for (__u32 i = 0; !err && i < m->n; i++)
			if (memcmp(v + (size_t)i * m->value_size,
				   (char *)m->values + (size_t)i * m->value_size, m->value_size)) {
				if (say)
					print_error("map %s: entry %u differs from after load\n",
						    m->name, i);
				err = 1;
			}
		free(v);
		return err;
	}
	if (h_map_is_keyed(m->type)) {
		void *keys = NULL, *values = NULL;
		__u32 n = 0;
		int err = h_entries_read(m, &keys, &values, &n);

		if (err)
			return err;
		if (n != m->n) {
			if (say)
				print_error("map %s: %u entries, %u after load\n", m->name, n,
					    m->n);
			err = 1;
		}
		for (__u32 i = 0; !err && i < n; i++) {
			__u32 j = 0;

			while (j < m->n &&
			       memcmp((char *)m->keys + (size_t)j * m->key_size,
				      (char *)keys + (size_t)i * m->key_size, m->key_size))
				j++;
			if (j == m->n ||
			    memcmp((char *)m->values + (size_t)j * m->value_size,
				   (char *)values + (size_t)i * m->value_size, m->value_size)) {
				if (say)
					print_error("map %s: entry %u differs from after load\n",
						    m->name, i);
				err = 1;
			}
		}
		free(keys);
		free(values);
		return err;
	}
	if (m->type == BPF_MAP_TYPE_RINGBUF) {
		unsigned long n = h_rb_pending(m);

		if (n && say)
			print_error("ring buffer %s: %lu bytes not consumed, none after load\n",
				    m->name, n);
		return n != 0;
	}
	return -EOPNOTSUPP;
}

/* How many of s's maps differ from their after-load snapshots (each one said), or -1. */
static inline int h_skel_differs(struct h_skel *s)
{
	int bad = 0;

	for (int i = 0; i < s->n_maps; i++) {
		int r = h_snap_differs(&s->maps[i], true);

		if (r < 0) {
			print_error("map %s: reading it back: %s\n", s->maps[i].name, strerror(-r));
			return -1;
		}
		bad += r;
	}
	return bad;
}

/*
 * For the harness's own test: every writable array entry filled with 0xa5
 * bytes, one entry added to every keyed map (a devmap's naming lo); 0 or
 * -errno. A ring buffer can only be written by a program: the caller runs one.
 */
static inline int h_skel_dirty(struct h_skel *s)
{
	for (int i = 0; i < s->n_maps; i++) {
		struct h_snap *m = &s->maps[i];
		size_t vlen =
		    h_map_is_array(m->type) ? (size_t)m->n * m->value_size : m->value_size;
		char *v = malloc(vlen), *k = malloc(m->key_size ? m->key_size : 1);
		int err = 0;

		if (!v || !k) {
			free(v);
			free(k);
			return -ENOMEM;
		}
		memset(v, 0xa5, vlen);
		memset(k, 0x01, m->key_size);
		if (m->frozen || m->type == BPF_MAP_TYPE_RINGBUF) {
			/* nothing user space may write */
		} else if (h_map_is_array(m->type)) {
			__u32 count = m->n;

			if (bpf_map_update_batch(m->fd, h_seq_keys, v, &count, NULL))
				err = -errno;
		} else if (h_map_is_keyed(m->type)) {
			if (h_map_values_are_refs(m->type)) {
				if (m->type == BPF_MAP_TYPE_PROG_ARRAY)
					err = -EOPNOTSUPP; /* none in xglb: add when there is */
				memset(v, 0, vlen);
				*(__u32 *)v = 1; /* lo */
			}
			if (m->type == BPF_MAP_TYPE_DEVMAP)
				*(__u32 *)k = 0; /* an index below max_entries */
			if (m->type == BPF_MAP_TYPE_LPM_TRIE)
				*(__u32 *)k = (m->key_size - 4) * 8; /* a full-length prefix */
			if (!err && bpf_map_update_elem(m->fd, k, v, BPF_ANY))
				err = -errno;
		} else {
			err = -EOPNOTSUPP;
		}
		free(v);
		free(k);
		if (err) {
			print_error("map %s: dirtying it: %s\n", m->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

static inline void h_skel_free(struct h_skel *s)
{
	for (int i = 0; i < s->n_maps; i++)
		h_snap_free(&s->maps[i]);
	free(s->maps);
	xglb__destroy(s->skel);
	memset(s, 0, sizeof(*s));
}

static inline void h_skels_free(void)
{
	for (int i = 0; i < H_SKELS; i++)
		if (h_skels[i].skel)
			h_skel_free(&h_skels[i]);
	free(h_seq_keys);
	h_seq_keys = NULL;
	h_seq_n = 0;
}

/* Open and load the skeleton into s with xglb_tc_pass = tc_pass, snapshot every map; 0 or -1. */
static inline int h_skel_load(struct h_skel *s, int tc_pass)
{
	struct bpf_map *map;
	int ncpu = libbpf_num_possible_cpus(), n = 0;

	memset(s, 0, sizeof(*s));
	if (ncpu <= 0)
		return -1;
	s->skel = xglb__open();
	if (!s->skel) {
		print_error("xglb__open: %s\n", strerror(errno));
		return -1;
	}
	s->tc_pass = tc_pass;
	s->skel->rodata->xglb_tc_pass = tc_pass; /* as the loader sets it (tcx: -1) */
	if (xglb__load(s->skel)) {
		print_error("xglb__load: %s\n", strerror(errno));
		h_skel_free(s);
		return -1;
	}
	bpf_object__for_each_map(map, s->skel->obj) n++;
	s->maps = calloc((size_t)n, sizeof(*s->maps));
	if (!s->maps) {
		h_skel_free(s);
		return -1;
	}
	bpf_object__for_each_map(map, s->skel->obj)
	{
		int err = h_snap_take(&s->maps[s->n_maps], map, ncpu);

		s->n_maps++;
		if (err) {
			print_error("map %s: snapshot after load: %s\n", bpf_map__name(map),
				    strerror(-err));
			h_skel_free(s);
			return -1;
		}
	}
	return 0;
}

/* Every map of s back to its after-load state (checked if XGLB_TEST_CHECK_RESET); 0 or -1. */
static inline int h_skel_reset(struct h_skel *s)
{
	for (int i = 0; i < s->n_maps; i++) {
		int err = h_snap_restore(&s->maps[i]);

		if (err) {
			print_error("map %s (%s): reset to after load: %s\n", s->maps[i].name,
				    h_map_type_name(s->maps[i].type), strerror(-err));
			return -1;
		}
	}
	if (h_env_flag("XGLB_TEST_CHECK_RESET") && h_skel_differs(s) != 0) {
		print_error("XGLB_TEST_CHECK_RESET: the reset left maps unlike after load\n");
		return -1;
	}
	return 0;
}

/* The cache entry of a skeleton h_skel_get gave, or NULL. */
static inline struct h_skel *h_skel_of(const struct xglb *skel)
{
	for (int i = 0; skel && i < H_SKELS; i++)
		if (h_skels[i].skel == skel)
			return &h_skels[i];
	return NULL;
}

/*
 * A skeleton loaded with xglb_tc_pass = tc_pass whose maps are all as
 * right after load, for one environment until h_skel_put; NULL (said why)
 * on failure.
 */
static inline struct h_skel *h_skel_get(int tc_pass)
{
	static bool at_exit;
	struct h_skel *s = NULL;

	if (!at_exit) {
		atexit(h_skels_free);
		at_exit = true;
	}
	for (int i = 0; !s && i < H_SKELS; i++)
		if (h_skels[i].skel && !h_skels[i].in_use && h_skels[i].tc_pass == tc_pass)
			s = &h_skels[i];
	if (s && h_skel_reset(s))
		return NULL;
	for (int i = 0; !s && i < H_SKELS; i++)
		if (!h_skels[i].skel) {
			if (h_skel_load(&h_skels[i], tc_pass))
				return NULL;
			s = &h_skels[i];
		}
	if (!s) {
		print_error("h_skel_get: %d skeletons in use at once (H_SKELS)\n", H_SKELS);
		return NULL;
	}
	s->in_use = true;
	return s;
}

/* Give back a skeleton of h_skel_get (XGLB_TEST_FRESH_SKEL: destroy it). */
static inline void h_skel_put(struct xglb *skel)
{
	struct h_skel *s = h_skel_of(skel);

	if (!s)
		return;
	s->in_use = false;
	if (h_env_flag("XGLB_TEST_FRESH_SKEL"))
		h_skel_free(s);
}

#endif

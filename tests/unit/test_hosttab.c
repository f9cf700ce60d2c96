// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_hosttab.c - unit tests of the agent's host-table helper (hosttab.c)
 * on a table in memory: the key word, insert / lookup / set_fwd / delete,
 * a full bucket refusing, delete only while the entry is as judged, the
 * walk in table order, ways being written (BUSY) passed over and a claim
 * left by a writer that died freed on the second look.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "hosttab.h"

#define WAYS 64 /* 8 buckets */

static struct xglb_host_way mem[WAYS];
static struct xglb_hosttab t;

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	return xglb_hosttab_init(&t, mem, WAYS);
}

static struct xglb_host_key key(__u8 gid, __u32 n)
{
	struct xglb_host_key k = {.gid = gid,
				  .mac = {0x52, 0x54, 0, (__u8)(n >> 16), (__u8)(n >> 8), (__u8)n}};
	return k;
}

static struct xglb_host val(__u8 fwd, __u64 last)
{
	struct xglb_host h = {
	    .fwd = fwd, .flags = XGLB_HOST_ESTABLISHED, .ip = 0x0a00000a, .last_jiffies = last};
	return h;
}

/* The way index of k's bucket's first way. */
static __u32 bucket_of(const struct xglb_host_key *k)
{
	return xglb_host_bucket(xglb_host_key_word(k), WAYS / XGLB_HOST_WAYS) * XGLB_HOST_WAYS;
}

/* The n-th key (from 1 on) of group gid whose bucket is b. */
static struct xglb_host_key key_in(__u8 gid, __u32 b, int n)
{
	for (__u32 i = 1;; i++) {
		struct xglb_host_key k = key(gid, i);

		if (bucket_of(&k) == b && !--n)
			return k;
	}
}

static void key_word_is_the_data_paths(void **state)
{
	struct xglb_host_key k = key(9, 0x123456), back;

	(void)state;
	/* gid in the low byte, the pad byte (state) 0, the MAC in bytes 2-7 (little-endian loads)
	 */
	assert_int_equal(xglb_host_key_word(&k), 9ull | 0x5452ull << 16 | 0x56341200ull << 32);
	k.pad = 0xff; /* a pad byte that is not 0 never reaches the tag */
	assert_int_equal(xglb_host_key_word(&k) & XGLB_HOST_TAG_STATE, 0);
	xglb_host_key_from_tag(xglb_host_key_word(&k) | XGLB_HOST_TAG_LIVE, &back);
	k.pad = 0;
	assert_memory_equal(&back, &k, sizeof(k));
	assert_int_equal(sizeof(((struct xglb_host_way *)0)->id), 8);
}

static void insert_lookup_set_delete(void **state)
{
	struct xglb_host_key k = key(1, 1), other = key(2, 1);
	struct xglb_host h = val(3, 100), got;
	struct xglb_host_way *w;

	(void)state;
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &got), -ENOENT);
	assert_int_equal(xglb_hosttab_insert(&t, &k, &h), 0);
	assert_int_equal(xglb_hosttab_insert(&t, &k, &h), -EEXIST);
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &got), 0);
	assert_memory_equal(&got, &h, sizeof(h));
	/* the way: first of its bucket, tag LIVE, the entry as given */
	w = &mem[bucket_of(&k)];
	assert_int_equal(w->tag, xglb_host_key_word(&k) | XGLB_HOST_TAG_LIVE);
	assert_int_equal(w->id.gid, 1);
	assert_int_equal(w->id.state, 1);
	assert_memory_equal(w->id.mac, k.mac, 6);
	/* the same MAC in another group is another host */
	assert_int_equal(xglb_hosttab_lookup(&t, &other, &got), -ENOENT);
	assert_int_equal(xglb_hosttab_set_fwd(&t, &other, 1), -ENOENT);
	assert_int_equal(xglb_hosttab_set_fwd(&t, &k, 5), 0);
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &got), 0);
	assert_int_equal(got.fwd, 5);
	assert_int_equal(got.last_jiffies, 100);
	assert_int_equal(xglb_hosttab_delete(&t, &other, NULL), -ENOENT);
	assert_int_equal(xglb_hosttab_delete(&t, &k, NULL), 0);
	assert_int_equal(w->tag, 0);
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &got), -ENOENT);
	assert_int_equal(xglb_hosttab_delete(&t, &k, NULL), -ENOENT);
	/* a key no group has (gid 0, the empty tag) is refused */
	other = key(0, 0);
	memset(other.mac, 0, 6);
	assert_int_equal(xglb_hosttab_insert(&t, &other, &h), -EINVAL);
}

static void full_bucket_refuses_and_keeps(void **state)
{
	struct xglb_host_key k0 = key(1, 1), k;
	__u32 b = bucket_of(&k0);
	struct xglb_host got, h;

	(void)state;
	for (int i = 1; i <= XGLB_HOST_WAYS; i++) {
		k = key_in(1, b, i);
		h = val((__u8)i, (__u64)i);
		assert_int_equal(xglb_hosttab_insert(&t, &k, &h), 0);
	}
	k = key_in(1, b, XGLB_HOST_WAYS + 1);
	h = val(9, 9);
	assert_int_equal(xglb_hosttab_insert(&t, &k, &h), -ENOSPC);
	for (int i = 1; i <= XGLB_HOST_WAYS; i++) {
		k = key_in(1, b, i);
		assert_int_equal(xglb_hosttab_lookup(&t, &k, &got), 0);
		assert_int_equal(got.fwd, i);
	}
	/* another bucket has room */
	for (__u32 i = 1;; i++) {
		k = key(1, i);
		if (bucket_of(&k) != b)
			break;
	}
	assert_int_equal(xglb_hosttab_insert(&t, &k, &h), 0);
	/* one leaves: its way is the next one's */
	k = key_in(1, b, 3);
	assert_int_equal(xglb_hosttab_delete(&t, &k, NULL), 0);
	k = key_in(1, b, XGLB_HOST_WAYS + 1);
	assert_int_equal(xglb_hosttab_insert(&t, &k, &h), 0);
	assert_int_equal(mem[b + 2].tag, xglb_host_key_word(&k) | XGLB_HOST_TAG_LIVE);
}

static void delete_only_as_judged(void **state)
{
	struct xglb_host_key k = key(1, 7);
	struct xglb_host h = val(1, 50), judged;

	(void)state;
	assert_int_equal(xglb_hosttab_insert(&t, &k, &h), 0);
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &judged), 0);
	/* the host asks again (the data path refreshes it) after the agent judged it */
	mem[bucket_of(&k)].host.last_jiffies = 80;
	assert_int_equal(xglb_hosttab_delete(&t, &k, &judged), -EAGAIN);
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &judged), 0);
	assert_int_equal(xglb_hosttab_delete(&t, &k, &judged), 0);
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &judged), -ENOENT);
}

static void walk_in_order_skipping_busy(void **state)
{
	struct xglb_host_key keys[WAYS], k;
	struct xglb_host vals[WAYS], h;
	__u64 cursor = 0, seen = 0;
	__u32 n, total = 0;

	(void)state;
	for (__u32 i = 0; i < 20; i++) {
		k = key(3, i + 1);
		h = val((__u8)(i % 16), i);
		assert_int_equal(xglb_hosttab_insert(&t, &k, &h), 0);
	}
	/* a way being written by the data path: not a host yet */
	k = key(3, 1);
	mem[bucket_of(&k)].tag =
	    (mem[bucket_of(&k)].tag & ~XGLB_HOST_TAG_STATE) | XGLB_HOST_TAG_BUSY;
	assert_int_equal(xglb_hosttab_lookup(&t, &k, &h), -EBUSY);
	assert_int_equal(xglb_hosttab_delete(&t, &k, NULL), -ENOENT);
	/* in steps of 7: every host once, none of the BUSY way */
	do {
		n = xglb_hosttab_walk(&t, &cursor, keys, vals, 7);
		assert_true(n <= 7);
		for (__u32 i = 0; i < n; i++) {
			__u32 id = keys[i].mac[5];

			assert_int_equal(keys[i].gid, 3);
			assert_true(id >= 2 && id <= 20);
			assert_false(seen & (1ull << id));
			seen |= 1ull << id;
			assert_int_equal(vals[i].last_jiffies, id - 1);
		}
		total += n;
	} while (cursor < WAYS);
	assert_int_equal(total, 19);
	assert_int_equal(xglb_hosttab_walk(&t, &cursor, keys, vals, 7), 0);
}

static void reap_frees_an_abandoned_claim(void **state)
{
	__u64 stale[2 * 4];
	__u32 n_stale = 0;
	struct xglb_host_key k = key(4, 1), k2 = key(4, 2);
	struct xglb_host h = val(1, 1);

	(void)state;
	mem[5].tag = xglb_host_key_word(&k) | XGLB_HOST_TAG_BUSY;
	assert_int_equal(xglb_hosttab_insert(&t, &k2, &h), 0);
	assert_int_equal(xglb_hosttab_reap(&t, stale, 4, &n_stale), 0);
	assert_int_equal(n_stale, 1);
	assert_int_equal(mem[5].tag, xglb_host_key_word(&k) | XGLB_HOST_TAG_BUSY);
	/* published meanwhile: the claim was alive, nothing is freed */
	mem[5].tag = xglb_host_key_word(&k) | XGLB_HOST_TAG_LIVE;
	assert_int_equal(xglb_hosttab_reap(&t, stale, 4, &n_stale), 0);
	assert_int_equal(n_stale, 0);
	/* abandoned: BUSY at two looks in a row, the same claim */
	mem[9].tag = xglb_host_key_word(&k2) | XGLB_HOST_TAG_BUSY;
	assert_int_equal(xglb_hosttab_reap(&t, stale, 4, &n_stale), 0);
	assert_int_equal(xglb_hosttab_reap(&t, stale, 4, &n_stale), 1);
	assert_int_equal(mem[9].tag, 0);
	assert_int_equal(mem[5].tag, xglb_host_key_word(&k) | XGLB_HOST_TAG_LIVE);
	assert_int_equal(xglb_hosttab_lookup(&t, &k2, &h), 0);
}

static void init_refuses_partial_buckets(void **state)
{
	struct xglb_hosttab x;

	(void)state;
	assert_int_equal(xglb_hosttab_init(&x, mem, WAYS - 1), -EINVAL);
	assert_int_equal(xglb_hosttab_init(&x, NULL, WAYS), -EINVAL);
	assert_int_equal(xglb_hosttab_init(&x, mem, XGLB_HOST_WAYS), 0);
	assert_int_equal(xglb_hosttab_capacity(&x), XGLB_HOST_WAYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(key_word_is_the_data_paths, setup),
	    cmocka_unit_test_setup(insert_lookup_set_delete, setup),
	    cmocka_unit_test_setup(full_bucket_refuses_and_keeps, setup),
	    cmocka_unit_test_setup(delete_only_as_judged, setup),
	    cmocka_unit_test_setup(walk_in_order_skipping_busy, setup),
	    cmocka_unit_test_setup(reap_frees_an_abandoned_claim, setup),
	    cmocka_unit_test_setup(init_refuses_partial_buckets, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

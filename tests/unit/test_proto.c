// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_proto.c - membership codec: layout, round trips, every rejection, anti-replay. */
#include "testlib.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "proto.h"
#include "sample_hello.h"

#define BUF_LEN 1024	       /* bytes: more than any message */
#define MIN_LEN (32 + 20 + 32) /* header + hello + hmac: below is SHORT */
/* The lowest flag bit proto.h does not define (XGLB_MSGF_ALL is the low bits). */
#define UNKNOWN_FLAG (XGLB_MSGF_ALL + 1)
_Static_assert((XGLB_MSGF_ALL & UNKNOWN_FLAG) == 0, "XGLB_MSGF_ALL must be contiguous low bits");

/* Section offsets of msg_base()'s encoding: state, 3 forwarders, 2 loads. */
#define OFF_HELLO    32
#define OFF_STATE    52
#define OFF_FWD(i)   (68 + 16 * (i))
#define OFF_LOAD_HDR 116
#define OFF_LOAD(i)  (120 + 16 * (i))
#define OFF_HMAC     152
#define BASE_LEN     184

/* clang-format off */
static const __u8 key32[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
/* clang-format on */

/* A hello with neither state nor load. */
static void msg_hello(struct xglb_msg *m)
{
	static const __u8 mac[6] = {0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc};

	sample_hello(m, 42, 3, 7, 1000, 110, mac);
}

/* A hello with state (forwarders 0, 5, 9) and two loads: BASE_LEN bytes. */
static void msg_base(struct xglb_msg *m)
{
	static const __u8 idx[3] = {0, 5, 9};
	static const __u8 pers[3] = {0, 1, 3};
	int i;

	msg_hello(m);
	sample_state(m, 12, 3, 4, 3);
	for (i = 0; i < 3; i++) {
		m->fwd[i].index = idx[i];
		m->fwd[i].persistence = pers[i];
		m->fwd[i].weight = (__u8)(10 * (i + 1));
		m->fwd[i].flags = XGLB_MSG_FWD_ACTIVE | (i ? XGLB_MSG_FWD_NEW_OK : 0);
		m->fwd[i].owner = (__u32)(3 + i);
		m->fwd[i].preferred = (__u32)(5 - i);
		m->fwd[i].takeover_ms = (__u32)(1000 * i);
	}
	m->n_load = 2;
	m->load[0].index = 0;
	m->load[0].bytes = 123456789;
	m->load[1].index = 9;
	m->load[1].bytes = 1;
}

/* The largest message: every forwarder and every load, extreme values. */
static void msg_full(struct xglb_msg *m)
{
	int i;

	msg_hello(m);
	m->flags = XGLB_MSGF_ALL;
	m->gid = 255;
	m->node_id = 0xffffffff;
	m->boot = 0xffffffff;
	m->seq = UINT64_MAX;
	m->priority = 255;
	m->weight = 0xffff;
	memset(m->mac, 0xff, 6);
	m->hello_ms = 0xfffffffe;
	m->hold_ms = 0xffffffff;
	m->state_version = 0xffffffff;
	m->state_avg = 0xffffffff;
	m->state_standby = 0xffffffff;
	m->n_fwd = XGLB_MAX_FWD;
	for (i = 0; i < XGLB_MAX_FWD; i++) {
		m->fwd[i].index = (__u8)i;
		m->fwd[i].persistence = (__u8)(i % 3 == 2 ? 3 : i % 3);
		m->fwd[i].weight = (__u8)(255 - i);
		m->fwd[i].flags = (__u8)(i & XGLB_MSG_FWD_ALL);
		m->fwd[i].owner = 0x01010101u * (__u32)i;
		m->fwd[i].preferred = 0xffffffffu - (__u32)i;
		m->fwd[i].takeover_ms = 0x80000000u | (__u32)i;
		m->load[i].index = (__u8)(15 - i);
		m->load[i].bytes = UINT64_MAX - (__u64)i;
	}
	m->n_load = XGLB_MAX_FWD;
	m->steer_mask = 0xffffffff;
	m->n_seg = XGLB_PROTO_SEGMENTS;
	for (i = 0; i < XGLB_PROTO_SEGMENTS; i++)
		memset(m->seg_mac[i], 0xf0 | i, 6);
	m->admin_op = XGLB_ADMIN_MOVE;
	m->admin_index = XGLB_MAX_FWD - 1;
	m->admin_persistence = 3;
	m->admin_target = 0xffffffff;
}

/* Recompute the HMAC at the end of buf/len, independently of proto.c. */
static void rehmac(__u8 *buf, size_t len, const __u8 *key, size_t keylen)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, buf, len - XGLB_HMAC_LEN);
	crypto_auth_hmacsha256_final(&st, buf + len - XGLB_HMAC_LEN);
}

static int encode(const struct xglb_msg *m, __u8 *buf)
{
	int len = xglb_msg_encode(m, key32, sizeof(key32), buf, BUF_LEN);

	assert_true(len > 0);
	return len;
}

/* Decode from an exactly sized heap copy, so ASan sees any read past len. */
static int decode(const __u8 *buf, size_t len, const __u8 *key, size_t keylen, struct xglb_msg *m)
{
	__u8 *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	ret = xglb_msg_decode(copy, len, key, keylen, m);
	free(copy);
	return ret;
}

/* Write v big-endian into size bytes at p. */
static void put_be(__u8 *p, int size, __u64 v)
{
	int i;

	for (i = size - 1; i >= 0; i--, v >>= 8)
		p[i] = (__u8)v;
}

static void assert_roundtrip(const struct xglb_msg *m, const __u8 *key, size_t keylen, int want_len)
{
	__u8 buf[BUF_LEN], again[BUF_LEN];
	struct xglb_msg out;
	int len;

	len = xglb_msg_encode(m, key, keylen, buf, sizeof(buf));
	assert_int_equal(len, want_len);
	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(decode(buf, (size_t)len, key, keylen, &out), XGLB_RX_OK);
	assert_memory_equal(&out, m, sizeof(*m));
	assert_int_equal(xglb_msg_encode(&out, key, keylen, again, sizeof(again)), len);
	assert_memory_equal(again, buf, (size_t)len);
}

/* ---- encoding ---------------------------------------------------------- */

static void layout_bytes(void **state)
{
	/* clang-format off */
	static const __u8 want_body[104] = {
		'X', 'G', 'L', 'B', 2, 1, 0x00, 0x03, /* magic, version, HELLO, STATE|AVG */
		7, 0, 0, 0, /* gid, pad */
		0x01, 0x02, 0x03, 0x04, /* node_id */
		0x0a, 0x0b, 0x0c, 0x0d, /* boot */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* seq */
		0x0e, 0x0f, 0x10, 0x11, /* echo */
		100, 0, 0x02, 0x03, /* priority, pad, weight */
		0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 0, 0, /* mac, pad */
		0x00, 0x00, 0x03, 0xe8, /* hello_ms 1000 */
		0x00, 0x00, 0x0b, 0xb8, /* hold_ms 3000 */
		0x00, 0x00, 0x00, 0x09, /* state version */
		0x01, 0x02, 0x03, 0x04, /* avg */
		0x05, 0x06, 0x07, 0x08, /* standby */
		1, 0, 0, 0, /* n_fwd, pad */
		3, 3, 50, 0x03, /* index, persistence, weight, ACTIVE|NEW_OK */
		0x01, 0x02, 0x03, 0x04, /* owner */
		0x05, 0x06, 0x07, 0x08, /* preferred */
		0x00, 0x00, 0xfa, 0x00, /* takeover_ms 64000 */
		1, 0, 0, 0, /* n_load, pad */
		3, 0, 0, 0, 0, 0, 0, 0, /* index, pad */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* bytes */
	};
	/* clang-format on */
	__u8 want[136], buf[BUF_LEN];
	struct xglb_msg m;

	memset(&m, 0, sizeof(m));
	m = (struct xglb_msg){
	    .type = XGLB_MSG_HELLO,
	    .flags = XGLB_MSGF_STATE | XGLB_MSGF_AVG,
	    .gid = 7,
	    .node_id = 0x01020304,
	    .boot = 0x0a0b0c0d,
	    .seq = 0x1122334455667788ull,
	    .echo = 0x0e0f1011,
	    .priority = 100,
	    .weight = 0x0203,
	    .mac = {0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc},
	    .hello_ms = 1000,
	    .hold_ms = 3000,
	    .state_version = 9,
	    .state_avg = 0x01020304,
	    .state_standby = 0x05060708,
	    .n_fwd = 1,
	    .fwd[0] = {.index = 3,
		       .persistence = 3,
		       .weight = 50,
		       .flags = XGLB_MSG_FWD_ACTIVE | XGLB_MSG_FWD_NEW_OK,
		       .owner = 0x01020304,
		       .preferred = 0x05060708,
		       .takeover_ms = 64000},
	    .n_load = 1,
	    .load[0] = {.index = 3, .bytes = 0x0102030405060708ull},
	};

	memcpy(want, want_body, sizeof(want_body));
	/* The one-shot API takes a 32-byte key: an independent HMAC. */
	crypto_auth_hmacsha256(want + sizeof(want_body), want_body, sizeof(want_body), key32);

	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[sizeof(want)], 0xee); /* nothing written past the message */
}

static void roundtrip_hello(void **state)
{
	struct xglb_msg m;

	msg_hello(&m);
	assert_roundtrip(&m, key32, sizeof(key32), 32 + 20 + 4 + 32);
	m.flags = XGLB_MSGF_DEMOTED | XGLB_MSGF_STANDBY;
	m.priority = 0;
	m.weight = 0;
	m.boot = 0;
	m.seq = 1;
	m.hello_ms = 1;
	m.hold_ms = 2;
	assert_roundtrip(&m, key32, sizeof(key32), 88);
}

/* A stopping node's hello: the leaving flag is bit 7 of the flags word (bytes 6-7). */
static void roundtrip_leaving(void **state)
{
	struct xglb_msg m, r;
	__u8 buf[XGLB_MSG_MAX];
	int len;

	msg_hello(&m);
	m.flags = XGLB_MSGF_LEAVING | XGLB_MSGF_AVG;
	m.priority = 0;
	m.weight = 0;
	assert_roundtrip(&m, key32, sizeof(key32), 32 + 20 + 4 + 32);
	len = xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf));
	assert_int_equal(len, 32 + 20 + 4 + 32);
	assert_int_equal(buf[6], 0x00);
	assert_int_equal(buf[7], 0x82);
	assert_int_equal(xglb_msg_decode(buf, len, key32, sizeof(key32), &r), XGLB_RX_OK);
	assert_int_equal(r.flags & XGLB_MSGF_LEAVING, XGLB_MSGF_LEAVING);
	assert_int_equal(r.priority, 0);
	assert_int_equal(r.weight, 0);
}

static void roundtrip_load_without_state(void **state)
{
	struct xglb_msg m;

	msg_hello(&m);
	m.n_load = 3;
	m.load[0] = (struct xglb_msg_load){.index = 15, .bytes = 1};
	m.load[1] = (struct xglb_msg_load){.index = 0, .bytes = UINT64_MAX};
	m.load[2] = (struct xglb_msg_load){.index = 7, .bytes = 0};
	assert_roundtrip(&m, key32, sizeof(key32), 88 + 3 * 16);
}

static void roundtrip_state(void **state)
{
	struct xglb_msg m;

	msg_base(&m);
	assert_roundtrip(&m, key32, sizeof(key32), BASE_LEN);
	m.n_fwd = 0; /* a state with no forwarder is still a state */
	m.n_load = 0;
	memset(m.fwd, 0, sizeof(m.fwd)); /* entries past the counts do not travel */
	memset(m.load, 0, sizeof(m.load));
	assert_roundtrip(&m, key32, sizeof(key32), 88 + 16);
}

static void roundtrip_full(void **state)
{
	struct xglb_msg m;

	msg_full(&m);
	/* 32 + 20 + 16 + 16 * 16 + 4 + 16 * 16 + 32 */
	assert_roundtrip(&m, key32, sizeof(key32), XGLB_MSG_MAX);
}

static void roundtrip_key_lengths(void **state)
{
	__u8 key[200];
	size_t lens[] = {0, 1, 31, 32, 33, 64, 65, 200};
	struct xglb_msg m;
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (__u8)(i * 7 + 1);
	msg_base(&m);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		assert_roundtrip(&m, key, lens[i], BASE_LEN);
	assert_roundtrip(&m, NULL, 0, BASE_LEN);
}

/* Entries past n_fwd / n_load are not part of the message. */
static void encode_ignores_unused_entries(void **state)
{
	__u8 a[BUF_LEN], b[BUF_LEN];
	struct xglb_msg m;
	int len;

	msg_base(&m);
	len = encode(&m, a);
	m.fwd[3].persistence = 7;
	m.fwd[15].index = 200;
	m.load[2].index = 99;
	assert_int_equal(encode(&m, b), len);
	assert_memory_equal(a, b, (size_t)len);
}

struct bad_struct {
	const char *name;
	size_t off; /* offsetof the field in struct xglb_msg */
	int size;   /* its size */
	__u64 value;
	bool no_state; /* start from msg_hello() instead of msg_base() */
};

#define F(field) offsetof(struct xglb_msg, field), (int)sizeof(((struct xglb_msg *)0)->field)

static void set_field(struct xglb_msg *m, size_t off, int size, __u64 v)
{
	__u8 *p = (__u8 *)m + off;
	__u8 v8 = (__u8)v;
	__u16 v16 = (__u16)v;
	__u32 v32 = (__u32)v;

	switch (size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
	}
}

static void encode_rejects_invalid(void **state)
{
	static const struct bad_struct bad[] = {
	    {"type 0", F(type), 0, false},
	    {"type 2", F(type), 2, false},
	    {"lowest unknown flag", F(flags), XGLB_MSGF_STATE | UNKNOWN_FLAG, false},
	    {"unknown flag 0x8000", F(flags), XGLB_MSGF_STATE | 0x8000, false},
	    {"gid 0", F(gid), 0, false},
	    {"node_id 0", F(node_id), 0, false},
	    {"seq 0", F(seq), 0, false},
	    {"hello_ms 0", F(hello_ms), 0, false},
	    {"hold_ms = hello_ms", F(hold_ms), 100, false},
	    {"hold_ms < hello_ms", F(hold_ms), 99, false},
	    {"state_version 0", F(state_version), 0, false},
	    {"state_avg 0", F(state_avg), 0, false},
	    {"n_fwd 17", F(n_fwd), 17, false},
	    {"n_fwd 255", F(n_fwd), 255, false},
	    {"fwd index 16", F(fwd[0].index), 16, false},
	    {"fwd index repeated", F(fwd[1].index), 0, false},
	    {"fwd index decreasing", F(fwd[2].index), 4, false},
	    {"fwd index 255", F(fwd[2].index), 255, false},
	    {"persistence 2", F(fwd[1].persistence), 2, false},
	    {"persistence 4", F(fwd[1].persistence), 4, false},
	    {"persistence 255", F(fwd[0].persistence), 255, false},
	    {"fwd weight 0", F(fwd[2].weight), 0, false},
	    {"fwd flag 0x04", F(fwd[0].flags), 0x04, false},
	    {"fwd flag 0x80", F(fwd[2].flags), 0x81, false},
	    {"n_load 17", F(n_load), 17, false},
	    {"load index 16", F(load[1].index), 16, false},
	    {"load index 255", F(load[0].index), 255, false},
	    {"state_version without STATE", F(state_version), 1, true},
	    {"state_avg without STATE", F(state_avg), 1, true},
	    {"state_standby without STATE", F(state_standby), 1, true},
	    {"n_fwd without STATE", F(n_fwd), 1, true},
	};
	__u8 buf[BUF_LEN], canary[BUF_LEN];
	struct xglb_msg m;
	size_t i;

	memset(canary, 0x5a, sizeof(canary));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i].no_state)
			msg_hello(&m);
		else
			msg_base(&m);
		set_field(&m, bad[i].off, bad[i].size, bad[i].value);
		memset(buf, 0x5a, sizeof(buf));
		if (xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf)) != -EINVAL)
			fail_msg("encode accepted: %s", bad[i].name);
		assert_memory_equal(buf, canary, sizeof(buf));
	}

	msg_base(&m);
	assert_int_equal(xglb_msg_encode(&m, NULL, 5, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(xglb_msg_encode(NULL, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
}

static void encode_needs_room(void **state)
{
	__u8 buf[BUF_LEN], canary[BUF_LEN];
	struct xglb_msg m;

	memset(canary, 0x5a, sizeof(canary));
	memset(buf, 0x5a, sizeof(buf));
	msg_base(&m);
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, BASE_LEN - 1), -ENOSPC);
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, 0), -ENOSPC);
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), NULL, 0), -ENOSPC);
	assert_memory_equal(buf, canary, sizeof(buf));
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, BASE_LEN), BASE_LEN);
}

/* ---- decoding: rejections -------------------------------------------- */

/* A field of msg_base()'s encoding and the values that make the decoder reject it. */
struct bad_wire {
	const char *name;
	int off;  /* byte offset in msg_base()'s encoding */
	int size; /* bytes, written big-endian */
	int want;
	int n; /* values, each tried alone */
	__u64 values[6];
};

#define VALUES(...)                                                                                \
	sizeof((__u64[]){__VA_ARGS__}) / sizeof(__u64),                                            \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

static void decode_rejects_corrupt_fields(void **state)
{
	static const struct bad_wire bad[] = {
	    {"magic", 0, 4, XGLB_RX_MAGIC, VALUES(0x58474c43)},
	    {"magic byte 0", 0, 1, XGLB_RX_MAGIC, VALUES('x')},
	    /* 1: a version without the echo */
	    {"version", 4, 1, XGLB_RX_VERSION, VALUES(0, 1, 3, 255)},
	    {"type", 5, 1, XGLB_RX_TYPE, VALUES(0, 2)},
	    /* the lowest unknown flag, 0x100, 0x8000 */
	    {"flags", 6, 2, XGLB_RX_FIELD, VALUES(0x0003 | UNKNOWN_FLAG, 0x0103, 0x8003)},
	    {"flags without STATE", 6, 2, XGLB_RX_LENGTH, VALUES(0x0002)},
	    {"gid", 8, 1, XGLB_RX_FIELD, VALUES(0)},
	    {"node_id", 12, 4, XGLB_RX_FIELD, VALUES(0)},
	    {"seq", 20, 8, XGLB_RX_FIELD, VALUES(0)},
	    {"hello_ms", OFF_HELLO + 12, 4, XGLB_RX_FIELD, VALUES(0, 0xffffffff)},
	    /* hold_ms = hello_ms, < hello_ms, 0 */
	    {"hold_ms", OFF_HELLO + 16, 4, XGLB_RX_FIELD, VALUES(100, 1, 0)},
	    {"state version", OFF_STATE, 4, XGLB_RX_FIELD, VALUES(0)},
	    {"state avg", OFF_STATE + 4, 4, XGLB_RX_FIELD, VALUES(0)},
	    {"n_fwd", OFF_STATE + 12, 1, XGLB_RX_LENGTH, VALUES(0, 2, 4, 16, 17, 255)},
	    {"fwd 0 index", OFF_FWD(0), 1, XGLB_RX_FIELD, VALUES(16)},
	    /* repeated, = the next one's */
	    {"fwd 1 index", OFF_FWD(1), 1, XGLB_RX_FIELD, VALUES(0, 9)},
	    /* decreasing, 255 */
	    {"fwd 2 index", OFF_FWD(2), 1, XGLB_RX_FIELD, VALUES(4, 255)},
	    {"fwd 0 persistence", OFF_FWD(0) + 1, 1, XGLB_RX_FIELD, VALUES(2)},
	    {"fwd 1 persistence", OFF_FWD(1) + 1, 1, XGLB_RX_FIELD, VALUES(4)},
	    {"fwd 2 persistence", OFF_FWD(2) + 1, 1, XGLB_RX_FIELD, VALUES(255)},
	    {"fwd 1 weight", OFF_FWD(1) + 2, 1, XGLB_RX_FIELD, VALUES(0)},
	    {"fwd 0 flags (0x04)", OFF_FWD(0) + 3, 1, XGLB_RX_FIELD, VALUES(0x05)},
	    {"fwd 2 flags (0x80)", OFF_FWD(2) + 3, 1, XGLB_RX_FIELD, VALUES(0x80)},
	    {"n_load", OFF_LOAD_HDR, 1, XGLB_RX_LENGTH, VALUES(0, 3, 17, 255)},
	    {"load 0 index", OFF_LOAD(0), 1, XGLB_RX_FIELD, VALUES(16)},
	    {"load 1 index", OFF_LOAD(1), 1, XGLB_RX_FIELD, VALUES(255)},
	};
	__u8 base[BUF_LEN], buf[BUF_LEN];
	struct xglb_msg m;
	size_t i;
	int ret, v;

	msg_base(&m);
	assert_int_equal(encode(&m, base), BASE_LEN);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (v = 0; v < bad[i].n; v++) {
			memcpy(buf, base, BASE_LEN);
			put_be(buf + bad[i].off, bad[i].size, bad[i].values[v]);
			assert_memory_not_equal(buf, base, BASE_LEN);
			rehmac(buf, BASE_LEN, key32, sizeof(key32));
			memset(&m, 0xaa, sizeof(m));
			ret = decode(buf, BASE_LEN, key32, sizeof(key32), &m);
			if (ret != bad[i].want)
				fail_msg("%s %#llx: got %s, want %s", bad[i].name,
					 (unsigned long long)bad[i].values[v],
					 xglb_rx_reason_name(ret),
					 xglb_rx_reason_name(bad[i].want));
			/* Nothing of a rejected message reaches the caller. */
			assert_true(sodium_is_zero((const unsigned char *)&m, sizeof(m)));
		}
	}
}

/* Every pad and reserved byte, set to any non-zero value, is FIELD. */
static void decode_rejects_nonzero_pads(void **state)
{
	/* clang-format off */
	static const int pads[] = {
		9, 10, 11, /* header */
		OFF_HELLO + 1, OFF_HELLO + 10, OFF_HELLO + 11, /* hello */
		OFF_STATE + 13, OFF_STATE + 14, OFF_STATE + 15, /* state */
		OFF_LOAD_HDR + 1, OFF_LOAD_HDR + 2, OFF_LOAD_HDR + 3, /* load header */
		OFF_LOAD(0) + 1, OFF_LOAD(0) + 2, OFF_LOAD(0) + 3, OFF_LOAD(0) + 4, /* load 0 */
		OFF_LOAD(0) + 5, OFF_LOAD(0) + 6, OFF_LOAD(0) + 7,
		OFF_LOAD(1) + 1, OFF_LOAD(1) + 7, /* load 1 */
	};
	/* clang-format on */
	static const __u8 values[] = {0x01, 0x80, 0xff};
	__u8 base[BUF_LEN], buf[BUF_LEN];
	struct xglb_msg m;
	size_t i, v;
	int ret;

	msg_base(&m);
	encode(&m, base);
	for (i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		assert_int_equal(base[pads[i]], 0);
		for (v = 0; v < sizeof(values); v++) {
			memcpy(buf, base, BASE_LEN);
			buf[pads[i]] = values[v];
			rehmac(buf, BASE_LEN, key32, sizeof(key32));
			ret = decode(buf, BASE_LEN, key32, sizeof(key32), &m);
			if (ret != XGLB_RX_FIELD)
				fail_msg("pad at %d = 0x%02x: got %s", pads[i], values[v],
					 xglb_rx_reason_name(ret));
		}
	}
}

/* Without STATE on the wire, a STATE bit makes the counts disagree with the length. */
static void decode_state_flag_on_stateless(void **state)
{
	__u8 buf[BUF_LEN];
	struct xglb_msg m;
	int len;

	msg_hello(&m);
	len = encode(&m, buf);
	buf[7] |= XGLB_MSGF_STATE;
	rehmac(buf, (size_t)len, key32, sizeof(key32));
	assert_int_equal(decode(buf, (size_t)len, key32, sizeof(key32), &m), XGLB_RX_LENGTH);
}

/*
 * A count above 16 with a length that matches it and a valid HMAC is still
 * LENGTH: counts are bounded before they size anything.
 */
static void decode_bounds_counts(void **state)
{
	__u8 full[BUF_LEN], buf[BUF_LEN];
	struct xglb_msg m;
	int len, at;

	msg_full(&m);
	len = encode(&m, full);
	at = OFF_STATE + 16 + 16 * 16; /* the load header */

	/* 17 forwarders: insert one more before the load section. */
	memcpy(buf, full, (size_t)at);
	memcpy(buf + at, full + at - 16, 16);
	buf[at] = 16; /* a valid index, strictly after 15 */
	memcpy(buf + at + 16, full + at, (size_t)(len - at));
	buf[OFF_STATE + 12] = 17;
	rehmac(buf, (size_t)len + 16, key32, sizeof(key32));
	assert_int_equal(decode(buf, (size_t)len + 16, key32, sizeof(key32), &m), XGLB_RX_LENGTH);

	/* 17 loads: append one more before the HMAC. */
	memcpy(buf, full, (size_t)len - XGLB_HMAC_LEN);
	memcpy(buf + len - XGLB_HMAC_LEN, full + len - XGLB_HMAC_LEN - 16, 16);
	buf[at] = 17;
	rehmac(buf, (size_t)len + 16, key32, sizeof(key32));
	assert_int_equal(decode(buf, (size_t)len + 16, key32, sizeof(key32), &m), XGLB_RX_LENGTH);
}

static void assert_truncations(const struct xglb_msg *m)
{
	__u8 buf[BUF_LEN];
	struct xglb_msg out;
	int len, n, ret;

	len = encode(m, buf);
	for (n = 0; n < len; n++) {
		ret = decode(buf, (size_t)n, key32, sizeof(key32), &out);
		if (ret != (n < MIN_LEN ? XGLB_RX_SHORT : XGLB_RX_LENGTH))
			fail_msg("truncated to %d of %d: got %s", n, len, xglb_rx_reason_name(ret));
	}
	assert_int_equal(xglb_msg_decode(NULL, 0, key32, sizeof(key32), &out), XGLB_RX_SHORT);
}

static void decode_rejects_truncation(void **state)
{
	struct xglb_msg m;

	msg_hello(&m);
	assert_truncations(&m);
	msg_base(&m);
	assert_truncations(&m);
	msg_full(&m);
	assert_truncations(&m);
}

static void decode_rejects_trailing_bytes(void **state)
{
	__u8 buf[BUF_LEN];
	struct xglb_msg m, out;
	int len, extra;

	msg_base(&m);
	for (extra = 1; extra <= 32; extra++) {
		len = encode(&m, buf);
		memset(buf + len, 0, (size_t)extra);
		assert_int_equal(decode(buf, (size_t)(len + extra), key32, sizeof(key32), &out),
				 XGLB_RX_LENGTH);
		/* Even with an HMAC over the longer datagram. */
		rehmac(buf, (size_t)(len + extra), key32, sizeof(key32));
		assert_int_equal(decode(buf, (size_t)(len + extra), key32, sizeof(key32), &out),
				 XGLB_RX_LENGTH);
	}
}

/* The reason a single bit flip at byte off must give, with the original HMAC. */
static int flip_reason(int off, int bit)
{
	if (off < 4)
		return XGLB_RX_MAGIC;
	if (off == 4)
		return XGLB_RX_VERSION;
	if (off == 5)
		return XGLB_RX_TYPE;
	if ((off == 7 && (bit == 0 || bit == 5 || bit == 6)) || off == OFF_STATE + 12 ||
	    off == OFF_LOAD_HDR)
		return XGLB_RX_LENGTH; /* STATE, ADMIN and STEER flags, n_fwd, n_load */
	return XGLB_RX_AUTH;	       /* including unknown flags and pads: AUTH comes first */
}

static void decode_rejects_bit_flips(void **state)
{
	__u8 base[BUF_LEN], buf[BUF_LEN];
	struct xglb_msg m;
	int off, bit, ret;

	msg_base(&m);
	encode(&m, base);
	for (off = 0; off < BASE_LEN; off++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, base, BASE_LEN);
			buf[off] ^= (__u8)(1u << bit);
			ret = decode(buf, BASE_LEN, key32, sizeof(key32), &m);
			if (ret != flip_reason(off, bit))
				fail_msg("bit %d of byte %d: got %s, want %s", bit, off,
					 xglb_rx_reason_name(ret),
					 xglb_rx_reason_name(flip_reason(off, bit)));
		}
	}
}

static void decode_rejects_wrong_key(void **state)
{
	__u8 buf[BUF_LEN], other[32], longkey[100], longkey2[100];
	struct xglb_msg m;
	int len;

	msg_base(&m);
	len = encode(&m, buf);
	memcpy(other, key32, sizeof(other));
	other[31] ^= 1;
	assert_int_equal(decode(buf, (size_t)len, other, sizeof(other), &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, key32, 31, &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, key32, 0, &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, NULL, 0, &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, NULL, 32, &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, key32, sizeof(key32), &m), XGLB_RX_OK);

	/* Keys longer than SHA-256's block are hashed first: all of one counts. */
	memset(longkey, 0x42, sizeof(longkey));
	memcpy(longkey2, longkey, sizeof(longkey));
	longkey2[99] = 0x43;
	len = xglb_msg_encode(&m, longkey, sizeof(longkey), buf, sizeof(buf));
	assert_int_equal(len, BASE_LEN);
	assert_int_equal(decode(buf, (size_t)len, longkey2, sizeof(longkey2), &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, longkey, 99, &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, (size_t)len, longkey, sizeof(longkey), &m), XGLB_RX_OK);
}

/*
 * One key made ready serves any number of messages: each one's HMAC is the
 * one-shot HMAC of its own bytes (libsodium's, computed here), whatever was
 * signed or checked with that key before it, for every key length. A key
 * wiped signs nothing and verifies nothing.
 */
static void keyed_reuse(void **state)
{
	__u8 key[100], a[BUF_LEN], b[BUF_LEN], want[XGLB_HMAC_LEN];
	size_t lens[] = {0, 1, 32, 64, 65, 100};
	struct xglb_msg ma, mb, out;
	struct xglb_msg_key k;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (__u8)(i * 13 + 5);
	msg_base(&ma);
	msg_full(&mb);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(xglb_msg_key_init(&k, key, lens[i]), 0);
		for (int round = 0; round < 3; round++) {
			int la = xglb_msg_encode_keyed(&ma, &k, a, sizeof(a));
			int lb = xglb_msg_encode_keyed(&mb, &k, b, sizeof(b));

			assert_int_equal(la, BASE_LEN);
			assert_int_equal(lb, XGLB_MSG_MAX);
			crypto_auth_hmacsha256_state st;

			crypto_auth_hmacsha256_init(&st, key, lens[i]);
			crypto_auth_hmacsha256_update(&st, a, (size_t)la - XGLB_HMAC_LEN);
			crypto_auth_hmacsha256_final(&st, want);
			assert_memory_equal(a + la - XGLB_HMAC_LEN, want, XGLB_HMAC_LEN);
			crypto_auth_hmacsha256_init(&st, key, lens[i]);
			crypto_auth_hmacsha256_update(&st, b, (size_t)lb - XGLB_HMAC_LEN);
			crypto_auth_hmacsha256_final(&st, want);
			assert_memory_equal(b + lb - XGLB_HMAC_LEN, want, XGLB_HMAC_LEN);
			assert_int_equal(xglb_msg_decode_keyed(b, (size_t)lb, &k, &out),
					 XGLB_RX_OK);
			assert_int_equal(xglb_msg_decode_keyed(a, (size_t)la, &k, &out),
					 XGLB_RX_OK);
			assert_int_equal(out.load[0].bytes, ma.load[0].bytes);
			/* the unkeyed call signs the same bytes */
			assert_int_equal(xglb_msg_decode(a, (size_t)la, key, lens[i], &out),
					 XGLB_RX_OK);
		}
		a[OFF_HMAC] ^= 1;
		assert_int_equal(xglb_msg_decode_keyed(a, BASE_LEN, &k, &out), XGLB_RX_AUTH);
		a[OFF_HMAC] ^= 1;
		assert_int_equal(xglb_msg_decode_keyed(a, BASE_LEN, &k, &out), XGLB_RX_OK);
		xglb_msg_key_clear(&k);
		assert_int_equal(xglb_msg_decode_keyed(a, BASE_LEN, &k, &out), XGLB_RX_AUTH);
		assert_int_equal(xglb_msg_encode_keyed(&ma, &k, a, sizeof(a)), -EINVAL);
	}
	assert_int_equal(xglb_msg_key_init(&k, NULL, 32), -EINVAL);
	assert_int_equal(xglb_msg_encode_keyed(&ma, &k, a, sizeof(a)), -EINVAL);
	assert_int_equal(xglb_msg_encode_keyed(&ma, NULL, a, sizeof(a)), -EINVAL);
	assert_int_equal(xglb_msg_decode_keyed(b, XGLB_MSG_MAX, NULL, &out), XGLB_RX_AUTH);
}

/*
 * The structural reasons come before the HMAC (they need no key), the field
 * checks after it: a bad field under the wrong key is AUTH, never FIELD.
 */
static void decode_check_order(void **state)
{
	__u8 base[BUF_LEN], buf[BUF_LEN], other[32];
	struct xglb_msg m;

	memset(other, 0x33, sizeof(other));
	msg_base(&m);
	encode(&m, base);

	assert_int_equal(decode(base, MIN_LEN - 1, other, sizeof(other), &m), XGLB_RX_SHORT);
	memcpy(buf, base, BASE_LEN);
	buf[0] = 'Y';
	buf[4] = 9;
	buf[5] = 9;
	assert_int_equal(decode(buf, BASE_LEN, other, sizeof(other), &m), XGLB_RX_MAGIC);
	buf[0] = 'X';
	assert_int_equal(decode(buf, BASE_LEN, other, sizeof(other), &m), XGLB_RX_VERSION);
	buf[4] = XGLB_PROTO_VERSION;
	assert_int_equal(decode(buf, BASE_LEN, other, sizeof(other), &m), XGLB_RX_TYPE);
	buf[5] = 1;
	assert_int_equal(decode(buf, BASE_LEN - 1, other, sizeof(other), &m), XGLB_RX_LENGTH);

	memcpy(buf, base, BASE_LEN);
	buf[8] = 0; /* gid */
	assert_int_equal(decode(buf, BASE_LEN, key32, sizeof(key32), &m), XGLB_RX_AUTH);
	rehmac(buf, BASE_LEN, other, sizeof(other));
	assert_int_equal(decode(buf, BASE_LEN, key32, sizeof(key32), &m), XGLB_RX_AUTH);
	assert_int_equal(decode(buf, BASE_LEN, other, sizeof(other), &m), XGLB_RX_FIELD);
}

static void reason_names(void **state)
{
	static const char *const want[] = {
	    "ok",     "short", "magic",	       "version",	"type",
	    "length", "field", "auth",	       "replay",	"old_boot",
	    "echo",   "ttl",   "unknown_node", "unknown_group", "self",
	};
	int i;

	assert_int_equal(XGLB_RX_MAX, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < XGLB_RX_MAX; i++)
		assert_string_equal(xglb_rx_reason_name(i), want[i]);
	assert_string_equal(xglb_rx_reason_name(XGLB_RX_MAX), "invalid");
	assert_string_equal(xglb_rx_reason_name(-1), "invalid");
}

/* ---- anti-replay ------------------------------------------------------ */

static void replay_in_order(void **state)
{
	struct xglb_replay r = {0};
	__u64 s;

	for (s = 1; s <= 200; s++)
		assert_int_equal(xglb_replay_check(&r, 3, s), XGLB_RX_OK);
	assert_int_equal(r.boot, 3);
	assert_int_equal(r.top, 200);
	assert_true(r.seen == UINT64_MAX);
}

/* One offer to the window: the sequence number and what xglb_replay_check must say. */
struct replay_step {
	__u64 seq;
	int want;
};

#define OK(seq)                                                                                    \
	{                                                                                          \
		seq, XGLB_RX_OK                                                                    \
	}
#define DUP(seq)                                                                                   \
	{                                                                                          \
		seq, XGLB_RX_REPLAY                                                                \
	}
#define OLD(seq)                                                                                   \
	{                                                                                          \
		seq, XGLB_RX_OLD_BOOT                                                              \
	}

/* Offers boot's sequence numbers in the order of the steps. */
static void replay_steps(struct xglb_replay *r, __u32 boot, const struct replay_step *step,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = xglb_replay_check(r, boot, step[i].seq);

		if (got != step[i].want)
			fail_msg("boot %u seq %llu (step %zu): got %s, want %s", boot,
				 (unsigned long long)step[i].seq, i, xglb_rx_reason_name(got),
				 xglb_rx_reason_name(step[i].want));
	}
}

#define REPLAY(r, boot, ...)                                                                       \
	do {                                                                                       \
		const struct replay_step steps_[] = {__VA_ARGS__};                                 \
		replay_steps(r, boot, steps_, sizeof(steps_) / sizeof(steps_[0]));                 \
	} while (0)

static void replay_duplicate(void **state)
{
	struct xglb_replay r = {0};

	REPLAY(&r, 1, OK(1), DUP(1), OK(2), DUP(1), DUP(2));
}

static void replay_out_of_order(void **state)
{
	struct xglb_replay r = {0};

	REPLAY(&r, 1, OK(10), OK(5), DUP(5), OK(7), OK(12), OK(11), DUP(11), DUP(10), DUP(7),
	       OK(6));
	assert_int_equal(r.top, 12);
}

static void replay_window_edge(void **state)
{
	struct xglb_replay r = {0};

	REPLAY(&r, 1, OK(100), DUP(100 - 64), DUP(1), OK(100 - 63), DUP(100 - 63));
	/* Moving top by one pushes 37 out of the window. */
	REPLAY(&r, 1, OK(101), DUP(100 - 63), OK(101 - 63));
}

static void replay_jumps(void **state)
{
	struct xglb_replay r = {0};
	__u64 s;

	for (s = 1; s <= 10; s++)
		assert_int_equal(xglb_replay_check(&r, 1, s), XGLB_RX_OK);
	/* By 63: 10 is the window's oldest and still remembered. */
	REPLAY(&r, 1, OK(73), DUP(10), DUP(9), OK(11));
	/* By exactly 64: everything before falls out. */
	REPLAY(&r, 1, OK(137), DUP(73), OK(74), DUP(74));
	/* By far more than 64, then old ones. */
	REPLAY(&r, 1, OK(100000), DUP(137), DUP(100000 - 64), OK(100000 - 63), OK(99999));
	/* To the very end of the sequence space. */
	REPLAY(&r, 1, OK(UINT64_MAX), DUP(UINT64_MAX), DUP(99999), DUP(UINT64_MAX - 64),
	       OK(UINT64_MAX - 63));
	assert_true(r.seen == (1ull | 1ull << 63));
}

static void replay_boots(void **state)
{
	struct xglb_replay r = {0};

	REPLAY(&r, 5, OK(500));
	/* New boot: the window restarts at whatever the sender sends first. */
	REPLAY(&r, 6, OK(1));
	assert_int_equal(r.boot, 6);
	assert_int_equal(r.top, 1);
	REPLAY(&r, 6, DUP(1), OK(2));
	/* The old boot is gone for good, whatever its sequence. */
	REPLAY(&r, 5, OLD(501), OLD(UINT64_MAX));
	REPLAY(&r, 0, OLD(3));
	assert_int_equal(r.top, 2);
	/* Boots may jump (several restarts unseen). */
	REPLAY(&r, UINT32_MAX, OK(7));
	REPLAY(&r, 6, OLD(3));
}

static void replay_seq_zero(void **state)
{
	struct xglb_replay r = {0};

	assert_int_equal(xglb_replay_check(&r, 0, 0), XGLB_RX_REPLAY);
	assert_int_equal(xglb_replay_check(&r, 1, 0), XGLB_RX_REPLAY);
	assert_int_equal(r.boot, 0); /* a rejected message changes nothing */
	assert_int_equal(r.top, 0);
	assert_int_equal(xglb_replay_check(&r, 1, 1), XGLB_RX_OK);
	assert_int_equal(xglb_replay_check(&r, 1, 0), XGLB_RX_REPLAY);
	assert_int_equal(xglb_replay_check(&r, 2, 0), XGLB_RX_REPLAY);
	assert_int_equal(r.boot, 1);
	assert_int_equal(xglb_replay_check(&r, 0, 0), XGLB_RX_OLD_BOOT);
}

/* The receive path end to end: decode, then the sender's window. */
static int receive(struct xglb_replay *r, const __u8 *buf, int len)
{
	struct xglb_msg m;
	int ret = decode(buf, (size_t)len, key32, sizeof(key32), &m);

	return ret != XGLB_RX_OK ? ret : xglb_replay_check(r, m.boot, m.seq);
}

static void replay_captured_after_restart(void **state)
{
	__u8 captured[BUF_LEN], buf[BUF_LEN];
	struct xglb_replay r = {0};
	struct xglb_msg m;
	int clen, len;

	msg_base(&m);
	m.boot = 9;
	m.seq = 41;
	clen = encode(&m, captured);
	assert_int_equal(receive(&r, captured, clen), XGLB_RX_OK);
	assert_int_equal(receive(&r, captured, clen), XGLB_RX_REPLAY);

	/* The sender restarts: boot 10, sequences from 1 again. */
	m.boot = 10;
	m.seq = 1;
	len = encode(&m, buf);
	assert_int_equal(receive(&r, buf, len), XGLB_RX_OK);
	assert_int_equal(receive(&r, captured, clen), XGLB_RX_OLD_BOOT);
	m.seq = 2;
	len = encode(&m, buf);
	assert_int_equal(receive(&r, buf, len), XGLB_RX_OK);
	assert_int_equal(receive(&r, captured, clen), XGLB_RX_OLD_BOOT);
}

/* Operator requests ride on hellos: every op round-trips, every bad field is refused. */
static void admin_requests(void **state)
{
	static const struct {
		__u8 op, index, pers;
		__u32 target;
		bool ok;
	} cases[] = {
	    {XGLB_ADMIN_MOVE, 3, XGLB_ADMIN_KEEP, 2, true},
	    {XGLB_ADMIN_MOVE, 15, 1, 7, true},
	    {XGLB_ADMIN_PREFER, 0, 0, 1, true},
	    {XGLB_ADMIN_PREFER, 2, 0, 0, true}, /* no preferred owner ("none") */
	    {XGLB_ADMIN_UNPIN, 4, 0, 0, true},
	    {XGLB_ADMIN_DRAIN, 0, 0, 3, true},
	    {XGLB_ADMIN_UNDRAIN, 0, 0, 3, true},
	    {0, 0, 0, 1, false}, /* no op */
	    {XGLB_ADMIN_MAX, 0, 0, 1, false},
	    {XGLB_ADMIN_MOVE, 16, 0, 1, false},	 /* no such forwarder */
	    {XGLB_ADMIN_MOVE, 1, 2, 1, false},	 /* persistence 2 */
	    {XGLB_ADMIN_MOVE, 1, 0, 0, false},	 /* to nobody */
	    {XGLB_ADMIN_PREFER, 1, 1, 1, false}, /* persistence only with MOVE */
	    {XGLB_ADMIN_UNPIN, 1, 0, 5, false},	 /* no target for UNPIN */
	    {XGLB_ADMIN_DRAIN, 1, 0, 5, false},	 /* no forwarder for DRAIN */
	    {XGLB_ADMIN_DRAIN, 0, 0, 0, false},
	};
	__u8 buf[BUF_LEN];
	struct xglb_msg m, out;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int len;

		msg_base(&m);
		m.flags |= XGLB_MSGF_ADMIN;
		m.admin_op = cases[i].op;
		m.admin_index = cases[i].index;
		m.admin_persistence = cases[i].pers;
		m.admin_target = cases[i].target;
		len = xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf));
		if (!cases[i].ok) {
			assert_int_equal(len, -EINVAL);
			continue;
		}
		assert_int_equal(len, BASE_LEN + 12);
		assert_int_equal(decode(buf, (size_t)len, key32, sizeof(key32), &out), XGLB_RX_OK);
		assert_memory_equal(&out, &m, sizeof(m));
		/* The same bytes, admin section corrupted on the wire, re-authenticated: FIELD. */
		buf[BASE_LEN - XGLB_HMAC_LEN + 3] = 1; /* pad */
		rehmac(buf, (size_t)len, key32, sizeof(key32));
		assert_int_equal(decode(buf, (size_t)len, key32, sizeof(key32), &out),
				 XGLB_RX_FIELD);
	}
	/* Admin fields without the flag are invalid to encode. */
	msg_base(&m);
	m.admin_op = XGLB_ADMIN_DRAIN;
	m.admin_target = 1;
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
}

/* Steering data: MACs per segment always, the owner set only with a state. */
static void steer_section(void **state)
{
	__u8 buf[BUF_LEN];
	struct xglb_msg m, out;
	int len;

	msg_base(&m); /* carries a state */
	m.flags |= XGLB_MSGF_STEER;
	m.steer_mask = 0x5;
	m.n_seg = 2;
	memset(m.seg_mac[0], 0x11, 6);
	memset(m.seg_mac[1], 0x22, 6);
	len = xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf));
	assert_int_equal(len, BASE_LEN + 8 + 2 * 8);
	assert_int_equal(decode(buf, (size_t)len, key32, sizeof(key32), &out), XGLB_RX_OK);
	assert_memory_equal(&out, &m, sizeof(m));
	buf[BASE_LEN - XGLB_HMAC_LEN + 8 + 6] = 1; /* pad after the first MAC */
	rehmac(buf, (size_t)len, key32, sizeof(key32));
	assert_int_equal(decode(buf, (size_t)len, key32, sizeof(key32), &out), XGLB_RX_FIELD);

	m.n_seg = XGLB_PROTO_SEGMENTS + 1; /* too many segments */
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
	m.n_seg = 1; /* a MAC beyond n_seg */
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
	m.n_seg = 2;
	m.flags &= ~XGLB_MSGF_STEER; /* steering data without the flag */
	assert_int_equal(xglb_msg_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(layout_bytes),
	    cmocka_unit_test(roundtrip_hello),
	    cmocka_unit_test(roundtrip_leaving),
	    cmocka_unit_test(roundtrip_load_without_state),
	    cmocka_unit_test(roundtrip_state),
	    cmocka_unit_test(roundtrip_full),
	    cmocka_unit_test(roundtrip_key_lengths),
	    cmocka_unit_test(keyed_reuse),
	    cmocka_unit_test(encode_ignores_unused_entries),
	    cmocka_unit_test(encode_rejects_invalid),
	    cmocka_unit_test(encode_needs_room),
	    cmocka_unit_test(decode_rejects_corrupt_fields),
	    cmocka_unit_test(decode_rejects_nonzero_pads),
	    cmocka_unit_test(decode_state_flag_on_stateless),
	    cmocka_unit_test(decode_bounds_counts),
	    cmocka_unit_test(decode_rejects_truncation),
	    cmocka_unit_test(decode_rejects_trailing_bytes),
	    cmocka_unit_test(decode_rejects_bit_flips),
	    cmocka_unit_test(decode_rejects_wrong_key),
	    cmocka_unit_test(decode_check_order),
	    cmocka_unit_test(reason_names),
	    cmocka_unit_test(replay_in_order),
	    cmocka_unit_test(replay_duplicate),
	    cmocka_unit_test(replay_out_of_order),
	    cmocka_unit_test(replay_window_edge),
	    cmocka_unit_test(replay_jumps),
	    cmocka_unit_test(replay_boots),
	    cmocka_unit_test(replay_seq_zero),
	    cmocka_unit_test(replay_captured_after_restart),
	    cmocka_unit_test(admin_requests),
	    cmocka_unit_test(steer_section),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

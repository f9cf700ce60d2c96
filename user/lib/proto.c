// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proto.c - membership wire codec (big-endian packing, HMAC-SHA256) and anti-replay window. */
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "proto.h"
#include "uint.h"

/*
 * Section sizes on the wire (bytes), see the layout in proto.h. Offsets
 * below are relative to the start of their section.
 */
#define HDR_LEN	      32
#define HELLO_LEN     20
#define STATE_LEN     16 /* without its forwarders */
#define FWD_LEN	      16 /* one forwarder */
#define LOAD_HDR_LEN  4
#define LOAD_LEN      16 /* one load entry */
#define ADMIN_LEN     12
#define STEER_HDR_LEN 8
#define SEG_LEN	      8
#define MIN_LEN	      (HDR_LEN + HELLO_LEN + XGLB_HMAC_LEN) /* below this: SHORT */

/*
 * The wire format carries at most 16 forwarders and 16 loads with indices
 * 0..15. A build with another XGLB_MAX_FWD would speak a different protocol
 * to its peers: that needs a new XGLB_PROTO_VERSION, not a recompile.
 */
_Static_assert(XGLB_MAX_FWD == 16, "the wire format is fixed at 16 forwarders");

/* ---- explicit big-endian packing ------------------------------------- */

/* len (1, 2, 4 or 8) bytes big-endian at p. */
static void put_be(__u8 *p, size_t len, __u64 v)
{
	while (len--) {
		p[len] = (__u8)v;
		v >>= 8;
	}
}

static __u64 get_be(const __u8 *p, size_t len)
{
	__u64 v = 0;

	for (size_t i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

/* True if the n bytes at p are all zero (pads and reserved bytes). */
static bool zero(const __u8 *p, size_t n)
{
	__u8 acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}

/* ---- HMAC ------------------------------------------------------------- */

/*
 * libsodium must be initialised once before use. The daemon is single
 * threaded, and sodium_init() is itself safe to call repeatedly and from
 * several threads, so a lazy call here spares every caller from knowing.
 */
static bool sodium_ready(void)
{
	static bool ready;

	if (!ready)
		ready = sodium_init() >= 0;
	return ready;
}

int xglb_msg_key_init(struct xglb_msg_key *k, const __u8 *key, size_t keylen)
{
	static const __u8 no_key[1];

	memset(k, 0, sizeof(*k));
	k->err = (!key && keylen) ? -EINVAL : !sodium_ready() ? -EIO : 0;
	if (!k->err)
		crypto_auth_hmacsha256_init(&k->st, keylen ? key : no_key, keylen);
	return k->err;
}

void xglb_msg_key_clear(struct xglb_msg_key *k)
{
	sodium_memzero(&k->st, sizeof(k->st));
	k->err = -EINVAL;
}

/* HMAC-SHA256 of buf/len under the ready key k into out: from a copy of its hashed pads. */
static void hmac(const __u8 *buf, size_t len, const struct xglb_msg_key *k, __u8 out[XGLB_HMAC_LEN])
{
	crypto_auth_hmacsha256_state st = k->st;

	crypto_auth_hmacsha256_update(&st, buf, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* ---- validation shared by encoder and decoder ------------------------- */

static bool persistence_ok(__u8 p)
{
	return p == 0 || p == 1 || p == 3;
}

/* The operator request: all zero without XGLB_MSGF_ADMIN, else a known op with its fields. */
static bool admin_valid(const struct xglb_msg *m)
{
	bool fwd_op;

	if (!(m->flags & XGLB_MSGF_ADMIN))
		return !m->admin_op && !m->admin_index && !m->admin_persistence && !m->admin_target;
	if (m->admin_op < XGLB_ADMIN_MOVE || m->admin_op >= XGLB_ADMIN_MAX)
		return false;
	fwd_op = m->admin_op <= XGLB_ADMIN_UNPIN;
	if (fwd_op ? m->admin_index >= XGLB_MAX_FWD : m->admin_index != 0)
		return false;
	if (m->admin_op == XGLB_ADMIN_MOVE
		? !persistence_ok(m->admin_persistence) && m->admin_persistence != XGLB_ADMIN_KEEP
		: m->admin_persistence != 0)
		return false;
	/* UNPIN names no node; PREFER may name none (no preferred owner); the others one */
	return m->admin_op == XGLB_ADMIN_UNPIN	  ? m->admin_target == 0
	       : m->admin_op == XGLB_ADMIN_PREFER ? true
						  : m->admin_target != 0;
}

/*
 * Every range rule of a message model. The encoder applies it to what it is
 * given, the decoder to what it parsed, so both accept exactly the same set
 * of messages and decode(encode(m)) == m for every m that passes.
 */
static bool msg_valid(const struct xglb_msg *m)
{
	int i;

	if (m->type != XGLB_MSG_HELLO || (m->flags & ~XGLB_MSGF_ALL))
		return false;
	if (m->gid == 0 || m->node_id == 0 || m->seq == 0)
		return false;
	if (m->hello_ms == 0 || m->hold_ms <= m->hello_ms)
		return false;

	if (m->flags & XGLB_MSGF_STATE) {
		if (m->state_version == 0 || m->state_avg == 0 || m->n_fwd > XGLB_MAX_FWD)
			return false;
		for (i = 0; i < m->n_fwd; i++) {
			const struct xglb_msg_fwd *f = &m->fwd[i];

			if (f->index >= XGLB_MAX_FWD || (i > 0 && f->index <= m->fwd[i - 1].index))
				return false;
			if (!persistence_ok(f->persistence) || f->weight == 0 ||
			    (f->flags & ~XGLB_MSG_FWD_ALL))
				return false;
		}
	} else if (m->state_version || m->state_avg || m->state_standby || m->n_fwd) {
		return false;
	}

	if (m->n_load > XGLB_MAX_FWD)
		return false;
	for (i = 0; i < m->n_load; i++)
		if (m->load[i].index >= XGLB_MAX_FWD)
			return false;
	if (m->flags & XGLB_MSGF_STEER) {
		if (m->n_seg > XGLB_PROTO_SEGMENTS ||
		    (!(m->flags & XGLB_MSGF_STATE) && m->steer_mask))
			return false;
		for (i = m->n_seg; i < XGLB_PROTO_SEGMENTS; i++)
			if (!zero(m->seg_mac[i], 6))
				return false;
	} else if (m->steer_mask || m->n_seg || !zero(&m->seg_mac[0][0], sizeof(m->seg_mac))) {
		return false;
	}
	return admin_valid(m);
}

static size_t msg_len(const struct xglb_msg *m)
{
	size_t len = HDR_LEN + HELLO_LEN + LOAD_HDR_LEN + (size_t)m->n_load * LOAD_LEN;

	if (m->flags & XGLB_MSGF_STATE)
		len += STATE_LEN + (size_t)m->n_fwd * FWD_LEN;
	if (m->flags & XGLB_MSGF_STEER)
		len += STEER_HDR_LEN + (size_t)m->n_seg * SEG_LEN;
	if (m->flags & XGLB_MSGF_ADMIN)
		len += ADMIN_LEN;
	return len + XGLB_HMAC_LEN;
}

/* ---- the wire layout: one table per part, for encoder and decoder ------ */

/*
 * One field of a fixed-size part: its byte offset in the part and the
 * member of the C struct it is. Its width on the wire is the member's: 1,
 * 2, 4 or 8 bytes big-endian, or 6 bytes (a MAC) as they are. Every byte
 * of a part that no field covers is a pad: zero when sent, refused when not.
 */
struct wire_field {
	__u8 at;
	__u8 len;
	__u16 off;
};

struct wire_part {
	const struct wire_field *fields;
	size_t n;
	size_t len;   /* bytes on the wire */
	size_t fixed; /* leading bytes of constant value, not fields (the magic and version) */
};

// clang-format off
#define FIELD(pos, type, member) \
	{ .at = pos, .len = sizeof(((type *)0)->member), .off = offsetof(type, member) }
#define MSG(pos, member)         FIELD(pos, struct xglb_msg, member)
#define FWD(pos, member)         FIELD(pos, struct xglb_msg_fwd, member)
#define LOAD(pos, member)        FIELD(pos, struct xglb_msg_load, member)
#define PART(f, bytes, lead) \
	{ .fields = f, .n = sizeof(f) / sizeof(f[0]), .len = bytes, .fixed = lead }

/* bytes 0-3 magic, 4 version (check_structure()), 9-11 pad */
static const struct wire_field hdr_fields[] = {
	MSG(5, type), MSG(6, flags), MSG(8, gid), MSG(12, node_id), MSG(16, boot), MSG(20, seq),
	MSG(28, echo),
};
/* pads: 1, 10-11 */
static const struct wire_field hello_fields[] = {
	MSG(0, priority), MSG(2, weight), MSG(4, mac), MSG(12, hello_ms), MSG(16, hold_ms),
};
/* pads: 13-15 */
static const struct wire_field state_fields[] = {
	MSG(0, state_version), MSG(4, state_avg), MSG(8, state_standby), MSG(12, n_fwd),
};
static const struct wire_field fwd_fields[] = {
	FWD(0, index), FWD(1, persistence), FWD(2, weight), FWD(3, flags), FWD(4, owner),
	FWD(8, preferred), FWD(12, takeover_ms),
};
static const struct wire_field load_hdr_fields[] = { MSG(0, n_load) };         /* pads: 1-3 */
static const struct wire_field load_fields[] = { LOAD(0, index), LOAD(8, bytes) }; /* pads: 1-7 */
static const struct wire_field steer_fields[] = { MSG(0, steer_mask), MSG(4, n_seg) }; /* 5-7 */
static const struct wire_field seg_fields[] = { { .at = 0, .len = 6 } };     /* a seg_mac[]; 6-7 */
/* pads: 3, 8-11 */
static const struct wire_field admin_fields[] = {
	MSG(0, admin_op), MSG(1, admin_index), MSG(2, admin_persistence), MSG(4, admin_target),
};

static const struct wire_part hdr_part      = PART(hdr_fields, HDR_LEN, 5);
static const struct wire_part hello_part    = PART(hello_fields, HELLO_LEN, 0);
static const struct wire_part state_part    = PART(state_fields, STATE_LEN, 0);
static const struct wire_part fwd_part      = PART(fwd_fields, FWD_LEN, 0);
static const struct wire_part load_hdr_part = PART(load_hdr_fields, LOAD_HDR_LEN, 0);
static const struct wire_part load_part     = PART(load_fields, LOAD_LEN, 0);
static const struct wire_part steer_part    = PART(steer_fields, STEER_HDR_LEN, 0);
static const struct wire_part seg_part      = PART(seg_fields, SEG_LEN, 0);
static const struct wire_part admin_part    = PART(admin_fields, ADMIN_LEN, 0);
// clang-format on

_Static_assert(HDR_LEN <= 32 && HELLO_LEN <= HDR_LEN && STATE_LEN <= HDR_LEN &&
		   FWD_LEN <= HDR_LEN && LOAD_HDR_LEN <= HDR_LEN && LOAD_LEN <= HDR_LEN &&
		   STEER_HDR_LEN <= HDR_LEN && SEG_LEN <= HDR_LEN && ADMIN_LEN <= HDR_LEN,
	       "wire_part() marks a part's bytes in one 32-bit word");

/*
 * One part at buf + *off, written from obj (put; buf is zeroed, obj only
 * read) or read into obj (buf only read); *off moves past it. Reading,
 * false if a pad is not zero.
 */
static bool wire_part(__u8 *buf, size_t *off, const struct wire_part *w, void *obj, bool put)
{
	__u8 *p = buf + *off;
	__u32 used = 0; /* bit b: byte b is a field's (the header, the largest part, has 32) */

	for (size_t i = 0; i < w->n; i++) {
		const struct wire_field *f = &w->fields[i];
		__u8 *v = (__u8 *)obj + f->off;

		if (f->len == 6) /* a MAC, as it is */
			memcpy(put ? p + f->at : v, put ? v : p + f->at, 6);
		else if (put)
			put_be(p + f->at, f->len, xglb_uint_get(v, f->len));
		else
			xglb_uint_set(v, f->len, get_be(p + f->at, f->len));
		used |= (__u32)((1ull << f->len) - 1) << f->at;
	}
	*off += w->len;
	for (size_t b = w->fixed; !put && b < w->len; b++)
		if (!(used >> b & 1) && p[b])
			return false;
	return true;
}

/*
 * The message's parts in wire order, written from m (put) or read into
 * it. Reading, the flags and counts that decide which parts follow come
 * from the parts read before them (check_structure() bounded the counts).
 * Returns the length without the HMAC, or 0 when reading found a pad
 * that is not zero.
 */
static size_t wire_walk(__u8 *buf, struct xglb_msg *m, bool put)
{
	size_t off = 0;
	bool ok =
	    wire_part(buf, &off, &hdr_part, m, put) && wire_part(buf, &off, &hello_part, m, put);

	if (ok && (m->flags & XGLB_MSGF_STATE)) {
		ok = wire_part(buf, &off, &state_part, m, put);
		for (int i = 0; ok && i < m->n_fwd; i++)
			ok = wire_part(buf, &off, &fwd_part, &m->fwd[i], put);
	}
	ok = ok && wire_part(buf, &off, &load_hdr_part, m, put);
	for (int i = 0; ok && i < m->n_load; i++)
		ok = wire_part(buf, &off, &load_part, &m->load[i], put);
	if (ok && (m->flags & XGLB_MSGF_STEER)) {
		ok = wire_part(buf, &off, &steer_part, m, put);
		for (int i = 0; ok && i < m->n_seg; i++)
			ok = wire_part(buf, &off, &seg_part, m->seg_mac[i], put);
	}
	if (ok && (m->flags & XGLB_MSGF_ADMIN))
		ok = wire_part(buf, &off, &admin_part, m, put);
	return ok ? off : 0;
}

/* ---- encoder ---------------------------------------------------------- */

int xglb_msg_encode(const struct xglb_msg *m, const __u8 *key, size_t keylen, __u8 *buf, size_t cap)
{
	struct xglb_msg_key k;
	int ret;

	xglb_msg_key_init(&k, key, keylen);
	ret = xglb_msg_encode_keyed(m, &k, buf, cap);
	xglb_msg_key_clear(&k);
	return ret;
}

int xglb_msg_encode_keyed(const struct xglb_msg *m, const struct xglb_msg_key *k, __u8 *buf,
			  size_t cap)
{
	struct xglb_msg tmp;
	size_t len, off;

	if (!m || !k || k->err == -EINVAL || !msg_valid(m))
		return -EINVAL;
	len = msg_len(m);
	if (!buf || cap < len)
		return -ENOSPC;
	if (k->err)
		return k->err;

	/* Every pad is zero: clear the whole message, then fill in fields. */
	memset(buf, 0, len);
	put_be(buf, 4, XGLB_PROTO_MAGIC);
	buf[4] = XGLB_PROTO_VERSION;
	tmp = *m; /* the walk takes a writable message: it also reads into one */
	off = wire_walk(buf, &tmp, true);
	hmac(buf, off, k, buf + off);
	return (int)(off + XGLB_HMAC_LEN);
}

/* ---- decoder ---------------------------------------------------------- */

/*
 * The structural checks that need no key: returns XGLB_RX_OK if buf/len is
 * exactly as long as the counts it announces imply. Every count is bounded
 * before it is used, and every byte read lies inside len: a count beyond
 * XGLB_MAX_FWD is LENGTH, as no valid message of that size exists.
 */
static int check_structure(const __u8 *buf, size_t len)
{
	size_t off = HDR_LEN + HELLO_LEN;
	unsigned int n;

	if (len < MIN_LEN)
		return XGLB_RX_SHORT;
	if (get_be(buf, 4) != XGLB_PROTO_MAGIC)
		return XGLB_RX_MAGIC;
	if (buf[4] != XGLB_PROTO_VERSION)
		return XGLB_RX_VERSION;
	if (buf[5] != XGLB_MSG_HELLO)
		return XGLB_RX_TYPE;

	if (get_be(buf + 6, 2) & XGLB_MSGF_STATE) {
		if (len < off + STATE_LEN + LOAD_HDR_LEN + XGLB_HMAC_LEN)
			return XGLB_RX_LENGTH;
		n = buf[off + 12];
		if (n > XGLB_MAX_FWD)
			return XGLB_RX_LENGTH;
		off += STATE_LEN + n * FWD_LEN;
	}
	/* off <= HDR + HELLO + STATE + 16 forwarders: no overflow below. */
	if (len < off + LOAD_HDR_LEN + XGLB_HMAC_LEN)
		return XGLB_RX_LENGTH;
	n = buf[off];
	if (n > XGLB_MAX_FWD)
		return XGLB_RX_LENGTH;
	off += LOAD_HDR_LEN + n * LOAD_LEN;
	if (get_be(buf + 6, 2) & XGLB_MSGF_STEER) {
		/* off <= the largest prefix: no overflow */
		if (len < off + STEER_HDR_LEN + XGLB_HMAC_LEN)
			return XGLB_RX_LENGTH;
		n = buf[off + 4];
		if (n > XGLB_PROTO_SEGMENTS)
			return XGLB_RX_LENGTH;
		off += STEER_HDR_LEN + n * SEG_LEN;
	}
	if (get_be(buf + 6, 2) & XGLB_MSGF_ADMIN)
		off += ADMIN_LEN;
	if (len != off + XGLB_HMAC_LEN)
		return XGLB_RX_LENGTH;
	return XGLB_RX_OK;
}

/*
 * Parse an authenticated, structurally checked message into m (zeroed by
 * the caller). Returns false if a pad or reserved byte is not zero; the
 * range rules are msg_valid()'s.
 */
static bool parse(const __u8 *buf, struct xglb_msg *m)
{
	return wire_walk((__u8 *)buf, m, false) != 0;
}

int xglb_msg_decode(const __u8 *buf, size_t len, const __u8 *key, size_t keylen, struct xglb_msg *m)
{
	struct xglb_msg_key k;
	int ret;

	xglb_msg_key_init(&k, key, keylen);
	ret = xglb_msg_decode_keyed(buf, len, &k, m);
	xglb_msg_key_clear(&k);
	return ret;
}

int xglb_msg_decode_keyed(const __u8 *buf, size_t len, const struct xglb_msg_key *k,
			  struct xglb_msg *m)
{
	__u8 mac[XGLB_HMAC_LEN];
	struct xglb_msg tmp;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!buf)
		return XGLB_RX_SHORT;
	ret = check_structure(buf, len);
	if (ret != XGLB_RX_OK)
		return ret;

	/* Fail closed: without a key or a working libsodium nothing verifies. */
	if (!k || k->err)
		return XGLB_RX_AUTH;
	hmac(buf, len - XGLB_HMAC_LEN, k, mac);
	ret = crypto_verify_32(mac, buf + len - XGLB_HMAC_LEN);
	sodium_memzero(mac, sizeof(mac));
	if (ret != 0)
		return XGLB_RX_AUTH;

	memset(&tmp, 0, sizeof(tmp));
	if (!parse(buf, &tmp) || !msg_valid(&tmp))
		return XGLB_RX_FIELD;
	memcpy(m, &tmp, sizeof(*m));
	return XGLB_RX_OK;
}

/* ---- anti-replay ------------------------------------------------------ */

/* Bit i of seen is top - i: the window is top - 63 .. top, one 64-bit word. */
_Static_assert(XGLB_REPLAY_WINDOW == 64, "the window is one 64-bit bitmap");

int xglb_replay_check(struct xglb_replay *r, __u32 boot, __u64 seq)
{
	__u64 d;

	if (boot < r->boot)
		return XGLB_RX_OLD_BOOT;
	/* Sequences start at 1; 0 is never sent, so never accepted. */
	if (seq == 0)
		return XGLB_RX_REPLAY;
	if (boot > r->boot) {
		/* The sender restarted: its old boot's sequences are void. */
		r->boot = boot;
		r->top = seq;
		r->seen = 1;
		return XGLB_RX_OK;
	}
	if (seq > r->top) {
		d = seq - r->top;
		/* Shifting a 64-bit value by 64 or more is undefined: clear instead. */
		r->seen = d >= XGLB_REPLAY_WINDOW ? 0 : r->seen << d;
		r->seen |= 1;
		r->top = seq;
		return XGLB_RX_OK;
	}
	d = r->top - seq;
	if (d >= XGLB_REPLAY_WINDOW || (r->seen & (1ull << d)))
		return XGLB_RX_REPLAY;
	r->seen |= 1ull << d;
	return XGLB_RX_OK;
}

/* ---- reason names ----------------------------------------------------- */

#define XGLB_RX_NAME(name, str) [XGLB_RX_##name] = str,
static const char *const rx_names[XGLB_RX_MAX] = {XGLB_RX_REASONS(XGLB_RX_NAME)};
#undef XGLB_RX_NAME

const char *xglb_rx_reason_name(int reason)
{
	if (reason < 0 || reason >= XGLB_RX_MAX)
		return "invalid";
	return rx_names[reason];
}

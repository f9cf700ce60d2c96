// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proto.c - membership wire codec (big-endian packing, HMAC-SHA256) and anti-replay window. */
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "proto.h"

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

static void put8(__u8 *p, __u8 v)
{
	p[0] = v;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static void put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

static void put64(__u8 *p, __u64 v)
{
	put32(p, (__u32)(v >> 32));
	put32(p + 4, (__u32)v);
}

static __u16 get16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static __u64 get64(const __u8 *p)
{
	return (__u64)get32(p) << 32 | get32(p + 4);
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

/* HMAC-SHA256 of buf/len under key/keylen (any key length) into out. */
static void hmac(const __u8 *buf, size_t len, const __u8 *key, size_t keylen,
		 __u8 out[XGLB_HMAC_LEN])
{
	static const __u8 no_key[1];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, keylen ? key : no_key, keylen);
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
	return m->admin_op == XGLB_ADMIN_UNPIN ? m->admin_target == 0 : m->admin_target != 0;
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

/* ---- encoder ---------------------------------------------------------- */

int xglb_msg_encode(const struct xglb_msg *m, const __u8 *key, size_t keylen, __u8 *buf, size_t cap)
{
	size_t len, off;
	__u8 *p;
	int i;

	if (!m || (!key && keylen) || !msg_valid(m))
		return -EINVAL;
	len = msg_len(m);
	if (!buf || cap < len)
		return -ENOSPC;
	if (!sodium_ready())
		return -EIO;

	/* Every pad is zero: clear the whole message, then fill in fields. */
	memset(buf, 0, len);

	p = buf;
	put32(p + 0, XGLB_PROTO_MAGIC);
	put8(p + 4, XGLB_PROTO_VERSION);
	put8(p + 5, m->type);
	put16(p + 6, m->flags);
	put8(p + 8, m->gid);
	put32(p + 12, m->node_id);
	put32(p + 16, m->boot);
	put64(p + 20, m->seq);
	put32(p + 28, m->echo);
	off = HDR_LEN;

	p = buf + off;
	put8(p + 0, m->priority);
	put16(p + 2, m->weight);
	memcpy(p + 4, m->mac, 6);
	put32(p + 12, m->hello_ms);
	put32(p + 16, m->hold_ms);
	off += HELLO_LEN;

	if (m->flags & XGLB_MSGF_STATE) {
		p = buf + off;
		put32(p + 0, m->state_version);
		put32(p + 4, m->state_avg);
		put32(p + 8, m->state_standby);
		put8(p + 12, m->n_fwd);
		off += STATE_LEN;
		for (i = 0; i < m->n_fwd; i++) {
			const struct xglb_msg_fwd *f = &m->fwd[i];

			p = buf + off;
			put8(p + 0, f->index);
			put8(p + 1, f->persistence);
			put8(p + 2, f->weight);
			put8(p + 3, f->flags);
			put32(p + 4, f->owner);
			put32(p + 8, f->preferred);
			put32(p + 12, f->takeover_ms);
			off += FWD_LEN;
		}
	}

	put8(buf + off, m->n_load);
	off += LOAD_HDR_LEN;
	for (i = 0; i < m->n_load; i++) {
		p = buf + off;
		put8(p + 0, m->load[i].index);
		put64(p + 8, m->load[i].bytes);
		off += LOAD_LEN;
	}
	if (m->flags & XGLB_MSGF_STEER) {
		p = buf + off;
		put32(p + 0, m->steer_mask);
		put8(p + 4, m->n_seg);
		off += STEER_HDR_LEN;
		for (i = 0; i < m->n_seg; i++) {
			memcpy(buf + off, m->seg_mac[i], 6);
			off += SEG_LEN;
		}
	}
	if (m->flags & XGLB_MSGF_ADMIN) {
		p = buf + off;
		put8(p + 0, m->admin_op);
		put8(p + 1, m->admin_index);
		put8(p + 2, m->admin_persistence);
		put32(p + 4, m->admin_target);
		off += ADMIN_LEN;
	}

	hmac(buf, off, key, keylen, buf + off);
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
	if (get32(buf) != XGLB_PROTO_MAGIC)
		return XGLB_RX_MAGIC;
	if (buf[4] != XGLB_PROTO_VERSION)
		return XGLB_RX_VERSION;
	if (buf[5] != XGLB_MSG_HELLO)
		return XGLB_RX_TYPE;

	if (get16(buf + 6) & XGLB_MSGF_STATE) {
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
	if (get16(buf + 6) & XGLB_MSGF_STEER) {
		/* off <= the largest prefix: no overflow */
		if (len < off + STEER_HDR_LEN + XGLB_HMAC_LEN)
			return XGLB_RX_LENGTH;
		n = buf[off + 4];
		if (n > XGLB_PROTO_SEGMENTS)
			return XGLB_RX_LENGTH;
		off += STEER_HDR_LEN + n * SEG_LEN;
	}
	if (get16(buf + 6) & XGLB_MSGF_ADMIN)
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
	size_t off;
	const __u8 *p;
	int i;

	p = buf;
	m->type = p[5];
	m->flags = get16(p + 6);
	m->gid = p[8];
	if (!zero(p + 9, 3))
		return false;
	m->node_id = get32(p + 12);
	m->boot = get32(p + 16);
	m->seq = get64(p + 20);
	m->echo = get32(p + 28);
	off = HDR_LEN;

	p = buf + off;
	m->priority = p[0];
	if (!zero(p + 1, 1))
		return false;
	m->weight = get16(p + 2);
	memcpy(m->mac, p + 4, 6);
	if (!zero(p + 10, 2))
		return false;
	m->hello_ms = get32(p + 12);
	m->hold_ms = get32(p + 16);
	off += HELLO_LEN;

	if (m->flags & XGLB_MSGF_STATE) {
		p = buf + off;
		m->state_version = get32(p + 0);
		m->state_avg = get32(p + 4);
		m->state_standby = get32(p + 8);
		m->n_fwd = p[12]; /* <= XGLB_MAX_FWD: check_structure() */
		if (!zero(p + 13, 3))
			return false;
		off += STATE_LEN;
		for (i = 0; i < m->n_fwd; i++) {
			struct xglb_msg_fwd *f = &m->fwd[i];

			p = buf + off;
			f->index = p[0];
			f->persistence = p[1];
			f->weight = p[2];
			f->flags = p[3];
			f->owner = get32(p + 4);
			f->preferred = get32(p + 8);
			f->takeover_ms = get32(p + 12);
			off += FWD_LEN;
		}
	}

	p = buf + off;
	m->n_load = p[0]; /* <= XGLB_MAX_FWD: check_structure() */
	if (!zero(p + 1, 3))
		return false;
	off += LOAD_HDR_LEN;
	for (i = 0; i < m->n_load; i++) {
		p = buf + off;
		m->load[i].index = p[0];
		if (!zero(p + 1, 7))
			return false;
		m->load[i].bytes = get64(p + 8);
		off += LOAD_LEN;
	}
	if (m->flags & XGLB_MSGF_STEER) {
		p = buf + off;
		m->steer_mask = get32(p + 0);
		m->n_seg = p[4]; /* <= XGLB_PROTO_SEGMENTS: check_structure() */
		if (!zero(p + 5, 3))
			return false;
		off += STEER_HDR_LEN;
		for (i = 0; i < m->n_seg; i++) {
			memcpy(m->seg_mac[i], buf + off, 6);
			if (!zero(buf + off + 6, 2))
				return false;
			off += SEG_LEN;
		}
	}
	if (m->flags & XGLB_MSGF_ADMIN) {
		p = buf + off;
		m->admin_op = p[0];
		m->admin_index = p[1];
		m->admin_persistence = p[2];
		m->admin_target = get32(p + 4);
		if (!zero(p + 3, 1) || !zero(p + 8, 4))
			return false;
	}
	return true;
}

int xglb_msg_decode(const __u8 *buf, size_t len, const __u8 *key, size_t keylen, struct xglb_msg *m)
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
	if ((!key && keylen) || !sodium_ready())
		return XGLB_RX_AUTH;
	hmac(buf, len - XGLB_HMAC_LEN, key, keylen, mac);
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

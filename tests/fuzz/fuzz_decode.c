// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_decode.c - libFuzzer target: membership decoder, re-encoding, replay window vs a model. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "proto.h"
#include "sample_hello.h"

/*
 * The first input byte picks a mode (modulo MODES), the rest is its data:
 *   MODE_RAW    the rest is a datagram, decoded as received;
 *   MODE_REHMAC the rest is a datagram whose last 32 bytes are replaced by
 *               the right HMAC first, so mutations reach the field checks;
 *   MODE_REPLAY the rest is a list of (boot, seq) steps fed both to
 *               xglb_replay_check() and to a brute-force model.
 * Seeds in tests/fuzz/corpus/decode/ come from write_seeds() below:
 *   XGLB_FUZZ_WRITE_SEEDS=tests/fuzz/corpus/decode build/fuzz/fuzz_decode
 */
enum { MODE_RAW, MODE_REHMAC, MODE_REPLAY, MODES };

#define FUZZ_MAX_LEN 2048 /* bytes: datagrams longer than any message are still tried */
#define REPLAY_STEP  4	  /* bytes per replay step */
#define REPLAY_STEPS 512  /* steps per input, at most */

static const __u8 key[32] = "xglb fuzz key, not a secret ...";

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_decode: %s\n", what);
		abort();
	}
}

/* Everything a decoded message must satisfy. */
static void check_decoded(const __u8 *buf, size_t len, const struct xglb_msg *m)
{
	__u8 again[FUZZ_MAX_LEN];
	struct xglb_replay r = {0};
	int n;

	/* decode and encode accept the same messages and agree on every byte. */
	n = xglb_msg_encode(m, key, sizeof(key), again, sizeof(again));
	check(n > 0, "decoded message does not encode");
	check((size_t)n == len, "re-encoding has another length");
	check(memcmp(again, buf, len) == 0, "re-encoding differs");

	/* A verified message is accepted once, then is a replay. */
	check(xglb_replay_check(&r, m->boot, m->seq) == XGLB_RX_OK, "first copy not accepted");
	check(xglb_replay_check(&r, m->boot, m->seq) == XGLB_RX_REPLAY, "second copy accepted");
	if (m->boot)
		check(xglb_replay_check(&r, m->boot - 1, m->seq) == XGLB_RX_OLD_BOOT,
		      "older boot accepted");
}

static void fuzz_message(const __u8 *data, size_t size, bool rehmac)
{
	struct xglb_msg m;
	__u8 *buf;
	int ret;

	if (size > FUZZ_MAX_LEN)
		return;
	/* An exactly sized copy, so ASan sees any read past the datagram. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return;
	memcpy(buf, data, size);
	if (rehmac && size >= XGLB_HMAC_LEN) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, key, sizeof(key));
		crypto_auth_hmacsha256_update(&st, buf, size - XGLB_HMAC_LEN);
		crypto_auth_hmacsha256_final(&st, buf + size - XGLB_HMAC_LEN);
	}

	ret = xglb_msg_decode(buf, size, key, sizeof(key), &m);
	check(ret >= XGLB_RX_OK && ret <= XGLB_RX_AUTH, "decode gave a reason it must not");
	if (ret == XGLB_RX_OK)
		check_decoded(buf, size, &m);
	else
		check(xglb_rx_reason_name(ret) != NULL, "reason without a name");
	free(buf);
}

/* The replay window's specification, by brute force: remember every seq. */
struct model {
	__u32 boot;
	__u64 top;
	size_t n;
	__u64 seen[REPLAY_STEPS];
};

static int model_check(struct model *md, __u32 boot, __u64 seq)
{
	size_t i;

	if (boot < md->boot)
		return XGLB_RX_OLD_BOOT;
	if (seq == 0)
		return XGLB_RX_REPLAY;
	if (boot > md->boot) {
		md->boot = boot;
		md->n = 0;
		md->top = 0;
	} else {
		for (i = 0; i < md->n; i++)
			if (md->seen[i] == seq)
				return XGLB_RX_REPLAY;
		if (seq <= md->top && md->top - seq >= XGLB_REPLAY_WINDOW)
			return XGLB_RX_REPLAY;
	}
	md->seen[md->n++] = seq;
	if (seq > md->top)
		md->top = seq;
	return XGLB_RX_OK;
}

/*
 * Each step: b0 picks the boot (same, +1, -1, or jump) and how to read the
 * 24-bit value in b1..b3: as a signed offset from the highest seq so far,
 * or as a distance below UINT64_MAX (the top of the sequence space).
 */
static void fuzz_replay(const __u8 *data, size_t size)
{
	static struct model md;
	struct xglb_replay r = {0};
	__u32 boot = 0;
	__u64 seq;
	__s32 v;
	size_t i;

	memset(&md, 0, sizeof(md));
	for (i = 0; i + REPLAY_STEP <= size && i / REPLAY_STEP < REPLAY_STEPS; i += REPLAY_STEP) {
		const __u8 *s = data + i;

		switch (s[0] & 3) {
		case 2:
			boot++;
			break;
		case 3:
			boot = (s[0] & 4) ? boot + 1000 : boot - 1;
			break;
		}
		v = (__s32)((__u32)s[1] << 24 | (__u32)s[2] << 16 | (__u32)s[3] << 8) >> 8;
		if (s[0] & 0x80)
			seq = UINT64_MAX - (__u64)(v & 0xffffff);
		else if (v < 0 && (__u64)(-(__s64)v) > md.top)
			seq = 0;
		else
			seq = md.top + (__u64)(__s64)v;
		check(xglb_replay_check(&r, boot, seq) == model_check(&md, boot, seq),
		      "replay window disagrees with the model");
		check(r.boot == md.boot && r.top == md.top, "replay window state drifted");
	}
}

/*
 * The build uses -fsanitize=undefined without -fno-sanitize-recover: UBSan
 * would only print. Make any undefined behaviour a crash libFuzzer keeps.
 */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % MODES) {
	case MODE_RAW:
		fuzz_message(data + 1, size - 1, false);
		break;
	case MODE_REHMAC:
		fuzz_message(data + 1, size - 1, true);
		break;
	case MODE_REPLAY:
		fuzz_replay(data + 1, size - 1);
		break;
	}
	return 0;
}

/* ---- seed corpus ------------------------------------------------------- */

static void write_seed(const char *dir, const char *name, __u8 mode, const __u8 *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fputc(mode, f) == EOF || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void seed_msg(const char *dir, const char *name, const struct xglb_msg *m)
{
	__u8 buf[FUZZ_MAX_LEN];
	char alt[256];
	int n = xglb_msg_encode(m, key, sizeof(key), buf, sizeof(buf));

	if (n < 0) {
		fprintf(stderr, "seed %s does not encode: %d\n", name, n);
		exit(1);
	}
	write_seed(dir, name, MODE_RAW, buf, (size_t)n);
	snprintf(alt, sizeof(alt), "rehmac-%s", name);
	write_seed(dir, alt, MODE_REHMAC, buf, (size_t)n);
}

static void seed_hello(struct xglb_msg *m)
{
	static const __u8 mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

	sample_hello(m, 1, 1, 1, 1, 100, mac);
}

static void seed_state(struct xglb_msg *m, int n_fwd, int n_load)
{
	int i;

	seed_hello(m);
	sample_state(m, 3, 1, 2, (__u8)n_fwd);
	for (i = 0; i < n_fwd; i++) {
		m->fwd[i].index = (__u8)(i * (16 / n_fwd));
		m->fwd[i].persistence = (__u8)(i % 2 ? 3 : i % 4 ? 1 : 0);
		m->fwd[i].weight = (__u8)(1 + i * 16);
		m->fwd[i].flags = (__u8)(i % 4);
		m->fwd[i].owner = (__u32)(1 + i % 3);
		m->fwd[i].preferred = (__u32)(i % 3);
		m->fwd[i].takeover_ms = (__u32)(i * 500);
	}
	m->n_load = (__u8)n_load;
	for (i = 0; i < n_load; i++) {
		m->load[i].index = (__u8)(15 - i);
		m->load[i].bytes = 1ull << (i * 4);
	}
}

static void write_seeds(const char *dir)
{
	/* clang-format off */
	static const __u8 replay_steps[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* 1, 2, 2 */
		0x00, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x40, 0x00, 0xff, 0xff, 0xc0, /* 0, 66, 2 */
		0x00, 0xff, 0xff, 0xc1, 0x02, 0x00, 0x00, 0x05, 0x03, 0x00, 0x00, 0x01, /* 3, new, old */
		0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0x80, 0x00, 0x00, 0x3f, /* near max */
		0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* boot jump, seq 0 */
	};
	/* clang-format on */
	struct xglb_msg m;

	seed_hello(&m);
	seed_msg(dir, "hello", &m);
	m.flags = XGLB_MSGF_DEMOTED;
	m.priority = 0;
	m.weight = 0;
	m.boot = 0;
	seed_msg(dir, "hello-demoted", &m);
	m.flags = XGLB_MSGF_STANDBY;
	m.seq = UINT64_MAX;
	m.hello_ms = 0xfffffffe;
	m.hold_ms = 0xffffffff;
	seed_msg(dir, "hello-max-timers", &m);
	/* a stopping AVG: leaving, priority and weight 0, still publishing its state */
	seed_state(&m, 3, 1);
	m.flags |= XGLB_MSGF_LEAVING | XGLB_MSGF_AVG;
	m.priority = 0;
	m.weight = 0;
	seed_msg(dir, "state-leaving", &m);

	seed_state(&m, 0, 1);
	seed_msg(dir, "load-1", &m);
	m.flags = 0;
	m.state_version = m.state_avg = m.state_standby = 0;
	seed_msg(dir, "load-1-nostate", &m);
	seed_state(&m, 0, 16);
	m.flags = 0;
	m.state_version = m.state_avg = m.state_standby = 0;
	seed_msg(dir, "load-16-nostate", &m);

	seed_state(&m, 0, 0);
	seed_msg(dir, "state-0fwd", &m);
	seed_state(&m, 1, 0);
	seed_msg(dir, "state-1fwd", &m);
	seed_state(&m, 4, 2);
	seed_msg(dir, "state-4fwd-2load", &m);
	seed_state(&m, 8, 8);
	seed_msg(dir, "state-8fwd-8load", &m);
	seed_state(&m, 16, 16);
	m.flags = XGLB_MSGF_ALL;
	m.admin_op = XGLB_ADMIN_UNPIN; /* every flag, ADMIN included, needs its fields */
	m.admin_index = 1;
	seed_msg(dir, "state-16fwd-16load", &m);

	write_seed(dir, "replay-steps", MODE_REPLAY, replay_steps, sizeof(replay_steps));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("XGLB_FUZZ_WRITE_SEEDS");

	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}

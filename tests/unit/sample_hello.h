/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sample_hello.h - the one sample hello (no state, no load, 100 ms hello, 300 ms hold) for
 * the codec tests (test_proto.c) and the fuzz target's seeds (tests/fuzz/fuzz_decode.c).
 * Needs no cmocka.
 */
#ifndef XGLB_SAMPLE_HELLO_H
#define XGLB_SAMPLE_HELLO_H

#include <string.h>
#include "proto.h"

/* Who sends the sample hello; each caller keeps its own values (the committed fuzz seeds and
 * test_proto.c's byte checks depend on them). */
struct sample_sender {
	__u8 gid;
	__u32 node_id;
	__u32 boot;
	__u64 seq;
	__u8 priority;
	__u8 mac[6];
};

static inline void sample_hello(struct xglb_msg *m, const struct sample_sender *s)
{
	memset(m, 0, sizeof(*m));
	m->type = XGLB_MSG_HELLO;
	m->gid = s->gid;
	m->node_id = s->node_id;
	m->boot = s->boot;
	m->seq = s->seq;
	m->priority = s->priority;
	m->weight = 100;
	memcpy(m->mac, s->mac, 6);
	m->hello_ms = 100;
	m->hold_ms = 300;
}

#endif /* XGLB_SAMPLE_HELLO_H */

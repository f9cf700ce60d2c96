/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sample_hello.h - the one sample hello (100 ms hello, 300 ms hold) and its group-state header, for
 * the codec tests (test_proto.c) and the fuzz target's seeds (tests/fuzz/fuzz_decode.c).
 * Needs no cmocka.
 */
#ifndef XGLB_SAMPLE_HELLO_H
#define XGLB_SAMPLE_HELLO_H

#include <string.h>
#include "proto.h"

/*
 * The sample hello from node node_id (boot, seq, priority, mac) in group gid. Each caller keeps
 * its own sender: the committed fuzz seeds and test_proto.c's byte checks depend on them.
 */
static inline void sample_hello(struct xglb_msg *m, __u8 gid, __u32 node_id, __u32 boot, __u64 seq,
				__u8 priority, const __u8 mac[6])
{
	memset(m, 0, sizeof(*m));
	m->type = XGLB_MSG_HELLO;
	m->gid = gid;
	m->node_id = node_id;
	m->boot = boot;
	m->seq = seq;
	m->priority = priority;
	m->weight = 100;
	memcpy(m->mac, mac, 6);
	m->hello_ms = 100;
	m->hold_ms = 300;
}

/* Makes m carry an AVG's group state: version, publisher avg, standby and n_fwd forwarders
 * (the caller fills fwd[0..n_fwd)). */
static inline void sample_state(struct xglb_msg *m, __u32 version, __u32 avg, __u32 standby,
				__u8 n_fwd)
{
	m->flags = XGLB_MSGF_STATE | XGLB_MSGF_AVG;
	m->state_version = version;
	m->state_avg = avg;
	m->state_standby = standby;
	m->n_fwd = n_fwd;
}

#endif /* XGLB_SAMPLE_HELLO_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* proto.h - the membership wire protocol: message model, codec, HMAC, anti-replay (pure; no I/O).
 */
#ifndef XGLB_PROTO_H
#define XGLB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <sodium/crypto_auth_hmacsha256.h>
#include "xglb.h"

/*
 * One UDP datagram = one message about one group, sent by one node to each
 * peer (unicast), IP TTL 255 (receivers drop any other TTL: link-local
 * only). Layout on the wire, all integers big-endian:
 *
 *   header  magic "XGLB" (4) | version (1) | type (1) | flags (2)
 *           gid (1) | pad (3) | node_id (4) | boot (4) | seq (8)
 *           echo (4)                                                  = 32
 *   hello   priority (1) | pad (1) | weight (2) | mac (6) | pad (2)
 *           hello_ms (4) | hold_ms (4)                                = 20
 *   state   (only with XGLB_MSGF_STATE)
 *           version (4) | avg (4) | standby (4) | n_fwd (1) | pad (3)
 *           n_fwd x forwarder:
 *             index (1) | persistence (1) | weight (1) | flags (1)
 *             owner (4) | preferred (4) | takeover_ms (4)          = 16 each
 *   load    n_load (1) | pad (3), n_load x { index (1) | pad (7) | bytes (8) }
 *   steer   (only with XGLB_MSGF_STEER)
 *           steer_mask (4) | n_seg (1) | pad (3), n_seg x { mac (6) | pad (2) }
 *   admin   (only with XGLB_MSGF_ADMIN)
 *           op (1) | index (1) | persistence (1) | pad (1) | target (4) | pad (4) = 12
 *   hmac    HMAC-SHA256 over every byte before it, under the group key (32)
 *
 * A decoder accepts exactly this: the right length for the counts it
 * announces, known version/type, reserved bits and pads zero, every field
 * in range. Anything else is dropped and counted by reason.
 */

#define XGLB_PROTO_MAGIC   0x58474c42u /* "XGLB" */
#define XGLB_PROTO_VERSION 2	       /* 2: the header carries echo */
#define XGLB_PROTO_PORT	   7867	       /* default UDP port */
#define XGLB_HMAC_LEN	   32
#define XGLB_KEY_MAX	   64 /* bytes of shared key */
/* bytes: the largest message, 16 forwarders and 16 loads */
#define XGLB_PROTO_SEGMENTS 4 /* steered segments a hello can describe */
#define XGLB_MSG_MAX                                                                               \
	(32 + 20 + 16 + 16 * XGLB_MAX_FWD + 4 + 16 * XGLB_MAX_FWD + 8 + 8 * XGLB_PROTO_SEGMENTS +  \
	 12 + XGLB_HMAC_LEN)
_Static_assert(XGLB_MSG_MAX == 668, "the wire layout above changed: update XGLB_MSG_MAX");

enum xglb_msg_type {
	XGLB_MSG_HELLO = 1,
};

/* xglb_msg.flags */
#define XGLB_MSGF_STATE	  0x0001 /* carries a group state */
#define XGLB_MSGF_AVG	  0x0002 /* sender acts as the group's AVG */
#define XGLB_MSGF_STANDBY 0x0004 /* sender is the standby AVG */
#define XGLB_MSGF_DEMOTED 0x0008 /* sender holds a demotion: it cannot win an election */
#define XGLB_MSGF_STARTING                                                                         \
	0x0010 /* ... because it is starting: peers wait for it rather than elect around it */
#define XGLB_MSGF_ADMIN 0x0020 /* carries an operator's request (xglbctl on this node) */
#define XGLB_MSGF_STEER 0x0040 /* carries flow-steering data: the sender's MACs, the owner set */
/* The sender is stopping: hand its roles and forwarders to the others now, not after
 * the hold time. It keeps serving them until a state that no longer names it arrives. */
#define XGLB_MSGF_LEAVING 0x0080
#define XGLB_MSGF_ALL	  0x00ff

/* Operator requests, carried to the node that can carry them out. */
enum xglb_admin_op {
	XGLB_ADMIN_MOVE = 1, /* AVG: forwarder index -> preferred owner target, and move it there */
	XGLB_ADMIN_PREFER, /* AVG: preferred owner of forwarder index := target (persistence decides
			      when) */
	XGLB_ADMIN_UNPIN,  /* AVG: persistence of forwarder index := 0 */
	XGLB_ADMIN_DRAIN,  /* node target: withdraw (weight and priority 0) until undrained */
	XGLB_ADMIN_UNDRAIN, /* node target: back to its configured/tracked weight and priority */
	XGLB_ADMIN_MAX,
};
#define XGLB_ADMIN_KEEP 0xff /* persistence: leave as it is */

/* xglb_msg_fwd.flags */
#define XGLB_MSG_FWD_ACTIVE 0x01
#define XGLB_MSG_FWD_NEW_OK 0x02
#define XGLB_MSG_FWD_ALL    0x03

struct xglb_msg_fwd {
	__u8 index;	   /* 0..XGLB_MAX_FWD-1, strictly increasing within a message */
	__u8 persistence;  /* 0, 1 or 3 */
	__u8 weight;	   /* 1..255 */
	__u8 flags;	   /* XGLB_MSG_FWD_* */
	__u32 owner;	   /* node id, 0 = none */
	__u32 preferred;   /* node id, 0 = none */
	__u32 takeover_ms; /* how long it has been served by a node that is not its preferred owner,
			      0 = not */
};

struct xglb_msg_load {
	__u8 index;  /* a forwarder the sender owns */
	__u64 bytes; /* bytes it forwarded since the sender's boot */
};

struct xglb_msg {
	__u8 type;     /* enum xglb_msg_type */
	__u16 flags;   /* XGLB_MSGF_* */
	__u8 gid;      /* 1..255 */
	__u32 node_id; /* != 0 */
	__u32 boot;    /* sender's boot counter, increases on every xglbd start */
	__u64 seq;     /* increases with every message in one boot (all groups), starts at 1 */
	__u32 echo;    /* the receiver's boot as the sender last heard it, 0 = never */

	__u8 priority;	/* effective priority, 0..255 */
	__u16 weight;	/* effective weight */
	__u8 mac[6];	/* sender's MAC on the segment */
	__u32 hello_ms; /* sender's hello interval, >= 1 */
	__u32 hold_ms;	/* sender's hold time, > hello_ms */

	/* group state, valid with XGLB_MSGF_STATE */
	__u32 state_version; /* >= 1 */
	__u32 state_avg;     /* node that published it */
	__u32 state_standby; /* 0 = none */
	__u8 n_fwd;	     /* 0..XGLB_MAX_FWD */
	struct xglb_msg_fwd fwd[XGLB_MAX_FWD];

	__u8 n_load; /* 0..XGLB_MAX_FWD */
	struct xglb_msg_load load[XGLB_MAX_FWD];

	/* flow steering, valid with XGLB_MSGF_STEER */
	__u32 steer_mask; /* with XGLB_MSGF_STATE: configured nodes (bit = index) that own flows */
	__u8 n_seg;	  /* 0..XGLB_PROTO_SEGMENTS */
	__u8 seg_mac[XGLB_PROTO_SEGMENTS][6]; /* the sender's MAC on each steered segment */

	/* operator request, valid with XGLB_MSGF_ADMIN */
	__u8 admin_op;		/* enum xglb_admin_op */
	__u8 admin_index;	/* forwarder, for MOVE, PREFER, UNPIN */
	__u8 admin_persistence; /* 0, 1, 3 or XGLB_ADMIN_KEEP, for MOVE */
	__u32 admin_target;	/* node id, for MOVE, PREFER, DRAIN, UNDRAIN */
};

/* Why a received datagram was dropped (xglb_rx_reason_name gives metric labels). */
#define XGLB_RX_REASONS(X)                                                                         \
	X(OK, "ok")                                                                                \
	X(SHORT, "short")	/* shorter than header + hello + hmac (84 bytes) */                \
	X(MAGIC, "magic")	/* not an xglb message */                                          \
	X(VERSION, "version")	/* unknown protocol version */                                     \
	X(TYPE, "type")		/* unknown message type */                                         \
	X(LENGTH, "length")	/* length does not match the counts it announces */                \
	X(FIELD, "field")	/* a field out of range, reserved bits or pad not zero */          \
	X(AUTH, "auth")		/* HMAC does not verify */                                         \
	X(REPLAY, "replay")	/* sequence already seen or behind the window */                   \
	X(OLD_BOOT, "old_boot") /* boot counter lower than the sender's current one */             \
	X(ECHO, "echo")		/* does not echo our current boot: sent before we started */       \
	X(TTL, "ttl")		/* IP TTL not 255: not from this link */                           \
	X(UNKNOWN_NODE, "unknown_node")	  /* node id not in the configuration */                   \
	X(UNKNOWN_GROUP, "unknown_group") /* group not configured here */                          \
	X(SELF, "self")			  /* our own node id */

#define XGLB_RX_ENUM(name, str) XGLB_RX_##name,
enum xglb_rx_reason { XGLB_RX_REASONS(XGLB_RX_ENUM) XGLB_RX_MAX };
#undef XGLB_RX_ENUM

const char *xglb_rx_reason_name(int reason);

/*
 * A membership key made ready once: the HMAC's inner and outer pads of
 * the key hashed (two SHA-256 blocks), so each message costs a copy of
 * this state and its own blocks, not those two again. err: 0 ready,
 * -EINVAL no key bytes for a non-zero length, -EIO libsodium unusable.
 */
struct xglb_msg_key {
	crypto_auth_hmacsha256_state st;
	int err;
};

/* Make k ready for key/keylen (any length; 0 is an empty key). Returns k->err. */
int xglb_msg_key_init(struct xglb_msg_key *k, const __u8 *key, size_t keylen);
/* Wipe k (the hashed key is as secret as the key); it is then not ready (-EINVAL). */
void xglb_msg_key_clear(struct xglb_msg_key *k);

/*
 * Encode m into buf (capacity cap) and append the HMAC-SHA256 under
 * key/keylen. Returns the length, or -EINVAL if m has a field out of
 * range, or -ENOSPC if cap is too small.
 */
int xglb_msg_encode(const struct xglb_msg *m, const __u8 *key, size_t keylen, __u8 *buf,
		    size_t cap);
/* The same under a key made ready (-EINVAL, -EIO: k's err). */
int xglb_msg_encode_keyed(const struct xglb_msg *m, const struct xglb_msg_key *k, __u8 *buf,
			  size_t cap);

/*
 * Decode and authenticate buf/len. Returns XGLB_RX_OK and fills *m, or the
 * xglb_rx_reason of the first check that failed (SHORT, MAGIC, VERSION,
 * TYPE, LENGTH, FIELD, AUTH). The HMAC is compared in constant time and
 * checked before any field beyond the length checks is trusted.
 */
int xglb_msg_decode(const __u8 *buf, size_t len, const __u8 *key, size_t keylen,
		    struct xglb_msg *m);
/* The same under a key made ready (AUTH if k is not). */
int xglb_msg_decode_keyed(const __u8 *buf, size_t len, const struct xglb_msg_key *k,
			  struct xglb_msg *m);

/*
 * Anti-replay state of one sender: the highest (boot, seq) accepted and a
 * bitmap of the XGLB_REPLAY_WINDOW sequences below it.
 */
#define XGLB_REPLAY_WINDOW 64
struct xglb_replay {
	__u32 boot;
	__u64 top;  /* highest accepted seq of that boot, 0 = none yet */
	__u64 seen; /* bit i: top - i was accepted */
};

/*
 * Accept (boot, seq) from a sender and record it, or reject it: a lower
 * boot is OLD_BOOT; a higher boot resets the window; within the boot, a
 * sequence already accepted or older than the window is REPLAY. Returns
 * XGLB_RX_OK, XGLB_RX_REPLAY or XGLB_RX_OLD_BOOT. Only call it for messages
 * whose HMAC verified.
 */
int xglb_replay_check(struct xglb_replay *r, __u32 boot, __u64 seq);

#endif

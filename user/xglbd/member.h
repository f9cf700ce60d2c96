/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* member.h - membership datagrams: one UDP socket, TTL 255 out, TTL checked in, HMAC'd hellos. */
#ifndef XGLB_MEMBER_H
#define XGLB_MEMBER_H

#include <linux/filter.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "proto.h"

#define XGLB_MEMBER_BATCH  32	     /* datagrams one recvmmsg takes */
#define XGLB_MEMBER_RCVBUF (4 << 20) /* socket buffer asked for: a flood's backlog, not a loss */

/* Datagrams received by one recvmmsg, handed out one by one by xglb_member_recv. */
struct xglb_member_rxq {
	__u8 buf[XGLB_MEMBER_BATCH][XGLB_MSG_MAX + 1];
	__u8 cbuf[XGLB_MEMBER_BATCH][CMSG_SPACE(sizeof(int))];
	struct sockaddr_in sa[XGLB_MEMBER_BATCH];
	struct iovec iov[XGLB_MEMBER_BATCH];
	struct mmsghdr mm[XGLB_MEMBER_BATCH];
	int n, next; /* received, handed out */
};

struct xglb_member {
	int fd;
	struct xglb_msg_key key; /* made ready once, not for every hello (xglb_member_set_key) */
	__u16 port;		 /* host order */
	__u64
	    rx[XGLB_RX_MAX]; /* datagrams by outcome; the caller counts OK and its own rejections */
	__u64 tx_ok, tx_err;
	__u64 batches; /* recvmmsg calls that returned datagrams */
	struct xglb_member_rxq rxq;
};

#define XGLB_MEMBER_MAX_PEERS  32 /* addresses xglb_member_admit_only takes (XGLB_MAX_NODES) */
#define XGLB_MEMBER_FILTER_MAX (XGLB_MEMBER_MAX_PEERS + 5) /* instructions of that filter */

/*
 * The classic BPF socket filter of xglb_member_admit_only into f
 * (XGLB_MEMBER_FILTER_MAX entries): accept a datagram whose IP TTL is 255
 * and whose source is one of ADDRS (N network-order addresses), drop any
 * other. Its length, or -EINVAL for N outside 0..XGLB_MEMBER_MAX_PEERS.
 */
int xglb_member_filter(const __be32 *addrs, int n, struct sock_filter *f);

/*
 * Let the kernel queue only datagrams with TTL 255 from one of ADDRS (N
 * network-order addresses): a flood from any other address is dropped
 * before it takes room in the socket buffer or a system call, so it
 * cannot crowd out the peers' hellos. Replaces the previous list. 0 or -errno.
 */
int xglb_member_admit_only(struct xglb_member *m, const __be32 *addrs, int n);
/* Datagrams the kernel dropped for this socket: refused by that filter, or the buffer was full. */
__u64 xglb_member_kernel_drops(const struct xglb_member *m);

/* UDP socket on bind_addr:port (network-order address, 0 = any). 0 or -errno. */
int xglb_member_open(struct xglb_member *m, __be32 bind_addr, __u16 port, const __u8 *key,
		     size_t key_len);
/* The key hellos are signed and checked with from now on (a reload's configuration). */
void xglb_member_set_key(struct xglb_member *m, const __u8 *key, size_t key_len);
void xglb_member_close(struct xglb_member *m);

/* Encode, authenticate and send msg to to:port. 0 or -errno. */
int xglb_member_send(struct xglb_member *m, __be32 to, const struct xglb_msg *msg);

/*
 * Receive one datagram. Returns 1 with *msg and *src (network order) for a
 * message that decoded and authenticated with IP TTL 255; 0 for a
 * datagram dropped (counted in rx[] by reason); -EAGAIN when none is
 * waiting; other -errno on error.
 */
int xglb_member_recv(struct xglb_member *m, struct xglb_msg *msg, __be32 *src);

#endif

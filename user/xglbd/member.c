// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* member.c - the membership UDP socket: send with TTL 255, receive with the TTL and the codec
 * checked. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include "member.h"

int xglb_member_open(struct xglb_member *m, __be32 bind_addr, __u16 port, const __u8 *key,
		     size_t key_len)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = bind_addr};
	int one = 1, ttl = 255, rcvbuf = XGLB_MEMBER_RCVBUF, err;

	memset(m, 0, sizeof(*m));
	xglb_member_set_key(m, key, key_len);
	m->port = port;
	m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0) {
		err = -errno;
		xglb_msg_key_clear(&m->key);
		return err;
	}
	/* Peers are on this link only: send with TTL 255 and accept nothing less (RFC 5082). */
	if (setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(m->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(m->fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
	    bind(m->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(m->fd);
		m->fd = -1;
		xglb_msg_key_clear(&m->key);
		return err;
	}
	/* Room for a burst of forged datagrams in front of a real hello: beyond
	 * net.core.rmem_max where we may (CAP_NET_ADMIN), else as much as it allows. */
	if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (int i = 0; i < XGLB_MEMBER_BATCH; i++) {
		m->rxq.iov[i] =
		    (struct iovec){.iov_base = m->rxq.buf[i], .iov_len = sizeof(m->rxq.buf[i])};
		m->rxq.mm[i].msg_hdr = (struct msghdr){.msg_iov = &m->rxq.iov[i], .msg_iovlen = 1};
	}
	return 0;
}

int xglb_member_filter(const __be32 *addrs, int n, struct sock_filter *f)
{
	int i = 0;

	if (n < 0 || n > XGLB_MEMBER_MAX_PEERS || (n && !addrs))
		return -EINVAL;
	/* TTL 255, else drop (the same rule as xglb_member_recv, in the kernel) */
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 8);
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 255, 0, (__u8)(n + 1));
	/* the source is one of the configured node addresses, else drop */
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 12);
	for (int k = 0; k < n; k++, i++)
		f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(addrs[k]),
						    (__u8)(n - k), 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffffu);
	return i;
}

int xglb_member_admit_only(struct xglb_member *m, const __be32 *addrs, int n)
{
	struct sock_filter f[XGLB_MEMBER_FILTER_MAX];
	struct sock_fprog prog = {.filter = f};
	int len = xglb_member_filter(addrs, n, f);

	if (len < 0)
		return len;
	prog.len = (unsigned short)len;
	return setsockopt(m->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ? -errno : 0;
}

__u64 xglb_member_kernel_drops(const struct xglb_member *m)
{
	__u32 mi[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mi);

	if (m->fd < 0 || getsockopt(m->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) ||
	    len <= SK_MEMINFO_DROPS * sizeof(__u32))
		return 0;
	return mi[SK_MEMINFO_DROPS];
}

void xglb_member_set_key(struct xglb_member *m, const __u8 *key, size_t key_len)
{
	xglb_msg_key_clear(&m->key);
	xglb_msg_key_init(&m->key, key, key_len); /* not ready: every hello fails, counted */
}

void xglb_member_close(struct xglb_member *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	xglb_msg_key_clear(&m->key);
}

int xglb_member_send(struct xglb_member *m, __be32 to, const struct xglb_msg *msg)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(m->port), .sin_addr.s_addr = to};
	__u8 buf[XGLB_MSG_MAX];
	int len = xglb_msg_encode_keyed(msg, &m->key, buf, sizeof(buf));

	if (len < 0) {
		m->tx_err++;
		return len;
	}
	if (sendto(m->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) != len) {
		m->tx_err++;
		return -errno;
	}
	m->tx_ok++;
	return 0;
}

/* The next datagram of the batch, receiving a new batch when it is used up. 0 or -errno. */
static int next_datagram(struct xglb_member *m, struct mmsghdr **out)
{
	struct xglb_member_rxq *q = &m->rxq;
	int n;

	if (q->next >= q->n) {
		for (int i = 0; i < XGLB_MEMBER_BATCH; i++) {
			struct msghdr *h = &q->mm[i].msg_hdr;

			h->msg_name = &q->sa[i];
			h->msg_namelen = sizeof(q->sa[i]);
			h->msg_control = q->cbuf[i];
			h->msg_controllen = sizeof(q->cbuf[i]);
			h->msg_flags = 0;
		}
		q->n = q->next = 0;
		n = recvmmsg(m->fd, q->mm, XGLB_MEMBER_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
		if (n == 0)
			return -EAGAIN;
		q->n = n;
		m->batches++;
	}
	*out = &q->mm[q->next++];
	return 0;
}

int xglb_member_recv(struct xglb_member *m, struct xglb_msg *msg, __be32 *src)
{
	struct mmsghdr *mm = NULL;
	struct msghdr *mh;
	struct cmsghdr *c;
	int ttl = -1, r, err;

	err = next_datagram(m, &mm);
	if (err)
		return err;
	mh = &mm->msg_hdr;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
	if (ttl != 255) {
		m->rx[XGLB_RX_TTL]++;
		return 0;
	}
	r = (mh->msg_flags & MSG_TRUNC)
		? XGLB_RX_LENGTH
		: xglb_msg_decode_keyed(mh->msg_iov->iov_base, mm->msg_len, &m->key, msg);
	if (r != XGLB_RX_OK) {
		m->rx[r]++;
		return 0;
	}
	*src = ((struct sockaddr_in *)mh->msg_name)->sin_addr.s_addr;
	return 1;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* member.c - the membership UDP socket: send with TTL 255, receive with the TTL and the codec
 * checked. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include "member.h"

int xglb_member_open(struct xglb_member *m, __be32 bind_addr, __u16 port, const __u8 *key,
		     size_t key_len)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = bind_addr};
	int one = 1, ttl = 255, err;

	memset(m, 0, sizeof(*m));
	m->key = key;
	m->key_len = key_len;
	m->port = port;
	m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		return -errno;
	/* Peers are on this link only: send with TTL 255 and accept nothing less (RFC 5082). */
	if (setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(m->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(m->fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
	    bind(m->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(m->fd);
		m->fd = -1;
		return err;
	}
	return 0;
}

int xglb_member_admit_only(struct xglb_member *m, const __be32 *addrs, int n)
{
	struct sock_filter f[3 + XGLB_MEMBER_MAX_PEERS + 2];
	struct sock_fprog prog = {.filter = f};
	int i = 0;

	if (n < 0 || n > XGLB_MEMBER_MAX_PEERS)
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
	prog.len = (unsigned short)i;
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

void xglb_member_close(struct xglb_member *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int xglb_member_send(struct xglb_member *m, __be32 to, const struct xglb_msg *msg)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(m->port), .sin_addr.s_addr = to};
	__u8 buf[XGLB_MSG_MAX];
	int len = xglb_msg_encode(msg, m->key, m->key_len, buf, sizeof(buf));

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

int xglb_member_recv(struct xglb_member *m, struct xglb_msg *msg, __be32 *src)
{
	__u8 buf[XGLB_MSG_MAX + 1], cbuf[CMSG_SPACE(sizeof(int))];
	struct sockaddr_in sa;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_name = &sa,
			    .msg_namelen = sizeof(sa),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;
	int ttl = -1, r;

	n = recvmsg(m->fd, &mh, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
	if (ttl != 255) {
		m->rx[XGLB_RX_TTL]++;
		return 0;
	}
	r = (mh.msg_flags & MSG_TRUNC) ? XGLB_RX_LENGTH
				       : xglb_msg_decode(buf, n, m->key, m->key_len, msg);
	if (r != XGLB_RX_OK) {
		m->rx[r]++;
		return 0;
	}
	*src = sa.sin_addr.s_addr;
	return 1;
}

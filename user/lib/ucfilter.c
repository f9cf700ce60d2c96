// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ucfilter.c - the vMAC unicast filter entries wanted, set differences, and their rtnetlink
 * messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "tables.h"
#include "ucfilter.h"

bool xglb_ucf_is_vmac(const __u8 mac[6])
{
	return mac[0] == 0x02 && mac[1] == 0x78 && mac[2] == 0x67 && mac[3] == 0x62;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct xglb_ucf_entry *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

/* Sift e[i] down the max-heap e[0..n-1]. */
static void sift_down(struct xglb_ucf_entry *e, int i, int n)
{
	for (int c; (c = 2 * i + 1) < n; i = c) {
		struct xglb_ucf_entry t;

		if (c + 1 < n && cmp_entry(&e[c], &e[c + 1]) < 0)
			c++;
		if (cmp_entry(&e[i], &e[c]) >= 0)
			return;
		t = e[i];
		e[i] = e[c];
		e[c] = t;
	}
}

/*
 * In place and without allocating: glibc's qsort takes a heap buffer for
 * anything over 1 KiB, and on a heap the JSON of the control socket has
 * fragmented that malloc cost most of a 255-group commit (it consolidates
 * the free lists). A set built in table order is already sorted: one pass.
 */
void xglb_ucf_sort(struct xglb_ucf_set *s)
{
	struct xglb_ucf_entry *e = s->e;
	bool sorted = true;
	int k = 0;

	for (int i = 1; sorted && i < s->n; i++)
		sorted = cmp_entry(&e[i - 1], &e[i]) <= 0;
	for (int i = s->n / 2 - 1; !sorted && i >= 0; i--)
		sift_down(e, i, s->n);
	for (int n = s->n - 1; !sorted && n > 0; n--) {
		struct xglb_ucf_entry t = e[0];

		e[0] = e[n];
		e[n] = t;
		sift_down(e, 0, n);
	}
	for (int i = 0; i < s->n; i++)
		if (!k || cmp_entry(&s->e[k - 1], &s->e[i]))
			s->e[k++] = s->e[i];
	s->n = k;
}

int xglb_ucf_add(struct xglb_ucf_set *s, __u32 ifindex, const __u8 mac[6])
{
	if (s->n >= XGLB_UCF_MAX)
		return -ENOSPC;
	memset(&s->e[s->n], 0, sizeof(s->e[0]));
	s->e[s->n].ifindex = ifindex;
	memcpy(s->e[s->n].mac, mac, 6);
	s->n++;
	return 0;
}

void xglb_ucf_wanted(const struct xglb_group *groups, int n_groups, struct xglb_ucf_set *out)
{
	out->n = 0;
	for (int g = 0; g < n_groups; g++) {
		const struct xglb_group *t = &groups[g];
		int nf = t->n_fwd > XGLB_MAX_FWD ? XGLB_MAX_FWD : t->n_fwd;

		if (!(t->flags & XGLB_GRP_ENABLED))
			continue;
		for (int f = 0; f < nf; f++) {
			for (int i = 0; i < XGLB_GROUP_IFACES; i++)
				if (t->ifindex[i])
					xglb_ucf_add(out, t->ifindex[i], t->fwd[f].vmac);
		}
	}
	xglb_ucf_sort(out);
}

int xglb_ucf_find(const struct xglb_ucf_set *s, __u32 ifindex, const __u8 mac[6])
{
	struct xglb_ucf_entry key = {.ifindex = ifindex};
	const struct xglb_ucf_entry *hit;

	memcpy(key.mac, mac, 6);
	hit = bsearch(&key, s->e, (size_t)s->n, sizeof(s->e[0]), cmp_entry);
	return hit ? (int)(hit - s->e) : -1;
}

void xglb_ucf_minus(const struct xglb_ucf_set *a, const struct xglb_ucf_set *b,
		    struct xglb_ucf_set *out)
{
	int i = 0, j = 0;

	out->n = 0;
	while (i < a->n) {
		int c = j < b->n ? cmp_entry(&a->e[i], &b->e[j]) : -1;

		if (c < 0)
			out->e[out->n++] = a->e[i++];
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
}

int xglb_ucf_count(const struct xglb_ucf_set *s, __u32 ifindex)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		n += s->e[i].ifindex == ifindex;
	return n;
}

int xglb_ucf_msg(void *buf, size_t size, bool add, __u32 ifindex, const __u8 mac[6], __u32 seq)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (size < XGLB_UCF_MSG_MAX || !ifindex || (mac[0] & 1))
		return -EINVAL;
	memset(buf, 0, XGLB_UCF_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	nlh->nlmsg_seq = seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = (int)ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	return (int)nlh->nlmsg_len;
}

int xglb_ucf_dump_msg(void *buf, size_t size, __u32 seq)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (size < XGLB_UCF_MSG_MAX)
		return -EINVAL;
	memset(buf, 0, XGLB_UCF_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	return (int)nlh->nlmsg_len;
}

int xglb_ucf_parse(const struct nlmsghdr *nlh, __u32 *ifindex, __u8 mac[6])
{
	const struct ndmsg *ndm;
	const struct nlattr *attr;
	const __u8 *lladdr = NULL;
	bool master = false;

	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_type != RTM_NEWNEIGH)
		return nlh->nlmsg_len < NLMSG_HDRLEN ? -EINVAL : 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return -EINVAL;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_BRIDGE || !(ndm->ndm_flags & NTF_SELF) ||
	    (ndm->ndm_flags & NTF_MASTER) || ndm->ndm_ifindex <= 0)
		return 0;
	/* mnl_attr_for_each stops at the first attribute that does not fit. */
	mnl_attr_for_each(attr, nlh, sizeof(*ndm))
	{
		if (mnl_attr_get_type(attr) == NDA_LLADDR) {
			if (mnl_attr_get_payload_len(attr) != 6)
				return 0;
			lladdr = mnl_attr_get_payload(attr);
		} else if (mnl_attr_get_type(attr) == NDA_MASTER) {
			master = true;
		}
	}
	if ((const char *)attr != (const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len) &&
	    (const char *)attr < (const char *)nlh + nlh->nlmsg_len)
		return -EINVAL;
	if (!lladdr || master || (lladdr[0] & 1))
		return 0;
	*ifindex = (__u32)ndm->ndm_ifindex;
	memcpy(mac, lladdr, 6);
	return 1;
}

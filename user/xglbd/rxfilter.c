// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rxfilter.c - vMACs on the interfaces' unicast filters (rtnetlink), promiscuous mode where
 * refused. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "log.h"
#include "names.h"
#include "rxfilter.h"

int xglb_rxf_init(struct xglb_rxfilter **out)
{
	struct xglb_rxfilter *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->pkt_fd = -1;
	f->mode = XGLB_RXF_AUTO;
	f->first_pass = true;
	*out = f;
	return 0;
}

static struct xglb_rxf_iface *iface_of(struct xglb_rxfilter *f, __u32 ifindex)
{
	for (int i = 0; i < f->n_if; i++)
		if (f->ifs[i].ifindex == ifindex)
			return &f->ifs[i];
	return NULL;
}

static const char *if_name(struct xglb_rxfilter *f, __u32 ifindex)
{
	struct xglb_rxf_iface *x = iface_of(f, ifindex);

	return x ? x->name : "?";
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

/* One request and its answer: the ACK (0 or -errno), or each message of a dump to cb. */
static int nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)ret, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > 0); /* MNL_CB_OK: a dump goes on */
	return ret < 0 ? -errno : 0;
}

/* Add or remove one entry: 0 or -errno. */
static int entry_op(struct xglb_rxfilter *f, struct mnl_socket *nl, bool add, __u32 ifindex,
		    const __u8 mac[6])
{
	char buf[XGLB_UCF_MSG_MAX] __attribute__((aligned(4)));
	int len = xglb_ucf_msg(buf, sizeof(buf), add, ifindex, mac, ++f->seq);

	if (len < 0)
		return len;
	return nl ? nl_talk(nl, (struct nlmsghdr *)buf, NULL, NULL) : -ENOTCONN;
}

/*
 * Add or remove every entry of S at once: requests sent OPS_BATCH to a
 * datagram, err[i] = 0 or -errno for entry i. Only the last request of a
 * datagram asks for an acknowledgement: the kernel answers a request that
 * fails whether asked or not, and answers in order, so once the last one's
 * answer is in, every request without an error answer before it succeeded.
 * A netlink socket hands out one answer per receive, so a commit that adds
 * 340 vMACs reads 6 answers, not 340 (~2.5 us of system call each).
 */
#define OPS_BATCH 64

static void entry_ops(struct xglb_rxfilter *f, struct mnl_socket *nl, bool add,
		      const struct xglb_ucf_set *s, int *err)
{
	char buf[OPS_BATCH * XGLB_UCF_MSG_MAX] __attribute__((aligned(4)));
	char rx[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(4)));

	for (int base = 0; base < s->n; base += OPS_BATCH) {
		int n = s->n - base < OPS_BATCH ? s->n - base : OPS_BATCH, last = -1, e = 0;
		struct nlmsghdr *last_h = NULL;
		bool done = false;
		__u32 seq0 = f->seq + 1;
		size_t len = 0;

		for (int i = 0; i < n; i++) {
			int l = xglb_ucf_msg(buf + len, XGLB_UCF_MSG_MAX, add,
					     s->e[base + i].ifindex, s->e[base + i].mac, ++f->seq);

			err[base + i] = l < 0 ? l : 1; /* 1: not answered yet */
			if (l <= 0)
				continue;
			if (last_h) /* the one before is not the last: no acknowledgement */
				last_h->nlmsg_flags &= (__u16)~NLM_F_ACK;
			last_h = (struct nlmsghdr *)(buf + len);
			last = i;
			len += (size_t)l;
		}
		if (!nl)
			e = -ENOTCONN;
		else if (len && mnl_socket_sendto(nl, buf, len) < 0)
			e = -errno;
		done = last < 0;
		while (!e && !done) {
			ssize_t r = mnl_socket_recvfrom(nl, rx, sizeof(rx));
			const struct nlmsghdr *h = (const struct nlmsghdr *)rx;
			int left = (int)r;

			if (r < 0) {
				e = -errno;
				break;
			}
			for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
				const struct nlmsgerr *ne = mnl_nlmsg_get_payload(h);
				__u32 i = h->nlmsg_seq - seq0;

				if (h->nlmsg_type != NLMSG_ERROR || i >= (__u32)n ||
				    err[base + i] != 1 ||
				    h->nlmsg_len < mnl_nlmsg_size(sizeof(*ne)))
					continue; /* not an answer to one of ours */
				err[base + i] = ne->error;
				done |= (int)i == last;
			}
		}
		/* no answer before the last one's: done; none at all (e): the error */
		for (int i = 0; i < n; i++)
			if (err[base + i] == 1)
				err[base + i] = e ? e : 0;
	}
}

static int promisc_set(struct xglb_rxfilter *f, struct xglb_rxf_iface *x, bool on)
{
	struct packet_mreq mr = {.mr_ifindex = (int)x->ifindex, .mr_type = PACKET_MR_PROMISC};

	if (x->promisc == on)
		return 0;
	if (f->pkt_fd < 0) {
		/* protocol 0: the socket receives nothing, it only holds memberships */
		f->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (f->pkt_fd < 0)
			return -errno;
	}
	if (setsockopt(f->pkt_fd, SOL_PACKET, on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
		       &mr, sizeof(mr)))
		return -errno;
	x->promisc = on;
	return 0;
}

/* Wanted entries on x's device that it does not hold. */
static int missing(const struct xglb_rxfilter *f, const struct xglb_ucf_set *want, __u32 ifindex)
{
	int n = 0;

	for (int i = 0; i < want->n; i++)
		if (want->e[i].ifindex == ifindex &&
		    xglb_ucf_find(&f->have, ifindex, want->e[i].mac) < 0)
			n++;
	return n;
}

struct dump_ctx {
	struct xglb_rxfilter *f;
	int found;
	struct xglb_ucf_set *seen; /* NULL: adopt into have; else collect every vMAC entry */
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	__u8 mac[6];
	__u32 ifindex;

	if (xglb_ucf_parse(nlh, &ifindex, mac) != 1 || !xglb_ucf_is_vmac(mac) ||
	    !iface_of(c->f, ifindex))
		return MNL_CB_OK;
	if (c->seen) {
		xglb_ucf_add(c->seen, ifindex, mac);
		return MNL_CB_OK;
	}
	if (xglb_ucf_find(&c->f->have, ifindex, mac) >= 0)
		return MNL_CB_OK;
	if (xglb_ucf_add(&c->f->have, ifindex, mac) == 0)
		c->found++;
	return MNL_CB_OK;
}

/* vMAC entries on our interfaces that we do not know of: an earlier xglbd's. */
static int adopt(struct xglb_rxfilter *f, struct mnl_socket *nl)
{
	char buf[XGLB_UCF_MSG_MAX] __attribute__((aligned(4)));
	struct dump_ctx c = {.f = f};
	char mac[XGLB_MAC_STR];
	int n0 = f->have.n, run = n0, err;

	xglb_ucf_dump_msg(buf, sizeof(buf), ++f->seq);
	err = nl_talk(nl, (struct nlmsghdr *)buf, dump_cb, &c);
	for (int i = n0; i < f->have.n; i++) {
		pr_debug("%s: unicast filter holds %s from an earlier run; it is ours",
			 if_name(f, f->have.e[i].ifindex), xglb_fmt_mac(mac, f->have.e[i].mac));
		if (i + 1 < f->have.n && f->have.e[i + 1].ifindex == f->have.e[i].ifindex)
			continue;
		pr_info("%s: unicast filter: %d vMAC(s) from an earlier run adopted",
			if_name(f, f->have.e[i].ifindex), i + 1 - run);
		run = i + 1;
	}
	xglb_ucf_sort(&f->have);
	f->adopted += (__u64)c.found;
	return err;
}

/* Remove the entries of gone from the devices and from have; gone must not alias have. */
static void remove_entries(struct xglb_rxfilter *f, struct mnl_socket *nl,
			   const struct xglb_ucf_set *gone)
{
	char mac[XGLB_MAC_STR];
	int k = 0, n_rm = 0, n_dev = 0, *errs = calloc((size_t)gone->n + 1, sizeof(*errs));

	if (errs)
		entry_ops(f, nl, false, gone, errs);
	for (int i = 0; i < gone->n; i++) {
		const struct xglb_ucf_entry *e = &gone->e[i];
		int j = xglb_ucf_find(&f->have, e->ifindex, e->mac);
		int err = errs ? errs[i] : entry_op(f, nl, false, e->ifindex, e->mac);

		/* ENOENT: someone removed it already; ENODEV: the device went, and its list */
		if (err && err != -ENOENT && err != -ENODEV) {
			f->errors++; /* still ours: tried again at the next change */
			pr_err("%s: removing %s from the unicast filter: %s",
			       if_name(f, e->ifindex), xglb_fmt_mac(mac, e->mac), strerror(-err));
		} else {
			f->removed++;
			if (f->first_pass)
				f->stale_removed++;
			if (err == -ENODEV)
				pr_debug("%s: unicast filter: %s went with the device (ifindex %u)",
					 if_name(f, e->ifindex), xglb_fmt_mac(mac, e->mac),
					 e->ifindex);
			else
				pr_debug("%s: unicast filter: %s removed%s", if_name(f, e->ifindex),
					 xglb_fmt_mac(mac, e->mac),
					 f->first_pass ? " (left by an earlier run)" : "");
			n_dev += err == -ENODEV;
			n_rm += err != -ENODEV;
			if (j >= 0)
				f->have.e[j].ifindex = 0; /* dropped below */
		}
		/* one line per interface at info (the set is sorted by interface) */
		if (i + 1 < gone->n && gone->e[i + 1].ifindex == e->ifindex)
			continue;
		if (n_dev)
			pr_info("%s: unicast filter: %d vMAC(s) went with the device (ifindex %u)",
				if_name(f, e->ifindex), n_dev, e->ifindex);
		if (n_rm)
			pr_info("%s: unicast filter: %d vMAC(s) removed%s", if_name(f, e->ifindex),
				n_rm, f->first_pass ? " (left by an earlier run)" : "");
		n_rm = n_dev = 0;
	}
	free(errs);
	for (int i = 0; i < f->have.n; i++)
		if (f->have.e[i].ifindex)
			f->have.e[k++] = f->have.e[i];
	f->have.n = k;
}

/* Every interface promiscuous (mode promiscuous); failures logged and counted. */
static void promisc_all(struct xglb_rxfilter *f)
{
	for (int i = 0; i < f->n_if; i++) {
		struct xglb_rxf_iface *x = &f->ifs[i];
		int err;

		if (x->promisc)
			continue;
		err = promisc_set(f, x, true);
		if (err) {
			f->errors++;
			pr_err("%s: promiscuous mode (rx-filter: promiscuous): %s; frames to its "
			       "vMACs may never reach xglb",
			       x->name, strerror(-err));
			continue;
		}
		pr_info("%s: promiscuous mode on (rx-filter: promiscuous)", x->name);
	}
}

int xglb_rxf_set_ifaces(struct xglb_rxfilter *f, const __u32 *ifindex,
			const char (*names)[IF_NAMESIZE], int n)
{
	struct xglb_rxf_iface old[XGLB_MAX_IFACES];
	struct mnl_socket *nl = NULL;
	int n_old = f->n_if, err = 0;

	if (n > XGLB_MAX_IFACES)
		return -E2BIG;
	if (f->mode != XGLB_RXF_OFF) {
		nl = nl_open();
		if (!nl) {
			err = -errno;
			f->errors++;
			pr_err("unicast filter: netlink socket: %s", strerror(-err));
		}
	}
	/* Interfaces that leave lose our entries and our promiscuous mode (off: we hold none). */
	f->tmp.n = 0;
	for (int i = 0; i < f->have.n; i++) {
		bool kept = false;

		for (int k = 0; k < n; k++)
			kept |= ifindex[k] == f->have.e[i].ifindex;
		if (!kept)
			f->tmp.e[f->tmp.n++] = f->have.e[i];
	}
	if (f->tmp.n)
		remove_entries(f, nl, &f->tmp);
	for (int i = 0; i < n_old; i++) {
		bool kept = false;

		for (int k = 0; k < n; k++)
			kept |= ifindex[k] == f->ifs[i].ifindex;
		if (kept || !f->ifs[i].promisc)
			continue;
		/* A device that went took our membership with it (EADDRNOTAVAIL). */
		promisc_set(f, &f->ifs[i], false);
		f->ifs[i].promisc = false;
		pr_info("ifindex %u (%s): no longer an xglb interface: promiscuous mode off",
			f->ifs[i].ifindex, f->ifs[i].name);
	}
	memcpy(old, f->ifs, sizeof(old));
	memset(f->ifs, 0, sizeof(f->ifs));
	for (int k = 0; k < n; k++) {
		for (int i = 0; i < n_old; i++)
			if (old[i].ifindex == ifindex[k])
				f->ifs[k] = old[i];
		f->ifs[k].ifindex = ifindex[k];
		snprintf(f->ifs[k].name, IF_NAMESIZE, "%s", names[k]);
	}
	f->n_if = n;
	if (f->mode == XGLB_RXF_PROMISC)
		promisc_all(f);
	if (nl) {
		err = adopt(f, nl);
		mnl_socket_close(nl);
		if (err) {
			f->errors++;
			pr_err("unicast filter: reading the devices' entries: %s", strerror(-err));
		}
	}
	return err;
}

int xglb_rxf_add(struct xglb_rxfilter *f, const struct xglb_ucf_set *want)
{
	struct mnl_socket *nl = NULL;
	char mac[XGLB_MAC_STR];
	static int errs[XGLB_UCF_MAX]; /* not on the heap: a commit allocates nothing */
	int refused = 0, n0 = f->have.n, nl_err = 0, k = 0, n_add = 0, n_there = 0;

	if (f->mode == XGLB_RXF_PROMISC)
		promisc_all(f); /* an interface re-created since has none */
	if (f->mode != XGLB_RXF_AUTO)
		return 0;
	xglb_ucf_minus(want, &f->have, &f->tmp);
	/* Only on the interfaces of the list: not on one that is gone (or not yet back). */
	for (int i = 0; i < f->tmp.n; i++)
		if (iface_of(f, f->tmp.e[i].ifindex))
			f->tmp.e[k++] = f->tmp.e[i];
	f->tmp.n = k;
	for (int i = 0; i < f->n_if; i++)
		f->ifs[i].n_refused = 0;
	if (f->tmp.n && !(nl = nl_open()))
		nl_err = -errno;
	if (nl)
		entry_ops(f, nl, true, &f->tmp, errs);
	for (int i = 0; i < f->tmp.n; i++) {
		const struct xglb_ucf_entry *e = &f->tmp.e[i];
		struct xglb_rxf_iface *x = iface_of(f, e->ifindex);
		int err = !nl ? nl_err : errs[i];

		if (!err || err == -EEXIST) {
			/* EEXIST: on the list already; in the vMAC space it is ours all the same */
			xglb_ucf_add(&f->have, e->ifindex, e->mac);
			f->added += !err;
			n_add += !err;
			n_there += !!err;
			pr_debug("%s: unicast filter: %s %s", if_name(f, e->ifindex),
				 xglb_fmt_mac(mac, e->mac), err ? "was there already" : "added");
		} else {
			refused++;
			f->refused++;
			if (x) {
				/* one warning per interface and error: a NIC that refuses
				 * one vMAC usually refuses all of them */
				if ((x->refused != -err || !x->promisc) && !x->n_refused)
					pr_warn(
					    "%s: the device refuses %s in its unicast filter: %s",
					    x->name, xglb_fmt_mac(mac, e->mac), strerror(-err));
				else
					pr_debug(
					    "%s: the device refuses %s in its unicast filter: %s",
					    x->name, xglb_fmt_mac(mac, e->mac), strerror(-err));
				x->refused = -err;
				x->n_refused++;
			}
		}
		/* one line per interface at info (the set is sorted by interface) */
		if (i + 1 < f->tmp.n && f->tmp.e[i + 1].ifindex == e->ifindex)
			continue;
		if (n_add || n_there)
			pr_info("%s: unicast filter: %d vMAC(s) added, %d there already",
				if_name(f, e->ifindex), n_add, n_there);
		n_add = n_there = 0;
	}
	if (nl)
		mnl_socket_close(nl);
	if (f->have.n != n0)
		xglb_ucf_sort(&f->have);
	for (int i = 0; i < f->n_if; i++) {
		struct xglb_rxf_iface *x = &f->ifs[i];
		int err;

		if (!x->n_refused || x->promisc)
			continue;
		err = promisc_set(f, x, true);
		if (err) {
			f->errors++;
			pr_err(
			    "%s: promiscuous mode: %s; frames to %d vMAC(s) may never reach xglb",
			    x->name, strerror(-err), x->n_refused);
			continue;
		}
		x->fallbacks++;
		f->fallbacks++;
		pr_warn("%s: promiscuous mode on: %d vMAC(s) not in the unicast filter (%s)",
			x->name, x->n_refused, strerror(x->refused));
	}
	return refused;
}

void xglb_rxf_remove(struct xglb_rxfilter *f, const struct xglb_ucf_set *want)
{
	static const struct xglb_ucf_set none; /* empty */
	struct mnl_socket *nl = NULL;

	if (f->mode == XGLB_RXF_OFF) {
		f->first_pass = false;
		return; /* we hold nothing */
	}
	if (f->mode == XGLB_RXF_PROMISC)
		want = &none; /* no entries, every interface promiscuous */
	xglb_ucf_minus(&f->have, want, &f->tmp);
	if (f->tmp.n) {
		nl = nl_open();
		remove_entries(f, nl, &f->tmp);
		if (nl)
			mnl_socket_close(nl);
	}
	f->first_pass = false;
	if (f->mode == XGLB_RXF_PROMISC)
		return;
	for (int i = 0; i < f->n_if; i++) {
		struct xglb_rxf_iface *x = &f->ifs[i];

		x->n_refused = missing(f, want, x->ifindex);
		if (x->n_refused || !x->promisc)
			continue;
		x->refused = 0;
		if (promisc_set(f, x, false) == 0)
			pr_info("%s: promiscuous mode off: the unicast filter holds every vMAC",
				x->name);
	}
}

/* Every entry of ours off the devices (those whose removal fails stay ours). */
static void remove_all(struct xglb_rxfilter *f)
{
	struct mnl_socket *nl;

	if (!f->have.n)
		return;
	nl = nl_open();
	f->tmp.n = f->have.n;
	memcpy(f->tmp.e, f->have.e, (size_t)f->have.n * sizeof(f->have.e[0]));
	remove_entries(f, nl, &f->tmp);
	if (nl)
		mnl_socket_close(nl);
}

void xglb_rxf_set_mode(struct xglb_rxfilter *f, int mode, const struct xglb_ucf_set *want)
{
	int from = f->mode;
	static const char *const what[] = {
	    [XGLB_RXF_AUTO] = "every vMAC of the groups on their interfaces' unicast filters, "
			      "promiscuous mode where a device refuses one",
	    [XGLB_RXF_OFF] = "xglbd leaves the interfaces' unicast filters and promiscuous mode "
			     "alone",
	    [XGLB_RXF_PROMISC] = "every group interface promiscuous, no unicast filter entries",
	};

	if (mode == from || mode < 0 || mode >= XGLB_RXF_MAX)
		return;
	if (f->first_pass && !f->n_if) /* at start */
		pr_info("rx-filter: %s: %s", xglb_rx_filter_name((unsigned)mode), what[mode]);
	else
		pr_info("rx-filter: %s (was %s): %s", xglb_rx_filter_name((unsigned)mode),
			xglb_rx_filter_name((unsigned)from), what[mode]);
	f->mode = mode;
	if (from == XGLB_RXF_OFF) {
		struct mnl_socket *nl = nl_open();
		int err = nl ? adopt(f, nl) : -errno;

		if (nl)
			mnl_socket_close(nl);
		if (err) {
			f->errors++;
			pr_err("unicast filter: reading the devices' entries: %s", strerror(-err));
		}
	}
	switch (mode) {
	case XGLB_RXF_OFF:
		/* From here on xglbd touches nothing: what it holds goes now. */
		remove_all(f);
		for (int i = 0; i < f->n_if; i++) {
			struct xglb_rxf_iface *x = &f->ifs[i];

			if (x->promisc && promisc_set(f, x, false) == 0)
				pr_info("%s: promiscuous mode off (rx-filter: off)", x->name);
			x->n_refused = 0;
			x->refused = 0;
		}
		break;
	case XGLB_RXF_PROMISC:
		/* make (every interface promiscuous) before break (our entries go) */
		xglb_rxf_add(f, want);
		xglb_rxf_remove(f, want);
		for (int i = 0; i < f->n_if; i++)
			f->ifs[i].n_refused = f->ifs[i].refused = 0;
		break;
	default:
		/* make (the entries) before break (a forced promiscuous mode, where none is
		 * missing) */
		xglb_rxf_add(f, want);
		xglb_rxf_remove(f, want);
		break;
	}
}

/*
 * (ifindex, mac), ours, is no longer on its device: forget it; true if it is
 * wanted (the caller puts it back with xglb_rxf_add), said at most once a
 * minute per interface.
 */
static bool lost(struct xglb_rxfilter *f, __u32 ifindex, const __u8 mac[6],
		 const struct xglb_ucf_set *want, const char *how)
{
	struct xglb_rxf_iface *x = iface_of(f, ifindex);
	int j = xglb_ucf_find(&f->have, ifindex, mac);
	char s[XGLB_MAC_STR];
	struct timespec ts;
	__u64 now;

	if (j < 0)
		return false;
	memmove(&f->have.e[j], &f->have.e[j + 1],
		(size_t)(f->have.n - j - 1) * sizeof(f->have.e[0]));
	f->have.n--;
	if (!x || xglb_ucf_find(want, ifindex, mac) < 0)
		return false; /* on its way out anyway */
	f->restored++;
	x->restored++;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	if (x->said_ns && now - x->said_ns < XGLB_RXF_LOG_EVERY_NS) {
		x->unsaid++;
		return true;
	}
	if (x->unsaid)
		pr_warn("%s: unicast filter: %s, a vMAC of its groups, was removed %s: adding it "
			"back (and %d more since the last such message; rx-filter: off if another "
			"tool manages this filter)",
			x->name, xglb_fmt_mac(s, mac), how, x->unsaid);
	else
		pr_warn("%s: unicast filter: %s, a vMAC of its groups, was removed %s: adding it "
			"back (rx-filter: off if another tool manages this filter)",
			x->name, xglb_fmt_mac(s, mac), how);
	x->said_ns = now;
	x->unsaid = 0;
	return true;
}

void xglb_rxf_entry_gone(struct xglb_rxfilter *f, __u32 ifindex, const __u8 mac[6],
			 const struct xglb_ucf_set *want)
{
	if (f->mode != XGLB_RXF_AUTO)
		return;
	if (lost(f, ifindex, mac, want, "by someone else (bridge fdb del ... self)"))
		xglb_rxf_add(f, want);
}

int xglb_rxf_resync(struct xglb_rxfilter *f, __u32 ifindex, const struct xglb_ucf_set *want)
{
	char buf[XGLB_UCF_MSG_MAX] __attribute__((aligned(4)));
	struct dump_ctx c = {.f = f, .seen = &f->seen};
	struct mnl_socket *nl;
	bool retry = false;
	int err, n = 0;

	for (int i = 0; i < f->n_if; i++)
		retry |= f->ifs[i].n_refused && (!ifindex || f->ifs[i].ifindex == ifindex);
	if (f->mode != XGLB_RXF_AUTO || (!f->have.n && !retry))
		return 0;
	nl = nl_open();
	if (!nl) {
		f->errors++;
		return -errno;
	}
	f->seen.n = 0;
	xglb_ucf_dump_msg(buf, sizeof(buf), ++f->seq);
	err = nl_talk(nl, (struct nlmsghdr *)buf, dump_cb, &c);
	mnl_socket_close(nl);
	if (err) {
		f->errors++;
		pr_err("unicast filter: reading the devices' entries: %s", strerror(-err));
		return err;
	}
	f->resyncs++;
	xglb_ucf_sort(&f->seen);
	xglb_ucf_minus(&f->have, &f->seen, &f->tmp);
	for (int i = 0; i < f->tmp.n; i++) {
		const struct xglb_ucf_entry *e = &f->tmp.e[i];

		if (ifindex && e->ifindex != ifindex)
			continue;
		n += lost(f, e->ifindex, e->mac, want, "from the device (a driver reset?)");
	}
	if (n || retry)
		xglb_rxf_add(f, want);
	if (retry) /* promiscuous mode left where the device took what it refused */
		xglb_rxf_remove(f, want);
	return 0;
}

void xglb_rxf_close(struct xglb_rxfilter *f)
{
	static struct xglb_ucf_set none; /* empty */

	if (!f)
		return;
	f->first_pass = false;
	if (f->have.n)
		pr_info("unicast filter: removing %d entries", f->have.n);
	xglb_rxf_remove(f, &none);
	for (int i = 0; i < f->n_if; i++)
		promisc_set(f, &f->ifs[i], false);
	if (f->pkt_fd >= 0)
		close(f->pkt_fd);
	free(f);
}

struct json_object *xglb_rxf_json(const struct xglb_rxfilter *f)
{
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array();
	static const struct {
		const char *key;
		size_t off;
	} ctr[] = {
	    {"added", offsetof(struct xglb_rxfilter, added)},
	    {"removed", offsetof(struct xglb_rxfilter, removed)},
	    {"adopted", offsetof(struct xglb_rxfilter, adopted)},
	    {"stale_removed", offsetof(struct xglb_rxfilter, stale_removed)},
	    {"refused", offsetof(struct xglb_rxfilter, refused)},
	    {"promiscuous_fallbacks", offsetof(struct xglb_rxfilter, fallbacks)},
	    {"restored", offsetof(struct xglb_rxfilter, restored)},
	    {"resyncs", offsetof(struct xglb_rxfilter, resyncs)},
	    {"errors", offsetof(struct xglb_rxfilter, errors)},
	};

	for (int i = 0; f && i < f->n_if; i++) {
		const struct xglb_rxf_iface *x = &f->ifs[i];
		struct json_object *j = json_object_new_object(), *macs = json_object_new_array();
		char mac[XGLB_MAC_STR];

		for (int k = 0; k < f->have.n; k++)
			if (f->have.e[k].ifindex == x->ifindex)
				json_object_array_add(macs, json_object_new_string(xglb_fmt_mac(
								mac, f->have.e[k].mac)));
		json_object_object_add(j, "name", json_object_new_string(x->name));
		json_object_object_add(j, "ifindex", json_object_new_int64(x->ifindex));
		json_object_object_add(j, "entries", macs);
		json_object_object_add(j, "promiscuous", json_object_new_boolean(x->promisc));
		json_object_object_add(j, "missing", json_object_new_int(x->n_refused));
		json_object_object_add(
		    j, "refused", x->refused ? json_object_new_string(strerror(x->refused)) : NULL);
		json_object_object_add(j, "promiscuous_fallbacks",
				       json_object_new_int64((int64_t)x->fallbacks));
		json_object_object_add(j, "restored", json_object_new_int64((int64_t)x->restored));
		json_object_array_add(ifs, j);
	}
	json_object_object_add(
	    o, "mode", json_object_new_string(xglb_rx_filter_name(f ? (unsigned)f->mode : 0)));
	json_object_object_add(o, "interfaces", ifs);
	for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++)
		json_object_object_add(
		    o, ctr[i].key,
		    json_object_new_int64(
			f ? (int64_t) * (const __u64 *)((const char *)f + ctr[i].off) : 0));
	return o;
}

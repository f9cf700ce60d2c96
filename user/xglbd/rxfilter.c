// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rxfilter.c - vMACs on the interfaces' unicast filters (rtnetlink), promiscuous mode where
 * refused. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	__u8 mac[6];
	__u32 ifindex;

	if (xglb_ucf_parse(nlh, &ifindex, mac) != 1 || !xglb_ucf_is_vmac(mac) ||
	    !iface_of(c->f, ifindex) || xglb_ucf_find(&c->f->have, ifindex, mac) >= 0)
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
	int n0 = f->have.n, err;

	xglb_ucf_dump_msg(buf, sizeof(buf), ++f->seq);
	err = nl_talk(nl, (struct nlmsghdr *)buf, dump_cb, &c);
	for (int i = n0; i < f->have.n; i++)
		pr_info("%s: unicast filter holds %s from an earlier run; it is ours",
			if_name(f, f->have.e[i].ifindex), xglb_fmt_mac(mac, f->have.e[i].mac));
	xglb_ucf_sort(&f->have);
	f->adopted += (__u64)c.found;
	return err;
}

/* Remove the entries of gone from the devices and from have; gone must not alias have. */
static void remove_entries(struct xglb_rxfilter *f, struct mnl_socket *nl,
			   const struct xglb_ucf_set *gone)
{
	char mac[XGLB_MAC_STR];
	int k = 0;

	for (int i = 0; i < gone->n; i++) {
		const struct xglb_ucf_entry *e = &gone->e[i];
		int j = xglb_ucf_find(&f->have, e->ifindex, e->mac);
		int err = entry_op(f, nl, false, e->ifindex, e->mac);

		/* ENOENT: someone removed it already; ENODEV: the device went, and its list */
		if (err && err != -ENOENT && err != -ENODEV) {
			f->errors++; /* still ours: tried again at the next change */
			pr_err("%s: removing %s from the unicast filter: %s",
			       if_name(f, e->ifindex), xglb_fmt_mac(mac, e->mac), strerror(-err));
			continue;
		}
		f->removed++;
		if (f->first_pass)
			f->stale_removed++;
		pr_info("%s: unicast filter: %s removed%s", if_name(f, e->ifindex),
			xglb_fmt_mac(mac, e->mac),
			f->first_pass ? " (left by an earlier run)" : "");
		if (j >= 0)
			f->have.e[j].ifindex = 0; /* dropped below */
	}
	for (int i = 0; i < f->have.n; i++)
		if (f->have.e[i].ifindex)
			f->have.e[k++] = f->have.e[i];
	f->have.n = k;
}

int xglb_rxf_set_ifaces(struct xglb_rxfilter *f, const __u32 *ifindex,
			const char (*names)[IF_NAMESIZE], int n)
{
	struct xglb_rxf_iface old[XGLB_MAX_IFACES];
	struct mnl_socket *nl;
	int n_old = f->n_if, err;

	if (n > XGLB_MAX_IFACES)
		return -E2BIG;
	nl = nl_open();
	if (!nl) {
		err = -errno;
		pr_err("unicast filter: netlink socket: %s", strerror(-err));
		return err;
	}
	/* Interfaces that leave lose our entries and our promiscuous mode. */
	f->tmp.n = 0;
	for (int i = 0; i < f->have.n; i++) {
		bool kept = false;

		for (int k = 0; k < n; k++)
			kept |= ifindex[k] == f->have.e[i].ifindex;
		if (!kept)
			f->tmp.e[f->tmp.n++] = f->have.e[i];
	}
	remove_entries(f, nl, &f->tmp);
	for (int i = 0; i < n_old; i++) {
		bool kept = false;

		for (int k = 0; k < n; k++)
			kept |= ifindex[k] == f->ifs[i].ifindex;
		if (!kept && f->ifs[i].promisc && promisc_set(f, &f->ifs[i], false) == 0)
			pr_info("%s: no longer an xglb interface: promiscuous mode off",
				f->ifs[i].name);
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
	err = adopt(f, nl);
	mnl_socket_close(nl);
	if (err)
		pr_err("unicast filter: reading the devices' entries: %s", strerror(-err));
	return err;
}

int xglb_rxf_add(struct xglb_rxfilter *f, const struct xglb_ucf_set *want)
{
	struct mnl_socket *nl = NULL;
	char mac[XGLB_MAC_STR];
	int refused = 0, n0 = f->have.n, nl_err = 0;

	xglb_ucf_minus(want, &f->have, &f->tmp);
	for (int i = 0; i < f->n_if; i++)
		f->ifs[i].n_refused = 0;
	if (f->tmp.n && !(nl = nl_open()))
		nl_err = -errno;
	for (int i = 0; i < f->tmp.n; i++) {
		const struct xglb_ucf_entry *e = &f->tmp.e[i];
		struct xglb_rxf_iface *x = iface_of(f, e->ifindex);
		int err = nl ? entry_op(f, nl, true, e->ifindex, e->mac) : nl_err;
		if (!err || err == -EEXIST) {
			/* EEXIST: on the list already; in the vMAC space it is ours all the same */
			xglb_ucf_add(&f->have, e->ifindex, e->mac);
			f->added += !err;
			pr_info("%s: unicast filter: %s %s", if_name(f, e->ifindex),
				xglb_fmt_mac(mac, e->mac), err ? "was there already" : "added");
			continue;
		}
		refused++;
		f->refused++;
		if (x) {
			if (x->refused != -err || !x->promisc)
				pr_warn("%s: the device refuses %s in its unicast filter: %s",
					x->name, xglb_fmt_mac(mac, e->mac), strerror(-err));
			x->refused = -err;
			x->n_refused++;
		}
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
		pr_warn("%s: promiscuous mode on: %d owned vMAC(s) not in the unicast filter (%s)",
			x->name, x->n_refused, strerror(x->refused));
	}
	return refused;
}

void xglb_rxf_remove(struct xglb_rxfilter *f, const struct xglb_ucf_set *want)
{
	struct mnl_socket *nl = NULL;

	xglb_ucf_minus(&f->have, want, &f->tmp);
	if (f->tmp.n) {
		nl = nl_open();
		remove_entries(f, nl, &f->tmp);
		if (nl)
			mnl_socket_close(nl);
	}
	f->first_pass = false;
	for (int i = 0; i < f->n_if; i++) {
		struct xglb_rxf_iface *x = &f->ifs[i];

		x->n_refused = missing(f, want, x->ifindex);
		if (x->n_refused || !x->promisc)
			continue;
		x->refused = 0;
		if (promisc_set(f, x, false) == 0)
			pr_info(
			    "%s: promiscuous mode off: the unicast filter holds every owned vMAC",
			    x->name);
	}
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
		json_object_array_add(ifs, j);
	}
	json_object_object_add(o, "interfaces", ifs);
	for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++)
		json_object_object_add(
		    o, ctr[i].key,
		    json_object_new_int64(
			f ? (int64_t) * (const __u64 *)((const char *)f + ctr[i].off) : 0));
	return o;
}

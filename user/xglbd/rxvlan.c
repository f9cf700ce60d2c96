// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rxvlan.c - receive VLAN offload off where xglb_xdp runs, off the event loop (rxvlan.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "log.h"
#include "netif.h"
#include "rxvlan.h"
#include "worker.h"

/* The readers take the lock of a const state: it is the one thing they change. */
#define LOCK(r)	  pthread_mutex_lock((pthread_mutex_t *)&(r)->lock)
#define UNLOCK(r) pthread_mutex_unlock((pthread_mutex_t *)&(r)->lock)

const struct xglb_rxvlan_ops xglb_rxvlan_netif = {
    .get = xglb_netif_rxvlan_get,
    .set = xglb_netif_rxvlan_set,
};

void xglb_rxvlan_init(struct xglb_rxvlan *r, const struct xglb_rxvlan_ops *ops)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->wake_fd = -1;
	pthread_mutex_init(&r->lock, NULL);
}

/* Under the lock: IFINDEX's refusal is counted already; if not, count it now. */
static bool refusal_counted(struct xglb_rxvlan *r, __u32 ifindex)
{
	for (int k = 0; k < r->n_refused_if; k++)
		if (r->refused_if[k] == ifindex)
			return true;
	r->refused_if[r->next_refused_if] = ifindex; /* the oldest makes room */
	r->next_refused_if = (r->next_refused_if + 1) % XGLB_RXVLAN_REFUSED_MAX;
	if (r->n_refused_if < XGLB_RXVLAN_REFUSED_MAX)
		r->n_refused_if++;
	r->refused++;
	return false;
}

/* Under the lock: IFNAME's offload was read as STATE. */
static void seen_set(struct xglb_rxvlan *r, const char *ifname, int state)
{
	int k = 0;

	while (k < r->n_seen && strcmp(r->seen[k].name, ifname))
		k++;
	if (k == r->n_seen) {
		if (r->n_seen == XGLB_MAX_IFACES)
			return;
		snprintf(r->seen[r->n_seen++].name, IF_NAMESIZE, "%s", ifname);
	}
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->seen[k].state = state;
	r->seen[k].read_ns = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void seen(struct xglb_rxvlan *r, const char *ifname, int state)
{
	LOCK(r);
	seen_set(r, ifname, state);
	UNLOCK(r);
}

/*
 * Off on each of IFS (unless only read: read_only, or change false): one
 * ioctl to read it, and where it is on, the change (which a driver may pay
 * with a reset) and a read back; no lock is held meanwhile. What was read
 * (or made) is kept for status (seen). An interface gone meanwhile is
 * skipped: it is asked for again when it comes back (netwatch). A refusal
 * is warned about and counted once per ifindex; the data path stays where
 * it is (use datapath: tc).
 */
static void apply(struct xglb_rxvlan *r, const struct xglb_rxvlan_if *ifs, int n, bool change)
{
	for (int i = 0; i < n; i++) {
		const char *ifname = ifs[i].name;
		bool mine = false, counted;
		int on, ret;

		on = r->ops->get(ifname);
		if (on == 0 || on == -ENODEV || !change || ifs[i].read_only) {
			seen(r, ifname, on);
			continue;
		}
		ret = on < 0 ? on : r->ops->set(ifname, false);
		if (ret == -ENODEV) {
			seen(r, ifname, ret);
			continue;
		}
		LOCK(r);
		/* refused: on as it was, or unknown if it could not even be read */
		seen_set(r, ifname, ret ? on : 0);
		if (ret) {
			counted = refusal_counted(r, ifs[i].ifindex);
			UNLOCK(r);
			if (!counted)
				pr_warn(
				    "%s: cannot turn receive VLAN offload off (%s): the driver "
				    "may take 802.1Q tags out of frames before XDP, so xglb_xdp "
				    "could answer, learn from or readdress a tagged frame as "
				    "untagged; use datapath: tc on this interface if it receives "
				    "tagged frames",
				    ifname, strerror(-ret));
			continue;
		}
		for (int k = 0; k < r->n_off; k++)
			mine |= !strcmp(r->off[k], ifname);
		if (!mine && r->n_off < XGLB_MAX_IFACES)
			snprintf(r->off[r->n_off++], IF_NAMESIZE, "%s", ifname);
		UNLOCK(r);
		pr_info("%s: receive VLAN offload off (was on), so tags stay in the frame for XDP",
			ifname);
	}
}

static void *run(void *arg)
{
	static struct xglb_rxvlan_if todo[XGLB_MAX_IFACES]; /* one thread per process */
	struct xglb_rxvlan *r = arg;

	for (;;) {
		eventfd_t v;
		__u64 gen, rgen;
		int n;

		poll(&(struct pollfd){.fd = r->wake_fd, .events = POLLIN}, 1, -1);
		eventfd_read(r->wake_fd, &v);
		LOCK(r);
		if (r->stop) {
			UNLOCK(r);
			break;
		}
		n = r->n_want;
		memcpy(todo, r->want, sizeof(todo[0]) * (size_t)n);
		gen = r->asked;
		rgen = r->reread;
		UNLOCK(r);
		/* done, reread_done: read unlocked, only this thread writes them */
		if (gen != r->done)
			apply(r, todo, n, true); /* a request reads them all as well */
		else if (rgen != r->reread_done)
			apply(r, todo, n, false);
		else
			continue;
		LOCK(r);
		r->done = gen;
		r->reread_done = rgen;
		UNLOCK(r);
	}
	return NULL;
}

int xglb_rxvlan_start(struct xglb_rxvlan *r)
{
	int err;

	err = xglb_worker_start_woken(&r->thread, &r->wake_fd, run, r);
	if (err)
		return err;
	r->running = true;
	return 0;
}

void xglb_rxvlan_ask(struct xglb_rxvlan *r, const struct xglb_rxvlan_if *ifs, int n)
{
	__u64 gen;

	if (n > XGLB_MAX_IFACES)
		n = XGLB_MAX_IFACES;
	LOCK(r);
	memcpy(r->want, ifs, sizeof(ifs[0]) * (size_t)n);
	r->n_want = n;
	gen = ++r->asked;
	/* the states kept are those of the interfaces asked for: the others are forgotten */
	for (int k = 0; k < r->n_seen; k++) {
		bool wanted = false;

		for (int i = 0; i < n; i++)
			wanted |= !strcmp(ifs[i].name, r->seen[k].name);
		if (!wanted)
			r->seen[k--] = r->seen[--r->n_seen];
	}
	UNLOCK(r);
	if (r->running) {
		if (eventfd_write(r->wake_fd, 1) == 0)
			return;
		pr_warn("receive VLAN offload: waking its thread: %s (changed here)",
			strerror(errno));
	}
	apply(r, ifs, n, true);
	LOCK(r);
	r->done = gen;
	UNLOCK(r);
}

void xglb_rxvlan_refresh(struct xglb_rxvlan *r)
{
	if (!r->running)
		return; /* never an ioctl here: the caller is the event loop */
	LOCK(r);
	r->reread++;
	UNLOCK(r);
	if (eventfd_write(r->wake_fd, 1))
		pr_warn("receive VLAN offload: waking its thread: %s", strerror(errno));
}

bool xglb_rxvlan_idle(const struct xglb_rxvlan *r)
{
	bool idle;

	LOCK(r);
	idle = r->done == r->asked && r->reread_done == r->reread;
	UNLOCK(r);
	return idle;
}

int xglb_rxvlan_state(const struct xglb_rxvlan *r, const char *ifname)
{
	int state = -ENOENT;

	LOCK(r);
	for (int k = 0; k < r->n_seen; k++)
		if (!strcmp(r->seen[k].name, ifname))
			state = r->seen[k].state;
	UNLOCK(r);
	return state;
}

__u64 xglb_rxvlan_read_ns(const struct xglb_rxvlan *r, const char *ifname)
{
	__u64 ns = 0;

	LOCK(r);
	for (int k = 0; k < r->n_seen; k++)
		if (!strcmp(r->seen[k].name, ifname))
			ns = r->seen[k].read_ns;
	UNLOCK(r);
	return ns;
}

bool xglb_rxvlan_ours(const struct xglb_rxvlan *r, const char *ifname)
{
	bool ours = false;

	LOCK(r);
	for (int k = 0; k < r->n_off; k++)
		ours |= !strcmp(r->off[k], ifname);
	UNLOCK(r);
	return ours;
}

__u64 xglb_rxvlan_refused(const struct xglb_rxvlan *r)
{
	__u64 n;

	LOCK(r);
	n = r->refused;
	UNLOCK(r);
	return n;
}

void xglb_rxvlan_restore(struct xglb_rxvlan *r)
{
	if (r->running) {
		LOCK(r);
		r->stop = true;
		UNLOCK(r);
		xglb_worker_stop(r->thread, &r->wake_fd, "the receive VLAN offload thread");
		r->running = false;
	}
	for (int k = 0; k < r->n_off; k++) {
		int ret = r->ops->set(r->off[k], true);

		if (ret && ret != -ENODEV) /* an interface gone meanwhile has nothing to restore */
			pr_warn("%s: turning receive VLAN offload on again: %s", r->off[k],
				strerror(-ret));
		else if (!ret)
			pr_info("%s: receive VLAN offload on again", r->off[k]);
	}
	r->n_off = 0;
}

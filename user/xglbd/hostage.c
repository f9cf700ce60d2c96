// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hostage.c - the host table's ageing thread (see hostage.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <bpf/bpf.h>
#include "hostage.h"
#include "log.h"
#include "worker.h"

#define BATCH 4096 /* entries per step of the walk */

/* The most a table this full may lose: KEEP (room), ONCE (half full), IDLE (7/8 full). */
static enum xglb_hostage_why pressure(__u64 entries, __u64 cap)
{
	if (entries * 8 >= cap * 7)
		return XGLB_HOSTAGE_IDLE;
	if (entries * 2 >= cap)
		return XGLB_HOSTAGE_ONCE;
	return XGLB_HOSTAGE_KEEP;
}

/* Why h would go in a full table (its own standing, before pressure). */
static enum xglb_hostage_why standing(const struct xglb_host *h, __u64 now, __u32 hz)
{
	__s64 idle = (__s64)(now - h->last_jiffies);

	if (idle < 0)
		return XGLB_HOSTAGE_KEEP; /* seen after `now` was read */
	if (!(h->flags & XGLB_HOST_ESTABLISHED))
		return idle >= (__s64)XGLB_HOSTAGE_PROBATION_S * hz ? XGLB_HOSTAGE_ONCE
								    : XGLB_HOSTAGE_KEEP;
	return idle >= (__s64)XGLB_HOSTAGE_IDLE_S * hz ? XGLB_HOSTAGE_IDLE : XGLB_HOSTAGE_KEEP;
}

enum xglb_hostage_why xglb_hostage_verdict(const struct xglb_host *h, __u64 now, __u32 hz,
					   __u64 entries, __u64 cap)
{
	enum xglb_hostage_why why = hz ? standing(h, now, hz) : XGLB_HOSTAGE_KEEP;

	return why <= pressure(entries, cap) ? why : XGLB_HOSTAGE_KEEP;
}

/* The removal candidates met so far: keys and why, growing. */
struct cands {
	struct xglb_host_key *keys;
	__u8 *why;
	size_t n, room;
};

static int cand_add(struct cands *c, const struct xglb_host_key *k, enum xglb_hostage_why why)
{
	if (c->n == c->room) {
		size_t room = c->room ? 2 * c->room : 1024;
		struct xglb_host_key *keys = realloc(c->keys, room * sizeof(*keys));
		__u8 *w;

		if (!keys)
			return -ENOMEM;
		c->keys = keys;
		w = realloc(c->why, room);
		if (!w)
			return -ENOMEM;
		c->why = w;
		c->room = room;
	}
	c->keys[c->n] = *k;
	c->why[c->n++] = (__u8)why;
	return 0;
}

/* One entry met by the walk: counted, and a candidate if a full table would lose it. */
static int meet(struct cands *c, struct xglb_hostage_pass *p, const struct xglb_host_key *k,
		const struct xglb_host *h, __u64 now, __u32 hz)
{
	enum xglb_hostage_why why = hz ? standing(h, now, hz) : XGLB_HOSTAGE_KEEP;

	p->entries++;
	p->established += (h->flags & XGLB_HOST_ESTABLISHED) != 0;
	return why == XGLB_HOSTAGE_KEEP ? 0 : cand_add(c, k, why);
}

/* The whole table, BATCH hosts at a time. */
static int walk(const struct xglb_hosttab *t, struct cands *c, struct xglb_hostage_pass *p,
		__u64 now, __u32 hz)
{
	struct xglb_host_key *keys = calloc(BATCH, sizeof(*keys));
	struct xglb_host *vals = calloc(BATCH, sizeof(*vals));
	__u64 cursor = 0;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!err && cursor < t->n_ways) {
		__u32 n = xglb_hosttab_walk(t, &cursor, keys, vals, BATCH);

		for (__u32 i = 0; i < n && !err; i++)
			err = meet(c, p, &keys[i], &vals[i], now, hz);
	}
out:
	free(keys);
	free(vals);
	return err;
}

/*
 * Host k sent frames through a forwarder this node owns: xglb_seen (the
 * owner's learning, bpf/lib/vmac.h) holds it under the same key. The AVG
 * answers ARP; the owner of the host's forwarder sees its traffic. Where
 * the AVG owns that forwarder, this is how the AVG learns the host is
 * real, even though it re-confirms its neighbour by unicast ARP to the
 * vMAC (answered by the owner) rather than asking the AVG again.
 */
static bool sent_traffic(int seen_fd, const struct xglb_host_key *k)
{
	struct xglb_seen s;

	return seen_fd >= 0 && bpf_map_lookup_elem(seen_fd, k, &s) == 0;
}

int xglb_hostage_run(const struct xglb_hosttab *t, __u64 cap, __u64 now, __u32 hz, __u32 *gen,
		     struct xglb_hostage_pass *out)
{
	return xglb_hostage_run_seen(t, -1, cap, now, hz, gen, out);
}

int xglb_hostage_run_seen(const struct xglb_hosttab *t, int seen_fd, __u64 cap, __u64 now, __u32 hz,
			  __u32 *gen, struct xglb_hostage_pass *out)
{
	struct cands c = {0};
	enum xglb_hostage_why most;
	int err;

	memset(out, 0, sizeof(*out));
	err = walk(t, &c, out, now, hz);
	most = pressure(out->entries, cap);
	for (size_t i = 0; !err && i < c.n; i++) {
		struct xglb_host h;

		if (c.why[i] > most)
			continue;
		if (sent_traffic(seen_fd, &c.keys[i])) { /* neither answered once nor idle */
			out->kept_seen++;
			continue;
		}
		/* judged again as it is now: it may have asked since the walk read it */
		if (xglb_hosttab_lookup(t, &c.keys[i], &h) ||
		    xglb_hostage_verdict(&h, now, hz, out->entries, cap) != c.why[i] ||
		    xglb_hosttab_delete(t, &c.keys[i], &h))
			continue;
		if (c.why[i] == XGLB_HOSTAGE_ONCE)
			out->aged_once++;
		else
			out->aged_idle++;
	}
	if (gen && out->aged_once + out->aged_idle)
		__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);
	free(c.keys);
	free(c.why);
	return err;
}

static void *run(void *arg)
{
	struct xglb_hostage *ha = arg;
	struct sched_param idle = {0};
	bool warned = false;

	/* runs only when a CPU has nothing else to do: never before a hello or a heartbeat */
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle))
		pr_warn("ageing xglb_hosts: no idle scheduling class; it runs at normal priority");

	for (;;) {
		struct xglb_hostage_pass p;
		__u32 hz = __atomic_load_n(&ha->ctl->hz, __ATOMIC_ACQUIRE);
		__u64 now = __atomic_load_n(&ha->ctl->hb_jiffies, __ATOMIC_ACQUIRE);
		int err = xglb_hostage_run_seen(ha->tab, ha->seen_fd, ha->cap, now, hz,
						&ha->ctl->hosts_gen, &p);
		__u32 reaped =
		    xglb_hosttab_reap(ha->tab, ha->stale, XGLB_HOSTAGE_STALE_MAX, &ha->n_stale);

		if (reaped)
			pr_warn("host table: %u ways left half-written by a writer that died freed",
				reaped);

		if (p.aged_once + p.aged_idle)
			pr_info("host table %llu of %llu entries (%llu established): %llu hosts "
				"answered once removed after %d s, %llu established hosts idle "
				"for %d s; %llu kept, seen sending through this node's forwarders",
				(unsigned long long)p.entries, (unsigned long long)ha->cap,
				(unsigned long long)p.established, (unsigned long long)p.aged_once,
				XGLB_HOSTAGE_PROBATION_S, (unsigned long long)p.aged_idle,
				XGLB_HOSTAGE_IDLE_S, (unsigned long long)p.kept_seen);
		if (err && !warned)
			pr_warn("ageing xglb_hosts: %s (nothing is removed from a full table until "
				"it works)",
				strerror(-err));
		warned |= err != 0;
		pthread_mutex_lock(&ha->lock);
		if (!err) {
			ha->last = p;
			ha->passes++;
		}
		ha->aged_once += p.aged_once;
		ha->aged_idle += p.aged_idle;
		pthread_mutex_unlock(&ha->lock);
		/*
		 * A relative wait the kernel times, on the eventfd that stops the
		 * thread: an absolute deadline read through a faked clock (libfaketime)
		 * could lie in the past and the thread would spin.
		 */
		if (poll(&(struct pollfd){.fd = ha->wake_fd, .events = POLLIN}, 1,
			 XGLB_HOSTAGE_PERIOD_S * 1000) != 0)
			break; /* stopped (or the eventfd failed: stop ageing rather than spin) */
	}
	return NULL;
}

int xglb_hostage_start(struct xglb_hostage *ha, const struct xglb_hosttab *tab, __u64 cap,
		       struct xglb_ctl *ctl)
{
	return xglb_hostage_start_seen(ha, tab, -1, cap, ctl);
}

static void close_seen(struct xglb_hostage *ha)
{
	if (ha->seen_fd >= 0)
		close(ha->seen_fd);
	ha->seen_fd = -1;
}

/* The thread's descriptors. */
static void release(struct xglb_hostage *ha)
{
	close(ha->wake_fd);
	close_seen(ha);
	ha->wake_fd = -1;
	ha->tab = NULL;
}

int xglb_hostage_start_seen(struct xglb_hostage *ha, const struct xglb_hosttab *tab, int seen_fd,
			    __u64 cap, struct xglb_ctl *ctl)
{
	int err;

	memset(ha, 0, sizeof(*ha));
	ha->seen_fd = ha->wake_fd = -1;
	if (!ctl || !cap || !tab || !tab->ways)
		return -EINVAL;
	ha->cap = cap;
	ha->ctl = ctl;
	ha->tab = tab;
	if (seen_fd >= 0) {
		ha->seen_fd = fcntl(seen_fd, F_DUPFD_CLOEXEC, 0);
		if (ha->seen_fd < 0)
			return -errno;
	}
	ha->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ha->wake_fd < 0) {
		err = -errno;
		close_seen(ha);
		return err;
	}
	pthread_mutex_init(&ha->lock, NULL);
	err = xglb_worker_start(&ha->thread, run, ha);
	if (err) {
		release(ha);
		return -err;
	}
	ha->running = true;
	return 0;
}

void xglb_hostage_stop(struct xglb_hostage *ha)
{
	if (!ha->running)
		return;
	if (eventfd_write(ha->wake_fd, 1))
		pr_warn("stopping the ageing of xglb_hosts: %s", strerror(errno));
	pthread_join(ha->thread, NULL);
	release(ha);
	ha->running = false;
}

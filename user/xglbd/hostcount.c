// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hostcount.c - the thread counting xglb_hosts and xglb_seen (see hostcount.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <bpf/bpf.h>
#include "hostcount.h"
#include "log.h"
#include "worker.h"

#define BATCH	     4096 /* hosts per step of a walk; xglb_seen: entries per lookup */
#define SEEN_SCRATCH (BATCH * (sizeof(struct xglb_host_key) + sizeof(struct xglb_seen)))

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One entry counted: in its group, and by the families it asked in. */
static void count(struct xglb_hostcount_snap *s, const struct xglb_host_key *k,
		  const struct xglb_host *h)
{
	s->hosts[k->gid]++;
	s->hosts4[k->gid] += h->ip != 0;
	s->hosts6[k->gid] += (h->flags & XGLB_HOST_NDP) != 0;
	s->entries++;
}

/* One walk of the mapped table, BATCH hosts at a time. */
static int walk(struct xglb_hostcount *hc, struct xglb_hostcount_snap *s,
		struct xglb_host_key *keys, struct xglb_host *vals)
{
	__u64 cursor = 0;
	bool stop;

	while (cursor < hc->tab->n_ways) {
		__u32 n = xglb_hosttab_walk(hc->tab, &cursor, keys, vals, BATCH);

		for (__u32 i = 0; i < n; i++)
			count(s, &keys[i], &vals[i]);
		pthread_mutex_lock(&hc->lock);
		stop = hc->stop;
		pthread_mutex_unlock(&hc->lock);
		if (stop)
			return -EINTR;
	}
	return 0;
}

double xglb_hostcount_pause_s(double walk_s)
{
	double s = walk_s * XGLB_HOSTCOUNT_IDLE_X;

	return s > XGLB_HOSTCOUNT_PERIOD_S ? s : XGLB_HOSTCOUNT_PERIOD_S;
}

/* The entries of xglb_seen, in batches (keys and values land in scratch). 0 or -errno. */
static int count_seen(struct xglb_hostcount *hc, __u64 *n_out, void *scratch, size_t size)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct xglb_host_key *keys = scratch;
	struct xglb_seen *vals = (void *)((char *)scratch + BATCH * sizeof(*keys));
	__u64 in = 0, out = 0;
	void *inp = NULL;

	*n_out = 0;
	if (hc->seen_fd < 0 || size < BATCH * (sizeof(*keys) + sizeof(*vals)))
		return 0;
	for (;;) {
		__u32 n = BATCH;
		int err = bpf_map_lookup_batch(hc->seen_fd, inp, &out, keys, vals, &n, &opts);

		if (err && errno != ENOENT)
			return -errno;
		*n_out += n;
		if (err)
			return 0;
		in = out;
		inp = &in;
	}
}

static void *run(void *arg)
{
	struct xglb_hostcount *hc = arg;
	struct xglb_host_key *keys = calloc(BATCH, sizeof(*keys));
	struct xglb_host *vals = calloc(BATCH, sizeof(*vals));
	void *seen = hc->seen_fd >= 0 ? malloc(SEEN_SCRATCH) : NULL;
	bool warned = false;

	for (;;) {
		struct xglb_hostcount_snap s = {0};
		__u64 t0 = mono_ns();
		int err = keys && vals ? walk(hc, &s, keys, vals) : -ENOMEM;
		int pause_ms;

		if (!err && seen)
			count_seen(hc, &s.seen_entries, seen, SEEN_SCRATCH); /* error: 0, no harm */

		pthread_mutex_lock(&hc->lock);
		if (hc->stop) {
			pthread_mutex_unlock(&hc->lock);
			break;
		}
		if (!err) {
			s.walks = hc->snap.walks + 1;
			s.start_ns = t0;
			s.done_ns = mono_ns();
			s.walk_s = (s.done_ns - t0) / 1e9;
			hc->snap = s;
		}
		pause_ms = (int)(xglb_hostcount_pause_s((mono_ns() - t0) / 1e9) * 1000);
		pthread_mutex_unlock(&hc->lock);
		if (err && !warned) {
			pr_warn(
			    "counting xglb_hosts: %s (host counts in /metrics stay as they were)",
			    strerror(-err));
			warned = true;
		}
		/*
		 * A relative wait the kernel times: a deadline in absolute
		 * time read through clock_gettime (pthread_cond_timedwait)
		 * goes wrong when that clock is not the kernel's, as under
		 * libfaketime with only the wall clock faked, where a deadline
		 * hours in the past made this thread spin. xglb_hostcount_stop
		 * ends the wait through wake_fd.
		 */
		poll(&(struct pollfd){.fd = hc->wake_fd, .events = POLLIN}, 1, pause_ms);
	}
	free(keys);
	free(vals);
	free(seen);
	return NULL;
}

/* The thread's descriptors (started or not). */
static void release(struct xglb_hostcount *hc)
{
	close(hc->wake_fd);
	if (hc->seen_fd >= 0)
		close(hc->seen_fd);
	hc->wake_fd = hc->seen_fd = -1;
	hc->tab = NULL;
}

int xglb_hostcount_start(struct xglb_hostcount *hc, const struct xglb_hosttab *tab, int seen_fd)
{
	int err;

	memset(hc, 0, sizeof(*hc));
	hc->wake_fd = hc->seen_fd = -1;
	if (!tab || !tab->ways)
		return -EINVAL;
	hc->tab = tab;
	hc->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (hc->wake_fd < 0)
		return -errno;
	hc->seen_fd = seen_fd >= 0 ? fcntl(seen_fd, F_DUPFD_CLOEXEC, 0) : -1;
	pthread_mutex_init(&hc->lock, NULL);
	err = xglb_worker_start(&hc->thread, run, hc);
	if (err) {
		release(hc);
		return -err;
	}
	hc->started_ns = mono_ns();
	hc->running = true;
	return 0;
}

void xglb_hostcount_stop(struct xglb_hostcount *hc)
{
	if (!hc->running)
		return;
	pthread_mutex_lock(&hc->lock);
	hc->stop = true;
	pthread_mutex_unlock(&hc->lock);
	if (eventfd_write(hc->wake_fd, 1))
		pr_warn("stopping the host counter: %s", strerror(errno));
	pthread_join(hc->thread, NULL);
	release(hc);
	hc->running = false;
}

void xglb_hostcount_get(struct xglb_hostcount *hc, struct xglb_hostcount_snap *out)
{
	if (!hc->running) {
		memset(out, 0, sizeof(*out));
		return;
	}
	pthread_mutex_lock(&hc->lock);
	*out = hc->snap;
	pthread_mutex_unlock(&hc->lock);
}

void xglb_hostcount_seen(struct xglb_hostcount *hc, __u64 *walks, __u64 *entries, __u64 *start_ns)
{
	*walks = *entries = *start_ns = 0;
	if (!hc->running)
		return;
	pthread_mutex_lock(&hc->lock);
	*walks = hc->snap.walks;
	*entries = hc->snap.seen_entries;
	*start_ns = hc->snap.start_ns;
	pthread_mutex_unlock(&hc->lock);
}

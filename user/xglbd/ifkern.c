// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ifkern.c - the data path interfaces as the kernel has them, read off the event loop (ifkern.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ifkern.h"
#include "log.h"
#include "netif.h"
#include "worker.h"

/* The readers take the lock of a const state: it is the one thing they change. */
#define LOCK(k)	  pthread_mutex_lock((pthread_mutex_t *)&(k)->lock)
#define UNLOCK(k) pthread_mutex_unlock((pthread_mutex_t *)&(k)->lock)

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* The programs at OUT's tcx hook TYPE, by name, into slot S. */
static void tcx_read(struct xglb_ifkern_if *out, int s, int type)
{
	__u32 ids[XGLB_TCX_MAX];
	int n = xglb_tcx_list(out->ifindex, type, ids, XGLB_TCX_MAX);

	out->n_tcx[s] = n > 0 ? n : 0;
	for (int i = 0; i < out->n_tcx[s]; i++)
		if (xglb_tcx_prog_name(ids[i], out->tcx[s][i], BPF_OBJ_NAME_LEN))
			snprintf(out->tcx[s][i], BPF_OBJ_NAME_LEN, "?");
}

/* One netlink query (XDP), one ioctl (MTU) and with tcx a few bpf calls. */
static void kernel_read(struct xglb_ifkern_if *out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	out->mtu = xglb_netif_mtu(out->ifindex);
	out->xdp = XGLB_IFKERN_XDP_UNKNOWN;
	out->xdp_prog[0] = 0;
	if (!bpf_xdp_query((int)out->ifindex, 0, &q)) {
		__u32 id = q.attach_mode == XDP_ATTACHED_DRV   ? q.drv_prog_id
			   : q.attach_mode == XDP_ATTACHED_SKB ? q.skb_prog_id
			   : q.attach_mode == XDP_ATTACHED_HW  ? q.hw_prog_id
							       : 0;
		int fd = id ? bpf_prog_get_fd_by_id(id) : -1;

		out->xdp = q.attach_mode;
		if (fd >= 0) {
			struct bpf_prog_info info = {0};
			__u32 len = sizeof(info);

			if (!bpf_obj_get_info_by_fd(fd, &info, &len))
				snprintf(out->xdp_prog, sizeof(out->xdp_prog), "%s", info.name);
			close(fd);
		}
	}
	out->n_tcx[0] = out->n_tcx[1] = 0;
	if (out->has_tcx) {
		tcx_read(out, 0, XGLB_TCX_INGRESS);
		tcx_read(out, 1, XGLB_TCX_EGRESS);
	}
}

const struct xglb_ifkern_ops xglb_ifkern_kernel = {.read = kernel_read};

int xglb_ifkern_init(struct xglb_ifkern *k, const struct xglb_ifkern_ops *ops,
		     unsigned int period_ms)
{
	memset(k, 0, sizeof(*k));
	k->ops = ops;
	k->period_ms = period_ms;
	k->wake_fd = -1;
	pthread_mutex_init(&k->lock, NULL);
	k->snap = calloc(XGLB_MAX_IFACES, sizeof(*k->snap));
	return k->snap ? 0 : -ENOMEM;
}

/*
 * Read the N interfaces of WANT into SCRATCH (no lock held: a read may
 * wait for rtnl), then publish them as the snapshot in one step.
 */
static void read_all(struct xglb_ifkern *k, const __u32 *want, int n, bool tcx,
		     struct xglb_ifkern_if *scratch)
{
	for (int i = 0; i < n; i++) {
		memset(&scratch[i], 0, sizeof(scratch[i]));
		scratch[i].ifindex = want[i];
		scratch[i].has_tcx = tcx;
		k->ops->read(&scratch[i]);
		scratch[i].read_ns = now_ns();
	}
	LOCK(k);
	if (k->snap) {
		memcpy(k->snap, scratch, sizeof(scratch[0]) * (size_t)n);
		k->n_snap = n;
	}
	k->passes++;
	UNLOCK(k);
}

static void *run(void *arg)
{
	static struct xglb_ifkern_if scratch[XGLB_MAX_IFACES]; /* one thread per process */
	struct xglb_ifkern *k = arg;

	for (;;) {
		__u32 want[XGLB_MAX_IFACES];
		eventfd_t v;
		__u64 gen;
		bool tcx;
		int n;

		/* woken (a request, a link event, the stop), or the period is up */
		if (poll(&(struct pollfd){.fd = k->wake_fd, .events = POLLIN}, 1,
			 (int)k->period_ms) > 0)
			eventfd_read(k->wake_fd, &v);
		LOCK(k);
		if (k->stop) {
			UNLOCK(k);
			break;
		}
		n = k->n_want;
		memcpy(want, k->want, sizeof(want[0]) * (size_t)n);
		tcx = k->tcx;
		gen = k->asked;
		UNLOCK(k);
		read_all(k, want, n, tcx, scratch);
		LOCK(k);
		k->done = gen;
		UNLOCK(k);
	}
	return NULL;
}

int xglb_ifkern_start(struct xglb_ifkern *k)
{
	int err = xglb_worker_start_woken(&k->thread, &k->wake_fd, run, k);

	if (err)
		return err;
	k->running = true;
	return 0;
}

static void wake(struct xglb_ifkern *k)
{
	if (eventfd_write(k->wake_fd, 1))
		pr_warn("interface reads: waking their thread: %s", strerror(errno));
}

void xglb_ifkern_ask(struct xglb_ifkern *k, const __u32 *ifindex, int n, bool tcx)
{
	static struct xglb_ifkern_if scratch[XGLB_MAX_IFACES]; /* the caller's: no thread yet */
	__u64 gen;

	if (n > XGLB_MAX_IFACES)
		n = XGLB_MAX_IFACES;
	LOCK(k);
	memcpy(k->want, ifindex, sizeof(ifindex[0]) * (size_t)n);
	k->n_want = n;
	k->tcx = tcx;
	gen = ++k->asked;
	UNLOCK(k);
	if (k->running) {
		wake(k);
		return;
	}
	read_all(k, ifindex, n, tcx, scratch);
	LOCK(k);
	k->done = gen;
	UNLOCK(k);
}

void xglb_ifkern_refresh(struct xglb_ifkern *k)
{
	if (!k->running)
		return; /* never a kernel request here: the caller is the event loop */
	LOCK(k);
	k->asked++;
	UNLOCK(k);
	wake(k);
}

bool xglb_ifkern_idle(const struct xglb_ifkern *k)
{
	bool idle;

	LOCK(k);
	idle = k->done == k->asked;
	UNLOCK(k);
	return idle;
}

int xglb_ifkern_get(const struct xglb_ifkern *k, __u32 ifindex, struct xglb_ifkern_if *out)
{
	int ret = -ENOENT;

	LOCK(k);
	for (int i = 0; i < k->n_snap && ret; i++)
		if (k->snap[i].ifindex == ifindex) {
			*out = k->snap[i];
			ret = 0;
		}
	UNLOCK(k);
	return ret;
}

__u64 xglb_ifkern_age_ms(__u64 read_ns, __u64 now)
{
	return now > read_ns ? (now - read_ns) / 1000000ULL : 0;
}

void xglb_ifkern_stop(struct xglb_ifkern *k)
{
	if (k->running) {
		LOCK(k);
		k->stop = true;
		UNLOCK(k);
		xglb_worker_stop(k->thread, &k->wake_fd, "the interface read thread");
		k->running = false;
	}
	LOCK(k);
	free(k->snap);
	k->snap = NULL;
	k->n_snap = 0;
	UNLOCK(k);
}

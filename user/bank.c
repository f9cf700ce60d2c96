// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bank.c - writes the inactive table bank and flips the active-bank index (DESIGN "Atomic rewrite"). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include "bank.h"

int xglb_bank_open(struct xglb_bank *b, int ctl_fd, int groups_fd, int vips_fd)
{
	void *p;

	memset(b, 0, sizeof(*b));
	p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, ctl_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	b->ctl = p;
	b->groups_fd = groups_fd;
	b->vips_fd = vips_fd;
	b->need_sync = true; /* we do not know when the previous owner last flipped */
	return 0;
}

void xglb_bank_close(struct xglb_bank *b)
{
	if (b->ctl)
		munmap(b->ctl, sysconf(_SC_PAGESIZE));
	b->ctl = NULL;
}

__u32 xglb_bank_active(const struct xglb_bank *b)
{
	return __atomic_load_n(&b->ctl->active_bank, __ATOMIC_ACQUIRE) & 1;
}

/*
 * Wait until no program still runs with the old bank index. Programs run
 * inside RCU read-side sections; MEMBARRIER_CMD_GLOBAL returns after a
 * full RCU grace period (synchronize_rcu()).
 */
static int quiesce(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return 0;
	/* Kernels without membarrier: a program run lasts microseconds. */
	usleep(20000);
	return 0;
}

static int delete_stale_vips(struct xglb_bank *b, __u32 bank, const struct xglb_group *groups,
			     int n)
{
	struct xglb_vip_key key, next, *prev = NULL;
	struct xglb_vip_key stale[XGLB_MAX_VIPS];
	int n_stale = 0, err;

	while (bpf_map_get_next_key(b->vips_fd, prev, &next) == 0) {
		bool keep = next.bank != bank;

		for (int i = 0; !keep && i < n; i++)
			keep = groups[i].vip == next.vip;
		if (!keep && n_stale < XGLB_MAX_VIPS)
			stale[n_stale++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < n_stale; i++) {
		err = bpf_map_delete_elem(b->vips_fd, &stale[i]);
		if (err && errno != ENOENT)
			return -errno;
	}
	return 0;
}

int xglb_bank_prepare(struct xglb_bank *b, const struct xglb_group *groups, int n)
{
	static struct xglb_group vals[XGLB_MAX_GROUPS];
	static __u32 keys[XGLB_MAX_GROUPS];
	__u32 bank = xglb_bank_active(b) ^ 1, count = XGLB_MAX_GROUPS;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int err;

	if (n < 0 || n > XGLB_MAX_GROUPS)
		return -EINVAL;
	xglb_bank_quiesce(b);
	memset(vals, 0, sizeof(vals));
	for (int i = 0; i < n; i++) {
		if (groups[i].id == 0 || (vals[groups[i].id].flags & XGLB_GRP_ENABLED))
			return -EINVAL; /* id 0 is reserved; ids are unique */
		vals[groups[i].id] = groups[i];
	}
	for (__u32 i = 0; i < XGLB_MAX_GROUPS; i++)
		keys[i] = XGLB_GROUP_KEY(bank, i);
	err = bpf_map_update_batch(b->groups_fd, keys, vals, &count, &opts);
	if (err)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct xglb_vip_key k = { .bank = bank, .vip = groups[i].vip };
		struct xglb_vip_val v = { .gid = groups[i].id };

		if (bpf_map_update_elem(b->vips_fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return delete_stale_vips(b, bank, groups, n);
}

void xglb_bank_quiesce(struct xglb_bank *b)
{
	if (!b->need_sync)
		return;
	quiesce();
	b->need_sync = false;
}

void xglb_bank_flip(struct xglb_bank *b)
{
	__u32 next = xglb_bank_active(b) ^ 1;

	__atomic_store_n(&b->ctl->active_bank, next, __ATOMIC_RELEASE);
	__atomic_fetch_add(&b->ctl->flips, 1, __ATOMIC_RELAXED);
	b->need_sync = true;
}

int xglb_bank_commit(struct xglb_bank *b, const struct xglb_group *groups, int n)
{
	int err = xglb_bank_prepare(b, groups, n);

	if (err)
		return err;
	xglb_bank_flip(b);
	return 0;
}

void xglb_bank_heartbeat(struct xglb_bank *b, __u64 now_ns, __u64 lease_ns)
{
	__atomic_store_n(&b->ctl->lease_ns, lease_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&b->ctl->heartbeat_ns, now_ns, __ATOMIC_RELEASE);
}

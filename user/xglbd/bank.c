// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bank.c - writes the inactive table bank, then flips the active-bank index:
 * the data path switches all tables at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <arpa/inet.h>
#include <zlib.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include "bank.h"
#include "log.h"
#include "tables.h"

int xglb_bank_open(struct xglb_bank *b, int ctl_fd, int groups_fd, int vips_fd)
{
	void *p;

	memset(b, 0, sizeof(*b));
	b->vips6_fd = -1;
	b->vips[0] = calloc(XGLB_BANKS * XGLB_VIP_SLOTS, sizeof(struct xglb_vip_slot));
	if (!b->vips[0])
		return -ENOMEM;
	b->vips[1] = b->vips[0] + XGLB_VIP_SLOTS;
	b->groups[0] = calloc(XGLB_BANKS * XGLB_MAX_GROUPS, sizeof(struct xglb_group));
	if (!b->groups[0]) {
		free(b->vips[0]);
		b->vips[0] = b->vips[1] = NULL;
		return -ENOMEM;
	}
	b->groups[1] = b->groups[0] + XGLB_MAX_GROUPS;
	p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, ctl_fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		free(b->vips[0]);
		free(b->groups[0]);
		b->vips[0] = b->vips[1] = NULL;
		b->groups[0] = b->groups[1] = NULL;
		return err;
	}
	b->ctl = p;
	b->groups_fd = groups_fd;
	b->vips_fd = vips_fd;
	b->beat_fd = -1;
	b->vip_seeds = XGLB_VIP_SEEDS;
	b->need_sync = true; /* we do not know when the previous owner last flipped */
	return 0;
}

int xglb_bank_open_vip6(struct xglb_bank *b, int vips6_fd)
{
	if (vips6_fd < 0)
		return -EBADF;
	if (!b->vips6[0]) {
		b->vips6[0] = calloc(XGLB_BANKS * XGLB_VIP6_SLOTS, sizeof(struct xglb_vip6_slot));
		if (!b->vips6[0])
			return -ENOMEM;
		b->vips6[1] = b->vips6[0] + XGLB_VIP6_SLOTS;
	}
	b->vips6_known[0] = b->vips6_known[1] = false;
	b->vips6_fd = vips6_fd;
	return 0;
}

void xglb_bank_close(struct xglb_bank *b)
{
	free(b->vips6[0]);
	b->vips6[0] = b->vips6[1] = NULL;
	b->vips6_fd = -1;
	if (b->ctl)
		munmap(b->ctl, sysconf(_SC_PAGESIZE));
	b->ctl = NULL;
	free(b->vips[0]);
	b->vips[0] = b->vips[1] = NULL;
	free(b->groups[0]);
	b->groups[0] = b->groups[1] = NULL;
	free(b->steer);
	free(b->steer_owner);
	b->steer = NULL;
	b->steer_owner = NULL;
	b->steer_open = false;
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
	static unsigned long failures;
	int err;

	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return 0;
	err = -errno;
	/*
	 * Without a grace period a packet may still read the bank we are about
	 * to rewrite. A program run lasts microseconds, so a 20 ms sleep is a
	 * fair stand-in, but not a guarantee: say so (the first time and then
	 * at every power of two, so a kernel without membarrier does not fill
	 * the log).
	 */
	failures++;
	if (!(failures & (failures - 1)))
		pr_warn("membarrier(MEMBARRIER_CMD_GLOBAL) failed: %s (%lu times): waiting 20 ms "
			"instead of an RCU grace period before rewriting a bank",
			strerror(-err), failures);
	usleep(20000);
	return err;
}

/*
 * Write n slots of size bytes into one bank's part of an array map (keys
 * first .. first + n - 1), held being our copy of what they hold and
 * *known whether that copy is current: only the slots that differ from it
 * are written (one BPF_MAP_UPDATE_BATCH of just those), or all of them in
 * one batch when it is not known (the first write to a bank, or the one
 * after a failed write).
 */
#define SLOTS_MAX     (XGLB_VIP6_SLOTS > XGLB_VIP_SLOTS ? XGLB_VIP6_SLOTS : XGLB_VIP_SLOTS)
#define MAX3(a, b, c) ((a) > (b) ? ((a) > (c) ? (a) : (c)) : ((b) > (c) ? (b) : (c)))

static int write_slots(int fd, __u32 first, void *held, const void *vals, __u32 n, size_t size,
		       bool *known)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	static __u32 keys[SLOTS_MAX];
	/* the slots that differ, packed: one batch however many there are */
	static char diff[MAX3(XGLB_VIP_SLOTS * sizeof(struct xglb_vip_slot),
			      XGLB_VIP6_SLOTS * sizeof(struct xglb_vip6_slot),
			      XGLB_MAX_GROUPS * sizeof(struct xglb_group))];
	__u32 count = n;
	int err = 0;

	if (n > sizeof(keys) / sizeof(keys[0]) || n * size > sizeof(diff))
		return -E2BIG;
	if (!*known) {
		for (__u32 i = 0; i < n; i++)
			keys[i] = first + i;
		err = bpf_map_update_batch(fd, keys, vals, &count, &opts) ? -errno : 0;
	} else {
		count = 0;
		for (__u32 i = 0; i < n; i++) {
			const char *v = (const char *)vals + i * size;

			if (!memcmp((char *)held + i * size, v, size))
				continue;
			keys[count] = first + i;
			memcpy(diff + (size_t)count * size, v, size);
			count++;
		}
		if (count == 1)
			err = bpf_map_update_elem(fd, &keys[0], diff, BPF_ANY) ? -errno : 0;
		else if (count)
			err = bpf_map_update_batch(fd, keys, diff, &count, &opts) ? -errno : 0;
	}
	*known = !err;
	if (!err)
		memcpy(held, vals, size * n);
	return err;
}

_Static_assert(XGLB_VIP6_SLOTS >= XGLB_MAX_GROUPS && XGLB_VIP_SLOTS >= XGLB_MAX_GROUPS,
	       "write_slots' keys cover every table it writes");

/*
 * The IPv6 index of bank (xglb_vips6), as write_vips writes the VIP index:
 * its multiplier, then the slots that differ.
 */
static int write_vips6(struct xglb_bank *b, __u32 bank, const struct xglb_vip6_slot *slots,
		       __u32 mult)
{
	__atomic_store_n(&b->ctl->vip6_mult[bank], mult, __ATOMIC_RELAXED);
	__atomic_store_n(&b->ctl->vip6_skip[bank], xglb_vip6_skip_bits(slots, XGLB_VIP6_SLOTS),
			 __ATOMIC_RELAXED);
	return write_slots(b->vips6_fd, XGLB_VIP6_KEY(bank, 0), b->vips6[bank], slots,
			   XGLB_VIP6_SLOTS, sizeof(*slots), &b->vips6_known[bank]);
}

/*
 * The VIP index of bank (xglb_vips; docs/datapath.md, "VIP index"): its hash multiplier
 * in the control word, then its slots. No packet reads bank, so the order
 * of the writes does not matter. Only the slots that differ from what the
 * bank holds are written (a batch of all 1,024 costs ~240 us here, a
 * prepare without it ~70 us); all of them when that is not known (the
 * first write to a bank, or after a failed one).
 */
static int write_vips(struct xglb_bank *b, __u32 bank, const struct xglb_vip_slot *slots,
		      __u32 mult)
{
	__atomic_store_n(&b->ctl->vip_mult[bank], mult, __ATOMIC_RELAXED);
	return write_slots(b->vips_fd, XGLB_VIP_KEY(bank, 0), b->vips[bank], slots, XGLB_VIP_SLOTS,
			   sizeof(*slots), &b->vips_known[bank]);
}

/*
 * The group slots of bank, the same way (a failover of one group rewrites
 * one slot: one ~1 us update; of 255 groups, one batch of the 255).
 */
static int write_groups(struct xglb_bank *b, __u32 bank, const struct xglb_group *vals)
{
	return write_slots(b->groups_fd, XGLB_GROUP_KEY(bank, 0), b->groups[bank], vals,
			   XGLB_MAX_GROUPS, sizeof(*vals), &b->groups_known[bank]);
}

/* ---- steering tables ---------------------------------------------------- */

static __u8 *steer_table(struct xglb_bank *b, int dom)
{
	return b->steer_owner + (size_t)dom * XGLB_STEER_BUCKETS;
}

static bool mac_zero(const __u8 *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* Delete every key of map fd whose leading __u32 (the bank) is bank; keys are key_size bytes. */
static int delete_bank_keys(int fd, size_t key_size, __u32 bank, int max)
{
	__u8 *keys = calloc((size_t)max, key_size), cur[32], next[32];
	void *prev = NULL;
	int n = 0, err = 0;

	if (!keys)
		return -ENOMEM;
	while (n < max && bpf_map_get_next_key(fd, prev, next) == 0) {
		__u32 kb;

		memcpy(&kb, next, sizeof(kb));
		if (kb == bank)
			memcpy(keys + (size_t)n++ * key_size, next, key_size);
		memcpy(cur, next, key_size);
		prev = cur;
	}
	for (int i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(fd, keys + (size_t)i * key_size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

static int steer_validate(const struct xglb_steer *st)
{
	if (!st || st->n_domains < 0 || st->n_domains > XGLB_STEER_MAX_DOMAINS ||
	    st->n_ifaces < 0 || st->n_ifaces > XGLB_MAX_IFACES)
		return -EINVAL;
	for (int d = 0; d < st->n_domains; d++) {
		const struct xglb_steer_domain *dm = &st->dom[d];

		if (!dm->owner || !dm->n_buckets || dm->n_buckets > XGLB_STEER_BUCKETS ||
		    (dm->n_buckets & (dm->n_buckets - 1)))
			return -EINVAL;
		for (__u32 i = 0; i < dm->n_buckets; i++)
			if (dm->owner[i] >= XGLB_STEER_MAX_NODES &&
			    dm->owner[i] != XGLB_STEER_NO_OWNER)
				return -EINVAL;
	}
	for (int i = 0; i < st->n_ifaces; i++) {
		const struct xglb_steer_iface *f = &st->iface[i];

		if (!f->ifindex || f->domain >= st->n_domains ||
		    (f->self >= XGLB_STEER_MAX_NODES && f->self != XGLB_STEER_NO_OWNER) ||
		    f->n_extra < 0 || f->n_extra > XGLB_STEER_MAX_EXTRA)
			return -EINVAL;
		for (int j = 0; j < i; j++)
			if (st->iface[j].ifindex == f->ifindex)
				return -EINVAL;
	}
	return 0;
}

static void bloom_set(__u64 bloom[4], const __u8 *mac)
{
	__u32 bit = xglb_steer_bloom_bit(mac);

	bloom[bit >> 6] |= 1ull << (bit & 63);
}

static int put_peer(struct xglb_bank *b, __u32 bank, __u32 ifindex, const __u8 *mac, __u8 slot)
{
	struct xglb_steer_mac_key k = {.bank = bank, .ifindex = ifindex};
	struct xglb_steer_mac_val v = {.slot = slot};

	memcpy(k.mac, mac, 6);
	return bpf_map_update_elem(b->steer_fds.peers, &k, &v, BPF_ANY) ? -errno : 0;
}

/* One interface's config value into *cfg, and its from-peer entries into the map. */
static int steer_iface_cfg(struct xglb_bank *b, __u32 bank, const struct xglb_steer_iface *f,
			   struct xglb_steer_cfg *cfg)
{
	const struct xglb_steer_domain *dm = &b->steer->dom[f->domain];
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->flags = XGLB_STEER_ON;
	cfg->domain = f->domain;
	cfg->self = f->self;
	cfg->gid = dm->gid;
	cfg->bucket_mask = dm->n_buckets - 1;
	cfg->version = b->steer->version;
	cfg->ifindex = f->ifindex;
	memcpy(cfg->mac, f->mac, 6);
	for (int s = 0; s < XGLB_STEER_MAX_NODES; s++) {
		if (s == f->self || mac_zero(f->peer_mac[s]))
			continue;
		memcpy(cfg->peer[s].mac, f->peer_mac[s], 6);
		cfg->peer[s].flags = XGLB_STEER_PEER_VALID;
		bloom_set(cfg->bloom, f->peer_mac[s]);
		err = put_peer(b, bank, f->ifindex, f->peer_mac[s], (__u8)s);
		if (err)
			return err;
	}
	for (int i = 0; i < f->n_extra; i++) {
		if (mac_zero(f->extra_from[i]))
			continue;
		bloom_set(cfg->bloom, f->extra_from[i]);
		err = put_peer(b, bank, f->ifindex, f->extra_from[i], XGLB_STEER_NO_OWNER);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Write the current steering state into bank, which no packet reads
 * (quiesced by the caller): so the order of the writes does not matter,
 * and the old entries are simply deleted first.
 */
_Static_assert(XGLB_STEER_CHUNKS >= XGLB_STEER_IFSLOTS, "steer_write's keys[]");

static int steer_write(struct xglb_bank *b, __u32 bank)
{
	static __u32 keys[XGLB_STEER_CHUNKS]; /* also the XGLB_STEER_IFSLOTS slot keys */
	static struct xglb_steer_chunk vals[XGLB_STEER_CHUNKS];
	static struct xglb_steer_cfg slots[XGLB_STEER_IFSLOTS];
	const struct xglb_steer *st = b->steer;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count;
	int err;

	b->bank_gen[bank] = 0; /* not known until the whole state is in */
	err = delete_bank_keys(b->steer_fds.spill, sizeof(struct xglb_steer_key), bank,
			       XGLB_BANKS * XGLB_MAX_IFACES);
	if (!err)
		err = delete_bank_keys(b->steer_fds.peers, sizeof(struct xglb_steer_mac_key), bank,
				       XGLB_STEER_PEERS_MAX);
	for (int d = 0; !err && d < st->n_domains; d++) {
		const __u8 *owner = steer_table(b, d);
		__u32 n = st->dom[d].n_buckets;

		count = (n + XGLB_STEER_CHUNK - 1) / XGLB_STEER_CHUNK;
		memset(vals, XGLB_STEER_NO_OWNER, sizeof(vals));
		for (__u32 c = 0; c < count; c++)
			keys[c] = XGLB_STEER_CHUNK_KEY(bank, (__u32)d, c * XGLB_STEER_CHUNK);
		for (__u32 i = 0; i < n; i++)
			vals[i / XGLB_STEER_CHUNK].owner[i % XGLB_STEER_CHUNK] = owner[i];
		if (bpf_map_update_batch(b->steer_fds.buckets, keys, vals, &count, &opts))
			err = -errno;
	}
	/* each interface in its slot; a second one for a slot goes to the spill hash */
	memset(slots, 0, sizeof(slots));
	for (int i = 0; !err && i < st->n_ifaces; i++) {
		const struct xglb_steer_iface *f = &st->iface[i];
		struct xglb_steer_cfg *slot = &slots[f->ifindex & (XGLB_STEER_IFSLOTS - 1)];
		struct xglb_steer_key sk = {.bank = bank, .ifindex = f->ifindex};
		struct xglb_steer_cfg cfg;

		err = steer_iface_cfg(b, bank, f, &cfg);
		if (err)
			break;
		if (!slot->ifindex) {
			*slot = cfg;
			continue;
		}
		slot->flags |= XGLB_STEER_SPILL;
		if (bpf_map_update_elem(b->steer_fds.spill, &sk, &cfg, BPF_ANY))
			err = -errno;
	}
	if (!err) {
		count = XGLB_STEER_IFSLOTS;
		for (__u32 i = 0; i < count; i++)
			keys[i] = XGLB_STEER_CFG_KEY(bank, i);
		if (bpf_map_update_batch(b->steer_fds.cfg, keys, slots, &count, &opts))
			err = -errno;
	}
	if (!err)
		b->bank_gen[bank] = b->steer_gen;
	return err;
}

/*
 * The steering state the active bank holds, as a struct xglb_steer: what
 * a restarted agent continues from. Domains keep their indexes; a domain
 * no interface names is left empty (no owner).
 */
/* One interface's config as found in a bank, back into st (domain sizes included). */
static void restore_iface(struct xglb_steer *st, bool *used, const struct xglb_steer_cfg *cfg)
{
	struct xglb_steer_iface *f = &st->iface[st->n_ifaces];
	__u32 d = cfg->domain, n = cfg->bucket_mask + 1;

	if (!(cfg->flags & XGLB_STEER_ON) || !cfg->ifindex || st->n_ifaces >= XGLB_MAX_IFACES ||
	    d >= XGLB_STEER_MAX_DOMAINS || !n || n > XGLB_STEER_BUCKETS || (n & (n - 1)))
		return;
	memset(f, 0, sizeof(*f));
	f->ifindex = cfg->ifindex;
	f->domain = (__u8)d;
	f->self = cfg->self;
	memcpy(f->mac, cfg->mac, 6);
	for (int s = 0; s < XGLB_STEER_MAX_NODES; s++)
		if (cfg->peer[s].flags & XGLB_STEER_PEER_VALID)
			memcpy(f->peer_mac[s], cfg->peer[s].mac, 6);
	st->n_ifaces++;
	st->version = cfg->version;
	st->dom[d].gid = cfg->gid;
	st->dom[d].n_buckets = n;
	used[d] = true;
	if ((int)d >= st->n_domains)
		st->n_domains = (int)d + 1;
}

/*
 * The steering state the active bank holds, as a struct xglb_steer: what
 * a restarted agent continues from. Domains keep their indexes; a domain
 * no interface names is left empty (no owner).
 */
static int steer_restore(struct xglb_bank *b)
{
	struct xglb_steer *st = b->steer;
	__u32 bank = xglb_bank_active(b);
	struct xglb_steer_key k, next, *prev = NULL;
	struct xglb_steer_mac_key mk, mnext, *mprev = NULL;
	bool used[XGLB_STEER_MAX_DOMAINS] = {false};
	struct xglb_steer_cfg cfg;

	memset(st, 0, sizeof(*st));
	memset(b->steer_owner, XGLB_STEER_NO_OWNER,
	       (size_t)XGLB_STEER_MAX_DOMAINS * XGLB_STEER_BUCKETS);
	for (int d = 0; d < XGLB_STEER_MAX_DOMAINS; d++) {
		st->dom[d].n_buckets = 1;
		st->dom[d].owner = steer_table(b, d);
	}
	for (__u32 i = 0; i < XGLB_STEER_IFSLOTS; i++) {
		__u32 key = XGLB_STEER_CFG_KEY(bank, i);

		if (bpf_map_lookup_elem(b->steer_fds.cfg, &key, &cfg))
			return -errno;
		restore_iface(st, used, &cfg);
	}
	while (bpf_map_get_next_key(b->steer_fds.spill, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (k.bank == bank && !bpf_map_lookup_elem(b->steer_fds.spill, &k, &cfg))
			restore_iface(st, used, &cfg);
	}
	for (int d = 0; d < st->n_domains; d++) {
		__u8 *owner = steer_table(b, d);

		for (__u32 c = 0; used[d] && c * XGLB_STEER_CHUNK < st->dom[d].n_buckets; c++) {
			__u32 key = XGLB_STEER_CHUNK_KEY(bank, (__u32)d, c * XGLB_STEER_CHUNK);
			struct xglb_steer_chunk ch;
			__u32 m = st->dom[d].n_buckets - c * XGLB_STEER_CHUNK;

			if (bpf_map_lookup_elem(b->steer_fds.buckets, &key, &ch))
				return -errno;
			memcpy(owner + c * XGLB_STEER_CHUNK, ch.owner,
			       m < XGLB_STEER_CHUNK ? m : XGLB_STEER_CHUNK);
		}
	}
	/* extra from-peer MACs: the entries not standing for a slot */
	while (bpf_map_get_next_key(b->steer_fds.peers, mprev, &mnext) == 0) {
		struct xglb_steer_mac_val v;

		mk = mnext;
		mprev = &mk;
		if (mk.bank != bank || bpf_map_lookup_elem(b->steer_fds.peers, &mk, &v) ||
		    v.slot != XGLB_STEER_NO_OWNER)
			continue;
		for (int i = 0; i < st->n_ifaces; i++) {
			struct xglb_steer_iface *f = &st->iface[i];

			if (f->ifindex == mk.ifindex && f->n_extra < XGLB_STEER_MAX_EXTRA)
				memcpy(f->extra_from[f->n_extra++], mk.mac, 6);
		}
	}
	return steer_validate(st) ? -EINVAL : 0;
}

int xglb_bank_open_steer(struct xglb_bank *b, const struct xglb_steer_fds *fds)
{
	int err;

	if (!b->ctl || b->steer_open || !fds)
		return -EINVAL;
	b->steer = calloc(1, sizeof(*b->steer));
	b->steer_owner = malloc((size_t)XGLB_STEER_MAX_DOMAINS * XGLB_STEER_BUCKETS);
	if (!b->steer || !b->steer_owner) {
		err = -ENOMEM;
		goto fail;
	}
	b->steer_fds = *fds;
	err = steer_restore(b);
	if (err)
		goto fail;
	b->steer_gen = 1;
	b->bank_gen[0] = b->bank_gen[1] = 0; /* a bank may be half written by a dead agent */
	b->steer_open = true;
	return 0;
fail:
	free(b->steer);
	free(b->steer_owner);
	b->steer = NULL;
	b->steer_owner = NULL;
	return err;
}

/* st is the current steering state: domains (owner tables included) and interfaces. */
static bool steer_same(const struct xglb_bank *b, const struct xglb_steer *st)
{
	const struct xglb_steer *cur = b->steer;

	if (cur->version != st->version || cur->n_domains != st->n_domains ||
	    cur->n_ifaces != st->n_ifaces ||
	    memcmp(cur->iface, st->iface, sizeof(st->iface[0]) * (size_t)st->n_ifaces))
		return false;
	for (int d = 0; d < st->n_domains; d++)
		if (cur->dom[d].gid != st->dom[d].gid ||
		    cur->dom[d].n_buckets != st->dom[d].n_buckets ||
		    memcmp(cur->dom[d].owner, st->dom[d].owner, st->dom[d].n_buckets))
			return false;
	return true;
}

int xglb_bank_prepare_steer(struct xglb_bank *b, const struct xglb_steer *st)
{
	__u32 bank;

	if (!b->steer_open)
		return -ENODEV;
	if (steer_validate(st))
		return -EINVAL;
	if (steer_same(b, st)) {
		/* Nothing new: the inactive bank needs a write only if it holds an older state
		 * (one flip ago it was live with the state before the last change). */
		bank = xglb_bank_active(b) ^ 1;
		if (b->bank_gen[bank] == b->steer_gen)
			return 0;
		xglb_bank_quiesce(b);
		return steer_write(b, bank);
	}
	*b->steer = *st;
	for (int d = 0; d < st->n_domains; d++) {
		memcpy(steer_table(b, d), st->dom[d].owner, st->dom[d].n_buckets);
		b->steer->dom[d].owner = steer_table(b, d);
	}
	b->steer_gen++;
	xglb_bank_quiesce(b);
	return steer_write(b, xglb_bank_active(b) ^ 1);
}

int xglb_bank_commit_steer(struct xglb_bank *b, const struct xglb_group *groups, int n,
			   const struct xglb_steer *st)
{
	int err = xglb_bank_prepare(b, groups, n);

	if (!err)
		err = xglb_bank_prepare_steer(b, st);
	if (err)
		return err;
	xglb_bank_flip(b);
	return 0;
}

static void local_bloom_add(struct xglb_local_bloom *lb, const __be32 *ips, int n)
{
	for (int i = 0; i < n; i++) {
		__u32 bit = xglb_local_bloom_bit(ntohl(ips[i]));

		lb->bits[bit / 64] |= 1ull << (bit % 64);
	}
}

/*
 * The filter is one array element, written in place: a reader may see a
 * mix of two versions word by word. So it grows to old | new before the
 * set changes and shrinks to new after: any mix a reader sees covers
 * every address the set holds at that moment.
 */
int xglb_bank_set_local_ips(struct xglb_bank *b, const __be32 *ips, int n)
{
	__be32 stale[XGLB_STEER_MAX_LOCAL], old[XGLB_STEER_MAX_LOCAL], k, next, *prev = NULL;
	struct xglb_local_bloom lb = {{0}};
	struct xglb_local_ip v = {0};
	int n_stale = 0, n_old = 0;
	__u32 zero = 0;

	if (!b->steer_open)
		return -ENODEV;
	if (n < 0 || n > XGLB_STEER_MAX_LOCAL || (n && !ips))
		return -EINVAL;
	while (bpf_map_get_next_key(b->steer_fds.local_ips, prev, &next) == 0) {
		bool keep = false;

		for (int i = 0; !keep && i < n; i++)
			keep = ips[i] == next;
		if (n_old < XGLB_STEER_MAX_LOCAL)
			old[n_old++] = next;
		if (!keep && n_stale < XGLB_STEER_MAX_LOCAL)
			stale[n_stale++] = next;
		k = next;
		prev = &k;
	}
	local_bloom_add(&lb, old, n_old);
	local_bloom_add(&lb, ips, n);
	if (bpf_map_update_elem(b->steer_fds.local_bloom, &zero, &lb, BPF_ANY))
		return -errno;
	/* delete first: the map holds at most XGLB_STEER_MAX_LOCAL */
	for (int i = 0; i < n_stale; i++)
		if (bpf_map_delete_elem(b->steer_fds.local_ips, &stale[i]) && errno != ENOENT)
			return -errno;
	for (int i = 0; i < n; i++)
		if (bpf_map_update_elem(b->steer_fds.local_ips, &ips[i], &v, BPF_ANY))
			return -errno;
	memset(&lb, 0, sizeof(lb));
	local_bloom_add(&lb, ips, n);
	return bpf_map_update_elem(b->steer_fds.local_bloom, &zero, &lb, BPF_ANY) ? -errno : 0;
}

/* What the VIP indexes are built from: each group's id and addresses, in order. */
struct index_input {
	int n; /* -1: nothing built */
	unsigned int seeds;
	bool v6;
	struct {
		__u8 id;
		__be32 vip;
		__u8 vip6[XGLB_VIP6_PER_GROUP][16];
	} g[XGLB_MAX_GROUPS];
};

/* in := what groups build the indexes from; true if it differs from what it held. */
static bool index_input_set(struct index_input *in, const struct xglb_group *groups, int n,
			    unsigned int seeds, bool v6)
{
	bool differs = in->n != n || in->seeds != seeds || in->v6 != v6;

	in->n = n;
	in->seeds = seeds;
	in->v6 = v6;
	for (int i = 0; i < n; i++) {
		if (in->g[i].id == groups[i].id && in->g[i].vip == groups[i].vip &&
		    !memcmp(in->g[i].vip6, groups[i].vip6, sizeof(in->g[i].vip6)))
			continue;
		differs = true;
		in->g[i].id = groups[i].id;
		in->g[i].vip = groups[i].vip;
		memcpy(in->g[i].vip6, groups[i].vip6, sizeof(in->g[i].vip6));
	}
	return differs;
}

int xglb_bank_prepare(struct xglb_bank *b, const struct xglb_group *groups, int n)
{
	static struct xglb_group vals[XGLB_MAX_GROUPS];
	static struct xglb_vip_slot vips[XGLB_VIP_SLOTS];
	static struct xglb_vip6_slot vips6[XGLB_VIP6_SLOTS];
	static const __u8 none6[XGLB_VIP6_PER_GROUP][16];
	/* vips, vips6 and their multipliers are built from built (a pure function of it) */
	static struct index_input built = {.n = -1};
	static __u32 mult, mult6;
	__u32 bank = xglb_bank_active(b) ^ 1;
	int err;

	if (n < 0 || n > XGLB_MAX_GROUPS)
		return -EINVAL;
	memset(vals, 0, sizeof(vals));
	for (int i = 0; i < n; i++) {
		if (groups[i].id == 0 || (vals[groups[i].id].flags & XGLB_GRP_ENABLED))
			return -EINVAL; /* id 0 is reserved; ids are unique */
		vals[groups[i].id] = groups[i];
	}
	if (b->vips6_fd < 0)
		for (int i = 0; i < n; i++)
			if (memcmp(groups[i].vip6, none6, sizeof(none6)))
				return -ENXIO; /* nowhere to put its IPv6 addresses */
	/*
	 * Before any write: a VIP set that does not fit leaves both banks as
	 * they are. Built again only when a group's id or addresses changed
	 * (a failover changes neither): the IPv4 index checks every pair of
	 * VIPs for duplicates.
	 */
	if (index_input_set(&built, groups, n, b->vip_seeds, b->vips6_fd >= 0)) {
		mult6 = 0;
		err = xglb_vip_index_build(groups, n, b->vip_seeds, vips, &mult);
		if (!err && b->vips6_fd >= 0)
			err = xglb_vip6_index_build(groups, n, b->vip_seeds, vips6, &mult6);
		if (err) {
			built.n = -1;
			return err;
		}
	}
	xglb_bank_quiesce(b);
	err = write_groups(b, bank, vals);
	if (err)
		return err;
	err = write_vips(b, bank, vips, mult);
	if (err)
		return err;
	if (b->vips6_fd >= 0) {
		err = write_vips6(b, bank, vips6, mult6);
		if (err)
			return err;
	}
	/* the bank goes live with the current steering state, not one from flips ago */
	if (b->steer_open && b->bank_gen[bank] != b->steer_gen)
		return steer_write(b, bank);
	return 0;
}

bool xglb_bank_synced(struct xglb_bank *b)
{
	if (b->need_sync && __atomic_load_n(&b->grace_done, __ATOMIC_ACQUIRE) == b->flips + 1)
		b->need_sync = false; /* paid by the grace thread after the last flip */
	return !b->need_sync;
}

void xglb_bank_quiesce(struct xglb_bank *b)
{
	struct timespec t0, t1;

	if (xglb_bank_synced(b))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	quiesce();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	b->need_sync = false;
	b->quiesce_waits++;
	b->quiesce_ns +=
	    (__u64)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
}

void xglb_bank_flip(struct xglb_bank *b)
{
	__u32 next = xglb_bank_active(b) ^ 1;

	__atomic_store_n(&b->ctl->active_bank, next, __ATOMIC_RELEASE);
	__atomic_fetch_add(&b->ctl->flips, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&b->flips, b->flips + 1, __ATOMIC_RELEASE);
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

/* CONFIG_HZ from one kernel config file (gzip or plain), 0 if it has none. */
static unsigned int config_file_hz(const char *path)
{
	gzFile f = gzopen(path, "r");
	unsigned int hz = 0;
	char line[256];

	if (!f)
		return 0;
	while (!hz && gzgets(f, line, sizeof(line)))
		if (sscanf(line, "CONFIG_HZ=%u", &hz) != 1 || hz > 100000)
			hz = 0;
	gzclose(f);
	return hz;
}

unsigned int xglb_kernel_hz(void)
{
	static int cached = -1; /* the running kernel's HZ cannot change */
	struct utsname u;
	char path[128 + sizeof(u.release)];

	if (cached >= 0)
		return (unsigned int)cached;
	cached = 0;
	if (!uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		cached = (int)config_file_hz(path);
	}
	if (!cached)
		cached = (int)config_file_hz("/proc/config.gz");
	return (unsigned int)cached;
}

void xglb_bank_set_beat(struct xglb_bank *b, int prog_fd)
{
	b->beat_fd = prog_fd;
	b->hz = xglb_kernel_hz();
}

/* One run of xglb_beat: 0, or -errno if the program could not run. */
static int run_beat(int fd, unsigned int hz)
{
	struct xglb_beat_args args = {.hz = hz};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &args, .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(fd, &o) ? -errno : 0;
}

void xglb_bank_heartbeat(struct xglb_bank *b, __u64 now_ns, __u64 lease_ns)
{
	__atomic_store_n(&b->ctl->lease_ns, lease_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&b->ctl->heartbeat_ns, now_ns, __ATOMIC_RELEASE);
	b->beat_err = b->beat_fd >= 0 ? run_beat(b->beat_fd, b->hz) : 0;
	if (b->beat_fd >= 0 && !b->beat_err)
		return;
	/*
	 * No kernel stamp this time: hand the lease back to heartbeat_ns
	 * (just written), rather than let a stale hb_jiffies expire it, and
	 * mark hb_jiffies as no longer matching heartbeat_ns.
	 */
	__atomic_store_n(&b->ctl->lease_jiffies, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&b->ctl->hz, 0, __ATOMIC_RELAXED);
}

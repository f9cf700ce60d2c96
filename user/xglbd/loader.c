// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loader.c - BPF object lifecycle: pin paths, libxdp attach/adopt, tc ingress/egress at tcx (or
 * clsact). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <xdp/libxdp.h>
#include "xglb.skel.h"
#include "config.h"
#include "loader.h"
#include "log.h"
#include "netif.h"
#include "tcx.h"

bool xglb_is_bpffs(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path)
{
	char tmp[256];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int ensure_bpffs(const char *pin_root)
{
	int err;

	if (!xglb_is_bpffs("/sys/fs/bpf") && !strncmp(pin_root, "/sys/fs/bpf/", 12)) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			pr_err(
			    "pin-root %s: /sys/fs/bpf is not a bpffs and mounting one failed: %s",
			    pin_root, strerror(errno));
			return -errno;
		}
		pr_info("mounted bpffs on /sys/fs/bpf");
	}
	err = mkdir_p(pin_root);
	if (err) {
		pr_err("pin-root %s: %s", pin_root, strerror(-err));
		return err;
	}
	if (!xglb_is_bpffs(pin_root)) {
		pr_err("pin-root %s is not on a bpffs (mount -t bpf bpf DIR)", pin_root);
		return -EINVAL;
	}
	/* libxdp keeps its dispatcher state on /sys/fs/bpf unless told otherwise. */
	if (!getenv("LIBXDP_BPFFS") && !xglb_is_bpffs("/sys/fs/bpf"))
		setenv("LIBXDP_BPFFS", pin_root, 1);
	return 0;
}

unsigned int xglb_hosts_capacity(unsigned int configured)
{
	long long n = (long long)XGLB_MAX_HOSTS * libbpf_num_possible_cpus();

	if (configured) /* whole buckets: rounded up to a multiple of XGLB_HOST_WAYS */
		return (configured + XGLB_HOST_WAYS - 1) / XGLB_HOST_WAYS * XGLB_HOST_WAYS;
	if (n < XGLB_MAX_HOSTS)
		n = XGLB_MAX_HOSTS; /* CPU count unknown */
	return n > XGLB_MAX_HOSTS_TOTAL ? XGLB_MAX_HOSTS_TOTAL : (unsigned int)n;
}

/* Flags the kernel adds to a map of this type on creation (none of ours ask for them). */
static __u32 kernel_flags(__u32 type)
{
	bool devmap = type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH;

	return devmap ? BPF_F_RDONLY_PROG : 0;
}

/*
 * A map pinned at PATH that this object cannot reuse (another type, key,
 * value, size or flags other than those the kernel adds: left by an
 * older xglb) is unpinned, so load makes a new one; the state it held is
 * lost, and said so. False if it was stale.
 */
static bool pinned_fits(struct bpf_map *map, const char *path, int *carry)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool fits;

	if (fd < 0)
		return true; /* nothing pinned: load creates and pins it */
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return true; /* let load report what is wrong */
	}
	fits = info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map) &&
	       (info.map_flags & ~kernel_flags(info.type)) == bpf_map__map_flags(map);
	/*
	 * The kernel adds BPF_F_RDONLY_PROG to a devmap's flags, and libbpf
	 * compares a pinned map's flags with the object's before it reuses it:
	 * taking the pinned map's own definition (reuse_fd) lets it match.
	 */
	if (fits && info.map_flags != bpf_map__map_flags(map) && bpf_map__reuse_fd(map, fd))
		fits = false;
	close(fd);
	if (fits)
		return true;
	/*
	 * The host table of an older xglb, a hash (LRU, then preallocated) of
	 * struct xglb_host_key -> struct xglb_host: its hosts move over.
	 */
	if (carry && (info.type == BPF_MAP_TYPE_LRU_HASH || info.type == BPF_MAP_TYPE_HASH) &&
	    info.key_size == sizeof(struct xglb_host_key) &&
	    info.value_size == sizeof(struct xglb_host))
		*carry = bpf_obj_get(path);
	pr_warn("%s was pinned by an older xglb (type %u, key %u, value %u, %u entries, flags %#x; "
		"now %u, %u, %u, %u, %#x) or with another host-table-size: replacing it, %s",
		path, info.type, info.key_size, info.value_size, info.max_entries, info.map_flags,
		bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
		bpf_map__max_entries(map), bpf_map__map_flags(map),
		carry && *carry > 0 ? "its entries carried over" : "the state it held is lost");
	unlink(path);
	return false;
}

/*
 * The hosts of an older xglb's host table (a hash of struct xglb_host_key
 * -> struct xglb_host, before the set-associative array) into the new one,
 * as far as their buckets have room; once, right after load. (A table
 * pinned with another host-table-size is replaced, its hosts lost, as
 * config.md says.)
 */
static void carry_hosts(struct xglb_loader *l)
{
	int from = l->hosts_old_fd;
	unsigned int n = 0, lost = 0, seen = 0,
		     cap = (unsigned int)xglb_hosttab_capacity(&l->hosts);
	struct xglb_host_key k, prev;
	struct xglb_host h;

	if (from <= 0)
		return;
	l->hosts_old_fd = 0;
	/* bounded: an older program may still be writing to it until ours replaces it */
	while (seen++ < 2 * cap && bpf_map_get_next_key(from, seen > 1 ? &prev : NULL, &k) == 0) {
		prev = k;
		if (bpf_map_lookup_elem(from, &k, &h))
			continue; /* gone meanwhile */
		if (!k.gid || xglb_hosttab_insert(&l->hosts, &k, &h))
			lost++;
		else
			n++;
	}
	close(from);
	pr_info("xglb_hosts: %u hosts carried over from the older table%s", n,
		lost ? " (some did not fit or were there already)" : "");
}

int xglb_loader_open(struct xglb_loader *l, const char *pin_root, int datapath, int xdp_mode,
		     unsigned int host_table_size)
{
	struct bpf_map *map;
	char path[512];
	int err;

	memset(l, 0, sizeof(*l));
	snprintf(l->pin_root, sizeof(l->pin_root), "%s", pin_root);
	l->datapath = datapath;
	l->xdp_mode = xdp_mode;
	err = ensure_bpffs(l->pin_root);
	if (err)
		return err;
	l->skel = xglb__open();
	if (!l->skel) {
		err = -errno;
		pr_err("opening the BPF object: %s", strerror(errno));
		return err;
	}
	err = bpf_map__set_max_entries(l->skel->maps.xglb_hosts,
				       xglb_hosts_capacity(host_table_size));
	if (err) {
		pr_err("sizing xglb_hosts: %s", strerror(-err));
		return err;
	}
	/* the data path's bucket count, as the agent's (hosttab.c): the table's ways / ways a
	 * bucket */
	l->skel->rodata->xglb_host_buckets = xglb_hosts_capacity(host_table_size) / XGLB_HOST_WAYS;
	bpf_object__for_each_map(map, l->skel->obj)
	{
		/* read-only data (xglb_tc_pass, xglb_host_buckets) is this load's own, set before
		 * load: never pinned, never reused */
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", l->pin_root, bpf_map__name(map));
		err = bpf_map__set_pin_path(map, path);
		if (err) {
			pr_err("pin path %s: %s", path, strerror(-err));
			return err;
		}
		if (!pinned_fits(map, path,
				 map == l->skel->maps.xglb_hosts ? &l->hosts_old_fd : NULL))
			l->stale = true;
	}
	return 0;
}

/* "NAME (ifindex N)" of an interface, for messages; "ifindex N" if it has no name (gone). */
static const char *ifdesc(__u32 ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		snprintf(buf, len, "%s (ifindex %u)", name, ifindex);
	else
		snprintf(buf, len, "ifindex %u", ifindex);
	return buf;
}
#define IFDESC_LEN (IF_NAMESIZE + 24)

/*
 * The kernel's tag of a loaded program into tag: a hash of its instructions with the map
 * references left out, so two loads of the same build have the same tag (whatever their maps)
 * and another build's program another one. False if the kernel did not say.
 */
static bool prog_tag(int fd, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return true;
}

/* A tag as bpftool and ip print it: 16 hex digits. */
static const char *tag_hex(const __u8 *tag, char buf[2 * BPF_TAG_SIZE + 1])
{
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(buf + 2 * i, 3, "%02x", tag[i]);
	return buf;
}
#define TAG_LEN (2 * BPF_TAG_SIZE + 1)

/* The xglb_xdp program already attached to ifindex, if any (caller closes the multiprog). */
static struct xdp_program *find_attached(int ifindex, struct xdp_multiprog **mpp)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;

	*mpp = NULL;
	if (libxdp_get_error(mp))
		return NULL;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && strcmp(xdp_program__name(p), "xglb_xdp"))
			p = NULL;
	} else {
		while ((p = xdp_multiprog__next_prog(p, mp)))
			if (!strcmp(xdp_program__name(p), "xglb_xdp"))
				break;
	}
	*mpp = mp;
	return p;
}

static int attach_clsact(int ifindex, enum bpf_tc_attach_point where, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XGLB_TC_HANDLE, .priority = XGLB_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

static void detach_clsact(int ifindex, enum bpf_tc_attach_point where)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XGLB_TC_HANDLE, .priority = XGLB_TC_PRIO);

	/* Only our filter, never the clsact qdisc: it may carry other users' filters. */
	bpf_tc_detach(&hook, &opts);
}

/* Is NAME one of xglb's programs for tcx hook TYPE? */
static bool xglb_tc_prog(const char *name, int type)
{
	if (type == XGLB_TCX_EGRESS)
		return !strcmp(name, "xglb_tc_egress");
	return !strcmp(name, "xglb_tc_ingress") || !strcmp(name, "xglb_tc");
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/*
 * An xglb program OLD at IFINDEX's tcx hook TYPE is replaced by prog_fd: said (info) when its
 * code differs (another build: old and new tag), at debug when it is this build's (every
 * restart loads the programs anew).
 */
static void say_tcx_replaced(__u32 ifindex, int type, __u32 old, int old_fd, int prog_fd)
{
	__u8 t0[BPF_TAG_SIZE], t1[BPF_TAG_SIZE];
	char dsc[IFDESC_LEN], h0[TAG_LEN], h1[TAG_LEN], name[64];
	bool known = prog_tag(old_fd, t0) && prog_tag(prog_fd, t1);

	ifdesc(ifindex, dsc, sizeof(dsc));
	if (xglb_tcx_prog_name(old, name, sizeof(name)))
		snprintf(name, sizeof(name), "an xglb program");
	if (known && memcmp(t0, t1, BPF_TAG_SIZE))
		pr_info("%s: tcx %s: replacing %s (id %u, tag %s: another build) by this xglbd's "
			"(tag %s), in place",
			dsc, xglb_tcx_dir_name(type), name, old, tag_hex(t0, h0), tag_hex(t1, h1));
	else
		pr_debug("%s: tcx %s: %s (id %u) gives way to this process's, in place", dsc,
			 xglb_tcx_dir_name(type), name, old);
}

/*
 * prog_fd at IFINDEX's tcx hook TYPE, exactly once among xglb's programs there: left as it is
 * if attached already, else in place of the first xglb program found there (BPF_F_REPLACE:
 * every packet meets the old program or the new one), else first (ingress: steering decides
 * before any other program sees a frame of a flow another node owns) or last (egress: the guard
 * sees the frame as it leaves, after every other program). Other xglb programs at the hook (an
 * older xglbd's, another datapath's) are detached after that. Other programs are never
 * touched. 0 or -errno.
 */
static int attach_tcx(__u32 ifindex, int type, int prog_fd)
{
	__u32 ids[XGLB_TCX_MAX], self = prog_id(prog_fd), old = 0;
	bool have_self = false;
	char name[64];
	int n = xglb_tcx_list(ifindex, type, ids, XGLB_TCX_MAX), err = 0, old_fd = -1;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (ids[i] == self)
			have_self = true;
		else if (!old && !xglb_tcx_prog_name(ids[i], name, sizeof(name)) &&
			 xglb_tc_prog(name, type))
			old = ids[i];
	}
	if (!have_self) {
		if (old) {
			old_fd = bpf_prog_get_fd_by_id(old);
			if (old_fd < 0)
				old = 0; /* gone meanwhile */
			else
				say_tcx_replaced(ifindex, type, old, old_fd, prog_fd);
		}
		err = xglb_tcx_attach(ifindex, type, prog_fd, old_fd,
				      type == XGLB_TCX_INGRESS ? XGLB_TCX_FIRST : XGLB_TCX_LAST);
		if (old_fd >= 0)
			close(old_fd);
		if (err == -ENOENT && old) /* replaced by someone else meanwhile: once more */
			return attach_tcx(ifindex, type, prog_fd);
		if (err)
			return err;
	}
	/* the others of ours, now that ours is in place (re-read: the replaced one is gone) */
	n = xglb_tcx_list(ifindex, type, ids, XGLB_TCX_MAX);
	for (int i = 0; i < n; i++)
		if (ids[i] != self && !xglb_tcx_prog_name(ids[i], name, sizeof(name)) &&
		    xglb_tc_prog(name, type))
			xglb_tcx_detach_id(ifindex, type, ids[i]);
	return 0;
}

/* Detach every xglb program from IFINDEX's tcx hook TYPE. */
static void detach_tcx(__u32 ifindex, int type)
{
	__u32 ids[XGLB_TCX_MAX];
	char name[64];
	int n = xglb_tcx_list(ifindex, type, ids, XGLB_TCX_MAX);

	for (int i = 0; i < n; i++)
		if (!xglb_tcx_prog_name(ids[i], name, sizeof(name)) && xglb_tc_prog(name, type))
			xglb_tcx_detach_id(ifindex, type, ids[i]);
}

/*
 * prog_fd at interface i's tc hook: at tcx, and then an xglb clsact filter (left by an xglbd
 * without tcx) goes, so in between both run, never neither; without tcx, a clsact filter
 * (BPF_TC_F_REPLACE: atomically in place of ours).
 */
static int attach_tc(const struct xglb_loader *l, __u32 ifindex, bool ingress, int prog_fd)
{
	enum bpf_tc_attach_point where = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
	int err;

	if (!l->tcx)
		return attach_clsact((int)ifindex, where, prog_fd);
	err = attach_tcx(ifindex, ingress ? XGLB_TCX_INGRESS : XGLB_TCX_EGRESS, prog_fd);
	if (!err)
		detach_clsact((int)ifindex, where);
	return err;
}

static void detach_tc(const struct xglb_loader *l, __u32 ifindex, bool ingress)
{
	if (l->tcx)
		detach_tcx(ifindex, ingress ? XGLB_TCX_INGRESS : XGLB_TCX_EGRESS);
	detach_clsact((int)ifindex, ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
}

const char *xglb_loader_tc_name(const struct xglb_loader *l)
{
	return l->tcx ? "tcx" : "clsact";
}

/*
 * Does the kernel have tcx hooks? Asked once (of the loopback interface, ifindex 1, which every
 * namespace has), before the object is loaded: the tc programs' pass verdict depends on it
 * (xglb_tc_pass).
 */
static void probe_tcx(struct xglb_loader *l)
{
	__u32 ids[1];
	int n;

	if (l->tc_known)
		return;
	n = xglb_tcx_list(1, XGLB_TCX_INGRESS, ids, 1);
	l->tc_known = true;
	l->tcx = n >= 0;
	if (!l->tcx)
		pr_info("no tcx hooks in this kernel (%s): tc programs on clsact", strerror(-n));
}

/* Detach p, found attached in mp (find_attached), in the mode it runs in. */
static int detach_found(struct xdp_program *p, struct xdp_multiprog *mp, __u32 ifindex)
{
	return xdp_program__detach(p, (int)ifindex, xdp_multiprog__attach_mode(mp), 0);
}

static const char *mode_desc(enum xdp_attach_mode mode)
{
	return mode == XDP_MODE_SKB ? "generic (skb) mode" : "native mode";
}

/* Is the object loaded (by libxdp's first attach, or by us)? */
static bool object_loaded(const struct xglb_loader *l)
{
	return l->loaded || bpf_program__fd(l->skel->progs.xglb_tc) >= 0;
}

/* Our xglb_xdp on interface i in mode, through libxdp (its dispatcher where the kernel allows). */
static int attach_ours(struct xglb_loader *l, int i, enum xdp_attach_mode mode)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = l->skel->obj, .prog_name = "xglb_xdp");
	int err;

	if (!l->xdp) {
		l->xdp = xdp_program__create(&xopts);
		err = libxdp_get_error(l->xdp);
		if (err) {
			l->xdp = NULL;
			return err;
		}
	}
	err = xdp_program__attach(l->xdp, l->ifindex[i], mode, 0);
	if (err)
		return err;
	l->loaded = true; /* the first attach loaded the object */
	l->xdp_ours[i] = true;
	l->mode[i] = mode;
	return 0;
}

/* What is said of the xglb_xdp program found attached to interface i, adopted or replaced. */
static void say_found(const struct xglb_loader *l, int i, bool adopt, __u32 id, const __u8 *old,
		      const __u8 *ours, enum xdp_attach_mode have)
{
	char dsc[IFDESC_LEN], t0[TAG_LEN], t1[TAG_LEN];

	ifdesc(l->ifindex[i], dsc, sizeof(dsc));
	tag_hex(old, t0);
	tag_hex(ours, t1);
	if (adopt)
		pr_info("%s: adopting the xglb_xdp program already attached (%s): id %u, tag %s, "
			"this xglbd's build",
			dsc, mode_desc(have), id, t0);
	else if (l->stale)
		pr_warn("%s: replacing the older xglb_xdp program attached (id %u, tag %s; it uses "
			"the replaced maps) by this xglbd's (tag %s), in place",
			dsc, id, t0, t1);
	else
		pr_warn(
		    "%s: replacing the xglb_xdp program attached (id %u, tag %s: another build) "
		    "by this xglbd's (tag %s), in place, keeping the pinned maps",
		    dsc, id, t0, t1);
}

/* Load the object unless an attach (libxdp's, or take_over_alone's) already did. */
static int ensure_loaded(struct xglb_loader *l)
{
	int err;

	if (!object_loaded(l)) {
		err = bpf_object__load(l->skel->obj);
		if (err) {
			pr_err("loading the BPF object: %s", strerror(-err));
			return err;
		}
	}
	l->loaded = true;
	return 0;
}

/*
 * Interface i runs xglb_xdp OLD, alone (no libxdp dispatcher), in mode HAVE, the one this run
 * wants. The object is loaded (if no attach did it yet) for its tag: the same tag is this
 * build, adopted; another (an xglbd of another version left it), or maps just replaced (stale),
 * and ours takes its place with one XDP_FLAGS_REPLACE attach naming the old program: every
 * frame meets the old program or ours, never neither, and an attach by someone else in between
 * fails rather than being overwritten.
 */
static int take_over_alone(struct xglb_loader *l, int i, struct xdp_program *old,
			   enum xdp_attach_mode have)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = xdp_program__fd(old));
	__u32 flags =
	    XDP_FLAGS_REPLACE | (have == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	__u8 ours[BPF_TAG_SIZE];
	char dsc[IFDESC_LEN];
	int err, fd;

	err = ensure_loaded(l);
	if (err)
		return err;
	fd = bpf_program__fd(l->skel->progs.xglb_xdp);
	if (!prog_tag(fd, ours)) {
		err = -errno;
		pr_err("xglb_xdp: reading its tag: %s", strerror(errno));
		return err;
	}
	if (!l->stale && !memcmp(ours, xdp_program__tag(old), BPF_TAG_SIZE)) {
		say_found(l, i, true, xdp_program__id(old), xdp_program__tag(old), ours, have);
		l->mode[i] = have;
		return 0;
	}
	say_found(l, i, false, xdp_program__id(old), xdp_program__tag(old), ours, have);
	err = bpf_xdp_attach((int)l->ifindex[i], fd, flags, &opts);
	if (err) {
		pr_err("%s: replacing xglb_xdp id %u in place: %s",
		       ifdesc(l->ifindex[i], dsc, sizeof(dsc)), xdp_program__id(old),
		       strerror(-err));
		return err;
	}
	l->xdp_ours[i] = true;
	l->mode[i] = have;
	return 0;
}

/*
 * The same in libxdp's dispatcher: ours is added next to OLD (a new dispatcher holding both,
 * swapped in atomically; for a moment both run, each passing on what it passes), then the one
 * to go is removed (another atomic swap): ours if its tag is OLD's (this build: OLD adopted),
 * else OLD. The dispatcher never holds neither. (The tag is read after the attach: libxdp loads
 * the program for the dispatcher it joins.)
 */
static int take_over_dispatched(struct xglb_loader *l, int i, struct xdp_program *old,
				enum xdp_attach_mode have)
{
	__u8 ours[BPF_TAG_SIZE];
	bool same = false;
	char dsc[IFDESC_LEN], msg[256];
	int err;

	ifdesc(l->ifindex[i], dsc, sizeof(dsc));
	if (object_loaded(l) && prog_tag(bpf_program__fd(l->skel->progs.xglb_xdp), ours) &&
	    !l->stale && !memcmp(ours, xdp_program__tag(old), BPF_TAG_SIZE)) {
		say_found(l, i, true, xdp_program__id(old), xdp_program__tag(old), ours, have);
		l->mode[i] = have;
		return 0;
	}
	err = attach_ours(l, i, have);
	if (err)
		return err;
	if (!prog_tag(bpf_program__fd(l->skel->progs.xglb_xdp), ours))
		memset(ours, 0, sizeof(ours));
	else
		same = !l->stale && !memcmp(ours, xdp_program__tag(old), BPF_TAG_SIZE);
	if (same && !xdp_program__detach(l->xdp, (int)l->ifindex[i], have, 0)) {
		say_found(l, i, true, xdp_program__id(old), xdp_program__tag(old), ours, have);
		l->xdp_ours[i] = false;
		return 0;
	}
	say_found(l, i, false, xdp_program__id(old), xdp_program__tag(old), ours, have);
	err = xdp_program__detach(old, (int)l->ifindex[i], have, 0);
	if (err) {
		libxdp_strerror(err, msg, sizeof(msg));
		pr_err("%s: removing the replaced xglb_xdp id %u from the dispatcher: %s", dsc,
		       xdp_program__id(old), msg);
	}
	return err;
}

/*
 * xglb_xdp on interface i in mode (XDP_MODE_NATIVE or XDP_MODE_SKB). One
 * already attached in that mode (with xdp-mode auto, in generic mode too:
 * the driver refused native before) is adopted if it is this build's
 * (same tag), else replaced in place (take_over_*). One in the other mode
 * is detached before ours is attached: the kernel runs one XDP mode at a
 * time on an interface, so there the interface is without xglb_xdp for a
 * moment.
 */
static int attach_xdp(struct xglb_loader *l, int i, enum xdp_attach_mode mode)
{
	struct xdp_multiprog *mp;
	enum xdp_attach_mode have;
	char dsc[IFDESC_LEN];
	int err;

	struct xdp_program *old = find_attached(l->ifindex[i], &mp);

	have = old ? xdp_multiprog__attach_mode(mp) : XDP_MODE_UNSPEC;
	if (old && (have == mode || (l->xdp_mode == XGLB_XDP_MODE_AUTO && have == XDP_MODE_SKB))) {
		err = xdp_multiprog__is_legacy(mp) ? take_over_alone(l, i, old, have)
						   : take_over_dispatched(l, i, old, have);
		xdp_multiprog__close(mp);
		return err;
	}
	if (old) {
		/* It runs in the other mode: ours takes its place. */
		if (l->stale)
			pr_warn("%s: replacing the older xglb_xdp program attached (it uses the "
				"replaced maps)",
				ifdesc(l->ifindex[i], dsc, sizeof(dsc)));
		else
			pr_warn(
			    "%s: replacing the xglb_xdp program attached in %s (xdp-mode %s: %s)",
			    ifdesc(l->ifindex[i], dsc, sizeof(dsc)), mode_desc(have),
			    xglb_xdp_mode_name(l->xdp_mode), mode_desc(mode));
		err = detach_found(old, mp, l->ifindex[i]);
		if (err) {
			xdp_multiprog__close(mp);
			return err;
		}
	}
	xdp_multiprog__close(mp);
	return attach_ours(l, i, mode);
}

const char *xglb_hook_use_name(unsigned int use)
{
	static const char *const names[] = {
	    [XGLB_USE_STEER] = "steering", [XGLB_USE_XDP] = "xdp", [XGLB_USE_TC] = "tc"};

	return use < sizeof(names) / sizeof(names[0]) ? names[use] : "?";
}

const char *xglb_attach_mode_name(unsigned int mode)
{
	return mode == XDP_MODE_NATIVE ? "native" : mode == XDP_MODE_SKB ? "generic" : "none";
}

/* Interface i's data path goes to tc: an xglb_xdp left there (by an xglbd in XDP mode) goes. */
static int drop_xdp(struct xglb_loader *l, int i)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p = find_attached(l->ifindex[i], &mp);
	char dsc[IFDESC_LEN];
	int err = 0;

	if (p) {
		pr_info("%s: detaching the xglb_xdp program attached (data path now tc)",
			ifdesc(l->ifindex[i], dsc, sizeof(dsc)));
		err = detach_found(p, mp, l->ifindex[i]);
	}
	xdp_multiprog__close(mp);
	return err;
}

/* The data path hook of group interface i, before any attach: set use[i], driver[i], why[i]. */
static void choose_hook(struct xglb_loader *l, int i)
{
	int err = xglb_netif_driver(l->ifindex[i], l->driver[i], sizeof(l->driver[i]));

	if (err)
		l->driver[i][0] = '\0';
	if (l->datapath == XGLB_DATAPATH_XDP || l->datapath == XGLB_DATAPATH_TC) {
		l->use[i] = l->datapath == XGLB_DATAPATH_TC ? XGLB_USE_TC : XGLB_USE_XDP;
		l->why[i] = "configured";
	} else if (!strcmp(l->driver[i], "veth")) {
		l->use[i] = XGLB_USE_TC; /* an XDP program costs TCP most of its throughput there */
		l->why[i] = "auto: veth";
	} else {
		l->use[i] = XGLB_USE_XDP;
		l->why[i] = "auto: native XDP";
	}
}

int xglb_loader_attach_some(struct xglb_loader *l, const __u32 *ifindex, const bool *dp, int n)
{
	char msg[256], dsc[IFDESC_LEN];
	int err;

	if (n > XGLB_MAX_IFACES)
		return -E2BIG;
	if (!object_loaded(l)) {
		probe_tcx(l);
		/* TCX_NEXT: programs after ours at the hook still run (xglb.bpf.c) */
		l->skel->rodata->xglb_tc_pass = l->tcx ? -1 : 0;
	}
	l->n_if = n;
	memcpy(l->ifindex, ifindex, n * sizeof(*ifindex));
	for (int i = 0; i < n; i++) {
		l->xdp_ours[i] = false;
		l->mode[i] = XDP_MODE_UNSPEC;
		l->driver[i][0] = '\0';
		l->use[i] = XGLB_USE_STEER;
		l->why[i] = "no group";
		if (dp && !dp[i])
			continue;
		choose_hook(l, i);
		if (l->use[i] == XGLB_USE_XDP) {
			err = attach_xdp(l, i,
					 l->xdp_mode == XGLB_XDP_MODE_GENERIC ? XDP_MODE_SKB
									      : XDP_MODE_NATIVE);
			if (err && l->xdp_mode == XGLB_XDP_MODE_AUTO &&
			    l->datapath == XGLB_DATAPATH_XDP) {
				libxdp_strerror(err, msg, sizeof(msg));
				pr_warn("%s: native XDP refused (%s, driver %s): xglb_xdp in "
					"generic (skb) mode",
					ifdesc(ifindex[i], dsc, sizeof(dsc)), msg,
					l->driver[i][0] ? l->driver[i] : "unknown");
				l->why[i] = "configured; no native XDP";
				err = attach_xdp(l, i, XDP_MODE_SKB);
			}
			if (err && l->datapath == XGLB_DATAPATH_AUTO) {
				libxdp_strerror(err, msg, sizeof(msg));
				pr_warn("%s: native XDP refused (%s, driver %s): data path "
					"on tc",
					ifdesc(ifindex[i], dsc, sizeof(dsc)), msg,
					l->driver[i][0] ? l->driver[i] : "unknown");
				l->use[i] = XGLB_USE_TC;
				l->why[i] = "auto: no native XDP";
			} else if (err) {
				libxdp_strerror(err, msg, sizeof(msg));
				if (l->xdp_mode == XGLB_XDP_MODE_NATIVE)
					pr_err("%s: attaching XDP: %s (xdp-mode native); with no "
					       "native XDP in its driver (a bridge, a bond, r8169, "
					       "tg3, e1000) use xdp-mode: auto or generic, or "
					       "datapath: auto or tc",
					       ifdesc(ifindex[i], dsc, sizeof(dsc)), msg);
				else
					pr_err("%s: attaching XDP: %s (xdp-mode %s, in generic "
					       "(skb) mode too); use datapath: auto or tc",
					       ifdesc(ifindex[i], dsc, sizeof(dsc)), msg,
					       xglb_xdp_mode_name(l->xdp_mode));
				return err;
			}
		}
		pr_info("%s: data path %s (%s, driver %s), XDP %s",
			ifdesc(ifindex[i], dsc, sizeof(dsc)), xglb_hook_use_name(l->use[i]),
			l->why[i], l->driver[i][0] ? l->driver[i] : "unknown",
			xglb_attach_mode_name(l->mode[i]));
	}
	err = ensure_loaded(l);
	if (err)
		return err;
	if (!l->hosts.ways) {
		err = xglb_hosttab_open(&l->hosts, bpf_map__fd(l->skel->maps.xglb_hosts), true);
		if (err) {
			pr_err("mapping xglb_hosts: %s", strerror(-err));
			return err;
		}
	}
	carry_hosts(l); /* loaded here or by libxdp's attach: the new table exists */
	for (int i = 0; i < n; i++) {
		struct bpf_program *in = l->use[i] == XGLB_USE_TC ? l->skel->progs.xglb_tc
								  : l->skel->progs.xglb_tc_ingress;

		err =
		    attach_tc(l, ifindex[i], false, bpf_program__fd(l->skel->progs.xglb_tc_egress));
		if (err) {
			pr_err("%s: attaching xglb_tc_egress at tc egress (%s): %s",
			       ifdesc(ifindex[i], dsc, sizeof(dsc)), xglb_loader_tc_name(l),
			       strerror(-err));
			return err;
		}
		err = attach_tc(l, ifindex[i], true, bpf_program__fd(in));
		if (err) {
			pr_err("%s: attaching %s at tc ingress (%s): %s",
			       ifdesc(ifindex[i], dsc, sizeof(dsc)), bpf_program__name(in),
			       xglb_loader_tc_name(l), strerror(-err));
			return err;
		}
		/*
		 * Only now, with xglb_tc in place, an xglb_xdp left there goes: in
		 * between both run (xglb_tc sees XDP's readdressed frames, not its
		 * answered ARP), never neither.
		 */
		if (l->use[i] == XGLB_USE_TC) {
			err = drop_xdp(l, i);
			if (err) {
				pr_err("%s: detaching xglb_xdp: %s",
				       ifdesc(ifindex[i], dsc, sizeof(dsc)), strerror(-err));
				return err;
			}
		}
	}
	/*
	 * Every interface of this call runs programs on the maps this process
	 * loaded: an xglb_xdp found attached from now on (a reload, a re-created
	 * interface) is ours, to adopt, not an older one to replace.
	 */
	l->stale = false;
	return 0;
}

void xglb_loader_detach(struct xglb_loader *l, bool unpin)
{
	for (int i = 0; i < l->n_if; i++) {
		struct xdp_multiprog *mp;
		struct xdp_program *p = find_attached(l->ifindex[i], &mp);

		if (p) {
			int err = detach_found(p, mp, l->ifindex[i]);

			if (err) {
				char dsc[IFDESC_LEN];

				pr_warn("%s: detaching XDP: %s",
					ifdesc(l->ifindex[i], dsc, sizeof(dsc)), strerror(-err));
			}
		}
		xdp_multiprog__close(mp);
		detach_tc(l, l->ifindex[i], false);
		detach_tc(l, l->ifindex[i], true);
	}
	if (unpin && l->skel) {
		bpf_object__unpin_maps(l->skel->obj, NULL);
		rmdir(l->pin_root);
	}
}

void xglb_loader_close(struct xglb_loader *l)
{
	if (l->hosts_old_fd > 0)
		close(l->hosts_old_fd);
	l->hosts_old_fd = 0;
	xglb_hosttab_close(&l->hosts);
	xdp_program__close(l->xdp);
	l->xdp = NULL;
	xglb__destroy(l->skel);
	l->skel = NULL;
}

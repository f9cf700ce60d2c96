// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_fillhosts.c - fill a pinned xglb_hosts map with synthetic hosts, as a
 * segment with that many hosts would: xglb_fillhosts PIN GID COUNT [FWD]
 * (every host given forwarder FWD, default 0; the same hosts each run, so a
 * second run rewrites them).
 * The hosts are established (they asked more than once) and last heard
 * from now (xglb_ctl.hb_jiffies, read from the xglb_ctl pinned next to
 * PIN), so the agent's ageing keeps them as it would such hosts. They go
 * in through the agent's helper (user/lib/hosttab.c), MAC after MAC,
 * passing over the MACs whose bucket is full, until COUNT are in (or
 * every bucket is). Prints the number of entries the map then holds.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hosttab.h"
#include "xglb.h"

int main(int argc, char **argv)
{
	struct xglb_hosttab t;
	int fd, ncpu = libbpf_num_possible_cpus(), gid, fwd = 0, err;
	long count, done = 0;
	__u64 n = 0, now;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: xglb_fillhosts PIN GID COUNT [FWD]\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	{
		/* now, in jiffies: the heartbeat's stamp in the xglb_ctl pinned beside PIN */
		char ctl_path[4096];
		const char *slash = strrchr(argv[1], '/');
		struct xglb_ctl ctl;
		__u32 zero = 0;
		int cfd;

		snprintf(ctl_path, sizeof(ctl_path), "%.*s/%s", slash ? (int)(slash - argv[1]) : 1,
			 slash ? argv[1] : ".", XGLB_MAP_CTL);
		cfd = bpf_obj_get(ctl_path);
		if (cfd < 0 || bpf_map_lookup_elem(cfd, &zero, &ctl)) {
			fprintf(stderr, "xglb_fillhosts: %s: %s\n", ctl_path, strerror(errno));
			return 1;
		}
		now = ctl.hb_jiffies;
		close(cfd);
	}
	gid = atoi(argv[2]);
	count = atol(argv[3]);
	if (argc == 5)
		fwd = atoi(argv[4]);
	if (fd < 0 || gid < 1 || gid > 255 || count < 1 || ncpu < 1 || fwd < 0 ||
	    fwd >= XGLB_MAX_FWD) {
		fprintf(stderr, "xglb_fillhosts: %s: %s\n", argv[1],
			fd < 0 ? strerror(errno) : "bad arguments");
		return 1;
	}
	err = xglb_hosttab_open(&t, fd, true);
	if (err) {
		fprintf(stderr, "xglb_fillhosts: mapping %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	/* every MAC meets a bucket with room long before this, while there is one */
	for (__u64 i = 0; done < count && i < 64 * xglb_hosttab_capacity(&t); i++) {
		struct xglb_host_key k = {
		    .gid = (__u8)gid,
		    .mac = {0x02, 0xfe, (__u8)(i >> 24), (__u8)(i >> 16), (__u8)(i >> 8), (__u8)i}};
		struct xglb_host h = {.fwd = (__u8)fwd,
				      .flags = XGLB_HOST_ESTABLISHED,
				      .ip = htobe32(0x0a400000 | (i & 0x3fffff)),
				      .first_jiffies = now,
				      .last_jiffies = now};

		err = xglb_hosttab_insert(&t, &k, &h);
		if (err == -EEXIST) /* a second run: the same host, rewritten */
			err = xglb_hosttab_set_fwd(&t, &k, (__u8)fwd);
		done += err == 0;
	}
	for (__u32 w = 0; w < t.n_ways; w++)
		n += (__atomic_load_n(&t.ways[w].tag, __ATOMIC_ACQUIRE) & XGLB_HOST_TAG_LIVE) != 0;
	xglb_hosttab_close(&t);
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

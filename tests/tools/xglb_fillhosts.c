// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_fillhosts.c - fill a pinned xglb_hosts map with synthetic hosts, as a
 * segment with that many hosts would: xglb_fillhosts PIN GID COUNT [FWD]
 * (every host given forwarder FWD, default 0; the same hosts each run, so a
 * second run rewrites them).
 * The hosts are established (they asked more than once) and last heard
 * from now (xglb_ctl.hb_jiffies, read from the xglb_ctl pinned next to
 * PIN), so the agent's ageing keeps them as it would such hosts. The
 * entries are written from every CPU in turn. Prints the number of
 * entries the map then holds.
 */
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xglb.h"

#define BATCH 4096

int main(int argc, char **argv)
{
	static struct xglb_host_key keys[BATCH];
	static struct xglb_host vals[BATCH];
	int fd, ncpu = libbpf_num_possible_cpus(), gid, fwd = 0;
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
	for (int cpu = 0; cpu < ncpu; cpu++) {
		long share = count / ncpu + (cpu < count % ncpu);
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			continue; /* not an online CPU */
		while (share > 0) {
			__u32 b = share < BATCH ? (__u32)share : BATCH;

			for (__u32 i = 0; i < b; i++, done++) {
				keys[i] = (struct xglb_host_key){
				    .gid = (__u8)gid,
				    .mac = {0x02, 0xfe, (__u8)(done >> 24), (__u8)(done >> 16),
					    (__u8)(done >> 8), (__u8)done}};
				vals[i] = (struct xglb_host){
				    .fwd = (__u8)fwd,
				    .flags = XGLB_HOST_ESTABLISHED,
				    .ip = htobe32(0x0a400000 | (done & 0x3fffff)),
				    .first_jiffies = now,
				    .last_jiffies = now};
			}
			if (bpf_map_update_batch(fd, keys, vals, &b, NULL)) {
				fprintf(stderr, "xglb_fillhosts: batch update: %s\n",
					strerror(errno));
				return 1;
			}
			share -= b;
		}
	}
	{
		struct xglb_host_key k, prev;
		int first = 1;

		while (bpf_map_get_next_key(fd, first ? NULL : &prev, &k) == 0) {
			prev = k;
			first = 0;
			n++;
		}
	}
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

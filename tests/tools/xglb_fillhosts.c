// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_fillhosts.c - fill a pinned xglb_hosts map with synthetic hosts, as a
 * segment with that many hosts would: xglb_fillhosts PIN GID COUNT [FWD]
 * (every host given forwarder FWD, default 0; the same hosts each run, so a
 * second run rewrites them).
 * xglb_hosts keeps one LRU list per CPU, each holding its share of the
 * capacity, so the entries are written from every CPU in turn. Prints the
 * number of entries the map then holds.
 */
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	__u64 n = 0;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: xglb_fillhosts PIN GID COUNT [FWD]\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
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
				    .ip = htobe32(0x0a400000 | (done & 0x3fffff))};
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

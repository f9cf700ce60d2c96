// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_fillseen.c - fill a pinned xglb_seen map with synthetic hosts, as that many hosts
 * sending through one forwarder would: xglb_fillseen PIN_ROOT GID COUNT FWD IFINDEX. Every
 * host is seen now (the heartbeat's jiffies in PIN_ROOT/xglb_ctl), through forwarder FWD, on
 * interface IFINDEX, with an IPv4 address in 10.200.0.0/16 + its number (the same hosts each
 * run). Prints the number of entries written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "xglb.h"

#define BATCH 4096

int main(int argc, char **argv)
{
	static struct xglb_host_key keys[BATCH];
	static struct xglb_seen vals[BATCH];
	char path[4096];
	struct xglb_ctl ctl;
	__u32 zero = 0;
	long count, done = 0;
	int ctl_fd, fd, gid, fwd;
	unsigned long ifindex;

	if (argc != 6) {
		fprintf(stderr, "usage: xglb_fillseen PIN_ROOT GID COUNT FWD IFINDEX\n");
		return 2;
	}
	gid = atoi(argv[2]);
	count = atol(argv[3]);
	fwd = atoi(argv[4]);
	ifindex = strtoul(argv[5], NULL, 10);
	if (gid < 1 || gid > 255 || count < 1 || count > 0xffffff || fwd < 0 ||
	    fwd >= XGLB_MAX_FWD || !ifindex) {
		fprintf(stderr, "xglb_fillseen: bad arguments\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/xglb_ctl", argv[1]);
	ctl_fd = bpf_obj_get(path);
	if (ctl_fd < 0 || bpf_map_lookup_elem(ctl_fd, &zero, &ctl)) {
		fprintf(stderr, "xglb_fillseen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/xglb_seen", argv[1]);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "xglb_fillseen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (done < count) {
		__u32 b = count - done < BATCH ? (__u32)(count - done) : BATCH;
		__u32 n = b;

		for (__u32 i = 0; i < b; i++) {
			long h = done + i;

			keys[i] = (struct xglb_host_key){
			    .gid = (__u8)gid,
			    .mac = {0x02, 0xfd, 0, (__u8)(h >> 16), (__u8)(h >> 8), (__u8)h}};
			vals[i] = (struct xglb_seen){.ifindex = (__u32)ifindex,
						     .ip4 = htonl(0x0ac80000u + (__u32)h),
						     .last_jiffies = ctl.hb_jiffies,
						     .fwd = (__u8)fwd};
		}
		if (bpf_map_update_batch(fd, keys, vals, &n, NULL)) {
			fprintf(stderr, "xglb_fillseen: writing %s after %ld entries: %s\n", path,
				done + n, strerror(errno));
			return 1;
		}
		done += b;
	}
	printf("%ld\n", done);
	return 0;
}

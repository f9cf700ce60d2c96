// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcx.c - programs at the tc hooks without a qdisc (tcx): list, attach, replace, detach. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "tcx.h"

/* The kernel's flags for multi-program hooks (uapi, newer than libbpf 1.1's headers). */
#define TCX_F_REPLACE (1U << 2) /* BPF_F_REPLACE */
#define TCX_F_BEFORE  (1U << 3) /* BPF_F_BEFORE: with no relative program, first */
#define TCX_F_AFTER   (1U << 4) /* BPF_F_AFTER: with no relative program, last */

const char *xglb_tcx_dir_name(int type)
{
	return type == XGLB_TCX_INGRESS ? "ingress" : type == XGLB_TCX_EGRESS ? "egress" : "?";
}

int xglb_tcx_list(__u32 ifindex, int type, __u32 *ids, int max)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids, .prog_cnt = (__u32)max);

	if (bpf_prog_query_opts((int)ifindex, (enum bpf_attach_type)type, &q))
		return -errno;
	return (int)(q.prog_cnt < (__u32)max ? q.prog_cnt : (__u32)max);
}

int xglb_tcx_prog_name(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		err = -errno;
	else
		snprintf(name, len, "%s", info.name);
	close(fd);
	return err;
}

int xglb_tcx_attach(__u32 ifindex, int type, int prog_fd, int replace_fd, enum xglb_tcx_where where)
{
	LIBBPF_OPTS(bpf_prog_attach_opts, o);

	if (replace_fd >= 0) {
		o.flags = TCX_F_REPLACE;
		o.replace_prog_fd = replace_fd;
	} else {
		o.flags = where == XGLB_TCX_FIRST ? TCX_F_BEFORE : TCX_F_AFTER;
	}
	if (bpf_prog_attach_opts(prog_fd, (int)ifindex, (enum bpf_attach_type)type, &o))
		return -errno;
	return 0;
}

int xglb_tcx_detach_id(__u32 ifindex, int type, __u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_prog_detach2(fd, (int)ifindex, (enum bpf_attach_type)type))
		err = -errno;
	close(fd);
	return err;
}

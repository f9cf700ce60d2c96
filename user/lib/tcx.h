/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tcx.h - BPF programs at an interface's tc hooks without a qdisc (tcx, kernel 6.6 and later):
 * list, attach first or last, replace in place, detach. Programs are attached with
 * BPF_PROG_ATTACH, not as links: like a clsact filter they stay attached when the process that
 * attached them dies, until detached. libbpf 1.1 has no names for the tcx attach types; the
 * values are the kernel's uapi.
 */
#ifndef XGLB_TCX_H
#define XGLB_TCX_H

#include <stdbool.h>
#include <linux/types.h>

#define XGLB_TCX_INGRESS 46 /* BPF_TCX_INGRESS */
#define XGLB_TCX_EGRESS	 47 /* BPF_TCX_EGRESS */

#define XGLB_TCX_MAX 64 /* programs listed per hook */

enum xglb_tcx_where {
	XGLB_TCX_FIRST, /* before every other program of the hook */
	XGLB_TCX_LAST,	/* after every other program of the hook */
};

/* "ingress" / "egress" of an attach type. */
const char *xglb_tcx_dir_name(int type);

/*
 * The ids of the programs at IFINDEX's tcx hook TYPE, in the order they run, into ids (at
 * most max); their count, or -errno (-EINVAL: no tcx in this kernel).
 */
int xglb_tcx_list(__u32 ifindex, int type, __u32 *ids, int max);

/* The name of program ID (kernel's, at most 15 characters) into name; 0 or -errno. */
int xglb_tcx_prog_name(__u32 id, char *name, size_t len);

/*
 * Attach prog_fd at IFINDEX's hook TYPE: in place of replace_fd if that is >= 0 (atomically:
 * every packet meets the old program or the new one, never neither), else first or last. 0 or
 * -errno (-EEXIST: prog_fd is attached there already).
 */
int xglb_tcx_attach(__u32 ifindex, int type, int prog_fd, int replace_fd,
		    enum xglb_tcx_where where);

/* Detach the program of id ID from IFINDEX's hook TYPE; 0 or -errno (-ENOENT: not there). */
int xglb_tcx_detach_id(__u32 ifindex, int type, __u32 id);

#endif

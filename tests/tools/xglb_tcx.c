// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_tcx.c - the tcx hooks of an interface, for the lab and the benches (bpftool before 7.3
 * does not list tcx programs):
 *   xglb_tcx show DEV                 one line per program: "ingress|egress ID NAME", in the
 *                                     order they run
 *   xglb_tcx attach DEV ingress|egress OBJ PROG first|last
 *                                     load program PROG of object OBJ and attach it (it stays
 *                                     attached after this exits)
 *   xglb_tcx detach DEV ingress|egress ID
 * Exits 0, or 1 with a message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include "tcx.h"

static int dir_type(const char *s)
{
	return !strcmp(s, "ingress")  ? XGLB_TCX_INGRESS
	       : !strcmp(s, "egress") ? XGLB_TCX_EGRESS
				      : -1;
}

static int show(__u32 ifindex)
{
	static const int types[] = {XGLB_TCX_INGRESS, XGLB_TCX_EGRESS};
	__u32 ids[XGLB_TCX_MAX];
	char name[64];

	for (int t = 0; t < 2; t++) {
		int n = xglb_tcx_list(ifindex, types[t], ids, XGLB_TCX_MAX);

		if (n < 0) {
			fprintf(stderr, "xglb_tcx: listing %s: %s\n", xglb_tcx_dir_name(types[t]),
				strerror(-n));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (xglb_tcx_prog_name(ids[i], name, sizeof(name)))
				snprintf(name, sizeof(name), "?");
			printf("%s %u %s\n", xglb_tcx_dir_name(types[t]), ids[i], name);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	__u32 ifindex;
	int type, err;

	if (argc < 3 || !(ifindex = if_nametoindex(argv[2]))) {
		fprintf(stderr, "usage: xglb_tcx show DEV | attach DEV ingress|egress OBJ PROG "
				"first|last | detach DEV ingress|egress ID\n");
		return 1;
	}
	if (!strcmp(argv[1], "show") && argc == 3)
		return show(ifindex);
	if (argc < 5 || (type = dir_type(argv[3])) < 0) {
		fprintf(stderr, "xglb_tcx: want ingress or egress\n");
		return 1;
	}
	if (!strcmp(argv[1], "detach") && argc == 5) {
		err = xglb_tcx_detach_id(ifindex, type, (__u32)strtoul(argv[4], NULL, 10));
		if (err)
			fprintf(stderr, "xglb_tcx: detach: %s\n", strerror(-err));
		return !!err;
	}
	if (strcmp(argv[1], "attach") || argc != 7) {
		fprintf(stderr, "xglb_tcx: unknown command\n");
		return 1;
	}
	obj = bpf_object__open_file(argv[4], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xglb_tcx: loading %s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, argv[5]);
	if (!prog) {
		fprintf(stderr, "xglb_tcx: %s has no program %s\n", argv[4], argv[5]);
		return 1;
	}
	err = xglb_tcx_attach(ifindex, type, bpf_program__fd(prog), -1,
			      !strcmp(argv[6], "first") ? XGLB_TCX_FIRST : XGLB_TCX_LAST);
	if (err)
		fprintf(stderr, "xglb_tcx: attach: %s\n", strerror(-err));
	return !!err;
}

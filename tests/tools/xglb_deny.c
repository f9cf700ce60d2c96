// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xglb_deny - run a command with some kernel requests refused, as on a
 * kernel or a NIC that cannot do them; a seccomp filter, inherited by the
 * command, nothing else changed. Usage: xglb_deny WHAT... -- COMMAND [ARG...]
 *   tcx      every bpf(BPF_PROG_QUERY) fails with EINVAL, as a kernel
 *            without tcx hooks (before Linux 6.6) answers a query of a tcx
 *            attach type: xglbd's probe (loader.c) falls back to clsact
 *   ethtool  every ioctl(SIOCETHTOOL) fails with EOPNOTSUPP, as for a
 *            driver without ethtool operations: xglbd cannot read or turn
 *            off receive VLAN offload (rxvlan.c), nor read the driver name
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "xglb_deny: no AUDIT_ARCH for this architecture"
#endif

#define LD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define ALLOW	  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define FAIL(e)	  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))

static int usage(void)
{
	fprintf(stderr, "usage: xglb_deny tcx|ethtool... -- COMMAND [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	__u32 bpf_nr = 0xffffffff, ioctl_nr = 0xffffffff; /* no such syscall: never matches */
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "tcx"))
			bpf_nr = __NR_bpf;
		else if (!strcmp(argv[i], "ethtool"))
			ioctl_nr = __NR_ioctl;
		else
			return usage();
	}
	if (i == 1 || i >= argc - 1)
		return usage();

	struct sock_filter f[] = {
	    LD(arch),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
	    ALLOW,
	    LD(nr),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, bpf_nr, 0, 3),
	    LD(args[0]), /* the command, an int */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_PROG_QUERY, 0, 1),
	    FAIL(EINVAL),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ioctl_nr, 0, 3),
	    LD(args[1]), /* the request's low 32 bits (little endian) */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIOCETHTOOL, 0, 1),
	    FAIL(EOPNOTSUPP),
	    ALLOW,
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		fprintf(stderr, "xglb_deny: seccomp: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "xglb_deny: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}

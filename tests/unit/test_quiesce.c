// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_quiesce.c - a failed membarrier before a bank rewrite is logged, not silently slept over. */
#include "testlib.h"
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <json-c/json.h>
#include "bank.h"
#include "log.h"
#include "t_logged.h"

/* membarrier() fails with ENOSYS from now on in this process; everything else runs. */
static int refuse_membarrier(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* In a child, so the filter stays there: exit 0 if the failure was logged once per power of two. */
static int child(void)
{
	struct xglb_bank b;

	memset(&b, 0, sizeof(b));
	if (refuse_membarrier())
		return 10;
	for (int i = 0; i < 3; i++) {
		b.need_sync = true;
		xglb_bank_quiesce(&b);
		if (b.need_sync)
			return 11;
	}
	if (t_logged(
		"membarrier(MEMBARRIER_CMD_GLOBAL) failed: Function not implemented (1 times)") !=
	    1)
		return 12;
	if (t_logged("(2 times)") != 1 || t_logged("(3 times)") != 0)
		return 13;
	return 0;
}

static void failed_membarrier_is_logged(void **state)
{
	int status;
	pid_t pid;

	xglb_log_init("test", XGLB_LOG_INFO);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* With membarrier working nothing is logged. */
static void working_membarrier_is_quiet(void **state)
{
	struct xglb_bank b;

	memset(&b, 0, sizeof(b));
	xglb_log_init("test", XGLB_LOG_INFO);
	b.need_sync = true;
	xglb_bank_quiesce(&b);
	assert_false(b.need_sync);
	assert_int_equal(t_logged("membarrier"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(working_membarrier_is_quiet),
	    cmocka_unit_test(failed_membarrier_is_logged),
	};

	return cmocka_run_group_tests_name("quiesce", tests, NULL, NULL);
}

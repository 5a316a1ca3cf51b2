/*
 * syscall-filter NAME... -- COMMAND [ARG...]: runs COMMAND under the
 * system-call filters systemd installs for etc/systemd/quill@.service, for
 * t/85-systemd-unit.t on a machine where systemd cannot start the unit:
 *   - an allow list of the system calls NAME... (the test expands the
 *     unit's SystemCallFilter= groups with systemd-analyze), every other
 *     call failing with EPERM (SystemCallErrorNumber=EPERM);
 *   - MemoryDenyWriteExecute=yes: no mapping both writable and executable,
 *     no mprotect() that makes memory executable, no executable shmat();
 *   - NoNewPrivileges=yes, which a seccomp filter needs anyway.
 * Names this kernel or libseccomp does not know are skipped, as systemd
 * skips them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include <seccomp.h>

/* What MemoryDenyWriteExecute=yes adds: a filter of its own. */
static int
deny_write_execute(void)
{
	scmp_filter_ctx ctx;
	int rc;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return -ENOMEM;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC,
	    PROT_WRITE | PROT_EXEC));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(mprotect), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(pkey_mprotect), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(shmat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

/* The allow list: argv up to "--"; *end is set to the index of "--". */
static int
allow_list(int argc, char **argv, int *end)
{
	scmp_filter_ctx ctx;
	int i, nr, rc = 0;

	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL)
		return -ENOMEM;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if ((nr = seccomp_syscall_resolve_name(argv[i])) ==
		    __NR_SCMP_ERROR)
			continue;
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0)
			break;
	}
	*end = i;
	if (rc == 0 && i == argc)
		rc = -EINVAL;
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int
main(int argc, char **argv)
{
	int end, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: syscall-filter NAME... -- COMMAND "
		    "[ARG...]\n");
		return 2;
	}
	if ((rc = deny_write_execute()) != 0 ||
	    (rc = allow_list(argc, argv, &end)) != 0) {
		fprintf(stderr, "syscall-filter: cannot install the filter: "
		    "%s\n", strerror(-rc));
		return 2;
	}
	execvp(argv[end + 1], argv + end + 1);
	fprintf(stderr, "syscall-filter: %s: %s\n", argv[end + 1],
	    strerror(errno));
	return 127;
}

/* O_PATH: a rule needs no right to read the directory it names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/futex.h>
#include <linux/landlock.h>
#include <seccomp.h>

#ifdef QUILL_SANITIZED
#include <linux/sched.h>
#include <sanitizer/common_interface_defs.h>
#endif

#include "base/log.h"
#include "web/sandbox.h"

/*
 * The system calls of serving a request, allowed whatever their arguments.
 * A name this architecture does not have is skipped.
 */
static const char *const sandbox_calls[] = {
	/* The request: libfcgi accepts on descriptor 0, reads and writes
	 * the connection, and on closing it shuts it down and drains it with
	 * select; plain CGI reads stdin and writes stdout. */
	"accept", "accept4", "read", "readv", "write", "writev", "close",
	"shutdown", "select", "pselect6", "poll", "ppoll",
	/* SQLite's files (the database, -wal, -shm), the Argon2 lock file:
	 * read, written, synced, locked with fcntl and flock (the writers'
	 * queue); SQLite checks for files with stat and access, opens its
	 * directory to sync it, and tries to delete -wal and -shm when it
	 * closes the last connection.  What may be opened or deleted is
	 * Landlock's part. */
	"openat", "open", "lseek", "pread64", "pwrite64", "fstat",
	"newfstatat", "stat", "lstat", "access", "faccessat", "faccessat2",
	"fsync", "fdatasync", "ftruncate", "unlink", "unlinkat", "fcntl",
	"flock",
	/* Memory: malloc, the request arena, SQLite's -shm mapping; glibc's
	 * qsort asks how much memory the machine has (sysinfo) before it
	 * sorts more than a kilobyte (a search's page of ranked matches,
	 * the keys of a JSON object). */
	"brk", "munmap", "mremap", "madvise", "sysinfo",
	/* Time, sleeping (SQLite's busy wait, the Argon2 slot's nap), the
	 * request's time limit (setitimer) and the writers' queue timer. */
	"clock_gettime", "gettimeofday", "time", "nanosleep",
	"clock_nanosleep", "setitimer", "timer_settime", "timer_delete",
	/* Signals: SIGALRM (time limit), SIGUSR2 (queue timer), SIGTERM. */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	/* libsodium's random bytes (session and CSRF secrets), the Argon2
	 * slot picked by process id, leaving. */
	"getrandom", "getpid", "exit", "exit_group",
#ifdef QUILL_SANITIZED
	/* AddressSanitizer and LeakSanitizer builds only: at exit
	 * LeakSanitizer stops the world with a tracer thread (clone with
	 * CLONE_VM, below) that ptraces the process and lists its threads;
	 * a report writes to stderr. */
	"ptrace", "wait4", "prctl", "sched_yield", "getdents", "getdents64",
	"sigaltstack", "gettid", "getppid", "tgkill", "kill", "futex",
	"readlink",
#endif
};

/*
 * With PostgreSQL, a program (re)connects to its database and cancels a
 * statement at the deadline after start-up: libpq's socket calls.
 */
static const char *const sandbox_net_calls[] = {
	"socket", "connect", "getsockopt", "setsockopt", "getsockname",
	"getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "geteuid",
	"getuid",
};

/* A system call allowed only when one argument compares so. */
struct sandbox_rule {
	const char		*name;
	unsigned int		 arg;
	enum scmp_compare	 op;
	scmp_datum_t		 a, b;	/* MASKED_EQ: (arg & a) == b */
};

static const struct sandbox_rule sandbox_rules[] = {
	/*
	 * Memory, never executable: no code can be added after start-up
	 * (an exploit's usual next step).
	 */
	{ "mmap", 2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0 },
	{ "mprotect", 2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0 },
	/*
	 * isatty(3) only, which stdio asks of a stdout or stdin that is a
	 * character device (a terminal, /dev/null) in plain CGI.
	 */
	{ "ioctl", 1, SCMP_CMP_EQ, TCGETS, 0 },
	/*
	 * pthread_once(3), which OpenSSL (under libjwt) runs even at exit,
	 * wakes its waiters; one thread needs nothing more of futex (not
	 * its requeue and priority-inheritance operations).
	 */
	{ "futex", 1, SCMP_CMP_EQ, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 0 },
	{ "futex", 1, SCMP_CMP_EQ, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0 },
#ifdef QUILL_SANITIZED
	/* LeakSanitizer's tracer is a thread of sorts: it shares memory. */
	{ "clone", 0, SCMP_CMP_MASKED_EQ, CLONE_VM, CLONE_VM },
#endif
};

/* Adds one rule: action for the call name when its arg compares so. */
static int
sandbox_rule_add(scmp_filter_ctx ctx, uint32_t action, const char *name,
    unsigned int arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	struct scmp_arg_cmp cmp;
	int nr;

	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return 0;
	memset(&cmp, 0, sizeof(cmp));
	cmp.arg = arg;
	cmp.op = op;
	cmp.datum_a = a;
	cmp.datum_b = b;
	return seccomp_rule_add_array(ctx, action, nr, 1, &cmp);
}

/* The rules of sandbox_rules, and those that depend on the process. */
static int
sandbox_add_rules(scmp_filter_ctx ctx)
{
	const struct sandbox_rule *r;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sandbox_rules) / sizeof(sandbox_rules[0]); i++) {
		r = &sandbox_rules[i];
		if ((rc = sandbox_rule_add(ctx, SCMP_ACT_ALLOW, r->name, r->arg,
		    r->op, r->a, r->b)) < 0)
			return rc;
	}
	/* Signals to itself only: abort(3), which raise(3)s SIGABRT. */
	if ((rc = sandbox_rule_add(ctx, SCMP_ACT_ALLOW, "tgkill", 0,
	    SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0)) < 0)
		return rc;
#ifdef QUILL_SANITIZED
	/*
	 * A fork, which a sanitizer may make to start a symbolizer, fails
	 * instead of ending the process: the report then names addresses.
	 */
	if ((rc = sandbox_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 0,
	    SCMP_CMP_MASKED_EQ, CLONE_VM, 0)) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fork),
	    0)) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(vfork),
	    0)) < 0)
		return rc;
#endif
	return 0;
}

static const char *sandbox_described = "off";

static enum { PROBE_NONE, PROBE_EXECVE, PROBE_MMAP, PROBE_OPEN }
    sandbox_probe_kind;

/* The probes by name, in the order of the enum after PROBE_NONE. */
static const char *const probe_names[] = { "execve", "mmap", "open" };

/* The database sandbox_enter was given: the open probe tries it too. */
static char probe_db[PATH_MAX];

/* The file the open probe tries: outside any state directory. */
#define PROBE_OPEN_PATH "/etc/passwd"

#if defined(SYS_landlock_create_ruleset) && defined(SYS_landlock_add_rule) && \
    defined(SYS_landlock_restrict_self)
/* The rights of Landlock's first version. */
#define LL_FS_V1 (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | \
	LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
	LANDLOCK_ACCESS_FS_MAKE_SYM)

/*
 * Every file a program works with is open before it confines itself: the
 * database with its -wal and -shm, the Argon2 lock file.  All it may still
 * open is the database's directory, which SQLite syncs after making a
 * -wal; not a file, not even in that directory, where a shared host keeps
 * the programs and their settings too.
 */
#define LL_DB_DIR LANDLOCK_ACCESS_FS_READ_DIR

long
sandbox_landlock_abi(const char **why)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	if (abi >= 1)
		return abi;
	*why = errno == EOPNOTSUPP ? "Landlock is disabled in this kernel "
	    "(add landlock to its lsm= boot parameter)" : "this kernel has no "
	    "Landlock (Linux 5.13 or later has it)";
	return 0;
}

/*
 * Gives the tree at path, or the file at path, the rights allowed (within
 * handled; a file takes only the rights of files); 0 or -1.
 */
static int
landlock_allow(int ruleset, const char *path, __u64 allowed, __u64 handled)
{
	struct landlock_path_beneath_attr pb;
	int rc;

	memset(&pb, 0, sizeof(pb));
	if ((pb.parent_fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return -1;
	pb.allowed_access = allowed & handled;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
	return rc == 0 ? 0 : -1;
}

/*
 * Restricts what this process may open from now on to the directory of
 * db_path (to read it).  Returns 1 when done, 0 when the kernel has no
 * Landlock (logged), -1 with err set on a failure.
 */
static int
landlock_enter(const char *db_path, char *err, size_t errsz)
{
	struct landlock_ruleset_attr attr;
	char dir[PATH_MAX];
	const char *what, *why;
	long abi;
	int ruleset;

	if ((abi = sandbox_landlock_abi(&why)) < 1) {
		log_event(LOG_WARN, "landlock_unavailable", NULL, "reason", why,
		    "effect", "files stay open to the programs after start-up; "
		    "the system-call filter still applies", NULL);
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = LL_FS_V1;
	/* Later versions handle more: refused unless granted below. */
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
	if (abi >= 5)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
#endif
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
	    0);
	if (ruleset == -1) {
		what = "cannot create a Landlock ruleset";
		goto fail;
	}
	/* Where the file really is: SQLite follows a symbolic link. */
	if (realpath(db_path, dir) == NULL ||
	    landlock_allow(ruleset, dirname(dir), LL_DB_DIR,
	    attr.handled_access_fs) == -1) {
		what = "cannot give the database's directory to Landlock";
		goto fail_close;
	}
#ifdef QUILL_SANITIZED
	/*
	 * LeakSanitizer lists the threads in /proc at exit; a report reads
	 * the program and its libraries (in /usr) to name functions.  The
	 * program's file only, not its directory, which may hold the state.
	 */
	if (landlock_allow(ruleset, "/proc", LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR, attr.handled_access_fs) == -1 ||
	    landlock_allow(ruleset, "/usr", LANDLOCK_ACCESS_FS_READ_FILE,
	    attr.handled_access_fs) == -1 ||
	    realpath("/proc/self/exe", dir) == NULL ||
	    landlock_allow(ruleset, dir, LANDLOCK_ACCESS_FS_READ_FILE,
	    attr.handled_access_fs) == -1) {
		what = "cannot give the sanitizers' files to Landlock";
		goto fail_close;
	}
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) == -1) {
		what = "cannot restrict this process with Landlock";
		goto fail_close;
	}
	close(ruleset);
	return 1;
fail_close:
	close(ruleset);
fail:
	snprintf(err, errsz, "%s: %s", what, strerror(errno));
	return -1;
}
#else
long
sandbox_landlock_abi(const char **why)
{
	*why = "built without Landlock (the C library lacks its system calls)";
	return 0;
}

static int
landlock_enter(const char *db_path, char *err, size_t errsz)
{
	const char *why;

	(void)db_path;
	(void)err;
	(void)errsz;
	(void)sandbox_landlock_abi(&why);
	log_event(LOG_WARN, "landlock_unavailable", NULL, "reason", why,
	    NULL);
	return 0;
}
#endif

/* Installs the seccomp filter; 0, or -1 with err set. */
static int
seccomp_enter(int network, char *err, size_t errsz)
{
	scmp_filter_ctx ctx;
	size_t i;
	int nr, rc;

	/* Older kernels (before 4.14) end only the thread: one here. */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL &&
	    (ctx = seccomp_init(SCMP_ACT_KILL)) == NULL) {
		snprintf(err, errsz, "cannot set up the system-call filter "
		    "(out of memory)");
		return -1;
	}
	rc = 0;
	for (i = 0; rc >= 0 && i < sizeof(sandbox_calls) /
	    sizeof(sandbox_calls[0]); i++)
		if ((nr = seccomp_syscall_resolve_name(sandbox_calls[i])) !=
		    __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	for (i = 0; network && rc >= 0 && i < sizeof(sandbox_net_calls) /
	    sizeof(sandbox_net_calls[0]); i++)
		if ((nr = seccomp_syscall_resolve_name(sandbox_net_calls[i])) !=
		    __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (rc >= 0)
		rc = sandbox_add_rules(ctx);
	/* A binary tree: a request's system calls cost a few comparisons. */
	if (rc >= 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc >= 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errsz, "cannot install the system-call filter: %s "
		    "(the kernel needs seccomp filters; QUILL_SANDBOX=0 runs "
		    "without the sandbox)", strerror(-rc));
		return -1;
	}
	return 0;
}

int
sandbox_enter(const char *db_path, int network, char *err, size_t errsz)
{
	int ll;

#ifdef QUILL_SANITIZED
	/* The sanitizers read /proc/self/maps now, while they still may. */
	__sanitizer_sandbox_on_notify(NULL);
#endif
	snprintf(probe_db, sizeof(probe_db), "%s", db_path);
	if ((ll = landlock_enter(db_path, err, errsz)) == -1 ||
	    seccomp_enter(network, err, errsz) == -1)
		return -1;
	sandbox_described = ll ? "seccomp+landlock" : "seccomp";
	return 0;
}

const char *
sandbox_state(void)
{
	return sandbox_described;
}

int
sandbox_probe_init(int sandbox_on, char *err, size_t errsz)
{
	const char *v = getenv("QUILL_SANDBOX_PROBE");
	size_t i;

	sandbox_probe_kind = PROBE_NONE;
	if (v == NULL || *v == '\0')
		return 0;
	for (i = 0; i < sizeof(probe_names) / sizeof(probe_names[0]); i++)
		if (strcmp(v, probe_names[i]) == 0)
			break;
	if (i == sizeof(probe_names) / sizeof(probe_names[0])) {
		snprintf(err, errsz, "QUILL_SANDBOX_PROBE must be execve, mmap "
		    "or open, not \"%.100s\"", v);
		return -1;
	}
	if (!sandbox_on) {
		snprintf(err, errsz, "QUILL_SANDBOX_PROBE tests the sandbox, "
		    "which QUILL_SANDBOX=0 turns off");
		return -1;
	}
	sandbox_probe_kind = PROBE_EXECVE + (int)i;
	return 0;
}

int
sandbox_probe_armed(void)
{
	return sandbox_probe_kind != PROBE_NONE;
}

/*
 * Opens path to read, as the open probe's attempt named what: logs
 * whether Landlock refused it or (an error) it opened.
 */
static void
probe_open(const char *request_id, const char *what, const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_event(LOG_WARN, "sandbox_probe", request_id, "attempt",
		    what, "outcome", "denied", "reason", strerror(errno),
		    NULL);
		return;
	}
	close(fd);
	log_event(LOG_ERROR, "sandbox_probe", request_id, "attempt", what,
	    "outcome", "opened", NULL);
}

void
sandbox_probe(const char *request_id)
{
	static char *const argv[] = { "true", NULL }, *const envp[] = { NULL };
	void *p;

	switch (sandbox_probe_kind) {
	case PROBE_EXECVE:
		log_event(LOG_WARN, "sandbox_probe", request_id, "attempt",
		    "execve", NULL);
		execve("/bin/true", argv, envp);
		log_event(LOG_ERROR, "sandbox_probe", request_id, "attempt",
		    "execve", "outcome", "failed", "reason", strerror(errno),
		    NULL);
		return;
	case PROBE_MMAP:
		log_event(LOG_WARN, "sandbox_probe", request_id, "attempt",
		    "mmap_exec", NULL);
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		log_event(LOG_ERROR, "sandbox_probe", request_id, "attempt",
		    "mmap_exec", "outcome", p == MAP_FAILED ? "failed" :
		    "mapped", NULL);
		if (p != MAP_FAILED)
			munmap(p, 4096);
		return;
	case PROBE_OPEN:
		/*
		 * A file outside, and the database itself: its directory
		 * may be listed, but no file in it opened anew.  No lock
		 * is held between requests, so closing a second descriptor
		 * of the database (which would drop them) costs nothing.
		 */
		probe_open(request_id, "open", PROBE_OPEN_PATH);
		probe_open(request_id, "open_beside_db", probe_db);
		return;
	case PROBE_NONE:
		return;
	}
}

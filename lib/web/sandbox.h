/*
 * sandbox: what a program may still do once it has started.  Start-up
 * reads the settings and the key and opens the password blocklist (read
 * on first use) and the database; then the program confines itself for good.  Landlock, where
 * the kernel has it, limits the files it may open to the database's
 * directory; a seccomp filter lets through only the system calls that
 * serving a request makes, and any other ends the process at once
 * (SIGSYS).  Both outlive execve(2), and nothing undoes them.
 * docs/hardening.md lists what is allowed and why.
 */
#ifndef QUILL_SANDBOX_H
#define QUILL_SANDBOX_H

#include <stddef.h>

/*
 * Confines this process: Landlock to the directory of db_path (read and
 * write), when the kernel has Landlock (else one warning is logged), then
 * the seccomp filter, which lets the process make network connections
 * when network is set (a PostgreSQL database).  Returns 0, or -1 with a
 * sentence in err when the filter cannot be installed; the process must
 * then not serve.
 */
int sandbox_enter(const char *db_path, int network, char *err,
    size_t errsz);

/* What sandbox_enter set up, for the start line: "seccomp+landlock",
 * "seccomp", or "off" when it has not run. */
const char *sandbox_state(void);

/* The Landlock version this kernel offers, or 0 with a sentence in *why. */
long sandbox_landlock_abi(const char **why);

/*
 * The test hook: QUILL_SANDBOX_PROBE in the environment at start-up asks
 * every request but the health check to attempt something the sandbox
 * forbids: "execve" (a program), "mmap" (memory mapped executable) or
 * "open" (a file outside the database's directory, and the database
 * itself anew).  Only the environment can set it, never a request or the
 * settings file, and only together with the sandbox.  Returns 0 (armed or
 * not set), or -1 with err naming the problem.
 */
int sandbox_probe_init(int sandbox_on, char *err, size_t errsz);

/* 1 when the probe is armed. */
int sandbox_probe_armed(void);

/*
 * Attempts what the probe names.  A working sandbox ends the process on
 * the execve and the mapping; the opens are refused by Landlock (or, on a
 * kernel without Landlock, succeed and are closed unread).  Logs the outcome; the
 * request is then answered as an internal error.
 */
void sandbox_probe(const char *request_id);

#endif

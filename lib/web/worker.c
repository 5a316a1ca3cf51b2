#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "base/metrics.h"
#include "web/worker.h"

/*
 * The signals that would end the supervisor and that a web server or an
 * administrator sends: the supervisor passes them on to its worker and
 * ends when the worker has.  It must not go first: the worker would keep
 * the socket open a moment longer, and lighttpd, finding it still open
 * when it starts the program again, takes it for a server someone else
 * runs and never starts the program again.
 */
static const int worker_passed[] = { SIGTERM, SIGUSR1, SIGHUP, SIGINT,
    SIGQUIT };
/* Signals the supervisor ignores: only the worker uses them. */
static const int worker_ignored[] = { SIGUSR2, SIGALRM };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static volatile sig_atomic_t worker_stopping;
static volatile sig_atomic_t worker_pid;

/* In the supervisor: passes the signal on; no new worker after this. */
static void
worker_on_signal(int sig)
{
	int saved = errno;

	worker_stopping = 1;
	if (worker_pid > 0)
		kill((pid_t)worker_pid, sig);
	errno = saved;
}

/* Logs how the worker ended when a signal nobody passed on ended it. */
static void
worker_log_death(int status)
{
	char sig[16];
	int s;

	if (!WIFSIGNALED(status))
		return;
	s = WTERMSIG(status);
	snprintf(sig, sizeof(sig), "%d", s);
	log_event(LOG_ERROR, "worker_killed", NULL, "signal", sig, "name",
	    strsignal(s), "reason", s == SIGSYS ? "a system call outside the "
	    "sandbox (docs/hardening.md; QUILL_SANDBOX=0 turns it off)" :
	    s == SIGKILL ? "killed from outside (the out-of-memory killer, "
	    "kill -9)" : "a crash", NULL);
}

/*
 * Counts the unasked end of a worker of the program called name in the
 * metrics file its settings name, when a worker has made that file, and
 * sends the line about it to the log file the settings name.
 */
static void
worker_count_death(const char *name)
{
	char err[512];

	if (config_load(err, sizeof(err)) == 0) {
		(void)metrics_add_once(config.metrics_file, name,
		    MET_PROCESS_DEATHS, 1);
		config_log_file();
	}
}

/*
 * Ends the supervisor.  The socket closes first: a web server that
 * connects meanwhile is refused at once and tries elsewhere, rather than
 * wait on a socket nobody will accept on while exit runs (slowly in a
 * sanitizer build, which checks for leaks first).
 */
static void
worker_leave(int code)
{
	close(STDIN_FILENO);
	exit(code);
}

/* In the new worker: every signal as a program starts with it, and tied
 * to the supervisor. */
static void
worker_begin(pid_t supervisor, const sigset_t *mask)
{
	size_t i;

	for (i = 0; i < NELEM(worker_passed); i++)
		signal(worker_passed[i], SIG_DFL);
	for (i = 0; i < NELEM(worker_ignored); i++)
		signal(worker_ignored[i], SIG_DFL);
	/* A supervisor killed outright (kill -9) takes its worker along. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
	    getppid() != supervisor)
		_exit(EXIT_FAILURE);
	sigprocmask(SIG_SETMASK, mask, NULL);
}

void
worker_supervise(const char *name)
{
	struct sigaction sa;
	sigset_t passed, old;
	pid_t self = getpid(), pid;
	size_t i;
	int status;

	sigemptyset(&passed);
	for (i = 0; i < NELEM(worker_passed); i++)
		sigaddset(&passed, worker_passed[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sa.sa_mask = passed;
	for (i = 0; i < NELEM(worker_passed); i++)
		sigaction(worker_passed[i], &sa, NULL);
	for (i = 0; i < NELEM(worker_ignored); i++)
		signal(worker_ignored[i], SIG_IGN);
	for (;;) {
		/* Held until worker_pid is set, so that none goes astray. */
		sigprocmask(SIG_BLOCK, &passed, &old);
		if (worker_stopping)
			worker_leave(0);
		if ((pid = fork()) == 0) {
			worker_begin(self, &old);
			return;
		}
		if (pid == -1) {
			log_event(LOG_ERROR, "worker_failed", NULL, "reason",
			    strerror(errno), NULL);
			worker_leave(EXIT_FAILURE);
		}
		worker_pid = pid;
		sigprocmask(SIG_SETMASK, &old, NULL);
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR)
				worker_leave(EXIT_FAILURE);
		worker_pid = 0;
		if (WIFEXITED(status) &&
		    WEXITSTATUS(status) == WORKER_EXIT_RECYCLE)
			continue;
		if (worker_stopping)
			worker_leave(0);
		worker_count_death(name);
		worker_log_death(status);
		worker_leave(WIFEXITED(status) ? WEXITSTATUS(status) :
		    EXIT_FAILURE);
	}
}

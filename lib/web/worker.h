/*
 * worker: a FastCGI program as two processes.  The process the web server
 * starts stays outside the sandbox and does one thing: it keeps the
 * listening socket (descriptor 0) open and runs the program in a child,
 * the worker, which starts up, confines itself (sandbox) and serves.  A
 * worker that has served its quota of requests (QUILL_MAX_REQUESTS) exits
 * with WORKER_EXIT_RECYCLE and a fresh one takes its place on the same
 * socket, so queued requests wait instead of failing, and nothing ever
 * needs execve inside the sandbox.  Any other end of the worker ends its
 * supervisor too, and the web server starts another, as it would have
 * for a single process.
 */
#ifndef QUILL_WORKER_H
#define QUILL_WORKER_H

/* The exit status by which a worker asks to be replaced. */
#define WORKER_EXIT_RECYCLE 75

/*
 * Forks the worker of the program called name and returns in it.  The
 * caller becomes its supervisor and never returns: it passes SIGTERM,
 * SIGUSR1, SIGHUP, SIGINT and SIGQUIT on to the worker and ends after it,
 * starts another worker when one exits with WORKER_EXIT_RECYCLE, and
 * otherwise exits when the worker does, logging a worker that a signal
 * killed and counting it in the metrics (quill_process_deaths_total).  A
 * supervisor killed outright (SIGKILL) takes its worker along
 * (PR_SET_PDEATHSIG).
 */
void worker_supervise(const char *name);

#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "web/limit.h"
#include "base/log.h"

static struct {
	long	 timeout_ms;
	long	 max_requests;
	long	 served;
	/* What the timer's handler writes: made before, since it may not. */
	char	 line[256];
	size_t	 len;
} limit;

/*
 * SIGALRM: the request outlived twice its limit, somewhere no deadline
 * reaches.  Leaving is all that is safe here; SQLite's journal undoes an
 * unfinished transaction, the kernel drops the Argon2 slot, and the web
 * server starts another process.
 */
static void
limit_on_alarm(int sig)
{
	struct timespec now;
	ssize_t w;

	(void)sig;
	clock_gettime(CLOCK_REALTIME, &now);
	log_stamp(limit.line, limit.len, &now);
	w = write(STDERR_FILENO, limit.line, limit.len);
	(void)w;
	_exit(EXIT_FAILURE);
}

int
limit_init(long timeout_ms, long max_requests)
{
	struct sigaction sa;
	struct timespec now;
	char ms[24];

	limit.timeout_ms = timeout_ms;
	limit.max_requests = max_requests;
	limit.served = 0;
	if (timeout_ms <= 0)
		return 0;
	/* Made once; the handler sets its time. */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(ms, sizeof(ms), "%ld", timeout_ms);
	limit.len = log_prepare(limit.line, sizeof(limit.line), &now,
	    LOG_ERROR, "request_killed", "limitMs", ms, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = limit_on_alarm;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGALRM, &sa, NULL);
}

void
limit_request_begin(void)
{
	struct itimerval it;
	long hard = 2 * limit.timeout_ms;

	if (limit.timeout_ms <= 0)
		return;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = hard / 1000;
	it.it_value.tv_usec = (hard % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	db_deadline(limit.timeout_ms);
}

void
limit_request_end(void)
{
	struct itimerval off;

	limit.served++;
	if (limit.timeout_ms <= 0)
		return;
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	db_deadline(0);
}

int
limit_recycle_due(void)
{
	char n[24];

	if (limit.max_requests <= 0 || limit.served < limit.max_requests)
		return 0;
	snprintf(n, sizeof(n), "%ld", limit.served);
	log_event(LOG_INFO, "recycle", NULL, "requests", n, NULL);
	return 1;
}

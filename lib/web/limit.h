/*
 * limit: how long one request may run, and how many requests one process
 * serves.  A request's database work stops at its time limit (SQL is
 * interrupted, lock waits end: 503); a request still running at twice the
 * limit, stuck outside SQLite, ends its process, which the web server
 * replaces.  After its quota of requests a process gives way to a fresh
 * one (worker.h).
 */
#ifndef QUILL_LIMIT_H
#define QUILL_LIMIT_H

/*
 * Sets the limits of this process: timeout_ms per request (0: none) and
 * max_requests (0: no quota).  Returns 0, or -1 when the timer's signal
 * cannot be handled.
 */
int limit_init(long timeout_ms, long max_requests);

/* Starts the clock of the request that begins now. */
void limit_request_begin(void);

/* Stops it, and counts the request as served. */
void limit_request_end(void);

/* 1 (and logged) when this process has served its quota of requests. */
int limit_recycle_due(void);

#endif

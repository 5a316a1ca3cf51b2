/*
 * log: one JSON object per line on stderr, which the web server writes to
 * its error log.  Never given secrets: callers pass identifiers only.
 */
#ifndef QUILL_LOG_H
#define QUILL_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };

/* "debug", "info", "warn", "error": indexed by enum log_level. */
extern const char *const log_level_names[LOG__MAX];

/* Parses a level's name into *out; -1 when it is not one. */
int log_level_parse(const char *s, enum log_level *out);

/* Names the program in every line (e.g. "auth"). */
void log_init(const char *program);

/*
 * Sends the log lines, and everything else written to standard error, to
 * the file at path (appended to; made with mode 0600) instead.  When the
 * file already has max_bytes or more (and max_bytes > 0), it is first
 * renamed to path.1, replacing that.  Returns 0, or -1 with err set and
 * standard error unchanged.
 */
int log_to_file(const char *path, long max_bytes, char *err, size_t errsz);

/* Lines below level are dropped. */
void log_set_level(int level);

/*
 * Writes {"time","level","program","event","requestId"?, key: value...}.
 * The variadic part is pairs of const char * (key, value) ending in NULL;
 * values are written as JSON strings.
 */
void log_event(enum log_level level, const char *event, const char *request_id,
    ...) __attribute__((sentinel));

/*
 * Formats the line log_event would write at time when (CLOCK_REALTIME),
 * without writing it, for a signal handler to write(2) later: into dst (n
 * bytes, NUL-terminated).  Returns its length, or 0 when it does not fit.
 */
size_t log_prepare(char *dst, size_t n, const struct timespec *when,
    enum log_level level, const char *event, ...) __attribute__((sentinel));

/*
 * Sets the time of a line log_prepare made (len bytes) to when.  It only
 * computes and copies, so a signal handler may call it.
 */
void log_stamp(char *line, size_t len, const struct timespec *when);

void log_request(const char *method, const char *path, int status,
    double duration_ms, const char *request_id, int64_t user_id,
    const char *client);

#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/text.h"
#include "base/time.h"
#include "base/log.h"

static const char *log_program = "quill";
static int log_min = LOG_INFO;
static struct buf log_line;
const char *const log_level_names[LOG__MAX] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

/* A line starts {"time":" and then 2026-11-22T04:40:47.934Z. */
#define LOG_TIME_AT	9
#define LOG_TIME_LEN	24

int
log_level_parse(const char *s, enum log_level *out)
{
	int i;

	if ((i = text_name_index(log_level_names, LOG__MAX, s,
	    strlen(s))) == -1)
		return -1;
	*out = (enum log_level)i;
	return 0;
}

void
log_init(const char *program)
{
	log_program = program;
}

int
log_to_file(const char *path, long max_bytes, char *err, size_t errsz)
{
	char old[1100];
	struct stat st;
	int fd;

	if (max_bytes > 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size >= max_bytes) {
		/* Another process may have rotated it first: then this
		 * rename fails or moves a young file, and nothing is lost
		 * but the older .1. */
		snprintf(old, sizeof(old), "%s.1", path);
		if (rename(path, old) == -1 && errno != ENOENT) {
			snprintf(err, errsz, "cannot rename %.400s to %.400s: "
			    "%s", path, old, strerror(errno));
			return -1;
		}
	}
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		snprintf(err, errsz, "cannot open %.400s to append: %s%s", path,
		    strerror(errno), errno == EACCES ? " (the programs must be "
		    "able to write there: the directory and the file belong to "
		    "the account they run as)" : "");
		return -1;
	}
	if (fd != STDERR_FILENO) {
		if (dup2(fd, STDERR_FILENO) == -1) {
			snprintf(err, errsz, "cannot use %.400s: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

void
log_set_level(int level)
{
	log_min = level;
}

/*
 * Writes the 24 bytes of ts as 2026-11-22T04:40:47.934Z to dst.  With
 * cached set, the date and time of day come from the last call's when it
 * was the same second; a signal handler passes 0, as the handler may have
 * interrupted a call halfway through the cache.
 */
static void
log_time(char *dst, const struct timespec *ts, int cached)
{
	static time_t last = -1;
	static char last_when[32];
	char when[32];
	long ms = ts->tv_nsec / 1000000;

	if (!cached)
		time_rfc3339(ts->tv_sec, when, sizeof(when));
	else if (ts->tv_sec != last) {
		time_rfc3339(ts->tv_sec, last_when, sizeof(last_when));
		last = ts->tv_sec;
	}
	memcpy(dst, cached ? last_when : when, 19);
	dst[19] = '.';
	dst[20] = (char)('0' + ms / 100);
	dst[21] = (char)('0' + ms / 10 % 10);
	dst[22] = (char)('0' + ms % 10);
	dst[23] = 'Z';
}

/* Starts a line with the time (now when ts is NULL), level, program, event. */
static void
log_begin(const struct timespec *ts, enum log_level level, const char *event)
{
	struct timespec now;
	char when[LOG_TIME_LEN];

	if (ts == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		ts = &now;
	}
	log_time(when, ts, 1);
	buf_reset(&log_line);
	buf_puts(&log_line, "{\"time\":\"");
	buf_append(&log_line, when, sizeof(when));
	buf_puts(&log_line, "\",\"level\":\"");
	buf_puts(&log_line, log_level_names[level]);
	buf_puts(&log_line, "\",\"program\":\"");
	buf_puts(&log_line, log_program);
	buf_puts(&log_line, "\",\"event\":\"");
	buf_json_escape(&log_line, event, strlen(event));
	buf_puts(&log_line, "\"");
}

/* Appends ,"key":"value". */
static void
log_kv(const char *key, const char *value)
{
	buf_puts(&log_line, ",\"");
	buf_json_escape(&log_line, key, strlen(key));
	buf_puts(&log_line, "\":\"");
	buf_json_escape(&log_line, value, strlen(value));
	buf_puts(&log_line, "\"");
}

/* Appends field, the text ,"key":" of a key that needs no escaping, then
 * value and the closing quote. */
static void
log_field(const char *field, const char *value)
{
	if (value == NULL)
		value = "";
	buf_puts(&log_line, field);
	buf_json_escape(&log_line, value, strlen(value));
	buf_append(&log_line, "\"", 1);
}

/* Appends the (key, value) pairs of ap, up to a NULL key. */
static void
log_pairs(va_list ap)
{
	const char *k, *v;

	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		log_kv(k, v != NULL ? v : "");
	}
}

/* Ends the line and writes it with one write(2), so lines never interleave. */
static void
log_end(void)
{
	ssize_t w;

	buf_puts(&log_line, "}\n");
	if (log_line.oom)
		return;
	w = write(STDERR_FILENO, log_line.data, log_line.len);
	(void)w;
}

void
log_event(enum log_level level, const char *event, const char *request_id, ...)
{
	va_list ap;

	if ((int)level < log_min)
		return;
	log_begin(NULL, level, event);
	if (request_id != NULL)
		log_kv("requestId", request_id);
	va_start(ap, request_id);
	log_pairs(ap);
	va_end(ap);
	log_end();
}

size_t
log_prepare(char *dst, size_t n, const struct timespec *when,
    enum log_level level, const char *event, ...)
{
	va_list ap;

	log_begin(when, level, event);
	va_start(ap, event);
	log_pairs(ap);
	va_end(ap);
	buf_puts(&log_line, "}\n");
	if (log_line.oom || log_line.len >= n) {
		if (n > 0)
			dst[0] = '\0';
		return 0;
	}
	memcpy(dst, log_line.data, log_line.len);
	dst[log_line.len] = '\0';
	return log_line.len;
}

void
log_stamp(char *line, size_t len, const struct timespec *when)
{
	if (len >= LOG_TIME_AT + LOG_TIME_LEN)
		log_time(line + LOG_TIME_AT, when, 0);
}

void
log_request(const char *method, const char *path, int status,
    double duration_ms, const char *request_id, int64_t user_id,
    const char *client)
{
	if (LOG_INFO < log_min)
		return;
	log_begin(NULL, LOG_INFO, "request");
	log_field(",\"requestId\":\"", request_id);
	log_field(",\"method\":\"", method);
	log_field(",\"path\":\"", path);
	{
		long long us = (long long)(duration_ms * 1000.0 + 0.5);

		buf_puts(&log_line, ",\"status\":");
		buf_int(&log_line, status, 0);
		buf_puts(&log_line, ",\"durationMs\":");
		buf_int(&log_line, us / 1000, 0);
		buf_puts(&log_line, ".");
		buf_int(&log_line, us % 1000, 3);
	}
	if (user_id > 0) {
		buf_puts(&log_line, ",\"userId\":");
		buf_int(&log_line, (long long)user_id, 0);
	}
	log_field(",\"client\":\"", client);
	log_end();
}

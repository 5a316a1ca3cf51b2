/*
 * time: Unix seconds written and read as text, without the C library's
 * calendar (gmtime, timegm), which is slower and depends on the locale and
 * the time zone: RFC 3339 for the API, the log and the pages, RFC 5322 for
 * the Date of a mail.
 */
#ifndef QUILL_TIME_H
#define QUILL_TIME_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of "2026-01-31T12:00:00Z" with its NUL. */
#define TIME_RFC3339_SIZE	21

/*
 * Formats Unix time t as RFC 3339 UTC ("2026-01-31T12:00:00Z") into out,
 * of outsz >= TIME_RFC3339_SIZE bytes.  A year outside 0000-9999, or a
 * smaller out, gives the epoch (truncated to outsz).
 */
void time_rfc3339(int64_t t, char *out, size_t outsz);

/*
 * Parses an RFC 3339 date-time ("2026-01-31T12:00:00Z", fractions of a
 * second and offsets such as "+02:00" allowed; years 0000-9999) into Unix
 * seconds, rounded down, in *t; *fraction is 1 when a non-zero fraction
 * was dropped.  Returns 0, or -1 when s is not such a time.
 */
int time_parse_rfc3339(const char *s, int64_t *t, int *fraction);

/*
 * Formats Unix time t as the date of a mail, RFC 5322 in UTC
 * ("Sat, 31 Jan 2026 12:00:00 +0000"), into out.  Returns 0, or -1 when
 * the year is outside 0000-9999 or out is too small.
 */
int time_rfc5322(int64_t t, char *out, size_t outsz);

#endif

/*
 * tap.h: the Test Anything Protocol for C unit tests.  Each test program
 * prints a plan at the end (done_testing) and exits non-zero when any check
 * failed, so prove counts every check.
 */
#ifndef QUILL_TAP_H
#define QUILL_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond) {
		tap_failed++;
		fprintf(stderr, "#   Failed test at %s line %d.\n", file,
		    line);
	}
	return cond;
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (!ok(g_ == w_, __VA_ARGS__))					\
		fprintf(stderr, "#   got: %lld\n#   expected: %lld\n",	\
		    g_, w_);							\
} while (0)
#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int c_ = (g_ == NULL && w_ == NULL) ||				\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);		\
	if (!ok(c_, __VA_ARGS__))					\
		fprintf(stderr, "#   got: '%s'\n#   expected: '%s'\n",	\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)
/* Diagnostics go to standard error, as Test::More's: prove shows them. */
#define diag(...) do { fprintf(stderr, "# ");				\
	fprintf(stderr, __VA_ARGS__); fprintf(stderr, "\n"); } while (0)

/*
 * A malloc'd buffer of n bytes (one when n is 0), for inputs copied to
 * exactly their length so that a read past them shows under ASan.  Bails
 * out of the whole run when there is no memory.
 */
static inline char *
tap_malloc(size_t n)
{
	char *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL) {
		printf("Bail out! malloc\n");
		exit(255);
	}
	return p;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif

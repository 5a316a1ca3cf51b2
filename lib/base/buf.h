/*
 * buf: a growable byte buffer for building responses.  Buffers are long-lived
 * (reused from request to request); buf_reset() keeps the capacity.
 */
#ifndef QUILL_BUF_H
#define QUILL_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 oom;	/* set once an append failed; the content is then incomplete */
};

/* Appends n bytes; on allocation failure sets b->oom and returns -1. */
int buf_append(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
int buf_puts(struct buf *b, const char *s);

/* Appends printf output. */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends v in decimal, at least width digits (zero-padded). */
int buf_int(struct buf *b, long long v, int width);

/*
 * Writes v in base (10 or 16, lower case), at least width digits
 * (zero-padded), to dst, which has room for BUF_DIGITS_MAX bytes; ends it
 * with a NUL and returns its length.  snprintf's work without its cost.
 */
#define BUF_DIGITS_MAX 24
size_t buf_digits(char *dst, long long v, int base, int width);

/* Appends s as the inside of a JSON string (quotes not included). */
int buf_json_escape(struct buf *b, const char *s, size_t n);

/* Appends s with the five HTML metacharacters escaped. */
int buf_html_escape(struct buf *b, const char *s, size_t n);

/* Empties the buffer and clears oom, keeping the allocation. */
void buf_reset(struct buf *b);

/* Frees the storage. */
void buf_free(struct buf *b);

#endif

/*
 * text: the small readers of bytes that several layers share: hex digits,
 * UTF-8, decimal numbers, names.  Pure functions over (s, n); no
 * allocation.
 */
#ifndef QUILL_TEXT_H
#define QUILL_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (either case), or -1. */
int text_hex_value(int c);

/*
 * 1 when the n bytes at s are valid UTF-8: each sequence the shortest
 * encoding of a scalar value (no overlongs, no surrogates, nothing above
 * U+10FFFF, nothing cut short).  NUL bytes are valid.
 */
int text_utf8_valid(const char *s, size_t n);

/*
 * The code points in the n bytes of valid UTF-8 at s, counted up to one
 * past limit: a result > limit says "too long" without reading the rest.
 */
size_t text_utf8_chars(const char *s, size_t n, size_t limit);

/*
 * The largest id, 2^53 - 1: the largest integer that a JSON number read as
 * a double (JavaScript's) still holds exactly.
 */
#define TEXT_ID_MAX	INT64_C(9007199254740991)

/*
 * The canonical positive decimal of the n bytes at s (1 to TEXT_ID_MAX, no
 * sign, no leading zero, digits only), or -1 when it is not one.
 */
int64_t text_parse_id(const char *s, size_t n);

/*
 * Reads the n bytes at s as a whole decimal int64 (an optional '-', then
 * digits) within [min, max] into *out.  Returns 0, or -1 when it is not
 * one, or out of range; *out is then unchanged.
 */
int text_parse_int(const char *s, size_t n, int64_t min, int64_t max,
    int64_t *out);

/*
 * The index of the n bytes at s among the nnames names (exact, case
 * included), or -1.  How an enum's one name table is read.
 */
int text_name_index(const char *const *names, int nnames, const char *s,
    size_t n);

#endif

/*
 * json: request bodies to cJSON trees under limits, and small output helpers.
 */
#ifndef QUILL_JSON_H
#define QUILL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

struct buf;

enum json_err {
	JSON_OK = 0,
	JSON_MALFORMED,		/* not JSON, or trailing garbage */
	JSON_NOT_OBJECT,	/* the top level is not an object */
	JSON_TOO_DEEP,		/* nesting deeper than the limit */
	JSON_DUPLICATE_KEY,	/* an object has the same key twice */
	JSON_BAD_UTF8,		/* the text is not valid UTF-8 */
	JSON_NUL,		/* a string contains \u0000 */
	JSON_NOMEM
};

/* Nesting depth allowed in request bodies (objects and arrays). */
#define JSON_MAX_DEPTH 16

/*
 * Parses a request body of len bytes (not NUL-terminated).  The text must be
 * valid UTF-8, a single top-level object nested at most max_depth deep, with
 * no duplicate key in any object and no \u0000 in any string.  Returns the
 * tree (the caller frees it with cJSON_Delete) or NULL with *err set.
 */
cJSON *json_parse_body(const char *buf, size_t len, int max_depth,
    enum json_err *err);

/* A short human description of e. */
const char *json_err_message(enum json_err e);

/* Appends the compact serialisation of item to b; -1 on failure. */
int json_append(struct buf *b, const cJSON *item);

/*
 * For JSON written straight into b, without a tree, byte for byte as
 * json_append writes the same value: s as a quoted string (escaped as
 * buf_json_escape does; NULL as ""), v in decimal.  -1 on failure.
 */
int json_put_string(struct buf *b, const char *s);
int json_put_int(struct buf *b, int64_t v);

#endif

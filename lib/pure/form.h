/*
 * form: parsers for application/x-www-form-urlencoded bodies, query strings
 * and the fields of multipart/form-data bodies.  Pure functions over a
 * (buf, len) pair; all output is allocated from the caller's arena.
 */
#ifndef QUILL_FORM_H
#define QUILL_FORM_H

#include <stddef.h>

struct arena;

/* Upper bound on the number of fields one body or query may carry. */
#define FORM_MAX_FIELDS 64

struct form_field {
	const char	*name;		/* decoded, NUL-terminated */
	size_t		 name_len;
	const char	*value;		/* decoded, NUL-terminated */
	size_t		 value_len;
};

struct form {
	struct form_field	*fields;
	size_t			 n;
};

enum form_err {
	FORM_OK = 0,
	FORM_MALFORMED,		/* bad percent-encoding, bad multipart framing */
	FORM_TOO_MANY,		/* more than FORM_MAX_FIELDS fields */
	FORM_NUL,		/* a decoded name or value contains a NUL byte */
	FORM_BAD_UTF8,		/* a decoded name or value is not valid UTF-8 */
	FORM_FILE,		/* a multipart part carries a file */
	FORM_NOMEM
};

/*
 * Parses "a=1&b=2" (also a query string, without the '?').  '+' decodes to a
 * space, %XX to its byte.  Empty pairs ("a=1&&b=2") are skipped; a name with
 * no '=' has an empty value.  On success *out holds the fields in order.
 */
enum form_err form_parse_urlencoded(struct arena *a, const char *buf,
    size_t len, struct form *out);

/*
 * Parses a multipart/form-data body whose Content-Type header value is ctype
 * (the boundary is taken from it).  Only plain fields are accepted: a part
 * with a filename is FORM_FILE.
 */
enum form_err form_parse_multipart(struct arena *a, const char *ctype,
    const char *buf, size_t len, struct form *out);

/* The first field called name, or NULL. */
const struct form_field *form_get(const struct form *f, const char *name);

/* The name of a field that occurs twice, or NULL when all names differ. */
const char *form_duplicate(const struct form *f);

/* A short human description of e. */
const char *form_err_message(enum form_err e);

#endif

/*
 * valid: field tables in the kcgi style.  One row per field: its name, a
 * validator and whether it is required.  Validators are pure computation
 * over a struct vinput (what the client sent, from JSON or a form) and fill
 * a struct vvalue (the typed value a handler reads).
 */
#ifndef QUILL_VALID_H
#define QUILL_VALID_H

#include <stddef.h>
#include <stdint.h>

enum vkind {
	VIN_ABSENT = 0,
	VIN_NULL,
	VIN_STRING,	/* JSON string, or any form value */
	VIN_NUMBER,	/* JSON number */
	VIN_BOOL,	/* JSON true/false */
	VIN_OTHER	/* JSON object or array */
};

struct vinput {
	enum vkind	 kind;
	const char	*str;	/* VIN_STRING: NUL-terminated, valid UTF-8 */
	size_t		 len;
	double		 num;	/* VIN_NUMBER */
	int		 boolean;	/* VIN_BOOL */
	int		 from_form;	/* 1 when the body was a form */
};

struct vvalue {
	int		 present;
	const char	*str;	/* string fields: the accepted text */
	size_t		 len;
	int64_t		 i;	/* integer and enumerated fields */
	int		 b;	/* boolean fields */
};

struct vfail {
	const char	*code;		/* detail code, e.g. "invalid_format" */
	const char	*message;
};

typedef const struct vfail *(*vcheck)(const struct vinput *, struct vvalue *);

struct vfield {
	const char	*name;
	vcheck		 check;
	int		 required;
};

struct verror {
	const char	*field;
	const char	*code;
	const char	*message;
};

#define VALID_MAX_ERRORS 16

struct verrors {
	struct verror	 e[VALID_MAX_ERRORS];
	size_t		 n;
};

/*
 * Checks in[i] against tab[i] for i < n and fills out[i].  An absent or null
 * required field is "required"; an absent optional one is left not present.
 * Appends one error per failing field to errs (as many as it holds);
 * returns the number of fields that failed, so a full errs hides none.
 */
size_t valid_run(const struct vfield *tab, size_t n, const struct vinput *in,
    struct vvalue *out, struct verrors *errs);

/*
 * For bodies that change a record: when none of the n fields of tab is
 * present in values, appends a "one_required" error for each and returns 1.
 */
int valid_require_one(const struct vfield *tab, size_t n,
    const struct vvalue *values, struct verrors *errs);

/* Appends one error; silently drops it when errs is full. */
void valid_add(struct verrors *errs, const char *field, const char *code,
    const char *message);

/* Validators. */
const struct vfail *valid_email(const struct vinput *, struct vvalue *);
const struct vfail *valid_password(const struct vinput *, struct vvalue *);
const struct vfail *valid_secret(const struct vinput *, struct vvalue *);
const struct vfail *valid_name(const struct vinput *, struct vvalue *);
const struct vfail *valid_title(const struct vinput *, struct vvalue *);
const struct vfail *valid_post_body(const struct vinput *, struct vvalue *);
const struct vfail *valid_post_status(const struct vinput *, struct vvalue *);
const struct vfail *valid_role(const struct vinput *, struct vvalue *);
const struct vfail *valid_bool(const struct vinput *, struct vvalue *);
const struct vfail *valid_return_to(const struct vinput *, struct vvalue *);

/* Number of Unicode code points in n bytes of valid UTF-8. */
size_t valid_utf8_chars(const char *s, size_t n);

#endif

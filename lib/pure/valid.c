/*
 * valid: the field validators.  Each one is pure: it reads what the client
 * sent and, on success, fills the typed value.  The length limits here are
 * the API's (see docs/openapi.yaml), counted in Unicode characters.
 */
#include <stdint.h>
#include <string.h>

#include "base/password.h"
#include "base/principal.h"
#include "base/text.h"
#include "pure/post.h"
#include "pure/valid.h"

#define NAME_MAX_CHARS		100
#define TITLE_MAX_CHARS		200
#define POST_BODY_MAX_CHARS	100000
#define EMAIL_MAX		254
#define SECRET_MAX		1024
#define RETURN_TO_MAX		2048

static const struct vfail f_type = { "invalid_type", "Must be a string." };
static const struct vfail f_bool_type = { "invalid_type",
    "Must be true or false." };
static const struct vfail f_email = { "invalid_format",
    "Must be an email address such as name@example.com." };
static const struct vfail f_email_long = { "too_long",
    "Must be at most 254 characters." };
static const struct vfail f_pw_short = { "too_short",
    "Must be at least 12 characters." };
static const struct vfail f_pw_long = { "too_long",
    "Must be at most 128 characters." };
static const struct vfail f_pw_common = { "too_common",
    "This password is too common; choose another." };
static const struct vfail f_empty = { "too_short", "Must not be empty." };
static const struct vfail f_secret_long = { "too_long",
    "Must be at most 1024 bytes." };
static const struct vfail f_name_long = { "too_long",
    "Must be at most 100 characters." };
static const struct vfail f_title_long = { "too_long",
    "Must be at most 200 characters." };
static const struct vfail f_body_long = { "too_long",
    "Must be at most 100000 characters." };
static const struct vfail f_control = { "invalid_characters",
    "Must not contain control characters." };
static const struct vfail f_blank = { "too_short",
    "Must contain a visible character." };
static const struct vfail f_status = { "invalid_value",
    "Must be one of: draft, published." };
static const struct vfail f_role = { "invalid_value",
    "Must be one of: user, moderator, admin." };
static const struct vfail f_return_to = { "invalid_format",
    "Must be a path on this site, starting with a single /." };

void
valid_add(struct verrors *errs, const char *field, const char *code,
    const char *message)
{
	if (errs->n >= VALID_MAX_ERRORS)
		return;
	errs->e[errs->n].field = field;
	errs->e[errs->n].code = code;
	errs->e[errs->n].message = message;
	errs->n++;
}

size_t
valid_run(const struct vfield *tab, size_t n, const struct vinput *in,
    struct vvalue *out, struct verrors *errs)
{
	const struct vfail *f;
	size_t i, failed = 0;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (in[i].kind == VIN_ABSENT || in[i].kind == VIN_NULL) {
			if (tab[i].required) {
				valid_add(errs, tab[i].name, "required",
				    "This field is required.");
				failed++;
			}
			continue;
		}
		if ((f = tab[i].check(&in[i], &out[i])) != NULL) {
			memset(&out[i], 0, sizeof(out[i]));
			valid_add(errs, tab[i].name, f->code, f->message);
			failed++;
			continue;
		}
		out[i].present = 1;
	}
	return failed;
}

int
valid_require_one(const struct vfield *tab, size_t n,
    const struct vvalue *values, struct verrors *errs)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (values[i].present)
			return 0;
	for (i = 0; i < n; i++)
		valid_add(errs, tab[i].name, "one_required",
		    "Give at least one of the fields that can be changed.");
	return 1;
}

/* Copies a string input to the value. */
static void
take_string(const struct vinput *in, struct vvalue *out)
{
	out->str = in->str;
	out->len = in->len;
}

/* 1 when s holds a C0 control character or DEL, other than those allowed. */
static int
has_control(const char *s, size_t n, const char *allowed)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		/* strchr finds the terminator of allowed: NUL is never allowed. */
		if ((c < 0x20 || c == 0x7f) && (c == 0 || strchr(allowed, c) == NULL))
			return 1;
	}
	return 0;
}

/* 1 when s has a character other than ASCII white space. */
static int
has_visible(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(" \t\r\n", s[i]) == NULL)
			return 1;
	return 0;
}

/* Checks a free-text field: 1..max characters, controls but allowed refused. */
static const struct vfail *
check_text(const struct vinput *in, struct vvalue *out, size_t max,
    const struct vfail *too_long, const char *allowed)
{
	if (in->kind != VIN_STRING)
		return &f_type;
	if (in->len == 0)
		return &f_empty;
	if (text_utf8_chars(in->str, in->len, max) > max)
		return too_long;
	if (has_control(in->str, in->len, allowed))
		return &f_control;
	if (!has_visible(in->str, in->len))
		return &f_blank;
	take_string(in, out);
	return NULL;
}

/* 1 when c may appear in the local part of an address (RFC 5322 atext). */
static int
email_local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* 1 when the n bytes at s are a dot-separated run of atext words. */
static int
email_local_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!email_local_char((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* 1 when the n bytes at s are a host name of two or more LDH labels. */
static int
email_domain_ok(const char *s, size_t n)
{
	size_t i, label = 0, labels = 1;
	unsigned char c;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-' && labels >= 2;
}

const struct vfail *
valid_email(const struct vinput *in, struct vvalue *out)
{
	const char *at;

	if (in->kind != VIN_STRING)
		return &f_type;
	if (in->len > EMAIL_MAX)
		return &f_email_long;
	at = memchr(in->str, '@', in->len);
	if (at == NULL || memchr(at + 1, '@', in->len - (size_t)(at - in->str) - 1))
		return &f_email;
	if (!email_local_ok(in->str, (size_t)(at - in->str)) ||
	    !email_domain_ok(at + 1, in->len - (size_t)(at - in->str) - 1))
		return &f_email;
	take_string(in, out);
	return NULL;
}

const struct vfail *
valid_password(const struct vinput *in, struct vvalue *out)
{
	const char *why;

	if (in->kind != VIN_STRING)
		return &f_type;
	if ((why = password_policy(in->str, in->len)) != NULL) {
		if (strcmp(why, "too_short") == 0)
			return &f_pw_short;
		if (strcmp(why, "too_long") == 0)
			return &f_pw_long;
		return &f_pw_common;
	}
	take_string(in, out);
	return NULL;
}

const struct vfail *
valid_secret(const struct vinput *in, struct vvalue *out)
{
	if (in->kind != VIN_STRING)
		return &f_type;
	if (in->len == 0)
		return &f_empty;
	if (in->len > SECRET_MAX)
		return &f_secret_long;
	take_string(in, out);
	return NULL;
}

const struct vfail *
valid_name(const struct vinput *in, struct vvalue *out)
{
	return check_text(in, out, NAME_MAX_CHARS, &f_name_long, "");
}

const struct vfail *
valid_title(const struct vinput *in, struct vvalue *out)
{
	return check_text(in, out, TITLE_MAX_CHARS, &f_title_long, "");
}

const struct vfail *
valid_post_body(const struct vinput *in, struct vvalue *out)
{
	return check_text(in, out, POST_BODY_MAX_CHARS, &f_body_long,
	    "\t\n\r");
}

/* The number of names in a table of them. */
#define NAMES(t)	((int)(sizeof(t) / sizeof((t)[0])))

/* Looks the string input up among the n names; its index or -1. */
static int
lookup(const struct vinput *in, const char *const *names, int n)
{
	return in->kind == VIN_STRING ?
	    text_name_index(names, n, in->str, in->len) : -1;
}

const struct vfail *
valid_post_status(const struct vinput *in, struct vvalue *out)
{
	int i;

	if ((i = lookup(in, post_status_names, POST_STATUS__MAX)) == -1)
		return in->kind == VIN_STRING ? &f_status : &f_type;
	take_string(in, out);
	out->i = i;
	return NULL;
}

const struct vfail *
valid_role(const struct vinput *in, struct vvalue *out)
{
	int i;

	if ((i = lookup(in, principal_role_names, ROLE__MAX)) == -1)
		return in->kind == VIN_STRING ? &f_role : &f_type;
	take_string(in, out);
	out->i = i;
	return NULL;
}

const struct vfail *
valid_bool(const struct vinput *in, struct vvalue *out)
{
	static const char *const names[] = { "false", "true", "0", "1",
	    "off", "on" };
	int i;

	if (in->kind == VIN_BOOL) {
		out->b = in->boolean;
		return NULL;
	}
	if (!in->from_form || (i = lookup(in, names, NAMES(names))) == -1)
		return &f_bool_type;
	out->b = i % 2;
	return NULL;
}

const struct vfail *
valid_return_to(const struct vinput *in, struct vvalue *out)
{
	if (in->kind != VIN_STRING)
		return &f_type;
	if (in->len == 0 || in->len > RETURN_TO_MAX || in->str[0] != '/' ||
	    (in->len > 1 && (in->str[1] == '/' || in->str[1] == '\\')) ||
	    memchr(in->str, '\\', in->len) != NULL ||
	    has_control(in->str, in->len, ""))
		return &f_return_to;
	take_string(in, out);
	return NULL;
}

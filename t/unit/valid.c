/*
 * Unit tests for lib/pure/valid.c: each validator (what it accepts, what it
 * refuses and with which code and message), valid_run over a field table,
 * valid_require_one and the cap on errors in valid_add.  The role and status
 * names, and the password bounds, are read from their own tables, so the
 * validators' copies cannot drift from them unnoticed.  Every string input
 * is a heap copy of exactly its length plus the NUL, so a read past it shows
 * up under AddressSanitizer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/password.h"
#include "base/principal.h"
#include "pure/post.h"
#include "tap.h"
#include "pure/valid.h"

#define E_ACUTE	"\xc3\xa9"		/* two bytes, one character */
#define EMOJI	"\xf0\x9f\x90\x8d"	/* four bytes, one character */

/* Stops the whole test run when a helper cannot do its job. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* A malloc'd copy of the n bytes at s, NUL-terminated. */
static char *
copy(const char *s, size_t n)
{
	char *p;

	if ((p = malloc(n + 1)) == NULL)
		bail("malloc");
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A malloc'd string of n copies of unit; the caller frees it. */
static char *
repeat(const char *unit, size_t n)
{
	size_t i, len = strlen(unit);
	char *p;

	if ((p = malloc(n * len + 1)) == NULL)
		bail("malloc");
	for (i = 0; i < n; i++)
		memcpy(p + i * len, unit, len);
	p[n * len] = '\0';
	return p;
}

/* s quoted, with bytes outside printable ASCII as \xNN, for a test name. */
static const char *
shown(const char *s)
{
	static char out[256];
	size_t len = 0;

	out[len++] = '\'';
	for (; *s != '\0' && len < sizeof(out) - 6; s++)
		if (*s >= ' ' && *s < 0x7f)
			out[len++] = *s;
		else
			len += (size_t)snprintf(out + len, sizeof(out) - len,
			    "\\x%02x", (unsigned char)*s);
	out[len++] = '\'';
	out[len] = '\0';
	return out;
}

/* What a validator made of one input. */
struct result {
	const char	*code;		/* "ok", or the failure's code */
	const char	*message;	/* NULL when accepted */
	int		 took;		/* out->str/len are the input's */
	int64_t		 i;
	int		 b;
};

/* Runs check over in, whose string (if any) is the heap copy str. */
static struct result
run(vcheck check, const struct vinput *in)
{
	struct result r = { "ok", NULL, 0, -1, -1 };
	struct vvalue out;
	const struct vfail *f;

	memset(&out, 0, sizeof(out));
	out.i = -1;
	out.b = -1;
	if ((f = check(in, &out)) != NULL) {
		r.code = f->code;
		r.message = f->message;
		return r;
	}
	r.took = in->kind == VIN_STRING && out.str == in->str &&
	    out.len == in->len;
	r.i = out.i;
	r.b = out.b;
	return r;
}

/* check over the n bytes at s, sent in a JSON body or (form) a form. */
static struct result
run_str(vcheck check, const char *s, size_t n, int form)
{
	struct vinput in;
	struct result r;

	memset(&in, 0, sizeof(in));
	in.kind = VIN_STRING;
	in.str = copy(s, n);
	in.len = n;
	in.from_form = form;
	r = run(check, &in);
	free((char *)in.str);
	return r;
}

/* check over a JSON value of a kind other than a string. */
static struct result
run_kind(vcheck check, enum vkind kind)
{
	struct vinput in;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.num = 1;
	in.boolean = 1;
	return run(check, &in);
}

/* Checks that check takes the n bytes at s as they are. */
static void
accepts_n(vcheck check, const char *name, const char *s, size_t n,
    const char *what)
{
	struct result r = run_str(check, s, n, 0);

	if (!ok(strcmp(r.code, "ok") == 0 && r.took, "%s: %s is accepted",
	    name, what))
		diag("got %s: %s", r.code, r.message ? r.message : "(none)");
}

static void
accepts(vcheck check, const char *name, const char *s, const char *what)
{
	accepts_n(check, name, s, strlen(s), what);
}

/* Checks that r is a refusal with this code and message. */
static void
refused(struct result r, const char *name, const char *code,
    const char *message, const char *what)
{
	int same;

	same = strcmp(r.code, code) == 0 && r.message != NULL &&
	    strcmp(r.message, message) == 0;
	if (!ok(same, "%s: %s is %s", name, what, code))
		diag("got %s: '%s', expected %s: '%s'", r.code,
		    r.message ? r.message : "(none)", code, message);
}

static void
refuses_n(vcheck check, const char *name, const char *s, size_t n,
    const char *code, const char *message, const char *what)
{
	refused(run_str(check, s, n, 0), name, code, message, what);
}

static void
refuses(vcheck check, const char *name, const char *s, const char *code,
    const char *message, const char *what)
{
	refuses_n(check, name, s, strlen(s), code, message, what);
}

/* Checks that a number, a boolean and an object are not strings. */
static void
wants_string(vcheck check, const char *name)
{
	static const enum vkind kinds[] = { VIN_NUMBER, VIN_BOOL, VIN_OTHER };
	static const char *const kind_names[] = { "a number", "a boolean",
	    "an object" };
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		refused(run_kind(check, kinds[k]), name, "invalid_type",
		    "Must be a string.", kind_names[k]);
}

/* "Must be one of: a, b, c." over the n names name(0) .. name(n - 1). */
static const char *
one_of(char *out, size_t outsz, const char *(*name)(int), int n)
{
	size_t len;
	int i;

	len = (size_t)snprintf(out, outsz, "Must be one of: ");
	for (i = 0; i < n && len < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    name(i), i + 1 < n ? ", " : ".");
	if (len >= outsz)
		bail("one_of does not fit");
	return out;
}

static void
test_email(void)
{
	char *local64 = repeat("l", 64), *label63 = repeat("d", 63);
	char long_ok[300], long_bad[300];

	accepts(valid_email, "email", "name@example.com", "a plain address");
	accepts(valid_email, "email", "O'Brien.x+tag@mail.example.co.uk",
	    "atext, dots and a deep domain");
	accepts(valid_email, "email", "a@b-c.d", "a hyphen inside a label");
	/* 64 + 1 + 63.63.61 = 254 bytes, the longest address. */
	if ((size_t)snprintf(long_ok, sizeof(long_ok), "%s@%s.%s.%.61s",
	    local64, label63, label63, label63) >= sizeof(long_ok))
		bail("email long");
	is_int(strlen(long_ok), 254, "email: the long address is 254 bytes");
	accepts(valid_email, "email", long_ok, "254 bytes");
	if ((size_t)snprintf(long_bad, sizeof(long_bad), "%sx", long_ok) >=
	    sizeof(long_bad))
		bail("email too long");
	refuses(valid_email, "email", long_bad, "too_long",
	    "Must be at most 254 characters.", "255 bytes");
	if ((size_t)snprintf(long_bad, sizeof(long_bad), "%s@x.%sd", local64,
	    label63) >= sizeof(long_bad))
		bail("email label");
	refuses(valid_email, "email", long_bad, "invalid_format",
	    "Must be an email address such as name@example.com.",
	    "a 64-character label");
	if ((size_t)snprintf(long_bad, sizeof(long_bad), "%sl@x.org",
	    local64) >= sizeof(long_bad))
		bail("email local");
	refuses(valid_email, "email", long_bad, "invalid_format",
	    "Must be an email address such as name@example.com.",
	    "a 65-character local part");
	if ((size_t)snprintf(long_ok, sizeof(long_ok), "%s@x.org", local64) >=
	    sizeof(long_ok))
		bail("email local");
	accepts(valid_email, "email", long_ok, "a 64-character local part");

	{
		static const char *const bad[] = {
			"", "name", "@example.com", "name@", "a@@b.org",
			"a@b@c.org", ".a@b.org", "a.@b.org", "a..b@c.org",
			"a b@c.org", "a@localhost", "a@-b.org", "a@b-.org",
			"a@b..org", "a@.b.org", "a@b.org.", "a@b_c.org",
			E_ACUTE "@b.org", "a@b.org ", "\"a\"@b.org",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			refuses(valid_email, "email", bad[i],
			    "invalid_format",
			    "Must be an email address such as "
			    "name@example.com.", shown(bad[i]));
	}
	wants_string(valid_email, "email");
	free(local64);
	free(label63);
}

/* Writes a blocklist of one entry to a new file named in path. */
static void
blocklist_file(char *path, size_t pathsz, const char *entry)
{
	FILE *f;
	int fd;

	if ((size_t)snprintf(path, pathsz, "/tmp/quill-valid.XXXXXX") >=
	    pathsz || (fd = mkstemp(path)) == -1)
		bail("mkstemp");
	if ((f = fdopen(fd, "w")) == NULL)
		bail("fdopen");
	if (fprintf(f, "%s\n", entry) < 0 || fclose(f) == EOF)
		bail("cannot write the blocklist");
}

static void
test_password(void)
{
	char path[64], short_msg[64], long_msg[64];
	char *s;

	snprintf(short_msg, sizeof(short_msg),
	    "Must be at least %d characters.", PASSWORD_MIN_CHARS);
	snprintf(long_msg, sizeof(long_msg),
	    "Must be at most %d characters.", PASSWORD_MAX_CHARS);

	s = repeat("p", PASSWORD_MIN_CHARS);
	accepts(valid_password, "password", s, "the shortest length");
	s[PASSWORD_MIN_CHARS - 1] = '\0';
	refuses(valid_password, "password", s, "too_short", short_msg,
	    "one character fewer");
	free(s);
	s = repeat(EMOJI, PASSWORD_MIN_CHARS - 1);
	refuses(valid_password, "password", s, "too_short", short_msg,
	    "too few four-byte characters, however many bytes");
	free(s);
	refuses(valid_password, "password", "", "too_short", short_msg,
	    "the empty string");

	s = repeat(E_ACUTE, PASSWORD_MAX_CHARS);
	accepts(valid_password, "password", s,
	    "the longest length in two-byte characters");
	free(s);
	s = repeat(E_ACUTE, PASSWORD_MAX_CHARS + 1);
	refuses(valid_password, "password", s, "too_long", long_msg,
	    "one character more");
	free(s);

	blocklist_file(path, sizeof(path), "correcthorse12");
	is_int(password_blocklist_load(path), 1, "password: blocklist loaded");
	refuses(valid_password, "password", "CorrectHorse12", "too_common",
	    "This password is too common; choose another.",
	    "a blocklisted one in other case");
	accepts(valid_password, "password", "correcthorse123",
	    "one that is not on the list");
	password_shutdown();
	unlink(path);
	wants_string(valid_password, "password");
}

static void
test_secret(void)
{
	char *s;

	accepts(valid_secret, "secret", "x", "one byte");
	accepts(valid_secret, "secret", " \t", "white space (no policy)");
	refuses(valid_secret, "secret", "", "too_short", "Must not be empty.",
	    "the empty string");
	s = repeat("s", 1024);
	accepts(valid_secret, "secret", s, "1024 bytes");
	free(s);
	s = repeat("s", 1025);
	refuses(valid_secret, "secret", s, "too_long",
	    "Must be at most 1024 bytes.", "1025 bytes");
	free(s);
	wants_string(valid_secret, "secret");
}

/* The checks shared by name, title and body: max characters, controls. */
static void
text_checks(vcheck check, const char *name, size_t max,
    const char *too_long)
{
	char *s;

	accepts(check, name, "Ada Lovelace", "plain text");
	accepts(check, name, "  x  ", "text with spaces around it");
	accepts(check, name, E_ACUTE EMOJI, "non-ASCII text");
	s = repeat(E_ACUTE, max);
	accepts(check, name, s, "the most characters, two bytes each");
	free(s);
	s = repeat("a", max + 1);
	refuses(check, name, s, "too_long", too_long, "one character more");
	free(s);
	refuses(check, name, "", "too_short", "Must not be empty.",
	    "the empty string");
	refuses(check, name, "   ", "too_short",
	    "Must contain a visible character.", "spaces only");
	refuses(check, name, "a\x01z", "invalid_characters",
	    "Must not contain control characters.", "a C0 control");
	refuses(check, name, "a\x7fz", "invalid_characters",
	    "Must not contain control characters.", "DEL");
	refuses(check, name, "a\x1bz", "invalid_characters",
	    "Must not contain control characters.", "ESC");
	wants_string(check, name);
}

static void
test_text(void)
{
	static const char *const layout[] = { "a\tb", "a\nb", "a\r\nb" };
	size_t i;

	text_checks(valid_name, "name", 100, "Must be at most 100 characters.");
	text_checks(valid_title, "title", 200,
	    "Must be at most 200 characters.");
	text_checks(valid_post_body, "body", 100000,
	    "Must be at most 100000 characters.");
	for (i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
		refuses(valid_name, "name", layout[i], "invalid_characters",
		    "Must not contain control characters.",
		    shown(layout[i]));
		refuses(valid_title, "title", layout[i], "invalid_characters",
		    "Must not contain control characters.",
		    shown(layout[i]));
		accepts(valid_post_body, "body", layout[i], shown(layout[i]));
	}
	/* Parsers refuse NUL first; the validators must not rely on it. */
	refuses_n(valid_name, "name", "a\0b", 3, "invalid_characters",
	    "Must not contain control characters.", "an embedded NUL");
	refuses_n(valid_title, "title", "a\0b", 3, "invalid_characters",
	    "Must not contain control characters.", "an embedded NUL");
	refuses_n(valid_post_body, "body", "a\0b", 3, "invalid_characters",
	    "Must not contain control characters.", "an embedded NUL");
	refuses(valid_post_body, "body", " \t\r\n ", "too_short",
	    "Must contain a visible character.",
	    "tabs, line breaks and spaces only");
}

/* The names of the tables, with the signature one_of reads. */
static const char *
role_name(int i)
{
	return principal_role_name((enum role)i);
}

static const char *
status_name(int i)
{
	return post_status_name((enum post_status)i);
}

/*
 * Checks an enumerated validator against the n names of its table: each
 * name is accepted as its own index, near misses are refused with a message
 * that lists the table.
 */
static void
enum_checks(vcheck check, const char *field, const char *(*name)(int),
    int n)
{
	char msg[256], near[64];
	struct result r;
	size_t len;
	int i;

	one_of(msg, sizeof(msg), name, n);
	diag("%s: %s", field, msg);
	for (i = 0; i < n; i++) {
		r = run_str(check, name(i), strlen(name(i)), 0);
		ok(strcmp(r.code, "ok") == 0 && r.took && r.i == i,
		    "%s: '%s' is accepted as %d", field, name(i), i);
		len = strlen(name(i));
		snprintf(near, sizeof(near), "%.*s", (int)len - 1, name(i));
		refuses(check, field, near, "invalid_value", msg,
		    "a name cut short");
		snprintf(near, sizeof(near), "%sx", name(i));
		refuses(check, field, near, "invalid_value", msg,
		    "a name run on");
		snprintf(near, sizeof(near), "%c%s", name(i)[0] - 'a' + 'A',
		    name(i) + 1);
		refuses(check, field, near, "invalid_value", msg,
		    "a capitalised name");
	}
	refuses(check, field, "", "invalid_value", msg, "the empty string");
	wants_string(check, field);
}

static void
test_enums(void)
{
	/* The status table ends at POST_PUBLISHED. */
	enum_checks(valid_role, "role", role_name, ROLE__MAX);
	enum_checks(valid_post_status, "status", status_name,
	    POST_PUBLISHED + 1);
}

static void
test_bool(void)
{
	static const char *const form[] = { "false", "true", "0", "1", "off",
	    "on" };
	static const char *const bad[] = { "", "yes", "TRUE", "On", "2",
	    "truex", "tru" };
	const char *msg = "Must be true or false.";
	struct vinput in;
	struct result r;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.kind = VIN_BOOL;
	in.boolean = 1;
	r = run(valid_bool, &in);
	ok(strcmp(r.code, "ok") == 0 && r.b == 1, "bool: JSON true is 1");
	in.boolean = 0;
	r = run(valid_bool, &in);
	ok(strcmp(r.code, "ok") == 0 && r.b == 0, "bool: JSON false is 0");
	for (i = 0; i < sizeof(form) / sizeof(form[0]); i++) {
		r = run_str(valid_bool, form[i], strlen(form[i]), 1);
		ok(strcmp(r.code, "ok") == 0 && r.b == (int)(i % 2),
		    "bool: the form value '%s' is %d", form[i], (int)(i % 2));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(run_str(valid_bool, bad[i], strlen(bad[i]), 1), "bool",
		    "invalid_type", msg, shown(bad[i]));
	refused(run_str(valid_bool, "true", 4, 0), "bool", "invalid_type",
	    msg, "the JSON string \"true\"");
	refused(run_kind(valid_bool, VIN_NUMBER), "bool", "invalid_type", msg,
	    "a number");
	refused(run_kind(valid_bool, VIN_OTHER), "bool", "invalid_type", msg,
	    "an object");
}

static void
test_return_to(void)
{
	static const char *const bad[] = { "", "posts", "//evil.example",
	    "/\\evil.example", "/a\\b", "https://evil.example/",
	    "/a\nb", "/a\rb", "/a\tb", "/a\x7f" };
	const char *msg =
	    "Must be a path on this site, starting with a single /.";
	char *s;
	size_t i;

	accepts(valid_return_to, "returnTo", "/", "the root");
	accepts(valid_return_to, "returnTo", "/posts/7?page=2#c",
	    "a path with a query");
	accepts(valid_return_to, "returnTo", "/a//b", "a later double slash");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(valid_return_to, "returnTo", bad[i], "invalid_format",
		    msg, shown(bad[i]));
	s = repeat("/", 2048);
	s[1] = 'a';
	accepts(valid_return_to, "returnTo", s, "2048 bytes");
	free(s);
	s = repeat("/", 2049);
	s[1] = 'a';
	refuses(valid_return_to, "returnTo", s, "invalid_format", msg,
	    "2049 bytes");
	free(s);
	wants_string(valid_return_to, "returnTo");
}

/* A validator that writes to the value, then fails; counts its calls. */
static int scribbled;

static const struct vfail *
scribble(const struct vinput *in, struct vvalue *out)
{
	static const struct vfail f = { "scribbled", "Scribbled." };

	(void)in;
	scribbled++;
	out->present = 1;
	out->str = "x";
	out->len = 1;
	out->i = 7;
	out->b = 1;
	return &f;
}

enum { T_NAME, T_ROLE, T_TITLE, T_OPT, T__MAX };

static const struct vfield tab[T__MAX] = {
	[T_NAME] = { "name", valid_name, 1 },
	[T_ROLE] = { "role", valid_role, 1 },
	[T_TITLE] = { "title", valid_title, 0 },
	[T_OPT] = { "opt", scribble, 0 },
};

/* A JSON string input over s, which outlives it. */
static struct vinput
str_in(const char *s)
{
	struct vinput in;

	memset(&in, 0, sizeof(in));
	in.kind = VIN_STRING;
	in.str = s;
	in.len = strlen(s);
	return in;
}

/* Fills v with values that valid_run must overwrite. */
static void
garbage(struct vvalue *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].present = 1;
		v[i].str = "garbage";
		v[i].len = 7;
		v[i].i = 99;
		v[i].b = 1;
	}
}

static int
zeroed(const struct vvalue *v)
{
	return !v->present && v->str == NULL && v->len == 0 && v->i == 0 &&
	    v->b == 0;
}

static void
test_run(void)
{
	struct vinput in[T__MAX];
	struct vvalue v[T__MAX];
	struct verrors errs;
	size_t n;

	memset(&errs, 0, sizeof(errs));
	memset(in, 0, sizeof(in));
	in[T_NAME] = str_in("Ada");
	in[T_ROLE] = str_in("admin");
	in[T_TITLE] = str_in("Notes");
	garbage(v, T__MAX);
	scribbled = 0;
	n = valid_run(tab, T__MAX, in, v, &errs);
	is_int(n, 0, "run: valid fields add no error");
	is_int(errs.n, 0, "run: and errs stays empty");
	ok(v[T_NAME].present && v[T_NAME].str == in[T_NAME].str &&
	    v[T_NAME].len == 3, "run: a valid field is present with its text");
	ok(v[T_ROLE].present && v[T_ROLE].i == ROLE_ADMIN,
	    "run: an enumerated field has its index");
	ok(zeroed(&v[T_OPT]), "run: an absent optional field is not present");
	is_int(scribbled, 0, "run: an absent field's validator is not called");

	in[T_NAME].kind = VIN_ABSENT;
	in[T_ROLE].kind = VIN_NULL;
	in[T_TITLE].kind = VIN_NULL;
	garbage(v, T__MAX);
	n = valid_run(tab, T__MAX, in, v, &errs);
	is_int(n, 2, "run: two required fields missing, two errors");
	is_int(errs.n, 2, "run: both in errs");
	is_str(errs.e[0].field, "name", "run: an absent required field");
	is_str(errs.e[0].code, "required", "run: is required");
	is_str(errs.e[0].message, "This field is required.",
	    "run: with the required message");
	is_str(errs.e[1].field, "role", "run: a null required field");
	is_str(errs.e[1].code, "required", "run: is required too");
	ok(zeroed(&v[T_NAME]) && zeroed(&v[T_ROLE]),
	    "run: missing required fields are not present");
	ok(zeroed(&v[T_TITLE]), "run: a null optional field is not present");
	is_int(scribbled, 0, "run: nor is a null field's validator called");

	in[T_NAME] = str_in("");
	in[T_ROLE] = str_in("root");
	in[T_TITLE] = str_in("Fine");
	in[T_OPT] = str_in("anything");
	garbage(v, T__MAX);
	n = valid_run(tab, T__MAX, in, v, &errs);
	is_int(n, 3, "run: returns the errors this run appended");
	is_int(errs.n, 5, "run: after those already in errs");
	is_str(errs.e[2].field, "name", "run: errors follow the table order");
	is_str(errs.e[2].code, "too_short", "run: with the validator's code");
	is_str(errs.e[2].message, "Must not be empty.",
	    "run: and the validator's message");
	is_str(errs.e[3].field, "role", "run: the next failing field");
	is_str(errs.e[3].code, "invalid_value", "run: its own code");
	is_str(errs.e[4].field, "opt", "run: the last failing field");
	is_str(errs.e[4].code, "scribbled", "run: with its own code");
	is_int(scribbled, 1, "run: a present field's validator runs once");
	ok(zeroed(&v[T_OPT]),
	    "run: a refused field is not present, whatever its validator wrote");
	ok(zeroed(&v[T_NAME]) && zeroed(&v[T_ROLE]),
	    "run: nor are the other refused fields");
	ok(v[T_TITLE].present && strcmp(v[T_TITLE].str, "Fine") == 0,
	    "run: a valid field beside refused ones is present");
}

static void
test_require_one(void)
{
	struct vvalue v[T__MAX];
	struct verrors errs;

	memset(&errs, 0, sizeof(errs));
	memset(v, 0, sizeof(v));
	is_int(valid_require_one(tab, T__MAX, v, &errs), 1,
	    "require_one: nothing present is refused");
	is_int(errs.n, T__MAX, "require_one: one error a field");
	is_str(errs.e[0].field, "name", "require_one: naming the first field");
	is_str(errs.e[T__MAX - 1].field, "opt",
	    "require_one: and the last one");
	is_str(errs.e[1].code, "one_required", "require_one: one_required");
	is_str(errs.e[1].message,
	    "Give at least one of the fields that can be changed.",
	    "require_one: with its message");

	memset(&errs, 0, sizeof(errs));
	v[T_OPT].present = 1;
	is_int(valid_require_one(tab, T__MAX, v, &errs), 0,
	    "require_one: the last field present is enough");
	is_int(errs.n, 0, "require_one: and adds no error");
	is_int(valid_require_one(tab, T_OPT, v, &errs), 1,
	    "require_one: a field past n does not count");
	is_int(errs.n, T_OPT, "require_one: errors name only the n fields");
	is_str(errs.e[T_OPT - 1].field, "title",
	    "require_one: the last of them");
}

static void
test_overflow(void)
{
	struct vfield many[VALID_MAX_ERRORS + 4];
	struct vinput in[VALID_MAX_ERRORS + 4];
	struct vvalue v[VALID_MAX_ERRORS + 4];
	struct verrors errs;
	size_t i;

	memset(&errs, 0, sizeof(errs));
	for (i = 0; i < VALID_MAX_ERRORS; i++)
		valid_add(&errs, "f", "c", "m");
	is_int(errs.n, VALID_MAX_ERRORS, "add: 16 errors fit");
	valid_add(&errs, "last", "c", "m");
	is_int(errs.n, VALID_MAX_ERRORS, "add: the 17th is dropped");
	is_str(errs.e[VALID_MAX_ERRORS - 1].field, "f",
	    "add: and does not replace the 16th");

	for (i = 0; i < VALID_MAX_ERRORS + 4; i++) {
		many[i].name = "f";
		many[i].check = valid_name;
		many[i].required = 1;
		memset(&in[i], 0, sizeof(in[i]));
	}
	memset(&errs, 0, sizeof(errs));
	valid_add(&errs, "before", "c", "m");
	is_int(valid_run(many, VALID_MAX_ERRORS + 4, in, v, &errs),
	    VALID_MAX_ERRORS + 4, "run: 20 failing fields are all counted");
	is_int(errs.n, VALID_MAX_ERRORS, "run: errs holds 16");
	is_str(errs.e[0].field, "before", "run: the first error is kept");
	is_int(valid_require_one(many, VALID_MAX_ERRORS + 4, v, &errs), 1,
	    "require_one: still refuses when errs is full");
	is_int(errs.n, VALID_MAX_ERRORS, "require_one: and appends nothing");
	is_int(valid_run(many, 1, in, v, &errs), 1,
	    "run: a failure is counted when errs is already full");
}

int
main(void)
{
	test_email();
	test_password();
	test_secret();
	test_text();
	test_enums();
	test_bool();
	test_return_to();
	test_run();
	test_require_one();
	test_overflow();
	return done_testing();
}

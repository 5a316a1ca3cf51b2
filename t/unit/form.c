/*
 * Unit tests for lib/pure/form.c: urlencoded and multipart/form-data parsing.
 * Every input is copied into a heap buffer of exactly its length, so a read
 * past the end shows up under AddressSanitizer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "pure/form.h"
#include "tap.h"

#define CT	"multipart/form-data; boundary=abc"
#define CD	"Content-Disposition: form-data; "

static struct arena *arena;

/* A malloc'd copy of the n bytes at s, with nothing after them. */
static char *
exact(const char *s, size_t n)
{
	char *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL) {
		perror("malloc");
		exit(2);
	}
	memcpy(p, s, n);
	return p;
}

/* form_parse_urlencoded over an exact copy of n bytes of s. */
static enum form_err
url_n(const char *s, size_t n, struct form *f)
{
	enum form_err e;
	char *p;

	p = exact(s, n);
	e = form_parse_urlencoded(arena, p, n, f);
	free(p);
	return e;
}

/* form_parse_urlencoded over the NUL-terminated s. */
static enum form_err
url(const char *s, struct form *f)
{
	return url_n(s, strlen(s), f);
}

/* form_parse_multipart over an exact copy of n bytes of body. */
static enum form_err
mp_n(const char *ctype, const char *body, size_t n, struct form *f)
{
	enum form_err e;
	char *p;

	p = exact(body, n);
	e = form_parse_multipart(arena, ctype, p, n, f);
	free(p);
	return e;
}

/* form_parse_multipart over the NUL-terminated body. */
static enum form_err
mp(const char *ctype, const char *body, struct form *f)
{
	return mp_n(ctype, body, strlen(body), f);
}

/* 1 when field i of f is called name and holds the vlen bytes at value. */
static int
field_is(const struct form *f, size_t i, const char *name, const char *value,
    size_t vlen)
{
	const struct form_field *fl;

	if (i >= f->n)
		return 0;
	fl = &f->fields[i];
	return fl->name_len == strlen(name) && strcmp(fl->name, name) == 0 &&
	    fl->value_len == vlen && memcmp(fl->value, value, vlen) == 0 &&
	    fl->value[vlen] == '\0' && fl->name[fl->name_len] == '\0';
}

/* An urlencoded body of n fields f0=v0&f1=v1&... in the arena. */
static char *
many_pairs(size_t n)
{
	char *s, *p;
	size_t i;

	s = p = arena_alloc(arena, n * 16 + 1);
	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%sf%zu=v%zu", i ? "&" : "", i, i);
	return s;
}

/* A multipart body (boundary abc) of n parts named f0, f1, ... */
static char *
many_parts(size_t n)
{
	char *s, *p;
	size_t i;

	s = p = arena_alloc(arena, n * 80 + 16);
	for (i = 0; i < n; i++)
		p += sprintf(p, "--abc\r\n" CD "name=\"f%zu\"\r\n\r\nv%zu\r\n",
		    i, i);
	strcpy(p, "--abc--\r\n");
	return s;
}

/* Plain pairs, separators and the empty body. */
static void
test_url_basic(void)
{
	struct form f;

	is_int(url("", &f), FORM_OK, "empty body parses");
	is_int(f.n, 0, "empty body has no fields");
	ok(f.fields != NULL, "empty body still gets a fields array");

	is_int(url("a=1&b=2", &f), FORM_OK, "a=1&b=2 parses");
	is_int(f.n, 2, "a=1&b=2 has two fields");
	ok(field_is(&f, 0, "a", "1", 1), "first field is a=1");
	ok(field_is(&f, 1, "b", "2", 1), "second field is b=2");

	is_int(url("a=1&&b=2", &f), FORM_OK, "a=1&&b=2 parses");
	is_int(f.n, 2, "an empty pair in the middle is skipped");
	ok(field_is(&f, 1, "b", "2", 1), "field after the empty pair is b=2");

	is_int(url("a=1&", &f), FORM_OK, "trailing & parses");
	is_int(f.n, 1, "trailing & adds no field");
	ok(field_is(&f, 0, "a", "1", 1), "trailing &: field is a=1");

	is_int(url("&&&", &f), FORM_OK, "only separators parse");
	is_int(f.n, 0, "only separators give no fields");

	is_int(url("&a=1", &f), FORM_OK, "leading & parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "leading &: one field a=1");

	is_int(url("flag", &f), FORM_OK, "a name without = parses");
	ok(f.n == 1 && field_is(&f, 0, "flag", "", 0),
	    "a name without = has an empty value");

	is_int(url("a=", &f), FORM_OK, "a= parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "", 0), "a= has an empty value");

	is_int(url("=x", &f), FORM_OK, "=x parses");
	is_int(f.n, 0, "a pair with an empty name is skipped");
	is_int(url("=x&b=1&=", &f), FORM_OK, "=x&b=1&= parses");
	ok(f.n == 1 && field_is(&f, 0, "b", "1", 1),
	    "only b=1 is kept next to empty names");

	is_int(url("a=b=c", &f), FORM_OK, "a=b=c parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "b=c", 3),
	    "the value runs from the first = to the &");

	is_int(url("a=1&a=2", &f), FORM_OK, "repeated names parse");
	is_int(f.n, 2, "repeated names are both kept");
}

/* '+' and %XX decoding. */
static void
test_url_decode(void)
{
	struct form f;

	is_int(url("a+b=c+d+", &f), FORM_OK, "+ in names and values parses");
	ok(field_is(&f, 0, "a b", "c d ", 4), "+ decodes to a space");

	is_int(url("%41%62=%e2%82%AC", &f), FORM_OK,
	    "hex escapes of either case parse");
	ok(field_is(&f, 0, "Ab", "\xe2\x82\xac", 3),
	    "%%41%%62 is Ab and %%e2%%82%%AC is the euro sign");

	is_int(url("%3D=%26%2B%25", &f), FORM_OK, "escaped = & + %% parse");
	ok(f.n == 1 && field_is(&f, 0, "=", "&+%", 3),
	    "%%3D, %%26, %%2B and %%25 decode to = & + %%");

	is_int(url("caf\xc3\xa9=\xe6\x97\xa5", &f), FORM_OK,
	    "raw UTF-8 parses");
	ok(field_is(&f, 0, "caf\xc3\xa9", "\xe6\x97\xa5", 3),
	    "raw UTF-8 is kept as is");

	is_int(url("%", &f), FORM_MALFORMED, "a lone %% is malformed");
	is_int(f.n, 0, "a malformed body leaves no fields");
	ok(f.fields == NULL, "a malformed body leaves no fields array");
	is_int(url("a=%", &f), FORM_MALFORMED, "a=%% is malformed");
	is_int(url("a=%4", &f), FORM_MALFORMED, "a=%%4 is malformed");
	is_int(url("a=%zz", &f), FORM_MALFORMED, "a=%%zz is malformed");
	is_int(url("a=%4g", &f), FORM_MALFORMED, "a=%%4g is malformed");
	is_int(url("a=%g4", &f), FORM_MALFORMED, "a=%%g4 is malformed");
	is_int(url("%x1=1", &f), FORM_MALFORMED,
	    "bad hex in a name is malformed");
	is_int(url("a=1&b=%", &f), FORM_MALFORMED,
	    "a bad escape in a later pair is malformed");
	is_int(url_n("a=%41", 4, &f), FORM_MALFORMED,
	    "an escape cut off by len is malformed (no read past len)");
	is_int(url_n("a=1&b=2", 3, &f), FORM_OK, "a body shorter than the "
	    "buffer parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "only the first len bytes are read");
}

/* NUL bytes and UTF-8 after decoding. */
static void
test_url_text(void)
{
	struct form f;

	is_int(url("a=%00", &f), FORM_NUL, "%%00 in a value is FORM_NUL");
	is_int(url("%00=1", &f), FORM_NUL, "%%00 in a name is FORM_NUL");
	is_int(url_n("a=x\0y", 5, &f), FORM_NUL, "a raw NUL byte is FORM_NUL");
	is_int(f.n, 0, "FORM_NUL leaves no fields");

	is_int(url("a=%ff", &f), FORM_BAD_UTF8, "%%ff is FORM_BAD_UTF8");
	is_int(url("%ff=1", &f), FORM_BAD_UTF8,
	    "%%ff in a name is FORM_BAD_UTF8");
	is_int(url("a=\xff", &f), FORM_BAD_UTF8, "a raw 0xff is FORM_BAD_UTF8");
	is_int(url("a=%c0%af", &f), FORM_BAD_UTF8,
	    "an overlong encoding is FORM_BAD_UTF8");
	is_int(url("a=%ed%a0%80", &f), FORM_BAD_UTF8,
	    "an encoded surrogate is FORM_BAD_UTF8");
	is_int(url("a=%f4%90%80%80", &f), FORM_BAD_UTF8,
	    "a code point above U+10FFFF is FORM_BAD_UTF8");
	is_int(url("a=%e2%82", &f), FORM_BAD_UTF8,
	    "a truncated sequence is FORM_BAD_UTF8");
	is_int(url("a=%e2&b=%82%ac", &f), FORM_BAD_UTF8,
	    "a sequence split across fields is FORM_BAD_UTF8");
	is_int(url("a=%f0%9f%98%80", &f), FORM_OK, "a 4-byte sequence parses");
	ok(field_is(&f, 0, "a", "\xf0\x9f\x98\x80", 4),
	    "%%f0%%9f%%98%%80 decodes to U+1F600");
}

/* FORM_MAX_FIELDS and the field count. */
static void
test_url_limits(void)
{
	struct form f;
	char *s;

	is_int(FORM_MAX_FIELDS, 64, "the field limit is 64");
	is_int(url(many_pairs(64), &f), FORM_OK, "64 fields parse");
	is_int(f.n, 64, "64 fields are all kept");
	ok(field_is(&f, 63, "f63", "v63", 3), "the 64th field is f63=v63");
	is_int(url(many_pairs(65), &f), FORM_TOO_MANY,
	    "65 fields are too many");
	is_int(f.n, 0, "FORM_TOO_MANY leaves no fields");

	s = arena_printf(arena, "%s&&&=x&", many_pairs(64));
	is_int(url(s, &f), FORM_OK,
	    "64 fields plus empty pairs and empty names parse");
	is_int(f.n, 64, "skipped pairs do not count towards the limit");
}

/* Boundaries taken from the Content-Type header. */
static void
test_mp_ctype(void)
{
	static const char body[] = "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n"
	    "--abc--\r\n";
	static const char b70[] = "0123456789012345678901234567890123456789"
	    "012345678901234567890123456789";
	struct form f;
	char *ct, *bd;

	is_int(mp(CT, body, &f), FORM_OK, "a plain boundary parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1), "the one field is a=1");
	is_int(mp("Multipart/Form-Data; BOUNDARY=abc", body, &f), FORM_OK,
	    "type and parameter names are case-insensitive");
	is_int(mp("multipart/form-data;boundary=\"abc\"", body, &f), FORM_OK,
	    "a quoted boundary parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "quoted boundary: the field is a=1");
	is_int(mp("multipart/form-data; charset=utf-8; boundary=abc ;", body,
	    &f), FORM_OK, "other parameters and an empty one are ignored");
	is_int(mp("multipart/form-data; boundary=\"a\\bc\"", body, &f), FORM_OK,
	    "a quoted-pair in the boundary is unescaped");

	ct = arena_printf(arena, "multipart/form-data; boundary=\"%s\"",
	    "----x y:z");
	bd = arena_printf(arena, "------x y:z\r\n" CD "name=q\r\n\r\nv\r\n"
	    "------x y:z--");
	is_int(mp(ct, bd, &f), FORM_OK,
	    "a quoted boundary with a space and a colon parses");
	ok(f.n == 1 && field_is(&f, 0, "q", "v", 1),
	    "that boundary gives the field q=v");

	ct = arena_printf(arena, "multipart/form-data; boundary=%s", b70);
	bd = arena_printf(arena, "--%s\r\n" CD "name=a\r\n\r\n1\r\n--%s--",
	    b70, b70);
	is_int(mp(ct, bd, &f), FORM_OK, "a 70-character boundary parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "70-character boundary: the field is a=1");
	ct = arena_printf(arena, "multipart/form-data; boundary=%sx", b70);
	bd = arena_printf(arena, "--%sx\r\n" CD "name=a\r\n\r\n1\r\n--%sx--",
	    b70, b70);
	is_int(mp(ct, bd, &f), FORM_MALFORMED,
	    "a 71-character boundary is malformed");

	is_int(mp(NULL, body, &f), FORM_MALFORMED,
	    "no Content-Type is malformed");
	is_int(mp("multipart/form-data", body, &f), FORM_MALFORMED,
	    "no boundary parameter is malformed");
	is_int(mp("multipart/form-data; boundary=", body, &f), FORM_MALFORMED,
	    "boundary= with nothing after it is malformed");
	is_int(mp("multipart/form-data; boundary=\"\"", body, &f),
	    FORM_MALFORMED, "an empty quoted boundary is malformed");
	is_int(mp("multipart/form-data; boundary=\"abc", body, &f),
	    FORM_MALFORMED, "an unterminated quoted boundary is malformed");
	is_int(mp("multipart/form-data; boundary=\"abc \"", "--abc \r\n" CD
	    "name=a\r\n\r\n1\r\n--abc --", &f), FORM_MALFORMED,
	    "a boundary ending in a space is malformed");
	is_int(mp("multipart/form-data; boundary=a*c", "--a*c--", &f),
	    FORM_MALFORMED, "a boundary with a character outside RFC 2046 "
	    "is malformed");
	is_int(mp("multipart/form-data; boundary=abc; boundary=abc", body, &f),
	    FORM_MALFORMED, "two boundary parameters are malformed");
	is_int(mp("multipart/form-data; boundary = abc", body, &f),
	    FORM_MALFORMED, "spaces around = are malformed");
	is_int(mp("multipart/mixed; boundary=abc", body, &f), FORM_MALFORMED,
	    "multipart/mixed is not form data");
	is_int(mp("multipart/form-datax; boundary=abc", body, &f),
	    FORM_MALFORMED, "a longer media type is malformed");
	is_int(mp("application/json; boundary=abc", body, &f), FORM_MALFORMED,
	    "a non-multipart type is malformed");
}

/* Framing: delimiters, preamble, epilogue, line endings. */
static void
test_mp_framing(void)
{
	struct form f;

	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc\r\n"
	    CD "name=\"b\"\r\n\r\nhello\r\n--abc--\r\n", &f), FORM_OK,
	    "two parts parse");
	is_int(f.n, 2, "two parts give two fields");
	ok(field_is(&f, 0, "a", "1", 1), "first part is a=1");
	ok(field_is(&f, 1, "b", "hello", 5), "second part is b=hello");

	is_int(mp(CT, "preamble --abc\r\nmore\r\n--abc\r\n" CD
	    "name=\"a\"\r\n\r\n1\r\n--abc--\r\nepilogue\r\n--abc\r\nxx", &f),
	    FORM_OK, "preamble and epilogue parse");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "preamble and epilogue are ignored");

	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc--", &f),
	    FORM_OK, "a close delimiter at the very end parses");
	is_int(mp(CT, "--abc \t\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc--  ",
	    &f), FORM_OK, "transport padding after boundaries parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "padding does not reach the value");
	is_int(mp(CT, "--abc--\r\n", &f), FORM_OK,
	    "a body with only the close delimiter parses");
	is_int(f.n, 0, "a body with only the close delimiter has no fields");

	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n", &f),
	    FORM_MALFORMED, "a missing close delimiter is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1", &f),
	    FORM_MALFORMED, "a body ending inside a value is malformed");
	is_int(mp(CT, "", &f), FORM_MALFORMED, "an empty body is malformed");
	is_int(mp(CT, "no boundary here", &f), FORM_MALFORMED,
	    "a body without a boundary is malformed");
	is_int(mp(CT, "x--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc\r\n" CD
	    "name=\"b\"\r\n\r\n2\r\n--abc--", &f), FORM_OK,
	    "a body whose first line holds the boundary after text parses");
	ok(f.n == 1 && field_is(&f, 0, "b", "2", 1),
	    "a boundary not at the start of a line is preamble, "
	    "not a delimiter");
	is_int(mp(CT, "--abc\n" CD "name=\"a\"\n\n1\n--abc--\n", &f),
	    FORM_MALFORMED, "LF-only line endings are malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\n\n1\r\n--abc--", &f),
	    FORM_MALFORMED, "an LF-only header line is malformed");
	is_int(mp(CT, "--abc\r\nX-A: a\nb\r\n" CD "name=\"a\"\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_MALFORMED,
	    "a bare LF inside an ignored header is malformed");
	is_int(mp(CT, "--abc\r\nX-A: a\rb\r\n" CD "name=\"a\"\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_MALFORMED,
	    "a bare CR inside an ignored header is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abcd\r\n"
	    "--abc--", &f), FORM_MALFORMED,
	    "a line starting with the delimiter and more text is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc--x", &f),
	    FORM_MALFORMED,
	    "text right after the close delimiter is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc--\r\n",
	    &f), FORM_OK, "CRLF after the close delimiter parses");
	is_int(mp(CT, "--abc\r\n\r\n--abc--", &f), FORM_MALFORMED,
	    "a part without headers is malformed");
	is_int(mp(CT, "--abc\r\n--abc--", &f), FORM_MALFORMED,
	    "a boundary line straight after another is malformed");
	is_int(mp_n(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc--", 30,
	    &f), FORM_MALFORMED, "a body cut short by len is malformed");
}

/* Part headers: Content-Disposition, names, files. */
static void
test_mp_headers(void)
{
	static const char nulname[] = "--abc\r\n" CD "name=\"a\0\"\r\n\r\n1\r\n"
	    "--abc--";
	struct form f;

	is_int(mp(CT, "--abc\r\ncontent-disposition: FORM-DATA; NAME=\"x\"\r\n"
	    "\r\nv\r\n--abc--", &f), FORM_OK,
	    "header, type and parameter names are case-insensitive");
	ok(f.n == 1 && field_is(&f, 0, "x", "v", 1),
	    "lower-case header: the field is x=v");
	is_int(mp(CT, "--abc\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "X-Other: anything\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc--", &f),
	    FORM_OK, "other part headers are ignored");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1),
	    "other headers: the field is a=1");
	is_int(mp(CT, "--abc\r\nContent-Disposition:form-data;name=a\r\n\r\n"
	    "1\r\n--abc--", &f), FORM_OK, "an unquoted name without spaces "
	    "parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "1", 1), "unquoted name is a");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\\\"b\\\\c\"\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_OK, "a name with escapes parses");
	ok(f.n == 1 && field_is(&f, 0, "a\"b\\c", "1", 1),
	    "\\\" and \\\\ in a name are unescaped");
	is_int(mp(CT, "--abc\r\n" CD "name=\"caf\xc3\xa9\"\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_OK, "a UTF-8 name parses");
	ok(field_is(&f, 0, "caf\xc3\xa9", "1", 1), "the UTF-8 name is kept");
	is_int(mp(CT, "--abc\r\n" CD "name=\"\"\r\n\r\n1\r\n--abc\r\n" CD
	    "name=\"b\"\r\n\r\n2\r\n--abc--", &f), FORM_OK,
	    "a part with an empty name parses");
	ok(f.n == 1 && field_is(&f, 0, "b", "2", 1),
	    "a part with an empty name is skipped");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n--abc--", &f),
	    FORM_OK, "a part with headers and no blank line parses");
	ok(f.n == 1 && field_is(&f, 0, "a", "", 0),
	    "a part with no body has an empty value");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n--abc--", &f),
	    FORM_MALFORMED, "a header line whose CRLF is the delimiter's is "
	    "malformed");

	is_int(mp(CT, "--abc\r\nContent-Disposition: form-data\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_MALFORMED,
	    "a part without a name is malformed");
	is_int(mp(CT, "--abc\r\nContent-Type: text/plain\r\n\r\n1\r\n--abc--",
	    &f), FORM_MALFORMED, "a part without Content-Disposition is "
	    "malformed");
	is_int(mp(CT, "--abc\r\nContent-Disposition: attachment; name=\"a\"\r\n"
	    "\r\n1\r\n--abc--", &f), FORM_MALFORMED,
	    "a disposition other than form-data is malformed");
	is_int(mp(CT, "--abc\r\nContent-Disposition: form-data\r\n" CD
	    "name=\"b\"\r\n\r\n1\r\n--abc--", &f), FORM_MALFORMED,
	    "two Content-Disposition headers are malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"; name=\"b\"\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_MALFORMED,
	    "two name parameters are malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\r\n\r\n1\r\n--abc--", &f),
	    FORM_MALFORMED, "an unterminated quoted name is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\x01\"\r\n\r\n1\r\n--abc--",
	    &f), FORM_MALFORMED,
	    "a control byte in a quoted name is malformed");
	is_int(mp_n(CT, nulname, sizeof(nulname) - 1, &f), FORM_MALFORMED,
	    "a NUL byte in a quoted name is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=a b\r\n\r\n1\r\n--abc--", &f),
	    FORM_MALFORMED, "an unquoted name with a space is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n folded\r\n\r\n1\r\n"
	    "--abc--", &f), FORM_MALFORMED,
	    "a folded header line is malformed");
	is_int(mp(CT, "--abc\r\nno colon\r\n\r\n1\r\n--abc--", &f),
	    FORM_MALFORMED, "a header line without a colon is malformed");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"", &f), FORM_MALFORMED,
	    "a body that ends in a header line is malformed");

	is_int(mp(CT, "--abc\r\n" CD "name=\"up\"; filename=\"a.txt\"\r\n"
	    "Content-Type: text/plain\r\n\r\ndata\r\n--abc--", &f), FORM_FILE,
	    "a part with a filename is FORM_FILE");
	is_int(f.n, 0, "FORM_FILE leaves no fields");
	is_int(mp(CT, "--abc\r\n" CD "name=\"up\"; filename=\"\"\r\n\r\n\r\n"
	    "--abc--", &f), FORM_FILE, "an empty filename is still FORM_FILE");
	is_int(mp(CT, "--abc\r\n" CD "name=\"up\"; FileName*=UTF-8''a\r\n\r\n"
	    "x\r\n--abc--", &f), FORM_FILE, "filename* is FORM_FILE");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n1\r\n--abc\r\n" CD
	    "filename=\"f\"; name=\"b\"\r\n\r\n2\r\n--abc--", &f), FORM_FILE,
	    "a file in a later part is FORM_FILE");
}

/* Values: binary-safe, CRLF inside, NUL and UTF-8 rules, the limit. */
static void
test_mp_values(void)
{
#define BIN	"\x01\r\x7f\n\t-\r\n--ab\r\n-abc\r\n\xe2\x82\xac"
	static const char bin[] = "--abc\r\n" CD "name=\"b\"\r\n\r\n" BIN
	    "\r\n--abc--";
	static const char nul[] = "--abc\r\n" CD "name=\"n\"\r\n\r\nx\0y\r\n"
	    "--abc--";
	struct form f;

	is_int(mp(CT, "--abc\r\n" CD "name=\"t\"\r\n\r\nline1\r\nline2\r\n"
	    "\r\n--abc--", &f), FORM_OK, "a value with CRLFs parses");
	ok(f.n == 1 && field_is(&f, 0, "t", "line1\r\nline2\r\n", 14),
	    "CRLFs inside a value are kept; the one before the delimiter "
	    "is not");
	is_int(mp_n(CT, bin, sizeof(bin) - 1, &f), FORM_OK,
	    "a value with control bytes and near-delimiters parses");
	ok(f.n == 1 && field_is(&f, 0, "b", BIN, sizeof(BIN) - 1),
	    "the value is kept byte for byte");
#undef BIN
	is_int(mp(CT, "--abc\r\n" CD "name=\"e\"\r\n\r\n\r\n--abc--", &f),
	    FORM_OK, "an empty value parses");
	ok(f.n == 1 && field_is(&f, 0, "e", "", 0), "the empty value is empty");

	is_int(mp_n(CT, nul, sizeof(nul) - 1, &f), FORM_NUL,
	    "a NUL byte in a value is FORM_NUL");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n\xff\r\n--abc--", &f),
	    FORM_BAD_UTF8, "0xff in a value is FORM_BAD_UTF8");
	is_int(mp(CT, "--abc\r\n" CD "name=\"a\"\r\n\r\n\xc0\xaf\r\n--abc--",
	    &f), FORM_BAD_UTF8, "an overlong in a value is FORM_BAD_UTF8");
	is_int(mp(CT, "--abc\r\n" CD "name=\"\xff\"\r\n\r\n1\r\n--abc--", &f),
	    FORM_BAD_UTF8, "0xff in a name is FORM_BAD_UTF8");

	is_int(mp(CT, many_parts(64), &f), FORM_OK, "64 parts parse");
	is_int(f.n, 64, "64 parts give 64 fields");
	ok(field_is(&f, 63, "f63", "v63", 3), "the 64th part is f63=v63");
	is_int(mp(CT, many_parts(65), &f), FORM_TOO_MANY,
	    "65 parts are too many");
	is_int(f.n, 0, "FORM_TOO_MANY leaves no fields");
}

/* Large adversarial bodies finish and fail as they should. */
static void
test_mp_adversarial(void)
{
	static const char head[] = "--abc\r\n" CD "name=a\r\n\r\n";
	size_t n = 1 << 20, i;
	struct form f;
	char *s;

	s = arena_alloc(arena, n);
	for (i = 0; i < n; i++)
		s[i] = "\r\n--ab"[i % 6];
	is_int(mp_n(CT, s, n, &f), FORM_MALFORMED,
	    "1 MiB of near-delimiters is malformed");
	memset(s, '\r', n);
	is_int(mp_n(CT, s, n, &f), FORM_MALFORMED, "1 MiB of CRs is malformed");
	memcpy(s, head, sizeof(head) - 1);
	for (i = sizeof(head) - 1; i < n; i++)
		s[i] = "\r\n--ab"[i % 6];
	is_int(mp_n(CT, s, n, &f), FORM_MALFORMED,
	    "a 1 MiB value without a close delimiter is malformed");
}

/* form_get, form_duplicate and form_err_message. */
static void
test_helpers(void)
{
	const struct form_field *fl;
	struct form f;
	int e, seen;

	is_int(url("a=1&b=2&a=3", &f), FORM_OK, "a=1&b=2&a=3 parses");
	fl = form_get(&f, "a");
	ok(fl != NULL && strcmp(fl->value, "1") == 0,
	    "form_get returns the first a");
	fl = form_get(&f, "b");
	ok(fl != NULL && strcmp(fl->value, "2") == 0, "form_get finds b");
	ok(form_get(&f, "c") == NULL,
	    "form_get returns NULL for a missing name");
	ok(form_get(&f, "") == NULL,
	    "form_get returns NULL for the empty name");
	is_str(form_duplicate(&f), "a", "form_duplicate names a");
	is_int(url("b=2&a=1&a=3", &f), FORM_OK, "b=2&a=1&a=3 parses");
	is_str(form_duplicate(&f), "a", "form_duplicate names a given twice "
	    "in a row");

	is_int(url("a=1&b=2&ab=3&ba", &f), FORM_OK, "distinct names parse");
	ok(form_duplicate(&f) == NULL, "form_duplicate is NULL for distinct "
	    "names");
	is_int(url("", &f), FORM_OK, "empty body parses for the helpers");
	ok(form_get(&f, "a") == NULL, "form_get on no fields is NULL");
	ok(form_duplicate(&f) == NULL, "form_duplicate on no fields is NULL");

	is_str(form_err_message(FORM_MALFORMED),
	    "The form body is not correctly encoded.",
	    "FORM_MALFORMED has its message");
	seen = 1;
	for (e = FORM_OK; e <= FORM_NOMEM; e++)
		if (form_err_message(e) == NULL ||
		    form_err_message(e)[0] == '\0')
			seen = 0;
	ok(seen, "every error code has a message");
	ok(strcmp(form_err_message(FORM_NUL),
	    form_err_message(FORM_BAD_UTF8)) != 0,
	    "FORM_NUL and FORM_BAD_UTF8 have different messages");
}

int
main(void)
{
	if ((arena = arena_new()) == NULL) {
		perror("arena_new");
		return 2;
	}
	test_url_basic();
	test_url_decode();
	test_url_text();
	test_url_limits();
	test_mp_ctype();
	test_mp_framing();
	test_mp_headers();
	test_mp_values();
	test_mp_adversarial();
	test_helpers();
	arena_free(arena);
	return done_testing();
}

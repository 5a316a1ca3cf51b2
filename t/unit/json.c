/*
 * Unit tests for lib/pure/json.c: request body parsing under limits (UTF-8
 * included), error messages and json_append.  Every body is copied into a heap
 * buffer of exactly its length, so a read past the end shows up under
 * AddressSanitizer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/buf.h"
#include "pure/json.h"
#include "tap.h"

/* The error json_parse_body gives for n bytes of s (exact copy). */
static enum json_err
parse_err_n(const char *s, size_t n, int depth)
{
	enum json_err e = JSON_NOMEM;
	cJSON *root;
	char *p;

	p = tap_malloc(n);
	memcpy(p, s, n);
	root = json_parse_body(p, n, depth, &e);
	free(p);
	if ((root == NULL) != (e != JSON_OK)) {
		diag("json_parse_body returned %s with err %d",
		    root ? "a tree" : "NULL", (int)e);
		e = JSON_NOMEM;
	}
	cJSON_Delete(root);
	return e;
}

/* The error json_parse_body gives for the NUL-terminated s. */
static enum json_err
parse_err_d(const char *s, int depth)
{
	return parse_err_n(s, strlen(s), depth);
}

/* The same with the default limit of JSON_MAX_DEPTH. */
static enum json_err
parse_err(const char *s)
{
	return parse_err_d(s, JSON_MAX_DEPTH);
}

/* The tree for the NUL-terminated s (exact copy), or NULL. */
static cJSON *
parse(const char *s)
{
	enum json_err e;
	size_t n = strlen(s);
	cJSON *root;
	char *p;

	p = tap_malloc(n);
	memcpy(p, s, n);
	root = json_parse_body(p, n, JSON_MAX_DEPTH, &e);
	free(p);
	return root;
}

/* A malloc'd, NUL-terminated string of n opens, a body, and n closes. */
static char *
nest(size_t n, char open, const char *key, const char *body, char close)
{
	size_t klen = strlen(key), blen = strlen(body), i;
	char *s, *p;

	p = s = tap_malloc(n * (klen + 2) + blen + 1);
	for (i = 0; i < n; i++) {
		*p++ = open;
		memcpy(p, key, klen);
		p += klen;
	}
	memcpy(p, body, blen);
	p += blen;
	for (i = 0; i < n; i++)
		*p++ = close;
	*p = '\0';
	return s;
}

/* An object with n distinct keys k0..k(n-1), then extra before the '}'. */
static char *
many_keys(size_t n, const char *extra)
{
	size_t i, cap = n * 20 + strlen(extra) + 3;
	char *s, *p;

	p = s = tap_malloc(cap);
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	p += sprintf(p, "%s}", extra);
	return s;
}

/* Good bodies: values, whitespace, the tree that comes back. */
static void
test_parse_ok(void)
{
	enum json_err e = JSON_NOMEM;
	cJSON *root, *v;

	root = parse("{\"a\":1,\"b\":\"x\",\"c\":[true,null,{\"d\":2.5}]}");
	ok(root != NULL, "a small object parses");
	v = cJSON_GetObjectItemCaseSensitive(root, "b");
	ok(cJSON_IsString(v) && strcmp(v->valuestring, "x") == 0,
	    "member b is the string x");
	v = cJSON_GetObjectItemCaseSensitive(root, "a");
	ok(cJSON_IsNumber(v) && v->valuedouble == 1, "member a is 1");
	cJSON_Delete(root);

	root = json_parse_body("{}", 2, JSON_MAX_DEPTH, &e);
	ok(root != NULL && cJSON_IsObject(root), "{} parses to an object");
	is_int(e, JSON_OK, "success sets err to JSON_OK");
	cJSON_Delete(root);

	is_int(parse_err("{} "), JSON_OK, "a trailing space is allowed");
	is_int(parse_err(" \t\r\n{ \"a\" : 1 }\r\n\t "), JSON_OK,
	    "JSON whitespace around and inside the object is allowed");
	is_int(parse_err("{\"a\":1,\"A\":2}"), JSON_OK,
	    "keys differing in case are different keys");
	is_int(parse_err("{\"a\":1,\"b\":{\"a\":2}}"), JSON_OK,
	    "the same key in two objects is no duplicate");
	is_int(parse_err("{\"a\":[{\"x\":1},{\"x\":2}]}"), JSON_OK,
	    "the same key in sibling array elements is no duplicate");
	is_int(parse_err("{\"\\u00e9\":1,\"\xc3\xa9x\":2}"), JSON_OK,
	    "escaped and raw UTF-8 keys that differ are different");
	is_int(parse_err_n("{\"a\":1}garbage", 7, JSON_MAX_DEPTH), JSON_OK,
	    "only len bytes are parsed");

	root = parse("{\"s\":\"\\ud83d\\ude00 \\u00e9 \xe2\x82\xac\"}");
	v = cJSON_GetObjectItemCaseSensitive(root, "s");
	ok(cJSON_IsString(v) && strcmp(v->valuestring,
	    "\xf0\x9f\x98\x80 \xc3\xa9 \xe2\x82\xac") == 0,
	    "escapes, surrogate pairs and raw UTF-8 decode to UTF-8");
	cJSON_Delete(root);

	root = parse("{\"s\":\"\\\\u0000\"}");
	v = cJSON_GetObjectItemCaseSensitive(root, "s");
	ok(cJSON_IsString(v) && strcmp(v->valuestring, "\\u0000") == 0,
	    "\"\\\\u0000\" is a backslash and the text u0000");
	cJSON_Delete(root);
}

/* Bodies that are not one JSON object. */
static void
test_parse_shape(void)
{
	enum json_err e;

	is_int(parse_err(""), JSON_MALFORMED, "an empty body is malformed");
	e = JSON_OK;
	ok(json_parse_body(NULL, 0, JSON_MAX_DEPTH, &e) == NULL,
	    "a NULL body gives no tree");
	is_int(e, JSON_MALFORMED, "a NULL body is malformed");
	is_int(parse_err("   \r\n"), JSON_MALFORMED,
	    "a whitespace-only body is malformed");
	is_int(parse_err("{"), JSON_MALFORMED,
	    "an unclosed object is malformed");
	is_int(parse_err("}"), JSON_MALFORMED, "a lone } is malformed");
	is_int(parse_err("{\"a\":}"), JSON_MALFORMED,
	    "a member without a value is malformed");
	is_int(parse_err("{\"a\":1,}"), JSON_MALFORMED,
	    "a trailing comma is malformed");
	is_int(parse_err("{'a':1}"), JSON_MALFORMED,
	    "single quotes are malformed");
	is_int(parse_err("{\"a\":\"x}"), JSON_MALFORMED,
	    "an unterminated string is malformed");
	is_int(parse_err("{\"a\":\"x\\"), JSON_MALFORMED,
	    "a body ending in a backslash is malformed");
	is_int(parse_err("{}x"), JSON_MALFORMED, "{}x is trailing garbage");
	is_int(parse_err("{}{}"), JSON_MALFORMED, "two objects are malformed");
	is_int(parse_err("{} ,"), JSON_MALFORMED,
	    "a comma after the object is malformed");
	is_int(parse_err_n("{}\0", 3, JSON_MAX_DEPTH), JSON_MALFORMED,
	    "a NUL byte after the object is malformed");
	is_int(parse_err("{}\f"), JSON_MALFORMED,
	    "a form feed after the object is malformed");
	is_int(parse_err("{\x01}"), JSON_MALFORMED,
	    "a control byte between tokens is malformed");
	is_int(parse_err("{\"a\":\"x\ty\"}"), JSON_MALFORMED,
	    "a raw tab inside a string is malformed");
	is_int(parse_err("{\"a\":\"x\ny\"}"), JSON_MALFORMED,
	    "a raw newline inside a string is malformed");
	is_int(parse_err_n("{\"a\":\"x\0y\"}", 10, JSON_MAX_DEPTH),
	    JSON_MALFORMED, "a raw NUL byte inside a string is malformed");
	is_int(parse_err("{\"a\":\"\\ud800\"}"), JSON_MALFORMED,
	    "a lone high surrogate escape is malformed");
	is_int(parse_err("{\"a\":\"\\udc00\"}"), JSON_MALFORMED,
	    "a lone low surrogate escape is malformed");
	is_int(parse_err("{\"a\":\"\\x41\"}"), JSON_MALFORMED,
	    "an unknown escape is malformed");

	is_int(parse_err("[]"), JSON_NOT_OBJECT, "a top-level array is not an "
	    "object");
	is_int(parse_err("[{\"a\":1,\"a\":2}]"), JSON_NOT_OBJECT,
	    "a top-level array is refused before its contents are checked");
	is_int(parse_err("42"), JSON_NOT_OBJECT, "a top-level number is not an "
	    "object");
	is_int(parse_err("\"s\""), JSON_NOT_OBJECT,
	    "a top-level string is not an object");
	is_int(parse_err("null"), JSON_NOT_OBJECT,
	    "a top-level null is not an object");
	is_int(parse_err("true"), JSON_NOT_OBJECT,
	    "a top-level true is not an object");
}

/* The nesting limit, checked before cJSON recurses. */
static void
test_parse_depth(void)
{
	char *s;
	size_t n = 100000;

	s = nest(15, '{', "\"a\":", "{}", '}');
	is_int(parse_err(s), JSON_OK, "16 nested objects parse with limit 16");
	free(s);
	s = nest(16, '{', "\"a\":", "{}", '}');
	is_int(parse_err(s), JSON_TOO_DEEP,
	    "17 nested objects are too deep with limit 16");
	free(s);
	s = nest(15, '[', "", "{}", ']');
	is_int(parse_err_d(s, 16), JSON_NOT_OBJECT,
	    "an object in 15 arrays is within depth 16");
	free(s);
	s = nest(15, '{', "\"a\":[", "1", '}');
	is_int(parse_err_d(s, 64), JSON_MALFORMED,
	    "unbalanced brackets are left to the parser");
	free(s);
	s = nest(8, '{', "\"a\":[{\"b\":", "[]", '}');
	is_int(parse_err_d(s, 64), JSON_MALFORMED,
	    "mixed unbalanced nesting is malformed");
	free(s);

	is_int(parse_err_d("{\"a\":{}}", 1), JSON_TOO_DEEP,
	    "depth 2 is too deep with limit 1");
	is_int(parse_err_d("{\"a\":[]}", 2), JSON_OK,
	    "depth 2 parses with limit 2");
	is_int(parse_err_d("{}", 0), JSON_TOO_DEEP,
	    "even {} is too deep with limit 0");
	is_int(parse_err_d("{}", -1), JSON_TOO_DEEP,
	    "a negative limit allows nothing");
	is_int(parse_err_d("{\"a\":1,\"b\":[],\"c\":{},\"d\":[[]]}", 3),
	    JSON_OK, "depth is the deepest point, not the bracket count");
	is_int(parse_err_d("{\"a\":\"[[[[{{{{[[[[\"}", 1), JSON_OK,
	    "brackets inside strings do not count");
	is_int(parse_err_d("{\"a\":\"\\\"[[[[\"}", 1), JSON_OK,
	    "an escaped quote does not end the string");
	is_int(parse_err_d("{\"a\":\"\\\\\",\"b\":[[]]}", 2),
	    JSON_TOO_DEEP, "an escaped backslash ends the escape");

	s = tap_malloc(n);
	memset(s, '[', n);
	is_int(parse_err_n(s, n, JSON_MAX_DEPTH), JSON_TOO_DEEP,
	    "100000 [ are too deep, without a crash");
	memset(s, '{', n);
	is_int(parse_err_n(s, n, JSON_MAX_DEPTH), JSON_TOO_DEEP,
	    "100000 { are too deep, without a crash");
	memcpy(s, "{\"a\":", 5);
	memset(s + 5, '[', n - 5);
	is_int(parse_err_n(s, n, JSON_MAX_DEPTH), JSON_TOO_DEEP,
	    "an object holding 99995 [ is too deep");
	free(s);
}

/* \u0000 escapes and raw bytes that are not UTF-8. */
static void
test_parse_text(void)
{
	char text[128], *s;

	is_int(parse_err("{\"a\":\"\\u0000\"}"), JSON_NUL,
	    "\\u0000 in a value is JSON_NUL");
	is_int(parse_err("{\"a\\u0000b\":1}"), JSON_NUL,
	    "\\u0000 in a key is JSON_NUL");
	is_int(parse_err("{\"a\":[\"x\",\"y\\u0000\"]}"), JSON_NUL,
	    "\\u0000 in a nested string is JSON_NUL");
	is_int(parse_err("{\"a\":\"\\\\u0000\"}"), JSON_OK,
	    "\\\\u0000 (escaped backslash, then u0000) is no NUL");
	is_int(parse_err("{\"a\":\"\\\\\\u0000\"}"), JSON_NUL,
	    "\\\\\\u0000 (escaped backslash, then \\u0000) is JSON_NUL");
	is_int(parse_err("{\"a\":\"\\\"\\u0000\"}"), JSON_NUL,
	    "\\u0000 after an escaped quote is JSON_NUL");
	is_int(parse_err("{\"a\":\"\\u0001\"}"), JSON_OK,
	    "\\u0001 is allowed");
	is_int(parse_err("{\"a\":\"\\u00000\"}"), JSON_NUL,
	    "\\u0000 followed by a digit is JSON_NUL");
	is_int(parse_err("{\"a\":\"\\u000"),
	    JSON_MALFORMED, "a \\u escape cut by the end is malformed");

	is_int(parse_err("{\"a\":\"\xff\"}"), JSON_BAD_UTF8,
	    "0xff inside a string is JSON_BAD_UTF8");
	is_int(parse_err("{\"\xc3\":1}"), JSON_BAD_UTF8,
	    "a truncated sequence in a key is JSON_BAD_UTF8");
	is_int(parse_err("{\"a\":\"\xc0\xaf\"}"), JSON_BAD_UTF8,
	    "an overlong encoding is JSON_BAD_UTF8");
	is_int(parse_err("{\"a\":\"\xe0\x80\xaf\"}"), JSON_BAD_UTF8,
	    "a 3-byte overlong encoding is JSON_BAD_UTF8");
	is_int(parse_err("{\"a\":\"\xed\xa0\x80\"}"), JSON_BAD_UTF8,
	    "an encoded surrogate is JSON_BAD_UTF8");
	is_int(parse_err("{\"a\":\"\xf4\x90\x80\x80\"}"), JSON_BAD_UTF8,
	    "a code point above U+10FFFF is JSON_BAD_UTF8");
	is_int(parse_err("{}\xff"), JSON_BAD_UTF8,
	    "bad UTF-8 is found before trailing garbage");
	is_int(parse_err("[\xff"), JSON_BAD_UTF8,
	    "bad UTF-8 is reported before any other problem");
	is_int(parse_err("{\"a\":\"\\u0000\",\"a\":1}"), JSON_NUL,
	    "\\u0000 is reported before a duplicate key");
	s = nest(20, '[', "", "", ']');
	snprintf(text, sizeof(text), "{\"a\":\"\\u0000\",\"b\":%s}", s);
	is_int(parse_err(text), JSON_NUL,
	    "\\u0000 before deep nesting: the first problem is reported");
	snprintf(text, sizeof(text), "{\"b\":%s,\"a\":\"\\u0000\"}", s);
	is_int(parse_err(text), JSON_TOO_DEEP,
	    "deep nesting before \\u0000: the first problem is reported");
	free(s);
}

/* Duplicate keys at any level. */
static void
test_parse_dup(void)
{
	char *s;

	is_int(parse_err("{\"a\":1,\"a\":2}"), JSON_DUPLICATE_KEY,
	    "a top-level duplicate key is refused");
	is_int(parse_err("{\"a\":1,\"b\":2,\"a\":1}"), JSON_DUPLICATE_KEY,
	    "a duplicate key that is not adjacent is refused");
	is_int(parse_err("{\"x\":{\"b\":1,\"b\":2}}"), JSON_DUPLICATE_KEY,
	    "a nested duplicate key is refused");
	is_int(parse_err("{\"x\":[1,{\"c\":1,\"c\":1}]}"), JSON_DUPLICATE_KEY,
	    "a duplicate key in an object inside an array is refused");
	is_int(parse_err("{\"\":1,\"\":2}"), JSON_DUPLICATE_KEY,
	    "two empty keys are duplicates");
	is_int(parse_err("{\"\\u0061\":1,\"a\":2}"), JSON_DUPLICATE_KEY,
	    "keys are compared after unescaping");

	s = many_keys(1000, "");
	is_int(parse_err(s), JSON_OK, "1000 distinct keys parse");
	free(s);
	s = many_keys(1000, ",\"k500\":0");
	is_int(parse_err(s), JSON_DUPLICATE_KEY,
	    "a duplicate among 1000 keys is refused");
	free(s);
}

/* json_err_message and json_append. */
static void
test_output(void)
{
	struct buf b = { NULL, 0, 0, 0 };
	cJSON *root;
	int e, seen;

	is_str(json_err_message(JSON_MALFORMED),
	    "The request body is not valid JSON.",
	    "JSON_MALFORMED has its message");
	is_str(json_err_message(JSON_NOT_OBJECT),
	    "The request body must be a JSON object.",
	    "JSON_NOT_OBJECT has its message");
	seen = 1;
	for (e = JSON_OK; e <= JSON_NOMEM; e++)
		if (json_err_message(e) == NULL ||
		    json_err_message(e)[0] == '\0')
			seen = 0;
	ok(seen, "every error code has a message");
	ok(strcmp(json_err_message(JSON_TOO_DEEP),
	    json_err_message(JSON_DUPLICATE_KEY)) != 0,
	    "JSON_TOO_DEEP and JSON_DUPLICATE_KEY have different messages");

	root = parse("{ \"a\" : [ 1, \"x\", true, null ], \"b\" : { } }");
	ok(root != NULL, "the object to print parses");
	is_int(buf_puts(&b, "data="), 0, "the buffer takes a prefix");
	is_int(json_append(&b, root), 0, "json_append succeeds");
	is_str(b.data, "data={\"a\":[1,\"x\",true,null],\"b\":{}}",
	    "json_append adds the compact form after what was there");
	is_int(b.len, strlen(b.data), "the buffer length matches the text");
	is_int(json_append(&b, NULL), -1, "json_append of NULL is -1");
	is_int(b.len, strlen("data={\"a\":[1,\"x\",true,null],\"b\":{}}"),
	    "a failed append adds nothing");
	buf_free(&b);
	cJSON_Delete(root);
}

int
main(void)
{
	test_parse_ok();
	test_parse_shape();
	test_parse_depth();
	test_parse_text();
	test_parse_dup();
	test_output();
	return done_testing();
}

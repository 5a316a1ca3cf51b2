/*
 * json: request bodies to cJSON trees under limits.  Everything cJSON would
 * accept but Quill must not (bad UTF-8, deep nesting, NUL in strings,
 * duplicate keys, trailing text) is refused here, so handlers only ever see
 * a tree that means one thing.
 */
#include <stdlib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/text.h"
#include "pure/json.h"

/* Object keys of one object, gathered to be sorted; reused across objects. */
struct json_keys {
	const char	**v;
	size_t		  cap;
};

/* 1 for the four whitespace bytes JSON allows between tokens. */
static int
json_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 when the string escape starting at the backslash s[0] is \u0000. */
static int
json_is_nul_escape(const char *s, size_t n)
{
	return n >= 6 && memcmp(s, "\\u0000", 6) == 0;
}

/*
 * One linear pass over the raw text, before cJSON sees it and without
 * recursion.  Returns JSON_TOO_DEEP when [ and { outside strings nest
 * deeper than max_depth, JSON_NUL for a \u0000 escape, JSON_MALFORMED for a
 * raw control character (cJSON would accept one, and a raw NUL would cut a
 * string short), else JSON_OK.  Unbalanced brackets are left to cJSON.
 */
static enum json_err
json_prescan(const char *buf, size_t len, int max_depth)
{
	size_t i, depth = 0, limit;
	unsigned char c;
	int instr = 0;

	limit = max_depth < 0 ? 0 : (size_t)max_depth;
	for (i = 0; i < len; i++) {
		c = (unsigned char)buf[i];
		if (instr) {
			if (c < 0x20)
				return JSON_MALFORMED;
			if (c == '"')
				instr = 0;
			else if (c == '\\') {
				if (json_is_nul_escape(buf + i, len - i))
					return JSON_NUL;
				i++;
			}
			continue;
		}
		if (c == '"')
			instr = 1;
		else if (c == '[' || c == '{') {
			if (++depth > limit)
				return JSON_TOO_DEEP;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c < 0x20 && !json_is_space(c))
			return JSON_MALFORMED;
	}
	return JSON_OK;
}

/* qsort comparison of two object keys, byte for byte. */
static int
json_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * JSON_DUPLICATE_KEY when the object o has two members with the same key,
 * JSON_NOMEM when the scratch array cannot grow, else JSON_OK.  Sorting
 * keeps a large object O(n log n).
 */
static enum json_err
json_object_dup(const cJSON *o, struct json_keys *k)
{
	const cJSON *c;
	const char **v;
	size_t n = 0, i;

	for (c = o->child; c != NULL; c = c->next)
		n++;
	if (n < 2)
		return JSON_OK;
	if (n > k->cap) {
		if ((v = reallocarray(k->v, n, sizeof(*v))) == NULL)
			return JSON_NOMEM;
		k->v = v;
		k->cap = n;
	}
	n = 0;
	for (c = o->child; c != NULL; c = c->next)
		k->v[n++] = c->string != NULL ? c->string : "";
	qsort(k->v, n, sizeof(*k->v), json_key_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(k->v[i - 1], k->v[i]) == 0)
			return JSON_DUPLICATE_KEY;
	return JSON_OK;
}

/*
 * Checks every object in the tree under item for duplicate keys.  The
 * recursion is bounded by the depth limit the pre-scan enforced.
 */
static enum json_err
json_tree_dup(const cJSON *item, struct json_keys *k)
{
	const cJSON *c;
	enum json_err e;

	if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
		return JSON_OK;
	for (c = item->child; c != NULL; c = c->next)
		if ((e = json_tree_dup(c, k)) != JSON_OK)
			return e;
	if (cJSON_IsObject(item))
		return json_object_dup(item, k);
	return JSON_OK;
}

/* Parses buf with cJSON; NULL when it is not one JSON value plus spaces. */
static cJSON *
json_parse_value(const char *buf, size_t len)
{
	const char *end = NULL, *p;
	cJSON *root;

	if ((root = cJSON_ParseWithLengthOpts(buf, len, &end, 0)) == NULL)
		return NULL;
	if (end == NULL || end < buf || end > buf + len) {
		cJSON_Delete(root);
		return NULL;
	}
	for (p = end; p < buf + len; p++)
		if (!json_is_space((unsigned char)*p)) {
			cJSON_Delete(root);
			return NULL;
		}
	return root;
}

cJSON *
json_parse_body(const char *buf, size_t len, int max_depth,
    enum json_err *err)
{
	struct json_keys keys = { NULL, 0 };
	enum json_err dummy, e;
	cJSON *root;

	if (err == NULL)
		err = &dummy;
	if (buf == NULL || len == 0) {
		*err = JSON_MALFORMED;
		return NULL;
	}
	if (!text_utf8_valid(buf, len)) {
		*err = JSON_BAD_UTF8;
		return NULL;
	}
	if ((e = json_prescan(buf, len, max_depth)) != JSON_OK) {
		*err = e;
		return NULL;
	}
	if ((root = json_parse_value(buf, len)) == NULL) {
		*err = JSON_MALFORMED;
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		*err = JSON_NOT_OBJECT;
		return NULL;
	}
	e = json_tree_dup(root, &keys);
	free(keys.v);
	if (e != JSON_OK) {
		cJSON_Delete(root);
		*err = e;
		return NULL;
	}
	*err = JSON_OK;
	return root;
}

const char *
json_err_message(enum json_err e)
{
	switch (e) {
	case JSON_OK:
		return "The request body was parsed.";
	case JSON_MALFORMED:
		return "The request body is not valid JSON.";
	case JSON_NOT_OBJECT:
		return "The request body must be a JSON object.";
	case JSON_TOO_DEEP:
		return "The request body is nested too deeply.";
	case JSON_DUPLICATE_KEY:
		return "The request body repeats a key in one object.";
	case JSON_BAD_UTF8:
		return "The request body is not valid UTF-8.";
	case JSON_NUL:
		return "A string in the request body contains a NUL character.";
	case JSON_NOMEM:
		return "The server ran out of memory.";
	}
	return "The request body could not be read.";
}

int
json_put_int(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Appends a JSON number: integers exactly, others in the shortest of
 * 15 or 17 significant digits that reads back the same; null when not
 * finite (JSON has no such numbers). */
static int
append_number(struct buf *b, double v)
{
	char tmp[32];

	if (!isfinite(v))
		return buf_puts(b, "null");
	if (v >= -9007199254740992.0 && v <= 9007199254740992.0 &&
	    v == (double)(int64_t)v)
		return json_put_int(b, (int64_t)v);
	snprintf(tmp, sizeof(tmp), "%1.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof(tmp), "%1.17g", v);
	return buf_puts(b, tmp);
}

int
json_put_string(struct buf *b, const char *s)
{
	if (buf_append(b, "\"", 1) == -1 ||
	    (s != NULL && buf_json_escape(b, s, strlen(s)) == -1))
		return -1;
	return buf_append(b, "\"", 1);
}

/*
 * Writes item compactly.  The output trees are the programs' own, so this
 * is cJSON_PrintUnformatted without its per-character copying and
 * printf-and-scanf round trip for every number: the answer's hot path.
 */
static int
append_value(struct buf *b, const cJSON *item)
{
	const cJSON *c;

	switch (item->type & 0xff) {
	case cJSON_NULL:
		return buf_puts(b, "null");
	case cJSON_False:
		return buf_puts(b, "false");
	case cJSON_True:
		return buf_puts(b, "true");
	case cJSON_Number:
		return append_number(b, item->valuedouble);
	case cJSON_String:
		return json_put_string(b, item->valuestring);
	case cJSON_Raw:
		return item->valuestring != NULL ?
		    buf_puts(b, item->valuestring) : -1;
	case cJSON_Array:
	case cJSON_Object:
		if (buf_append(b, cJSON_IsArray(item) ? "[" : "{", 1) == -1)
			return -1;
		for (c = item->child; c != NULL; c = c->next) {
			if (c != item->child && buf_append(b, ",", 1) == -1)
				return -1;
			if (cJSON_IsObject(item) &&
			    (json_put_string(b, c->string) == -1 ||
			    buf_append(b, ":", 1) == -1))
				return -1;
			if (append_value(b, c) == -1)
				return -1;
		}
		return buf_append(b, cJSON_IsArray(item) ? "]" : "}", 1);
	default:
		return -1;
	}
}

int
json_append(struct buf *b, const cJSON *item)
{
	if (item == NULL)
		return -1;
	return append_value(b, item);
}

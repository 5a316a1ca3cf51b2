#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/base64.h"
#include "base/text.h"
#include "web/list.h"

/* Longest cursor text before base64url: "1|sort|desc|hexkey|id". */
#define CURSOR_RAW_MAX (2 * LIST_TEXT_KEY_MAX + 64)
/* Longest cursor accepted, in characters. */
#define CURSOR_MAX ((CURSOR_RAW_MAX + 2) / 3 * (size_t)4)

/* Reads a clamped page size parameter; -1 when present and not a number. */
static int
parse_size(const char *s, int *out)
{
	int64_t v;

	if (s == NULL)
		return 0;
	if (text_parse_int(s, strlen(s), INT64_MIN / 2, INT64_MAX / 2, &v) == -1)
		return -1;
	*out = v < 1 ? 1 : v > LIST_MAX_LIMIT ? LIST_MAX_LIMIT : (int)v;
	return 0;
}

/* Reads the fields of cursor s into p; see cursor_read below. */
static int
cursor_fields(struct arena *a, const char *s, const struct list_sort *sorts,
    int nsorts, struct list_params *p)
{
	unsigned char raw[CURSOR_RAW_MAX];
	const char *f[5], *end;
	size_t flen[5], i, n;
	long len;
	int64_t v;
	char *text;
	int hi, lo;

	if (strlen(s) > CURSOR_MAX ||
	    (len = base64url_decode(s, strlen(s), raw, sizeof(raw) - 1)) <= 0)
		return -1;
	end = (const char *)raw + len;
	f[0] = (const char *)raw;
	for (i = 0; i < 5; i++) {
		const char *bar = memchr(f[i], '|', (size_t)(end - f[i]));

		if (i < 4 && bar == NULL)
			return -1;
		if (i == 4 && bar != NULL)
			return -1;
		flen[i] = (size_t)((i < 4 ? bar : end) - f[i]);
		if (i < 4)
			f[i + 1] = bar + 1;
	}
	if (flen[0] != 1 || f[0][0] != '1')
		return -1;
	if (text_parse_int(f[1], flen[1], 0, nsorts - 1, &v) == -1 || v != p->sort)
		return -1;
	if (text_parse_int(f[2], flen[2], 0, 1, &v) == -1 || v != p->desc)
		return -1;
	if (text_parse_int(f[4], flen[4], 1, INT64_MAX, &p->after_id) == -1)
		return -1;
	if (!sorts[p->sort].text)
		return text_parse_int(f[3], flen[3], INT64_MIN + 1, INT64_MAX,
		    &p->after_int);
	if (flen[3] % 2 != 0 || (text = arena_alloc(a, flen[3] / 2 + 1)) == NULL)
		return -1;
	for (n = 0; n < flen[3]; n += 2) {
		if ((hi = text_hex_value(f[3][n])) < 0 ||
		    (lo = text_hex_value(f[3][n + 1])) < 0)
			return -1;
		text[n / 2] = (char)(hi << 4 | lo);
	}
	text[flen[3] / 2] = '\0';
	p->after_text = text;
	p->after_text_len = flen[3] / 2;
	return 0;
}

/*
 * Reads a cursor: base64url of "1|sort|desc|key|id" where key is a decimal
 * for integer sorts and hex of the text for text sorts.  Only the cursor
 * list_cursor writes for the values read is accepted (no leading zeros,
 * "-0", NUL in a text key or over-long key), so a position has one
 * spelling and a cursor is ours or refused.
 */
static int
cursor_read(struct arena *a, const char *s, const struct list_sort *sorts,
    int nsorts, struct list_params *p)
{
	const char *back;

	if (cursor_fields(a, s, sorts, nsorts, p) == -1)
		return -1;
	back = list_cursor(a, p, sorts, p->after_int, p->after_text,
	    p->after_id);
	return back != NULL && strcmp(back, s) == 0 ? 0 : -1;
}

enum err
list_parse(struct req *r, const struct list_sort *sorts, int nsorts,
    int default_sort, int default_desc, struct list_params *p)
{
	const char *limit, *cursor, *page, *per, *sort, *order;
	enum err e;
	int i;

	memset(p, 0, sizeof(*p));
	p->limit = LIST_DEFAULT_LIMIT;
	p->sort = default_sort;
	p->desc = default_desc;
	if ((e = http_query(r, "limit", &limit)) != ERR_NONE ||
	    (e = http_query(r, "cursor", &cursor)) != ERR_NONE ||
	    (e = http_query(r, "page", &page)) != ERR_NONE ||
	    (e = http_query(r, "perPage", &per)) != ERR_NONE ||
	    (e = http_query(r, "sort", &sort)) != ERR_NONE ||
	    (e = http_query(r, "order", &order)) != ERR_NONE)
		return e;
	if (sort != NULL) {
		for (i = 0; i < nsorts; i++)
			if (strcmp(sort, sorts[i].name) == 0)
				break;
		if (i == nsorts)
			return http_fail(r, ERR_BAD_REQUEST,
			    "The sort parameter names no sortable field.");
		p->sort = i;
		if (sorts[i].ascending)
			p->desc = 0;
	}
	if (order != NULL) {
		if (strcmp(order, "asc") == 0)
			p->desc = 0;
		else if (strcmp(order, "desc") == 0)
			p->desc = 1;
		else
			return http_fail(r, ERR_BAD_REQUEST,
			    "The order parameter must be asc or desc.");
	}
	if (parse_size(limit, &p->limit) == -1 || parse_size(per, &p->limit) == -1)
		return http_fail(r, ERR_BAD_REQUEST,
		    "The limit and perPage parameters must be whole numbers.");
	if (page != NULL) {
		if (cursor != NULL)
			return http_fail(r, ERR_BAD_REQUEST,
			    "Give either cursor or page, not both.");
		if (text_parse_int(page, strlen(page), 1, INT64_MAX / LIST_MAX_LIMIT,
		    &p->page) == -1)
			return http_fail(r, ERR_BAD_REQUEST,
			    "The page parameter must be a whole number from 1.");
		p->mode = LIST_OFFSET;
		return ERR_NONE;
	}
	if (sorts[p->sort].offset_only) {
		if (cursor != NULL)
			return http_fail(r, ERR_BAD_REQUEST,
			    "This sort order is paged with page, not cursor.");
		p->mode = LIST_OFFSET;
		p->page = 1;
		return ERR_NONE;
	}
	p->mode = LIST_CURSOR;
	if (cursor != NULL) {
		if (cursor_read(r->arena, cursor, sorts, nsorts, p) == -1)
			return http_fail(r, ERR_BAD_REQUEST,
			    "The cursor is not valid for this list and sort order.");
		p->after = 1;
	}
	return ERR_NONE;
}

int64_t
list_offset(const struct list_params *p)
{
	return (p->page - 1) * p->limit;
}

char *
list_cursor(struct arena *a, const struct list_params *p,
    const struct list_sort *sorts, int64_t ikey, const char *text, int64_t id)
{
	static const char hex[] = "0123456789abcdef";
	char *raw, *out, *k;
	size_t tlen = text != NULL ? strlen(text) : 0, i, n;

	if (tlen > LIST_TEXT_KEY_MAX ||
	    (raw = arena_alloc(a, tlen * 2 + 64)) == NULL)
		return NULL;
	n = (size_t)snprintf(raw, 64, "1|%d|%d|", p->sort, p->desc);
	if (sorts[p->sort].text) {
		k = raw + n;
		for (i = 0; i < tlen; i++) {
			*k++ = hex[(unsigned char)text[i] >> 4];
			*k++ = hex[(unsigned char)text[i] & 15];
		}
		n += tlen * 2;
		n += (size_t)snprintf(raw + n, 32, "|%lld", (long long)id);
	} else
		n += (size_t)snprintf(raw + n, 64, "%lld|%lld", (long long)ikey,
		    (long long)id);
	if ((out = arena_alloc(a, (n + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	base64url_encode((const unsigned char *)raw, n, out);
	return out;
}

/* Appends s percent-encoded for a query string. */
static void
query_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL) {
			buf_append(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_append(b, esc, 3);
	}
}

/* Sets Link: <path?query-with-next>; rel="next". */
static void
link_next(struct req *r, const char *name, const char *value)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "<");
	buf_puts(&b, r->path);
	buf_puts(&b, "?");
	for (i = 0; i < r->qs.n; i++) {
		if (strcmp(r->qs.fields[i].name, "cursor") == 0 ||
		    strcmp(r->qs.fields[i].name, "page") == 0)
			continue;
		query_escape(&b, r->qs.fields[i].name);
		buf_puts(&b, "=");
		query_escape(&b, r->qs.fields[i].value);
		buf_puts(&b, "&");
	}
	buf_puts(&b, name);
	buf_puts(&b, "=");
	query_escape(&b, value);
	buf_puts(&b, ">; rel=\"next\"");
	if (!b.oom)
		http_header(r, "Link", b.data);
	buf_free(&b);
}

enum err
list_reply(struct req *r, const struct list_params *p, cJSON *items,
    const char *next, int64_t total)
{
	cJSON *meta = cJSON_CreateObject();
	int64_t pages;
	char num[24];

	if (meta == NULL) {
		cJSON_Delete(items);
		return ERR_INTERNAL;
	}
	if (p->mode == LIST_CURSOR) {
		cJSON_AddNumberToObject(meta, "limit", p->limit);
		if (next != NULL)
			cJSON_AddStringToObject(meta, "nextCursor", next);
		else
			cJSON_AddNullToObject(meta, "nextCursor");
		cJSON_AddBoolToObject(meta, "hasMore", next != NULL);
		if (next != NULL)
			link_next(r, "cursor", next);
	} else {
		pages = (total + p->limit - 1) / p->limit;
		cJSON_AddNumberToObject(meta, "page", (double)p->page);
		cJSON_AddNumberToObject(meta, "perPage", p->limit);
		cJSON_AddNumberToObject(meta, "total", (double)total);
		cJSON_AddNumberToObject(meta, "totalPages", (double)pages);
		if (p->page < pages) {
			snprintf(num, sizeof(num), "%lld", (long long)p->page + 1);
			link_next(r, "page", num);
		}
	}
	return http_reply_data(r, 200, items, meta);
}

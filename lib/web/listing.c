#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "web/listing.h"

enum err
listing_parse(struct req *r, const struct cursor_sort *sorts, int nsorts,
    int default_sort, int default_desc, struct cursor_params *p)
{
	struct cursor_query q;
	const char *msg;
	enum err e;

	if ((e = http_query(r, "limit", &q.limit)) != ERR_NONE ||
	    (e = http_query(r, "cursor", &q.cursor)) != ERR_NONE ||
	    (e = http_query(r, "page", &q.page)) != ERR_NONE ||
	    (e = http_query(r, "perPage", &q.per_page)) != ERR_NONE ||
	    (e = http_query(r, "sort", &q.sort)) != ERR_NONE ||
	    (e = http_query(r, "order", &q.order)) != ERR_NONE)
		return e;
	if ((msg = cursor_read(r->arena, &q, sorts, nsorts, default_sort,
	    default_desc, p)) != NULL)
		return http_fail(r, ERR_BAD_REQUEST, msg);
	return ERR_NONE;
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
listing_reply(struct req *r, const struct cursor_params *p, cJSON *items,
    const char *next, int64_t total)
{
	cJSON *meta = cJSON_CreateObject();
	int64_t pages;
	char num[24];

	if (meta == NULL) {
		cJSON_Delete(items);
		return ERR_INTERNAL;
	}
	if (p->mode == CURSOR_KEYSET) {
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

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/base64.h"
#include "base/text.h"
#include "pure/cursor.h"

/* Longest cursor text before base64url: "1|sort|desc|hexkey|id". */
#define CURSOR_RAW_MAX (2 * CURSOR_TEXT_KEY_MAX + 64)
/* Longest cursor accepted, in characters. */
#define CURSOR_LEN_MAX ((CURSOR_RAW_MAX + 2) / 3 * (size_t)4)

/*
 * Reads a page size parameter, a whole number from 1 to CURSOR_MAX_LIMIT;
 * -1 when present and anything else.
 */
static int
parse_size(const char *s, int *out)
{
	int64_t v;

	if (s == NULL)
		return 0;
	if (text_parse_int(s, strlen(s), 1, CURSOR_MAX_LIMIT, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* Reads the fields of cursor s into p; see cursor_decode below. */
static int
cursor_fields(struct arena *a, const char *s, const struct cursor_sort *sorts,
    int nsorts, struct cursor_params *p)
{
	unsigned char raw[CURSOR_RAW_MAX];
	const char *f[5], *end;
	size_t flen[5], i, n;
	long len;
	int64_t v;
	char *text;
	int hi, lo;

	if (strlen(s) > CURSOR_LEN_MAX ||
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
 * cursor_make writes for the values read is accepted (no leading zeros,
 * "-0", NUL in a text key or over-long key), so a position has one
 * spelling and a cursor is ours or refused.
 */
static int
cursor_decode(struct arena *a, const char *s, const struct cursor_sort *sorts,
    int nsorts, struct cursor_params *p)
{
	const char *back;

	if (cursor_fields(a, s, sorts, nsorts, p) == -1)
		return -1;
	back = cursor_make(a, p, sorts, p->after_int, p->after_text,
	    p->after_id);
	return back != NULL && strcmp(back, s) == 0 ? 0 : -1;
}

/* Reads the sort and order of q into p; NULL, or the message of the 400. */
static const char *
read_order(const struct cursor_query *q, const struct cursor_sort *sorts,
    int nsorts, struct cursor_params *p)
{
	int i;

	if (q->sort != NULL) {
		for (i = 0; i < nsorts; i++)
			if (strcmp(q->sort, sorts[i].name) == 0)
				break;
		if (i == nsorts)
			return "The sort parameter names no sortable field.";
		p->sort = i;
		if (sorts[i].ascending)
			p->desc = 0;
	}
	if (q->order == NULL)
		return NULL;
	if (strcmp(q->order, "asc") == 0)
		p->desc = 0;
	else if (strcmp(q->order, "desc") == 0)
		p->desc = 1;
	else
		return "The order parameter must be asc or desc.";
	return NULL;
}

/* Reads the page or cursor of q into p; NULL, or the message of the 400. */
static const char *
read_position(struct arena *a, const struct cursor_query *q,
    const struct cursor_sort *sorts, int nsorts, struct cursor_params *p)
{
	/* perPage alone asks for offset paging too: its first page. */
	if (q->page != NULL || q->per_page != NULL) {
		if (q->cursor != NULL)
			return "Give either cursor or page and perPage, not both.";
		p->page = 1;
		if (q->page != NULL && text_parse_int(q->page, strlen(q->page),
		    1, INT64_MAX / CURSOR_MAX_LIMIT, &p->page) == -1)
			return "The page parameter must be a whole number from 1.";
		p->mode = CURSOR_OFFSET;
		return NULL;
	}
	if (sorts[p->sort].offset_only) {
		if (q->cursor != NULL)
			return "This sort order is paged with page, not cursor.";
		p->mode = CURSOR_OFFSET;
		p->page = 1;
		return NULL;
	}
	p->mode = CURSOR_KEYSET;
	if (q->cursor == NULL)
		return NULL;
	if (cursor_decode(a, q->cursor, sorts, nsorts, p) == -1)
		return "The cursor is not valid for this list and sort order.";
	p->after = 1;
	return NULL;
}

const char *
cursor_read(struct arena *a, const struct cursor_query *q,
    const struct cursor_sort *sorts, int nsorts, int default_sort,
    int default_desc, struct cursor_params *p)
{
	const char *msg;

	memset(p, 0, sizeof(*p));
	p->limit = CURSOR_DEFAULT_LIMIT;
	p->sort = default_sort;
	p->desc = default_desc;
	if ((msg = read_order(q, sorts, nsorts, p)) != NULL)
		return msg;
	if (parse_size(q->limit, &p->limit) == -1)
		return "The limit parameter must be a whole number from 1 to 100.";
	if (parse_size(q->per_page, &p->limit) == -1)
		return "The perPage parameter must be a whole number from 1 to 100.";
	return read_position(a, q, sorts, nsorts, p);
}

int64_t
cursor_offset(const struct cursor_params *p)
{
	return (p->page - 1) * p->limit;
}

char *
cursor_make(struct arena *a, const struct cursor_params *p,
    const struct cursor_sort *sorts, int64_t ikey, const char *text,
    int64_t id)
{
	static const char hex[] = "0123456789abcdef";
	char *raw, *out, *k;
	size_t tlen = text != NULL ? strlen(text) : 0, i, n;

	if (tlen > CURSOR_TEXT_KEY_MAX ||
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

/*
 * cursor: base64url_decode and the cursor parameter of list_parse.
 *
 * Base64url is read canonically: decoded text encodes back to the input.
 * A cursor is opaque and only ours is accepted: when list_parse takes the
 * input as a cursor, list_cursor writes the same cursor back from what was
 * read.  Both an integer sort and a text sort are tried.
 */
#include "base/base64.h"
#include "web/list.h"

#include "fuzz.h"

static const struct list_sort sorts[] = {
	{ "createdAt", 0, 0, 0 }, { "title", 1, 0, 1 },
};

/* Writes "cursor=" and data percent-encoded into q. */
static void
cursor_query(const uint8_t *data, size_t size, char *q)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	q += sprintf(q, "cursor=");
	for (i = 0; i < size; i++) {
		*q++ = '%';
		*q++ = hex[data[i] >> 4];
		*q++ = hex[data[i] & 15];
	}
	*q = '\0';
}

/* Parses the cursor under sort number sort and checks a success. */
static void
cursor_parse(struct arena *a, const char *query, const uint8_t *data,
    size_t size, int sort)
{
	struct buf hdr = { 0 }, out = { 0 };
	struct list_params p;
	struct req r;
	char *back;

	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.hdr = &hdr;
	r.out = &out;
	r.path = "/api/v1/posts";
	r.query = query;
	if (list_parse(&r, sorts, 2, sort, sort, &p) == ERR_NONE) {
		FUZZ_CHECK(size > 0 && p.after && p.mode == LIST_CURSOR);
		FUZZ_CHECK(p.sort == sort && p.desc == sort && p.after_id > 0);
		back = list_cursor(a, &p, sorts, p.after_int, p.after_text,
		    p.after_id);
		FUZZ_CHECK(back != NULL && strlen(back) == size &&
		    memcmp(back, data, size) == 0);
	}
	buf_free(&hdr);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = fuzz_arena();
	unsigned char raw[1024];
	char *enc, *query;
	long n;

	if ((n = base64url_decode((const char *)data, size, raw,
	    sizeof(raw))) >= 0) {
		FUZZ_CHECK((size_t)n <= size);
		FUZZ_CHECK((enc = malloc(((size_t)n + 2) / 3 * 4 + 1)) != NULL);
		base64url_encode(raw, (size_t)n, enc);
		FUZZ_CHECK(strlen(enc) == size && memcmp(enc, data, size) == 0);
		free(enc);
	}
	FUZZ_CHECK((query = malloc(size * 3 + 8)) != NULL);
	cursor_query(data, size, query);
	cursor_parse(a, query, data, size, 0);
	cursor_parse(a, query, data, size, 1);
	free(query);
	return 0;
}

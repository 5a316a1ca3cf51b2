/* list: query parameters, cursors, base64url. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "list.h"
#include "tap.h"

static const struct list_sort sorts[] = {
	{ "createdAt", 0 }, { "name", 1 },
};

static struct arena *a;
static struct buf hdr, out;

/* Parses query q into p; returns the error. */
static enum err
parse(const char *q, struct list_params *p, struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->hdr = &hdr;
	r->out = &out;
	r->query = q;
	r->path = "/api/v1/things";
	return list_parse(r, sorts, 2, 0, 1, p);
}

static void
test_b64(void)
{
	unsigned char in[] = "any carnal pleas", back[32];
	char enc[64];
	size_t n;
	long got;

	for (n = 0; n <= 16; n++) {
		list_b64url_encode(in, n, enc);
		got = list_b64url_decode(enc, strlen(enc), back, sizeof(back));
		ok(got == (long)n && memcmp(in, back, n) == 0,
		    "base64url round trip of %zu bytes", n);
	}
	list_b64url_encode((const unsigned char *)"\xfb\xff", 2, enc);
	is_str(enc, "-_8", "base64url uses - and _");
	is_int(list_b64url_decode("abc=", 4, back, sizeof(back)), -1, "padding is refused");
	is_int(list_b64url_decode("a", 1, back, sizeof(back)), -1, "a lone character is refused");
	is_int(list_b64url_decode("ab+/", 4, back, sizeof(back)), -1, "+ and / are refused");
	is_int(list_b64url_decode("QR", 2, back, sizeof(back)), -1,
	    "non-zero unused bits are refused (non-canonical)");
	is_int(list_b64url_decode("QUJD", 4, back, 2), -1, "output overflow is refused");
}

static void
test_params(void)
{
	struct list_params p;
	struct req r;

	is_int(parse("", &p, &r), ERR_NONE, "no parameters");
	ok(p.mode == LIST_CURSOR && p.limit == 20 && p.sort == 0 && p.desc == 1 && !p.after,
	    "defaults: cursor mode, 20, default sort, descending");
	is_int(parse("limit=0", &p, &r), ERR_NONE, "limit=0 is accepted");
	is_int(p.limit, 1, "limit=0 is clamped to 1");
	parse("limit=1000", &p, &r);
	is_int(p.limit, 100, "limit=1000 is clamped to 100");
	parse("limit=-5", &p, &r);
	is_int(p.limit, 1, "a negative limit is clamped to 1");
	is_int(parse("limit=ten", &p, &r), ERR_BAD_REQUEST, "limit=ten is 400");
	is_int(parse("limit=5&limit=6", &p, &r), ERR_BAD_REQUEST, "a repeated parameter is 400");
	is_int(parse("sort=name&order=asc", &p, &r), ERR_NONE, "sort and order");
	ok(p.sort == 1 && p.desc == 0, "sort=name order=asc are read");
	is_int(parse("sort=password_hash", &p, &r), ERR_BAD_REQUEST, "an unknown sort is 400");
	is_int(parse("order=up", &p, &r), ERR_BAD_REQUEST, "an unknown order is 400");
	is_int(parse("page=3&perPage=10", &p, &r), ERR_NONE, "page and perPage");
	ok(p.mode == LIST_OFFSET && p.page == 3 && p.limit == 10, "offset mode, page 3 of 10");
	is_int(list_offset(&p), 20, "page 3 of 10 starts at row 20");
	is_int(parse("page=0", &p, &r), ERR_BAD_REQUEST, "page=0 is 400");
	is_int(parse("page=x", &p, &r), ERR_BAD_REQUEST, "page=x is 400");
}

static void
test_cursor(void)
{
	struct list_params p;
	struct req r;
	char *c, q[1024], bad[512];

	parse("", &p, &r);
	c = list_cursor(a, &p, sorts, 1700000000, NULL, 42);
	ok(c != NULL && strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(c),
	    "an integer cursor is base64url text");
	snprintf(q, sizeof(q), "cursor=%s", c);
	is_int(parse(q, &p, &r), ERR_NONE, "the cursor reads back");
	ok(p.after && p.after_int == 1700000000 && p.after_id == 42, "with its key and id");

	parse("sort=name&order=asc", &p, &r);
	c = list_cursor(a, &p, sorts, 0, "Zoë|x", 7);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c);
	is_int(parse(q, &p, &r), ERR_NONE, "a text cursor reads back");
	ok(p.after_text != NULL && strcmp(p.after_text, "Zoë|x") == 0 && p.after_id == 7,
	    "with its text key (delimiters included) and id");
	snprintf(q, sizeof(q), "sort=name&order=desc&cursor=%s", c);
	is_int(parse(q, &p, &r), ERR_BAD_REQUEST, "a cursor used with another order is 400");
	snprintf(q, sizeof(q), "cursor=%s", c);
	is_int(parse(q, &p, &r), ERR_BAD_REQUEST, "a cursor used with another sort is 400");
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s&page=2", c);
	is_int(parse(q, &p, &r), ERR_BAD_REQUEST, "cursor with page is 400");

	snprintf(bad, sizeof(bad), "%s", c);
	bad[strlen(bad) / 2] = bad[strlen(bad) / 2] == 'A' ? 'B' : 'A';
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", bad);
	is_int(parse(q, &p, &r), ERR_BAD_REQUEST, "a tampered cursor is 400");
	is_int(parse("cursor=garbage!", &p, &r), ERR_BAD_REQUEST, "a non-base64 cursor is 400");
	is_int(parse("cursor=", &p, &r), ERR_BAD_REQUEST, "an empty cursor is 400");
	/* "1|0|1|5" lacks the id field. */
	is_int(parse("cursor=MXwwfDF8NQ", &p, &r), ERR_BAD_REQUEST, "a cursor missing a field is 400");
	/* "1|0|1|5|0": id 0 is out of range. */
	is_int(parse("cursor=MXwwfDF8NXww", &p, &r), ERR_BAD_REQUEST, "a cursor with id 0 is 400");
	/* "1|0|1|5|9|9": one field too many. */
	is_int(parse("cursor=MXwwfDF8NXw5fDk", &p, &r), ERR_BAD_REQUEST, "a cursor with extra fields is 400");
	/* "1|0|1|5|9" is well formed. */
	is_int(parse("cursor=MXwwfDF8NXw5", &p, &r), ERR_NONE, "a hand-made well-formed cursor is read");
	ok(p.after_int == 5 && p.after_id == 9, "as key 5, id 9");
}

int
main(void)
{
	if ((a = arena_new()) == NULL)
		return 1;
	test_b64();
	test_params();
	test_cursor();
	arena_free(a);
	buf_free(&hdr);
	buf_free(&out);
	return done_testing();
}

/* list: query parameters, cursors, base64url. */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/base64.h"
#include "web/list.h"
#include "tap.h"

static const struct list_sort sorts[] = {
	{ "createdAt", 0, 0, 0 }, { "name", 1, 0, 1 }, { "rank", 0, 1, 0 },
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
	return list_parse(r, sorts, 3, 0, 1, p);
}

static void
test_b64(void)
{
	unsigned char in[] = "any carnal pleas", back[32];
	char enc[64];
	size_t n;
	long got;

	for (n = 0; n <= 16; n++) {
		base64url_encode(in, n, enc);
		got = base64url_decode(enc, strlen(enc), back, sizeof(back));
		ok(got == (long)n && memcmp(in, back, n) == 0,
		    "base64url round trip of %zu bytes", n);
	}
	base64url_encode((const unsigned char *)"\xfb\xff", 2, enc);
	is_str(enc, "-_8", "base64url uses - and _");
	is_int(base64url_decode("abc=", 4, back, sizeof(back)), -1, "padding is refused");
	is_int(base64url_decode("a", 1, back, sizeof(back)), -1, "a lone character is refused");
	is_int(base64url_decode("ab+/", 4, back, sizeof(back)), -1, "+ and / are refused");
	is_int(base64url_decode("QR", 2, back, sizeof(back)), -1,
	    "non-zero unused bits are refused (non-canonical)");
	is_int(base64url_decode("QUJD", 4, back, 2), -1, "output overflow is refused");
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
	parse("sort=name", &p, &r);
	ok(p.sort == 1 && p.desc == 0, "an ascending sort is ascending without order");
	parse("sort=name&order=desc", &p, &r);
	ok(p.desc == 1, "and descending with order=desc");
	parse("sort=createdAt", &p, &r);
	ok(p.sort == 0 && p.desc == 1, "other sorts keep the default order");
	is_int(parse("sort=password_hash", &p, &r), ERR_BAD_REQUEST, "an unknown sort is 400");
	is_int(parse("order=up", &p, &r), ERR_BAD_REQUEST, "an unknown order is 400");
	is_int(parse("page=3&perPage=10", &p, &r), ERR_NONE, "page and perPage");
	ok(p.mode == LIST_OFFSET && p.page == 3 && p.limit == 10, "offset mode, page 3 of 10");
	is_int(list_offset(&p), 20, "page 3 of 10 starts at row 20");
	is_int(parse("page=0", &p, &r), ERR_BAD_REQUEST, "page=0 is 400");
	is_int(parse("page=x", &p, &r), ERR_BAD_REQUEST, "page=x is 400");
}

/* The longest title in the widest encoding survives a cursor whole. */
static void
test_long_key(void)
{
	enum { WIDE = 200 * 4 };
	struct list_params p;
	struct req r;
	char key[WIDE + 1], q[4096], *c;
	size_t i;

	for (i = 0; i + 4 <= WIDE; i += 4)
		memcpy(key + i, "\xf0\x9f\x98\x80", 4);
	key[WIDE] = '\0';
	parse("sort=name&order=asc", &p, &r);
	c = list_cursor(a, &p, sorts, 0, key, 9);
	ok(c != NULL, "a cursor carries a key of %d bytes", WIDE);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c ? c : "");
	is_int(parse(q, &p, &r), ERR_NONE, "and reads back");
	ok(p.after_text != NULL && p.after_text_len == WIDE &&
	    memcmp(p.after_text, key, WIDE) == 0 && p.after_id == 9,
	    "with the whole key, not a prefix");
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

	test_long_key();

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

	/* A text key is lower-case hex, the one spelling list_cursor writes:
	 * the round trip refuses any other. */
	base64url_encode((const unsigned char *)"1|1|0|6a4b|9", 12, bad);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", bad);
	is_int(parse(q, &p, &r), ERR_NONE, "a lower-case hex text key is read");
	ok(p.after_text != NULL && strcmp(p.after_text, "jK") == 0,
	    "as the bytes it spells");
	base64url_encode((const unsigned char *)"1|1|0|6A4B|9", 12, bad);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", bad);
	is_int(parse(q, &p, &r), ERR_BAD_REQUEST,
	    "an upper-case hex text key is 400");
}

static void
test_long_text_key(void)
{
	struct list_params p;
	struct req r;
	char key[LIST_TEXT_KEY_MAX + 2], *c, *q;
	size_t i;

	/* 200 four-byte characters: the longest title, 800 bytes. */
	memset(key, 0, sizeof(key));
	for (i = 0; i < 200; i++)
		memcpy(key + 4 * i, "\xf0\x9f\x98\x80", 4);
	parse("sort=name", &p, &r);
	c = list_cursor(a, &p, sorts, 0, key, 9);
	ok(c != NULL, "an 800-byte text key makes a cursor");
	q = arena_printf(a, "sort=name&cursor=%s", c != NULL ? c : "");
	is_int(parse(q, &p, &r), ERR_NONE, "which reads back");
	ok(p.after_text != NULL && strcmp(p.after_text, key) == 0 &&
	    p.after_id == 9, "with the whole key, not a prefix of it");

	memset(key, 'k', LIST_TEXT_KEY_MAX);
	key[LIST_TEXT_KEY_MAX] = '\0';
	c = list_cursor(a, &p, sorts, 0, key, 9);
	q = arena_printf(a, "sort=name&cursor=%s", c != NULL ? c : "");
	ok(c != NULL && parse(q, &p, &r) == ERR_NONE &&
	    strlen(p.after_text) == LIST_TEXT_KEY_MAX,
	    "a key of LIST_TEXT_KEY_MAX bytes round-trips");
	key[LIST_TEXT_KEY_MAX] = 'k';
	key[LIST_TEXT_KEY_MAX + 1] = '\0';
	parse("sort=name", &p, &r);
	ok(list_cursor(a, &p, sorts, 0, key, 9) == NULL,
	    "a longer key makes no cursor rather than a truncated one");
}

static void
test_offset_only(void)
{
	struct list_params p;
	struct req r;

	is_int(parse("sort=rank", &p, &r), ERR_NONE, "an offset-only sort");
	ok(p.mode == LIST_OFFSET && p.page == 1 && p.sort == 2,
	    "is in offset mode, page 1, without page");
	is_int(parse("sort=rank&page=3&perPage=5", &p, &r), ERR_NONE,
	    "an offset-only sort with page");
	ok(p.mode == LIST_OFFSET && p.page == 3 && p.limit == 5, "reads page 3 of 5");
	/* "1|2|1|5|9": well formed, for the rank sort. */
	is_int(parse("sort=rank&cursor=MXwyfDF8NXw5", &p, &r), ERR_BAD_REQUEST,
	    "refuses a cursor, even a well-formed one");
	is_int(parse("", &p, &r), ERR_NONE, "other sorts");
	is_int(p.mode, LIST_CURSOR, "keep cursor mode");
}

/* A cursor that list_cursor writes for a text key of n bytes of c. */
static char *
text_cursor(struct list_params *p, struct req *r, int c, size_t n)
{
	char *key = arena_alloc(a, n + 1);

	if (key == NULL)
		return NULL;
	memset(key, c, n);
	key[n] = '\0';
	parse("sort=name&order=asc", p, r);
	return list_cursor(a, p, sorts, 0, key, 7);
}

static void
test_cursor_strict(void)
{
	struct list_params p;
	struct req r;
	char q[4096], *c;

	/* 200 four-byte characters: the longest title a post may have. */
	c = text_cursor(&p, &r, 'x', 800);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c != NULL ? c : "");
	is_int(parse(q, &p, &r), ERR_NONE, "a cursor with an 800-byte text key reads back");
	ok(p.after_text_len == 800 && strspn(p.after_text, "x") == 800,
	    "with the whole key, not a prefix that would repeat the row");
	c = text_cursor(&p, &r, 'y', LIST_TEXT_KEY_MAX);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c != NULL ? c : "");
	is_int(parse(q, &p, &r), ERR_NONE, "a key of LIST_TEXT_KEY_MAX bytes reads back");
	is_int(p.after_text_len, LIST_TEXT_KEY_MAX, "whole");
	ok(text_cursor(&p, &r, 'z', LIST_TEXT_KEY_MAX + 1) == NULL,
	    "a longer key gets no cursor rather than a shortened one");

	/* "1|0|1|05|9": the key with a leading zero. */
	is_int(parse("cursor=MXwwfDF8MDV8OQ", &p, &r), ERR_BAD_REQUEST,
	    "a key with a leading zero is 400 (one spelling per position)");
	/* "1|0|1|-0|9" */
	is_int(parse("cursor=MXwwfDF8LTB8OQ", &p, &r), ERR_BAD_REQUEST, "a key of -0 is 400");
	/* "1|0|1|5|09" */
	is_int(parse("cursor=MXwwfDF8NXwwOQ", &p, &r), ERR_BAD_REQUEST,
	    "an id with a leading zero is 400");
	/* "1|0|1|5\0x|9": found by the cursor fuzz target. */
	is_int(parse("cursor=MXwwfDF8NQB4fDk", &p, &r), ERR_BAD_REQUEST,
	    "bytes after a NUL in an integer field are 400, not ignored");
	/* "1|1|0|6100|7": a text key holding a NUL byte. */
	is_int(parse("sort=name&order=asc&cursor=MXwxfDB8NjEwMHw3", &p, &r), ERR_BAD_REQUEST,
	    "a text key with a NUL byte is 400");
}

int
main(void)
{
	if ((a = arena_new()) == NULL)
		return 1;
	test_b64();
	test_params();
	test_cursor();
	test_long_text_key();
	test_offset_only();
	test_cursor_strict();
	arena_free(a);
	buf_free(&hdr);
	buf_free(&out);
	return done_testing();
}

/*
 * Unit tests for lib/pure/cursor.c: the paging parameters of a list, its
 * cursors, and base64url under them.
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/base64.h"
#include "pure/cursor.h"
#include "tap.h"

static const struct cursor_sort sorts[] = {
	{ "createdAt", 0, 0, 0 }, { "name", 1, 0, 1 }, { "rank", 0, 1, 0 },
};

static struct arena *a;

/*
 * Splits the query string q ("name=value&...", nothing escaped) into the
 * paging parameters and reads them into p as cursor_read does for a list
 * whose default is the first sort, descending.  NULL, or the message.
 */
static const char *
parse(const char *q, struct cursor_params *p)
{
	struct cursor_query cq = { NULL, NULL, NULL, NULL, NULL, NULL };
	char *copy = arena_strndup(a, q, strlen(q)), *f, *save, *v;

	if (copy == NULL) {
		printf("Bail out! out of memory\n");
		exit(255);
	}
	for (f = strtok_r(copy, "&", &save); f != NULL;
	    f = strtok_r(NULL, "&", &save)) {
		if ((v = strchr(f, '=')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(f, "limit") == 0)
			cq.limit = v;
		else if (strcmp(f, "cursor") == 0)
			cq.cursor = v;
		else if (strcmp(f, "page") == 0)
			cq.page = v;
		else if (strcmp(f, "perPage") == 0)
			cq.per_page = v;
		else if (strcmp(f, "sort") == 0)
			cq.sort = v;
		else if (strcmp(f, "order") == 0)
			cq.order = v;
	}
	return cursor_read(a, &cq, sorts, 3, 0, 1, p);
}

/* Checks that query q is read. */
static void
reads(const char *q, struct cursor_params *p, const char *what)
{
	const char *msg = parse(q, p);

	if (!ok(msg == NULL, "%s", what))
		diag("refused: %s", msg);
}

/* Checks that query q is refused with a message that names name. */
static void
refuses(const char *q, struct cursor_params *p, const char *name,
    const char *what)
{
	const char *msg = parse(q, p);

	if (!ok(msg != NULL && strstr(msg, name) != NULL, "%s", what))
		diag("message: %s", msg != NULL ? msg : "(none)");
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
	struct cursor_params p;

	reads("", &p, "no parameters");
	ok(p.mode == CURSOR_KEYSET && p.limit == 20 && p.sort == 0 && p.desc == 1 && !p.after,
	    "defaults: cursor mode, 20, default sort, descending");
	reads("limit=1", &p, "limit=1 is accepted");
	is_int(p.limit, 1, "limit=1 is read");
	reads("limit=100", &p, "limit=100 is accepted");
	is_int(p.limit, 100, "limit=100 is read");
	refuses("limit=0", &p, "limit", "limit=0 is 400");
	refuses("limit=101", &p, "limit", "limit=101 is 400");
	refuses("limit=-5", &p, "limit", "a negative limit is 400");
	refuses("limit=ten", &p, "limit", "limit=ten is 400");
	refuses("page=1&perPage=0", &p, "perPage", "perPage=0 is 400");
	refuses("page=1&perPage=101", &p, "perPage", "perPage=101 is 400");
	reads("perPage=7", &p, "perPage without page");
	ok(p.mode == CURSOR_OFFSET && p.page == 1 && p.limit == 7,
	    "perPage alone is page 1 in offset mode");
	refuses("perPage=7&cursor=abc", &p, "perPage", "perPage with a cursor is 400");
	reads("sort=name&order=asc", &p, "sort and order");
	ok(p.sort == 1 && p.desc == 0, "sort=name order=asc are read");
	parse("sort=name", &p);
	ok(p.sort == 1 && p.desc == 0, "an ascending sort is ascending without order");
	parse("sort=name&order=desc", &p);
	ok(p.desc == 1, "and descending with order=desc");
	parse("sort=createdAt", &p);
	ok(p.sort == 0 && p.desc == 1, "other sorts keep the default order");
	refuses("sort=password_hash", &p, "sort", "an unknown sort is 400");
	refuses("order=up", &p, "order", "an unknown order is 400");
	reads("page=3&perPage=10", &p, "page and perPage");
	ok(p.mode == CURSOR_OFFSET && p.page == 3 && p.limit == 10, "offset mode, page 3 of 10");
	is_int(cursor_offset(&p), 20, "page 3 of 10 starts at row 20");
	refuses("page=0", &p, "page", "page=0 is 400");
	refuses("page=x", &p, "page", "page=x is 400");
}

/* The longest title in the widest encoding survives a cursor whole. */
static void
test_long_key(void)
{
	enum { WIDE = 200 * 4 };
	struct cursor_params p;
	char key[WIDE + 1], q[4096], *c;
	size_t i;

	for (i = 0; i + 4 <= WIDE; i += 4)
		memcpy(key + i, "\xf0\x9f\x98\x80", 4);
	key[WIDE] = '\0';
	parse("sort=name&order=asc", &p);
	c = cursor_make(a, &p, sorts, 0, key, 9);
	ok(c != NULL, "a cursor carries a key of %d bytes", WIDE);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c ? c : "");
	reads(q, &p, "and reads back");
	ok(p.after_text != NULL && p.after_text_len == WIDE &&
	    memcmp(p.after_text, key, WIDE) == 0 && p.after_id == 9,
	    "with the whole key, not a prefix");
}

static void
test_cursor(void)
{
	struct cursor_params p;
	char *c, q[1024], bad[512];

	parse("", &p);
	c = cursor_make(a, &p, sorts, 1700000000, NULL, 42);
	ok(c != NULL && strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(c),
	    "an integer cursor is base64url text");
	snprintf(q, sizeof(q), "cursor=%s", c);
	reads(q, &p, "the cursor reads back");
	ok(p.after && p.after_int == 1700000000 && p.after_id == 42, "with its key and id");

	parse("sort=name&order=asc", &p);
	c = cursor_make(a, &p, sorts, 0, "Zoë|x", 7);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c);
	reads(q, &p, "a text cursor reads back");
	ok(p.after_text != NULL && strcmp(p.after_text, "Zoë|x") == 0 && p.after_id == 7,
	    "with its text key (delimiters included) and id");
	snprintf(q, sizeof(q), "sort=name&order=desc&cursor=%s", c);
	refuses(q, &p, "cursor", "a cursor used with another order is 400");
	snprintf(q, sizeof(q), "cursor=%s", c);
	refuses(q, &p, "cursor", "a cursor used with another sort is 400");
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s&page=2", c);
	refuses(q, &p, "cursor", "cursor with page is 400");

	test_long_key();

	snprintf(bad, sizeof(bad), "%s", c);
	bad[strlen(bad) / 2] = bad[strlen(bad) / 2] == 'A' ? 'B' : 'A';
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", bad);
	refuses(q, &p, "cursor", "a tampered cursor is 400");
	refuses("cursor=garbage!", &p, "cursor", "a non-base64 cursor is 400");
	refuses("cursor=", &p, "cursor", "an empty cursor is 400");
	/* "1|0|1|5" lacks the id field. */
	refuses("cursor=MXwwfDF8NQ", &p, "cursor", "a cursor missing a field is 400");
	/* "1|0|1|5|0": id 0 is out of range. */
	refuses("cursor=MXwwfDF8NXww", &p, "cursor", "a cursor with id 0 is 400");
	/* "1|0|1|5|9|9": one field too many. */
	refuses("cursor=MXwwfDF8NXw5fDk", &p, "cursor", "a cursor with extra fields is 400");
	/* "1|0|1|5|9" is well formed. */
	reads("cursor=MXwwfDF8NXw5", &p, "a hand-made well-formed cursor is read");
	ok(p.after_int == 5 && p.after_id == 9, "as key 5, id 9");

	/* A text key is lower-case hex, the one spelling cursor_make writes:
	 * the round trip refuses any other. */
	base64url_encode((const unsigned char *)"1|1|0|6a4b|9", 12, bad);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", bad);
	reads(q, &p, "a lower-case hex text key is read");
	ok(p.after_text != NULL && strcmp(p.after_text, "jK") == 0,
	    "as the bytes it spells");
	base64url_encode((const unsigned char *)"1|1|0|6A4B|9", 12, bad);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", bad);
	refuses(q, &p, "cursor", "an upper-case hex text key is 400");
}

static void
test_long_text_key(void)
{
	struct cursor_params p;
	char key[CURSOR_TEXT_KEY_MAX + 2], *c, *q;
	size_t i;

	/* 200 four-byte characters: the longest title, 800 bytes. */
	memset(key, 0, sizeof(key));
	for (i = 0; i < 200; i++)
		memcpy(key + 4 * i, "\xf0\x9f\x98\x80", 4);
	parse("sort=name", &p);
	c = cursor_make(a, &p, sorts, 0, key, 9);
	ok(c != NULL, "an 800-byte text key makes a cursor");
	q = arena_printf(a, "sort=name&cursor=%s", c != NULL ? c : "");
	reads(q, &p, "which reads back");
	ok(p.after_text != NULL && strcmp(p.after_text, key) == 0 &&
	    p.after_id == 9, "with the whole key, not a prefix of it");

	memset(key, 'k', CURSOR_TEXT_KEY_MAX);
	key[CURSOR_TEXT_KEY_MAX] = '\0';
	c = cursor_make(a, &p, sorts, 0, key, 9);
	q = arena_printf(a, "sort=name&cursor=%s", c != NULL ? c : "");
	ok(c != NULL && parse(q, &p) == NULL &&
	    strlen(p.after_text) == CURSOR_TEXT_KEY_MAX,
	    "a key of CURSOR_TEXT_KEY_MAX bytes round-trips");
	key[CURSOR_TEXT_KEY_MAX] = 'k';
	key[CURSOR_TEXT_KEY_MAX + 1] = '\0';
	parse("sort=name", &p);
	ok(cursor_make(a, &p, sorts, 0, key, 9) == NULL,
	    "a longer key makes no cursor rather than a truncated one");
}

static void
test_offset_only(void)
{
	struct cursor_params p;

	reads("sort=rank", &p, "an offset-only sort");
	ok(p.mode == CURSOR_OFFSET && p.page == 1 && p.sort == 2,
	    "is in offset mode, page 1, without page");
	reads("sort=rank&page=3&perPage=5", &p, "an offset-only sort with page");
	ok(p.mode == CURSOR_OFFSET && p.page == 3 && p.limit == 5, "reads page 3 of 5");
	/* "1|2|1|5|9": well formed, for the rank sort. */
	refuses("sort=rank&cursor=MXwyfDF8NXw5", &p, "cursor", "refuses a cursor, even a well-formed one");
	reads("", &p, "other sorts");
	is_int(p.mode, CURSOR_KEYSET, "keep cursor mode");
}

/* A cursor that cursor_make writes for a text key of n bytes of c. */
static char *
text_cursor(struct cursor_params *p, int c, size_t n)
{
	char *key = arena_alloc(a, n + 1);

	if (key == NULL)
		return NULL;
	memset(key, c, n);
	key[n] = '\0';
	parse("sort=name&order=asc", p);
	return cursor_make(a, p, sorts, 0, key, 7);
}

static void
test_cursor_strict(void)
{
	struct cursor_params p;
	char q[4096], *c;

	/* 200 four-byte characters: the longest title a post may have. */
	c = text_cursor(&p, 'x', 800);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c != NULL ? c : "");
	reads(q, &p, "a cursor with an 800-byte text key reads back");
	ok(p.after_text_len == 800 && strspn(p.after_text, "x") == 800,
	    "with the whole key, not a prefix that would repeat the row");
	c = text_cursor(&p, 'y', CURSOR_TEXT_KEY_MAX);
	snprintf(q, sizeof(q), "sort=name&order=asc&cursor=%s", c != NULL ? c : "");
	reads(q, &p, "a key of CURSOR_TEXT_KEY_MAX bytes reads back");
	is_int(p.after_text_len, CURSOR_TEXT_KEY_MAX, "whole");
	ok(text_cursor(&p, 'z', CURSOR_TEXT_KEY_MAX + 1) == NULL,
	    "a longer key gets no cursor rather than a shortened one");

	/* "1|0|1|05|9": the key with a leading zero. */
	refuses("cursor=MXwwfDF8MDV8OQ", &p, "cursor", "a key with a leading zero is 400 (one spelling per position)");
	/* "1|0|1|-0|9" */
	refuses("cursor=MXwwfDF8LTB8OQ", &p, "cursor", "a key of -0 is 400");
	/* "1|0|1|5|09" */
	refuses("cursor=MXwwfDF8NXwwOQ", &p, "cursor", "an id with a leading zero is 400");
	/* "1|0|1|5\0x|9": found by the cursor fuzz target. */
	refuses("cursor=MXwwfDF8NQB4fDk", &p, "cursor", "bytes after a NUL in an integer field are 400, not ignored");
	/* "1|1|0|6100|7": a text key holding a NUL byte. */
	refuses("sort=name&order=asc&cursor=MXwxfDB8NjEwMHw3", &p, "cursor", "a text key with a NUL byte is 400");
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
	return done_testing();
}

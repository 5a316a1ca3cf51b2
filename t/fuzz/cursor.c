/*
 * cursor: base64url_decode and the cursor parameter of cursor_read.
 *
 * Base64url is read canonically: decoded text encodes back to the input.
 * A cursor is opaque and only ours is accepted: when cursor_read takes the
 * input as a cursor, cursor_make writes the same cursor back from what was
 * read.  Both an integer sort and a text sort are tried.
 */
#include "base/base64.h"
#include "pure/cursor.h"

#include "fuzz.h"

static const struct cursor_sort sorts[] = {
	{ "createdAt", 0, 0, 0 }, { "title", 1, 0, 1 },
};

/* Reads cursor (the size bytes of data) under sort number sort. */
static void
cursor_check(struct arena *a, const char *cursor, const uint8_t *data,
    size_t size, int sort)
{
	struct cursor_query q = { NULL, cursor, NULL, NULL, NULL, NULL };
	struct cursor_params p;
	char *back;

	if (cursor_read(a, &q, sorts, 2, sort, sort, &p) == NULL) {
		FUZZ_CHECK(size > 0 && p.after && p.mode == CURSOR_KEYSET);
		FUZZ_CHECK(p.sort == sort && p.desc == sort && p.after_id > 0);
		back = cursor_make(a, &p, sorts, p.after_int, p.after_text,
		    p.after_id);
		FUZZ_CHECK(back != NULL && strlen(back) == size &&
		    memcmp(back, data, size) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = fuzz_arena();
	unsigned char raw[1024];
	char *enc, *cursor;
	long n;

	if ((n = base64url_decode((const char *)data, size, raw,
	    sizeof(raw))) >= 0) {
		FUZZ_CHECK((size_t)n <= size);
		FUZZ_CHECK((enc = malloc(((size_t)n + 2) / 3 * 4 + 1)) != NULL);
		base64url_encode(raw, (size_t)n, enc);
		FUZZ_CHECK(strlen(enc) == size && memcmp(enc, data, size) == 0);
		free(enc);
	}
	/* cursor_read reads C strings, which hold no NUL. */
	if (memchr(data, '\0', size) != NULL)
		return 0;
	FUZZ_CHECK((cursor = malloc(size + 1)) != NULL);
	memcpy(cursor, data, size);
	cursor[size] = '\0';
	cursor_check(a, cursor, data, size, 0);
	cursor_check(a, cursor, data, size, 1);
	free(cursor);
	return 0;
}

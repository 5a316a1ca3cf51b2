/* The answer's hot path: json_append and its escapes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "pure/json.h"
#include "tap.h"

/* Serialises t with json_append; 1 when cJSON reads back an equal tree. */
static int
round_trip(const cJSON *t, const char *expect)
{
	struct buf b = { 0 };
	cJSON *back;
	int same;

	if (json_append(&b, t) == -1)
		return 0;
	back = cJSON_Parse(b.data);
	same = back != NULL && cJSON_Compare(t, back, 1) &&
	    (expect == NULL || strcmp(b.data, expect) == 0);
	if (!same)
		diag("wrote %s", b.data);
	cJSON_Delete(back);
	buf_free(&b);
	return same;
}

static void
test_json(void)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray(), *n;
	static const double nums[] = { 0, -0.0, 1, -1, 42, 9007199254740992.0,
	    -9007199254740992.0, 9007199254740993.0 * 4, 0.1, 1.0 / 3, 1e300,
	    -2.5e-300, 123456789.125 };
	size_t i;

	cJSON_AddStringToObject(o, "s", "plain");
	cJSON_AddStringToObject(o, "esc", "q\" b\\ n\n t\t c\x01 <&> é 😀");
	cJSON_AddNumberToObject(o, "id", 17);
	cJSON_AddBoolToObject(o, "t", 1);
	cJSON_AddBoolToObject(o, "f", 0);
	cJSON_AddNullToObject(o, "z");
	cJSON_AddItemToObject(o, "a", a);
	cJSON_AddItemToArray(a, cJSON_CreateObject());
	cJSON_AddItemToArray(a, cJSON_CreateArray());
	cJSON_AddItemToArray(a, cJSON_CreateString(""));
	ok(round_trip(o, NULL), "a mixed tree reads back equal");
	cJSON_Delete(o);

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", 5);
	cJSON_AddStringToObject(o, "k", "<b>");
	ok(round_trip(o, "{\"id\":5,\"k\":\"\\u003cb\\u003e\"}"),
	    "compact, integers without a fraction, <> escaped");
	cJSON_Delete(o);

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		n = cJSON_CreateNumber(nums[i]);
		ok(round_trip(n, NULL), "number %.17g reads back exactly", nums[i]);
		cJSON_Delete(n);
	}
	{
		struct buf b = { 0 };

		n = cJSON_CreateNumber(1.0 / 0.0);
		json_append(&b, n);
		is_str(b.data, "null", "infinity is written as null");
		cJSON_Delete(n);
		buf_free(&b);
	}
}

/* Every special byte at every offset of a string longer than the 8-byte
 * scan: escaped where it stands, nothing else touched. */
static void
test_escape_positions(void)
{
	static const char specials[] = "\"\\<>&\n\x01\x1f";
	char s[40];
	size_t pos, k;
	int bad = 0;

	for (k = 0; k < sizeof(specials) - 1; k++)
		for (pos = 0; pos < 24; pos++) {
			cJSON *str;

			memset(s, 'a', 24);
			s[24] = '\0';
			s[pos] = specials[k];
			str = cJSON_CreateString(s);
			bad += !round_trip(str, NULL);
			cJSON_Delete(str);
		}
	is_int(bad, 0, "each special byte at each of 24 offsets round-trips");
	{
		struct buf b = { 0 };

		buf_json_escape(&b, "abcdefgh\x7f\xc3\xa9ijklmnop<", 20);
		is_str(b.data, "abcdefgh\x7f\xc3\xa9ijklmnop\\u003c",
		    "DEL and UTF-8 pass; a special after them is found");
		buf_free(&b);
	}
}

int
main(void)
{
	test_json();
	test_escape_positions();
	return done_testing();
}

/* http: entity tags in If-Match / If-None-Match. */
#include <stdint.h>
#include <string.h>

#include "web/http.h"
#include "tap.h"

static void
test_etag(void)
{
	const char *e = "\"7-3\"";

	ok(http_etag_match("\"7-3\"", e, 0), "the same tag matches strongly");
	ok(!http_etag_match("\"7-2\"", e, 0), "another version does not");
	ok(!http_etag_match("\"7-3", e, 0), "an unterminated tag does not");
	ok(!http_etag_match("7-3", e, 0), "an unquoted tag does not");
	ok(http_etag_match("*", e, 0), "* matches any current tag");
	ok(http_etag_match(" * ", e, 0), "* with white space");
	ok(!http_etag_match("*, \"7-3\"", e, 0), "* inside a list is malformed");
	ok(http_etag_match("\"1-1\", \"7-3\"", e, 0), "a list naming it matches");
	ok(http_etag_match("\"1-1\",\"7-3\" ,", e, 0), "with odd spacing and an empty element");
	ok(!http_etag_match("\"1-1\", \"2-1\"", e, 0), "a list not naming it does not");
	ok(!http_etag_match("W/\"7-3\"", e, 0), "a weak tag never matches strongly (If-Match)");
	ok(http_etag_match("W/\"7-3\"", e, 1), "a weak tag matches weakly (If-None-Match)");
	ok(http_etag_match("\"7-3\"", e, 1), "a strong tag matches weakly");
	ok(!http_etag_match("\"7-3\" junk", e, 0), "trailing junk makes the list malformed");
	ok(!http_etag_match("\"7-3\" \"7-3\"", e, 0), "tags without a comma are malformed");
	ok(!http_etag_match("\"a b\", \"7-3\"", e, 0), "a space inside a tag is malformed");
	ok(!http_etag_match("", e, 0), "an empty header matches nothing");
	ok(!http_etag_match("\"7-3\"x", e, 0), "a tag run into text is malformed");
	ok(!http_etag_match("\"7-33\"", e, 0), "a longer tag with the same prefix does not");
}

int
main(void)
{
	test_etag();
	return done_testing();
}

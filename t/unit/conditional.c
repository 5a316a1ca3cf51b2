/* http: entity tags in If-Match / If-None-Match, and RFC 3339 times. */
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

/* Parses s; returns the time, or -1 and sets *bad. */
static int64_t
parse(const char *s, int *frac, int *bad)
{
	int64_t t = 0;

	*bad = http_time_parse(s, &t, frac) == -1;
	return t;
}

static void
test_time(void)
{
	int f, bad;
	char s[32];

	is_int(parse("1970-01-01T00:00:00Z", &f, &bad), 0, "the epoch");
	ok(!bad && !f, "is accepted, without a fraction");
	is_int(parse("2026-01-31T12:00:00Z", &f, &bad), 1769860800, "a time in UTC");
	is_int(parse("2026-01-31t12:00:00z", &f, &bad), 1769860800, "lower-case t and z");
	is_int(parse("2026-01-31T14:30:00+02:30", &f, &bad), 1769860800, "a positive offset");
	is_int(parse("2026-01-31T07:00:00-05:00", &f, &bad), 1769860800, "a negative offset");
	is_int(parse("2026-01-31T12:00:00.000Z", &f, &bad), 1769860800,
	    "a zero fraction (JavaScript's toISOString)");
	ok(!bad && !f, "is no fraction");
	is_int(parse("2026-01-31T12:00:00.250Z", &f, &bad), 1769860800,
	    "a fraction rounds down");
	ok(!bad && f, "and is reported");
	is_int(parse("1969-12-31T23:59:59Z", &f, &bad), -1, "before the epoch");
	is_int(parse("2024-02-29T00:00:00Z", &f, &bad), 1709164800, "29 February of a leap year");
	is_int(parse("2000-03-01T00:00:00Z", &f, &bad), 951868800, "after a 400-year leap day");
	is_int(parse("9999-12-31T23:59:59Z", &f, &bad), 253402300799LL, "the last second of 9999");
	ok(!bad, "is accepted");
	http_time(1769860800, s, sizeof(s));
	is_int(parse(s, &f, &bad), 1769860800, "http_time output reads back");
	parse("2023-02-29T00:00:00Z", &f, &bad);
	ok(bad, "29 February of another year is refused");
	parse("2026-04-31T00:00:00Z", &f, &bad);
	ok(bad, "31 April is refused");
	parse("2026-13-01T00:00:00Z", &f, &bad);
	ok(bad, "month 13 is refused");
	parse("2026-01-01T24:00:00Z", &f, &bad);
	ok(bad, "hour 24 is refused");
	parse("2026-01-01T12:00:00", &f, &bad);
	ok(bad, "a time without a zone is refused");
	parse("2026-01-01 12:00:00Z", &f, &bad);
	ok(bad, "a space for T is refused");
	parse("2026-01-01T12:00:00.Z", &f, &bad);
	ok(bad, "a dot without digits is refused");
	parse("2026-01-01T12:00:00+0200", &f, &bad);
	ok(bad, "an offset without a colon is refused");
	parse("2026-01-01T12:00:00Zjunk", &f, &bad);
	ok(bad, "trailing text is refused");
	parse("2026-1-01T12:00:00Z", &f, &bad);
	ok(bad, "a one-digit month is refused");
	parse("1769860800", &f, &bad);
	ok(bad, "Unix seconds are refused");
	parse("", &f, &bad);
	ok(bad, "an empty string is refused");
}

int
main(void)
{
	test_etag();
	test_time();
	return done_testing();
}

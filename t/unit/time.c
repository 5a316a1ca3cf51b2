/* time: RFC 3339 written and read back, and the RFC 5322 date of a mail. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/time.h"
#include "tap.h"

/* Formats t with strftime's fmt in UTC: what the C library says. */
static void
reference(int64_t t, const char *fmt, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, outsz, fmt, &tm);
}

static void
test_format(void)
{
	static const int64_t ts[] = { 0, 1, 59, 86399, 86400, 951782400,
	    951868800, 1700000000, 4102444799, 4102444800, 253402300799,
	    -1, -86400, -86401, -2208988800 };
	char mine[32], ref[32];
	size_t i;
	int64_t t;
	int bad = 0;

	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		reference(ts[i], "%Y-%m-%dT%H:%M:%SZ", ref, sizeof(ref));
		time_rfc3339(ts[i], mine, sizeof(mine));
		is_str(mine, ref, "time_rfc3339(%lld) agrees with gmtime",
		    (long long)ts[i]);
	}
	/* Every 7919 * 97 seconds across 1970-2100, leap days included. */
	for (t = 0; t < 4102444800; t += 7919 * 97) {
		reference(t, "%Y-%m-%dT%H:%M:%SZ", ref, sizeof(ref));
		time_rfc3339(t, mine, sizeof(mine));
		bad += strcmp(mine, ref) != 0;
	}
	is_int(bad, 0, "time_rfc3339 agrees with gmtime across 1970-2100");
	time_rfc3339(253402300800, mine, sizeof(mine));
	is_str(mine, "1970-01-01T00:00:00Z", "years past 9999 fall back");
	time_rfc3339(-62167219201, mine, sizeof(mine));
	is_str(mine, "1970-01-01T00:00:00Z", "years before 0000 fall back");
	time_rfc3339(1769860800, mine, TIME_RFC3339_SIZE);
	is_str(mine, "2026-01-31T12:00:00Z",
	    "TIME_RFC3339_SIZE bytes are enough");
	time_rfc3339(1769860800, mine, TIME_RFC3339_SIZE - 1);
	is_str(mine, "1970-01-01T00:00:00",
	    "one byte less gives the epoch, truncated");
}

static void
test_rfc5322(void)
{
	static const int64_t ts[] = { 0, -1, 951782400, 951868800, 1700000000,
	    1769860800, 4102444799 };
	static const char *fmt = "%a, %d %b %Y %H:%M:%S +0000";
	char mine[64], ref[64];
	size_t i;
	int64_t t;
	int bad = 0;

	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		reference(ts[i], fmt, ref, sizeof(ref));
		is_int(time_rfc5322(ts[i], mine, sizeof(mine)), 0,
		    "time_rfc5322(%lld) formats", (long long)ts[i]);
		is_str(mine, ref, "and agrees with strftime");
	}
	/* Each weekday and month many times over, 1900-2100. */
	for (t = -2208988800; t < 4102444800; t += 86400 * 13 + 3607) {
		reference(t, fmt, ref, sizeof(ref));
		bad += time_rfc5322(t, mine, sizeof(mine)) != 0 ||
		    strcmp(mine, ref) != 0;
	}
	is_int(bad, 0, "time_rfc5322 agrees with strftime across 1900-2100");
	is_str(mine, ref, "the last of them: %s", ref);
	is_int(time_rfc5322(1769860800, mine, 32), 0,
	    "32 bytes hold the date and its NUL");
	is_int(time_rfc5322(1769860800, mine, 31), -1, "31 do not");
	is_int(time_rfc5322(253402300800, mine, sizeof(mine)), -1,
	    "a year past 9999 is refused");
}

/* Parses s; returns the time, or -1 and sets *bad. */
static int64_t
parse(const char *s, int *frac, int *bad)
{
	int64_t t = 0;

	*bad = time_parse_rfc3339(s, &t, frac) == -1;
	return t;
}

static void
test_parse(void)
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
	time_rfc3339(1769860800, s, sizeof(s));
	is_int(parse(s, &f, &bad), 1769860800, "time_rfc3339 output reads back");
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
	test_format();
	test_rfc5322();
	test_parse();
	return done_testing();
}

/*
 * Unit tests for lib/pure/header.c: the client behind trusted proxies
 * (X-Forwarded-For), entity tags (If-Match, If-None-Match), the token of
 * an Authorization header (the part auth_identify does before any database
 * work), and where an unsafe request comes from (auth_csrf's origin check).
 */
#include <string.h>

#include "pure/addr.h"
#include "pure/header.h"
#include "tap.h"

static void
test_etag(void)
{
	const char *e = "\"7-3\"";

	ok(header_etag_match("\"7-3\"", e, 0), "the same tag matches strongly");
	ok(!header_etag_match("\"7-2\"", e, 0), "another version does not");
	ok(!header_etag_match("\"7-3", e, 0), "an unterminated tag does not");
	ok(!header_etag_match("7-3", e, 0), "an unquoted tag does not");
	ok(header_etag_match("*", e, 0), "* matches any current tag");
	ok(header_etag_match(" * ", e, 0), "* with white space");
	ok(!header_etag_match("*, \"7-3\"", e, 0), "* inside a list is malformed");
	ok(header_etag_match("\"1-1\", \"7-3\"", e, 0), "a list naming it matches");
	ok(header_etag_match("\"1-1\",\"7-3\" ,", e, 0), "with odd spacing and an empty element");
	ok(!header_etag_match("\"1-1\", \"2-1\"", e, 0), "a list not naming it does not");
	ok(!header_etag_match("W/\"7-3\"", e, 0), "a weak tag never matches strongly (If-Match)");
	ok(header_etag_match("W/\"7-3\"", e, 1), "a weak tag matches weakly (If-None-Match)");
	ok(header_etag_match("\"7-3\"", e, 1), "a strong tag matches weakly");
	ok(!header_etag_match("\"7-3\" junk", e, 0), "trailing junk makes the list malformed");
	ok(!header_etag_match("\"7-3\" \"7-3\"", e, 0), "tags without a comma are malformed");
	ok(!header_etag_match("\"a b\", \"7-3\"", e, 0), "a space inside a tag is malformed");
	ok(!header_etag_match("", e, 0), "an empty header matches nothing");
	ok(!header_etag_match("\"7-3\"x", e, 0), "a tag run into text is malformed");
	ok(!header_etag_match("\"7-33\"", e, 0), "a longer tag with the same prefix does not");
}

/* The proxies of these tests. */
static int
trusted(const char *addr)
{
	return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "10.0.0.1") == 0 ||
	    strcmp(addr, "::1") == 0;
}

/* Checks the client found in xff; want NULL means none. */
static void
expect(const char *xff, const char *want, const char *what)
{
	char out[ADDR_MAX];
	int rc;

	memset(out, 0, sizeof(out));
	rc = header_forwarded_client(xff, strlen(xff), trusted, out, sizeof(out));
	if (want == NULL)
		is_int(rc, -1, "%s: no address", what);
	else {
		is_int(rc, 0, "%s: an address", what);
		is_str(out, want, "%s: %s", what, want);
	}
}

static void
test_forwarded(void)
{
	char out[ADDR_MAX], many[512];
	size_t i;

	expect("203.0.113.5", "203.0.113.5", "one entry");
	expect("203.0.113.5, 10.0.0.1", "203.0.113.5",
	    "a trusted hop on the right is skipped");
	expect("198.51.100.1, 203.0.113.5", "203.0.113.5",
	    "the right-most untrusted entry, not a forged one on the left");
	expect("1.1.1.1,  10.0.0.1 ,127.0.0.1", "1.1.1.1",
	    "spaces around entries");
	expect("10.0.0.1, 127.0.0.1", "10.0.0.1",
	    "all trusted: the left-most reached");
	expect("junk, 10.0.0.1", "10.0.0.1",
	    "an entry that is no address ends the walk");
	expect("2001:db8::7, ::1", "2001:db8::7", "IPv6");
	expect("junk", NULL, "only junk");
	expect("", NULL, "empty");
	expect(" , ", NULL, "empty entries");
	expect("[2001:db8::1]:443", NULL, "a bracketed address with a port");
	expect("203.0.113.5:8080", NULL, "an address with a port");
	expect("203.0.113.5,", NULL, "a trailing comma");
	memset(many, 0, sizeof(many));
	strcpy(many, "203.0.113.9");
	for (i = 0; i < 16; i++)
		strcat(many, ", 10.0.0.1");
	expect(many, "10.0.0.1", "at most 16 entries are read");
	is_int(header_forwarded_client("203.0.113.5, 10.0.0.1", 11, trusted, out,
	    sizeof(out)), 0, "the length is respected");
	is_str(out, "203.0.113.5", "and only those bytes are read");
	is_int(header_forwarded_client("203.0.113.5", 11, trusted, out, 8), -1,
	    "an address that does not fit the output is refused");
}

/* Checks that header h yields the token want ("" for an empty one). */
static void
bearer_is(const char *h, const char *want, const char *what)
{
	const char *tok = NULL;
	size_t len = 0;

	if (!ok(header_bearer(h, &tok, &len) == 0, "%s: accepted", what))
		return;
	ok(len == strlen(want) && strncmp(tok, want, len) == 0 &&
	    tok[len] == '\0', "%s: token is '%s'", what, want);
}

#define SELF "https://quill.example"
#define EVIL "https://evil.example"
#define J(site, origin, referer) header_origin(site, origin, referer, SELF)

static void
test_bearer(void)
{
	const char *tok;
	size_t len;

	bearer_is("Bearer abc.def.ghi", "abc.def.ghi", "Bearer and a token");
	bearer_is("bearer abc", "abc", "the scheme in lower case");
	bearer_is("BEARER abc", "abc", "the scheme in upper case");
	bearer_is("Bearer    abc", "abc", "several spaces before the token");
	bearer_is("Bearer abc ", "abc ", "trailing space stays (and fails verification)");
	bearer_is("Bearer ", "", "no token: an empty one");
	is_int(header_bearer("Basic dXNlcjpwYXNz", &tok, &len), -1,
	    "Basic is another scheme");
	is_int(header_bearer("Bearer", &tok, &len), -1,
	    "Bearer without a space is refused");
	is_int(header_bearer("Bearer\tabc", &tok, &len), -1,
	    "Bearer and a tab is refused");
	is_int(header_bearer("Bearerabc", &tok, &len), -1,
	    "Bearer run into the token is refused");
	is_int(header_bearer("", &tok, &len), -1, "an empty value is refused");

	/* Sec-Fetch-Site decides when it says anything it knows. */
}

static void
test_origin(void)
{
	is_int(J("same-origin", NULL, NULL), HEADER_ORIGIN_SAME,
	    "Sec-Fetch-Site same-origin passes");
	is_int(J("same-origin", EVIL, EVIL "/"), HEADER_ORIGIN_SAME,
	    "Sec-Fetch-Site comes first");
	is_int(J("cross-site", SELF, SELF "/"), HEADER_ORIGIN_CROSS,
	    "cross-site fails, whatever Origin says");
	is_int(J("same-site", NULL, NULL), HEADER_ORIGIN_CROSS,
	    "same-site (a sibling subdomain) fails");
	is_int(J("none", SELF, NULL), HEADER_ORIGIN_SAME,
	    "none leaves it to Origin");
	is_int(J("none", NULL, NULL), HEADER_ORIGIN_UNKNOWN,
	    "none and nothing else fails closed");
	is_int(J("Same-Origin", NULL, NULL), HEADER_ORIGIN_UNKNOWN,
	    "Sec-Fetch-Site values are exact tokens");
	/* Then Origin. */
	is_int(J(NULL, SELF, NULL), HEADER_ORIGIN_SAME, "the site's Origin passes");
	is_int(J(NULL, "HTTPS://Quill.Example", NULL), HEADER_ORIGIN_SAME,
	    "an Origin in another case passes");
	is_int(J(NULL, EVIL, SELF "/login.html"), HEADER_ORIGIN_OTHER,
	    "another Origin fails, whatever Referer says");
	is_int(J(NULL, "null", NULL), HEADER_ORIGIN_OTHER, "Origin null fails");
	is_int(J(NULL, SELF "/", NULL), HEADER_ORIGIN_OTHER,
	    "an Origin with a path is not the origin");
	is_int(J(NULL, SELF ":443", NULL), HEADER_ORIGIN_OTHER,
	    "nor one with another spelling of the port");
	is_int(J(NULL, "http://quill.example", NULL), HEADER_ORIGIN_OTHER,
	    "nor one of another scheme");
	is_int(J(NULL, SELF ".evil.example", NULL), HEADER_ORIGIN_OTHER,
	    "nor one the site's origin prefixes");
	/* Then Referer. */
	is_int(J(NULL, NULL, SELF "/login.html"), HEADER_ORIGIN_SAME,
	    "a page of the site as Referer passes");
	is_int(J(NULL, "", SELF "/"), HEADER_ORIGIN_SAME,
	    "an empty Origin leaves it to Referer");
	is_int(J(NULL, NULL, SELF), HEADER_ORIGIN_SAME, "the bare origin passes");
	is_int(J(NULL, NULL, SELF "?a=1"), HEADER_ORIGIN_SAME,
	    "the origin and a query passes");
	is_int(J(NULL, NULL, SELF ".evil.example/"), HEADER_ORIGIN_REFERER,
	    "a host the site's origin prefixes fails");
	is_int(J(NULL, NULL, SELF ":8443/"), HEADER_ORIGIN_REFERER,
	    "another port fails");
	is_int(J(NULL, NULL, EVIL "/https://quill.example/"), HEADER_ORIGIN_REFERER,
	    "the site's origin later in the Referer fails");
	/* And nothing at all fails closed. */
	is_int(J(NULL, NULL, NULL), HEADER_ORIGIN_UNKNOWN, "no header fails closed");
	is_int(J(NULL, "", ""), HEADER_ORIGIN_UNKNOWN, "nor do empty ones");
	is_str(header_origin_names[HEADER_ORIGIN_UNKNOWN], "no_origin",
	    "the verdicts have names for the log");
}

int
main(void)
{
	test_etag();
	test_forwarded();
	test_bearer();
	test_origin();
	return done_testing();
}

/*
 * Unit tests for lib/web/auth.c: reading the token out of an Authorization
 * header value (the part auth_identify does before any database work),
 * and judging where an unsafe request comes from (auth_csrf's origin check).
 */
#include <string.h>

#include "web/auth.h"
#include "tap.h"

/* Checks that header h yields the token want ("" for an empty one). */
static void
bearer_is(const char *h, const char *want, const char *what)
{
	const char *tok = NULL;
	size_t len = 0;

	if (!ok(auth_bearer_token(h, &tok, &len) == 0, "%s: accepted", what))
		return;
	ok(len == strlen(want) && strncmp(tok, want, len) == 0 &&
	    tok[len] == '\0', "%s: token is '%s'", what, want);
}

#define SELF "https://quill.example"
#define EVIL "https://evil.example"
#define J(site, origin, referer) auth_origin_judge(site, origin, referer, SELF)

int
main(void)
{
	const char *tok;
	size_t len;

	bearer_is("Bearer abc.def.ghi", "abc.def.ghi", "Bearer and a token");
	bearer_is("bearer abc", "abc", "the scheme in lower case");
	bearer_is("BEARER abc", "abc", "the scheme in upper case");
	bearer_is("Bearer    abc", "abc", "several spaces before the token");
	bearer_is("Bearer abc ", "abc ", "trailing space stays (and fails verification)");
	bearer_is("Bearer ", "", "no token: an empty one");
	is_int(auth_bearer_token("Basic dXNlcjpwYXNz", &tok, &len), -1,
	    "Basic is another scheme");
	is_int(auth_bearer_token("Bearer", &tok, &len), -1,
	    "Bearer without a space is refused");
	is_int(auth_bearer_token("Bearer\tabc", &tok, &len), -1,
	    "Bearer and a tab is refused");
	is_int(auth_bearer_token("Bearerabc", &tok, &len), -1,
	    "Bearer run into the token is refused");
	is_int(auth_bearer_token("", &tok, &len), -1, "an empty value is refused");

	/* Sec-Fetch-Site decides when it says anything it knows. */
	is_int(J("same-origin", NULL, NULL), AUTH_ORIGIN_SAME,
	    "Sec-Fetch-Site same-origin passes");
	is_int(J("same-origin", EVIL, EVIL "/"), AUTH_ORIGIN_SAME,
	    "Sec-Fetch-Site comes first");
	is_int(J("cross-site", SELF, SELF "/"), AUTH_ORIGIN_CROSS,
	    "cross-site fails, whatever Origin says");
	is_int(J("same-site", NULL, NULL), AUTH_ORIGIN_CROSS,
	    "same-site (a sibling subdomain) fails");
	is_int(J("none", SELF, NULL), AUTH_ORIGIN_SAME,
	    "none leaves it to Origin");
	is_int(J("none", NULL, NULL), AUTH_ORIGIN_UNKNOWN,
	    "none and nothing else fails closed");
	is_int(J("Same-Origin", NULL, NULL), AUTH_ORIGIN_UNKNOWN,
	    "Sec-Fetch-Site values are exact tokens");
	/* Then Origin. */
	is_int(J(NULL, SELF, NULL), AUTH_ORIGIN_SAME, "the site's Origin passes");
	is_int(J(NULL, "HTTPS://Quill.Example", NULL), AUTH_ORIGIN_SAME,
	    "an Origin in another case passes");
	is_int(J(NULL, EVIL, SELF "/login.html"), AUTH_ORIGIN_OTHER,
	    "another Origin fails, whatever Referer says");
	is_int(J(NULL, "null", NULL), AUTH_ORIGIN_OTHER, "Origin null fails");
	is_int(J(NULL, SELF "/", NULL), AUTH_ORIGIN_OTHER,
	    "an Origin with a path is not the origin");
	is_int(J(NULL, SELF ":443", NULL), AUTH_ORIGIN_OTHER,
	    "nor one with another spelling of the port");
	is_int(J(NULL, "http://quill.example", NULL), AUTH_ORIGIN_OTHER,
	    "nor one of another scheme");
	is_int(J(NULL, SELF ".evil.example", NULL), AUTH_ORIGIN_OTHER,
	    "nor one the site's origin prefixes");
	/* Then Referer. */
	is_int(J(NULL, NULL, SELF "/login.html"), AUTH_ORIGIN_SAME,
	    "a page of the site as Referer passes");
	is_int(J(NULL, "", SELF "/"), AUTH_ORIGIN_SAME,
	    "an empty Origin leaves it to Referer");
	is_int(J(NULL, NULL, SELF), AUTH_ORIGIN_SAME, "the bare origin passes");
	is_int(J(NULL, NULL, SELF "?a=1"), AUTH_ORIGIN_SAME,
	    "the origin and a query passes");
	is_int(J(NULL, NULL, SELF ".evil.example/"), AUTH_ORIGIN_REFERER,
	    "a host the site's origin prefixes fails");
	is_int(J(NULL, NULL, SELF ":8443/"), AUTH_ORIGIN_REFERER,
	    "another port fails");
	is_int(J(NULL, NULL, EVIL "/https://quill.example/"), AUTH_ORIGIN_REFERER,
	    "the site's origin later in the Referer fails");
	/* And nothing at all fails closed. */
	is_int(J(NULL, NULL, NULL), AUTH_ORIGIN_UNKNOWN, "no header fails closed");
	is_int(J(NULL, "", ""), AUTH_ORIGIN_UNKNOWN, "nor do empty ones");
	return done_testing();
}

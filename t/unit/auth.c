/*
 * Unit tests for lib/auth.c: reading the token out of an Authorization
 * header value (the part auth_identify does before any database work).
 */
#include <string.h>

#include "auth.h"
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
	return done_testing();
}

/*
 * Unit tests for lib/pure/cookie.c: finding one cookie in a Cookie header.
 */
#include <string.h>

#include "pure/cookie.h"
#include "tap.h"

/* Checks that header h holds cookie name with the value want. */
static void
cookie_is(const char *h, const char *name, const char *want, const char *what)
{
	const char *v = NULL;
	size_t len = 0;

	if (!ok(cookie_get(h, name, &v, &len) == 1, "%s: found", what))
		return;
	ok(len == strlen(want) && strncmp(v, want, len) == 0,
	    "%s: value is '%s'", what, want);
}

/* Checks that cookie_get(h, name) answers rc (0 or -1). */
static void
cookie_not(const char *h, const char *name, int rc, const char *what)
{
	const char *v;
	size_t len;

	is_int(cookie_get(h, name, &v, &len), rc, "%s", what);
}

int
main(void)
{
	cookie_is("sid=abc", "sid", "abc", "one cookie");
	cookie_is("a=1; sid=abc; b=2", "sid", "abc", "between others");
	cookie_is("a=1;sid=abc", "sid", "abc", "no space after ;");
	cookie_is("a=1;  \tsid = abc \t; b=2", "sid", "abc",
	    "white space around name and value");
	cookie_is("sid=", "sid", "", "an empty value");
	cookie_is("sid=a=b", "sid", "a=b", "'=' inside the value");
	cookie_is("sid=\"abc\"", "sid", "\"abc\"", "quotes are kept");
	cookie_is("xsid=1; sid=2", "sid", "2", "a longer name is another cookie");
	cookie_is("sidx=1; sid=2", "sid", "2", "a name it prefixes too");
	cookie_is("a=sid=3; sid=4", "sid", "4", "the name inside a value is no name");
	cookie_is(";;sid=5;;", "sid", "5", "empty pairs are skipped");
	cookie_is("__Host-quill_session=abc", "__Host-quill_session", "abc",
	    "a __Host- name");
	cookie_not("", "sid", 0, "an empty header has none");
	cookie_not("a=1; b=2", "sid", 0, "other cookies only");
	cookie_not("sid", "sid", 0, "a name without '=' is no cookie");
	cookie_not("SID=1", "sid", 0, "names compare exactly");
	cookie_not("a=1; sid=x; sid=y", "sid", -1, "a name given twice is refused");
	cookie_not("sid=x;sid=x", "sid", -1, "even with the same value");
	cookie_not("a=sid", "sid", 0, "the name as a value is not it");
	return done_testing();
}

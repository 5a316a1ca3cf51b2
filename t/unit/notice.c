/*
 * Unit tests for lib/pure/notice.c: a notice's cookie value names one of
 * the table's notices, and nothing else is one.
 */
#include <string.h>

#include "pure/notice.h"
#include "tap.h"

int
main(void)
{
	int n;
	const char *s;

	for (n = NOTICE_NONE + 1; n < NOTICE__MAX; n++) {
		s = notice_names[n];
		ok(s != NULL && *s != '\0' && notice_texts[n] != NULL &&
		    *notice_texts[n] != '\0', "notice %d has a name and a text", n);
		is_int(notice_parse(s, strlen(s)), n, "'%s' names its notice", s);
		ok(strspn(s, "abcdefghijklmnopqrstuvwxyz-") == strlen(s),
		    "'%s' is a cookie value as it is", s);
	}
	is_int(notice_parse("", 0), NOTICE_NONE, "an empty value is none");
	is_int(notice_parse("post-published", 4), NOTICE_NONE,
	    "a prefix of a name is none");
	is_int(notice_parse("post-publishedx", 15), NOTICE_NONE,
	    "a longer value is none");
	is_int(notice_parse("Post-Published", 14), NOTICE_NONE,
	    "names compare exactly");
	is_int(notice_parse("<b>Hacked</b>", 13), NOTICE_NONE,
	    "any other text is none");
	is_int(notice_parse("signed-out;x", 10), NOTICE_SIGNED_OUT,
	    "only len bytes are read");
	return done_testing();
}

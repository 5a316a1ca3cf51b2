/*
 * tpl: the escapers the templates' values go through (the templates
 * themselves are compiled at build time, so nothing is parsed at run
 * time).  Whatever the value:
 *
 * - HTML-escaped, it holds none of < > " ' and every & starts an entity;
 * - percent-encoded, it holds only A-Z a-z 0-9 - . _ ~ and %XX, and
 *   decodes back to the value;
 * - as paragraphs, once <p>, </p> and <br> are taken out, it is escaped
 *   text as above;
 * - a URL tpl_url_safe accepts has no control character or space, does
 *   not name another host by "//" or "/\", and has no scheme but http,
 *   https or mailto.
 */
#include <ctype.h>
#include <strings.h>

#include "base/buf.h"
#include "pure/tpl.h"

#include "fuzz.h"

/* s[0..n) is escaped text: no markup character, & only in an entity. */
static void
check_escaped(const char *s, size_t n)
{
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&#39;" };
	size_t i, k;
	int known;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(s[i] != '<' && s[i] != '>' && s[i] != '"' &&
		    s[i] != '\'');
		if (s[i] != '&')
			continue;
		known = 0;
		for (k = 0; k < sizeof(entities) / sizeof(entities[0]); k++)
			known |= strncmp(s + i, entities[k],
			    strlen(entities[k])) == 0;
		FUZZ_CHECK(known);
	}
}

static int
hexval(char c)
{
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - '0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = { 0 }, text = { 0 };
	char *s = fuzz_cstring(data, size);
	size_t n = strlen(s), i, j, colon;

	FUZZ_CHECK(buf_html_escape(&b, s, n) == 0);
	check_escaped(b.data, b.len);

	buf_reset(&b);
	FUZZ_CHECK(tpl_url_encode(&b, s) == 0);
	for (i = j = 0; i < b.len; i++, j++) {
		if (b.data[i] == '%') {
			FUZZ_CHECK(i + 2 < b.len);
			FUZZ_CHECK(isxdigit((unsigned char)b.data[i + 1]) &&
			    isxdigit((unsigned char)b.data[i + 2]));
			FUZZ_CHECK(j < n && (unsigned char)s[j] ==
			    hexval(b.data[i + 1]) * 16 + hexval(b.data[i + 2]));
			i += 2;
		} else {
			FUZZ_CHECK(isalnum((unsigned char)b.data[i]) ||
			    strchr("-._~", b.data[i]) != NULL);
			FUZZ_CHECK(j < n && s[j] == b.data[i]);
		}
	}
	FUZZ_CHECK(j == n);

	buf_reset(&b);
	FUZZ_CHECK(tpl_paragraphs(&b, s) == 0);
	for (i = 0; i < b.len;) {
		if (strncmp(b.data + i, "<p>", 3) == 0)
			i += 3;
		else if (strncmp(b.data + i, "</p>", 4) == 0)
			i += 4;
		else if (strncmp(b.data + i, "<br>", 4) == 0)
			i += 4;
		else
			FUZZ_CHECK(buf_append(&text, b.data + i++, 1) == 0);
	}
	check_escaped(text.data, text.len);

	if (tpl_url_safe(s)) {
		for (i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)s[i] > ' ' && s[i] != 0x7f);
		FUZZ_CHECK(strncmp(s, "//", 2) != 0 && strncmp(s, "/\\", 2) != 0);
		colon = strcspn(s, ":/?#");
		FUZZ_CHECK(s[colon] != ':' ||
		    (colon == 4 && strncasecmp(s, "http", 4) == 0) ||
		    (colon == 5 && strncasecmp(s, "https", 5) == 0) ||
		    (colon == 6 && strncasecmp(s, "mailto", 6) == 0));
	}
	buf_free(&b);
	buf_free(&text);
	free(s);
	return 0;
}

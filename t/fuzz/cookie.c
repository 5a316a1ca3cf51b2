/*
 * cookie: cookie_get on a Cookie header value as the web server passes it
 * (a C string: the value ends at the first NUL), for the session cookie's
 * name and a short one.
 */
#include "pure/cookie.h"

#include "fuzz.h"

/* What cookie_get promises about a value it found for name in h. */
static void
cookie_check(const char *h, const char *name)
{
	const char *v, *p, *again;
	size_t len, alen, n = strlen(name);
	char *pair;
	int rc = cookie_get(h, name, &v, &len);

	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc != 1)
		return;
	/* The value lies in h, holds no ';' and no white space at its ends. */
	FUZZ_CHECK(v >= h && v + len <= h + strlen(h));
	FUZZ_CHECK(memchr(v, ';', len) == NULL);
	FUZZ_CHECK(len == 0 || (v[0] != ' ' && v[0] != '\t' &&
	    v[len - 1] != ' ' && v[len - 1] != '\t'));
	/* It follows "name", white space and '='. */
	for (p = v; p > h && (p[-1] == ' ' || p[-1] == '\t'); p--)
		continue;
	FUZZ_CHECK(p > h && p[-1] == '=');
	for (p--; p > h && (p[-1] == ' ' || p[-1] == '\t'); p--)
		continue;
	FUZZ_CHECK((size_t)(p - h) >= n && memcmp(p - n, name, n) == 0);
	/* Written back as the only pair, it reads the same. */
	pair = malloc(n + len + 2);
	FUZZ_CHECK(pair != NULL);
	memcpy(pair, name, n);
	pair[n] = '=';
	memcpy(pair + n + 1, v, len);
	pair[n + 1 + len] = '\0';
	FUZZ_CHECK(cookie_get(pair, name, &again, &alen) == 1 && alen == len &&
	    memcmp(again, v, len) == 0);
	free(pair);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fuzz_cstring(data, size);

	cookie_check(h, "__Host-quill_session");
	cookie_check(h, "a");
	free(h);
	return 0;
}

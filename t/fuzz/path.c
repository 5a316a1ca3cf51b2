/*
 * path: path_normalise and path_match, from a raw REQUEST_URI
 * to a route and its {id} parameters.
 *
 * A normalised path starts with '/', holds no control character, DEL or
 * '\', has no '/' the input did not have literally (an encoded %2F is
 * refused), and does not depend on the size of the output buffer beyond
 * fitting in it.  A route match fills one positive parameter per {id},
 * and writing them back into the pattern gives the path again, so an id
 * has exactly one spelling.
 */
#include <ctype.h>

#include "pure/path.h"

#include "fuzz.h"

#define PATH_MAX_OUT	2048	/* as app.c */
#define PATH_SMALL_OUT	16

/*
 * The routes of API.md, whichever program serves them, and two that reach
 * the limit of PATH_MAX_PARAMS ids and go past it.
 */
static const char *const patterns[] = {
	"/api/v1/health",
	"/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh",
	"/api/v1/auth/logout", "/api/v1/auth/sessions",
	"/api/v1/auth/sessions/{id}", "/api/v1/auth/password/forgot",
	"/api/v1/auth/password/reset", "/api/v1/auth/password/change",
	"/api/v1/auth/csrf",
	"/api/v1/users", "/api/v1/users/me", "/api/v1/users/{id}",
	"/api/v1/users/{id}/posts",
	"/api/v1/posts", "/api/v1/posts/{id}",
	"/api/v1/{id}/{id}/{id}/{id}", "/{id}/{id}/{id}/{id}/{id}",
};

/* The number of '/' in the n bytes at s. */
static size_t
slashes(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == '/';
	return k;
}

/* Matches path against every pattern and checks each match. */
static void
route_all(const char *path)
{
	int64_t params[PATH_MAX_PARAMS];
	char again[PATH_MAX_OUT + 1], *o;
	const char *p;
	size_t i, k, np;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		np = SIZE_MAX;
		if (!path_match(patterns[i], path, params, &np))
			continue;
		FUZZ_CHECK(np <= PATH_MAX_PARAMS);
		o = again;
		for (p = patterns[i], k = 0; *p != '\0'; ) {
			if (strncmp(p, "{id}", 4) == 0) {
				FUZZ_CHECK(k < np && params[k] > 0);
				o += sprintf(o, "%lld", (long long)params[k++]);
				p += 4;
			} else
				*o++ = *p++;
		}
		*o = '\0';
		FUZZ_CHECK(k == np);
		FUZZ_CHECK(strcmp(again, path) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *uri = (const char *)data;
	char out[PATH_MAX_OUT], small[PATH_SMALL_OUT], *raw;
	size_t n, i, plen;
	int rc;

	rc = path_normalise(uri, size, out, sizeof(out));
	if (rc == 0) {
		n = strlen(out);
		FUZZ_CHECK(out[0] == '/' && n < sizeof(out));
		for (i = 0; i < n; i++)
			FUZZ_CHECK(!iscntrl((unsigned char)out[i]) &&
			    out[i] != '\\');
		for (plen = 0; plen < size && uri[plen] != '?' &&
		    uri[plen] != '#'; plen++)
			continue;
		FUZZ_CHECK(slashes(out, n) <= slashes(uri, plen) &&
		    slashes(out, n) + 1 >= slashes(uri, plen));
		route_all(out);
	} else
		FUZZ_CHECK(rc == -1);
	if (path_normalise(uri, size, small, sizeof(small)) == 0)
		FUZZ_CHECK(rc == 0 && strcmp(small, out) == 0);
	else
		FUZZ_CHECK(rc == -1 || strlen(out) >= sizeof(small) - 1);
	raw = fuzz_cstring(data, size);
	route_all(raw);
	free(raw);
	return 0;
}

/*
 * Unit tests for lib/pure/path.c: the path the router works from, out of a
 * raw request URI (path_normalise), and the routes it matches (path_match).
 * Every URI is a heap copy of exactly its length, so a read past it shows
 * up under AddressSanitizer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pure/path.h"
#include "tap.h"

/* path_normalise of uri, copied to exactly its length, into out. */
static int
normalise(const char *uri, char *out, size_t outsz)
{
	size_t n = strlen(uri);
	char *p = tap_malloc(n);
	int rc;

	memcpy(p, uri, n);
	rc = path_normalise(p, n, out, outsz);
	free(p);
	return rc;
}

/* Checks that uri normalises to want. */
static void
path_is(const char *uri, const char *want, const char *what)
{
	char out[256];

	if (ok(normalise(uri, out, sizeof(out)) == 0, "%s: accepted", what))
		is_str(out, want, "%s: the path", what);
}

/* Checks that uri is refused. */
static void
refused(const char *uri, const char *what)
{
	char out[256];

	is_int(normalise(uri, out, sizeof(out)), -1, "%s: refused", what);
}

static void
test_normalise(void)
{
	char small[8];

	path_is("/api/v1/posts", "/api/v1/posts", "a plain path");
	path_is("/api/v1/posts/", "/api/v1/posts", "one trailing / is dropped");
	path_is("/", "/", "the root keeps its /");
	path_is("/api/v1/posts?limit=5#top", "/api/v1/posts",
	    "the query and fragment are not the path");
	path_is("/api/v1/%70osts", "/api/v1/posts",
	    "percent-encoding is decoded");
	path_is("/a%2ab", "/a*b", "in either case");
	path_is("/a%20b", "/a b", "a space may be encoded");
	refused("", "an empty URI");
	refused("api/v1/posts", "a path without a leading /");
	refused("*", "the asterisk form");
	refused("/api%2Fv1", "an encoded /");
	refused("/a%2fb", "an encoded / in lower case");
	refused("/a%5cb", "an encoded \\");
	refused("/a\\b", "a literal \\");
	refused("/a%00b", "an encoded NUL");
	refused("/a%0ab", "an encoded line feed");
	refused("/a\tb", "a control character");
	refused("/a%7fb", "DEL");
	refused("/a%zzb", "bad percent-encoding");
	refused("/a%4", "a percent sign cut short");
	refused("/a%", "a percent sign at the end");
	is_int(normalise("/1234567", small, sizeof(small)), -1,
	    "a path that does not fit the output with its NUL");
	is_int(normalise("/123456", small, sizeof(small)), 0,
	    "one that fits exactly");
	is_str(small, "/123456", "whole");
	is_int(normalise("/a", small, 0), -1, "an output of no bytes");
}

/* Checks that path matches pattern with the n ids of want. */
static void
match_is(const char *pattern, const char *path, size_t n,
    const int64_t *want, const char *what)
{
	int64_t params[PATH_MAX_PARAMS];
	size_t np = SIZE_MAX, i;
	int same;

	if (!ok(path_match(pattern, path, params, &np), "%s: matches", what))
		return;
	same = np == n;
	for (i = 0; same && i < n; i++)
		same = params[i] == want[i];
	ok(same, "%s: its %zu ids", what, n);
}

/* Checks that path does not match pattern. */
static void
no_match(const char *pattern, const char *path, const char *what)
{
	int64_t params[PATH_MAX_PARAMS];
	size_t np;

	ok(!path_match(pattern, path, params, &np), "%s: no match", what);
}

static void
test_match(void)
{
	static const int64_t one[] = { 42 }, two[] = { 7, 9 };
	static const int64_t max[] = { 9007199254740991 };
	static const int64_t four[] = { 1, 2, 3, 4 };

	match_is("/api/v1/posts", "/api/v1/posts", 0, NULL, "a literal route");
	match_is("/api/v1/posts/{id}", "/api/v1/posts/42", 1, one, "an id");
	match_is("/api/v1/users/{id}/posts/{id}", "/api/v1/users/7/posts/9",
	    2, two, "two ids");
	match_is("/p/{id}", "/p/9007199254740991", 1, max,
	    "the largest id, 2^53 - 1 (what a JavaScript client holds exactly)");
	match_is("/{id}/{id}/{id}/{id}", "/1/2/3/4", 4, four,
	    "PATH_MAX_PARAMS ids");
	no_match("/{id}/{id}/{id}/{id}/{id}", "/1/2/3/4/5",
	    "one id more than PATH_MAX_PARAMS");
	no_match("/p/{id}", "/p/9007199254740992", "an id past 2^53 - 1");
	no_match("/p/{id}", "/p/9223372036854775807", "INT64_MAX");
	no_match("/p/{id}", "/p/9223372036854775808", "an id past INT64_MAX");
	no_match("/p/{id}", "/p/0", "id 0");
	no_match("/p/{id}", "/p/042", "an id with a leading zero");
	no_match("/p/{id}", "/p/-1", "a negative id");
	no_match("/p/{id}", "/p/+1", "a signed id");
	no_match("/p/{id}", "/p/1x", "an id run into text");
	no_match("/p/{id}", "/p/", "an empty id");
	no_match("/p/{id}", "/p", "a missing id");
	no_match("/api/v1/posts", "/api/v1/posts/1", "a longer path");
	no_match("/api/v1/posts/{id}", "/api/v1/posts", "a shorter path");
	no_match("/api/v1/posts", "/api/v1/post", "a segment cut short");
	no_match("/api/v1/posts", "/api/v1/postsx", "a segment run on");
	no_match("/api/v1/posts", "/API/v1/posts", "another case");
	no_match("/api/v1/posts", "api/v1/posts", "no leading /");
}

/* Checks the program path_program names for path. */
static void
program_is(const char *path, const char *want)
{
	is_str(path_program(path), want, "%s: the program that answers it", path);
}

/* Checks path_via_script(script, path) against want (NULL: it fails). */
static void
via_is(const char *script, const char *path, size_t outsz, const char *want)
{
	char out[128];
	int rc = path_via_script(script, path, out, outsz);

	if (want == NULL)
		ok(rc == -1, "%s + %s in %zu bytes: refused", script, path, outsz);
	else if (ok(rc == 0, "%s + %s: accepted", script, path))
		is_str(out, want, "%s + %s: the path", script, path);
}

static void
test_program(void)
{
	program_is("/api/v1/posts", "posts");
	program_is("/api/v1/posts/7", "posts");
	program_is("/api/v1/users/7/posts", "posts");
	program_is("/api/v1/users/me/posts", "posts");
	program_is("/api/v1/users/7/posts/x", "posts");
	program_is("/api/v1/users", "users");
	program_is("/api/v1/users/7", "users");
	program_is("/api/v1/users/7/postsx", "users");
	program_is("/api/v1/usersx", "auth");
	program_is("/api/v1/postsx", "auth");
	program_is("/api/v1/auth/login", "auth");
	program_is("/api/v1/health", "auth");
	program_is("/api/v2/posts", "auth");

	program_is("/", "posts");
	program_is("/posts", "posts");
	program_is("/posts/new", "posts");
	program_is("/posts/7", "posts");
	program_is("/users/7/posts", "posts");
	program_is("/users/me/posts/x", "posts");
	program_is("/users/7", "auth");
	program_is("/users", "auth");
	program_is("/users/7/postsx", "auth");
	program_is("/postsx", "auth");
	program_is("/account", "users");
	program_is("/account/x", "users");
	program_is("/account/sessions", "auth");
	program_is("/account/sessions/3", "auth");
	program_is("/account/two-factor", "auth");
	program_is("/account/sessionsx", "users");
	program_is("/accountx", "auth");
	program_is("/admin/users", "users");
	program_is("/admin/users/7", "users");
	program_is("/login", "auth");
	program_is("/password/reset", "auth");
	program_is("/email/cancel", "auth");
	program_is("/index.html", "auth");
	program_is("/nothing/here", "auth");
	program_is("/?x=1", "posts");
	program_is("/posts?q=a", "posts");
	ok(path_page_program("/api/v1/posts") == NULL, "an API path is no page");
	ok(path_page_program("/index.html") == NULL, "an old page is no page");
	via_is("/cgi/auth.fcgi", "/posts/3", 128, "/cgi/posts.fcgi/posts/3");
	via_is("/cgi/posts.fcgi", "/login", 128, "/cgi/auth.fcgi/login");

	via_is("/cgi/auth.fcgi", "/api/v1/users/7", 128,
	    "/cgi/users.fcgi/api/v1/users/7");
	via_is("/cgi/users.fcgi", "/api/v1/users/7/posts", 128,
	    "/cgi/posts.fcgi/api/v1/users/7/posts");
	via_is("/site/cgi/posts.cgi", "/api/v1/posts/3", 128,
	    "/site/cgi/posts.cgi/api/v1/posts/3");
	via_is("/cgi-bin/auth", "/api/v1/health", 128,
	    "/cgi-bin/auth/api/v1/health");
	via_is("/a.b/auth", "/api/v1/health", 128, "/a.b/auth/api/v1/health");
	via_is("auth.fcgi", "/api/v1/health", 128, NULL);
	via_is("/cgi/auth.fcgi", "/api/v1/posts/3", 31,
	    "/cgi/posts.fcgi/api/v1/posts/3");
	via_is("/cgi/auth.fcgi", "/api/v1/posts/3", 30, NULL);
}

int
main(void)
{
	test_normalise();
	test_match();
	test_program();
	return done_testing();
}

/*
 * path: the path a request names, and the routes it matches.  Pure
 * functions over the raw request URI; the router (web/app) calls them.
 */
#ifndef QUILL_PATH_H
#define QUILL_PATH_H

#include <stddef.h>
#include <stdint.h>

/* The most {id} segments a route may have. */
#define PATH_MAX_PARAMS 4

/*
 * Computes the path the router works from, out of a raw request URI: the
 * part before '?' or '#', percent-decoded, with one trailing '/' removed.
 * Fails (-1) on a path that does not start with '/', bad percent-encoding,
 * an encoded '/', '\' or NUL, control characters, or more than outsz-1
 * bytes.
 */
int path_normalise(const char *uri, size_t len, char *out, size_t outsz);

/*
 * Matches path against pattern ("/api/v1/posts/{id}").  Each {id} matches a
 * decimal integer 1..2^53-1 without leading zeros, stored in params (room
 * for PATH_MAX_PARAMS); *nparams receives how many.  Returns 1 on a match.
 */
int path_match(const char *pattern, const char *path, int64_t *params,
    size_t *nparams);

/*
 * The program that serves a path, as every layout routes it (the
 * shared-hosting .htaccess, lighttpd's and Apache's configurations):
 * "posts" for /api/v1/posts... and /api/v1/users/{x}/posts..., "users"
 * for the rest of /api/v1/users..., "auth" for everything else; and for
 * the site's pages (docs/forms.md): "posts" for /, /posts... and
 * /users/{x}/posts..., "auth" for /account/sessions...,
 * /account/two-factor..., /login, /logout, /register, /reauth, /verify,
 * /password... and /email..., "users" for the rest of /account... and
 * /admin...  Any other path (a page no longer there, or none ever) is
 * auth's, which answers the site's 404 page or the moved page's 301.
 */
const char *path_program(const char *path);

/*
 * The program of a path of the site's pages, as path_program names it, or
 * NULL for any other path (the API's, or one that is no page).
 */
const char *path_page_program(const char *path);

/*
 * Where a client reaches the API path path when the programs are called
 * by their own names, as on a host without mod_rewrite: script is the
 * SCRIPT_NAME of the request ("/cgi/auth.fcgi"), and out receives its
 * directory, the program path_program names with script's suffix, and
 * path ("/cgi/posts.fcgi/api/v1/posts/7").  Fails (-1) when script has no
 * directory or out is too small.
 */
int path_via_script(const char *script, const char *path, char *out,
    size_t outsz);

#endif

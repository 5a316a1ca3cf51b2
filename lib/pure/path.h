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

#endif

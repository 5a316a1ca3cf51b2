/*
 * cookie: reading a Cookie request header (RFC 6265 section 5.4: pairs
 * "name=value" separated by ";" and optional white space).  A pure
 * function over the header text, so it can be fuzzed.
 */
#ifndef QUILL_COOKIE_H
#define QUILL_COOKIE_H

#include <stddef.h>

/*
 * The session cookie: the __Host- prefix pins it to this host, path / and
 * https.  web/auth reads it, web/reply sets and clears it.
 */
#define COOKIE_SESSION "__Host-quill_session"

/*
 * Finds the cookie called name (compared exactly) in header, a Cookie
 * header value.  On 1, *value points into header at its value (white
 * space around it removed, quotes kept) of *len bytes.  Returns 0 when
 * there is no such cookie, and -1 when the name occurs more than once:
 * two values for one name cannot be told apart, so neither is believed.
 */
int cookie_get(const char *header, const char *name, const char **value,
    size_t *len);

#endif

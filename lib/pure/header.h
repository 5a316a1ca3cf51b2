/*
 * header: readers of request header values that decide something: the
 * client behind proxies (X-Forwarded-For), entity tags (If-Match,
 * If-None-Match), the token of an Authorization header, and where an
 * unsafe request comes from (Sec-Fetch-Site, Origin, Referer).  Pure
 * functions over the values; web/ fetches them and acts on the answer.
 */
#ifndef QUILL_HEADER_H
#define QUILL_HEADER_H

#include <stddef.h>

/*
 * The client behind trusted proxies, from an X-Forwarded-For value of len
 * bytes: walking its comma-separated entries from the right, the first
 * address that trusted() does not accept.  Only plain IPv4 and IPv6
 * addresses are understood; an entry that is not one ends the walk, and
 * the last address reached is taken.  At most 16 entries are read.  Writes
 * the address into out (outsz bytes) and returns 0, or -1 when the value
 * names no address at all.
 */
int header_forwarded_client(const char *xff, size_t len,
    int (*trusted)(const char *), char *out, size_t outsz);

/*
 * 1 when an If-Match (weak 0: strong comparison) or If-None-Match (weak 1)
 * header value names etag (a quoted entity tag, "\"3-1\"").  "*" matches
 * any etag; W/ tags match only weakly; a malformed list matches nothing.
 */
int header_etag_match(const char *header, const char *etag, int weak);

/*
 * Finds the token in an Authorization header value: the scheme "Bearer" in
 * any case, one or more spaces, then the token, the rest of the value
 * (*tok, *len bytes, possibly 0).  Returns 0, or -1 for any other scheme.
 */
int header_bearer(const char *header, const char **tok, size_t *len);

/* Where an unsafe request comes from, as its headers show it. */
enum header_origin {
	HEADER_ORIGIN_SAME,	/* this site */
	HEADER_ORIGIN_CROSS,	/* Sec-Fetch-Site: cross-site or same-site */
	HEADER_ORIGIN_OTHER,	/* Origin names another origin (or "null") */
	HEADER_ORIGIN_REFERER,	/* Referer is a page of another origin */
	HEADER_ORIGIN_UNKNOWN,	/* none of the three: it cannot be shown */
	HEADER_ORIGIN__MAX
};

/* The verdicts' names, for the log ("same", "sec_fetch_site", ...). */
extern const char *const header_origin_names[HEADER_ORIGIN__MAX];

/*
 * Judges the headers Sec-Fetch-Site, Origin and Referer (each NULL when
 * absent) against self, the site's origin ("https://example.com"), in that
 * order: the first one present decides.  Sec-Fetch-Site decides only when
 * it is same-origin, same-site or cross-site.  Origins compare without
 * regard to ASCII case; a Referer must be self followed by '/', '?', '#'
 * or nothing.
 */
enum header_origin header_origin(const char *fetch_site, const char *origin,
    const char *referer, const char *self);

#endif

/*
 * reply: the one writer of the answer.  Handlers and app answer through
 * these functions, and nothing else writes the status, the headers
 * (r->hdr) or the body (r->out): lower layers return data, and reply
 * turns it into bytes.
 */
#ifndef QUILL_REPLY_H
#define QUILL_REPLY_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "base/buf.h"
#include "pure/cursor.h"
#include "pure/post.h"
#include "web/http.h"

/* Adds a response header; refuses (-1) names or values with CR, LF or NUL. */
int reply_header(struct req *r, const char *name, const char *value);

/*
 * Answers status with {"data": data, "meta": {"requestId"}}; takes
 * ownership of data.
 */
enum err reply_data(struct req *r, int status, cJSON *data);

/*
 * Answers 200 {"data": items, "meta": ...}: in keyset mode {limit,
 * nextCursor, hasMore} and a Link rel="next" header when next is not NULL;
 * in offset mode {page, perPage, total, totalPages}.  Takes items.
 */
enum err reply_list(struct req *r, const struct cursor_params *p,
    cJSON *items, const char *next, int64_t total);

/*
 * Answers 201 Created with data, as reply_data; location, the path of
 * what was made, is kept in r->location (a form's 303 goes there) and
 * written by reply_head.
 */
enum err reply_created(struct req *r, const char *location, cJSON *data);

/*
 * Post p as reply_created (at location) or, location NULL, as reply_data
 * with 200 would answer view_post_json's object, and the rows of a list
 * (n of them) as reply_list would: the same bytes, written straight into
 * the answer, with no cJSON tree on the way.
 */
enum err reply_post(struct req *r, const char *location,
    const struct post *p);
enum err reply_posts(struct req *r, const struct cursor_params *p,
    const struct post *rows, size_t n, const char *next, int64_t total);

/*
 * The header lines every answer carries (each ends in CRLF): the security
 * headers, and the Content-Security-Policy of data or of a page.  Written
 * by reply for the programs, and by quillctl's setup page, which answers
 * before the programs can.
 */
extern const char reply_security_headers[];
extern const char reply_data_csp[];
extern const char reply_page_csp[];

/* Writes a page into b from arg (see html.h). */
typedef void (*reply_html)(struct buf *b, const void *arg);

/*
 * Writes the page of r's answer into b, from what r holds (its status,
 * location, error): the site's pages (web/site), which reply writes
 * through these so that it needs no template of its own.
 */
typedef void (*reply_page_fn)(struct req *r, struct buf *b);

/*
 * Answers 303 See Other to location, a path on this site, without a
 * body; it replaces r->location, and headers set so far are kept.  The
 * notice r->notice, if any, goes with it, for the next page.
 */
enum err reply_see_other(struct req *r, const char *location);

/*
 * Answers 301 Moved Permanently to location, a path on this site, without
 * a body: an address that has a new one for good.
 */
enum err reply_moved(struct req *r, const char *location);

/*
 * Answers status with the page fn writes from arg, and Vary: Accept (the
 * same address answers JSON to a client that does not ask for HTML).
 */
enum err reply_page(struct req *r, int status, reply_html fn,
    const void *arg);

/* Answers 204 No Content. */
enum err reply_empty(struct req *r);

/* Answers 304 Not Modified: no body; headers set so far are kept. */
enum err reply_not_modified(struct req *r);

/* Sends etag as the ETag of the answer. */
void reply_etag(struct req *r, const char *etag);

/*
 * Lets a cache keep the answer, asking again (If-None-Match) before each
 * use: Cache-Control: no-cache, and Vary on what changes the answer.
 */
void reply_public(struct req *r);

/* Sets the session cookie to secret, for QUILL_COOKIE_ABSOLUTE_TTL. */
void reply_cookie_set(struct req *r, const char *secret);

/*
 * Tells the browser to drop the session cookie (r->cookie_clear), on an
 * error answer too.
 */
void reply_cookie_clear(struct req *r);

/*
 * Writes the answer for r->err into r->out and sets the status: the error
 * envelope, or for a browser (r->browser) the page that page writes (the
 * status, the message, the field errors, a way back).  The headers the
 * handler added (past r->hdr_mark) are dropped; a 429 says why from
 * r->rate (RateLimit-*, Retry-After), a 503 to retry after a second.
 */
void reply_error(struct req *r, reply_page_fn page);

/*
 * Writes the status line and headers for the response into head: the
 * fixed ones, Location (r->location), the cookie clear (r->cookie_clear),
 * then those added with reply_header.
 */
void reply_head(const struct req *r, struct buf *head);

#endif

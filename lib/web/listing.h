/*
 * listing: the paging of a list endpoint over HTTP.  The query parameters
 * go to pure/cursor, which reads them; a page of items goes back as the
 * envelope with its meta and a Link to the next page.
 */
#ifndef QUILL_LISTING_H
#define QUILL_LISTING_H

#include <stdint.h>
#include <cJSON.h>

#include "pure/cursor.h"
#include "web/http.h"

/*
 * Reads limit, cursor, page, perPage, sort and order from the query string
 * into *p (cursor_read): ERR_NONE, or ERR_BAD_REQUEST with the message
 * naming the parameter (a repeated parameter as http_query refuses it).
 */
enum err listing_parse(struct req *r, const struct cursor_sort *sorts,
    int nsorts, int default_sort, int default_desc, struct cursor_params *p);

/*
 * Answers 200 {"data": items, "meta": ...}: in keyset mode {limit,
 * nextCursor, hasMore} and a Link rel="next" header when next is not NULL;
 * in offset mode {page, perPage, total, totalPages}.  Takes items.
 */
enum err listing_reply(struct req *r, const struct cursor_params *p,
    cJSON *items, const char *next, int64_t total);

#endif

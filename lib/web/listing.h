/*
 * listing: the paging of a list endpoint over HTTP.  The query parameters
 * go to pure/cursor, which reads them; a page of items goes back through
 * reply_list.
 */
#ifndef QUILL_LISTING_H
#define QUILL_LISTING_H

#include "pure/cursor.h"
#include "web/http.h"

/*
 * Reads limit, cursor, page, perPage, sort and order from the query string
 * into *p (cursor_read): ERR_NONE, or ERR_BAD_REQUEST with the message
 * naming the parameter (a repeated parameter as http_query refuses it).
 */
enum err listing_parse(struct req *r, const struct cursor_sort *sorts,
    int nsorts, int default_sort, int default_desc, struct cursor_params *p);

#endif

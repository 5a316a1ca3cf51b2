#include <stdio.h>
#include <string.h>

#include "web/listing.h"

enum err
listing_parse(struct req *r, const struct cursor_sort *sorts, int nsorts,
    int default_sort, int default_desc, struct cursor_params *p)
{
	struct cursor_query q;
	const char *msg;
	enum err e;

	if ((e = http_query(r, "limit", &q.limit)) != ERR_NONE ||
	    (e = http_query(r, "cursor", &q.cursor)) != ERR_NONE ||
	    (e = http_query(r, "page", &q.page)) != ERR_NONE ||
	    (e = http_query(r, "perPage", &q.per_page)) != ERR_NONE ||
	    (e = http_query(r, "sort", &q.sort)) != ERR_NONE ||
	    (e = http_query(r, "order", &q.order)) != ERR_NONE)
		return e;
	if ((msg = cursor_read(r->arena, &q, sorts, nsorts, default_sort,
	    default_desc, p)) != NULL)
		return http_fail(r, ERR_BAD_REQUEST, msg);
	return ERR_NONE;
}

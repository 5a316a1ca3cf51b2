/*
 * list: the query parameters, cursors and answers of list endpoints.
 *
 * Cursor mode (the default) pages by keyset: the cursor names the sort key
 * and id of the last row shown, so a page costs the same at any depth and
 * stays correct while rows come and go.  Offset mode (when `page` is given)
 * answers totals.  Cursors are opaque to clients: base64url text that this
 * module alone writes and strictly reads back.
 */
#ifndef QUILL_LIST_H
#define QUILL_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "web/http.h"

#define LIST_DEFAULT_LIMIT	20
#define LIST_MAX_LIMIT		100

/*
 * Longest text sort key a cursor carries, in bytes: above every text field
 * a list sorts by (a 200-character title is at most 800 bytes of UTF-8).
 * A cursor must hold the whole key: a shortened key sorts before the row
 * it came from, which would then show again on the next page.
 */
#define LIST_TEXT_KEY_MAX	1024

/* One sortable column: its API name and whether its key is text. */
struct list_sort {
	const char	*name;		/* "createdAt" */
	int		 text;		/* 1: string key, 0: integer key */
	int		 offset_only;	/* 1: no stable key; pages by number */
	int		 ascending;	/* 1: named in sort=, A to Z by default */
};

enum list_mode { LIST_CURSOR, LIST_OFFSET };

struct list_params {
	enum list_mode	 mode;
	int		 limit;		/* rows per page, 1..LIST_MAX_LIMIT */
	int64_t		 page;		/* LIST_OFFSET: 1-based */
	int		 sort;		/* index into the endpoint's sort table */
	int		 desc;		/* 1: descending */
	int		 after;		/* LIST_CURSOR: 1 when a cursor was given */
	int64_t		 after_int;	/* the cursor's key, integer sorts */
	const char	*after_text;	/* the cursor's key, text sorts */
	size_t		 after_text_len;
	int64_t		 after_id;	/* the cursor's row id (tie-breaker) */
};

/*
 * Reads limit, cursor, page, perPage, sort and order from the query string.
 * limit and perPage are clamped to 1..100; sort must name a row of sorts
 * (nsorts rows); order is asc or desc.  A malformed value, a cursor that is
 * not one of ours or that was made for another sort, or a cursor together
 * with page: ERR_BAD_REQUEST with a message naming the parameter.  Without
 * order, the list is descending when default_desc is set, unless sort=
 * names an ascending row.  An offset_only sort is always in offset mode
 * (page 1 when none is given) and refuses a cursor.  A cursor is read only
 * in the one spelling list_cursor writes for what it holds.
 */
enum err list_parse(struct req *r, const struct list_sort *sorts, int nsorts,
    int default_sort, int default_desc, struct list_params *p);

/* The SQL OFFSET of an offset-mode page. */
int64_t list_offset(const struct list_params *p);

/*
 * The cursor that continues after a row with this key and id, in the arena;
 * text is used for text sorts, ikey for integer ones.  NULL when out of
 * memory or when text is longer than LIST_TEXT_KEY_MAX bytes.
 */
char *list_cursor(struct arena *a, const struct list_params *p,
    const struct list_sort *sorts, int64_t ikey, const char *text, int64_t id);

/*
 * Answers 200 {"data": items, "meta": ...}: in cursor mode {limit,
 * nextCursor, hasMore} and a Link rel="next" header when next is not NULL;
 * in offset mode {page, perPage, total, totalPages}.  Takes items.
 */
enum err list_reply(struct req *r, const struct list_params *p, cJSON *items,
    const char *next, int64_t total);

#endif

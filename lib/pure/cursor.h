/*
 * cursor: the paging parameters of a list, and its cursors.
 *
 * Keyset mode (the default) pages by the sort key: the cursor names the
 * key and id of the last row shown, so a page costs the same at any depth
 * and stays correct while rows come and go.  Offset mode (when `page` is
 * given) answers totals.  Cursors are opaque to clients: base64url text
 * that this module alone writes and strictly reads back.
 */
#ifndef QUILL_CURSOR_H
#define QUILL_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct arena;

#define CURSOR_DEFAULT_LIMIT	20
#define CURSOR_MAX_LIMIT	100

/*
 * Longest text sort key a cursor carries, in bytes: above every text field
 * a list sorts by (a 200-character title is at most 800 bytes of UTF-8).
 * A cursor must hold the whole key: a shortened key sorts before the row
 * it came from, which would then show again on the next page.
 */
#define CURSOR_TEXT_KEY_MAX	1024

/* One sortable column: its API name and whether its key is text. */
struct cursor_sort {
	const char	*name;		/* "createdAt" */
	int		 text;		/* 1: string key, 0: integer key */
	int		 offset_only;	/* 1: no stable key; pages by number */
	int		 ascending;	/* 1: named in sort=, A to Z by default */
};

enum cursor_mode { CURSOR_KEYSET, CURSOR_OFFSET };

struct cursor_params {
	enum cursor_mode mode;
	int		 limit;		/* rows per page, 1..CURSOR_MAX_LIMIT */
	int64_t		 page;		/* CURSOR_OFFSET: 1-based */
	int		 sort;		/* index into the endpoint's sort table */
	int		 desc;		/* 1: descending */
	int		 after;		/* 1: a cursor was given (keyset mode) */
	int64_t		 after_int;	/* the cursor's key, integer sorts */
	const char	*after_text;	/* the cursor's key, text sorts */
	size_t		 after_text_len;
	int64_t		 after_id;	/* the cursor's row id (tie-breaker) */
};

/* The paging parameters of a list as the client sent them; NULL: absent. */
struct cursor_query {
	const char	*limit;
	const char	*cursor;
	const char	*page;
	const char	*per_page;
	const char	*sort;
	const char	*order;
};

/*
 * Reads q into *p: limit and perPage are whole numbers from 1 to
 * CURSOR_MAX_LIMIT; page or perPage asks for offset mode (page 1 when only
 * perPage is given); sort must name a row of sorts (nsorts rows); order is
 * asc or desc.  Without order, the
 * list is descending when default_desc is set, unless sort names an
 * ascending row.  An offset_only sort is always in offset mode (page 1
 * when none is given) and refuses a cursor.  A cursor is read only in the
 * one spelling cursor_make writes for what it holds; its text key is kept
 * in the arena.  Returns NULL, or for a malformed value, a cursor that is
 * not one of ours or that was made for another sort, or a cursor together
 * with page or perPage, the message of the 400, naming the parameter.
 */
const char *cursor_read(struct arena *a, const struct cursor_query *q,
    const struct cursor_sort *sorts, int nsorts, int default_sort,
    int default_desc, struct cursor_params *p);

/* The SQL OFFSET of an offset-mode page. */
int64_t cursor_offset(const struct cursor_params *p);

/*
 * The cursor that continues after a row with this key and id, in the arena;
 * text is used for text sorts, ikey for integer ones.  NULL when out of
 * memory or when text is longer than CURSOR_TEXT_KEY_MAX bytes.
 */
char *cursor_make(struct arena *a, const struct cursor_params *p,
    const struct cursor_sort *sorts, int64_t ikey, const char *text,
    int64_t id);

#endif

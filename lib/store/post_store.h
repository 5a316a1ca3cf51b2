/*
 * post_store: the posts table as the handlers see it.  The only code
 * besides db that knows how posts are stored; what a post is and who may
 * touch it is pure/post.
 */
#ifndef QUILL_POST_STORE_H
#define QUILL_POST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "pure/cursor.h"
#include "pure/post.h"

struct arena;

/* Inserts a post; *id receives its id.  Call inside a transaction. */
enum err post_store_insert(int64_t author, enum post_status status,
    const char *title, size_t title_len, const char *body, size_t body_len,
    int64_t now, int64_t *id);

/* Loads post id into *p, strings in the arena; ERR_NOT_FOUND when absent. */
enum err post_store_get(struct arena *a, int64_t id, struct post *p);

/*
 * Replaces the status, title and body of post id, counts a new version and
 * sets updated_at to now.  Call inside a transaction.
 */
enum err post_store_update(int64_t id, enum post_status status,
    const char *title, size_t title_len, const char *body, size_t body_len,
    int64_t now);

/* Deletes post id.  Call inside a transaction. */
enum err post_store_delete(int64_t id);

/*
 * One page of the posts f selects, in the order and page lp names: *rows
 * (in the arena) receives *n posts with excerpts.  In keyset mode *more is
 * 1 when further posts follow; in offset mode *total receives the number
 * of posts f selects, counted only when the page does not show it (a page
 * that is not full is the last).  The relevance sort needs f->match.
 */
enum err post_store_list(struct arena *a, const struct post_filter *f,
    const struct cursor_params *lp, struct post **rows, size_t *n, int *more,
    int64_t *total);

/*
 * Sets *match to the FTS5 query for search text q (in the arena): every
 * word must appear (a word ending in '*' is a prefix), each a phrase of
 * the terms the index makes of it (db_fts_tokenize), so no character of q
 * is FTS5 syntax.  ERR_BAD_REQUEST with *fault saying why when q is beyond
 * the bounds of pure/post (its length, its terms, its prefixes) or holds
 * no word; ERR_INTERNAL when out of memory.
 */
enum err post_store_match(struct arena *a, const char *q,
    const char **match, enum post_query_fault *fault);

#endif

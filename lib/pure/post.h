/*
 * post: a post and the rules about it: the status names, the sort orders
 * of lists, who may see and change a post, its ETag and its cursor, and
 * the bounds of a search.  No I/O: the posts table is store/post_store.
 */
#ifndef QUILL_POST_H
#define QUILL_POST_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/principal.h"
#include "pure/cursor.h"

struct arena;

enum post_status { POST_DRAFT, POST_PUBLISHED, POST_STATUS__MAX };

/* "draft", "published": indexed by enum post_status. */
extern const char *const post_status_names[POST_STATUS__MAX];

/* The sort orders of post lists; post_sorts has one row for each. */
enum post_sort {
	POST_SORT_CREATED,
	POST_SORT_UPDATED,
	POST_SORT_TITLE,
	POST_SORT_RELEVANCE,	/* search only; paged by number */
	POST_SORT__MAX
};

extern const struct cursor_sort post_sorts[POST_SORT__MAX];

/*
 * The bounds of a search (q), which bound its cost: the longest text in
 * characters; the most terms (the words the full-text index sees: a word
 * joined by punctuation, such as e-mail, is two); the most prefix terms
 * (zeb*); and the fewest characters before the * of one.  The index keeps
 * the prefixes of POST_QUERY_MIN_PREFIX characters (sql/006_search.sql),
 * the shortest, and so the costliest, a search may hold.
 */
#define POST_QUERY_MAX_CHARS	200
#define POST_QUERY_MAX_TERMS	8
#define POST_QUERY_MAX_PREFIXES	2
#define POST_QUERY_MIN_PREFIX	3

/* Why search text is refused. */
enum post_query_fault {
	POST_QUERY_OK,
	POST_QUERY_TOO_LONG,		/* over POST_QUERY_MAX_CHARS */
	POST_QUERY_NO_WORD,		/* nothing to search for */
	POST_QUERY_TOO_MANY_TERMS,	/* over POST_QUERY_MAX_TERMS */
	POST_QUERY_TOO_MANY_PREFIXES,	/* over POST_QUERY_MAX_PREFIXES */
	POST_QUERY_PREFIX_TOO_SHORT,	/* under POST_QUERY_MIN_PREFIX */
	POST_QUERY__MAX
};

/* The detail code and the message of each fault, for the client. */
struct post_query_text {
	const char	*code;
	const char	*message;
};
extern const struct post_query_text post_query_faults[POST_QUERY__MAX];

/* Room for a post's ETag, quotes included. */
#define POST_ETAG_MAX 48

struct post {
	int64_t		 id;
	int64_t		 author_id;
	enum post_status status;
	int64_t		 version;	/* 1, then one more at every change */
	int64_t		 created_at;
	int64_t		 updated_at;
	const char	*title;
	const char	*body;		/* the body; in lists the excerpt */
	int		 excerpt;	/* 1: body holds only the excerpt */
};

/* Which posts a list shows, once post_filter_visible has been applied. */
struct post_filter {
	int64_t		 author;	/* 0: any author */
	int		 status;	/* -1: any, else an enum post_status */
	int		 nothing;	/* the caller may see none of what was asked */
	int64_t		 created_after;	/* exclusive; INT64_MIN: none */
	int64_t		 created_before; /* exclusive; INT64_MAX: none */
	const char	*match;		/* from post_match_query, or NULL */
};

/* The name of status s; "draft" for a value outside the enum. */
const char *post_status_name(enum post_status s);

/* Parses a status name (NULL is none) into *out; -1 when it is not one. */
int post_status_parse(const char *s, enum post_status *out);

/* The cursor that continues a list after post last, or NULL (no memory). */
char *post_cursor(struct arena *a, const struct cursor_params *lp,
    const struct post *last);

/* The strong ETag of p's current version: "\"<id>-<version>\"". */
void post_etag(const struct post *p, char out[POST_ETAG_MAX]);

/* 1 when who may read p: published, or the author's, or staff. */
int post_visible(const struct post *p, const struct principal *who);

/*
 * Whether who may change p: ERR_NOT_FOUND when who may not see it,
 * ERR_FORBIDDEN when who may not make this change (content: the title or
 * body is among the changes), else ERR_NONE.  Authors and admins change
 * anything; moderators change the status of other people's posts.
 */
enum err post_may_change(const struct post *p, const struct principal *who,
    int content);

/* Whether who may delete p: ERR_NOT_FOUND, ERR_FORBIDDEN or ERR_NONE. */
enum err post_may_delete(const struct post *p, const struct principal *who);

/*
 * Narrows f to what who may see: everyone sees published posts, users
 * their own drafts when they ask for drafts, staff everything.  Sets
 * f->nothing when what was asked holds nothing who may see.
 */
void post_filter_visible(struct post_filter *f, const struct principal *who);

#endif

/*
 * stmt: every SQL statement the programs run, as constant text indexed by
 * an enum.  Prepared once at start-up by db_prepare_all(); values are always
 * bound, never formatted into the text.
 */
#ifndef QUILL_STMT_H
#define QUILL_STMT_H

enum stmt {
	STMT_PING,

	/* users: lib/user.c, lib/auth.c */
	STMT_USER_INSERT,
	STMT_USER_BY_ID,
	STMT_USER_BY_EMAIL,
	STMT_USER_AUTH,
	STMT_USER_SET_PASSWORD_HASH,

	/* sessions, reset tokens, mail, rate limits */

	/* posts: lib/post.c */
	STMT_POST_INSERT,
	STMT_POST_BY_ID,
	STMT_POST_UPDATE,
	STMT_POST_DELETE,
	/* List pages: family (all, one status, one author) x sort x order. */
	STMT_POST_PAGE_ALL_CREATED_ASC,
	STMT_POST_PAGE_ALL_CREATED_DESC,
	STMT_POST_PAGE_ALL_UPDATED_ASC,
	STMT_POST_PAGE_ALL_UPDATED_DESC,
	STMT_POST_PAGE_ALL_TITLE_ASC,
	STMT_POST_PAGE_ALL_TITLE_DESC,
	STMT_POST_PAGE_STATUS_CREATED_ASC,
	STMT_POST_PAGE_STATUS_CREATED_DESC,
	STMT_POST_PAGE_STATUS_UPDATED_ASC,
	STMT_POST_PAGE_STATUS_UPDATED_DESC,
	STMT_POST_PAGE_STATUS_TITLE_ASC,
	STMT_POST_PAGE_STATUS_TITLE_DESC,
	STMT_POST_PAGE_AUTHOR_CREATED_ASC,
	STMT_POST_PAGE_AUTHOR_CREATED_DESC,
	STMT_POST_PAGE_AUTHOR_UPDATED_ASC,
	STMT_POST_PAGE_AUTHOR_UPDATED_DESC,
	STMT_POST_PAGE_AUTHOR_TITLE_ASC,
	STMT_POST_PAGE_AUTHOR_TITLE_DESC,
	STMT_POST_COUNT_ALL,
	STMT_POST_COUNT_STATUS,
	STMT_POST_COUNT_AUTHOR,
	/* Full-text search ranked by relevance (best first, worst first). */
	STMT_POST_SEARCH_BEST,
	STMT_POST_SEARCH_WORST,

	STMT__MAX
};

/* The SQL text of each statement. */
extern const char *const stmt_sql[STMT__MAX];

#endif

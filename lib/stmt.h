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
	STMT_USER_UPDATE,
	STMT_USER_DELETE,
	STMT_USER_OTHER_ADMINS,
	STMT_USER_COUNT,
	/* GET /users pages: first or offset page, and keyset page, per sort. */
	STMT_USER_PAGE_CREATED_ASC,
	STMT_USER_PAGE_CREATED_DESC,
	STMT_USER_PAGE_NAME_ASC,
	STMT_USER_PAGE_NAME_DESC,
	STMT_USER_PAGE_EMAIL_ASC,
	STMT_USER_PAGE_EMAIL_DESC,
	STMT_USER_AFTER_CREATED_ASC,
	STMT_USER_AFTER_CREATED_DESC,
	STMT_USER_AFTER_NAME_ASC,
	STMT_USER_AFTER_NAME_DESC,
	STMT_USER_AFTER_EMAIL_ASC,
	STMT_USER_AFTER_EMAIL_DESC,

	/* sessions, reset tokens, mail, rate limits */

	/* posts: lib/post.c */

	STMT__MAX
};

/* The SQL text of each statement. */
extern const char *const stmt_sql[STMT__MAX];

#endif

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

	STMT__MAX
};

/* The SQL text of each statement. */
extern const char *const stmt_sql[STMT__MAX];

#endif

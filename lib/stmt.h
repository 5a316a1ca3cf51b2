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
	/* lib/session.c, lib/auth.c */
	STMT_SESSION_INSERT,
	STMT_SESSION_AUTH,
	STMT_SESSION_TOUCH,
	STMT_SESSION_REVOKE,
	STMT_SESSION_REVOKE_ALL,
	STMT_SESSION_BUMP_VERSION,
	STMT_SESSION_LIST_ASC,
	STMT_SESSION_LIST_DESC,
	STMT_SESSION_COUNT,
	STMT_REFRESH_INSERT,
	STMT_REFRESH_FIND,
	STMT_REFRESH_SPEND,
	/* lib/reset.c */
	STMT_RESET_INSERT,
	STMT_RESET_FIND,
	STMT_RESET_USE,
	STMT_RESET_INVALIDATE,
	/* lib/mail.c */
	STMT_MAIL_INSERT,
	STMT_MAIL_NEXT,
	STMT_MAIL_SENT,
	STMT_MAIL_FAILED,
	/* lib/ratelimit.c */
	STMT_RATE_GET,
	STMT_RATE_HIT,
	STMT_LOGIN_FAILURE_GET,
	STMT_LOGIN_FAILURE_PUT,
	STMT_LOGIN_FAILURE_CLEAR,
	/* quillctl purge */
	STMT_PURGE_SESSIONS,
	STMT_PURGE_REFRESH,
	STMT_PURGE_RESET,
	STMT_PURGE_MAIL,
	STMT_PURGE_RATE,
	STMT_PURGE_LOGIN_FAILURES,

	/* posts: lib/post.c */

	STMT__MAX
};

/* The SQL text of each statement. */
extern const char *const stmt_sql[STMT__MAX];

#endif

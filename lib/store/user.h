/*
 * user: the users table as the handlers see it.  The only code besides db
 * that knows how users are stored.
 */
#ifndef QUILL_USER_H
#define QUILL_USER_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/principal.h"
#include "pure/cursor.h"

struct arena;

struct user {
	int64_t		 id;
	const char	*email;
	const char	*name;
	const char	*password_hash;
	enum role	 role;
	int		 disabled;
	int64_t		 token_version;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 verified_at;	/* 0: the address is not confirmed */
	const char	*pending_email;	/* an email change waiting for its
					   confirmation, when the caller
					   looked (verify_pending); else NULL */
};

/* What user_update changes: NULL strings and -1 leave a column as it is. */
struct user_change {
	const char	*name;
	size_t		 name_len;
	const char	*email;
	size_t		 email_len;
	int		 role;		/* an enum role, or -1 */
	int		 disabled;	/* 0 or 1, or -1 */
	int64_t		 keep_session;	/* the caller's session, kept; 0: none */
};

#define USER_CHANGE_NONE { NULL, 0, NULL, 0, -1, -1, 0 }

/* The sorts of GET /users, indexing user_sorts. */
enum user_sort {
	USER_SORT_CREATED,
	USER_SORT_NAME,
	USER_SORT_EMAIL,
	USER_SORT__MAX
};

/* createdAt, name, email: the sort parameter's values. */
extern const struct cursor_sort user_sorts[USER_SORT__MAX];

/* Which users a list shows. */
struct user_filter {
	int		 any_role;	/* 1: every role, else only role */
	enum role	 role;
	const char	*q;		/* in the name or email, or NULL */
};

/* Why user_update or user_delete answered ERR_CONFLICT. */
extern const char user_last_admin_message[];

/*
 * *last set to 1 when u is the last active admin, the one whose role,
 * state or account user_update and user_delete keep; else 0.
 */
enum err user_last_admin(const struct user *u, int *last);

/*
 * Inserts a user; *id receives the new id.  ERR_EMAIL_TAKEN when the email
 * (compared without regard to ASCII case) is in use.  Call inside a
 * transaction.
 */
enum err user_insert(const char *email, size_t email_len, const char *name,
    size_t name_len, const char *hash, enum role role, int64_t now,
    int64_t *id);

/* Loads user id into *u, strings in the arena; ERR_NOT_FOUND when absent. */
enum err user_get(struct arena *a, int64_t id, struct user *u);

/* Loads the user with this email (any ASCII case); ERR_NOT_FOUND if none. */
enum err user_get_by_email(struct arena *a, const char *email, size_t len,
    struct user *u);

/*
 * Records that user id's address was confirmed at at; at 0 records that
 * it is not.  Call inside a write transaction.
 */
enum err user_set_verified(int64_t id, int64_t at);

/* Stores a new password hash (parameters changed; same password). */
enum err user_set_password_hash(int64_t id, const char *hash);

/*
 * 1 when email and other (other_len bytes) are the same address as the
 * users table compares them: without regard to ASCII case.
 */
int user_email_same(const char *email, const char *other, size_t other_len);

/*
 * Applies c to user id and reads the result into *u.  A change that must
 * end the user's access (a new role, disabling, a new email) ends every
 * session of theirs but c->keep_session, and every access token, in the
 * same transaction (session_revoke_user); enabling brings none back.  A
 * new email also voids every unused reset token (they were mailed to the
 * old address).
 * ERR_NOT_FOUND; ERR_EMAIL_TAKEN; ERR_CONFLICT when it would leave no
 * active admin.  Call inside a write transaction, which makes counting the
 * other admins and the write one step.
 */
enum err user_update(struct arena *a, int64_t id, const struct user_change *c,
    int64_t now, struct user *u);

/*
 * Deletes user id, ending their sessions first (session_revoke_user); the
 * database deletes their posts and sessions with them (ON DELETE CASCADE).
 * ERR_NOT_FOUND; ERR_CONFLICT when id is the last active admin.  Call
 * inside a write transaction.
 */
enum err user_delete(struct arena *a, int64_t id, int64_t now);

/*
 * The page of users that p describes among those f selects: *rows (in the
 * arena) receives up to p->limit + 1 of them, *n how many; a row beyond
 * p->limit means that a next page exists.
 */
enum err user_list(struct arena *a, const struct user_filter *f,
    const struct cursor_params *p, struct user **rows, size_t *n);

/* The number of users f selects, for offset pages. */
enum err user_count(struct arena *a, const struct user_filter *f,
    int64_t *total);

/* The cursor of the page that follows row u in the order of p, or NULL. */
char *user_cursor(struct arena *a, const struct cursor_params *p,
    const struct user *u);

#endif

#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "store/db_raw.h"
#include "store/reset.h"
#include "store/session.h"
#include "store/user.h"

const struct cursor_sort user_sorts[USER_SORT__MAX] = {
	[USER_SORT_CREATED] = { "createdAt", 0, 0, 0 },
	[USER_SORT_NAME] = { "name", 1, 0, 0 },
	[USER_SORT_EMAIL] = { "email", 1, 0, 0 },
};

/* [sort][desc]: the statements of a first or offset page, of a keyset page. */
static const enum stmt page_stmts[USER_SORT__MAX][2] = {
	[USER_SORT_CREATED] = { STMT_USER_PAGE_CREATED_ASC,
	    STMT_USER_PAGE_CREATED_DESC },
	[USER_SORT_NAME] = { STMT_USER_PAGE_NAME_ASC,
	    STMT_USER_PAGE_NAME_DESC },
	[USER_SORT_EMAIL] = { STMT_USER_PAGE_EMAIL_ASC,
	    STMT_USER_PAGE_EMAIL_DESC },
};
static const enum stmt after_stmts[USER_SORT__MAX][2] = {
	[USER_SORT_CREATED] = { STMT_USER_AFTER_CREATED_ASC,
	    STMT_USER_AFTER_CREATED_DESC },
	[USER_SORT_NAME] = { STMT_USER_AFTER_NAME_ASC,
	    STMT_USER_AFTER_NAME_DESC },
	[USER_SORT_EMAIL] = { STMT_USER_AFTER_EMAIL_ASC,
	    STMT_USER_AFTER_EMAIL_DESC },
};

const char user_last_admin_message[] = "This is the last active admin: make "
    "another user admin first, or leave this one as it is.";

enum err
user_insert(const char *email, size_t email_len, const char *name,
    size_t name_len, const char *hash, enum role role, int64_t now,
    int64_t *id)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_INSERT);
	int rc;

	sqlite3_bind_text(s, 1, email, (int)email_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, (int)name_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, principal_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return ERR_EMAIL_TAKEN;
	if (rc != SQLITE_DONE)
		return db_fail(rc, "user_insert");
	*id = sqlite3_last_insert_rowid(db_handle());
	return ERR_NONE;
}

/* Fills *u from the current row of s, a USER_COLUMNS query. */
static enum err
user_fill(struct arena *a, sqlite3_stmt *s, struct user *u)
{
	u->id = sqlite3_column_int64(s, 0);
	u->email = db_column_text(a, s, 1);
	u->name = db_column_text(a, s, 2);
	u->password_hash = db_column_text(a, s, 3);
	if (principal_role_parse((const char *)sqlite3_column_text(s, 4),
	    &u->role) == -1)
		u->role = ROLE_USER;
	u->disabled = sqlite3_column_int(s, 5);
	u->token_version = sqlite3_column_int64(s, 6);
	u->created_at = sqlite3_column_int64(s, 7);
	u->updated_at = sqlite3_column_int64(s, 8);
	if (u->email == NULL || u->name == NULL || u->password_hash == NULL)
		return ERR_INTERNAL;
	return ERR_NONE;
}

/* Steps s (a USER_COLUMNS query) once and fills *u. */
static enum err
user_row(struct arena *a, sqlite3_stmt *s, struct user *u, const char *where)
{
	int rc = sqlite3_step(s);
	enum err e;

	if (rc == SQLITE_DONE)
		e = ERR_NOT_FOUND;
	else if (rc != SQLITE_ROW)
		e = db_fail(rc, where);
	else
		e = user_fill(a, s, u);
	sqlite3_reset(s);
	return e;
}

enum err
user_get(struct arena *a, int64_t id, struct user *u)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_BY_ID);

	sqlite3_bind_int64(s, 1, id);
	return user_row(a, s, u, "user_get");
}

enum err
user_get_by_email(struct arena *a, const char *email, size_t len,
    struct user *u)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_BY_EMAIL);

	sqlite3_bind_text(s, 1, email, (int)len, SQLITE_STATIC);
	return user_row(a, s, u, "user_get_by_email");
}

enum err
user_set_password_hash(int64_t id, const char *hash)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_SET_PASSWORD_HASH);
	int rc;

	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? ERR_NONE : db_fail(rc, "user_set_password");
}

/*
 * ERR_CONFLICT when u is an active admin, the change takes that away
 * (removes is 1) and no other active admin exists.
 */
static enum err
last_admin_guard(const struct user *u, int removes)
{
	sqlite3_stmt *s;
	int rc;
	int64_t others;

	if (!removes || u->role != ROLE_ADMIN || u->disabled)
		return ERR_NONE;
	s = db_stmt(STMT_USER_OTHER_ADMINS);
	sqlite3_bind_int64(s, 1, u->id);
	rc = sqlite3_step(s);
	others = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return db_fail(rc, "last_admin_guard");
	return others > 0 ? ERR_NONE : ERR_CONFLICT;
}

int
user_email_same(const char *email, const char *other, size_t other_len)
{
	return email != NULL && strlen(email) == other_len &&
	    strncasecmp(email, other, other_len) == 0;
}

/*
 * Why change c to user cur must end the user's sessions, for the
 * sessions' revoked_reason; NULL when it need not.
 */
static const char *
user_change_ends_access(const struct user *cur, const struct user_change *c)
{
	if (c->disabled == 1 && !cur->disabled)
		return "disabled";
	if (c->role != -1 && c->role != (int)cur->role)
		return "role_changed";
	if (c->email != NULL &&
	    !user_email_same(cur->email, c->email, c->email_len))
		return "email_changed";
	return NULL;
}

enum err
user_update(struct arena *a, int64_t id, const struct user_change *c,
    int64_t now, struct user *u)
{
	struct user cur = { 0 };
	sqlite3_stmt *s;
	const char *ends;
	int rc;
	enum err e;

	if ((e = user_get(a, id, &cur)) != ERR_NONE)
		return e;
	if ((e = last_admin_guard(&cur, (c->role != -1 &&
	    c->role != ROLE_ADMIN) || c->disabled == 1)) != ERR_NONE)
		return e;
	if ((ends = user_change_ends_access(&cur, c)) != NULL &&
	    (e = session_revoke_user(id, c->keep_session, now, ends)) !=
	    ERR_NONE)
		return e;
	/* Reset links went to the old address: none may outlive the change. */
	if (c->email != NULL &&
	    !user_email_same(cur.email, c->email, c->email_len) &&
	    (e = reset_invalidate(id, now)) != ERR_NONE)
		return e;
	s = db_stmt(STMT_USER_UPDATE);
	if (c->name != NULL)
		sqlite3_bind_text(s, 1, c->name, (int)c->name_len,
		    SQLITE_STATIC);
	if (c->email != NULL)
		sqlite3_bind_text(s, 2, c->email, (int)c->email_len,
		    SQLITE_STATIC);
	if (c->role != -1)
		sqlite3_bind_text(s, 3, principal_role_name((enum role)c->role), -1,
		    SQLITE_STATIC);
	if (c->disabled != -1)
		sqlite3_bind_int(s, 4, c->disabled != 0);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return ERR_EMAIL_TAKEN;
	if (rc != SQLITE_DONE)
		return db_fail(rc, "user_update");
	return user_get(a, id, u);
}

enum err
user_delete(struct arena *a, int64_t id, int64_t now)
{
	struct user cur = { 0 };
	sqlite3_stmt *s;
	int rc;
	enum err e;

	if ((e = user_get(a, id, &cur)) != ERR_NONE)
		return e;
	if ((e = last_admin_guard(&cur, 1)) != ERR_NONE)
		return e;
	/* The cascade removes them anyway; this keeps one way to end access. */
	if ((e = session_revoke_user(id, 0, now, "deleted")) != ERR_NONE)
		return e;
	s = db_stmt(STMT_USER_DELETE);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? ERR_NONE : db_fail(rc, "user_delete");
}

/*
 * Binds the filter of a list statement: ?1 the role, ?2 a LIKE pattern
 * matching f->q anywhere, its own %, _ and \ escaped so they match only
 * themselves.
 */
static enum err
bind_filter(struct arena *a, sqlite3_stmt *s, const struct user_filter *f)
{
	const char *q;
	char *pat, *o;

	if (!f->any_role)
		sqlite3_bind_text(s, 1, principal_role_name(f->role), -1,
		    SQLITE_STATIC);
	if (f->q == NULL)
		return ERR_NONE;
	if ((pat = arena_alloc(a, strlen(f->q) * 2 + 3)) == NULL)
		return ERR_INTERNAL;
	o = pat;
	*o++ = '%';
	for (q = f->q; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	sqlite3_bind_text(s, 2, pat, (int)(o - pat), SQLITE_STATIC);
	return ERR_NONE;
}

enum err
user_list(struct arena *a, const struct user_filter *f,
    const struct cursor_params *p, struct user **rows, size_t *n)
{
	sqlite3_stmt *s;
	struct user *out;
	size_t max = (size_t)p->limit + 1;
	int rc = SQLITE_DONE, after = p->mode == CURSOR_KEYSET && p->after;
	enum err e;

	*n = 0;
	if (p->sort < 0 || p->sort >= USER_SORT__MAX)
		return ERR_INTERNAL;
	if ((out = arena_alloc(a, max * sizeof(*out))) == NULL)
		return ERR_INTERNAL;
	s = db_stmt(after ? after_stmts[p->sort][p->desc != 0] :
	    page_stmts[p->sort][p->desc != 0]);
	if ((e = bind_filter(a, s, f)) != ERR_NONE)
		return e;
	if (after && user_sorts[p->sort].text)
		sqlite3_bind_text(s, 3, p->after_text, (int)p->after_text_len,
		    SQLITE_STATIC);
	else if (after)
		sqlite3_bind_int64(s, 3, p->after_int);
	if (after)
		sqlite3_bind_int64(s, 4, p->after_id);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)max);
	if (!after)
		sqlite3_bind_int64(s, 6, p->mode == CURSOR_OFFSET ?
		    cursor_offset(p) : 0);
	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((e = user_fill(a, s, &out[(*n)++])) != ERR_NONE) {
			sqlite3_reset(s);
			return e;
		}
	sqlite3_reset(s);
	if (*n < max && rc != SQLITE_DONE)
		return db_fail(rc, "user_list");
	*rows = out;
	return ERR_NONE;
}

enum err
user_count(struct arena *a, const struct user_filter *f, int64_t *total)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_COUNT);
	int rc;
	enum err e;

	if ((e = bind_filter(a, s, f)) != ERR_NONE)
		return e;
	rc = sqlite3_step(s);
	*total = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_NONE : db_fail(rc, "user_count");
}

char *
user_cursor(struct arena *a, const struct cursor_params *p,
    const struct user *u)
{
	const char *text = p->sort == USER_SORT_NAME ? u->name :
	    p->sort == USER_SORT_EMAIL ? u->email : NULL;

	return cursor_make(a, p, user_sorts, u->created_at, text, u->id);
}

#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "store/db.h"
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
	struct db_stmt *st = db_prepare(STMT_USER_INSERT);
	enum err e;

	db_on_duplicate(st);
	db_bind_text(st, 1, email, email_len);
	db_bind_text(st, 2, name, name_len);
	db_bind_str(st, 3, hash);
	db_bind_str(st, 4, principal_role_name(role));
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, now);
	if ((e = db_done(st, "user_insert")) == ERR_CONFLICT)
		return ERR_EMAIL_TAKEN;
	if (e == ERR_NONE)
		*id = db_last_id();
	return e;
}

/* Fills *u from the current row of st, a USER_COLUMNS query. */
static void
user_fill(struct arena *a, struct db_stmt *st, struct user *u)
{
	u->id = db_int(st, 0);
	u->email = db_text(st, a, 1);
	u->name = db_text(st, a, 2);
	u->password_hash = db_text(st, a, 3);
	if (principal_role_parse(db_text_view(st, 4), &u->role) == -1)
		u->role = ROLE_USER;
	u->disabled = (int)db_int(st, 5);
	u->token_version = db_int(st, 6);
	u->created_at = db_int(st, 7);
	u->updated_at = db_int(st, 8);
	u->verified_at = db_int(st, 9);
	u->pending_email = NULL;
}

/* Runs st (a USER_COLUMNS query of one row at most) and fills *u. */
static enum err
user_row(struct arena *a, struct db_stmt *st, struct user *u,
    const char *where)
{
	int found;
	enum err e;

	if ((found = db_next(st)) == 1)
		user_fill(a, st, u);
	if ((e = db_finish(st, where)) != ERR_NONE)
		return e;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
user_get(struct arena *a, int64_t id, struct user *u)
{
	struct db_stmt *st = db_prepare(STMT_USER_BY_ID);

	db_bind_int(st, 1, id);
	return user_row(a, st, u, "user_get");
}

enum err
user_get_by_email(struct arena *a, const char *email, size_t len,
    struct user *u)
{
	struct db_stmt *st = db_prepare(STMT_USER_BY_EMAIL);

	db_bind_text(st, 1, email, len);
	return user_row(a, st, u, "user_get_by_email");
}

enum err
user_set_verified(int64_t id, int64_t at)
{
	struct db_stmt *st = db_prepare(STMT_USER_SET_VERIFIED);

	db_bind_int(st, 1, id);
	if (at > 0)
		db_bind_int(st, 2, at);
	return db_done(st, "user_set_verified");
}

enum err
user_set_password_hash(int64_t id, const char *hash)
{
	struct db_stmt *st = db_prepare(STMT_USER_SET_PASSWORD_HASH);

	db_bind_str(st, 1, hash);
	db_bind_int(st, 2, id);
	return db_done(st, "user_set_password");
}

/*
 * ERR_CONFLICT when u is an active admin, the change takes that away
 * (removes is 1) and no other active admin exists.
 */
static enum err
last_admin_guard(const struct user *u, int removes)
{
	struct db_stmt *st;
	int64_t others = 0;
	enum err e;

	if (!removes || u->role != ROLE_ADMIN || u->disabled)
		return ERR_NONE;
	st = db_prepare(STMT_USER_OTHER_ADMINS);
	db_bind_int(st, 1, u->id);
	if (db_next(st))
		others = db_int(st, 0);
	if ((e = db_finish(st, "last_admin_guard")) != ERR_NONE)
		return e;
	return others > 0 ? ERR_NONE : ERR_CONFLICT;
}

enum err
user_last_admin(const struct user *u, int *last)
{
	enum err e = last_admin_guard(u, 1);

	*last = e == ERR_CONFLICT;
	return e == ERR_CONFLICT ? ERR_NONE : e;
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
	struct db_stmt *st;
	const char *ends;
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
	/* A change left out (NULL, -1) is a NULL: the column stays. */
	st = db_prepare(STMT_USER_UPDATE);
	db_on_duplicate(st);
	db_bind_text(st, 1, c->name, c->name_len);
	db_bind_text(st, 2, c->email, c->email_len);
	if (c->role != -1)
		db_bind_str(st, 3, principal_role_name((enum role)c->role));
	if (c->disabled != -1)
		db_bind_int(st, 4, c->disabled != 0);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, id);
	if ((e = db_done(st, "user_update")) == ERR_CONFLICT)
		return ERR_EMAIL_TAKEN;
	return e != ERR_NONE ? e : user_get(a, id, u);
}

enum err
user_delete(struct arena *a, int64_t id, int64_t now)
{
	struct user cur = { 0 };
	struct db_stmt *st;
	enum err e;

	if ((e = user_get(a, id, &cur)) != ERR_NONE)
		return e;
	if ((e = last_admin_guard(&cur, 1)) != ERR_NONE)
		return e;
	/* The cascade removes them anyway; this keeps one way to end access. */
	if ((e = session_revoke_user(id, 0, now, "deleted")) != ERR_NONE)
		return e;
	st = db_prepare(STMT_USER_DELETE);
	db_bind_int(st, 1, id);
	return db_done(st, "user_delete");
}

/*
 * Binds the filter of a list statement: ?1 the role, ?2 a LIKE pattern
 * matching f->q anywhere, its own %, _ and \ escaped so they match only
 * themselves.
 */
static enum err
bind_filter(struct arena *a, struct db_stmt *st, const struct user_filter *f)
{
	const char *q;
	char *pat, *o;

	if (!f->any_role)
		db_bind_str(st, 1, principal_role_name(f->role));
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
	db_bind_text(st, 2, pat, (size_t)(o - pat));
	return ERR_NONE;
}

enum err
user_list(struct arena *a, const struct user_filter *f,
    const struct cursor_params *p, struct user **rows, size_t *n)
{
	struct db_stmt *st;
	struct user *out;
	size_t max = (size_t)p->limit + 1;
	int after = p->mode == CURSOR_KEYSET && p->after;
	enum err e;

	*n = 0;
	if (p->sort < 0 || p->sort >= USER_SORT__MAX)
		return ERR_INTERNAL;
	if ((out = arena_alloc(a, max * sizeof(*out))) == NULL)
		return ERR_INTERNAL;
	st = db_prepare(after ? after_stmts[p->sort][p->desc != 0] :
	    page_stmts[p->sort][p->desc != 0]);
	if ((e = bind_filter(a, st, f)) != ERR_NONE)
		return e;
	if (after && user_sorts[p->sort].text)
		db_bind_text(st, 3, p->after_text, p->after_text_len);
	else if (after)
		db_bind_int(st, 3, p->after_int);
	if (after)
		db_bind_int(st, 4, p->after_id);
	db_bind_int(st, 5, (int64_t)max);
	if (!after)
		db_bind_int(st, 6, p->mode == CURSOR_OFFSET ?
		    cursor_offset(p) : 0);
	while (*n < max && db_next(st))
		user_fill(a, st, &out[(*n)++]);
	if ((e = db_finish(st, "user_list")) != ERR_NONE)
		return e;
	*rows = out;
	return ERR_NONE;
}

enum err
user_count(struct arena *a, const struct user_filter *f, int64_t *total)
{
	struct db_stmt *st = db_prepare(STMT_USER_COUNT);
	enum err e;

	if ((e = bind_filter(a, st, f)) != ERR_NONE)
		return e;
	*total = db_next(st) ? db_int(st, 0) : 0;
	return db_finish(st, "user_count");
}

char *
user_cursor(struct arena *a, const struct cursor_params *p,
    const struct user *u)
{
	const char *text = p->sort == USER_SORT_NAME ? u->name :
	    p->sort == USER_SORT_EMAIL ? u->email : NULL;

	return cursor_make(a, p, user_sorts, u->created_at, text, u->id);
}

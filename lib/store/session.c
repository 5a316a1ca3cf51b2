#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/text.h"
#include "store/db_raw.h"
#include "store/session.h"

/* Longest user agent kept, in bytes. */
#define USER_AGENT_MAX	256

const struct cursor_sort session_sorts[SESSION_NSORTS] = {
	{ "createdAt", 0, 0, 0 },
};

const char *const session_kind_names[SESSION_KIND__MAX] = {
	[SESSION_TOKEN] = "token",
	[SESSION_COOKIE] = "cookie",
};

int
session_kind_parse(const char *s, enum session_kind *out)
{
	int i;

	if (s == NULL || (i = text_name_index(session_kind_names,
	    SESSION_KIND__MAX, s, strlen(s))) == -1)
		return -1;
	*out = (enum session_kind)i;
	return 0;
}

/*
 * The user agent as kept: printable ASCII only (anything else becomes '?'),
 * at most USER_AGENT_MAX bytes, so the session list is always clean text.
 */
static void
user_agent_clean(const char *ua, char out[USER_AGENT_MAX + 1])
{
	size_t i;

	for (i = 0; ua != NULL && ua[i] != '\0' && i < USER_AGENT_MAX; i++)
		out[i] = ua[i] >= 0x20 && ua[i] < 0x7f ? ua[i] : '?';
	out[i] = '\0';
}

/* Adds a refresh token to session sid, usable until expires. */
static enum err
refresh_insert(const unsigned char hash[SECRET_HASH_BYTES], int64_t sid,
    int64_t now, int64_t expires)
{
	sqlite3_stmt *s = db_stmt(STMT_REFRESH_INSERT);

	sqlite3_bind_blob(s, 1, hash, SECRET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, sid);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, expires);
	return db_step_done(s, "refresh_insert");
}

/* The idle expiry of a token issued at now, bounded by the session's end. */
static int64_t
idle_expiry(int64_t now, int64_t session_expires)
{
	int64_t t = now + config.refresh_idle_ttl;

	return t < session_expires ? t : session_expires;
}

enum err
session_create(int64_t user_id, const char *user_agent, const char *ip,
    const unsigned char first[SECRET_HASH_BYTES], int64_t now, int64_t *id)
{
	sqlite3_stmt *s = db_stmt(STMT_SESSION_INSERT);
	char ua[USER_AGENT_MAX + 1];
	int64_t expires = now + config.refresh_ttl, idle;
	enum err e;

	idle = idle_expiry(now, expires);
	user_agent_clean(user_agent, ua);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, ua, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, idle);
	sqlite3_bind_int64(s, 6, expires);
	if ((e = db_step_done(s, "session_create")) != ERR_NONE)
		return e;
	*id = sqlite3_last_insert_rowid(db_handle());
	return refresh_insert(first, *id, now, idle);
}

/* The state of a token found in the database, judged at now. */
static enum session_state
session_judge(int live, int64_t session_expires, int64_t token_expires,
    int spent, int64_t rotated_at, int64_t now)
{
	if (!live || session_expires <= now || token_expires <= now)
		return SESSION_INVALID;
	if (!spent)
		return SESSION_CURRENT;
	if (now - rotated_at <= config.refresh_grace)
		return SESSION_GRACE;
	return SESSION_REUSED;
}

enum err
session_find(const unsigned char hash[SECRET_HASH_BYTES], int64_t now,
    struct session_ref *ref)
{
	sqlite3_stmt *s = db_stmt(STMT_REFRESH_FIND);
	const unsigned char *role;
	int rc;

	memset(ref, 0, sizeof(*ref));
	ref->state = SESSION_INVALID;
	sqlite3_bind_blob(s, 1, hash, SECRET_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return ERR_NONE;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return db_fail(rc, "session_find");
	}
	ref->session_id = sqlite3_column_int64(s, 0);
	ref->user_id = sqlite3_column_int64(s, 3);
	ref->expires_at = sqlite3_column_int64(s, 5);
	role = sqlite3_column_text(s, 6);
	if (role == NULL || principal_role_parse((const char *)role, &ref->role) == -1)
		ref->role = ROLE_USER;
	ref->disabled = sqlite3_column_int(s, 7);
	ref->token_version = sqlite3_column_int64(s, 8);
	ref->state = session_judge(sqlite3_column_int(s, 4), ref->expires_at,
	    sqlite3_column_int64(s, 1), sqlite3_column_type(s, 2) != SQLITE_NULL,
	    sqlite3_column_int64(s, 2), now);
	sqlite3_reset(s);
	return ERR_NONE;
}

/* Spends token old of ref and adds next to its family, recording the use. */
static enum err
rotate_current(const struct session_ref *ref,
    const unsigned char old[SECRET_HASH_BYTES],
    const unsigned char next[SECRET_HASH_BYTES], const char *user_agent,
    const char *ip, int64_t now)
{
	sqlite3_stmt *s;
	char ua[USER_AGENT_MAX + 1];
	int64_t idle = idle_expiry(now, ref->expires_at);
	enum err e;

	s = db_stmt(STMT_REFRESH_SPEND);
	sqlite3_bind_blob(s, 1, old, SECRET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if ((e = db_step_done(s, "session_rotate")) != ERR_NONE ||
	    (e = refresh_insert(next, ref->session_id, now, idle)) != ERR_NONE)
		return e;
	user_agent_clean(user_agent, ua);
	s = db_stmt(STMT_SESSION_TOUCH);
	sqlite3_bind_int64(s, 1, ref->session_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, idle);
	sqlite3_bind_text(s, 4, ua, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, ip, -1, SQLITE_STATIC);
	return db_step_done(s, "session_touch");
}

enum err
session_rotate(const struct session_ref *ref, const char *text, size_t len,
    const unsigned char old[SECRET_HASH_BYTES], struct secret *next,
    const char *user_agent, const char *ip, int64_t now)
{
	struct session_ref succ;
	enum err e;

	/* The successor: the same one each time, and only the key makes it. */
	secret_derive(config.key, config.key_len, "quill refresh successor v1",
	    text, len, next);
	if (ref->state == SESSION_CURRENT)
		return rotate_current(ref, old, next->hash, user_agent, ip, now);
	if (ref->state != SESSION_GRACE)
		return ERR_NOT_FOUND;
	/* A second tab: the successor already issued, while it is unspent. */
	if ((e = session_find(next->hash, now, &succ)) != ERR_NONE)
		return e;
	return succ.state == SESSION_CURRENT &&
	    succ.session_id == ref->session_id ? ERR_NONE : ERR_NOT_FOUND;
}

/*
 * Runs a revocation statement, whose parameters are the user, a session,
 * the time and the reason; *n receives how many sessions it ended.
 */
static enum err
revoke_run(enum stmt which, int64_t user_id, int64_t sid, int64_t now,
    const char *reason, int64_t *n)
{
	sqlite3_stmt *s = db_stmt(which);
	enum err e;

	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, sid);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	if ((e = db_step_done(s, "session_revoke")) != ERR_NONE)
		return e;
	*n = sqlite3_changes(db_handle());
	return ERR_NONE;
}

enum err
session_revoke(int64_t id, int64_t user_id, int64_t now, const char *reason)
{
	int64_t n;
	enum err e;

	if ((e = revoke_run(STMT_SESSION_REVOKE, user_id, id, now, reason,
	    &n)) != ERR_NONE)
		return e;
	return n > 0 ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
session_revoke_all(int64_t user_id, int64_t keep, int64_t now,
    const char *reason, int64_t *n)
{
	int64_t count;

	return revoke_run(STMT_SESSION_REVOKE_ALL, user_id, keep, now, reason,
	    n != NULL ? n : &count);
}

/* Bumps the user's token version: every access token issued so far fails. */
static enum err
session_bump_version(int64_t user_id)
{
	sqlite3_stmt *s = db_stmt(STMT_SESSION_BUMP_VERSION);

	sqlite3_bind_int64(s, 1, user_id);
	return db_step_done(s, "session_bump_version");
}

enum err
session_revoke_user(int64_t user_id, int64_t keep, int64_t now,
    const char *reason)
{
	enum err e;

	if ((e = session_revoke_all(user_id, keep, now, reason, NULL)) !=
	    ERR_NONE)
		return e;
	return session_bump_version(user_id);
}

enum err
session_cookie_create(int64_t user_id, const char *user_agent, const char *ip,
    const unsigned char hash[SECRET_HASH_BYTES], int64_t now, int64_t *id)
{
	sqlite3_stmt *s = db_stmt(STMT_COOKIE_INSERT);
	char ua[USER_AGENT_MAX + 1];
	int64_t expires = now + config.cookie_ttl;
	int64_t idle = now + config.cookie_idle_ttl;
	enum err e;

	user_agent_clean(user_agent, ua);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, ua, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, idle < expires ? idle : expires);
	sqlite3_bind_int64(s, 6, expires);
	sqlite3_bind_blob(s, 7, hash, SECRET_HASH_BYTES, SQLITE_STATIC);
	if ((e = db_step_done(s, "session_cookie_create")) != ERR_NONE)
		return e;
	*id = sqlite3_last_insert_rowid(db_handle());
	return ERR_NONE;
}

enum err
session_cookie_find(const unsigned char hash[SECRET_HASH_BYTES], int64_t now,
    struct session_cookie *c)
{
	sqlite3_stmt *s = db_stmt(STMT_COOKIE_AUTH);
	const unsigned char *role;
	int rc;

	memset(c, 0, sizeof(*c));
	sqlite3_bind_blob(s, 1, hash, SECRET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? ERR_NOT_FOUND :
		    db_fail(rc, "session_cookie_find");
	}
	c->session_id = sqlite3_column_int64(s, 0);
	c->user_id = sqlite3_column_int64(s, 1);
	role = sqlite3_column_text(s, 2);
	if (role == NULL || principal_role_parse((const char *)role, &c->role) == -1)
		c->role = ROLE_USER;
	c->disabled = sqlite3_column_int(s, 3);
	c->token_version = sqlite3_column_int64(s, 4);
	c->last_used_at = sqlite3_column_int64(s, 5);
	sqlite3_reset(s);
	return ERR_NONE;
}

enum err
session_cookie_touch(const struct session_cookie *c, const char *user_agent,
    const char *ip, int64_t now)
{
	sqlite3_stmt *s;
	char ua[USER_AGENT_MAX + 1];

	if (now - c->last_used_at < SESSION_TOUCH_INTERVAL)
		return ERR_NONE;
	s = db_stmt(STMT_COOKIE_TOUCH);
	user_agent_clean(user_agent, ua);
	sqlite3_bind_int64(s, 1, c->session_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, config.cookie_idle_ttl);
	sqlite3_bind_text(s, 4, ua, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, SESSION_TOUCH_INTERVAL);
	return db_step_done(s, "session_cookie_touch");
}

/* Fills *row from the current row of s, a SESSION_COLUMNS query. */
static enum err
session_fill(struct arena *a, sqlite3_stmt *s, struct session_row *row)
{
	row->id = sqlite3_column_int64(s, 0);
	row->created_at = sqlite3_column_int64(s, 1);
	row->last_used_at = sqlite3_column_int64(s, 2);
	row->user_agent = db_column_text(a, s, 3);
	row->ip = db_column_text(a, s, 4);
	if (row->user_agent == NULL || row->ip == NULL ||
	    session_kind_parse((const char *)sqlite3_column_text(s, 5),
	    &row->kind) == -1)
		return ERR_INTERNAL;
	return ERR_NONE;
}

enum err
session_count(int64_t user_id, int64_t now, int64_t *total)
{
	sqlite3_stmt *s = db_stmt(STMT_SESSION_COUNT);
	int rc;

	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	*total = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_NONE : db_fail(rc, "session_count");
}

enum err
session_list(struct arena *a, int64_t user_id, int64_t now,
    const struct cursor_params *p, struct session_row **rows, size_t *n)
{
	sqlite3_stmt *s;
	struct session_row *out;
	size_t max = (size_t)p->limit + 1;
	int rc = SQLITE_DONE, cursor = p->mode == CURSOR_KEYSET;
	enum err e;

	*n = 0;
	if ((out = arena_alloc(a, max * sizeof(*out))) == NULL)
		return ERR_INTERNAL;
	s = db_stmt(p->desc ? STMT_SESSION_LIST_DESC : STMT_SESSION_LIST_ASC);
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int(s, 3, cursor && p->after);
	sqlite3_bind_int64(s, 4, p->after_int);
	sqlite3_bind_int64(s, 5, p->after_id);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)max);
	sqlite3_bind_int64(s, 7, cursor ? 0 : cursor_offset(p));
	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((e = session_fill(a, s, &out[(*n)++])) != ERR_NONE) {
			sqlite3_reset(s);
			return e;
		}
	sqlite3_reset(s);
	if (*n < max && rc != SQLITE_DONE)
		return db_fail(rc, "session_list");
	*rows = out;
	return ERR_NONE;
}

char *
session_cursor(struct arena *a, const struct cursor_params *p,
    const struct session_row *row)
{
	return cursor_make(a, p, session_sorts, row->created_at, NULL, row->id);
}

#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/text.h"
#include "store/db.h"
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
	struct db_stmt *st = db_prepare(STMT_REFRESH_INSERT);

	db_bind_blob(st, 1, hash, SECRET_HASH_BYTES);
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, expires);
	return db_done(st, "refresh_insert");
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
	struct db_stmt *st = db_prepare(STMT_SESSION_INSERT);
	char ua[USER_AGENT_MAX + 1];
	int64_t expires = now + config.refresh_ttl, idle;
	enum err e;

	idle = idle_expiry(now, expires);
	user_agent_clean(user_agent, ua);
	db_bind_int(st, 1, user_id);
	db_bind_str(st, 2, ua);
	db_bind_str(st, 3, ip);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, idle);
	db_bind_int(st, 6, expires);
	if ((e = db_done(st, "session_create")) != ERR_NONE)
		return e;
	*id = db_last_id();
	return refresh_insert(first, *id, now, idle);
}

/* The role named in column col of st's row; ROLE_USER for an unknown name. */
static enum role
row_role(struct db_stmt *st, int col)
{
	enum role r;

	return principal_role_parse(db_text_view(st, col), &r) == 0 ? r :
	    ROLE_USER;
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
	struct db_stmt *st = db_prepare(STMT_REFRESH_FIND);
	enum err e;

	memset(ref, 0, sizeof(*ref));
	ref->state = SESSION_INVALID;
	db_bind_blob(st, 1, hash, SECRET_HASH_BYTES);
	if (db_next(st)) {
		ref->session_id = db_int(st, 0);
		ref->user_id = db_int(st, 3);
		ref->expires_at = db_int(st, 5);
		ref->role = row_role(st, 6);
		ref->disabled = (int)db_int(st, 7);
		ref->token_version = db_int(st, 8);
		ref->state = session_judge((int)db_int(st, 4), ref->expires_at,
		    db_int(st, 1), !db_is_null(st, 2), db_int(st, 2), now);
	}
	if ((e = db_finish(st, "session_find")) != ERR_NONE)
		ref->state = SESSION_INVALID;
	return e;
}

/* Spends token old of ref and adds next to its family, recording the use. */
static enum err
rotate_current(const struct session_ref *ref,
    const unsigned char old[SECRET_HASH_BYTES],
    const unsigned char next[SECRET_HASH_BYTES], const char *user_agent,
    const char *ip, int64_t now)
{
	struct db_stmt *st;
	char ua[USER_AGENT_MAX + 1];
	int64_t idle = idle_expiry(now, ref->expires_at);
	enum err e;

	st = db_prepare(STMT_REFRESH_SPEND);
	db_bind_blob(st, 1, old, SECRET_HASH_BYTES);
	db_bind_int(st, 2, now);
	if ((e = db_done(st, "session_rotate")) != ERR_NONE ||
	    (e = refresh_insert(next, ref->session_id, now, idle)) != ERR_NONE)
		return e;
	user_agent_clean(user_agent, ua);
	st = db_prepare(STMT_SESSION_TOUCH);
	db_bind_int(st, 1, ref->session_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, idle);
	db_bind_str(st, 4, ua);
	db_bind_str(st, 5, ip);
	return db_done(st, "session_touch");
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
	struct db_stmt *st = db_prepare(which);
	enum err e;

	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, now);
	db_bind_str(st, 4, reason);
	if ((e = db_done(st, "session_revoke")) != ERR_NONE)
		return e;
	*n = db_changes();
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
	struct db_stmt *st = db_prepare(STMT_SESSION_BUMP_VERSION);

	db_bind_int(st, 1, user_id);
	return db_done(st, "session_bump_version");
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
	struct db_stmt *st = db_prepare(STMT_COOKIE_INSERT);
	char ua[USER_AGENT_MAX + 1];
	int64_t expires = now + config.cookie_ttl;
	int64_t idle = now + config.cookie_idle_ttl;
	enum err e;

	user_agent_clean(user_agent, ua);
	db_bind_int(st, 1, user_id);
	db_bind_str(st, 2, ua);
	db_bind_str(st, 3, ip);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, idle < expires ? idle : expires);
	db_bind_int(st, 6, expires);
	db_bind_blob(st, 7, hash, SECRET_HASH_BYTES);
	if ((e = db_done(st, "session_cookie_create")) != ERR_NONE)
		return e;
	*id = db_last_id();
	return ERR_NONE;
}

enum err
session_cookie_find(const unsigned char hash[SECRET_HASH_BYTES], int64_t now,
    struct session_cookie *c)
{
	struct db_stmt *st = db_prepare(STMT_COOKIE_AUTH);
	int found;
	enum err e;

	memset(c, 0, sizeof(*c));
	db_bind_blob(st, 1, hash, SECRET_HASH_BYTES);
	db_bind_int(st, 2, now);
	if ((found = db_next(st)) == 1) {
		c->session_id = db_int(st, 0);
		c->user_id = db_int(st, 1);
		c->role = row_role(st, 2);
		c->disabled = (int)db_int(st, 3);
		c->token_version = db_int(st, 4);
		c->last_used_at = db_int(st, 5);
	}
	if ((e = db_finish(st, "session_cookie_find")) != ERR_NONE)
		return e;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
session_cookie_touch(const struct session_cookie *c, const char *user_agent,
    const char *ip, int64_t now)
{
	struct db_stmt *st;
	char ua[USER_AGENT_MAX + 1];

	if (now - c->last_used_at < SESSION_TOUCH_INTERVAL)
		return ERR_NONE;
	st = db_prepare(STMT_COOKIE_TOUCH);
	user_agent_clean(user_agent, ua);
	db_bind_int(st, 1, c->session_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, config.cookie_idle_ttl);
	db_bind_str(st, 4, ua);
	db_bind_str(st, 5, ip);
	db_bind_int(st, 6, SESSION_TOUCH_INTERVAL);
	return db_done(st, "session_cookie_touch");
}

enum err
session_auth(int64_t user_id, int64_t sid, int64_t now,
    struct session_auth *out)
{
	struct db_stmt *st = db_prepare(STMT_SESSION_AUTH);
	int found;
	enum err e;

	memset(out, 0, sizeof(*out));
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, now);
	if ((found = db_next(st)) == 1) {
		out->role = row_role(st, 0);
		out->disabled = (int)db_int(st, 1);
		out->token_version = db_int(st, 2);
		out->live = (int)db_int(st, 3);
	}
	if ((e = db_finish(st, "session_auth")) != ERR_NONE)
		return e;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

/*
 * Fills *row from the current row of st, a SESSION_COLUMNS query.  -1 for
 * a kind this build does not know.
 */
static int
session_fill(struct arena *a, struct db_stmt *st, struct session_row *row)
{
	row->id = db_int(st, 0);
	row->created_at = db_int(st, 1);
	row->last_used_at = db_int(st, 2);
	row->user_agent = db_text(st, a, 3);
	row->ip = db_text(st, a, 4);
	return session_kind_parse(db_text_view(st, 5), &row->kind);
}

enum err
session_count(int64_t user_id, int64_t now, int64_t *total)
{
	struct db_stmt *st = db_prepare(STMT_SESSION_COUNT);

	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, now);
	*total = db_next(st) ? db_int(st, 0) : 0;
	return db_finish(st, "session_count");
}

enum err
session_list(struct arena *a, int64_t user_id, int64_t now,
    const struct cursor_params *p, struct session_row **rows, size_t *n)
{
	struct db_stmt *st;
	struct session_row *out;
	size_t max = (size_t)p->limit + 1;
	int cursor = p->mode == CURSOR_KEYSET, bad = 0;
	enum err e;

	*n = 0;
	if ((out = arena_alloc(a, max * sizeof(*out))) == NULL)
		return ERR_INTERNAL;
	st = db_prepare(p->desc ? STMT_SESSION_LIST_DESC : STMT_SESSION_LIST_ASC);
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, cursor && p->after);
	db_bind_int(st, 4, p->after_int);
	db_bind_int(st, 5, p->after_id);
	db_bind_int(st, 6, (int64_t)max);
	db_bind_int(st, 7, cursor ? 0 : cursor_offset(p));
	while (!bad && *n < max && db_next(st))
		bad = session_fill(a, st, &out[(*n)++]) == -1;
	if ((e = db_finish(st, "session_list")) != ERR_NONE)
		return e;
	if (bad)
		return ERR_INTERNAL;
	*rows = out;
	return ERR_NONE;
}

char *
session_cursor(struct arena *a, const struct cursor_params *p,
    const struct session_row *row)
{
	return cursor_make(a, p, session_sorts, row->created_at, NULL, row->id);
}

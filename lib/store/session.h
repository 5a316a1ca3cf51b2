/*
 * session: logins and the secrets that keep them going.
 *
 * A session is one login.  An API session ("token" kind) holds a family of
 * refresh tokens: each use spends the token and adds its successor.  A
 * spent token presented again within the grace interval
 * (QUILL_REFRESH_GRACE) gets the same successor again, so two tabs
 * refreshing at once both keep working, and a token never has two
 * successors; after it, the replay ends the whole session.  Tokens are
 * secrets (base/secret): only their SHA-256 is stored, and looked up by
 * that hash.
 *
 * A browser session ("cookie" kind) is found by the hash of its cookie's
 * value; its idle expiry moves forward as it is used, recorded at most
 * once a minute (SESSION_TOUCH_INTERVAL), so reads seldom write.  Its
 * CSRF token (secret_csrf_token) is an HMAC of the cookie's hash under the
 * signing key: it needs no storage and changes with every login.
 */
#ifndef QUILL_SESSION_H
#define QUILL_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/principal.h"
#include "base/secret.h"
#include "pure/cursor.h"

/* Seconds between two records of a cookie session's use. */
#define SESSION_TOUCH_INTERVAL	60

/* What a presented refresh token turned out to be. */
enum session_state {
	SESSION_INVALID,	/* unknown, expired, or its session is over */
	SESSION_CURRENT,	/* not spent yet */
	SESSION_GRACE,		/* spent within the grace interval */
	SESSION_REUSED		/* spent before the grace interval: a replay */
};

/* A refresh token's session and user, as session_find saw them. */
struct session_ref {
	enum session_state state;
	int64_t		 session_id;
	int64_t		 user_id;
	int64_t		 expires_at;	/* the session's absolute expiry */
	enum role	 role;
	int		 disabled;
	int64_t		 token_version;
};

/* What an access token's session and user are now, as session_auth saw them. */
struct session_auth {
	enum role	 role;
	int		 disabled;
	int64_t		 token_version;
	int		 live;		/* not revoked, not expired */
};

/* A live cookie session and its user, as session_cookie_find saw them. */
struct session_cookie {
	int64_t		 session_id;
	int64_t		 user_id;
	enum role	 role;
	int		 disabled;
	int64_t		 token_version;
	int64_t		 last_used_at;
};

/* The two kinds of login, and their names in the kind column and the list. */
enum session_kind {
	SESSION_TOKEN,		/* an API login with refresh tokens */
	SESSION_COOKIE,		/* a browser login with a session cookie */
	SESSION_KIND__MAX
};
extern const char *const session_kind_names[SESSION_KIND__MAX];

/* Parses a kind's name into *out; -1 when it is not one. */
int session_kind_parse(const char *s, enum session_kind *out);

/* A live session as the session list shows it; strings in the arena. */
struct session_row {
	int64_t		 id;
	enum session_kind kind;
	int64_t		 created_at;
	int64_t		 last_used_at;
	const char	*user_agent;	/* "" when none was sent */
	const char	*ip;
};

/* The sort orders of GET /auth/sessions. */
extern const struct cursor_sort session_sorts[];
#define SESSION_NSORTS 1

/*
 * Starts an API session for user_id with its first refresh token (hash
 * first), expiring after the configured idle and absolute lifetimes;
 * user_agent and ip are kept for the session list.  *id receives the new
 * session's id.  Call inside a write transaction.
 */
enum err session_create(int64_t user_id, const char *user_agent,
    const char *ip, const unsigned char first[SECRET_HASH_BYTES], int64_t now,
    int64_t *id);

/* Finds the refresh token whose hash is hash and judges it at now. */
enum err session_find(const unsigned char hash[SECRET_HASH_BYTES],
    int64_t now, struct session_ref *ref);

/*
 * Trades the refresh token text (len bytes, hashing to old) of ref for its
 * successor, into *next.  A current token is spent, its successor joins
 * the family and the use is recorded (time, user agent, address); the
 * successor's idle expiry never passes the session's absolute one.  A
 * token spent within the grace interval gets the successor it already
 * has, while that is unspent; ERR_NOT_FOUND when it is not, or for a token
 * in any other state: a token never has two successors.  The successor is
 * a MAC of the token under the signing key, so the same one comes back
 * without being stored.  Call inside a write transaction.
 */
enum err session_rotate(const struct session_ref *ref, const char *text,
    size_t len, const unsigned char old[SECRET_HASH_BYTES],
    struct secret *next, const char *user_agent, const char *ip,
    int64_t now);

/*
 * Ends session id of user_id for reason; ERR_NOT_FOUND when it is not a
 * live session of theirs.  Its access tokens fail from the next request.
 * Call inside a write transaction.
 */
enum err session_revoke(int64_t id, int64_t user_id, int64_t now,
    const char *reason);

/*
 * Ends every live session of user_id except keep (0: none); *n, when not
 * NULL, receives how many.  Call inside a write transaction.
 */
enum err session_revoke_all(int64_t user_id, int64_t keep, int64_t now,
    const char *reason, int64_t *n);

/*
 * Ends the user's access everywhere but session keep (0: none): every
 * other session, refresh-token families and cookie sessions alike, ends
 * (session_revoke_all), and every access token, keep's included, fails
 * from the next request (the token version moves on).  The one way to end
 * a user's access: logout everywhere, a password change or reset, a new
 * role, a new email, disabling and deleting all come here, so what is
 * ended stays ended whatever happens to the account later (enabling it
 * again).  Call inside the write transaction of the change itself.
 */
enum err session_revoke_user(int64_t user_id, int64_t keep, int64_t now,
    const char *reason);

/*
 * Starts a browser session for user_id whose cookie's value hashes to
 * hash, expiring after QUILL_COOKIE_IDLE_TTL unused and
 * QUILL_COOKIE_ABSOLUTE_TTL in all; *id receives its id.  Call inside a
 * write transaction.
 */
enum err session_cookie_create(int64_t user_id, const char *user_agent,
    const char *ip, const unsigned char hash[SECRET_HASH_BYTES], int64_t now,
    int64_t *id);

/*
 * Reads session sid of user_id and its user, for an access token that
 * names them, judged at now: ERR_NONE with *out filled (the caller judges
 * it), ERR_NOT_FOUND when there is no such session, or a database error.
 * One read, no write.
 */
enum err session_auth(int64_t user_id, int64_t sid, int64_t now,
    struct session_auth *out);

/*
 * Finds the cookie session whose cookie hashes to hash, live at now (not
 * revoked, neither expiry passed): ERR_NONE with *c filled, ERR_NOT_FOUND,
 * or a database error.  Reads only.
 */
enum err session_cookie_find(const unsigned char hash[SECRET_HASH_BYTES],
    int64_t now, struct session_cookie *c);

/*
 * Records that cookie session c was used at now (time, user agent,
 * address) and pushes its idle expiry forward, unless that was recorded
 * less than SESSION_TOUCH_INTERVAL seconds ago: then it writes nothing.
 * Outside a transaction it is a write of its own.
 */
enum err session_cookie_touch(const struct session_cookie *c,
    const char *user_agent, const char *ip, int64_t now);

/*
 * The page of live sessions of user_id at now that p describes: *rows (in
 * the arena) receives up to p->limit + 1 of them, *n how many; a row
 * beyond p->limit means that a next page exists.
 */
enum err session_list(struct arena *a, int64_t user_id, int64_t now,
    const struct cursor_params *p, struct session_row **rows, size_t *n);

/* The number of live sessions of user_id at now, for offset pages. */
enum err session_count(int64_t user_id, int64_t now, int64_t *total);

/* The cursor of the page that follows row in the order of p, or NULL. */
char *session_cursor(struct arena *a, const struct cursor_params *p,
    const struct session_row *row);

#endif

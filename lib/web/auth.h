/*
 * auth: who is calling.  A Bearer access token becomes a principal
 * {user id, role, session} once the token verifies and the user's current
 * token version, role and status, and the state of the token's session, are
 * read from the database.  Without one, the session cookie of a form login
 * does the same.
 *
 * And whether an unsafe request may act at all: one that a browser would
 * send with the cookie, or that carries a form (which any site can make a
 * browser post), must be shown to come from this site (auth_csrf).
 */
#ifndef QUILL_AUTH_H
#define QUILL_AUTH_H

#include <stddef.h>

#include <stdint.h>

#include "web/http.h"

/* Room for a CSRF token and its NUL. */
#define AUTH_CSRF_TOKEN_SIZE 44

/*
 * The cross-site request check, run by app before every handler.  An
 * unsafe request (POST, PUT, PATCH, DELETE) that carries a form, or that
 * carries the session cookie and no Authorization header, must come from
 * QUILL_PUBLIC_ORIGIN (header_origin); a CSRF token it sends (header
 * X-CSRF-Token or form field csrfToken) must be the cookie session's, and
 * then r->csrf_token_ok is set.  ERR_CSRF_FAILED (logged) otherwise.
 */
enum err auth_csrf(struct req *r);

/*
 * Writes the CSRF token of the caller's session cookie into out and
 * returns 0, or -1 when the caller was not identified by the cookie.
 */
int auth_csrf_token(const struct req *r, char out[AUTH_CSRF_TOKEN_SIZE]);

struct session_cookie;

/*
 * The live cookie session whose cookie r carries, at now, into *c:
 * ERR_NONE, ERR_NOT_FOUND when r has none or it is not live (revoked,
 * expired, malformed), or a database error.  Reads only.
 */
enum err auth_cookie_session(const struct req *r, int64_t now,
    struct session_cookie *c);

/*
 * Sets r->who from the Authorization header.  No credentials: anonymous,
 * ERR_NONE.  Credentials that do not verify, a disabled user, a stale token
 * version or a session that has ended: ERR_UNAUTHENTICATED (with
 * r->token_sent set).
 *
 * Without an Authorization header, the session cookie: a live cookie
 * session of a user who is not disabled identifies them (r->who.cookie
 * set) and its use is recorded (session_cookie_touch); any other cookie is
 * dropped (reply_cookie_clear) and the caller is anonymous.  An unsafe
 * request identified by the cookie without a matching CSRF token is
 * ERR_CSRF_FAILED when QUILL_CSRF_TOKEN_REQUIRED is 1.
 */
enum err auth_identify(struct req *r);

/*
 * auth_identify, and an anonymous caller is ERR_UNAUTHENTICATED.  A caller
 * whose role QUILL_MFA_REQUIRED_ROLES names and who has not turned
 * two-factor sign-in on is ERR_MFA_REQUIRED: enrolment is all they may do.
 */
enum err auth_require(struct req *r);

/* auth_require without the enrolment gate, for the routes of enrolment. */
enum err auth_require_enrolling(struct req *r);

/*
 * auth_require, and a caller whose address is not confirmed is
 * ERR_EMAIL_UNVERIFIED unless QUILL_REQUIRE_VERIFIED is none: for the
 * routes that write posts.
 */
enum err auth_require_verified(struct req *r);

/* auth_require, and a caller whose role is below min is ERR_FORBIDDEN. */
enum err auth_require_role(struct req *r, enum role min);

/*
 * For a dangerous change (docs/auth.md): ERR_NONE when the caller's
 * session signed in in full (the password, and a code where two-factor
 * sign-in is on) within QUILL_RECENT_LOGIN seconds of now, else
 * ERR_REAUTH_REQUIRED.  Call after auth_require.  Reads only.
 */
enum err auth_require_recent(struct req *r, int64_t now);

/* The same for session sid of user uid, however its caller came. */
enum err auth_session_recent(int64_t sid, int64_t uid, int64_t now);

struct user;
struct vvalue;

/*
 * Whether pw is u's current password, which the caller must prove before
 * some changes.  Argon2: call with no transaction open (a route's
 * .handle).  Writes nothing: ERR_NONE with *wrong 0 when it is right, 1
 * when it is wrong (then .write calls auth_wrong_current).  A locked
 * account is ERR_RATE_LIMITED; no free Argon2 slot is ERR_UNAVAILABLE.
 */
enum err auth_verify_current(struct req *r, const struct user *u,
    const struct vvalue *pw, int64_t now, int *wrong);

/*
 * For .write, when auth_verify_current found the password wrong: counts a
 * failed login of u's account (the QUILL_LOGIN_* back-off), logs it, and
 * answers ERR_VALIDATION with an invalid_value detail on field, the body
 * field the password came in; a failure of the store is its error.  The
 * count must stand: return app_keep(r, auth_wrong_current(...)).
 */
enum err auth_wrong_current(struct req *r, const struct user *u,
    const char *field, int64_t now);

/*
 * Counts one write of the caller, r->who.user_id, against the write limit
 * of users and posts (QUILL_RATE_WRITE): ERR_RATE_LIMITED when it is over.
 * In .write, before changing anything.
 */
enum err auth_write_limit(struct req *r);

#endif

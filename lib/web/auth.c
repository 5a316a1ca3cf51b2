#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "web/auth.h"
#include "base/config.h"
#include "pure/cookie.h"
#include "pure/header.h"
#include "store/db.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/mfa.h"
#include "base/password.h"
#include "store/ratelimit.h"
#include "web/reply.h"
#include "base/secret.h"
#include "store/session.h"
#include "pure/token.h"
#include "store/user.h"

_Static_assert(AUTH_CSRF_TOKEN_SIZE == SECRET_LEN + 1,
    "AUTH_CSRF_TOKEN_SIZE does not fit a CSRF token");

/*
 * Admits the token's user into r->who when its session is live, the user
 * enabled and the token of the user's current version.
 */
static enum err
auth_load(struct req *r, const struct token_claims *c)
{
	struct session_auth sa;
	enum err e;

	e = session_auth(c->sub, c->sid, (int64_t)time(NULL), &sa);
	if (e == ERR_NOT_FOUND)
		return ERR_UNAUTHENTICATED;
	if (e != ERR_NONE)
		return e;
	if (sa.disabled || sa.token_version != c->ver || !sa.live)
		return ERR_UNAUTHENTICATED;
	r->who.user_id = c->sub;
	r->who.role = sa.role;
	r->who.token_version = sa.token_version;
	r->who.session_id = c->sid;
	return ERR_NONE;
}

/* 1 for the methods that change something. */
static int
method_unsafe(enum method m)
{
	return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

/* 1 when r carries an Authorization header. */
static int
authorization_sent(const struct req *r)
{
	const char *h = http_authorization(r);

	return h != NULL && *h != '\0';
}

/*
 * Looks for the session cookie: 0 when r has none; 1 with the hash of its
 * value in hash; -1 when it is there but cannot be one of ours (given
 * twice, or not the shape of a secret).
 */
static int
cookie_hash(const struct req *r, unsigned char hash[SECRET_HASH_BYTES])
{
	const char *h = http_env(r, "HTTP_COOKIE"), *v;
	size_t len;
	int rc;

	if (h == NULL || (rc = cookie_get(h, COOKIE_SESSION, &v, &len)) == 0)
		return 0;
	if (rc < 0 || secret_hash(v, len, hash) == -1)
		return -1;
	return 1;
}

/* Why a request failed the origin check, for the client. */
static const char *const origin_messages[HEADER_ORIGIN__MAX] = {
	[HEADER_ORIGIN_SAME] = "",
	[HEADER_ORIGIN_CROSS] = "This request was sent from another site "
	    "(Sec-Fetch-Site); use the forms of this site.",
	[HEADER_ORIGIN_OTHER] = "This request was sent from another origin "
	    "(Origin); use the forms of this site.",
	[HEADER_ORIGIN_REFERER] = "This request was sent from a page of another "
	    "site (Referer); use the forms of this site.",
	[HEADER_ORIGIN_UNKNOWN] = "This request has no Sec-Fetch-Site, Origin "
	    "or Referer header, so it cannot be shown to come from this site; "
	    "a browser sends one, other clients should use a Bearer token.",
};

/* Refuses r as a cross-site request for reason (logged) with message. */
static enum err
csrf_refused(struct req *r, const char *reason, const char *message)
{
	log_event(LOG_WARN, "csrf_failed", r->request_id, "reason", reason,
	    "path", r->path, "client", r->client, NULL);
	return http_fail(r, ERR_CSRF_FAILED, message);
}

/*
 * The CSRF tokens r sends: the X-CSRF-Token header and the csrfToken
 * field.  An empty one is not sent: a form whose script did not run.
 */
static size_t
csrf_tokens_sent(const struct req *r, const char *tok[2], size_t len[2])
{
	const struct form_field *f;
	const char *h = http_env(r, "HTTP_X_CSRF_TOKEN");
	size_t n = 0;

	if (h != NULL && *h != '\0') {
		tok[n] = h;
		len[n++] = strlen(h);
	}
	if (r->body_kind == BODY_FORM &&
	    (f = form_get(&r->form, "csrfToken")) != NULL && f->value_len > 0) {
		tok[n] = f->value;
		len[n++] = f->value_len;
	}
	return n;
}

enum err
auth_csrf(struct req *r)
{
	unsigned char hash[SECRET_HASH_BYTES];
	const char *tok[2];
	size_t len[2], n, i;
	enum header_origin o;
	int cookie;

	if (!method_unsafe(r->method))
		return ERR_NONE;
	cookie = cookie_hash(r, hash);
	if (r->body_kind != BODY_FORM &&
	    (cookie == 0 || authorization_sent(r)))
		return ERR_NONE;
	o = header_origin(http_env(r, "HTTP_SEC_FETCH_SITE"),
	    http_env(r, "HTTP_ORIGIN"), http_env(r, "HTTP_REFERER"),
	    config.public_origin);
	if (o != HEADER_ORIGIN_SAME)
		return csrf_refused(r, header_origin_names[o],
		    origin_messages[o]);
	n = csrf_tokens_sent(r, tok, len);
	for (i = 0; i < n; i++)
		if (cookie != 1 || !secret_csrf_verify(config.key,
		    config.key_len, hash, tok[i], len[i]))
			return csrf_refused(r, "token", "The CSRF token does not "
			    "belong to this session; reload the form and send "
			    "it again.");
	r->csrf_token_ok = n > 0;
	return ERR_NONE;
}

int
auth_csrf_token(const struct req *r, char out[AUTH_CSRF_TOKEN_SIZE])
{
	unsigned char hash[SECRET_HASH_BYTES];

	if (!r->who.cookie || cookie_hash(r, hash) != 1)
		return -1;
	secret_csrf_token(config.key, config.key_len, hash, out);
	return 0;
}

enum err
auth_cookie_session(const struct req *r, int64_t now, struct session_cookie *c)
{
	unsigned char hash[SECRET_HASH_BYTES];

	if (cookie_hash(r, hash) != 1)
		return ERR_NOT_FOUND;
	return session_cookie_find(hash, now, c);
}

/*
 * The cookie half of auth_identify: the session cookie, when r has one,
 * identifies its live session's user; any other is dropped.
 */
static enum err
auth_cookie(struct req *r)
{
	unsigned char hash[SECRET_HASH_BYTES];
	struct session_cookie c;
	int64_t now = time(NULL);
	enum err e;

	if (cookie_hash(r, hash) == 0)
		return ERR_NONE;
	e = auth_cookie_session(r, now, &c);
	if (e == ERR_NOT_FOUND || (e == ERR_NONE && c.disabled)) {
		log_event(LOG_INFO, "cookie_rejected", r->request_id, "client",
		    r->client, NULL);
		reply_cookie_clear(r);
		return ERR_NONE;
	}
	if (e != ERR_NONE)
		return e;
	if (method_unsafe(r->method) && config.csrf_token_required &&
	    !r->csrf_token_ok)
		return http_fail(r, ERR_CSRF_FAILED, "This site requires a CSRF "
		    "token (GET /api/v1/auth/csrf) in the X-CSRF-Token header "
		    "or the csrfToken field; reload the form and send it again.");
	/* Best effort: a busy database must not fail the request itself. */
	(void)session_cookie_touch(&c, http_env(r, "HTTP_USER_AGENT"),
	    r->client, now);
	r->who.user_id = c.user_id;
	r->who.role = c.role;
	r->who.token_version = c.token_version;
	r->who.session_id = c.session_id;
	r->who.cookie = 1;
	return ERR_NONE;
}

enum err
auth_identify(struct req *r)
{
	const char *h = http_authorization(r), *tok;
	struct token_claims c;
	enum token_result tr;
	size_t len;
	enum err e;

	if (h == NULL || *h == '\0')
		return auth_cookie(r);
	r->token_sent = 1;
	if (header_bearer(h, &tok, &len) == -1)
		return http_fail(r, ERR_UNAUTHENTICATED,
		    "Use an Authorization: Bearer access token.");
	tr = token_verify_access(tok, len, time(NULL), &c);
	if (tr != TOKEN_OK) {
		log_event(LOG_INFO, "token_rejected", r->request_id, "reason",
		    token_result_name(tr), NULL);
		return http_fail(r, ERR_UNAUTHENTICATED,
		    "The access token is invalid or has expired.");
	}
	if ((e = auth_load(r, &c)) == ERR_UNAUTHENTICATED)
		return http_fail(r, ERR_UNAUTHENTICATED,
		    "The access token is invalid or has expired.");
	return e;
}

enum err
auth_require_enrolling(struct req *r)
{
	enum err e;

	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	if (r->who.user_id == 0)
		return ERR_UNAUTHENTICATED;
	return ERR_NONE;
}

enum err
auth_require(struct req *r)
{
	struct mfa_totp t;
	enum err e;

	if ((e = auth_require_enrolling(r)) != ERR_NONE ||
	    (config.mfa_required & 1u << r->who.role) == 0)
		return e;
	if ((e = mfa_totp_get(r->who.user_id, &t)) == ERR_NOT_FOUND ||
	    (e == ERR_NONE && t.enabled_at == 0))
		return ERR_MFA_REQUIRED;
	return e;
}

enum err
auth_require_verified(struct req *r)
{
	struct user u;
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE ||
	    config.require_verified == CONFIG_VERIFIED_NONE)
		return e;
	if ((e = user_get(r->arena, r->who.user_id, &u)) != ERR_NONE)
		return e == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : e;
	return u.verified_at != 0 ? ERR_NONE : ERR_EMAIL_UNVERIFIED;
}

enum err
auth_require_role(struct req *r, enum role min)
{
	enum err e;

	if ((e = auth_require(r)) != ERR_NONE)
		return e;
	if (r->who.role < min)
		return ERR_FORBIDDEN;
	return ERR_NONE;
}

enum err
auth_require_recent(struct req *r, int64_t now)
{
	return auth_session_recent(r->who.session_id, r->who.user_id, now);
}

enum err
auth_session_recent(int64_t sid, int64_t uid, int64_t now)
{
	int64_t at;
	enum err e;

	e = mfa_signin_get(sid, uid, &at);
	if (e == ERR_NOT_FOUND)		/* the session ended meanwhile */
		return ERR_UNAUTHENTICATED;
	if (e != ERR_NONE)
		return e;
	return now - at <= config.recent_login ? ERR_NONE :
	    ERR_REAUTH_REQUIRED;
}

enum err
auth_verify_current(struct req *r, const struct user *u,
    const struct vvalue *pw, int64_t now, int *wrong)
{
	enum password_verdict pv;
	enum err e;

	*wrong = 0;
	if ((e = ratelimit_login_check(u->email, strlen(u->email), now,
	    &r->rate)) != ERR_NONE)
		return e;
	pv = password_verify(u->password_hash, pw->str, pw->len);
	if (pv == PASSWORD_OK || pv == PASSWORD_OK_REHASH)
		return ERR_NONE;
	if (pv == PASSWORD_BUSY)
		return ERR_UNAVAILABLE;
	if (pv == PASSWORD_ERROR)
		return ERR_INTERNAL;
	*wrong = 1;
	return ERR_NONE;
}

enum err
auth_wrong_current(struct req *r, const struct user *u, const char *field,
    int64_t now)
{
	char uid[24];
	enum err e;

	if ((e = ratelimit_login_failed(u->email, strlen(u->email), now)) !=
	    ERR_NONE)
		return e;
	metrics_count(MET_LOGIN_REAUTH);
	snprintf(uid, sizeof(uid), "%lld", (long long)u->id);
	log_event(LOG_INFO, "current_password_wrong", r->request_id, "userId",
	    uid, "client", r->client, NULL);
	valid_add(&r->details, field, "invalid_value",
	    "The current password is incorrect.");
	return ERR_VALIDATION;
}

enum err
auth_write_limit(struct req *r)
{
	char key[24];

	snprintf(key, sizeof(key), "%lld", (long long)r->who.user_id);
	return ratelimit_hit(RL_WRITE, key, (int64_t)time(NULL), &r->rate);
}

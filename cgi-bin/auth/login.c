/*
 * Accounts and sessions: POST /auth/register, /auth/login, /auth/refresh
 * and /auth/logout.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "web/auth.h"
#include "web/app.h"
#include "web/confirm.h"
#include "store/mfa.h"
#include "handlers.h"
#include "pages.h"
#include "base/metrics.h"
#include "base/password.h"
#include "store/ratelimit.h"
#include "web/reply.h"
#include "base/secret.h"
#include "store/session.h"
#include "pure/token.h"
#include "store/user.h"
#include "web/view.h"

enum reg_field { REG_EMAIL, REG_PASSWORD, REG_NAME, REG__MAX };

static const struct vfield reg_fields[REG__MAX] = {
	[REG_EMAIL] = { "email", valid_email, 1 },
	[REG_PASSWORD] = { "password", valid_password, 1 },
	[REG_NAME] = { "name", valid_name, 1 },
};

enum login_field { LOGIN_EMAIL, LOGIN_PASSWORD, LOGIN__MAX };

/* Login checks only that something was sent: old passwords predate policy. */
static const struct vfield login_fields[LOGIN__MAX] = {
	[LOGIN_EMAIL] = { "email", valid_secret, 1 },
	[LOGIN_PASSWORD] = { "password", valid_secret, 1 },
};

enum refresh_field { REFRESH_TOKEN, REFRESH__MAX };

static const struct vfield refresh_fields[REFRESH__MAX] = {
	[REFRESH_TOKEN] = { "refreshToken", valid_secret, 1 },
};

enum logout_field { LOGOUT_TOKEN, LOGOUT_EVERYWHERE, LOGOUT__MAX };

/* Without a refresh token, the session is the access token's. */
static const struct vfield logout_fields[LOGOUT__MAX] = {
	[LOGOUT_TOKEN] = { "refreshToken", valid_secret, 0 },
	[LOGOUT_EVERYWHERE] = { "everywhere", valid_bool, 0 },
};

/* A refresh token that is no use: one answer, whatever the reason. */
static enum err
refresh_refused(struct req *r)
{
	return http_fail(r, ERR_UNAUTHENTICATED,
	    "The refresh token is invalid or has expired; log in again.");
}

/*
 * Answers 200 with a new pair for session sid of user u (and the user's
 * JSON when user is not NULL; it is taken), whose access token says the
 * session last signed in in full at auth_time.  Called inside the
 * transaction that made the refresh token, so a failure here leaves no
 * session behind.
 */
static enum err
pair_answer(struct req *r, int64_t uid, enum role role, int64_t ver,
    int64_t sid, int64_t auth_time, const struct secret *refresh,
    cJSON *user)
{
	char tok[TOKEN_MAX_LEN];
	cJSON *d = NULL;
	enum err e = ERR_INTERNAL;

	if (token_issue_access_at(uid, principal_role_name(role), ver, sid,
	    time(NULL), auth_time, tok, sizeof(tok)) < 0 || (d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "accessToken", tok) == NULL ||
	    cJSON_AddStringToObject(d, "tokenType", "Bearer") == NULL ||
	    cJSON_AddNumberToObject(d, "expiresIn", (double)token_ttl()) == NULL ||
	    cJSON_AddStringToObject(d, "refreshToken", refresh->text) == NULL)
		goto out;
	if (user != NULL && !cJSON_AddItemToObject(d, "user", user))
		goto out;
	user = NULL;
	e = reply_data(r, 200, d);
	d = NULL;
out:
	explicit_bzero(tok, sizeof(tok));
	cJSON_Delete(user);
	cJSON_Delete(d);
	return e;
}

/* What the .handle of a registration found, for its .write. */
struct register_input {
	struct vvalue	 v[REG__MAX];
	char		 hash[PASSWORD_HASH_MAX];
	int64_t		 now;
};

/* POST /api/v1/auth/register */
enum err
auth_register(struct req *r)
{
	struct register_input *in;
	enum err e;

	if ((in = app_state(r, sizeof(*in))) == NULL)
		return ERR_INTERNAL;
	in->now = time(NULL);
	if ((e = http_validate(r, reg_fields, REG__MAX, in->v)) != ERR_NONE ||
	    (e = ratelimit_check(RL_REGISTER, r->client, in->now,
	    &r->rate)) != ERR_NONE)
		return e;
	/* Hash before taking the write lock: it is the slow part. */
	if (password_hash(in->v[REG_PASSWORD].str, in->v[REG_PASSWORD].len,
	    in->hash) == -1)
		return ERR_UNAVAILABLE;
	return ERR_NONE;
}

enum err
auth_register_write(struct req *r)
{
	const struct register_input *in = r->state;
	const struct vvalue *v = in->v;
	struct user u;
	char *loc;
	int64_t id;
	enum err e;

	if ((e = ratelimit_hit(RL_REGISTER, r->client, in->now, &r->rate)) !=
	    ERR_NONE)
		return e;
	e = user_insert(v[REG_EMAIL].str, v[REG_EMAIL].len, v[REG_NAME].str,
	    v[REG_NAME].len, in->hash, ROLE_USER, in->now, &id);
	/* A taken email still counts: probing for accounts is what it slows. */
	if (e == ERR_EMAIL_TAKEN)
		return app_keep(r, e);
	if (e != ERR_NONE || (e = user_get(r->arena, id, &u)) != ERR_NONE ||
	    (e = confirm_send_address(r->arena, &u, in->now)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "user_registered", id, 0);
	r->notice = NOTICE_ACCOUNT_CREATED;
	if ((loc = arena_printf(r->arena, "/api/v1/users/%lld",
	    (long long)id)) == NULL)
		return ERR_INTERNAL;
	return reply_created(r, loc, view_user(&u, 1));
}

/*
 * Records a failed login of the account typed in v and answers 401, the
 * same for an unknown email, a wrong password and a disabled account.
 */
static enum err
login_refused(struct req *r, const struct vvalue *email, int64_t now)
{
	enum err e;

	if ((e = ratelimit_login_failed(email->str, email->len, now)) !=
	    ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "login_failed", 0, 0);
	return app_keep(r, http_fail(r, ERR_UNAUTHENTICATED,
	    "The email or password is incorrect."));
}

/*
 * Checks the password of the account typed in v; *u receives the user.
 * Returns 1 when the login may go ahead; rehash receives a new hash when
 * the stored one has old parameters (else "").  No free Argon2 slot is
 * ERR_UNAVAILABLE in *e, for a known email and an unknown one alike, and
 * counts as no failure.
 */
static int
login_verify(struct req *r, const struct vvalue *v, struct user *u,
    char rehash[PASSWORD_HASH_MAX], enum err *e)
{
	enum password_verdict pv;

	rehash[0] = '\0';
	*e = user_get_by_email(r->arena, v[LOGIN_EMAIL].str, v[LOGIN_EMAIL].len,
	    u);
	if (*e == ERR_NOT_FOUND) {
		pv = password_verify_dummy(v[LOGIN_PASSWORD].str,
		    v[LOGIN_PASSWORD].len);
		*e = pv == PASSWORD_BUSY ? ERR_UNAVAILABLE : ERR_NONE;
		if (pv != PASSWORD_BUSY)
			metrics_count(MET_LOGIN_UNKNOWN_ACCOUNT);
		return 0;
	}
	if (*e != ERR_NONE)
		return 0;
	pv = password_verify(u->password_hash, v[LOGIN_PASSWORD].str,
	    v[LOGIN_PASSWORD].len);
	if (pv == PASSWORD_BUSY) {
		*e = ERR_UNAVAILABLE;
		return 0;
	}
	if ((pv != PASSWORD_OK && pv != PASSWORD_OK_REHASH) || u->disabled) {
		metrics_count(pv != PASSWORD_OK && pv != PASSWORD_OK_REHASH ?
		    MET_LOGIN_WRONG_PASSWORD : MET_LOGIN_DISABLED);
		return 0;
	}
	/* Best effort: a failed rehash leaves the old, still valid hash. */
	if (pv == PASSWORD_OK_REHASH && password_hash(v[LOGIN_PASSWORD].str,
	    v[LOGIN_PASSWORD].len, rehash) == -1)
		rehash[0] = '\0';
	return 1;
}

/*
 * Ends the browser session a form login replaces: the one whose cookie the
 * browser still sends, whoever's it is, so that logging in as someone
 * else on a shared browser leaves no session of the first behind.
 */
static enum err
login_replace(struct req *r, int64_t now)
{
	struct session_cookie c;
	enum err e;

	if ((e = auth_cookie_session(r, now, &c)) == ERR_NOT_FOUND)
		return ERR_NONE;
	if (e != ERR_NONE)
		return e;
	e = session_revoke(c.session_id, c.user_id, now, "replaced");
	return e == ERR_NOT_FOUND ? ERR_NONE : e;
}

enum err
auth_login_open(struct req *r, const struct user *u, enum session_kind kind,
    int64_t now, int64_t *sid)
{
	const char *ua = http_env(r, "HTTP_USER_AGENT");
	struct secret s;
	cJSON *d = NULL;
	enum err e;

	secret_new(&s);
	if (kind == SESSION_TOKEN) {
		if ((e = session_create(u->id, ua, r->client, s.hash, now,
		    sid)) == ERR_NONE)
			e = pair_answer(r, u->id, u->role, u->token_version,
			    *sid, now, &s, view_user(u, 1));
	} else if ((e = login_replace(r, now)) == ERR_NONE &&
	    (e = session_cookie_create(u->id, ua, r->client, s.hash, now,
	    sid)) == ERR_NONE) {
		if ((d = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToObject(d, "user", view_user(u, 1))) {
			cJSON_Delete(d);
			e = ERR_INTERNAL;
		} else {
			reply_cookie_set(r, s.text);
			e = reply_data(r, 200, d);
		}
	}
	explicit_bzero(&s, sizeof(s));
	return e;
}

/* The session a login opens: a form's is a browser's (docs/forms.md). */
static enum session_kind
login_kind(const struct req *r)
{
	return r->body_kind == BODY_FORM ? SESSION_COOKIE : SESSION_TOKEN;
}

/*
 * For an account with two-factor sign-in on, a right password opens no
 * session: it is answered with a challenge to present with a code at POST
 * /auth/mfa (docs/auth.md), and *asked is set.  Otherwise nothing happens.
 */
static enum err
login_challenge(struct req *r, const struct user *u, int64_t now, int *asked)
{
	struct mfa_totp t;
	struct secret s;
	cJSON *d;
	enum err e;

	*asked = 0;
	if ((e = mfa_totp_get(u->id, &t)) == ERR_NOT_FOUND ||
	    (e == ERR_NONE && t.enabled_at == 0))
		return ERR_NONE;
	if (e != ERR_NONE)
		return e;
	*asked = 1;
	if ((e = mfa_challenge_issue(u->id, login_kind(r), now,
	    config.mfa_challenge_ttl, &s)) != ERR_NONE)
		return e;
	if (r->browser && http_form_sent(r))
		e = auth_mfa_signin_page(r, s.text);
	else if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddBoolToObject(d, "mfaRequired", 1) == NULL ||
	    cJSON_AddStringToObject(d, "challengeToken", s.text) == NULL ||
	    cJSON_AddNumberToObject(d, "expiresIn",
	    (double)config.mfa_challenge_ttl) == NULL) {
		cJSON_Delete(d);
		e = ERR_INTERNAL;
	} else
		e = reply_data(r, 200, d);
	explicit_bzero(&s, sizeof(s));
	return e;
}

/* What the .handle of a login found, for its .write. */
struct login_input {
	struct vvalue	 v[LOGIN__MAX];
	struct user	 u;
	char		 rehash[PASSWORD_HASH_MAX];
	int64_t		 now;
	int		 ok;		/* login_verify: it may go ahead */
};

/* POST /api/v1/auth/login */
enum err
auth_login(struct req *r)
{
	struct login_input *in;
	enum err e;

	if ((in = app_state(r, sizeof(*in))) == NULL)
		return ERR_INTERNAL;
	in->now = time(NULL);
	if ((e = http_validate(r, login_fields, LOGIN__MAX, in->v)) !=
	    ERR_NONE ||
	    (e = ratelimit_check(RL_LOGIN, r->client, in->now, &r->rate)) !=
	    ERR_NONE ||
	    (e = ratelimit_login_check(in->v[LOGIN_EMAIL].str,
	    in->v[LOGIN_EMAIL].len, in->now, &r->rate)) != ERR_NONE)
		return e;
	in->ok = login_verify(r, in->v, &in->u, in->rehash, &e);
	return e;
}

enum err
auth_login_write(struct req *r)
{
	const struct login_input *in = r->state;
	const struct vvalue *email = &in->v[LOGIN_EMAIL];
	int64_t sid = 0;
	int asked = 0;
	enum err e;

	if ((e = ratelimit_hit(RL_LOGIN, r->client, in->now, &r->rate)) !=
	    ERR_NONE)
		return e;
	if (!in->ok)
		return login_refused(r, email, in->now);
	/* Said only to whoever knows the password. */
	if (config.require_verified == CONFIG_VERIFIED_LOGIN &&
	    in->u.verified_at == 0) {
		auth_event_log(r, LOG_INFO, "login_unverified", in->u.id, 0);
		return app_keep(r, ERR_EMAIL_UNVERIFIED);
	}
	/*
	 * With a second factor the failures are forgotten only once a code
	 * is right too: else each right password would buy more guesses.
	 */
	if ((in->rehash[0] != '\0' &&
	    (e = user_set_password_hash(in->u.id, in->rehash)) != ERR_NONE) ||
	    (e = login_challenge(r, &in->u, in->now, &asked)) != ERR_NONE ||
	    (!asked && ((e = ratelimit_login_passed(email->str, email->len)) !=
	    ERR_NONE || (e = auth_login_open(r, &in->u, login_kind(r), in->now,
	    &sid)) != ERR_NONE)))
		return e;
	if (in->rehash[0] != '\0')
		auth_event_log(r, LOG_INFO, "password_rehashed", in->u.id, 0);
	if (asked)
		auth_event_log(r, LOG_INFO, "mfa_challenge", in->u.id, 0);
	else
		auth_event_log(r, LOG_INFO, "login", in->u.id, sid);
	r->notice = asked ? NOTICE_NONE : NOTICE_SIGNED_IN;
	return ERR_NONE;
}

/*
 * Looks up the refresh token text (len bytes) at now; *hash receives its
 * hash.  A text that cannot be a token is simply SESSION_INVALID.
 */
static enum err
refresh_lookup(const char *text, size_t len, int64_t now,
    unsigned char hash[SECRET_HASH_BYTES], struct session_ref *ref)
{
	if (secret_hash(text, len, hash) == -1) {
		memset(ref, 0, sizeof(*ref));
		ref->state = SESSION_INVALID;
		return ERR_NONE;
	}
	return session_find(hash, now, ref);
}

/* A spent token came back after the grace interval: end its session. */
static enum err
refresh_replayed(struct req *r, const struct session_ref *ref, int64_t now)
{
	enum err e = session_revoke(ref->session_id, ref->user_id, now,
	    "refresh_reuse");

	if (e != ERR_NONE && e != ERR_NOT_FOUND)
		return e;
	auth_event_log(r, LOG_WARN, "refresh_reuse", ref->user_id,
	    ref->session_id);
	return app_keep(r, refresh_refused(r));
}

/* POST /api/v1/auth/refresh */
enum err
auth_refresh(struct req *r)
{
	return app_validate(r, refresh_fields, REFRESH__MAX);
}

enum err
auth_refresh_write(struct req *r)
{
	const struct vvalue *v = r->state;
	unsigned char old[SECRET_HASH_BYTES];
	struct session_ref ref;
	struct secret next;
	char sid[24];
	int64_t signed_in, now = time(NULL);
	enum err e;

	if ((e = refresh_lookup(v[REFRESH_TOKEN].str, v[REFRESH_TOKEN].len,
	    now, old, &ref)) != ERR_NONE)
		return e;
	if (ref.state == SESSION_REUSED)
		return refresh_replayed(r, &ref, now);
	if (ref.state == SESSION_INVALID || ref.disabled) {
		auth_event_log(r, LOG_INFO, "refresh_rejected", ref.user_id,
		    ref.session_id);
		return refresh_refused(r);
	}
	snprintf(sid, sizeof(sid), "%lld", (long long)ref.session_id);
	if ((e = ratelimit_hit(RL_REFRESH, sid, now, &r->rate)) == ERR_NONE &&
	    (e = session_rotate(&ref, v[REFRESH_TOKEN].str,
	    v[REFRESH_TOKEN].len, old, &next, http_env(r, "HTTP_USER_AGENT"),
	    r->client, now)) == ERR_NONE &&
	    (e = mfa_signin_get(ref.session_id, ref.user_id, &signed_in)) ==
	    ERR_NONE)
		e = pair_answer(r, ref.user_id, ref.role, ref.token_version,
		    ref.session_id, signed_in, &next, NULL);
	explicit_bzero(&next, sizeof(next));
	if (e == ERR_NOT_FOUND) {
		/* Spent within the grace interval, and so is its successor. */
		auth_event_log(r, LOG_INFO, "refresh_rejected", ref.user_id,
		    ref.session_id);
		return app_keep(r, refresh_refused(r));
	}
	return e;
}

/*
 * The session a logout names: the refresh token's when one was sent (it
 * must belong to the caller, if the caller has an access token too), else
 * the access token's.  *uid and *sid receive it.
 */
static enum err
logout_target(struct req *r, const struct vvalue *token, int64_t now,
    int64_t *uid, int64_t *sid)
{
	unsigned char hash[SECRET_HASH_BYTES];
	struct session_ref ref;
	enum err e;

	if (!token->present) {
		if (r->who.user_id == 0)
			return ERR_UNAUTHENTICATED;
		*uid = r->who.user_id;
		*sid = r->who.session_id;
		return ERR_NONE;
	}
	if ((e = refresh_lookup(token->str, token->len, now, hash, &ref)) !=
	    ERR_NONE)
		return e;
	if (ref.state == SESSION_INVALID ||
	    (r->who.user_id != 0 && r->who.user_id != ref.user_id))
		return refresh_refused(r);
	*uid = ref.user_id;
	*sid = ref.session_id;
	return ERR_NONE;
}

/*
 * POST /api/v1/auth/logout.  Logging out everywhere needs a recent sign-in
 * in the session that asks, as ending the other sessions does: a browser,
 * a token or a refresh token left behind must not sign its owner out of
 * every device.  A caller with a cookie or an access token is told before
 * the write (a browser gets the page that asks for the password); one
 * with a refresh token alone, by the write, which knows its session.
 */
enum err
auth_logout(struct req *r)
{
	const struct vvalue *v;
	enum err e;

	if ((e = app_validate(r, logout_fields, LOGOUT__MAX)) != ERR_NONE ||
	    (e = auth_identify(r)) != ERR_NONE)
		return e;
	v = r->state;
	if (r->who.user_id != 0 && v[LOGOUT_EVERYWHERE].present &&
	    v[LOGOUT_EVERYWHERE].b)
		return auth_require_recent(r, time(NULL));
	return ERR_NONE;
}

enum err
auth_logout_write(struct req *r)
{
	const struct vvalue *v = r->state;
	int64_t uid = 0, sid = 0, now = time(NULL);
	int everywhere;
	enum err e;

	everywhere = v[LOGOUT_EVERYWHERE].present && v[LOGOUT_EVERYWHERE].b;
	e = logout_target(r, &v[LOGOUT_TOKEN], now, &uid, &sid);
	if (e == ERR_NONE && everywhere &&
	    (e = auth_session_recent(sid, uid, now)) == ERR_NONE)
		e = session_revoke_user(uid, 0, now, "logout_everywhere");
	else if (e == ERR_NONE &&
	    (e = session_revoke(sid, uid, now, "logout")) == ERR_NOT_FOUND)
		e = refresh_refused(r);
	if (e != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, everywhere ? "logout_everywhere" :
	    "session_revoked", uid, everywhere ? 0 : sid);
	r->notice = everywhere ? NOTICE_SIGNED_OUT_EVERYWHERE : NOTICE_SIGNED_OUT;
	if (r->who.cookie)
		reply_cookie_clear(r);
	return reply_empty(r);
}

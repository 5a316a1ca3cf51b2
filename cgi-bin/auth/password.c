/*
 * Forgotten and changed passwords: POST /auth/password/forgot,
 * /auth/password/reset and /auth/password/change.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/app.h"
#include "base/arena.h"
#include "web/auth.h"
#include "base/config.h"
#include "gen/templates.h"
#include "handlers.h"
#include "base/password.h"
#include "store/ratelimit.h"
#include "web/letter.h"
#include "web/reply.h"
#include "store/reset.h"
#include "base/secret.h"
#include "store/session.h"
#include "store/user.h"

/*
 * Where the reset link points, under QUILL_PUBLIC_ORIGIN.  The token
 * follows in the fragment (#token=), which a browser never sends: it
 * lands in no access log and in no Referer.
 */
#define RESET_PAGE "/password/reset"

enum forgot_field { FORGOT_EMAIL, FORGOT__MAX };

static const struct vfield forgot_fields[FORGOT__MAX] = {
	[FORGOT_EMAIL] = { "email", valid_email, 1 },
};

enum reset_field { RESET_TOKEN, RESET_PASSWORD, RESET__MAX };

static const struct vfield reset_fields[RESET__MAX] = {
	[RESET_TOKEN] = { "token", valid_secret, 1 },
	[RESET_PASSWORD] = { "password", valid_password, 1 },
};

enum change_field { CHANGE_CURRENT, CHANGE_NEW, CHANGE__MAX };

static const struct vfield change_fields[CHANGE__MAX] = {
	[CHANGE_CURRENT] = { "currentPassword", valid_secret, 1 },
	[CHANGE_NEW] = { "newPassword", valid_password, 1 },
};

/*
 * Issues a reset token to u and queues the mail, unless u asked too often
 * (QUILL_RATE_FORGOT_ACCOUNT): then nothing is sent, and the answer stays
 * the same, so it tells nobody anything.
 */
static enum err
forgot_send(struct req *r, const struct user *u, int64_t now)
{
	struct secret token;
	struct tpl_data *d;
	char *link;
	int over;
	enum err e;

	if ((e = auth_account_over(r, RL_FORGOT_ACCOUNT, u->id, now, &over)) !=
	    ERR_NONE || over)
		return e;
	if ((e = reset_issue(u->id, now, &token)) != ERR_NONE)
		return e;
	e = ERR_INTERNAL;
	if ((d = tpl_data_new(r->arena)) != NULL && (link =
	    letter_link(r->arena, config.public_origin, RESET_PAGE,
	    token.text)) != NULL) {
		tpl_str(d, TK_name, u->name);
		tpl_str(d, TK_email, u->email);
		tpl_str(d, TK_lifetime, letter_duration(r->arena,
		    config.reset_ttl));
		tpl_str(d, TK_link, link);
		tpl_str(d, TK_code, token.text);
		e = letter_queue(u->email, &tpl_mail_reset, d, now);
		explicit_bzero(link, strlen(link));
	}
	explicit_bzero(&token, sizeof(token));
	if (e == ERR_NONE)
		auth_event_log(r, LOG_INFO, "password_reset_requested", u->id,
		    0);
	return e;
}

/* POST /api/v1/auth/password/forgot */
enum err
auth_password_forgot(struct req *r)
{
	return app_validate(r, forgot_fields, FORGOT__MAX);
}

enum err
auth_password_forgot_write(struct req *r)
{
	const struct vvalue *v = r->state;
	struct user u;
	int64_t now = time(NULL);
	enum err e;

	if ((e = ratelimit_hit(RL_FORGOT, r->client, now, &r->rate)) !=
	    ERR_NONE)
		return e;
	e = user_get_by_email(r->arena, v[FORGOT_EMAIL].str,
	    v[FORGOT_EMAIL].len, &u);
	if (e == ERR_NONE && !u.disabled)
		e = forgot_send(r, &u, now);
	else if (e == ERR_NONE || e == ERR_NOT_FOUND) {
		e = ERR_NONE;
		auth_event_log(r, LOG_INFO, "password_reset_requested", 0, 0);
	}
	if (e != ERR_NONE)
		return e;
	r->notice = NOTICE_RESET_SENT;
	return auth_accepted(r, "If an account uses this address, a link to "
	    "reset its password is on its way.");
}

/*
 * Stores the new password hash of user uid and ends what the old password
 * opened: every session but keep (0: none), every access token, every
 * unused reset link.
 */
static enum err
credentials_replace(int64_t uid, const char *hash, int64_t keep, int64_t now,
    const char *reason)
{
	enum err e;

	if ((e = user_set_password_hash(uid, hash)) != ERR_NONE ||
	    (e = session_revoke_user(uid, keep, now, reason)) != ERR_NONE)
		return e;
	return reset_invalidate(uid, now);
}

/* A reset token that is no use, whatever the reason. */
static enum err
link_refused(struct req *r)
{
	valid_add(&r->details, "token", "invalid_value",
	    "This reset link is invalid, used or expired; ask for a new one.");
	return ERR_VALIDATION;
}

/* What the .handle of a reset found, for its .write. */
struct reset_input {
	struct vvalue	 v[RESET__MAX];
	char		 hash[PASSWORD_HASH_MAX];	/* the new password's */
	int64_t		 now;
};

/* POST /api/v1/auth/password/reset */
enum err
auth_password_reset(struct req *r)
{
	struct reset_input *in;
	const struct vvalue *v;
	int64_t uid;
	enum err e;

	if ((in = app_state(r, sizeof(*in))) == NULL)
		return ERR_INTERNAL;
	v = in->v;
	in->now = time(NULL);
	if ((e = http_validate(r, reset_fields, RESET__MAX, in->v)) != ERR_NONE)
		return e;
	/* Only a live token is worth the cost of hashing the password. */
	e = reset_find(v[RESET_TOKEN].str, v[RESET_TOKEN].len, in->now, &uid);
	if (e != ERR_NONE)
		return e == ERR_NOT_FOUND ? link_refused(r) : e;
	if (password_hash(v[RESET_PASSWORD].str, v[RESET_PASSWORD].len,
	    in->hash) == -1)
		return ERR_UNAVAILABLE;
	return ERR_NONE;
}

enum err
auth_password_reset_write(struct req *r)
{
	const struct reset_input *in = r->state;
	const struct vvalue *v = in->v;
	struct user u;
	int64_t uid;
	enum err e;

	if ((e = reset_use(v[RESET_TOKEN].str, v[RESET_TOKEN].len, in->now,
	    &uid)) == ERR_NOT_FOUND)
		return link_refused(r);
	/* The owner is back in: failed logins by others lock them out no more. */
	if (e != ERR_NONE ||
	    (e = credentials_replace(uid, in->hash, 0, in->now,
	    "password_reset")) != ERR_NONE ||
	    (e = user_get(r->arena, uid, &u)) != ERR_NONE ||
	    (e = ratelimit_login_passed(u.email, strlen(u.email))) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "password_reset_completed", uid, 0);
	r->notice = NOTICE_PASSWORD_RESET;
	return reply_empty(r);
}

/* What the .handle of a change found, for its .write. */
struct change_input {
	struct vvalue	 v[CHANGE__MAX];
	char		 hash[PASSWORD_HASH_MAX];	/* the new password's */
	int64_t		 now;
	struct user	 u;		/* the caller */
	int		 wrong;		/* the current password was wrong */
};

/* POST /api/v1/auth/password/change */
enum err
auth_password_change(struct req *r)
{
	struct change_input *in;
	const struct vvalue *v;
	enum err e;

	if ((in = app_state(r, sizeof(*in))) == NULL)
		return ERR_INTERNAL;
	v = in->v;
	in->now = time(NULL);
	if ((e = http_validate(r, change_fields, CHANGE__MAX, in->v)) !=
	    ERR_NONE || (e = auth_require(r)) != ERR_NONE ||
	    (e = auth_require_recent(r, in->now)) != ERR_NONE)
		return e;
	if ((e = user_get(r->arena, r->who.user_id, &in->u)) != ERR_NONE)
		return e == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : e;
	if ((e = auth_verify_current(r, &in->u, &v[CHANGE_CURRENT], in->now,
	    &in->wrong)) != ERR_NONE || in->wrong)
		return e;
	if (password_hash(v[CHANGE_NEW].str, v[CHANGE_NEW].len, in->hash) == -1)
		return ERR_UNAVAILABLE;
	return ERR_NONE;
}

enum err
auth_password_change_write(struct req *r)
{
	const struct change_input *in = r->state;
	enum err e;

	if (in->wrong)
		return app_keep(r, auth_wrong_current(r, &in->u,
		    "currentPassword", in->now));
	if ((e = credentials_replace(in->u.id, in->hash, r->who.session_id,
	    in->now, "password_changed")) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "password_changed", in->u.id,
	    r->who.session_id);
	r->notice = NOTICE_PASSWORD_CHANGED;
	return reply_empty(r);
}

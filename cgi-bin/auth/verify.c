/*
 * Confirmed addresses: POST /auth/verify, /auth/verify/resend and
 * /auth/email/cancel (docs/auth.md).  The links of the mails open pages
 * (/verify, /email/cancel) whose GET and HEAD change nothing; only these
 * POSTs, checked like every form, spend a token.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/app.h"
#include "base/config.h"
#include "web/auth.h"
#include "web/confirm.h"
#include "handlers.h"
#include "store/ratelimit.h"
#include "web/reply.h"
#include "store/reset.h"
#include "store/session.h"
#include "store/user.h"
#include "store/verify.h"

enum verify_field { VERIFY_F_TOKEN, VERIFY_F_CODE, VERIFY_F_EMAIL,
	VERIFY_F__MAX };

/* The link's token, or the short code and the address it was mailed to. */
static const struct vfield verify_fields[VERIFY_F__MAX] = {
	[VERIFY_F_TOKEN] = { "token", valid_secret, 0 },
	[VERIFY_F_CODE] = { "code", valid_secret, 0 },
	[VERIFY_F_EMAIL] = { "email", valid_email, 0 },
};

enum resend_field { RESEND_EMAIL, RESEND__MAX };

static const struct vfield resend_fields[RESEND__MAX] = {
	[RESEND_EMAIL] = { "email", valid_email, 1 },
};

enum cancel_field { CANCEL_TOKEN, CANCEL__MAX };

static const struct vfield cancel_fields[CANCEL__MAX] = {
	[CANCEL_TOKEN] = { "token", valid_secret, 1 },
};

/* A token or code that is no use, whatever the reason: nothing changed. */
static enum err
auth_verify_refused(struct req *r, const char *field)
{
	valid_add(&r->details, field, "invalid_value",
	    "This link or code is invalid, used or expired; ask for a new "
	    "one.");
	return ERR_VALIDATION;
}

/* POST /api/v1/auth/verify: a token, or a code with its address. */
enum err
auth_verify(struct req *r)
{
	const struct vvalue *v;
	enum err e;

	if ((e = app_validate(r, verify_fields, VERIFY_F__MAX)) != ERR_NONE)
		return e;
	v = r->state;
	if (v[VERIFY_F_TOKEN].present)
		return ERR_NONE;
	if (!v[VERIFY_F_CODE].present)
		valid_add(&r->details, "token", "required",
		    "Send the link's token, or the code with the address.");
	if (!v[VERIFY_F_EMAIL].present)
		valid_add(&r->details, "email", "required",
		    "Send the address the code was mailed to.");
	return r->details.n > 0 ? ERR_VALIDATION : ERR_NONE;
}

/*
 * Makes the change that token t confirms: u's new address is t->email.
 * A taken address is refused here, and says nothing of whose it is.
 */
static enum err
auth_verify_change(struct req *r, const struct user *u,
    const struct verify_used *t, int64_t now)
{
	struct user_change c = USER_CHANGE_NONE;
	struct user after;
	enum err e;

	c.email = t->email;
	c.email_len = strlen(t->email);
	/* The session that asked for it goes on. */
	c.keep_session = t->session_id;
	e = user_update(r->arena, u->id, &c, now, &after);
	if (e == ERR_EMAIL_TAKEN)
		return http_fail(r, e, "This address is in use by another "
		    "account now, so the change cannot be made.");
	if (e != ERR_NONE ||
	    (e = verify_void(u->id, VERIFY_ADDRESS, now)) != ERR_NONE ||
	    (e = verify_void(u->id, VERIFY_CHANGE, now)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_INFO, "email_changed", u->id, 0);
	return ERR_NONE;
}

enum err
auth_verify_write(struct req *r)
{
	const struct vvalue *v = r->state;
	int64_t now = time(NULL);
	struct verify_used t;
	struct user u;
	const char *field = v[VERIFY_F_TOKEN].present ? "token" : "code";
	enum err e;

	e = v[VERIFY_F_TOKEN].present ?
	    verify_use_link(r->arena, v[VERIFY_F_TOKEN].str,
	    v[VERIFY_F_TOKEN].len, VERIFY_ADDRESS, VERIFY_CHANGE, now, &t) :
	    verify_use_code(r->arena, v[VERIFY_F_EMAIL].str,
	    v[VERIFY_F_EMAIL].len, v[VERIFY_F_CODE].str, v[VERIFY_F_CODE].len,
	    now, &t);
	if (e == ERR_NOT_FOUND)
		return auth_verify_refused(r, field);
	if (e != ERR_NONE || (e = user_get(r->arena, t.user_id, &u)) != ERR_NONE)
		return e;
	if (t.purpose == VERIFY_CHANGE)
		e = auth_verify_change(r, &u, &t, now);
	else if (!user_email_same(u.email, t.email, strlen(t.email)))
		return auth_verify_refused(r, field);
	if (e != ERR_NONE || (e = user_set_verified(u.id, now)) != ERR_NONE)
		return e;
	if (t.purpose == VERIFY_ADDRESS)
		auth_event_log(r, LOG_INFO, "email_verified", u.id, 0);
	r->notice = NOTICE_ADDRESS_CONFIRMED;
	return reply_empty(r);
}

/* POST /api/v1/auth/verify/resend */
enum err
auth_verify_resend(struct req *r)
{
	return app_validate(r, resend_fields, RESEND__MAX);
}

/*
 * Mails u a new confirmation unless u asked too often
 * (QUILL_RATE_VERIFY_ACCOUNT): then nothing is sent, and the answer is
 * the same, so it tells nobody anything.
 */
static enum err
auth_resend_send(struct req *r, const struct user *u, int64_t now)
{
	int over;
	enum err e;

	if ((e = auth_account_over(r, RL_VERIFY_ACCOUNT, u->id, now, &over)) !=
	    ERR_NONE || over)
		return e;
	if ((e = confirm_send_address(r->arena, u, now)) == ERR_NONE)
		auth_event_log(r, LOG_INFO, "email_verify_sent", u->id, 0);
	return e;
}

enum err
auth_verify_resend_write(struct req *r)
{
	const struct vvalue *v = r->state;
	int64_t now = time(NULL);
	struct user u;
	enum err e;

	if ((e = ratelimit_hit(RL_VERIFY, r->client, now, &r->rate)) !=
	    ERR_NONE)
		return e;
	e = user_get_by_email(r->arena, v[RESEND_EMAIL].str,
	    v[RESEND_EMAIL].len, &u);
	if (e == ERR_NONE && !u.disabled && u.verified_at == 0)
		e = auth_resend_send(r, &u, now);
	else if (e == ERR_NOT_FOUND || e == ERR_NONE)
		e = ERR_NONE;
	if (e != ERR_NONE)
		return e;
	r->notice = NOTICE_VERIFY_SENT;
	return auth_accepted(r, "If an account with this address waits for its "
	    "confirmation, a new link is on its way.");
}

/* POST /api/v1/auth/email/cancel */
enum err
auth_email_cancel(struct req *r)
{
	return app_validate(r, cancel_fields, CANCEL__MAX);
}

/*
 * The old address of an email change undoes it: the change waiting is
 * void, or the address is moved back when the change was made (unless
 * someone else took it meanwhile), and every session of the account ends,
 * as does every reset link: whoever asked for the change may hold them.
 */
enum err
auth_email_cancel_write(struct req *r)
{
	const struct vvalue *v = r->state;
	struct user_change c = USER_CHANGE_NONE;
	int64_t now = time(NULL);
	struct verify_used t;
	struct user u, after;
	enum err e;

	e = verify_use_link(r->arena, v[CANCEL_TOKEN].str, v[CANCEL_TOKEN].len,
	    VERIFY_CANCEL, VERIFY_CANCEL, now, &t);
	if (e == ERR_NOT_FOUND)
		return auth_verify_refused(r, "token");
	if (e != ERR_NONE || (e = user_get(r->arena, t.user_id, &u)) != ERR_NONE ||
	    (e = verify_void(u.id, VERIFY__MAX, now)) != ERR_NONE)
		return e;
	if (!user_email_same(u.email, t.email, strlen(t.email))) {
		c.email = t.email;
		c.email_len = strlen(t.email);
		e = user_update(r->arena, u.id, &c, now, &after);
		if (e == ERR_NONE)
			e = user_set_verified(u.id, now);
		else if (e == ERR_EMAIL_TAKEN)
			e = ERR_NONE;
		if (e != ERR_NONE)
			return e;
	}
	if ((e = session_revoke_user(u.id, 0, now, "email_change_cancelled")) !=
	    ERR_NONE || (e = reset_invalidate(u.id, now)) != ERR_NONE)
		return e;
	auth_event_log(r, LOG_WARN, "email_change_cancelled", u.id, 0);
	r->notice = NOTICE_EMAIL_CHANGE_CANCELLED;
	return reply_empty(r);
}

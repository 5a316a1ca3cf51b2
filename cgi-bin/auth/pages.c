/*
 * The pages of auth.fcgi (docs/forms.md): the site's paths /login,
 * /register, /logout, /password/..., /verify, /email/cancel, /reauth and
 * /account/..., rendered from templates/, and the fields a refused post
 * sends back into them.
 */
#include <string.h>
#include <time.h>

#include "base/config.h"
#include "gen/templates.h"
#include "pure/cursor.h"
#include "pure/form.h"
#include "pure/qr.h"
#include "store/session.h"
#include "store/user.h"
#include "web/auth.h"
#include "web/reply.h"
#include "pages.h"

/*
 * The page to go on to after a login: the refused login's returnTo, else
 * the returnTo of the link that opened the page (a page of the signed-in
 * sends its visitor to /login?returnTo=<itself>), else home.
 */
static void
auth_login_fill(struct tpl_data *d, const struct req *r)
{
	const char *to = http_form_path(r, "returnTo");

	if (to == NULL)
		to = http_query_path(r, "returnTo");
	tpl_str(d, TK_return_to, to != NULL ? to : "/");
}

static const struct site_field auth_login_fields[] = {
	{ "email", "Email", TK_email, TK_email_error, NULL },
	{ "password", "Password", 0, TK_password_error, NULL },
};

const struct site_form auth_login_form = {
	&tpl_login, "Log in", auth_login_fields,
	sizeof(auth_login_fields) / sizeof(auth_login_fields[0]),
	auth_login_fill
};

static const struct site_field auth_register_fields[] = {
	{ "name", "Your name", TK_name, TK_name_error, NULL },
	{ "email", "Email", TK_email, TK_email_error, NULL },
	{ "password", "Password", 0, TK_password_error, NULL },
};

const struct site_form auth_register_form = {
	&tpl_register, "Create an account", auth_register_fields,
	sizeof(auth_register_fields) / sizeof(auth_register_fields[0]), NULL
};

/*
 * The two-factor page's state for the reader of r into d: off, pending
 * (the key as text and as a QR code, to set up the app), or on (with the
 * recovery codes left); unknown when the store cannot say.
 */
static void
auth_mfa_fill(struct tpl_data *d, const struct req *r)
{
	int64_t uid = r->who.user_id, left;
	char secret[TOTP_SECRET_TEXT];
	struct buf uri = { 0 }, path = { 0 };
	struct mfa_totp t;
	struct user u;
	int side = 0, ok;
	enum err e;

	if ((e = mfa_totp_get(uid, &t)) == ERR_NOT_FOUND) {
		tpl_bool(d, TK_off, 1);
		return;
	}
	if (e == ERR_NONE && t.enabled_at != 0) {
		ok = mfa_recovery_left(uid, &left) == ERR_NONE;
		tpl_bool(d, ok ? TK_on : TK_unknown, 1);
		tpl_int(d, TK_codes_left, ok ? left : 0);
		return;
	}
	ok = e == ERR_NONE && mfa_pending(uid, secret) == ERR_NONE &&
	    user_get(r->arena, uid, &u) == ERR_NONE &&
	    totp_uri(&uri, config.mfa_issuer, u.email, secret) == 0 &&
	    qr_path(&path, uri.data, uri.len, &side) == 0;
	if (ok) {
		tpl_bool(d, TK_pending, 1);
		tpl_str(d, TK_secret, tpl_copy(d, secret, strlen(secret)));
		tpl_str(d, TK_qr_path, tpl_copy(d, path.data, path.len));
		tpl_int(d, TK_qr_side, side);
		tpl_int(d, TK_qr_pixels, (int64_t)side * AUTH_QR_SCALE);
	} else
		tpl_bool(d, TK_unknown, 1);
	secret_wipe(secret, sizeof(secret));
	if (uri.data != NULL)
		secret_wipe(uri.data, uri.len);
	buf_free(&uri);
	buf_free(&path);
}

static const struct site_field auth_mfa_fields[] = {
	{ "currentPassword", "Password", 0, TK_password_error, NULL },
	{ "code", "Code", 0, TK_code_error, NULL },
};

const struct site_form auth_mfa_form = {
	&tpl_mfa, "Two-factor sign-in", auth_mfa_fields,
	sizeof(auth_mfa_fields) / sizeof(auth_mfa_fields[0]), auth_mfa_fill
};

/* The page to go on to after the sign-in: the login form's returnTo. */
static void
auth_mfa_signin_fill(struct tpl_data *d, const struct req *r)
{
	const char *to = http_form_path(r, "returnTo");

	tpl_str(d, TK_return_to, to != NULL ? to : "/");
}

static const struct site_field auth_mfa_signin_fields[] = {
	{ "code", "Code", 0, TK_code_error, NULL },
	{ "challengeToken", "Sign-in", TK_challenge_token,
	    TK_challenge_error, NULL },
};

const struct site_form auth_mfa_signin_form = {
	&tpl_mfa_signin, "Two-factor sign-in", auth_mfa_signin_fields,
	sizeof(auth_mfa_signin_fields) / sizeof(auth_mfa_signin_fields[0]),
	auth_mfa_signin_fill
};

enum err
auth_mfa_signin_page(struct req *r, const char *challenge)
{
	struct tpl_data *d;

	if ((d = site_page(r, auth_mfa_signin_form.title)) == NULL)
		return ERR_INTERNAL;
	tpl_str(d, TK_challenge_token, challenge);
	auth_mfa_signin_fill(d, r);
	return site_page_reply(r, 200, &tpl_mfa_signin, d);
}

enum err
auth_mfa_codes_page(struct req *r,
    const struct secret_recovery codes[MFA_RECOVERY_CODES])
{
	struct tpl_data *d, *item;
	size_t i;

	if ((d = site_page(r, "Your recovery codes")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < MFA_RECOVERY_CODES; i++) {
		if ((item = tpl_item(d, TK_codes)) == NULL)
			return ERR_INTERNAL;
		tpl_str(item, TK_code, codes[i].text);
	}
	return site_page_reply(r, 200, &tpl_mfa_codes, d);
}

static const struct site_field auth_password_change_fields[] = {
	{ "currentPassword", "Current password", 0, TK_current_password_error, NULL },
	{ "newPassword", "New password", 0, TK_new_password_error, NULL },
};

const struct site_form auth_password_change_form = {
	&tpl_password_change, "Change your password",
	auth_password_change_fields, sizeof(auth_password_change_fields) /
	sizeof(auth_password_change_fields[0]), NULL
};

static const struct site_field auth_password_forgot_fields[] = {
	{ "email", "Email of your account", TK_email, TK_email_error, NULL },
};

const struct site_form auth_password_forgot_form = {
	&tpl_password_forgot, "Forgot your password?",
	auth_password_forgot_fields, sizeof(auth_password_forgot_fields) /
	sizeof(auth_password_forgot_fields[0]), NULL
};

static const struct site_field auth_password_reset_fields[] = {
	{ "token", "Reset code", TK_token, TK_token_error, NULL },
	{ "password", "New password", 0, TK_password_error, NULL },
};

/*
 * A page of a mailed link runs the script that fills its code in from the
 * link, where its answer's policy lets it (site_token_script): not on a
 * refused post's page, whose code came in the form.
 */
static void
auth_token_fill(struct tpl_data *d, const struct req *r)
{
	tpl_bool(d, TK_token_script, r->page_csp != NULL);
}

const struct site_form auth_password_reset_form = {
	&tpl_password_reset, "Choose a new password",
	auth_password_reset_fields, sizeof(auth_password_reset_fields) /
	sizeof(auth_password_reset_fields[0]), auth_token_fill
};

static const struct site_field auth_verify_fields[] = {
	{ "token", "Link code", TK_token, TK_token_error, NULL },
	{ "email", "Email address", TK_email, TK_email_error, NULL },
	{ "code", "Code", TK_code, TK_code_error, NULL },
};

const struct site_form auth_verify_form = {
	&tpl_verify, "Confirm your email address", auth_verify_fields,
	sizeof(auth_verify_fields) / sizeof(auth_verify_fields[0]),
	auth_token_fill
};

static const struct site_field auth_verify_resend_fields[] = {
	{ "email", "Email address", TK_resend_email, TK_resend_email_error,
	    "resend-email" },
};

const struct site_form auth_verify_resend_form = {
	&tpl_verify, "Confirm your email address", auth_verify_resend_fields,
	sizeof(auth_verify_resend_fields) /
	sizeof(auth_verify_resend_fields[0]), auth_token_fill
};

static const struct site_field auth_email_cancel_fields[] = {
	{ "token", "Cancel code", TK_token, TK_token_error, NULL },
};

const struct site_form auth_email_cancel_form = {
	&tpl_email_cancel, "Cancel an email change", auth_email_cancel_fields,
	sizeof(auth_email_cancel_fields) / sizeof(auth_email_cancel_fields[0]),
	auth_token_fill
};

/*
 * Identifies the reader of r; *visitor is set when no one is logged in,
 * and r is then answered with the way to the login page.
 */
static enum err
auth_page_reader(struct req *r, int *visitor)
{
	enum err e;

	*visitor = 0;
	if ((e = auth_identify(r)) != ERR_NONE || r->who.user_id != 0)
		return e;
	*visitor = 1;
	return site_login_first(r);
}

/* Answers r with form page f, blank, to anyone. */
static enum err
auth_page_open(struct req *r, const struct site_form *f)
{
	enum err e;

	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	return site_form_page(r, f, ERR_NONE);
}

/*
 * Answers r with the page of a mailed link, f, blank: its script may fill
 * in the code.
 */
static enum err
auth_page_link(struct req *r, const struct site_form *f)
{
	enum err e;

	if ((e = site_token_script(r)) != ERR_NONE)
		return e;
	return auth_page_open(r, f);
}

enum err
auth_page_login(struct req *r)
{
	return auth_page_open(r, &auth_login_form);
}

enum err
auth_page_register(struct req *r)
{
	return auth_page_open(r, &auth_register_form);
}

enum err
auth_page_password_forgot(struct req *r)
{
	return auth_page_open(r, &auth_password_forgot_form);
}

enum err
auth_page_password_reset(struct req *r)
{
	return auth_page_link(r, &auth_password_reset_form);
}

enum err
auth_page_verify(struct req *r)
{
	return auth_page_link(r, &auth_verify_form);
}

enum err
auth_page_email_cancel(struct req *r)
{
	return auth_page_link(r, &auth_email_cancel_form);
}

enum err
auth_page_logout(struct req *r)
{
	struct tpl_data *d;
	enum err e;

	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	if ((d = site_page(r, "Log out")) == NULL)
		return ERR_INTERNAL;
	return site_page_reply(r, 200, &tpl_logout, d);
}

/*
 * Answers r with form page f, blank, to a reader who is logged in (and
 * past the enrolment gate unless enrolling: auth_require_enrolling).
 */
static enum err
auth_page_signed(struct req *r, const struct site_form *f, int enrolling)
{
	int visitor;
	enum err e;

	if ((e = auth_page_reader(r, &visitor)) != ERR_NONE || visitor ||
	    (e = enrolling ? auth_require_enrolling(r) : auth_require(r)) !=
	    ERR_NONE)
		return e;
	return site_form_page(r, f, ERR_NONE);
}

enum err
auth_page_password_change(struct req *r)
{
	return auth_page_signed(r, &auth_password_change_form, 0);
}

enum err
auth_page_reauth(struct req *r)
{
	return auth_page_signed(r, &site_reauth_form, 0);
}

enum err
auth_page_two_factor(struct req *r)
{
	return auth_page_signed(r, &auth_mfa_form, 1);
}

/* What a session's page calls the browser or app that holds it. */
static const char *
auth_session_device(const struct session_row *s)
{
	if (s->user_agent[0] != '\0')
		return s->user_agent;
	return s->kind == SESSION_COOKIE ? "A browser" : "An app";
}

/* Adds the sessions of rows (n, the first limit of them) to d. */
static enum err
auth_sessions_fill(struct tpl_data *d, const struct session_row *rows,
    size_t n, int limit, int64_t current)
{
	struct tpl_data *item;
	size_t i;
	int others = 0;

	for (i = 0; i < n && i < (size_t)limit; i++) {
		if ((item = tpl_item(d, TK_sessions)) == NULL)
			return ERR_INTERNAL;
		tpl_int(item, TK_id, rows[i].id);
		tpl_str(item, TK_device, auth_session_device(&rows[i]));
		tpl_str(item, TK_kind, rows[i].kind == SESSION_COOKIE ?
		    "browser" : "app");
		tpl_str(item, TK_ip, rows[i].ip);
		tpl_int(item, TK_created_at, rows[i].created_at);
		tpl_int(item, TK_last_used_at, rows[i].last_used_at);
		tpl_bool(item, TK_current, rows[i].id == current);
		others |= rows[i].id != current;
	}
	tpl_bool(d, TK_others, others);
	return ERR_NONE;
}

enum err
auth_page_sessions(struct req *r)
{
	struct cursor_params p;
	struct session_row *rows;
	struct tpl_data *d;
	size_t n;
	int visitor;
	enum err e;

	if ((e = auth_page_reader(r, &visitor)) != ERR_NONE || visitor ||
	    (e = auth_require(r)) != ERR_NONE)
		return e;
	memset(&p, 0, sizeof(p));
	p.mode = CURSOR_KEYSET;
	p.limit = CURSOR_MAX_LIMIT;
	p.desc = 1;
	if ((e = session_list(r->arena, r->who.user_id, time(NULL), &p, &rows,
	    &n)) != ERR_NONE)
		return e;
	if ((d = site_page(r, "Sessions")) == NULL ||
	    (e = auth_sessions_fill(d, rows, n, p.limit,
	    r->who.session_id)) != ERR_NONE)
		return e != ERR_NONE ? e : ERR_INTERNAL;
	return site_page_reply(r, 200, &tpl_sessions, d);
}

/*
 * The forms of auth.fcgi as pages: templates/login.html,
 * templates/register.html and the two-factor pages (mfa*.html), and the
 * fields a refused post sends back.
 */
#include <string.h>

#include "base/config.h"
#include "gen/templates.h"
#include "pure/form.h"
#include "pure/qr.h"
#include "store/user.h"
#include "pages.h"

static const struct site_field auth_login_fields[] = {
	{ "email", "Email", TK_email, TK_email_error },
	{ "password", "Password", 0, TK_password_error },
};

const struct site_form auth_login_form = {
	&tpl_login, "Log in", auth_login_fields,
	sizeof(auth_login_fields) / sizeof(auth_login_fields[0]), NULL
};

static const struct site_field auth_register_fields[] = {
	{ "name", "Your name", TK_name, TK_name_error },
	{ "email", "Email", TK_email, TK_email_error },
	{ "password", "Password", 0, TK_password_error },
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
	{ "currentPassword", "Password", 0, TK_password_error },
	{ "code", "Code", 0, TK_code_error },
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
	{ "code", "Code", 0, TK_code_error },
	{ "challengeToken", "Sign-in", TK_challenge_token,
	    TK_challenge_error },
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

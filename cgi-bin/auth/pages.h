/*
 * The forms of auth.fcgi that a browser's refused post brings back,
 * filled as it was sent (lib/web/site).
 */
#ifndef QUILL_AUTH_PAGES_H
#define QUILL_AUTH_PAGES_H

#include "store/mfa.h"
#include "web/site.h"

/* Pixels a module of a QR code: a 33-module code is 164 pixels. */
#define AUTH_QR_SCALE	4

/* Log in: the email kept, never the password. */
extern const struct site_form auth_login_form;

/* Create an account: the name and email kept, never the password. */
extern const struct site_form auth_register_form;

/*
 * Two-factor sign-in, the account's page (/account/two-factor) and the
 * forms on it: its state from the store, each refused field's message
 * beside it.
 */
extern const struct site_form auth_mfa_form;

/* The code that finishes a form login: the challenge kept, hidden. */
extern const struct site_form auth_mfa_signin_form;

/*
 * Answers a browser's form login that needs a second factor with the page
 * asking for the code, challenge (not copied) in its form, 200.
 */
enum err auth_mfa_signin_page(struct req *r, const char *challenge);

/* Answers r with fresh recovery codes, shown this once, 200. */
enum err auth_mfa_codes_page(struct req *r,
    const struct secret_recovery codes[MFA_RECOVERY_CODES]);

/* Change the password: both fields are passwords, so it comes back empty. */
extern const struct site_form auth_password_change_form;

/* Forgot the password: the email kept. */
extern const struct site_form auth_password_forgot_form;

/* Reset the password: the code of the mail kept, never the password. */
extern const struct site_form auth_password_reset_form;

/* Confirm an address: the link's code, or the short code and address. */
extern const struct site_form auth_verify_form;
extern const struct site_form auth_verify_resend_form;

/* Cancel an email change: the code of the mail kept. */
extern const struct site_form auth_email_cancel_form;

/*
 * The pages, GET on the site's paths (docs/forms.md).  Those of the
 * signed-in (/password/change, /reauth, /account/...) send a visitor to
 * /login; those of mailed links (/password/reset, /verify, /email/cancel)
 * may run the script that fills in the link's code.
 */
enum err auth_page_login(struct req *r);
enum err auth_page_register(struct req *r);
enum err auth_page_logout(struct req *r);
enum err auth_page_password_change(struct req *r);
enum err auth_page_password_forgot(struct req *r);
enum err auth_page_password_reset(struct req *r);
enum err auth_page_verify(struct req *r);
enum err auth_page_email_cancel(struct req *r);
enum err auth_page_reauth(struct req *r);
enum err auth_page_sessions(struct req *r);
enum err auth_page_two_factor(struct req *r);

#endif

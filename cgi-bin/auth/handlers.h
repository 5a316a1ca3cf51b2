/*
 * The handlers of auth.fcgi (/api/v1/auth), one file per group of routes,
 * and the little they share.
 */
#ifndef QUILL_AUTH_HANDLERS_H
#define QUILL_AUTH_HANDLERS_H

#include <stdint.h>

#include "web/http.h"
#include "base/log.h"
#include "store/ratelimit.h"
#include "store/session.h"

struct user;

/*
 * The routes; a route that writes has a .handle and a .write (web/app.h).
 * login.c: accounts and API sessions.
 */
enum err auth_register(struct req *r);
enum err auth_register_write(struct req *r);
enum err auth_login(struct req *r);
enum err auth_login_write(struct req *r);
enum err auth_refresh(struct req *r);
enum err auth_refresh_write(struct req *r);
enum err auth_logout(struct req *r);
enum err auth_logout_write(struct req *r);

/*
 * Opens a session of kind for u, *sid receiving its id, and answers it as
 * a login: a token session with a token pair and the user; a cookie
 * session (a browser's, docs/forms.md) with the cookie, in place of the
 * one the browser held, and the user.  Call inside the write transaction.
 */
enum err auth_login_open(struct req *r, const struct user *u,
    enum session_kind kind, int64_t now, int64_t *sid);

/* mfa.c: two-factor sign-in and recent sign-in (docs/auth.md). */
enum err auth_mfa_status(struct req *r);
enum err auth_mfa_signin(struct req *r);
enum err auth_mfa_signin_write(struct req *r);
enum err auth_mfa_enrol(struct req *r);
enum err auth_mfa_enrol_write(struct req *r);
enum err auth_mfa_confirm(struct req *r);
enum err auth_mfa_confirm_write(struct req *r);
enum err auth_mfa_disable(struct req *r);
enum err auth_mfa_disable_write(struct req *r);
enum err auth_mfa_codes(struct req *r);
enum err auth_mfa_codes_write(struct req *r);
enum err auth_reauth(struct req *r);
enum err auth_reauth_write(struct req *r);

/*
 * sessions.c: the caller's sessions, and a browser session's CSRF token.
 * The two revocations are .writes, after auth_require.
 */
enum err auth_sessions_list(struct req *r);
enum err auth_session_revoke(struct req *r);
enum err auth_sessions_revoke(struct req *r);
enum err auth_csrf_get(struct req *r);

/* password.c: forgotten and changed passwords. */
enum err auth_password_forgot(struct req *r);
enum err auth_password_forgot_write(struct req *r);
enum err auth_password_reset(struct req *r);
enum err auth_password_reset_write(struct req *r);
enum err auth_password_change(struct req *r);
enum err auth_password_change_write(struct req *r);

/* verify.c: confirmed addresses and email changes (docs/auth.md). */
enum err auth_verify(struct req *r);
enum err auth_verify_write(struct req *r);
enum err auth_verify_resend(struct req *r);
enum err auth_verify_resend_write(struct req *r);
enum err auth_email_cancel(struct req *r);
enum err auth_email_cancel_write(struct req *r);

/*
 * Counts one mail to user_id in bucket b, a per-account limit the client
 * must not see: *over is set when it is over (and that is logged), and
 * then the caller sends nothing and answers as ever.
 */
enum err auth_account_over(struct req *r, enum ratelimit_bucket b,
    int64_t user_id, int64_t now, int *over);

/*
 * Answers 202 with {message}: the one answer of a request that must not
 * tell whether an account exists.
 */
enum err auth_accepted(struct req *r, const char *message);

/*
 * Logs a security event of the request with the ids that are > 0 and the
 * client address; never a secret.
 */
void auth_event_log(const struct req *r, enum log_level level,
    const char *event, int64_t user_id, int64_t session_id);

#endif

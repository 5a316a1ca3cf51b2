/*
 * auth.fcgi: /api/v1/auth — accounts, sessions and passwords — and the
 * site's pages of them (docs/forms.md).
 */
#include <stdio.h>

#include "web/app.h"
#include "web/auth.h"
#include "handlers.h"
#include "pages.h"
#include "web/reply.h"

static const struct route routes[] = {
	{ M_POST, "/api/v1/auth/register", auth_register, 0,
	    auth_register_write, &auth_register_form },
	{ M_POST, "/api/v1/auth/login", auth_login, 0,
	    auth_login_write, &auth_login_form },
	{ M_POST, "/api/v1/auth/refresh", auth_refresh, 0, auth_refresh_write,
	    NULL },
	{ M_POST, "/api/v1/auth/logout", auth_logout, 0, auth_logout_write,
	    NULL },
	{ M_GET, "/api/v1/auth/sessions", auth_sessions_list, 0, NULL, NULL },
	{ M_DELETE, "/api/v1/auth/sessions", auth_require, 0,
	    auth_sessions_revoke, NULL },
	{ M_DELETE, "/api/v1/auth/sessions/{id}", auth_require, 0,
	    auth_session_revoke, NULL },
	{ M_POST, "/api/v1/auth/password/forgot", auth_password_forgot, 0,
	    auth_password_forgot_write, &auth_password_forgot_form },
	{ M_POST, "/api/v1/auth/password/reset", auth_password_reset, 0,
	    auth_password_reset_write, &auth_password_reset_form },
	{ M_POST, "/api/v1/auth/password/change", auth_password_change, 0,
	    auth_password_change_write, &auth_password_change_form },
	{ M_GET, "/api/v1/auth/csrf", auth_csrf_get, 0, NULL, NULL },
	{ M_GET, "/api/v1/auth/mfa", auth_mfa_status, 0, NULL, NULL },
	{ M_POST, "/api/v1/auth/mfa", auth_mfa_signin, 0,
	    auth_mfa_signin_write, &auth_mfa_signin_form },
	{ M_POST, "/api/v1/auth/mfa/totp", auth_mfa_enrol, 0,
	    auth_mfa_enrol_write, &auth_mfa_form },
	{ M_DELETE, "/api/v1/auth/mfa/totp", auth_mfa_disable, 0,
	    auth_mfa_disable_write, &auth_mfa_form },
	{ M_POST, "/api/v1/auth/mfa/totp/confirm", auth_mfa_confirm, 0,
	    auth_mfa_confirm_write, &auth_mfa_form },
	{ M_POST, "/api/v1/auth/mfa/recovery-codes", auth_mfa_codes, 0,
	    auth_mfa_codes_write, &auth_mfa_form },
	{ M_POST, "/api/v1/auth/reauth", auth_reauth, 0, auth_reauth_write,
	    &site_reauth_form },
	{ M_POST, "/api/v1/auth/verify", auth_verify, 0, auth_verify_write,
	    &auth_verify_form },
	{ M_POST, "/api/v1/auth/verify/resend", auth_verify_resend, 0,
	    auth_verify_resend_write, &auth_verify_resend_form },
	{ M_POST, "/api/v1/auth/email/cancel", auth_email_cancel, 0,
	    auth_email_cancel_write, &auth_email_cancel_form },
	{ M_GET, "/login", auth_page_login, 0, NULL, NULL },
	{ M_GET, "/register", auth_page_register, 0, NULL, NULL },
	{ M_GET, "/logout", auth_page_logout, 0, NULL, NULL },
	{ M_GET, "/password/change", auth_page_password_change, 0, NULL,
	    NULL },
	{ M_GET, "/password/forgot", auth_page_password_forgot, 0, NULL,
	    NULL },
	{ M_GET, "/password/reset", auth_page_password_reset, 0, NULL, NULL },
	{ M_GET, "/verify", auth_page_verify, 0, NULL, NULL },
	{ M_GET, "/email/cancel", auth_page_email_cancel, 0, NULL, NULL },
	{ M_GET, "/reauth", auth_page_reauth, 0, NULL, NULL },
	{ M_GET, "/account/sessions", auth_page_sessions, 0, NULL, NULL },
	{ M_GET, "/account/two-factor", auth_page_two_factor, 0, NULL, NULL },
};

void
auth_event_log(const struct req *r, enum log_level level, const char *event,
    int64_t user_id, int64_t session_id)
{
	char uid[24], sid[24];

	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(sid, sizeof(sid), "%lld", (long long)session_id);
	if (user_id > 0 && session_id > 0)
		log_event(level, event, r->request_id, "userId", uid,
		    "sessionId", sid, "client", r->client, NULL);
	else if (user_id > 0)
		log_event(level, event, r->request_id, "userId", uid,
		    "client", r->client, NULL);
	else
		log_event(level, event, r->request_id, "client", r->client,
		    NULL);
}

enum err
auth_account_over(struct req *r, enum ratelimit_bucket b, int64_t user_id,
    int64_t now, int *over)
{
	struct ratelimit_verdict v;
	char key[24];
	enum err e;

	snprintf(key, sizeof(key), "%lld", (long long)user_id);
	if ((e = ratelimit_count(b, key, now, &v, over)) == ERR_NONE && *over)
		ratelimit_log(&v, r->request_id, r->client);
	return e;
}

enum err
auth_accepted(struct req *r, const char *message)
{
	cJSON *d;

	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "message", message) == NULL) {
		cJSON_Delete(d);
		return ERR_INTERNAL;
	}
	return reply_data(r, 202, d);
}

int
main(int argc, char **argv)
{
	return app_main(argc, argv, "auth", routes,
	    sizeof(routes) / sizeof(routes[0]), APP_ISSUES_TOKENS);
}

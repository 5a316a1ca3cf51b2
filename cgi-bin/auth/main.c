/*
 * auth.fcgi: /api/v1/auth — accounts, sessions and passwords.
 */
#include <stdio.h>

#include "web/app.h"
#include "web/auth.h"
#include "handlers.h"

static const struct route routes[] = {
	{ M_POST, "/api/v1/auth/register", auth_register, 0,
	    auth_register_write },
	{ M_POST, "/api/v1/auth/login", auth_login, 0, auth_login_write },
	{ M_POST, "/api/v1/auth/refresh", auth_refresh, 0, auth_refresh_write },
	{ M_POST, "/api/v1/auth/logout", auth_logout, 0, auth_logout_write },
	{ M_GET, "/api/v1/auth/sessions", auth_sessions_list, 0, NULL },
	{ M_DELETE, "/api/v1/auth/sessions", auth_require, 0,
	    auth_sessions_revoke },
	{ M_DELETE, "/api/v1/auth/sessions/{id}", auth_require, 0,
	    auth_session_revoke },
	{ M_POST, "/api/v1/auth/password/forgot", auth_password_forgot, 0,
	    auth_password_forgot_write },
	{ M_POST, "/api/v1/auth/password/reset", auth_password_reset, 0,
	    auth_password_reset_write },
	{ M_POST, "/api/v1/auth/password/change", auth_password_change, 0,
	    auth_password_change_write },
	{ M_GET, "/api/v1/auth/csrf", auth_csrf_get, 0, NULL },
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

int
main(int argc, char **argv)
{
	return app_main(argc, argv, "auth", routes,
	    sizeof(routes) / sizeof(routes[0]));
}

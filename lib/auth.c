#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "password.h"
#include "ratelimit.h"
#include "token.h"
#include "user.h"

/*
 * Reads role, status and token version of the token's user, and whether its
 * session is still live, into r->who: one read, no write.
 */
static enum err
auth_load(struct req *r, const struct token_claims *c)
{
	sqlite3_stmt *s = db_stmt(STMT_SESSION_AUTH);
	enum role role;
	int rc, disabled, live;
	int64_t ver;

	sqlite3_bind_int64(s, 1, c->sub);
	sqlite3_bind_int64(s, 2, c->sid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? ERR_UNAUTHENTICATED :
		    db_fail(rc, "auth_load");
	}
	if (user_role_parse((const char *)sqlite3_column_text(s, 0), &role) == -1)
		role = ROLE_USER;
	disabled = sqlite3_column_int(s, 1);
	ver = sqlite3_column_int64(s, 2);
	live = sqlite3_column_int(s, 3);
	sqlite3_reset(s);
	if (disabled || ver != c->ver || !live)
		return ERR_UNAUTHENTICATED;
	r->who.user_id = c->sub;
	r->who.role = role;
	r->who.token_version = ver;
	r->who.session_id = c->sid;
	return ERR_NONE;
}

int
auth_bearer_token(const char *header, const char **tok, size_t *len)
{
	const char *h = header;

	if (strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	for (h += 7; *h == ' '; h++)
		continue;
	*tok = h;
	*len = strlen(h);
	return 0;
}

enum err
auth_identify(struct req *r)
{
	const char *h = http_env(r, "HTTP_AUTHORIZATION"), *tok;
	struct token_claims c;
	enum token_result tr;
	size_t len;
	enum err e;

	if (h == NULL || *h == '\0')
		return ERR_NONE;
	r->token_sent = 1;
	if (auth_bearer_token(h, &tok, &len) == -1)
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
auth_require(struct req *r)
{
	enum err e;

	if ((e = auth_identify(r)) != ERR_NONE)
		return e;
	if (r->who.user_id == 0)
		return ERR_UNAUTHENTICATED;
	return ERR_NONE;
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
auth_verify_current(struct req *r, const struct user *u, const char *field,
    const struct vvalue *pw, int64_t now)
{
	enum password_verdict pv;
	enum err e, c;
	char uid[24];

	if ((e = ratelimit_login_check(r, u->email, strlen(u->email), now)) !=
	    ERR_NONE)
		return e;
	pv = password_verify(u->password_hash, pw->str, pw->len);
	if (pv == PASSWORD_OK || pv == PASSWORD_OK_REHASH)
		return ERR_NONE;
	if (pv == PASSWORD_BUSY)
		return ERR_UNAVAILABLE;
	if (pv == PASSWORD_ERROR)
		return ERR_INTERNAL;
	if ((e = db_begin()) != ERR_NONE)
		return e;
	if ((e = ratelimit_login_failed(u->email, strlen(u->email), now)) !=
	    ERR_NONE) {
		db_rollback();
		return e;
	}
	if ((c = db_commit()) != ERR_NONE)
		return c;
	snprintf(uid, sizeof(uid), "%lld", (long long)u->id);
	log_event(LOG_INFO, "current_password_wrong", r->request_id, "userId",
	    uid, "client", r->client, NULL);
	valid_add(&r->details, field, "invalid_value",
	    "The current password is incorrect.");
	return ERR_VALIDATION;
}

/*
 * auth.fcgi: /api/v1/auth — registration and login.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "log.h"
#include "password.h"
#include "token.h"
#include "user.h"

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

/* POST /api/v1/auth/register */
static enum err
auth_register(struct req *r)
{
	struct vvalue v[REG__MAX];
	struct user u;
	char hash[PASSWORD_HASH_MAX], *loc;
	int64_t id, now = time(NULL);
	enum err e;

	if ((e = http_validate(r, reg_fields, REG__MAX, v)) != ERR_NONE)
		return e;
	/* Hash before taking the write lock: it is the slow part. */
	if (password_hash(v[REG_PASSWORD].str, v[REG_PASSWORD].len, hash) == -1)
		return ERR_UNAVAILABLE;
	if ((e = db_begin()) != ERR_NONE)
		return e;
	e = user_insert(v[REG_EMAIL].str, v[REG_EMAIL].len, v[REG_NAME].str,
	    v[REG_NAME].len, hash, ROLE_USER, now, &id);
	if (e == ERR_NONE)
		e = db_commit();
	else
		db_rollback();
	if (e != ERR_NONE)
		return e;
	if ((e = user_get(r->arena, id, &u)) != ERR_NONE)
		return e;
	{
		char sid[24];

		snprintf(sid, sizeof(sid), "%lld", (long long)id);
		log_event(LOG_INFO, "user_registered", r->request_id, "userId",
		    sid, "client", r->client, NULL);
	}
	if ((loc = arena_printf(r->arena, "/api/v1/users/%lld",
	    (long long)id)) == NULL)
		return ERR_INTERNAL;
	http_header(r, "Location", loc);
	return http_reply_data(r, 201, user_json(&u, 1), NULL);
}

/* Rehashes the password of u with the current parameters; best effort. */
static void
auth_rehash(struct req *r, const struct user *u, const struct vvalue *pw)
{
	char hash[PASSWORD_HASH_MAX];

	if (password_hash(pw->str, pw->len, hash) == -1 || db_begin() != ERR_NONE)
		return;
	if (user_set_password_hash(u->id, hash) == ERR_NONE &&
	    db_commit() == ERR_NONE)
		log_event(LOG_INFO, "password_rehashed", r->request_id, NULL);
	else
		db_rollback();
}

/* POST /api/v1/auth/login */
static enum err
auth_login(struct req *r)
{
	struct vvalue v[LOGIN__MAX];
	struct user u;
	enum password_verdict pv;
	char tok[TOKEN_MAX_LEN], sid[24];
	cJSON *d;
	enum err e;

	if ((e = http_validate(r, login_fields, LOGIN__MAX, v)) != ERR_NONE)
		return e;
	e = user_get_by_email(r->arena, v[LOGIN_EMAIL].str, v[LOGIN_EMAIL].len,
	    &u);
	if (e == ERR_NOT_FOUND) {
		password_verify_dummy(v[LOGIN_PASSWORD].str, v[LOGIN_PASSWORD].len);
		pv = PASSWORD_MISMATCH;
	} else if (e != ERR_NONE)
		return e;
	else
		pv = password_verify(u.password_hash, v[LOGIN_PASSWORD].str,
		    v[LOGIN_PASSWORD].len);
	if (pv == PASSWORD_MISMATCH || pv == PASSWORD_ERROR ||
	    (e == ERR_NONE && u.disabled)) {
		log_event(LOG_INFO, "login_failed", r->request_id, "client",
		    r->client, NULL);
		return http_fail(r, ERR_UNAUTHENTICATED,
		    "The email or password is incorrect.");
	}
	if (pv == PASSWORD_OK_REHASH)
		auth_rehash(r, &u, &v[LOGIN_PASSWORD]);
	if (token_issue_access(u.id, user_role_name(u.role), u.token_version,
	    time(NULL), tok, sizeof(tok)) < 0)
		return ERR_INTERNAL;
	snprintf(sid, sizeof(sid), "%lld", (long long)u.id);
	log_event(LOG_INFO, "login", r->request_id, "userId", sid, "client",
	    r->client, NULL);
	if ((d = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(d, "accessToken", tok);
	cJSON_AddStringToObject(d, "tokenType", "Bearer");
	cJSON_AddNumberToObject(d, "expiresIn", (double)token_ttl());
	cJSON_AddItemToObject(d, "user", user_json(&u, 1));
	memset(tok, 0, sizeof(tok));
	return http_reply_data(r, 200, d, NULL);
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/auth/register", auth_register, 0 },
	{ M_POST, "/api/v1/auth/login", auth_login, 0 },
};

int
main(void)
{
	return app_main("auth", routes, sizeof(routes) / sizeof(routes[0]));
}

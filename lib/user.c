#include <string.h>

#include "arena.h"
#include "db.h"
#include "user.h"

static const char *const role_names[] = { "user", "moderator", "admin" };

const char *
user_role_name(enum role r)
{
	return (r >= ROLE_USER && r <= ROLE_ADMIN) ? role_names[r] : "user";
}

int
user_role_parse(const char *s, enum role *out)
{
	int i;

	for (i = ROLE_USER; i <= ROLE_ADMIN; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	return -1;
}

enum err
user_insert(const char *email, size_t email_len, const char *name,
    size_t name_len, const char *hash, enum role role, int64_t now,
    int64_t *id)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_INSERT);
	int rc;

	sqlite3_bind_text(s, 1, email, (int)email_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, (int)name_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, user_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return ERR_EMAIL_TAKEN;
	if (rc != SQLITE_DONE)
		return db_fail(rc, "user_insert");
	*id = sqlite3_last_insert_rowid(db_handle());
	return ERR_NONE;
}

/* Steps s (a USER_COLUMNS query) once and fills *u. */
static enum err
user_row(struct arena *a, sqlite3_stmt *s, struct user *u, const char *where)
{
	int rc = sqlite3_step(s);
	enum err e = ERR_NONE;

	if (rc == SQLITE_DONE)
		e = ERR_NOT_FOUND;
	else if (rc != SQLITE_ROW)
		e = db_fail(rc, where);
	else {
		u->id = sqlite3_column_int64(s, 0);
		u->email = db_column_text(a, s, 1);
		u->name = db_column_text(a, s, 2);
		u->password_hash = db_column_text(a, s, 3);
		if (user_role_parse((const char *)sqlite3_column_text(s, 4),
		    &u->role) == -1)
			u->role = ROLE_USER;
		u->disabled = sqlite3_column_int(s, 5);
		u->token_version = sqlite3_column_int64(s, 6);
		u->created_at = sqlite3_column_int64(s, 7);
		u->updated_at = sqlite3_column_int64(s, 8);
		if (u->email == NULL || u->name == NULL ||
		    u->password_hash == NULL)
			e = ERR_INTERNAL;
	}
	sqlite3_reset(s);
	return e;
}

enum err
user_get(struct arena *a, int64_t id, struct user *u)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_BY_ID);

	sqlite3_bind_int64(s, 1, id);
	return user_row(a, s, u, "user_get");
}

enum err
user_get_by_email(struct arena *a, const char *email, size_t len,
    struct user *u)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_BY_EMAIL);

	sqlite3_bind_text(s, 1, email, (int)len, SQLITE_STATIC);
	return user_row(a, s, u, "user_get_by_email");
}

enum err
user_set_password_hash(int64_t id, const char *hash)
{
	sqlite3_stmt *s = db_stmt(STMT_USER_SET_PASSWORD_HASH);
	int rc;

	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? ERR_NONE : db_fail(rc, "user_set_password");
}

cJSON *
user_json(const struct user *u, int full)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(o, "id", (double)u->id) == NULL ||
	    cJSON_AddStringToObject(o, "name", u->name) == NULL)
		goto fail;
	if (full && (cJSON_AddStringToObject(o, "email", u->email) == NULL ||
	    cJSON_AddStringToObject(o, "role", user_role_name(u->role)) == NULL ||
	    cJSON_AddBoolToObject(o, "disabled", u->disabled) == NULL))
		goto fail;
	cJSON_AddItemToObject(o, "createdAt", http_time_json(u->created_at));
	if (full)
		cJSON_AddItemToObject(o, "updatedAt",
		    http_time_json(u->updated_at));
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

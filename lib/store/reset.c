#include "base/config.h"
#include "store/db_raw.h"
#include "store/reset.h"

enum err
reset_invalidate(int64_t user_id, int64_t now)
{
	sqlite3_stmt *s = db_stmt(STMT_RESET_INVALIDATE);

	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now);
	return db_step_done(s, "reset_invalidate");
}

enum err
reset_issue(int64_t user_id, int64_t now, struct secret *sec)
{
	sqlite3_stmt *s;
	enum err e;

	if ((e = reset_invalidate(user_id, now)) != ERR_NONE)
		return e;
	secret_new(sec);
	s = db_stmt(STMT_RESET_INSERT);
	sqlite3_bind_blob(s, 1, sec->hash, SECRET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, now + config.reset_ttl);
	return db_step_done(s, "reset_issue");
}

/* Runs the statement which (by hash and time, yielding a user) for text. */
static enum err
reset_lookup(enum stmt which, const char *text, size_t len, int64_t now,
    int64_t *user_id)
{
	unsigned char hash[SECRET_HASH_BYTES];
	sqlite3_stmt *s;
	int rc;

	if (secret_hash(text, len, hash) == -1)
		return ERR_NOT_FOUND;
	s = db_stmt(which);
	sqlite3_bind_blob(s, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*user_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return ERR_NONE;
	return rc == SQLITE_DONE ? ERR_NOT_FOUND : db_fail(rc, "reset_lookup");
}

enum err
reset_find(const char *text, size_t len, int64_t now, int64_t *user_id)
{
	return reset_lookup(STMT_RESET_FIND, text, len, now, user_id);
}

enum err
reset_use(const char *text, size_t len, int64_t now, int64_t *user_id)
{
	return reset_lookup(STMT_RESET_USE, text, len, now, user_id);
}

#include "base/config.h"
#include "store/db.h"
#include "store/reset.h"

enum err
reset_invalidate(int64_t user_id, int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_RESET_INVALIDATE);

	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, now);
	return db_done(st, "reset_invalidate");
}

enum err
reset_issue(int64_t user_id, int64_t now, struct secret *sec)
{
	struct db_stmt *st;
	enum err e;

	if ((e = reset_invalidate(user_id, now)) != ERR_NONE)
		return e;
	secret_new(sec);
	st = db_prepare(STMT_RESET_INSERT);
	db_bind_blob(st, 1, sec->hash, SECRET_HASH_BYTES);
	db_bind_int(st, 2, user_id);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now + config.reset_ttl);
	return db_done(st, "reset_issue");
}

/* Runs the statement which (by hash and time, yielding a user) for text. */
static enum err
reset_lookup(enum stmt which, const char *text, size_t len, int64_t now,
    int64_t *user_id)
{
	unsigned char hash[SECRET_HASH_BYTES];
	struct db_stmt *st;
	int found;
	enum err e;

	if (secret_hash(text, len, hash) == -1)
		return ERR_NOT_FOUND;
	st = db_prepare(which);
	db_bind_blob(st, 1, hash, sizeof(hash));
	db_bind_int(st, 2, now);
	if ((found = db_next(st)) == 1)
		*user_id = db_int(st, 0);
	if ((e = db_finish(st, "reset_lookup")) != ERR_NONE)
		return e;
	return found ? ERR_NONE : ERR_NOT_FOUND;
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

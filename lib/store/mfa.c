/*
 * mfa: the statements of two-factor sign-in (sql/007_mfa.sql).  Where two
 * requests may race for one thing (a step, a recovery code, a challenge),
 * the UPDATE itself says who won: it changes a row for one of them only.
 */
#include <stdio.h>
#include <string.h>

#include "base/base32.h"
#include "base/config.h"
#include "base/log.h"
#include "store/db.h"
#include "store/mfa.h"

/* The purpose a TOTP key is sealed for (base/secret). */
#define TOTP_SEAL_LABEL	"quill totp key v1"

enum err
mfa_totp_get(int64_t user_id, struct mfa_totp *t)
{
	struct db_stmt *st = db_prepare(STMT_TOTP_GET);
	int found, sealed = 0;
	enum err e;

	db_bind_int(st, 1, user_id);
	if ((found = db_next(st)) == 1) {
		sealed = db_blob(st, 0, t->sealed, sizeof(t->sealed)) == 0;
		t->created_at = db_int(st, 1);
		t->enabled_at = db_is_null(st, 2) ? 0 : db_int(st, 2);
		t->last_step = db_int(st, 3);
	}
	if ((e = db_finish(st, "mfa_totp_get")) != ERR_NONE)
		return e;
	if (found && !sealed)	/* the schema's CHECK allows no other */
		return ERR_INTERNAL;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

/* Runs st to its end: ERR_NONE when it changed a row, else none. */
static enum err
changed_one(struct db_stmt *st, const char *where, enum err none)
{
	enum err e;

	if ((e = db_done(st, where)) != ERR_NONE)
		return e;
	return db_changes() > 0 ? ERR_NONE : none;
}

enum err
mfa_totp_begin(int64_t user_id, const unsigned char sealed[MFA_SEALED_BYTES],
    int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_TOTP_BEGIN);

	db_bind_int(st, 1, user_id);
	db_bind_blob(st, 2, sealed, MFA_SEALED_BYTES);
	db_bind_int(st, 3, now);
	return changed_one(st, "mfa_totp_begin", ERR_CONFLICT);
}

enum err
mfa_totp_enable(int64_t user_id, int64_t step, int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_TOTP_ENABLE);

	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, step);
	db_bind_int(st, 3, now);
	return changed_one(st, "mfa_totp_enable", ERR_CONFLICT);
}

enum err
mfa_totp_use(int64_t user_id, int64_t step)
{
	struct db_stmt *st = db_prepare(STMT_TOTP_USE);

	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, step);
	return changed_one(st, "mfa_totp_use", ERR_CONFLICT);
}

enum err
mfa_disable(int64_t user_id)
{
	static const enum stmt steps[] = { STMT_TOTP_DELETE,
	    STMT_RECOVERY_CLEAR, STMT_CHALLENGE_CLEAR };
	struct db_stmt *st;
	size_t i;
	enum err e;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		st = db_prepare(steps[i]);
		db_bind_int(st, 1, user_id);
		if ((e = db_done(st, "mfa_disable")) != ERR_NONE)
			return e;
	}
	return ERR_NONE;
}

enum err
mfa_recovery_set(int64_t user_id,
    const unsigned char (*hashes)[SECRET_HASH_BYTES], size_t n, int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_RECOVERY_CLEAR);
	size_t i;
	enum err e;

	db_bind_int(st, 1, user_id);
	if ((e = db_done(st, "mfa_recovery_set")) != ERR_NONE)
		return e;
	for (i = 0; i < n; i++) {
		st = db_prepare(STMT_RECOVERY_INSERT);
		db_bind_int(st, 1, user_id);
		db_bind_blob(st, 2, hashes[i], SECRET_HASH_BYTES);
		db_bind_int(st, 3, now);
		if ((e = db_done(st, "mfa_recovery_set")) != ERR_NONE)
			return e;
	}
	return ERR_NONE;
}

enum err
mfa_recovery_use(int64_t user_id, const unsigned char hash[SECRET_HASH_BYTES],
    int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_RECOVERY_USE);

	db_bind_int(st, 1, user_id);
	db_bind_blob(st, 2, hash, SECRET_HASH_BYTES);
	db_bind_int(st, 3, now);
	return changed_one(st, "mfa_recovery_use", ERR_NOT_FOUND);
}

enum err
mfa_recovery_left(int64_t user_id, int64_t *n)
{
	struct db_stmt *st = db_prepare(STMT_RECOVERY_LEFT);

	db_bind_int(st, 1, user_id);
	*n = db_next(st) == 1 ? db_int(st, 0) : 0;
	return db_finish(st, "mfa_recovery_left");
}

enum err
mfa_challenge_issue(int64_t user_id, enum session_kind kind, int64_t now,
    int64_t ttl, struct secret *sec)
{
	struct db_stmt *st = db_prepare(STMT_CHALLENGE_INSERT);

	secret_new(sec);
	db_bind_blob(st, 1, sec->hash, SECRET_HASH_BYTES);
	db_bind_int(st, 2, user_id);
	db_bind_str(st, 3, session_kind_names[kind]);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now + ttl);
	return db_done(st, "mfa_challenge_issue");
}

/*
 * Runs which (?1 the hash of text, ?2 now, ?3 max_attempts; yielding the
 * user and the kind, and for a find the attempts) into *c.
 */
static enum err
challenge_lookup(enum stmt which, const char *text, size_t len, int64_t now,
    int64_t max_attempts, struct mfa_challenge *c)
{
	unsigned char hash[SECRET_HASH_BYTES];
	struct db_stmt *st;
	int found, kind_ok = 0;
	enum err e;

	if (secret_hash(text, len, hash) == -1)
		return ERR_NOT_FOUND;
	st = db_prepare(which);
	db_bind_blob(st, 1, hash, sizeof(hash));
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, max_attempts);
	if ((found = db_next(st)) == 1) {
		c->user_id = db_int(st, 0);
		kind_ok = session_kind_parse(db_text_view(st, 1),
		    &c->kind) == 0;
		c->attempts = which == STMT_CHALLENGE_FIND ? db_int(st, 2) : 0;
	}
	if ((e = db_finish(st, "mfa_challenge")) != ERR_NONE)
		return e;
	if (found && !kind_ok)	/* the schema's CHECK allows no other */
		return ERR_INTERNAL;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
mfa_challenge_find(const char *text, size_t len, int64_t now,
    int64_t max_attempts, struct mfa_challenge *c)
{
	return challenge_lookup(STMT_CHALLENGE_FIND, text, len, now,
	    max_attempts, c);
}

enum err
mfa_challenge_use(const char *text, size_t len, int64_t now,
    int64_t max_attempts, struct mfa_challenge *c)
{
	return challenge_lookup(STMT_CHALLENGE_USE, text, len, now,
	    max_attempts, c);
}

enum err
mfa_challenge_fail(const char *text, size_t len)
{
	unsigned char hash[SECRET_HASH_BYTES];
	struct db_stmt *st;

	if (secret_hash(text, len, hash) == -1)
		return ERR_NONE;
	st = db_prepare(STMT_CHALLENGE_FAIL);
	db_bind_blob(st, 1, hash, sizeof(hash));
	return db_done(st, "mfa_challenge_fail");
}

enum err
mfa_signin_get(int64_t sid, int64_t user_id, int64_t *at)
{
	struct db_stmt *st = db_prepare(STMT_SIGNIN_GET);
	int found;
	enum err e;

	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, user_id);
	if ((found = db_next(st)) == 1)
		*at = db_int(st, 0);
	if ((e = db_finish(st, "mfa_signin_get")) != ERR_NONE)
		return e;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
mfa_signin_mark(int64_t sid, int64_t user_id, int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_SIGNIN_MARK);

	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, user_id);
	db_bind_int(st, 3, now);
	return changed_one(st, "mfa_signin_mark", ERR_NOT_FOUND);
}

/* The context a user's sealed key and recovery codes are bound to: the
 * user's id as 8 big-endian bytes. */
static void
user_ctx(int64_t user_id, unsigned char ctx[8])
{
	int i;

	for (i = 7; i >= 0; i--, user_id >>= 8)
		ctx[i] = (unsigned char)(user_id & 0xff);
}

/* Opens t, user_id's sealed key, into key. */
static enum err
key_open(int64_t user_id, const struct mfa_totp *t,
    unsigned char key[TOTP_SECRET_BYTES])
{
	unsigned char ctx[8];
	char id[24];

	user_ctx(user_id, ctx);
	if (secret_unseal(config.key, config.key_len, TOTP_SEAL_LABEL, ctx,
	    sizeof(ctx), t->sealed, MFA_SEALED_BYTES, key) ==
	    TOTP_SECRET_BYTES)
		return ERR_NONE;
	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	log_event(LOG_ERROR, "totp_key_unreadable", NULL, "user", id, "why",
	    "the key does not open under this key file: it was replaced "
	    "since the user enrolled, or the row was changed; "
	    "quillctl user mfa-reset lets the user enrol again", NULL);
	return ERR_INTERNAL;
}

enum err
mfa_enrol(int64_t user_id, int64_t now, char secret[TOTP_SECRET_TEXT])
{
	unsigned char key[TOTP_SECRET_BYTES], sealed[MFA_SEALED_BYTES];
	unsigned char ctx[8];
	enum err e;

	secret_random(key, sizeof(key));
	user_ctx(user_id, ctx);
	secret_seal(config.key, config.key_len, TOTP_SEAL_LABEL, ctx,
	    sizeof(ctx), key, sizeof(key), sealed);
	if ((e = mfa_totp_begin(user_id, sealed, now)) == ERR_NONE)
		base32_encode(key, sizeof(key), secret);
	secret_wipe(key, sizeof(key));
	return e;
}

enum err
mfa_pending(int64_t user_id, char secret[TOTP_SECRET_TEXT])
{
	unsigned char key[TOTP_SECRET_BYTES];
	struct mfa_totp t;
	enum err e;

	if ((e = mfa_totp_get(user_id, &t)) != ERR_NONE)
		return e;
	if (t.enabled_at != 0)
		return ERR_NOT_FOUND;
	if ((e = key_open(user_id, &t, key)) == ERR_NONE)
		base32_encode(key, sizeof(key), secret);
	secret_wipe(key, sizeof(key));
	return e;
}

/*
 * Checks the TOTP code typed (len bytes) against t, user_id's key: *v and,
 * when accepted, *step.  A text that is not a code is MFA_WRONG.
 */
static enum err
totp_check(int64_t user_id, const struct mfa_totp *t, const char *code,
    size_t len, int64_t now, enum mfa_verdict *v, int64_t *step)
{
	unsigned char key[TOTP_SECRET_BYTES];
	uint32_t c;
	enum err e;

	*v = MFA_WRONG;
	if (totp_code_parse(code, len, &c) == -1)
		return ERR_NONE;
	if ((e = key_open(user_id, t, key)) != ERR_NONE)
		return e;
	switch (totp_verify(key, sizeof(key), c, now, t->last_step, step)) {
	case TOTP_OK:
		*v = MFA_ACCEPTED;
		break;
	case TOTP_REPLAY:
		*v = MFA_REPLAYED;
		break;
	case TOTP_WRONG:
		break;
	}
	secret_wipe(key, sizeof(key));
	return ERR_NONE;
}

/* What a step lost to another request makes of an accepted code. */
static enum err
step_taken(enum err e, enum mfa_verdict *v)
{
	if (e == ERR_CONFLICT) {
		*v = MFA_REPLAYED;
		return ERR_NONE;
	}
	return e;
}

enum err
mfa_confirm(int64_t user_id, const char *code, size_t len, int64_t now,
    enum mfa_verdict *v, struct secret_recovery codes[MFA_RECOVERY_CODES])
{
	struct mfa_totp t;
	int64_t step;
	enum err e;

	*v = MFA_NOT_ENROLLED;
	if ((e = mfa_totp_get(user_id, &t)) == ERR_NOT_FOUND ||
	    (e == ERR_NONE && t.enabled_at != 0))
		return ERR_NONE;
	if (e != ERR_NONE ||
	    (e = totp_check(user_id, &t, code, len, now, v, &step)) !=
	    ERR_NONE || *v != MFA_ACCEPTED)
		return e;
	if ((e = step_taken(mfa_totp_enable(user_id, step, now), v)) !=
	    ERR_NONE || *v != MFA_ACCEPTED)
		return e;
	return mfa_recovery_issue(user_id, now, codes);
}

enum err
mfa_check(int64_t user_id, const char *code, size_t len, int64_t now,
    enum mfa_verdict *v, int *recovery)
{
	unsigned char ctx[8], hash[SECRET_HASH_BYTES];
	struct mfa_totp t;
	uint32_t digits;
	int64_t step;
	enum err e;

	*v = MFA_NOT_ENROLLED;
	*recovery = 0;
	if ((e = mfa_totp_get(user_id, &t)) == ERR_NOT_FOUND ||
	    (e == ERR_NONE && t.enabled_at == 0))
		return ERR_NONE;
	if (e != ERR_NONE)
		return e;
	*v = MFA_WRONG;
	if (totp_code_parse(code, len, &digits) == 0) {
		if ((e = totp_check(user_id, &t, code, len, now, v, &step)) !=
		    ERR_NONE || *v != MFA_ACCEPTED)
			return e;
		return step_taken(mfa_totp_use(user_id, step), v);
	}
	user_ctx(user_id, ctx);
	if (secret_recovery_hash(config.key, config.key_len, ctx, sizeof(ctx),
	    code, len, hash) == -1)
		return ERR_NONE;
	if ((e = mfa_recovery_use(user_id, hash, now)) == ERR_NOT_FOUND)
		return ERR_NONE;
	if (e == ERR_NONE) {
		*v = MFA_ACCEPTED;
		*recovery = 1;
	}
	return e;
}

enum err
mfa_recovery_issue(int64_t user_id, int64_t now,
    struct secret_recovery codes[MFA_RECOVERY_CODES])
{
	unsigned char hashes[MFA_RECOVERY_CODES][SECRET_HASH_BYTES];
	unsigned char ctx[8];
	size_t i;

	user_ctx(user_id, ctx);
	for (i = 0; i < MFA_RECOVERY_CODES; i++) {
		secret_recovery_new(config.key, config.key_len, ctx,
		    sizeof(ctx), &codes[i]);
		memcpy(hashes[i], codes[i].hash, SECRET_HASH_BYTES);
	}
	return mfa_recovery_set(user_id, (const unsigned char (*)[
	    SECRET_HASH_BYTES])hashes, MFA_RECOVERY_CODES, now);
}

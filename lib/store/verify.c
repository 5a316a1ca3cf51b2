#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "store/db.h"
#include "store/verify.h"

/* The longest address a code is bound to (valid_email's limit). */
#define VERIFY_EMAIL_MAX 254

const char *const verify_purpose_names[VERIFY__MAX] = {
	[VERIFY_ADDRESS] = "verify",
	[VERIFY_CHANGE] = "change",
	[VERIFY_CANCEL] = "cancel",
};

/*
 * The context a code is bound to: its address in ASCII lower case, as
 * the users table compares addresses, into ctx.  Its length, or 0 when
 * it cannot be an address.
 */
static size_t
code_context(const char *email, size_t len, char ctx[VERIFY_EMAIL_MAX])
{
	size_t i;

	if (len == 0 || len > VERIFY_EMAIL_MAX)
		return 0;
	for (i = 0; i < len; i++)
		ctx[i] = email[i] >= 'A' && email[i] <= 'Z' ?
		    (char)(email[i] - 'A' + 'a') : email[i];
	return len;
}

enum err
verify_void(int64_t user_id, enum verify_purpose p, int64_t now)
{
	struct db_stmt *st = db_prepare(STMT_EMAIL_TOKEN_VOID);

	db_bind_int(st, 1, user_id);
	if (p < VERIFY__MAX)
		db_bind_str(st, 2, verify_purpose_names[p]);
	db_bind_int(st, 3, now);
	return db_done(st, "verify_void");
}

enum err
verify_issue(int64_t user_id, enum verify_purpose p, int64_t session_id,
    const char *email, long ttl, int64_t now, struct secret *link, struct secret_recovery *code)
{
	char ctx[VERIFY_EMAIL_MAX];
	struct db_stmt *st;
	size_t n;
	enum err e;

	if ((n = code_context(email, strlen(email), ctx)) == 0)
		return ERR_INTERNAL;
	if ((e = verify_void(user_id, p, now)) != ERR_NONE)
		return e;
	secret_new(link);
	if (code != NULL)
		secret_recovery_new(config.key, config.key_len, ctx, n, code);
	st = db_prepare(STMT_EMAIL_TOKEN_INSERT);
	db_bind_blob(st, 1, link->hash, SECRET_HASH_BYTES);
	if (code != NULL)
		db_bind_blob(st, 2, code->hash, SECRET_HASH_BYTES);
	db_bind_int(st, 3, user_id);
	db_bind_str(st, 4, verify_purpose_names[p]);
	db_bind_str(st, 5, email);
	db_bind_int(st, 6, now);
	db_bind_int(st, 7, now + ttl);
	if (session_id > 0)
		db_bind_int(st, 8, session_id);
	return db_done(st, "verify_issue");
}

/* Reads the row a spending statement returned into *out: 1, 0 or -1. */
static int
verify_row(struct arena *a, struct db_stmt *st, struct verify_used *out)
{
	const char *purpose;
	size_t i;

	if (db_next(st) != 1)
		return 0;
	out->user_id = db_int(st, 0);
	purpose = db_text_view(st, 1);
	for (i = 0; i < VERIFY__MAX; i++)
		if (strcmp(purpose, verify_purpose_names[i]) == 0)
			break;
	out->purpose = (enum verify_purpose)i;
	out->email = db_text(st, a, 2);
	out->session_id = db_int(st, 3);
	return i < VERIFY__MAX && out->email != NULL ? 1 : -1;
}

/* Ends the run of a spending statement that found (1, 0, -1) a row. */
static enum err
verify_spent(struct db_stmt *st, int found, const char *where)
{
	enum err e = db_finish(st, where);

	if (e != ERR_NONE)
		return e;
	if (found == -1)
		return ERR_INTERNAL;
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
verify_use_link(struct arena *a, const char *text, size_t len,
    enum verify_purpose p, enum verify_purpose q, int64_t now,
    struct verify_used *out)
{
	unsigned char hash[SECRET_HASH_BYTES];
	struct db_stmt *st;

	if (secret_hash(text, len, hash) == -1)
		return ERR_NOT_FOUND;
	st = db_prepare(STMT_EMAIL_TOKEN_USE);
	db_bind_blob(st, 1, hash, sizeof(hash));
	db_bind_int(st, 2, now);
	db_bind_str(st, 3, verify_purpose_names[p]);
	db_bind_str(st, 4, verify_purpose_names[q]);
	return verify_spent(st, verify_row(a, st, out), "verify_use_link");
}

enum err
verify_use_code(struct arena *a, const char *email, size_t elen,
    const char *text, size_t len, int64_t now, struct verify_used *out)
{
	unsigned char hash[SECRET_HASH_BYTES];
	char ctx[VERIFY_EMAIL_MAX];
	struct db_stmt *st;
	size_t n;

	if ((n = code_context(email, elen, ctx)) == 0 ||
	    secret_recovery_hash(config.key, config.key_len, ctx, n, text, len,
	    hash) == -1)
		return ERR_NOT_FOUND;
	st = db_prepare(STMT_EMAIL_TOKEN_USE_CODE);
	db_bind_blob(st, 1, hash, sizeof(hash));
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, email, elen);
	return verify_spent(st, verify_row(a, st, out), "verify_use_code");
}

enum err
verify_pending(struct arena *a, int64_t user_id, int64_t now,
    const char **email)
{
	struct db_stmt *st = db_prepare(STMT_EMAIL_TOKEN_PENDING);
	enum err e;

	*email = NULL;
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, now);
	if (db_next(st) == 1 && (*email = db_text(st, a, 0)) == NULL) {
		(void)db_finish(st, "verify_pending");
		return ERR_INTERNAL;
	}
	e = db_finish(st, "verify_pending");
	return e;
}

/*
 * password: Argon2id hashing (libsodium), rehash detection, the password
 * policy and the common-password blocklist.
 */
#ifndef QUILL_PASSWORD_H
#define QUILL_PASSWORD_H

#include <stddef.h>

/* Room for an encoded hash, NUL included (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_MAX 128

/* Policy bounds, in characters (Unicode code points). */
#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 128

enum password_verdict {
	PASSWORD_MISMATCH = 0,
	PASSWORD_OK,		/* matches, parameters current */
	PASSWORD_OK_REHASH,	/* matches, hash with the current parameters */
	PASSWORD_ERROR		/* malformed hash or out of memory */
};

/*
 * Initialises libsodium and sets the Argon2id cost (opslimit, memlimit in
 * bytes); zeros select libsodium's INTERACTIVE limits.  Returns 0 or -1.
 */
int password_init(unsigned long long opslimit, size_t memlimit);

/* Hashes pw (len bytes) into out; returns 0 or -1. */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX]);

/* Checks pw against an encoded hash. */
enum password_verdict password_verify(const char *hash, const char *pw,
    size_t len);

/*
 * Spends the same time as password_verify against a real hash, for callers
 * that have no account to check, so timing does not reveal which emails exist.
 */
void password_verify_dummy(const char *pw, size_t len);

/*
 * Checks pw (len bytes, valid UTF-8) against the policy.  Returns NULL when
 * acceptable, else a detail code: "too_short", "too_long" or "too_common".
 */
const char *password_policy(const char *pw, size_t len);

/*
 * Loads the blocklist: one password a line, '#' comments, compared without
 * regard to ASCII case.  Replaces any list loaded before.  Returns the number
 * of entries, or -1 when the file cannot be read.
 */
long password_blocklist_load(const char *path);

/* Frees the blocklist. */
void password_shutdown(void);

#endif

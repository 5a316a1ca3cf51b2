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
	PASSWORD_ERROR,		/* malformed hash or out of memory */
	PASSWORD_BUSY		/* no Argon2 slot came free: try again later */
};

/*
 * Initialises libsodium and sets the Argon2id cost (opslimit, memlimit in
 * bytes); zeros select libsodium's INTERACTIVE limits.  Returns 0 or -1.
 */
int password_init(unsigned long long opslimit, size_t memlimit);

/*
 * Caps the Argon2 computations running at once, across every process that
 * names the same lock_path, at slots: each computation holds an fcntl lock
 * on one byte of that file, which the kernel drops when its process dies.
 * The file is opened (and created) now, so that a program that confines
 * itself afterwards (sandbox.h) need not open it; failing that, on first
 * use.  A computation waits up to wait_ms for a free slot, else is refused
 * (PASSWORD_BUSY).  slots 0, the state before this is called, lifts the
 * cap.  Returns 0, or -1 when lock_path is too long.
 */
int password_gate(const char *lock_path, unsigned slots, unsigned wait_ms);

/*
 * Hashes pw (len bytes) into out; returns 0, or -1 on failure or when no
 * Argon2 slot came free.
 */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX]);

/* Checks pw against an encoded hash, inside an Argon2 slot. */
enum password_verdict password_verify(const char *hash, const char *pw,
    size_t len);

/*
 * Spends the same time as password_verify against a real hash, for callers
 * that have no account to check, so timing does not reveal which emails
 * exist.  Returns PASSWORD_MISMATCH, or PASSWORD_BUSY as password_verify
 * would, so a busy answer does not reveal them either.
 */
enum password_verdict password_verify_dummy(const char *pw, size_t len);

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

/*
 * Opens the blocklist file now and reads it on the first password_policy,
 * for a program that must open its files before it confines itself
 * (sandbox.h) and checks new passwords only now and then: most processes
 * never read it.  Replaces any list loaded before.  Returns 0, or -1 when
 * the file cannot be opened.  A read that fails later is logged, and
 * passwords are then checked without the list.
 */
int password_blocklist_open(const char *path);

/* Frees the blocklist. */
void password_shutdown(void);

#endif

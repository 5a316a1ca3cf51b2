/*
 * mfa: what two-factor sign-in keeps.  A user's TOTP key (sealed, see
 * base/secret), pending until a first code confirms it, with the step of
 * the last code accepted; the user's recovery codes (keyed hashes, single
 * use); the challenges a correct password earns an account with a second
 * factor (secrets stored as their hash, single use, short-lived, a few
 * wrong codes each); and the time each session last signed in in full,
 * for the recent-login check.  Plain values in and out; the sealing, the
 * hashing of codes and the checking of TOTP codes are the caller's.
 */
#ifndef QUILL_MFA_H
#define QUILL_MFA_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/secret.h"
#include "pure/totp.h"
#include "store/session.h"

#define MFA_SEALED_BYTES	SECRET_SEALED_LEN(TOTP_SECRET_BYTES)
#define MFA_RECOVERY_CODES	10	/* issued at a time */

/* A user's TOTP key as stored. */
struct mfa_totp {
	unsigned char	 sealed[MFA_SEALED_BYTES];
	int64_t		 created_at;
	int64_t		 enabled_at;	/* 0 while pending */
	int64_t		 last_step;	/* -1 before any code */
};

/* A live challenge. */
struct mfa_challenge {
	int64_t		 user_id;
	enum session_kind kind;		/* the session a right code opens */
	int64_t		 attempts;	/* wrong codes so far */
};

/* user_id's TOTP key into *t; ERR_NOT_FOUND when there is none.  Reads. */
enum err mfa_totp_get(int64_t user_id, struct mfa_totp *t);

/*
 * Stores a new pending key (sealed, MFA_SEALED_BYTES) for user_id, in
 * place of a pending one; ERR_CONFLICT when a key is already enabled.
 * Call inside a write transaction.
 */
enum err mfa_totp_begin(int64_t user_id,
    const unsigned char sealed[MFA_SEALED_BYTES], int64_t now);

/*
 * Enables user_id's pending key, a code of step having been accepted;
 * ERR_CONFLICT when there is no pending key or step is not past its last.
 * Call inside a write transaction.
 */
enum err mfa_totp_enable(int64_t user_id, int64_t step, int64_t now);

/*
 * Records that a code of step was accepted for user_id's enabled key:
 * ERR_CONFLICT when step is not past the last one recorded (the same code
 * was taken meanwhile by another request).  Call inside a write
 * transaction.
 */
enum err mfa_totp_use(int64_t user_id, int64_t step);

/*
 * Ends two-factor sign-in for user_id: the key, the recovery codes and
 * the open challenges go.  Call inside a write transaction.
 */
enum err mfa_disable(int64_t user_id);

/*
 * Replaces user_id's recovery codes with the n hashes given.  Call inside
 * a write transaction.
 */
enum err mfa_recovery_set(int64_t user_id,
    const unsigned char (*hashes)[SECRET_HASH_BYTES], size_t n, int64_t now);

/*
 * Spends the recovery code of hash for user_id; ERR_NOT_FOUND when it is
 * not one of the user's unused codes.  Call inside a write transaction.
 */
enum err mfa_recovery_use(int64_t user_id,
    const unsigned char hash[SECRET_HASH_BYTES], int64_t now);

/* How many unused recovery codes user_id has, into *n.  Reads. */
enum err mfa_recovery_left(int64_t user_id, int64_t *n);

/*
 * Issues a challenge for user_id into *sec, for a session of kind, good
 * for ttl seconds.  Call inside a write transaction.
 */
enum err mfa_challenge_issue(int64_t user_id, enum session_kind kind,
    int64_t now, int64_t ttl, struct secret *sec);

/*
 * The challenge whose text is text (len bytes), unused, unexpired and with
 * fewer than max_attempts wrong codes, into *c; ERR_NOT_FOUND for any
 * other text.  Reads.
 */
enum err mfa_challenge_find(const char *text, size_t len, int64_t now,
    int64_t max_attempts, struct mfa_challenge *c);

/*
 * Counts a wrong code against the challenge text (len bytes).  Call inside
 * a write transaction.
 */
enum err mfa_challenge_fail(const char *text, size_t len);

/*
 * Spends the challenge text (len bytes): as mfa_challenge_find, and it
 * can never be used again; ERR_NOT_FOUND when another request spent it
 * first.  Call inside a write transaction.
 */
enum err mfa_challenge_use(const char *text, size_t len, int64_t now,
    int64_t max_attempts, struct mfa_challenge *c);

/*
 * When session sid of user_id last signed in in full (its opening, or
 * the last mfa_signin_mark), into *at; ERR_NOT_FOUND when the session is
 * not the user's.  Reads.
 */
enum err mfa_signin_get(int64_t sid, int64_t user_id, int64_t *at);

/*
 * Records a full sign-in (the password again, and a code where two-factor
 * is on) in session sid of user_id at now; ERR_NOT_FOUND when the session
 * is not the user's or is revoked.  Call inside a write transaction.
 */
enum err mfa_signin_mark(int64_t sid, int64_t user_id, int64_t now);

/*
 * What follows puts the pieces together for the flows: keys are made and
 * sealed under the server's key (config.key, which must be loaded), codes
 * are checked against the time given, and whatever a right code spends is
 * spent in the same call.  Each must run inside a write transaction.
 */

/* What a code someone typed turned out to be. */
enum mfa_verdict {
	MFA_ACCEPTED,		/* right, and now spent */
	MFA_WRONG,		/* not a right code, or not a code at all */
	MFA_REPLAYED,		/* the TOTP code of a step already used */
	MFA_NOT_ENROLLED,	/* the user has no key for this (enabled or
				 * pending, as the call wants) */
};

/*
 * Starts enrolment for user_id: a fresh 160-bit key, pending, replacing a
 * pending one, as base32 text into secret for the user to type or scan.
 * ERR_CONFLICT when the user's key is already enabled.
 */
enum err mfa_enrol(int64_t user_id, int64_t now,
    char secret[TOTP_SECRET_TEXT]);

/*
 * The base32 text of user_id's pending key into secret, to show the same
 * enrolment again; ERR_NOT_FOUND when no key is pending.
 */
enum err mfa_pending(int64_t user_id, char secret[TOTP_SECRET_TEXT]);

/*
 * Confirms user_id's pending enrolment with the code of len bytes: when
 * *v is MFA_ACCEPTED the key is enabled and codes holds the user's fresh
 * recovery codes, to be shown once.
 */
enum err mfa_confirm(int64_t user_id, const char *code, size_t len,
    int64_t now, enum mfa_verdict *v,
    struct secret_recovery codes[MFA_RECOVERY_CODES]);

/*
 * Checks the second factor of user_id: a TOTP code of the enabled key or,
 * failing that, an unused recovery code (told apart by their shape), and
 * spends it when right.  *recovery is set to 1 when a recovery code was
 * spent, so the caller can say how many are left.
 */
enum err mfa_check(int64_t user_id, const char *code, size_t len,
    int64_t now, enum mfa_verdict *v, int *recovery);

/* Issues fresh recovery codes for user_id into codes, in place of all. */
enum err mfa_recovery_issue(int64_t user_id, int64_t now,
    struct secret_recovery codes[MFA_RECOVERY_CODES]);

#endif

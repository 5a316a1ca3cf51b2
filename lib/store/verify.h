/*
 * verify: the links and codes mailed to prove an address (docs/auth.md).
 * A link's token is a secret (base/secret: 32 random bytes, base64url,
 * stored as its SHA-256); the short code printed beside it is a recovery
 * code (60 bits, "abcd-efgh-ijkl") stored as a keyed hash bound to the
 * address it was mailed to.  Each is usable once, until it expires, and
 * only while no newer one of the same user and purpose was issued.
 */
#ifndef QUILL_VERIFY_H
#define QUILL_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/secret.h"

struct arena;

/* What a mailed token proves; the names are verify_purpose_names. */
enum verify_purpose {
	VERIFY_ADDRESS,		/* the account's own address */
	VERIFY_CHANGE,		/* the new address of an email change */
	VERIFY_CANCEL,		/* the old address of one, undoing it */
	VERIFY__MAX
};

/* "verify", "change", "cancel": indexed by enum verify_purpose. */
extern const char *const verify_purpose_names[VERIFY__MAX];

/* A token just spent: whose, what for, and the address it was mailed to. */
struct verify_used {
	int64_t			 user_id;
	enum verify_purpose	 purpose;
	const char		*email;		/* in the caller's arena */
	int64_t			 session_id;	/* that asked for it; 0: none */
};

/*
 * Issues a token of purpose p for user_id, asked for by session_id (0:
 * none), mailed to email and valid for ttl seconds from now, into *link, and its short code into *code (NULL:
 * none, for VERIFY_CANCEL); any earlier unused token of the same user and
 * purpose can no longer be used.  Call inside a write transaction.
 */
enum err verify_issue(int64_t user_id, enum verify_purpose p,
    int64_t session_id, const char *email, long ttl, int64_t now, struct secret *link,
    struct secret_recovery *code);

/*
 * Spends the link token text (len bytes) if it is unused, unexpired and
 * of purpose p or q, filling *out (strings in a).  ERR_NOT_FOUND for
 * anything else, and then nothing changed.  Call inside a write
 * transaction.
 */
enum err verify_use_link(struct arena *a, const char *text, size_t len,
    enum verify_purpose p, enum verify_purpose q, int64_t now,
    struct verify_used *out);

/*
 * Spends the short code text (len bytes) mailed to email (elen bytes) for
 * VERIFY_ADDRESS or VERIFY_CHANGE, as verify_use_link.
 */
enum err verify_use_code(struct arena *a, const char *email, size_t elen,
    const char *text, size_t len, int64_t now, struct verify_used *out);

/*
 * Makes every unused token of user_id of purpose p unusable; p
 * VERIFY__MAX: of every purpose.  Call inside a write transaction.
 */
enum err verify_void(int64_t user_id, enum verify_purpose p, int64_t now);

/*
 * The address of user_id's email change waiting for its confirmation at
 * now, into *email (in a), or NULL when none waits.  Reads only.
 */
enum err verify_pending(struct arena *a, int64_t user_id, int64_t now,
    const char **email);

#endif

/*
 * reset: password-reset tokens.  A token is a secret (base/secret: 32
 * random bytes, base64url, stored as its SHA-256), usable once, for
 * QUILL_RESET_TTL seconds, and only while no newer token was issued and the
 * password has not changed since.
 */
#ifndef QUILL_RESET_H
#define QUILL_RESET_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/secret.h"

/*
 * Issues a reset token for user_id into *sec, making any earlier unused one
 * unusable.  Call inside a write transaction.
 */
enum err reset_issue(int64_t user_id, int64_t now, struct secret *sec);

/*
 * The user whose unused, unexpired reset token is text (len bytes), into
 * *user_id; ERR_NOT_FOUND for any other text.  Reads only.
 */
enum err reset_find(const char *text, size_t len, int64_t now,
    int64_t *user_id);

/*
 * Spends the reset token text (len bytes): as reset_find, and the token
 * can never be used again.  Call inside a write transaction.
 */
enum err reset_use(const char *text, size_t len, int64_t now,
    int64_t *user_id);

/*
 * Makes every unused reset token of user_id unusable (the password
 * changed).  Call inside a write transaction.
 */
enum err reset_invalidate(int64_t user_id, int64_t now);

#endif

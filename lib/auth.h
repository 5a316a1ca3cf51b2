/*
 * auth: who is calling.  A Bearer access token becomes a principal
 * {user id, role, session} once the token verifies and the user's current
 * token version, role and status, and the state of the token's session, are
 * read from the database.
 */
#ifndef QUILL_AUTH_H
#define QUILL_AUTH_H

#include <stddef.h>

#include <stdint.h>

#include "http.h"

/*
 * Finds the token in an Authorization header value: the scheme "Bearer" in
 * any case, one or more spaces, then the token, the rest of the value
 * (*tok, *len bytes, possibly 0).  Returns 0, or -1 for any other scheme.
 */
int auth_bearer_token(const char *header, const char **tok, size_t *len);

/*
 * Sets r->who from the Authorization header.  No credentials: anonymous,
 * ERR_NONE.  Credentials that do not verify, a disabled user, a stale token
 * version or a session that has ended: ERR_UNAUTHENTICATED (with
 * r->token_sent set).
 */
enum err auth_identify(struct req *r);

/* auth_identify, and an anonymous caller is ERR_UNAUTHENTICATED. */
enum err auth_require(struct req *r);

/* auth_require, and a caller whose role is below min is ERR_FORBIDDEN. */
enum err auth_require_role(struct req *r, enum role min);

struct user;
struct vvalue;

/*
 * Proves the caller knows u's current password, given in pw (the body field
 * named field).  Argon2 runs first, outside any transaction: call with none
 * open.  A locked account is ERR_RATE_LIMITED; a wrong password counts as a
 * failed login of the account (the QUILL_LOGIN_* back-off), is logged, and
 * answers ERR_VALIDATION with an invalid_value detail on field.  No free
 * Argon2 slot is ERR_UNAVAILABLE.
 */
enum err auth_verify_current(struct req *r, const struct user *u,
    const char *field, const struct vvalue *pw, int64_t now);

#endif

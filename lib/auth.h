/*
 * auth: who is calling.  A Bearer access token becomes a principal
 * {user id, role} once the token verifies and the user's current token
 * version, role and status are read from the database.
 */
#ifndef QUILL_AUTH_H
#define QUILL_AUTH_H

#include <stddef.h>

#include "http.h"

/*
 * Finds the token in an Authorization header value: the scheme "Bearer" in
 * any case, one or more spaces, then the token, the rest of the value
 * (*tok, *len bytes, possibly 0).  Returns 0, or -1 for any other scheme.
 */
int auth_bearer_token(const char *header, const char **tok, size_t *len);

/*
 * Sets r->who from the Authorization header.  No credentials: anonymous,
 * ERR_NONE.  Credentials that do not verify, a disabled user or a stale token
 * version: ERR_UNAUTHENTICATED (with r->token_sent set).
 */
enum err auth_identify(struct req *r);

/* auth_identify, and an anonymous caller is ERR_UNAUTHENTICATED. */
enum err auth_require(struct req *r);

#endif

/*
 * view: the JSON forms of the resources, as the API answers them.  The
 * store hands out plain structs; what a client sees of them, and under
 * which names, is decided here alone.  Each function returns a new cJSON
 * item, owned by the caller, or NULL when out of memory.
 */
#ifndef QUILL_VIEW_H
#define QUILL_VIEW_H

#include <stdint.h>
#include <cJSON.h>

#include "pure/post.h"
#include "store/session.h"
#include "store/user.h"

/* A string of the RFC 3339 form of t (base/time.h). */
cJSON *view_time(int64_t t);

/*
 * u as {id, name, createdAt}, the public profile, or with full set also
 * email, role, disabled and updatedAt.  Never the hash or the version.
 */
cJSON *view_user(const struct user *u, int full);

/* p as {id, authorId, title, body or excerpt, status, createdAt, updatedAt}. */
cJSON *view_post(const struct post *p);

/*
 * s as {id, kind, createdAt, lastUsedAt, userAgent, ip, current}, where
 * current says whether s is the session current_id.
 */
cJSON *view_session(const struct session_row *s, int64_t current_id);

#endif

/*
 * view: the JSON forms of the resources, as the API answers them.  The
 * store hands out plain structs; what a client sees of them, and under
 * which names, is decided here alone.  Each cJSON function returns a new
 * item, owned by the caller, or NULL when out of memory; a post, the
 * answer most asked for, is written straight into the answer instead.
 */
#ifndef QUILL_VIEW_H
#define QUILL_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "pure/post.h"
#include "store/session.h"
#include "store/user.h"

struct buf;

/* A string of the RFC 3339 form of t (base/time.h). */
cJSON *view_time(int64_t t);

/*
 * u as {id, name, createdAt}, the public profile, or with full set also
 * email, role, disabled and updatedAt.  Never the hash or the version.
 */
cJSON *view_user(const struct user *u, int full);

/*
 * Appends p as {id, authorId, title, body or excerpt, status, createdAt,
 * updatedAt}, written straight into b: no tree on the answer's path, the
 * bytes json_append would write of the equivalent cJSON object (ids
 * exactly, as a tree holds them below 2^53).  -1 when out of memory or p
 * lacks a title or body.
 */
int view_post_json(struct buf *b, const struct post *p);

/* Appends the n posts of rows as a JSON array of view_post_json's. */
int view_posts_json(struct buf *b, const struct post *rows, size_t n);

/*
 * s as {id, kind, createdAt, lastUsedAt, userAgent, ip, current}, where
 * current says whether s is the session current_id.
 */
cJSON *view_session(const struct session_row *s, int64_t current_id);

#endif

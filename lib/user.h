/*
 * user: the users table as the handlers see it.  The only code besides db
 * that knows how users are stored.
 */
#ifndef QUILL_USER_H
#define QUILL_USER_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "error.h"
#include "http.h"

struct arena;

struct user {
	int64_t		 id;
	const char	*email;
	const char	*name;
	const char	*password_hash;
	enum role	 role;
	int		 disabled;
	int64_t		 token_version;
	int64_t		 created_at;
	int64_t		 updated_at;
};

/* "user", "moderator" or "admin". */
const char *user_role_name(enum role r);

/* Parses a role name; -1 when it is not one. */
int user_role_parse(const char *s, enum role *out);

/*
 * Inserts a user; *id receives the new id.  ERR_EMAIL_TAKEN when the email
 * (compared without regard to ASCII case) is in use.  Call inside a
 * transaction.
 */
enum err user_insert(const char *email, size_t email_len, const char *name,
    size_t name_len, const char *hash, enum role role, int64_t now,
    int64_t *id);

/* Loads user id into *u, strings in the arena; ERR_NOT_FOUND when absent. */
enum err user_get(struct arena *a, int64_t id, struct user *u);

/* Loads the user with this email (any ASCII case); ERR_NOT_FOUND if none. */
enum err user_get_by_email(struct arena *a, const char *email, size_t len,
    struct user *u);

/* Stores a new password hash (parameters changed; same password). */
enum err user_set_password_hash(int64_t id, const char *hash);

/*
 * The JSON form of u: the public profile {id, name, createdAt}, or with full
 * set also email, role, disabled and updatedAt.  Never the hash or version.
 */
cJSON *user_json(const struct user *u, int full);

#endif

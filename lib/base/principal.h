/*
 * principal: who is calling, and the roles a user can hold.  The role
 * names are spelled here alone: the users table, access tokens, the
 * validators and quillctl all go through principal_role_names.
 */
#ifndef QUILL_PRINCIPAL_H
#define QUILL_PRINCIPAL_H

#include <stdint.h>

enum role { ROLE_USER, ROLE_MODERATOR, ROLE_ADMIN, ROLE__MAX };

/* "user", "moderator", "admin": indexed by enum role. */
extern const char *const principal_role_names[ROLE__MAX];

/* Who is calling, once auth has looked (user_id 0: anonymous). */
struct principal {
	int64_t		 user_id;
	enum role	 role;
	int64_t		 token_version;
	int64_t		 session_id;	/* the session of the access token */
	int		 cookie;	/* 1: the session cookie identified them */
};

/* The name of role r; "user" for a value outside the enum. */
const char *principal_role_name(enum role r);

/* Parses a role name (NULL is none) into *out; -1 when it is not one. */
int principal_role_parse(const char *s, enum role *out);

#endif

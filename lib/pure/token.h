/*
 * token: HS256 JWT access tokens.  The only file that includes <jwt.h>.
 *
 * libjwt 1.10.2 verifies only what it is asked to, so verification here is
 * done without it: it caps the length before decoding, requires the
 * header's alg to be exactly "HS256", checks the HMAC under the configured
 * key (never an empty one) in constant time, and checks exp, nbf, iss, aud,
 * typ and the other claims itself.  libjwt issues the tokens.
 */
#ifndef QUILL_TOKEN_H
#define QUILL_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest token accepted for decoding, in bytes. */
#define TOKEN_MAX_LEN 4096

/* Shortest signing key accepted, in bytes. */
#define TOKEN_MIN_KEY 32

struct token_claims {
	int64_t	 sub;		/* user id */
	char	 role[16];	/* "user", "moderator" or "admin" */
	int64_t	 ver;		/* the user's token_version at issue */
	int64_t	 sid;		/* the session the token was issued for */
	int64_t	 iat;
	int64_t	 exp;
	int64_t	 auth_time;	/* the session's last full sign-in; 0: none */
	char	 jti[33];	/* 32 hex characters */
};

enum token_result {
	TOKEN_OK = 0,
	TOKEN_TOO_LONG,
	TOKEN_MALFORMED,	/* not three base64url segments of JSON objects */
	TOKEN_BAD_ALG,		/* header alg is not exactly "HS256" */
	TOKEN_BAD_SIGNATURE,
	TOKEN_EXPIRED,		/* exp missing, not an integer, <= 0 or past */
	TOKEN_NOT_YET_VALID,	/* nbf in the future */
	TOKEN_BAD_ISSUER,
	TOKEN_BAD_AUDIENCE,
	TOKEN_BAD_TYPE,		/* typ claim is not "access" */
	TOKEN_BAD_CLAIMS,	/* sub, role, ver, sid, iat or jti missing or mistyped */
	TOKEN_NOT_READY		/* token_init has not succeeded */
};

/*
 * Sets the signing key (at least TOKEN_MIN_KEY bytes, copied), the issuer
 * and audience (copied) and the access-token lifetime in seconds.
 * Returns 0, or -1 when an argument is unacceptable.
 */
int token_init(const unsigned char *key, size_t key_len, const char *issuer,
    const char *audience, long ttl);

/*
 * Signs a token and throws it away.  libjwt signs with OpenSSL, which sets
 * itself up on first use (its configuration file, its once-only
 * initialisations): a program that issues tokens calls this after
 * token_init, before it confines itself (sandbox.h), so that this happens
 * at start-up rather than in the first login.  Verifying needs no OpenSSL.
 * Returns 0, or -1.
 */
int token_warm(void);

/* Lifetime of access tokens in seconds, as given to token_init. */
long token_ttl(void);

/*
 * Issues an access token for the given user and session (sid > 0), valid
 * from now for the configured lifetime.  Writes the NUL-terminated token
 * into out (outsz bytes) and returns its length, or -1.
 */
int token_issue_access(int64_t sub, const char *role, int64_t ver,
    int64_t sid, time_t now, char *out, size_t outsz);

/*
 * As token_issue_access, with auth_time (the claim of that name) the time
 * the session last signed in in full, in place of now: for a token of a
 * refresh, or after a new confirmation.
 */
int token_issue_access_at(int64_t sub, const char *role, int64_t ver,
    int64_t sid, time_t now, int64_t auth_time, char *out, size_t outsz);

/* Verifies an access token of len bytes at time now; fills *c on TOKEN_OK. */
enum token_result token_verify_access(const char *tok, size_t len,
    time_t now, struct token_claims *c);

/* A short description of r for logs (never sent to clients). */
const char *token_result_name(enum token_result r);

/* Wipes the key from memory. */
void token_shutdown(void);

#endif

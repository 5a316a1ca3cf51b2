/*
 * secret: the random secrets that stand for a login (refresh tokens,
 * session cookies, reset codes) and what is derived from them.  A secret
 * is 32 random bytes written as base64url; only its SHA-256 is stored and
 * looked up, so the database never holds one that works.  A derived
 * secret or a CSRF token is an HMAC under a key: it needs no storage.
 * libsodium must be initialised first (password_init and token_init do
 * it).
 */
#ifndef QUILL_SECRET_H
#define QUILL_SECRET_H

#include <stddef.h>

#define SECRET_BYTES		32
#define SECRET_LEN		43	/* base64url characters, unpadded */
#define SECRET_HASH_BYTES	32
#define SECRET_DIGEST_HEX	65	/* 64 hex digits and a NUL */

struct secret {
	char		 text[SECRET_LEN + 1];	/* for the client, once */
	unsigned char	 hash[SECRET_HASH_BYTES]; /* for the database */
};

/* A fresh secret: 32 random bytes as base64url text, and its hash. */
void secret_new(struct secret *s);

/*
 * The hash of a secret a client presented (len bytes).  Returns 0, or -1
 * when the text cannot be one of ours (length, alphabet), so it need not
 * be looked up.
 */
int secret_hash(const char *text, size_t len,
    unsigned char hash[SECRET_HASH_BYTES]);

/*
 * The SHA-256 of n bytes as lowercase hex, for keys that must not be kept
 * in clear (what someone typed as their email may be a password).
 */
void secret_digest_hex(const void *p, size_t n, char out[SECRET_DIGEST_HEX]);

/*
 * The secret that n bytes of p stand for under key (keylen bytes), for the
 * purpose label names: an HMAC in base64url, and its hash, into *out.  The
 * same input gives the same secret, and nobody without the key can work it
 * out (a refresh token's successor).
 */
void secret_derive(const unsigned char *key, size_t keylen, const char *label,
    const void *p, size_t n, struct secret *out);

/*
 * The CSRF token of the cookie whose secret hashes to hash, under the key
 * of keylen bytes (the signing key): base64url text of SECRET_LEN
 * characters.
 */
void secret_csrf_token(const unsigned char *key, size_t keylen,
    const unsigned char hash[SECRET_HASH_BYTES], char out[SECRET_LEN + 1]);

/*
 * 1 when token (len bytes) is the CSRF token of hash under key; compared
 * in constant time.
 */
int secret_csrf_verify(const unsigned char *key, size_t keylen,
    const unsigned char hash[SECRET_HASH_BYTES], const char *token,
    size_t len);

/*
 * 1 when the alen bytes of a equal the blen bytes of b, compared in time
 * that depends on the lengths only, for a secret someone presents.
 */
int secret_equal(const void *a, size_t alen, const void *b, size_t blen);

/* n random bytes into p, from the kernel's generator. */
void secret_random(void *p, size_t n);

/* Overwrites n bytes of p with zeros, in a way the compiler keeps. */
void secret_wipe(void *p, size_t n);

/*
 * Sealing: a secret the server must read back (a TOTP key), kept in the
 * database so that the database alone does not give it away.  A sealed
 * value is XChaCha20-Poly1305 under a key derived from the server's key
 * for the purpose label, with a random nonce, and bound to a context (the
 * id of the row it belongs to) that must be given again to open it: a
 * sealed value copied to another row, or sealed under another key or for
 * another purpose, does not open.
 */
#define SECRET_SEAL_OVERHEAD	40	/* nonce 24, tag 16 */
#define SECRET_SEALED_LEN(n)	((n) + SECRET_SEAL_OVERHEAD)

/* Seals n bytes of plain into out (SECRET_SEALED_LEN(n) bytes). */
void secret_seal(const unsigned char *key, size_t keylen, const char *label,
    const void *ctx, size_t ctxlen, const void *plain, size_t n,
    unsigned char *out);

/*
 * Opens len bytes sealed by secret_seal under the same key, label and
 * context into out (len - SECRET_SEAL_OVERHEAD bytes).  Returns the length
 * of the plain text, or -1 (nothing written) when the value is too short,
 * was changed, or was sealed otherwise.
 */
long secret_unseal(const unsigned char *key, size_t keylen,
    const char *label, const void *ctx, size_t ctxlen,
    const unsigned char *sealed, size_t len, unsigned char *out);

/*
 * Recovery codes: the single-use codes that stand in for a second factor.
 * A code is 60 random bits as 12 base32 characters, shown in lower case in
 * three groups ("abcd-efgh-ijkl"); people may type it in either case, with
 * or without the dashes or with spaces.  Only a keyed hash is stored,
 * bound to a context (the user's id): without the server's key a stolen
 * database does not let anyone test guesses.
 */
#define SECRET_RECOVERY_CHARS	12	/* base32 characters, 60 bits */
#define SECRET_RECOVERY_TEXT	15	/* "abcd-efgh-ijkl" and a NUL */
#define SECRET_RECOVERY_MAX	32	/* the longest text looked at */

struct secret_recovery {
	char		 text[SECRET_RECOVERY_TEXT];	/* for the user, once */
	unsigned char	 hash[SECRET_HASH_BYTES];	/* for the database */
};

/* A fresh recovery code and its hash under key for ctx. */
void secret_recovery_new(const unsigned char *key, size_t keylen,
    const void *ctx, size_t ctxlen, struct secret_recovery *r);

/*
 * The hash of a recovery code someone typed (len bytes), under key for
 * ctx.  Returns 0, or -1 when the text cannot be a code (its length, its
 * alphabet), so it need not be looked up.
 */
int secret_recovery_hash(const unsigned char *key, size_t keylen,
    const void *ctx, size_t ctxlen, const char *text, size_t len,
    unsigned char hash[SECRET_HASH_BYTES]);

#endif

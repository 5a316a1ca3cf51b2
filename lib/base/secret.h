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

#endif

/*
 * sha1: SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), for the one use that
 * still needs them: the codes of authenticator apps (RFC 6238), which are
 * defined over HMAC-SHA1 and which every app computes that way.  HMAC-SHA1
 * is not broken by SHA-1's collisions; nothing else in Quill may use it
 * (libsodium's SHA-256 serves everywhere else).
 */
#ifndef QUILL_SHA1_H
#define QUILL_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_BYTES	20
#define SHA1_BLOCK	64

struct sha1 {
	uint32_t	 h[5];
	uint64_t	 bytes;			/* hashed so far */
	unsigned char	 block[SHA1_BLOCK];	/* a partial block */
};

void	sha1_init(struct sha1 *c);
void	sha1_update(struct sha1 *c, const void *p, size_t n);
/* Writes the digest and wipes c. */
void	sha1_final(struct sha1 *c, unsigned char out[SHA1_BYTES]);

/* The HMAC-SHA1 under key (keylen bytes, any length) of n bytes of p. */
void	hmac_sha1(const void *key, size_t keylen, const void *p, size_t n,
	    unsigned char out[SHA1_BYTES]);

#endif

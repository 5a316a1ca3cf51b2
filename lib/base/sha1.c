/*
 * sha1: SHA-1 as FIPS 180-4 section 6.1 gives it, and HMAC over it as
 * RFC 2104 does.  Words are big-endian; the message is padded with 0x80,
 * zeros, and its length in bits as 64 big-endian bits.
 */
#include <string.h>

#include "base/sha1.h"

static uint32_t
rol(uint32_t x, int n)
{
	return x << n | x >> (32 - n);
}

static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

/* Hashes one 64-byte block into c->h. */
static void
sha1_block(struct sha1 *c, const unsigned char *p)
{
	uint32_t w[80], a, b, d, e, f, k, t, cc;
	size_t i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0];
	b = c->h[1];
	cc = c->h[2];
	d = c->h[3];
	e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = rol(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
	wipe(w, sizeof(w));
}

void
sha1_init(struct sha1 *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->h[4] = 0xc3d2e1f0;
	c->bytes = 0;
}

void
sha1_update(struct sha1 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t have = c->bytes % SHA1_BLOCK, take;

	c->bytes += n;
	if (have > 0) {
		take = SHA1_BLOCK - have < n ? SHA1_BLOCK - have : n;
		memcpy(c->block + have, p, take);
		p += take;
		n -= take;
		if (have + take < SHA1_BLOCK)
			return;
		sha1_block(c, c->block);
	}
	for (; n >= SHA1_BLOCK; p += SHA1_BLOCK, n -= SHA1_BLOCK)
		sha1_block(c, p);
	if (n > 0)
		memcpy(c->block, p, n);
}

void
sha1_final(struct sha1 *c, unsigned char out[SHA1_BYTES])
{
	uint64_t bits = c->bytes * 8;
	size_t i, have = c->bytes % SHA1_BLOCK;

	c->block[have++] = 0x80;
	if (have > SHA1_BLOCK - 8) {
		memset(c->block + have, 0, SHA1_BLOCK - have);
		sha1_block(c, c->block);
		have = 0;
	}
	memset(c->block + have, 0, SHA1_BLOCK - 8 - have);
	for (i = 0; i < 8; i++)
		c->block[SHA1_BLOCK - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha1_block(c, c->block);
	for (i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	wipe(c, sizeof(*c));
}

void
hmac_sha1(const void *key, size_t keylen, const void *p, size_t n,
    unsigned char out[SHA1_BYTES])
{
	unsigned char k[SHA1_BLOCK], pad[SHA1_BLOCK], inner[SHA1_BYTES];
	struct sha1 c;
	size_t i;

	/* A key longer than a block is its own hash (RFC 2104 section 2). */
	memset(k, 0, sizeof(k));
	if (keylen > SHA1_BLOCK) {
		sha1_init(&c);
		sha1_update(&c, key, keylen);
		sha1_final(&c, k);
	} else if (keylen > 0) {
		memcpy(k, key, keylen);
	}
	for (i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, p, n);
	sha1_final(&c, inner);
	for (i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, inner, sizeof(inner));
	sha1_final(&c, out);
	wipe(k, sizeof(k));
	wipe(pad, sizeof(pad));
	wipe(inner, sizeof(inner));
}

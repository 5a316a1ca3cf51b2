/*
 * Unit tests for lib/base/sha1.c: the FIPS 180 examples, lengths around
 * the padding's edges fed in pieces of every size, and the HMAC-SHA1
 * cases of RFC 2202.
 */
#include <stdio.h>
#include <string.h>

#include "base/sha1.h"
#include "tap.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* SHA-1 of n bytes of p, fed piece bytes at a time, in hex. */
static const char *
digest(const void *p, size_t n, size_t piece)
{
	static char out[2 * SHA1_BYTES + 1];
	unsigned char d[SHA1_BYTES];
	const unsigned char *q = p;
	struct sha1 c;
	size_t k;

	sha1_init(&c);
	while (n > 0) {
		k = n < piece ? n : piece;
		sha1_update(&c, q, k);
		q += k;
		n -= k;
	}
	sha1_final(&c, d);
	hex(d, sizeof(d), out);
	return out;
}

static const char *
hmac(const void *key, size_t keylen, const void *p, size_t n)
{
	static char out[2 * SHA1_BYTES + 1];
	unsigned char d[SHA1_BYTES];

	hmac_sha1(key, keylen, p, n, d);
	hex(d, sizeof(d), out);
	return out;
}

int
main(void)
{
	/* Lengths of 'a's and their SHA-1 (sha1sum of coreutils). */
	static const struct { size_t n; const char *want; } as[] = {
		{ 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
		{ 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
		{ 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
		{ 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
		{ 65, "11655326c708d70319be2610e8a57d9a5b959d3b" },
		{ 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
		{ 120, "f34c1488385346a55709ba056ddd08280dd4c6d6" },
		{ 128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0" },
	};
	static const size_t pieces[] = { 1, 3, 63, 64, 65, 1000 };
	static char a[1000000];
	unsigned char k[80], d[50];
	size_t i, j;

	is_str(digest("", 0, 1), "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "SHA-1 of nothing");
	is_str(digest("abc", 3, 64), "a9993e364706816aba3e25717850c26c9cd0d89d",
	    "SHA-1 of \"abc\" (FIPS 180)");
	is_str(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, 64), "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	    "SHA-1 of the 448-bit FIPS 180 message");
	memset(a, 'a', sizeof(a));
	is_str(digest(a, sizeof(a), 4096),
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	    "SHA-1 of a million 'a's");
	for (i = 0; i < sizeof(as) / sizeof(as[0]); i++)
		for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++)
			is_str(digest(a, as[i].n, pieces[j]), as[i].want,
			    "SHA-1 of %zu 'a's fed %zu bytes at a time",
			    as[i].n, pieces[j]);

	/* RFC 2202 section 3. */
	memset(k, 0x0b, 20);
	is_str(hmac(k, 20, "Hi There", 8),
	    "b617318655057264e28bc0b6fb378c8ef146be00", "RFC 2202 case 1");
	is_str(hmac("Jefe", 4, "what do ya want for nothing?", 28),
	    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "RFC 2202 case 2");
	memset(k, 0xaa, 20);
	memset(d, 0xdd, 50);
	is_str(hmac(k, 20, d, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
	    "RFC 2202 case 3");
	for (i = 0; i < 25; i++)
		k[i] = (unsigned char)(i + 1);
	memset(d, 0xcd, 50);
	is_str(hmac(k, 25, d, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
	    "RFC 2202 case 4");
	memset(k, 0x0c, 20);
	is_str(hmac(k, 20, "Test With Truncation", 20),
	    "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", "RFC 2202 case 5");
	memset(k, 0xaa, 80);
	is_str(hmac(k, 80, "Test Using Larger Than Block-Size Key - Hash Key "
	    "First", 54), "aa4ae5e15272d00e95705637ce8a3b55ed402112",
	    "RFC 2202 case 6: a key longer than a block is hashed first");
	is_str(hmac(k, 80, "Test Using Larger Than Block-Size Key and Larger "
	    "Than One Block-Size Data", 73),
	    "e8e99d0f45237d786d6bbaa7965c7808bbff1a91", "RFC 2202 case 7");
	/* Python's hmac, for a key of exactly one block (not hashed). */
	is_str(hmac(k, 64, "exactly a block of key", 22),
	    "b0e10f043a79fc7f42f8d7297145ed4fc27883e8",
	    "a key of exactly one block is used as it is");
	return done_testing();
}

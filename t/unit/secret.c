/*
 * Unit tests for lib/base/secret.c: the shape of a secret, its hash, which
 * presented texts are refused before any lookup, the digest, CSRF tokens
 * under a key, sealed values, and recovery codes.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/secret.h"
#include "tap.h"

/* Computed apart from this code (Python's hmac), for key and 32 bytes 0x11. */
#define CSRF_KNOWN "FIzU2tblOSNOVeG98Kbfh_wkk6MzSexXRPB_gdWUa-I"
/* The same, for "abc" under the label "quill refresh successor v1". */
#define DERIVED_KNOWN "6RWmDA1dJGZw6sIqjLeYfIk9UbHHeMKF07-euOft2B0"

/* Python's hmac: HMAC-SHA256 under key of "quill recovery code v1\0",
 * the context's length (8 big-endian bytes), the context (42 as 8
 * big-endian bytes) and "ABCDEFGHIJKL". */
#define RECOVERY_KNOWN \
	"696b25651d46eb996318e4c3f5e9a7c772a5d5e4c4ad9e4a157a0f92d4563958"

/* The alphabet of a secret's text. */
#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789-_"

static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
static const unsigned char key2[32] = "0123456789abcdef0123456789abcdX";

static void
test_csrf(const struct secret *a, const struct secret *b)
{
	char t[SECRET_LEN + 1], u[SECRET_LEN + 1];

	secret_csrf_token(key, sizeof(key), a->hash, t);
	is_int(strlen(t), SECRET_LEN, "a CSRF token is as long as a secret");
	is_int(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"), SECRET_LEN, "in base64url");
	secret_csrf_token(key, sizeof(key), a->hash, u);
	is_str(u, t, "the same cookie's token is the same every time");
	ok(secret_csrf_verify(key, sizeof(key), a->hash, t, SECRET_LEN),
	    "and verifies");
	secret_csrf_token(key, sizeof(key), b->hash, u);
	ok(strcmp(u, t) != 0, "another cookie's token differs");
	ok(!secret_csrf_verify(key, sizeof(key), b->hash, t, SECRET_LEN),
	    "and one cookie's token does not verify for another");
	secret_csrf_token(key2, sizeof(key2), a->hash, u);
	ok(strcmp(u, t) != 0, "under another key the token differs");
	ok(!secret_csrf_verify(key2, sizeof(key2), a->hash, t, SECRET_LEN),
	    "and does not verify");
	ok(!secret_csrf_verify(key, sizeof(key), a->hash, t, SECRET_LEN - 1),
	    "a token one character short does not verify");
	memcpy(u, t, sizeof(u));
	u[SECRET_LEN - 1] = u[SECRET_LEN - 1] == 'A' ? 'B' : 'A';
	ok(!secret_csrf_verify(key, sizeof(key), a->hash, u, SECRET_LEN),
	    "nor one with a character changed");
	ok(!secret_csrf_verify(key, sizeof(key), a->hash, a->text, SECRET_LEN),
	    "nor the cookie's own secret");
	/* HMAC-SHA256 under the key of "quill csrf token v1\0" and the hash,
	 * in base64url: the token of a cookie is the same across versions. */
	{
		unsigned char h[SECRET_HASH_BYTES];

		memset(h, 0x11, sizeof(h));
		secret_csrf_token(key, sizeof(key), h, u);
		is_str(u, CSRF_KNOWN, "a known token for a known hash and key");
	}
}

static void
test_derive(void)
{
	static const char *label = "quill refresh successor v1";
	struct secret d, e;
	unsigned char h[SECRET_HASH_BYTES];

	secret_derive(key, sizeof(key), label, "abc", 3, &d);
	is_str(d.text, DERIVED_KNOWN, "a derived secret is the HMAC of its input");
	is_int(secret_hash(d.text, strlen(d.text), h), 0,
	    "and is a secret a client may present");
	ok(memcmp(h, d.hash, sizeof(h)) == 0, "with the hash that is stored");
	secret_derive(key, sizeof(key), label, "abc", 3, &e);
	ok(strcmp(d.text, e.text) == 0 && memcmp(d.hash, e.hash,
	    sizeof(h)) == 0, "the same input derives the same secret");
	secret_derive(key, sizeof(key), label, "abd", 3, &e);
	ok(strcmp(d.text, e.text) != 0, "another input another");
	secret_derive(key2, sizeof(key2), label, "abc", 3, &e);
	ok(strcmp(d.text, e.text) != 0, "another key another");
	secret_derive(key, sizeof(key), "quill csrf token v1", "abc", 3, &e);
	ok(strcmp(d.text, e.text) != 0, "another purpose another");
}

static void
test_seal(void)
{
	static const char *label = "quill totp key v1";
	static const unsigned char plain[20] = "twenty bytes of key!";
	static const unsigned char ctx[8] = { 0, 0, 0, 0, 0, 0, 0, 42 };
	static const unsigned char ctx2[8] = { 0, 0, 0, 0, 0, 0, 0, 43 };
	unsigned char s1[SECRET_SEALED_LEN(20)], s2[SECRET_SEALED_LEN(20)];
	unsigned char out[SECRET_SEALED_LEN(20)];
	size_t i;
	int opened;

	secret_seal(key, sizeof(key), label, ctx, sizeof(ctx), plain, 20, s1);
	secret_seal(key, sizeof(key), label, ctx, sizeof(ctx), plain, 20, s2);
	ok(memcmp(s1, s2, sizeof(s1)) != 0,
	    "two seals of the same value differ (a fresh nonce each)");
	ok(memmem(s1, sizeof(s1), plain, 20) == NULL &&
	    memmem(s1, sizeof(s1), plain, 8) == NULL,
	    "the sealed value does not hold the plain one");
	memset(out, 0, sizeof(out));
	ok(secret_unseal(key, sizeof(key), label, ctx, sizeof(ctx), s1,
	    sizeof(s1), out) == 20 && memcmp(out, plain, 20) == 0,
	    "a sealed value opens to the plain one");
	is_int(secret_unseal(key2, sizeof(key2), label, ctx, sizeof(ctx), s1,
	    sizeof(s1), out), -1, "not under another key");
	is_int(secret_unseal(key, sizeof(key), "quill other v1", ctx,
	    sizeof(ctx), s1, sizeof(s1), out), -1, "not for another purpose");
	is_int(secret_unseal(key, sizeof(key), label, ctx2, sizeof(ctx2), s1,
	    sizeof(s1), out), -1, "not for another row");
	is_int(secret_unseal(key, sizeof(key), label, ctx, sizeof(ctx), s1,
	    sizeof(s1) - 1, out), -1, "not one byte short");
	is_int(secret_unseal(key, sizeof(key), label, ctx, sizeof(ctx), s1,
	    SECRET_SEAL_OVERHEAD - 1, out), -1,
	    "not shorter than a nonce and a tag");
	for (i = 0, opened = 0; i < sizeof(s1) * 8; i++) {
		s1[i / 8] ^= (unsigned char)(1u << (i % 8));
		opened += secret_unseal(key, sizeof(key), label, ctx,
		    sizeof(ctx), s1, sizeof(s1), out) != -1;
		s1[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	is_int(opened, 0, "no value with any one bit flipped opens");
}

static void
test_recovery(void)
{
	static const unsigned char ctx[8] = { 0, 0, 0, 0, 0, 0, 0, 42 };
	static const unsigned char ctx2[8] = { 0, 0, 0, 0, 0, 0, 0, 43 };
	static const char *bad[] = { "", "abcd-efgh-ijk", "abcd-efgh-ijklm",
	    "abcd-efgh-ij0l", "abcd-efgh-ij1l", "abcd-efgh-ij8l",
	    "abcd_efgh_ijkl", "abcd-efgh-ijkl\n",
	    "a-b-c-d-e-f-g-h-i-j-k-l---------------------",
	};
	struct secret_recovery r, r2;
	unsigned char h[SECRET_HASH_BYTES];
	char hex[2 * SECRET_HASH_BYTES + 1], v[32];
	size_t i, j, shape = 0, dup = 0;

	secret_recovery_new(key, sizeof(key), ctx, sizeof(ctx), &r);
	ok(strlen(r.text) == 14 && r.text[4] == '-' && r.text[9] == '-' &&
	    strspn(r.text, "abcdefghijklmnopqrstuvwxyz234567-") == 14,
	    "a recovery code is three groups of four lower-case base32 "
	    "characters (%s)", r.text);
	ok(secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx), r.text,
	    strlen(r.text), h) == 0 && memcmp(h, r.hash, sizeof(h)) == 0,
	    "it hashes to the hash that is stored");
	for (i = j = 0; r.text[i] != '\0'; i++)
		if (r.text[i] != '-')
			v[j++] = (char)(r.text[i] >= 'a' && r.text[i] <= 'z' ?
			    r.text[i] - 32 : r.text[i]);
	v[j] = '\0';
	ok(secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx), v,
	    strlen(v), h) == 0 && memcmp(h, r.hash, sizeof(h)) == 0,
	    "and so does it typed in upper case without dashes");
	snprintf(v, sizeof(v), " %.4s %.4s %.4s ", r.text, r.text + 5,
	    r.text + 10);
	ok(secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx), v,
	    strlen(v), h) == 0 && memcmp(h, r.hash, sizeof(h)) == 0,
	    "or with spaces");
	ok(secret_recovery_hash(key, sizeof(key), ctx2, sizeof(ctx2), r.text,
	    strlen(r.text), h) == 0 && memcmp(h, r.hash, sizeof(h)) != 0,
	    "for another user it hashes otherwise");
	ok(secret_recovery_hash(key2, sizeof(key2), ctx, sizeof(ctx), r.text,
	    strlen(r.text), h) == 0 && memcmp(h, r.hash, sizeof(h)) != 0,
	    "under another key too");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx),
		    bad[i], strlen(bad[i]), h), -1,
		    "bad recovery code text %zu is refused", i);
	ok(secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx),
	    "abcd-efgh-ijkl", 14, h) == 0, "a known code hashes");
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	is_str(hex, RECOVERY_KNOWN, "to the keyed hash computed apart");
	for (i = 0; i < 1000; i++) {
		secret_recovery_new(key, sizeof(key), ctx, sizeof(ctx), &r2);
		shape += strlen(r2.text) == 14;
		dup += strcmp(r.text, r2.text) == 0;
	}
	is_int(shape, 1000, "a thousand more codes have the shape");
	is_int(dup, 0, "and none is the first again");
}

int
main(void)
{
	struct secret a, b;
	unsigned char h[SECRET_HASH_BYTES];
	char hex[SECRET_DIGEST_HEX], bad[SECRET_LEN + 2];
	int c, taken, wrong, in64;

	if (sodium_init() < 0) {
		printf("Bail out! sodium_init failed\n");
		return 255;
	}
	secret_new(&a);
	secret_new(&b);
	is_int(strlen(a.text), SECRET_LEN,
	    "a secret is 43 characters of text");
	is_int(strspn(a.text, B64URL), SECRET_LEN, "all of them base64url");
	ok(strcmp(a.text, b.text) != 0, "two secrets differ");
	is_int(secret_hash(a.text, strlen(a.text), h), 0,
	    "a secret's text hashes");
	ok(memcmp(h, a.hash, sizeof(h)) == 0, "to the hash that is stored");
	ok(memcmp(a.hash, b.hash, sizeof(h)) != 0, "two secrets hash apart");
	is_int(secret_hash(a.text, SECRET_LEN - 1, h), -1,
	    "one character short is refused");
	snprintf(bad, sizeof(bad), "%sA", a.text);
	is_int(secret_hash(bad, strlen(bad), h), -1,
	    "one character long is refused");
	memcpy(bad, a.text, sizeof(a.text));
	bad[10] = '+';
	is_int(secret_hash(bad, SECRET_LEN, h), -1,
	    "a character outside base64url is refused");
	bad[10] = '\0';
	is_int(secret_hash(bad, SECRET_LEN, h), -1,
	    "a NUL byte is refused");
	/* Every byte: base64url's 64 are taken, each of the other 192 not. */
	for (c = 1, taken = wrong = 0; c < 256; c++) {
		bad[10] = (char)c;
		in64 = memchr(B64URL, c, sizeof(B64URL) - 1) != NULL;
		if (secret_hash(bad, SECRET_LEN, h) == 0) {
			taken++;
			wrong += !in64;
		} else
			wrong += in64;
	}
	is_int(taken, 64, "exactly the 64 characters of base64url are taken");
	is_int(wrong, 0, "and no other byte is");
	secret_digest_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "the digest is SHA-256 in lowercase hex");
	test_csrf(&a, &b);
	test_derive();
	test_seal();
	test_recovery();
	return done_testing();
}

/*
 * Unit tests for lib/base/secret.c: the shape of a secret, its hash, which
 * presented texts are refused before any lookup, the digest, and CSRF
 * tokens under a key.
 */
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
	return done_testing();
}

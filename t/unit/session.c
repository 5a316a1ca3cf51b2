/*
 * Unit tests for the secrets of lib/store/session.c: their shape, their hash, and
 * which presented texts are refused before any lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/session.h"
#include "tap.h"

int
main(void)
{
	struct session_secret a, b;
	unsigned char h[SESSION_HASH_BYTES];
	char hex[SESSION_DIGEST_HEX], bad[SESSION_SECRET_LEN + 2];

	if (sodium_init() < 0) {
		printf("Bail out! sodium_init failed\n");
		return 255;
	}
	session_secret_new(&a);
	session_secret_new(&b);
	is_int(strlen(a.text), SESSION_SECRET_LEN,
	    "a secret is 43 characters of text");
	is_int(strspn(a.text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"), SESSION_SECRET_LEN, "all of them base64url");
	ok(strcmp(a.text, b.text) != 0, "two secrets differ");
	is_int(session_secret_hash(a.text, strlen(a.text), h), 0,
	    "a secret's text hashes");
	ok(memcmp(h, a.hash, sizeof(h)) == 0, "to the hash that is stored");
	ok(memcmp(a.hash, b.hash, sizeof(h)) != 0, "two secrets hash apart");
	is_int(session_secret_hash(a.text, SESSION_SECRET_LEN - 1, h), -1,
	    "one character short is refused");
	snprintf(bad, sizeof(bad), "%sA", a.text);
	is_int(session_secret_hash(bad, strlen(bad), h), -1,
	    "one character long is refused");
	memcpy(bad, a.text, sizeof(a.text));
	bad[10] = '+';
	is_int(session_secret_hash(bad, SESSION_SECRET_LEN, h), -1,
	    "a character outside base64url is refused");
	bad[10] = '\0';
	is_int(session_secret_hash(bad, SESSION_SECRET_LEN, h), -1,
	    "a NUL byte is refused");
	session_digest_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "the digest is SHA-256 in lowercase hex");
	return done_testing();
}

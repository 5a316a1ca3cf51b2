/*
 * Unit tests for lib/pure/token.c: issuing, and the JWT attack battery.
 *
 * Tokens are forged here with libsodium and the real test key, so a claim
 * check is shown to reject a token whose signature is otherwise valid.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "tap.h"
#include "pure/token.h"

#define NOW		((time_t)1700000000)
#define NOW_S		"1700000000"
#define TTL		900
#define ISS		"https://quill.example"
#define AUD		"quill-api"
#define HDR		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define B64		sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define FORGE_MAX	8192

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const unsigned char key[32] = {
	0x51, 0x75, 0x69, 0x6c, 0x6c, 0x2d, 0x74, 0x65,
	0x73, 0x74, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x30,
	0x9a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71,
	0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9
};

static const unsigned char other_key[32] = {
	0xf9, 0xe8, 0xd7, 0xc6, 0xb5, 0xa4, 0x93, 0x82,
	0x71, 0x60, 0x5f, 0x4e, 0x3d, 0x2c, 0x1b, 0x9a,
	0x30, 0x2d, 0x79, 0x65, 0x6b, 0x2d, 0x74, 0x73,
	0x65, 0x74, 0x2d, 0x6c, 0x6c, 0x69, 0x75, 0x51
};

enum mac {
	MAC_NONE,
	MAC_HS256,
	MAC_HS512
};

/* Raw JSON text of each claim; NULL leaves the claim out. */
struct claims {
	const char	*sub, *role, *ver, *sid, *typ, *iat, *exp, *nbf;
	const char	*iss, *aud, *jti;
	const char	*extra;		/* more members: "name":value,... */
};

static const struct claims good = {
	.sub = "42",
	.role = "\"user\"",
	.ver = "1",
	.sid = "5",
	.typ = "\"access\"",
	.iat = NOW_S,
	.exp = "1700000900",
	.iss = "\"" ISS "\"",
	.aud = "\"" AUD "\"",
	.jti = "\"0123456789abcdef0123456789abcdef\"",
};

/* Stops the whole test run when a helper cannot do its job. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* Writes the base64url encoding (no padding) of n bytes into out. */
static void
b64url(char *out, size_t outsz, const void *in, size_t n)
{
	if (outsz < sodium_base64_ENCODED_LEN(n, B64) ||
	    sodium_bin2base64(out, outsz, in, n, B64) == NULL)
		bail("base64url output does not fit");
}

/* Computes the MAC of msg into out; returns its length (0 for MAC_NONE). */
static size_t
mac_of(enum mac mac, const unsigned char *k, size_t klen, const char *msg,
    size_t n, unsigned char *out)
{
	crypto_auth_hmacsha256_state s256;
	crypto_auth_hmacsha512_state s512;

	switch (mac) {
	case MAC_HS256:
		if (crypto_auth_hmacsha256_init(&s256, k, klen) != 0 ||
		    crypto_auth_hmacsha256_update(&s256,
		    (const unsigned char *)msg, n) != 0 ||
		    crypto_auth_hmacsha256_final(&s256, out) != 0)
			bail("HMAC-SHA256 failed");
		return crypto_auth_hmacsha256_BYTES;
	case MAC_HS512:
		if (crypto_auth_hmacsha512_init(&s512, k, klen) != 0 ||
		    crypto_auth_hmacsha512_update(&s512,
		    (const unsigned char *)msg, n) != 0 ||
		    crypto_auth_hmacsha512_final(&s512, out) != 0)
			bail("HMAC-SHA512 failed");
		return crypto_auth_hmacsha512_BYTES;
	default:
		return 0;
	}
}

/*
 * Builds header.payload.signature from a header of hlen bytes and a payload
 * string, signed with mac under k (an empty signature segment for MAC_NONE).
 * The result lives in a static buffer that the next call overwrites.
 */
static const char *
forge_raw(const char *header, size_t hlen, const char *payload, enum mac mac,
    const unsigned char *k, size_t klen)
{
	static char tok[FORGE_MAX];
	unsigned char sig[crypto_auth_hmacsha512_BYTES];
	size_t n, siglen;

	b64url(tok, sizeof(tok), header, hlen);
	n = strlen(tok);
	if (n + 2 >= sizeof(tok))
		bail("forged token does not fit");
	tok[n++] = '.';
	b64url(tok + n, sizeof(tok) - n, payload, strlen(payload));
	n = strlen(tok);
	siglen = mac_of(mac, k, klen, tok, n, sig);
	if (n + 2 >= sizeof(tok))
		bail("forged token does not fit");
	tok[n++] = '.';
	tok[n] = '\0';
	if (siglen > 0)
		b64url(tok + n, sizeof(tok) - n, sig, siglen);
	return tok;
}

/* As forge_raw, for a header that is a string. */
static const char *
forge(const char *header, const char *payload, enum mac mac,
    const unsigned char *k, size_t klen)
{
	return forge_raw(header, strlen(header), payload, mac, k, klen);
}

/* The payload JSON for c, in a static buffer that the next call overwrites. */
static const char *
payload_json(const struct claims *c)
{
	static char out[FORGE_MAX];
	const struct {
		const char *name, *value;
	} f[] = {
		{ "sub", c->sub }, { "role", c->role }, { "ver", c->ver },
		{ "sid", c->sid }, { "typ", c->typ }, { "iat", c->iat }, { "exp", c->exp },
		{ "nbf", c->nbf }, { "iss", c->iss }, { "aud", c->aud },
		{ "jti", c->jti },
	};
	size_t i, n = 1;
	int w;

	out[0] = '{';
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].value == NULL)
			continue;
		w = snprintf(out + n, sizeof(out) - n, "%s\"%s\":%s",
		    n > 1 ? "," : "", f[i].name, f[i].value);
		if (w < 0 || (size_t)w >= sizeof(out) - n)
			bail("payload does not fit");
		n += (size_t)w;
	}
	w = snprintf(out + n, sizeof(out) - n, "%s%s}",
	    c->extra != NULL && n > 1 ? "," : "",
	    c->extra != NULL ? c->extra : "");
	if (w < 0 || (size_t)w >= sizeof(out) - n)
		bail("payload does not fit");
	return out;
}

/* A token with the usual header and claims c, validly signed. */
static const char *
forged(const struct claims *c)
{
	return forge(HDR, payload_json(c), MAC_HS256, key, sizeof(key));
}

/* A token with header hdr and the good claims, signed with mac. */
static const char *
forged_header(const char *hdr, enum mac mac)
{
	return forge(hdr, payload_json(&good), mac, key, sizeof(key));
}

/* Checks that tok (len bytes) verifies at NOW with result want. */
static void
expect_len(const char *tok, size_t len, enum token_result want,
    const char *what)
{
	struct token_claims c;

	is_str(token_result_name(token_verify_access(tok, len, NOW, &c)),
	    token_result_name(want), "%s", what);
}

/* Checks that the string tok verifies at NOW with result want. */
static void
expect(const char *tok, enum token_result want, const char *what)
{
	expect_len(tok, strlen(tok), want, what);
}

/* Decodes the first segment of tok into out as a string. */
static void
header_of(const char *tok, char *out, size_t outsz)
{
	const char *dot;
	size_t n;

	if ((dot = strchr(tok, '.')) == NULL ||
	    sodium_base642bin((unsigned char *)out, outsz - 1, tok,
	    (size_t)(dot - tok), NULL, &n, NULL, B64) != 0)
		bail("cannot decode header");
	out[n] = '\0';
}

static void
test_init(void)
{
	char buf[1024];

	expect(forged(&good), TOKEN_NOT_READY, "verify before init: not_ready");
	is_int(token_issue_access(42, "user", 1, 5, NOW, buf, sizeof(buf)), -1,
	    "issue before init fails");
	is_int(token_init(key, 31, ISS, AUD, TTL), -1,
	    "init rejects a 31-byte key");
	is_int(token_init(key, sizeof(key), "", AUD, TTL), -1,
	    "init rejects an empty issuer");
	is_int(token_init(key, sizeof(key), ISS, "", TTL), -1,
	    "init rejects an empty audience");
	is_int(token_init(key, sizeof(key), NULL, AUD, TTL), -1,
	    "init rejects a NULL issuer");
	is_int(token_init(key, sizeof(key), ISS, AUD, 59), -1,
	    "init rejects a 59 s lifetime");
	is_int(token_init(key, sizeof(key), ISS, AUD, 86401), -1,
	    "init rejects a lifetime over a day");
	expect(forged(&good), TOKEN_NOT_READY,
	    "rejected inits leave the module not ready");
	is_int(token_init(key, sizeof(key), ISS, AUD, TTL), 0,
	    "init accepts a 32-byte key");
	is_int(token_ttl(), TTL, "token_ttl returns the configured lifetime");
}

static void
test_issue(void)
{
	char tok[1024], tok2[1024], hdr[256];
	struct token_claims c;
	int n;

	n = token_issue_access(42, "moderator", 7, 9, NOW, tok, sizeof(tok));
	ok(n > 0 && (size_t)n == strlen(tok), "issue returns the length (%d)",
	    n);
	header_of(tok, hdr, sizeof(hdr));
	is_str(hdr, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    "issued header is HS256/JWT");
	memset(&c, 0, sizeof(c));
	is_int(token_verify_access(tok, strlen(tok), NOW, &c), TOKEN_OK,
	    "a freshly issued token verifies");
	is_int(c.sub, 42, "sub round-trips");
	is_str(c.role, "moderator", "role round-trips");
	is_int(c.ver, 7, "ver round-trips");
	is_int(c.sid, 9, "sid round-trips");
	is_int(c.iat, NOW, "iat is now");
	is_int(c.exp, NOW + TTL, "exp is now + ttl");
	is_int(c.auth_time, NOW, "auth_time is now: a sign-in just happened");
	ok(strlen(c.jti) == 32 && strspn(c.jti, "0123456789abcdef") == 32,
	    "jti is 32 lowercase hex digits");
	is_int(token_verify_access(tok, strlen(tok), NOW + TTL - 1, &c),
	    TOKEN_OK, "still valid one second before exp");
	is_int(token_verify_access(tok, strlen(tok), NOW + TTL, &c),
	    TOKEN_EXPIRED, "expired at exp");
	is_int(token_verify_access(tok, strlen(tok), NOW, NULL), TOKEN_OK,
	    "claims pointer may be NULL");
	n = token_issue_access(42, "moderator", 7, 9, NOW, tok2, sizeof(tok2));
	ok(n > 0 && strcmp(tok, tok2) != 0, "two tokens differ (fresh jti)");
	memset(&c, 0, sizeof(c));
	ok(token_issue_access_at(42, "user", 1, 9, NOW, NOW - 500, tok2,
	    sizeof(tok2)) > 0 && token_verify_access(tok2, strlen(tok2), NOW,
	    &c) == TOKEN_OK && c.auth_time == NOW - 500 && c.iat == NOW,
	    "a refreshed token carries the session's sign-in time as auth_time");
	is_int(token_issue_access_at(42, "user", 1, 9, NOW, NOW + 1, tok2,
	    sizeof(tok2)), -1, "issue refuses a sign-in time after now");
	is_int(token_issue_access_at(42, "user", 1, 9, NOW, 0, tok2,
	    sizeof(tok2)), -1, "and none at all");
	is_int(token_issue_access(42, "user", 1, 9, NOW, tok, 16), -1,
	    "issue fails when the token does not fit");
	is_int(token_issue_access(42, "root", 1, 9, NOW, tok, sizeof(tok)), -1,
	    "issue refuses an unknown role");
	is_int(token_issue_access(0, "user", 1, 9, NOW, tok, sizeof(tok)), -1,
	    "issue refuses sub 0");
	is_int(token_issue_access(42, "user", 0, 9, NOW, tok, sizeof(tok)), -1,
	    "issue refuses ver 0");
	is_int(token_issue_access(42, "user", 1, 0, NOW, tok, sizeof(tok)), -1,
	    "issue refuses sid 0");
	is_int(token_issue_access(42, "user", 1, -3, NOW, tok, sizeof(tok)),
	    -1, "issue refuses a negative sid");
}

static void
test_alg(void)
{
	static const char nul_hdr[] = "{\"alg\":\"HS256\0none\"}";
	char tok[FORGE_MAX];
	size_t n;

	expect(forged(&good), TOKEN_OK,
	    "forged token with good claims verifies");
	expect(forged_header("{\"alg\":\"none\",\"typ\":\"JWT\"}", MAC_NONE),
	    TOKEN_MALFORMED, "alg none, empty signature segment: malformed");
	snprintf(tok, sizeof(tok), "%s",
	    forged_header("{\"alg\":\"none\",\"typ\":\"JWT\"}", MAC_NONE));
	n = strlen(tok);
	tok[n - 1] = '\0';
	expect(tok, TOKEN_MALFORMED,
	    "alg none, no signature segment: malformed");
	expect(forged_header("{\"alg\":\"none\",\"typ\":\"JWT\"}", MAC_HS256),
	    TOKEN_BAD_ALG, "alg none with a valid signature: bad_alg");
	expect(forged_header("{\"alg\":\"None\",\"typ\":\"JWT\"}", MAC_HS256),
	    TOKEN_BAD_ALG, "alg None: bad_alg");
	expect(forged_header("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", MAC_HS256),
	    TOKEN_BAD_ALG, "alg hs256 (lowercase, validly signed): bad_alg");
	expect(forged_header("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", MAC_HS512),
	    TOKEN_BAD_ALG, "alg HS512 signed with the same key: bad_alg");
	expect(forged_header("{\"typ\":\"JWT\"}", MAC_HS256),
	    TOKEN_BAD_ALG, "missing alg: bad_alg");
	expect(forged_header("{\"alg\":256}", MAC_HS256),
	    TOKEN_BAD_ALG, "alg as a number: bad_alg");
	expect(forged_header("{\"ALG\":\"HS256\"}", MAC_HS256),
	    TOKEN_BAD_ALG, "member name ALG is not alg: bad_alg");
	expect(forged_header("{\"alg\":\"HS256\"}", MAC_HS256),
	    TOKEN_OK, "header without typ verifies");
	expect(forged_header("{\"alg\":\"HS256\",\"typ\":\"JWE\"}", MAC_HS256),
	    TOKEN_BAD_ALG, "header typ other than JWT: bad_alg");
	expect(forged_header("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
	    MAC_HS256), TOKEN_BAD_ALG, "header with crit: bad_alg");
	expect(forged_header("{\"alg\":\"HS256\",\"alg\":\"none\"}", MAC_HS256),
	    TOKEN_MALFORMED, "header naming alg twice: malformed");
	expect(forged_header("[\"HS256\"]", MAC_HS256),
	    TOKEN_MALFORMED, "header that is not an object: malformed");
	expect(forged_header("{\"alg\":\"HS256\"", MAC_HS256),
	    TOKEN_MALFORMED, "header that is not JSON: malformed");
	expect(forged_header("{\"alg\":\"HS256\"} x", MAC_HS256),
	    TOKEN_MALFORMED, "header with trailing bytes: malformed");
	expect(forge_raw(nul_hdr, sizeof(nul_hdr) - 1, payload_json(&good),
	    MAC_HS256, key, sizeof(key)), TOKEN_MALFORMED,
	    "header with a NUL byte inside alg: malformed");
}

static void
test_signature(void)
{
	char tok[FORGE_MAX], other[FORGE_MAX];
	struct claims c;
	const char *sig;
	char *dot;
	size_t n;

	expect(forged_header(HDR, MAC_NONE), TOKEN_MALFORMED,
	    "empty signature segment: malformed");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	sig = strrchr(tok, '.') + 1;
	n = strlen(tok);
	tok[sig - tok + 5] = tok[sig - tok + 5] == 'A' ? 'B' : 'A';
	expect(tok, TOKEN_BAD_SIGNATURE, "one signature character changed");
	expect(forge(HDR, payload_json(&good), MAC_HS256, other_key,
	    sizeof(other_key)), TOKEN_BAD_SIGNATURE, "signed with another key");
	c = good;
	c.exp = "0";
	expect(forge(HDR, payload_json(&c), MAC_HS256, other_key,
	    sizeof(other_key)), TOKEN_BAD_SIGNATURE,
	    "signature is checked before the claims");
	expect(forge(HDR, payload_json(&good), MAC_HS256, key, 31),
	    TOKEN_BAD_SIGNATURE, "signed with a prefix of the key");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	/* The last of 43 characters carries 2 bits of padding: set one. */
	tok[n - 1] = b64url_alphabet[(strchr(b64url_alphabet, tok[n - 1]) -
	    b64url_alphabet) ^ 1];
	expect(tok, TOKEN_BAD_SIGNATURE,
	    "non-canonical encoding of the right signature");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	tok[n - 4] = '\0';
	expect(tok, TOKEN_BAD_SIGNATURE, "truncated signature");
	snprintf(tok, sizeof(tok), "%s%s", forged(&good), "AAAA");
	expect(tok, TOKEN_BAD_SIGNATURE, "signature with bytes appended");
	snprintf(other, sizeof(other), "%s", forged(&good));
	snprintf(tok, sizeof(tok), "%s",
	    forge(HDR, "{\"sub\":1}", MAC_HS256, key, sizeof(key)));
	dot = strrchr(tok, '.');
	snprintf(dot, sizeof(tok) - (size_t)(dot - tok), "%s",
	    strrchr(other, '.'));
	expect(tok, TOKEN_BAD_SIGNATURE, "signature of another payload");
}

static void
test_shape(void)
{
	char tok[FORGE_MAX];
	char *dot;

	snprintf(tok, sizeof(tok), "%s.AAAA", forged(&good));
	expect(tok, TOKEN_MALFORMED, "four segments: malformed");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	*strrchr(tok, '.') = '\0';
	expect(tok, TOKEN_MALFORMED, "two segments: malformed");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	dot = strchr(tok, '.');
	dot[1] = '+';
	expect(tok, TOKEN_MALFORMED, "'+' in a segment: malformed");
	dot[1] = '/';
	expect(tok, TOKEN_MALFORMED, "'/' in a segment: malformed");
	dot[1] = '=';
	expect(tok, TOKEN_MALFORMED, "'=' in a segment: malformed");
	dot[1] = ' ';
	expect(tok, TOKEN_MALFORMED, "space in a segment: malformed");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	dot = strchr(tok, '.');
	*dot = '\0';
	expect_len(tok, strlen(dot + 1) + (size_t)(dot - tok) + 1,
	    TOKEN_MALFORMED, "NUL byte inside the token: malformed");
	snprintf(tok, sizeof(tok), "%s", forged(&good));
	dot = strchr(tok, '.');
	memmove(dot + 2, dot, strlen(dot) + 1);
	dot[0] = '=';
	dot[1] = '=';
	expect(tok, TOKEN_MALFORMED, "padded header segment: malformed");
	expect_len("", 0, TOKEN_MALFORMED, "empty token: malformed");
	expect("..", TOKEN_MALFORMED, "three empty segments: malformed");
	expect(".a.b", TOKEN_MALFORMED, "empty header segment: malformed");
	expect("a..b", TOKEN_MALFORMED, "empty payload segment: malformed");
	expect("eyJ.eyJ.AAAA", TOKEN_MALFORMED,
	    "undecodable header: malformed");
}

static void
test_payload(void)
{
	struct claims c;

	expect(forge(HDR, "[1,2]", MAC_HS256, key, sizeof(key)),
	    TOKEN_MALFORMED, "payload that is not an object: malformed");
	expect(forge(HDR, "{\"sub\":", MAC_HS256, key, sizeof(key)),
	    TOKEN_MALFORMED, "payload that is not JSON: malformed");
	c = good;
	c.extra = "\"exp\":1";
	expect(forged(&c), TOKEN_MALFORMED,
	    "payload naming exp twice: malformed");
	c.extra = "\"x\":1e999";
	expect(forged(&c), TOKEN_MALFORMED,
	    "a claim no double can hold (1e999): malformed");
}

static void
test_time(void)
{
	struct claims c = good;

	c.exp = NULL;
	expect(forged(&c), TOKEN_EXPIRED, "missing exp: expired");
	c.exp = NOW_S;
	expect(forged(&c), TOKEN_EXPIRED, "exp equal to now: expired");
	c.exp = "1699999999";
	expect(forged(&c), TOKEN_EXPIRED, "exp in the past: expired");
	c.exp = "1700000001";
	expect(forged(&c), TOKEN_OK, "exp one second ahead: ok");
	c.exp = "\"1893456000\"";
	expect(forged(&c), TOKEN_EXPIRED, "exp as a string: expired");
	c.exp = "1893456000.5";
	expect(forged(&c), TOKEN_EXPIRED, "exp as a float: expired");
	c.exp = "0";
	expect(forged(&c), TOKEN_EXPIRED, "exp 0: expired");
	c.exp = "-1";
	expect(forged(&c), TOKEN_EXPIRED, "exp negative: expired");
	c.exp = "1e300";
	expect(forged(&c), TOKEN_EXPIRED, "exp 1e300 (out of range): expired");
	c.exp = "1e999";
	expect(forged(&c), TOKEN_MALFORMED, "exp overflowing to inf: malformed");
	c.exp = "null";
	expect(forged(&c), TOKEN_EXPIRED, "exp null: expired");
	c.exp = "true";
	expect(forged(&c), TOKEN_EXPIRED, "exp true: expired");
	c = good;
	c.nbf = "1700000001";
	expect(forged(&c), TOKEN_NOT_YET_VALID, "nbf in the future");
	c.nbf = NOW_S;
	expect(forged(&c), TOKEN_OK, "nbf equal to now: ok");
	c.nbf = "\"0\"";
	expect(forged(&c), TOKEN_NOT_YET_VALID, "nbf as a string: rejected");
	c.nbf = "1.5";
	expect(forged(&c), TOKEN_NOT_YET_VALID, "nbf as a float: rejected");
}

static void
test_iss_aud_typ(void)
{
	struct claims c = good;

	c.iss = "\"https://evil.example\"";
	expect(forged(&c), TOKEN_BAD_ISSUER, "wrong iss");
	c.iss = "\"HTTPS://QUILL.EXAMPLE\"";
	expect(forged(&c), TOKEN_BAD_ISSUER, "iss differing in case");
	c.iss = NULL;
	expect(forged(&c), TOKEN_BAD_ISSUER, "missing iss");
	c.iss = "[\"" ISS "\"]";
	expect(forged(&c), TOKEN_BAD_ISSUER, "iss as an array");
	c = good;
	c.aud = "\"other-api\"";
	expect(forged(&c), TOKEN_BAD_AUDIENCE, "wrong aud");
	c.aud = NULL;
	expect(forged(&c), TOKEN_BAD_AUDIENCE, "missing aud");
	c.aud = "[\"other-api\",\"" AUD "\"]";
	expect(forged(&c), TOKEN_OK, "aud array containing ours: ok");
	c.aud = "[\"other-api\"]";
	expect(forged(&c), TOKEN_BAD_AUDIENCE, "aud array without ours");
	c.aud = "[]";
	expect(forged(&c), TOKEN_BAD_AUDIENCE, "empty aud array");
	c = good;
	c.typ = "\"refresh\"";
	expect(forged(&c), TOKEN_BAD_TYPE, "typ refresh");
	c.typ = NULL;
	expect(forged(&c), TOKEN_BAD_TYPE, "missing typ");
	c.typ = "\"Access\"";
	expect(forged(&c), TOKEN_BAD_TYPE, "typ Access (case differs)");
}

static void
test_claims(void)
{
	struct claims c = good;

	c.sub = "\"42\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sub as a string");
	c.sub = "0";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sub 0");
	c.sub = "-5";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sub negative");
	c.sub = "42.5";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sub as a float");
	c.sub = "9007199254740992";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sub 2^53 (not exact in JSON)");
	c.sub = "9007199254740991";
	expect(forged(&c), TOKEN_OK, "sub 2^53 - 1: ok");
	c.sub = NULL;
	expect(forged(&c), TOKEN_BAD_CLAIMS, "missing sub");
	c = good;
	c.role = "\"root\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "role root");
	c.role = "\"Admin\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "role Admin (case differs)");
	c.role = "\"admin\"";
	expect(forged(&c), TOKEN_OK, "role admin: ok");
	c.role = NULL;
	expect(forged(&c), TOKEN_BAD_CLAIMS, "missing role");
	c = good;
	c.ver = "0";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "ver 0");
	c.ver = "\"1\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "ver as a string");
	c.ver = NULL;
	expect(forged(&c), TOKEN_BAD_CLAIMS, "missing ver");
	c = good;
	c.sid = NULL;
	expect(forged(&c), TOKEN_BAD_CLAIMS, "missing sid");
	c.sid = "0";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sid 0");
	c.sid = "-5";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sid negative");
	c.sid = "5.5";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sid as a float");
	c.sid = "\"5\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sid as a string");
	c.sid = "null";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sid null");
	c.sid = "9007199254740992";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "sid 2^53 (not exact in JSON)");
	c = good;
	c.iat = NULL;
	expect(forged(&c), TOKEN_BAD_CLAIMS, "missing iat");
	c.iat = "\"" NOW_S "\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "iat as a string");
	c = good;
	c.jti = "\"0123456789abcdef0123456789abcde\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "jti of 31 hex digits");
	c.jti = "\"0123456789ABCDEF0123456789ABCDEF\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "jti in uppercase");
	c.jti = "\"0123456789abcdef0123456789abcdeg\"";
	expect(forged(&c), TOKEN_BAD_CLAIMS, "jti with a non-hex digit");
	c.jti = NULL;
	expect(forged(&c), TOKEN_BAD_CLAIMS, "missing jti");
}

static void
test_length(void)
{
	static char pad[FORGE_MAX], below[FORGE_MAX], above[FORGE_MAX];
	struct claims c = good;
	const char *tok;
	size_t i, n, bigsz = 5u << 20;
	char *big;

	n = strlen("\"pad\":\"");
	memcpy(pad, "\"pad\":\"", n);
	for (i = 0; i < 4000 && above[0] == '\0'; i++) {
		memset(pad + n, 'x', i);
		memcpy(pad + n + i, "\"", 2);
		c.extra = pad;
		tok = forged(&c);
		snprintf(strlen(tok) <= TOKEN_MAX_LEN ? below : above,
		    FORGE_MAX, "%s", tok);
	}
	diag("padded tokens of %zu and %zu bytes", strlen(below),
	    strlen(above));
	ok(strlen(below) >= TOKEN_MAX_LEN - 2 &&
	    strlen(above) > TOKEN_MAX_LEN && strlen(above) <= TOKEN_MAX_LEN + 2,
	    "padded tokens straddle 4 KiB");
	expect(below, TOKEN_OK, "valid token just under 4 KiB verifies");
	expect(above, TOKEN_TOO_LONG, "valid token just over 4 KiB: too_long");
	memset(pad, '!', TOKEN_MAX_LEN + 1);
	expect_len(pad, TOKEN_MAX_LEN + 1, TOKEN_TOO_LONG,
	    "4097 bytes of junk: too_long, not malformed");
	expect_len("x", SIZE_MAX, TOKEN_TOO_LONG,
	    "length is checked before any byte is read");
	if ((big = malloc(bigsz + 1)) == NULL)
		bail("out of memory");
	memset(big, 'A', bigsz);
	tok = forged(&good);
	memcpy(big, tok, strlen(tok));
	big[bigsz] = '\0';
	expect_len(big, bigsz, TOKEN_TOO_LONG, "5 MB token: too_long");
	free(big);
}

/*
 * A token verified once is kept: verified again it gives the same claims,
 * its time claims are still checked, a token differing in one byte is
 * verified afresh, and a new key forgets every kept token.
 */
static void
test_cache(void)
{
	char tok[1024], forged_tok[FORGE_MAX];
	struct token_claims a, b;
	struct claims c = good;
	size_t n;
	char last;

	if (token_issue_access(42, "admin", 3, 11, NOW, tok, sizeof(tok)) <= 0)
		bail("cannot issue a token");
	n = strlen(tok);
	memset(&a, 0, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	is_int(token_verify_access(tok, n, NOW, &a), TOKEN_OK, "first use");
	is_int(token_verify_access(tok, n, NOW + 1, &b), TOKEN_OK, "second use");
	ok(memcmp(&a, &b, sizeof(a)) == 0, "gives the same claims");
	is_int(token_verify_access(tok, n, NOW + TTL, &b), TOKEN_EXPIRED,
	    "a kept token still expires");
	is_int(token_verify_access(tok, n, NOW, &b), TOKEN_OK,
	    "and is valid again at an earlier time");
	last = tok[n - 1];
	tok[n - 1] = last == 'A' ? 'B' : 'A';
	is_int(token_verify_access(tok, n, NOW, &b), TOKEN_BAD_SIGNATURE,
	    "one byte changed: verified afresh");
	is_int(token_verify_access(tok, n - 1, NOW, &b), TOKEN_BAD_SIGNATURE,
	    "one byte fewer: verified afresh");
	tok[n - 1] = last;

	c.nbf = NOW_S;
	snprintf(forged_tok, sizeof(forged_tok), "%s", forged(&c));
	expect(forged_tok, TOKEN_OK, "a token with nbf now is kept");
	is_int(token_verify_access(forged_tok, strlen(forged_tok), NOW - 1, &b),
	    TOKEN_NOT_YET_VALID, "and its nbf still checked");

	if (token_init(other_key, sizeof(other_key), ISS, AUD, TTL) != 0)
		bail("cannot re-initialise");
	is_int(token_verify_access(tok, n, NOW, &b), TOKEN_BAD_SIGNATURE,
	    "a new key forgets the kept tokens");
	if (token_init(key, sizeof(key), ISS, AUD, TTL) != 0)
		bail("cannot re-initialise");
	is_int(token_verify_access(tok, n, NOW, &b), TOKEN_OK,
	    "and the old key knows it again");
}

int
main(void)
{
	if (sodium_init() < 0)
		bail("sodium_init failed");
	test_init();
	test_issue();
	test_alg();
	test_signature();
	test_shape();
	test_payload();
	test_time();
	test_iss_aud_typ();
	test_claims();
	test_length();
	test_cache();
	return done_testing();
}

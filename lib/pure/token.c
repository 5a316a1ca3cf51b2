/*
 * token: HS256 JWT access tokens.
 *
 * Tokens are issued with libjwt.  Verification does not trust libjwt 1.10.2
 * with anything it has not been shown to get right: the length, the shape,
 * the header, the HMAC (compared in constant time) and every claim are
 * checked here, from our own parse.  libjwt's own jwt_decode is not called
 * on this path: it would check only the HMAC again, and it cost half of an
 * authenticated request (OpenSSL 3 fetches its MAC implementation on every
 * call, and jansson parses the token a second time; docs/performance.md).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <jwt.h>
#include <sodium.h>

#include "base/base64.h"
#include "base/principal.h"
#include "pure/token.h"

/* Longest signing key kept, in bytes. */
#define TOKEN_KEY_MAX	256

/* Room for the issuer and audience names, NUL included. */
#define TOKEN_NAME_MAX	256

/* Bounds of the access-token lifetime, in seconds. */
#define TOKEN_TTL_MIN	60L
#define TOKEN_TTL_MAX	86400L

/*
 * Integer claims must stay below 2^53 in magnitude: a JSON number is a
 * double, and beyond that neighbouring integers share one representation.
 */
#define TOKEN_INT_LIMIT	((int64_t)1 << 53)


/*
 * Tokens that passed every check, kept so that the next request with one
 * skips the HMAC and the JSON: slots, and the longest token kept.
 */
#define TOKEN_CACHE_SLOTS	64
#define TOKEN_CACHE_LEN		1024

/* Bytes of randomness in a jti, printed as twice as many hex digits. */
#define TOKEN_JTI_BYTES	16

enum part {
	PART_HEADER,
	PART_PAYLOAD,
	PART_SIGNATURE,
	PART__MAX
};

/* The three dot-separated segments of a token, pointing into it. */
struct token_parts {
	const char	*seg[PART__MAX];
	size_t		 len[PART__MAX];
};

static struct {
	unsigned char	 key[TOKEN_KEY_MAX];
	size_t		 keylen;
	char		 issuer[TOKEN_NAME_MAX];
	char		 audience[TOKEN_NAME_MAX];
	long		 ttl;
	int		 locked;
	int		 ready;
	crypto_auth_hmacsha256_state hmac;	/* keyed once: see token_init */
} cfg;

/*
 * A verified token, found by a keyed hash of its bytes (SipHash under a
 * key of this process's: no one can aim at a slot) and then compared
 * whole, in constant time.  Only its time claims are checked again.
 */
struct token_cached {
	uint64_t	 tag;
	size_t		 len;		/* 0: an empty slot */
	char		 tok[TOKEN_CACHE_LEN];
	struct token_claims claims;
	int64_t		 nbf;		/* INT64_MIN: none */
};

static struct {
	unsigned char	 key[crypto_shorthash_KEYBYTES];
	struct token_cached slot[TOKEN_CACHE_SLOTS];
} cache;

static const char *const result_names[] = {
	[TOKEN_OK] = "ok",
	[TOKEN_TOO_LONG] = "too_long",
	[TOKEN_MALFORMED] = "malformed",
	[TOKEN_BAD_ALG] = "bad_alg",
	[TOKEN_BAD_SIGNATURE] = "bad_signature",
	[TOKEN_EXPIRED] = "expired",
	[TOKEN_NOT_YET_VALID] = "not_yet_valid",
	[TOKEN_BAD_ISSUER] = "bad_issuer",
	[TOKEN_BAD_AUDIENCE] = "bad_audience",
	[TOKEN_BAD_TYPE] = "bad_type",
	[TOKEN_BAD_CLAIMS] = "bad_claims",
	[TOKEN_NOT_READY] = "not_ready",
};

/* Whether role is one of the roles a token may carry. */
static int
role_valid(const char *role)
{
	enum role r;

	return principal_role_parse(role, &r) == 0;
}

/* Whether v is small enough to survive the trip through a JSON number. */
static int
int_safe(int64_t v)
{
	return v > -TOKEN_INT_LIMIT && v < TOKEN_INT_LIMIT;
}

/*
 * Stores in *out the value of item when it is a JSON number holding an
 * integer of safe magnitude; returns 0, or -1 (item may be NULL).
 */
static int
json_int(const cJSON *item, int64_t *out)
{
	double d;
	int64_t v;

	if (!cJSON_IsNumber(item))
		return -1;
	d = item->valuedouble;
	/* Written so that NaN fails too; the cast below is then defined. */
	if (!(d > (double)-TOKEN_INT_LIMIT && d < (double)TOKEN_INT_LIMIT))
		return -1;
	v = (int64_t)d;
	if ((double)v != d)
		return -1;
	*out = v;
	return 0;
}

/* Whether item is a JSON string equal to want (item may be NULL). */
static int
json_str_eq(const cJSON *item, const char *want)
{
	return cJSON_IsString(item) && item->valuestring != NULL &&
	    strcmp(item->valuestring, want) == 0;
}

/* The member name of obj, NULL when absent; names are case-sensitive. */
static const cJSON *
json_get(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/*
 * Whether obj names a member twice.  cJSON keeps both and finds the first,
 * libjwt's jansson keeps the last; a token must not mean two things.
 */
static int
json_has_duplicates(const cJSON *obj)
{
	const cJSON *a, *b;

	for (a = obj->child; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (a->string == NULL || b->string == NULL ||
			    strcmp(a->string, b->string) == 0)
				return 1;
	return 0;
}

/* Whether c may appear in a base64url segment (no '=' padding). */
static int
b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Splits tok (len bytes) into exactly three non-empty segments of base64url
 * characters; returns 0, or -1 when it has any other shape.
 */
static int
token_split(const char *tok, size_t len, struct token_parts *p)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i < len; i++) {
		if (tok[i] != '.') {
			if (!b64url_char(tok[i]))
				return -1;
			continue;
		}
		if (n == PART__MAX - 1 || i == start)
			return -1;
		p->seg[n] = tok + start;
		p->len[n++] = i - start;
		start = i + 1;
	}
	if (n != PART__MAX - 1 || start == len)
		return -1;
	p->seg[n] = tok + start;
	p->len[n] = len - start;
	return 0;
}

/* 1 when item or anything in it is a number JSON cannot hold (1e999). */
static int
json_has_nonfinite(const cJSON *item)
{
	const cJSON *c;

	if (cJSON_IsNumber(item) && !isfinite(item->valuedouble))
		return 1;
	for (c = item->child; c != NULL; c = c->next)
		if (json_has_nonfinite(c))
			return 1;
	return 0;
}

/*
 * Decodes a base64url segment holding a JSON object without duplicate
 * members or NUL bytes.  Returns the object, to be freed with cJSON_Delete,
 * or NULL.  The segment is at most TOKEN_MAX_LEN bytes.
 */
static cJSON *
segment_json(const char *seg, size_t len)
{
	unsigned char buf[TOKEN_MAX_LEN];
	long got;
	size_t n;
	cJSON *obj;

	if ((got = base64url_decode(seg, len, buf, sizeof(buf) - 1)) < 0 ||
	    memchr(buf, '\0', (size_t)got) != NULL)
		return NULL;
	n = (size_t)got;
	buf[n] = '\0';
	/* cJSON only honours require_null_terminated if the NUL is counted. */
	if ((obj = cJSON_ParseWithLengthOpts((const char *)buf, n + 1, NULL,
	    1)) == NULL)
		return NULL;
	if (!cJSON_IsObject(obj) || json_has_duplicates(obj) ||
	    json_has_nonfinite(obj)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/*
 * Checks the header: a JSON object (else TOKEN_MALFORMED) whose alg is
 * exactly "HS256", whose typ, if any, is "JWT", and which asks for no
 * critical extensions (else TOKEN_BAD_ALG).
 */
static enum token_result
header_check(const struct token_parts *p)
{
	/* {"alg":"HS256","typ":"JWT"}: the header of every token issued here. */
	static const char issued[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
	cJSON *h;
	const cJSON *typ;
	enum token_result r = TOKEN_OK;

	/* The header issued here needs no parse: it says exactly HS256. */
	if (p->len[PART_HEADER] == sizeof(issued) - 1 &&
	    memcmp(p->seg[PART_HEADER], issued, sizeof(issued) - 1) == 0)
		return TOKEN_OK;
	if ((h = segment_json(p->seg[PART_HEADER], p->len[PART_HEADER])) ==
	    NULL)
		return TOKEN_MALFORMED;
	typ = json_get(h, "typ");
	if (!json_str_eq(json_get(h, "alg"), "HS256") ||
	    (typ != NULL && !json_str_eq(typ, "JWT")) ||
	    json_get(h, "crit") != NULL)
		r = TOKEN_BAD_ALG;
	cJSON_Delete(h);
	return r;
}

/*
 * Whether the signature segment is the HMAC-SHA256, under the configured
 * key, of "header.payload", compared in constant time.  Only the canonical
 * encoding of the 32-byte MAC is accepted.
 */
static int
hmac_valid(const struct token_parts *p)
{
	crypto_auth_hmacsha256_state st;
	unsigned char sig[crypto_auth_hmacsha256_BYTES];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	size_t signedlen;
	int valid = 0;

	if (base64url_decode(p->seg[PART_SIGNATURE], p->len[PART_SIGNATURE],
	    sig, sizeof(sig)) != (long)sizeof(sig))
		return 0;
	signedlen = p->len[PART_HEADER] + 1 + p->len[PART_PAYLOAD];
	st = cfg.hmac;
	if (crypto_auth_hmacsha256_update(&st,
	    (const unsigned char *)p->seg[PART_HEADER], signedlen) == 0 &&
	    crypto_auth_hmacsha256_final(&st, mac) == 0)
		valid = sodium_memcmp(mac, sig, sizeof(mac)) == 0;
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
	return valid;
}

/* Whether s is a jti as issued here: 32 lowercase hex digits. */
static int
jti_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == (size_t)2 * TOKEN_JTI_BYTES;
}

/* Whether aud is the configured audience or an array that contains it. */
static int
audience_match(const cJSON *aud)
{
	const cJSON *el;

	if (cJSON_IsString(aud))
		return json_str_eq(aud, cfg.audience);
	if (!cJSON_IsArray(aud))
		return 0;
	cJSON_ArrayForEach(el, aud)
		if (json_str_eq(el, cfg.audience))
			return 1;
	return 0;
}

/*
 * Checks exp (an integer, positive, after now) and nbf (absent, or an
 * integer not after now); stores exp in c->exp.
 */
static enum token_result
claims_time(const cJSON *pl, time_t now, struct token_claims *c)
{
	const cJSON *nbf;
	int64_t t;

	if (json_int(json_get(pl, "exp"), &c->exp) == -1 || c->exp <= 0 ||
	    (int64_t)now >= c->exp)
		return TOKEN_EXPIRED;
	if ((nbf = json_get(pl, "nbf")) != NULL &&
	    (json_int(nbf, &t) == -1 || t > (int64_t)now))
		return TOKEN_NOT_YET_VALID;
	return TOKEN_OK;
}

/*
 * Checks the claims that say who the token is for (sub, role, ver, sid,
 * iat, jti) and stores them in c.
 */
static enum token_result
claims_identity(const cJSON *pl, struct token_claims *c)
{
	const cJSON *role, *jti;

	role = json_get(pl, "role");
	jti = json_get(pl, "jti");
	if (json_int(json_get(pl, "sub"), &c->sub) == -1 || c->sub <= 0 ||
	    json_int(json_get(pl, "ver"), &c->ver) == -1 || c->ver < 1 ||
	    json_int(json_get(pl, "sid"), &c->sid) == -1 || c->sid < 1 ||
	    json_int(json_get(pl, "iat"), &c->iat) == -1 ||
	    !cJSON_IsString(role) || role->valuestring == NULL ||
	    !role_valid(role->valuestring) ||
	    !cJSON_IsString(jti) || jti->valuestring == NULL ||
	    !jti_valid(jti->valuestring))
		return TOKEN_BAD_CLAIMS;
	/* auth_time is newer than the other claims: absent, it is 0. */
	c->auth_time = 0;
	if (json_get(pl, "auth_time") != NULL &&
	    (json_int(json_get(pl, "auth_time"), &c->auth_time) == -1 ||
	    c->auth_time < 0))
		return TOKEN_BAD_CLAIMS;
	/* Both fit: role_valid and jti_valid bound their lengths. */
	memcpy(c->role, role->valuestring, strlen(role->valuestring) + 1);
	memcpy(c->jti, jti->valuestring, strlen(jti->valuestring) + 1);
	return TOKEN_OK;
}

/* Checks every claim of the payload pl at time now, filling c. */
static enum token_result
claims_check(const cJSON *pl, time_t now, struct token_claims *c)
{
	enum token_result r;

	if ((r = claims_time(pl, now, c)) != TOKEN_OK)
		return r;
	if (!json_str_eq(json_get(pl, "iss"), cfg.issuer))
		return TOKEN_BAD_ISSUER;
	if (!audience_match(json_get(pl, "aud")))
		return TOKEN_BAD_AUDIENCE;
	if (!json_str_eq(json_get(pl, "typ"), "access"))
		return TOKEN_BAD_TYPE;
	return claims_identity(pl, c);
}

/* Adds an integer claim, refusing values a long cannot hold. */
static int
grant_int(jwt_t *jwt, const char *name, int64_t v)
{
	if (v < LONG_MIN || v > LONG_MAX)
		return -1;
	return jwt_add_grant_int(jwt, name, (long)v) == 0 ? 0 : -1;
}

/* Adds every claim of an access token to jwt; returns 0 or -1. */
static int
grant_all(jwt_t *jwt, int64_t sub, const char *role, int64_t ver,
    int64_t sid, int64_t now, int64_t auth_time)
{
	unsigned char rnd[TOKEN_JTI_BYTES];
	char jti[2 * TOKEN_JTI_BYTES + 1];

	randombytes_buf(rnd, sizeof(rnd));
	if (sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd)) == NULL)
		return -1;
	if (grant_int(jwt, "sub", sub) == -1 ||
	    jwt_add_grant(jwt, "role", role) != 0 ||
	    grant_int(jwt, "ver", ver) == -1 ||
	    grant_int(jwt, "sid", sid) == -1 ||
	    jwt_add_grant(jwt, "typ", "access") != 0 ||
	    grant_int(jwt, "iat", now) == -1 ||
	    grant_int(jwt, "auth_time", auth_time) == -1 ||
	    grant_int(jwt, "exp", now + cfg.ttl) == -1 ||
	    jwt_add_grant(jwt, "iss", cfg.issuer) != 0 ||
	    jwt_add_grant(jwt, "aud", cfg.audience) != 0 ||
	    jwt_add_grant(jwt, "jti", jti) != 0)
		return -1;
	return 0;
}

int
token_init(const unsigned char *key, size_t key_len, const char *issuer,
    const char *audience, long ttl)
{
	size_t ilen, alen;

	if (key == NULL || key_len < TOKEN_MIN_KEY || key_len > TOKEN_KEY_MAX ||
	    issuer == NULL || audience == NULL ||
	    ttl < TOKEN_TTL_MIN || ttl > TOKEN_TTL_MAX)
		return -1;
	ilen = strlen(issuer);
	alen = strlen(audience);
	if (ilen == 0 || ilen >= sizeof(cfg.issuer) ||
	    alen == 0 || alen >= sizeof(cfg.audience))
		return -1;
	if (sodium_init() < 0)
		return -1;
	token_shutdown();
	/* Best effort: keep the key out of swap when RLIMIT_MEMLOCK allows. */
	if (!cfg.locked)
		cfg.locked = sodium_mlock(cfg.key, sizeof(cfg.key)) == 0;
	memcpy(cfg.key, key, key_len);
	cfg.keylen = key_len;
	memcpy(cfg.issuer, issuer, ilen + 1);
	memcpy(cfg.audience, audience, alen + 1);
	cfg.ttl = ttl;
	/*
	 * The keyed HMAC state (the key's inner and outer blocks hashed) is
	 * made once; each verification starts from a copy of it.
	 */
	if (crypto_auth_hmacsha256_init(&cfg.hmac, cfg.key, cfg.keylen) != 0)
		return -1;
	crypto_shorthash_keygen(cache.key);
	cfg.ready = 1;
	return 0;
}

int
token_warm(void)
{
	char warm[TOKEN_MAX_LEN + 1];
	int rc;

	rc = token_issue_access(1, principal_role_names[ROLE_USER], 1, 1,
	    time(NULL), warm, sizeof(warm));
	sodium_memzero(warm, sizeof(warm));
	return rc;
}

long
token_ttl(void)
{
	return cfg.ttl;
}

int
token_issue_access(int64_t sub, const char *role, int64_t ver,
    int64_t sid, time_t now, char *out, size_t outsz)
{
	return token_issue_access_at(sub, role, ver, sid, now, (int64_t)now,
	    out, outsz);
}

int
token_issue_access_at(int64_t sub, const char *role, int64_t ver,
    int64_t sid, time_t now, int64_t auth_time, char *out, size_t outsz)
{
	jwt_t *jwt = NULL;
	char *enc = NULL;
	size_t n;
	int rc = -1;

	if (!cfg.ready || out == NULL || role == NULL || !role_valid(role) ||
	    sub <= 0 || !int_safe(sub) || ver < 1 || !int_safe(ver) ||
	    sid < 1 || !int_safe(sid) ||
	    now <= 0 || !int_safe((int64_t)now) ||
	    !int_safe((int64_t)now + cfg.ttl) ||
	    auth_time <= 0 || auth_time > (int64_t)now)
		return -1;
	if (jwt_new(&jwt) != 0 || jwt == NULL)
		goto out;
	if (grant_all(jwt, sub, role, ver, sid, (int64_t)now, auth_time) == -1 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, cfg.key, (int)cfg.keylen) != 0 ||
	    (enc = jwt_encode_str(jwt)) == NULL)
		goto out;
	n = strlen(enc);
	if (n >= outsz || n > TOKEN_MAX_LEN)
		goto out;
	memcpy(out, enc, n + 1);
	rc = (int)n;
out:
	free(enc);
	if (jwt != NULL)
		jwt_free(jwt);
	return rc;
}

/* The slot tok (len bytes, at most TOKEN_CACHE_LEN) goes in, and its tag. */
static struct token_cached *
cache_slot(const char *tok, size_t len, uint64_t *tag)
{
	unsigned char h[crypto_shorthash_BYTES];

	crypto_shorthash(h, (const unsigned char *)tok, len, cache.key);
	memcpy(tag, h, sizeof(*tag));
	return &cache.slot[*tag % TOKEN_CACHE_SLOTS];
}

/* The verified token tok in the cache, or NULL. */
static const struct token_cached *
cache_find(const char *tok, size_t len)
{
	const struct token_cached *e;
	uint64_t tag;

	if (len == 0 || len > TOKEN_CACHE_LEN)
		return NULL;
	e = cache_slot(tok, len, &tag);
	if (e->len != len || e->tag != tag ||
	    sodium_memcmp(e->tok, tok, len) != 0)
		return NULL;
	return e;
}

/* Keeps tok, verified with claims c and not-before nbf, in the cache. */
static void
cache_keep(const char *tok, size_t len, const struct token_claims *c,
    int64_t nbf)
{
	struct token_cached *e;
	uint64_t tag;

	if (len == 0 || len > TOKEN_CACHE_LEN)
		return;
	e = cache_slot(tok, len, &tag);
	e->tag = tag;
	e->len = len;
	memcpy(e->tok, tok, len);
	e->claims = *c;
	e->nbf = nbf;
}

enum token_result
token_verify_access(const char *tok, size_t len, time_t now,
    struct token_claims *c)
{
	const struct token_cached *e;
	struct token_parts p;
	struct token_claims tmp;
	cJSON *pl;
	enum token_result r;
	int64_t nbf = INT64_MIN;

	if (len > TOKEN_MAX_LEN)
		return TOKEN_TOO_LONG;
	if (!cfg.ready)
		return TOKEN_NOT_READY;
	if (tok == NULL)
		return TOKEN_MALFORMED;
	if ((e = cache_find(tok, len)) != NULL) {
		/* As claims_time would decide. */
		if ((int64_t)now >= e->claims.exp)
			return TOKEN_EXPIRED;
		if (e->nbf > (int64_t)now)
			return TOKEN_NOT_YET_VALID;
		if (c != NULL)
			*c = e->claims;
		return TOKEN_OK;
	}
	if (token_split(tok, len, &p) == -1)
		return TOKEN_MALFORMED;
	if ((r = header_check(&p)) != TOKEN_OK)
		return r;
	if (!hmac_valid(&p))
		return TOKEN_BAD_SIGNATURE;
	if ((pl = segment_json(p.seg[PART_PAYLOAD], p.len[PART_PAYLOAD])) ==
	    NULL)
		return TOKEN_MALFORMED;
	memset(&tmp, 0, sizeof(tmp));
	r = claims_check(pl, now, &tmp);
	/* claims_time accepted any nbf present as an integer. */
	if (r == TOKEN_OK && json_get(pl, "nbf") != NULL &&
	    json_int(json_get(pl, "nbf"), &nbf) == -1)
		r = TOKEN_NOT_YET_VALID;
	cJSON_Delete(pl);
	if (r != TOKEN_OK)
		return r;
	cache_keep(tok, len, &tmp, nbf);
	if (c != NULL)
		*c = tmp;
	return TOKEN_OK;
}

const char *
token_result_name(enum token_result r)
{
	if ((size_t)r >= sizeof(result_names) / sizeof(result_names[0]) ||
	    result_names[r] == NULL)
		return "unknown";
	return result_names[r];
}

void
token_shutdown(void)
{
	sodium_memzero(cfg.key, sizeof(cfg.key));
	sodium_memzero(&cfg.hmac, sizeof(cfg.hmac));
	sodium_memzero(&cache, sizeof(cache));
	cfg.keylen = 0;
	cfg.ready = 0;
}

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "base/base32.h"
#include "base/secret.h"

#define SECRET_B64	sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(SECRET_LEN + 1 ==
    sodium_base64_ENCODED_LEN(SECRET_BYTES, SECRET_B64),
    "SECRET_LEN does not match the base64url length");
_Static_assert(SECRET_HASH_BYTES == crypto_hash_sha256_BYTES,
    "SECRET_HASH_BYTES is not the SHA-256 length");
_Static_assert(SECRET_DIGEST_HEX == 2 * crypto_hash_sha256_BYTES + 1,
    "SECRET_DIGEST_HEX is not the length of a SHA-256 in hex");

void
secret_new(struct secret *s)
{
	unsigned char raw[SECRET_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(s->text, sizeof(s->text), raw, sizeof(raw),
	    SECRET_B64);
	sodium_memzero(raw, sizeof(raw));
	crypto_hash_sha256(s->hash, (const unsigned char *)s->text,
	    SECRET_LEN);
}

int
secret_hash(const char *text, size_t len,
    unsigned char hash[SECRET_HASH_BYTES])
{
	size_t i;
	char c;

	if (len != SECRET_LEN)
		return -1;
	for (i = 0; i < len; i++) {
		c = text[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	crypto_hash_sha256(hash, (const unsigned char *)text, len);
	return 0;
}

void
secret_digest_hex(const void *p, size_t n, char out[SECRET_DIGEST_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, SECRET_DIGEST_HEX, h, sizeof(h));
}

/*
 * The HMAC-SHA256 under key of n bytes of p, for the purpose that label
 * names: the label (with its NUL) keeps a MAC made for one purpose from
 * ever equalling one made for another.
 */
static void
keyed_mac(const unsigned char *key, size_t keylen, const char *label,
    const void *p, size_t n, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label,
	    strlen(label) + 1);
	crypto_auth_hmacsha256_update(&st, p, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

_Static_assert(crypto_auth_hmacsha256_BYTES == SECRET_BYTES,
    "a MAC is not the length of a secret");

void
secret_derive(const unsigned char *key, size_t keylen, const char *label,
    const void *p, size_t n, struct secret *out)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	keyed_mac(key, keylen, label, p, n, mac);
	sodium_bin2base64(out->text, sizeof(out->text), mac, sizeof(mac),
	    SECRET_B64);
	sodium_memzero(mac, sizeof(mac));
	crypto_hash_sha256(out->hash, (const unsigned char *)out->text,
	    SECRET_LEN);
}

void
secret_csrf_token(const unsigned char *key, size_t keylen,
    const unsigned char hash[SECRET_HASH_BYTES], char out[SECRET_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	keyed_mac(key, keylen, "quill csrf token v1", hash, SECRET_HASH_BYTES,
	    mac);
	sodium_bin2base64(out, SECRET_LEN + 1, mac, sizeof(mac), SECRET_B64);
}

int
secret_csrf_verify(const unsigned char *key, size_t keylen,
    const unsigned char hash[SECRET_HASH_BYTES], const char *token,
    size_t len)
{
	char want[SECRET_LEN + 1];
	int same;

	if (len != SECRET_LEN)
		return 0;
	secret_csrf_token(key, keylen, hash, want);
	same = sodium_memcmp(want, token, SECRET_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return same;
}

int
secret_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && sodium_memcmp(a, b, alen) == 0;
}

void
secret_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

void
secret_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

_Static_assert(SECRET_SEAL_OVERHEAD ==
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
    crypto_aead_xchacha20poly1305_ietf_ABYTES,
    "SECRET_SEAL_OVERHEAD is not the nonce and tag of XChaCha20-Poly1305");
_Static_assert(crypto_auth_hmacsha256_BYTES ==
    crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    "a MAC is not the length of a sealing key");

void
secret_seal(const unsigned char *key, size_t keylen, const char *label,
    const void *ctx, size_t ctxlen, const void *plain, size_t n,
    unsigned char *out)
{
	unsigned char k[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char *nonce = out;

	keyed_mac(key, keylen, label, "", 0, k);
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, plain, n,
	    ctx, ctxlen, NULL, nonce, k);
	sodium_memzero(k, sizeof(k));
}

long
secret_unseal(const unsigned char *key, size_t keylen, const char *label,
    const void *ctx, size_t ctxlen, const unsigned char *sealed, size_t len,
    unsigned char *out)
{
	unsigned char k[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned long long n;
	int rc;

	if (len < SECRET_SEAL_OVERHEAD)
		return -1;
	keyed_mac(key, keylen, label, "", 0, k);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &n, NULL,
	    sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	    len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ctx, ctxlen,
	    sealed, k);
	sodium_memzero(k, sizeof(k));
	return rc == 0 ? (long)n : -1;
}

#define RECOVERY_LABEL	"quill recovery code v1"

/*
 * The keyed hash of the canonical form of a code (12 upper-case base32
 * characters) for ctx: the label, the context's length as 8 big-endian
 * bytes, the context and the code, so that no two (context, code) pairs
 * make one message.
 */
static void
recovery_mac(const unsigned char *key, size_t keylen, const void *ctx,
    size_t ctxlen, const char canon[SECRET_RECOVERY_CHARS],
    unsigned char hash[SECRET_HASH_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char len[8];
	size_t i;

	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)ctxlen >> (8 * (7 - i)));
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st,
	    (const unsigned char *)RECOVERY_LABEL, sizeof(RECOVERY_LABEL));
	crypto_auth_hmacsha256_update(&st, len, sizeof(len));
	crypto_auth_hmacsha256_update(&st, ctx, ctxlen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)canon,
	    SECRET_RECOVERY_CHARS);
	crypto_auth_hmacsha256_final(&st, hash);
	sodium_memzero(&st, sizeof(st));
}

void
secret_recovery_new(const unsigned char *key, size_t keylen, const void *ctx,
    size_t ctxlen, struct secret_recovery *r)
{
	unsigned char raw[8];
	char enc[BASE32_LEN(sizeof(raw)) + 1];
	size_t i, j;

	_Static_assert(BASE32_LEN(sizeof(raw)) >= SECRET_RECOVERY_CHARS,
	    "8 random bytes do not make a recovery code");
	randombytes_buf(raw, sizeof(raw));
	base32_encode(raw, sizeof(raw), enc);
	recovery_mac(key, keylen, ctx, ctxlen, enc, r->hash);
	for (i = j = 0; i < SECRET_RECOVERY_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			r->text[j++] = '-';
		r->text[j++] = (char)(enc[i] >= 'A' && enc[i] <= 'Z' ?
		    enc[i] - 'A' + 'a' : enc[i]);
	}
	r->text[j] = '\0';
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(enc, sizeof(enc));
}

int
secret_recovery_hash(const unsigned char *key, size_t keylen,
    const void *ctx, size_t ctxlen, const char *text, size_t len,
    unsigned char hash[SECRET_HASH_BYTES])
{
	char canon[SECRET_RECOVERY_CHARS];
	size_t i, n = 0;
	char c;

	if (len > SECRET_RECOVERY_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = text[i];
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) ||
		    n == SECRET_RECOVERY_CHARS)
			return -1;
		canon[n++] = c;
	}
	if (n != SECRET_RECOVERY_CHARS)
		return -1;
	recovery_mac(key, keylen, ctx, ctxlen, canon, hash);
	sodium_memzero(canon, sizeof(canon));
	return 0;
}

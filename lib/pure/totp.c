/*
 * totp: RFC 4226's HOTP with RFC 6238's time steps.  The counter is the
 * step as 8 big-endian bytes; the code is 31 bits of the HMAC taken at the
 * offset its last nibble names, modulo 10^digits.
 */
#include <string.h>

#include "base/sha1.h"
#include "pure/totp.h"

uint32_t
totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    int digits)
{
	unsigned char msg[8], mac[SHA1_BYTES];
	uint32_t v, mod = 1;
	int i, off;

	for (i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (unsigned char)counter;
	hmac_sha1(key, keylen, msg, sizeof(msg), mac);
	off = mac[SHA1_BYTES - 1] & 0x0f;
	v = ((uint32_t)mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	for (i = 0; i < digits && i < 9; i++)
		mod *= 10;
	return v % mod;
}

int64_t
totp_step(int64_t t)
{
	return t < 0 ? 0 : t / TOTP_PERIOD;
}

int
totp_code_parse(const char *s, size_t len, uint32_t *code)
{
	uint32_t v = 0;
	size_t i;
	int digits = 0;

	if (len > TOTP_CODE_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] < '0' || s[i] > '9' || ++digits > TOTP_DIGITS)
			return -1;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (digits != TOTP_DIGITS)
		return -1;
	*code = v;
	return 0;
}

enum totp_check
totp_verify(const unsigned char *key, size_t keylen, uint32_t code,
    int64_t now, int64_t last_step, int64_t *step)
{
	int64_t s, base = totp_step(now), found = -1, used = -1;
	uint32_t diff;

	for (s = base - TOTP_DRIFT; s <= base + TOTP_DRIFT; s++) {
		if (s < 0)
			continue;
		diff = totp_hotp(key, keylen, (uint64_t)s, TOTP_DIGITS) ^ code;
		/* Every step is computed; a match only picks what is kept. */
		if (s > last_step)
			found = diff == 0 ? s : found;
		else
			used = diff == 0 ? s : used;
	}
	if (found >= 0) {
		*step = found;
		return TOTP_OK;
	}
	return used >= 0 ? TOTP_REPLAY : TOTP_WRONG;
}

/* Appends s percent-encoded, all but RFC 3986's unreserved characters. */
static int
uri_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char e[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (buf_append(b, s, 1) == -1)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (buf_append(b, e, 3) == -1)
			return -1;
	}
	return 0;
}

int
totp_uri(struct buf *b, const char *issuer, const char *account,
    const char *secret_b32)
{
	if (buf_puts(b, "otpauth://totp/") == -1 ||
	    uri_escape(b, issuer) == -1 || buf_puts(b, ":") == -1 ||
	    uri_escape(b, account) == -1 ||
	    buf_puts(b, "?secret=") == -1 || uri_escape(b, secret_b32) == -1 ||
	    buf_puts(b, "&issuer=") == -1 || uri_escape(b, issuer) == -1 ||
	    buf_printf(b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
	    TOTP_PERIOD) == -1)
		return -1;
	return 0;
}

/*
 * Unit tests for lib/pure/totp.c: the HOTP values of RFC 4226 and the
 * SHA-1 TOTP values of RFC 6238, one step of drift accepted either way and
 * two refused, replays refused, the codes people type, and the otpauth URI.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "pure/totp.h"
#include "tap.h"

static const unsigned char rfc_key[] = "12345678901234567890";
#define RFC_KEYLEN 20

int
main(void)
{
	/* RFC 4226 appendix D: counters 0 to 9. */
	static const uint32_t hotp[10] = { 755224, 287082, 359152, 969429,
	    338314, 254676, 287922, 162583, 399871, 520489 };
	/* RFC 6238 appendix B, the SHA-1 rows (8 digits). */
	static const struct { int64_t t; uint32_t code; } rfc[] = {
		{ 59, 94287082 }, { 1111111109, 7081804 },
		{ 1111111111, 14050471 }, { 1234567890, 89005924 },
		{ 2000000000, 69279037 }, { 20000000000, 65353130 },
	};
	static const char *codes_bad[] = { "", "12345", "1234567", "12a456",
	    "12345\t", "-12345", "+123456", "123 45", "１23456",
	    "1 2 3 4 5 6 7", "123456           " };
	const int64_t now = 1700000015;	/* mid-step */
	const int64_t s0 = totp_step(now);
	struct buf b = { 0 };
	uint32_t c;
	int64_t step;
	size_t i;

	for (i = 0; i < 10; i++)
		is_int(totp_hotp(rfc_key, RFC_KEYLEN, i, 6), hotp[i],
		    "RFC 4226 HOTP, counter %zu", i);
	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++)
		is_int(totp_hotp(rfc_key, RFC_KEYLEN,
		    (uint64_t)totp_step(rfc[i].t), 8), rfc[i].code,
		    "RFC 6238 SHA-1 at T=%lld", (long long)rfc[i].t);
	is_int(totp_step(59), 1, "59 s is step 1");
	is_int(totp_step(60), 2, "60 s is step 2");
	is_int(totp_step(-5), 0, "a time before 1970 is step 0");

	/* Drift: one step either side, not two. */
	for (i = 0; i < 5; i++) {
		int64_t d = (int64_t)i - 2, s = s0 + d;
		enum totp_check want = d >= -1 && d <= 1 ? TOTP_OK : TOTP_WRONG;

		c = totp_hotp(rfc_key, RFC_KEYLEN, (uint64_t)s, TOTP_DIGITS);
		step = -7;
		is_int(totp_verify(rfc_key, RFC_KEYLEN, c, now, -1, &step), want,
		    "the code of step now%+lld is %s", (long long)d,
		    want == TOTP_OK ? "accepted" : "refused");
		if (want == TOTP_OK)
			is_int(step, s, "for its own step");
		else
			is_int(step, -7, "and no step is given");
	}
	c = totp_hotp(rfc_key, RFC_KEYLEN, (uint64_t)s0, TOTP_DIGITS);
	is_int(totp_verify(rfc_key, RFC_KEYLEN, c ^ 1, now, -1, &step),
	    TOTP_WRONG, "a wrong code is refused");
	is_int(totp_verify(rfc_key, RFC_KEYLEN - 1, c, now, -1, &step),
	    TOTP_WRONG, "the code under another key is refused");
	is_int(totp_verify(rfc_key, RFC_KEYLEN, c, now + TOTP_PERIOD * 2, -1,
	    &step), TOTP_WRONG, "a code two steps old is refused");

	/* Replay: a step once used is used up, and so is every earlier one. */
	ok(totp_verify(rfc_key, RFC_KEYLEN, c, now, -1, &step) == TOTP_OK &&
	    step == s0, "a code is accepted once");
	is_int(totp_verify(rfc_key, RFC_KEYLEN, c, now, s0, &step),
	    TOTP_REPLAY, "the same code again in its step is a replay");
	is_int(totp_verify(rfc_key, RFC_KEYLEN, c, now + TOTP_PERIOD, s0,
	    &step), TOTP_REPLAY, "and still one in the next step");
	c = totp_hotp(rfc_key, RFC_KEYLEN, (uint64_t)(s0 - 1), TOTP_DIGITS);
	is_int(totp_verify(rfc_key, RFC_KEYLEN, c, now, s0, &step),
	    TOTP_REPLAY, "the code of the step before a used one is refused");
	c = totp_hotp(rfc_key, RFC_KEYLEN, (uint64_t)(s0 + 1), TOTP_DIGITS);
	ok(totp_verify(rfc_key, RFC_KEYLEN, c, now, s0, &step) == TOTP_OK &&
	    step == s0 + 1, "the code of the step after a used one is accepted");
	is_int(totp_verify(rfc_key, RFC_KEYLEN, c, now, s0 + 1, &step),
	    TOTP_REPLAY, "once");

	/* What people type. */
	ok(totp_code_parse("123456", 6, &c) == 0 && c == 123456, "\"123456\"");
	ok(totp_code_parse("123 456", 7, &c) == 0 && c == 123456,
	    "\"123 456\", as apps show it");
	ok(totp_code_parse(" 012345 ", 8, &c) == 0 && c == 12345,
	    "spaces around, and a leading zero");
	for (i = 0; i < sizeof(codes_bad) / sizeof(codes_bad[0]); i++)
		is_int(totp_code_parse(codes_bad[i], strlen(codes_bad[i]), &c),
		    -1, "\"%s\" is not a code", codes_bad[i]);
	is_int(totp_code_parse("123\0456", 7, &c), -1, "nor one with a NUL");

	/* The URI. */
	ok(totp_uri(&b, "Quill Example", "ann+2fa@example.com",
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == 0, "the URI is written");
	is_str(b.data, "otpauth://totp/Quill%20Example:ann%2B2fa%40example.com"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Quill%20Example"
	    "&algorithm=SHA1&digits=6&period=30",
	    "label and issuer percent-encoded, parameters spelled out");
	buf_reset(&b);
	ok(totp_uri(&b, "a:b&c", "x?y#z", "AA") == 0 &&
	    strcmp(b.data, "otpauth://totp/a%3Ab%26c:x%3Fy%23z?secret=AA"
	    "&issuer=a%3Ab%26c&algorithm=SHA1&digits=6&period=30") == 0,
	    "':', '&', '?' and '#' in a name cannot end a part early");
	buf_free(&b);
	return done_testing();
}

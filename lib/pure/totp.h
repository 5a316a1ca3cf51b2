/*
 * totp: the one-time codes of authenticator apps (RFC 6238 over RFC 4226):
 * HMAC-SHA1, 6 digits, 30-second steps counted from the Unix epoch.  A
 * code is accepted for the step it was made in and for one step either
 * side of it (clocks drift), and at most once: the caller keeps the last
 * step a code was accepted for, and a code of that step or an earlier one
 * is a replay.  Pure computation: the time comes from the caller.
 */
#ifndef QUILL_TOTP_H
#define QUILL_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/base32.h"
#include "base/buf.h"

#define TOTP_SECRET_BYTES	20	/* 160 bits, as RFC 4226 recommends */
#define TOTP_SECRET_TEXT	(BASE32_LEN(TOTP_SECRET_BYTES) + 1)
#define TOTP_DIGITS		6
#define TOTP_PERIOD		30	/* seconds a step */
#define TOTP_DRIFT		1	/* steps accepted either side of now */
/* The longest code text totp_code_parse takes: digits and spaces. */
#define TOTP_CODE_MAX		16

enum totp_check {
	TOTP_OK,		/* accepted: *step says for which step */
	TOTP_WRONG,		/* no step near now has this code */
	TOTP_REPLAY,		/* the code of a step already used */
};

/*
 * The HOTP value of counter under key (keylen bytes): the dynamic
 * truncation of RFC 4226 section 5.3, modulo 10^digits (1 to 9).
 */
uint32_t totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    int digits);

/* The step time t (Unix seconds) falls in; 0 for times before 1970. */
int64_t	totp_step(int64_t t);

/*
 * A code as a person types it (len bytes): TOTP_DIGITS ASCII digits, with
 * spaces anywhere (apps show "123 456"), at most TOTP_CODE_MAX bytes in
 * all.  Returns 0 with the value in *code, or -1.
 */
int	totp_code_parse(const char *s, size_t len, uint32_t *code);

/*
 * Checks code against the steps of now - TOTP_DRIFT .. now + TOTP_DRIFT
 * for key.  last_step is the step of the code last accepted for this key
 * (-1 for none).  TOTP_OK sets *step to the step the code belongs to,
 * which the caller stores as the new last step; the three steps are all
 * computed and compared whatever matches, so the time taken says nothing.
 */
enum totp_check totp_verify(const unsigned char *key, size_t keylen,
    uint32_t code, int64_t now, int64_t last_step, int64_t *step);

/*
 * Appends the otpauth:// URI an app scans to b: label "issuer:account",
 * both percent-encoded, then the secret (base32), the issuer again, and
 * the algorithm, digits and period spelled out.  Returns 0, or -1 when b
 * ran out of memory.
 */
int	totp_uri(struct buf *b, const char *issuer, const char *account,
	    const char *secret_b32);

#endif

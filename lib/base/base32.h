/*
 * base32: RFC 4648 base32 (A-Z, 2-7), the form in which authenticator apps
 * take a TOTP secret, typed or from an otpauth:// URI.
 */
#ifndef QUILL_BASE32_H
#define QUILL_BASE32_H

#include <stddef.h>

/* The length of n bytes as unpadded base32, without the NUL. */
#define BASE32_LEN(n)	(((n) * 8 + 4) / 5)

/* Encodes n bytes as unpadded upper-case base32 into out
 * (BASE32_LEN(n) + 1 bytes, NUL-terminated). */
void base32_encode(const unsigned char *in, size_t n, char *out);

/*
 * Decodes len bytes of base32 into out (at most outsz bytes); returns the
 * number of bytes, or -1 for text that is not canonical base32: letters of
 * either case and 2-7 only, '=' padding only at the end and only as much as
 * the length calls for, no length a whole number of bytes cannot have, and
 * zero bits left over.  Text that does not fit outsz is -1 too.
 */
long base32_decode(const char *in, size_t len, unsigned char *out,
    size_t outsz);

#endif

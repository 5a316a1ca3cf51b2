/*
 * base64: unpadded base64url text, as cursors and JWTs carry it.
 */
#ifndef QUILL_BASE64_H
#define QUILL_BASE64_H

#include <stddef.h>

/* Encodes n bytes as unpadded base64url into out (4*ceil(n/3)+1 bytes). */
void base64url_encode(const unsigned char *in, size_t n, char *out);

/*
 * Decodes unpadded base64url text of len bytes into out (at most outsz
 * bytes); returns the number of bytes, or -1 on any character or length
 * that is not canonical base64url.
 */
long base64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outsz);

#endif

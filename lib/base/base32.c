/*
 * base32: RFC 4648 section 6.  Every 5 bytes are 8 characters of 5 bits;
 * a last group of 1, 2, 3 or 4 bytes is 2, 4, 5 or 7 characters, which is
 * why lengths of 1, 3 and 6 (mod 8) characters can never be right.
 */
#include "base/base32.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void
base32_encode(const unsigned char *in, size_t n, char *out)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = b32[acc >> bits & 31];
		}
	}
	if (bits > 0)
		*out++ = b32[acc << (5 - bits) & 31];
	*out = '\0';
}

/* The value of base32 character c, or -1. */
static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

long
base32_decode(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	unsigned long acc = 0;
	size_t i, n = 0, chars = len;
	int bits = 0, v;

	/* Padding: only at the end, and only to a multiple of 8. */
	while (chars > 0 && in[chars - 1] == '=')
		chars--;
	if (chars < len && len % 8 != 0)
		return -1;
	if (len - chars >= 8)
		return -1;
	switch (chars % 8) {
	case 1: case 3: case 6:
		return -1;
	}
	/* Padding must be exactly what the last group needs. */
	if (chars < len && (chars + 7) / 8 * 8 != len)
		return -1;
	for (i = 0; i < chars; i++) {
		if ((v = b32_value(in[i])) == -1)
			return -1;
		acc = (acc << 5 | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n == outsz)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* The bits left over are padding, and must be zero. */
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (long)n;
}

/*
 * base64: unpadded base64url (RFC 4648 section 5), the encoding of cursors
 * and of the three parts of a JWT.  Decoding accepts only the canonical
 * text: no padding, no other alphabet, zero unused bits.
 */
#include <string.h>

#include "base/base64.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
base64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = b64[v >> 6 & 63];
		*out++ = b64[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned)in[i] << 16;
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = b64[v >> 6 & 63];
	}
	*out = '\0';
}

/* One more than the 6-bit value of each base64url character; 0 for
 * every other byte. */
static const unsigned char b64val_table[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27,
	['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47,
	['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52,
	['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62,
	['-'] = 63, ['_'] = 64,
};

/* The 6-bit value of a base64url character, or -1. */
static int
b64val(int c)
{
	return (int)b64val_table[(unsigned char)c] - 1;
}

long
base64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outsz)
{
	size_t i, o = 0;
	int v[4], k;
	unsigned w;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++)
			v[k] = i + (size_t)k < len ? b64val(in[i + k]) : 0;
		for (k = 0; k < 4 && i + (size_t)k < len; k++)
			if (v[k] < 0)
				return -1;
		w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
		    (unsigned)v[2] << 6 | (unsigned)v[3];
		k = len - i >= 4 ? 3 : (int)(len - i) - 1;
		/* Unused low bits of a short final group must be zero. */
		if (k == 1 && (w & 0xffff) != 0)
			return -1;
		if (k == 2 && (w & 0xff) != 0)
			return -1;
		if (o + (size_t)k > outsz)
			return -1;
		out[o++] = (unsigned char)(w >> 16);
		if (k > 1)
			out[o++] = (unsigned char)(w >> 8);
		if (k > 2)
			out[o++] = (unsigned char)w;
	}
	return (long)o;
}

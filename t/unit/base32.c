/*
 * Unit tests for lib/base/base32.c: RFC 4648's examples both ways, the
 * texts decoding refuses, and round trips of every length up to 64 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base32.h"
#include "tap.h"

/* Decodes s; returns the length, or -1, with the bytes NUL-ended in out. */
static long
dec(const char *s, char *out, size_t outsz)
{
	long n = base32_decode(s, strlen(s), (unsigned char *)out, outsz - 1);

	out[n < 0 ? 0 : n] = '\0';
	return n;
}

int
main(void)
{
	/* RFC 4648 section 10. */
	static const struct { const char *plain, *padded, *bare; } rfc[] = {
		{ "", "", "" },
		{ "f", "MY======", "MY" },
		{ "fo", "MZXQ====", "MZXQ" },
		{ "foo", "MZXW6===", "MZXW6" },
		{ "foob", "MZXW6YQ=", "MZXW6YQ" },
		{ "fooba", "MZXW6YTB", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI======", "MZXW6YTBOI" },
	};
	static const char *bad[] = {
		"M", "MZX", "MZXW6Y",		/* lengths no bytes have */
		"MZ",				/* bits left over that are set */
		"MY=", "MY=======", "MY======X", "M=Y=====",
		"MZXW6YTB========",		/* a whole group of padding */
		"MY======MY======",		/* padding inside */
		"M1", "M8", "M Y", "MY0=====", "=", "MY\t",
	};
	char enc[200], out[200], lower[32];
	unsigned char raw[64], back[64];
	size_t i, j, n;
	long got;
	int same = 1;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		base32_encode((const unsigned char *)rfc[i].plain,
		    strlen(rfc[i].plain), enc);
		is_str(enc, rfc[i].bare, "\"%s\" encodes unpadded", rfc[i].plain);
		is_int(strlen(enc), BASE32_LEN(strlen(rfc[i].plain)),
		    "as long as BASE32_LEN says");
		got = dec(rfc[i].padded, out, sizeof(out));
		ok(got == (long)strlen(rfc[i].plain) &&
		    strcmp(out, rfc[i].plain) == 0, "\"%s\" decodes to \"%s\"",
		    rfc[i].padded, rfc[i].plain);
		got = dec(rfc[i].bare, out, sizeof(out));
		ok(got == (long)strlen(rfc[i].plain) &&
		    strcmp(out, rfc[i].plain) == 0, "and so does \"%s\"",
		    rfc[i].bare);
	}
	for (i = 0; rfc[6].padded[i] != '\0'; i++)
		lower[i] = (char)(rfc[6].padded[i] >= 'A' &&
		    rfc[6].padded[i] <= 'Z' ? rfc[6].padded[i] + 32 :
		    rfc[6].padded[i]);
	lower[i] = '\0';
	is_int(dec(lower, out, sizeof(out)), 6, "lower case decodes");
	is_str(out, "foobar", "to the same bytes");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(dec(bad[i], out, sizeof(out)), -1, "\"%s\" is refused",
		    bad[i]);
	is_int(base32_decode("MZXW6YTB", 8, back, 4), -1,
	    "text longer than the room for it is refused");
	is_int(base32_decode("MZXW6YTB", 8, back, 5), 5,
	    "text that fills the room exactly is not");

	srand(21);
	for (n = 0; n <= sizeof(raw); n++) {
		for (j = 0; j < n; j++)
			raw[j] = (unsigned char)rand();
		base32_encode(raw, n, enc);
		got = base32_decode(enc, strlen(enc), back, sizeof(back));
		if (got != (long)n || memcmp(raw, back, n) != 0 ||
		    strlen(enc) != BASE32_LEN(n)) {
			same = 0;
			diag("round trip of %zu bytes failed", n);
		}
	}
	ok(same, "every length from 0 to 64 bytes round-trips");
	return done_testing();
}

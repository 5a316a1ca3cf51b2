/*
 * totp: totp_code_parse on a code as a client sends it, and base32_decode
 * on the same bytes.
 *
 * A code that parses is below 10^TOTP_DIGITS and is the input's digits
 * with its spaces dropped, so two spellings of one code are only ever
 * spaces apart.  Base32 that decodes encodes back to the same text,
 * upper-cased and without its padding: one value, one canonical text.
 */
#include "base/base32.h"
#include "pure/totp.h"

#include "fuzz.h"

static void
code_check(const char *s, size_t size)
{
	char digits[TOTP_CODE_MAX + 1], want[16];
	uint32_t code = 0xffffffff;
	size_t i, n = 0;

	if (totp_code_parse(s, size, &code) == -1)
		return;
	FUZZ_CHECK(size <= TOTP_CODE_MAX && code < 1000000);
	for (i = 0; i < size; i++) {
		FUZZ_CHECK(s[i] == ' ' || (s[i] >= '0' && s[i] <= '9'));
		if (s[i] != ' ')
			digits[n++] = s[i];
	}
	digits[n] = '\0';
	snprintf(want, sizeof(want), "%0*u", TOTP_DIGITS, (unsigned)code);
	FUZZ_CHECK(strcmp(digits, want) == 0);
}

static void
base32_check(const char *s, size_t size)
{
	unsigned char out[256];
	char *enc;
	long n = base32_decode(s, size, out, sizeof(out));
	size_t i, len;

	if (n < 0)
		return;
	FUZZ_CHECK((size_t)n <= sizeof(out) && (size_t)n * 8 <= size * 5);
	len = size;
	while (len > 0 && s[len - 1] == '=')
		len--;
	enc = malloc(BASE32_LEN((size_t)n) + 1);
	FUZZ_CHECK(enc != NULL);
	base32_encode(out, (size_t)n, enc);
	FUZZ_CHECK(strlen(enc) == len);
	for (i = 0; i < len; i++)
		FUZZ_CHECK(enc[i] == (s[i] >= 'a' && s[i] <= 'z' ?
		    s[i] - 'a' + 'A' : s[i]));
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);

	code_check(s, size);
	base32_check(s, size);
	free(s);
	return 0;
}

/*
 * totp: totp_code_parse on a code as a client sends it, and base32_decode
 * on the same bytes.
 *
 * A code that parses is below 10^TOTP_DIGITS and is the input's digits
 * with its spaces dropped, so two spellings of one code are only ever
 * spaces apart.  Base32 that decodes encodes back to the same text,
 * upper-cased and without its padding: one value, one canonical text.
 * A recovery code that hashes is 12 base32 characters once its dashes and
 * spaces are dropped and its letters upper-cased, and hashes as that
 * canonical text does.
 */
#include <sodium.h>

#include "base/base32.h"
#include "base/secret.h"
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

static void
recovery_check(const char *s, size_t size)
{
	static const unsigned char key[32] = "quill-fuzz-recovery-key-0123456";
	static const unsigned char ctx[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	unsigned char h[SECRET_HASH_BYTES], h2[SECRET_HASH_BYTES];
	char canon[SECRET_RECOVERY_MAX + 1];
	size_t i, n = 0;

	if (secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx), s, size,
	    h) == -1)
		return;
	FUZZ_CHECK(size <= SECRET_RECOVERY_MAX);
	for (i = 0; i < size; i++) {
		if (s[i] == '-' || s[i] == ' ')
			continue;
		canon[n++] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) :
		    s[i];
	}
	canon[n] = '\0';
	FUZZ_CHECK(n == SECRET_RECOVERY_CHARS);
	FUZZ_CHECK(strspn(canon, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == n);
	FUZZ_CHECK(secret_recovery_hash(key, sizeof(key), ctx, sizeof(ctx),
	    canon, n, h2) == 0 && memcmp(h, h2, sizeof(h)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *s = fuzz_cstring(data, size);

	if (!ready)
		FUZZ_CHECK(sodium_init() >= 0);
	ready = 1;
	code_check(s, size);
	base32_check(s, size);
	recovery_check(s, size);
	free(s);
	return 0;
}

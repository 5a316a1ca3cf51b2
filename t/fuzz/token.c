/*
 * token: token_verify_access, the check of Bearer access tokens.
 *
 * The input is verified as it is, and then once more with its signature
 * replaced by the right HMAC under the test key (everything after the last
 * '.'), so the header, claim and libjwt checks behind the signature are
 * reached too.  Whatever the verdict, a token that passes carries sane
 * claims.
 */
#include <sodium.h>

#include "fuzz.h"

/* Verifies tok and checks the claims of a token that passes. */
static void
verify(const char *tok, size_t len)
{
	struct token_claims c;
	enum token_result r;

	memset(&c, 0, sizeof(c));
	r = token_verify_access(tok, len, FUZZ_NOW, &c);
	FUZZ_CHECK(token_result_name(r) != NULL);
	if (r == TOKEN_OK)
		fuzz_claims_check(&c);
	else
		FUZZ_CHECK(r != TOKEN_TOO_LONG || len > TOKEN_MAX_LEN);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const uint8_t *dot;
	size_t signedlen, enclen;
	char *tok;

	fuzz_token_init();
	verify((const char *)data, size);
	for (dot = data + size; dot > data && dot[-1] != '.'; dot--)
		continue;
	if (dot == data)
		return 0;
	signedlen = (size_t)(dot - data) - 1;
	crypto_auth_hmacsha256(mac, data, signedlen, fuzz_token_key);
	enclen = sodium_base64_ENCODED_LEN(sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	FUZZ_CHECK((tok = malloc(signedlen + 1 + enclen)) != NULL);
	memcpy(tok, data, signedlen + 1);
	sodium_bin2base64(tok + signedlen + 1, enclen, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	verify(tok, signedlen + 1 + strlen(tok + signedlen + 1));
	free(tok);
	return 0;
}

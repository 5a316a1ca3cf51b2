/*
 * auth: the Authorization pre-check of auth_identify, header_bearer and
 * then token_verify_access, on a header value as the web server passes it
 * (a C string: the value ends at the first NUL).
 */
#include <strings.h>

#include "pure/header.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fuzz_cstring(data, size);
	struct token_claims c;
	const char *tok;
	size_t len;

	fuzz_token_init();
	if (header_bearer(h, &tok, &len) == 0) {
		FUZZ_CHECK(strncasecmp(h, "Bearer ", 7) == 0);
		FUZZ_CHECK(tok >= h + 7 && tok + len == h + strlen(h));
		FUZZ_CHECK(len == 0 || tok[0] != ' ');
		if (token_verify_access(tok, len, FUZZ_NOW, &c) == TOKEN_OK)
			fuzz_claims_check(&c);
	} else
		FUZZ_CHECK(strncasecmp(h, "Bearer ", 7) != 0);
	free(h);
	return 0;
}

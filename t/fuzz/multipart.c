/*
 * multipart: form_parse_multipart.  The input is the Content-Type header
 * value, a newline, then the body, so the boundary parameter and the
 * framing are both explored; an input without a newline is a body under
 * a fixed Content-Type.
 */
#include "fuzz.h"

static const char fixed_ctype[] = "multipart/form-data; boundary=XyZ";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = fuzz_arena();
	const char *body = (const char *)data, *nl;
	char *ctype = NULL;
	size_t blen = size;
	struct form f;

	if ((nl = memchr(data, '\n', size)) != NULL) {
		ctype = fuzz_cstring(data, (size_t)(nl - body));
		body = nl + 1;
		blen = size - (size_t)(body - (const char *)data);
	}
	fuzz_form_check(&f, form_parse_multipart(a, ctype != NULL ? ctype :
	    fixed_ctype, body, blen, &f), blen);
	free(ctype);
	return 0;
}

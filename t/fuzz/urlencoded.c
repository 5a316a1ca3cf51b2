/*
 * urlencoded: form_parse_urlencoded, the parser of form bodies and query
 * strings.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = fuzz_arena();
	struct form f;

	fuzz_form_check(&f, form_parse_urlencoded(a, (const char *)data, size,
	    &f), size);
	return 0;
}

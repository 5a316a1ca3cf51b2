/*
 * json: json_parse_body, the intake of JSON request bodies.  It returns an
 * object with JSON_OK, or NULL with the reason; an accepted tree, printed
 * back by cJSON, is accepted again (the limits hold for what was parsed,
 * not only for how it was written).
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum json_err e = JSON_OK, e2 = JSON_MALFORMED;
	cJSON *root, *again;
	char *text;

	root = json_parse_body((const char *)data, size, JSON_MAX_DEPTH, &e);
	if (root == NULL) {
		FUZZ_CHECK(e != JSON_OK);
		FUZZ_CHECK(json_err_message(e) != NULL);
		return 0;
	}
	FUZZ_CHECK(e == JSON_OK && cJSON_IsObject(root));
	FUZZ_CHECK((text = cJSON_PrintUnformatted(root)) != NULL);
	again = json_parse_body(text, strlen(text), JSON_MAX_DEPTH, &e2);
	FUZZ_CHECK(again != NULL && e2 == JSON_OK);
	cJSON_Delete(again);
	cJSON_free(text);
	cJSON_Delete(root);
	return 0;
}

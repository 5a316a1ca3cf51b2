/*
 * fuzz.h: what every fuzz target shares.  A target is one function,
 * LLVMFuzzerTestOneInput, that feeds one input to one parser and checks
 * what the parser promises.  The same target is linked with libFuzzer by
 * `make fuzz` and with t/fuzz/replay.c by `make test`, which replays the
 * seed corpus in t/fuzz/corpus/<target>/.
 */
#ifndef QUILL_FUZZ_H
#define QUILL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/text.h"
#include "pure/form.h"
#include "pure/json.h"
#include "pure/token.h"

/* Feeds one input to the parser under test; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken promise is a crash, so libFuzzer saves the input and the replay
 * driver reports the file.
 */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: fuzz check failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated malloc'd copy of the input (parsers of C strings). */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The arena of the form and cursor targets, emptied for each input. */
static inline struct arena *
fuzz_arena(void)
{
	static struct arena *a;

	if (a == NULL)
		FUZZ_CHECK((a = arena_new()) != NULL);
	arena_reset(a);
	return a;
}

/*
 * What the form parsers promise about a parse of a size-byte input that
 * returned e: a failure leaves no fields; a success at most
 * FORM_MAX_FIELDS fields, each with a non-empty name, each name and value
 * NUL-terminated at its length (so free of NUL), UTF-8, and decoded to no
 * more bytes than the input had.
 */
static inline void
fuzz_form_check(const struct form *f, enum form_err e, size_t size)
{
	const struct form_field *fl;
	size_t i;

	if (e != FORM_OK) {
		FUZZ_CHECK(f->n == 0 && f->fields == NULL);
		return;
	}
	FUZZ_CHECK(f->n <= FORM_MAX_FIELDS);
	for (i = 0; i < f->n; i++) {
		fl = &f->fields[i];
		FUZZ_CHECK(fl->name_len > 0 && strlen(fl->name) == fl->name_len);
		FUZZ_CHECK(strlen(fl->value) == fl->value_len);
		FUZZ_CHECK(fl->name_len + fl->value_len <= size);
		FUZZ_CHECK(text_utf8_valid(fl->name, fl->name_len) &&
		    text_utf8_valid(fl->value, fl->value_len));
		FUZZ_CHECK(form_get(f, fl->name) != NULL);
	}
	(void)form_duplicate(f);
}

/* The time token targets verify at; seed tokens were issued for it. */
#define FUZZ_NOW	((time_t)1700000000)
#define FUZZ_ISSUER	"https://quill.example"
#define FUZZ_AUDIENCE	"quill-api"

/* The fixed signing key of the token seeds (not a secret anywhere). */
static const unsigned char fuzz_token_key[32] = "quill-fuzz-key-0123456789abcdef!";

/* Sets up lib/token with the fixed key, once. */
static inline void
fuzz_token_init(void)
{
	static int done;

	if (!done)
		FUZZ_CHECK(token_init(fuzz_token_key, sizeof(fuzz_token_key),
		    FUZZ_ISSUER, FUZZ_AUDIENCE, 900) == 0);
	done = 1;
}

/* What token_verify_access promises about the claims of a good token. */
static inline void
fuzz_claims_check(const struct token_claims *c)
{
	FUZZ_CHECK(c->sub > 0 && c->ver >= 1 && c->exp > FUZZ_NOW);
	FUZZ_CHECK(strcmp(c->role, "user") == 0 ||
	    strcmp(c->role, "moderator") == 0 || strcmp(c->role, "admin") == 0);
	FUZZ_CHECK(strlen(c->jti) == 32);
}

#endif

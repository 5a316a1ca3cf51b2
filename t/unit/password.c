/*
 * Unit tests for lib/base/password.c: Argon2id hashing and verification, rehash
 * detection, the length policy and the blocklist.  The cost is libsodium's
 * minimum so the run stays fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/password.h"
#include "tap.h"

#define OPS_MIN		crypto_pwhash_OPSLIMIT_MIN
#define MEM_MIN		crypto_pwhash_MEMLIMIT_MIN
#define PW		"correct horse battery staple"
#define E_ACUTE		"\xc3\xa9"
#define EMOJI		"\xf0\x9f\x90\x8d"

/* Stops the whole test run when a helper cannot do its job. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* Writes n copies of unit into out (outsz bytes), NUL-terminated. */
static const char *
repeat(char *out, size_t outsz, const char *unit, size_t n)
{
	size_t i, len = strlen(unit);

	if (n * len >= outsz)
		bail("repeat does not fit");
	for (i = 0; i < n; i++)
		memcpy(out + i * len, unit, len);
	out[n * len] = '\0';
	return out;
}

/* The policy verdict for the string pw, "ok" when acceptable. */
static const char *
policy(const char *pw)
{
	const char *r;

	r = password_policy(pw, strlen(pw));
	return r == NULL ? "ok" : r;
}

/* Writes text to a new temporary file whose name goes into path. */
static void
temp_file(char *path, size_t pathsz, const char *text)
{
	FILE *f;
	int fd;

	if ((size_t)snprintf(path, pathsz, "/tmp/quill-blocklist.XXXXXX") >=
	    pathsz || (fd = mkstemp(path)) == -1)
		bail("mkstemp");
	if ((f = fdopen(fd, "w")) == NULL)
		bail("fdopen");
	if (fputs(text, f) == EOF || fclose(f) == EOF)
		bail("cannot write the temporary file");
}

static void
test_init(void)
{
	char hash[PASSWORD_HASH_MAX];

	is_int(password_hash(PW, strlen(PW), hash), -1,
	    "hash before init fails");
	is_int(password_verify("$argon2id$x", PW, strlen(PW)), PASSWORD_ERROR,
	    "verify before init is an error");
	is_int(password_init(OPS_MIN, MEM_MIN - 1), -1,
	    "init rejects a memlimit under the minimum");
	is_int(password_init(crypto_pwhash_OPSLIMIT_MAX + 1ULL, MEM_MIN), -1,
	    "init rejects an opslimit over the maximum");
	is_int(password_init(OPS_MIN, MEM_MIN), 0,
	    "init with the minimum limits");
}

static void
test_hash(void)
{
	char hash[PASSWORD_HASH_MAX], hash2[PASSWORD_HASH_MAX];
	char stale[PASSWORD_HASH_MAX];

	is_int(password_hash(PW, strlen(PW), hash), 0, "hash succeeds");
	ok(strncmp(hash, "$argon2id$", 10) == 0, "hash is argon2id");
	is_int(password_hash(PW, strlen(PW), hash2), 0, "hash again");
	ok(strcmp(hash, hash2) != 0, "two hashes of one password differ (salt)");
	is_int(password_verify(hash, PW, strlen(PW)), PASSWORD_OK,
	    "right password: ok");
	is_int(password_verify(hash, "correct horse battery stapler", 29),
	    PASSWORD_MISMATCH, "wrong password: mismatch");
	is_int(password_verify(hash, PW, strlen(PW) - 1), PASSWORD_MISMATCH,
	    "password missing its last byte: mismatch");
	memcpy(stale, hash, sizeof(stale));

	is_int(password_init(OPS_MIN + 1, MEM_MIN), 0, "re-init, opslimit + 1");
	is_int(password_verify(stale, PW, strlen(PW)), PASSWORD_OK_REHASH,
	    "old hash after an opslimit change: ok_rehash");
	is_int(password_verify(stale, "wrong password!", 15),
	    PASSWORD_MISMATCH, "old hash, wrong password: mismatch");
	is_int(password_hash(PW, strlen(PW), hash), 0, "rehash");
	is_int(password_verify(hash, PW, strlen(PW)), PASSWORD_OK,
	    "new hash with current parameters: ok");

	is_int(password_init(OPS_MIN, MEM_MIN * 2), 0, "re-init, memlimit x 2");
	is_int(password_verify(stale, PW, strlen(PW)), PASSWORD_OK_REHASH,
	    "old hash after a memlimit change: ok_rehash");
	is_int(password_init(OPS_MIN, MEM_MIN), 0, "back to the minimum");
	is_int(password_verify(stale, PW, strlen(PW)), PASSWORD_OK,
	    "old hash with its own parameters: ok");
}

static void
test_bad_hashes(void)
{
	char hash[PASSWORD_HASH_MAX], argon2i[crypto_pwhash_STRBYTES];
	char longhash[PASSWORD_HASH_MAX + 16];

	is_int(password_hash(PW, strlen(PW), hash), 0, "hash for the checks");
	is_int(password_verify("$argon2id$garbage", PW, strlen(PW)),
	    PASSWORD_ERROR, "malformed argon2id hash: error");
	is_int(password_verify("", PW, strlen(PW)), PASSWORD_ERROR,
	    "empty hash: error");
	is_int(password_verify(NULL, PW, strlen(PW)), PASSWORD_ERROR,
	    "NULL hash: error");
	*strrchr(hash, '$') = '\0';
	is_int(password_verify(hash, PW, strlen(PW)), PASSWORD_ERROR,
	    "hash without its tag: error");
	is_int(password_verify("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7"
	    "KIUgO2t0jWMUW", PW, strlen(PW)), PASSWORD_ERROR,
	    "bcrypt hash: error");
	if (crypto_pwhash_str_alg(argon2i, PW, strlen(PW), 3, MEM_MIN,
	    crypto_pwhash_ALG_ARGON2I13) != 0)
		bail("cannot make an argon2i hash");
	ok(strncmp(argon2i, "$argon2i$", 9) == 0, "made an argon2i hash");
	is_int(password_verify(argon2i, PW, strlen(PW)), PASSWORD_ERROR,
	    "argon2i hash of the right password: error");
	memset(longhash, 'a', sizeof(longhash) - 1);
	memcpy(longhash, "$argon2id$", 10);
	longhash[sizeof(longhash) - 1] = '\0';
	is_int(password_verify(longhash, PW, strlen(PW)), PASSWORD_ERROR,
	    "hash longer than PASSWORD_HASH_MAX: error");
}

static void
test_policy(void)
{
	char buf[1024];

	is_str(policy(repeat(buf, sizeof(buf), "a", 11)), "too_short",
	    "11 characters: too_short");
	is_str(policy(repeat(buf, sizeof(buf), "a", 12)), "ok",
	    "12 characters: ok");
	is_str(policy(repeat(buf, sizeof(buf), "a", 128)), "ok",
	    "128 characters: ok");
	is_str(policy(repeat(buf, sizeof(buf), "a", 129)), "too_long",
	    "129 characters: too_long");
	is_str(policy(repeat(buf, sizeof(buf), E_ACUTE, 12)), "ok",
	    "12 x U+00E9 (24 bytes) counts as 12: ok");
	is_str(policy(repeat(buf, sizeof(buf), E_ACUTE, 11)), "too_short",
	    "11 x U+00E9 (22 bytes): too_short");
	is_str(policy(repeat(buf, sizeof(buf), EMOJI, 128)), "ok",
	    "128 four-byte characters (512 bytes): ok");
	is_str(policy(repeat(buf, sizeof(buf), EMOJI, 129)), "too_long",
	    "129 four-byte characters: too_long");
	is_str(policy(""), "too_short", "empty: too_short");
	is_str(policy("password1234"), "ok",
	    "no blocklist loaded: only the length counts");
	is_str(policy("aaaaaaaaaaaa"), "ok", "no composition rules");
}

static void
test_blocklist(void)
{
	char path[64], path2[64], buf[1024];

	temp_file(path, sizeof(path),
	    "# common passwords, one a line\n"
	    "\n"
	    "password1234\n"
	    "qwertyuiop123\r\n"
	    "# this line is a comment\n"
	    "LetMeInLetMeIn\n"
	    "PASSWORD1234\n"
	    "iloveyou12345");
	is_int(password_blocklist_load(path), 4,
	    "load counts 4 distinct entries (comments, blanks, repeats "
	    "left out)");
	is_str(policy("Password1234"), "too_common",
	    "entry in different case: too_common");
	is_str(policy("letmeinletmein"), "too_common",
	    "mixed-case entry matches lowercase input: too_common");
	is_str(policy("QWERTYUIOP123"), "too_common",
	    "entry from a CRLF line: too_common");
	is_str(policy("iloveyou12345"), "too_common",
	    "last line without a newline: too_common");
	is_str(policy("password12345"), "ok", "a non-entry: ok");
	is_str(policy("password1234 "), "ok",
	    "entry plus a space: ok (whole-string comparison)");
	is_str(policy("# this line is a comment"), "ok",
	    "a comment line is not an entry");
	is_str(policy(repeat(buf, sizeof(buf), "p", 129)), "too_long",
	    "length is checked before the blocklist");

	is_int(password_blocklist_load("/nonexistent/quill-blocklist"), -1,
	    "loading a missing file returns -1");
	is_str(policy("Password1234"), "too_common",
	    "a failed load keeps the previous list");

	temp_file(path2, sizeof(path2), "correcthorsebattery\n");
	is_int(password_blocklist_load(path2), 1, "load a second list");
	is_str(policy("CorrectHorseBattery"), "too_common",
	    "second list in force");
	is_str(policy("Password1234"), "ok", "first list replaced");
	password_shutdown();
	is_str(policy("CorrectHorseBattery"), "ok",
	    "password_shutdown frees the list");

	/* Opened at start-up, read on the first check: the file is gone
	 * from its directory by then (as a sandboxed process cannot open it
	 * again), and the open descriptor still reads it. */
	is_int(password_blocklist_open("/nonexistent/quill-blocklist"), -1,
	    "opening a missing file returns -1");
	is_int(password_blocklist_open(path2), 0, "open the second list");
	if (unlink(path2) == -1)
		bail("cannot remove the temporary file");
	is_str(policy("correcthorsebattery"), "too_common",
	    "the opened list is read on the first check");
	is_str(policy("CorrectHorseBattery"), "too_common",
	    "and kept for the next");
	is_int(password_blocklist_open(path), 0, "open the first list");
	is_str(policy("CorrectHorseBattery"), "ok",
	    "opening a list replaces the one read before");
	is_str(policy("LetMeInLetMeIn"), "too_common", "with its own entries");
	password_shutdown();
	is_int(password_blocklist_open(path), 0, "open it again");
	password_shutdown();
	is_str(policy("LetMeInLetMeIn"), "ok",
	    "password_shutdown closes a list not yet read");

	if (unlink(path) == -1)
		bail("cannot remove the temporary file");
}

/* A list of 1,000 entries in scrambled order, each found, with repeats. */
static void
test_blocklist_order(void)
{
	static char text[1000 * 24 + 64];
	char path[64], pw[32];
	size_t len = 0;
	unsigned i, k, missed = 0;

	for (i = 0; i < 1000; i++) {
		k = (i * 7919u) % 1000u;	/* a permutation of 0..999 */
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "Entry-%05u-pass\n", k);
	}
	(void)snprintf(text + len, sizeof(text) - len, "entry-00007-pass\n");
	temp_file(path, sizeof(path), text);
	is_int(password_blocklist_load(path), 1000,
	    "a list of 1,000 in no order loads, repeats counted once");
	for (i = 0; i < 1000; i++) {
		(void)snprintf(pw, sizeof(pw), "entry-%05u-pass", i);
		missed += policy(pw)[0] != 't';
	}
	is_int((long)missed, 0, "and every entry of it is found");
	is_str(policy("entry-01000-pass"), "ok", "and nothing else");
	password_shutdown();
	if (unlink(path) == -1)
		bail("cannot remove the temporary file");
}

int
main(void)
{
	test_init();
	test_hash();
	test_bad_hashes();
	test_policy();
	test_blocklist();
	test_blocklist_order();
	password_shutdown();
	return done_testing();
}

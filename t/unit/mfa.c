/*
 * Unit tests for lib/store/mfa.c against a real SQLite database in a
 * temporary directory, migrated by sql/: a TOTP key pending, replaced,
 * enabled and never replaced once enabled; steps that only move forward;
 * recovery codes spent once each and counted; challenges single use,
 * expiring and closed after wrong codes; two-factor sign-in ended whole;
 * and each session's last full sign-in.  Then the flows' calls: enrolment
 * with a key that only the server's key opens, confirmation, sign-in codes
 * computed here from the key as an app would, replays, recovery codes, and
 * the server's key changed under them.  Every call takes the time as an
 * argument.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "base/arena.h"
#include "base/base32.h"
#include "base/config.h"
#include "base/secret.h"
#include "store/db.h"
#include "store/mfa.h"
#include "store/session.h"
#include "store/user.h"
#include "pure/totp.h"
#include "tap.h"
#include "tmpdb.h"

#define T	((int64_t)1700000000)

static char dir[] = "/tmp/quill-mfa-XXXXXX";
static char path[sizeof(dir) + 16];
static sqlite3 *own;		/* the test's own connection, to count rows */
static int64_t ann, bob;

static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

static void
setup(void)
{
	char err[512];

	setenv("QUILL_LOG_LEVEL", "error", 1);
	unsetenv("QUILL_CONFIG");
	if (sodium_init() < 0)
		bail("sodium_init failed");
	if (config_load(err, sizeof(err)) == -1)
		bail(err);
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/q.db", dir);
	if (tmpdb_open(path, 1000, err, sizeof(err)) == -1)
		bail(err);
	if (sqlite3_open_v2(path, &own, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		bail("cannot open a second connection");
	if (user_insert("ann@example.com", 15, "Ann", 3, "x", ROLE_USER, T,
	    &ann) != ERR_NONE || user_insert("bob@example.com", 15, "Bob", 3,
	    "x", ROLE_USER, T, &bob) != ERR_NONE)
		bail("cannot add the users");
}

/* The number of rows sql (one count) finds. */
static int
rows(const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(own, sql, -1, &s, NULL) != SQLITE_OK)
		bail("cannot count rows");
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
test_totp(void)
{
	unsigned char a[MFA_SEALED_BYTES], b[MFA_SEALED_BYTES];
	struct mfa_totp t;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	is_int(mfa_totp_get(ann, &t), ERR_NOT_FOUND, "no key at first");
	is_int(mfa_totp_begin(ann, a, T), ERR_NONE, "a key is stored");
	ok(mfa_totp_get(ann, &t) == ERR_NONE && memcmp(t.sealed, a,
	    sizeof(a)) == 0 && t.enabled_at == 0 && t.last_step == -1 &&
	    t.created_at == T, "pending, no step used, as sealed");
	is_int(mfa_totp_begin(ann, b, T + 5), ERR_NONE,
	    "a pending key is replaced by a new enrolment");
	ok(mfa_totp_get(ann, &t) == ERR_NONE && memcmp(t.sealed, b,
	    sizeof(b)) == 0 && t.created_at == T + 5, "by the new one");
	is_int(mfa_totp_get(bob, &t), ERR_NOT_FOUND, "another user has none");
	is_int(mfa_totp_use(ann, 100), ERR_CONFLICT,
	    "a pending key takes no code for sign-in");
	is_int(mfa_totp_enable(ann, 100, T + 10), ERR_NONE,
	    "the first code enables it");
	ok(mfa_totp_get(ann, &t) == ERR_NONE && t.enabled_at == T + 10 &&
	    t.last_step == 100, "enabled, with the step of that code used");
	is_int(mfa_totp_enable(ann, 101, T + 11), ERR_CONFLICT,
	    "an enabled key is not enabled again");
	is_int(mfa_totp_begin(ann, a, T + 12), ERR_CONFLICT,
	    "nor replaced by a new enrolment");
	ok(mfa_totp_get(ann, &t) == ERR_NONE && memcmp(t.sealed, b,
	    sizeof(b)) == 0 && t.enabled_at == T + 10,
	    "which leaves it as it was");
	is_int(mfa_totp_use(ann, 100), ERR_CONFLICT,
	    "the step that enabled it is used up");
	is_int(mfa_totp_use(ann, 99), ERR_CONFLICT, "and so is an older one");
	is_int(mfa_totp_use(ann, 101), ERR_NONE, "a later step is taken");
	is_int(mfa_totp_use(ann, 101), ERR_CONFLICT, "once");
	ok(mfa_totp_get(ann, &t) == ERR_NONE && t.last_step == 101,
	    "and becomes the last step");
	is_int(mfa_totp_begin(bob, a, T), ERR_NONE, "bob enrols");
	is_int(mfa_totp_enable(bob, 5, T), ERR_NONE, "and confirms");
	is_int(mfa_totp_enable(ann, 5, T), ERR_CONFLICT,
	    "ann's key is not bob's");
}

static void
test_recovery(void)
{
	unsigned char h[MFA_RECOVERY_CODES][SECRET_HASH_BYTES];
	unsigned char h2[MFA_RECOVERY_CODES][SECRET_HASH_BYTES];
	int64_t n = -1;
	size_t i;

	for (i = 0; i < MFA_RECOVERY_CODES; i++) {
		memset(h[i], (int)i + 1, SECRET_HASH_BYTES);
		memset(h2[i], (int)i + 101, SECRET_HASH_BYTES);
	}
	ok(mfa_recovery_left(ann, &n) == ERR_NONE && n == 0,
	    "no recovery codes at first");
	is_int(mfa_recovery_set(ann, h, MFA_RECOVERY_CODES, T), ERR_NONE,
	    "ten codes are stored");
	ok(mfa_recovery_left(ann, &n) == ERR_NONE && n == 10, "ten are left");
	is_int(mfa_recovery_use(ann, h[3], T + 1), ERR_NONE, "one is spent");
	ok(mfa_recovery_left(ann, &n) == ERR_NONE && n == 9, "nine are left");
	is_int(mfa_recovery_use(ann, h[3], T + 2), ERR_NOT_FOUND,
	    "a spent code is not taken again");
	is_int(mfa_recovery_use(bob, h[4], T + 2), ERR_NOT_FOUND,
	    "ann's codes are not bob's");
	is_int(mfa_recovery_use(ann, h2[0], T + 2), ERR_NOT_FOUND,
	    "a code never issued is not taken");
	ok(mfa_recovery_left(bob, &n) == ERR_NONE && n == 0,
	    "bob has none");
	is_int(mfa_recovery_set(ann, h2, MFA_RECOVERY_CODES, T + 3), ERR_NONE,
	    "new codes replace the old");
	is_int(mfa_recovery_use(ann, h[0], T + 4), ERR_NOT_FOUND,
	    "an old code is no longer taken");
	ok(mfa_recovery_left(ann, &n) == ERR_NONE && n == 10,
	    "and ten new ones are left");
	is_int(rows("SELECT count(*) FROM recovery_codes"), 10,
	    "the old ones are gone from the table");
}

static void
test_challenge(void)
{
	struct mfa_challenge c;
	struct secret s, s2;

	is_int(mfa_challenge_issue(ann, SESSION_COOKIE, T, 300, &s), ERR_NONE,
	    "a challenge is issued");
	memset(&c, 0, sizeof(c));
	ok(mfa_challenge_find(s.text, strlen(s.text), T + 1, 5, &c) ==
	    ERR_NONE && c.user_id == ann && c.kind == SESSION_COOKIE &&
	    c.attempts == 0, "and found, for ann, for a cookie session");
	is_int(rows("SELECT count(*) FROM mfa_challenges WHERE hash = "
	    "user_id"), 0, "only its hash is kept (no row holds its text)");
	is_int(mfa_challenge_find("nonsense", 8, T, 5, &c), ERR_NOT_FOUND,
	    "a text that cannot be one is not found");
	is_int(mfa_challenge_fail(s.text, strlen(s.text)), ERR_NONE,
	    "a wrong code counts");
	is_int(mfa_challenge_fail(s.text, strlen(s.text)), ERR_NONE,
	    "another");
	ok(mfa_challenge_find(s.text, strlen(s.text), T + 1, 5, &c) ==
	    ERR_NONE && c.attempts == 2, "two wrong codes are counted");
	is_int(mfa_challenge_find(s.text, strlen(s.text), T + 1, 2, &c),
	    ERR_NOT_FOUND, "at the limit of wrong codes it is closed");
	is_int(mfa_challenge_use(s.text, strlen(s.text), T + 1, 2, &c),
	    ERR_NOT_FOUND, "and cannot be spent");
	is_int(mfa_challenge_find(s.text, strlen(s.text), T + 300, 5, &c),
	    ERR_NOT_FOUND, "it expires after its time");
	is_int(mfa_challenge_use(s.text, strlen(s.text), T + 300, 5, &c),
	    ERR_NOT_FOUND, "and cannot be spent then");
	memset(&c, 0, sizeof(c));
	ok(mfa_challenge_use(s.text, strlen(s.text), T + 299, 5, &c) ==
	    ERR_NONE && c.user_id == ann && c.kind == SESSION_COOKIE,
	    "before then it is spent, for ann's cookie session");
	is_int(mfa_challenge_use(s.text, strlen(s.text), T + 299, 5, &c),
	    ERR_NOT_FOUND, "once");
	is_int(mfa_challenge_find(s.text, strlen(s.text), T + 299, 5, &c),
	    ERR_NOT_FOUND, "and is not found again");
	is_int(mfa_challenge_issue(bob, SESSION_TOKEN, T, 300, &s2), ERR_NONE,
	    "bob gets one for an API login");
	ok(mfa_challenge_find(s2.text, strlen(s2.text), T, 5, &c) ==
	    ERR_NONE && c.user_id == bob && c.kind == SESSION_TOKEN,
	    "which is his, for a token session");
	{
		struct db_stmt *st = db_prepare(STMT_PURGE_CHALLENGES);

		db_bind_int(st, 1, T + 10);
		is_int(db_done(st, "test"), ERR_NONE, "purge runs");
	}
	is_int(rows("SELECT count(*) FROM mfa_challenges"), 1,
	    "purge takes the spent challenge and leaves the live one");
}

static void
test_disable(void)
{
	struct mfa_totp t;
	struct mfa_challenge c;
	struct secret s;
	struct arena *a;
	int64_t n = -1;

	is_int(mfa_challenge_issue(ann, SESSION_TOKEN, T, 300, &s), ERR_NONE,
	    "ann has a challenge open");
	is_int(mfa_disable(ann), ERR_NONE, "two-factor sign-in is ended");
	is_int(mfa_totp_get(ann, &t), ERR_NOT_FOUND, "the key is gone");
	ok(mfa_recovery_left(ann, &n) == ERR_NONE && n == 0,
	    "so are the recovery codes");
	is_int(mfa_challenge_find(s.text, strlen(s.text), T, 5, &c),
	    ERR_NOT_FOUND, "and the open challenge");
	is_int(mfa_totp_get(bob, &t), ERR_NONE, "bob's key stays");
	if ((a = arena_new()) == NULL)
		bail("arena_new failed");
	is_int(user_delete(a, bob, T), ERR_NONE, "bob's account is deleted");
	arena_free(a);
	is_int(rows("SELECT count(*) FROM user_totp"), 0,
	    "and his key with it");
	is_int(rows("SELECT count(*) FROM mfa_challenges"), 0,
	    "and his challenge");
}

static void
test_signin(void)
{
	unsigned char first[SECRET_HASH_BYTES];
	int64_t sid = 0, at = 0;

	memset(first, 7, sizeof(first));
	if (session_create(ann, "ua", "192.0.2.1", first, T, &sid) != ERR_NONE)
		bail("cannot open a session");
	ok(mfa_signin_get(sid, ann, &at) == ERR_NONE && at == T,
	    "a session signed in when it opened");
	is_int(mfa_signin_mark(sid, ann, T + 600), ERR_NONE,
	    "a confirmation is recorded");
	ok(mfa_signin_get(sid, ann, &at) == ERR_NONE && at == T + 600,
	    "and is the last sign-in");
	is_int(mfa_signin_mark(sid, ann, T + 650), ERR_NONE,
	    "a second confirmation is recorded");
	ok(mfa_signin_get(sid, ann, &at) == ERR_NONE && at == T + 650,
	    "in place of the first");
	is_int(mfa_signin_get(sid, ann + 1000, &at), ERR_NOT_FOUND,
	    "another user's session is not found");
	is_int(mfa_signin_mark(sid, ann + 1000, T + 700), ERR_NOT_FOUND,
	    "nor marked");
	is_int(session_revoke(sid, ann, T + 800, "logout"), ERR_NONE,
	    "the session ends");
	is_int(mfa_signin_mark(sid, ann, T + 900), ERR_NOT_FOUND,
	    "an ended session is not marked");
}

/*
 * The package's upgrade check applies the newest migration a second time:
 * it must run again without failing.
 */
static void
test_migration_again(void)
{
	const struct migration *m = &db_migrations[db_migrations_n - 1];
	sqlite3 *rw;
	char *msg = NULL;
	int rc;

	if (sqlite3_open_v2(path, &rw, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		bail("cannot open a writing connection");
	sqlite3_busy_timeout(rw, 5000);
	rc = sqlite3_exec(rw, m->sql, NULL, NULL, &msg);
	if (!ok(rc == SQLITE_OK, "migration %s runs a second time", m->name))
		diag("%s", msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(rw);
}

/* The code an app shows for key at t. */
static char *
app_code(const unsigned char *key, int64_t t)
{
	static char out[8];

	snprintf(out, sizeof(out), "%06u", (unsigned)totp_hotp(key,
	    TOTP_SECRET_BYTES, (uint64_t)totp_step(t), TOTP_DIGITS));
	return out;
}

static void
test_flows(void)
{
	static const unsigned char key1[32] = "the server's key, 32 bytes long";
	static const unsigned char key2[32] = "another server key, 32 bytes!!!";
	struct secret_recovery codes[MFA_RECOVERY_CODES], again[MFA_RECOVERY_CODES];
	char secret[TOTP_SECRET_TEXT], shown[TOTP_SECRET_TEXT], up[16];
	unsigned char key[TOTP_SECRET_BYTES];
	enum mfa_verdict v;
	int64_t carol, n, t = T + 100000;
	int recovery, distinct = 1;
	size_t i, j;

	memcpy(config.key, key1, sizeof(key1));
	config.key_len = sizeof(key1);
	if (user_insert("carol@example.com", 17, "Carol", 5, "x", ROLE_USER,
	    T, &carol) != ERR_NONE)
		bail("cannot add carol");
	ok(mfa_check(carol, "123456", 6, t, &v, &recovery) == ERR_NONE &&
	    v == MFA_NOT_ENROLLED, "without a key there is no second factor");
	is_int(mfa_enrol(carol, t, secret), ERR_NONE, "carol enrols");
	ok(strlen(secret) == 32 && base32_decode(secret, 32, key,
	    sizeof(key)) == TOTP_SECRET_BYTES,
	    "her key is 160 bits as 32 characters of base32");
	ok(mfa_pending(carol, shown) == ERR_NONE && strcmp(shown, secret) ==
	    0, "the pending key can be shown again");
	{
		char q[128];

		snprintf(q, sizeof(q), "SELECT count(*) FROM user_totp WHERE "
		    "user_id = %lld AND instr(secret, x'%02x%02x%02x%02x%02x"
		    "%02x') > 0", (long long)carol, key[0], key[1], key[2],
		    key[3], key[4], key[5]);
		is_int(rows(q), 0, "the table does not hold the key");
	}
	ok(mfa_check(carol, app_code(key, t), 6, t, &v, &recovery) ==
	    ERR_NONE && v == MFA_NOT_ENROLLED,
	    "a pending key does not sign in");
	ok(mfa_confirm(carol, "000000", 6, t, &v, codes) == ERR_NONE &&
	    v == MFA_WRONG, "a wrong code does not confirm it");
	ok(mfa_confirm(carol, "recovery", 8, t, &v, codes) == ERR_NONE &&
	    v == MFA_WRONG, "nor does text that is no code");
	ok(mfa_confirm(carol, app_code(key, t), 6, t, &v, codes) ==
	    ERR_NONE && v == MFA_ACCEPTED, "the app's code confirms it");
	for (i = 0; i < MFA_RECOVERY_CODES; i++)
		for (j = i + 1; j < MFA_RECOVERY_CODES; j++)
			distinct &= strcmp(codes[i].text, codes[j].text) != 0;
	ok(distinct && strlen(codes[0].text) == 14,
	    "with ten distinct recovery codes");
	ok(mfa_recovery_left(carol, &n) == ERR_NONE && n == 10,
	    "all ten stored");
	ok(mfa_confirm(carol, app_code(key, t + 30), 6, t + 30, &v, codes) ==
	    ERR_NONE && v == MFA_NOT_ENROLLED, "an enabled key is not "
	    "confirmed again");
	is_int(mfa_enrol(carol, t, secret), ERR_CONFLICT,
	    "nor replaced by enrolling again");
	is_int(mfa_pending(carol, shown), ERR_NOT_FOUND,
	    "nor shown again once enabled");

	ok(mfa_check(carol, app_code(key, t), 6, t + 5, &v, &recovery) ==
	    ERR_NONE && v == MFA_REPLAYED,
	    "the code that confirmed it does not sign in: a replay");
	ok(mfa_check(carol, app_code(key, t + 30), 7, t + 30, &v,
	    &recovery) == ERR_NONE && v == MFA_WRONG,
	    "a code with a stray byte is wrong");
	ok(mfa_check(carol, app_code(key, t + 30), 6, t + 30, &v,
	    &recovery) == ERR_NONE && v == MFA_ACCEPTED && !recovery,
	    "the next step's code signs in");
	ok(mfa_check(carol, app_code(key, t + 30), 6, t + 30, &v,
	    &recovery) == ERR_NONE && v == MFA_REPLAYED, "once");
	ok(mfa_check(carol, app_code(key, t + 90), 6, t + 150, &v,
	    &recovery) == ERR_NONE && v == MFA_WRONG,
	    "a code two steps behind the clock is wrong");
	ok(mfa_check(carol, app_code(key, t + 210), 6, t + 150, &v,
	    &recovery) == ERR_NONE && v == MFA_WRONG,
	    "so is one two steps ahead");
	ok(mfa_check(carol, app_code(key, t + 180), 6, t + 150, &v,
	    &recovery) == ERR_NONE && v == MFA_ACCEPTED,
	    "one step ahead is taken");

	ok(mfa_check(carol, codes[0].text, strlen(codes[0].text), t + 200,
	    &v, &recovery) == ERR_NONE && v == MFA_ACCEPTED && recovery,
	    "a recovery code signs in");
	ok(mfa_check(carol, codes[0].text, strlen(codes[0].text), t + 200,
	    &v, &recovery) == ERR_NONE && v == MFA_WRONG, "once");
	for (i = j = 0; codes[1].text[i] != '\0'; i++)
		if (codes[1].text[i] != '-')
			up[j++] = (char)(codes[1].text[i] >= 'a' ?
			    codes[1].text[i] - 32 : codes[1].text[i]);
	up[j] = '\0';
	ok(mfa_check(carol, up, strlen(up), t + 200, &v, &recovery) ==
	    ERR_NONE && v == MFA_ACCEPTED, "typed in capitals without dashes "
	    "too");
	ok(mfa_recovery_left(carol, &n) == ERR_NONE && n == 8,
	    "eight are left");
	ok(mfa_check(ann, codes[2].text, strlen(codes[2].text), t + 200, &v,
	    &recovery) == ERR_NONE && v == MFA_NOT_ENROLLED,
	    "carol's codes are nothing to ann");
	is_int(mfa_recovery_issue(carol, t + 300, again), ERR_NONE,
	    "new recovery codes are issued");
	ok(mfa_check(carol, codes[2].text, strlen(codes[2].text), t + 300,
	    &v, &recovery) == ERR_NONE && v == MFA_WRONG,
	    "the old unused ones no longer sign in");
	ok(mfa_recovery_left(carol, &n) == ERR_NONE && n == 10,
	    "ten new ones are left");

	/* A key sealed for carol does not open for ann, nor under another
	 * server key. */
	memcpy(config.key, key2, sizeof(key2));
	is_int(mfa_check(carol, app_code(key, t + 600), 6, t + 600, &v,
	    &recovery), ERR_INTERNAL,
	    "under another server key the key does not open");
	memcpy(config.key, key1, sizeof(key1));
	{
		sqlite3 *rw;
		char q[256];

		if (sqlite3_open_v2(path, &rw, SQLITE_OPEN_READWRITE, NULL) !=
		    SQLITE_OK)
			bail("cannot open a writing connection");
		sqlite3_busy_timeout(rw, 5000);
		snprintf(q, sizeof(q), "INSERT INTO user_totp (user_id, "
		    "secret, created_at, enabled_at) SELECT %lld, secret, "
		    "created_at, enabled_at FROM user_totp WHERE user_id = %lld",
		    (long long)ann, (long long)carol);
		ok(sqlite3_exec(rw, q, NULL, NULL, NULL) == SQLITE_OK,
		    "carol's sealed key is copied to ann's row");
		sqlite3_close(rw);
	}
	is_int(mfa_check(ann, app_code(key, t + 600), 6, t + 600, &v,
	    &recovery), ERR_INTERNAL, "where it does not open");
	ok(mfa_check(carol, app_code(key, t + 600), 6, t + 600, &v,
	    &recovery) == ERR_NONE && v == MFA_ACCEPTED,
	    "while carol's own still does");
}

int
main(void)
{
	setup();
	test_migration_again();
	test_totp();
	test_recovery();
	test_challenge();
	test_signin();
	test_disable();
	test_flows();
	sqlite3_close(own);
	db_close();
	tmpdb_remove(dir, path);
	return done_testing();
}

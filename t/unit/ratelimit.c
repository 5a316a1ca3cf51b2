/*
 * Unit tests for lib/store/ratelimit.c against a real SQLite database in a
 * temporary directory.  Every call takes the time as an argument, so
 * windows and back-offs are walked through second by second, without
 * waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/config.h"
#include "store/db.h"
#include "base/log.h"
#include "store/ratelimit.h"
#include "tap.h"
#include "tmpdb.h"

#define T	((int64_t)1700000000)
#define IP	"192.0.2.1"
#define EMAIL	"user@example.com"

static char dir[] = "/tmp/quill-ratelimit-XXXXXX";
static char path[sizeof(dir) + 16];
static sqlite3 *own;		/* the test's own connection, to count rows */
static struct ratelimit_verdict v;

/* Stops the whole test run when the fixture cannot be set up. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* A fresh verdict: no refusal. */
static struct ratelimit_verdict *
fresh(void)
{
	memset(&v, 0, sizeof(v));
	return &v;
}

/* Configuration from the environment, a migrated database in dir. */
static void
setup(void)
{
	char err[512];

	setenv("QUILL_LOG_LEVEL", "error", 1);
	setenv("QUILL_RATE_LOGIN", "2/10", 1);
	setenv("QUILL_RATE_REGISTER", "0/60", 1);
	setenv("QUILL_RATE_WRITE", "3/60", 1);
	setenv("QUILL_LOGIN_FAILURES", "3", 1);
	setenv("QUILL_LOGIN_BACKOFF", "10", 1);
	setenv("QUILL_LOGIN_BACKOFF_MAX", "35", 1);
	setenv("QUILL_LOGIN_FAILURE_WINDOW", "100", 1);
	unsetenv("QUILL_CONFIG");
	if (config_load(err, sizeof(err)) == -1)
		bail(err);
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/q.db", dir);
	if (db_open(path, 1, 1000, err, sizeof(err)) == -1 ||
	    db_migrate(err, sizeof(err)) == -1 ||
	    db_prepare_all(err, sizeof(err)) == -1)
		bail(err);
	if (sqlite3_open_v2(path, &own, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		bail("cannot open a second connection");
}

static void
teardown(void)
{
	sqlite3_close(own);
	db_close();
	tmpdb_remove(dir, path);
}

/* The number of rows of bucket in rate_limits. */
static int
rows(const char *bucket)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(own, "SELECT count(*) FROM rate_limits "
	    "WHERE bucket = ?", -1, &s, NULL) != SQLITE_OK)
		bail("cannot count rows");
	sqlite3_bind_text(s, 1, bucket, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
test_window(void)
{
	is_int(ratelimit_check(RL_LOGIN, IP, T, fresh()), ERR_NONE,
	    "a key never seen may go ahead");
	is_int(ratelimit_hit(RL_LOGIN, IP, T, fresh()), ERR_NONE, "hit 1 of 2");
	is_int(ratelimit_hit(RL_LOGIN, IP, T, fresh()), ERR_NONE, "hit 2 of 2");
	is_int(ratelimit_check(RL_LOGIN, IP, T + 1, fresh()), ERR_RATE_LIMITED,
	    "check: the limit is reached");
	is_int(ratelimit_hit(RL_LOGIN, IP, T + 1, fresh()), ERR_RATE_LIMITED,
	    "hit 3 is over the limit");
	is_int(v.reset, 9, "the verdict: the window started at the first hit "
	    "and ends 9 s later");
	is_int(v.limit, 2, "the verdict names the limit, 2");
	is_int(v.bucket, RL_LOGIN, "and the bucket");
	is_int(ratelimit_check(RL_LOGIN, IP, T + 9, fresh()), ERR_RATE_LIMITED,
	    "still limited in the window's last second");
	is_int(ratelimit_check(RL_LOGIN, IP, T + 10, fresh()), ERR_NONE,
	    "free once the window is over");
	is_int(ratelimit_check(RL_LOGIN, "192.0.2.2", T + 1, fresh()), ERR_NONE,
	    "another key has its own window");
	is_int(ratelimit_hit(RL_LOGIN, IP, T + 15, fresh()), ERR_NONE,
	    "a hit after the window starts a new one");
	is_int(ratelimit_hit(RL_LOGIN, IP, T + 16, fresh()), ERR_NONE,
	    "second hit of the new window");
	is_int(ratelimit_hit(RL_LOGIN, IP, T + 17, fresh()), ERR_RATE_LIMITED,
	    "third is over");
	is_int(v.reset, 8, "the new window runs from its first hit");
	is_int(ratelimit_check(RL_REFRESH, IP, T + 17, fresh()), ERR_NONE,
	    "buckets are separate");
}

static void
test_check_counts_nothing(void)
{
	int i, over = 0;

	for (i = 0; i < 5; i++)
		ratelimit_check(RL_LOGIN, "198.51.100.1", T, fresh());
	is_int(ratelimit_hit(RL_LOGIN, "198.51.100.1", T, fresh()), ERR_NONE,
	    "checks do not count: first hit passes");
	is_int(ratelimit_hit(RL_LOGIN, "198.51.100.1", T, fresh()), ERR_NONE,
	    "second hit passes");
	is_int(ratelimit_count(RL_LOGIN, "198.51.100.1", T, fresh(), &over),
	    ERR_NONE, "a silent count succeeds");
	ok(over, "and says the third is over");
	ok(v.bucket == RL_LOGIN && v.limit == 2 && v.reset == 10,
	    "with the verdict, for the log");
	is_int(ratelimit_count(RL_LOGIN, "198.51.100.9", T, fresh(), &over),
	    ERR_NONE, "a silent count under the limit");
	ok(!over && v.limit == 0, "is not over and fills no verdict");
}

static void
test_off_and_write(void)
{
	int i, e = ERR_NONE;

	for (i = 0; i < 100 && e == ERR_NONE; i++)
		e = ratelimit_hit(RL_REGISTER, IP, T, fresh());
	is_int(e, ERR_NONE, "a limit of 0 never refuses");
	is_int(rows("register"), 0, "and keeps no counter");
	for (i = 0; i < 3; i++)
		is_int(ratelimit_hit(RL_WRITE, "7", T, fresh()), ERR_NONE,
		    "write %d of 3", i + 1);
	is_int(ratelimit_hit(RL_WRITE, "7", T, fresh()), ERR_RATE_LIMITED,
	    "the fourth write is over QUILL_RATE_WRITE");
	ok(v.bucket == RL_WRITE && v.limit == 3, "the verdict: write, 3");
	is_int(ratelimit_hit(RL_WRITE, "8", T, fresh()), ERR_NONE,
	    "another user writes on");
	is_int(rows("write"), 2, "one counter per user");
}

/* Whether EMAIL is locked at t; the retry, if so, in *retry. */
static int
locked(const char *email, int64_t t, long *retry)
{
	int e = ratelimit_login_check(email, strlen(email), t, fresh());

	*retry = (long)v.reset;
	return e == ERR_RATE_LIMITED;
}

/* Records a failed login of EMAIL at t. */
static void
fail_at(int64_t t)
{
	if (ratelimit_login_failed(EMAIL, strlen(EMAIL), t) != ERR_NONE)
		bail("cannot record a failure");
}

static void
test_backoff(void)
{
	long retry;

	fail_at(T);
	fail_at(T + 1);
	ok(!locked(EMAIL, T + 2, &retry), "two failures: not locked");
	fail_at(T + 2);
	ok(locked(EMAIL, T + 2, &retry), "the third failure locks");
	is_int(retry, 10, "for QUILL_LOGIN_BACKOFF seconds");
	ok(v.bucket == RL_LOGIN_ACCOUNT && v.limit == 3,
	    "the verdict's limit is the number of failures allowed");
	ok(locked("USER@Example.COM", T + 3, &retry),
	    "the email is compared without regard to case");
	ok(!locked(EMAIL, T + 12, &retry), "the lock ends");
	fail_at(T + 12);
	ok(locked(EMAIL, T + 12, &retry), "the fourth failure locks again");
	is_int(retry, 20, "for twice as long");
	fail_at(T + 32);
	locked(EMAIL, T + 32, &retry);
	is_int(retry, 35, "and then up to QUILL_LOGIN_BACKOFF_MAX");
	fail_at(T + 67);
	locked(EMAIL, T + 67, &retry);
	is_int(retry, 35, "and no further");
	ok(!locked("other@example.com", T + 67, &retry),
	    "other accounts are not locked");
	if (ratelimit_login_passed(EMAIL, strlen(EMAIL)) != ERR_NONE)
		bail("cannot clear");
	ok(!locked(EMAIL, T + 67, &retry), "a successful login clears it");
	fail_at(T + 70);
	ok(!locked(EMAIL, T + 70, &retry), "and the count starts again");
	fail_at(T + 71);
	fail_at(T + 72);
	ok(locked(EMAIL, T + 72, &retry), "three new failures lock");
	fail_at(T + 72 + 101);
	ok(!locked(EMAIL, T + 72 + 101, &retry),
	    "failures older than QUILL_LOGIN_FAILURE_WINDOW are forgiven");
}

int
main(void)
{
	setup();
	test_window();
	test_check_counts_nothing();
	test_off_and_write();
	test_backoff();
	teardown();
	return done_testing();
}

/*
 * Unit tests for the store's engine interface, lib/store/db.h, as
 * lib/store/db_sqlite.c implements it, on a real SQLite database in a
 * temporary directory: a run from db_prepare to db_finish, binds that fail
 * and are reported once, duplicate keys announced or not, NULL columns,
 * reads without a row, rollback, the lock wait and the deadline, runs
 * left unfinished, and the checkpoint a commit leaves to db_idle.
 *
 * The log goes to a file, so that what is and is not logged is checked.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "store/db.h"
#include "tap.h"
#include "tmpdb.h"

#define T	((int64_t)1700000000)

/* Users inserted for the deadline: enough rows for a count to take many
 * thousands of the engine's steps. */
#define MANY	3000

static char dir[] = "/tmp/quill-db-XXXXXX";
static char path[sizeof(dir) + 16];
static char logpath[sizeof(dir) + 16];
static long logpos;

/* Stops the whole test run when the fixture cannot be set up. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* What was logged since the last call, in dst. */
static const char *
new_log(char *dst, size_t n)
{
	FILE *f;
	size_t got = 0;

	if ((f = fopen(logpath, "r")) != NULL) {
		if (fseek(f, logpos, SEEK_SET) == 0)
			got = fread(dst, 1, n - 1, f);
		logpos += (long)got;
		fclose(f);
	}
	dst[got] = '\0';
	return dst;
}

/* The database opened with a lock wait of busy_ms (migrated when new). */
static void
open_db(int busy_ms)
{
	char err[256];

	if (tmpdb_open(path, busy_ms, err, sizeof(err)) == -1)
		bail(err);
}

/* How many times needle occurs in s. */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Inserts a user with email; the run's result, its id in *id. */
static enum err
user_add(const char *email, int dup_ok, int64_t *id)
{
	struct db_stmt *st = db_prepare(STMT_USER_INSERT);
	enum err e;

	if (dup_ok)
		db_on_duplicate(st);
	db_bind_str(st, 1, email);
	db_bind_str(st, 2, "Name");
	db_bind_str(st, 3, "hash");
	db_bind_str(st, 4, "user");
	db_bind_int(st, 5, T);
	db_bind_int(st, 6, T);
	if ((e = db_done(st, "test_insert")) == ERR_NONE && id != NULL)
		*id = db_last_id();
	return e;
}

/* How many users have role (NULL: any); -1 when the count failed. */
static int64_t
users(const char *role)
{
	struct db_stmt *st = db_prepare(STMT_USER_COUNT);
	int64_t n = -1;

	db_bind_str(st, 1, role);
	if (db_next(st))
		n = db_int(st, 0);
	return db_finish(st, "test_count") == ERR_NONE ? n : -1;
}

/* A run, its columns, a copy and text in place, and db_done. */
static void
test_run(struct arena *a)
{
	struct db_stmt *st;
	const char *email;
	char log[4096];
	int64_t id = 0;

	is_int(user_add("a@example.com", 0, &id), ERR_NONE, "a user is inserted");
	ok(id > 0, "db_last_id is its id");
	is_int(db_changes(), 1, "db_changes counts one row");

	st = db_prepare(STMT_USER_BY_ID);
	db_bind_int(st, 1, id);
	ok(db_next(st), "it reads back");
	is_int(db_int(st, 0), id, "db_int reads the id");
	email = db_text(st, a, 1);
	is_str(db_text_view(st, 4), "user", "db_text_view reads in place");
	ok(!db_next(st), "one row only");
	ok(!db_next(st), "and db_next stays 0 after the end");
	is_int(db_finish(st, "test_get"), ERR_NONE, "the run finishes");
	is_str(email, "a@example.com", "db_text's copy outlives the run");

	is_int(users(NULL), 1, "an unbound, or NULL, parameter is NULL");
	is_int(users("admin"), 0, "a bound one filters");
	is_int(db_done(db_prepare(STMT_PING), "test_ping"), ERR_NONE,
	    "db_done drops the rows of a statement that has them");
	is_str(new_log(log, sizeof(log)), "", "nothing of this was logged");
}

/* Binds that fail, reads without a row: reported once, by db_finish. */
static void
test_failures(struct arena *a)
{
	struct db_stmt *st;
	char log[4096];

	st = db_prepare(STMT_USER_BY_ID);
	db_bind_int(st, 7, 1);
	db_bind_int(st, 1, 1);
	ok(!db_next(st), "a bind out of range: no row");
	is_int(db_finish(st, "test_range"), ERR_INTERNAL,
	    "but ERR_INTERNAL from db_finish");
	new_log(log, sizeof(log));
	ok(strstr(log, "\"where\":\"test_range\"") != NULL,
	    "logged with where");
	is_int(count(log, "\"event\":\"db_error\""), 1, "once");

	st = db_prepare(STMT_USER_INSERT);
	db_bind_text(st, 1, "b@example.com", (size_t)INT_MAX + 1);
	db_bind_str(st, 2, "Name");
	db_bind_str(st, 3, "hash");
	db_bind_str(st, 4, "user");
	db_bind_int(st, 5, T);
	db_bind_int(st, 6, T);
	is_int(db_done(st, "test_toobig"), ERR_INTERNAL,
	    "a text longer than the engine takes fails the run");
	is_int(users(NULL), 1, "and writes nothing");
	ok(strstr(new_log(log, sizeof(log)), "\"where\":\"test_toobig\"") !=
	    NULL, "logged");

	st = db_prepare(STMT_USER_BY_ID);
	db_bind_int(st, 1, 999999);
	ok(!db_next(st), "no such user");
	is_int(db_int(st, 0), 0, "db_int without a row is 0");
	is_str(db_text_view(st, 1), "", "db_text_view is \"\"");
	ok(db_text(st, a, 1) == NULL, "db_text is NULL");
	is_int(db_finish(st, "test_norow"), ERR_INTERNAL,
	    "and the run fails: a read without a row is a bug");
	new_log(log, sizeof(log));

	st = db_prepare(STMT_USER_BY_ID);
	db_bind_int(st, 1, 999999);
	ok(!db_next(st), "the statement runs again");
	is_int(db_finish(st, "test_again"), ERR_NONE,
	    "with nothing remembered of the last run");
	is_str(new_log(log, sizeof(log)), "", "and nothing logged");
}

/* Announced duplicates are answers; others are faults. */
static void
test_duplicates(void)
{
	char log[4096];

	is_int(user_add("a@example.com", 1, NULL), ERR_CONFLICT,
	    "an announced duplicate email is ERR_CONFLICT");
	is_str(new_log(log, sizeof(log)), "", "and not logged");
	is_int(user_add("a@example.com", 0, NULL), ERR_INTERNAL,
	    "an unannounced one is ERR_INTERNAL");
	ok(strstr(db_errmsg(), "UNIQUE") != NULL,
	    "db_errmsg names the cause: %s", db_errmsg());
	ok(strstr(new_log(log, sizeof(log)), "\"where\":\"test_insert\"") !=
	    NULL, "and logged");
	is_int(user_add("c@example.com", 0, NULL), ERR_NONE,
	    "the announcement ended with its run");
}

/* A session with a refresh token: a blob key, and a NULL column. */
static void
test_null(struct arena *a)
{
	static const unsigned char hash[32] = { 1, 2, 3 };
	struct db_stmt *st;
	int64_t sid;

	st = db_prepare(STMT_SESSION_INSERT);
	db_bind_int(st, 1, 1);
	db_bind_str(st, 2, "agent");
	db_bind_str(st, 3, "192.0.2.1");
	db_bind_int(st, 4, T);
	db_bind_int(st, 5, T + 60);
	db_bind_int(st, 6, T + 60);
	is_int(db_done(st, "test_session"), ERR_NONE, "a session is inserted");
	sid = db_last_id();
	st = db_prepare(STMT_REFRESH_INSERT);
	db_bind_blob(st, 1, hash, sizeof(hash));
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, T);
	db_bind_int(st, 4, T + 60);
	is_int(db_done(st, "test_refresh"), ERR_NONE, "a blob is bound");

	st = db_prepare(STMT_REFRESH_FIND);
	db_bind_blob(st, 1, hash, sizeof(hash));
	ok(db_next(st), "and found by it");
	is_int(db_int(st, 0), sid, "of the session");
	ok(db_is_null(st, 2), "rotated_at is NULL");
	ok(!db_is_null(st, 1), "expires_at is not");
	is_int(db_int(st, 2), 0, "NULL as an integer is 0");
	is_str(db_text_view(st, 2), "", "NULL in place is \"\"");
	is_str(db_text(st, a, 2), "", "NULL copied is \"\", not NULL");
	is_int(db_finish(st, "test_find"), ERR_NONE, "no failure");

	st = db_prepare(STMT_REFRESH_INSERT);
	db_on_duplicate(st);
	db_bind_blob(st, 1, hash, sizeof(hash));
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, T);
	db_bind_int(st, 4, T + 60);
	is_int(db_done(st, "test_refresh"), ERR_CONFLICT,
	    "a duplicate primary key is a duplicate too");
}

/* Transactions: rollback, and a duplicate inside one. */
static void
test_transactions(void)
{
	ok(!db_in_transaction(), "no transaction at first");
	is_int(db_begin(), ERR_NONE, "a transaction begins");
	ok(db_in_transaction(), "and is open");
	is_int(user_add("d@example.com", 0, NULL), ERR_NONE, "it writes");
	is_int(user_add("a@example.com", 1, NULL), ERR_CONFLICT,
	    "a duplicate inside it");
	ok(db_in_transaction(), "leaves it open");
	is_int(user_add("e@example.com", 0, NULL), ERR_NONE,
	    "and usable");
	is_int(users(NULL), 4, "it sees its own writes");
	db_rollback();
	ok(!db_in_transaction(), "the rollback ends it");
	is_int(users(NULL), 2, "and none of its writes stay");
	db_rollback();
	ok(!db_in_transaction(), "a rollback without a transaction is harmless");

	is_int(db_begin(), ERR_NONE, "another begins");
	is_int(user_add("d@example.com", 0, NULL), ERR_NONE, "writes");
	is_int(db_commit(), ERR_NONE, "and commits");
	is_int(users(NULL), 3, "its write stays");
}

/* The lock wait and the deadline end waits and statements: 503s. */
static void
test_time(void)
{
	struct timespec t0, t1;
	sqlite3 *other;
	char email[64];
	long ms;
	int i;

	open_db(100);
	if (sqlite3_open(path, &other) != SQLITE_OK ||
	    sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		bail("a second connection cannot take the write lock");
	is_int(user_add("f@example.com", 0, NULL), ERR_UNAVAILABLE,
	    "a write waits for another's lock no longer than the lock wait");
	open_db(600000);
	db_deadline(100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(user_add("f@example.com", 0, NULL), ERR_UNAVAILABLE,
	    "or than the deadline");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	ok(ms < 5000, "which comes first (%ld ms)", ms);
	db_deadline(0);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);

	if (db_begin() != ERR_NONE)
		bail("cannot begin");
	for (i = 0; i < MANY; i++) {
		snprintf(email, sizeof(email), "many%d@example.com", i);
		if (user_add(email, 0, NULL) != ERR_NONE)
			bail("cannot insert");
	}
	if (db_commit() != ERR_NONE)
		bail("cannot commit");
	db_deadline(1);
	usleep(5000);
	is_int(users(NULL), -1, "a statement past the deadline is interrupted");
	db_deadline(0);
	is_int(users(NULL), MANY + 3, "and without one it runs to the end");
}

/* Runs left unfinished are ended and named by db_reset_busy. */
static void
test_unfinished(void)
{
	struct db_stmt *st;
	char log[4096];

	db_reset_busy();
	new_log(log, sizeof(log));
	st = db_prepare(STMT_PING);
	ok(db_next(st), "a run reads a row");
	st = db_prepare(STMT_USER_BY_ID);
	db_bind_int(st, 9, 1);
	is_int(db_reset_busy(), 2,
	    "one left reading and one left failed are ended");
	new_log(log, sizeof(log));
	ok(strstr(log, "\"event\":\"statement_left_busy\"") != NULL,
	    "the reading one is logged");
	ok(strstr(log, "\"where\":\"unfinished\"") != NULL,
	    "and the failure, which was never reported");
	is_int(db_reset_busy(), 0, "the next look finds nothing");

	st = db_prepare(STMT_USER_BY_ID);
	db_bind_int(st, 9, 1);
	st = db_prepare(STMT_USER_BY_ID);
	ok(strstr(new_log(log, sizeof(log)), "\"where\":\"unfinished\"") !=
	    NULL, "a failed run prepared again is reported then");
	db_bind_int(st, 1, 1);
	ok(db_next(st), "and the new run goes on");
	is_int(db_finish(st, "test_new"), ERR_NONE, "unharmed");
}

/*
 * WAL frames not yet checkpointed into the database: the wal-index's
 * mxFrame (its header, byte 16) less nBackfill (its checkpoint info, after
 * the header's two copies, byte 96).
 */
static long
wal_pending(void)
{
	char shm[sizeof(path) + 8];
	unsigned int mx = 0, backfill = 0;
	int fd;

	snprintf(shm, sizeof(shm), "%s-shm", path);
	if ((fd = open(shm, O_RDONLY)) == -1)
		return -1;
	if (pread(fd, &mx, sizeof(mx), 16) != (ssize_t)sizeof(mx) ||
	    pread(fd, &backfill, sizeof(backfill), 96) !=
	    (ssize_t)sizeof(backfill))
		mx = backfill = 0;
	close(fd);
	return (long)mx - (long)backfill;
}

/* A commit leaves its checkpoint to db_idle, between requests. */
static void
test_checkpoint(void)
{
	static char name[3000];
	char email[64];
	struct db_stmt *st;
	int i;

	memset(name, 'n', sizeof(name) - 1);
	db_idle();
	is_int(db_begin(), ERR_NONE, "a transaction of many pages begins");
	for (i = 0; i < DB_CHECKPOINT_PAGES + 100; i++) {
		snprintf(email, sizeof(email), "wal%d@example.com", i);
		st = db_prepare(STMT_USER_INSERT);
		db_bind_str(st, 1, email);
		db_bind_str(st, 2, name);
		db_bind_str(st, 3, "hash");
		db_bind_str(st, 4, "user");
		db_bind_int(st, 5, T);
		db_bind_int(st, 6, T);
		if (db_done(st, "test_checkpoint") != ERR_NONE)
			break;
	}
	is_int(db_commit(), ERR_NONE, "and commits");
	ok(wal_pending() >= DB_CHECKPOINT_PAGES,
	    "the commit leaves its pages in the WAL");
	db_idle();
	is_int(wal_pending(), 0, "db_idle checkpoints them");
	db_idle();
	is_int(wal_pending(), 0, "and a second call has nothing to do");
}

int
main(void)
{
	struct arena *a;
	int fd;

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/t.db", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	if ((fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		bail("cannot redirect the log");
	close(fd);
	if ((a = arena_new()) == NULL)
		bail("no memory");
	open_db(1000);

	test_run(a);
	test_failures(a);
	test_duplicates();
	test_null(a);
	test_transactions();
	test_time();
	test_unfinished();
	test_checkpoint();

	db_close();
	arena_free(a);
	unlink(logpath);
	tmpdb_remove(dir, path);
	return done_testing();
}

/*
 * Unit tests for db_deadline and the lock wait of lib/store/db_sqlite.c,
 * through the store's interface, on a real SQLite database in a temporary
 * directory: a statement that would never end stops at the deadline, a
 * transaction it was in rolls back, a wait for another connection's write
 * lock ends at the deadline or at the busy timeout, and no deadline means
 * no limit.
 *
 * A deadline that did not work would hang the test; an alarm ends it first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "tap.h"
#include "tmpdb.h"

/*
 * The rate-limit counters, replaced for the test by a view that counts:
 * STMT_RATE_GET of bucket "b", key "k" then reads the count as its hits,
 * and runs as long as the count does.  The table is kept aside and put
 * back, so that the store's statements prepare again.
 */
#define COUNTER(stop) "CREATE VIEW rate_limits AS WITH RECURSIVE n(i) AS " \
	"(SELECT 1 UNION ALL SELECT i + 1 FROM n" stop ") SELECT 'b' AS " \
	"bucket, 'k' AS key, max(i) AS hits, 0 AS expires_at FROM n"
/* Counts without end: only an interrupt stops it. */
#define FOREVER COUNTER("")
/* Counts to 200,000: some 2 million steps, finished in well under a second. */
#define LONG COUNTER(" WHERE i < 200000")

/* Seconds after which a hung test is killed. */
#define HANG_LIMIT 60

static char dir[] = "/tmp/quill-deadline-XXXXXX";
static char path[sizeof(dir) + 16];
static sqlite3 *own;		/* the test's own connection */

/* Stops the whole test run when the fixture cannot be set up. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* Runs sql on the test's own connection, or bails out. */
static void
own_exec(const char *sql)
{
	if (sqlite3_exec(own, sql, NULL, NULL, NULL) != SQLITE_OK)
		bail(sqlite3_errmsg(own));
}

/* Makes the counters the view view (LONG or FOREVER). */
static void
counter(const char *view)
{
	own_exec("DROP VIEW IF EXISTS rate_limits");
	own_exec(view);
}

/* Reads the counter through the store: its run's result, the count in *v. */
static enum err
count(long long *v)
{
	struct db_stmt *st = db_prepare(STMT_RATE_GET);

	db_bind_str(st, 1, "b");
	db_bind_str(st, 2, "k");
	if (db_next(st) && v != NULL)
		*v = db_int(st, 0);
	return db_finish(st, "test_count");
}

/* Writes a user through the store. */
static enum err
write_user(const char *email)
{
	struct db_stmt *st = db_prepare(STMT_USER_INSERT);

	db_bind_str(st, 1, email);
	db_bind_str(st, 2, "Name");
	db_bind_str(st, 3, "hash");
	db_bind_str(st, 4, "user");
	db_bind_int(st, 5, 1);
	db_bind_int(st, 6, 1);
	return db_done(st, "test_write");
}

/* How many users there are, or -1. */
static long long
users(void)
{
	struct db_stmt *st = db_prepare(STMT_USER_COUNT);
	long long n = -1;

	if (db_next(st))
		n = db_int(st, 0);
	return db_finish(st, "test_users") == ERR_NONE ? n : -1;
}

/* Opens the database with a lock wait of busy_ms. */
static void
open_db(int busy_ms)
{
	char err[256];

	if (tmpdb_open(path, busy_ms, err, sizeof(err)) == -1)
		bail(err);
}

int
main(void)
{
	struct timespec t0, t1;
	long long v = 0;
	long waited;
	int devnull, gate;

	alarm(HANG_LIMIT);
	/* The failures below are logged (db_error lines): expected, unshown. */
	if ((devnull = open("/dev/null", O_WRONLY)) == -1 ||
	    dup2(devnull, STDERR_FILENO) == -1)
		bail("cannot silence the log");
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/t.db", dir);
	open_db(600000);
	if (sqlite3_open(path, &own) != SQLITE_OK)
		bail("cannot open a second connection");
	own_exec("ALTER TABLE rate_limits RENAME TO rate_limits_kept");

	counter(LONG);
	is_int(count(&v), ERR_NONE, "without a deadline a long count ends");
	is_int(v, 200000, "with its result");

	counter(FOREVER);
	db_deadline(100);
	is_int(count(NULL), ERR_UNAVAILABLE,
	    "a statement past the deadline is interrupted: a 503");

	db_deadline(0);
	is_int(db_begin(), ERR_NONE, "a transaction begins");
	is_int(write_user("a@example.com"), ERR_NONE, "and writes");
	db_deadline(50);
	is_int(count(NULL), ERR_UNAVAILABLE,
	    "a statement of the transaction is interrupted");
	db_rollback();
	ok(!db_in_transaction(),
	    "the rollback runs though the deadline has passed");
	db_deadline(0);
	is_int(users(), 0, "and nothing of the transaction stays");
	counter(LONG);
	is_int(count(&v), ERR_NONE, "a lifted deadline limits nothing");
	own_exec("DROP VIEW rate_limits");
	own_exec("ALTER TABLE rate_limits_kept RENAME TO rate_limits");

	own_exec("BEGIN IMMEDIATE");
	db_deadline(200);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "a wait for the write lock ends at the deadline, not the busy timeout");
	db_deadline(0);
	open_db(100);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "without a deadline the busy timeout still ends the wait");
	own_exec("ROLLBACK");
	is_int(db_begin(), ERR_NONE, "the lock is taken once it is free");
	db_rollback();

	/* The writers' queue: an flock on the database file. */
	if ((gate = open(path, O_RDONLY)) == -1 || flock(gate, LOCK_EX) == -1)
		bail("cannot take the writers' queue");
	open_db(200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "a writer waits in the queue no longer than the busy timeout");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ok(waited >= 150, "after waiting for it (%ld ms)", waited);
	ok(!db_in_transaction(), "with no transaction begun");
	open_db(600000);
	db_deadline(100);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "or than the deadline, when that comes first");
	db_deadline(0);
	flock(gate, LOCK_UN);
	is_int(db_begin(), ERR_NONE, "the queue is free once released");
	ok(flock(gate, LOCK_EX | LOCK_NB) == -1,
	    "and held by the transaction");
	is_int(write_user("b@example.com"), ERR_NONE, "which writes");
	is_int(db_commit(), ERR_NONE, "and commits");
	ok(flock(gate, LOCK_EX | LOCK_NB) == 0, "which frees the queue");
	flock(gate, LOCK_UN);
	is_int(db_begin(), ERR_NONE, "a rolled-back transaction");
	db_rollback();
	ok(flock(gate, LOCK_EX | LOCK_NB) == 0, "frees it too");
	close(gate);

	sqlite3_close(own);
	db_close();
	tmpdb_remove(dir, path);
	return done_testing();
}

/*
 * Unit tests for db_deadline and the lock wait of lib/store/db_sqlite.c, on a real
 * SQLite database in a temporary directory: a statement that would never
 * end stops at the deadline, a transaction it was in rolls back, a wait for
 * another connection's write lock ends at the deadline or at the busy
 * timeout, and no deadline means no limit.
 *
 * A deadline that did not work would hang the test; an alarm ends it first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "store/db_raw.h"
#include "tap.h"
#include "tmpdb.h"

/* Counts without end: only an interrupt stops it. */
#define FOREVER "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 " \
	"FROM n) SELECT count(*) FROM n"
/* Counts to 200,000: some 2 million steps, finished in well under a second. */
#define LONG "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 " \
	"FROM n WHERE i < 200000) SELECT count(*) FROM n"

/* Seconds after which a hung test is killed. */
#define HANG_LIMIT 60

static char dir[] = "/tmp/quill-deadline-XXXXXX";
static char path[sizeof(dir) + 16];

/* Stops the whole test run when the fixture cannot be set up. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* Runs sql on the module's connection; the first column's integer in *v. */
static int
run(const char *sql, long long *v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db_handle(), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && v != NULL)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc;
}

/* Opens the database with a lock wait of busy_ms. */
static void
open_db(int busy_ms)
{
	char err[256];

	db_close();
	if (db_open(path, 1, busy_ms, err, sizeof(err)) == -1)
		bail(err);
}

int
main(void)
{
	sqlite3 *other;
	struct timespec t0, t1;
	long long v = 0;
	long waited;
	int rc, devnull, gate;

	alarm(HANG_LIMIT);
	/* The failures below are logged (db_error lines): expected, unshown. */
	if ((devnull = open("/dev/null", O_WRONLY)) == -1 ||
	    dup2(devnull, STDERR_FILENO) == -1)
		bail("cannot silence the log");
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/t.db", dir);
	open_db(600000);
	if (run("CREATE TABLE t (x INTEGER)", NULL) != SQLITE_DONE)
		bail("cannot create the table");

	is_int(run(LONG, &v), SQLITE_ROW, "without a deadline a long count ends");
	is_int(v, 200000, "with its result");

	db_deadline(100);
	rc = run(FOREVER, NULL);
	is_int(rc, SQLITE_INTERRUPT, "a statement past the deadline is interrupted");
	is_int(db_fail(rc, "test"), ERR_UNAVAILABLE, "which is a 503");

	db_deadline(0);
	is_int(db_begin(), ERR_NONE, "a transaction begins");
	is_int(run("INSERT INTO t VALUES (1)", NULL), SQLITE_DONE, "and writes");
	db_deadline(50);
	is_int(run(FOREVER, NULL), SQLITE_INTERRUPT,
	    "a statement of the transaction is interrupted");
	db_rollback();
	ok(sqlite3_get_autocommit(db_handle()),
	    "the rollback runs though the deadline has passed");
	db_deadline(0);
	is_int(run("SELECT count(*) FROM t", &v), SQLITE_ROW, "the table reads");
	is_int(v, 0, "and holds nothing of the transaction");
	is_int(run(LONG, &v), SQLITE_ROW, "a lifted deadline limits nothing");

	if (sqlite3_open(path, &other) != SQLITE_OK ||
	    sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		bail("a second connection cannot take the write lock");
	db_deadline(200);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "a wait for the write lock ends at the deadline, not the busy timeout");
	db_deadline(0);
	open_db(100);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "without a deadline the busy timeout still ends the wait");
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
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
	ok(sqlite3_get_autocommit(db_handle()), "with no transaction begun");
	open_db(600000);
	db_deadline(100);
	is_int(db_begin(), ERR_UNAVAILABLE,
	    "or than the deadline, when that comes first");
	db_deadline(0);
	flock(gate, LOCK_UN);
	is_int(db_begin(), ERR_NONE, "the queue is free once released");
	ok(flock(gate, LOCK_EX | LOCK_NB) == -1,
	    "and held by the transaction");
	is_int(run("INSERT INTO t VALUES (2)", NULL), SQLITE_DONE,
	    "which writes");
	is_int(db_commit(), ERR_NONE, "and commits");
	ok(flock(gate, LOCK_EX | LOCK_NB) == 0, "which frees the queue");
	flock(gate, LOCK_UN);
	is_int(db_begin(), ERR_NONE, "a rolled-back transaction");
	db_rollback();
	ok(flock(gate, LOCK_EX | LOCK_NB) == 0, "frees it too");
	close(gate);

	db_close();
	tmpdb_remove(dir, path);
	return done_testing();
}

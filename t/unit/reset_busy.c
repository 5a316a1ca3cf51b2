/*
 * Unit tests for db_reset_busy of lib/store/db_sqlite.c: after each request it resets
 * the statements a handler left stepping (each one holds a read
 * transaction open until reset), logs each, and leaves alone those that
 * ran to the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db_raw.h"
#include "tap.h"

static char logpath[] = "/tmp/quill-reset-busy-XXXXXX";

/* Stops the whole test run when the fixture cannot be set up. */
static void
bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(255);
}

/* The log lines written so far. */
static void
read_log(char *dst, size_t n)
{
	FILE *f = fopen(logpath, "r");
	size_t got = 0;

	if (f != NULL) {
		got = fread(dst, 1, n - 1, f);
		fclose(f);
	}
	dst[got] = '\0';
}

int
main(void)
{
	char err[256], log[4096];
	sqlite3_stmt *s, *t;
	int fd;

	if ((fd = mkstemp(logpath)) == -1 || dup2(fd, STDERR_FILENO) == -1)
		bail("cannot redirect the log");
	if (db_open(":memory:", 1, 1000, err, sizeof(err)) == -1 ||
	    db_migrate(err, sizeof(err)) == -1 ||
	    db_prepare_all(err, sizeof(err)) == -1)
		bail(err);

	is_int(db_reset_busy(), 0, "nothing handed out, nothing to reset");

	s = db_stmt(STMT_PING);
	is_int(sqlite3_step(s), SQLITE_ROW, "a statement gives its row");
	ok(sqlite3_stmt_busy(s), "and is left stepping");
	t = db_stmt(STMT_USER_COUNT);
	is_int(sqlite3_step(t), SQLITE_ROW, "a second one gives its row");
	is_int(sqlite3_step(t), SQLITE_DONE, "and runs to the end");
	ok(!sqlite3_stmt_busy(t), "so it is not stepping");

	is_int(db_reset_busy(), 1, "one statement was left stepping");
	ok(!sqlite3_stmt_busy(s), "it is reset");
	read_log(log, sizeof(log));
	ok(strstr(log, "\"event\":\"statement_left_busy\"") != NULL,
	    "and logged");
	ok(strstr(log, "\"sql\":\"SELECT version FROM schema_migrations") !=
	    NULL, "with its SQL");

	is_int(db_reset_busy(), 0, "the next look finds nothing");

	/* The same statement handed out twice in one request counts once. */
	s = db_stmt(STMT_PING);
	s = db_stmt(STMT_PING);
	is_int(sqlite3_step(s), SQLITE_ROW, "handed out twice, stepped once");
	is_int(db_reset_busy(), 1, "is reset once");

	db_close();
	unlink(logpath);
	return done_testing();
}

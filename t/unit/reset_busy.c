/*
 * Unit tests for db_reset_busy of lib/store/db_sqlite.c: after each request
 * it ends the runs a handler left reading (each one holds a read
 * transaction open until reset) or left failed without reporting, logs
 * each, and leaves alone those that ran to the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
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
	struct db_stmt *s, *t;
	int fd;

	if ((fd = mkstemp(logpath)) == -1 || dup2(fd, STDERR_FILENO) == -1)
		bail("cannot redirect the log");
	if (db_open(":memory:", 1, 1000, err, sizeof(err)) == -1 ||
	    db_migrate(err, sizeof(err)) == -1 ||
	    db_prepare_all(err, sizeof(err)) == -1)
		bail(err);

	is_int(db_reset_busy(), 0, "nothing handed out, nothing to reset");

	s = db_prepare(STMT_PING);
	ok(db_next(s), "a statement gives its row, and is left reading");
	t = db_prepare(STMT_USER_COUNT);
	ok(db_next(t), "a second one gives its row");
	ok(!db_next(t), "and runs to the end");

	is_int(db_reset_busy(), 1, "one statement was left reading");
	read_log(log, sizeof(log));
	ok(strstr(log, "\"event\":\"statement_left_busy\"") != NULL,
	    "and logged");
	ok(strstr(log, "\"sql\":\"SELECT version FROM schema_migrations") !=
	    NULL, "with its SQL");
	ok(!db_next(s), "its run is over");
	is_int(db_finish(s, "test"), ERR_NONE, "with no failure to report");

	is_int(db_reset_busy(), 0, "the next look finds nothing");

	/* The same statement handed out twice in one request counts once. */
	db_prepare(STMT_PING);
	s = db_prepare(STMT_PING);
	ok(db_next(s), "handed out twice, stepped once");
	is_int(db_reset_busy(), 1, "is reset once");

	/* A failure never reported: ended, logged, counted. */
	s = db_prepare(STMT_USER_BY_ID);
	db_bind_int(s, 5, 1);
	ok(!db_next(s), "a run fails");
	is_int(db_reset_busy(), 1, "and is not finished");
	read_log(log, sizeof(log));
	ok(strstr(log, "\"where\":\"unfinished\"") != NULL,
	    "its failure is logged");
	is_int(db_reset_busy(), 0, "once");

	db_close();
	unlink(logpath);
	return done_testing();
}

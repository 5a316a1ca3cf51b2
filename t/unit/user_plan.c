/*
 * user_plan: the statements of GET /users walk an index in the requested
 * order (no sorting of the whole table per page), and keyset pages start
 * with a range search, so a page costs the same at any depth.  The plans
 * are asked of SQLite on a connection of the test's own, to the database
 * the store migrated.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "tap.h"
#include "tmpdb.h"

static char dir[] = "/tmp/quill-user-plan-XXXXXX";
static char path[sizeof(dir) + 16];
static sqlite3 *own;

static const enum stmt pages[] = {
	STMT_USER_PAGE_CREATED_ASC, STMT_USER_PAGE_CREATED_DESC,
	STMT_USER_PAGE_NAME_ASC, STMT_USER_PAGE_NAME_DESC,
	STMT_USER_PAGE_EMAIL_ASC, STMT_USER_PAGE_EMAIL_DESC,
};

static const enum stmt afters[] = {
	STMT_USER_AFTER_CREATED_ASC, STMT_USER_AFTER_CREATED_DESC,
	STMT_USER_AFTER_NAME_ASC, STMT_USER_AFTER_NAME_DESC,
	STMT_USER_AFTER_EMAIL_ASC, STMT_USER_AFTER_EMAIL_DESC,
};

/* The query plan of statement s, its lines joined by "; ". */
static void
plan(enum stmt s, char *out, size_t outsz)
{
	char sql[4096];
	sqlite3_stmt *q;
	size_t n = 0;

	out[0] = '\0';
	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", stmt_sql[s]);
	if (sqlite3_prepare_v2(own, sql, -1, &q, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(q) == SQLITE_ROW && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%s; ",
		    (const char *)sqlite3_column_text(q, 3));
	sqlite3_finalize(q);
}

int
main(void)
{
	char err[512], p[1024];
	size_t i;

	if (mkdtemp(dir) == NULL) {
		diag("mkdtemp failed");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/q.db", dir);
	if (db_open(path, 1, 1000, err, sizeof(err)) == -1 ||
	    db_migrate(err, sizeof(err)) == -1 ||
	    db_prepare_all(err, sizeof(err)) == -1 ||
	    sqlite3_open_v2(path, &own, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		diag("%s", own != NULL ? sqlite3_errmsg(own) : err);
		return 1;
	}
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		plan(pages[i], p, sizeof(p));
		ok(strstr(p, "INDEX") != NULL && strstr(p, "TEMP B-TREE") == NULL,
		    "page statement %zu reads an index in order: %s", i, p);
	}
	for (i = 0; i < sizeof(afters) / sizeof(afters[0]); i++) {
		plan(afters[i], p, sizeof(p));
		ok(strncmp(p, "SEARCH users USING ", 19) == 0 &&
		    strstr(p, "INDEX") != NULL && strstr(p, "TEMP B-TREE") == NULL,
		    "keyset statement %zu starts with a range on an index: %s",
		    i, p);
	}
	sqlite3_close(own);
	db_close();
	tmpdb_remove(dir, path);
	return done_testing();
}

/*
 * stmt_tables: every statement has a text in each engine's dialect, and
 * both take the same parameters (the highest ?N of SQLite's is the
 * highest $N of PostgreSQL's, which names every number up to it), so the
 * store modules bind one way for both engines.  The one exception is the
 * ranked search, whose text may take the page's bounds (?6, ?7) on one
 * engine (stmt.h): the store binds them when db_params says the
 * statement has them.  And QUILL_DB picks the engine by the form of its
 * value.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "store/stmt.h"
#include "tap.h"

/* The highest parameter of SQLite text sql: ?N, or bare ? counted. */
static int
sqlite_params(const char *sql)
{
	int max = 0, bare = 0, n;
	const char *p;

	for (p = sql; (p = strchr(p, '?')) != NULL; p++) {
		if (isdigit((unsigned char)p[1])) {
			n = atoi(p + 1);
			if (n > max)
				max = n;
		} else
			bare++;
	}
	return bare > max ? bare : max;
}

/* The highest $N of PostgreSQL text sql; *gap set when one below is unused. */
static int
pg_params(const char *sql, int *gap)
{
	char used[100] = { 0 };
	const char *p;
	int max = 0, n, i;

	for (p = sql; (p = strchr(p, '$')) != NULL; p++) {
		if (!isdigit((unsigned char)p[1]))
			continue;
		n = atoi(p + 1);
		if (n > 0 && n < (int)sizeof(used))
			used[n] = 1;
		if (n > max)
			max = n;
	}
	*gap = 0;
	for (i = 1; i <= max && i < (int)sizeof(used); i++)
		if (!used[i])
			*gap = 1;
	return max;
}

int
main(void)
{
	int i, missing = 0, differ = 0, gaps = 0, gap, q, pq;

	for (i = 0; i < STMT__MAX; i++) {
		if (stmt_sql[i] == NULL || stmt_pg_sql[i] == NULL) {
			diag("statement %d has no %s text", i,
			    stmt_sql[i] == NULL ? "SQLite" : "PostgreSQL");
			missing++;
			continue;
		}
		q = sqlite_params(stmt_sql[i]);
		pq = pg_params(stmt_pg_sql[i], &gap);
		if (q != pq && !(i == STMT_POST_SEARCH_RANKED &&
		    (q == 5 || q == 7) && (pq == 5 || pq == 7))) {
			diag("statement %d: SQLite takes %d parameters, "
			    "PostgreSQL %d", i, q, pq);
			differ++;
		}
		if (gap) {
			diag("statement %d: PostgreSQL's text skips a number", i);
			gaps++;
		}
		if (strchr(stmt_pg_sql[i], '?') != NULL) {
			diag("statement %d: a ? in PostgreSQL's text", i);
			differ++;
		}
	}
	is_int(missing, 0, "every statement has a SQLite and a PostgreSQL text");
	is_int(differ, 0, "both texts of each statement take the same parameters");
	is_int(gaps, 0, "PostgreSQL's texts name every parameter up to their last");
	ok(stmt_pg_sql[STMT_POST_COUNT_MATCH] != NULL &&
	    strstr(stmt_pg_sql[STMT_POST_COUNT_MATCH], "fts @@") != NULL,
	    "the count of a search uses the search column");

	ok(config_db_is_postgresql("postgresql://quill@db.example/quill"),
	    "a postgresql:// URI is PostgreSQL");
	ok(config_db_is_postgresql("postgres://quill@db/quill?sslmode=require"),
	    "so is a postgres:// one");
	ok(config_db_is_postgresql("host=/run/postgresql dbname=quill"),
	    "and a libpq keyword string");
	ok(config_db_is_postgresql(" dbname = quill"),
	    "with spaces around the =");
	ok(!config_db_is_postgresql("/var/lib/quill/quill.db"),
	    "an absolute path is a SQLite file");
	ok(!config_db_is_postgresql("var/quill.db"), "so is a relative one");
	ok(!config_db_is_postgresql("/srv/a=b/quill.db"),
	    "even with an = in it");
	ok(!config_db_is_postgresql(""), "and nothing is not PostgreSQL");
	return done_testing();
}

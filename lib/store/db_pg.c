#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/text.h"
#include "base/metrics.h"
#include "store/db.h"
#include "store/db_engine.h"

/*
 * The PostgreSQL engine: one connection a process, statements of
 * stmt_pg.c prepared on it as "s<number>".  A run sends its parameters
 * when db_next first asks for a row and keeps the whole result, so no
 * run holds anything on the server once its rows are read.
 *
 * Parameters: integers go as text, text as text (a copy, NUL-terminated,
 * as libpq wants), blobs in binary.  Results come as text: integers and
 * booleans ("t"/"f") are read as numbers, bytea as its hex form.
 *
 * Write transactions take one lock, the writers' lock, when they begin:
 * PostgreSQL's counterpart of SQLite's BEGIN IMMEDIATE, so that what the
 * store reads in a write transaction (a version for If-Match, a refresh
 * token before it is spent, the admins left) is what it writes against,
 * on every node.  Reads take no lock and never wait for a writer.  A
 * lock wait ends at the lock wait (lock_timeout = busy_ms) and a run at
 * the deadline (the run is cancelled): both fail ERR_UNAVAILABLE, as on
 * SQLite.
 */

/*
 * The writers' lock: every write transaction takes this advisory lock
 * first, held to its end (docs/postgresql.md says why).
 */
#define PG_WRITERS_LOCK	"7520"

/* The most parameters a statement of stmt_pg.c takes. */
#define PG_MAX_PARAMS	12
#define PG_BYTEA_OID	17

enum pg_fail {
	PG_OK,
	PG_INTERNAL,		/* a misuse, a constraint, out of memory */
	PG_UNAVAILABLE,		/* no connection, a lock wait, the deadline */
	PG_ERROR		/* the server's error: by its SQLSTATE */
};

struct db_stmt {
	const char	*values[PG_MAX_PARAMS];
	char		*texts[PG_MAX_PARAMS];
	size_t		 caps[PG_MAX_PARAMS];
	PGresult	*res;
	int		 lengths[PG_MAX_PARAMS];
	int		 formats[PG_MAX_PARAMS];
	enum stmt	 id;
	int		 prepared;
	int		 nparams;
	int		 nrows;
	int		 cur;
	int		 fail;
	int		 dup_ok;
	int		 started;
	int		 ended;
	int		 row;
	char		 ints[PG_MAX_PARAMS][24];
	char		 state[6];
};

static PGconn *conn;
static char *conninfo;
static struct db_stmt stmts[STMT__MAX];
static int64_t last_id, changes;
static char lastmsg[512];

static struct {
	unsigned char	 seen[STMT__MAX];
	enum stmt	 list[STMT__MAX];
	size_t		 n;
} stmts_used;

/* The lock wait (QUILL_BUSY_TIMEOUT_MS); the deadline is db.c's. */
static long lock_wait_ms;

/* Keeps the connection's message (one line) for db_errmsg and the log. */
static void
note_message(const char *m)
{
	size_t n;

	snprintf(lastmsg, sizeof(lastmsg), "%s", m != NULL ? m : "");
	n = strlen(lastmsg);
	while (n > 0 && (lastmsg[n - 1] == '\n' || lastmsg[n - 1] == ' '))
		lastmsg[--n] = '\0';
}

/* 1 when SQLSTATE s says: try again later, the database is not at fault. */
static int
state_unavailable(const char *s)
{
	return strncmp(s, "08", 2) == 0 ||	/* connection exception */
	    strncmp(s, "53", 2) == 0 ||		/* insufficient resources */
	    strncmp(s, "57", 2) == 0 ||		/* shutdown, cancelled */
	    strcmp(s, "40001") == 0 ||		/* serialization failure */
	    strcmp(s, "40P01") == 0 ||		/* deadlock */
	    strcmp(s, "55P03") == 0 ||		/* lock not available */
	    strcmp(s, "25006") == 0;		/* read-only transaction */
}

/*
 * Waits for the result of what was sent, until the deadline when honour
 * is set (then the run is cancelled and its error awaited).  Returns the
 * result (see below), or NULL when the connection broke.
 */
static PGresult *
pg_wait(int honour)
{
	PGresult *res, *more;
	struct pollfd p;
	PGcancel *c;
	char why[256];
	long ms;
	int r, cancelled = 0;

	while (PQisBusy(conn)) {
		ms = -1;
		if (honour && !cancelled && db_deadline_left(&ms) && ms < 0)
			ms = 0;
		p.fd = PQsocket(conn);
		p.events = POLLIN;
		p.revents = 0;
		r = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
		if (r == -1 && errno != EINTR)
			return NULL;
		if (r == 0 && ms >= 0) {
			if ((c = PQgetCancel(conn)) != NULL) {
				(void)PQcancel(c, why, (int)sizeof(why));
				PQfreeCancel(c);
			}
			cancelled = 1;
			continue;
		}
		if (r > 0 && !PQconsumeInput(conn))
			return NULL;
	}
	/* Of several statements sent at once, the first that failed, or
	 * the last. */
	res = PQgetResult(conn);
	while ((more = PQgetResult(conn)) != NULL) {
		if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR) {
			PQclear(more);
			continue;
		}
		PQclear(res);
		res = more;
	}
	return res;
}

/*
 * Runs SQL that takes no parameters (BEGIN, COMMIT, a migration).  Returns
 * PG_OK, or the failure with its SQLSTATE in state (6 bytes).
 */
static int
pg_simple(const char *sql, int honour, char *state)
{
	PGresult *res;
	int rc = PG_OK, st;

	memcpy(state, "08006", 6);
	if (conn == NULL || !PQsendQuery(conn, sql) ||
	    (res = pg_wait(honour)) == NULL) {
		note_message(conn != NULL ? PQerrorMessage(conn) :
		    "no connection");
		return PG_UNAVAILABLE;
	}
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		snprintf(state, 6, "%s", s != NULL ? s : "XX000");
		note_message(PQresultErrorMessage(res));
		rc = PG_ERROR;
	} else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0 &&
	    strcmp(sql, "COMMIT") == 0) {
		/* A COMMIT of a failed transaction rolls it back. */
		memcpy(state, "25P02", 6);
		note_message("the transaction had failed and was rolled back");
		rc = PG_ERROR;
	}
	PQclear(res);
	return rc;
}

/*
 * Prepares statement i on the connection unless it is, learning its
 * number of parameters; -1 with a reason in err.
 */
static int
stmt_compile(int i, char *err, size_t errsz)
{
	char name[16];
	PGresult *res;
	int ok;

	if (stmts[i].prepared)
		return 0;
	if (stmt_pg_sql[i] == NULL) {
		snprintf(err, errsz, "statement %d has no PostgreSQL text", i);
		return -1;
	}
	snprintf(name, sizeof(name), "s%d", i);
	res = PQprepare(conn, name, stmt_pg_sql[i], 0, NULL);
	ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (ok) {
		res = PQdescribePrepared(conn, name);
		ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK &&
		    PQnparams(res) <= PG_MAX_PARAMS;
		if (ok)
			stmts[i].nparams = PQnparams(res);
		PQclear(res);
	}
	if (!ok) {
		note_message(PQerrorMessage(conn));
		snprintf(err, errsz, "statement %d does not prepare: %s", i,
		    lastmsg);
		return -1;
	}
	stmts[i].id = (enum stmt)i;
	stmts[i].prepared = 1;
	return 0;
}

/*
 * Connects (again) and sets the session up: every run planned with its
 * values, text as UTF-8, the lock wait.  -1 with a reason in err.
 */
static int
pg_connect(char *err, size_t errsz)
{
	const char *const keys[] = { "connect_timeout", "application_name",
	    "dbname", NULL };
	const char *vals[] = { "5", "quill", conninfo, NULL };
	char set[256], state[6];
	int i;

	if (conn != NULL)
		PQfinish(conn);
	for (i = 0; i < STMT__MAX; i++)
		stmts[i].prepared = 0;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		note_message(conn != NULL ? PQerrorMessage(conn) :
		    "out of memory");
		snprintf(err, errsz, "QUILL_DB: cannot connect to PostgreSQL: %s",
		    lastmsg);
		return -1;
	}
	snprintf(set, sizeof(set), "SET plan_cache_mode = force_custom_plan; "
	    "SET client_encoding = 'UTF8'; SET lock_timeout = %ld; "
	    "SET standard_conforming_strings = on", lock_wait_ms);
	if (pg_simple(set, 0, state) != PG_OK) {
		snprintf(err, errsz, "QUILL_DB: cannot set up the PostgreSQL "
		    "session: %s", lastmsg);
		return -1;
	}
	return 0;
}

static int
pg_open(const char *path, int create, int busy_ms, char *err, size_t errsz)
{
	(void)create;
	free(conninfo);
	if ((conninfo = strdup(path)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	lock_wait_ms = busy_ms > 0 ? busy_ms : 1;
	return pg_connect(err, errsz);
}

/*
 * 1 when the server has closed the idle connection (a restart, a
 * failover): it then has something to read, its last word or the end.
 * One poll that does not wait, so that no request is spent (answered
 * 503) on finding out.
 */
static int
pg_dropped(void)
{
	struct pollfd p;

	p.fd = PQsocket(conn);
	p.events = POLLIN;
	p.revents = 0;
	/* Nothing else comes unasked on an idle connection that LISTENs to
	 * nothing but a notice, and making it again costs little. */
	return poll(&p, 1, 0) > 0;
}

/*
 * 1 when the connection is up, making it again if it broke (a restart, a
 * failover) outside a transaction.  Statements are prepared on it as
 * they are first run (pg_prepare, run_exec).
 */
static int
pg_ready(void)
{
	char err[512];

	if (conn != NULL && PQstatus(conn) == CONNECTION_OK &&
	    (PQtransactionStatus(conn) != PQTRANS_IDLE || !pg_dropped()))
		return 1;
	if (conninfo == NULL)
		return 0;
	if (pg_connect(err, sizeof(err)) == -1) {
		log_event(LOG_ERROR, "db_reconnect_failed", NULL, "reason", err,
		    NULL);
		return 0;
	}
	log_event(LOG_INFO, "db_reconnected", NULL, NULL);
	return 1;
}

/* The numbers of a query's single-column rows, or -1 on failure. */
static int
pg_query_int(const char *sql, const char *param)
{
	PGresult *res;
	int v = -1;

	if (conn == NULL)
		return -1;
	res = PQexecParams(conn, sql, param != NULL, NULL, &param, NULL, NULL,
	    0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = atoi(PQgetvalue(res, 0, 0));
	else
		note_message(PQresultErrorMessage(res));
	PQclear(res);
	return v;
}

static int
pg_schema_version(void)
{
	int t = pg_query_int("SELECT (to_regclass('schema_migrations') IS NOT "
	    "NULL)::int", NULL);

	if (t <= 0)
		return t;
	return pg_query_int("SELECT coalesce(max(version), 0) FROM "
	    "schema_migrations", NULL);
}

/* 1 when migration version is recorded, 0 when not, -1 on error. */
static int
pg_migration_applied(int version)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", version);
	return pg_query_int("SELECT count(*) FROM schema_migrations "
	    "WHERE version = $1::int", v);
}

static int
pg_schema_missing(void)
{
	int i, n = 0, a;

	if (pg_schema_version() <= 0)
		return db_migrations_pg_n;
	for (i = 0; i < db_migrations_pg_n; i++) {
		if ((a = pg_migration_applied(db_migrations_pg[i].version)) < 0)
			return -1;
		n += a == 0;
	}
	return n;
}

static int
pg_ready_schema(char *err, size_t errsz)
{
	int missing;

	if ((missing = pg_schema_missing()) != 0) {
		snprintf(err, errsz, "QUILL_DB: the database lacks %d of this "
		    "build's %d migrations: run quillctl migrate", missing,
		    db_migrations_pg_n);
		return -1;
	}
	return 0;
}

static int
pg_compile(enum stmt s, char *err, size_t errsz)
{
	return stmt_compile((int)s, err, errsz);
}

static int
pg_confine(char *err, size_t errsz)
{
	(void)err;
	(void)errsz;
	return 0;
}

/* Forgets the run of st: its result, its copies, its failure. */
static void
run_clear(struct db_stmt *st)
{
	int i;

	PQclear(st->res);
	st->res = NULL;
	for (i = 0; i < PG_MAX_PARAMS; i++) {
		st->values[i] = NULL;
		st->lengths[i] = 0;
		st->formats[i] = 0;
	}
	st->nrows = 0;
	st->cur = -1;
	st->fail = PG_OK;
	st->state[0] = '\0';
	st->dup_ok = 0;
	st->started = 0;
	st->row = 0;
}

static void
pg_close(void)
{
	int i, j;

	for (i = 0; i < STMT__MAX; i++) {
		run_clear(&stmts[i]);
		for (j = 0; j < PG_MAX_PARAMS; j++)
			free(stmts[i].texts[j]);
	}
	memset(stmts, 0, sizeof(stmts));
	memset(&stmts_used, 0, sizeof(stmts_used));
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
	free(conninfo);
	conninfo = NULL;
}

/* Remembers a failure when it is the run's first. */
static void
run_fail(struct db_stmt *st, int fail, const char *state)
{
	if (st->fail != PG_OK)
		return;
	st->fail = fail;
	snprintf(st->state, sizeof(st->state), "%s", state);
}

/*
 * Maps the failure of a run (or of begin, commit) to an error as db.h
 * describes, and logs it with where and the server's message.
 */
static enum err
pg_fail(int fail, const char *state, const char *where)
{
	log_event(LOG_ERROR, "db_error", NULL, "where", where, "code",
	    state[0] != '\0' ? state : "-", "message", lastmsg, NULL);
	if (fail == PG_UNAVAILABLE ||
	    (fail == PG_ERROR && state_unavailable(state))) {
		metrics_count(MET_DB_UNAVAILABLE);
		return ERR_UNAVAILABLE;
	}
	return ERR_INTERNAL;
}

static enum err
run_end(struct db_stmt *st, const char *where)
{
	enum err e = ERR_NONE;

	if (st->fail != PG_OK)
		e = pg_fail(st->fail, st->state, where);
	run_clear(st);
	st->ended = 1;
	return e;
}

/*
 * Prepares st on the connection (made again if it broke) unless it is,
 * or records the run's failure.  A statement is prepared on its first run
 * on a connection, so that a program started for one request (plain CGI)
 * prepares only what that request runs; quillctl check prepares them all
 * (db_prepare_all).
 */
static void
stmt_ready(struct db_stmt *st)
{
	char err[512];

	if (!pg_ready()) {
		run_fail(st, PG_UNAVAILABLE, "08006");
		return;
	}
	if (stmt_compile((int)st->id, err, sizeof(err)) == -1)
		run_fail(st, PQstatus(conn) == CONNECTION_OK ? PG_INTERNAL :
		    PG_UNAVAILABLE, PQstatus(conn) == CONNECTION_OK ? "XX000" :
		    "08006");
}

static struct db_stmt *
pg_prepare(enum stmt s)
{
	struct db_stmt *st = &stmts[s];

	if (!stmts_used.seen[s]) {
		stmts_used.seen[s] = 1;
		stmts_used.list[stmts_used.n++] = s;
	}
	(void)run_end(st, "unfinished");
	st->id = s;
	st->ended = 0;
	/* Prepared on its first run on the connection: its parameters are
	 * counted then, before any is bound. */
	if (!st->prepared)
		stmt_ready(st);
	return st;
}

/* 1 when parameter i of st can be bound. */
static int
param_ok(struct db_stmt *st, int i)
{
	if (st->fail != PG_OK)
		return 0;
	if (i < 1 || i > st->nparams) {
		note_message("a parameter the statement does not have");
		run_fail(st, PG_INTERNAL, "XX000");
		return 0;
	}
	return 1;
}

static int
pg_params(struct db_stmt *st)
{
	return st->nparams;
}

static void
pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	if (!param_ok(st, i))
		return;
	snprintf(st->ints[i - 1], sizeof(st->ints[i - 1]), "%lld",
	    (long long)v);
	st->values[i - 1] = st->ints[i - 1];
	st->formats[i - 1] = 0;
}

static void
pg_bind_text(struct db_stmt *st, int i, const char *s, size_t len)
{
	char *t;

	if (!param_ok(st, i))
		return;
	st->values[i - 1] = NULL;
	if (s == NULL)
		return;
	if (len > INT_MAX || memchr(s, '\0', len) != NULL) {
		note_message("text PostgreSQL cannot hold (too long, or a NUL)");
		run_fail(st, PG_INTERNAL, "22021");
		return;
	}
	if (st->caps[i - 1] < len + 1) {
		if ((t = realloc(st->texts[i - 1], len + 1)) == NULL) {
			note_message("out of memory");
			run_fail(st, PG_INTERNAL, "53200");
			return;
		}
		st->texts[i - 1] = t;
		st->caps[i - 1] = len + 1;
	}
	memcpy(st->texts[i - 1], s, len);
	st->texts[i - 1][len] = '\0';
	st->values[i - 1] = st->texts[i - 1];
	st->formats[i - 1] = 0;
}

static void
pg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	if (!param_ok(st, i))
		return;
	if (n > INT_MAX) {
		note_message("a blob too long");
		run_fail(st, PG_INTERNAL, "54000");
		return;
	}
	st->values[i - 1] = p;
	st->lengths[i - 1] = (int)n;
	st->formats[i - 1] = 1;
}

static void
pg_on_duplicate(struct db_stmt *st)
{
	st->dup_ok = 1;
}

/*
 * Sends the run and keeps its result.  A run that may meet a duplicate
 * key inside a transaction runs in a savepoint, so that the transaction
 * stays usable after it (PostgreSQL aborts a transaction at an error).
 */
static void
run_exec(struct db_stmt *st)
{
	char name[16], state[6];
	const char *s;
	int savepoint, status;

	st->started = 1;
	stmt_ready(st);
	if (st->fail != PG_OK)
		return;
	savepoint = st->dup_ok &&
	    PQtransactionStatus(conn) == PQTRANS_INTRANS;
	if (savepoint && pg_simple("SAVEPOINT quill_dup", 1, state) !=
	    PG_OK) {
		run_fail(st, PG_ERROR, state);
		return;
	}
	snprintf(name, sizeof(name), "s%d", (int)st->id);
	if (!PQsendQueryPrepared(conn, name, st->nparams, st->values,
	    st->lengths, st->formats, 0) || (st->res = pg_wait(1)) == NULL) {
		note_message(PQerrorMessage(conn));
		run_fail(st, PG_UNAVAILABLE, "08006");
		return;
	}
	status = PQresultStatus(st->res);
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		st->nrows = PQntuples(st->res);
		changes = strtoll(PQcmdTuples(st->res), NULL, 10);
		if (strncmp(PQcmdStatus(st->res), "INSERT", 6) == 0 &&
		    st->nrows > 0 && PQnfields(st->res) > 0 &&
		    strcmp(PQfname(st->res, 0), "id") == 0)
			last_id = strtoll(PQgetvalue(st->res, 0, 0), NULL, 10);
		if (savepoint && pg_simple("RELEASE SAVEPOINT quill_dup", 1,
		    state) != PG_OK)
			run_fail(st, PG_ERROR, state);
		return;
	}
	s = PQresultErrorField(st->res, PG_DIAG_SQLSTATE);
	note_message(PQresultErrorMessage(st->res));
	run_fail(st, PG_ERROR, s != NULL ? s : "XX000");
	if (savepoint)
		(void)pg_simple("ROLLBACK TO SAVEPOINT quill_dup; "
		    "RELEASE SAVEPOINT quill_dup", 0, state);
}

static int
pg_next(struct db_stmt *st)
{
	st->row = 0;
	if (st->ended || st->fail != PG_OK)
		return 0;
	if (!st->started)
		run_exec(st);
	if (st->fail != PG_OK || ++st->cur >= st->nrows) {
		st->ended = 1;
		return 0;
	}
	return st->row = 1;
}

/* 1 when st has a current row with column col; a read without one fails. */
static int
has_col(struct db_stmt *st, int col)
{
	if (st->fail != PG_OK)
		return 0;
	if (!st->row || col < 0 || col >= PQnfields(st->res)) {
		note_message("a column read without a row");
		run_fail(st, PG_INTERNAL, "XX000");
		return 0;
	}
	return 1;
}

static int64_t
pg_int(struct db_stmt *st, int col)
{
	const char *v;

	if (!has_col(st, col) || PQgetisnull(st->res, st->cur, col))
		return 0;
	v = PQgetvalue(st->res, st->cur, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

/*
 * A float8 column: PostgreSQL writes the shortest text that reads back as
 * the same double (extra_float_digits 1, its default since version 12).
 */
static double
pg_real(struct db_stmt *st, int col)
{
	if (!has_col(st, col) || PQgetisnull(st->res, st->cur, col))
		return 0;
	return strtod(PQgetvalue(st->res, st->cur, col), NULL);
}

static int
pg_is_null(struct db_stmt *st, int col)
{
	return has_col(st, col) && PQgetisnull(st->res, st->cur, col);
}

static const char *
pg_text_view(struct db_stmt *st, int col)
{
	if (!has_col(st, col))
		return "";
	return PQgetvalue(st->res, st->cur, col);
}

static const char *
pg_text(struct db_stmt *st, struct arena *a, int col)
{
	const char *copy;

	if (!has_col(st, col))
		return NULL;
	copy = arena_strndup(a, PQgetvalue(st->res, st->cur, col),
	    (size_t)PQgetlength(st->res, st->cur, col));
	if (copy == NULL) {
		note_message("out of memory");
		run_fail(st, PG_INTERNAL, "53200");
	}
	return copy;
}

static int
pg_blob(struct db_stmt *st, int col, void *out, size_t n)
{
	unsigned char tmp[256];
	const char *v;
	size_t i;
	int hi, lo;

	if (st->fail != PG_OK || !st->row || col < 0 ||
	    col >= PQnfields(st->res) || PQgetisnull(st->res, st->cur, col) ||
	    PQftype(st->res, col) != PG_BYTEA_OID || n > sizeof(tmp))
		return -1;
	v = PQgetvalue(st->res, st->cur, col);
	if ((size_t)PQgetlength(st->res, st->cur, col) != 2 + 2 * n ||
	    v[0] != '\\' || v[1] != 'x')
		return -1;
	for (i = 0; i < n; i++) {
		if ((hi = text_hex_value(v[2 + 2 * i])) < 0 ||
		    (lo = text_hex_value(v[3 + 2 * i])) < 0)
			return -1;
		tmp[i] = (unsigned char)(hi << 4 | lo);
	}
	memcpy(out, tmp, n);
	return 0;
}

static enum err
pg_finish(struct db_stmt *st, const char *where)
{
	int dup = st->dup_ok && st->fail == PG_ERROR &&
	    strcmp(st->state, "23505") == 0;

	if (dup) {
		st->fail = PG_OK;	/* an answer, not a fault: no log */
		(void)run_end(st, where);
		return ERR_CONFLICT;
	}
	return run_end(st, where);
}

static int64_t
pg_last_id(void)
{
	return last_id;
}

static int64_t
pg_changes(void)
{
	return changes;
}

static int
pg_in_transaction(void)
{
	return conn != NULL && PQtransactionStatus(conn) != PQTRANS_IDLE &&
	    PQtransactionStatus(conn) != PQTRANS_UNKNOWN;
}

static void
pg_rollback(void)
{
	char state[6];

	if (pg_in_transaction())
		(void)pg_simple("ROLLBACK", 0, state);
}

static enum err
pg_begin(void)
{
	char state[6];
	int rc;

	if (!pg_ready()) {
		note_message("no connection to PostgreSQL");
		return pg_fail(PG_UNAVAILABLE, "08006", "begin");
	}
	if ((rc = pg_simple("BEGIN; SELECT pg_advisory_xact_lock("
	    PG_WRITERS_LOCK ")", 1, state)) != PG_OK) {
		pg_rollback();
		return pg_fail(rc, state, "begin");
	}
	return ERR_NONE;
}

static enum err
pg_commit(void)
{
	char state[6];
	int rc;

	if ((rc = pg_simple("COMMIT", 1, state)) == PG_OK)
		return ERR_NONE;
	pg_rollback();
	return pg_fail(rc, state, "commit");
}

static int
pg_migrate(char *err, size_t errsz)
{
	char state[6], v[16], at[24];
	const char *params[3];
	PGresult *res;
	int i, a, applied = 0, ok;

	if (pg_simple("CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version bigint PRIMARY KEY, name text NOT NULL, "
	    "applied_at bigint NOT NULL)", 0, state) != PG_OK)
		goto fail;
	for (i = 0; i < db_migrations_pg_n; i++) {
		/* One migrator at a time: the others wait, then find it done. */
		if (pg_simple("BEGIN; SELECT pg_advisory_xact_lock(7519)", 0,
		    state) != PG_OK)
			goto fail;
		if ((a = pg_migration_applied(db_migrations_pg[i].version)) < 0)
			goto fail_tx;
		if (a) {
			(void)pg_simple("ROLLBACK", 0, state);
			continue;
		}
		if (pg_simple(db_migrations_pg[i].sql, 0, state) != PG_OK)
			goto fail_tx;
		snprintf(v, sizeof(v), "%d", db_migrations_pg[i].version);
		snprintf(at, sizeof(at), "%lld", (long long)time(NULL));
		params[0] = v;
		params[1] = db_migrations_pg[i].name;
		params[2] = at;
		res = PQexecParams(conn, "INSERT INTO schema_migrations "
		    "(version, name, applied_at) VALUES ($1, $2, $3)", 3, NULL,
		    params, NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			note_message(PQresultErrorMessage(res));
		PQclear(res);
		if (!ok || pg_simple("COMMIT", 0, state) != PG_OK)
			goto fail_tx;
		applied++;
	}
	return applied;
fail_tx:
	snprintf(err, errsz, "migration %s failed: %s",
	    db_migrations_pg[i].name, lastmsg);
	pg_rollback();
	return -1;
fail:
	snprintf(err, errsz, "migrations failed: %s", lastmsg);
	return -1;
}

/* PostgreSQL checkpoints on its own. */
static void
pg_idle(void)
{
}

static int
pg_reset_busy(void)
{
	struct db_stmt *st;
	size_t i;
	int n = 0;

	for (i = 0; i < stmts_used.n; i++) {
		st = &stmts[stmts_used.list[i]];
		stmts_used.seen[stmts_used.list[i]] = 0;
		if (st->started && !st->ended) {
			log_event(LOG_ERROR, "statement_left_busy", NULL, "sql",
			    stmt_pg_sql[st->id], NULL);
			n++;
		} else if (st->fail != PG_OK)
			n++;
		(void)run_end(st, "unfinished");
	}
	stmts_used.n = 0;
	return n;
}

/*
 * The tokens of text as the search column makes them (quill_fold in
 * sql/postgresql/006_search.sql): asked of the server, so that a query
 * is split exactly as the index was.
 */
static int
pg_fts_tokenize(const char *text, int n, void *ctx,
    int (*tok)(void *ctx, const char *token, int len))
{
	PGresult *res;
	const char *param;
	char *copy;
	int i, rc = -1;

	if (n < 0 || !pg_ready() || (copy = malloc((size_t)n + 1)) == NULL)
		return -1;
	memcpy(copy, text, (size_t)n);
	copy[n] = '\0';
	param = copy;
	res = PQexecParams(conn, "SELECT t FROM regexp_split_to_table("
	    "quill_fold($1::text), ' ') AS t WHERE t <> ''", 1, NULL, &param,
	    NULL, NULL, 0);
	free(copy);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		rc = 0;
		for (i = 0; i < PQntuples(res); i++)
			if (tok(ctx, PQgetvalue(res, i, 0),
			    PQgetlength(res, i, 0)) != 0)
				break;
	} else
		note_message(PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

static int
pg_backup(const char *path, int busy_ms, char *err, size_t errsz)
{
	(void)path;
	(void)busy_ms;
	snprintf(err, errsz, "QUILL_DB is a PostgreSQL database: back it up "
	    "with pg_dump -Fc (docs/postgresql.md), not quillctl backup");
	return -1;
}

static int
pg_restore(const char *path, int busy_ms, char *err, size_t errsz)
{
	(void)path;
	(void)busy_ms;
	snprintf(err, errsz, "QUILL_DB is a PostgreSQL database: restore a "
	    "pg_dump with pg_restore (docs/postgresql.md), not quillctl "
	    "restore");
	return -1;
}

static const char *
pg_errmsg(void)
{
	return conn != NULL ? lastmsg : "no database is open";
}

static int
pg_engine_check(char *out, size_t outsz)
{
	int v = conn != NULL ? PQserverVersion(conn) : 0, l = PQlibVersion();

	if (v > 0)
		snprintf(out, outsz, "PostgreSQL %d.%d, libpq %d.%d", v / 10000,
		    v % 10000, l / 10000, l % 10000);
	else
		snprintf(out, outsz, "libpq %d.%d (PostgreSQL)", l / 10000,
		    l % 10000);
	return 0;
}

/* PostgreSQL's type oids that query turns into DBV_INT and DBV_BLOB. */
#define PG_BYTEA	17
#define PG_INT8		20
#define PG_INT2		21
#define PG_INT4		23

/* Column i of row r of res as a value; a bytea is unescaped into *blob. */
static void
pg_value(PGresult *res, int r, int i, struct db_value *v,
    unsigned char **blob)
{
	const char *t = PQgetvalue(res, r, i);
	Oid type = PQftype(res, i);
	size_t n;

	v->type = DBV_TEXT;
	v->i = 0;
	v->p = t;
	v->n = (size_t)PQgetlength(res, r, i);
	if (PQgetisnull(res, r, i)) {
		v->type = DBV_NULL;
		v->p = NULL;
		v->n = 0;
	} else if (type == PG_INT8 || type == PG_INT4 || type == PG_INT2) {
		v->type = DBV_INT;
		v->i = strtoll(t, NULL, 10);
	} else if (type == PG_BYTEA &&
	    (*blob = PQunescapeBytea((const unsigned char *)t, &n)) != NULL) {
		v->type = DBV_BLOB;
		v->p = *blob;
		v->n = n;
	}
}

static void
free_texts(char **texts, int n)
{
	while (n-- > 0)
		free(texts[n]);
}

static int
pg_query(const char *sql, int nparams, const struct db_value *params,
    db_row_fn row, void *ctx, char *err, size_t errsz)
{
	const char *vals[DB_QUERY_COLS] = { NULL };
	int lens[DB_QUERY_COLS] = { 0 }, fmts[DB_QUERY_COLS] = { 0 };
	char ints[DB_QUERY_COLS][24], *texts[DB_QUERY_COLS];
	struct db_value v[DB_QUERY_COLS];
	unsigned char *blobs[DB_QUERY_COLS];
	PGresult *res;
	int i, r, n, st, stop = 0;

	if (conn == NULL || nparams > DB_QUERY_COLS) {
		snprintf(err, errsz, conn == NULL ? "no PostgreSQL connection" :
		    "too many parameters");
		return -1;
	}
	for (i = 0; i < nparams; i++) {
		/* Blobs as their bytes; integers and text as text, which the
		 * server reads as the column's type, whatever it is. */
		texts[i] = NULL;
		vals[i] = params[i].p;
		lens[i] = (int)params[i].n;
		fmts[i] = params[i].type == DBV_BLOB;
		if (params[i].type == DBV_INT) {
			snprintf(ints[i], sizeof(ints[i]), "%lld",
			    (long long)params[i].i);
			vals[i] = ints[i];
		} else if (params[i].type == DBV_NULL)
			vals[i] = NULL;
		else if (params[i].type == DBV_TEXT) {
			if ((texts[i] = malloc(params[i].n + 1)) == NULL) {
				snprintf(err, errsz, "out of memory");
				free_texts(texts, i);
				return -1;
			}
			if (params[i].n > 0)
				memcpy(texts[i], params[i].p, params[i].n);
			texts[i][params[i].n] = '\0';
			vals[i] = texts[i];
		}
	}
	res = PQexecParams(conn, sql, nparams, NULL, vals, lens, fmts, 0);
	free_texts(texts, nparams);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		note_message(res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(conn));
		snprintf(err, errsz, "PostgreSQL: %s", lastmsg);
		PQclear(res);
		return -1;
	}
	if ((n = PQnfields(res)) > DB_QUERY_COLS) {
		snprintf(err, errsz, "too many columns");
		PQclear(res);
		return -1;
	}
	for (r = 0; row != NULL && !stop && r < PQntuples(res); r++) {
		for (i = 0; i < n; i++) {
			blobs[i] = NULL;
			pg_value(res, r, i, &v[i], &blobs[i]);
		}
		stop = row(ctx, n, v) != 0;
		for (i = 0; i < n; i++)
			PQfreemem(blobs[i]);
	}
	PQclear(res);
	if (stop) {
		snprintf(err, errsz, "stopped");
		return -1;
	}
	return 0;
}

/*
 * COPY ... FROM STDIN in text format: one line a row, its values
 * separated by tabs, NULL as \N, a backslash, tab, newline or carriage
 * return of a text escaped, a bytea as \\x and its hex.  Each value is
 * read by its column's type as a text parameter would be.
 */
static struct {
	char	*buf;
	size_t	 len, cap;
	int	 open;
} copy_in;

static int
copy_room(size_t more)
{
	char *p;
	size_t cap;

	if (copy_in.len + more <= copy_in.cap)
		return 0;
	for (cap = copy_in.cap ? copy_in.cap : 65536;
	    cap < copy_in.len + more; cap *= 2)
		;
	if ((p = realloc(copy_in.buf, cap)) == NULL)
		return -1;
	copy_in.buf = p;
	copy_in.cap = cap;
	return 0;
}

static int
copy_bytes(const char *p, size_t n)
{
	if (copy_room(n) == -1)
		return -1;
	memcpy(copy_in.buf + copy_in.len, p, n);
	copy_in.len += n;
	return 0;
}

/* Appends value v to the row; -1 when out of memory. */
static int
copy_value(const struct db_value *v)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *b = v->p;
	const char *e;
	char num[24], *o;
	size_t i;

	if (v->type == DBV_NULL)
		return copy_bytes("\\N", 2);
	if (v->type == DBV_INT)
		return copy_bytes(num, (size_t)snprintf(num, sizeof(num),
		    "%lld", (long long)v->i));
	if (copy_room(3 + 2 * v->n) == -1)
		return -1;
	o = copy_in.buf + copy_in.len;
	if (v->type == DBV_BLOB) {
		*o++ = '\\';
		*o++ = '\\';
		*o++ = 'x';
		for (i = 0; i < v->n; i++) {
			*o++ = hexd[b[i] >> 4];
			*o++ = hexd[b[i] & 15];
		}
	} else
		for (i = 0; i < v->n; i++) {
			e = b[i] == '\\' ? "\\\\" : b[i] == '\t' ? "\\t" :
			    b[i] == '\n' ? "\\n" : b[i] == '\r' ? "\\r" : NULL;
			if (e != NULL) {
				*o++ = e[0];
				*o++ = e[1];
			} else
				*o++ = (char)b[i];
		}
	copy_in.len = (size_t)(o - copy_in.buf);
	return 0;
}

int
db_pg_copy_begin(const char *sql, char *err, size_t errsz)
{
	PGresult *res;
	int st;

	if (conn == NULL || copy_in.open) {
		snprintf(err, errsz, conn == NULL ? "no PostgreSQL connection" :
		    "a COPY is under way");
		return -1;
	}
	res = PQexec(conn, sql);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COPY_IN) {
		note_message(res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(conn));
		snprintf(err, errsz, "PostgreSQL: %s", lastmsg);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	copy_in.open = 1;
	copy_in.len = 0;
	return 0;
}

int
db_pg_copy_row(int n, const struct db_value *v, char *err, size_t errsz)
{
	int i;

	if (!copy_in.open) {
		snprintf(err, errsz, "no COPY is under way");
		return -1;
	}
	copy_in.len = 0;
	for (i = 0; i < n; i++)
		if ((i > 0 && copy_bytes("\t", 1) == -1) ||
		    copy_value(&v[i]) == -1)
			break;
	if (i < n || copy_bytes("\n", 1) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (copy_in.len > INT_MAX ||
	    PQputCopyData(conn, copy_in.buf, (int)copy_in.len) != 1) {
		note_message(copy_in.len > INT_MAX ? "a row too long to copy" :
		    PQerrorMessage(conn));
		snprintf(err, errsz, "PostgreSQL: %s", lastmsg);
		return -1;
	}
	return 0;
}

int
db_pg_copy_end(int abandon, char *err, size_t errsz)
{
	PGresult *res;
	int rc = 0;

	if (!copy_in.open) {
		snprintf(err, errsz, "no COPY is under way");
		return -1;
	}
	copy_in.open = 0;
	free(copy_in.buf);
	memset(&copy_in, 0, sizeof(copy_in));
	if (PQputCopyEnd(conn, abandon ? "the copy was abandoned" : NULL) !=
	    1 || (res = pg_wait(0)) == NULL) {
		note_message(PQerrorMessage(conn));
		snprintf(err, errsz, "PostgreSQL: %s", lastmsg);
		return -1;
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		note_message(PQresultErrorMessage(res));
		snprintf(err, errsz, "PostgreSQL: %s", lastmsg);
		rc = -1;
	}
	PQclear(res);
	return abandon ? -1 : rc;
}

const struct db_engine db_engine_pg = {
	.name = "postgresql",
	.open = pg_open,
	.ready = pg_ready_schema,
	.compile = pg_compile,
	.confine = pg_confine,
	.close = pg_close,
	.prepare = pg_prepare,
	.bind_int = pg_bind_int,
	.params = pg_params,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.on_duplicate = pg_on_duplicate,
	.next = pg_next,
	.col_int = pg_int,
	.col_real = pg_real,
	.is_null = pg_is_null,
	.text = pg_text,
	.text_view = pg_text_view,
	.blob = pg_blob,
	.finish = pg_finish,
	.last_id = pg_last_id,
	.changes = pg_changes,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_transaction = pg_in_transaction,
	.reset_busy = pg_reset_busy,
	.idle = pg_idle,
	.schema_version = pg_schema_version,
	.schema_missing = pg_schema_missing,
	.migrate = pg_migrate,
	.fts_tokenize = pg_fts_tokenize,
	.backup = pg_backup,
	.restore = pg_restore,
	.errmsg = pg_errmsg,
	.engine_check = pg_engine_check,
	.query = pg_query,
};

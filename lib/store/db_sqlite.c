#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/db.h"
#include "store/db_engine.h"

/* Virtual-machine steps between two looks at the deadline. */
#define DB_PROGRESS_STEPS 1000

/*
 * A statement of the table and its run: the first failure (a SQLite result
 * code; SQLITE_OK while there is none), whether sq_next has returned its
 * last row or a failure, and whether a row is current.
 */
struct db_stmt {
	sqlite3_stmt	*s;
	int		 rc;
	int		 dup_ok;
	int		 ended;
	int		 row;
};

static sqlite3 *db;

static int sq_schema_version(void);
static void sq_rollback(void);
static struct db_stmt stmts[STMT__MAX];

/* The statements sq_prepare handed out since sq_reset_busy last looked. */
static struct {
	unsigned char	 seen[STMT__MAX];
	enum stmt	 list[STMT__MAX];
	size_t		 n;
} stmts_used;

/*
 * The writers' queue: an flock(2) on the database file, taken before BEGIN
 * IMMEDIATE and dropped after COMMIT or ROLLBACK.  SQLite's own lock can
 * only be polled (the busy handler sleeps and tries again), so under many
 * writers one could sleep through free moments while another took the
 * lock time after time: POST /posts at 16 concurrent clients had a p99 of
 * half a second.  The kernel wakes an flock waiter the moment the lock is
 * free.  SQLite locks with fcntl, which flock does not touch; the
 * descriptor stays open until sq_close (closing any descriptor of the file
 * would drop SQLite's fcntl locks).  A wait ends at the lock wait or the
 * deadline by a one-shot timer whose signal interrupts flock.
 */
static struct {
	int			 fd;		/* -1: no queue (":memory:") */
	int			 held;
	int			 timer_ok;
	timer_t			 timer;
} gate = { -1, 0, 0, 0 };

/*
 * The tokenizer of posts_fts, made once at start-up from the connection's
 * FTS5 module with the arguments the table declares (sql/006_search.sql),
 * so search text is split exactly as the index was.
 */
#define FTS_TOKENIZER	"unicode61"
static const char *const fts_args[] = { "remove_diacritics", "2" };
static struct {
	fts5_tokenizer	 api;
	Fts5Tokenizer	*tok;
} fts;

/* The lock wait (QUILL_BUSY_TIMEOUT_MS); the deadline is db.c's. */
static struct {
	long		 busy_ms;
	struct timespec	 busy_since;
} db_time;

/* Milliseconds from now until t; negative once t has passed. */
static long
ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(t->tv_sec - now.tv_sec) * 1000 +
	    (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* SQLite's progress handler: non-zero interrupts the statement. */
static int
db_progress(void *arg)
{
	(void)arg;
	long left;

	return db_deadline_left(&left) && left <= 0;
}

/*
 * SQLite's busy handler: sleeps as sqlite3_busy_timeout would, in steps
 * growing to 100 ms, until the lock wait or the deadline is over.
 */
static int
db_busy(void *arg, int count)
{
	static const long steps[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50,
	    100 };
	const int nsteps = (int)(sizeof(steps) / sizeof(steps[0]));
	long delay, left, dl;

	(void)arg;
	if (count == 0) {
		clock_gettime(CLOCK_MONOTONIC, &db_time.busy_since);
		metrics_count(MET_DB_BUSY_WAITS);
	}
	left = db_time.busy_ms + ms_until(&db_time.busy_since);
	if (db_deadline_left(&dl) && dl < left)
		left = dl;
	delay = steps[count < nsteps ? count : nsteps - 1];
	if (delay > left)
		delay = left;
	if (delay <= 0)
		return 0;
	sqlite3_sleep((int)delay);
	return 1;
}

/* The gate timer's signal: it only has to interrupt flock. */
static void
gate_on_timer(int sig)
{
	(void)sig;
}

/* Opens the writers' queue on the database file at path (best effort). */
static void
gate_open(const char *path)
{
	struct sigaction sa;
	struct sigevent ev;

	if ((gate.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = gate_on_timer;
	sigemptyset(&sa.sa_mask);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	gate.timer_ok = sigaction(SIGUSR2, &sa, NULL) == 0 &&
	    timer_create(CLOCK_MONOTONIC, &ev, &gate.timer) == 0;
}

static void
gate_close(void)
{
	if (gate.timer_ok)
		timer_delete(gate.timer);
	gate.timer_ok = 0;
	if (gate.fd != -1)
		close(gate.fd);
	gate.fd = -1;
	gate.held = 0;
}

/*
 * Takes the writers' queue, waiting at most the lock wait or until the
 * deadline: 0, or -1 when the wait ran out.
 */
static int
gate_enter(void)
{
	struct itimerspec its;
	long ms, dl;
	int rc;

	if (gate.fd == -1 || gate.held)
		return 0;
	if (flock(gate.fd, LOCK_EX | LOCK_NB) == 0) {
		gate.held = 1;
		return 0;
	}
	if (!gate.timer_ok)
		return 0;	/* SQLite's busy handler still waits */
	ms = db_time.busy_ms;
	if (db_deadline_left(&dl) && dl < ms)
		ms = dl;
	if (ms <= 0)
		return -1;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (ms % 1000) * 1000000L;
	timer_settime(gate.timer, 0, &its, NULL);
	rc = flock(gate.fd, LOCK_EX);
	memset(&its, 0, sizeof(its));
	timer_settime(gate.timer, 0, &its, NULL);
	if (rc == -1)
		return -1;
	gate.held = 1;
	return 0;
}

static void
gate_leave(void)
{
	if (!gate.held)
		return;
	flock(gate.fd, LOCK_UN);
	gate.held = 0;
}

/* A checkpoint is due (sq_wal_hook), for sq_idle. */
static int checkpoint_due;

/*
 * SQLite's WAL hook, after each commit, in place of its automatic
 * checkpoint (see db_idle).
 */
static int
sq_wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	(void)arg;
	if (pages >= 4 * DB_CHECKPOINT_PAGES)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	else if (pages >= DB_CHECKPOINT_PAGES)
		checkpoint_due = 1;
	return SQLITE_OK;
}

/*
 * The checkpoint a commit left due: PASSIVE, as SQLite's own, so it
 * copies what no reader still needs and never waits for a lock.
 */
static void
sq_idle(void)
{
	if (!checkpoint_due || db == NULL)
		return;
	checkpoint_due = 0;
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
}

/* Runs SQL with no results; returns the SQLite code. */
static int
db_exec(const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int
sq_open(const char *path, int create, int busy_ms, char *err, size_t errsz)
{
	static int configured;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	if (create)
		flags |= SQLITE_OPEN_CREATE;
	/*
	 * Each program is one thread with one connection: no memory
	 * statistics (a mutex and a count around every allocation) and no
	 * mutexes.  sqlite3_config only works before SQLite's first use.
	 */
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
		configured = 1;
	}
	if ((rc = sqlite3_open_v2(path, &db, flags, NULL)) != SQLITE_OK) {
		snprintf(err, errsz, "QUILL_DB: cannot open %s: %s%s", path,
		    sqlite3_errstr(rc), !create && access(path, F_OK) == -1 &&
		    errno == ENOENT ? " (quillctl init creates it)" : "");
		sqlite3_close(db);
		db = NULL;
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	db_time.busy_ms = busy_ms;
	sqlite3_busy_handler(db, db_busy, NULL);
	sqlite3_progress_handler(db, DB_PROGRESS_STEPS, db_progress, NULL);
	/*
	 * WAL lets readers run beside the one writer; synchronous=FULL keeps a
	 * committed revocation through a power cut; no mmap with several
	 * writer processes.  A page cache of 1 MiB, not SQLite's 2: the
	 * kernel caches the file for every process anyway, and under writes
	 * the larger cache filled and took posts.fcgi past its 8 MiB
	 * (docs/performance.md), at no gain in rate.
	 */
	if (db_exec("PRAGMA journal_mode=WAL") != SQLITE_OK ||
	    db_exec("PRAGMA synchronous=FULL") != SQLITE_OK ||
	    db_exec("PRAGMA foreign_keys=ON") != SQLITE_OK ||
	    db_exec("PRAGMA mmap_size=0") != SQLITE_OK ||
	    db_exec("PRAGMA cache_size=-1024") != SQLITE_OK) {
		snprintf(err, errsz, "QUILL_DB: cannot set up %s: %s", path,
		    sqlite3_errmsg(db));
		sqlite3_close(db);
		db = NULL;
		return -1;
	}
	sqlite3_wal_hook(db, sq_wal_hook, NULL);
	gate_open(path);
	return 0;
}


/* The schema version recorded in database h (0 for an empty one), or -1. */
static int
schema_version_of(sqlite3 *h)
{
	sqlite3_stmt *s;
	int v = -1, rc;

	rc = sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'schema_migrations'", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 0)
		v = 0;
	sqlite3_finalize(s);
	if (v == 0)
		return 0;
	if (sqlite3_prepare_v2(h, "SELECT coalesce(max(version), 0) FROM "
	    "schema_migrations", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* 1 when migration version is recorded, 0 when not, -1 on error. */
static int
db_migration_applied(int version)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations "
	    "WHERE version = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(s, 1, version);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int
sq_schema_missing(void)
{
	int i, n = 0, a;

	if (sq_schema_version() <= 0)
		return db_migrations_n;
	for (i = 0; i < db_migrations_n; i++) {
		if ((a = db_migration_applied(db_migrations[i].version)) < 0)
			return -1;
		n += !a;
	}
	return n;
}

static int
sq_schema_version(void)
{
	return schema_version_of(db);
}

/* Makes the tokenizer of posts_fts; -1 with a reason in err. */
static int
fts_open(char *err, size_t errsz)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	void *ud = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "SQLite has no FTS5: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	(void)sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL || api->iVersion < 2 ||
	    api->xFindTokenizer(api, FTS_TOKENIZER, &ud, &fts.api) !=
	    SQLITE_OK ||
	    fts.api.xCreate(ud, (const char **)fts_args,
	    (int)(sizeof(fts_args) / sizeof(fts_args[0])), &fts.tok) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "SQLite's FTS5 has no " FTS_TOKENIZER
		    " tokenizer");
		fts.tok = NULL;
		return -1;
	}
	return 0;
}

/* What sq_fts_tokenize passes through FTS5 to its callback. */
struct fts_walk {
	void	*ctx;
	int	(*tok)(void *, const char *, int);
};

/* FTS5's token callback: hands each token on. */
static int
fts_token(void *p, int flags, const char *token, int len, int start, int end)
{
	const struct fts_walk *w = p;

	(void)flags;
	(void)start;
	(void)end;
	return w->tok(w->ctx, token, len) != 0 ? SQLITE_DONE : SQLITE_OK;
}

static int
sq_fts_tokenize(const char *text, int n, void *ctx,
    int (*tok)(void *ctx, const char *token, int len))
{
	struct fts_walk w = { ctx, tok };
	int rc;

	if (fts.tok == NULL)
		return -1;
	rc = fts.api.xTokenize(fts.tok, &w, FTS5_TOKENIZE_QUERY, text, n,
	    fts_token);
	return rc == SQLITE_OK || rc == SQLITE_DONE ? 0 : -1;
}

static int
sq_ready(char *err, size_t errsz)
{
	int missing;

	if ((missing = sq_schema_missing()) != 0) {
		snprintf(err, errsz, "QUILL_DB: the database lacks %d of this "
		    "build's %d migrations: run quillctl migrate", missing,
		    db_migrations_n);
		return -1;
	}
	return fts.tok != NULL ? 0 : fts_open(err, errsz);
}

/* Prepares statement i unless it is; returns SQLite's result code. */
static int
stmt_compile(int i)
{
	if (stmts[i].s != NULL)
		return SQLITE_OK;
	return sqlite3_prepare_v3(db, stmt_sql[i], -1,
	    SQLITE_PREPARE_PERSISTENT, &stmts[i].s, NULL);
}

static int
sq_compile(enum stmt s, char *err, size_t errsz)
{
	if (stmt_compile(s) == SQLITE_OK)
		return 0;
	snprintf(err, errsz, "statement %d does not prepare: %s", (int)s,
	    sqlite3_errmsg(db));
	return -1;
}

static int
sq_confine(char *err, size_t errsz)
{
	unsigned char seed;

	if (db_exec("PRAGMA temp_store=MEMORY") != SQLITE_OK) {
		snprintf(err, errsz, "QUILL_DB: cannot keep temporary data in "
		    "memory: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_randomness(sizeof(seed), &seed);
	return 0;
}

static void
sq_close(void)
{
	int i;

	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(stmts[i].s);
	memset(stmts, 0, sizeof(stmts));
	memset(&stmts_used, 0, sizeof(stmts_used));
	if (fts.tok != NULL)
		fts.api.xDelete(fts.tok);
	fts.tok = NULL;
	if (db != NULL)
		sqlite3_close(db);
	db = NULL;
	gate_close();
}

/* Notes statement s as handed out, for sq_reset_busy. */
static void
stmt_noted(enum stmt s)
{
	if (!stmts_used.seen[s]) {
		stmts_used.seen[s] = 1;
		stmts_used.list[stmts_used.n++] = s;
	}
}

/*
 * Maps SQLite result code rc to an error as db.h describes, and logs it
 * with where and the engine's message.
 */
static enum err
db_fail(int rc, const char *where)
{
	char code[16];

	snprintf(code, sizeof(code), "%d", rc);
	/* The connection's message is of this failure only if its code is. */
	log_event(LOG_ERROR, "db_error", NULL, "where", where, "code", code,
	    "message", db != NULL && sqlite3_extended_errcode(db) == rc ?
	    sqlite3_errmsg(db) : sqlite3_errstr(rc), NULL);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
	case SQLITE_INTERRUPT:
		metrics_count(MET_DB_UNAVAILABLE);
		return ERR_UNAVAILABLE;
	default:
		return ERR_INTERNAL;
	}
}

/*
 * Ends the run of st: reports its failure, if any, naming where, and resets
 * it.  Returns ERR_NONE or the failure's error.
 */
static enum err
run_end(struct db_stmt *st, const char *where)
{
	enum err e = ERR_NONE;

	if (st->rc != SQLITE_OK)
		e = db_fail(st->rc, where);
	sqlite3_reset(st->s);
	st->rc = SQLITE_OK;
	st->dup_ok = 0;
	st->ended = 1;
	st->row = 0;
	return e;
}

/*
 * A statement is compiled on its first run in the process, so that a
 * program started for one request (plain CGI) compiles only what that
 * request runs; quillctl check compiles them all (db_prepare_all).  One
 * that does not compile fails its run, and is tried again on the next.
 */
static struct db_stmt *
sq_prepare(enum stmt s)
{
	struct db_stmt *st = &stmts[s];

	stmt_noted(s);
	(void)run_end(st, "unfinished");
	st->ended = 0;
	if (st->s != NULL)
		sqlite3_clear_bindings(st->s);
	else
		st->rc = db != NULL ? stmt_compile(s) : SQLITE_MISUSE;
	return st;
}

/* Remembers rc when it is the run's first failure. */
static void
run_fail(struct db_stmt *st, int rc)
{
	if (st->rc == SQLITE_OK && rc != SQLITE_OK)
		st->rc = rc;
}

static void
sq_bind_int(struct db_stmt *st, int i, int64_t v)
{
	if (st->rc == SQLITE_OK)
		run_fail(st, sqlite3_bind_int64(st->s, i, (sqlite3_int64)v));
}

/* Binds n bytes at p, as text or as a blob; NULL when p is. */
static void
bind_bytes(struct db_stmt *st, int i, const void *p, size_t n, int text)
{
	if (st->rc != SQLITE_OK)
		return;
	if (n > INT_MAX)
		run_fail(st, SQLITE_TOOBIG);
	else if (p == NULL)
		run_fail(st, sqlite3_bind_null(st->s, i));
	else if (text)
		run_fail(st, sqlite3_bind_text(st->s, i, p, (int)n,
		    SQLITE_STATIC));
	else
		run_fail(st, sqlite3_bind_blob(st->s, i, p, (int)n,
		    SQLITE_STATIC));
}

static void
sq_bind_text(struct db_stmt *st, int i, const char *s, size_t len)
{
	bind_bytes(st, i, s, len, 1);
}


static void
sq_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	bind_bytes(st, i, p, n, 0);
}

static int
sq_params(struct db_stmt *st)
{
	return st->s != NULL ? sqlite3_bind_parameter_count(st->s) : 0;
}

static void
sq_on_duplicate(struct db_stmt *st)
{
	st->dup_ok = 1;
}

static int
sq_next(struct db_stmt *st)
{
	int rc;

	st->row = 0;
	if (st->ended || st->rc != SQLITE_OK)
		return 0;
	if ((rc = sqlite3_step(st->s)) == SQLITE_ROW)
		return st->row = 1;
	st->ended = 1;
	if (rc != SQLITE_DONE)
		run_fail(st, rc);
	return 0;
}

/* 1 when st has a current row and has not failed; a read without a row fails. */
static int
has_row(struct db_stmt *st)
{
	if (st->rc != SQLITE_OK)
		return 0;
	if (!st->row)
		run_fail(st, SQLITE_MISUSE);
	return st->row;
}

static int64_t
sq_int(struct db_stmt *st, int col)
{
	return has_row(st) ? (int64_t)sqlite3_column_int64(st->s, col) : 0;
}

static double
sq_real(struct db_stmt *st, int col)
{
	return has_row(st) ? sqlite3_column_double(st->s, col) : 0;
}

static int
sq_is_null(struct db_stmt *st, int col)
{
	return has_row(st) && sqlite3_column_type(st->s, col) == SQLITE_NULL;
}

static const char *
sq_text_view(struct db_stmt *st, int col)
{
	const unsigned char *t;

	if (!has_row(st))
		return "";
	if ((t = sqlite3_column_text(st->s, col)) != NULL)
		return (const char *)t;
	/* NULL for a value that is not NULL: no memory to convert it. */
	if (sqlite3_column_type(st->s, col) != SQLITE_NULL)
		run_fail(st, SQLITE_NOMEM);
	return "";
}

static int
sq_blob(struct db_stmt *st, int col, void *out, size_t n)
{
	const void *p;

	if (!has_row(st) || sqlite3_column_type(st->s, col) != SQLITE_BLOB)
		return -1;
	p = sqlite3_column_blob(st->s, col);
	if ((size_t)sqlite3_column_bytes(st->s, col) != n || p == NULL)
		return -1;
	memcpy(out, p, n);
	return 0;
}

static const char *
sq_text(struct db_stmt *st, struct arena *a, int col)
{
	const char *t = sq_text_view(st, col), *copy;

	if (st->rc != SQLITE_OK || !st->row)
		return NULL;
	copy = arena_strndup(a, t, (size_t)sqlite3_column_bytes(st->s, col));
	if (copy == NULL)
		run_fail(st, SQLITE_NOMEM);
	return copy;
}

/* 1 when rc is a duplicate key. */
static int
is_duplicate(int rc)
{
	return rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

static enum err
sq_finish(struct db_stmt *st, const char *where)
{
	int dup = st->dup_ok && is_duplicate(st->rc);
	enum err e;

	if (dup)
		st->rc = SQLITE_OK;	/* an answer, not a fault: no log */
	e = run_end(st, where);
	return dup ? ERR_CONFLICT : e;
}


static int64_t
sq_last_id(void)
{
	return (int64_t)sqlite3_last_insert_rowid(db);
}

static int64_t
sq_changes(void)
{
	return (int64_t)sqlite3_changes(db);
}

static int
sq_in_transaction(void)
{
	return db != NULL && !sqlite3_get_autocommit(db);
}

static enum err
sq_begin(void)
{
	int rc, tries;

	/*
	 * The busy handler already waits up to the busy timeout; a few more
	 * rounds cover a writer that held the lock for longer.
	 */
	if (gate_enter() == -1) {
		log_event(LOG_ERROR, "db_error", NULL, "where", "begin", "code",
		    "5", "message", "the writers' queue stayed busy", NULL);
		metrics_count(MET_DB_UNAVAILABLE);
		return ERR_UNAVAILABLE;
	}
	for (tries = 0; tries < 3; tries++) {
		if (tries > 0)
			metrics_count(MET_DB_RETRIES);
		rc = db_exec("BEGIN IMMEDIATE");
		if (rc == SQLITE_OK)
			return ERR_NONE;
		if ((rc & 0xff) != SQLITE_BUSY)
			break;
	}
	gate_leave();
	return db_fail(rc, "begin");
}

static enum err
sq_commit(void)
{
	int rc;

	if ((rc = db_exec("COMMIT")) == SQLITE_OK) {
		gate_leave();
		return ERR_NONE;
	}
	sq_rollback();
	return db_fail(rc, "commit");
}

static void
sq_rollback(void)
{
	int on;

	if (db == NULL || sqlite3_get_autocommit(db)) {
		gate_leave();
		return;
	}
	/* However late, a rollback must run to its end. */
	on = db_deadline_hold();
	db_exec("ROLLBACK");
	db_deadline_restore(on);
	gate_leave();
}

/* 1 when a row's foreign key points at nothing, 0 if none, -1 on error. */
static int
sq_foreign_keys_broken(void)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int
sq_migrate(char *err, size_t errsz)
{
	int i, v, applied = 0;
	sqlite3_stmt *s;

	if (db_exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)") != SQLITE_OK)
		goto fail;
	/*
	 * Foreign keys off, as SQLite's way of changing a table asks: a
	 * migration that makes a table anew drops the old one, which would
	 * otherwise delete (ON DELETE CASCADE) every row that refers to it.
	 * They are checked before each commit instead.
	 */
	if (db_exec("PRAGMA foreign_keys=OFF") != SQLITE_OK)
		goto fail;
	for (i = 0; i < db_migrations_n; i++) {
		if (db_exec("BEGIN IMMEDIATE") != SQLITE_OK)
			goto fail;
		/*
		 * Read inside the transaction: another migrator may have won.
		 * Each migration is applied unless recorded, so one merged
		 * below the newest recorded version is applied too.
		 */
		if ((v = db_migration_applied(db_migrations[i].version)) < 0)
			goto fail_tx;
		if (v) {
			db_exec("ROLLBACK");
			continue;
		}
		if (db_exec(db_migrations[i].sql) != SQLITE_OK)
			goto fail_tx;
		if ((v = sq_foreign_keys_broken()) != 0) {
			if (v > 0)
				snprintf(err, errsz, "migration %s failed: it "
				    "leaves rows whose foreign keys point at "
				    "nothing", db_migrations[i].name);
			goto fail_fk;
		}
		if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations "
		    "(version, name, applied_at) VALUES (?, ?, ?)", -1, &s,
		    NULL) != SQLITE_OK)
			goto fail_tx;
		sqlite3_bind_int(s, 1, db_migrations[i].version);
		sqlite3_bind_text(s, 2, db_migrations[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			goto fail_tx;
		}
		sqlite3_finalize(s);
		if (db_exec("COMMIT") != SQLITE_OK)
			goto fail_tx;
		applied++;
	}
	if (db_exec("PRAGMA foreign_keys=ON") != SQLITE_OK)
		goto fail;
	return applied;
fail_tx:
	snprintf(err, errsz, "migration %s failed: %s", i < db_migrations_n ?
	    db_migrations[i].name : "?", sqlite3_errmsg(db));
fail_fk:
	db_exec("ROLLBACK");
	db_exec("PRAGMA foreign_keys=ON");
	return -1;
fail:
	snprintf(err, errsz, "migrations failed: %s", sqlite3_errmsg(db));
	db_exec("PRAGMA foreign_keys=ON");
	return -1;
}

static int
sq_reset_busy(void)
{
	struct db_stmt *st;
	size_t i;
	int n = 0;

	/* Only those handed out: a look at all of them cost more than the
	 * query of a GET. */
	for (i = 0; i < stmts_used.n; i++) {
		st = &stmts[stmts_used.list[i]];
		stmts_used.seen[stmts_used.list[i]] = 0;
		if (st->s != NULL && sqlite3_stmt_busy(st->s)) {
			log_event(LOG_ERROR, "statement_left_busy", NULL, "sql",
			    sqlite3_sql(st->s), NULL);
			n++;
		} else if (st->rc != SQLITE_OK)
			n++;
		(void)run_end(st, "unfinished");
	}
	stmts_used.n = 0;
	return n;
}


static const char *
sq_errmsg(void)
{
	return db != NULL ? sqlite3_errmsg(db) : "no database is open";
}

/* The first SQLite without the WAL-reset race of 3.7.0 to 3.51.2. */
#define SQLITE_WAL_RESET_FIXED 3051003

static int
sq_engine_check(char *out, size_t outsz)
{
	int fault = sqlite3_libversion_number() < SQLITE_WAL_RESET_FIXED;

	snprintf(out, outsz, "SQLite %s%s", sqlite3_libversion(), fault ?
	    " (before 3.51.3, SQLite has a rare WAL-reset race under "
	    "concurrent writes from several processes)" : "");
	return fault;
}

/* 1 when PRAGMA quick_check finds database h sound. */
static int
quick_check_ok(sqlite3 *h)
{
	sqlite3_stmt *s;
	int ok;

	if (sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &s, NULL) !=
	    SQLITE_OK)
		return 0;
	ok = sqlite3_step(s) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0 &&
	    sqlite3_step(s) == SQLITE_DONE;
	sqlite3_finalize(s);
	return ok;
}

/*
 * Copies database from into database to, page by page, as one read of
 * from: under WAL that read is a snapshot, so other processes keep writing
 * while it runs and the copy is the database as of its start.  (Copying in
 * several steps would restart whenever another process wrote in between.)
 * Waits out a busy destination for up to busy_ms.
 */
static int
copy_pages(sqlite3 *to, sqlite3 *from, int busy_ms)
{
	sqlite3_backup *b;
	int rc, waited = 0;

	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL)
		return sqlite3_errcode(to);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (waited >= busy_ms)
			break;
		sqlite3_sleep(20);
		waited += 20;
	}
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_errcode(to);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* fsync()s path (a file or a directory); -1 on failure. */
static int
sync_path(const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
sq_backup(const char *path, int busy_ms, char *err, size_t errsz)
{
	char tmp[1100], dir[1100];
	sqlite3 *to = NULL;
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errsz, "backup path too long: %s", path);
		return -1;
	}
	/* Created here, so that it is private from its first byte. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		snprintf(err, errsz, "cannot create %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	close(fd);
	if ((rc = sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL)) !=
	    SQLITE_OK || (rc = copy_pages(to, db, busy_ms)) != SQLITE_OK) {
		snprintf(err, errsz, "backup to %s failed: %s", path,
		    sqlite3_errstr(rc));
		goto fail;
	}
	/* One self-contained file: no -wal beside it when it is opened. */
	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) !=
	    SQLITE_OK || !quick_check_ok(to)) {
		snprintf(err, errsz, "the backup %s does not check out: %s",
		    path, sqlite3_errmsg(to));
		goto fail;
	}
	sqlite3_close(to);
	to = NULL;
	snprintf(dir, sizeof(dir), "%s", path);
	if (sync_path(tmp) == -1 || rename(tmp, path) == -1 ||
	    sync_path(dirname(dir)) == -1) {
		snprintf(err, errsz, "cannot put the backup at %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	return 0;
fail:
	sqlite3_close(to);
	unlink(tmp);
	return -1;
}

static int
sq_restore(const char *path, int busy_ms, char *err, size_t errsz)
{
	sqlite3 *from = NULL;
	int rc, v;

	if ((rc = sqlite3_open_v2(path, &from, SQLITE_OPEN_READONLY, NULL)) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "cannot open %s: %s", path,
		    sqlite3_errstr(rc));
		goto fail;
	}
	if (!quick_check_ok(from)) {
		snprintf(err, errsz, "%s is not a sound SQLite database: %s",
		    path, sqlite3_errmsg(from));
		goto fail;
	}
	if ((v = schema_version_of(from)) < 1 || v > db_schema_target()) {
		snprintf(err, errsz, "%s is not a Quill database this build can "
		    "use (schema version %d, this build knows up to %d)", path,
		    v, db_schema_target());
		goto fail;
	}
	if ((rc = copy_pages(db, from, busy_ms)) != SQLITE_OK) {
		snprintf(err, errsz, "restore from %s failed: %s", path,
		    sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_close(from);
	return 0;
fail:
	sqlite3_close(from);
	return -1;
}

static int
sq_query(const char *sql, int nparams, const struct db_value *params,
    db_row_fn row, void *ctx, char *err, size_t errsz)
{
	struct db_value v[DB_QUERY_COLS];
	sqlite3_stmt *s;
	int i, n, rc;

	if (db == NULL) {
		snprintf(err, errsz, "no SQLite database is open");
		return -1;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "SQLite: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (i = 0, rc = SQLITE_OK; i < nparams && rc == SQLITE_OK; i++) {
		const struct db_value *p = &params[i];

		if (p->type == DBV_INT)
			rc = sqlite3_bind_int64(s, i + 1, p->i);
		else if (p->type == DBV_TEXT)
			rc = sqlite3_bind_text64(s, i + 1, p->p, p->n,
			    SQLITE_STATIC, SQLITE_UTF8);
		else if (p->type == DBV_BLOB)
			rc = sqlite3_bind_blob64(s, i + 1, p->p, p->n,
			    SQLITE_STATIC);
	}
	if ((n = sqlite3_column_count(s)) > DB_QUERY_COLS)
		rc = SQLITE_TOOBIG;
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			v[i].type = DBV_NULL;
			v[i].i = 0;
			v[i].p = NULL;
			v[i].n = 0;
			switch (sqlite3_column_type(s, i)) {
			case SQLITE_INTEGER:
				v[i].type = DBV_INT;
				v[i].i = sqlite3_column_int64(s, i);
				break;
			case SQLITE_BLOB:
				v[i].type = DBV_BLOB;
				v[i].p = sqlite3_column_blob(s, i);
				v[i].n = (size_t)sqlite3_column_bytes(s, i);
				break;
			case SQLITE_NULL:
				break;
			default:	/* text, and a real as its text */
				v[i].type = DBV_TEXT;
				v[i].p = sqlite3_column_text(s, i);
				v[i].n = (size_t)sqlite3_column_bytes(s, i);
				break;
			}
		}
		if (row != NULL && row(ctx, n, v) != 0) {
			sqlite3_finalize(s);
			snprintf(err, errsz, "stopped");
			return -1;
		}
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "SQLite: %s", rc == SQLITE_TOOBIG ?
		    "too many columns" : sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

const struct db_engine db_engine_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.ready = sq_ready,
	.compile = sq_compile,
	.confine = sq_confine,
	.close = sq_close,
	.prepare = sq_prepare,
	.bind_int = sq_bind_int,
	.params = sq_params,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.on_duplicate = sq_on_duplicate,
	.next = sq_next,
	.col_int = sq_int,
	.col_real = sq_real,
	.is_null = sq_is_null,
	.text = sq_text,
	.text_view = sq_text_view,
	.blob = sq_blob,
	.finish = sq_finish,
	.last_id = sq_last_id,
	.changes = sq_changes,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_transaction = sq_in_transaction,
	.reset_busy = sq_reset_busy,
	.idle = sq_idle,
	.schema_version = sq_schema_version,
	.schema_missing = sq_schema_missing,
	.migrate = sq_migrate,
	.fts_tokenize = sq_fts_tokenize,
	.backup = sq_backup,
	.restore = sq_restore,
	.errmsg = sq_errmsg,
	.engine_check = sq_engine_check,
	.query = sq_query,
};

/*
 * db: the store's engine.  Store modules, app and quillctl reach the
 * database only through this header.  db.c hands each call to the engine
 * QUILL_DB names (db_engine.h): SQLite (db_sqlite.c, statements in
 * stmt.c) for a path, PostgreSQL (db_pg.c, statements in stmt_pg.c) for a
 * connection string.  Only an engine's file includes its library's header.
 *
 * One connection a process, opened after fork.  Every statement is named
 * by its enum stmt (stmt.h) and prepared on its first run in the process:
 * a program whose schema lacks a migration refuses to start rather than
 * fail on its first request, and quillctl check prepares every statement.
 *
 * A run of a statement is db_prepare, binds, db_next and the columns of
 * each row, then db_finish (or db_done for a statement that yields no
 * row).  Binds, steps and column copies never fail loudly: the first
 * failure of a run is remembered in the statement, every later call of the
 * run does nothing, and db_finish or db_done reports it once, logging the
 * engine's message with where (a "db_error" line; the message never
 * reaches a client) and returning its error:
 *   busy or locked, read-only, disk full, I/O, cannot open, and a statement
 *   interrupted at the deadline                           ERR_UNAVAILABLE
 *   a duplicate key (UNIQUE or PRIMARY KEY) in a run that called
 *   db_on_duplicate                              ERR_CONFLICT, not logged
 *   anything else (a misuse, a constraint, out of memory)    ERR_INTERNAL
 *
 * Time: a wait for a lock another process holds ends after the lock wait
 * (db_open's busy_ms) or at the deadline (db_deadline), whichever comes
 * first; a statement still running at the deadline is interrupted.  Both
 * fail as ERR_UNAVAILABLE.  A rollback runs to its end, however late.
 */
#ifndef QUILL_DB_H
#define QUILL_DB_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/stmt.h"

struct arena;
struct db_stmt;			/* one statement of the table, and its run */

/* One numbered migration, embedded from sql/NNN_name.sql at build time. */
struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct migration db_migrations[];
extern const int db_migrations_n;
/* The same migrations in PostgreSQL's dialect, from sql/postgresql/. */
extern const struct migration db_migrations_pg[];
extern const int db_migrations_pg_n;

/* The engine db_open chose (config_db_is_postgresql): "sqlite" or
 * "postgresql". */
const char *db_engine_name(void);

/*
 * Opens path (which must exist unless create is set), applies the pragmas
 * (WAL, foreign keys, synchronous=FULL) and sets the lock wait to busy_ms.
 * For PostgreSQL, path is the connection string (create is ignored: the
 * database is the operator's to create); a connection lost later is made
 * again at the next statement, which fails ERR_UNAVAILABLE until then.
 * Returns 0, or -1 with a reason in err (errsz bytes).
 */
int db_open(const char *path, int create, int busy_ms, char *err, size_t errsz);

/*
 * Sets the deadline of this process's database work ms milliseconds from
 * now (see the top of this file).  ms <= 0 lifts it.
 */
void db_deadline(long ms);

/*
 * Makes the open database ready for the statement table: fails (-1,
 * reason in err) when the schema is not at the version this build
 * expects, or the full-text tokenizer is missing.  Each statement is
 * prepared on its first db_prepare; one that does not prepare fails
 * that run (ERR_INTERNAL, logged).
 */
int db_ready(char *err, size_t errsz);

/*
 * db_ready, then prepares every statement of the statement table now,
 * failing (-1, reason in err) on the first that does not prepare: for
 * quillctl, which checks at deployment what the programs prepare as
 * they go.
 */
int db_prepare_all(char *err, size_t errsz);

/*
 * Makes the open connection need no file but the database's own (and its
 * -wal, -shm) from now on, for a program about to confine itself
 * (sandbox.h): temporary tables, indices and statement journals stay in
 * memory, and SQLite's random numbers are seeded now (later the seeding
 * would open /dev/urandom).  Returns 0, or -1 with a reason in err.
 */
int db_confine(char *err, size_t errsz);

/* Closes the connection and finalises every statement. */
void db_close(void);

/* 1 when the database answers a trivial query. */
int db_ping(void);

/*
 * Statement s for a new run: reset, every parameter unbound, no failure
 * remembered.  A run of s left unfinished is ended first, and logged when
 * its failure was never reported.  Needs db_ready.
 */
struct db_stmt *db_prepare(enum stmt s);

/*
 * Parameter i (1-based) of the run.  Values are not copied: text and blobs
 * must stay in place, unchanged, until the run's db_finish or db_done.  A
 * parameter left unbound is NULL, and so is text or a blob at p == NULL.
 * A length the engine cannot take (over INT_MAX bytes) or an index the
 * statement does not have is the run's failure (ERR_INTERNAL).
 */
void	 db_bind_int(struct db_stmt *st, int i, int64_t v);
void	 db_bind_text(struct db_stmt *st, int i, const char *s, size_t len);
void	 db_bind_str(struct db_stmt *st, int i, const char *s);
void	 db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);

/* The parameters st's statement takes on this engine (its highest index). */
int	 db_params(struct db_stmt *st);

/*
 * Announces that a duplicate key is an answer of this run, not a fault:
 * db_finish returns ERR_CONFLICT for it, and logs nothing.  The row is not
 * written; a transaction the run is in stays open and usable.
 */
void	 db_on_duplicate(struct db_stmt *st);

/*
 * Steps the run: 1 when a row is ready, 0 when there are no more rows or
 * the run has failed (db_finish tells which).  After 0, db_next stays 0.
 */
int	 db_next(struct db_stmt *st);

/*
 * Columns of the current row, 0-based.  Integers are 0 for NULL; text is
 * "" for NULL.  Without a current row (db_next did not return 1) each
 * returns 0 or "" and the run fails (ERR_INTERNAL).
 */
int64_t	 db_int(struct db_stmt *st, int col);
/* A floating-point column, exactly as the engine holds it; 0 for NULL. */
double	 db_real(struct db_stmt *st, int col);
int	 db_is_null(struct db_stmt *st, int col);
/* A copy in a, which lives as long as a; NULL without memory (the run
 * fails too). */
const char *db_text(struct db_stmt *st, struct arena *a, int col);
/* The text in place, valid until the run's next db_next, db_finish or
 * db_done: for a column read and dropped, such as a name to parse. */
const char *db_text_view(struct db_stmt *st, int col);
/*
 * Copies a blob column of exactly n bytes into out: 0, or -1 (out left as
 * it was) when the value is NULL, not a blob, or of another length, which
 * is the caller's to judge, not a failure of the run.
 */
int	 db_blob(struct db_stmt *st, int col, void *out, size_t n);

/*
 * Ends the run: the statement is reset, so the rows it was reading are
 * released (an unfinished read would keep this process on an old snapshot
 * and hold back checkpoints).  Returns ERR_NONE or the run's first
 * failure, logged naming where (see the top of this file).
 */
enum err db_finish(struct db_stmt *st, const char *where);

/* Runs a statement to its end, dropping any row, then db_finish. */
enum err db_done(struct db_stmt *st, const char *where);

/* The id the last successful INSERT made on this connection. */
int64_t	 db_last_id(void);

/* The rows the last finished INSERT, UPDATE or DELETE changed. */
int64_t	 db_changes(void);

/*
 * Write transactions.  Only lib/web/app.c and tools/quillctl.c open and
 * end them (make lint); the store modules run inside.  db_begin waits in
 * the writers' queue, then takes the write lock (BEGIN IMMEDIATE):
 * ERR_UNAVAILABLE when either stays busy past the lock wait or the
 * deadline.  db_commit: ERR_NONE, or the transaction is rolled back and
 * the failure returned.  db_rollback runs past the deadline and does
 * nothing without a transaction.
 */
enum err db_begin(void);
enum err db_commit(void);
void	 db_rollback(void);

/* 1 when a transaction is open on this connection. */
int	 db_in_transaction(void);

/*
 * Ends every run since the last call that was left unfinished: one still
 * reading rows (which holds a read transaction open until reset, so this
 * process would keep seeing the database as it was and block
 * checkpoints), or one whose failure was never reported.  Returns how
 * many there were; each is logged, as it is a bug of its caller.
 */
int db_reset_busy(void);

/*
 * Work the database leaves until a request has been answered, for the
 * programs to call between requests: SQLite's checkpoint of its WAL into
 * the database file, due once a commit has left DB_CHECKPOINT_PAGES
 * pages in the WAL.  Run inside the commit, as SQLite would, it kept the
 * committing client waiting and the writers' queue closed for its
 * length.  A WAL that reaches four times that is checkpointed by the
 * commit itself, for a process that never calls this (quillctl).
 */
#define DB_CHECKPOINT_PAGES 1000
void db_idle(void);

/* The schema version recorded in the database (0 for an empty one), or -1. */
int db_schema_version(void);

/* How many embedded migrations the database has not recorded, or -1. */
int db_schema_missing(void);

/* The version the newest embedded migration brings the schema to. */
int db_schema_target(void);

/*
 * Applies every embedded migration the database has not recorded, in order,
 * each in its own transaction, recording it in schema_migrations.  Returns the
 * number applied, or -1 with a reason in err.
 */
int db_migrate(char *err, size_t errsz);

/*
 * Splits n bytes of text into the tokens the full-text index of posts
 * makes of text (FTS5's unicode61 with remove_diacritics 2, as
 * sql/006_search.sql declares posts_fts): folded to lowercase, without
 * diacritics, split at every character that is not a letter or digit.
 * Calls tok(ctx, token, length) for each in order; a non-zero return
 * stops the walk.  Returns 0, or -1 when the tokenizer failed.  Needs
 * db_ready.
 */
int db_fts_tokenize(const char *text, int n, void *ctx,
    int (*tok)(void *ctx, const char *token, int len));

/*
 * Writes a consistent copy of the open database to path while other
 * processes go on reading and writing (they are never blocked): the copy is
 * made in a private file (mode 0600) beside path, checked, synced and
 * renamed over path.  Returns 0, or -1 with a reason in err.
 */
int db_backup(const char *path, int busy_ms, char *err, size_t errsz);

/*
 * Replaces the contents of the open database with the database file at
 * path (a db_backup copy), after checking that it is sound and not newer
 * than this build, in one write transaction: other processes see the old
 * data or the restored data, never a mix.  The caller migrates it after.
 * Returns 0, or -1 with a reason in err.
 */
int db_restore(const char *path, int busy_ms, char *err, size_t errsz);

/*
 * For each table db_copy_to copied: its name, its rows in the source and in
 * the target, the source's digest (hex), and 1 when the target's count and
 * digest are the same.
 */
typedef void (*db_copy_fn)(void *ctx, const char *table, int64_t rows,
    int64_t target_rows, const char *digest, int same);

/*
 * Copies every table of the open SQLite database into the empty
 * PostgreSQL database target (a connection string), which it migrates
 * first: the source is read in one read transaction, so the programs go on
 * serving it, and the target is written in one transaction.  Then counts
 * and digests every table on both sides, calling each for every table.
 * Refuses a target with rows or with tables of its own.  Returns 0 when
 * every table matches, or -1 with a reason in err.
 */
int db_copy_to(const char *target, int busy_ms, db_copy_fn each, void *ctx,
    char *err, size_t errsz);

/*
 * For operators (quillctl), never for clients: the engine's message about
 * the last failure db_finish or db_done reported, until the next call.
 */
const char *db_errmsg(void);

/*
 * Writes the engine's name and version into out ("SQLite 3.40.1"), and
 * when that version has a known fault, the fault and the version that
 * fixes it, in parentheses.  Returns 1 when it names a fault, else 0.
 */
int db_engine_check(char *out, size_t outsz);

#endif

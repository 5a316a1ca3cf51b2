/*
 * db: the SQLite connection of this process, its pragmas, the statement
 * table prepared once at start-up, write transactions and migrations.
 * Only this module opens the database or sets pragmas.
 */
#ifndef QUILL_DB_H
#define QUILL_DB_H

#include <stddef.h>
#include <sqlite3.h>

#include "base/error.h"
#include "store/stmt.h"

struct arena;

/* One numbered migration, embedded from sql/NNN_name.sql at build time. */
struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct migration db_migrations[];
extern const int db_migrations_n;

/*
 * Opens path (which must exist unless create is set), applies the pragmas
 * (WAL, foreign keys, synchronous=FULL) and waits up to busy_ms for a lock
 * another process holds.  Returns 0, or -1 with a reason in err (errsz
 * bytes).
 */
int db_open(const char *path, int create, int busy_ms, char *err, size_t errsz);

/*
 * Sets the deadline of this process's database work ms milliseconds from
 * now: a statement still running then is interrupted, and a wait for a lock
 * ends; both fail as ERR_UNAVAILABLE (db_fail), and a rollback still runs.
 * ms <= 0 lifts the deadline.
 */
void db_deadline(long ms);

/*
 * Prepares every statement of the statement table.  Fails (-1, reason in
 * err) when the schema is not at the version this build expects, so a
 * program refuses to start rather than fail on its first request.
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

/* The raw handle, for quillctl's backup and checks. */
sqlite3 *db_handle(void);

/* The statement s, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(enum stmt s);

/*
 * Runs s, a statement that returns no rows, and resets it: ERR_NONE, or
 * db_fail's error naming where.
 */
enum err db_step_done(sqlite3_stmt *s, const char *where);

/* BEGIN IMMEDIATE; ERR_UNAVAILABLE when the database stays busy. */
enum err db_begin(void);

/* COMMIT; on failure the transaction is rolled back. */
enum err db_commit(void);

/* ROLLBACK, when a transaction is open. */
void db_rollback(void);

/*
 * Ends the open transaction by the outcome e of its work: commits when e is
 * ERR_NONE (and returns the commit's result), else rolls back and returns e.
 */
enum err db_end(enum err e);

/*
 * Maps a SQLite result code to an error: BUSY and LOCKED, READONLY, FULL,
 * IOERR, CANTOPEN and INTERRUPT (the deadline) are ERR_UNAVAILABLE,
 * anything else ERR_INTERNAL.
 * Logs the SQLite message, which never reaches a client.
 */
enum err db_fail(int rc, const char *where);

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

/* A copy in the arena of text column col of s's row ("" for NULL), or NULL. */
const char *db_column_text(struct arena *a, sqlite3_stmt *s, int col);

/*
 * Resets every statement db_stmt handed out since the last call that is
 * still stepping (one whose last row was not read to the end): until
 * reset, it holds a read transaction, so this process would keep seeing
 * the database as it was and block checkpoints.  Returns how many there
 * were; each is logged, as it is a bug of its caller.
 */
int db_reset_busy(void);

/*
 * Splits n bytes of text into the tokens the full-text index of posts
 * makes of text (FTS5's unicode61 with remove_diacritics 2, as
 * sql/006_search.sql declares posts_fts): folded to lowercase, without
 * diacritics, split at every character that is not a letter or digit.
 * Calls tok(ctx, token, length) for each in order; a non-zero return
 * stops the walk.  Returns 0, or -1 when the tokenizer failed.  Needs
 * db_prepare_all.
 */
int db_fts_tokenize(const char *text, int n, void *ctx,
    int (*tok)(void *ctx, const char *token, int len));

/* 1 when the database answers a trivial query. */
int db_ping(void);

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

#endif

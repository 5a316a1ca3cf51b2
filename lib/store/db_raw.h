/*
 * db_raw: the engine's own handles, for the store modules not yet moved
 * onto db.h.  Each module that moves includes db.h instead.
 */
#ifndef QUILL_DB_RAW_H
#define QUILL_DB_RAW_H

#include <sqlite3.h>

#include "store/db.h"

/* The connection. */
sqlite3 *db_handle(void);

/* The statement s, reset and with its bindings cleared (db_prepare). */
sqlite3_stmt *db_stmt(enum stmt s);

/*
 * Runs s, a statement that returns no rows, and resets it: ERR_NONE, or
 * db_fail's error naming where.
 */
enum err db_step_done(sqlite3_stmt *s, const char *where);

/*
 * Maps a SQLite result code to an error as db.h describes, logging the
 * engine's message with where.
 */
enum err db_fail(int rc, const char *where);

/* A copy in the arena of text column col of s's row ("" for NULL), or NULL. */
const char *db_column_text(struct arena *a, sqlite3_stmt *s, int col);

#endif

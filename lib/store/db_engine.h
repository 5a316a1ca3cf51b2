/*
 * db_engine: what an engine file (db_sqlite.c, db_pg.c) gives db.c, which
 * picks one by QUILL_DB and hands every call of db.h to it.  Each member
 * promises what the db.h function of the same name promises; struct
 * db_stmt is the engine's own, never looked into outside its file.
 */
#ifndef QUILL_DB_ENGINE_H
#define QUILL_DB_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/stmt.h"

struct arena;
struct db_stmt;

/* A value of a row or a parameter of db_engine's query. */
enum db_type { DBV_NULL, DBV_INT, DBV_TEXT, DBV_BLOB };
struct db_value {
	enum db_type	 type;
	int64_t		 i;	/* DBV_INT */
	const void	*p;	/* DBV_TEXT, DBV_BLOB: n bytes */
	size_t		 n;
};

/* The most columns a row of query has. */
#define DB_QUERY_COLS	32

/*
 * A row of query: 0 goes on, anything else stops the query, which then
 * fails.  The values are valid during the call only.
 */
typedef int (*db_row_fn)(void *ctx, int ncol, const struct db_value *v);

struct db_engine {
	const char	*name;
	int	(*open)(const char *, int, int, char *, size_t);
	int	(*ready)(char *, size_t);
	/* Prepares one statement now, unless it is. */
	int	(*compile)(enum stmt, char *, size_t);
	int	(*confine)(char *, size_t);
	void	(*close)(void);
	struct db_stmt *(*prepare)(enum stmt);
	void	(*bind_int)(struct db_stmt *, int, int64_t);
	void	(*bind_text)(struct db_stmt *, int, const char *, size_t);
	void	(*bind_blob)(struct db_stmt *, int, const void *, size_t);
	int	(*params)(struct db_stmt *);
	void	(*on_duplicate)(struct db_stmt *);
	int	(*next)(struct db_stmt *);
	int64_t	(*col_int)(struct db_stmt *, int);
	double	(*col_real)(struct db_stmt *, int);
	int	(*is_null)(struct db_stmt *, int);
	const char *(*text)(struct db_stmt *, struct arena *, int);
	const char *(*text_view)(struct db_stmt *, int);
	int	(*blob)(struct db_stmt *, int, void *, size_t);
	enum err (*finish)(struct db_stmt *, const char *);
	int64_t	(*last_id)(void);
	int64_t	(*changes)(void);
	enum err (*begin)(void);
	enum err (*commit)(void);
	void	(*rollback)(void);
	int	(*in_transaction)(void);
	int	(*reset_busy)(void);
	void	(*idle)(void);
	int	(*schema_version)(void);
	int	(*schema_missing)(void);
	int	(*migrate)(char *, size_t);
	int	(*fts_tokenize)(const char *, int, void *,
		    int (*)(void *, const char *, int));
	int	(*backup)(const char *, int, char *, size_t);
	int	(*restore)(const char *, int, char *, size_t);
	const char *(*errmsg)(void);
	int	(*engine_check)(char *, size_t);
	/*
	 * Runs sql, any statement of the engine's dialect, with nparams
	 * parameters, on the engine's own connection (open or not for
	 * db.c), calling row (if not NULL) for each row: for what walks
	 * every table, such as db_copy_to, not for the programs.  Text comes
	 * as the engine keeps it (a PostgreSQL bytea as DBV_BLOB, an
	 * integer type as DBV_INT).  Returns 0, or -1 with a reason in err.
	 */
	int	(*query)(const char *sql, int nparams,
		    const struct db_value *params, db_row_fn row, void *ctx,
		    char *err, size_t errsz);
};

/*
 * The deadline db_deadline set: 1 with the milliseconds left in *left
 * (0 or less once it has passed), or 0 when there is none.
 */
int	 db_deadline_left(long *left);

/* Lifts the deadline (for a rollback, which runs to its end), returning
 * what db_deadline_restore puts back. */
int	 db_deadline_hold(void);
void	 db_deadline_restore(int held);

/*
 * A bulk load of one table on db_engine_pg's connection, for what fills a
 * whole database (db_copy_to): db_pg_copy_begin runs sql, a COPY ... FROM
 * STDIN; db_pg_copy_row sends one row, its values in the COPY's column
 * order (each read by its column's type as a text parameter of query
 * would be, a DBV_BLOB as a bytea); db_pg_copy_end ends the COPY, or
 * with abandon set makes it fail (and the transaction with it, returning
 * -1).  Each returns 0, or -1 with a reason in err; after a failed
 * db_pg_copy_row, db_pg_copy_end(1, ...) must still be called.
 */
int	 db_pg_copy_begin(const char *sql, char *err, size_t errsz);
int	 db_pg_copy_row(int n, const struct db_value *v, char *err,
	    size_t errsz);
int	 db_pg_copy_end(int abandon, char *err, size_t errsz);

extern const struct db_engine db_engine_sqlite;
extern const struct db_engine db_engine_pg;

#endif

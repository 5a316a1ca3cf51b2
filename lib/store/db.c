#include <string.h>
#include <time.h>

#include "base/config.h"
#include "store/db.h"
#include "store/db_engine.h"

/*
 * The engine QUILL_DB names, chosen by db_open; SQLite until then, so that
 * a call before db_open finds no open database, as it always did.
 */
static const struct db_engine *eng = &db_engine_sqlite;

const char *
db_engine_name(void)
{
	return eng->name;
}

int
db_open(const char *path, int create, int busy_ms, char *err, size_t errsz)
{
	eng = config_db_is_postgresql(path) ? &db_engine_pg : &db_engine_sqlite;
	return eng->open(path, create, busy_ms, err, errsz);
}

/* The deadline of this process's database work (db_deadline). */
static struct {
	struct timespec	 at;
	int		 on;
} deadline;

void
db_deadline(long ms)
{
	if (ms <= 0) {
		deadline.on = 0;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline.at);
	deadline.at.tv_sec += ms / 1000;
	deadline.at.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.at.tv_nsec >= 1000000000L) {
		deadline.at.tv_sec++;
		deadline.at.tv_nsec -= 1000000000L;
	}
	deadline.on = 1;
}

int
db_deadline_left(long *left)
{
	struct timespec now;

	if (!deadline.on)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	*left = (long)(deadline.at.tv_sec - now.tv_sec) * 1000 +
	    (deadline.at.tv_nsec - now.tv_nsec) / 1000000;
	return 1;
}

int
db_deadline_hold(void)
{
	int on = deadline.on;

	deadline.on = 0;
	return on;
}

void
db_deadline_restore(int held)
{
	deadline.on = held;
}
int db_ready(char *err, size_t errsz) { return eng->ready(err, errsz); }

int
db_prepare_all(char *err, size_t errsz)
{
	int i;

	if (eng->ready(err, errsz) == -1)
		return -1;
	for (i = 0; i < STMT__MAX; i++)
		if (eng->compile((enum stmt)i, err, errsz) == -1)
			return -1;
	return 0;
}

int db_confine(char *err, size_t errsz) { return eng->confine(err, errsz); }
void db_close(void) { eng->close(); }
struct db_stmt *db_prepare(enum stmt s) { return eng->prepare(s); }

void
db_bind_int(struct db_stmt *st, int i, int64_t v)
{
	eng->bind_int(st, i, v);
}

void
db_bind_text(struct db_stmt *st, int i, const char *s, size_t len)
{
	eng->bind_text(st, i, s, len);
}

void
db_bind_str(struct db_stmt *st, int i, const char *s)
{
	eng->bind_text(st, i, s, s != NULL ? strlen(s) : 0);
}

void
db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	eng->bind_blob(st, i, p, n);
}

int
db_params(struct db_stmt *st)
{
	return eng->params(st);
}

void db_on_duplicate(struct db_stmt *st) { eng->on_duplicate(st); }
int db_next(struct db_stmt *st) { return eng->next(st); }
int64_t db_int(struct db_stmt *st, int col) { return eng->col_int(st, col); }
double db_real(struct db_stmt *st, int col) { return eng->col_real(st, col); }
int db_is_null(struct db_stmt *st, int col) { return eng->is_null(st, col); }

const char *
db_text(struct db_stmt *st, struct arena *a, int col)
{
	return eng->text(st, a, col);
}

const char *
db_text_view(struct db_stmt *st, int col)
{
	return eng->text_view(st, col);
}

int
db_blob(struct db_stmt *st, int col, void *out, size_t n)
{
	return eng->blob(st, col, out, n);
}

enum err
db_finish(struct db_stmt *st, const char *where)
{
	return eng->finish(st, where);
}

enum err
db_done(struct db_stmt *st, const char *where)
{
	while (db_next(st))
		;
	return db_finish(st, where);
}

int
db_ping(void)
{
	struct db_stmt *st = db_prepare(STMT_PING);
	int ok = db_next(st);

	return db_finish(st, "ping") == ERR_NONE && ok;
}

int64_t db_last_id(void) { return eng->last_id(); }
int64_t db_changes(void) { return eng->changes(); }
enum err db_begin(void) { return eng->begin(); }
enum err db_commit(void) { return eng->commit(); }
void db_rollback(void) { eng->rollback(); }
int db_in_transaction(void) { return eng->in_transaction(); }
int db_reset_busy(void) { return eng->reset_busy(); }
void db_idle(void) { eng->idle(); }
int db_schema_version(void) { return eng->schema_version(); }
int db_schema_missing(void) { return eng->schema_missing(); }

int
db_schema_target(void)
{
	const struct migration *m = eng == &db_engine_pg ? db_migrations_pg :
	    db_migrations;
	int n = eng == &db_engine_pg ? db_migrations_pg_n : db_migrations_n;

	return n > 0 ? m[n - 1].version : 0;
}

int db_migrate(char *err, size_t errsz) { return eng->migrate(err, errsz); }

int
db_fts_tokenize(const char *text, int n, void *ctx,
    int (*tok)(void *ctx, const char *token, int len))
{
	return eng->fts_tokenize(text, n, ctx, tok);
}

int
db_backup(const char *path, int busy_ms, char *err, size_t errsz)
{
	return eng->backup(path, busy_ms, err, errsz);
}

int
db_restore(const char *path, int busy_ms, char *err, size_t errsz)
{
	return eng->restore(path, busy_ms, err, errsz);
}

const char *db_errmsg(void) { return eng->errmsg(); }
int db_engine_check(char *out, size_t outsz) { return eng->engine_check(out, outsz); }

/*
 * db_copy_to: the open SQLite database, every table, into an empty
 * PostgreSQL database, which it migrates first; then a count and a digest
 * of every table on both sides.  It reads the source in one read
 * transaction (a consistent snapshot, the programs go on serving) and
 * writes the target in one transaction, each table with one COPY ... FROM
 * STDIN (a stream of rows, not a statement a row).  Both engines' own
 * connections are used side by side (db_engine.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "store/db.h"
#include "store/db_engine.h"

#define MAX_TABLES	64
#define NAME_MAX_LEN	64

struct table {
	char		 name[NAME_MAX_LEN];
	char		 cols[DB_QUERY_COLS][NAME_MAX_LEN];
	int		 ncols;		/* the columns the digest covers */
	unsigned char	 copied[DB_QUERY_COLS];	/* not generated: inserted */
	unsigned char	 identity[DB_QUERY_COLS];	/* numbered by a sequence */
	int		 done;		/* in the copy order */
};

struct tables {
	struct table	 t[MAX_TABLES];
	int		 n;
};

/* The digest of a table: the sum of its rows' hashes, whatever their
 * order (the two engines need not walk a table alike). */
struct digest {
	unsigned char	 sum[32];
	int64_t		 rows;
};

static const struct db_engine *const src = &db_engine_sqlite;
static const struct db_engine *const dst = &db_engine_pg;

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* A name a catalog gave: kept when it needs no quoting of its own. */
static int
plain_name(const struct db_value *v)
{
	size_t i;

	if (v->type != DBV_TEXT || v->n == 0 || v->n >= NAME_MAX_LEN)
		return 0;
	for (i = 0; i < v->n; i++)
		if (((const char *)v->p)[i] == '"')
			return 0;
	return 1;
}

static void
copy_name(char *to, const struct db_value *v)
{
	memcpy(to, v->p, v->n);
	to[v->n] = '\0';
}

static struct table *
find(struct tables *ts, const char *name)
{
	int i;

	for (i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].name, name) == 0)
			return &ts->t[i];
	return NULL;
}

/* A table name of a catalog query into ts (schema_migrations left out). */
static int
add_table(void *ctx, int n, const struct db_value *v)
{
	struct tables *ts = ctx;

	if (n < 1 || !plain_name(&v[0]) || ts->n == MAX_TABLES)
		return -1;
	copy_name(ts->t[ts->n].name, &v[0]);
	if (strcmp(ts->t[ts->n].name, "schema_migrations") != 0)
		ts->n++;
	return 0;
}

/* A column of the target's table: name, generated, type, identity. */
static int
add_column(void *ctx, int n, const struct db_value *v)
{
	struct table *t = ctx;

	if (n < 4 || !plain_name(&v[0]) || t->ncols == DB_QUERY_COLS)
		return -1;
	/*
	 * The search's columns (the tsvector fts, the token count fts_size)
	 * are made from the row, not copied.
	 */
	if (v[1].type == DBV_INT && v[1].i != 0 && v[0].type == DBV_TEXT &&
	    v[0].n >= 3 && memcmp(v[0].p, "fts", 3) == 0)
		return 0;
	copy_name(t->cols[t->ncols], &v[0]);
	t->copied[t->ncols] = v[1].type == DBV_INT && v[1].i == 0;
	t->identity[t->ncols] = v[3].type == DBV_INT && v[3].i != 0;
	t->ncols++;
	return 0;
}

/* A column of the source's table: it must be one the target has. */
struct src_cols {
	const struct table *t;
	char		 missing[NAME_MAX_LEN];
	int		 n;
};

static int
check_column(void *ctx, int n, const struct db_value *v)
{
	struct src_cols *c = ctx;
	int i;

	if (n < 1 || !plain_name(&v[0]))
		return -1;
	c->n++;
	for (i = 0; i < c->t->ncols; i++)
		if (strlen(c->t->cols[i]) == v[0].n &&
		    memcmp(c->t->cols[i], v[0].p, v[0].n) == 0)
			return 0;
	copy_name(c->missing, &v[0]);
	return -1;
}

static int
true_row(void *ctx, int n, const struct db_value *v)
{
	*(int *)ctx = n > 0 && v[0].type == DBV_INT && v[0].i != 0;
	return 0;
}

/* Adds the hash of a row to d. */
static void
digest_row(struct digest *d, int n, const struct db_value *v)
{
	crypto_generichash_state h;
	unsigned char hash[32], len[9];
	unsigned carry = 0;
	uint64_t x;
	int i, b;

	crypto_generichash_init(&h, NULL, 0, sizeof(hash));
	for (i = 0; i < n; i++) {
		/* Each value as its type, its length and its bytes. */
		x = v[i].type == DBV_INT ? (uint64_t)v[i].i : v[i].n;
		len[0] = (unsigned char)v[i].type;
		for (b = 0; b < 8; b++)
			len[1 + b] = (unsigned char)(x >> (8 * b));
		crypto_generichash_update(&h, len, sizeof(len));
		if (v[i].type == DBV_TEXT || v[i].type == DBV_BLOB)
			crypto_generichash_update(&h, v[i].p, v[i].n);
	}
	crypto_generichash_final(&h, hash, sizeof(hash));
	for (i = 0; i < 32; i++) {
		carry += (unsigned)d->sum[i] + hash[i];
		d->sum[i] = (unsigned char)carry;
		carry >>= 8;
	}
	d->rows++;
}

static int
digest_only(void *ctx, int n, const struct db_value *v)
{
	digest_row(ctx, n, v);
	return 0;
}

/* A row of the source: digested, and sent to the target's COPY. */
struct copy_run {
	const struct table *t;
	struct digest	 d;
	char		 err[512];
};

static int
copy_row(void *ctx, int n, const struct db_value *v)
{
	struct copy_run *c = ctx;
	struct db_value p[DB_QUERY_COLS];
	int i, np = 0;

	digest_row(&c->d, n, v);
	for (i = 0; i < n; i++)
		if (c->t->copied[i])
			p[np++] = v[i];
	return db_pg_copy_row(np, p, c->err, sizeof(c->err));
}

/* "a", "b", ... of t's columns (copied ones only with copied_only). */
static void
column_list(char *out, size_t sz, const struct table *t, int copied_only)
{
	size_t len = 0;
	int i, first = 1;

	out[0] = '\0';
	for (i = 0; i < t->ncols && len < sz; i++) {
		if (copied_only && !t->copied[i])
			continue;
		len += (size_t)snprintf(out + len, sz - len, "%s\"%s\"",
		    first ? "" : ", ", t->cols[i]);
		first = 0;
	}
}

/* The foreign keys of the target: the copy order puts parents first. */
struct fkeys {
	char		 child[MAX_TABLES * 2][NAME_MAX_LEN];
	char		 parent[MAX_TABLES * 2][NAME_MAX_LEN];
	int		 n;
};

static int
add_fkey(void *ctx, int n, const struct db_value *v)
{
	struct fkeys *f = ctx;

	if (n < 2 || !plain_name(&v[0]) || !plain_name(&v[1]) ||
	    f->n == MAX_TABLES * 2)
		return -1;
	copy_name(f->child[f->n], &v[0]);
	copy_name(f->parent[f->n], &v[1]);
	f->n++;
	return 0;
}

/* The next table whose parents are all copied, or NULL. */
static struct table *
next_table(struct tables *ts, const struct fkeys *f)
{
	struct table *p;
	int i, k, ready;

	for (i = 0; i < ts->n; i++) {
		if (ts->t[i].done)
			continue;
		ready = 1;
		for (k = 0; k < f->n; k++)
			if (strcmp(f->child[k], ts->t[i].name) == 0 &&
			    strcmp(f->parent[k], ts->t[i].name) != 0 &&
			    (p = find(ts, f->parent[k])) != NULL && !p->done)
				ready = 0;
		if (ready)
			return &ts->t[i];
	}
	return NULL;
}

#define TARGET_TABLES_WHERE "FROM pg_class c WHERE c.relnamespace = " \
    "current_schema()::regnamespace AND c.relkind IN ('r', 'p') "
static const char TARGET_TABLES[] =
    "SELECT c.relname " TARGET_TABLES_WHERE "ORDER BY 1";
/*
 * The tables copied: all but the search's totals (posts_fts_totals), which
 * the triggers of posts count as its rows are copied.
 */
static const char COPIED_TABLES[] =
    "SELECT c.relname " TARGET_TABLES_WHERE
    "AND c.relname <> 'posts_fts_totals' ORDER BY 1";

/* Refuses a target with rows, or with tables not of a migration. */
static int
target_empty(char *err, size_t errsz)
{
	struct tables *ts;
	char sql[256], why[512];
	int i, rows = 0, rc = 0;

	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return fail(err, errsz, "out of memory");
	if (dst->query("SELECT count(*) FROM pg_class c WHERE c.relnamespace = "
	    "current_schema()::regnamespace AND c.relname = "
	    "'schema_migrations'", 0, NULL, true_row, &rows, err, errsz) == -1 ||
	    dst->query(TARGET_TABLES, 0, NULL, add_table, ts, err, errsz) == -1)
		rc = -1;
	else if (ts->n > 0 && !rows)
		rc = fail(err, errsz, "the target database is not empty: it has "
		    "tables of its own (%s%s); copy-to fills an empty database "
		    "only (createdb a new one)", ts->t[0].name,
		    ts->n > 1 ? ", ..." : "");
	for (i = 0; rc == 0 && i < ts->n; i++) {
		snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM "
		    "\"%s\")::int", ts->t[i].name);
		if (dst->query(sql, 0, NULL, true_row, &rows, why,
		    sizeof(why)) == -1)
			rc = fail(err, errsz, "%s", why);
		else if (rows)
			rc = fail(err, errsz, "the target database is not "
			    "empty: its table %s has rows; copy-to fills an "
			    "empty database only (createdb a new one)",
			    ts->t[i].name);
	}
	free(ts);
	return rc;
}

/* The tables of both sides, which must be the same, with their columns. */
static int
read_tables(struct tables *ts, char *err, size_t errsz)
{
	struct tables *s;
	struct src_cols sc;
	struct db_value name;
	int i, rc = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return fail(err, errsz, "out of memory");
	/* SQLite's search index (a virtual table and its shadow tables) is
	 * the search columns of PostgreSQL's posts and their totals. */
	if (dst->query(COPIED_TABLES, 0, NULL, add_table, ts, err,
	    errsz) == -1 ||
	    src->query("SELECT name FROM pragma_table_list WHERE schema = "
	    "'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
	    "'\\' ORDER BY name", 0, NULL, add_table, s, err, errsz) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < s->n; i++)
		if (find(ts, s->t[i].name) == NULL)
			rc = fail(err, errsz, "the SQLite table %s has no "
			    "counterpart in PostgreSQL's schema",
			    s->t[i].name);
	for (i = 0; rc == 0 && i < ts->n; i++) {
		if (find(s, ts->t[i].name) == NULL) {
			rc = fail(err, errsz, "PostgreSQL's table %s is not "
			    "in the SQLite database", ts->t[i].name);
			break;
		}
		name.type = DBV_TEXT;
		name.p = ts->t[i].name;
		name.n = strlen(ts->t[i].name);
		name.i = 0;
		if (dst->query("SELECT a.attname, (a.attgenerated <> '')::int, "
		    "format_type(a.atttypid, NULL), (a.attidentity <> '')::int "
		    "FROM pg_attribute a WHERE "
		    "a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT "
		    "a.attisdropped ORDER BY a.attnum", 1, &name, add_column,
		    &ts->t[i], err, errsz) == -1) {
			rc = -1;
			break;
		}
		memset(&sc, 0, sizeof(sc));
		sc.t = &ts->t[i];
		if (src->query("SELECT name FROM pragma_table_xinfo(?)", 1,
		    &name, check_column, &sc, err, errsz) == -1)
			rc = sc.missing[0] ? fail(err, errsz, "the SQLite "
			    "column %s.%s has no counterpart in PostgreSQL's "
			    "schema", ts->t[i].name, sc.missing) : -1;
		else if (sc.n != ts->t[i].ncols)
			rc = fail(err, errsz, "the table %s has other columns "
			    "in PostgreSQL than in SQLite", ts->t[i].name);
	}
	free(s);
	return rc;
}

/* The integer of a one-column row into *(int64_t *)ctx. */
static int
int_row(void *ctx, int n, const struct db_value *v)
{
	if (n > 0 && v[0].type == DBV_INT)
		*(int64_t *)ctx = v[0].i;
	return 0;
}

/*
 * Sets every identity of t past its highest value, and past the highest
 * id SQLite ever gave in it (sqlite_sequence, the tables with
 * AUTOINCREMENT), so that no id of a deleted row is given again.
 */
static int
set_identities(const struct table *t, char *err, size_t errsz)
{
	struct db_value name;
	char sql[512];
	int64_t given = 0;
	int i;

	name.type = DBV_TEXT;
	name.p = t->name;
	name.n = strlen(t->name);
	name.i = 0;
	for (i = 0; i < t->ncols; i++) {
		if (!t->identity[i])
			continue;
		if (src->query("SELECT seq FROM sqlite_sequence WHERE name = ?",
		    1, &name, int_row, &given, err, errsz) == -1)
			return -1;
		snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_"
		    "sequence('\"%s\"', '%s'), GREATEST(COALESCE((SELECT "
		    "max(\"%s\") FROM \"%s\"), 0), %lld) + 1, false)", t->name,
		    t->cols[i], t->cols[i], t->name, (long long)given);
		if (dst->query(sql, 0, NULL, NULL, NULL, err, errsz) == -1)
			return -1;
	}
	return 0;
}

/* Copies the tables, parents first, in the target's transaction. */
static int
copy_tables(struct tables *ts, struct digest *dsrc, char *err, size_t errsz)
{
	struct copy_run *c;
	struct fkeys *f;
	struct table *t;
	char cols[1536], all[1536], sql[2048], why[512];
	int rc = 0;

	f = calloc(1, sizeof(*f));
	c = calloc(1, sizeof(*c));
	if (f == NULL || c == NULL) {
		free(f);
		free(c);
		return fail(err, errsz, "out of memory");
	}
	if (dst->query("SELECT conrelid::regclass::text, "
	    "confrelid::regclass::text FROM pg_constraint WHERE contype = "
	    "'f' AND connamespace = current_schema()::regnamespace", 0, NULL,
	    add_fkey, f, err, errsz) == -1)
		rc = -1;
	while (rc == 0 && (t = next_table(ts, f)) != NULL) {
		t->done = 1;
		column_list(cols, sizeof(cols), t, 1);
		column_list(all, sizeof(all), t, 0);
		memset(c, 0, sizeof(*c));
		c->t = t;
		snprintf(sql, sizeof(sql), "COPY \"%s\" (%s) FROM STDIN",
		    t->name, cols);
		if (db_pg_copy_begin(sql, err, errsz) == -1) {
			rc = -1;
			break;
		}
		snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\"", all,
		    t->name);
		if (src->query(sql, 0, NULL, copy_row, c, err, errsz) == -1) {
			if (c->err[0])
				snprintf(err, errsz, "%s: %s", t->name,
				    c->err);
			(void)db_pg_copy_end(1, why, sizeof(why));
			rc = -1;
		} else if (db_pg_copy_end(0, why, sizeof(why)) == -1)
			rc = fail(err, errsz, "%s: %s", t->name, why);
		else if (set_identities(t, err, errsz) == -1)
			rc = -1;
		dsrc[t - ts->t] = c->d;
	}
	free(f);
	free(c);
	return rc;
}

/* The digest of every table of the target, as copy_tables made dsrc's. */
static int
digest_target(const struct tables *ts, struct digest *d, char *err,
    size_t errsz)
{
	char all[1536], sql[2048];
	int i;

	for (i = 0; i < ts->n; i++) {
		column_list(all, sizeof(all), &ts->t[i], 0);
		snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\"", all,
		    ts->t[i].name);
		memset(&d[i], 0, sizeof(d[i]));
		if (dst->query(sql, 0, NULL, digest_only, &d[i], err,
		    errsz) == -1)
			return -1;
	}
	return 0;
}

static int
copy(const char *target, int busy_ms, struct tables *ts, struct digest *ds,
    struct digest *dt, char *err, size_t errsz)
{
	char why[512];
	int sv, tv;

	if (dst->open(target, 0, busy_ms, err, errsz) == -1 ||
	    target_empty(err, errsz) == -1)
		return -1;
	if (dst->migrate(why, sizeof(why)) == -1)
		return fail(err, errsz, "cannot migrate the target: %s", why);
	sv = src->schema_version();
	tv = dst->schema_version();
	if (src->schema_missing() != 0 || sv != tv) {
		snprintf(err, errsz, "the SQLite database is at schema version "
		    "%d, this quillctl's is %d: run quillctl migrate first",
		    sv, tv);
		return -1;
	}
	if (read_tables(ts, err, errsz) == -1)
		return -1;
	/* One snapshot of the source, one transaction on the target. */
	if (src->query("BEGIN", 0, NULL, NULL, NULL, err, errsz) == -1)
		return -1;
	if (dst->query("BEGIN", 0, NULL, NULL, NULL, err, errsz) == -1 ||
	    copy_tables(ts, ds, err, errsz) == -1 ||
	    dst->query("COMMIT", 0, NULL, NULL, NULL, err, errsz) == -1) {
		(void)dst->query("ROLLBACK", 0, NULL, NULL, NULL, why,
		    sizeof(why));
		(void)src->query("COMMIT", 0, NULL, NULL, NULL, why,
		    sizeof(why));
		return -1;
	}
	(void)src->query("COMMIT", 0, NULL, NULL, NULL, why, sizeof(why));
	return digest_target(ts, dt, err, errsz);
}

int
db_copy_to(const char *target, int busy_ms, db_copy_fn each, void *ctx,
    char *err, size_t errsz)
{
	struct tables *ts;
	struct digest *ds, *dt;
	char hex[65];
	int i, rc, bad = 0;

	ts = calloc(1, sizeof(*ts));
	ds = calloc(MAX_TABLES, sizeof(*ds));
	dt = calloc(MAX_TABLES, sizeof(*dt));
	if (ts == NULL || ds == NULL || dt == NULL) {
		free(ts);
		free(ds);
		free(dt);
		return fail(err, errsz, "out of memory");
	}
	rc = copy(target, busy_ms, ts, ds, dt, err, errsz);
	for (i = 0; rc == 0 && i < ts->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), ds[i].sum, sizeof(ds[i].sum));
		if (ds[i].rows != dt[i].rows ||
		    memcmp(ds[i].sum, dt[i].sum, sizeof(ds[i].sum)) != 0)
			bad++;
		each(ctx, ts->t[i].name, ds[i].rows, dt[i].rows, hex,
		    ds[i].rows == dt[i].rows &&
		    memcmp(ds[i].sum, dt[i].sum, sizeof(ds[i].sum)) == 0);
	}
	if (rc == 0 && bad)
		rc = fail(err, errsz, "the copy differs from the source (see "
		    "the tables above): drop the target database and copy "
		    "again");
	dst->close();
	free(ts);
	free(ds);
	free(dt);
	return rc;
}

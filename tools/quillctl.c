/*
 * quillctl: the administration command.  Reads the same configuration as
 * the programs (QUILL_CONFIG and QUILL_* variables).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/arena.h"
#include "base/config.h"
#include "store/db.h"
#include "store/mail.h"
#include "base/metrics.h"
#include "web/scrape.h"
#include "base/text.h"
#include "base/time.h"
#include "base/password.h"
#include "web/sandbox.h"
#include "store/user.h"
#include "pure/json.h"
#include "pure/valid.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: quillctl init\n"
	    "       quillctl migrate\n"
	    "       quillctl user add EMAIL [--role user|moderator|admin] "
	    "[--name NAME]\n"
	    "       quillctl user list [--role user|moderator|admin]\n"
	    "       quillctl user set-role EMAIL user|moderator|admin\n"
	    "       quillctl user disable EMAIL\n"
	    "       quillctl user enable EMAIL\n"
	    "       quillctl user delete EMAIL\n"
	    "       quillctl check\n"
	    "       quillctl sql\n"
	    "       quillctl mail\n"
	    "       quillctl stats [--prometheus]\n"
	    "       quillctl purge\n"
	    "       quillctl backup FILE\n"
	    "       quillctl restore FILE\n"
	    "The password for 'user add' is read from standard input.\n");
	exit(2);
}

/* Prints a fatal message and exits 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "quillctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* Loads the configuration or dies. */
static void
load_config(void)
{
	char err[512];

	if (config_load(err, sizeof(err)) == -1)
		die("%s", err);
}

/* Creates dir and its parents (mode 0750 for new ones). */
static void
mkdirs(const char *dir)
{
	char tmp[1024], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		die("path too long: %s", dir);
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) == -1 && errno != EEXIST)
			die("cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0750) == -1 && errno != EEXIST)
		die("cannot create %s: %s", tmp, strerror(errno));
}

/* Creates the directory that will hold path. */
static void
mkdirs_for(const char *path)
{
	char tmp[1024];

	snprintf(tmp, sizeof(tmp), "%s", path);
	mkdirs(dirname(tmp));
}

/* Writes a new 32-byte key as hex into config.key_file, unless one exists. */
static void
make_key(void)
{
	unsigned char key[32];
	char hex[sizeof(key) * 2 + 2];
	int fd;
	size_t i;

	mkdirs_for(config.key_file);
	fd = open(config.key_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST) {
			printf("key file %s exists; kept\n", config.key_file);
			return;
		}
		die("cannot create %s: %s", config.key_file, strerror(errno));
	}
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		die("no randomness for the key");
	for (i = 0; i < sizeof(key); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[sizeof(key) * 2] = '\n';
	if (write(fd, hex, sizeof(key) * 2 + 1) != (ssize_t)(sizeof(key) * 2 + 1) ||
	    fsync(fd) == -1 || close(fd) == -1)
		die("cannot write %s: %s", config.key_file, strerror(errno));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hex, sizeof(hex));
	printf("key file %s created (mode 0600)\n", config.key_file);
}

/* Opens the database for a command that runs the statement table. */
static void
open_prepared(void)
{
	char err[512];

	if (db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 || db_prepare_all(err, sizeof(err)) == -1)
		die("%s", err);
}

/* Opens the database (creating it when create is set) and migrates it. */
static void
open_and_migrate(int create)
{
	char err[512];
	int n;

	if (db_open(config.db, create, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1)
		die("%s", err);
	if ((n = db_migrate(err, sizeof(err))) == -1)
		die("%s", err);
	printf("database %s at schema version %d (%d migration%s applied)\n",
	    config.db, db_schema_version(), n, n == 1 ? "" : "s");
}

static int
cmd_init(void)
{
	mode_t old;

	load_config();
	make_key();
	mkdirs_for(config.db);
	old = umask(077);
	open_and_migrate(1);
	umask(old);
	db_close();
	return 0;
}

static int
cmd_migrate(void)
{
	load_config();
	open_and_migrate(0);
	db_close();
	return 0;
}

/* Reads one line (a password) from stdin, without echo on a terminal. */
static size_t
read_password(char *buf, size_t sz)
{
	struct termios t, saved;
	int tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "Password: ");
		tcgetattr(STDIN_FILENO, &saved);
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	}
	if (fgets(buf, (int)sz, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fprintf(stderr, "\n");
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n;
}

static int
cmd_user_add(int argc, char **argv)
{
	const char *email, *name = NULL, *role_s = "user";
	char pw[PASSWORD_MAX_CHARS * 4 + 2], hash[PASSWORD_HASH_MAX];
	struct vinput in;
	struct vvalue v;
	const struct vfail *f;
	enum role role;
	int64_t id;
	size_t len;
	int i;
	enum err e;

	if (argc < 1)
		usage();
	email = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role_s = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else
			usage();
	}
	if (user_role_parse(role_s, &role) == -1)
		die("--role must be user, moderator or admin");
	if (name == NULL)
		name = email;
	memset(&in, 0, sizeof(in));
	in.kind = VIN_STRING;
	in.str = email;
	in.len = strlen(email);
	if ((f = valid_email(&in, &v)) != NULL)
		die("email: %s", f->message);
	load_config();
	if (password_init((unsigned long long)config.argon2_ops,
	    (size_t)config.argon2_mem_kib * 1024) == -1)
		die("QUILL_ARGON2_*: unacceptable limits");
	if (password_blocklist_load(config.blocklist) == -1)
		fprintf(stderr, "quillctl: warning: no password blocklist at %s\n",
		    config.blocklist);
	len = read_password(pw, sizeof(pw));
	in.str = pw;
	in.len = len;
	if (!text_utf8_valid(pw, len) || (f = valid_password(&in, &v)) != NULL)
		die("password: %s", f != NULL ? f->message : "must be UTF-8");
	if (password_hash(pw, len, hash) == -1)
		die("cannot hash the password");
	sodium_memzero(pw, sizeof(pw));
	open_prepared();
	if ((e = db_begin()) == ERR_NONE &&
	    (e = user_insert(email, strlen(email), name, strlen(name), hash,
	    role, time(NULL), &id)) == ERR_NONE)
		e = db_commit();
	else
		db_rollback();
	if (e == ERR_EMAIL_TAKEN)
		die("%s is already registered", email);
	if (e != ERR_NONE)
		die("cannot add the user: %s", error_message(e));
	printf("user %lld %s added with role %s\n", (long long)id, email,
	    user_role_name(role));
	db_close();
	return 0;
}

static int
cmd_user_list(int argc, char **argv)
{
	struct user_filter f = { 1, ROLE_USER, NULL };
	struct list_params p;
	struct arena *a;
	struct user *rows;
	char when[32];
	size_t n, i;
	long total = 0;
	enum err e;

	if (argc == 2 && strcmp(argv[0], "--role") == 0) {
		if (user_role_parse(argv[1], &f.role) == -1)
			die("--role must be user, moderator or admin");
		f.any_role = 0;
	} else if (argc != 0)
		usage();
	load_config();
	open_prepared();
	if ((a = arena_new()) == NULL)
		die("out of memory");
	/* The API's own keyset pages, oldest first. */
	memset(&p, 0, sizeof(p));
	p.mode = LIST_CURSOR;
	p.limit = LIST_MAX_LIMIT;
	p.sort = USER_SORT_CREATED;
	printf("%-6s %-32s %-24s %-9s %-8s %s\n", "ID", "EMAIL", "NAME", "ROLE",
	    "STATUS", "CREATED");
	do {
		arena_reset(a);
		if ((e = user_list(a, &f, &p, &rows, &n)) != ERR_NONE)
			die("cannot list the users: %s", error_message(e));
		for (i = 0; i < n && i < (size_t)p.limit; i++) {
			time_rfc3339(rows[i].created_at, when, sizeof(when));
			printf("%-6lld %-32s %-24s %-9s %-8s %s\n",
			    (long long)rows[i].id, rows[i].email, rows[i].name,
			    user_role_name(rows[i].role),
			    rows[i].disabled ? "disabled" : "active", when);
			total++;
		}
		if (i > 0) {
			p.after = 1;
			p.after_int = rows[i - 1].created_at;
			p.after_id = rows[i - 1].id;
		}
	} while (n > (size_t)p.limit);
	printf("%ld user%s\n", total, total == 1 ? "" : "s");
	arena_free(a);
	db_close();
	return 0;
}

/*
 * Applies c to the user with this email (or deletes them), in one write
 * transaction with the same store functions as the API, and says what it
 * did.  The last active admin is refused as the API refuses them.
 */
static int
user_apply(const char *email, const struct user_change *c, int del)
{
	struct user before = { 0 }, after = { 0 };
	struct arena *a;
	enum err e;

	load_config();
	open_prepared();
	if ((a = arena_new()) == NULL)
		die("out of memory");
	if ((e = db_begin()) != ERR_NONE)
		die("the database is busy: %s", error_message(e));
	e = user_get_by_email(a, email, strlen(email), &before);
	if (e == ERR_NONE)
		e = del ? user_delete(a, before.id, time(NULL)) :
		    user_update(a, before.id, c, time(NULL), &after);
	if ((e = db_end(e)) == ERR_NOT_FOUND)
		die("no user has the email %s", email);
	if (e == ERR_CONFLICT)
		die("%s: %s", email, user_last_admin_message);
	if (e != ERR_NONE)
		die("cannot change %s: %s", email, error_message(e));
	printf("user %lld %s: ", (long long)before.id, before.email);
	if (del)
		printf("deleted, with their posts and sessions\n");
	else if (c->role != -1)
		printf("role %s -> %s", user_role_name(before.role),
		    user_role_name(after.role));
	else
		printf("%s -> %s", before.disabled ? "disabled" : "active",
		    after.disabled ? "disabled" : "active");
	if (!del)
		printf("%s\n", after.token_version != before.token_version ?
		    "; sessions and access tokens revoked" : "");
	arena_free(a);
	db_close();
	return 0;
}

static int
cmd_user_set_role(int argc, char **argv)
{
	struct user_change c = USER_CHANGE_NONE;
	enum role role;

	if (argc != 2)
		usage();
	if (user_role_parse(argv[1], &role) == -1)
		die("the role must be user, moderator or admin");
	c.role = (int)role;
	return user_apply(argv[0], &c, 0);
}

/* disable (on = 0) or enable (on = 1) EMAIL */
static int
cmd_user_enable(int argc, char **argv, int on)
{
	struct user_change c = USER_CHANGE_NONE;

	if (argc != 1)
		usage();
	c.disabled = !on;
	return user_apply(argv[0], &c, 0);
}

static int
cmd_user_delete(int argc, char **argv)
{
	if (argc != 1)
		usage();
	return user_apply(argv[0], NULL, 1);
}

/* Prints the permissions verdict for path; returns 1 on a problem. */
static int
check_private(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		printf("FAIL %s %s: %s\n", what, path, strerror(errno));
		return 1;
	}
	if (st.st_mode & (S_IRWXO)) {
		printf("FAIL %s %s is accessible to other users (chmod o-rwx)\n",
		    what, path);
		return 1;
	}
	printf("ok   %s %s (mode %03o)\n", what, path,
	    (unsigned)(st.st_mode & 0777));
	return 0;
}

static int
cmd_check(void)
{
	char err[512];
	const char *why;
	long abi;
	int bad = 0, v;

	if (config_load(err, sizeof(err)) == -1) {
		printf("FAIL configuration: %s\n", err);
		return 1;
	}
	printf("ok   configuration\n");
	if (config_load_key(err, sizeof(err)) == -1) {
		printf("FAIL %s\n", err);
		bad = 1;
	} else
		printf("ok   key file %s (%zu bytes)\n", config.key_file,
		    config.key_len);
	bad |= check_private("database", config.db);
	if (db_open(config.db, 0, 1000, err, sizeof(err)) == -1) {
		printf("FAIL %s\n", err);
		bad = 1;
	} else {
		v = db_schema_version();
		if (db_schema_missing() != 0) {
			printf("FAIL schema version %d, this build needs %d: run "
			    "quillctl migrate\n", v, db_schema_target());
			bad = 1;
		} else
			printf("ok   schema version %d\n", v);
		db_close();
	}
	if (!config.sandbox)
		printf("WARN sandbox off (QUILL_SANDBOX=0): the programs run "
		    "unconfined\n");
	else if ((abi = sandbox_landlock_abi(&why)) > 0)
		printf("ok   sandbox: system-call filter and Landlock (version "
		    "%ld)\n", abi);
	else
		printf("WARN sandbox: system-call filter only: %s\n", why);
	printf("info libsodium %s, cJSON %s\n", sodium_version_string(),
	    cJSON_Version());
	if (sqlite3_libversion_number() < 3051003)
		printf("WARN SQLite %s: versions 3.7.0 to 3.51.2 have a rare "
		    "WAL-reset race under concurrent multi-process writes; link "
		    "3.51.3 or newer\n", sqlite3_libversion());
	else
		printf("ok   SQLite %s\n", sqlite3_libversion());
	return bad;
}

/*
 * Prints every statement the programs prepare, one a line after its number,
 * for EXPLAIN QUERY PLAN in the sqlite3 shell.
 */
static int
cmd_sql(void)
{
	int i;

	for (i = 0; i < STMT__MAX; i++)
		printf("%d\t%s\n", i, stmt_sql[i]);
	return 0;
}

/* How long delivered mail is kept, and when undeliverable mail is dropped. */
#define MAIL_KEEP_SENT	86400
#define MAIL_GIVE_UP	(7L * 86400)

/* Deletes what has expired: sessions, tokens, old mail, counters. */
static int
cmd_purge(void)
{
	static const struct {
		enum stmt	 stmt;
		const char	*what;
	} steps[] = {
		{ STMT_PURGE_SESSIONS, "ended sessions" },
		{ STMT_PURGE_REFRESH, "expired refresh tokens" },
		{ STMT_PURGE_RESET, "used or expired reset tokens" },
		{ STMT_PURGE_MAIL, "old mails" },
		{ STMT_PURGE_RATE, "rate-limit windows" },
		{ STMT_PURGE_LOGIN_FAILURES, "login back-offs" },
	};
	int64_t now = (int64_t)time(NULL);
	sqlite3_stmt *s;
	size_t i;
	int rc;
	enum err e;

	load_config();
	open_prepared();
	/* One transaction a table: the programs wait for none of them long. */
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((e = db_begin()) != ERR_NONE)
			die("cannot purge: %s", error_message(e));
		s = db_stmt(steps[i].stmt);
		sqlite3_bind_int64(s, 1, now);
		if (steps[i].stmt == STMT_PURGE_MAIL) {
			sqlite3_bind_int64(s, 2, now - MAIL_KEEP_SENT);
			sqlite3_bind_int64(s, 3, now - MAIL_GIVE_UP);
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			db_rollback();
			die("cannot purge %s: %s", steps[i].what,
			    sqlite3_errstr(rc));
		}
		if ((e = db_commit()) != ERR_NONE)
			die("cannot purge %s: %s", steps[i].what,
			    error_message(e));
		printf("purged %d %s\n", sqlite3_changes(db_handle()),
		    steps[i].what);
	}
	db_close();
	return 0;
}

/* Writes a consistent copy of the database to argv[0], while it serves. */
static int
cmd_backup(int argc, char **argv)
{
	char err[512];

	if (argc != 1)
		usage();
	load_config();
	if (db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 ||
	    db_backup(argv[0], (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1)
		die("%s", err);
	printf("database %s (schema version %d) backed up to %s\n", config.db,
	    db_schema_version(), argv[0]);
	db_close();
	return 0;
}

/*
 * Replaces the database's contents with the backup argv[0] (creating the
 * database on a fresh machine), then migrates it to this build's schema.
 */
static int
cmd_restore(int argc, char **argv)
{
	char err[512];
	mode_t old;
	int n;

	if (argc != 1)
		usage();
	load_config();
	mkdirs_for(config.db);
	old = umask(077);
	if (db_open(config.db, 1, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1)
		die("%s", err);
	umask(old);
	if (db_restore(argv[0], (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 || (n = db_migrate(err, sizeof(err))) == -1)
		die("%s", err);
	printf("database %s restored from %s (schema version %d, %d "
	    "migration%s applied)\n", config.db, argv[0], db_schema_version(),
	    n, n == 1 ? "" : "s");
	db_close();
	return 0;
}

/* Delivers queued mail; exits 1 when some could not be delivered. */
static int
cmd_mail(void)
{
	char lock[sizeof(config.db) + 16];
	int fd, sent, failed;

	load_config();
	snprintf(lock, sizeof(lock), "%s.mail-lock", config.db);
	/* Runs overlapping from cron must not send a mail twice. */
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1)
		die("cannot open %s: %s", lock, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		printf("another quillctl mail is running\n");
		return 0;
	}
	open_prepared();
	if (mail_deliver((int64_t)time(NULL), &sent, &failed) == -1)
		die("cannot read the mail queue");
	printf("delivered %d mail%s%s", sent, sent == 1 ? "" : "s",
	    failed > 0 ? ", " : "\n");
	if (failed > 0)
		printf("%d failed (they stay queued; see the log above)\n",
		    failed);
	(void)metrics_add_once(config.metrics_file, "quillctl", MET_MAIL_SENT,
	    (uint64_t)sent);
	(void)metrics_add_once(config.metrics_file, "quillctl",
	    MET_MAIL_FAILED, (uint64_t)failed);
	db_close();
	close(fd);
	return failed > 0;
}

/*
 * Prints the counters of every process (docs/monitoring.md): as tables,
 * or as GET /api/v1/metrics answers them with --prometheus.
 */
static int
cmd_stats(int argc, char **argv)
{
	struct scrape_view *v;
	struct buf out = { 0 };
	char err[1400];
	int prom = argc == 1 && strcmp(argv[0], "--prometheus") == 0;

	if (argc > 1 || (argc == 1 && !prom))
		usage();
	load_config();
	open_prepared();
	if ((v = malloc(sizeof(*v))) == NULL)
		die("out of memory");
	if (scrape_read(v, config.metrics_file, (int64_t)time(NULL), err,
	    sizeof(err)) == -1)
		die("QUILL_METRICS_FILE: %s", err);
	if ((prom ? scrape_prometheus(&out, v) : scrape_human(&out, v)) == -1)
		die("out of memory");
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	free(v);
	db_close();
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "init") == 0)
		return cmd_init();
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate();
	if (strcmp(argv[1], "check") == 0)
		return cmd_check();
	if (strcmp(argv[1], "sql") == 0)
		return cmd_sql();
	if (strcmp(argv[1], "user") == 0 && argc >= 3) {
		if (strcmp(argv[2], "add") == 0)
			return cmd_user_add(argc - 3, argv + 3);
		if (strcmp(argv[2], "list") == 0)
			return cmd_user_list(argc - 3, argv + 3);
		if (strcmp(argv[2], "set-role") == 0)
			return cmd_user_set_role(argc - 3, argv + 3);
		if (strcmp(argv[2], "disable") == 0)
			return cmd_user_enable(argc - 3, argv + 3, 0);
		if (strcmp(argv[2], "enable") == 0)
			return cmd_user_enable(argc - 3, argv + 3, 1);
		if (strcmp(argv[2], "delete") == 0)
			return cmd_user_delete(argc - 3, argv + 3);
	}
	if (strcmp(argv[1], "mail") == 0)
		return cmd_mail();
	if (strcmp(argv[1], "stats") == 0)
		return cmd_stats(argc - 2, argv + 2);
	if (strcmp(argv[1], "purge") == 0)
		return cmd_purge();
	if (strcmp(argv[1], "backup") == 0)
		return cmd_backup(argc - 2, argv + 2);
	if (strcmp(argv[1], "restore") == 0)
		return cmd_restore(argc - 2, argv + 2);
	usage();
}

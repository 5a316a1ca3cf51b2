/*
 * quillctl: the administration command.  Reads the same configuration as
 * the programs (QUILL_CONFIG and QUILL_* variables); without QUILL_CONFIG,
 * the installation's settings file.
 */
/* pipe2(2). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "store/db.h"
#include "store/mail.h"
#include "store/mfa.h"
#include "store/session.h"
#include "base/metrics.h"
#include "web/scrape.h"
#include "base/text.h"
#include "base/time.h"
#include "base/password.h"
#include "web/sandbox.h"
#include "store/user.h"
#include "store/verify.h"
#include "pure/json.h"
#include "pure/valid.h"
#include "setup.h"

/*
 * The settings file read when QUILL_CONFIG is not set, as sudo and cron
 * leave it: the build gives its directory (make's SYSCONFDIR).
 */
#ifndef QUILL_SYSCONFDIR
#define QUILL_SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT	QUILL_SYSCONFDIR "/quill/quill.conf"

/* The settings file in use; NULL when only the environment gives any. */
static const char *config_path;

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
	    "       quillctl user mfa-reset EMAIL\n"
	    "       quillctl user verify EMAIL\n"
	    "       quillctl check [--url URL]\n"
	    "       quillctl sql\n"
	    "       quillctl mail\n"
	    "       quillctl stats [--prometheus]\n"
	    "       quillctl purge\n"
	    "       quillctl backup FILE\n"
	    "       quillctl restore FILE\n"
	    "       quillctl setup-serve PROGRAM CODE-FILE\n"
	    "       quillctl copy-to POSTGRESQL-DATABASE\n"
	    "The password for 'user add' is read from standard input.\n"
	    "Settings: $QUILL_CONFIG, else %s.\n", CONFIG_DEFAULT);
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

/*
 * Points QUILL_CONFIG at CONFIG_DEFAULT when it is unset or empty, unless
 * that file does not exist: then only the environment gives settings.
 */
static void
config_choose(void)
{
	const char *v = getenv("QUILL_CONFIG");
	struct stat st;

	if (v != NULL && *v != '\0') {
		config_path = v;
		return;
	}
	if (stat(CONFIG_DEFAULT, &st) == -1 && errno == ENOENT)
		return;
	if (setenv("QUILL_CONFIG", CONFIG_DEFAULT, 1) == -1)
		die("cannot set QUILL_CONFIG: %s", strerror(errno));
	config_path = CONFIG_DEFAULT;
}

/*
 * Writes into msg why the setting name, a path, cannot be used, or returns
 * 0 when it is absolute.  A relative one would be taken from whatever
 * directory quillctl runs in: a database or a key made there is lost.
 */
static int
path_problem(const char *name, const char *path, char *msg, size_t sz)
{
	if (path[0] == '/')
		return 0;
	if (config_path == NULL && !config_given("QUILL_DB"))
		snprintf(msg, sz, "no settings: QUILL_CONFIG is not set and %s "
		    "does not exist; point QUILL_CONFIG at the settings file the "
		    "programs use, or install it as %s", CONFIG_DEFAULT,
		    CONFIG_DEFAULT);
	else if (config_path == NULL && !config_given(name))
		snprintf(msg, sz, "%s is not set, and there is no settings file "
		    "(QUILL_CONFIG is not set and %s does not exist): set %s to "
		    "an absolute path in the environment, or point QUILL_CONFIG "
		    "at the settings file", name, CONFIG_DEFAULT, name);
	else
		snprintf(msg, sz, "%s is \"%s\", a relative path, which quillctl "
		    "would take from the directory it runs in: set it to an "
		    "absolute path %s%s", name, path, getenv(name) != NULL ?
		    "in the environment" : "in ", getenv(name) != NULL ? "" :
		    config_path != NULL ? config_path : CONFIG_DEFAULT);
	return -1;
}

/* Dies unless the setting name holds an absolute path. */
static void
require_absolute(const char *name, const char *path)
{
	char msg[3072];

	if (path_problem(name, path, msg, sizeof(msg)) == -1)
		die("%s", msg);
}

/* Loads the configuration or dies; the database must be an absolute path. */
static void
load_config(void)
{
	char err[512];

	if (config_load(err, sizeof(err)) == -1)
		die("%s", err);
	if (!config_db_is_postgresql(config.db))
		require_absolute("QUILL_DB", config.db);
}

/*
 * The database, to name in a message: a SQLite file's path, never a
 * PostgreSQL connection string (it may hold a password).
 */
static const char *
db_label(void)
{
	return config_db_is_postgresql(config.db) ? "(PostgreSQL, QUILL_DB)" :
	    config.db;
}

/* Writes the name of user uid (or its number) into buf. */
static void
user_name(uid_t uid, char *buf, size_t sz)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, sz, "%s", pw->pw_name);
	else
		snprintf(buf, sz, "uid %ld", (long)uid);
}

/*
 * Writes into msg why path could not be written, given errno e from the
 * attempt, and what to do about it.
 */
static void
unwritable(const char *path, int e, char *msg, size_t sz)
{
	char me[64], owner[64];
	struct stat st;

	if (e == EROFS) {
		snprintf(msg, sz, "%s is on a read-only file system (remount it "
		    "read-write, or choose a place that is writable)", path);
		return;
	}
	if ((e == EACCES || e == EPERM) && stat(path, &st) == 0) {
		user_name(getuid(), me, sizeof(me));
		user_name(st.st_uid, owner, sizeof(owner));
		snprintf(msg, sz, "%s is not writable by %s: it belongs to %s, "
		    "mode %03o (run quillctl as %s, such as sudo -u %s quillctl "
		    "..., or as root)", path, me, owner,
		    (unsigned)(st.st_mode & 0777), owner, owner);
		return;
	}
	if (e == EACCES || e == EPERM) {
		user_name(getuid(), me, sizeof(me));
		snprintf(msg, sz, "%s: permission denied for %s on a directory "
		    "above it (run quillctl as the user the programs run as, or "
		    "as root)", path, me);
		return;
	}
	snprintf(msg, sz, "%s: %s", path, strerror(e));
}

/*
 * Writes into msg why the database cannot be opened for writing (or, with
 * create, be created), naming the file or directory at fault and the fix;
 * returns 0 when nothing stands in the way.  SQLite itself would only say
 * "unable to open database file".  The directory must be writable too:
 * SQLite keeps the -wal and -shm files beside the database.
 */
static int
db_problem(int create, char *msg, size_t sz)
{
	char copy[sizeof(config.db)], why[1536], *dir;
	struct stat st;

	/* A server's database: db_open says what stands in the way. */
	if (config_db_is_postgresql(config.db))
		return 0;
	if (path_problem("QUILL_DB", config.db, msg, sz) == -1)
		return -1;
	snprintf(copy, sizeof(copy), "%s", config.db);
	dir = dirname(copy);
	if (stat(dir, &st) == -1 && errno == ENOENT) {
		snprintf(msg, sz, "the database %s does not exist, nor its "
		    "directory %s: quillctl init creates both (or QUILL_DB names "
		    "the wrong place)", config.db, dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		unwritable(dir, errno, why, sizeof(why));
		snprintf(msg, sz, "the directory of the database, where SQLite "
		    "keeps its -wal and -shm files, cannot be written: %s", why);
		return -1;
	}
	if (stat(config.db, &st) == -1) {
		if (errno == ENOENT && create)
			return 0;
		if (errno == ENOENT)
			snprintf(msg, sz, "the database %s does not exist: quillctl "
			    "init creates it (or QUILL_DB names the wrong file)",
			    config.db);
		else
			snprintf(msg, sz, "the database %s: %s", config.db,
			    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, sz, "the database %s is not a regular file (QUILL_DB "
		    "names the wrong file)", config.db);
		return -1;
	}
	if (access(config.db, R_OK | W_OK) == -1) {
		unwritable(config.db, errno, why, sizeof(why));
		snprintf(msg, sz, "the database cannot be opened for writing: %s",
		    why);
		return -1;
	}
	return 0;
}

/* Dies with the cause and the fix unless the database can be opened. */
static void
db_reachable(int create)
{
	char msg[3072];

	if (db_problem(create, msg, sizeof(msg)) == -1)
		die("%s", msg);
}

/* Creates directory path, or dies naming the directory above it. */
static void
mkdir_one(const char *path)
{
	char above[1024], why[1536];
	int e;

	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return;
	e = errno;
	snprintf(above, sizeof(above), "%s", path);
	unwritable(dirname(above), e, why, sizeof(why));
	die("cannot create the directory %s: %s", path, why);
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
		mkdir_one(tmp);
		*p = '/';
	}
	mkdir_one(tmp);
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
	char hex[sizeof(key) * 2 + 2], why[1536];
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
		unwritable(config.key_file, errno, why, sizeof(why));
		die("cannot create the key file: %s", why);
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

	db_reachable(0);
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

	db_reachable(create);
	if (db_open(config.db, create, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1)
		die("%s", err);
	if ((n = db_migrate(err, sizeof(err))) == -1)
		die("%s", err);
	printf("database %s at schema version %d (%d migration%s applied)\n",
	    db_label(), db_schema_version(), n, n == 1 ? "" : "s");
}

static int
cmd_init(void)
{
	mode_t old;

	load_config();
	require_absolute("QUILL_KEY_FILE", config.key_file);
	make_key();
	mkdirs_for(config_state_path());
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
	if (principal_role_parse(role_s, &role) == -1)
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
		fprintf(stderr, "quillctl: warning: no password blocklist at %s "
		    "(set QUILL_PASSWORD_BLOCKLIST to the installed "
		    "common-passwords.txt)\n", config.blocklist);
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
	    role, time(NULL), &id)) == ERR_NONE &&
	    (e = user_set_verified(id, time(NULL))) == ERR_NONE)
		e = db_commit();
	else
		db_rollback();
	if (e == ERR_EMAIL_TAKEN)
		die("%s is already registered", email);
	if (e != ERR_NONE)
		die("cannot add the user: %s", error_message(e));
	printf("user %lld %s added with role %s\n", (long long)id, email,
	    principal_role_name(role));
	db_close();
	return 0;
}

static int
cmd_user_list(int argc, char **argv)
{
	struct user_filter f = { 1, ROLE_USER, NULL };
	struct cursor_params p;
	struct arena *a;
	struct user *rows;
	char when[32];
	size_t n, i;
	long total = 0;
	enum err e;

	if (argc == 2 && strcmp(argv[0], "--role") == 0) {
		if (principal_role_parse(argv[1], &f.role) == -1)
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
	p.mode = CURSOR_KEYSET;
	p.limit = CURSOR_MAX_LIMIT;
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
			    principal_role_name(rows[i].role),
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
 * The start of a change to one user: the settings, the database with its
 * statements, an arena for the user's strings, and a write transaction.
 */
static struct arena *
user_begin(void)
{
	struct arena *a;
	enum err e;

	load_config();
	open_prepared();
	if ((a = arena_new()) == NULL)
		die("out of memory");
	if ((e = db_begin()) != ERR_NONE)
		die("the database is busy: %s", error_message(e));
	return a;
}

/*
 * Ends the transaction of user_begin by the outcome e of the change:
 * commits when e is ERR_NONE and returns the commit's result, else rolls
 * back and returns e.
 */
static enum err
user_end(enum err e)
{
	if (e == ERR_NONE)
		return db_commit();
	db_rollback();
	return e;
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

	a = user_begin();
	e = user_get_by_email(a, email, strlen(email), &before);
	if (e == ERR_NONE)
		e = del ? user_delete(a, before.id, time(NULL)) :
		    user_update(a, before.id, c, time(NULL), &after);
	if ((e = user_end(e)) == ERR_NOT_FOUND)
		die("no user has the email %s", email);
	if (e == ERR_CONFLICT)
		die("%s: %s", email, user_last_admin_message);
	if (e != ERR_NONE)
		die("cannot change %s: %s", email, error_message(e));
	printf("user %lld %s: ", (long long)before.id, before.email);
	if (del)
		printf("deleted, with their posts and sessions\n");
	else if (c->role != -1)
		printf("role %s -> %s", principal_role_name(before.role),
		    principal_role_name(after.role));
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
	if (principal_role_parse(argv[1], &role) == -1)
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

/*
 * verify EMAIL: records the user's address as confirmed, for an operator
 * who knows it is theirs (or a user whose mail never arrives); the
 * confirmation links and codes mailed to it are void from then on.
 */
static int
cmd_user_verify(int argc, char **argv)
{
	struct user u = { 0 };
	struct arena *a;
	int64_t now = (int64_t)time(NULL);
	enum err e;

	if (argc != 1)
		usage();
	a = user_begin();
	if ((e = user_get_by_email(a, argv[0], strlen(argv[0]), &u)) ==
	    ERR_NONE && u.verified_at == 0 &&
	    (e = user_set_verified(u.id, now)) == ERR_NONE)
		e = verify_void(u.id, VERIFY_ADDRESS, now);
	if ((e = user_end(e)) == ERR_NOT_FOUND)
		die("no user has the email %s", argv[0]);
	if (e != ERR_NONE)
		die("cannot verify %s: %s", argv[0], error_message(e));
	printf("user %lld %s: %s\n", (long long)u.id, u.email,
	    u.verified_at != 0 ? "already verified; nothing changed" :
	    "address verified");
	arena_free(a);
	db_close();
	return 0;
}

/*
 * mfa-reset EMAIL: ends the user's two-factor sign-in (key, recovery codes,
 * open challenges) for someone who lost both their authenticator and their
 * codes, so that they sign in with the password and can enrol again.  Their
 * sessions end with it: whoever holds one now need not be the owner.  The
 * log gets a warning line, as for any change to how an account is entered.
 */
static int
cmd_user_mfa_reset(int argc, char **argv)
{
	struct user u = { 0 };
	struct mfa_totp t;
	struct arena *a;
	char id[24];
	int had = 0;
	enum err e;

	if (argc != 1)
		usage();
	a = user_begin();
	if ((e = user_get_by_email(a, argv[0], strlen(argv[0]), &u)) ==
	    ERR_NONE) {
		if ((e = mfa_totp_get(u.id, &t)) == ERR_NOT_FOUND)
			e = ERR_NONE;		/* nothing to reset */
		else if (e == ERR_NONE) {
			had = 1;
			if ((e = mfa_disable(u.id)) == ERR_NONE)
				e = session_revoke_user(u.id, 0, time(NULL),
				    "mfa_reset");
		}
	}
	if ((e = user_end(e)) == ERR_NOT_FOUND)
		die("no user has the email %s", argv[0]);
	if (e != ERR_NONE)
		die("cannot reset two-factor sign-in of %s: %s", argv[0],
		    error_message(e));
	if (!had) {
		printf("user %lld %s: has no two-factor sign-in; nothing "
		    "changed\n", (long long)u.id, u.email);
	} else {
		snprintf(id, sizeof(id), "%lld", (long long)u.id);
		log_event(LOG_WARN, "mfa_reset", NULL, "user", id, "by",
		    "quillctl", NULL);
		printf("user %lld %s: two-factor sign-in reset (key and "
		    "recovery codes deleted); sessions and access tokens "
		    "revoked\n", (long long)u.id, u.email);
	}
	arena_free(a);
	db_close();
	return 0;
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

/* check's lines on the key and the database; returns 1 on a failure. */
static int
check_key_and_db(void)
{
	char err[512], msg[3072];
	int bad = 0, v;

	if (path_problem("QUILL_KEY_FILE", config.key_file, msg,
	    sizeof(msg)) == -1 || config_load_key(msg, sizeof(msg)) == -1) {
		printf("FAIL %s\n", msg);
		bad = 1;
	} else
		printf("ok   key file %s (%zu bytes)\n", config.key_file,
		    config.key_len);
	if (db_problem(0, msg, sizeof(msg)) == -1) {
		printf("FAIL %s\n", msg);
		return 1;
	}
	if (!config_db_is_postgresql(config.db))
		bad |= check_private("database", config.db);
	if (db_open(config.db, 0, 1000, err, sizeof(err)) == -1) {
		printf("FAIL %s\n", err);
		return 1;
	}
	v = db_schema_version();
	if (db_schema_missing() != 0) {
		printf("FAIL schema version %d, this build needs %d: run "
		    "quillctl migrate\n", v, db_schema_target());
		bad = 1;
	} else if (db_prepare_all(err, sizeof(err)) == -1) {
		printf("ok   schema version %d\n", v);
		printf("FAIL %s\n", err);
		bad = 1;
	} else
		printf("ok   schema version %d, every statement prepares\n", v);
	db_close();
	return bad;
}

/* check's lines on where mail goes; returns 1 on a failure. */
static int
check_mail(void)
{
	const char *sendmail = mail_sendmail_command();
	char msg[3072];

	if (sendmail != NULL) {
		printf("ok   mail through %s\n", sendmail);
		return 0;
	}
	if (path_problem("QUILL_MAIL_SPOOL", config.mail_spool, msg,
	    sizeof(msg)) == -1) {
		printf("FAIL %s\n", msg);
		return 1;
	}
	if (config_given("QUILL_SENDMAIL"))
		printf("ok   mail spooled into %s (QUILL_SENDMAIL is empty)\n",
		    config.mail_spool);
	else
		printf("WARN mail only spooled into %s, where no one receives it: "
		    "install a mail server that provides /usr/sbin/sendmail, or "
		    "set QUILL_SENDMAIL to a command that sends mail\n",
		    config.mail_spool);
	return 0;
}

/*
 * Says what is ok, what fails (exit 1) and, as WARN, what the operator
 * should change, each with the way to do it.
 */

/*
 * GETs url with curl (which shared hosts have; quillctl speaks no TLS),
 * sending Authorization when auth is not NULL: the body into body (sz
 * bytes, NUL-terminated, cut short if longer), the status returned; 0
 * when there was no answer, with curl's message in body.
 */
static int
http_get(const char *url, const char *auth, char *body, size_t sz)
{
	char hdr[128], *nl;
	const char *argv[16];
	int fds[2], status, argc = 0;
	size_t len = 0;
	ssize_t got;
	pid_t pid;

	argv[argc++] = "curl";
	argv[argc++] = "-sS";
	argv[argc++] = "--max-time";
	argv[argc++] = "20";
	argv[argc++] = "-w";
	argv[argc++] = "\n%{http_code}";
	if (auth != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: %s", auth);
		argv[argc++] = "-H";
		argv[argc++] = hdr;
	}
	argv[argc++] = "--";
	argv[argc++] = url;
	argv[argc] = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		snprintf(body, sz, "cannot run curl: %s", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp("curl", (char *const *)argv);
		dprintf(STDOUT_FILENO, "curl is not installed; quillctl "
		    "check --url needs it\n");
		_exit(127);
	}
	close(fds[1]);
	while (len + 1 < sz && (got = read(fds[0], body + len, sz - 1 - len)) > 0)
		len += (size_t)got;
	body[len] = '\0';
	/* The rest, unread, so that curl is never stuck on a full pipe. */
	while (read(fds[0], hdr, sizeof(hdr)) > 0)
		continue;
	close(fds[0]);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || (nl = strrchr(body, '\n')) == NULL) {
		body[strcspn(body, "\n")] = '\0';
		return 0;
	}
	*nl = '\0';
	return atoi(nl + 1);
}

/*
 * The checks of quillctl check --url: the API answers at url, and the
 * Authorization header reaches the programs (shared hosts may strip it).
 * Returns 1 when one failed.
 */
static int
check_url(const char *url)
{
	char api[1200], body[4096];
	size_t n = strlen(url);
	int status;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		printf("FAIL --url %s: give the site's address, such as "
		    "https://example.com/\n", url);
		return 1;
	}
	while (n > 0 && url[n - 1] == '/')
		n--;
	snprintf(api, sizeof(api), "%.*s/api/v1/health", (int)n, url);
	if ((status = http_get(api, NULL, body, sizeof(body))) != 200 ||
	    strstr(body, "\"status\"") == NULL) {
		printf("FAIL %s answers %d, not the API's 200: %.200s (is the "
		    ".htaccess in place, and mod_rewrite on? "
		    "docs/deploy-shared-hosting.md lists each error's fix)\n",
		    api, status, status == 0 ? body : "see the site's log");
		return 1;
	}
	printf("ok   %s answers\n", api);
	snprintf(api, sizeof(api), "%.*s/api/v1/users/me", (int)n, url);
	status = http_get(api, "Bearer quillctl-check", body, sizeof(body));
	if (status == 401 && strstr(body, "The access token is invalid") != NULL) {
		printf("ok   the Authorization header reaches the programs\n");
		return 0;
	}
	if (status == 401 && strstr(body, "Authentication is required") != NULL) {
		printf("FAIL the Authorization header does not reach the "
		    "programs, so every API login is useless (401): the "
		    "host strips it.  The bundle's .htaccess passes it in "
		    "two ways; put back the one the host allows:\n"
		    "    CGIPassAuth On\n"
		    "(needs AllowOverride AuthConfig), or, after "
		    "\"RewriteEngine On\", the two lines\n"
		    "    RewriteCond %%{HTTP:Authorization} .\n"
		    "    RewriteRule ^api/ - "
		    "[E=HTTP_AUTHORIZATION:%%{HTTP:Authorization}]\n"
		    "With them in place, a proxy in front of Apache drops the "
		    "header: ask the host to pass it.  Browsers' cookie "
		    "sessions work either way.\n");
		return 1;
	}
	printf("FAIL %s answers %d, not 401: %.200s\n", api, status, body);
	return 1;
}

static int
cmd_check(int argc, char **argv)
{
	char err[512], engine[256];
	const char *why;
	long abi, n;
	int bad = 0;

	if (argc == 2 && strcmp(argv[0], "--url") == 0)
		bad |= check_url(argv[1]);
	else if (argc != 0)
		usage();
	if (config_load(err, sizeof(err)) == -1) {
		printf("FAIL configuration: %s\n", err);
		return 1;
	}
	printf("ok   configuration %s\n", config_path != NULL ? config_path :
	    "from the environment only");
	bad |= check_key_and_db();
	if ((n = password_blocklist_load(config.blocklist)) >= 0)
		printf("ok   password blocklist %s (%ld passwords)\n",
		    config.blocklist, n);
	else if (config_given("QUILL_PASSWORD_BLOCKLIST")) {
		printf("FAIL password blocklist %s cannot be read, so the "
		    "programs will not start: fix QUILL_PASSWORD_BLOCKLIST\n",
		    config.blocklist);
		bad = 1;
	} else
		printf("WARN no password blocklist at %s: set "
		    "QUILL_PASSWORD_BLOCKLIST to the installed "
		    "common-passwords.txt\n", config.blocklist);
	if (!config_given("QUILL_PUBLIC_ORIGIN"))
		printf("WARN QUILL_PUBLIC_ORIGIN is not set: links in mail point "
		    "to %s and browser forms work only there; set it to the "
		    "site's origin, such as https://example.com\n",
		    config.public_origin);
	bad |= check_mail();
	if (!config.sandbox)
		printf("WARN sandbox off (QUILL_SANDBOX=0): the programs run "
		    "unconfined; remove the setting unless you are debugging\n");
	else if ((abi = sandbox_landlock_abi(&why)) > 0)
		printf("ok   sandbox: system-call filter and Landlock (version "
		    "%ld)\n", abi);
	else
		printf("WARN sandbox: system-call filter only: %s\n", why);
	printf("info libsodium %s, cJSON %s\n", sodium_version_string(),
	    cJSON_Version());
	/* The library comes with the system: nothing to do here but know. */
	printf("%s %s\n", db_engine_check(engine, sizeof(engine)) ? "info" :
	    "ok  ", engine);
	return bad;
}

/*
 * Prints every statement the programs prepare, one a line after its number,
 * for EXPLAIN QUERY PLAN in SQLite's shell.
 */
static int
cmd_sql(void)
{
	char err[512];
	int i, pg;

	/* The dialect of the engine the settings name, SQLite's without. */
	pg = config_load(err, sizeof(err)) == 0 &&
	    config_db_is_postgresql(config.db);
	for (i = 0; i < STMT__MAX; i++)
		printf("%d\t%s\n", i, pg ? stmt_pg_sql[i] : stmt_sql[i]);
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
		{ STMT_PURGE_CHALLENGES, "used or expired sign-in challenges" },
		{ STMT_PURGE_EMAIL_TOKENS, "used or expired email links" },
	};
	int64_t now = (int64_t)time(NULL), n;
	struct db_stmt *st;
	char why[256];
	size_t i;
	enum err e;

	load_config();
	open_prepared();
	/* One transaction a table: the programs wait for none of them long. */
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((e = db_begin()) != ERR_NONE)
			die("cannot purge: %s", error_message(e));
		st = db_prepare(steps[i].stmt);
		db_bind_int(st, 1, now);
		if (steps[i].stmt == STMT_PURGE_MAIL) {
			db_bind_int(st, 2, now - MAIL_KEEP_SENT);
			db_bind_int(st, 3, now - MAIL_GIVE_UP);
		}
		if (db_done(st, "purge") != ERR_NONE) {
			snprintf(why, sizeof(why), "%s", db_errmsg());
			db_rollback();
			die("cannot purge %s: %s", steps[i].what, why);
		}
		n = db_changes();
		if ((e = db_commit()) != ERR_NONE)
			die("cannot purge %s: %s", steps[i].what,
			    error_message(e));
		printf("purged %lld %s\n", (long long)n, steps[i].what);
	}
	db_close();
	return 0;
}

/*
 * Writes a consistent copy of the database to argv[0], while it serves.
 * The name is taken first, with O_EXCL: an existing file, perhaps the only
 * good backup, is never replaced.
 */
static int
cmd_backup(int argc, char **argv)
{
	char err[512], why[1536], dir[1024];
	const char *path;
	int fd, e;

	if (argc != 1)
		usage();
	path = argv[0];
	load_config();
	if (config_db_is_postgresql(config.db))
		die("QUILL_DB is a PostgreSQL database: back it up with pg_dump "
		    "(pg_dump -Fc -f FILE DBNAME; docs/postgresql.md)");
	db_reachable(0);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		e = errno;
		snprintf(dir, sizeof(dir), "%s", path);
		if (e == EEXIST)
			die("%s exists: quillctl backup never overwrites a file "
			    "(remove it, or choose another name)", path);
		if (e == ENOENT)
			die("cannot create %s: the directory %s does not exist "
			    "(create it first)", path, dirname(dir));
		unwritable(dirname(dir), e, why, sizeof(why));
		die("cannot create %s: %s", path, why);
	}
	close(fd);
	if (db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 ||
	    db_backup(path, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1) {
		unlink(path);
		die("%s", err);
	}
	printf("database %s (schema version %d) backed up to %s\n", config.db,
	    db_schema_version(), path);
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
	struct stat st;
	mode_t old;
	int n, fresh;

	if (argc != 1)
		usage();
	if (access(argv[0], R_OK) == -1)
		die("cannot read the backup %s: %s", argv[0], strerror(errno));
	load_config();
	if (config_db_is_postgresql(config.db))
		die("QUILL_DB is a PostgreSQL database: restore a pg_dump with "
		    "pg_restore, then run quillctl migrate (docs/postgresql.md)");
	mkdirs_for(config.db);
	db_reachable(1);
	fresh = stat(config.db, &st) == -1;
	old = umask(077);
	if (db_open(config.db, 1, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1)
		die("%s", err);
	umask(old);
	if (db_restore(argv[0], (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 || (n = db_migrate(err, sizeof(err))) == -1) {
		db_close();
		if (fresh)
			unlink(config.db);
		die("%s", err);
	}
	printf("database %s%s restored from %s (schema version %d, %d "
	    "migration%s applied)\n", config.db, fresh ? " (new)" : "",
	    argv[0], db_schema_version(), n, n == 1 ? "" : "s");
	db_close();
	return 0;
}

struct copy_totals {
	int		 tables;
	int64_t		 rows;
};

static void
copy_line(void *ctx, const char *table, int64_t rows, int64_t target_rows,
    const char *digest, int same)
{
	struct copy_totals *t = ctx;

	t->tables++;
	t->rows += rows;
	printf("%-4s %-18s %8lld rows  %.16s%s", same ? "ok" : "FAIL", table,
	    (long long)rows, digest, same ? "\n" : "");
	if (!same)
		printf("  (the copy has %lld rows, or other values)\n",
		    (long long)target_rows);
}

/* 1 when a connection string carries a password, which is not printed. */
static int
has_password(const char *conninfo)
{
	const char *at = strchr(conninfo, '@'), *scheme;

	if (strstr(conninfo, "password") != NULL)
		return 1;
	if (at == NULL || (scheme = strstr(conninfo, "://")) == NULL)
		return 0;
	return memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL;
}

/*
 * Copies the SQLite database, every table, into the empty PostgreSQL
 * database argv[0], and says what to change in the settings.
 */
static int
cmd_copy_to(int argc, char **argv)
{
	struct copy_totals t = { 0, 0 };
	char err[1024];

	if (argc != 1)
		usage();
	if (!config_db_is_postgresql(argv[0]))
		die("copy-to copies into PostgreSQL: give a connection string, "
		    "postgresql://USER@HOST/DBNAME or 'host=... dbname=...' "
		    "(docs/postgresql.md)");
	load_config();
	if (config_db_is_postgresql(config.db))
		die("QUILL_DB is a PostgreSQL database already: copy-to copies "
		    "a SQLite database into PostgreSQL (to copy between "
		    "PostgreSQL databases, use pg_dump and pg_restore)");
	db_reachable(0);
	if (db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1)
		die("%s", err);
	if (db_copy_to(argv[0], (int)config.busy_timeout_ms, copy_line, &t,
	    err, sizeof(err)) == -1) {
		db_close();
		die("%s", err);
	}
	db_close();
	printf("copied %d tables, %lld rows, from %s: every count and digest "
	    "matches\n", t.tables, (long long)t.rows, config.db);
	printf("To move Quill onto PostgreSQL: stop the web server (a write "
	    "made after the copy began is not in it; copy again into a new "
	    "database if the site served meanwhile), set in %s\n"
	    "    QUILL_DB=%s\n"
	    "start the web server again, and run quillctl check.  Keep %s as "
	    "the way back.\n", config_path != NULL ? config_path :
	    "the settings (QUILL_CONFIG)", has_password(argv[0]) ?
	    "(the connection string given to copy-to)" : argv[0], config.db);
	return 0;
}

/*
 * Dies with the cause and the fix unless quillctl mail can write files
 * into the spool directory, or create it.
 */
static void
spool_writable(void)
{
	char above[sizeof(config.mail_spool)], why[1536];

	require_absolute("QUILL_MAIL_SPOOL", config.mail_spool);
	if (access(config.mail_spool, W_OK | X_OK) == 0)
		return;
	if (errno != ENOENT) {
		unwritable(config.mail_spool, errno, why, sizeof(why));
		die("cannot write mail into the spool: %s", why);
	}
	snprintf(above, sizeof(above), "%s", config.mail_spool);
	if (access(dirname(above), W_OK | X_OK) == -1) {
		unwritable(above, errno, why, sizeof(why));
		die("cannot create the mail spool %s: %s", config.mail_spool,
		    why);
	}
}

/*
 * Delivers queued mail; exits 1 when some could not be delivered.  Cron
 * runs it every minute and mails what it prints: nothing when there was
 * nothing to do or all went through sendmail, a line when mail was only
 * written into the spool, where no one may read it.
 */
static int
cmd_mail(void)
{
	char lock[sizeof(config.db) + 16];
	const char *sendmail;
	int fd, sent, failed;

	load_config();
	db_reachable(0);
	if ((sendmail = mail_sendmail_command()) == NULL)
		spool_writable();
	snprintf(lock, sizeof(lock), "%s.mail-lock", config_state_path());
	/* Runs overlapping from cron must not send a mail twice. */
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1)
		die("cannot open %s: %s", lock, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1)
		return 0;	/* the run that holds it delivers the queue */
	open_prepared();
	if (mail_deliver((int64_t)time(NULL), &sent, &failed) == -1)
		die("cannot read the mail queue");
	if (sendmail == NULL && sent > 0)
		printf("spooled %d mail%s into %s (no sendmail command: set "
		    "QUILL_SENDMAIL to deliver mail)\n", sent, sent == 1 ? "" : "s",
		    config.mail_spool);
	if (failed > 0)
		fprintf(stderr, "quillctl: %d mail%s could not be delivered and "
		    "stay%s queued for the next run; the log lines above say "
		    "why\n", failed, failed == 1 ? "" : "s", failed == 1 ? "s" :
		    "");
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
	log_init("quillctl");
	config_choose();
	if (strcmp(argv[1], "init") == 0)
		return cmd_init();
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate();
	if (strcmp(argv[1], "setup-serve") == 0 && argc == 4)
		return setup_serve("/proc/self/exe", argv[2], argv[3]);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
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
		if (strcmp(argv[2], "verify") == 0)
			return cmd_user_verify(argc - 3, argv + 3);
		if (strcmp(argv[2], "mfa-reset") == 0)
			return cmd_user_mfa_reset(argc - 3, argv + 3);
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
	if (strcmp(argv[1], "copy-to") == 0)
		return cmd_copy_to(argc - 2, argv + 2);
	usage();
}

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
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "db.h"
#include "password.h"
#include "user.h"
#include "json.h"
#include "valid.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: quillctl init\n"
	    "       quillctl migrate\n"
	    "       quillctl user add EMAIL [--role user|moderator|admin] "
	    "[--name NAME]\n"
	    "       quillctl check\n"
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
	char err[512], pw[PASSWORD_MAX_CHARS * 4 + 2], hash[PASSWORD_HASH_MAX];
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
	if (!json_utf8_valid(pw, len) || (f = valid_password(&in, &v)) != NULL)
		die("password: %s", f != NULL ? f->message : "must be UTF-8");
	if (password_hash(pw, len, hash) == -1)
		die("cannot hash the password");
	sodium_memzero(pw, sizeof(pw));
	if (db_open(config.db, 0, (int)config.busy_timeout_ms, err,
	    sizeof(err)) == -1 || db_prepare_all(err, sizeof(err)) == -1)
		die("%s", err);
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
		if (v != db_schema_target()) {
			printf("FAIL schema version %d, this build needs %d: run "
			    "quillctl migrate\n", v, db_schema_target());
			bad = 1;
		} else
			printf("ok   schema version %d\n", v);
		db_close();
	}
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
	if (strcmp(argv[1], "backup") == 0)
		return cmd_backup(argc - 2, argv + 2);
	if (strcmp(argv[1], "restore") == 0)
		return cmd_restore(argc - 2, argv + 2);
	if (strcmp(argv[1], "user") == 0 && argc >= 3 &&
	    strcmp(argv[2], "add") == 0)
		return cmd_user_add(argc - 3, argv + 3);
	usage();
}

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

struct config config;

enum ckind { C_STR, C_LONG, C_LEVEL, C_ORIGIN, C_ORIGINS };

struct csetting {
	const char	*name;
	enum ckind	 kind;
	size_t		 off;
	size_t		 size;		/* C_STR: buffer size */
	long		 min, max;	/* C_LONG */
	const char	*def;
};

#define S(n, f, d) { n, C_STR, offsetof(struct config, f), \
	sizeof(((struct config *)0)->f), 0, 0, d }
#define L(n, f, lo, hi, d) { n, C_LONG, offsetof(struct config, f), 0, lo, hi, d }

static const struct csetting settings[] = {
	S("QUILL_DB", db, "var/quill.db"),
	S("QUILL_KEY_FILE", key_file, "var/quill.key"),
	S("QUILL_PASSWORD_BLOCKLIST", blocklist, "etc/common-passwords.txt"),
	{ "QUILL_PUBLIC_ORIGIN", C_ORIGIN, offsetof(struct config, public_origin),
	    sizeof(config.public_origin), 0, 0, "http://127.0.0.1:8080" },
	S("QUILL_JWT_ISSUER", issuer, ""),
	S("QUILL_JWT_AUDIENCE", audience, "quill-api"),
	L("QUILL_ACCESS_TTL", access_ttl, 60, 86400, "900"),
	L("QUILL_MAX_JSON_BYTES", max_json, 1024, 16L << 20, "65536"),
	L("QUILL_MAX_FORM_BYTES", max_form, 1024, 16L << 20, "16384"),
	L("QUILL_MAX_POST_BYTES", max_post, 1024, 16L << 20, "1048576"),
	L("QUILL_BUSY_TIMEOUT_MS", busy_timeout_ms, 0, 600000, "5000"),
	L("QUILL_ARGON2_OPSLIMIT", argon2_ops, 0, 32, "0"),
	L("QUILL_ARGON2_MEMLIMIT_KIB", argon2_mem_kib, 0, 4L << 20, "0"),
	{ "QUILL_LOG_LEVEL", C_LEVEL, offsetof(struct config, log_level), 0, 0, 0,
	    "info" },
	{ "QUILL_CORS_ORIGINS", C_ORIGINS, 0, 0, 0, 0, "" },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* 1 when s is scheme://host[:port] with no path, query or credentials. */
static int
origin_ok(const char *s)
{
	const char *h;
	size_t i;

	if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else
		return 0;
	if (*h == '\0')
		return 0;
	for (i = 0; h[i] != '\0'; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-:[]", h[i]) == NULL)
			return 0;
	return 1;
}

/* Stores value into the setting; -1 with err set when it is not acceptable. */
static int
setting_apply(const struct csetting *s, const char *value, char *err,
    size_t errsz)
{
	char *end, *copy, *tok, *save;
	long v;
	static const char *const levels[] = { "debug", "info", "warn", "error" };
	size_t i;

	switch (s->kind) {
	case C_ORIGIN:
		if (!origin_ok(value))
			goto bad;
		/* FALLTHROUGH */
	case C_STR:
		if (strlen(value) >= s->size)
			goto bad;
		memcpy((char *)&config + s->off, value, strlen(value) + 1);
		return 0;
	case C_LONG:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0' || v < s->min ||
		    v > s->max) {
			snprintf(err, errsz, "%s must be a whole number from %ld "
			    "to %ld, not \"%s\"", s->name, s->min, s->max, value);
			return -1;
		}
		*(long *)((char *)&config + s->off) = v;
		return 0;
	case C_LEVEL:
		for (i = 0; i < 4; i++)
			if (strcmp(value, levels[i]) == 0) {
				config.log_level = (int)i;
				return 0;
			}
		goto bad;
	case C_ORIGINS:
		if ((copy = strdup(value)) == NULL)
			goto bad;
		config.ncors = 0;
		for (tok = strtok_r(copy, " ,", &save); tok != NULL;
		    tok = strtok_r(NULL, " ,", &save)) {
			if (!origin_ok(tok) || strlen(tok) >= sizeof(config.cors[0]) ||
			    config.ncors == CONFIG_MAX_ORIGINS) {
				free(copy);
				goto bad;
			}
			memcpy(config.cors[config.ncors++], tok, strlen(tok) + 1);
		}
		free(copy);
		return 0;
	}
bad:
	snprintf(err, errsz, "%s has an unacceptable value \"%.200s\"", s->name,
	    value);
	return -1;
}

/* The setting called name, or NULL. */
static const struct csetting *
setting_find(const char *name)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

/* Applies the NAME=value lines of the file at path. */
static int
config_file(const char *path, char *err, size_t errsz)
{
	FILE *f;
	char line[2048], *p, *eq, *end;
	const struct csetting *s;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "QUILL_CONFIG: cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			continue;
		if (*p == '#' || *p == '\0')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errsz, "%s:%d: expected NAME=value", path,
			    lineno);
			rc = -1;
			break;
		}
		for (end = eq; end > p && isspace((unsigned char)end[-1]); end--)
			continue;
		*end = '\0';
		for (eq++; isspace((unsigned char)*eq); eq++)
			continue;
		if ((s = setting_find(p)) == NULL) {
			snprintf(err, errsz, "%s:%d: unknown setting %s", path,
			    lineno, p);
			rc = -1;
		} else if (getenv(p) == NULL)
			rc = setting_apply(s, eq, err, errsz);
	}
	fclose(f);
	return rc;
}

int
config_load(char *err, size_t errsz)
{
	const char *v, *file;
	size_t i;

	memset(&config, 0, sizeof(config));
	for (i = 0; i < NSETTINGS; i++)
		if (setting_apply(&settings[i], settings[i].def, err, errsz) == -1)
			return -1;
	if ((file = getenv("QUILL_CONFIG")) != NULL && *file != '\0' &&
	    config_file(file, err, errsz) == -1)
		return -1;
	for (i = 0; i < NSETTINGS; i++)
		if ((v = getenv(settings[i].name)) != NULL &&
		    setting_apply(&settings[i], v, err, errsz) == -1)
			return -1;
	if (config.issuer[0] == '\0')
		memcpy(config.issuer, config.public_origin,
		    sizeof(config.issuer));
	log_set_level(config.log_level);
	return 0;
}

/* The value of one hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
config_load_key(char *err, size_t errsz)
{
	char text[256];
	struct stat st;
	ssize_t n;
	size_t i, len;
	int fd, hi, lo;

	if ((fd = open(config.key_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errsz, "QUILL_KEY_FILE: cannot open %s: %s "
		    "(quillctl init makes one)", config.key_file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		snprintf(err, errsz, "QUILL_KEY_FILE: %s must be a regular file "
		    "that only its owner can read (chmod 600)", config.key_file);
		return -1;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	text[n] = '\0';
	len = strcspn(text, "\r\n \t");
	if (len < 64 || len % 2 != 0 || len / 2 > sizeof(config.key)) {
		snprintf(err, errsz, "QUILL_KEY_FILE: %s must hold 64 to 128 hex "
		    "digits", config.key_file);
		return -1;
	}
	for (i = 0; i < len; i += 2) {
		if ((hi = hexval(text[i])) == -1 || (lo = hexval(text[i + 1])) == -1) {
			snprintf(err, errsz, "QUILL_KEY_FILE: %s must hold only "
			    "hex digits", config.key_file);
			return -1;
		}
		config.key[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	config.key_len = len / 2;
	memset(text, 0, sizeof(text));
	return 0;
}

int
config_cors_allowed(const char *origin, size_t len)
{
	size_t i;

	for (i = 0; i < config.ncors; i++)
		if (strlen(config.cors[i]) == len &&
		    memcmp(config.cors[i], origin, len) == 0)
			return 1;
	return 0;
}

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "base/config.h"
#include "base/log.h"
#include "base/principal.h"
#include "base/text.h"

struct config config;

/* given[i]: settings[i] came from the settings file or the environment. */
static unsigned char given[64];

enum ckind { C_STR, C_LONG, C_LEVEL, C_ORIGIN, C_ORIGINS, C_RATE, C_ADDRS,
    C_PATH };

struct csetting {
	const char	*name;
	enum ckind	 kind;
	size_t		 off;
	size_t		 size;		/* C_STR, C_ORIGIN, C_PATH: buffer size */
	long		 min, max;	/* C_LONG */
	const char	*def;
	const char	*doc;		/* what it means, for quill.conf(5) */
};

#define FIELD(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define S(n, f, d, doc) { n, C_STR, FIELD(f), 0, 0, d, doc }
#define L(n, f, lo, hi, d, doc) { n, C_LONG, offsetof(struct config, f), 0, \
	lo, hi, d, doc }
#define R(n, f, d, doc) { n, C_RATE, offsetof(struct config, f), 0, 0, 0, d, \
	doc }

/* Bounds of a rate limit "N/SECONDS". */
#define RATE_LIMIT_MAX	1000000L
#define RATE_WINDOW_MAX	86400L
/* The shortest QUILL_METRICS_TOKEN. */
#define CONFIG_METRICS_TOKEN_MIN 32

static const struct csetting settings[] = {
	S("QUILL_DB", db, "var/quill.db",
	    "The database: a SQLite file, or a PostgreSQL database named by a "
	    "postgresql:// URI or a libpq keyword string (host=/run/postgresql "
	    "dbname=quill user=quill). "
	    "A SQLite file's directory must be writable by the programs: WAL "
	    "keeps -wal and -shm files beside the database, and the Argon2 cap "
	    "a .argon2.lock file (with PostgreSQL, these local files go beside "
	    "QUILL_KEY_FILE). "
	    "quillctl wants an absolute path."),
	S("QUILL_KEY_FILE", key_file, "var/quill.key",
	    "The token signing key: 64 to 128 hex digits in a file only its "
	    "owner can read (mode 0600). "
	    "quillctl init makes one."),
	S("QUILL_PASSWORD_BLOCKLIST", blocklist, "etc/common-passwords.txt",
	    "Passwords refused at registration and change, one a line."),
	{ "QUILL_PUBLIC_ORIGIN", C_ORIGIN, FIELD(public_origin), 0, 0,
	    "http://127.0.0.1:8080",
	    "The site's origin as browsers send it in Origin, such as "
	    "https://example.com (no default port, no slash). "
	    "Links in mail start with it, and forms and cookies are checked "
	    "against it." },
	S("QUILL_JWT_ISSUER", issuer, "",
	    "The iss claim of access tokens; empty: the public origin."),
	S("QUILL_JWT_AUDIENCE", audience, "quill-api",
	    "The aud claim of access tokens."),
	L("QUILL_ACCESS_TTL", access_ttl, 60, 86400, "900",
	    "Seconds an access token is valid."),
	L("QUILL_MAX_JSON_BYTES", max_json, 1024, 16L << 20, "65536",
	    "The largest JSON body; a larger one is refused with 413 before it "
	    "is read."),
	L("QUILL_MAX_FORM_BYTES", max_form, 1024, 16L << 20, "16384",
	    "The largest urlencoded or multipart body."),
	L("QUILL_MAX_POST_BYTES", max_post, 1024, 16L << 20, "1048576",
	    "The largest body that creates or edits a post. "
	    "The web server configurations refuse bodies over 1 MiB themselves: "
	    "raise their limits too to raise this one."),
	L("QUILL_BUSY_TIMEOUT_MS", busy_timeout_ms, 0, 600000, "5000",
	    "Milliseconds a request waits for its turn to write before it "
	    "answers 503."),
	L("QUILL_ARGON2_OPSLIMIT", argon2_ops, 0, 32, "0",
	    "Argon2id passes; 0: libsodium's interactive limit (2). "
	    "A changed value applies to each password at its owner's next "
	    "login."),
	L("QUILL_ARGON2_MEMLIMIT_KIB", argon2_mem_kib, 0, 4L << 20, "0",
	    "Argon2id memory in KiB; 0: libsodium's interactive limit (64 MiB)."),
	L("QUILL_ARGON2_CONCURRENCY", argon2_slots, 0, 1024, "2",
	    "Argon2id computations at once across every program of the host; "
	    "0: no cap."),
	L("QUILL_ARGON2_WAIT_MS", argon2_wait_ms, 0, 60000, "2000",
	    "Milliseconds a login, registration or password change waits for an "
	    "Argon2 slot before it answers 503. "
	    "Less than QUILL_REQUEST_TIMEOUT_MS."),
	L("QUILL_REQUEST_TIMEOUT_MS", request_timeout_ms, 0, 3600000, "10000",
	    "The time limit of one request in milliseconds; 0: none, else at "
	    "least 100. "
	    "SQL still running then is interrupted and the answer is 503; a "
	    "request still running at twice the limit ends its process."),
	L("QUILL_MAX_REQUESTS", max_requests, 0, 1000000000L, "10000",
	    "Requests a process serves before a fresh one takes its place; 0: "
	    "never."),
	L("QUILL_SANDBOX", sandbox, 0, 1, "1",
	    "1: after start-up each program lets through only the system calls "
	    "a request needs and, where the kernel has Landlock, opens no file. "
	    "0 turns that off, for debugging only."),
	{ "QUILL_LOG_LEVEL", C_LEVEL, offsetof(struct config, log_level), 0, 0, 0,
	    "info", "The least severe log lines written." },
	S("QUILL_LOG_FILE", log_file, "",
	    "A file the programs write their log lines to instead of standard "
	    "error (the web server's error log), made with mode 0600; empty: "
	    "standard error. The shared-hosting bundle keeps it in its "
	    "state directory."),
	L("QUILL_LOG_FILE_MAX_BYTES", log_file_max, 0, 1L << 40, "10485760",
	    "When a program starts and QUILL_LOG_FILE is this big or bigger, "
	    "it is renamed with .1 added (replacing the last one) and a new "
	    "one begun; 0: never. A process writes on while it runs, so the "
	    "file may outgrow this by what one process logs."),
	{ "QUILL_CORS_ORIGINS", C_ORIGINS, 0, 0, 0, 0, "",
	    "Origins allowed to call the API from browsers, matched exactly." },
	L("QUILL_REFRESH_IDLE_TTL", refresh_idle_ttl, 60, 366L * 86400, "604800",
	    "Seconds a refresh token stays valid unused. "
	    "Not more than QUILL_REFRESH_ABSOLUTE_TTL."),
	L("QUILL_REFRESH_ABSOLUTE_TTL", refresh_ttl, 60, 366L * 86400, "2592000",
	    "Seconds a session lives however often it refreshes."),
	L("QUILL_REFRESH_GRACE", refresh_grace, 0, 300, "10",
	    "Seconds within which a spent refresh token still answers with the "
	    "token that replaced it; after them it revokes its session."),
	L("QUILL_RESET_TTL", reset_ttl, 60, 86400, "900",
	    "Seconds a password-reset link is valid."),
	L("QUILL_COOKIE_IDLE_TTL", cookie_idle_ttl, 60, 366L * 86400, "1800",
	    "Seconds a browser (cookie) session lives unused. "
	    "Not more than QUILL_COOKIE_ABSOLUTE_TTL."),
	L("QUILL_COOKIE_ABSOLUTE_TTL", cookie_ttl, 60, 366L * 86400, "43200",
	    "Seconds a browser session lives in all, and the cookie's Max-Age."),
	L("QUILL_CSRF_TOKEN_REQUIRED", csrf_token_required, 0, 1, "0",
	    "1: every unsafe request authenticated by the session cookie must "
	    "carry the CSRF token."),
	{ "QUILL_FORM_DEFAULT_REDIRECT", C_PATH, FIELD(form_redirect), 0, 0, "/",
	    "Where a browser goes after a successful form without a usable "
	    "returnTo." },
	S("QUILL_MAIL_SPOOL", mail_spool, "var/mail",
	    "The directory where quillctl mail writes each mail as a file "
	    "ID.eml when it does not hand mail to a sendmail command. "
	    "quillctl wants an absolute path."),
	S("QUILL_SENDMAIL", sendmail, "",
	    "The command that takes a mail on its standard input, split on "
	    "spaces and run without a shell, such as /usr/sbin/sendmail -t -i. "
	    "Unset: /usr/sbin/sendmail -t -i when that file exists, else the "
	    "spool; set but empty: the spool."),
	S("QUILL_MAIL_FROM", mail_from, "",
	    "The From of Quill's mail, an address or Name <address>; empty: "
	    "noreply@ the public origin's host. "
	    "Its domain also ends each Message-ID."),
	R("QUILL_RATE_LOGIN", rate_login, "10/60",
	    "Login attempts per client address."),
	R("QUILL_RATE_REGISTER", rate_register, "5/60",
	    "Registrations per client address."),
	R("QUILL_RATE_FORGOT", rate_forgot, "20/3600",
	    "Password-reset requests per client address."),
	R("QUILL_RATE_FORGOT_ACCOUNT", rate_forgot_account, "3/3600",
	    "Reset mails per account; over it the answer stays 202."),
	R("QUILL_RATE_REFRESH", rate_refresh, "60/3600",
	    "Refreshes per session."),
	R("QUILL_RATE_WRITE", rate_write, "60/60",
	    "Writes on users and posts per user."),
	L("QUILL_LOGIN_FAILURES", login_failures, 0, 1000, "5",
	    "Failed logins of an account before its back-off starts; 0 turns "
	    "the back-off off."),
	L("QUILL_LOGIN_BACKOFF", login_backoff, 1, 86400, "30",
	    "Seconds of the first back-off; each further failure doubles it. "
	    "Not more than QUILL_LOGIN_BACKOFF_MAX."),
	L("QUILL_LOGIN_BACKOFF_MAX", login_backoff_max, 1, 86400, "3600",
	    "The longest back-off, in seconds."),
	L("QUILL_LOGIN_FAILURE_WINDOW", login_failure_window, 60, 7L * 86400,
	    "3600", "Seconds after which an account's failures are forgotten."),
	S("QUILL_MFA_ISSUER", mfa_issuer, "",
	    "The name authenticator apps show beside a Quill account's codes; "
	    "empty: the public origin's host."),
	S("QUILL_MFA_REQUIRED_ROLES", mfa_roles, "",
	    "Roles, comma-separated (user, moderator, admin), whose accounts "
	    "must enrol in two-factor sign-in before they can do anything "
	    "else; empty: none."),
	L("QUILL_MFA_CHALLENGE_TTL", mfa_challenge_ttl, 30, 3600, "300",
	    "Seconds within which the code must follow a correct password of "
	    "an account with two-factor sign-in."),
	L("QUILL_MFA_ATTEMPTS", mfa_attempts, 1, 100, "5",
	    "Wrong codes one sign-in may take before it must start again from "
	    "the password; they count towards the account's back-off too."),
	L("QUILL_RECENT_LOGIN", recent_login, 60, 86400, "600",
	    "Seconds after a sign-in within which dangerous changes (password, "
	    "email, two-factor, ending all sessions, deleting an account, an "
	    "admin's changes to a role or account) go ahead; later they ask "
	    "for the password (and code) again."),
	S("QUILL_REQUIRE_VERIFIED", require_verified_text, "write",
	    "What an account may do before its email address is confirmed: "
	    "none (anything), write (sign in and read, but no writes on posts; "
	    "the default) or login (not even sign in). Refusals are 403 "
	    "EMAIL_UNVERIFIED."),
	L("QUILL_VERIFY_TTL", verify_ttl, 300, 30L * 86400, "86400",
	    "Seconds an address-confirmation link and code are valid (a new "
	    "account's, and a new address's after an email change)."),
	L("QUILL_EMAIL_CANCEL_TTL", email_cancel_ttl, 3600, 90L * 86400,
	    "604800", "Seconds the old address of an email change can cancel "
	    "it, with the link of the notice it is sent."),
	R("QUILL_RATE_VERIFY", rate_verify, "20/3600",
	    "Requests for a new confirmation mail per client address."),
	R("QUILL_RATE_VERIFY_ACCOUNT", rate_verify_account, "3/3600",
	    "Confirmation mails per account; over it the answer stays 202."),
	L("QUILL_RATE_IPV6_PREFIX", rate_ipv6_prefix, 16, 128, "64",
	    "Bits of an IPv6 client address that the per-address limits count "
	    "by; 128 counts each address alone. "
	    "An IPv4-mapped address counts as its IPv4 address."),
	{ "QUILL_TRUSTED_PROXIES", C_ADDRS, offsetof(struct config, proxies), 0,
	    0, 0, "",
	    "Addresses of reverse proxies whose X-Forwarded-For names the "
	    "client." },
	S("QUILL_METRICS_FILE", metrics_file, "",
	    "The file every process counts into, opened before the programs "
	    "confine themselves; empty: the database's path with .metrics "
	    "added. "
	    "A path on a tmpfs (under /run) keeps its writes off "
	    "the disk. "
	    "quillctl stats reads it."),
	{ "QUILL_METRICS_ALLOW", C_ADDRS, offsetof(struct config,
	    metrics_allow), 0, 0, 0, "",
	    "Addresses allowed to read GET /api/v1/metrics; for anyone else "
	    "the path does not exist (404)." },
	S("QUILL_METRICS_TOKEN", metrics_token, "",
	    "A secret of at least 32 characters that, sent as Authorization: "
	    "Bearer, allows reading GET /api/v1/metrics from any address; "
	    "compared in constant time."),
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))
_Static_assert(NSETTINGS <= sizeof(given), "given[] holds every setting");

/* The host of origin (scheme://host[:port]) into out, outsz bytes. */
static void
origin_host(const char *origin, char *out, size_t outsz)
{
	const char *h = strstr(origin, "://"), *end;
	size_t n;

	h = h == NULL ? origin : h + 3;
	if (*h == '[')			/* an IPv6 literal ends at ']' */
		end = strchr(h, ']') != NULL ? strchr(h, ']') + 1 : h +
		    strlen(h);
	else
		end = strchr(h, ':') != NULL ? strchr(h, ':') : h + strlen(h);
	n = (size_t)(end - h) < outsz ? (size_t)(end - h) : outsz - 1;
	memcpy(out, h, n);
	out[n] = '\0';
}

const char *const config_verified_names[CONFIG_VERIFIED__MAX] = {
	[CONFIG_VERIFIED_NONE] = "none",
	[CONFIG_VERIFIED_WRITE] = "write",
	[CONFIG_VERIFIED_LOGIN] = "login",
};

/* QUILL_REQUIRE_VERIFIED into config.require_verified: 0, or -1 with err. */
static int
verified_parse(char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < CONFIG_VERIFIED__MAX; i++)
		if (strcmp(config.require_verified_text,
		    config_verified_names[i]) == 0) {
			config.require_verified = (enum config_verified)i;
			return 0;
		}
	snprintf(err, errsz, "QUILL_REQUIRE_VERIFIED must be none, write or "
	    "login, not \"%s\"", config.require_verified_text);
	return -1;
}

/*
 * The roles of a comma-separated list of role names (spaces around each
 * allowed) as bits 1 << role into *bits.  0, or -1 with err naming the
 * first name that is not a role.
 */
static int
roles_parse(const char *s, unsigned *bits, char *err, size_t errsz)
{
	char name[32];
	size_t n;
	enum role r;

	*bits = 0;
	for (;;) {
		s += strspn(s, " \t");
		n = strcspn(s, ",");
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if (n >= sizeof(name))
				goto bad;
			memcpy(name, s, n);
			name[n] = '\0';
			if (principal_role_parse(name, &r) == -1)
				goto bad;
			*bits |= 1u << r;
		}
		s += strcspn(s, ",");
		if (*s == '\0')
			return 0;
		s++;
	}
bad:
	snprintf(err, errsz, "QUILL_MFA_REQUIRED_ROLES: \"%.*s\" is not a role "
	    "(user, moderator or admin, comma-separated)",
	    (int)(n < 64 ? n : 64), s);
	return -1;
}

int
config_origin_ok(const char *s)
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

/*
 * 1 when s is a path on this site: one leading '/' (not "//", which a
 * browser reads as another host), printable ASCII, no backslash.
 */
static int
path_ok(const char *s)
{
	size_t i;

	if (s[0] != '/' || s[1] == '/')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '\\')
			return 0;
	return 1;
}

/* Parses "N/SECONDS" into *out; -1 when it is not one. */
static int
rate_parse(const char *value, struct config_rate *out)
{
	char *end;
	long n, w;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end != '/' || n < 0 || n > RATE_LIMIT_MAX ||
	    !isdigit((unsigned char)value[0]))
		return -1;
	value = end + 1;
	w = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || w < 1 ||
	    w > RATE_WINDOW_MAX || !isdigit((unsigned char)value[0]))
		return -1;
	out->limit = n;
	out->window = w;
	return 0;
}

/* Parses an IPv4 or IPv6 address; -1 when s is not one. */
static int
addr_parse(const char *s, struct config_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, s, out->bytes) == 1)
		out->family = AF_INET6;
	else
		return -1;
	return 0;
}

/* Fills list from a list of addresses; -1 on a bad one. */
static int
addrs_parse(const char *value, struct config_addrs *list)
{
	char *copy, *tok, *save;
	int rc = 0;

	if ((copy = strdup(value)) == NULL)
		return -1;
	list->n = 0;
	for (tok = strtok_r(copy, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save))
		if (list->n == CONFIG_MAX_ADDRS ||
		    addr_parse(tok, &list->a[list->n++]) == -1) {
			rc = -1;
			break;
		}
	free(copy);
	return rc;
}

/* Writes into buf the values setting s accepts, as a phrase. */
static void
setting_range(const struct csetting *s, char *buf, size_t sz)
{
	switch (s->kind) {
	case C_STR:
		snprintf(buf, sz, "text of up to %zu bytes", s->size - 1);
		return;
	case C_LONG:
		snprintf(buf, sz, "a whole number from %ld to %ld", s->min, s->max);
		return;
	case C_LEVEL:
		snprintf(buf, sz, "%s, %s, %s or %s", log_level_names[LOG_DEBUG],
		    log_level_names[LOG_INFO], log_level_names[LOG_WARN],
		    log_level_names[LOG_ERROR]);
		return;
	case C_ORIGIN:
		snprintf(buf, sz, "an origin: http:// or https://, a host and an "
		    "optional :port, nothing after them (up to %zu bytes)",
		    s->size - 1);
		return;
	case C_ORIGINS:
		snprintf(buf, sz, "up to %d origins (http:// or https://, a host "
		    "and an optional :port) separated by spaces or commas",
		    CONFIG_MAX_ORIGINS);
		return;
	case C_PATH:
		snprintf(buf, sz, "a path on this site: one leading /, printable "
		    "ASCII without spaces or backslashes (up to %zu bytes)",
		    s->size - 1);
		return;
	case C_RATE:
		snprintf(buf, sz, "N/SECONDS: N from 0 (no limit) to %ld, SECONDS "
		    "from 1 to %ld", RATE_LIMIT_MAX, RATE_WINDOW_MAX);
		return;
	case C_ADDRS:
		snprintf(buf, sz, "up to %d IPv4 or IPv6 addresses separated by "
		    "spaces or commas", CONFIG_MAX_ADDRS);
		return;
	}
	snprintf(buf, sz, "?");
}

/* Stores value into the setting; -1 with err set when it is not acceptable. */
static int
setting_apply(const struct csetting *s, const char *value, char *err,
    size_t errsz)
{
	char *end, *copy, *tok, *save, range[256];
	long v;
	enum log_level level;

	switch (s->kind) {
	case C_ORIGIN:
		if (!config_origin_ok(value))
			goto bad;
		/* FALLTHROUGH */
	case C_PATH:
		if (s->kind == C_PATH && !path_ok(value))
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
		    v > s->max)
			goto bad;
		*(long *)((char *)&config + s->off) = v;
		return 0;
	case C_LEVEL:
		if (log_level_parse(value, &level) == -1)
			goto bad;
		config.log_level = (int)level;
		return 0;
	case C_ORIGINS:
		if ((copy = strdup(value)) == NULL)
			goto bad;
		config.ncors = 0;
		for (tok = strtok_r(copy, " ,", &save); tok != NULL;
		    tok = strtok_r(NULL, " ,", &save)) {
			if (!config_origin_ok(tok) || strlen(tok) >= sizeof(config.cors[0]) ||
			    config.ncors == CONFIG_MAX_ORIGINS) {
				free(copy);
				goto bad;
			}
			memcpy(config.cors[config.ncors++], tok, strlen(tok) + 1);
		}
		free(copy);
		return 0;
	case C_RATE:
		if (rate_parse(value, (struct config_rate *)((char *)&config +
		    s->off)) == -1)
			goto bad;
		return 0;
	case C_ADDRS:
		if (addrs_parse(value, (struct config_addrs *)((char *)&config +
		    s->off)) == -1)
			goto bad;
		return 0;
	}
bad:
	setting_range(s, range, sizeof(range));
	snprintf(err, errsz, "%s must be %s, not \"%.200s\"", s->name, range,
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

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "cannot read the settings file %s: %s%s",
		    path, strerror(errno), errno == EACCES ? " (run as the user "
		    "the programs run as, or as root)" : errno == ENOENT ?
		    " (QUILL_CONFIG names a file that does not exist)" : "");
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
		} else if (getenv(p) == NULL) {
			rc = setting_apply(s, eq, err, errsz);
			given[s - settings] = 1;
		}
	}
	fclose(f);
	return rc;
}

void
config_log_file(void)
{
	char err[1000];

	if (config.log_file[0] != '\0' && log_to_file(config.log_file,
	    config.log_file_max, err, sizeof(err)) == -1)
		log_event(LOG_WARN, "log_file_unavailable", NULL, "reason", err,
		    NULL);
}

int
config_load(char *err, size_t errsz)
{
	const char *v, *file;
	size_t i;

	memset(&config, 0, sizeof(config));
	memset(given, 0, sizeof(given));
	for (i = 0; i < NSETTINGS; i++)
		if (setting_apply(&settings[i], settings[i].def, err, errsz) == -1)
			return -1;
	if ((file = getenv("QUILL_CONFIG")) != NULL && *file != '\0' &&
	    config_file(file, err, errsz) == -1)
		return -1;
	for (i = 0; i < NSETTINGS; i++) {
		if ((v = getenv(settings[i].name)) == NULL)
			continue;
		if (setting_apply(&settings[i], v, err, errsz) == -1)
			return -1;
		given[i] = 1;
	}
	if (config.refresh_idle_ttl > config.refresh_ttl) {
		snprintf(err, errsz, "QUILL_REFRESH_IDLE_TTL must not exceed "
		    "QUILL_REFRESH_ABSOLUTE_TTL");
		return -1;
	}
	if (config.access_ttl > config.refresh_idle_ttl) {
		snprintf(err, errsz, "QUILL_ACCESS_TTL must not exceed "
		    "QUILL_REFRESH_IDLE_TTL: an access token would outlive "
		    "the idle session it belongs to");
		return -1;
	}
	if (config.cookie_idle_ttl > config.cookie_ttl) {
		snprintf(err, errsz, "QUILL_COOKIE_IDLE_TTL must not exceed "
		    "QUILL_COOKIE_ABSOLUTE_TTL");
		return -1;
	}
	if (config.login_backoff > config.login_backoff_max) {
		snprintf(err, errsz, "QUILL_LOGIN_BACKOFF must not exceed "
		    "QUILL_LOGIN_BACKOFF_MAX");
		return -1;
	}
	if (config.request_timeout_ms != 0 && config.request_timeout_ms < 100) {
		snprintf(err, errsz, "QUILL_REQUEST_TIMEOUT_MS must be 0 (no "
		    "limit) or at least 100");
		return -1;
	}
	/* A request waiting for Argon2 must be able to answer in its time. */
	if (config.request_timeout_ms != 0 &&
	    config.argon2_wait_ms >= config.request_timeout_ms) {
		snprintf(err, errsz, "QUILL_ARGON2_WAIT_MS must be less than "
		    "QUILL_REQUEST_TIMEOUT_MS");
		return -1;
	}
	/* A guessable token would open the metrics to anyone. */
	if (config.metrics_token[0] != '\0' &&
	    strlen(config.metrics_token) < CONFIG_METRICS_TOKEN_MIN) {
		snprintf(err, errsz, "QUILL_METRICS_TOKEN must be at least %d "
		    "characters (openssl rand -hex 32 makes one), or empty",
		    CONFIG_METRICS_TOKEN_MIN);
		return -1;
	}
	if (config.metrics_file[0] == '\0')
		snprintf(config.metrics_file, sizeof(config.metrics_file),
		    "%.1000s.metrics", config_state_path());
	if (config.issuer[0] == '\0')
		memcpy(config.issuer, config.public_origin,
		    sizeof(config.issuer));
	if (config.mfa_issuer[0] == '\0')
		origin_host(config.public_origin, config.mfa_issuer,
		    sizeof(config.mfa_issuer));
	if (roles_parse(config.mfa_roles, &config.mfa_required, err,
	    errsz) == -1 || verified_parse(err, errsz) == -1)
		return -1;
	log_set_level(config.log_level);
	return 0;
}

int
config_given(const char *name)
{
	const struct csetting *s = setting_find(name);

	return s != NULL && given[s - settings];
}

int
config_doc(size_t i, struct config_doc *d)
{
	if (i >= NSETTINGS)
		return -1;
	d->name = settings[i].name;
	d->def = settings[i].def;
	d->doc = settings[i].doc;
	setting_range(&settings[i], d->range, sizeof(d->range));
	return 0;
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
		snprintf(err, errsz, "QUILL_KEY_FILE: cannot open %s: %s%s",
		    config.key_file, strerror(errno), errno == ENOENT ?
		    " (quillctl init makes one)" : errno == EACCES ? " (run as "
		    "the user the programs run as, which owns it)" : "");
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
		if ((hi = text_hex_value(text[i])) == -1 ||
		    (lo = text_hex_value(text[i + 1])) == -1) {
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

/* 1 when addr is an IP address in list. */
static int
addr_listed(const struct config_addrs *list, const char *addr)
{
	struct config_addr a;
	size_t i;

	if (list->n == 0 || addr_parse(addr, &a) == -1)
		return 0;
	for (i = 0; i < list->n; i++)
		if (list->a[i].family == a.family &&
		    memcmp(list->a[i].bytes, a.bytes, sizeof(a.bytes)) == 0)
			return 1;
	return 0;
}

int
config_proxy_trusted(const char *addr)
{
	return addr_listed(&config.proxies, addr);
}

int
config_metrics_allowed(const char *addr)
{
	return addr_listed(&config.metrics_allow, addr);
}

int
config_db_is_postgresql(const char *db)
{
	const char *p;

	if (db == NULL)
		return 0;
	if (strncmp(db, "postgresql://", 13) == 0 ||
	    strncmp(db, "postgres://", 11) == 0)
		return 1;
	/* A libpq keyword string: "host=/run/pg dbname=quill". */
	for (p = db; *p == ' ' || *p == '\t'; p++)
		continue;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '=';
}

const char *
config_state_path(void)
{
	return config_db_is_postgresql(config.db) ? config.key_file :
	    config.db;
}

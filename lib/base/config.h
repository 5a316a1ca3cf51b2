/*
 * config: the settings of a Quill process.  Each setting has one name,
 * QUILL_SOMETHING, used both as an environment variable (set by the web
 * server) and as a line QUILL_SOMETHING=value in the optional file named by
 * QUILL_CONFIG.  The environment wins over the file.  Everything is checked
 * at start-up; a bad value stops the process with a message naming it.
 */
#ifndef QUILL_CONFIG_H
#define QUILL_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_ORIGINS 8
#define CONFIG_MAX_ADDRS 8

/* A rate limit: at most limit requests a window of window seconds; 0 is off. */
struct config_rate {
	long	 limit;
	long	 window;
};

/* An address in network form (AF_INET or AF_INET6), as inet_pton makes it. */
struct config_addr {
	int		 family;
	unsigned char	 bytes[16];
};

/* A list of addresses ("10.0.0.1, ::1"). */
struct config_addrs {
	struct config_addr a[CONFIG_MAX_ADDRS];
	size_t		 n;
};

/*
 * What an account whose address is not confirmed may do
 * (QUILL_REQUIRE_VERIFIED): everything; sign in and read, not write; not
 * even sign in.  The names are config_verified_names.
 */
enum config_verified {
	CONFIG_VERIFIED_NONE,
	CONFIG_VERIFIED_WRITE,
	CONFIG_VERIFIED_LOGIN,
	CONFIG_VERIFIED__MAX
};

/* "none", "write", "login": indexed by enum config_verified. */
extern const char *const config_verified_names[CONFIG_VERIFIED__MAX];

struct config {
	char	 db[1024];		/* QUILL_DB */
	char	 key_file[1024];	/* QUILL_KEY_FILE */
	char	 blocklist[1024];	/* QUILL_PASSWORD_BLOCKLIST */
	char	 public_origin[256];	/* QUILL_PUBLIC_ORIGIN */
	char	 issuer[256];		/* QUILL_JWT_ISSUER */
	char	 audience[256];		/* QUILL_JWT_AUDIENCE */
	long	 access_ttl;		/* QUILL_ACCESS_TTL, seconds */
	long	 max_json;		/* QUILL_MAX_JSON_BYTES */
	long	 max_form;		/* QUILL_MAX_FORM_BYTES */
	long	 max_post;		/* QUILL_MAX_POST_BYTES */
	long	 busy_timeout_ms;	/* QUILL_BUSY_TIMEOUT_MS */
	long	 argon2_ops;		/* QUILL_ARGON2_OPSLIMIT, 0 = interactive */
	long	 argon2_mem_kib;	/* QUILL_ARGON2_MEMLIMIT_KIB, 0 = interactive */
	long	 argon2_slots;		/* QUILL_ARGON2_CONCURRENCY, 0 = no cap */
	long	 argon2_wait_ms;	/* QUILL_ARGON2_WAIT_MS */
	long	 request_timeout_ms;	/* QUILL_REQUEST_TIMEOUT_MS, 0 = none */
	long	 max_requests;		/* QUILL_MAX_REQUESTS, 0 = never recycle */
	long	 sandbox;		/* QUILL_SANDBOX, 0 or 1 */
	int	 log_level;		/* QUILL_LOG_LEVEL: debug|info|warn|error */
	char	 log_file[1024];	/* QUILL_LOG_FILE, "": stderr */
	long	 log_file_max;		/* QUILL_LOG_FILE_MAX_BYTES */
	char	 cors[CONFIG_MAX_ORIGINS][256];	/* QUILL_CORS_ORIGINS */
	size_t	 ncors;

	/* Sessions and password resets, in seconds. */
	long	 refresh_idle_ttl;	/* QUILL_REFRESH_IDLE_TTL */
	long	 refresh_ttl;		/* QUILL_REFRESH_ABSOLUTE_TTL */
	long	 refresh_grace;		/* QUILL_REFRESH_GRACE */
	long	 reset_ttl;		/* QUILL_RESET_TTL */

	/* Browser forms: cookie sessions, CSRF, answers (docs/forms.md). */
	long	 cookie_idle_ttl;	/* QUILL_COOKIE_IDLE_TTL, seconds */
	long	 cookie_ttl;		/* QUILL_COOKIE_ABSOLUTE_TTL, seconds */
	long	 csrf_token_required;	/* QUILL_CSRF_TOKEN_REQUIRED, 0 or 1 */
	char	 form_redirect[256];	/* QUILL_FORM_DEFAULT_REDIRECT, a path */

	/* Mail. */
	char	 mail_spool[1024];	/* QUILL_MAIL_SPOOL */
	char	 sendmail[1024];	/* QUILL_SENDMAIL */
	char	 mail_from[256];	/* QUILL_MAIL_FROM */

	/* Rate limits. */
	struct config_rate rate_login;		/* QUILL_RATE_LOGIN, per address */
	struct config_rate rate_register;	/* QUILL_RATE_REGISTER, per address */
	struct config_rate rate_forgot;		/* QUILL_RATE_FORGOT, per address */
	struct config_rate rate_forgot_account;	/* QUILL_RATE_FORGOT_ACCOUNT */
	struct config_rate rate_refresh;	/* QUILL_RATE_REFRESH, per session */
	struct config_rate rate_write;		/* QUILL_RATE_WRITE, per user */
	long	 login_failures;	/* QUILL_LOGIN_FAILURES */
	long	 login_backoff;		/* QUILL_LOGIN_BACKOFF, seconds */
	long	 login_backoff_max;	/* QUILL_LOGIN_BACKOFF_MAX, seconds */
	long	 login_failure_window;	/* QUILL_LOGIN_FAILURE_WINDOW, seconds */

	/* Two-factor sign-in and recent login (docs/auth.md). */
	char	 mfa_issuer[128];	/* QUILL_MFA_ISSUER, "": the origin's host */
	char	 mfa_roles[128];	/* QUILL_MFA_REQUIRED_ROLES, as given */
	unsigned mfa_required;		/* bit 1 << role: that role must enrol */
	long	 mfa_challenge_ttl;	/* QUILL_MFA_CHALLENGE_TTL, seconds */
	long	 mfa_attempts;		/* QUILL_MFA_ATTEMPTS */
	long	 recent_login;		/* QUILL_RECENT_LOGIN, seconds */

	/* Email verification and change (docs/auth.md). */
	char	 require_verified_text[16];	/* QUILL_REQUIRE_VERIFIED */
	enum config_verified require_verified;	/* ... parsed */
	long	 verify_ttl;		/* QUILL_VERIFY_TTL, seconds */
	long	 email_cancel_ttl;	/* QUILL_EMAIL_CANCEL_TTL, seconds */
	struct config_rate rate_verify;	/* QUILL_RATE_VERIFY, per address */
	struct config_rate rate_verify_account;	/* QUILL_RATE_VERIFY_ACCOUNT */
	long	 rate_ipv6_prefix;	/* QUILL_RATE_IPV6_PREFIX, bits */
	struct config_addrs proxies;	/* QUILL_TRUSTED_PROXIES */

	/* Metrics (docs/monitoring.md). */
	char	 metrics_file[1024];	/* QUILL_METRICS_FILE, "": beside QUILL_DB */
	struct config_addrs metrics_allow;	/* QUILL_METRICS_ALLOW */
	char	 metrics_token[256];	/* QUILL_METRICS_TOKEN */

	unsigned char key[64];		/* contents of the key file */
	size_t	 key_len;
};

extern struct config config;

/*
 * Fills config from the defaults, the QUILL_CONFIG file and the environment.
 * Returns 0, or -1 with a sentence naming the bad setting in err.
 */
int config_load(char *err, size_t errsz);

/*
 * Reads the signing key from config.key_file: 64 or more hex digits (32+
 * bytes), in a file no other user may read.  Returns 0, or -1 with err set.
 */
int config_load_key(char *err, size_t errsz);

/*
 * Sends the log lines to QUILL_LOG_FILE when it is set (base/log.h's
 * log_to_file, rotated by QUILL_LOG_FILE_MAX_BYTES); when that cannot be,
 * they stay on standard error, after a log_file_unavailable line saying
 * why.
 */
void config_log_file(void);

/*
 * 1 when the setting called name was set by the QUILL_CONFIG file or the
 * environment (after config_load), 0 when it has its built-in default.
 */
int config_given(const char *name);

/*
 * 1 when QUILL_DB's value db names a PostgreSQL database (a postgresql://
 * URI or a libpq keyword string such as "host=/run/pg dbname=quill"),
 * 0 when it is a SQLite file.
 */
int config_db_is_postgresql(const char *db);

/*
 * The path the site's local files are named after (the metrics file, the
 * Argon2 lock, quillctl's mail lock: PATH.metrics and so on), in the
 * directory the sandbox leaves writable: the SQLite database, or for
 * PostgreSQL the key file.
 */
const char *config_state_path(void);

/* A setting as quill.conf(5) describes it. */
struct config_doc {
	const char	*name;
	const char	*def;		/* the built-in default; "" for none */
	const char	*doc;		/* what it means, in sentences */
	char		 range[256];	/* the values it accepts, a phrase */
};

/* Fills d with the i-th setting of the table; -1 past the last. */
int config_doc(size_t i, struct config_doc *d);

/* 1 when origin (len bytes) is one of the configured CORS origins. */
int config_cors_allowed(const char *origin, size_t len);

/* 1 when addr is an IP address listed in QUILL_TRUSTED_PROXIES. */
int config_proxy_trusted(const char *addr);

/* 1 when addr is an IP address listed in QUILL_METRICS_ALLOW. */
int config_metrics_allowed(const char *addr);

/* 1 when s is scheme://host[:port] with no path, query or credentials. */
int config_origin_ok(const char *s);

#endif

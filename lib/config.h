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
	int	 log_level;		/* QUILL_LOG_LEVEL: debug|info|warn|error */
	char	 cors[CONFIG_MAX_ORIGINS][256];	/* QUILL_CORS_ORIGINS */
	size_t	 ncors;
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

/* 1 when origin (len bytes) is one of the configured CORS origins. */
int config_cors_allowed(const char *origin, size_t len);

#endif

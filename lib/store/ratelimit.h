/*
 * ratelimit: request counters kept in SQLite, so every process of every
 * program agrees.
 *
 * A limit allows N requests a window of S seconds per key (a client
 * address, a session, a user; see QUILL_RATE_* in docs/configuration.md).
 * A key's window starts at its first request after the previous window
 * ended.  Failed logins per account add a growing back-off on top.
 * A refusal is ERR_RATE_LIMITED with a verdict (which bucket, its limit,
 * when the window ends), which reply turns into 429 with Retry-After,
 * RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset, and which
 * ratelimit_log writes as a "rate_limited" log event.
 *
 * The pattern for an endpoint that does expensive work (Argon2) first:
 * ratelimit_check() before the work (reads only), ratelimit_hit() inside
 * the request's write transaction.  A limit of 0 is off.
 */
#ifndef QUILL_RATELIMIT_H
#define QUILL_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum ratelimit_bucket {
	RL_LOGIN,		/* POST /auth/login, per client address */
	RL_REGISTER,		/* POST /auth/register, per client address */
	RL_FORGOT,		/* POST /auth/password/forgot, per address */
	RL_FORGOT_ACCOUNT,	/* the same per account; never shown */
	RL_REFRESH,		/* POST /auth/refresh, per session */
	RL_WRITE,		/* writes on users and posts, per user:
				   auth_write_limit */
	RL_LOGIN_ACCOUNT,	/* failed logins per account: counted by
				   ratelimit_login_failed, checked by
				   ratelimit_login_check, never hit */
	RL_VERIFY,		/* POST /auth/verify/resend, per address */
	RL_VERIFY_ACCOUNT,	/* the same per account; never shown */
	RL__MAX
};

/* Why a request was refused: what a 429 says. */
struct ratelimit_verdict {
	enum ratelimit_bucket bucket;
	long		 limit;		/* requests a window; 0: no refusal */
	int64_t		 reset;		/* seconds until the window ends, >= 1 */
};

/*
 * Whether key may make one more request in bucket b at now, without
 * counting it: ERR_NONE, or ERR_RATE_LIMITED with *v filled in.
 */
enum err ratelimit_check(enum ratelimit_bucket b, const char *key,
    int64_t now, struct ratelimit_verdict *v);

/*
 * Counts one request of key in bucket b at now; ERR_RATE_LIMITED (*v
 * filled in) when it is over the limit, and the caller then rolls back.
 * Call inside the request's write transaction.
 */
enum err ratelimit_hit(enum ratelimit_bucket b, const char *key,
    int64_t now, struct ratelimit_verdict *v);

/*
 * As ratelimit_hit, but the request goes on: *over is set to 1, and *v
 * filled in, when it is over the limit, which the caller only logs
 * (ratelimit_log).  For limits a client must not be able to observe.
 */
enum err ratelimit_count(enum ratelimit_bucket b, const char *key,
    int64_t now, struct ratelimit_verdict *v, int *over);

/*
 * Whether the account (the email as typed, len bytes, compared without
 * regard to ASCII case) is in its login back-off at now: ERR_RATE_LIMITED
 * with *v filled in.  Reads only.  Unknown emails are accounts like any
 * other, so the answer reveals nothing about which exist.
 */
enum err ratelimit_login_check(const char *account, size_t len, int64_t now,
    struct ratelimit_verdict *v);

/*
 * Logs the refusal *v of the request request_id from client as a
 * "rate_limited" event and counts it (the key is not logged: it may be
 * personal).
 */
void ratelimit_log(const struct ratelimit_verdict *v, const char *request_id,
    const char *client);

/*
 * Records a failed login of the account at now.  From the
 * QUILL_LOGIN_FAILURES-th failure within QUILL_LOGIN_FAILURE_WINDOW, the
 * account is locked for QUILL_LOGIN_BACKOFF seconds, doubling with each
 * further failure up to QUILL_LOGIN_BACKOFF_MAX.  Call inside a write
 * transaction.
 */
enum err ratelimit_login_failed(const char *account, size_t len, int64_t now);

/* Forgets the failures of the account (it logged in).  In a transaction. */
enum err ratelimit_login_passed(const char *account, size_t len);

#endif

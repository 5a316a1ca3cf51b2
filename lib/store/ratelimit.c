#include <string.h>

#include "pure/addr.h"
#include "base/config.h"
#include "store/db.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/ratelimit.h"
#include "base/secret.h"

/* Bytes of an account name looked at; longer ones are cut. */
#define ACCOUNT_MAX	1024

/* Doublings of the back-off after which it is at its maximum anyway. */
#define BACKOFF_SHIFT_MAX 30

/*
 * A bucket: its name in the table and the logs, its limit (NULL for
 * RL_LOGIN_ACCOUNT, whose limit is QUILL_LOGIN_FAILURES), what its key
 * is, and the counter of its refusals.
 */
struct bucket {
	const char		*name;
	const struct config_rate *rate;
	int			 per_address;	/* the key is a client address */
	enum metric		 refused;
};

static const struct bucket buckets[RL__MAX] = {
	[RL_LOGIN] = { "login", &config.rate_login, 1,
	    MET_RATE_LIMITED_LOGIN },
	[RL_REGISTER] = { "register", &config.rate_register, 1,
	    MET_RATE_LIMITED_REGISTER },
	[RL_FORGOT] = { "forgot", &config.rate_forgot, 1,
	    MET_RATE_LIMITED_FORGOT },
	[RL_FORGOT_ACCOUNT] = { "forgot_account", &config.rate_forgot_account,
	    0, MET_RATE_LIMITED_FORGOT_ACCOUNT },
	[RL_REFRESH] = { "refresh", &config.rate_refresh, 0,
	    MET_RATE_LIMITED_REFRESH },
	[RL_WRITE] = { "write", &config.rate_write, 0, MET_RATE_LIMITED_WRITE },
	[RL_LOGIN_ACCOUNT] = { "login_account", NULL, 0,
	    MET_RATE_LIMITED_LOGIN_ACCOUNT },
	[RL_VERIFY] = { "verify", &config.rate_verify, 1,
	    MET_RATE_LIMITED_VERIFY },
	[RL_VERIFY_ACCOUNT] = { "verify_account", &config.rate_verify_account,
	    0, MET_RATE_LIMITED_VERIFY_ACCOUNT },
};

/*
 * The key bucket b counts: an address is counted by addr_key (its
 * IPv6 network, IPv4-mapped as IPv4), into buf; any other key as it is.
 */
static const char *
bucket_key(enum ratelimit_bucket b, const char *key, char buf[ADDR_MAX])
{
	if (!buckets[b].per_address)
		return key;
	addr_key(key, (int)config.rate_ipv6_prefix, buf, ADDR_MAX);
	return buf;
}

void
ratelimit_log(const struct ratelimit_verdict *v, const char *request_id,
    const char *client)
{
	if (v->bucket < 0 || v->bucket >= RL__MAX)
		return;
	metrics_count(buckets[v->bucket].refused);
	log_event(LOG_WARN, "rate_limited", request_id, "bucket",
	    buckets[v->bucket].name, "client", client, NULL);
}

/* Fills *v for bucket b: limit per window, which ends in reset seconds. */
static void
verdict(struct ratelimit_verdict *v, enum ratelimit_bucket b, long limit,
    int64_t reset)
{
	v->bucket = b;
	v->limit = limit;
	v->reset = reset < 1 ? 1 : reset;
}

/* Refuses for bucket b: ERR_RATE_LIMITED, *v filled in. */
static enum err
refuse(struct ratelimit_verdict *v, enum ratelimit_bucket b, long limit,
    int64_t reset)
{
	verdict(v, b, limit, reset);
	return ERR_RATE_LIMITED;
}

/*
 * Runs st for one row and reads its first n integer columns into v, all 0
 * when there is no row.  ERR_NONE, or a database error naming where.
 */
static enum err
row_ints(struct db_stmt *st, int64_t *v, int n, const char *where)
{
	int row = db_next(st), i;

	for (i = 0; i < n; i++)
		v[i] = row ? db_int(st, i) : 0;
	return db_finish(st, where);
}

enum err
ratelimit_check(enum ratelimit_bucket b, const char *key, int64_t now,
    struct ratelimit_verdict *v)
{
	const struct config_rate *rate = buckets[b].rate;
	char buf[ADDR_MAX];
	struct db_stmt *st;
	int64_t row[2];	/* hits, expires_at */
	enum err e;

	if (rate->limit == 0)
		return ERR_NONE;
	st = db_prepare(STMT_RATE_GET);
	db_bind_str(st, 1, buckets[b].name);
	db_bind_str(st, 2, bucket_key(b, key, buf));
	if ((e = row_ints(st, row, 2, "ratelimit_check")) != ERR_NONE)
		return e;
	if (row[1] > now && row[0] >= rate->limit)
		return refuse(v, b, rate->limit, row[1] - now);
	return ERR_NONE;
}

/* Counts one hit; *reset receives the seconds left in the window. */
static enum err
rate_count(enum ratelimit_bucket b, const char *key, int64_t now, int *over,
    int64_t *reset)
{
	const struct config_rate *rate = buckets[b].rate;
	char buf[ADDR_MAX];
	struct db_stmt *st;
	int64_t v[2];	/* hits, expires_at: the upsert returns its row */
	enum err e;

	*over = 0;
	*reset = 0;
	if (rate->limit == 0)
		return ERR_NONE;
	st = db_prepare(STMT_RATE_HIT);
	db_bind_str(st, 1, buckets[b].name);
	db_bind_str(st, 2, bucket_key(b, key, buf));
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, rate->window);
	if ((e = row_ints(st, v, 2, "ratelimit_hit")) != ERR_NONE)
		return e;
	*reset = v[1] - now;
	*over = v[0] > rate->limit;
	return ERR_NONE;
}

enum err
ratelimit_hit(enum ratelimit_bucket b, const char *key, int64_t now,
    struct ratelimit_verdict *v)
{
	int64_t reset;
	int over;
	enum err e;

	if ((e = rate_count(b, key, now, &over, &reset)) != ERR_NONE)
		return e;
	return over ? refuse(v, b, buckets[b].rate->limit,
	    reset) : ERR_NONE;
}

enum err
ratelimit_count(enum ratelimit_bucket b, const char *key, int64_t now,
    struct ratelimit_verdict *v, int *over)
{
	int64_t reset;
	enum err e;

	if ((e = rate_count(b, key, now, over, &reset)) == ERR_NONE && *over)
		verdict(v, b, buckets[b].rate->limit, reset);
	return e;
}

/* Reads the failures row of account key into v (3 values, 0s if none). */
static enum err
failures_get(const char *key, int64_t v[3], const char *where)
{
	struct db_stmt *st = db_prepare(STMT_LOGIN_FAILURE_GET);

	db_bind_str(st, 1, key);
	return row_ints(st, v, 3, where);
}

/* The stored name of an account: the digest of its lowercased text. */
static void
account_key(const char *account, size_t len, char out[SECRET_DIGEST_HEX])
{
	char low[ACCOUNT_MAX];
	size_t i;

	if (len > sizeof(low))
		len = sizeof(low);
	for (i = 0; i < len; i++)
		low[i] = account[i] >= 'A' && account[i] <= 'Z' ?
		    (char)(account[i] - 'A' + 'a') : account[i];
	secret_digest_hex(low, len, out);
}

enum err
ratelimit_login_check(const char *account, size_t len, int64_t now,
    struct ratelimit_verdict *v)
{
	char key[SECRET_DIGEST_HEX];
	int64_t row[3];	/* failures, last_failed_at, locked_until */
	enum err e;

	if (config.login_failures == 0)
		return ERR_NONE;
	account_key(account, len, key);
	if ((e = failures_get(key, row, "ratelimit_login_check")) != ERR_NONE)
		return e;
	if (row[2] > now)
		return refuse(v, RL_LOGIN_ACCOUNT, config.login_failures,
		    row[2] - now);
	return ERR_NONE;
}

/* The back-off after the given number of failures, in seconds (0: none). */
static int64_t
backoff_for(int64_t failures)
{
	int64_t shift = failures - config.login_failures, t;

	if (shift < 0)
		return 0;
	if (shift > BACKOFF_SHIFT_MAX)
		return config.login_backoff_max;
	t = (int64_t)config.login_backoff << shift;
	return t < config.login_backoff_max ? t : config.login_backoff_max;
}

enum err
ratelimit_login_failed(const char *account, size_t len, int64_t now)
{
	char key[SECRET_DIGEST_HEX];
	struct db_stmt *st;
	int64_t v[3], failures, locked, expires;
	enum err e;

	if (config.login_failures == 0)
		return ERR_NONE;
	account_key(account, len, key);
	if ((e = failures_get(key, v, "ratelimit_login_failed")) != ERR_NONE)
		return e;
	/* Failures older than the window are forgiven. */
	failures = now - v[1] <= config.login_failure_window ? v[0] + 1 : 1;
	locked = now + backoff_for(failures);
	expires = now + config.login_failure_window;
	if (expires < locked)
		expires = locked;
	st = db_prepare(STMT_LOGIN_FAILURE_PUT);
	db_bind_str(st, 1, key);
	db_bind_int(st, 2, failures);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, locked);
	db_bind_int(st, 5, expires);
	return db_done(st, "ratelimit_login_failed");
}

enum err
ratelimit_login_passed(const char *account, size_t len)
{
	char key[SECRET_DIGEST_HEX];
	struct db_stmt *st;

	if (config.login_failures == 0)
		return ERR_NONE;
	account_key(account, len, key);
	st = db_prepare(STMT_LOGIN_FAILURE_CLEAR);
	db_bind_str(st, 1, key);
	return db_done(st, "ratelimit_login_passed");
}

#include "store/stmt.h"

/*
 * The statement table in PostgreSQL's dialect, for lib/store/db_pg.c:
 * each statement takes the parameters of its SQLite twin (stmt.c), under
 * the same numbers ($1 for ?1), so the store modules bind the same way
 * on both engines.  PostgreSQL wants every number up to the highest
 * used, and a type for each: a parameter SQLite's text does not use is
 * still named here (as always NULL, or in a filter that a NULL leaves
 * open), and arithmetic on parameters is cast.  SQLite's NOCASE is
 * quill_nocase (sql/postgresql/001_init.sql); FTS5 is the generated
 * tsvector column posts.fts (006_search.sql).  The connection plans each
 * run with its values (plan_cache_mode = force_custom_plan), so that
 * "$1 IS NULL OR ..." folds away and a page is an index range.
 */

#define USER_COLUMNS "id, email, name, password_hash, role, disabled, " \
	"token_version, created_at, updated_at, verified_at"

#define POST_COLUMNS "id, author_id, status, version, created_at, " \
	"updated_at, title"

/*
 * Posts: $1 author id, $2 status, $3 createdAfter and $4 createdBefore
 * (exclusive), $5 the match text or NULL, $6 and $7 the sort key and id
 * to continue after, $8 LIMIT, $9 OFFSET.  One row comparison on an
 * index that ends in id makes the keyset page an index range.
 */
#define POST_MATCH "($5::text IS NULL OR fts @@ quill_tsquery($5)) "

#define POST_ALL	"($1::bigint IS NULL OR author_id = $1) AND " \
	"($2::text IS NULL OR status = $2) AND "
#define POST_STATUS	"($1::bigint IS NULL OR author_id = $1) AND " \
	"status = $2 AND "
#define POST_AUTHOR	"author_id = $1 AND ($2::text IS NULL OR status = $2) AND "

#define POST_RANGE	"created_at > $3 AND created_at < $4 AND "

#define TITLE_KEY	"quill_nocase(title)"

#define POST_PAGE(family, key, start, cmp, dir)				\
	"SELECT " POST_COLUMNS ", excerpt FROM posts WHERE " family	\
	POST_RANGE POST_MATCH "AND (" key ", id) " cmp " (" start ", $7) "	\
	"ORDER BY " key " " dir ", id " dir " LIMIT $8 OFFSET $9"

#define POST_PAGES(family)						\
	POST_PAGE(family, "created_at", "$6::bigint", ">", "ASC"),	\
	POST_PAGE(family, "created_at", "$6::bigint", "<", "DESC"),	\
	POST_PAGE(family, "updated_at", "$6::bigint", ">", "ASC"),	\
	POST_PAGE(family, "updated_at", "$6::bigint", "<", "DESC"),	\
	POST_PAGE(family, TITLE_KEY, "quill_nocase($6)", ">", "ASC"),	\
	POST_PAGE(family, TITLE_KEY, "quill_nocase($6)", "<", "DESC")

#define POST_COUNT(family) "SELECT count(*) FROM posts WHERE " family	\
	POST_RANGE POST_MATCH

/*
 * Ranked search: the page's matches, ranked and counted here rather than
 * sent whole to the program: $6 1 for the best first (rank, then the
 * highest id), 0 for the worst; $7 how many to send.  Each row is a
 * match's id, its rank (lower better) and the number of matches.  FTS5's
 * bm25(10.0, 1.0), computed as SQLite computes it
 * (sql/postgresql/011_rank.sql), so that both engines give the same ranks,
 * bit for bit, and the same order.  n: the posts and their tokens; p: the
 * phrases of the match, in order, each with its idf over all posts.  A
 * post's rank is minus the sum, phrase after phrase, of
 * idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl)) with k1 = 1.2
 * and b = 0.75, f its phrase's weighted instances (worked out once: OFFSET
 * 0 keeps the planner from writing it into the sum twice) and D its
 * tokens.
 */
#define BM25_K1 "1.2::float8"
#define BM25_B "0.75::float8"
#define POST_SEARCH_RANKED "WITH n AS (SELECT sum(nrow)::bigint "	\
	"AS nrow, sum(ntoken)::bigint AS ntoken FROM posts_fts_totals), "	\
	"p AS MATERIALIZED (SELECT i, words, prefix, tq, "		\
	"quill_bm25_idf(nrow, nhit) AS idf FROM quill_phrases($5) AS q, n, "	\
	"LATERAL (SELECT count(*) AS nhit FROM posts WHERE fts @@ q.tq) "	\
	"AS h), "								\
	"m AS MATERIALIZED (SELECT id, (SELECT -sum(idf * ((f * ("	\
	BM25_K1 " + 1.0::float8)) / "					\
	"(f + " BM25_K1 " * ((1::float8 - " BM25_B ") + " BM25_B " * "	\
	"fts_size::float8 / (ntoken::float8 / nrow::float8)))) ORDER BY i) "	\
	"FROM (SELECT i, idf, quill_phrase_freq(fts, words, prefix, tq) "	\
	"AS f FROM p OFFSET 0) AS x) AS rank FROM posts, n "		\
	"WHERE fts @@ quill_tsquery($5) AND "				\
	"($1::bigint IS NULL OR author_id = $1) AND "			\
	"($2::text IS NULL OR status = $2) AND created_at > $3 AND "	\
	"created_at < $4) "							\
	"SELECT id, rank, count(*) OVER () FROM m ORDER BY "		\
	"CASE WHEN $6::int = 1 THEN rank ELSE -rank END, "		\
	"CASE WHEN $6::int = 1 THEN -id ELSE id END LIMIT $7::bigint"

/*
 * GET /users.  $1 a role or NULL, $2 a LIKE pattern (wildcards escaped
 * with \) or NULL, matched as SQLite's LIKE does (ASCII letters in either
 * case), $3 and $4 the cursor's key and id, $5 the row limit, $6 the
 * offset.
 */
#define USER_FILTER "($1::text IS NULL OR role = $1) AND ($2::text IS NULL " \
	"OR quill_nocase(name) LIKE quill_nocase($2) ESCAPE '\\' OR "	\
	"quill_nocase(email) LIKE quill_nocase($2) ESCAPE '\\')"
#define USER_PAGE(order) "SELECT " USER_COLUMNS " FROM users WHERE "	\
	USER_FILTER " AND $3::text IS NULL AND $4::bigint IS NULL "	\
	"ORDER BY " order " LIMIT $5 OFFSET $6"
#define USER_AFTER(key, start, cmp, order) "SELECT " USER_COLUMNS	\
	" FROM users WHERE " USER_FILTER " AND (" key ", id) " cmp " ("	\
	start ", $4) ORDER BY " order " LIMIT $5"
#define NAME_KEY "quill_nocase(name)"
#define EMAIL_KEY "quill_nocase(email)"

#define SESSION_COLUMNS "id, created_at, last_used_at, user_agent, ip, kind"
#define SESSION_LIVE "revoked_at IS NULL AND expires_at > $2 AND " \
	"idle_expires_at > $2"

const char *const stmt_pg_sql[STMT__MAX] = {
	[STMT_PING] = "SELECT version FROM schema_migrations "
	    "ORDER BY version DESC LIMIT 1",
	[STMT_USER_INSERT] = "INSERT INTO users (email, name, password_hash, "
	    "role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) "
	    "RETURNING id",
	[STMT_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = $1",
	[STMT_USER_BY_EMAIL] = "SELECT " USER_COLUMNS " FROM users "
	    "WHERE quill_nocase(email) = quill_nocase($1)",
	[STMT_USER_SET_PASSWORD_HASH] = "UPDATE users SET password_hash = $1 "
	    "WHERE id = $2",
	[STMT_USER_SET_VERIFIED] = "UPDATE users SET verified_at = $2::bigint "
	    "WHERE id = $1",
	[STMT_USER_UPDATE] = "UPDATE users SET name = coalesce($1, name), "
	    "email = coalesce($2, email), role = coalesce($3, role), "
	    "disabled = coalesce($4, disabled), updated_at = $5 WHERE id = $6",
	[STMT_USER_DELETE] = "DELETE FROM users WHERE id = $1",
	/* The admins are locked, so two demotions cannot both pass. */
	[STMT_USER_OTHER_ADMINS] = "SELECT count(*) FROM (SELECT id FROM users "
	    "WHERE role = 'admin' AND disabled = 0 AND id <> $1 FOR UPDATE) a",
	[STMT_USER_COUNT] = "SELECT count(*) FROM users WHERE " USER_FILTER,
	[STMT_USER_PAGE_CREATED_ASC] = USER_PAGE("created_at, id"),
	[STMT_USER_PAGE_CREATED_DESC] = USER_PAGE("created_at DESC, id DESC"),
	[STMT_USER_PAGE_NAME_ASC] = USER_PAGE(NAME_KEY ", id"),
	[STMT_USER_PAGE_NAME_DESC] = USER_PAGE(NAME_KEY " DESC, id DESC"),
	[STMT_USER_PAGE_EMAIL_ASC] = USER_PAGE(EMAIL_KEY ", id"),
	[STMT_USER_PAGE_EMAIL_DESC] = USER_PAGE(EMAIL_KEY " DESC, id DESC"),
	[STMT_USER_AFTER_CREATED_ASC] = USER_AFTER("created_at", "$3::bigint",
	    ">", "created_at, id"),
	[STMT_USER_AFTER_CREATED_DESC] = USER_AFTER("created_at", "$3::bigint",
	    "<", "created_at DESC, id DESC"),
	[STMT_USER_AFTER_NAME_ASC] = USER_AFTER(NAME_KEY, "quill_nocase($3)",
	    ">", NAME_KEY ", id"),
	[STMT_USER_AFTER_NAME_DESC] = USER_AFTER(NAME_KEY, "quill_nocase($3)",
	    "<", NAME_KEY " DESC, id DESC"),
	[STMT_USER_AFTER_EMAIL_ASC] = USER_AFTER(EMAIL_KEY, "quill_nocase($3)",
	    ">", EMAIL_KEY ", id"),
	[STMT_USER_AFTER_EMAIL_DESC] = USER_AFTER(EMAIL_KEY,
	    "quill_nocase($3)", "<", EMAIL_KEY " DESC, id DESC"),

	[STMT_SESSION_INSERT] = "INSERT INTO sessions (user_id, kind, "
	    "user_agent, ip, created_at, last_used_at, idle_expires_at, "
	    "expires_at) VALUES ($1, 'token', $2, $3, $4, $4, $5, $6) "
	    "RETURNING id",
	[STMT_SESSION_AUTH] = "SELECT u.role, u.disabled, u.token_version, "
	    "s.revoked_at IS NULL AND s.expires_at > $3 AND "
	    "s.idle_expires_at > $3 FROM sessions s "
	    "JOIN users u ON u.id = s.user_id WHERE s.id = $2 AND "
	    "s.user_id = $1",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_used_at = $2, "
	    "idle_expires_at = greatest(idle_expires_at, $3::bigint), "
	    "user_agent = $4, ip = $5 WHERE id = $1",
	[STMT_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = $3, "
	    "revoked_reason = $4 WHERE id = $2 AND user_id = $1 AND "
	    "revoked_at IS NULL AND expires_at > $3 AND idle_expires_at > $3",
	[STMT_SESSION_REVOKE_ALL] = "UPDATE sessions SET revoked_at = $3, "
	    "revoked_reason = $4 WHERE user_id = $1 AND id <> $2 AND "
	    "revoked_at IS NULL",
	[STMT_SESSION_BUMP_VERSION] = "UPDATE users SET token_version = "
	    "token_version + 1 WHERE id = $1",
	[STMT_SESSION_LIST_ASC] = "SELECT " SESSION_COLUMNS " FROM sessions "
	    "WHERE user_id = $1 AND " SESSION_LIVE " AND ($3::bigint = 0 OR "
	    "(created_at, id) > ($4::bigint, $5::bigint)) "
	    "ORDER BY created_at, id LIMIT $6 OFFSET $7",
	[STMT_SESSION_LIST_DESC] = "SELECT " SESSION_COLUMNS " FROM sessions "
	    "WHERE user_id = $1 AND " SESSION_LIVE " AND ($3::bigint = 0 OR "
	    "(created_at, id) < ($4::bigint, $5::bigint)) "
	    "ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7",
	[STMT_SESSION_COUNT] = "SELECT count(*) FROM sessions "
	    "WHERE user_id = $1 AND " SESSION_LIVE,
	[STMT_REFRESH_INSERT] = "INSERT INTO refresh_tokens (hash, "
	    "session_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
	[STMT_REFRESH_FIND] = "SELECT t.session_id, t.expires_at, "
	    "t.rotated_at, s.user_id, s.revoked_at IS NULL, s.expires_at, "
	    "u.role, u.disabled, u.token_version FROM refresh_tokens t "
	    "JOIN sessions s ON s.id = t.session_id "
	    "JOIN users u ON u.id = s.user_id "
	    "WHERE t.hash = $1 AND s.kind = 'token'",
	/* Of two spends of one token, the second waits for the first's row
	 * lock, then finds rotated_at set and changes nothing. */
	[STMT_REFRESH_SPEND] = "UPDATE refresh_tokens SET rotated_at = $2 "
	    "WHERE hash = $1 AND rotated_at IS NULL",

	[STMT_COOKIE_INSERT] = "INSERT INTO sessions (user_id, kind, "
	    "user_agent, ip, created_at, last_used_at, idle_expires_at, "
	    "expires_at, secret_hash) VALUES ($1, 'cookie', $2, $3, $4, $4, "
	    "$5, $6, $7) RETURNING id",
	[STMT_COOKIE_AUTH] = "SELECT s.id, s.user_id, u.role, u.disabled, "
	    "u.token_version, s.last_used_at FROM sessions s "
	    "JOIN users u ON u.id = s.user_id WHERE s.secret_hash = $1 AND "
	    "s.kind = 'cookie' AND s.revoked_at IS NULL AND s.expires_at > $2 "
	    "AND s.idle_expires_at > $2",
	[STMT_COOKIE_TOUCH] = "UPDATE sessions SET last_used_at = $2, "
	    "idle_expires_at = greatest(idle_expires_at, "
	    "least($2::bigint + $3::bigint, expires_at)), "
	    "user_agent = $4, ip = $5 WHERE id = $1 AND kind = 'cookie' AND "
	    "revoked_at IS NULL AND last_used_at <= $2::bigint - $6::bigint",
	[STMT_RESET_INSERT] = "INSERT INTO reset_tokens (hash, user_id, "
	    "created_at, expires_at) VALUES ($1, $2, $3, $4)",
	[STMT_RESET_FIND] = "SELECT user_id FROM reset_tokens WHERE hash = $1 "
	    "AND used_at IS NULL AND expires_at > $2",
	[STMT_RESET_USE] = "UPDATE reset_tokens SET used_at = $2 "
	    "WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 "
	    "RETURNING user_id",
	[STMT_RESET_INVALIDATE] = "UPDATE reset_tokens SET used_at = $2 "
	    "WHERE user_id = $1 AND used_at IS NULL",
	[STMT_EMAIL_TOKEN_INSERT] = "INSERT INTO email_tokens (hash, "
	    "code_hash, user_id, purpose, email, created_at, expires_at, "
	    "session_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint)",
	[STMT_EMAIL_TOKEN_VOID] = "UPDATE email_tokens SET used_at = $3 "
	    "WHERE user_id = $1 AND ($2::text IS NULL OR purpose = $2::text) "
	    "AND used_at IS NULL",
	[STMT_EMAIL_TOKEN_USE] = "UPDATE email_tokens SET used_at = $2 "
	    "WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 "
	    "AND purpose IN ($3::text, $4::text) RETURNING user_id, purpose, "
	    "email, session_id",
	[STMT_EMAIL_TOKEN_USE_CODE] = "UPDATE email_tokens SET used_at = $2 "
	    "WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 "
	    "AND purpose IN ('verify', 'change') "
	    "AND lower(email) = lower($3::text) "
	    "RETURNING user_id, purpose, email, session_id",
	[STMT_EMAIL_TOKEN_PENDING] = "SELECT email FROM email_tokens "
	    "WHERE user_id = $1 AND purpose = 'change' AND used_at IS NULL "
	    "AND expires_at > $2 ORDER BY created_at DESC LIMIT 1",
	[STMT_MAIL_INSERT] = "INSERT INTO mail_outbox (recipient, subject, "
	    "body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
	[STMT_MAIL_NEXT] = "SELECT id, recipient, subject, body, created_at "
	    "FROM mail_outbox WHERE sent_at IS NULL AND id > $1 "
	    "ORDER BY id LIMIT 1",
	[STMT_MAIL_SENT] = "UPDATE mail_outbox SET sent_at = $2, body = '', "
	    "attempts = attempts + 1 WHERE id = $1",
	[STMT_MAIL_FAILED] = "UPDATE mail_outbox SET attempts = attempts + 1 "
	    "WHERE id = $1",
	[STMT_MAIL_PENDING] = "SELECT count(*), coalesce(min(created_at), 0) "
	    "FROM mail_outbox WHERE sent_at IS NULL",
	[STMT_RATE_GET] = "SELECT hits, expires_at FROM rate_limits "
	    "WHERE bucket = $1 AND key = $2",
	/* One statement: the upsert locks the row, so every hit counts. */
	[STMT_RATE_HIT] = "INSERT INTO rate_limits AS r (bucket, key, "
	    "window_start, hits, expires_at) VALUES ($1, $2, $3, 1, "
	    "$3::bigint + $4::bigint) ON CONFLICT (bucket, key) DO UPDATE SET "
	    "hits = CASE WHEN r.expires_at <= $3 THEN 1 ELSE r.hits + 1 END, "
	    "window_start = CASE WHEN r.expires_at <= $3 THEN $3 "
	    "ELSE r.window_start END, "
	    "expires_at = CASE WHEN r.expires_at <= $3 "
	    "THEN $3::bigint + $4::bigint ELSE r.expires_at END "
	    "RETURNING hits, expires_at",
	/* Locked to the end of the transaction: the count read is the one
	 * written back. */
	[STMT_LOGIN_FAILURE_GET] = "SELECT failures, last_failed_at, "
	    "locked_until FROM login_failures WHERE account = $1 FOR UPDATE",
	[STMT_LOGIN_FAILURE_PUT] = "INSERT INTO login_failures "
	    "(account, failures, last_failed_at, locked_until, expires_at) "
	    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account) DO UPDATE SET "
	    "failures = excluded.failures, "
	    "last_failed_at = excluded.last_failed_at, "
	    "locked_until = excluded.locked_until, "
	    "expires_at = excluded.expires_at",
	[STMT_LOGIN_FAILURE_CLEAR] = "DELETE FROM login_failures "
	    "WHERE account = $1",
	[STMT_TOTP_GET] = "SELECT secret, created_at, enabled_at, last_step "
	    "FROM user_totp WHERE user_id = $1",
	[STMT_TOTP_BEGIN] = "INSERT INTO user_totp AS t (user_id, secret, "
	    "created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE "
	    "SET secret = excluded.secret, created_at = excluded.created_at, "
	    "last_step = -1 WHERE t.enabled_at IS NULL",
	[STMT_TOTP_ENABLE] = "UPDATE user_totp SET enabled_at = $3, "
	    "last_step = $2 WHERE user_id = $1 AND enabled_at IS NULL "
	    "AND last_step < $2",
	[STMT_TOTP_USE] = "UPDATE user_totp SET last_step = $2 "
	    "WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_step < $2",
	[STMT_TOTP_DELETE] = "DELETE FROM user_totp WHERE user_id = $1",
	[STMT_RECOVERY_CLEAR] = "DELETE FROM recovery_codes WHERE user_id = $1",
	[STMT_RECOVERY_INSERT] = "INSERT INTO recovery_codes (user_id, hash, "
	    "created_at) VALUES ($1, $2, $3)",
	[STMT_RECOVERY_USE] = "UPDATE recovery_codes SET used_at = $3 "
	    "WHERE user_id = $1 AND hash = $2 AND used_at IS NULL",
	[STMT_RECOVERY_LEFT] = "SELECT count(*) FROM recovery_codes "
	    "WHERE user_id = $1 AND used_at IS NULL",
	[STMT_CHALLENGE_INSERT] = "INSERT INTO mfa_challenges (hash, user_id, "
	    "kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
	[STMT_CHALLENGE_FIND] = "SELECT user_id, kind, attempts "
	    "FROM mfa_challenges WHERE hash = $1 AND used_at IS NULL "
	    "AND expires_at > $2 AND attempts < $3",
	[STMT_CHALLENGE_FAIL] = "UPDATE mfa_challenges "
	    "SET attempts = attempts + 1 WHERE hash = $1 AND used_at IS NULL",
	[STMT_CHALLENGE_USE] = "UPDATE mfa_challenges SET used_at = $2 "
	    "WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 "
	    "AND attempts < $3 RETURNING user_id, kind",
	[STMT_CHALLENGE_CLEAR] = "DELETE FROM mfa_challenges "
	    "WHERE user_id = $1",
	[STMT_SIGNIN_GET] = "SELECT coalesce((SELECT signed_in_at "
	    "FROM session_signins WHERE session_id = sessions.id), created_at) "
	    "FROM sessions WHERE id = $1 AND user_id = $2",
	[STMT_SIGNIN_MARK] = "INSERT INTO session_signins (session_id, "
	    "signed_in_at) SELECT id, $3 FROM sessions WHERE id = $1 "
	    "AND user_id = $2 AND revoked_at IS NULL "
	    "ON CONFLICT (session_id) DO UPDATE "
	    "SET signed_in_at = excluded.signed_in_at",
	[STMT_PURGE_SESSIONS] = "DELETE FROM sessions WHERE revoked_at IS NOT "
	    "NULL OR expires_at <= $1 OR idle_expires_at <= $1",
	[STMT_PURGE_REFRESH] = "DELETE FROM refresh_tokens "
	    "WHERE expires_at <= $1",
	[STMT_PURGE_RESET] = "DELETE FROM reset_tokens WHERE expires_at <= $1 "
	    "OR used_at IS NOT NULL",
	[STMT_PURGE_EMAIL_TOKENS] = "DELETE FROM email_tokens "
	    "WHERE expires_at <= $1 OR used_at IS NOT NULL",
	[STMT_PURGE_MAIL] = "DELETE FROM mail_outbox WHERE $1::bigint IS NOT "
	    "NULL AND (sent_at <= $2 OR created_at <= $3)",
	[STMT_PURGE_RATE] = "DELETE FROM rate_limits WHERE expires_at <= $1",
	[STMT_PURGE_LOGIN_FAILURES] = "DELETE FROM login_failures "
	    "WHERE expires_at <= $1",
	[STMT_PURGE_CHALLENGES] = "DELETE FROM mfa_challenges "
	    "WHERE expires_at <= $1 OR used_at IS NOT NULL",

	[STMT_POST_INSERT] = "INSERT INTO posts (status, title, body, "
	    "updated_at, created_at, author_id) VALUES ($1, $2, $3, $4, $4, $5) "
	    "RETURNING id",
	[STMT_POST_BY_ID] = "SELECT " POST_COLUMNS ", body FROM posts "
	    "WHERE id = $1",
	[STMT_POST_UPDATE] = "UPDATE posts SET status = $1, title = $2, "
	    "body = $3, updated_at = $4, version = version + 1 WHERE id = $5",
	[STMT_POST_DELETE] = "DELETE FROM posts WHERE id = $1",
	[STMT_POST_PAGE_ALL_CREATED_ASC] = POST_PAGES(POST_ALL),
	[STMT_POST_PAGE_STATUS_CREATED_ASC] = POST_PAGES(POST_STATUS),
	[STMT_POST_PAGE_AUTHOR_CREATED_ASC] = POST_PAGES(POST_AUTHOR),
	[STMT_POST_COUNT_ALL] = POST_COUNT(POST_ALL),
	[STMT_POST_COUNT_STATUS] = POST_COUNT(POST_STATUS),
	[STMT_POST_COUNT_AUTHOR] = POST_COUNT(POST_AUTHOR),
	[STMT_POST_COUNT_MATCH] = "SELECT count(*) FROM posts WHERE "
	    "fts @@ quill_tsquery($5) AND "
	    "($1::bigint IS NULL OR author_id = $1) AND "
	    "($2::text IS NULL OR status = $2) AND " POST_RANGE "TRUE",
	[STMT_POST_SEARCH_RANKED] = POST_SEARCH_RANKED,
	/* The posts whose ids $1 lists (a JSON array), in no order. */
	[STMT_POST_BY_IDS] = "SELECT " POST_COLUMNS ", excerpt FROM posts "
	    "WHERE id IN (SELECT value::bigint "
	    "FROM json_array_elements_text($1::json))",
};

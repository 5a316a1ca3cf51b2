#include "store/stmt.h"

#define USER_COLUMNS "id, email, name, password_hash, role, disabled, " \
	"token_version, created_at, updated_at, verified_at"

/*
 * Posts.  Every list statement numbers its parameters the same way:
 *   ?1 author id, ?2 status, ?3 createdAfter and ?4 createdBefore
 *   (exclusive), ?5 the FTS5 query or NULL, ?6 and ?7 the sort key and id
 *   to continue after, ?8 LIMIT, ?9 OFFSET.
 * A page merges two index seeks: the rest of the current run of equal keys
 * (key = ?6, id beyond ?7), then the keys beyond ?6.  SQLite does not seek
 * on the rowid half of a row value, so "(key, id) < (?6, ?7)" would scan a
 * long run of equal keys (a bulk import, a common title) on every page.
 * INDEXED BY pins each page to its index: without it the statement does
 * not prepare (quillctl check fails, and so does each page, 500) instead of
 * quietly sorting a million rows per page.  A
 * "+" before a column keeps a filter from being taken as a seek bound.
 * The ?5 test relies on OR evaluating its left side first: FTS5 refuses a
 * NULL query.
 */
#define POST_COLUMNS "id, author_id, status, version, created_at, " \
	"updated_at, title"

#define POST_MATCH "(?5 IS NULL OR id IN (SELECT rowid FROM posts_fts " \
	"WHERE posts_fts MATCH ?5))"

/* The list families: everyone's posts, one status, one author. */
#define POST_ALL	""
#define POST_STATUS	"status = ?2 AND "
#define POST_AUTHOR	"author_id = ?1 AND (?2 IS NULL OR status = ?2) AND "

/*
 * The created range.  Sorted by creation, the far end of the walk is a
 * seek bound of the second half; the near end is folded into ?6/?7 by
 * lib/store/post.c and kept here as a filter so the text is right on its own.
 * In the first half (one key) both ends are filters.
 */
#define POST_RANGE_UP	"+created_at > ?3 AND created_at < ?4 AND "
#define POST_RANGE_DOWN	"created_at > ?3 AND +created_at < ?4 AND "
#define POST_RANGE	"+created_at > ?3 AND +created_at < ?4 AND "

#define POST_HALF(family, index, range)					\
	"SELECT " POST_COLUMNS ", excerpt FROM posts INDEXED BY " index	\
	" WHERE " family range POST_MATCH " AND "

#define POST_PAGE(family, index, range, key, cmp, dir)			\
	POST_HALF(family, index, POST_RANGE) key " = ?6 AND id " cmp " ?7 "	\
	"UNION ALL " POST_HALF(family, index, range) key " " cmp " ?6 "	\
	"ORDER BY " key " " dir ", id " dir " LIMIT ?8 OFFSET ?9"

#define POST_COUNT(family) "SELECT count(*) FROM posts WHERE " family	\
	"created_at > ?3 AND created_at < ?4 AND " POST_MATCH

/*
 * The total of a search, driven from the matches: the `+` keeps SQLite from
 * walking a posts index first, which on a large table tests every post of
 * the family against the matches (a second at a million posts, against
 * milliseconds this way).
 */
#define POST_COUNT_MATCH "SELECT count(*) FROM posts_fts JOIN posts "	\
	"ON posts.id = posts_fts.rowid WHERE posts_fts MATCH ?5 AND "	\
	"(?1 IS NULL OR +author_id = ?1) AND (?2 IS NULL OR +status = ?2) "	\
	"AND +created_at > ?3 AND +created_at < ?4"

/*
 * Ranked search: FTS5 finds the matches, posts filters them, and each
 * comes with its rank; lib/store/post_store.c keeps the page's, counting
 * all, so that neither the matches are found twice (once more to count
 * them) nor every match's columns carried through a sort.  The rank is
 * sql/006's 'rank' spelled out: through the configured rank, FTS5
 * prepares a statement for its arguments on every query.
 */
#define POST_SEARCH_RANKED "SELECT posts.id, "				\
	"bm25(posts_fts, 10.0, 1.0) FROM posts_fts JOIN posts "		\
	"ON posts.id = posts_fts.rowid WHERE posts_fts MATCH ?5 AND "	\
	"(?1 IS NULL OR author_id = ?1) AND (?2 IS NULL OR status = ?2) "	\
	"AND +created_at > ?3 AND +created_at < ?4"

/* The posts whose ids ?1 lists (a JSON array), in no order. */
#define POST_BY_IDS "SELECT posts.id, author_id, status, version, "	\
	"created_at, updated_at, title, excerpt FROM json_each(?1) AS ids "	\
	"CROSS JOIN posts ON posts.id = ids.value"

const char *const stmt_sql[STMT__MAX] = {
	[STMT_PING] = "SELECT version FROM schema_migrations "
	    "ORDER BY version DESC LIMIT 1",
	[STMT_USER_INSERT] = "INSERT INTO users (email, name, password_hash, "
	    "role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?",
	[STMT_USER_BY_EMAIL] = "SELECT " USER_COLUMNS " FROM users "
	    "WHERE email = ?",
	/* ?2 NULL: the address is no longer confirmed. */
	[STMT_USER_SET_VERIFIED] = "UPDATE users SET verified_at = ?2 "
	    "WHERE id = ?1",
	[STMT_USER_SET_PASSWORD_HASH] = "UPDATE users SET password_hash = ? "
	    "WHERE id = ?",

/*
 * GET /users.  ?1 a role or NULL, ?2 a LIKE pattern (wildcards in the
 * client's text escaped with \) or NULL, ?3 and ?4 the cursor's key and id,
 * ?5 the row limit, ?6 the offset.  The filters are constant text, so each
 * sort order has its own statement and its own index.
 */
#define USER_FILTER "(?1 IS NULL OR role = ?1) AND (?2 IS NULL OR " \
	"name LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')"
#define USER_PAGE(order) "SELECT " USER_COLUMNS " FROM users WHERE " \
	USER_FILTER " ORDER BY " order " LIMIT ?5 OFFSET ?6"
/* Rows after (key, id) in the order key cmp, id cmp: a range on the index. */
#define USER_AFTER(key, cmp, order) "SELECT " USER_COLUMNS " FROM users " \
	"WHERE " USER_FILTER " AND " key " " cmp "= ?3 AND (" key " " cmp \
	" ?3 OR id " cmp " ?4) ORDER BY " order " LIMIT ?5"
#define NAME_KEY "name COLLATE NOCASE"

	/*
	 * NULL leaves a column as it is.  The token version is not here:
	 * session_revoke_user moves it, with the sessions it ends.
	 */
	[STMT_USER_UPDATE] = "UPDATE users SET name = coalesce(?1, name), "
	    "email = coalesce(?2, email), role = coalesce(?3, role), "
	    "disabled = coalesce(?4, disabled), updated_at = ?5 WHERE id = ?6",
	/* Posts and sessions go with the user: ON DELETE CASCADE. */
	[STMT_USER_DELETE] = "DELETE FROM users WHERE id = ?",
	[STMT_USER_OTHER_ADMINS] = "SELECT count(*) FROM users "
	    "WHERE role = 'admin' AND disabled = 0 AND id <> ?",
	[STMT_USER_COUNT] = "SELECT count(*) FROM users WHERE " USER_FILTER,
	[STMT_USER_PAGE_CREATED_ASC] = USER_PAGE("created_at, id"),
	[STMT_USER_PAGE_CREATED_DESC] = USER_PAGE("created_at DESC, id DESC"),
	[STMT_USER_PAGE_NAME_ASC] = USER_PAGE(NAME_KEY ", id"),
	[STMT_USER_PAGE_NAME_DESC] = USER_PAGE(NAME_KEY " DESC, id DESC"),
	[STMT_USER_PAGE_EMAIL_ASC] = USER_PAGE("email, id"),
	[STMT_USER_PAGE_EMAIL_DESC] = USER_PAGE("email DESC, id DESC"),
	[STMT_USER_AFTER_CREATED_ASC] = USER_AFTER("created_at", ">",
	    "created_at, id"),
	[STMT_USER_AFTER_CREATED_DESC] = USER_AFTER("created_at", "<",
	    "created_at DESC, id DESC"),
	[STMT_USER_AFTER_NAME_ASC] = USER_AFTER(NAME_KEY, ">", NAME_KEY ", id"),
	[STMT_USER_AFTER_NAME_DESC] = USER_AFTER(NAME_KEY, "<",
	    NAME_KEY " DESC, id DESC"),
	[STMT_USER_AFTER_EMAIL_ASC] = USER_AFTER("email", ">", "email, id"),
	[STMT_USER_AFTER_EMAIL_DESC] = USER_AFTER("email", "<",
	    "email DESC, id DESC"),

	/* sessions, reset tokens, mail, rate limits */
#define SESSION_COLUMNS "id, created_at, last_used_at, user_agent, ip, kind"
/* A session that can still be used at ?2. */
#define SESSION_LIVE "revoked_at IS NULL AND expires_at > ?2 AND " \
	"idle_expires_at > ?2"

	[STMT_SESSION_INSERT] = "INSERT INTO sessions (user_id, kind, "
	    "user_agent, ip, created_at, last_used_at, idle_expires_at, "
	    "expires_at) VALUES (?1, 'token', ?2, ?3, ?4, ?4, ?5, ?6)",
	/* ?1 user, ?2 session, ?3 now. */
	[STMT_SESSION_AUTH] = "SELECT u.role, u.disabled, u.token_version, "
	    "s.revoked_at IS NULL AND s.expires_at > ?3 AND "
	    "s.idle_expires_at > ?3 FROM sessions s "
	    "JOIN users u ON u.id = s.user_id WHERE s.id = ?2 AND "
	    "s.user_id = ?1",
	/* Idle expiry only moves forward. */
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_used_at = ?2, "
	    "idle_expires_at = max(idle_expires_at, ?3), user_agent = ?4, "
	    "ip = ?5 WHERE id = ?1",
	/* ?1 user, ?2 session, ?3 now, ?4 reason. */
	[STMT_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = ?3, "
	    "revoked_reason = ?4 WHERE id = ?2 AND user_id = ?1 AND "
	    "revoked_at IS NULL AND expires_at > ?3 AND idle_expires_at > ?3",
	/* ?2 is the session to keep (0: none). */
	[STMT_SESSION_REVOKE_ALL] = "UPDATE sessions SET revoked_at = ?3, "
	    "revoked_reason = ?4 WHERE user_id = ?1 AND id != ?2 AND "
	    "revoked_at IS NULL",
	[STMT_SESSION_BUMP_VERSION] = "UPDATE users SET token_version = "
	    "token_version + 1 WHERE id = ?1",
	/*
	 * Live sessions of ?1 at ?2, by (created_at, id); ?3 = 1 continues
	 * after the key (?4, ?5); ?6 limit, ?7 offset.
	 */
	[STMT_SESSION_LIST_ASC] = "SELECT " SESSION_COLUMNS " FROM sessions "
	    "WHERE user_id = ?1 AND " SESSION_LIVE " AND (?3 = 0 OR "
	    "created_at > ?4 OR (created_at = ?4 AND id > ?5)) "
	    "ORDER BY created_at, id LIMIT ?6 OFFSET ?7",
	[STMT_SESSION_LIST_DESC] = "SELECT " SESSION_COLUMNS " FROM sessions "
	    "WHERE user_id = ?1 AND " SESSION_LIVE " AND (?3 = 0 OR "
	    "created_at < ?4 OR (created_at = ?4 AND id < ?5)) "
	    "ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7",
	[STMT_SESSION_COUNT] = "SELECT count(*) FROM sessions "
	    "WHERE user_id = ?1 AND " SESSION_LIVE,
	[STMT_REFRESH_INSERT] = "INSERT INTO refresh_tokens (hash, "
	    "session_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
	[STMT_REFRESH_FIND] = "SELECT t.session_id, t.expires_at, "
	    "t.rotated_at, s.user_id, s.revoked_at IS NULL, s.expires_at, "
	    "u.role, u.disabled, u.token_version FROM refresh_tokens t "
	    "JOIN sessions s ON s.id = t.session_id "
	    "JOIN users u ON u.id = s.user_id "
	    "WHERE t.hash = ?1 AND s.kind = 'token'",
	[STMT_REFRESH_SPEND] = "UPDATE refresh_tokens SET rotated_at = ?2 "
	    "WHERE hash = ?1 AND rotated_at IS NULL",

	/* cookie sessions, CSRF */
	/* ?7 is the SHA-256 of the cookie's value. */
	[STMT_COOKIE_INSERT] = "INSERT INTO sessions (user_id, kind, "
	    "user_agent, ip, created_at, last_used_at, idle_expires_at, "
	    "expires_at, secret_hash) VALUES (?1, 'cookie', ?2, ?3, ?4, ?4, ?5, "
	    "?6, ?7)",
	/* The live cookie session whose cookie hashes to ?1 at ?2, and its user. */
	[STMT_COOKIE_AUTH] = "SELECT s.id, s.user_id, u.role, u.disabled, "
	    "u.token_version, s.last_used_at FROM sessions s "
	    "JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ?1 AND "
	    "s.kind = 'cookie' AND s.revoked_at IS NULL AND s.expires_at > ?2 "
	    "AND s.idle_expires_at > ?2",
	/*
	 * Records the use of cookie session ?1 at ?2, pushing its idle expiry
	 * to ?2 + ?3 (never back, never past its absolute expiry), at most
	 * once in ?6 seconds: the guard keeps two processes that both saw an
	 * old last_used_at from writing twice.
	 */
	[STMT_COOKIE_TOUCH] = "UPDATE sessions SET last_used_at = ?2, "
	    "idle_expires_at = max(idle_expires_at, min(?2 + ?3, expires_at)), "
	    "user_agent = ?4, ip = ?5 WHERE id = ?1 AND kind = 'cookie' AND "
	    "revoked_at IS NULL AND last_used_at <= ?2 - ?6",
	[STMT_RESET_INSERT] = "INSERT INTO reset_tokens (hash, user_id, "
	    "created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
	[STMT_RESET_FIND] = "SELECT user_id FROM reset_tokens WHERE hash = ?1 "
	    "AND used_at IS NULL AND expires_at > ?2",
	[STMT_RESET_USE] = "UPDATE reset_tokens SET used_at = ?2 "
	    "WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2 "
	    "RETURNING user_id",
	[STMT_RESET_INVALIDATE] = "UPDATE reset_tokens SET used_at = ?2 "
	    "WHERE user_id = ?1 AND used_at IS NULL",
	/* lib/store/verify.c: ?1 hash, ?2 code hash or NULL, ?3 user, ?4
	 * purpose, ?5 address, ?6 now, ?7 expiry, ?8 session or NULL. */
	[STMT_EMAIL_TOKEN_INSERT] = "INSERT INTO email_tokens (hash, "
	    "code_hash, user_id, purpose, email, created_at, expires_at, "
	    "session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* ?2 a purpose, or NULL for all of them. */
	[STMT_EMAIL_TOKEN_VOID] = "UPDATE email_tokens SET used_at = ?3 "
	    "WHERE user_id = ?1 AND (?2 IS NULL OR purpose = ?2) "
	    "AND used_at IS NULL",
	/* ?1 hash, ?2 now, ?3 and ?4 the purposes the caller spends. */
	[STMT_EMAIL_TOKEN_USE] = "UPDATE email_tokens SET used_at = ?2 "
	    "WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2 "
	    "AND purpose IN (?3, ?4) RETURNING user_id, purpose, email, "
	    "session_id",
	/*
	 * ?1 code hash, ?2 now, ?3 the address it was mailed to, in any
	 * ASCII case (lower() is SQLite's and PostgreSQL's alike).
	 */
	[STMT_EMAIL_TOKEN_USE_CODE] = "UPDATE email_tokens SET used_at = ?2 "
	    "WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 "
	    "AND purpose IN ('verify', 'change') AND lower(email) = lower(?3) "
	    "RETURNING user_id, purpose, email, session_id",
	[STMT_EMAIL_TOKEN_PENDING] = "SELECT email FROM email_tokens "
	    "WHERE user_id = ?1 AND purpose = 'change' AND used_at IS NULL "
	    "AND expires_at > ?2 ORDER BY created_at DESC LIMIT 1",
	[STMT_MAIL_INSERT] = "INSERT INTO mail_outbox (recipient, subject, "
	    "body, created_at) VALUES (?1, ?2, ?3, ?4)",
	[STMT_MAIL_NEXT] = "SELECT id, recipient, subject, body, created_at "
	    "FROM mail_outbox WHERE sent_at IS NULL AND id > ?1 "
	    "ORDER BY id LIMIT 1",
	/* A delivered mail keeps no body: a reset mail holds a live token. */
	[STMT_MAIL_SENT] = "UPDATE mail_outbox SET sent_at = ?2, body = '', "
	    "attempts = attempts + 1 WHERE id = ?1",
	[STMT_MAIL_FAILED] = "UPDATE mail_outbox SET attempts = attempts + 1 "
	    "WHERE id = ?1",
	[STMT_MAIL_PENDING] = "SELECT count(*), coalesce(min(created_at), 0) "
	    "FROM mail_outbox WHERE sent_at IS NULL",
	[STMT_RATE_GET] = "SELECT hits, expires_at FROM rate_limits "
	    "WHERE bucket = ?1 AND key = ?2",
	/*
	 * One hit of ?2 in bucket ?1 at ?3: a window of ?4 seconds starts at
	 * the first hit after the previous one ended.  SET reads the old row.
	 */
	[STMT_RATE_HIT] = "INSERT INTO rate_limits (bucket, key, "
	    "window_start, hits, expires_at) VALUES (?1, ?2, ?3, 1, ?3 + ?4) "
	    "ON CONFLICT (bucket, key) DO UPDATE SET "
	    "hits = CASE WHEN expires_at <= ?3 THEN 1 ELSE hits + 1 END, "
	    "window_start = CASE WHEN expires_at <= ?3 THEN ?3 "
	    "ELSE window_start END, "
	    "expires_at = CASE WHEN expires_at <= ?3 THEN ?3 + ?4 "
	    "ELSE expires_at END "
	    "RETURNING hits, expires_at",
	[STMT_LOGIN_FAILURE_GET] = "SELECT failures, last_failed_at, "
	    "locked_until FROM login_failures WHERE account = ?1",
	[STMT_LOGIN_FAILURE_PUT] = "INSERT OR REPLACE INTO login_failures "
	    "(account, failures, last_failed_at, locked_until, expires_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_LOGIN_FAILURE_CLEAR] = "DELETE FROM login_failures "
	    "WHERE account = ?1",
	[STMT_TOTP_GET] = "SELECT secret, created_at, enabled_at, last_step "
	    "FROM user_totp WHERE user_id = ?1",
	/* A new key replaces one still waiting for its first code, never
	 * one in use. */
	[STMT_TOTP_BEGIN] = "INSERT INTO user_totp (user_id, secret, "
	    "created_at) VALUES (?1, ?2, ?3) ON CONFLICT (user_id) DO UPDATE "
	    "SET secret = excluded.secret, created_at = excluded.created_at, "
	    "last_step = -1 WHERE enabled_at IS NULL",
	[STMT_TOTP_ENABLE] = "UPDATE user_totp SET enabled_at = ?3, "
	    "last_step = ?2 WHERE user_id = ?1 AND enabled_at IS NULL "
	    "AND last_step < ?2",
	/* The step moves forward only: of two requests with one code, one
	 * changes the row and the other finds nothing to change. */
	[STMT_TOTP_USE] = "UPDATE user_totp SET last_step = ?2 "
	    "WHERE user_id = ?1 AND enabled_at IS NOT NULL AND last_step < ?2",
	[STMT_TOTP_DELETE] = "DELETE FROM user_totp WHERE user_id = ?1",
	[STMT_RECOVERY_CLEAR] = "DELETE FROM recovery_codes WHERE user_id = ?1",
	[STMT_RECOVERY_INSERT] = "INSERT INTO recovery_codes (user_id, hash, "
	    "created_at) VALUES (?1, ?2, ?3)",
	[STMT_RECOVERY_USE] = "UPDATE recovery_codes SET used_at = ?3 "
	    "WHERE user_id = ?1 AND hash = ?2 AND used_at IS NULL",
	[STMT_RECOVERY_LEFT] = "SELECT count(*) FROM recovery_codes "
	    "WHERE user_id = ?1 AND used_at IS NULL",
	[STMT_CHALLENGE_INSERT] = "INSERT INTO mfa_challenges (hash, user_id, "
	    "kind, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	/* ?1 hash, ?2 now, ?3 the wrong codes a challenge may take. */
	[STMT_CHALLENGE_FIND] = "SELECT user_id, kind, attempts "
	    "FROM mfa_challenges WHERE hash = ?1 AND used_at IS NULL "
	    "AND expires_at > ?2 AND attempts < ?3",
	[STMT_CHALLENGE_FAIL] = "UPDATE mfa_challenges "
	    "SET attempts = attempts + 1 WHERE hash = ?1 AND used_at IS NULL",
	[STMT_CHALLENGE_USE] = "UPDATE mfa_challenges SET used_at = ?2 "
	    "WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2 "
	    "AND attempts < ?3 RETURNING user_id, kind",
	[STMT_CHALLENGE_CLEAR] = "DELETE FROM mfa_challenges "
	    "WHERE user_id = ?1",
	[STMT_SIGNIN_GET] = "SELECT coalesce((SELECT signed_in_at "
	    "FROM session_signins WHERE session_id = sessions.id), created_at) "
	    "FROM sessions WHERE id = ?1 AND user_id = ?2",
	[STMT_SIGNIN_MARK] = "INSERT INTO session_signins (session_id, "
	    "signed_in_at) SELECT id, ?3 FROM sessions WHERE id = ?1 "
	    "AND user_id = ?2 AND revoked_at IS NULL "
	    "ON CONFLICT (session_id) DO UPDATE "
	    "SET signed_in_at = excluded.signed_in_at",
	/* Revoked sessions go at once; their refresh tokens follow (cascade). */
	[STMT_PURGE_SESSIONS] = "DELETE FROM sessions WHERE revoked_at IS NOT "
	    "NULL OR expires_at <= ?1 OR idle_expires_at <= ?1",
	[STMT_PURGE_REFRESH] = "DELETE FROM refresh_tokens "
	    "WHERE expires_at <= ?1",
	[STMT_PURGE_RESET] = "DELETE FROM reset_tokens WHERE expires_at <= ?1 "
	    "OR used_at IS NOT NULL",
	/* ?2: delivered before this; ?3: given up on when queued before this. */
	[STMT_PURGE_MAIL] = "DELETE FROM mail_outbox WHERE sent_at <= ?2 "
	    "OR created_at <= ?3",
	[STMT_PURGE_EMAIL_TOKENS] = "DELETE FROM email_tokens "
	    "WHERE expires_at <= ?1 OR used_at IS NOT NULL",
	[STMT_PURGE_RATE] = "DELETE FROM rate_limits WHERE expires_at <= ?1",
	[STMT_PURGE_LOGIN_FAILURES] = "DELETE FROM login_failures "
	    "WHERE expires_at <= ?1",
	[STMT_PURGE_CHALLENGES] = "DELETE FROM mfa_challenges "
	    "WHERE expires_at <= ?1 OR used_at IS NOT NULL",

	/* posts */
	/* Insert and update bind the content the same way: ?1 to ?4. */
	[STMT_POST_INSERT] = "INSERT INTO posts (status, title, body, "
	    "updated_at, created_at, author_id) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
	[STMT_POST_BY_ID] = "SELECT " POST_COLUMNS ", body FROM posts "
	    "WHERE id = ?",
	[STMT_POST_UPDATE] = "UPDATE posts SET status = ?1, title = ?2, "
	    "body = ?3, updated_at = ?4, version = version + 1 WHERE id = ?5",
	[STMT_POST_DELETE] = "DELETE FROM posts WHERE id = ?",
	[STMT_POST_PAGE_ALL_CREATED_ASC] = POST_PAGE(POST_ALL,
	    "posts_created", POST_RANGE_UP, "created_at", ">", "ASC"),
	[STMT_POST_PAGE_ALL_CREATED_DESC] = POST_PAGE(POST_ALL,
	    "posts_created", POST_RANGE_DOWN, "created_at", "<", "DESC"),
	[STMT_POST_PAGE_ALL_UPDATED_ASC] = POST_PAGE(POST_ALL,
	    "posts_updated", POST_RANGE, "updated_at", ">", "ASC"),
	[STMT_POST_PAGE_ALL_UPDATED_DESC] = POST_PAGE(POST_ALL,
	    "posts_updated", POST_RANGE, "updated_at", "<", "DESC"),
	[STMT_POST_PAGE_ALL_TITLE_ASC] = POST_PAGE(POST_ALL,
	    "posts_title", POST_RANGE, "title", ">", "ASC"),
	[STMT_POST_PAGE_ALL_TITLE_DESC] = POST_PAGE(POST_ALL,
	    "posts_title", POST_RANGE, "title", "<", "DESC"),
	[STMT_POST_PAGE_STATUS_CREATED_ASC] = POST_PAGE(POST_STATUS,
	    "posts_status_created", POST_RANGE_UP, "created_at", ">", "ASC"),
	[STMT_POST_PAGE_STATUS_CREATED_DESC] = POST_PAGE(POST_STATUS,
	    "posts_status_created", POST_RANGE_DOWN, "created_at", "<", "DESC"),
	[STMT_POST_PAGE_STATUS_UPDATED_ASC] = POST_PAGE(POST_STATUS,
	    "posts_status_updated", POST_RANGE, "updated_at", ">", "ASC"),
	[STMT_POST_PAGE_STATUS_UPDATED_DESC] = POST_PAGE(POST_STATUS,
	    "posts_status_updated", POST_RANGE, "updated_at", "<", "DESC"),
	[STMT_POST_PAGE_STATUS_TITLE_ASC] = POST_PAGE(POST_STATUS,
	    "posts_status_title", POST_RANGE, "title", ">", "ASC"),
	[STMT_POST_PAGE_STATUS_TITLE_DESC] = POST_PAGE(POST_STATUS,
	    "posts_status_title", POST_RANGE, "title", "<", "DESC"),
	[STMT_POST_PAGE_AUTHOR_CREATED_ASC] = POST_PAGE(POST_AUTHOR,
	    "posts_author_created", POST_RANGE_UP, "created_at", ">", "ASC"),
	[STMT_POST_PAGE_AUTHOR_CREATED_DESC] = POST_PAGE(POST_AUTHOR,
	    "posts_author_created", POST_RANGE_DOWN, "created_at", "<", "DESC"),
	[STMT_POST_PAGE_AUTHOR_UPDATED_ASC] = POST_PAGE(POST_AUTHOR,
	    "posts_author_updated", POST_RANGE, "updated_at", ">", "ASC"),
	[STMT_POST_PAGE_AUTHOR_UPDATED_DESC] = POST_PAGE(POST_AUTHOR,
	    "posts_author_updated", POST_RANGE, "updated_at", "<", "DESC"),
	[STMT_POST_PAGE_AUTHOR_TITLE_ASC] = POST_PAGE(POST_AUTHOR,
	    "posts_author_title", POST_RANGE, "title", ">", "ASC"),
	[STMT_POST_PAGE_AUTHOR_TITLE_DESC] = POST_PAGE(POST_AUTHOR,
	    "posts_author_title", POST_RANGE, "title", "<", "DESC"),
	[STMT_POST_COUNT_ALL] = POST_COUNT(POST_ALL),
	[STMT_POST_COUNT_STATUS] = POST_COUNT(POST_STATUS),
	[STMT_POST_COUNT_AUTHOR] = POST_COUNT(POST_AUTHOR),
	[STMT_POST_COUNT_MATCH] = POST_COUNT_MATCH,
	[STMT_POST_SEARCH_RANKED] = POST_SEARCH_RANKED,
	[STMT_POST_BY_IDS] = POST_BY_IDS,
};

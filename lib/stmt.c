#include "stmt.h"

#define USER_COLUMNS "id, email, name, password_hash, role, disabled, " \
	"token_version, created_at, updated_at"

const char *const stmt_sql[STMT__MAX] = {
	[STMT_PING] = "SELECT version FROM schema_migrations "
	    "ORDER BY version DESC LIMIT 1",
	[STMT_USER_INSERT] = "INSERT INTO users (email, name, password_hash, "
	    "role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?",
	[STMT_USER_BY_EMAIL] = "SELECT " USER_COLUMNS " FROM users "
	    "WHERE email = ?",
	[STMT_USER_AUTH] = "SELECT role, disabled, token_version FROM users "
	    "WHERE id = ?",
	[STMT_USER_SET_PASSWORD_HASH] = "UPDATE users SET password_hash = ? "
	    "WHERE id = ?",

	/* sessions, reset tokens, mail, rate limits */
#define SESSION_COLUMNS "id, created_at, last_used_at, user_agent, ip"
/* A session that can still be used at ?2. */
#define SESSION_LIVE "revoked_at IS NULL AND expires_at > ?2 AND " \
	"idle_expires_at > ?2"

	[STMT_SESSION_INSERT] = "INSERT INTO sessions (user_id, kind, "
	    "user_agent, ip, created_at, last_used_at, idle_expires_at, "
	    "expires_at) VALUES (?1, 'token', ?2, ?3, ?4, ?4, ?5, ?6)",
	/* ?1 user, ?2 session, ?3 now. */
	[STMT_SESSION_AUTH] = "SELECT u.role, u.disabled, u.token_version, "
	    "s.revoked_at IS NULL AND s.expires_at > ?3 FROM sessions s "
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
	[STMT_RESET_INSERT] = "INSERT INTO reset_tokens (hash, user_id, "
	    "created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
	[STMT_RESET_FIND] = "SELECT user_id FROM reset_tokens WHERE hash = ?1 "
	    "AND used_at IS NULL AND expires_at > ?2",
	[STMT_RESET_USE] = "UPDATE reset_tokens SET used_at = ?2 "
	    "WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2 "
	    "RETURNING user_id",
	[STMT_RESET_INVALIDATE] = "UPDATE reset_tokens SET used_at = ?2 "
	    "WHERE user_id = ?1 AND used_at IS NULL",
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
	[STMT_PURGE_RATE] = "DELETE FROM rate_limits WHERE expires_at <= ?1",
	[STMT_PURGE_LOGIN_FAILURES] = "DELETE FROM login_failures "
	    "WHERE expires_at <= ?1",

	/* posts */
};

-- Sessions, refresh tokens, password-reset tokens, the mail outbox and the
-- rate-limit counters.  Times are Unix seconds (UTC).  Secrets are never
-- stored: a token is kept as the SHA-256 of its text (32 bytes).

-- One row per login.  kind 'token' is an API login that holds refresh
-- tokens; 'cookie' is reserved for the browser sessions of the forms.
-- idle_expires_at moves forward on each refresh, never past expires_at.
CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind		TEXT NOT NULL DEFAULT 'token'
			CHECK (kind IN ('token', 'cookie')),
	user_agent	TEXT NOT NULL DEFAULT '',
	ip		TEXT NOT NULL DEFAULT '',
	created_at	INTEGER NOT NULL,
	last_used_at	INTEGER NOT NULL,
	idle_expires_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	revoked_at	INTEGER,
	revoked_reason	TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at, id);
CREATE INDEX sessions_expiry ON sessions (idle_expires_at);

-- Every refresh token of a session (its "family").  rotated_at is NULL for
-- a token that has not been spent yet.  Spent tokens are kept until their
-- own expiry, so presenting one again is recognised as reuse.
CREATE TABLE refresh_tokens (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	session_id	INTEGER NOT NULL REFERENCES sessions (id)
			ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	rotated_at	INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- Password-reset tokens: single use (used_at), short-lived.
CREATE TABLE reset_tokens (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	user_id		INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	used_at		INTEGER
) WITHOUT ROWID;
CREATE INDEX reset_tokens_user ON reset_tokens (user_id);

-- Mail waiting for `quillctl mail`.  The body is emptied once delivered:
-- a reset mail carries a live token.
CREATE TABLE mail_outbox (
	id		INTEGER PRIMARY KEY,
	recipient	TEXT NOT NULL,
	subject		TEXT NOT NULL,
	body		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER,
	attempts	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, id);

-- Request counters: one window per bucket and key, starting at its first
-- hit and ending at expires_at.
CREATE TABLE rate_limits (
	bucket		TEXT NOT NULL,
	key		TEXT NOT NULL,
	window_start	INTEGER NOT NULL,
	hits		INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);

-- Failed logins per account (the SHA-256 of the email as typed, lowercased,
-- in hex), for the growing back-off.
CREATE TABLE login_failures (
	account		TEXT PRIMARY KEY,
	failures	INTEGER NOT NULL,
	last_failed_at	INTEGER NOT NULL,
	locked_until	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_failures_expiry ON login_failures (expires_at);

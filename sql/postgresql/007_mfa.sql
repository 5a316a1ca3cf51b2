-- Two-factor sign-in: the twin of sql/007_mfa.sql.
CREATE TABLE IF NOT EXISTS user_totp (
	user_id		bigint PRIMARY KEY REFERENCES users (id)
			ON DELETE CASCADE,
	secret		bytea NOT NULL CHECK (length(secret) = 60),
	created_at	bigint NOT NULL,
	enabled_at	bigint,
	last_step	bigint NOT NULL DEFAULT -1
);

CREATE TABLE IF NOT EXISTS recovery_codes (
	user_id		bigint NOT NULL REFERENCES users (id)
			ON DELETE CASCADE,
	hash		bytea NOT NULL CHECK (length(hash) = 32),
	created_at	bigint NOT NULL,
	used_at		bigint,
	PRIMARY KEY (user_id, hash)
);

CREATE TABLE IF NOT EXISTS mfa_challenges (
	hash		bytea PRIMARY KEY CHECK (length(hash) = 32),
	user_id		bigint NOT NULL REFERENCES users (id)
			ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('token', 'cookie')),
	created_at	bigint NOT NULL,
	expires_at	bigint NOT NULL,
	attempts	bigint NOT NULL DEFAULT 0,
	used_at		bigint
);
CREATE INDEX IF NOT EXISTS mfa_challenges_user ON mfa_challenges (user_id);
CREATE INDEX IF NOT EXISTS mfa_challenges_expiry ON mfa_challenges (expires_at);

CREATE TABLE IF NOT EXISTS session_signins (
	session_id	bigint PRIMARY KEY REFERENCES sessions (id)
			ON DELETE CASCADE,
	signed_in_at	bigint NOT NULL
);

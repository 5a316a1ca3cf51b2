-- Two-factor sign-in: authenticator (TOTP) keys, recovery codes, the
-- challenges between a correct password and a correct code, and the time
-- of each session's last full sign-in.  Times are Unix seconds (UTC).
-- It can run twice (IF NOT EXISTS throughout, no ALTER TABLE), as the
-- newest migration must for the package's upgrade check.

-- One TOTP key a user.  secret is the 20-byte key sealed under a key
-- derived from the server's key (base/secret: secret_seal, bound to the
-- user's id), never the key itself.  enabled_at is NULL while enrolment
-- waits for a first correct code; last_step is the 30-second step of the
-- last code accepted, and no code of that step or an earlier one is
-- accepted again.
CREATE TABLE IF NOT EXISTS user_totp (
	user_id		INTEGER PRIMARY KEY REFERENCES users (id)
			ON DELETE CASCADE,
	secret		BLOB NOT NULL CHECK (length(secret) = 60),
	created_at	INTEGER NOT NULL,
	enabled_at	INTEGER,
	last_step	INTEGER NOT NULL DEFAULT -1
);

-- Recovery codes, each usable once (used_at).  hash is an HMAC under the
-- server's key bound to the user (base/secret: secret_recovery_hash), so
-- the table alone does not let anyone test guesses.
CREATE TABLE IF NOT EXISTS recovery_codes (
	user_id		INTEGER NOT NULL REFERENCES users (id)
			ON DELETE CASCADE,
	hash		BLOB NOT NULL CHECK (length(hash) = 32),
	created_at	INTEGER NOT NULL,
	used_at		INTEGER,
	PRIMARY KEY (user_id, hash)
) WITHOUT ROWID;

-- A challenge: what a correct password earns an account with two-factor
-- sign-in, to be presented once with a code before it expires.  Stored as
-- the SHA-256 of its text, like every other token.  kind is the session
-- the sign-in opens when the code is right; attempts counts wrong codes.
CREATE TABLE IF NOT EXISTS mfa_challenges (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	user_id		INTEGER NOT NULL REFERENCES users (id)
			ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind IN ('token', 'cookie')),
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	used_at		INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mfa_challenges_user ON mfa_challenges (user_id);
CREATE INDEX IF NOT EXISTS mfa_challenges_expiry ON mfa_challenges (expires_at);

-- When a session's user last proved who they were (the password, and a
-- code where two-factor is on) on confirming before a dangerous change.
-- A session without a row has not since the sign-in that opened it
-- (sessions.created_at).
CREATE TABLE IF NOT EXISTS session_signins (
	session_id	INTEGER PRIMARY KEY REFERENCES sessions (id)
			ON DELETE CASCADE,
	signed_in_at	INTEGER NOT NULL
);

-- The tokens mailed to prove an address: the twin of
-- sql/009_email_tokens.sql.  It can run twice, as the newest migration
-- must.
CREATE TABLE IF NOT EXISTS email_tokens (
	hash		bytea PRIMARY KEY CHECK (length(hash) = 32),
	code_hash	bytea CHECK (code_hash IS NULL OR length(code_hash) = 32),
	user_id		bigint NOT NULL REFERENCES users (id)
			ON DELETE CASCADE,
	purpose		text NOT NULL
			CHECK (purpose IN ('verify', 'change', 'cancel')),
	email		text NOT NULL,
	session_id	bigint,
	created_at	bigint NOT NULL,
	expires_at	bigint NOT NULL,
	used_at		bigint
);
CREATE INDEX IF NOT EXISTS email_tokens_user ON email_tokens (user_id, purpose);
CREATE INDEX IF NOT EXISTS email_tokens_code ON email_tokens (code_hash);
CREATE INDEX IF NOT EXISTS email_tokens_expiry ON email_tokens (expires_at);

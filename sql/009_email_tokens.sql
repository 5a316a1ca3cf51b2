-- The tokens mailed to prove an address: 'verify' confirms the address an
-- account has; 'change' confirms the new address of an email change (the
-- pending address is email) and makes the change; 'cancel' goes to the
-- old address of a change (email) and undoes it within its window.  Each
-- is stored as the SHA-256 of its link's text (hash) and, for 'verify'
-- and 'change', the keyed hash of the short code printed beside the link
-- (code_hash, base/secret: secret_recovery_hash bound to the address).
-- session_id is the session that asked for a change, which goes on when
-- the change ends the others (NULL: none).  Single use (used_at); a newer token of the same user and purpose voids
-- the older.  It can run twice (IF NOT EXISTS throughout), as the newest
-- migration must for the package's upgrade check.
CREATE TABLE IF NOT EXISTS email_tokens (
	hash		BLOB PRIMARY KEY CHECK (length(hash) = 32),
	code_hash	BLOB CHECK (code_hash IS NULL OR length(code_hash) = 32),
	user_id		INTEGER NOT NULL REFERENCES users (id)
			ON DELETE CASCADE,
	purpose		TEXT NOT NULL
			CHECK (purpose IN ('verify', 'change', 'cancel')),
	email		TEXT NOT NULL,
	session_id	INTEGER,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	used_at		INTEGER
);
CREATE INDEX IF NOT EXISTS email_tokens_user ON email_tokens (user_id, purpose);
CREATE INDEX IF NOT EXISTS email_tokens_code ON email_tokens (code_hash);
CREATE INDEX IF NOT EXISTS email_tokens_expiry ON email_tokens (expires_at);

-- Cookie sessions of the browser forms: a session of kind 'cookie' is
-- found by the SHA-256 of its cookie's value, as a refresh token is found
-- by its hash.  API sessions (kind 'token') leave it NULL.
ALTER TABLE sessions ADD COLUMN secret_hash BLOB
    CHECK (secret_hash IS NULL OR length(secret_hash) = 32);
CREATE UNIQUE INDEX sessions_secret ON sessions (secret_hash)
    WHERE secret_hash IS NOT NULL;

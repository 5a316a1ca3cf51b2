-- Cookie sessions: the twin of sql/005_forms.sql.
ALTER TABLE sessions ADD COLUMN secret_hash bytea
    CHECK (secret_hash IS NULL OR length(secret_hash) = 32);
CREATE UNIQUE INDEX sessions_secret ON sessions (secret_hash)
    WHERE secret_hash IS NOT NULL;

-- Ids that are never used twice.  A plain INTEGER PRIMARY KEY takes the
-- highest id plus one, so an account or session deleted while it held the
-- highest id gave its id to the next one made; an access token names its
-- account and session by id (sub, sid), and the token of a deleted account
-- then spoke for whoever registered and logged in next.  AUTOINCREMENT
-- (posts has it since 003) keeps the highest id ever given in
-- sqlite_sequence.  SQLite cannot add it to a table, so users and sessions
-- are made anew with the same columns in the same order, their rows and
-- indexes; lib/store/db_sqlite.c runs migrations with foreign keys off, so
-- dropping the old table deletes nothing that refers to it, and checks
-- them before each commit.  It can run twice, as the newest migration must
-- for the package's upgrade check.
DROP TABLE IF EXISTS users_new;
CREATE TABLE users_new (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	email		TEXT NOT NULL COLLATE NOCASE UNIQUE,
	name		TEXT NOT NULL,
	password_hash	TEXT NOT NULL,
	role		TEXT NOT NULL DEFAULT 'user'
			CHECK (role IN ('user', 'moderator', 'admin')),
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	token_version	INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	verified_at	INTEGER
);
INSERT INTO users_new (id, email, name, password_hash, role, disabled,
    token_version, created_at, updated_at, verified_at)
    SELECT id, email, name, password_hash, role, disabled, token_version,
    created_at, updated_at, verified_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_role ON users (role, id);
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_name ON users (name COLLATE NOCASE, id);

DROP TABLE IF EXISTS sessions_new;
CREATE TABLE sessions_new (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
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
	revoked_reason	TEXT,
	secret_hash	BLOB
			CHECK (secret_hash IS NULL OR length(secret_hash) = 32)
);
INSERT INTO sessions_new (id, user_id, kind, user_agent, ip, created_at,
    last_used_at, idle_expires_at, expires_at, revoked_at, revoked_reason,
    secret_hash)
    SELECT id, user_id, kind, user_agent, ip, created_at, last_used_at,
    idle_expires_at, expires_at, revoked_at, revoked_reason, secret_hash
    FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id, created_at, id);
CREATE INDEX sessions_expiry ON sessions (idle_expires_at);
CREATE UNIQUE INDEX sessions_secret ON sessions (secret_hash)
    WHERE secret_hash IS NOT NULL;

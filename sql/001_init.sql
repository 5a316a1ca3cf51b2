-- Users.  Times are Unix seconds (UTC); the API renders them as RFC 3339.
CREATE TABLE users (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL COLLATE NOCASE UNIQUE,
	name		TEXT NOT NULL,
	password_hash	TEXT NOT NULL,
	role		TEXT NOT NULL DEFAULT 'user'
			CHECK (role IN ('user', 'moderator', 'admin')),
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	token_version	INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX users_role ON users (role, id);
CREATE INDEX users_created ON users (created_at, id);

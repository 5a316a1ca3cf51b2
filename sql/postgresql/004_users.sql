-- GET /users by name: the twin of sql/004_users.sql.
CREATE INDEX users_name ON users (quill_nocase(name), id);

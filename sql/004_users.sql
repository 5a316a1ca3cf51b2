-- GET /users sorted by name pages by keyset on (name, id); names sort
-- without regard to ASCII case, as people expect of a list of names.
-- createdAt uses users_created and email the unique index on email.
CREATE INDEX users_name ON users (name COLLATE NOCASE, id);

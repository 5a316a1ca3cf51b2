-- Posts.  Times are Unix seconds (UTC).  AUTOINCREMENT: an id is never
-- reused after a delete, so a cached ETag ("id-version") or a Location can
-- never name a different post.  The small columns come before body so a
-- list (which reads excerpt, not body) never walks a long body's overflow
-- pages.  Titles sort without regard to ASCII case.
CREATE TABLE posts (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	author_id	INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	status		TEXT NOT NULL CHECK (status IN ('draft', 'published')),
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	title		TEXT NOT NULL COLLATE NOCASE,
	excerpt		TEXT GENERATED ALWAYS AS (substr(body, 1, 200)) STORED,
	body		TEXT NOT NULL
);

-- One index per keyset order and list family (see lib/store/stmt.c):
-- everyone's posts (moderators), posts of one status (the public list), one
-- author's.
-- Each ends in the sort key and, implicitly, the id (the rowid), so a
-- page is a seek whatever its depth.
CREATE INDEX posts_created ON posts (created_at);
CREATE INDEX posts_updated ON posts (updated_at);
CREATE INDEX posts_title ON posts (title);
CREATE INDEX posts_status_created ON posts (status, created_at);
CREATE INDEX posts_status_updated ON posts (status, updated_at);
CREATE INDEX posts_status_title ON posts (status, title);
CREATE INDEX posts_author_created ON posts (author_id, created_at);
CREATE INDEX posts_author_updated ON posts (author_id, updated_at);
CREATE INDEX posts_author_title ON posts (author_id, title);

-- Full-text search over title and body.  External content: the text lives
-- only in posts; the triggers keep the index in step with every insert,
-- update and delete (cascaded deletes of a user's posts included).
CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, content = 'posts',
    content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
	INSERT INTO posts_fts (rowid, title, body)
	    VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
	INSERT INTO posts_fts (posts_fts, rowid, title, body)
	    VALUES ('delete', old.id, old.title, old.body);
END;
-- A change of status alone does not re-index a long body.
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, body ON posts
    WHEN old.title IS NOT new.title COLLATE BINARY
    OR old.body IS NOT new.body BEGIN
	INSERT INTO posts_fts (posts_fts, rowid, title, body)
	    VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO posts_fts (rowid, title, body)
	    VALUES (new.id, new.title, new.body);
END;
-- Ranking: bm25 with a word in the title worth ten in the body.
INSERT INTO posts_fts (posts_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

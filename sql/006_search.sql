-- Search: the full-text index keeps every 3-character prefix of every word
-- as well (prefix = '3'), so a prefix search of the shortest length a
-- search may use (lib/store/post.h) reads one list from the index instead
-- of merging the lists of every word that starts with it.  FTS5 cannot add
-- a prefix index to a table, so the table is made anew, with the same
-- columns, tokenizer (which lib/store/db_sqlite.c uses for search text),
-- triggers and ranking, and rebuilt from posts.
DROP TRIGGER posts_fts_insert;
DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_update;
DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, content = 'posts',
    content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3');
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
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
-- Ranking: bm25 with a word in the title worth ten in the body.
INSERT INTO posts_fts (posts_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

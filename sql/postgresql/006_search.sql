-- Full-text search: the twin of sql/006_search.sql's FTS5 table.
--
-- quill_fold makes of text what FTS5's unicode61 tokenizer with
-- remove_diacritics 2 makes of it: lowercase, no diacritics, split at
-- every character that is not a letter or digit (here: joined again by
-- single spaces, so that the 'simple' configuration takes each run of
-- letters and digits as one word, as it is).  The search column weighs
-- the title (A) above the body (B), as bm25(10.0, 1.0) does on SQLite;
-- a GIN index serves the matches.  Lowercasing needs a UTF-8 LC_CTYPE
-- (docs/postgresql.md).
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION quill_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(lower(unaccent('unaccent'::regdictionary, t)),
	'[^[:alnum:]]+', ' ', 'g');

-- The match text lib/store/post_store.c writes in FTS5's query language
-- ("a b" "c"*: phrases, all of them, a trailing * a prefix) as a tsquery.
-- Its terms are tokens the index made, which hold letters and digits only.
CREATE FUNCTION quill_tsquery(q text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT string_agg('''' || replace(m[1], ' ', ''' <-> ''') ||
	'''' || CASE WHEN m[2] = '*' THEN ':*' ELSE '' END, ' & ')::tsquery
	FROM regexp_matches(q, '"([^"]*)"(\*?)', 'g') AS m);

ALTER TABLE posts ADD COLUMN fts tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, quill_fold(title)), 'A') ||
    setweight(to_tsvector('simple'::regconfig, quill_fold(body)), 'B'))
    STORED;
CREATE INDEX posts_fts ON posts USING gin (fts);

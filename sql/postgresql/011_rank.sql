-- Relevance: what PostgreSQL needs to compute FTS5's bm25(10.0, 1.0) as
-- SQLite computes it (ext/fts5/fts5_aux.c, fts5Bm25Function), so that a
-- ranked search lists the same posts in the same order on both engines
-- (docs/postgresql.md); the search statement (lib/store/stmt_pg.c) adds
-- it up.  For each phrase i of the query, over the posts that match them
-- all:
--
--   score = sum of idf(i) * (f(i) * (k1 + 1)) /
--           (f(i) + k1 * (1 - b + b * D / avgdl)),   k1 = 1.2, b = 0.75
--
-- f(i) the phrase's instances in the post, each worth its column's weight
-- (title 10, body 1); D the post's tokens; avgdl the tokens of all posts
-- over their number; idf(i) = ln((N - n(i) + 0.5) / (n(i) + 0.5)), at
-- least 1e-6, N the posts, n(i) the posts the phrase alone matches.  The
-- rank is -score.  FTS5 indexes every post, whatever its status, so N,
-- avgdl and n(i) count them all, as here.  The operations are SQLite's,
-- in its order, on IEEE doubles: the same query on the same posts gives
-- the same ranks, bit for bit.
--
-- It can run twice, as the newest migration must: what it makes it makes
-- anew, and the totals are counted again.

-- The tokens FTS5's unicode61 tokenizer makes of a text: the words of
-- quill_fold (sql/postgresql/006_search.sql).  Counted from the text, not
-- the tsvector, which keeps at most 255 positions of a word in a column
-- and drops words of 2047 bytes or more.
CREATE OR REPLACE FUNCTION quill_tokens(t text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN coalesce(array_length(string_to_array(btrim(quill_fold(t)), ' '),
	1), 0);

-- D, as FTS5's docsize table keeps it.
ALTER TABLE posts ADD COLUMN IF NOT EXISTS fts_size integer
    GENERATED ALWAYS AS (quill_tokens(title) + quill_tokens(body)) STORED;

-- N and the tokens of all posts, as FTS5's averages record keeps them:
-- the sums of the rows.  Each connection adds to the row of its shard
-- (its backend's process id modulo 16), so that the writes of several
-- connections, on one web node or several, do not wait on one row.  A
-- row is made on first use: a database without posts has none (quillctl
-- copy-to fills an empty database only; lib/store/db_copy.c).
CREATE TABLE IF NOT EXISTS posts_fts_totals (
	shard	smallint PRIMARY KEY,
	nrow	bigint NOT NULL,
	ntoken	bigint NOT NULL
);

-- Counts the posts a statement adds, removes or changes into the totals,
-- once for the whole statement: a row of its own for each post would
-- update one row once a post, which in one transaction (quillctl copy-to
-- copies every post in one) makes it slower with each post.  An update
-- that changes no title or body adds nothing.
CREATE OR REPLACE FUNCTION posts_fts_count() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
	drow	bigint := 0;
	dtoken	bigint := 0;
	n	bigint;
	tokens	bigint;
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM posts_fts_totals;
		RETURN NULL;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		SELECT count(*), coalesce(sum(fts_size), 0) INTO n, tokens
		    FROM new_posts;
		drow := n;
		dtoken := tokens;
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		SELECT count(*), coalesce(sum(fts_size), 0) INTO n, tokens
		    FROM old_posts;
		drow := drow - n;
		dtoken := dtoken - tokens;
	END IF;
	IF drow <> 0 OR dtoken <> 0 THEN
		INSERT INTO posts_fts_totals AS t (shard, nrow, ntoken)
		    VALUES (pg_backend_pid() % 16, drow, dtoken)
		    ON CONFLICT (shard) DO UPDATE SET
		    nrow = t.nrow + excluded.nrow,
		    ntoken = t.ntoken + excluded.ntoken;
	END IF;
	RETURN NULL;
END
$$;

-- As FTS5's triggers (sql/006_search.sql): every insert and delete, and
-- an update of the title or body (a trigger with transition tables takes
-- no column list: posts_fts_count finds no change in the others).
CREATE OR REPLACE TRIGGER posts_fts_insert AFTER INSERT ON posts
    REFERENCING NEW TABLE AS new_posts
    FOR EACH STATEMENT EXECUTE FUNCTION posts_fts_count();
CREATE OR REPLACE TRIGGER posts_fts_delete AFTER DELETE ON posts
    REFERENCING OLD TABLE AS old_posts
    FOR EACH STATEMENT EXECUTE FUNCTION posts_fts_count();
CREATE OR REPLACE TRIGGER posts_fts_update AFTER UPDATE ON posts
    REFERENCING OLD TABLE AS old_posts NEW TABLE AS new_posts
    FOR EACH STATEMENT EXECUTE FUNCTION posts_fts_count();
CREATE OR REPLACE TRIGGER posts_fts_truncate AFTER TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION posts_fts_count();

LOCK TABLE posts IN SHARE MODE;
DELETE FROM posts_fts_totals;
INSERT INTO posts_fts_totals (shard, nrow, ntoken)
    SELECT 0, count(*), sum(fts_size) FROM posts HAVING count(*) > 0;

-- One phrase of the match text lib/store/post_store.c writes in FTS5's
-- query language ("a b" "c"*: phrases, all of them, a trailing * a
-- prefix), as tsquery text: its words w (separated by spaces) and star,
-- '*' or ''.  The words are tokens the index made, which hold letters and
-- digits only.  The words of a phrase of several stand side by side in
-- one column, title (A) or body (B), as in FTS5: the tsvector numbers the
-- body's words on from the title's last, and a bare <-> would match
-- "facts nothing" in the title "Zebra facts" and the body "Nothing else".
-- An expression, which the planner writes into where it is called.
CREATE OR REPLACE FUNCTION quill_phrase_query(w text, star text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN strpos(w, ' ') = 0 THEN
	'''' || w || '''' || CASE WHEN star = '*' THEN ':*' ELSE '' END
    ELSE '(''' || replace(w, ' ', ''':A <-> ''') || ''':' || star ||
	'A | ''' || replace(w, ' ', ''':B <-> ''') || ''':' || star || 'B)'
    END;

-- The match text as a tsquery: all of its phrases.
CREATE OR REPLACE FUNCTION quill_tsquery(q text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT string_agg(quill_phrase_query(m[1], m[2]), ' & ')
	::tsquery FROM regexp_matches(q, '"([^"]*)"(\*?)', 'g') AS m);

-- The phrases of a match text, in order: their words, whether the last is
-- a prefix, and the phrase alone as a tsquery.  Not STRICT, so that the
-- planner writes it into the search statement.
CREATE OR REPLACE FUNCTION quill_phrases(q text, OUT i bigint,
    OUT words text[], OUT prefix boolean, OUT tq tsquery)
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 8 AS $$
	SELECT n, string_to_array(m[1], ' '), m[2] = '*',
	    quill_phrase_query(m[1], m[2])::tsquery
	    FROM regexp_matches(q, '"([^"]*)"(\*?)', 'g') WITH ORDINALITY
	    AS r(m, n)
$$;

-- The instances of a phrase of several words in a post's search column,
-- each worth its column's weight: the positions where the first word
-- stands with the next words at the next positions of the same column.
CREATE OR REPLACE FUNCTION quill_phrase_instances(v tsvector,
    words text[], prefix boolean) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	WITH t AS MATERIALIZED (
		SELECT u.lexeme, p.pos, p.w
		    FROM unnest(v) AS u,
		    unnest(u.positions, u.weights) AS p(pos, w)
		    WHERE u.lexeme = ANY (words) OR (prefix AND
		    starts_with(u.lexeme, words[cardinality(words)])))
	SELECT coalesce(sum(CASE s.w WHEN 'A' THEN 10 ELSE 1 END), 0)::float8
	    FROM t AS s
	    WHERE s.lexeme = words[1]
	    AND NOT EXISTS (SELECT FROM generate_series(2, cardinality(words))
	    AS k WHERE NOT EXISTS (SELECT FROM t AS o
	    WHERE o.pos = s.pos + k - 1 AND o.w = s.w AND (o.lexeme = words[k]
	    OR (prefix AND k = cardinality(words) AND
	    starts_with(o.lexeme, words[k])))))
$$;

-- f(i): the instances of a phrase (tq, its words) in a post's search
-- column, each worth its column's weight (title 10, body 1).  For one word
-- (or prefix), ts_rank_cd with the weights 1.0 (A) and 0.1 (B) and no
-- normalization sums the weights of its positions, each a cover of its
-- own: ten times that, rounded, is f, with no position listed.  The
-- tsvector keeps 255 positions of a word in a column (256 in all), and
-- every word past the 16383rd at 16383: the instances past them are not
-- counted (docs/postgresql.md).  Not STRICT,
-- so that the planner puts it in the statement.
CREATE OR REPLACE FUNCTION quill_phrase_freq(v tsvector, words text[],
    prefix boolean, tq tsquery) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN cardinality(words) = 1 THEN
	round(10 * ts_rank_cd('{0.1, 0.1, 0.1, 1.0}', v, tq, 0)::float8)
    ELSE quill_phrase_instances(v, words, prefix) END;

-- idf(i) of a phrase that nhit of nrow posts match.  ln(x) <= 0 exactly
-- when x <= 1.  An expression, which the planner writes into the
-- statement.
CREATE OR REPLACE FUNCTION quill_bm25_idf(nrow bigint, nhit bigint)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ((nrow - nhit)::float8 + 0.5::float8) /
	(nhit::float8 + 0.5::float8) <= 1::float8 THEN 1e-6::float8
    ELSE ln(((nrow - nhit)::float8 + 0.5::float8) /
	(nhit::float8 + 0.5::float8)) END;

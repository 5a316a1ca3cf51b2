-- Relevance as FTS5 ranks it: the twin of sql/postgresql/011_rank.sql,
-- which gives PostgreSQL what bm25(10.0, 1.0) reads from FTS5's index
-- (token counts and totals) and computes it as SQLite does.  SQLite has
-- it all already (sql/006_search.sql); the migration only keeps the two
-- engines' versions in step.  It can run twice, as the newest migration
-- must.
SELECT 1;

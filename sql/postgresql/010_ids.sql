-- Ids that are never used twice: the twin of sql/010_ids.sql.  An
-- identity column takes its ids from a sequence, which never gives one
-- twice, so PostgreSQL's users and sessions already have what SQLite's
-- gain there; the migration only keeps the two engines' versions in step.
-- It can run twice, as the newest migration must.
SELECT 1;

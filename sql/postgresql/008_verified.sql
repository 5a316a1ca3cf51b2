-- Confirmed email addresses: the twin of sql/008_verified.sql.  Accounts
-- that exist before this migration are taken as confirmed.
ALTER TABLE users ADD COLUMN IF NOT EXISTS verified_at bigint;
UPDATE users SET verified_at = created_at WHERE verified_at IS NULL;

-- Confirmed email addresses.  verified_at is when the account's current
-- address was last confirmed (the link or code mailed to it, or an
-- operator's `quillctl user verify`); NULL while it is not.  Accounts
-- that exist before this migration are taken as confirmed: they were made
-- when nothing was asked, and locking their owners out would help nobody.
ALTER TABLE users ADD COLUMN verified_at INTEGER;
UPDATE users SET verified_at = created_at;

-- Each refresh token names the token it succeeded. A token's successor is always the same
-- one (derived from it under the server's secret), so a replay within the grace window
-- finds it again rather than minting a second live one; it is made only while its parent
-- is not revoked, so a refresh racing a logout cannot mint a live token of the family the
-- logout revoked.
ALTER TABLE refresh_tokens ADD COLUMN parent_hash TEXT;
CREATE INDEX refresh_tokens_by_parent ON refresh_tokens (parent_hash) WHERE parent_hash IS NOT NULL;

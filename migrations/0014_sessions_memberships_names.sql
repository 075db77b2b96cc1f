-- Each session's live token (the tip of its family: neither rotated nor revoked), by
-- account and age: a new sign-in past MAX_SESSIONS revokes the session used longest ago
-- by reading only these, never the account's whole token history.
CREATE INDEX refresh_tokens_live_by_user ON refresh_tokens (user_id, created_at)
    WHERE rotated_at IS NULL AND revoked_at IS NULL;

-- A user's rooms in order, so disabling an account or relaying a status reaches every
-- one of them a page at a time (after the last room of the page before).
CREATE INDEX room_members_by_user_room ON room_members (user_id, room_id) WHERE member = 1;
DROP INDEX room_members_by_user;

-- Channels by name in any (ASCII) case: a rename, or a new room, may not take a name
-- another room has.
CREATE INDEX rooms_by_name ON rooms (lower(name));

-- Each user's global status as their inbox last stored it (online, away, offline), next to
-- the status text and last seen it already writes: the door hands all three to a room a
-- user opens, so a room they joined after their last status change still shows it.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'offline';

-- Rooms copy each member's standing to D1 ahead of their message log, and the log's own
-- membership writes later: each write carries the seq of the change it reflects and
-- lands only over an older one, so a late copy never gives back access a newer event
-- took away.
ALTER TABLE room_members ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- What a room is about, shown beside its name in the directory; a room's object keeps it
-- and copies each change here with its new name and capacity (`room-updated`).
ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';

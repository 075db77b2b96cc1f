-- A message a program posted through an incoming hook (issue 37): search results carry the
-- bot mark as the room's own history does.
ALTER TABLE messages ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;

-- A search by its author alone (`GET /api/search?from=ana`, no words) reads an author's
-- messages newest first: through this index, not the whole table.
CREATE INDEX messages_by_author ON messages (user_id, created_at);

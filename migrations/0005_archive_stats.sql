-- What the write-behind costs: per room, batches written, statements in them, and the
-- events they carried. `cargo xtask bench` reports statements per message from it.
CREATE TABLE archive_stats (
    room_id TEXT PRIMARY KEY,
    batches INTEGER NOT NULL DEFAULT 0,
    statements INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0
);

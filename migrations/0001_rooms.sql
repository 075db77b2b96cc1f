-- The room directory: one row per room, for listing and discovery. A room's members and
-- messages are owned by its Durable Object (docs/architecture.md).
CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

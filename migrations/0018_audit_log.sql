-- The audit log (docs/api.md, "Audit log"): every moderation and administration act,
-- append-only. A room's acts come from its write-behind (`id` is the room and the
-- room's own number for the act, so a copy retried is stored once); the door's acts on
-- accounts are written here directly (`id` is random, `room_id` NULL). Read newest
-- first, a page at a time, by room, by who acted, by action, or all of it.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    room_id TEXT,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    request_id TEXT NOT NULL DEFAULT '',
    conn_id TEXT NOT NULL DEFAULT '',
    req_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_time ON audit_log (at, id);
CREATE INDEX audit_by_room ON audit_log (room_id, at, id);
CREATE INDEX audit_by_room_action ON audit_log (room_id, action, at, id);
CREATE INDEX audit_by_action ON audit_log (action, at, id);
CREATE INDEX audit_by_actor ON audit_log (actor_id, at, id);

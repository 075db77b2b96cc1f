-- Web Push: one row per subscribed browser (device). An endpoint belongs to one account at
-- a time: the last one to subscribe from that browser. The inbox reads a user's rows
-- (at most 10, by the index) when it pushes; a row the push service answers 404 or 410
-- for is deleted.
CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);

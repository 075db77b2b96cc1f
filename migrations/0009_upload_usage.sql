-- How much each user uploaded in their current hour (files and bytes), counted before
-- the bytes are stored: the upload quota (docs/api.md).
CREATE TABLE upload_usage (
    user_id TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);

-- Uploaded files (docs/api.md): bytes in R2 under `files/{id}`, metadata here, so a
-- download is authorized with one read. A thumbnail is a file of its own that names its
-- original. Rows go when their message is deleted or the upload expires unattached.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    uploader_id TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    thumbnail_of TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX files_by_original ON files (thumbnail_of) WHERE thumbnail_of IS NOT NULL;

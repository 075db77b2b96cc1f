-- A user's export of their account reads the files they uploaded a page at a time, by
-- id after the last page's: through this index, not the whole table. It holds neither
-- thumbnails (the server's copies of a file) nor the images the server fetched for a
-- link's preview (named 'preview'), so a page never passes over rows it leaves out.
CREATE INDEX files_by_uploader ON files (uploader_id, id)
    WHERE thumbnail_of IS NULL AND name <> 'preview';

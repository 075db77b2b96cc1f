//! Uploads a message may attach or has attached, and files waiting to be deleted.

use edgechat_protocol::{Id, Millis};

use super::{Sql, Store, StoreError, to_json};
use crate::room::Upload;

const UPLOAD: &str = "SELECT body, attached FROM uploads WHERE file_id = ?";
const SAVE_UPLOAD: &str = "INSERT INTO uploads (file_id, body, uploaded_at) VALUES (?, ?, ?)
     ON CONFLICT(file_id) DO UPDATE SET body = excluded.body";
const FORGET_UPLOAD: &str = "DELETE FROM uploads WHERE file_id = ?";
const DOOM: &str = "INSERT OR IGNORE INTO doomed (file_id) VALUES (?)";
const DOOMED: &str = "SELECT file_id FROM doomed LIMIT 100";
const BURIED: &str = "DELETE FROM doomed WHERE file_id = ?";
const EXPIRED: &str = "SELECT body FROM uploads WHERE attached = 0 AND uploaded_at <= ?
     ORDER BY uploaded_at LIMIT 100";
const NEXT_EXPIRY: &str = "SELECT MIN(uploaded_at) FROM uploads WHERE attached = 0";
const INTEND: &str = "INSERT OR REPLACE INTO upload_intents (file_id, at) VALUES (?, ?)";
const FULFILLED: &str = "DELETE FROM upload_intents WHERE file_id = ?";
const ABANDONED: &str = "SELECT file_id FROM upload_intents WHERE at <= ? ORDER BY at LIMIT 100";
const OLDEST_INTENT: &str = "SELECT MIN(at) FROM upload_intents";
const PREVIEW_IMAGE: &str = "SELECT file_id FROM preview_images WHERE hash = ?";
const SHARE_PREVIEW_IMAGE: &str =
    "INSERT INTO preview_images (file_id, hash, refs) VALUES (?, ?, 1)
     ON CONFLICT(file_id) DO UPDATE SET refs = refs + 1";
const UNSHARE_PREVIEW_IMAGE: &str =
    "UPDATE preview_images SET refs = refs - 1 WHERE file_id = ? RETURNING refs";
const FORGET_PREVIEW_IMAGE: &str = "DELETE FROM preview_images WHERE file_id = ?";

impl<S: Sql> Store<S> {
    /// The upload `file_id`, and whether a message has attached it.
    pub fn upload(&self, file_id: &str) -> Result<Option<(Upload, bool)>, StoreError> {
        self.one(UPLOAD, &[file_id.into()])?
            .map(|row| Ok((row.json(0)?, row.uint(1)? != 0)))
            .transpose()
    }

    /// Keeps a new upload, or one with its thumbnail now.
    pub fn save_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        self.exec(
            SAVE_UPLOAD,
            &[
                (&upload.attachment.file_id).into(),
                to_json(upload)?.into(),
                upload.uploaded_at.into(),
            ],
        )
    }

    /// Records that `file_id`'s bytes are about to be stored.
    pub fn intend_upload(&self, file_id: &str, at: Millis) -> Result<(), StoreError> {
        self.exec(INTEND, &[file_id.into(), at.into()])
    }

    /// `file_id` was registered (or its bytes deleted by whoever stored them).
    pub fn intent_fulfilled(&self, file_id: &str) -> Result<(), StoreError> {
        self.exec(FULFILLED, &[file_id.into()])
    }

    /// Intents recorded at or before `cutoff` (a batch of them).
    pub fn abandoned_intents(&self, cutoff: Millis) -> Result<Vec<Id>, StoreError> {
        self.sql
            .run(ABANDONED, &[cutoff.into()])?
            .iter()
            .map(|row| Ok(row.text(0)?.to_owned()))
            .collect()
    }

    /// When the oldest open intent was recorded.
    pub fn oldest_intent(&self) -> Result<Option<Millis>, StoreError> {
        match self.one(OLDEST_INTENT, &[])? {
            Some(row) if !row.is_null(0) => Ok(Some(row.uint(0)?)),
            _ => Ok(None),
        }
    }

    /// Forgets these files' uploads and queues the files for deletion, in one step.
    pub fn doom(&self, files: &[Id]) -> Result<(), StoreError> {
        for file in files {
            self.exec(FORGET_UPLOAD, &[file.into()])?;
            self.exec(FULFILLED, &[file.into()])?;
            self.exec(DOOM, &[file.into()])?;
        }
        Ok(())
    }

    /// The room's copy of the preview image whose bytes hash to `hash`, if it has one.
    pub fn preview_image(&self, hash: &str) -> Result<Option<Id>, StoreError> {
        self.one(PREVIEW_IMAGE, &[hash.into()])?
            .map(|row| Ok(row.text(0)?.to_owned()))
            .transpose()
    }

    /// One more card shows the preview image `file_id` (its bytes hash to `hash`).
    pub fn share_preview_image(&self, file_id: &str, hash: &str) -> Result<(), StoreError> {
        self.exec(SHARE_PREVIEW_IMAGE, &[file_id.into(), hash.into()])
    }

    /// One card fewer shows `file_id`: whether the file is to go now (no card shows it
    /// any more, or it was never shared: a card stored before images were shared).
    pub fn unshare_preview_image(&self, file_id: &str) -> Result<bool, StoreError> {
        let left = self
            .sql
            .run(UNSHARE_PREVIEW_IMAGE, &[file_id.into()])?
            .first()
            .map(|row| row.uint(0))
            .transpose()?;
        match left {
            Some(0) => {
                self.exec(FORGET_PREVIEW_IMAGE, &[file_id.into()])?;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Ok(true),
        }
    }

    /// Files whose bytes or D1 rows are still to be deleted (a batch of them).
    pub fn doomed(&self) -> Result<Vec<Id>, StoreError> {
        self.sql
            .run(DOOMED, &[])?
            .iter()
            .map(|row| Ok(row.text(0)?.to_owned()))
            .collect()
    }

    /// `file_id`'s bytes and row are gone.
    pub fn buried(&self, file_id: &str) -> Result<(), StoreError> {
        self.exec(BURIED, &[file_id.into()])
    }

    /// Uploads nobody attached that were made at or before `cutoff` (a batch of them).
    pub fn unattached_before(&self, cutoff: Millis) -> Result<Vec<Upload>, StoreError> {
        self.sql
            .run(EXPIRED, &[cutoff.into()])?
            .iter()
            .map(|row| row.json(0))
            .collect()
    }

    /// When the oldest upload nobody attached was made.
    pub fn oldest_unattached(&self) -> Result<Option<Millis>, StoreError> {
        self.one(NEXT_EXPIRY, &[])?
            .filter(|row| !row.is_null(0))
            .map(|row| row.uint(0))
            .transpose()
    }
}

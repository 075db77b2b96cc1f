//! Files uploaded to the room: registered by the upload endpoint, attached by
//! `send-message`, and removed when their message is deleted or when nobody attached
//! them in time.

use edgechat_protocol::{Attachment, ErrorCode, Id, Millis};
use serde::{Deserialize, Serialize};

use super::{Effect, Room};
use crate::store::{Sql, StoreError};

/// A file uploaded to this room, as the room keeps it. Thumbnails are not uploads of
/// their own: they live and die with the original that names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub attachment: Attachment,
    pub uploader: Id,
    pub uploaded_at: Millis,
}

/// Why the room refuses an upload. The upload endpoint answers each with its code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UploadRefused {
    /// The room's storage failed; nothing was registered.
    #[error("the room could not store that; try again")]
    Failed(#[from] StoreError),
    #[error("only members of this room may upload to it")]
    NotMember,
    #[error("you are muted in this room")]
    Muted,
    #[error("no upload of yours with that id is waiting in this room")]
    NoSuchUpload,
    #[error("that file is already attached to a message")]
    AlreadyAttached,
    #[error("that file already has a thumbnail")]
    HasThumbnail,
    #[error("only images have thumbnails")]
    NotAnImage,
    #[error("no upload of this member")]
    NotTheUploader,
}

impl UploadRefused {
    /// The stable code of the refusal, which knows its HTTP status.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotMember => ErrorCode::Forbidden,
            Self::Muted => ErrorCode::Muted,
            Self::NoSuchUpload => ErrorCode::NotFound,
            Self::AlreadyAttached | Self::HasThumbnail => ErrorCode::Conflict,
            Self::NotAnImage => ErrorCode::UnsupportedType,
            Self::NotTheUploader => ErrorCode::BadRequest,
            Self::Failed(_) => ErrorCode::Internal,
        }
    }
}

impl<S: Sql> Room<S> {
    /// Whether `user_id` may upload here now: a member who may send.
    pub fn may_upload(&self, user_id: &str, now: Millis) -> Result<(), UploadRefused> {
        if !self.store.is_member(user_id)? {
            return Err(UploadRefused::NotMember);
        }
        if self.store.muted_until(user_id, now)?.is_some() {
            return Err(UploadRefused::Muted);
        }
        Ok(())
    }

    /// Whether `thumbnail_of` names an upload of `user_id`'s that can still take a
    /// thumbnail; checked before the thumbnail's bytes are stored, and again after.
    pub fn may_add_thumbnail(
        &self,
        user_id: &str,
        thumbnail_of: &str,
    ) -> Result<Upload, UploadRefused> {
        let (original, attached) = self
            .store
            .upload(thumbnail_of)?
            .filter(|(u, _)| u.uploader == user_id)
            .ok_or(UploadRefused::NoSuchUpload)?;
        if attached {
            return Err(UploadRefused::AlreadyAttached);
        }
        if original.attachment.thumbnail_id.is_some() {
            return Err(UploadRefused::HasThumbnail);
        }
        if !original.attachment.content_type.starts_with("image/") {
            return Err(UploadRefused::NotAnImage);
        }
        Ok(original)
    }

    /// Whether `user_id` may upload `file_id` here (and give `thumbnail_of` a thumbnail);
    /// if so, records that its bytes are about to be stored, so that bytes a crash leaves
    /// in R2 without a registration are found and deleted (`UPLOAD_INTENT_TTL_MS`). One
    /// atomic step.
    pub fn intend_upload(
        &mut self,
        user_id: &str,
        file_id: &str,
        thumbnail_of: Option<&str>,
        now: Millis,
    ) -> Result<(), UploadRefused> {
        self.may_upload(user_id, now)?;
        if let Some(original) = thumbnail_of {
            self.may_add_thumbnail(user_id, original)?;
        }
        self.store.intend_upload(file_id, now)?;
        self.uploads_changed();
        Ok(())
    }

    /// Registers a stored file: as an upload that a message may attach, or, with
    /// `thumbnail_of`, as the thumbnail of one. One atomic step, like every command.
    pub fn register_upload(
        &mut self,
        by: &str,
        upload: Upload,
        thumbnail_of: Option<&str>,
        now: Millis,
    ) -> Result<(), UploadRefused> {
        if upload.uploader != by {
            return Err(UploadRefused::NotTheUploader);
        }
        let sql = self.store.sql().clone();
        let mut refused = None;
        let stored = sql.atomically(|| {
            let registered = self.may_upload(&upload.uploader, now).and_then(|()| {
                let Some(original_id) = thumbnail_of else {
                    return Ok(upload.clone());
                };
                let mut original = self.may_add_thumbnail(&upload.uploader, original_id)?;
                original.attachment.thumbnail_id = Some(upload.attachment.file_id.clone());
                Ok(original)
            });
            match registered {
                Ok(kept) => {
                    self.store.intent_fulfilled(&upload.attachment.file_id)?;
                    self.store.save_upload(&kept)
                }
                Err(UploadRefused::Failed(err)) => Err(err),
                Err(refusal) => {
                    refused = Some(refusal);
                    Ok(())
                }
            }
        });
        self.uploads_changed();
        stored?;
        refused.map_or(Ok(()), Err)
    }

    /// The files of `upload`: the original and its thumbnail.
    fn files_of(attachment: &Attachment) -> impl Iterator<Item = Id> + '_ {
        std::iter::once(attachment.file_id.clone()).chain(attachment.thumbnail_id.clone())
    }

    /// Forgets the uploads behind `attachments` (a deleted message's) and queues their
    /// files for deletion.
    pub(super) fn remove_uploads(
        &mut self,
        attachments: &[Attachment],
    ) -> Result<Vec<Effect>, StoreError> {
        let files: Vec<Id> = attachments.iter().flat_map(Self::files_of).collect();
        if files.is_empty() {
            return Ok(Vec::new());
        }
        self.store.doom(&files)?;
        self.uploads_changed();
        Ok(vec![Effect::RemoveFiles(files)])
    }

    /// Uploads nobody attached within `UPLOAD_TTL_MS` are removed (a batch a tick).
    pub(super) fn expire_uploads(&mut self, now: Millis) -> Result<Vec<Effect>, StoreError> {
        let cutoff = now.saturating_sub(self.limits.upload_ttl_ms);
        let expired: Vec<Attachment> = self
            .store
            .unattached_before(cutoff)?
            .into_iter()
            .map(|u| u.attachment)
            .collect();
        self.remove_uploads(&expired)
    }

    /// Bytes stored for an upload that was never registered within
    /// `UPLOAD_INTENT_TTL_MS` (whoever stored them crashed) are deleted.
    pub(super) fn expire_intents(&mut self, now: Millis) -> Result<Vec<Effect>, StoreError> {
        let cutoff = now.saturating_sub(self.limits.upload_intent_ttl_ms);
        let abandoned = self.store.abandoned_intents(cutoff)?;
        if abandoned.is_empty() {
            return Ok(Vec::new());
        }
        self.store.doom(&abandoned)?;
        self.uploads_changed();
        Ok(vec![Effect::RemoveFiles(abandoned)])
    }

    /// When the next unattached upload, or abandoned intent, expires.
    pub(super) fn next_upload_expiry(&self) -> Result<Option<Millis>, StoreError> {
        super::remembered(&self.upload_deadline, || {
            let unattached = self
                .store
                .oldest_unattached()?
                .map(|at| at + self.limits.upload_ttl_ms);
            let intent = self
                .store
                .oldest_intent()?
                .map(|at| at + self.limits.upload_intent_ttl_ms);
            Ok(unattached.into_iter().chain(intent).min())
        })
    }

    /// The uploads changed: the next expiry is read again when asked.
    pub(super) fn uploads_changed(&self) {
        self.upload_deadline.set(None);
    }
}

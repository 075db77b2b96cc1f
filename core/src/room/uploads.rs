//! Files uploaded to the room: registered by the upload endpoint, attached by
//! `send-message`, and removed when their message is deleted or when nobody attached
//! them in time.

use edgechat_protocol::{Attachment, Id, Millis};
use serde::{Deserialize, Serialize};

use super::{Effect, Room};

/// A file uploaded to this room, as the room keeps it. Thumbnails are not uploads of
/// their own: they live and die with the original that names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub attachment: Attachment,
    pub uploader: Id,
    pub uploaded_at: Millis,
}

/// Why the room refuses an upload. The upload endpoint answers each with an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefused {
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
}

impl UploadRefused {
    /// The HTTP status and stable code of the refusal.
    pub fn status(&self) -> (u16, &'static str) {
        match self {
            Self::NotMember => (403, "forbidden"),
            Self::Muted => (403, "muted"),
            Self::NoSuchUpload => (404, "not-found"),
            Self::AlreadyAttached | Self::HasThumbnail => (409, "conflict"),
            Self::NotAnImage => (415, "unsupported-type"),
        }
    }
}

impl Room {
    /// Whether `user_id` may upload here now: a member who may send.
    pub fn may_upload(&self, user_id: &str, now: Millis) -> Result<(), UploadRefused> {
        if !self.durable.members.contains_key(user_id) {
            return Err(UploadRefused::NotMember);
        }
        if self.durable.muted_until(user_id, now).is_some() {
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
    ) -> Result<(), UploadRefused> {
        let original = self
            .uploads
            .get(thumbnail_of)
            .filter(|u| u.uploader == user_id)
            .ok_or(UploadRefused::NoSuchUpload)?;
        if self.durable.attached.contains(thumbnail_of) {
            return Err(UploadRefused::AlreadyAttached);
        }
        if original.attachment.thumbnail_id.is_some() {
            return Err(UploadRefused::HasThumbnail);
        }
        if !original.attachment.content_type.starts_with("image/") {
            return Err(UploadRefused::NotAnImage);
        }
        Ok(())
    }

    /// Registers a stored file: as an upload that a message may attach, or, with
    /// `thumbnail_of`, as the thumbnail of one. The effects keep the registration.
    pub fn register_upload(
        &mut self,
        upload: Upload,
        thumbnail_of: Option<&str>,
        now: Millis,
    ) -> Result<Vec<Effect>, UploadRefused> {
        self.may_upload(&upload.uploader, now)?;
        let Some(original_id) = thumbnail_of else {
            self.uploads
                .insert(upload.attachment.file_id.clone(), upload.clone());
            return Ok(vec![Effect::SaveUpload(upload)]);
        };
        self.may_add_thumbnail(&upload.uploader, original_id)?;
        let original = self
            .uploads
            .get_mut(original_id)
            .ok_or(UploadRefused::NoSuchUpload)?;
        original.attachment.thumbnail_id = Some(upload.attachment.file_id);
        Ok(vec![Effect::SaveUpload(original.clone())])
    }

    /// The files of `upload`: the original and its thumbnail.
    fn files_of(attachment: &Attachment) -> impl Iterator<Item = Id> + '_ {
        std::iter::once(attachment.file_id.clone()).chain(attachment.thumbnail_id.clone())
    }

    /// Removes the uploads behind `attachments` (a deleted message's).
    pub(super) fn remove_uploads(&mut self, attachments: &[Attachment]) -> Vec<Effect> {
        let files: Vec<Id> = attachments
            .iter()
            .flat_map(|a| {
                self.uploads.remove(&a.file_id);
                Self::files_of(a).collect::<Vec<_>>()
            })
            .collect();
        if files.is_empty() {
            Vec::new()
        } else {
            vec![Effect::RemoveFiles(files)]
        }
    }

    /// Uploads nobody attached within `UPLOAD_TTL_MS` are removed.
    pub(super) fn expire_uploads(&mut self, now: Millis) -> Vec<Effect> {
        let ttl = self.limits.upload_ttl_ms;
        let expired: Vec<Attachment> = self
            .uploads
            .values()
            .filter(|u| !self.durable.attached.contains(&u.attachment.file_id))
            .filter(|u| u.uploaded_at + ttl <= now)
            .map(|u| u.attachment.clone())
            .collect();
        self.remove_uploads(&expired)
    }

    /// When the next unattached upload expires.
    pub(super) fn next_upload_expiry(&self) -> Option<Millis> {
        self.uploads
            .values()
            .filter(|u| !self.durable.attached.contains(&u.attachment.file_id))
            .map(|u| u.uploaded_at + self.limits.upload_ttl_ms)
            .min()
    }
}

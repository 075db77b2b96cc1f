//! Link previews as the room keeps them: the first link of a new or edited message is
//! due a preview ([`Effect::FetchPreview`], fetched by the Durable Object after the ack),
//! the fetched card comes back as [`super::Command::Preview`] and is stored as a durable
//! `link-preview` event; the author may take it off, and an edit that changes the link
//! or a deletion takes it with it (and its image, stored like an upload).

use edgechat_protocol::{ErrorCode, Id, LinkPreview, Message, Millis, RoomEvent};

use super::{Effect, Identity, Outcome, Refusal, Room};
use crate::{
    preview::first_link,
    store::{Sql, StoreError},
};

impl<S: Sql> Room<S> {
    /// What a message's text asks for, given the preview it has: `link-preview: null`
    /// when the link it previews is gone, and a fetch when a new first link came.
    /// An edit that keeps the first link asks for nothing, whatever came of the first
    /// fetch: a card, none (the page gave none, or the fetch failed), or one the author
    /// took off. Each link of a message is fetched once.
    pub(super) fn previews_for(
        &mut self,
        message: &Message,
        new_text: &str,
    ) -> Result<Vec<Effect>, StoreError> {
        let link = first_link(new_text);
        let mut effects = Vec::new();
        if link == first_link(&message.text) {
            return Ok(effects);
        }
        if let Some(preview) = &message.preview {
            effects.extend(self.take_preview_off(&message.message_id, preview)?);
        }
        if let Some(link) = link {
            effects.push(Effect::FetchPreview {
                message_id: message.message_id.clone(),
                link,
                author: message.user_id.clone(),
            });
        }
        Ok(effects)
    }

    /// Records that a preview image is about to be stored as `file_id`, like an upload's
    /// intent: if the object is evicted before the card comes back as
    /// [`super::Command::Preview`], the bytes and row are found and deleted after
    /// `UPLOAD_INTENT_TTL_MS`.
    pub fn intend_preview_image(&mut self, file_id: &str, now: Millis) -> Result<(), StoreError> {
        self.store.intend_upload(file_id, now)?;
        self.uploads_changed();
        Ok(())
    }

    /// The room's copy of the preview image whose bytes hash to `hash`: a card that
    /// names an image the room has shows that copy, and nothing is fetched or stored again.
    pub fn preview_image(&self, hash: &str) -> Result<Option<Id>, StoreError> {
        self.store.preview_image(hash)
    }

    /// The card fetched for `link` of `message_id`, or `None` when the page gave none;
    /// `image_hash`, the hash of its image's bytes. Kept only if the message still has
    /// that first link and no card for it; an image stored for a card that is not kept is
    /// deleted. An image the room has already (by its hash) is shown from that copy.
    pub(super) fn preview_fetched(
        &mut self,
        message_id: &str,
        link: &str,
        preview: Option<LinkPreview>,
        image_hash: Option<&str>,
    ) -> Result<Vec<Effect>, StoreError> {
        let Some(mut preview) = preview else {
            return Ok(Vec::new());
        };
        let mut effects = Vec::new();
        // Stored just now, or a copy the room had: only the first may be deleted here.
        let known = match image_hash {
            Some(hash) => self.store.preview_image(hash)?,
            None => None,
        };
        if let (Some(image), Some(known)) = (preview.image.as_mut(), &known)
            && image.file_id != *known
        {
            // Two fetches of one image at once: the second copy goes, the first serves.
            effects.extend(self.forget_files(vec![image.file_id.clone()])?);
            image.file_id.clone_from(known);
        }
        let current = self.store.message(message_id)?;
        let wanted = current.as_ref().is_some_and(|m| {
            !m.deleted
                && first_link(&m.text).as_deref() == Some(link)
                && m.preview.as_ref().is_none_or(|p| p.link != link)
                && preview.link == link
        });
        if !wanted {
            if known.is_none()
                && let Some(image) = &preview.image
            {
                effects.extend(self.forget_files(vec![image.file_id.clone()])?);
            }
            return Ok(effects);
        }
        if let Some(image) = &preview.image {
            self.store.intent_fulfilled(&image.file_id)?;
            if let Some(hash) = image_hash {
                self.store.share_preview_image(&image.file_id, hash)?;
            }
            self.uploads_changed();
        }
        effects.extend(self.publish(RoomEvent::LinkPreview {
            message_id: message_id.to_owned(),
            preview: Some(Box::new(preview)),
            seq: self.next_seq(),
        })?);
        Ok(effects)
    }

    /// `remove-preview`: the author takes the card off their message.
    pub(super) fn remove_preview(&mut self, who: &Identity, message_id: &str) -> Outcome {
        let message = self.live_message(message_id)?;
        if message.user_id != who.user_id {
            return Err(Refusal::new(
                ErrorCode::Forbidden,
                "only the author can remove a message's preview",
            ));
        }
        match &message.preview {
            Some(preview) => Ok(self.take_preview_off(message_id, preview)?),
            None => Ok(Vec::new()),
        }
    }

    fn take_preview_off(
        &mut self,
        message_id: &str,
        preview: &LinkPreview,
    ) -> Result<Vec<Effect>, StoreError> {
        let mut effects = self.publish(RoomEvent::LinkPreview {
            message_id: message_id.to_owned(),
            preview: None,
            seq: self.next_seq(),
        })?;
        effects.extend(self.forget_preview_image(preview)?);
        Ok(effects)
    }

    /// A card goes: its image with it, as a deleted message's files go, unless another
    /// card of the room still shows it.
    pub(super) fn forget_preview_image(
        &mut self,
        preview: &LinkPreview,
    ) -> Result<Vec<Effect>, StoreError> {
        let Some(image) = &preview.image else {
            return Ok(Vec::new());
        };
        if !self.store.unshare_preview_image(&image.file_id)? {
            return Ok(Vec::new());
        }
        self.forget_files(vec![image.file_id.clone()])
    }

    /// Queues `files` for deletion.
    fn forget_files(&mut self, files: Vec<Id>) -> Result<Vec<Effect>, StoreError> {
        self.store.doom(&files)?;
        self.uploads_changed();
        Ok(vec![Effect::RemoveFiles(files)])
    }
}

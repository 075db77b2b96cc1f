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
    pub(super) fn previews_for(
        &mut self,
        message: &Message,
        new_text: &str,
    ) -> Result<Vec<Effect>, StoreError> {
        let link = first_link(new_text);
        let mut effects = Vec::new();
        if let Some(preview) = &message.preview {
            if link.as_deref() == Some(preview.link.as_str()) {
                return Ok(effects);
            }
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

    /// The card fetched for `link` of `message_id`, or `None` when the page gave none.
    /// Kept only if the message still has that first link and no card for it; an image
    /// that is not kept is deleted.
    pub(super) fn preview_fetched(
        &mut self,
        message_id: &str,
        link: &str,
        preview: Option<LinkPreview>,
    ) -> Result<Vec<Effect>, StoreError> {
        let Some(preview) = preview else {
            return Ok(Vec::new());
        };
        let current = self.store.message(message_id)?;
        let wanted = current.as_ref().is_some_and(|m| {
            !m.deleted
                && first_link(&m.text).as_deref() == Some(link)
                && m.preview.as_ref().is_none_or(|p| p.link != link)
                && preview.link == link
        });
        if !wanted {
            return self.forget_preview_image(&preview);
        }
        if let Some(image) = &preview.image {
            self.store.intent_fulfilled(&image.file_id)?;
            self.uploads_changed();
        }
        self.publish(RoomEvent::LinkPreview {
            message_id: message_id.to_owned(),
            preview: Some(Box::new(preview)),
            seq: self.next_seq(),
        })
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

    /// Queues a preview's image for deletion, as a deleted message's files are.
    pub(super) fn forget_preview_image(
        &mut self,
        preview: &LinkPreview,
    ) -> Result<Vec<Effect>, StoreError> {
        let files: Vec<Id> = preview
            .image
            .iter()
            .map(|image| image.file_id.clone())
            .collect();
        if files.is_empty() {
            return Ok(Vec::new());
        }
        self.store.doom(&files)?;
        self.uploads_changed();
        Ok(vec![Effect::RemoveFiles(files)])
    }
}

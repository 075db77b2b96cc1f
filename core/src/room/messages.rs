//! Sending, editing, deleting and pinning messages.

use edgechat_protocol::{ErrorCode, Id, Message, Millis, RoomEvent, Seq, ServerMsg};

use super::{Budget, Effect, Identity, Outcome, Rank, Refusal, Room, presence::muted};
use crate::sockets::SocketEffect;
use crate::{
    ids,
    store::{Sql, StoreError},
    text,
};
use edgechat_protocol::frame;

/// A `clientMsgId` a message may carry: 1 to 64 bytes.
fn valid_client_id(client_msg_id: &str) -> bool {
    !client_msg_id.is_empty() && client_msg_id.len() <= 64
}

/// A `send-message` as the client wrote it.
pub(super) struct Draft {
    pub text: String,
    pub attachments: Vec<Id>,
    pub reply_to: Option<Id>,
    pub client_msg_id: String,
}

impl<S: Sql> Room<S> {
    /// The order of checks is the contract: a resend of an already stored message is
    /// answered with its original ack before any limit could refuse it. A send reads
    /// nothing in steady state (what it checks of its sender is in memory) and writes its
    /// message's row alone, whose ack key makes a resend that passed every check a
    /// conflict; the ack map is read only on the way to a refusal or after a conflict.
    pub(super) fn send(
        &mut self,
        conn: &str,
        who: &Identity,
        draft: Draft,
        req_id: Option<String>,
        now: Millis,
    ) -> Outcome {
        let client_msg_id = draft.client_msg_id.clone();
        let (seq, mut effects) = match self.accepted(who, draft, now) {
            Ok(message) => match self.store_message(who, message, now)? {
                Some(stored) => stored,
                // Its ack key is taken: a resend that passed every check.
                None => match self.store.sent_with(&who.user_id, &client_msg_id)? {
                    Some(seq) => (seq, Vec::new()),
                    None => return Err(StoreError::Corrupt("a taken ack key".into()).into()),
                },
            },
            Err(refusal) if refusal.is_failure() || !valid_client_id(&client_msg_id) => {
                return Err(refusal);
            }
            Err(refusal) => match self.store.sent_with(&who.user_id, &client_msg_id)? {
                Some(seq) => (seq, Vec::new()),
                None => return Err(refusal),
            },
        };
        // The ack follows the stored event, if this send stored one.
        let ack = ServerMsg::MessageAck(frame::MessageAck {
            req_id,
            client_msg_id,
            message_id: ids::message_id(&self.info.room_id, seq),
            seq,
        });
        effects.insert(
            effects.len().min(1),
            Effect::Socket(SocketEffect::Send {
                conn: conn.to_owned(),
                msg: ack,
            }),
        );
        Ok(effects)
    }

    /// Stores an accepted message: its seq and what follows it (the ack goes second);
    /// `None`, having stored nothing, when its `clientMsgId` turns out taken.
    fn store_message(
        &mut self,
        who: &Identity,
        message: Message,
        now: Millis,
    ) -> Result<Option<(Seq, Vec<Effect>)>, StoreError> {
        let link = crate::preview::first_link(&message.text);
        let (seq, message_id) = (message.seq, message.message_id.clone());
        if !message.attachments.is_empty() {
            self.uploads_changed();
        }
        let event = RoomEvent::NewMessage(message);
        if !self.store_event(&event)? {
            return Ok(None);
        }
        self.take_budget(&who.user_id, Budget::Messages);
        let calls = match &event {
            RoomEvent::NewMessage(message) => self.outgoing_calls(who, message, now)?,
            _ => Vec::new(),
        };
        let mut effects = vec![
            Effect::Stored(event.clone()),
            Effect::Socket(SocketEffect::Broadcast {
                msg: event.into(),
                except: None,
            }),
        ];
        effects.extend(self.typing_stop(&who.user_id, now));
        if let Some(link) = link {
            effects.push(Effect::FetchPreview {
                message_id,
                link,
                author: who.user_id.clone(),
            });
        }
        effects.extend(calls);
        Ok(Some((seq, effects)))
    }

    /// The message `draft` makes, at the next seq, when every rule and limit allows it.
    fn accepted(&mut self, who: &Identity, draft: Draft, now: Millis) -> Result<Message, Refusal> {
        if !valid_client_id(&draft.client_msg_id) {
            return Err(Refusal::new(
                ErrorCode::BadRequest,
                "clientMsgId must be 1 to 64 characters",
            ));
        }
        let (sender, slow_mode) = self.sender(&who.user_id)?;
        if let Some(until) = sender.mute.filter(|until| *until > now) {
            return Err(muted(until, now));
        }
        let text = self.check_text(&draft.text, !draft.attachments.is_empty())?;
        let attachments = self.check_attachments(&who.user_id, &draft.attachments)?;
        if let Some(reply_to) = &draft.reply_to
            && self.store.message(reply_to)?.is_none()
        {
            return Err(Refusal::new(
                ErrorCode::NotFound,
                "the message replied to is not in this room",
            ));
        }
        if let Some(last) = &sender.last
            && !text.is_empty()
            && last.text == text
            && now.saturating_sub(last.at) < self.limits.duplicate_window_ms
        {
            return Err(Refusal::new(
                ErrorCode::Duplicate,
                "you just sent the same message",
            ));
        }
        self.check_budget(&who.user_id, Budget::Messages, now)?;
        if slow_mode > 0
            && self.rank_with(&who.user_id, sender.role)
                < Rank::Room(edgechat_protocol::Role::Moderator)
            && let Some(last) = &sender.last
        {
            let next = last.at + u64::from(slow_mode) * 1000;
            if next > now {
                return Err(Refusal::new(
                    ErrorCode::SlowMode,
                    format!("slow mode: one message every {slow_mode} s"),
                )
                .retry_after(next - now));
            }
        }
        let seq = self.next_seq();
        Ok(Message {
            message_id: ids::message_id(&self.info.room_id, seq),
            room_id: self.info.room_id.clone(),
            user_id: who.user_id.clone(),
            username: who.username.clone(),
            text,
            timestamp: now,
            attachments,
            reply_to: draft.reply_to,
            seq,
            client_msg_id: draft.client_msg_id,
            edited_at: None,
            deleted: false,
            pinned: false,
            reactions: Vec::new(),
            preview: None,
            bot: None,
        })
    }

    /// Cleaned text within the limits; empty only when attachments carry the message.
    pub(super) fn check_text(&self, raw: &str, has_attachments: bool) -> Result<String, Refusal> {
        let text = text::clean(raw);
        if text.is_empty() && !has_attachments {
            return Err(Refusal::new(ErrorCode::Empty, "a message needs some text"));
        }
        let chars = text.chars().count();
        if chars > self.limits.max_message_chars {
            return Err(Refusal::new(
                ErrorCode::TooLong,
                format!(
                    "messages are limited to {} characters; this one has {chars}",
                    self.limits.max_message_chars
                ),
            ));
        }
        Ok(text)
    }

    /// Each file must be the sender's own upload to this room, not yet attached.
    fn check_attachments(
        &self,
        sender: &str,
        file_ids: &[Id],
    ) -> Result<Vec<edgechat_protocol::Attachment>, Refusal> {
        if file_ids.len() > self.limits.max_attachments {
            return Err(Refusal::new(
                ErrorCode::TooManyAttachments,
                format!(
                    "at most {} attachments per message",
                    self.limits.max_attachments
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        file_ids
            .iter()
            .map(|id| {
                let (upload, attached) = self
                    .store
                    .upload(id)?
                    .filter(|(u, _)| u.uploader == sender)
                    .ok_or_else(|| {
                        Refusal::new(
                            ErrorCode::UnknownAttachment,
                            format!("you uploaded no file {id:?} to this room"),
                        )
                    })?;
                if attached || !seen.insert(id) {
                    return Err(Refusal::new(
                        ErrorCode::UnknownAttachment,
                        format!("file {id:?} is already attached to a message"),
                    ));
                }
                Ok(upload.attachment)
            })
            .collect()
    }

    /// Authors edit their own messages, and nobody else's.
    pub(super) fn edit(
        &mut self,
        who: &Identity,
        message_id: &str,
        new_text: &str,
        now: Millis,
    ) -> Outcome {
        let message = self.live_message(message_id)?;
        if message.user_id != who.user_id {
            return Err(Refusal::new(
                ErrorCode::Forbidden,
                "you can only edit your own messages",
            ));
        }
        if let Some(until) = self.store.muted_until(&who.user_id, now)? {
            return Err(muted(until, now));
        }
        let text = self.check_text(new_text, !message.attachments.is_empty())?;
        if text == message.text {
            return Ok(Vec::new());
        }
        let mut effects = self.publish(RoomEvent::MessageEdited {
            message_id: message_id.to_owned(),
            new_text: text.clone(),
            edited_at: now,
            seq: self.next_seq(),
        })?;
        effects.extend(self.previews_for(&message, &text)?);
        Ok(effects)
    }

    /// Authors delete their own; moderators delete those of lower roles.
    pub(super) fn delete(&mut self, who: &Identity, message_id: &str) -> Outcome {
        let message = self.live_message(message_id)?;
        if message.user_id != who.user_id {
            self.require_over(who, &message.user_id, edgechat_protocol::Role::Moderator)?;
        }
        // A moderator's deletion says whose it was (the author's own needs no name).
        let by = if message.user_id == who.user_id {
            String::new()
        } else {
            who.user_id.clone()
        };
        let mut effects = self.publish(RoomEvent::MessageDeleted {
            message_id: message_id.to_owned(),
            by,
            seq: self.next_seq(),
        })?;
        effects.extend(self.remove_uploads(&message.attachments)?);
        if let Some(preview) = &message.preview {
            effects.extend(self.forget_preview_image(preview)?);
        }
        Ok(effects)
    }

    /// Moderators pin and unpin; doing it twice changes nothing.
    pub(super) fn pin(&mut self, who: &Identity, message_id: &str, pin: bool) -> Outcome {
        self.require_role(who, edgechat_protocol::Role::Moderator)?;
        let message = self.live_message(message_id)?;
        if message.pinned == pin {
            return Ok(Vec::new());
        }
        if pin {
            self.room_for_a_pin()?;
        }
        let (message_id, by, seq) = (message_id.to_owned(), who.user_id.clone(), self.next_seq());
        Ok(self.publish(if pin {
            RoomEvent::MessagePinned {
                message_id,
                by,
                seq,
            }
        } else {
            RoomEvent::MessageUnpinned {
                message_id,
                by,
                seq,
            }
        })?)
    }

    pub(super) fn live_message(&self, message_id: &str) -> Result<Message, Refusal> {
        self.store
            .message(message_id)?
            .ok_or_else(|| Refusal::new(ErrorCode::NotFound, "no such message in this room"))
    }
}

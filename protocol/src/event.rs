//! The durable room event: what a room's log stores, each with its `seq`.
//!
//! The log has its own type, apart from [`ServerMsg`](crate::ServerMsg), so that every
//! fold over it (the room's state, the archive, the client's reducer) can match every
//! variant with no `_ =>` arm: a new durable event that a fold forgets does not compile.
//! On the wire it is the same frame as before, sent as `ServerMsg::Event`.

use serde::Serialize;

use crate::{Id, LinkPreview, Message, Millis, Reaction, Role, Seq};

/// A durable room event. Every one carries the room's `seq`. Decoded by its `type` first
/// (`decode.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum RoomEvent {
    UserJoined {
        room_id: Id,
        user_id: Id,
        /// The name others see (the display name).
        username: String,
        /// The account name, which `@mentions` match; empty in events stored before it
        /// was carried.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        handle: String,
        role: Role,
        seq: Seq,
    },
    UserLeft {
        room_id: Id,
        user_id: Id,
        /// The name others saw; empty in events stored before it was carried.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        username: String,
        seq: Seq,
    },
    NewMessage(Message),
    MessageEdited {
        message_id: Id,
        new_text: String,
        edited_at: Millis,
        seq: Seq,
    },
    MessageDeleted {
        message_id: Id,
        seq: Seq,
    },
    /// The whole new state of one emoji on one message.
    ReactionUpdated {
        message_id: Id,
        emoji: String,
        count: u32,
        user_ids: Vec<Id>,
        seq: Seq,
    },
    MessagePinned {
        message_id: Id,
        by: Id,
        seq: Seq,
    },
    MessageUnpinned {
        message_id: Id,
        by: Id,
        seq: Seq,
    },
    UserMuted {
        user_id: Id,
        until: Millis,
        by: Id,
        seq: Seq,
    },
    UserUnmuted {
        user_id: Id,
        by: Id,
        seq: Seq,
    },
    UserBanned {
        user_id: Id,
        by: Id,
        seq: Seq,
    },
    UserUnbanned {
        user_id: Id,
        /// The name they had as a member, when the room kept it (events stored before
        /// it was carried have none).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        username: String,
        by: Id,
        seq: Seq,
    },
    UserKicked {
        user_id: Id,
        by: Id,
        seq: Seq,
    },
    RoleChanged {
        user_id: Id,
        role: Role,
        by: Id,
        seq: Seq,
    },
    SlowModeChanged {
        seconds: u32,
        by: Id,
        seq: Seq,
    },
    /// `userId` was invited, and so is a member.
    UserInvited {
        user_id: Id,
        username: String,
        by: Id,
        seq: Seq,
    },
    /// The room's name, topic or capacity changed: the settings as they are now.
    RoomUpdated {
        name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        topic: String,
        /// Most members the room takes; `None` for no limit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
        by: Id,
        seq: Seq,
    },
    /// The message's link preview arrived (`preview`), or was removed (`null`: by its
    /// author, or because an edit changed the link).
    LinkPreview {
        message_id: Id,
        preview: Option<Box<LinkPreview>>,
        seq: Seq,
    },
}

impl RoomEvent {
    /// Every `type` of a durable event, in declaration order.
    pub const TYPES: &'static [&'static str] = &[
        "user-joined",
        "user-left",
        "new-message",
        "message-edited",
        "message-deleted",
        "reaction-updated",
        "message-pinned",
        "message-unpinned",
        "user-muted",
        "user-unmuted",
        "user-banned",
        "user-unbanned",
        "user-kicked",
        "role-changed",
        "slow-mode-changed",
        "user-invited",
        "link-preview",
        "room-updated",
    ];

    /// The event's place in the room's log.
    pub fn seq(&self) -> Seq {
        match self {
            RoomEvent::UserJoined { seq, .. }
            | RoomEvent::UserLeft { seq, .. }
            | RoomEvent::MessageEdited { seq, .. }
            | RoomEvent::MessageDeleted { seq, .. }
            | RoomEvent::ReactionUpdated { seq, .. }
            | RoomEvent::MessagePinned { seq, .. }
            | RoomEvent::MessageUnpinned { seq, .. }
            | RoomEvent::UserMuted { seq, .. }
            | RoomEvent::UserUnmuted { seq, .. }
            | RoomEvent::UserBanned { seq, .. }
            | RoomEvent::UserUnbanned { seq, .. }
            | RoomEvent::UserKicked { seq, .. }
            | RoomEvent::RoleChanged { seq, .. }
            | RoomEvent::SlowModeChanged { seq, .. }
            | RoomEvent::UserInvited { seq, .. }
            | RoomEvent::LinkPreview { seq, .. }
            | RoomEvent::RoomUpdated { seq, .. } => *seq,
            RoomEvent::NewMessage(message) => message.seq,
        }
    }

    /// The message the event is about: the one it changes, or the new one itself; `None`
    /// for membership and moderation.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            RoomEvent::NewMessage(message) => Some(&message.message_id),
            RoomEvent::MessageEdited { message_id, .. }
            | RoomEvent::MessageDeleted { message_id, .. }
            | RoomEvent::ReactionUpdated { message_id, .. }
            | RoomEvent::MessagePinned { message_id, .. }
            | RoomEvent::MessageUnpinned { message_id, .. }
            | RoomEvent::LinkPreview { message_id, .. } => Some(message_id),
            RoomEvent::UserJoined { .. }
            | RoomEvent::UserLeft { .. }
            | RoomEvent::UserMuted { .. }
            | RoomEvent::UserUnmuted { .. }
            | RoomEvent::UserBanned { .. }
            | RoomEvent::UserUnbanned { .. }
            | RoomEvent::UserKicked { .. }
            | RoomEvent::RoleChanged { .. }
            | RoomEvent::SlowModeChanged { .. }
            | RoomEvent::UserInvited { .. }
            | RoomEvent::RoomUpdated { .. } => None,
        }
    }

    /// Changes `message`, the one [`Self::message_id`] names, as the event says. Written
    /// once here so the room and every client change a message alike.
    pub fn apply_to(&self, message: &mut Message) {
        match self {
            RoomEvent::MessageEdited {
                new_text,
                edited_at,
                ..
            } => {
                message.text = new_text.clone();
                message.edited_at = Some(*edited_at);
            }
            RoomEvent::LinkPreview { preview, .. } => message.preview = preview.clone(),
            RoomEvent::MessageDeleted { .. } => {
                message.deleted = true;
                message.text.clear();
                message.preview = None;
                message.attachments.clear();
                message.reactions.clear();
                message.pinned = false;
                message.edited_at = None;
            }
            RoomEvent::ReactionUpdated {
                emoji,
                count,
                user_ids,
                ..
            } => {
                message.reactions.retain(|r| &r.emoji != emoji);
                if *count > 0 {
                    message.reactions.push(Reaction {
                        emoji: emoji.clone(),
                        count: *count,
                        user_ids: user_ids.clone(),
                    });
                }
            }
            RoomEvent::MessagePinned { .. } => message.pinned = true,
            RoomEvent::MessageUnpinned { .. } => message.pinned = false,
            RoomEvent::NewMessage(_)
            | RoomEvent::UserJoined { .. }
            | RoomEvent::UserLeft { .. }
            | RoomEvent::UserMuted { .. }
            | RoomEvent::UserUnmuted { .. }
            | RoomEvent::UserBanned { .. }
            | RoomEvent::UserUnbanned { .. }
            | RoomEvent::UserKicked { .. }
            | RoomEvent::RoleChanged { .. }
            | RoomEvent::SlowModeChanged { .. }
            | RoomEvent::UserInvited { .. }
            | RoomEvent::RoomUpdated { .. } => {}
        }
    }
}

//! The durable room event: what a room's log stores, each with its `seq`.
//!
//! The log has its own type, apart from [`ServerMsg`](crate::ServerMsg), so that every
//! fold over it (the room's state, the archive, the client's reducer) can match every
//! variant with no `_ =>` arm: a new durable event that a fold forgets does not compile.
//! On the wire it is the same frame as before, sent as `ServerMsg::Event`.

use serde::{
    Deserialize, Serialize,
    de::{MapAccess, value::MapAccessDeserializer},
};

use crate::{Id, LinkPreview, Message, Millis, Reaction, Role, Seq};

/// Declares [`RoomEvent`] from its table: the new message (a [`Message`] as it is), then
/// one row a durable event, `Variant = "type" { fields }`, each field with its wire
/// attributes written once. From the rows come the enum, [`RoomEvent::TYPES`] and the
/// type-first decoder of each (`decode.rs`), which reads exactly the fields and defaults
/// declared here.
macro_rules! room_events {
    (
        $(#[doc = $new_doc:literal])*
        $New:ident($Payload:ty) = $new_name:literal;
        $(
            $(#[doc = $doc:literal])*
            $Variant:ident = $name:literal {
                $( $(#[$field_attr:meta])* $field:ident : $ty:ty ),* $(,)?
            }
        )*
    ) => {
        /// A durable room event. Every one carries the room's `seq`. Decoded by its
        /// `type` first (`decode.rs`).
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "type")]
        pub enum RoomEvent {
            $(#[doc = $new_doc])*
            #[serde(rename = $new_name)]
            $New($Payload),
            $(
                $(#[doc = $doc])*
                #[serde(rename = $name, rename_all = "camelCase")]
                $Variant { $( $(#[$field_attr])* $field: $ty ),* },
            )*
        }

        impl RoomEvent {
            /// Every `type` of a durable event, in declaration order.
            pub const TYPES: &'static [&'static str] = &[$new_name, $($name),*];

            /// The event of the row named `tag`, decoded from the rest of `map`;
            /// `Err(map)` when no row has that name.
            pub(crate) fn decode_row<'de, A: MapAccess<'de>>(
                tag: &str,
                map: A,
            ) -> Result<Result<RoomEvent, A>, A::Error> {
                match tag {
                    $new_name => Ok(Ok(RoomEvent::$New(<$Payload>::deserialize(
                        MapAccessDeserializer::new(map),
                    )?))),
                    $(
                        $name => {
                            #[derive(Deserialize)]
                            #[serde(rename_all = "camelCase")]
                            struct Fields { $( $(#[$field_attr])* $field: $ty ),* }
                            let fields = Fields::deserialize(MapAccessDeserializer::new(map))?;
                            Ok(Ok(RoomEvent::$Variant { $( $field: fields.$field ),* }))
                        }
                    )*
                    _ => Ok(Err(map)),
                }
            }
        }
    };
}

room_events! {
    /// A new message, as it was sent.
    NewMessage(Message) = "new-message";

    UserJoined = "user-joined" {
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
    }
    UserLeft = "user-left" {
        room_id: Id,
        user_id: Id,
        /// The name others saw; empty in events stored before it was carried.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        username: String,
        seq: Seq,
    }
    MessageEdited = "message-edited" {
        message_id: Id,
        new_text: String,
        edited_at: Millis,
        seq: Seq,
    }
    MessageDeleted = "message-deleted" {
        message_id: Id,
        /// Who deleted it when that was not its author (a moderator): empty for an
        /// author's own deletion. Wire version 9 ([`EVENT_FIELDS`]).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        by: Id,
        seq: Seq,
    }
    /// The whole new state of one emoji on one message.
    ReactionUpdated = "reaction-updated" {
        message_id: Id,
        emoji: String,
        count: u32,
        user_ids: Vec<Id>,
        seq: Seq,
    }
    MessagePinned = "message-pinned" {
        message_id: Id,
        by: Id,
        seq: Seq,
    }
    MessageUnpinned = "message-unpinned" {
        message_id: Id,
        by: Id,
        seq: Seq,
    }
    UserMuted = "user-muted" {
        user_id: Id,
        until: Millis,
        by: Id,
        seq: Seq,
    }
    UserUnmuted = "user-unmuted" {
        user_id: Id,
        by: Id,
        seq: Seq,
    }
    UserBanned = "user-banned" {
        user_id: Id,
        by: Id,
        seq: Seq,
    }
    UserUnbanned = "user-unbanned" {
        user_id: Id,
        /// The name they had as a member, when the room kept it (events stored before
        /// it was carried have none).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        username: String,
        by: Id,
        seq: Seq,
    }
    UserKicked = "user-kicked" {
        user_id: Id,
        by: Id,
        seq: Seq,
    }
    RoleChanged = "role-changed" {
        user_id: Id,
        role: Role,
        by: Id,
        seq: Seq,
    }
    SlowModeChanged = "slow-mode-changed" {
        seconds: u32,
        by: Id,
        seq: Seq,
    }
    /// `userId` was invited, and so is a member.
    UserInvited = "user-invited" {
        user_id: Id,
        username: String,
        by: Id,
        seq: Seq,
    }
    /// The room's name, topic or capacity changed: the settings as they are now.
    RoomUpdated = "room-updated" {
        name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        topic: String,
        /// Most members the room takes; `None` for no limit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
        by: Id,
        seq: Seq,
    }
    /// The message's link preview arrived (`preview`), or was removed (`null`: by its
    /// author, or because an edit changed the link).
    LinkPreview = "link-preview" {
        message_id: Id,
        preview: Option<Box<LinkPreview>>,
        seq: Seq,
    }
}

/// The fields a durable event gained after its kind, each with the version that brought
/// it: the field table of [`RoomEvent`] (`type`, field, version). A socket of an older
/// version is sent the event as [`RoomEvent::older`] makes it.
pub const EVENT_FIELDS: &[(&str, &str, u32)] = &[("message-deleted", "by", DELETED_BY_SINCE)];

/// The wire version that brought `message-deleted`'s `by`.
const DELETED_BY_SINCE: u32 = 9;

impl RoomEvent {
    /// The wire version a socket must speak to be sent this event as it is: that of the
    /// newest field of [`EVENT_FIELDS`] it carries, or 1 (a new message's are
    /// [`Message::since_version`]'s, counted by the frame that carries it).
    pub fn since_version(&self) -> u32 {
        match self {
            RoomEvent::MessageDeleted { by, .. } if !by.is_empty() => DELETED_BY_SINCE,
            _ => 1,
        }
    }

    /// This event for a socket older than [`RoomEvent::since_version`]: without the
    /// fields it does not know.
    pub fn older(&self) -> RoomEvent {
        let mut older = self.clone();
        if let RoomEvent::MessageDeleted { by, .. } = &mut older {
            by.clear();
        }
        older
    }

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

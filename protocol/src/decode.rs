//! Decoding server frames by their `type` first.
//!
//! serde's derive for an internally tagged enum cannot know the variant until it has seen
//! the tag, so it buffers every frame into an intermediate tree and decodes each field's
//! type from that tree: in the web client that came to some 55 KB of the 460 KB gzipped
//! `.wasm`. Every frame the server sends has `type` as its first field (the derived
//! `Serialize` writes the tag first), so these decoders read the tag, then decode the
//! rest of the object straight into the variant's fields, with no buffer. A frame whose
//! first field is not `type` is refused with a message that says so; one of a `type`
//! this build does not know becomes [`ServerMsg::Unknown`].
//!
//! Each variant's fields are listed once more here, as a struct; building the variant
//! from it names every field, so a field added to an event and not here does not compile.
//! The golden samples round-trip every type through these decoders.

use std::collections::BTreeMap;

use serde::{
    Deserialize, Deserializer,
    de::{Error, IgnoredAny, MapAccess, Visitor, value::MapAccessDeserializer},
};

use crate::{
    BannedUser, ErrorCode, Id, LinkPreview, Message, Millis, NotificationKind, Role, RoomEvent,
    RoomInfo, RoomUser, Seq, ServerMsg, Status, UnknownMsg,
};

/// For each `"type" => Variant { fields }`: when the tag is this one, decodes the rest of
/// `$map` into the fields and returns the variant.
macro_rules! variants {
    ($enum:ident, $tag:expr, $map:ident, {
        $( $name:literal => $variant:ident { $( $(#[$attr:meta])* $field:ident : $ty:ty ),* $(,)? } )*
    }) => {
        match $tag {
            $( $name => {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Fields { $( $(#[$attr])* $field: $ty ),* }
                let fields = Fields::deserialize(MapAccessDeserializer::new($map))?;
                return Ok(Ok($enum::$variant { $( $field: fields.$field ),* }));
            } )*
            _ => {}
        }
    };
}

/// Reads the first key, which must be `type`, and its value.
fn first_tag<'de, A: MapAccess<'de>>(map: &mut A) -> Result<String, A::Error> {
    match map.next_key::<String>()? {
        Some(key) if key == "type" => map.next_value(),
        Some(_) => Err(A::Error::custom("`type` must be the frame's first field")),
        None => Err(A::Error::missing_field("type")),
    }
}

/// The durable event `tag` names, from the rest of `map`; `Err(map)` when `tag` is not
/// one, so the caller may read it otherwise.
fn room_event<'de, A: MapAccess<'de>>(tag: &str, map: A) -> Result<Result<RoomEvent, A>, A::Error> {
    if tag == "new-message" {
        let message = Message::deserialize(MapAccessDeserializer::new(map))?;
        return Ok(Ok(RoomEvent::NewMessage(message)));
    }
    variants!(RoomEvent, tag, map, {
        "user-joined" => UserJoined {
            room_id: Id,
            user_id: Id,
            username: String,
            #[serde(default)]
            handle: String,
            role: Role,
            seq: Seq,
        }
        "user-left" => UserLeft {
            room_id: Id,
            user_id: Id,
            #[serde(default)]
            username: String,
            seq: Seq,
        }
        "message-edited" => MessageEdited { message_id: Id, new_text: String, edited_at: Millis, seq: Seq }
        "message-deleted" => MessageDeleted { message_id: Id, seq: Seq }
        "reaction-updated" => ReactionUpdated {
            message_id: Id,
            emoji: String,
            count: u32,
            user_ids: Vec<Id>,
            seq: Seq,
        }
        "message-pinned" => MessagePinned { message_id: Id, by: Id, seq: Seq }
        "message-unpinned" => MessageUnpinned { message_id: Id, by: Id, seq: Seq }
        "user-muted" => UserMuted { user_id: Id, until: Millis, by: Id, seq: Seq }
        "user-unmuted" => UserUnmuted { user_id: Id, by: Id, seq: Seq }
        "user-banned" => UserBanned { user_id: Id, by: Id, seq: Seq }
        "user-unbanned" => UserUnbanned {
            user_id: Id,
            #[serde(default)]
            username: String,
            by: Id,
            seq: Seq,
        }
        "user-kicked" => UserKicked { user_id: Id, by: Id, seq: Seq }
        "role-changed" => RoleChanged { user_id: Id, role: Role, by: Id, seq: Seq }
        "slow-mode-changed" => SlowModeChanged { seconds: u32, by: Id, seq: Seq }
        "user-invited" => UserInvited { user_id: Id, username: String, by: Id, seq: Seq }
        "link-preview" => LinkPreview { message_id: Id, preview: Option<Box<LinkPreview>>, seq: Seq }
        "room-updated" => RoomUpdated {
            name: String,
            #[serde(default)]
            topic: String,
            #[serde(default)]
            capacity: Option<u32>,
            by: Id,
            seq: Seq,
        }
    });
    Ok(Err(map))
}

/// `ServerMsg`'s own variant `tag` names, from the rest of `map`; `Err(map)` when `tag`
/// is not one.
fn own<'de, A: MapAccess<'de>>(tag: &str, map: A) -> Result<Result<ServerMsg, A>, A::Error> {
    variants!(ServerMsg, tag, map, {
        "connected" => Connected { protocol_version: u32 }
        "authenticated" => Authenticated { user_id: Id, expires_at: Millis }
        "error" => Error {
            code: ErrorCode,
            message: String,
            #[serde(default)]
            req_id: Option<String>,
            #[serde(default)]
            retry_after: Option<u64>,
        }
        "room-joined" => RoomJoined {
            room_id: Id,
            room: RoomInfo,
            users: Vec<RoomUser>,
            #[serde(default)]
            member_count: u64,
            message_history: Vec<Message>,
            your_role: Role,
            head_seq: Seq,
            last_read_seq: Seq,
            unread_count: u64,
            #[serde(default)]
            read_marks: BTreeMap<Id, Seq>,
            slow_mode: u32,
            #[serde(default)]
            req_id: Option<String>,
        }
        "room-created" => RoomCreated { room: RoomInfo }
        "message-ack" => MessageAck {
            #[serde(default)]
            req_id: Option<String>,
            client_msg_id: String,
            message_id: Id,
            seq: Seq,
        }
        "typing-indicator" => TypingIndicator {
            room_id: Id,
            user_id: Id,
            username: String,
            is_typing: bool,
            expires_at: Millis,
        }
        "user-status" => UserStatus {
            user_id: Id,
            status: Status,
            #[serde(default)]
            last_seen: Option<Millis>,
            #[serde(default)]
            status_text: Option<String>,
        }
        "online-users" => OnlineUsers { room_id: Id, user_ids: Vec<Id> }
        "presence-changed" => PresenceChanged {
            room_id: Id,
            #[serde(default)]
            online: Vec<Id>,
            #[serde(default)]
            offline: Vec<Id>,
        }
        "read-receipt" => ReadReceipt { user_id: Id, seq: Seq }
        "history-page" => HistoryPage {
            room_id: Id,
            messages: Vec<Message>,
            has_more: bool,
            #[serde(default)]
            req_id: Option<String>,
        }
        "member-page" => MemberPage {
            room_id: Id,
            users: Vec<RoomUser>,
            has_more: bool,
            #[serde(default)]
            req_id: Option<String>,
        }
        "ban-page" => BanPage {
            room_id: Id,
            users: Vec<BannedUser>,
            has_more: bool,
            #[serde(default)]
            req_id: Option<String>,
        }
        "pin-list" => PinList {
            room_id: Id,
            messages: Vec<Message>,
            #[serde(default)]
            req_id: Option<String>,
        }
        "resync" => Resync { room_id: Id, head_seq: Seq }
        "notification" => Notification {
            room_id: Id,
            kind: NotificationKind,
            seq: Seq,
            #[serde(default)]
            message_id: Option<Id>,
            #[serde(default)]
            from: Option<String>,
            #[serde(default)]
            excerpt: Option<String>,
            #[serde(default)]
            unread_count: Option<u64>,
        }
    });
    Ok(Err(map))
}

/// Reads what is left of an object, so its end can follow.
fn drain<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

struct ServerFrame;

impl<'de> Visitor<'de> for ServerFrame {
    type Value = ServerMsg;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a server frame: an object whose first field is `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServerMsg, A::Error> {
        let tag = first_tag(&mut map)?;
        if tag == "pong" {
            drain(&mut map)?;
            return Ok(ServerMsg::Pong);
        }
        let map = match own(&tag, map)? {
            Ok(msg) => return Ok(msg),
            Err(map) => map,
        };
        let mut map = match room_event(&tag, map)? {
            Ok(event) => return Ok(ServerMsg::Event(event)),
            Err(map) => map,
        };
        drain(&mut map)?;
        Ok(ServerMsg::Unknown(UnknownMsg { kind: tag }))
    }
}

impl<'de> Deserialize<'de> for ServerMsg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ServerFrame)
    }
}

struct EventFrame;

impl<'de> Visitor<'de> for EventFrame {
    type Value = RoomEvent;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a durable room event: an object whose first field is `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RoomEvent, A::Error> {
        let tag = first_tag(&mut map)?;
        match room_event(&tag, map)? {
            Ok(event) => Ok(event),
            Err(_) => Err(A::Error::unknown_variant(&tag, RoomEvent::TYPES)),
        }
    }
}

impl<'de> Deserialize<'de> for RoomEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventFrame)
    }
}

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    BannedUser, ErrorCode, Id, Message, Millis, NotificationKind, Role, RoomEvent, RoomInfo,
    RoomUser, Seq, Status,
};

/// A server-to-client event. Durable room events ([`RoomEvent`]) carry the room's `seq`;
/// typing, presence and replies to one request do not. Decoded by its `type` first
/// (`decode.rs`), not by serde's derive, which would buffer every frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum ServerMsg {
    /// The first frame on the inbox socket.
    Connected {
        protocol_version: u32,
    },
    /// A fresh token was accepted on this socket.
    Authenticated {
        user_id: Id,
        expires_at: Millis,
    },
    /// A request failed; the socket stays open.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
        /// For limits: how long to wait before trying again, in ms.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// The first frame on a room socket: the room as it is now.
    RoomJoined {
        room_id: Id,
        room: RoomInfo,
        /// Every member, to a socket of version 1 or 2; from version 3, the first page of
        /// them (by id, the joiner always among them), the rest by `list-members`.
        users: Vec<RoomUser>,
        /// How many members the room has (from version 3; 0 before).
        #[serde(default)]
        member_count: u64,
        /// The newest messages, oldest first (empty when resuming with `since`).
        message_history: Vec<Message>,
        your_role: Role,
        head_seq: Seq,
        last_read_seq: Seq,
        unread_count: u64,
        /// How far each member has read, for "read by N" under each message; from version
        /// 3 only the furthest marks, a page's worth, which count exactly up to that many.
        #[serde(default)]
        read_marks: BTreeMap<Id, Seq>,
        /// Seconds between one member's messages; 0 when slow mode is off.
        slow_mode: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
    },
    /// A room the user belongs to was created (inbox socket).
    RoomCreated {
        room: RoomInfo,
    },
    /// To the sender only: its message is stored.
    MessageAck {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
        client_msg_id: String,
        message_id: Id,
        seq: Seq,
    },
    TypingIndicator {
        room_id: Id,
        user_id: Id,
        username: String,
        is_typing: bool,
        /// When to stop showing it unless refreshed.
        expires_at: Millis,
    },
    UserStatus {
        user_id: Id,
        status: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<Millis>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status_text: Option<String>,
    },
    /// Who has a socket open to the room now: the whole set. Sent to a socket as it
    /// joins, after a room wakes, and (instead of [`ServerMsg::PresenceChanged`]) to
    /// sockets of version 1.
    OnlineUsers {
        room_id: Id,
        user_ids: Vec<Id>,
    },
    /// Who came online and who went offline in the room since the last presence frame
    /// (version 2): applied to the set the last `online-users` gave. Changes close together
    /// come in one frame.
    PresenceChanged {
        room_id: Id,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        online: Vec<Id>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        offline: Vec<Id>,
    },
    /// A member has read up to `seq`.
    ReadReceipt {
        user_id: Id,
        seq: Seq,
    },
    /// The answer to `load-history`, oldest first.
    HistoryPage {
        room_id: Id,
        messages: Vec<Message>,
        has_more: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
    },
    /// The answer to `list-members`: the next members by id after `after`.
    MemberPage {
        room_id: Id,
        users: Vec<RoomUser>,
        has_more: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
    },
    /// The answer to `list-bans` (version 4): the next banned users by id after `after`.
    BanPage {
        room_id: Id,
        users: Vec<BannedUser>,
        has_more: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
    },
    /// The answer to `list-pins` (version 4): every pinned message, oldest first.
    PinList {
        room_id: Id,
        messages: Vec<Message>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
    },
    /// `since` is too far back to replay: drop the room's local state; a fresh
    /// `room-joined` follows.
    Resync {
        room_id: Id,
        head_seq: Seq,
    },
    Pong,
    /// Something in a room the user has no socket open to (inbox socket): the room has
    /// unread messages again or more of them, or a message mentions the user.
    Notification {
        room_id: Id,
        kind: NotificationKind,
        seq: Seq,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<Id>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        excerpt: Option<String>,
        /// How many messages in the room the user has not read, as the room counts them
        /// (up to 1,000) when it sends this: the badge's value, not an increment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unread_count: Option<u64>,
    },
    /// A durable room event: everything a room's log stores, with its seq.
    #[serde(untagged)]
    Event(RoomEvent),
    /// A frame of a type this build does not know, from a newer server: ignored, or shown generically.
    #[serde(untagged)]
    Unknown(UnknownMsg),
}

/// A server frame of a type this build does not know: only its `type` is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownMsg {
    #[serde(rename = "type")]
    pub kind: String,
}

impl ServerMsg {
    /// The `type`s of `ServerMsg`'s own variants, in declaration order.
    const OWN_TYPES: &'static [&'static str] = &[
        "connected",
        "authenticated",
        "error",
        "room-joined",
        "room-created",
        "message-ack",
        "typing-indicator",
        "user-status",
        "online-users",
        "presence-changed",
        "read-receipt",
        "history-page",
        "member-page",
        "ban-page",
        "pin-list",
        "resync",
        "pong",
        "notification",
    ];

    /// Every `type` the server may send, in declaration order: its own, then every
    /// [`RoomEvent`]'s, so the durable ones cannot be listed in one place and not the other.
    pub const TYPES: &'static [&'static str] = &concat::<
        { Self::OWN_TYPES.len() + RoomEvent::TYPES.len() },
    >(Self::OWN_TYPES, RoomEvent::TYPES);

    /// An `error` event with no `retryAfter`.
    pub fn error(code: ErrorCode, message: impl Into<String>, req_id: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            req_id,
            retry_after: None,
        }
    }

    /// The protocol version that introduced this frame's kind. The server sends a frame
    /// only to sockets that offered `edgechat.v{since_version}` or later, so a client
    /// never meets a frame kind newer than it says it knows (an unknown one still decodes,
    /// into [`ServerMsg::Unknown`]). A new variant must say which version brought it, and
    /// this match makes it say.
    pub fn since_version(&self) -> u32 {
        match self {
            ServerMsg::Connected { .. }
            | ServerMsg::Authenticated { .. }
            | ServerMsg::Error { .. }
            | ServerMsg::RoomJoined { .. }
            | ServerMsg::RoomCreated { .. }
            | ServerMsg::MessageAck { .. }
            | ServerMsg::TypingIndicator { .. }
            | ServerMsg::UserStatus { .. }
            | ServerMsg::OnlineUsers { .. }
            | ServerMsg::ReadReceipt { .. }
            | ServerMsg::HistoryPage { .. }
            | ServerMsg::Resync { .. }
            | ServerMsg::Notification { .. }
            | ServerMsg::Pong
            | ServerMsg::Event(_)
            | ServerMsg::Unknown(_) => 1,
            ServerMsg::PresenceChanged { .. } => 2,
            ServerMsg::MemberPage { .. } => 3,
            ServerMsg::BanPage { .. } | ServerMsg::PinList { .. } => 4,
        }
    }

    /// The room seq of a durable event; `None` for everything else.
    pub fn seq(&self) -> Option<Seq> {
        match self {
            ServerMsg::Event(event) => Some(event.seq()),
            ServerMsg::Connected { .. }
            | ServerMsg::Authenticated { .. }
            | ServerMsg::Error { .. }
            | ServerMsg::RoomJoined { .. }
            | ServerMsg::RoomCreated { .. }
            | ServerMsg::MessageAck { .. }
            | ServerMsg::TypingIndicator { .. }
            | ServerMsg::UserStatus { .. }
            | ServerMsg::OnlineUsers { .. }
            | ServerMsg::PresenceChanged { .. }
            | ServerMsg::ReadReceipt { .. }
            | ServerMsg::HistoryPage { .. }
            | ServerMsg::MemberPage { .. }
            | ServerMsg::BanPage { .. }
            | ServerMsg::PinList { .. }
            | ServerMsg::Resync { .. }
            | ServerMsg::Notification { .. }
            | ServerMsg::Pong
            | ServerMsg::Unknown(_) => None,
        }
    }
}

impl From<RoomEvent> for ServerMsg {
    fn from(event: RoomEvent) -> Self {
        ServerMsg::Event(event)
    }
}

/// `a` then `b`, in a constant.
const fn concat<const N: usize>(a: &[&'static str], b: &[&'static str]) -> [&'static str; N] {
    assert!(a.len() + b.len() == N);
    let mut out = [""; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut i = 0;
    while i < b.len() {
        out[a.len() + i] = b[i];
        i += 1;
    }
    out
}

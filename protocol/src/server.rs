use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    ErrorCode, Id, Message, Millis, NotificationKind, Role, RoomInfo, RoomUser, Seq, Status,
};

/// A server-to-client event. Durable room events carry the room's `seq`; typing, presence
/// and replies to one request do not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        users: Vec<RoomUser>,
        /// The newest messages, oldest first (empty when resuming with `since`).
        message_history: Vec<Message>,
        your_role: Role,
        head_seq: Seq,
        last_read_seq: Seq,
        unread_count: u64,
        /// How far each member has read, for "read by N" under each message.
        #[serde(default)]
        read_marks: BTreeMap<Id, Seq>,
        /// Seconds between one member's messages; 0 when slow mode is off.
        slow_mode: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
    },
    UserJoined {
        room_id: Id,
        user_id: Id,
        username: String,
        role: Role,
        seq: Seq,
    },
    UserLeft {
        room_id: Id,
        user_id: Id,
        seq: Seq,
    },
    /// A room the user belongs to was created (inbox socket).
    RoomCreated {
        room: RoomInfo,
    },
    NewMessage(Message),
    /// To the sender only: its message is stored.
    MessageAck {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
        client_msg_id: String,
        message_id: Id,
        seq: Seq,
    },
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
    /// Who has a socket open to the room now.
    OnlineUsers {
        room_id: Id,
        user_ids: Vec<Id>,
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
    /// `since` is too far back to replay: drop the room's local state; a fresh
    /// `room-joined` follows.
    Resync {
        room_id: Id,
        head_seq: Seq,
    },
    Pong,
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
    /// Something in a room the user has no socket open to (inbox socket): the room has
    /// unread messages again, or a message mentions the user.
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
    },
    /// `userId` was invited, and so is a member.
    UserInvited {
        user_id: Id,
        username: String,
        by: Id,
        seq: Seq,
    },
}

impl ServerMsg {
    /// Every `type` the server may send, in declaration order.
    pub const TYPES: &'static [&'static str] = &[
        "connected",
        "authenticated",
        "error",
        "room-joined",
        "user-joined",
        "user-left",
        "room-created",
        "new-message",
        "message-ack",
        "message-edited",
        "message-deleted",
        "typing-indicator",
        "user-status",
        "online-users",
        "reaction-updated",
        "message-pinned",
        "message-unpinned",
        "read-receipt",
        "history-page",
        "resync",
        "pong",
        "user-muted",
        "user-unmuted",
        "user-banned",
        "user-unbanned",
        "user-kicked",
        "role-changed",
        "slow-mode-changed",
        "notification",
        "user-invited",
    ];

    /// An `error` event with no `retryAfter`.
    pub fn error(code: ErrorCode, message: impl Into<String>, req_id: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            req_id,
            retry_after: None,
        }
    }

    /// The room seq of a durable event; `None` for everything else.
    pub fn seq(&self) -> Option<Seq> {
        match self {
            ServerMsg::UserJoined { seq, .. }
            | ServerMsg::UserLeft { seq, .. }
            | ServerMsg::MessageEdited { seq, .. }
            | ServerMsg::MessageDeleted { seq, .. }
            | ServerMsg::ReactionUpdated { seq, .. }
            | ServerMsg::MessagePinned { seq, .. }
            | ServerMsg::MessageUnpinned { seq, .. }
            | ServerMsg::UserMuted { seq, .. }
            | ServerMsg::UserUnmuted { seq, .. }
            | ServerMsg::UserBanned { seq, .. }
            | ServerMsg::UserUnbanned { seq, .. }
            | ServerMsg::UserKicked { seq, .. }
            | ServerMsg::RoleChanged { seq, .. }
            | ServerMsg::SlowModeChanged { seq, .. }
            | ServerMsg::UserInvited { seq, .. } => Some(*seq),
            ServerMsg::NewMessage(message) => Some(message.seq),
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
            | ServerMsg::Pong => None,
        }
    }
}

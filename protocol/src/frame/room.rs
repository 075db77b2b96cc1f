//! A room as a socket sees it: its snapshot, acks, and the answers to its reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{BannedUser, Id, Message, Role, RoomInfo, RoomUser, Seq};

/// The first frame on a room socket: the room as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomJoined {
    pub room_id: Id,
    pub room: RoomInfo,
    /// Every member, to a socket of version 1 or 2 (at most 500 of them); from version 3,
    /// the first page of them (by id, the joiner always among them), the rest by
    /// `list-members`.
    pub users: Vec<RoomUser>,
    /// How many members the room has (from version 3).
    #[serde(default)]
    pub member_count: u64,
    /// The newest messages, oldest first (empty when resuming with `since`).
    pub message_history: Vec<Message>,
    pub your_role: Role,
    pub head_seq: Seq,
    pub last_read_seq: Seq,
    pub unread_count: u64,
    /// How far members have read, for "read by N" under each message; from version 3
    /// only the furthest marks, a page's worth, which count exactly up to that many.
    #[serde(default)]
    pub read_marks: BTreeMap<Id, Seq>,
    /// Seconds between one member's messages; 0 when slow mode is off.
    pub slow_mode: u32,
    /// How many members are online (version 5): its sockets are not sent the whole
    /// online set as they join; `users` says who of the page is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

/// A room the user belongs to was created (inbox socket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomCreated {
    pub room: RoomInfo,
}

/// To the sender only: its message is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageAck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
    pub client_msg_id: String,
    pub message_id: Id,
    pub seq: Seq,
}

/// A member has read up to `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceipt {
    pub user_id: Id,
    pub seq: Seq,
}

/// The answer to `load-history`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub room_id: Id,
    pub messages: Vec<Message>,
    pub has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

/// The answer to `list-members`: the next members by id after `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberPage {
    pub room_id: Id,
    pub users: Vec<RoomUser>,
    pub has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

/// The answer to `list-bans`: the next banned users by id after `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BanPage {
    pub room_id: Id,
    pub users: Vec<BannedUser>,
    pub has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

/// The answer to `list-pins`: every pinned message, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PinList {
    pub room_id: Id,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

/// What a program answered one member alone (a registered command's ephemeral answer, or
/// its failure): not stored, sent only to the socket that ran the command (or, for a later
/// answer through its `response_url`, to that member's sockets to the room), and gone on
/// reload (wire version 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ephemeral {
    pub room_id: Id,
    /// The hook that answered, as a bot message's `userId` is.
    pub user_id: Id,
    /// Its label, shown with the bot mark.
    pub username: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<Box<crate::Bot>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

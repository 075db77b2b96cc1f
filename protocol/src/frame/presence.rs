//! Who is here, who is typing, and what each member's status is.

use serde::{Deserialize, Serialize};

use crate::{Id, Millis, RoomEvent, Status};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypingIndicator {
    pub room_id: Id,
    pub user_id: Id,
    pub username: String,
    pub is_typing: bool,
    /// When to stop showing it unless refreshed.
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserStatus {
    pub user_id: Id,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
}

/// Who has a socket open to the room now: the whole set. Sent to a socket as it joins,
/// after a room wakes, and (instead of [`PresenceChanged`]) to sockets of version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineUsers {
    pub room_id: Id,
    pub user_ids: Vec<Id>,
}

/// Who came online and who went offline in the room since the last presence frame
/// (version 2): applied to the set the last `online-users` gave. Changes close together
/// come in one frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceChanged {
    pub room_id: Id,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub online: Vec<Id>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline: Vec<Id>,
    /// How many are online after the change (from version 5, whose joiners are not sent
    /// the whole set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_count: Option<u64>,
}

/// Who arrived in the room within one presence window (version 5), in place of a
/// `user-joined` and a `user-status` to every socket for each arrival: a storm of joins
/// costs each socket a frame per window, not one per join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembersArrived {
    pub room_id: Id,
    /// The `user-joined` events of members new to the room, in seq order, each as its own
    /// frame would be. One at or below the seq a socket has already seen (its
    /// `room-joined`'s `headSeq` or a replay) is one it has: skip it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joined: Vec<RoomEvent>,
    /// The statuses that arriving changed, each as its `user-status` would be, after
    /// the joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<UserStatus>,
}

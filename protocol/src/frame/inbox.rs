//! What the inbox socket tells of rooms the user has no socket open to.

use serde::{Deserialize, Serialize};

use crate::{Id, NotificationKind, Seq};

/// Something in a room the user has no socket open to (inbox socket): the room has unread
/// messages again or more of them, or a message mentions the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub room_id: Id,
    pub kind: NotificationKind,
    pub seq: Seq,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// How many messages in the room the user has not read, as the room counts them (up
    /// to 1,000) when it sends this: the badge's value, not an increment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<u64>,
}

use serde::{Deserialize, Serialize};

use crate::{Id, Millis, Seq};

/// A chat message as every client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message_id: Id,
    pub room_id: Id,
    pub user_id: Id,
    pub username: String,
    pub text: String,
    pub timestamp: Millis,
    pub seq: Seq,
}

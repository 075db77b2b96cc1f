//! Frames about the socket itself: its opening, its token, errors, keep-alives, resync.

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Id, Millis, Seq};

/// The first frame on the inbox socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    pub protocol_version: u32,
}

/// A fresh token was accepted on this socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authenticated {
    pub user_id: Id,
    pub expires_at: Millis,
}

/// A request failed; the socket stays open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
    /// For limits: how long to wait before trying again, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// The answer to `ping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pong {}

/// `since` is too far back to replay: drop the room's local state; a fresh `room-joined`
/// follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resync {
    pub room_id: Id,
    pub head_seq: Seq,
}

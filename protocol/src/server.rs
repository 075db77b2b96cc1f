use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Id, Message, Seq};

/// A server-to-client event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum ServerMsg {
    /// The first frame on every socket.
    Connected { protocol_version: u32 },
    /// A message was posted to the room.
    NewMessage(Message),
    /// The sender's own confirmation that its message is stored, with its id and seq.
    MessageAck {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req_id: Option<String>,
        client_msg_id: String,
        message_id: Id,
        seq: Seq,
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
    /// The answer to `ping`.
    Pong,
}

impl ServerMsg {
    /// Every `type` the server may send, in declaration order.
    pub const TYPES: &'static [&'static str] =
        &["connected", "new-message", "message-ack", "error", "pong"];

    /// An `error` event with no `retryAfter`.
    pub fn error(code: ErrorCode, message: impl Into<String>, req_id: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            req_id,
            retry_after: None,
        }
    }
}

use serde::{Deserialize, Serialize};

/// The stable code of an `error` event. Clients branch on these; the human `message`
/// beside them may change at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The frame is not JSON, or not a valid event of a known type.
    BadFrame,
    /// The frame's `type` is not an event this server knows.
    UnknownType,
    /// The frame is larger than the server accepts.
    TooLarge,
    /// The message text is empty after trimming.
    Empty,
    /// The message text is longer than the room allows.
    TooLong,
    /// The event names a different room than the socket is joined to.
    WrongRoom,
    /// Something failed on the server; retrying later may help.
    Internal,
}

impl ErrorCode {
    /// Every code, for documentation checks.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadFrame,
        ErrorCode::UnknownType,
        ErrorCode::TooLarge,
        ErrorCode::Empty,
        ErrorCode::TooLong,
        ErrorCode::WrongRoom,
        ErrorCode::Internal,
    ];
}

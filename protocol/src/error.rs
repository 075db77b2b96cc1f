use serde::{Deserialize, Serialize};

/// The stable code of an `error` event (and of HTTP error bodies). Clients branch on
/// these; the human `message` beside them may change at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The frame is not JSON, not an object with a `type`, binary, or a known event with
    /// missing or mistyped fields.
    BadFrame,
    /// The frame's `type` is not an event this server knows.
    UnknownType,
    /// The frame is larger than the server accepts.
    TooLarge,
    /// The event belongs on the other socket (room events on a room socket, user-level
    /// events on the inbox socket).
    WrongSocket,
    /// The event names a different room than the socket is joined to.
    WrongRoom,
    /// A field has a value the server does not accept (an unknown role, a bad limit).
    BadRequest,
    /// The message text is empty after cleaning, and there are no attachments.
    Empty,
    /// The message text is longer than the room allows.
    TooLong,
    /// More attachments than one message may carry.
    TooManyAttachments,
    /// An attachment id that was not uploaded to this room.
    UnknownAttachment,
    /// Not an emoji the server accepts as a reaction.
    BadEmoji,
    /// The message already has as many different reactions as it may.
    TooManyReactions,
    /// The message, or user, does not exist in this room.
    NotFound,
    /// The actor's role does not allow this, or the target's role is equal or higher.
    Forbidden,
    /// The actor is muted in this room; `retryAfter` says for how long.
    Muted,
    /// The user is banned from this room.
    Banned,
    /// The room is at capacity.
    RoomFull,
    /// Too many messages too fast; `retryAfter` says when the next one is accepted.
    RateLimited,
    /// The room is in slow mode; `retryAfter` says when the next one is accepted.
    SlowMode,
    /// The same text from the same user a moment ago.
    Duplicate,
    /// The access token is missing, invalid or expired.
    Unauthorized,
    /// The server does not offer this yet.
    Unavailable,
    /// Something failed on the server; retrying later may help.
    Internal,
    /// A code this build does not know, from a newer server; shown generically.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code, for documentation checks; `every_code_is_listed` keeps it complete.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadFrame,
        ErrorCode::UnknownType,
        ErrorCode::TooLarge,
        ErrorCode::WrongSocket,
        ErrorCode::WrongRoom,
        ErrorCode::BadRequest,
        ErrorCode::Empty,
        ErrorCode::TooLong,
        ErrorCode::TooManyAttachments,
        ErrorCode::UnknownAttachment,
        ErrorCode::BadEmoji,
        ErrorCode::TooManyReactions,
        ErrorCode::NotFound,
        ErrorCode::Forbidden,
        ErrorCode::Muted,
        ErrorCode::Banned,
        ErrorCode::RoomFull,
        ErrorCode::RateLimited,
        ErrorCode::SlowMode,
        ErrorCode::Duplicate,
        ErrorCode::Unauthorized,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::Unknown,
    ];

    /// The position of `self` in [`Self::ALL`]; the match makes a new variant a compile
    /// error here until it is listed.
    pub const fn index(self) -> usize {
        match self {
            ErrorCode::BadFrame => 0,
            ErrorCode::UnknownType => 1,
            ErrorCode::TooLarge => 2,
            ErrorCode::WrongSocket => 3,
            ErrorCode::WrongRoom => 4,
            ErrorCode::BadRequest => 5,
            ErrorCode::Empty => 6,
            ErrorCode::TooLong => 7,
            ErrorCode::TooManyAttachments => 8,
            ErrorCode::UnknownAttachment => 9,
            ErrorCode::BadEmoji => 10,
            ErrorCode::TooManyReactions => 11,
            ErrorCode::NotFound => 12,
            ErrorCode::Forbidden => 13,
            ErrorCode::Muted => 14,
            ErrorCode::Banned => 15,
            ErrorCode::RoomFull => 16,
            ErrorCode::RateLimited => 17,
            ErrorCode::SlowMode => 18,
            ErrorCode::Duplicate => 19,
            ErrorCode::Unauthorized => 20,
            ErrorCode::Unavailable => 21,
            ErrorCode::Internal => 22,
            ErrorCode::Unknown => 23,
        }
    }
}

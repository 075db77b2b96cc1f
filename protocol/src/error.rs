use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`ErrorCode`] and [`ErrorCode::ALL`] from one list, so a new code cannot be
/// left out of the list the documentation checks read.
macro_rules! error_codes {
    ($($(#[$attr:meta])* $code:ident,)*) => {
        /// The stable code of every error edgechat answers: the `code` of an `error` event,
        /// and of an HTTP error body `{"error":{"code":"…","message":"…"}}`. Clients branch
        /// on these; the human `message` beside them may change at any time.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$attr])* $code,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$code,)*];
            /// Every code's variant name, in the same order.
            const NAMES: &'static [&'static str] = &[$(stringify!($code),)*];
        }
    };
}

error_codes! {
    /// The frame is not JSON, not an object with a `type`, binary, or a known event with
    /// missing or mistyped fields.
    BadFrame,
    /// The frame's `type` is not an event this server knows.
    UnknownType,
    /// The frame, or an HTTP body or upload, is larger than the server accepts.
    TooLarge,
    /// The event belongs on the other socket (room events on a room socket, user-level
    /// events on the inbox socket).
    WrongSocket,
    /// The event names a different room than the socket is joined to.
    WrongRoom,
    /// A field has a value the server does not accept (an unknown role, a bad limit), or
    /// an HTTP body is not the JSON its endpoint takes.
    BadRequest,
    /// The message text is empty after cleaning, and there are no attachments.
    Empty,
    /// The message text is longer than the room allows, or a field is longer than it may
    /// be.
    TooLong,
    /// More attachments than one message may carry.
    TooManyAttachments,
    /// An attachment id that was not uploaded to this room.
    UnknownAttachment,
    /// Not an emoji the server accepts as a reaction.
    BadEmoji,
    /// The message already has as many different reactions as it may.
    TooManyReactions,
    /// The room already has as many pinned messages as it keeps.
    TooManyPins,
    /// The room has as many incoming hooks as it may (`MAX_HOOKS`).
    TooManyHooks,
    /// The message, member, room, user, file or endpoint does not exist.
    NotFound,
    /// The actor's role does not allow this, or the target's role is equal or higher.
    Forbidden,
    /// The actor is muted in this room; `retryAfter` says for how long.
    Muted,
    /// The user is banned from this room.
    Banned,
    /// The room is at capacity.
    RoomFull,
    /// Too many messages, or failed sign-ins, too fast; `retryAfter` (or `Retry-After`)
    /// says when the next one is accepted.
    RateLimited,
    /// The room is in slow mode; `retryAfter` says when the next one is accepted.
    SlowMode,
    /// The same text from the same user a moment ago.
    Duplicate,
    /// The access token is missing, invalid or expired.
    Unauthorized,
    /// The server does not offer this yet, or the room is being upgraded in place.
    Unavailable,
    /// Something failed on the server; retrying later may help.
    Internal,
    /// A field has characters or a form it may not have (`field` names it), or a room
    /// name has no letter or digit.
    Invalid,
    /// A field is shorter than it may be (`field` names it).
    TooShort,
    /// A room's initial members name someone who is not an enabled user.
    UnknownUser,
    /// A room's initial members are more than a room starts with.
    TooManyMembers,
    /// A room with that name exists; the HTTP body carries it as `room`.
    RoomExists,
    /// The room name in the path is not a valid room name.
    BadRoom,
    /// Wrong username or password.
    InvalidCredentials,
    /// The account is disabled.
    AccountDisabled,
    /// The refresh token is missing, unknown, expired or revoked.
    InvalidToken,
    /// A rotated refresh token was presented again; its whole family is revoked.
    TokenReused,
    /// A cookie-authenticated request without the `X-Edgechat-Csrf: 1` header.
    CsrfRequired,
    /// The request's `Origin` may not call the API or open sockets.
    ForbiddenOrigin,
    /// A plain request to an endpoint that only takes WebSocket upgrades.
    UpgradeRequired,
    /// The username exists, in any case.
    UsernameTaken,
    /// An upload of a type edgechat does not take, a thumbnail or avatar that is not an
    /// image, or a JSON endpoint's body not sent as `application/json`.
    UnsupportedType,
    /// An upload with `Content-Length: 0`.
    EmptyFile,
    /// An upload without `Content-Length`.
    LengthRequired,
    /// An upload's body is shorter or longer than its `Content-Length`.
    LengthMismatch,
    /// A thumbnail for a file that is already attached or already has one.
    Conflict,
    /// A `Range` that starts at or past the end of the file.
    RangeNotSatisfiable,
    /// The user was added to as many rooms this hour as others may add them to
    /// (`ADDED_TO_ROOMS_PER_HOUR`); `retryAfter` (or `Retry-After`) says when one more may.
    AddedTooOften,
    /// A request whose answer is a frame kind newer than the socket's wire version (a
    /// `list-pins` on an `edgechat.v3` socket): refused before any work; the message names
    /// the version it needs. Reconnect offering that version to use it.
    VersionRequired,
    /// What the request names existed and is no more: an export's download link past its
    /// time (`EXPORT_LINK_TTL_MS`), or an archive deleted after `EXPORT_TTL_MS`. Ask for a
    /// new link, or a new export.
    Gone,
    /// A code this build does not know, from a newer server; shown generically. Never
    /// sent. It stays last.
    Unknown,
}

impl ErrorCode {
    /// The code on the wire: its variant's name in kebab-case (`BadFrame` is
    /// `bad-frame`). Written out here rather than derived: serde's derived decoder of
    /// sixty names was a few KiB of every `.wasm` that reads an error.
    pub fn name(self) -> String {
        let mut name = String::new();
        for (i, c) in Self::NAMES[self.index()].chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                name.push('-');
            }
            name.push(c.to_ascii_lowercase());
        }
        name
    }

    /// The code named `name` on the wire; [`ErrorCode::Unknown`] for a name this build
    /// does not know (a newer server's).
    pub fn named(name: &str) -> ErrorCode {
        Self::ALL
            .iter()
            .copied()
            .find(|code| code.name() == name)
            .unwrap_or(ErrorCode::Unknown)
    }

    /// The position of `self` in [`Self::ALL`], which lists the codes in declaration
    /// order.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The HTTP status of an answer with this code. Codes only a socket carries have one
    /// too, the one an HTTP answer would have, so every code has exactly one.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::BadFrame
            | ErrorCode::UnknownType
            | ErrorCode::WrongSocket
            | ErrorCode::WrongRoom
            | ErrorCode::BadRequest
            | ErrorCode::Empty
            | ErrorCode::TooLong
            | ErrorCode::TooManyAttachments
            | ErrorCode::UnknownAttachment
            | ErrorCode::BadEmoji
            | ErrorCode::Invalid
            | ErrorCode::TooShort
            | ErrorCode::UnknownUser
            | ErrorCode::TooManyMembers
            | ErrorCode::BadRoom
            | ErrorCode::EmptyFile
            | ErrorCode::LengthMismatch => 400,
            ErrorCode::Unauthorized
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidToken
            | ErrorCode::TokenReused => 401,
            ErrorCode::Forbidden
            | ErrorCode::Muted
            | ErrorCode::Banned
            | ErrorCode::RoomFull
            | ErrorCode::AccountDisabled
            | ErrorCode::CsrfRequired
            | ErrorCode::ForbiddenOrigin => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Gone => 410,
            ErrorCode::TooManyReactions
            | ErrorCode::TooManyPins
            | ErrorCode::TooManyHooks
            | ErrorCode::Duplicate
            | ErrorCode::RoomExists
            | ErrorCode::UsernameTaken
            | ErrorCode::Conflict => 409,
            ErrorCode::LengthRequired => 411,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedType => 415,
            ErrorCode::RangeNotSatisfiable => 416,
            ErrorCode::UpgradeRequired | ErrorCode::VersionRequired => 426,
            ErrorCode::RateLimited | ErrorCode::SlowMode | ErrorCode::AddedTooOften => 429,
            ErrorCode::Internal | ErrorCode::Unknown => 500,
            ErrorCode::Unavailable => 503,
        }
    }

    /// Whether an `error` event may carry this code; docs/protocol.md lists these. The
    /// rest are only ever HTTP answers. `create-room` on the inbox socket answers with
    /// the codes of `POST /api/rooms`.
    pub const fn on_sockets(self) -> bool {
        match self {
            ErrorCode::BadFrame
            | ErrorCode::UnknownType
            | ErrorCode::TooLarge
            | ErrorCode::WrongSocket
            | ErrorCode::WrongRoom
            | ErrorCode::BadRequest
            | ErrorCode::Empty
            | ErrorCode::TooLong
            | ErrorCode::TooManyAttachments
            | ErrorCode::UnknownAttachment
            | ErrorCode::BadEmoji
            | ErrorCode::TooManyReactions
            | ErrorCode::TooManyPins
            | ErrorCode::NotFound
            | ErrorCode::Forbidden
            | ErrorCode::Muted
            | ErrorCode::Banned
            | ErrorCode::RoomFull
            | ErrorCode::RateLimited
            | ErrorCode::SlowMode
            | ErrorCode::Duplicate
            | ErrorCode::Unauthorized
            | ErrorCode::Unavailable
            | ErrorCode::Internal
            | ErrorCode::Invalid
            | ErrorCode::TooShort
            | ErrorCode::UnknownUser
            | ErrorCode::TooManyMembers
            | ErrorCode::RoomExists
            | ErrorCode::AddedTooOften
            | ErrorCode::VersionRequired
            | ErrorCode::Unknown => true,
            ErrorCode::BadRoom
            | ErrorCode::InvalidCredentials
            | ErrorCode::AccountDisabled
            | ErrorCode::InvalidToken
            | ErrorCode::TokenReused
            | ErrorCode::CsrfRequired
            | ErrorCode::ForbiddenOrigin
            | ErrorCode::UpgradeRequired
            | ErrorCode::Gone
            | ErrorCode::UsernameTaken
            | ErrorCode::UnsupportedType
            | ErrorCode::EmptyFile
            | ErrorCode::LengthRequired
            | ErrorCode::LengthMismatch
            | ErrorCode::Conflict
            | ErrorCode::RangeNotSatisfiable
            | ErrorCode::TooManyHooks => false,
        }
    }
}

// `Unknown` is what every code this build does not know decodes to; it stays last, after
// every code a server sends.
const _: () = assert!(ErrorCode::Unknown.index() == ErrorCode::ALL.len() - 1);

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(ErrorCode::named(&name))
    }
}

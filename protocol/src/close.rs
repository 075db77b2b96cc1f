//! WebSocket close codes the server uses, beyond the standard ones (1000 normal, 1011
//! server error). Clients reconnect after any close except those marked final.

/// The user left the room (`leave-room`) from another device or this one. Final.
pub const LEFT: u16 = 4000;
/// A moderator removed the user from the room; they may rejoin a public room.
pub const KICKED: u16 = 4001;
/// The user is banned from the room. Final.
pub const BANNED: u16 = 4002;
/// The user may not join this room (private, not invited). Final.
pub const FORBIDDEN: u16 = 4003;
/// The room is at capacity. Retry later.
pub const ROOM_FULL: u16 = 4004;

/// The access token expired and no fresh one came with `authenticate`. Refresh the token,
/// then reconnect with `since`.
pub const TOKEN_EXPIRED: u16 = 4005;

/// The user opened more sockets to the room than allowed; this, the oldest, was closed.
/// Do not reconnect automatically: another tab or device holds the room now.
pub const TOO_MANY_SOCKETS: u16 = 4006;

/// The account was disabled: every socket of it closes at once. Final; sign-in is
/// refused too.
pub const ACCOUNT_DISABLED: u16 = 4007;

/// The user opened the room's socket (or read from it) faster than their read budget
/// allows: the `rate-limited` error before the close says when to try again
/// (`retryAfter`). Retry then.
pub const READ_LIMITED: u16 = 4008;

/// Every close code with its name, for documentation checks.
pub const ALL: &[(u16, &str)] = &[
    (LEFT, "left"),
    (KICKED, "kicked"),
    (BANNED, "banned"),
    (FORBIDDEN, "forbidden"),
    (ROOM_FULL, "room-full"),
    (TOKEN_EXPIRED, "token-expired"),
    (TOO_MANY_SOCKETS, "too-many-sockets"),
    (ACCOUNT_DISABLED, "account-disabled"),
    (READ_LIMITED, "read-limited"),
];

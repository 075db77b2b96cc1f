//! The typed wire events of edgechat: data only, no I/O.
//!
//! `ClientMsg` travels from a client to the server and `ServerMsg` back; both are JSON
//! objects tagged by `type` with kebab-case event names and camelCase fields. See
//! `docs/protocol.md` for every event with an example and the socket that carries it.

mod client;
pub mod close;
mod decode;
mod error;
mod event;
pub mod frame;
mod message;
mod presence;
pub mod push;
mod room;
mod server;
pub mod text;

pub use client::{ClientFrame, ClientMsg};
pub use decode::first_tag;
pub use error::ErrorCode;
pub use event::{EVENT_FIELDS, RoomEvent};
pub use message::{Attachment, Bot, LinkPreview, MESSAGE_FIELDS, Message, PreviewImage, Reaction};
pub use presence::{NotificationKind, Status};
pub use room::{BannedUser, Role, RoomInfo, RoomKind, RoomUser};
pub use server::{ServerMsg, UnknownMsg};

/// The newest wire version this build speaks. Each version adds frame kinds or fields
/// ([`ServerMsg::since_version`]); a socket is sent only the kinds of the version it was
/// answered with, and a frame with a newer field in its older form ([`ServerMsg::older`]).
/// 2: `presence-changed`. 3: `member-page`, and `room-joined` lists one page
/// of the members (`memberCount` says how many there are) and the furthest read marks.
/// 4: `ban-page` and `pin-list`, the answers to `list-bans` and `list-pins`.
/// 5: `members-arrived`, arrivals told together, one frame per presence window; its
/// joiners get `onlineCount` in `room-joined` in place of the whole online set.
/// 6: `batch`, several frames for one socket in one.
/// 7: the `bot` field of a message ([`MESSAGE_FIELDS`]); an older socket is sent a bot's
/// message with "(bot)" after its label, and is no longer sent `batch`.
/// 8: `run-command`, a room's registered command, and `ephemeral`, an answer for the
/// member who ran it alone.
/// 9: `message-deleted`'s `by`, the moderator who deleted another's message
/// ([`EVENT_FIELDS`]); an older socket is sent the event without it.
pub const PROTOCOL_VERSION: u32 = 9;

/// The exact frame a client sends to keep its socket alive; answered with [`PONG_FRAME`]
/// by the runtime without waking a hibernating room.
pub const PING_FRAME: &str = r#"{"type":"ping"}"#;
/// The exact answer to [`PING_FRAME`].
pub const PONG_FRAME: &str = r#"{"type":"pong"}"#;

/// A message id, a room id, a user id, a file id: strings on the wire.
pub type Id = String;
/// Milliseconds since the Unix epoch.
pub type Millis = u64;
/// A room's durable event sequence number, strictly increasing from 1 with no gaps.
pub type Seq = u64;

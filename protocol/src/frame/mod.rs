//! The payload of each server frame of its own ([`crate::ServerMsg`]'s variants other than
//! the durable events): one struct per frame, its fields and their wire defaults written
//! once, here. The frame table in `server.rs` names each with its `type` and the wire
//! version that brought it; the enum, its wire names, the version filter and the
//! type-first decoder all follow from that table.

mod inbox;
mod presence;
mod room;
mod socket;

pub use inbox::Notification;
pub use presence::{MembersArrived, OnlineUsers, PresenceChanged, TypingIndicator, UserStatus};
pub use room::{
    BanPage, Ephemeral, HistoryPage, MemberPage, MessageAck, PinList, ReadReceipt, RoomCreated,
    RoomJoined,
};
pub use socket::{Authenticated, Connected, Error, Pong, Resync};

/// Several frames for one socket in one, to be read in order as if each had come alone
/// (wire version 6). Never nested.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub frames: Vec<crate::ServerMsg>,
}

//! edgechat's rules, as plain Rust that `cargo test` runs natively.
//!
//! Nothing here touches the network, the clock or the JS runtime: the Worker decodes what
//! arrives, hands it to these types with the current time, and carries out the
//! [`room::Effect`]s they return. A room reads and writes its own SQLite through the
//! [`store::Sql`] trait, which the Durable Object implements on its storage and native
//! tests on `rusqlite` (feature `sqlite`): both run the same statements.

pub mod archive;
pub mod audit;
pub mod backoff;
pub mod body;
pub mod decode;
pub mod emoji;
pub mod export;
pub mod files;
pub mod ids;
pub mod inbox;
pub mod limits;
pub mod mentions;
pub mod origin;
pub mod outbound;
pub mod preview;
pub mod push;
pub mod rate;
pub mod room;
pub mod scan;
pub mod search;
pub mod shards;
pub mod slack;
pub mod sockets;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;

pub use limits::Limits;
pub use room::{
    Batch, Command, ConnId, Effect, Identity, Invitee, Refusal, Room, Schedule, Upload,
    UploadRefused,
};

//! edgechat's rules, as plain Rust that `cargo test` runs natively.
//!
//! Nothing here touches the network, storage, the clock or the JS runtime: the Worker
//! decodes what arrives, hands it to these types with the current time, and carries out
//! the [`room::Effect`]s they return.

pub mod archive;
pub mod decode;
pub mod emoji;
pub mod files;
pub mod ids;
pub mod inbox;
pub mod limits;
pub mod mentions;
pub mod origin;
pub mod rate;
pub mod room;
pub mod search;
pub mod text;

pub use limits::Limits;
pub use room::{Command, ConnId, Effect, Identity, Room, Snapshot, Upload, UploadRefused};

//! The client's hooks: each wraps one piece of plain-Rust logic in signals and browser
//! APIs, so components stay small.
//!
//! - [`use_websocket`]: a socket that reconnects with backoff, resumes, and keeps its
//!   token fresh (the room's and the inbox's);
//! - [`use_chat`]: one room's state, connection, outbox and actions;
//! - [`use_presence`]: the user's own online/away status;
//! - [`use_typing_indicator`]: debounced `typing-start`/`typing-stop` from the draft.

mod chat;
mod presence;
mod typing;
mod websocket;

pub use chat::{Chat, use_chat};
pub use presence::{Presence, use_presence};
pub use typing::use_typing_indicator;
pub use websocket::use_websocket;

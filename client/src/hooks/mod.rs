//! The client's hooks: each wraps one piece of plain-Rust logic in signals and browser
//! APIs, so components stay small.
//!
//! - [`use_link`]: a socket that reconnects with backoff, resumes, and keeps its
//!   token fresh (the room's and the inbox's);
//! - [`use_chat`]: one room's state, connection, outbox and actions;
//! - [`use_presence`]: the user's own online/away status;
//! - [`use_typing_indicator`]: debounced `typing-start`/`typing-stop` from the draft;
//! - [`use_virtual_window`]: which rows of a long list go in the page;
//! - [`use_uploads`]: files uploading with the next message, each with its progress.

mod chat;
mod link;
mod presence;
mod typing;
mod uploads;
mod virtual_window;

pub use chat::{Chat, use_chat};
pub use link::use_link;
pub use presence::{Presence, use_presence};
pub use typing::use_typing_indicator;
pub use uploads::{Uploads, use_uploads};
pub use virtual_window::{VirtualWindow, use_virtual_window};

//! The end-to-end harness: the real Worker under `wrangler dev` (workerd with local D1, R2
//! and Durable Objects), real WebSocket clients, and real headless Chromium.
//!
//! Build the Worker and the client first (`cargo xtask build`, which `cargo xtask test`
//! runs); the harness serves what is built.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a harness fails by panicking

pub mod account;
pub mod browser;
pub mod d1;
pub mod exports;
pub mod files;
pub mod push;
mod secrets;
pub mod server;
pub mod socket;
pub mod storage;
pub mod tokens;
pub mod wait;
pub mod web;

use std::path::PathBuf;

/// The repository root, where `wrangler.toml` lives.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A port nobody is listening on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Sends `signal` to every process in the group `pgid`.
#[allow(unsafe_code)]
pub(crate) fn signal_group(pgid: i32, signal: i32) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

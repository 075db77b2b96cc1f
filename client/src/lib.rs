//! The edgechat web client. State is a plain-Rust reducer ([`state::ChatState`]) that
//! native tests cover; everything that touches the browser is compiled for wasm32 only.

pub mod commands;
pub mod directory;
pub mod failure;
pub mod highlight;
pub mod markdown;
pub mod mention;
pub mod presence;
pub mod reconnect;
pub mod route;
pub mod search;
pub mod session;
pub mod state;
pub mod typing;
pub mod uploads;
pub mod window;

#[cfg(target_arch = "wasm32")]
mod alerts;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod attention;
#[cfg(target_arch = "wasm32")]
mod clock;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod connection;
#[cfg(target_arch = "wasm32")]
mod courier;
#[cfg(target_arch = "wasm32")]
mod focus;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod inbox;
#[cfg(target_arch = "wasm32")]
mod outage;
#[cfg(target_arch = "wasm32")]
mod prefs;
#[cfg(target_arch = "wasm32")]
mod push;
#[cfg(target_arch = "wasm32")]
mod shortcuts;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
mod stored;
#[cfg(target_arch = "wasm32")]
mod transfer;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    dioxus::launch(app::App);
}

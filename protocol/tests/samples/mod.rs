//! One value of every wire event with its exact JSON.

mod client;
mod presence;
mod server;

pub use client::client_samples;
pub use server::server_samples;

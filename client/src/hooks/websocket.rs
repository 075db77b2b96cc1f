use dioxus::prelude::*;

use crate::{
    app::Auth,
    connection::{Channel, Link},
};

/// Opens `channel` once for the component's life, and hands every refreshed access token
/// to the live socket (`authenticate`) and to the next reconnect. Connection state
/// (connecting, connected, disconnected, closed) reaches the channel, which keeps it
/// where its components read it.
pub fn use_websocket<C: Channel>(auth: Signal<Auth>, channel: impl FnOnce() -> C) -> Link {
    let token = || {
        auth.peek()
            .session()
            .map(|s| s.access_token.clone())
            .unwrap_or_default()
    };
    let link = use_hook(|| Link::start(channel(), &token()));
    let mut last_token = use_signal(token);
    let live = link.clone();
    use_effect(move || {
        let Some(token) = auth().session().map(|s| s.access_token.clone()) else {
            return;
        };
        if token != *last_token.peek() {
            last_token.set(token.clone());
            live.set_token(&token);
        }
    });
    link
}

use dioxus::prelude::*;
use edgechat_protocol::{ClientFrame, ServerMsg};

use crate::{
    connection::{Endpoint, Link},
    session::Auth,
    state::Connection,
};

/// An endpoint whose connection state a signal also keeps.
struct Watched<E> {
    endpoint: E,
    state: Signal<Connection>,
}

impl<E: Endpoint> Endpoint for Watched<E> {
    fn path(&self) -> String {
        self.endpoint.path()
    }

    fn frame(&mut self, msg: ServerMsg) {
        self.endpoint.frame(msg);
    }

    fn resend(&self) -> Vec<ClientFrame> {
        self.endpoint.resend()
    }

    fn connection(&mut self, connection: Connection) {
        self.state.set(connection);
        self.endpoint.connection(connection);
    }

    fn probe(&self) -> Option<String> {
        self.endpoint.probe()
    }
}

/// Opens a [`Link`] to `endpoint` once for the component's life, and hands every
/// refreshed access token to the live socket (`authenticate`) and to the next reconnect.
/// Returns the link and its state (connecting, connected, disconnected, or closed for a
/// reason: missing, forbidden, a close code), which the endpoint hears too.
pub fn use_link<E: Endpoint>(
    auth: Signal<Auth>,
    endpoint: impl FnOnce() -> E,
) -> (Link, Signal<Connection>) {
    let token = || {
        auth.peek()
            .session()
            .map(|s| s.access_token.clone())
            .unwrap_or_default()
    };
    let state = use_signal(Connection::default);
    let link = use_hook(|| {
        let endpoint = Watched {
            endpoint: endpoint(),
            state,
        };
        Link::start(endpoint, &token())
    });
    let mut last_token = use_signal(token);
    let live = link.clone();
    use_effect(move || {
        let Some(token) = auth().token() else {
            return;
        };
        if token != *last_token.peek() {
            last_token.set(token.clone());
            live.set_token(&token);
        }
    });
    (link, state)
}

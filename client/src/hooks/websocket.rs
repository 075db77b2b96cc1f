use dioxus::prelude::*;
use edgechat_protocol::{ClientFrame, ServerMsg};

use crate::{
    connection::{Channel, Link},
    session::Auth,
    state::Connection,
};

/// A socket as a component holds it: the link to send on, its state (connecting,
/// connected, disconnected, or closed for a reason: missing, forbidden, a close code),
/// and a way to close it for good.
#[derive(Clone, PartialEq)]
pub struct WebSocket {
    pub link: Link,
    pub state: Signal<Connection>,
}

impl WebSocket {
    /// Closes it for good: no reconnect follows.
    pub fn disconnect(&self) {
        self.link.disconnect();
    }
}

/// A channel whose connection state a signal also keeps.
struct Watched<C> {
    channel: C,
    state: Signal<Connection>,
}

impl<C: Channel> Channel for Watched<C> {
    fn path(&self) -> String {
        self.channel.path()
    }

    fn frame(&mut self, msg: ServerMsg) {
        self.channel.frame(msg);
    }

    fn resend(&self) -> Vec<ClientFrame> {
        self.channel.resend()
    }

    fn connection(&mut self, connection: Connection) {
        self.state.set(connection);
        self.channel.connection(connection);
    }

    fn probe(&self) -> Option<String> {
        self.channel.probe()
    }
}

/// Opens `channel` once for the component's life, and hands every refreshed access token
/// to the live socket (`authenticate`) and to the next reconnect. Connection state
/// reaches the channel and the returned [`WebSocket`]'s signal.
pub fn use_websocket<C: Channel>(auth: Signal<Auth>, channel: impl FnOnce() -> C) -> WebSocket {
    let token = || {
        auth.peek()
            .session()
            .map(|s| s.access_token.clone())
            .unwrap_or_default()
    };
    let state = use_signal(Connection::default);
    let link = use_hook(|| {
        let channel = Watched {
            channel: channel(),
            state,
        };
        Link::start(channel, &token())
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
    WebSocket { link, state }
}

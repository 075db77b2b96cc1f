use std::rc::Rc;

use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use super::{message_input::MessageInput, message_list::MessageList};
use crate::{
    app::Auth,
    socket::{RoomSocket, SocketHandle},
    state::{ChatState, Connection},
};

/// One open room: its socket, its messages and the box to write in. A refreshed access
/// token is handed to the live socket with `authenticate`, so it is not closed when the
/// old token expires.
#[component]
pub fn ChatRoom(room: String, auth: Signal<Auth>) -> Element {
    let state = use_signal(|| ChatState::new(room.clone()));
    let opened_with = auth
        .peek()
        .session()
        .map(|s| s.access_token.clone())
        .unwrap_or_default();
    let mut last_token = use_signal(|| opened_with.clone());
    let socket = use_hook(|| {
        RoomSocket::open(&room, &opened_with, state)
            .map(|socket| SocketHandle(Rc::new(socket)))
            .map_err(|err| web_sys::console::error_1(&format!("cannot open socket: {err}").into()))
            .ok()
    });
    let live = socket.clone();
    use_effect(move || {
        let Some(token) = auth().session().map(|s| s.access_token.clone()) else {
            return;
        };
        if token == *last_token.peek() {
            return;
        }
        last_token.set(token.clone());
        if let Some(socket) = &live {
            let _ = socket.0.send(&ClientMsg::Authenticate { token });
        }
    });

    let banner = match state.read().connection {
        Connection::Connecting => Some("Connecting…"),
        Connection::Connected => None,
        Connection::Disconnected => Some("Disconnected. Reload the page to reconnect."),
    };
    rsx! {
        section { class: "room", aria_label: "Room {room}",
            header { class: "room-header",
                h2 { "#{room}" }
            }
            if let Some(text) = banner {
                p { class: "banner", role: "status", "{text}" }
            }
            MessageList { state }
            if let Some(error) = state.read().last_error.clone() {
                p { class: "error", role: "alert", "{error}" }
            }
            MessageInput { room: room.clone(), state, socket: socket.clone(), auth }
        }
    }
}

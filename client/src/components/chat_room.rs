use std::rc::Rc;

use dioxus::prelude::*;

use super::{message_input::MessageInput, message_list::MessageList};
use crate::{
    socket::{RoomSocket, SocketHandle},
    state::{ChatState, Connection},
};

/// One open room: its socket, its messages and the box to write in.
#[component]
pub fn ChatRoom(name: String, room: String) -> Element {
    let state = use_signal(|| ChatState::new(room.clone()));
    let socket = use_hook(|| {
        RoomSocket::open(&room, &name, state)
            .map(|socket| SocketHandle(Rc::new(socket)))
            .map_err(|err| web_sys::console::error_1(&format!("cannot open socket: {err}").into()))
            .ok()
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
                span { class: "me", "{name}" }
            }
            if let Some(text) = banner {
                p { class: "banner", role: "status", "{text}" }
            }
            MessageList { state }
            if let Some(error) = state.read().last_error.clone() {
                p { class: "error", role: "alert", "{error}" }
            }
            MessageInput { room: room.clone(), state, socket: socket.clone() }
        }
    }
}

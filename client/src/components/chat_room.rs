use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use super::{
    invite::InviteForm, message_input::MessageInput, message_list::MessageList,
    search_panel::SearchPanel, typing_indicator::TypingIndicator, user_list::UserList,
};
use crate::{
    app::Auth,
    connection::{RoomChannel, RoomLink},
    directory::Directory,
    state::{ChatState, Connection, Pending},
};

/// One open room: its connection, its messages and the box to write in. A refreshed
/// access token is handed to the live socket with `authenticate`, and used for the next
/// reconnect. The outbox is kept in browser storage per user and room.
#[component]
pub fn ChatRoom(
    room: String,
    auth: Signal<Auth>,
    directory: Signal<Directory>,
    jump_to: Signal<Option<(String, u64)>>,
    open_room: Signal<Option<String>>,
) -> Element {
    let session = auth.peek().session().cloned();
    let (user_id, opened_with) = session
        .map(|s| (s.user.id, s.access_token))
        .unwrap_or_default();
    let outbox_key = format!("edgechat.outbox.{user_id}.{room}");
    let key = outbox_key.clone();
    let state = use_signal(|| {
        let mut state = ChatState::for_user(room.clone(), user_id.clone());
        state.restore_outbox(load_outbox(&key));
        state
    });
    let mut last_token = use_signal(|| opened_with.clone());
    let replying = use_signal(|| None::<String>);
    let editing = use_signal(|| None::<String>);
    let mut inviting = use_signal(|| false);
    let mut members = use_signal(|| false);
    let mut searching = use_signal(|| false);
    let link = use_hook(|| {
        RoomLink::start(
            RoomChannel {
                room: room.clone(),
                state,
            },
            &opened_with,
        )
    });
    let live = link.clone();
    use_effect(move || {
        let Some(token) = auth().session().map(|s| s.access_token.clone()) else {
            return;
        };
        if token == *last_token.peek() {
            return;
        }
        last_token.set(token.clone());
        live.set_token(&token);
    });
    // What the user sees is read: tell the room (read receipts, unread counts) and the list.
    let mut marked = use_signal(|| 0u64);
    let reader = link.clone();
    let read_room = room.clone();
    use_effect(move || {
        let Some(seq) = state.read().messages.last().map(|m| m.seq) else {
            return;
        };
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if seq > *marked.peek() && !hidden && reader.send(&ClientMsg::MarkRead { seq }).is_ok() {
            marked.set(seq);
            directory.write().read(&read_room, seq);
        }
    });
    // Whatever the outbox holds after any change is what a reload must find.
    use_effect(move || save_outbox(&outbox_key, &state.read().pending));

    let banner = match state.read().connection {
        Connection::Connecting => Some("Connecting…"),
        Connection::Connected => None,
        Connection::Disconnected => {
            Some("Connection lost. Reconnecting… Messages you send now go out when it is back.")
        }
        Connection::Closed => Some("This room closed the connection. Reload the page to rejoin."),
    };
    rsx! {
        section { class: "room", aria_label: "Room {room}",
            header { class: "room-header",
                h2 { "#{room}" }
                button { id: "members", r#type: "button", class: "link members", aria_expanded: "{members}",
                    onclick: move |_| members.toggle(), "{state.read().users.len()} members" }
                button { id: "search", r#type: "button", class: "link", aria_expanded: "{searching}",
                    onclick: move |_| searching.toggle(), "Search" }
                button { id: "invite", r#type: "button", class: "link", aria_expanded: "{inviting}",
                    onclick: move |_| inviting.toggle(), "Invite" }
            }
            if searching() {
                SearchPanel { room: room.clone(), auth, jump_to, open_room }
            }
            if inviting() {
                InviteForm { auth, link: link.clone(), open: inviting }
            }
            if let Some(text) = banner {
                p { class: "banner", role: "status", "{text}" }
            }
            div { class: "room-body",
                MessageList { state, link: link.clone(), replying, editing, jump_to }
                if members() {
                    UserList { state, link: link.clone() }
                }
            }
            TypingIndicator { state }
            if let Some(error) = state.read().last_error.clone() {
                p { class: "error", role: "alert", "{error}" }
            }
            MessageInput { room: room.clone(), state, link: link.clone(), auth, replying, editing }
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load_outbox(key: &str) -> Vec<Pending> {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn save_outbox(key: &str, outbox: &[Pending]) {
    let Some(storage) = storage() else {
        return;
    };
    let _ = if outbox.is_empty() {
        storage.remove_item(key)
    } else {
        match serde_json::to_string(outbox) {
            Ok(json) => storage.set_item(key, &json),
            Err(_) => Ok(()),
        }
    };
}

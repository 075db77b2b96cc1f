use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use super::use_link;
use crate::{
    attention::Attention,
    connection::{Link, RoomEndpoint},
    directory::Directory,
    session::Auth,
    socket::new_client_msg_id,
    state::{ChatState, Pending},
    stored,
};

/// One room as a component uses it: its state (messages, users, typing, unread), its
/// connection, and the actions on it. The outbox is kept in browser storage per user
/// and room, and what the user sees is marked read.
#[derive(Clone, PartialEq)]
pub struct Chat {
    pub room: String,
    pub state: Signal<ChatState>,
    pub link: Link,
}

impl Chat {
    /// Sends a message, through the outbox: if the socket is down, or drops before the
    /// ack, it goes again with the same client id.
    pub fn send_message(&self, text: String, attachments: Vec<String>, reply_to: Option<String>) {
        let pending = Pending {
            client_msg_id: new_client_msg_id(),
            text,
            attachments,
            reply_to,
        };
        let frame = pending.to_frame(&self.room);
        let mut state = self.state;
        state.write().sent(pending);
        let _ = self.link.send_frame(&frame);
    }

    pub fn edit_message(&self, message_id: String, new_text: String) {
        self.act(ClientMsg::EditMessage {
            message_id,
            new_text,
        });
    }

    pub fn delete_message(&self, message_id: String) {
        self.act(ClientMsg::DeleteMessage { message_id });
    }

    /// Leaves the room for good (it leaves the room list too).
    pub fn leave_room(&self) {
        self.act(ClientMsg::LeaveRoom {
            room_id: self.room.clone(),
        });
    }

    /// Sends `msg` now if connected; the server's answer comes back as an event. Offline,
    /// the user is told it did not go (only messages wait in the outbox).
    pub fn act(&self, msg: ClientMsg) {
        if self.link.send(&msg).is_err() {
            let mut state = self.state;
            state
                .write()
                .report("Not connected: that did not go through. Try again once it is back.");
        }
    }
}

/// Opens (joins) `room`: its socket, its state with the stored outbox, read marks as the
/// user sees messages. Dropping the component closes it.
pub fn use_chat(room: &str, auth: Signal<Auth>, mut directory: Signal<Directory>) -> Chat {
    let user_id = auth
        .peek()
        .session()
        .map(|s| s.user.id.clone())
        .unwrap_or_default();
    let state = use_signal(|| {
        let mut state = ChatState::for_user(room.to_owned(), user_id.clone());
        state.restore_outbox(stored::outbox(&user_id, room));
        state
    });
    let attention = use_context::<Attention>();
    let handle = auth
        .peek()
        .session()
        .map(|s| s.user.username.clone())
        .unwrap_or_default();
    let (link, _) = use_link(auth, || RoomEndpoint {
        room: room.to_owned(),
        state,
        directory,
        attention,
        handle,
    });
    // What the user sees is read: tell the room (read receipts, unread counts) and the
    // list. Nothing is seen while the user looks elsewhere; their return reads it.
    let mut marked = use_signal(|| 0u64);
    let reader = link.clone();
    let read_room = room.to_owned();
    use_effect(move || {
        let looking = (attention.0)();
        let Some(seq) = state.read().messages.last().map(|m| m.seq) else {
            return;
        };
        if seq > *marked.peek() && looking && reader.send(&ClientMsg::MarkRead { seq }).is_ok() {
            marked.set(seq);
            directory.write().read(&read_room, seq);
        }
    });
    // Whatever the outbox holds after any change is what a reload must find, merged with
    // what other tabs on this room stored.
    let pending = use_memo(move || state.read().pending.clone());
    let saved_room = room.to_owned();
    use_effect(move || {
        let _ = pending.read();
        let me = state.peek().me.clone();
        let merged = state.peek().merged_outbox(stored::outbox(&me, &saved_room));
        stored::save_outbox(&me, &saved_room, &merged);
    });
    Chat {
        room: room.to_owned(),
        state,
        link,
    }
}

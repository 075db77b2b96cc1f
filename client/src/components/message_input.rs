use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use crate::{
    socket::{SocketHandle, new_client_msg_id},
    state::ChatState,
};

/// The box to write in: Enter or the button sends.
#[component]
pub fn MessageInput(
    room: String,
    state: Signal<ChatState>,
    socket: Option<SocketHandle>,
) -> Element {
    let mut draft = use_signal(String::new);
    let send = move |event: FormEvent| {
        event.prevent_default();
        let text = draft().trim().to_owned();
        let Some(socket) = socket.as_ref() else {
            return;
        };
        if text.is_empty() {
            return;
        }
        let client_msg_id = new_client_msg_id();
        let msg = ClientMsg::SendMessage {
            room_id: room.clone(),
            text: text.clone(),
            attachments: Vec::new(),
            reply_to: None,
            client_msg_id: client_msg_id.clone(),
        };
        match socket.0.send(&msg) {
            Ok(()) => {
                state.write().sent(client_msg_id, text);
                draft.set(String::new());
            }
            Err(err) => state.write().last_error = Some(format!("Not sent: {err}")),
        }
    };
    rsx! {
        form { class: "composer", onsubmit: send,
            label { class: "visually-hidden", r#for: "message-input", "Message" }
            input { id: "message-input", placeholder: "Message", autocomplete: "off", value: "{draft}",
                oninput: move |e| draft.set(e.value()) }
            button { id: "send", r#type: "submit", "Send" }
        }
    }
}

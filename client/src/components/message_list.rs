use dioxus::prelude::*;

use super::message::MessageRow;
use crate::{connection::RoomLink, state::ChatState};

/// The room's messages, oldest first, then the user's own still-pending ones. User text
/// is only ever rendered as text.
#[component]
pub fn MessageList(
    state: Signal<ChatState>,
    link: RoomLink,
    replying: Signal<Option<String>>,
    editing: Signal<Option<String>>,
) -> Element {
    let (messages, pending) = {
        let state = state.read();
        (state.messages.clone(), state.pending.clone())
    };
    rsx! {
        ol { class: "messages", aria_live: "polite",
            for message in messages {
                MessageRow { key: "{message.message_id}", message, state, link: link.clone(), replying, editing }
            }
            for pending in pending {
                li { key: "{pending.client_msg_id}", class: "message pending",
                    span { class: "author", "…" }
                    span { class: "text", "{pending.text}" }
                }
            }
        }
    }
}

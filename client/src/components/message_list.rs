use dioxus::prelude::*;

use crate::state::ChatState;

/// The room's messages, oldest first, then the user's own still-pending ones. User text
/// is only ever rendered as text.
#[component]
pub fn MessageList(state: Signal<ChatState>) -> Element {
    let state = state.read();
    rsx! {
        ol { class: "messages", aria_live: "polite",
            for message in state.messages.iter() {
                li { key: "{message.message_id}", class: "message", "data-seq": "{message.seq}",
                    span { class: "author", "{message.username}" }
                    if message.deleted {
                        span { class: "text deleted", "message deleted" }
                    } else {
                        span { class: "text", "{message.text}" }
                    }
                    if message.edited_at.is_some() && !message.deleted {
                        span { class: "edited", "(edited)" }
                    }
                }
            }
            for pending in state.pending.iter() {
                li { key: "{pending.client_msg_id}", class: "message pending",
                    span { class: "author", "…" }
                    span { class: "text", "{pending.text}" }
                }
            }
        }
    }
}

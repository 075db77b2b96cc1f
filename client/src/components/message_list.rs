use dioxus::prelude::*;

use super::{attachment::AttachmentView, avatar::Avatar};
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
                    Avatar { user_id: message.user_id.clone(), name: message.username.clone() }
                    div { class: "body",
                        span { class: "author", "{message.username}" }
                        if message.deleted {
                            span { class: "text deleted", "message deleted" }
                        } else {
                            span { class: "text", "{message.text}" }
                        }
                        if message.edited_at.is_some() && !message.deleted {
                            span { class: "edited", "(edited)" }
                        }
                        if !message.attachments.is_empty() {
                            div { class: "attachments",
                                for attachment in message.attachments.iter() {
                                    AttachmentView { key: "{attachment.file_id}", attachment: attachment.clone() }
                                }
                            }
                        }
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

use dioxus::prelude::*;
use edgechat_protocol::{ClientMsg, Role};

use crate::{hooks::Chat, markdown::plain};

/// The room's pinned messages, opened from its header: each entry jumps to its message
/// as a search hit does; moderators unpin here.
#[component]
pub fn PinsPanel(chat: Chat, jump_to: Signal<Option<(String, u64)>>) -> Element {
    let state = chat.state;
    let moderator = state.read().your_role >= Role::Moderator;
    // Asked once per opening; kept current by the room's events after that.
    let asker = chat.clone();
    use_hook(move || asker.act(ClientMsg::ListPins {}));
    let pins = state.read().settings.pins.clone();
    rsx! {
        section { id: "pins-panel", class: "search-panel", aria_label: "Pinned messages",
            h3 { class: "section-heading", "Pinned messages" }
            match pins {
                None => rsx! { p { class: "notice", "Loading…" } },
                Some(pins) if pins.is_empty() => rsx! { p { class: "notice", "Nothing is pinned yet." } },
                Some(pins) => rsx! {
                    ul { class: "search-hits pins",
                        for pin in pins {
                            li { key: "{pin.message_id}",
                                button { r#type: "button", class: "search-hit pin",
                                    onclick: {
                                        let (id, seq) = (pin.message_id.clone(), pin.seq);
                                        move |_| jump_to.set(Some((id.clone(), seq)))
                                    },
                                    span { class: "pin-author", "{pin.username}" }
                                    span { class: "pin-text", "{plain(&pin.text)}" }
                                }
                                if moderator {
                                    button { r#type: "button", class: "link unpin",
                                        onclick: {
                                            let (chat, id) = (chat.clone(), pin.message_id.clone());
                                            move |_| chat.act(ClientMsg::UnpinMessage { message_id: id.clone() })
                                        },
                                        "Unpin" }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

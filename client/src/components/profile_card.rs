use dioxus::prelude::*;
use edgechat_protocol::{Id, RoomUser};

use super::avatar::Avatar;
use crate::{api, presence::describe, session::Auth, state::ChatState};

/// Which member's card is open in the room, if any: a name or an avatar opens it.
#[derive(Clone, Copy, PartialEq)]
pub struct ProfileOpen(pub Signal<Option<Id>>);

impl ProfileOpen {
    pub fn show(mut self, user_id: &str) {
        self.0.set(Some(user_id.to_owned()));
    }
}

/// What the card shows of someone.
#[derive(Debug, Clone, PartialEq)]
struct Card {
    name: String,
    handle: String,
    presence: String,
    status_text: Option<String>,
}

impl Card {
    fn of(user: &RoomUser, now: u64) -> Self {
        Card {
            name: user.username.clone(),
            handle: user.handle.clone(),
            presence: describe(user.online, user.status, user.last_seen, now),
            status_text: user.status_text.clone(),
        }
    }

    fn from_profile(profile: api::Profile, now: u64) -> Self {
        Card {
            name: profile.display_name,
            handle: profile.username,
            presence: describe(false, profile.status, profile.last_seen_at, now),
            status_text: Some(profile.status_text).filter(|t| !t.is_empty()),
        }
    }
}

/// A member's card: their names, presence and status text, and a way to message them.
/// A member the room has not listed yet (a big room's later pages) is looked up by id.
#[component]
pub fn ProfileCard(
    user_id: Id,
    state: Signal<ChatState>,
    auth: Signal<Auth>,
    open_room: Signal<Option<String>>,
) -> Element {
    let ProfileOpen(mut shown) = use_context::<ProfileOpen>();
    let now = js_sys::Date::now() as u64;
    let listed = state.read().users.get(&user_id).map(|u| Card::of(u, now));
    let mut fetched = use_signal(|| None::<Result<Card, String>>);
    // The card takes the focus, so Esc and Tab start from it, and gives it back.
    crate::focus::use_dialog_focus("profile-close");
    let lookup = user_id.clone();
    use_hook(move || {
        if listed.is_some() {
            return;
        }
        let Some(token) = auth.peek().token() else {
            return;
        };
        spawn(async move {
            let card = api::profile(&token, &lookup)
                .await
                .map(|p| Card::from_profile(p, js_sys::Date::now() as u64));
            fetched.set(Some(card));
        });
    });
    let card = state
        .read()
        .users
        .get(&user_id)
        .map(|u| Ok(Card::of(u, now)))
        .or_else(|| fetched.read().clone());
    let me = state.read().me.clone();
    let target = user_id.clone();
    let message = move |_| {
        let Some(token) = auth.peek().token() else {
            return;
        };
        let target = target.clone();
        spawn(async move {
            match api::direct_room(&token, &target).await {
                Ok(room_id) => {
                    shown.set(None);
                    open_room.set(Some(room_id));
                }
                Err(message) => state.write().report(message),
            }
        });
    };
    rsx! {
        div { id: "profile-card", class: "profile-card", role: "dialog", aria_label: "Profile",
            onkeydown: move |e: KeyboardEvent| if e.key() == Key::Escape {
                shown.set(None)
            } else {
                crate::focus::keep_tab_within("profile-card", &e)
            },
            match card {
                None => rsx! { p { "Loading…" } },
                Some(Err(error)) => rsx! { p { class: "error", role: "alert", "{error}" } },
                Some(Ok(card)) => rsx! {
                    div { class: "profile-head",
                        Avatar { user_id: user_id.clone(), name: card.name.clone() }
                        div {
                            h3 { class: "profile-name", "{card.name}" }
                            if !card.handle.is_empty() {
                                p { class: "profile-handle", "@{card.handle}" }
                            }
                        }
                    }
                    p { class: "profile-presence", "{card.presence}" }
                    if let Some(text) = card.status_text {
                        p { class: "profile-status", "{text}" }
                    }
                    if user_id != me {
                        button { r#type: "button", class: "profile-message", onclick: message,
                            "Message {card.name}" }
                    }
                },
            }
            button { id: "profile-close", r#type: "button", class: "link profile-close", aria_label: "Close the profile",
                onclick: move |_| shown.set(None), "Close" }
        }
    }
}

use dioxus::prelude::*;
use edgechat_core::ids;

use crate::{api, app::Auth};

/// Opens a room by name, or creates it; the name may come from `?room=` in the URL.
#[component]
pub fn JoinForm(room: Signal<Option<String>>, auth: Signal<Auth>) -> Element {
    let mut chosen = use_signal(|| room_from_url().unwrap_or_else(|| "lobby".to_owned()));
    let mut error = use_signal(|| None::<String>);

    let join = move |event: FormEvent| {
        event.prevent_default();
        match ids::room_slug(&chosen()) {
            Some(id) => room.set(Some(id)),
            None => error.set(Some("A room name needs a letter or digit.".into())),
        }
    };
    let create = move |_| {
        let Some(token) = auth.peek().session().map(|s| s.access_token.clone()) else {
            return;
        };
        spawn(async move {
            match api::create_room(&token, chosen().trim()).await {
                Ok(id) => room.set(Some(id)),
                Err(message) => error.set(Some(message)),
            }
        });
    };

    rsx! {
        form { class: "join", onsubmit: join,
            label { r#for: "room", "Room" }
            input { id: "room", maxlength: 64, value: "{chosen}", oninput: move |e| chosen.set(e.value()) }
            if let Some(message) = error() {
                p { class: "error", role: "alert", "{message}" }
            }
            button { id: "join", r#type: "submit", "Join" }
            button { id: "create-room", r#type: "button", class: "link", onclick: create, "Create this room" }
        }
    }
}

fn room_from_url() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("room")
}

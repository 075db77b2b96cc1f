use dioxus::prelude::*;

use edgechat_core::ids;

use crate::app::Session;

/// Asks for a display name and a room; the room may come from `?room=` in the URL.
#[component]
pub fn JoinForm(session: Signal<Option<Session>>) -> Element {
    let mut name = use_signal(String::new);
    let mut room = use_signal(|| room_from_url().unwrap_or_else(|| "lobby".to_owned()));
    let mut error = use_signal(|| None::<&'static str>);

    let join = move |event: FormEvent| {
        event.prevent_default();
        let chosen = room().trim().to_lowercase();
        match ids::clean_display_name(&name()) {
            None => error.set(Some("Choose a display name.")),
            Some(_) if !ids::is_valid_room_name(&chosen) => {
                error.set(Some("Room names use letters, digits, '-' and '_'."));
            }
            Some(name) => session.set(Some(Session { name, room: chosen })),
        }
    };

    rsx! {
        form { class: "join", onsubmit: join,
            h1 { "edgechat" }
            label { r#for: "name", "Display name" }
            input { id: "name", autocomplete: "nickname", maxlength: 32, value: "{name}",
                oninput: move |e| name.set(e.value()) }
            label { r#for: "room", "Room" }
            input { id: "room", maxlength: 64, value: "{room}", oninput: move |e| room.set(e.value()) }
            if let Some(message) = error() {
                p { class: "error", role: "alert", "{message}" }
            }
            button { id: "join", r#type: "submit", "Join" }
        }
    }
}

fn room_from_url() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("room")
}

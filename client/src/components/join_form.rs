use dioxus::prelude::*;
use edgechat_core::ids;

/// Picks a room; it may come from `?room=` in the URL.
#[component]
pub fn JoinForm(room: Signal<Option<String>>) -> Element {
    let mut chosen = use_signal(|| room_from_url().unwrap_or_else(|| "lobby".to_owned()));
    let mut error = use_signal(|| None::<&'static str>);

    let join = move |event: FormEvent| {
        event.prevent_default();
        let name = chosen().trim().to_lowercase();
        if ids::is_valid_room_name(&name) {
            room.set(Some(name));
        } else {
            error.set(Some("Room names use letters, digits, '-' and '_'."));
        }
    };

    rsx! {
        form { class: "join", onsubmit: join,
            label { r#for: "room", "Room" }
            input { id: "room", maxlength: 64, value: "{chosen}", oninput: move |e| chosen.set(e.value()) }
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

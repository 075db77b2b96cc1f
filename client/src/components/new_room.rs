use dioxus::prelude::*;
use edgechat_core::ids;
use serde_json::json;

use crate::{api, directory::RoomEntry, session::Auth};

/// What a new room is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    /// Invite-only, with a name.
    Private,
    /// A small invite-only conversation without a channel name.
    Group,
}

/// The "+" dialog: join a room by name, browse public rooms, or create one (public,
/// private with members picked by username, or a group conversation) with an optional
/// capacity. `?room=` in the address opens it with that name filled in.
#[component]
pub fn NewRoom(room: Signal<Option<String>>, auth: Signal<Auth>, open: Signal<bool>) -> Element {
    let mut chosen = use_signal(|| room_from_url().unwrap_or_else(|| "lobby".to_owned()));
    let mut error = use_signal(|| None::<String>);
    let mut public = use_signal(Vec::<RoomEntry>::new);
    let token = move || auth.peek().token();
    let focus = crate::focus::use_dialog_focus("room");
    let mut go = move |id: String| {
        focus.hand_to("message-input");
        open.set(false);
        room.set(Some(id));
    };
    let search_public = move |q: String| {
        let Some(token) = token() else {
            return;
        };
        spawn(async move {
            if let Ok(rooms) = api::public_rooms(&token, &q).await {
                public.set(rooms);
            }
        });
    };
    use_hook(move || search_public(String::new()));
    let join = move |event: FormEvent| {
        event.prevent_default();
        match ids::room_slug(&chosen()) {
            Some(id) => go(id),
            None => error.set(Some("A room name needs a letter or digit.".into())),
        }
    };
    let create_named = move |_| {
        let Some(token) = token() else {
            return;
        };
        spawn(async move {
            match api::create_room(&token, chosen().trim()).await {
                Ok(id) => go(id),
                Err(message) => error.set(Some(message)),
            }
        });
    };

    // Creating, with the choices.
    let mut name = use_signal(String::new);
    let mut kind = use_signal(|| Kind::Public);
    let mut members = use_signal(String::new);
    let mut capacity = use_signal(String::new);
    let mut create_error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let create = move |event: FormEvent| {
        event.prevent_default();
        let Some(token) = token() else {
            return;
        };
        spawn(async move {
            busy.set(true);
            let result = create_room(&token, &name(), kind(), &members(), &capacity()).await;
            busy.set(false);
            match result {
                Ok(id) => go(id),
                Err(message) => create_error.set(Some(message)),
            }
        });
    };
    let choice = move |value: Kind, id: &'static str, label: &'static str| {
        rsx! {
            label { class: "check",
                input { id, r#type: "radio", name: "room-kind", checked: kind() == value,
                    onchange: move |_| kind.set(value) }
                " {label}"
            }
        }
    };

    rsx! {
        div { class: "dialog-backdrop",
            onclick: move |_| open.set(false),
            div { id: "new-room-dialog", class: "dialog", role: "dialog", aria_modal: "true",
                aria_label: "Join or create a room",
                onclick: move |e| e.stop_propagation(),
                onkeydown: move |e: KeyboardEvent| if e.key() == Key::Escape {
                    open.set(false)
                } else {
                    crate::focus::keep_tab_within("new-room-dialog", &e)
                },
                header { class: "dialog-header",
                    h2 { "Join or create a room" }
                    button { id: "new-room-cancel", r#type: "button", class: "link", onclick: move |_| open.set(false),
                        "Cancel" }
                }
                form { class: "join", onsubmit: join,
                    label { r#for: "room", "Join a room by name" }
                    input { id: "room", maxlength: 64, value: "{chosen}", oninput: move |e| chosen.set(e.value()) }
                    if let Some(message) = error() {
                        p { class: "error", role: "alert", "{message}" }
                    }
                    button { id: "join", r#type: "submit", "Join" }
                    button { id: "create-room", r#type: "button", class: "link", onclick: create_named,
                        "Create this room" }
                }
                section { class: "browse", aria_label: "Public rooms",
                    label { r#for: "public-search", "Public rooms" }
                    input { id: "public-search", r#type: "search", placeholder: "Search public rooms",
                        oninput: move |e| search_public(e.value()) }
                    ul { class: "room-list",
                        for entry in public() {
                            li { key: "{entry.room_id}",
                                button { r#type: "button", class: "room-link", "data-room": "{entry.room_id}",
                                    onclick: { let id = entry.room_id.clone(); move |_| go(id.clone()) },
                                    span { class: "room-name", "# {entry.name}" }
                                }
                            }
                        }
                    }
                }
                form { id: "create-form", class: "join", onsubmit: create,
                    h3 { "Create a room" }
                    label { r#for: "create-name",
                        if kind() == Kind::Group { "Name (optional)" } else { "Name" } }
                    input { id: "create-name", maxlength: 64, value: "{name}", oninput: move |e| name.set(e.value()) }
                    fieldset { class: "kinds",
                        legend { "Who can join" }
                        {choice(Kind::Public, "kind-public", "Public: anyone can find and join it")}
                        {choice(Kind::Private, "kind-private", "Private: only the members you add")}
                        {choice(Kind::Group, "kind-group", "Group conversation: a few people, no channel name")}
                    }
                    if kind() != Kind::Public {
                        label { r#for: "create-members", "Members (usernames, separated by commas or spaces)" }
                        input { id: "create-members", value: "{members}", placeholder: "ana, bob",
                            oninput: move |e| members.set(e.value()) }
                    }
                    label { r#for: "create-capacity", "Capacity (optional)" }
                    input { id: "create-capacity", r#type: "number", min: 2, max: 10000, value: "{capacity}",
                        placeholder: "No limit", oninput: move |e| capacity.set(e.value()) }
                    if let Some(message) = create_error() {
                        p { class: "error", role: "alert", "{message}" }
                    }
                    button { id: "create-submit", r#type: "submit", disabled: busy(), "Create" }
                }
            }
        }
    }
}

/// Creates the room the form describes, members found by username first. Returns its id.
async fn create_room(
    token: &str,
    name: &str,
    kind: Kind,
    members: &str,
    capacity: &str,
) -> Result<String, String> {
    let name = name.trim();
    if kind != Kind::Group && ids::room_slug(name).is_none() {
        return Err("A room name needs a letter or digit.".into());
    }
    let capacity = match capacity.trim() {
        "" => None,
        given => match given.parse::<u64>() {
            Ok(n) if (2..=10_000).contains(&n) => Some(n),
            _ => return Err("Capacity is a number of members from 2 to 10000.".into()),
        },
    };
    let usernames: Vec<&str> = members
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|u| u.trim().trim_start_matches('@'))
        .filter(|u| !u.is_empty() && kind != Kind::Public)
        .collect();
    if kind == Kind::Group && usernames.is_empty() {
        return Err("A group conversation needs at least one other member.".into());
    }
    // A group without a name is called after its members.
    let name = match name {
        "" if kind == Kind::Group => usernames.join(", "),
        given => given.to_owned(),
    };
    let mut ids = Vec::new();
    {
        for username in &usernames {
            match api::find_user(token, &username.to_lowercase()).await {
                Ok(user) => ids.push(user.id),
                Err(_) => return Err(format!("There is no user named {username}.")),
            }
        }
    }
    let mut body = json!({ "name": name, "members": ids });
    match kind {
        Kind::Public => {}
        Kind::Private => body["isPrivate"] = json!(true),
        Kind::Group => body["group"] = json!(true),
    }
    if let Some(capacity) = capacity {
        body["capacity"] = json!(capacity);
    }
    api::new_room(token, &body).await
}

fn room_from_url() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("room")
}

/// Whether the address asks for the dialog (`?room=`).
pub fn asked_for() -> bool {
    room_from_url().is_some()
}

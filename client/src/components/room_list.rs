use dioxus::prelude::*;

use super::join_form::JoinForm;
use crate::{api, app::Auth, directory::Directory, directory::RoomEntry, state::plural};

/// The sidebar: the user's rooms and direct messages with unread and mention badges, a
/// filter, public rooms to browse, and a form to join or create one.
#[component]
pub fn RoomList(
    directory: Signal<Directory>,
    room: Signal<Option<String>>,
    auth: Signal<Auth>,
) -> Element {
    let mut filter = use_signal(String::new);
    let mut browsing = use_signal(|| false);
    let mut public = use_signal(Vec::<RoomEntry>::new);
    let search_public = move |q: String| {
        let Some(token) = auth.peek().session().map(|s| s.access_token.clone()) else {
            return;
        };
        spawn(async move {
            if let Ok(rooms) = api::public_rooms(&token, &q).await {
                public.set(rooms);
            }
        });
    };
    let mut open = move |room_id: String| {
        directory.write().open(&room_id);
        room.set(Some(room_id));
    };
    let entries: Vec<RoomEntry> = directory
        .read()
        .filtered(&filter())
        .into_iter()
        .cloned()
        .collect();
    let current = room();
    rsx! {
        nav { class: "sidebar", aria_label: "Rooms",
            label { class: "visually-hidden", r#for: "room-filter", "Filter rooms" }
            input { id: "room-filter", r#type: "search", placeholder: "Filter rooms", value: "{filter}",
                oninput: move |e| filter.set(e.value()) }
            ul { class: "room-list",
                for entry in entries {
                    li { key: "{entry.room_id}",
                        button { r#type: "button",
                            class: if current.as_deref() == Some(entry.room_id.as_str()) { "room-link current" } else { "room-link" },
                            "data-room": "{entry.room_id}",
                            aria_current: if current.as_deref() == Some(entry.room_id.as_str()) { "page" } else { "false" },
                            onclick: { let id = entry.room_id.clone(); move |_| open(id.clone()) },
                            span { class: "room-name",
                                if entry.kind == edgechat_protocol::RoomKind::Direct { "@ " } else { "# " }
                                "{entry.name}"
                            }
                            if entry.mentions > 0 {
                                span { class: "badge mention", aria_label: plural(entry.mentions, "mention", "mentions"), "@{entry.mentions}" }
                            }
                            if entry.unread > 0 {
                                span { class: "badge unread", aria_label: "{entry.unread} unread", "{entry.unread}" }
                            }
                        }
                    }
                }
            }
            button { id: "browse", r#type: "button", class: "link", aria_expanded: "{browsing}",
                onclick: move |_| {
                    browsing.toggle();
                    if browsing() { search_public(String::new()); }
                },
                "Browse public rooms"
            }
            if browsing() {
                div { class: "browse",
                    label { class: "visually-hidden", r#for: "public-search", "Search public rooms" }
                    input { id: "public-search", r#type: "search", placeholder: "Search public rooms",
                        oninput: move |e| search_public(e.value()) }
                    ul { class: "room-list",
                        for entry in public() {
                            li { key: "{entry.room_id}",
                                button { r#type: "button", class: "room-link",
                                    onclick: { let id = entry.room_id.clone(); move |_| { browsing.set(false); open(id.clone()) } },
                                    "# {entry.name}"
                                }
                            }
                        }
                    }
                }
            }
            JoinForm { room, auth }
        }
    }
}

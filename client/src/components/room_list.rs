use dioxus::prelude::*;

use super::new_room::NewRoom;
use crate::{directory::Directory, directory::RoomEntry, session::Auth, state::plural};

/// The sidebar: the user's rooms and direct messages with unread and mention badges, a
/// filter, and the "+" that opens the dialog to join, browse or create one.
#[component]
pub fn RoomList(
    directory: Signal<Directory>,
    room: Signal<Option<String>>,
    auth: Signal<Auth>,
    /// The "+" dialog is open.
    adding: Signal<bool>,
) -> Element {
    let mut filter = use_signal(String::new);
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
            header { class: "sidebar-header",
                h2 { "Rooms" }
                button { id: "new-room", r#type: "button", class: "icon-button", title: "Join or create a room",
                    aria_label: "Join or create a room", aria_expanded: "{adding}",
                    onclick: move |_| adding.set(true), "+" }
            }
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
                                if entry.is_conversation() { "@ " } else { "# " }
                                "{entry.label()}"
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
            if adding() {
                NewRoom { room, auth, open: adding }
            }
        }
    }
}

use dioxus::prelude::*;

use super::new_room::NewRoom;
use edgechat_protocol::RoomKind;

use crate::{directory::Directory, directory::RoomEntry, session::Auth, state::plural};

/// The sidebar: the user's channels (`#`, private ones locked) and conversations, each
/// in its section, with unread and mention badges, a filter, and the "+" that opens the
/// dialog to join, browse or create one.
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
    // While the pointer is over the list, it keeps the order it had when the pointer
    // came: nothing moves under a room the user is about to click.
    let mut held = use_signal(|| None::<Vec<String>>);
    let (channels, conversations): (Vec<RoomEntry>, Vec<RoomEntry>) = {
        let directory = directory.read();
        let (channels, conversations) =
            Directory::sections(directory.filtered(&filter()), held.read().as_deref());
        (
            channels.into_iter().cloned().collect(),
            conversations.into_iter().cloned().collect(),
        )
    };
    let first = channels
        .iter()
        .chain(&conversations)
        .next()
        .map(|r| r.room_id.clone());
    let current = room();
    let link = move |entry: RoomEntry| {
        let here = current.as_deref() == Some(entry.room_id.as_str());
        let mark = match entry.kind {
            RoomKind::Public => "# ",
            RoomKind::Private => "🔒 ",
            RoomKind::Direct | RoomKind::Group => "@ ",
        };
        rsx! {
            li { key: "{entry.room_id}",
                button { r#type: "button",
                    class: if here { "room-link current" } else { "room-link" },
                    "data-room": "{entry.room_id}",
                    aria_current: if here { "page" } else { "false" },
                    onclick: { let id = entry.room_id.clone(); move |_| open(id.clone()) },
                    span { class: "room-name",
                        span { class: "room-kind", "{mark}" }
                        "{entry.label()}"
                    }
                    // Counts a screen reader says in words; the badges are for the eye.
                    if entry.mentions > 0 {
                        span { class: "badge mention", aria_hidden: "true", "@{entry.mentions}" }
                        span { class: "visually-hidden", {format!(", {}", plural(entry.mentions, "mention", "mentions"))} }
                    }
                    if entry.unread > 0 {
                        span { class: "badge unread", aria_hidden: "true", "{entry.unread}" }
                        span { class: "visually-hidden", ", {entry.unread} unread" }
                    }
                }
            }
        }
    };
    rsx! {
        nav { class: "sidebar", aria_label: "Rooms",
            header { class: "sidebar-header",
                h2 { "Rooms" }
                button { id: "new-room", r#type: "button", class: "icon-button", title: "Join or create a room",
                    aria_label: "Join or create a room", aria_expanded: "{adding}",
                    onclick: move |_| adding.set(true), "+" }
            }
            label { class: "visually-hidden", r#for: "room-filter", "Find a room" }
            // Ctrl+K lands here: type part of a name, Enter opens the first room found
            // (Esc clears it, as a search box does).
            input { id: "room-filter", r#type: "search", placeholder: "Find a room (Ctrl+K)", value: "{filter}",
                oninput: move |e| filter.set(e.value()),
                onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter
                    && let Some(id) = first.clone()
                {
                    // The room opened focuses its box.
                    filter.set(String::new());
                    open(id);
                } }
            div { class: "room-sections",
                onpointerenter: move |_| {
                    let order = directory.peek().rooms.iter().map(|r| r.room_id.clone()).collect();
                    held.set(Some(order));
                },
                onpointerleave: move |_| held.set(None),
                h3 { id: "channels-heading", class: "section-heading", "Channels" }
                ul { class: "room-list", aria_labelledby: "channels-heading",
                    for entry in channels { {link(entry)} }
                }
                if !conversations.is_empty() {
                    h3 { id: "conversations-heading", class: "section-heading", "Direct messages" }
                    ul { class: "room-list", aria_labelledby: "conversations-heading",
                        for entry in conversations { {link(entry)} }
                    }
                }
            }
            if adding() {
                NewRoom { room, auth, open: adding }
            }
        }
    }
}

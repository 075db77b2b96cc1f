use dioxus::prelude::*;

use crate::directory::Directory;

/// The quick switcher (Ctrl+K, ⌘K): type part of a room's name or of the people in a
/// conversation, ↑ and ↓ pick, Enter opens, Esc closes.
#[component]
pub fn QuickSwitcher(
    directory: Signal<Directory>,
    room: Signal<Option<String>>,
    open: Signal<bool>,
) -> Element {
    let focus = crate::focus::use_dialog_focus("switcher-input");
    let mut query = use_signal(String::new);
    let mut picked = use_signal(|| 0usize);
    let found: Vec<(String, String)> = directory
        .read()
        .filtered(&query())
        .into_iter()
        .map(|r| (r.room_id.clone(), r.heading()))
        .collect();
    let at = picked().min(found.len().saturating_sub(1));
    let mut go = move |id: String| {
        focus.hand_to("message-input");
        open.set(false);
        room.set(Some(id));
    };
    let chosen = found.get(at).map(|(id, _)| id.clone());
    let count = found.len();
    rsx! {
        div { class: "dialog-backdrop", onclick: move |_| open.set(false),
            div { id: "switcher", class: "dialog switcher", role: "dialog", aria_modal: "true",
                aria_label: "Switch to a room",
                onclick: move |e| e.stop_propagation(),
                onkeydown: move |e: KeyboardEvent| match e.key() {
                    Key::Escape => open.set(false),
                    Key::ArrowDown if count > 0 => {
                        e.prevent_default();
                        picked.set((at + 1) % count);
                    }
                    Key::ArrowUp if count > 0 => {
                        e.prevent_default();
                        picked.set((at + count - 1) % count);
                    }
                    Key::Enter => {
                        e.prevent_default();
                        if let Some(id) = chosen.clone() {
                            go(id);
                        }
                    }
                    _ => crate::focus::keep_tab_within("switcher", &e),
                },
                label { class: "visually-hidden", r#for: "switcher-input", "Switch to a room" }
                input { id: "switcher-input", r#type: "search", placeholder: "Switch to a room…",
                    autocomplete: "off", role: "combobox", aria_controls: "switcher-list",
                    aria_expanded: "true", aria_activedescendant: "switch-{at}",
                    value: "{query}",
                    oninput: move |e| {
                        query.set(e.value());
                        picked.set(0);
                    } }
                ul { id: "switcher-list", class: "room-list", role: "listbox",
                    for (i, (id, heading)) in found.into_iter().enumerate() {
                        li { key: "{id}", id: "switch-{i}", role: "option", aria_selected: "{i == at}",
                            class: if i == at { "room-link current" } else { "room-link" },
                            "data-room": "{id}",
                            onclick: move |_| go(id.clone()),
                            "{heading}" }
                    }
                }
            }
        }
    }
}

use dioxus::prelude::*;

use crate::{
    api::audit::{self, Entry},
    session::Auth,
};

/// The acts a reader may filter by, as the select names them.
const ACTIONS: [(&str, &str); 12] = [
    ("", "Every act"),
    ("role-changed", "Roles"),
    ("user-muted", "Mutes"),
    ("user-kicked", "Removals"),
    ("user-banned", "Bans"),
    ("user-unbanned", "Unbans"),
    ("message-deleted", "Deleted messages"),
    ("room-updated", "Room settings"),
    ("slow-mode-changed", "Slow mode"),
    ("hook-created", "Hooks made"),
    ("hook-removed", "Hooks removed"),
    ("account-disabled", "Accounts disabled"),
];

/// The audit log, for the room's admins: who did what to whom and when, newest first,
/// fifty at a time (*Older* for more), filtered by kind of act. A deployment admin may
/// widen it to every room and account.
#[component]
pub fn AuditPanel(auth: Signal<Auth>, room: String, global: bool) -> Element {
    let mut entries = use_signal(Vec::<Entry>::new);
    let mut next = use_signal(|| None::<String>);
    let mut failure = use_signal(|| None::<String>);
    let mut action = use_signal(String::new);
    let mut everywhere = use_signal(|| false);
    // Which list is showing: an answer for one the filters have since replaced is
    // dropped, not shown.
    let mut shown = use_signal(|| 0u32);
    let path = move || {
        if everywhere() {
            "/api/audit".to_owned()
        } else {
            format!("/api/rooms/{room}/audit")
        }
    };
    // The first page again whenever a filter changes.
    let first = path.clone();
    use_effect(move || {
        let (path, action) = (first(), action());
        let list = *shown.peek() + 1;
        shown.set(list);
        spawn(async move {
            let token = auth.peek().token().unwrap_or_default();
            let answer = audit::page(&token, &path, &action, None).await;
            if *shown.peek() != list {
                return;
            }
            match answer {
                Ok((page, more)) => {
                    entries.set(page);
                    next.set(more);
                    failure.set(None);
                }
                Err(message) => failure.set(Some(message)),
            }
        });
    });
    let older = move |_| {
        let Some(before) = next() else { return };
        let (path, action) = (path(), action());
        let list = *shown.peek();
        spawn(async move {
            let token = auth.peek().token().unwrap_or_default();
            let answer = audit::page(&token, &path, &action, Some(&before)).await;
            if *shown.peek() != list {
                return;
            }
            match answer {
                Ok((page, more)) => {
                    entries.write().extend(page);
                    next.set(more);
                }
                Err(message) => failure.set(Some(message)),
            }
        });
    };
    rsx! {
        section { id: "room-audit", aria_labelledby: "room-audit-title",
            h4 { id: "room-audit-title", "Audit log" }
            div { class: "audit-filters",
                select { id: "audit-action", aria_label: "Which acts", onchange: move |e| action.set(e.value()),
                    for (value, label) in ACTIONS {
                        option { value, selected: action() == value, "{label}" }
                    }
                }
                if global {
                    select { id: "audit-scope", aria_label: "Whose acts", onchange: move |e| everywhere.set(e.value() == "all"),
                        option { value: "room", "This room" }
                        option { value: "all", "Every room and account" }
                    }
                }
            }
            if let Some(message) = failure() {
                p { class: "error", role: "alert", "{message}" }
            }
            if entries.read().is_empty() {
                p { class: "notice", "Nothing recorded yet." }
            }
            ol { class: "audit-log",
                for entry in entries() {
                    li { key: "{entry.id}", "data-action": "{entry.action}",
                        time { class: "audit-time", "{when(entry.at)}" }
                        span { class: "audit-what", "{sentence(&entry, everywhere())}" }
                        if !entry.via.is_empty() {
                            span { class: "audit-via", "{entry.via}" }
                        }
                    }
                }
            }
            if next().is_some() {
                button { id: "audit-older", r#type: "button", class: "link", onclick: older, "Older" }
            }
        }
    }
}

/// A moment as the reader's locale writes it.
fn when(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// What an entry says, as a sentence: "Ana banned Carl".
fn sentence(entry: &Entry, rooms: bool) -> String {
    let whom = entry.target.as_deref().unwrap_or("someone");
    let text = |key: &str| entry.detail[key].as_str().unwrap_or_default().to_owned();
    let did = match entry.action.as_str() {
        "role-changed" => format!("made {whom} {}", text("role")),
        "user-muted" => format!("muted {whom}"),
        "user-unmuted" => format!("unmuted {whom}"),
        "user-banned" => format!("banned {whom}"),
        "user-unbanned" => format!("unbanned {whom}"),
        "user-kicked" => format!("removed {whom}"),
        "slow-mode-changed" => match entry.detail["seconds"].as_u64() {
            Some(0) | None => "turned slow mode off".to_owned(),
            Some(s) => format!("set slow mode to {s} s"),
        },
        "room-updated" => "changed the room's settings".to_owned(),
        "message-deleted" => format!("deleted a message by {whom}"),
        "message-pinned" => "pinned a message".to_owned(),
        "message-unpinned" => "unpinned a message".to_owned(),
        "hook-created" => format!("made the hook “{}”", text("name")),
        "hook-renamed" => format!("renamed a hook “{}”", text("name")),
        "hook-secret-changed" => format!("gave the hook “{}” a new secret", text("name")),
        "hook-removed" => format!("removed the hook “{}”", text("name")),
        "export-started" => "started an export".to_owned(),
        "import-started" => "started an import".to_owned(),
        "account-disabled" => format!("disabled {whom}'s account"),
        "account-enabled" => format!("enabled {whom}'s account"),
        other => other.to_owned(),
    };
    match (&entry.room_id, rooms) {
        (Some(room), true) => format!("{} {did} in #{room}", entry.actor),
        _ => format!("{} {did}", entry.actor),
    }
}

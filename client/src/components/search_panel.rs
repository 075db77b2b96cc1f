use dioxus::prelude::*;

use crate::{
    api,
    directory::Directory,
    search::{SearchHit, snippet_parts},
    session::Auth,
};

/// Searches this room (or every room the user may read) and lists the hits with the
/// matched words highlighted; choosing one jumps to the message. Esc closes it.
#[component]
pub fn SearchPanel(
    room: String,
    auth: Signal<Auth>,
    jump_to: Signal<Option<(String, u64)>>,
    open_room: Signal<Option<String>>,
    open: Signal<bool>,
    /// The user's rooms, to name each hit's room as the list does.
    directory: Signal<Directory>,
) -> Element {
    let mut query = use_signal(String::new);
    let mut everywhere = use_signal(|| false);
    let mut from = use_signal(String::new);
    let mut after = use_signal(String::new);
    let mut before = use_signal(String::new);
    let mut hits = use_signal(|| None::<Result<Vec<SearchHit>, String>>);
    let search_room = room.clone();
    let search = move |event: FormEvent| {
        event.prevent_default();
        let Some(token) = auth.peek().token() else {
            return;
        };
        let q = query().trim().to_owned();
        let author = from().trim().trim_start_matches('@').to_lowercase();
        let author = (!author.is_empty()).then_some(author);
        // Words, or whose messages, or both.
        if q.is_empty() && author.is_none() {
            return;
        }
        let scope = (!everywhere()).then(|| search_room.clone());
        // From the start of the first day to the end of the last, in local time.
        let (since, until) = (
            day_start(&after()),
            day_start(&before()).map(|t| t + DAY_MS),
        );
        spawn(async move {
            let found = api::search(
                &token,
                &q,
                scope.as_deref(),
                author.as_deref(),
                since,
                until,
            );
            hits.set(Some(found.await));
        });
    };
    rsx! {
        section { class: "search-panel", aria_label: "Search",
            onkeydown: move |e: KeyboardEvent| if e.key() == Key::Escape {
                open.set(false);
                crate::focus::focus_soon("search");
            },
            form { class: "search-form", onsubmit: search,
                label { class: "visually-hidden", r#for: "search-input", "Search messages" }
                input { id: "search-input", r#type: "search", placeholder: "Search messages",
                    value: "{query}", oninput: move |e| query.set(e.value()) }
                label { class: "everywhere",
                    input { r#type: "checkbox", checked: everywhere(),
                        onchange: move |e| everywhere.set(e.checked()) }
                    " all rooms"
                }
                button { id: "search-submit", r#type: "submit", "Search" }
                div { class: "search-filters",
                    label { r#for: "search-from", "From" }
                    input { id: "search-from", placeholder: "username", size: 10, value: "{from}",
                        oninput: move |e| from.set(e.value()) }
                    label { r#for: "search-after", "Between" }
                    input { id: "search-after", r#type: "date", value: "{after}",
                        oninput: move |e| after.set(e.value()) }
                    label { r#for: "search-before", "and" }
                    input { id: "search-before", r#type: "date", value: "{before}",
                        oninput: move |e| before.set(e.value()) }
                }
            }
            match hits() {
                None => rsx! {},
                Some(Err(message)) => rsx! { p { class: "error", role: "alert", "{message}" } },
                Some(Ok(list)) if list.is_empty() => rsx! { p { class: "notice", "No messages found." } },
                Some(Ok(list)) => rsx! {
                    ul { class: "search-results",
                        for hit in list {
                            li { key: "{hit.message_id}",
                                button { r#type: "button", class: "search-hit", "data-id": "{hit.message_id}",
                                    onclick: {
                                        let hit = hit.clone();
                                        let here = room.clone();
                                        move |_| {
                                            if hit.room_id != here {
                                                open_room.set(Some(hit.room_id.clone()));
                                            }
                                            jump_to.set(Some((hit.message_id.clone(), hit.seq)));
                                        }
                                    },
                                    span { class: "hit-meta",
                                        {directory.read().entry_of(&hit.room_id).map_or_else(|| format!("#{}", hit.room_id), |r| r.heading())}
                                        " · {hit.username} "
                                        if hit.bot { span { class: "bot-mark", "BOT" } " " }
                                        "· "
                                        time { class: "hit-date", datetime: "{iso(hit.timestamp)}", "{local(hit.timestamp)}" }
                                    }
                                    span { class: "hit-text",
                                        for (marked, text) in snippet_parts(&hit.snippet) {
                                            if marked { mark { "{text}" } } else { "{text}" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The start, in local time, of the day a date field holds (`2026-12-02`), in ms.
fn day_start(day: &str) -> Option<u64> {
    let mut parts = day.split('-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let date = js_sys::Date::new_with_year_month_day(year, month as i32 - 1, day as i32);
    let at = date.get_time();
    (at.is_finite() && at >= 0.0).then_some(at as u64)
}

fn date(at: u64) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64))
}

/// The moment for machines (`datetime`).
fn iso(at: u64) -> String {
    String::from(date(at).to_iso_string())
}

/// The moment as the reader's browser writes dates and times ("Dec 1, 2026, 11:05 AM").
fn local(at: u64) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    String::from(date(at).to_locale_string("default", &options))
}

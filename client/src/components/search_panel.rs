use dioxus::prelude::*;

use crate::{
    api,
    app::Auth,
    search::{SearchHit, snippet_parts},
};

/// Searches this room (or every room the user may read) and lists the hits with the
/// matched words highlighted; choosing one jumps to the message.
#[component]
pub fn SearchPanel(
    room: String,
    auth: Signal<Auth>,
    jump_to: Signal<Option<(String, u64)>>,
    open_room: Signal<Option<String>>,
) -> Element {
    let mut query = use_signal(String::new);
    let mut everywhere = use_signal(|| false);
    let mut hits = use_signal(|| None::<Result<Vec<SearchHit>, String>>);
    let search_room = room.clone();
    let search = move |event: FormEvent| {
        event.prevent_default();
        let Some(token) = auth.peek().session().map(|s| s.access_token.clone()) else {
            return;
        };
        let q = query().trim().to_owned();
        if q.is_empty() {
            return;
        }
        let scope = (!everywhere()).then(|| search_room.clone());
        spawn(async move {
            hits.set(Some(api::search(&token, &q, scope.as_deref()).await));
        });
    };
    rsx! {
        section { class: "search-panel", aria_label: "Search",
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
                                    span { class: "hit-meta", "#{hit.room_id} · {hit.username} · "
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

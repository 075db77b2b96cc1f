//! The composer's emoji picker. Its set (`client/web/emoji.json`: groups of emoji, each
//! with a name to search by) loads when the picker first opens, not with the `.wasm`. The
//! set keeps to emoji that the colour font the app is tested with (Noto Color Emoji,
//! installed by `cargo xtask setup`) draws, and the picker asks for a colour emoji font
//! first, so none shows blank or as a pale outline.

use std::{cell::RefCell, rc::Rc};

use dioxus::prelude::*;

#[derive(Debug, Clone, PartialEq)]
struct Group {
    name: String,
    /// Each emoji with its name.
    emoji: Vec<(String, String)>,
}

/// The set as `emoji.json` holds it: `[{"name": …, "emoji": [[emoji, name], …]}, …]`,
/// read through `Value` (whose decoder the client has anyway) rather than a decoder of
/// its own.
fn groups(json: &serde_json::Value) -> Vec<Group> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
    list(json)
        .iter()
        .map(|group| Group {
            name: text(&group["name"]),
            emoji: list(&group["emoji"])
                .iter()
                .map(|pair| (text(&pair[0]), text(&pair[1])))
                .filter(|(glyph, _)| !glyph.is_empty())
                .collect(),
        })
        .collect()
}

thread_local! {
    /// The set, once loaded: later opens of the picker show it at once.
    static SET: RefCell<Option<Rc<Vec<Group>>>> = const { RefCell::new(None) };
}

async fn emoji_set() -> Result<Rc<Vec<Group>>, String> {
    if let Some(set) = SET.with(|s| s.borrow().clone()) {
        return Ok(set);
    }
    let response = gloo_net::http::Request::get("/emoji.json")
        .send()
        .await
        .map_err(|e| format!("no connection: {e}"))?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    let json = response
        .json::<serde_json::Value>()
        .await
        .map_err(|e| e.to_string())?;
    let set = Rc::new(groups(&json));
    SET.with(|s| *s.borrow_mut() = Some(set.clone()));
    Ok(set)
}

/// The picker: a search box over the set in groups. Picking an
/// emoji hands it to `on_pick`; Esc hands nothing and calls `on_close`.
#[component]
pub fn EmojiPicker(on_pick: EventHandler<String>, on_close: EventHandler<()>) -> Element {
    let mut set = use_signal(|| SET.with(|s| s.borrow().clone()).map(Ok));
    use_hook(move || {
        if set.peek().is_none() {
            spawn(async move { set.set(Some(emoji_set().await)) });
        }
    });
    let mut query = use_signal(String::new);
    let wanted = query().trim().to_lowercase();
    // The groups with what matches the search.
    let shown: Result<Vec<Group>, String> = match &*set.read() {
        None => Ok(Vec::new()),
        Some(Err(error)) => Err(error.clone()),
        Some(Ok(groups)) => Ok(groups
            .iter()
            .map(|g| Group {
                name: g.name.clone(),
                emoji: g
                    .emoji
                    .iter()
                    .filter(|(_, name)| wanted.is_empty() || name.contains(&wanted))
                    .cloned()
                    .collect(),
            })
            .filter(|g| !g.emoji.is_empty())
            .collect()),
    };
    let loading = set.read().is_none();
    rsx! {
        div { id: "emoji-picker", class: "emoji-picker", role: "dialog", aria_label: "Insert an emoji",
            onkeydown: move |e: KeyboardEvent| {
                if e.key() == Key::Escape {
                    e.prevent_default();
                    on_close.call(());
                }
            },
            input { id: "emoji-search", r#type: "search", placeholder: "Search emoji",
                aria_label: "Search emoji", value: "{query}",
                oninput: move |e| query.set(e.value()) }
            match shown {
                Err(error) => rsx! { p { class: "error", role: "alert", "The emoji could not load: {error}" } },
                Ok(_) if loading => rsx! { p { class: "hint", "Loading…" } },
                Ok(groups) if groups.is_empty() => rsx! { p { class: "hint", "No emoji matches." } },
                Ok(groups) => rsx! {
                    div { class: "emoji-groups",
                        for group in groups {
                            section { key: "{group.name}", aria_label: "{group.name}",
                                h4 { "{group.name}" }
                                div { class: "emoji-grid",
                                    for (glyph, label) in group.emoji {
                                        button { key: "{glyph}", r#type: "button", class: "emoji",
                                            title: "{label}", aria_label: "{label}",
                                            onclick: {
                                                let glyph = glyph.clone();
                                                move |_| on_pick.call(glyph.clone())
                                            },
                                            "{glyph}"
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

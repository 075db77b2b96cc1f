use dioxus::prelude::*;

use crate::{
    api::{self, Hook, HookAction},
    session::Auth,
};

/// The room's incoming hooks, for its admins: each with a new name, a new URL or
/// deletion (asked twice), and a form for another. A URL carries its hook's secret, so
/// it shows once, when the hook is made or given a new URL, with a button that copies it.
/// One component, its rows plain markup: each component of its own cost the client's
/// .wasm more than its markup does.
#[component]
pub fn HooksPanel(auth: Signal<Auth>, room: String) -> Element {
    let mut hooks = use_signal(Vec::<Hook>::new);
    // The URL just made, with the hook's name: shown until the panel closes.
    let mut shown = use_signal(|| None::<(String, String)>);
    let mut failure = use_signal(|| None::<String>);
    // The name typed for a new hook, and the row being renamed (its id, the new name).
    let mut name = use_signal(String::new);
    let mut renaming = use_signal(|| None::<(String, String)>);
    let mut deleting = use_signal(|| None::<String>);
    let here = room.clone();
    use_hook(move || {
        spawn(async move {
            let Some(token) = auth.peek().token() else {
                return;
            };
            match api::hooks(&token, &here).await {
                Ok(listed) => hooks.set(listed),
                Err(message) => failure.set(Some(message)),
            }
        })
    });
    // Every change goes through here: the answer updates the list, a URL shows.
    let act = use_callback(
        move |(action, hook_id, wanted): (HookAction, String, String)| {
            let Some(token) = auth.peek().token() else {
                return;
            };
            let room = room.clone();
            spawn(async move {
                match api::change_hook(&token, &room, action, &hook_id, &wanted).await {
                    Ok(changed) => {
                        let mut list = hooks.write();
                        list.retain(|h| h.hook_id != hook_id || action != HookAction::Delete);
                        if let Some(hook) = changed {
                            if let Some(url) = &hook.url {
                                shown.set(Some((hook.name.clone(), url.clone())));
                            }
                            let hook = Hook { url: None, ..hook };
                            match list.iter_mut().find(|h| h.hook_id == hook.hook_id) {
                                Some(row) => *row = hook,
                                None => list.push(hook),
                            }
                        }
                        if action == HookAction::Create {
                            name.set(String::new());
                        }
                        renaming.set(None);
                        failure.set(None);
                    }
                    Err(message) => failure.set(Some(message)),
                }
            });
        },
    );
    rsx! {
        section { id: "room-hooks", aria_labelledby: "room-hooks-title",
            h4 { id: "room-hooks-title", "Integrations" }
            p { class: "notice",
                "An incoming hook lets a program (a CI, an alert, a deploy bot) post here as a bot, in Slack's webhook format. Its messages carry a BOT mark." }
            if let Some((hook_name, url)) = shown() {
                div { id: "hook-url", class: "hook-url", role: "status",
                    p { "The URL of “{hook_name}”. Copy it now: it is shown only once, and anyone who has it can post here." }
                    input { id: "hook-url-value", readonly: true, aria_label: "Hook URL", value: "{url}",
                        onfocus: move |_| select_url() }
                    button { r#type: "button", onclick: move |_| copy(&url), "Copy" }
                }
            }
            if let Some(message) = failure() {
                p { class: "error", role: "alert", "{message}" }
            }
            ul { class: "settings-hooks",
                for hook in hooks() {
                    li { key: "{hook.hook_id}", "data-hook": "{hook.name}",
                        {
                            let typed = renaming().filter(|(id, _)| *id == hook.hook_id).map(|(_, n)| n);
                            let changed = typed.as_ref().is_some_and(|n| n.trim() != hook.name && !n.trim().is_empty());
                            let asked = deleting().as_deref() == Some(hook.hook_id.as_str());
                            let (id, id2, id3) = (hook.hook_id.clone(), hook.hook_id.clone(), hook.hook_id.clone());
                            let value = typed.clone().unwrap_or_else(|| hook.name.clone());
                            rsx! {
                                input { class: "hook-name", maxlength: 32, aria_label: "Name of hook {hook.name}", value: "{value}",
                                    oninput: move |e| renaming.set(Some((id.clone(), e.value()))) }
                                if changed {
                                    button { r#type: "button", class: "save-hook",
                                        onclick: move |_| act.call((HookAction::Rename, id2.clone(), typed.clone().unwrap_or_default())),
                                        "Save" }
                                }
                                button { r#type: "button", class: "link new-url",
                                    onclick: { let id = id3.clone(); move |_| act.call((HookAction::NewUrl, id.clone(), String::new())) },
                                    "New URL" }
                                button { r#type: "button", class: "link danger delete-hook",
                                    onclick: move |_| if asked {
                                        act.call((HookAction::Delete, id3.clone(), String::new()));
                                    } else {
                                        deleting.set(Some(id3.clone()));
                                    },
                                    if asked { "Delete for good?" } else { "Delete" } }
                            }
                        }
                    }
                }
            }
            form { class: "hook-form",
                onsubmit: move |e: FormEvent| {
                    e.prevent_default();
                    act.call((HookAction::Create, String::new(), name().trim().to_owned()));
                },
                label { r#for: "hook-name", "New hook" }
                input { id: "hook-name", maxlength: 32, required: true, placeholder: "Name, as its messages show it",
                    value: "{name}", oninput: move |e| name.set(e.value()) }
                button { id: "hook-create", r#type: "submit", "Create hook" }
            }
        }
    }
}

/// Selects the URL's text, so a keyboard user copies it with the usual keys.
fn select_url() {
    use wasm_bindgen::JsCast;
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("hook-url-value"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    if let Some(input) = input {
        input.select();
    }
}

/// Puts `url` on the clipboard, where the browser offers one (`navigator.clipboard`, on a
/// secure origin); elsewhere the selected text is there to copy by hand.
fn copy(url: &str) {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    select_url();
    let Some(window) = web_sys::window() else {
        return;
    };
    let clipboard = Reflect::get(&window, &JsValue::from_str("navigator"))
        .and_then(|navigator| Reflect::get(&navigator, &JsValue::from_str("clipboard")))
        .ok()
        .filter(|c| !c.is_undefined());
    let write = clipboard.as_ref().and_then(|c| {
        Reflect::get(c, &JsValue::from_str("writeText"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
    });
    if let (Some(clipboard), Some(write)) = (clipboard, write) {
        let _ = write.call1(&clipboard, &JsValue::from_str(url));
    }
}

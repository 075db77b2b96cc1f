use dioxus::prelude::*;

use serde_json::{Value, json};

use crate::{
    api::{self, Hook, HookAction},
    session::Auth,
};

/// The room's hooks, for its admins: incoming ones (a program posts here), outgoing ones
/// (the room posts a message's trigger to a program and posts its answer) and commands
/// (`/deploy` runs a program). Each with a new name, a new secret or deletion (asked
/// twice), and a form for another. What a program needs shows once, when the hook is
/// made or given a new secret: an incoming hook's URL, or a called one's signing secret
/// and token. One component, its rows plain markup: each component of its own cost the
/// client's .wasm more than its markup does.
#[component]
pub fn HooksPanel(auth: Signal<Auth>, room: String) -> Element {
    let mut hooks = use_signal(Vec::<Hook>::new);
    // What was just shown once (the hook's name, the secret part as lines).
    let mut shown = use_signal(|| None::<(String, Vec<(String, String)>)>);
    let mut failure = use_signal(|| None::<String>);
    // The new hook's form, and the row being renamed (its id, the new name).
    let mut name = use_signal(String::new);
    let mut kind = use_signal(|| "incoming".to_owned());
    let mut target = use_signal(String::new);
    let mut answers = use_signal(String::new);
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
    // Every change goes through here: the answer updates the list, a secret shows.
    let act = use_callback(
        move |(action, hook_id, body): (HookAction, String, Value)| {
            let Some(token) = auth.peek().token() else {
                return;
            };
            let room = room.clone();
            spawn(async move {
                match api::change_hook(&token, &room, action, &hook_id, &body).await {
                    Ok(changed) => {
                        let mut list = hooks.write();
                        list.retain(|h| h.hook_id != hook_id || action != HookAction::Delete);
                        if let Some(hook) = changed {
                            if let Some(lines) = once(&hook) {
                                shown.set(Some((hook.name.clone(), lines)));
                            }
                            let hook = Hook {
                                url: hook.url.filter(|_| hook.kind != "incoming"),
                                secrets: None,
                                ..hook
                            };
                            match list.iter_mut().find(|h| h.hook_id == hook.hook_id) {
                                Some(row) => *row = hook,
                                None => list.push(hook),
                            }
                        }
                        if action == HookAction::Create {
                            name.set(String::new());
                            target.set(String::new());
                            answers.set(String::new());
                        }
                        renaming.set(None);
                        failure.set(None);
                    }
                    Err(message) => failure.set(Some(message)),
                }
            });
        },
    );
    let (answers_hint, answers_label) = match kind().as_str() {
        "command" => ("/command", "Command"),
        _ => ("trigger words, or @mentions", "Trigger words"),
    };
    rsx! {
        section { id: "room-hooks", aria_labelledby: "room-hooks-title",
            h4 { id: "room-hooks-title", "Integrations" }
            p { class: "notice",
                "Programs that speak Slack's webhooks: an incoming hook posts here, an outgoing one is sent each message that starts with its trigger words, a command runs when someone types it. Their messages carry a BOT mark." }
            if let Some((hook_name, lines)) = shown() {
                div { id: "hook-url", class: "hook-url", role: "status",
                    p { "For “{hook_name}”. Copy it now: it is shown only once, and whoever has it can act as this hook." }
                    for (label, value) in lines {
                        input { key: "{label}", class: "hook-secret", readonly: true, aria_label: "{label}", value: "{value}" }
                        button { r#type: "button", onclick: move |_| copy(&value), "Copy {label}" }
                    }
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
                            let about = if hook.kind == "incoming" { "incoming".to_owned() } else { format!("{}: {}", hook.kind, hook.answers) };
                            rsx! {
                                input { class: "hook-name", maxlength: 32, aria_label: "Name of hook {hook.name}", value: "{value}",
                                    oninput: move |e| renaming.set(Some((id.clone(), e.value()))) }
                                span { class: "hook-kind", "{about}" }
                                if changed {
                                    button { r#type: "button", class: "save-hook",
                                        onclick: move |_| act.call((HookAction::Rename, id2.clone(), json!({ "name": typed.clone().unwrap_or_default() }))),
                                        "Save" }
                                }
                                button { r#type: "button", class: "link new-url",
                                    onclick: { let id = id3.clone(); move |_| act.call((HookAction::NewUrl, id.clone(), Value::Null)) },
                                    if hook.kind == "incoming" { "New URL" } else { "New secret" } }
                                button { r#type: "button", class: "link danger delete-hook",
                                    onclick: move |_| if asked {
                                        act.call((HookAction::Delete, id3.clone(), Value::Null));
                                    } else {
                                        deleting.set(Some(id3.clone()));
                                    },
                                    if asked { "Delete for good?" } else { "Delete" } }
                                if hook.disabled {
                                    p { class: "error hook-error", "Disabled: whoever made it is no longer an admin here. An admin can make it anew." }
                                }
                                if let Some(why) = &hook.last_error {
                                    p { class: "error hook-error", "Its last call failed: {why}" }
                                }
                            }
                        }
                    }
                }
            }
            form { class: "hook-form",
                onsubmit: move |e: FormEvent| {
                    e.prevent_default();
                    let body = new_hook(&name(), &kind(), &target(), &answers());
                    act.call((HookAction::Create, String::new(), body));
                },
                label { r#for: "hook-name", "New hook" }
                input { id: "hook-name", maxlength: 32, required: true, placeholder: "Name, as its messages show it",
                    value: "{name}", oninput: move |e| name.set(e.value()) }
                select { id: "hook-kind", aria_label: "Kind of hook", onchange: move |e| kind.set(e.value()),
                    option { value: "incoming", selected: kind() == "incoming", "Incoming: a program posts here" }
                    option { value: "outgoing", selected: kind() == "outgoing", "Outgoing: sent messages with trigger words" }
                    option { value: "command", selected: kind() == "command", "Command: runs when typed" }
                }
                if kind() != "incoming" {
                    input { id: "hook-target", r#type: "url", required: true, placeholder: "https:// the program's URL",
                        aria_label: "The program's URL", value: "{target}", oninput: move |e| target.set(e.value()) }
                    input { id: "hook-answers", required: true, placeholder: "{answers_hint}",
                        aria_label: "{answers_label}", value: "{answers}", oninput: move |e| answers.set(e.value()) }
                }
                button { id: "hook-create", r#type: "submit", "Create hook" }
            }
        }
    }
}

/// What is shown once of a hook just made or given a new secret.
fn once(hook: &Hook) -> Option<Vec<(String, String)>> {
    match (&hook.secrets, &hook.url) {
        (Some((secret, token)), _) => {
            let mut lines = vec![("signing secret".to_owned(), secret.clone())];
            if !token.is_empty() {
                lines.push(("token".to_owned(), token.clone()));
            }
            Some(lines)
        }
        (None, Some(url)) if hook.kind == "incoming" => Some(vec![("URL".to_owned(), url.clone())]),
        _ => None,
    }
}

/// The body that makes a hook of `kind`: a command's name, or trigger words (`@mentions`
/// among them makes it answer mentions of its name).
fn new_hook(name: &str, kind: &str, url: &str, answers: &str) -> Value {
    match kind {
        "outgoing" => {
            let words: Vec<&str> = answers
                .split([',', ' '])
                .map(str::trim)
                .filter(|w| !w.is_empty() && *w != "@mentions")
                .collect();
            json!({ "name": name.trim(), "kind": kind, "url": url.trim(), "triggerWords": words,
                    "onMention": answers.contains("@mentions") })
        }
        "command" => {
            json!({ "name": name.trim(), "kind": kind, "url": url.trim(), "command": answers.trim() })
        }
        _ => json!({ "name": name.trim() }),
    }
}

/// Puts `url` on the clipboard, where the browser offers one (`navigator.clipboard`, on a
/// secure origin); elsewhere the field's text is there to copy by hand.
fn copy(url: &str) {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
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

use dioxus::prelude::*;

use crate::{api, session::Auth};

/// Sign in, or create an account. The refresh token comes back as an HttpOnly cookie;
/// only the short-lived access token is kept in memory.
#[component]
pub fn LoginForm(auth: Signal<Auth>) -> Element {
    let mut creating = use_signal(|| false);
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut display_name = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);

    let submit = move |event: FormEvent| {
        event.prevent_default();
        if busy() {
            return;
        }
        busy.set(true);
        spawn(async move {
            let result = if creating() {
                let name = display_name();
                let name = if name.trim().is_empty() {
                    username()
                } else {
                    name
                };
                api::register(&username(), &password(), &name).await
            } else {
                api::login(&username(), &password()).await
            };
            busy.set(false);
            match result {
                Ok(session) => auth.set(Auth::SignedIn(session)),
                Err(message) => error.set(Some(message)),
            }
        });
    };

    let (title, action, switch) = if creating() {
        ("Create an account", "Create account", "I have an account")
    } else {
        ("Sign in", "Sign in", "Create an account")
    };
    rsx! {
        form { class: "join", onsubmit: submit,
            h1 { "edgechat" }
            h2 { "{title}" }
            label { r#for: "username", "Username" }
            input { id: "username", autocomplete: "username", maxlength: 32, required: true,
                value: "{username}", oninput: move |e| username.set(e.value()) }
            label { r#for: "password", "Password" }
            input { id: "password", r#type: "password", maxlength: 128, required: true,
                autocomplete: if creating() { "new-password" } else { "current-password" },
                value: "{password}", oninput: move |e| password.set(e.value()) }
            if creating() {
                label { r#for: "display-name", "Display name" }
                input { id: "display-name", maxlength: 64, autocomplete: "nickname",
                    value: "{display_name}", oninput: move |e| display_name.set(e.value()) }
            }
            if let Some(message) = error() {
                p { class: "error", role: "alert", "{message}" }
            }
            button { id: "auth-submit", r#type: "submit", disabled: busy(), "{action}" }
            button { id: "auth-switch", r#type: "button", class: "link",
                onclick: move |_| { creating.toggle(); error.set(None); }, "{switch}" }
        }
    }
}

use dioxus::prelude::*;

use crate::{api, app::Auth};

/// Display name and status text.
#[component]
pub fn ProfileForm(auth: Signal<Auth>, open: Signal<bool>) -> Element {
    let me = auth.peek().session().map(|s| s.user.clone());
    let mut name = use_signal(|| {
        me.as_ref()
            .map(|m| m.display_name.clone())
            .unwrap_or_default()
    });
    let mut status = use_signal(|| {
        me.as_ref()
            .map(|m| m.status_text.clone())
            .unwrap_or_default()
    });
    let mut error = use_signal(|| None::<String>);

    let save = move |event: FormEvent| {
        event.prevent_default();
        let Some(token) = auth.peek().session().map(|s| s.access_token.clone()) else {
            return;
        };
        spawn(async move {
            match api::update_me(&token, &name(), &status()).await {
                Ok(user) => {
                    if let Auth::SignedIn(session) = &mut *auth.write() {
                        session.user = user;
                    }
                    open.set(false);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    rsx! {
        form { class: "profile", onsubmit: save,
            label { r#for: "profile-name", "Display name" }
            input { id: "profile-name", maxlength: 64, value: "{name}", oninput: move |e| name.set(e.value()) }
            label { r#for: "profile-status", "Status" }
            input { id: "profile-status", maxlength: 140, placeholder: "What are you up to?",
                value: "{status}", oninput: move |e| status.set(e.value()) }
            if let Some(message) = error() {
                p { class: "error", role: "alert", "{message}" }
            }
            button { id: "profile-save", r#type: "submit", "Save" }
        }
    }
}

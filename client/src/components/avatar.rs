use dioxus::prelude::*;

/// A user's picture, or their initial when they have none (the avatar URL answers 404).
/// `version` changes the URL when the user replaces their picture, and gives a picture
/// that failed before another chance.
#[component]
pub fn Avatar(user_id: String, name: String, #[props(default)] version: String) -> Element {
    let mut failed_for = use_signal(|| None::<String>);
    // Capitalized by the stylesheet (`text-transform`): the browser knows every
    // script's case rules, and the .wasm need not carry Unicode's uppercase table.
    let initial: String = name.chars().take(1).collect();
    if failed_for.read().as_deref() == Some(version.as_str()) {
        return rsx! {
            span { class: "avatar initials", aria_hidden: "true", "{initial}" }
        };
    }
    let failed = version.clone();
    // Lazy: a member list of thousands asks only for the faces in view.
    rsx! {
        img { class: "avatar", alt: "", width: 32, height: 32, loading: "lazy",
            src: "/api/users/{user_id}/avatar?v={version}",
            onerror: move |_| failed_for.set(Some(failed.clone())) }
    }
}

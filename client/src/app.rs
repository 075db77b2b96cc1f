//! The top of the component tree: who is signed in, and which room is open.

use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;

use crate::{
    api,
    components::{ChatRoom, JoinForm, LoginForm, ProfileForm},
    session::{Session, refresh_delay},
};

/// Where the user stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// Asking whether the refresh cookie still holds a session.
    Checking,
    SignedOut,
    SignedIn(Session),
}

impl Auth {
    pub fn session(&self) -> Option<&Session> {
        match self {
            Auth::SignedIn(session) => Some(session),
            _ => None,
        }
    }
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

#[component]
pub fn App() -> Element {
    let mut auth = use_signal(|| Auth::Checking);
    let mut room = use_signal(|| None::<String>);
    let mut editing_profile = use_signal(|| false);

    // Silent refresh: a new access token from the refresh cookie shortly before the old
    // one expires (and once at start, to pick up a session from an earlier visit). A
    // refused refresh signs out instead of retrying.
    use_future(move || async move {
        loop {
            let (wait, planned) = match &*auth.peek() {
                Auth::Checking => (0, None),
                Auth::SignedOut => (1_000, None),
                Auth::SignedIn(session) => (
                    refresh_delay(now(), session.access_expires_at),
                    Some(session.access_token.clone()),
                ),
            };
            TimeoutFuture::new(wait.min(u64::from(u32::MAX)) as u32).await;
            // Refresh only if nothing changed while waiting (a sign-in, a sign-out).
            let due = match (&*auth.peek(), &planned) {
                (Auth::Checking, _) => true,
                (Auth::SignedIn(session), Some(token)) => &session.access_token == token,
                _ => false,
            };
            if !due {
                continue;
            }
            match api::refresh().await {
                Ok(session) => auth.set(Auth::SignedIn(session)),
                Err(_) => auth.set(Auth::SignedOut),
            }
        }
    });

    let sign_out = move |_| {
        spawn(async move {
            api::logout().await;
            room.set(None);
            auth.set(Auth::SignedOut);
        });
    };

    let current = auth();
    rsx! {
        main { class: "app",
            match current {
                Auth::Checking => rsx! { p { class: "banner", role: "status", "Loading…" } },
                Auth::SignedOut => rsx! { LoginForm { auth } },
                Auth::SignedIn(session) => rsx! {
                    header { class: "top",
                        span { class: "me", "{session.user.display_name}" }
                        if !session.user.status_text.is_empty() {
                            span { class: "status", "{session.user.status_text}" }
                        }
                        button { id: "profile", r#type: "button", onclick: move |_| editing_profile.toggle(), "Profile" }
                        button { id: "sign-out", r#type: "button", onclick: sign_out, "Sign out" }
                    }
                    if editing_profile() {
                        ProfileForm { auth, open: editing_profile }
                    }
                    match room() {
                        None => rsx! { JoinForm { room, auth } },
                        Some(name) => rsx! { ChatRoom { key: "{name}", room: name, auth } },
                    }
                },
            }
        }
    }
}

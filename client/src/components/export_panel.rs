use dioxus::prelude::*;

use crate::{
    api::exports::{self, Export},
    session::Auth,
};

/// How often a running export is asked after.
const POLL_MS: u32 = 1_000;

/// What the panel exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exported {
    /// A room, for its admins (its settings).
    Room(String),
    /// The user's own account (their profile).
    Account,
}

impl Exported {
    /// Where its exports are asked for.
    fn path(&self) -> String {
        match self {
            Exported::Room(room) => format!("/api/rooms/{room}/exports"),
            Exported::Account => "/api/me/exports".to_owned(),
        }
    }
}

/// An export: one button starts it, a progress bar follows it while the server writes it,
/// and the archive's link shows once it is ready. The link works for an hour; asking
/// again (reopening the panel) gives a new one. A room's export is in its settings, for
/// its admins; the user's own account's in their profile.
#[component]
pub fn ExportPanel(auth: Signal<Auth>, of: Exported) -> Element {
    let export = use_signal(|| None::<Export>);
    let failure = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let path = of.path();
    // Opened again, the panel shows the newest export: still running, or its link.
    let here = path.clone();
    use_hook(move || {
        spawn(async move {
            let Some(token) = auth.peek().token() else {
                return;
            };
            if let Ok(Some(found)) = exports::latest(&token, &here).await {
                follow(auth, here, Ok(found), export, failure).await;
            }
        })
    });
    let start = move |_| {
        let Some(token) = auth.peek().token() else {
            return;
        };
        let path = path.clone();
        busy.set(true);
        spawn(async move {
            let started = exports::start(&token, &path).await;
            follow(auth, path, started, export, failure).await;
            busy.set(false);
        });
    };
    let account = of == Exported::Account;
    let (id, title, about, action, too_large) = if account {
        (
            "account-export",
            "Your data",
            "Your profile, your rooms, everything you wrote (as edited, with its reactions) and the files you uploaded, in one archive: a tar of JSON Lines and the files.",
            "Export my data",
            "Your account is larger than one export may be.",
        )
    } else {
        (
            "room-export",
            "Export",
            "Everything said here, its members and its files, in one archive: a tar of JSON Lines and the files, to keep or to import into another room.",
            "Export this room",
            "This room is larger than one export may be.",
        )
    };
    let shown = export();
    rsx! {
        section { id, aria_labelledby: "{id}-title",
            h4 { id: "{id}-title", "{title}" }
            p { class: "notice", "{about}" }
            if let Some(message) = failure() {
                p { class: "error", role: "alert", "{message}" }
            }
            match shown {
                // An account's export has no end to measure against: the bar only moves.
                Some(e) if e.running() && e.through == 0 => rsx! {
                    label { r#for: "export-progress", "Exporting: {e.messages} messages and {e.files} files so far" }
                    progress { id: "export-progress" }
                },
                Some(e) if e.running() => rsx! {
                    label { r#for: "export-progress", "Exporting: {e.messages} messages so far" }
                    progress { id: "export-progress", max: "{e.through.max(1)}", value: "{e.written}" }
                },
                Some(Export { url: Some(url), bytes, .. }) => rsx! {
                    p { role: "status", "The archive is ready." }
                    a { id: "export-download", href: "{url}", download: "", "Download the archive ({size(bytes)})" }
                    p { class: "notice", "The link works for an hour and only for you; the archive is kept for a week." }
                    button { id: "export-start", r#type: "button", class: "link", disabled: busy(), onclick: start,
                        "Export again" }
                },
                Some(_) => rsx! {
                    p { class: "error", role: "alert", "{too_large}" }
                },
                None => rsx! {
                    button { id: "export-start", r#type: "button", disabled: busy(), onclick: start,
                        "{action}" }
                },
            }
        }
    }
}

/// Shows `current`, then asks after it every [`POLL_MS`] while it is running (the
/// panel closing ends this).
async fn follow(
    auth: Signal<Auth>,
    path: String,
    mut current: Result<Export, String>,
    mut export: Signal<Option<Export>>,
    mut failure: Signal<Option<String>>,
) {
    while let Ok(now) = &current {
        export.set(Some(now.clone()));
        failure.set(None);
        if !now.running() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
        let token = auth.peek().token().unwrap_or_default();
        current = exports::progress(&token, &path, &now.export_id).await;
    }
    if let Err(message) = current {
        failure.set(Some(message));
    }
}

/// A size as people read it.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} bytes"),
    }
}

use dioxus::prelude::*;

use super::{
    avatar::Avatar,
    export_panel::{ExportPanel, Exported},
};
use crate::{api, hooks::Presence, prefs, session::Auth, session::Me, transfer};

/// The profile dialog: display name, status text, avatar and this browser's settings.
/// Save keeps the name and status; Cancel, Esc or a click outside leaves them as they
/// were.
#[component]
pub fn ProfileForm(auth: Signal<Auth>, open: Signal<bool>, mut presence: Presence) -> Element {
    let me = auth.peek().session().map(|s| s.user.clone());
    crate::focus::use_dialog_focus("profile-name");
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
    let mut away = use_signal(|| prefs::chosen_status().is_some());
    let mut sound = use_signal(prefs::sound);
    let mut push_on = use_signal(crate::push::wanted);
    let mut push_busy = use_signal(|| false);
    let mut push_error = use_signal(|| None::<String>);
    let toggle_push = move |event: FormEvent| {
        let on = event.checked();
        let Some(token) = auth.peek().token() else {
            return;
        };
        // As clicked until the answer: a refused "on" then changes it back, so the box
        // shows what is true.
        push_on.set(on);
        push_busy.set(true);
        push_error.set(None);
        spawn(async move {
            let result = if on {
                crate::push::enable(&token).await
            } else {
                crate::push::disable(&token).await
            };
            push_busy.set(false);
            push_on.set(crate::push::wanted());
            push_error.set(result.err());
        });
    };

    let save = move |event: FormEvent| {
        event.prevent_default();
        let Some(token) = auth.peek().token() else {
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
    let change_avatar = move |_| {
        let Some(token) = auth.peek().token() else {
            return;
        };
        let Some(file) = transfer::chosen_files("avatar-input").into_iter().next() else {
            return;
        };
        spawn(async move {
            let answer = transfer::send(
                "PUT",
                "/api/me/avatar",
                &token,
                &file,
                None,
                Box::new(|_| {}),
            )
            .await;
            match answer.and_then(|a| serde_json::from_value::<Me>(a).map_err(|e| e.to_string())) {
                Ok(user) => {
                    if let Auth::SignedIn(session) = &mut *auth.write() {
                        session.user = user;
                    }
                    error.set(None);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let (user_id, display_name, avatar_version) = me
        .map(|m| (m.id, m.display_name, m.avatar_file_id.unwrap_or_default()))
        .unwrap_or_default();
    let avatar_version = auth
        .read()
        .session()
        .and_then(|s| s.user.avatar_file_id.clone())
        .unwrap_or(avatar_version);
    rsx! {
        div { class: "dialog-backdrop", onclick: move |_| open.set(false),
        form { id: "profile-dialog", class: "profile dialog", role: "dialog", aria_modal: "true",
            aria_label: "Your profile", onsubmit: save,
            onclick: move |e| e.stop_propagation(),
            onkeydown: move |e: KeyboardEvent| if e.key() == Key::Escape {
                open.set(false)
            } else {
                crate::focus::keep_tab_within("profile-dialog", &e)
            },
            header { class: "dialog-header",
                h2 { "Your profile" }
            }
            div { class: "avatar-row",
                Avatar { user_id, name: display_name, version: avatar_version.clone() }
                input { id: "avatar-input", r#type: "file", accept: "image/png,image/jpeg,image/gif,image/webp",
                    class: "visually-hidden", onchange: change_avatar }
                label { r#for: "avatar-input", class: "button-like", "Change avatar" }
            }
            label { r#for: "profile-name", "Display name" }
            input { id: "profile-name", maxlength: 64, value: "{name}", oninput: move |e| name.set(e.value()) }
            label { r#for: "profile-status", "Status" }
            input { id: "profile-status", maxlength: 140, placeholder: "What are you up to?",
                value: "{status}", oninput: move |e| status.set(e.value()) }
            label { class: "check",
                input { id: "appear-away", r#type: "checkbox", checked: away(),
                    onchange: move |e| { away.set(e.checked()); presence.update_status(e.checked()); } }
                " Appear away"
            }
            label { r#for: "away-after", "Show me as away after" }
            select { id: "away-after",
                onchange: move |e| if let Ok(minutes) = e.value().parse() { prefs::set_away_after_minutes(minutes) },
                for minutes in [5u64, 15, 30, 60] {
                    option { value: "{minutes}", selected: prefs::away_after_minutes() == minutes,
                        "{minutes} minutes without activity" }
                }
            }
            label { class: "check",
                input { id: "sound", r#type: "checkbox", checked: sound(),
                    onchange: move |e| { sound.set(e.checked()); prefs::set_sound(e.checked()); if e.checked() { prefs::chime(); } } }
                " Play a sound with notifications"
            }
            label { class: "check",
                input { id: "push-toggle", r#type: "checkbox", checked: push_on(), disabled: push_busy(),
                    onchange: toggle_push }
                " Push mentions and direct messages to this device while edgechat is closed"
            }
            if let Some(why) = push_error() {
                p { id: "push-explained", class: "error", role: "alert", "Push notifications are off: {why}." }
            }
            ExportPanel { auth, of: Exported::Account }
            if let Some(message) = error() {
                p { class: "error", role: "alert", "{message}" }
            }
            div { class: "dialog-actions",
                button { id: "profile-cancel", r#type: "button", class: "secondary", onclick: move |_| open.set(false),
                    "Cancel" }
                button { id: "profile-save", r#type: "submit", "Save" }
            }
        }
        }
    }
}

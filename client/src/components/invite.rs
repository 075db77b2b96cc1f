use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;

use crate::{api, connection::Link, session::Auth};

/// Invites a user to the open room by username.
#[component]
pub fn InviteForm(auth: Signal<Auth>, link: Link, open: Signal<bool>) -> Element {
    let mut username = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    let invite = move |event: FormEvent| {
        event.prevent_default();
        let Some(token) = auth.peek().token() else {
            return;
        };
        let name = username().trim().to_owned();
        let link = link.clone();
        spawn(async move {
            let result = match api::find_user(&token, &name).await {
                Ok(user) => link
                    .send(&ClientMsg::InviteUser {
                        user_id: user.id.clone(),
                    })
                    .map(|()| format!("Invited {}.", user.display_name))
                    .map_err(|_| "Not connected; try again in a moment.".to_owned()),
                Err(message) => Err(message),
            };
            if result.is_ok() {
                username.set(String::new());
            }
            outcome.set(Some(result));
        });
    };
    rsx! {
        form { class: "invite", onsubmit: invite,
            label { r#for: "invite-username", "Invite by username" }
            input { id: "invite-username", autocomplete: "off", maxlength: 32, value: "{username}",
                oninput: move |e| username.set(e.value()) }
            button { id: "invite-submit", r#type: "submit", "Invite" }
            button { r#type: "button", class: "link", onclick: move |_| open.set(false), "Close" }
            match outcome() {
                Some(Ok(text)) => rsx! { p { class: "notice", role: "status", "{text}" } },
                Some(Err(text)) => rsx! { p { class: "error", role: "alert", "{text}" } },
                None => rsx! {},
            }
        }
    }
}

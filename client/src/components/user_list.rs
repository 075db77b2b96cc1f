use dioxus::prelude::*;
use edgechat_protocol::{ClientMsg, Role, RoomUser};

use super::{avatar::Avatar, profile_card::ProfileOpen};
use crate::{
    api, connection::Link, hooks::Presence, presence::describe, session::Auth, state::ChatState,
};

/// The room's members with their avatars and presence (online, away, last seen), online
/// first, with a moderation menu for those the user outranks.
#[component]
pub fn UserList(
    state: Signal<ChatState>,
    link: Link,
    open_room: Signal<Option<String>>,
    auth: Signal<Auth>,
) -> Element {
    let message = move |user_id: String| {
        let Some(token) = auth.peek().token() else {
            return;
        };
        spawn(async move {
            match api::direct_room(&token, &user_id).await {
                Ok(room_id) => open_room.set(Some(room_id)),
                Err(message) => state.write().report(message),
            }
        });
    };
    let card = use_context::<ProfileOpen>();
    let (users, me, my_role, count, after, online) = {
        let state = state.read();
        (
            Presence::online(&state),
            state.me.clone(),
            state.your_role,
            state.member_count,
            state.members_after.clone(),
            state.online_count(),
        )
    };
    // A big room lists one page at first; the rest come a page at a time.
    let unlisted = count.saturating_sub(users.len() as u64);
    let more = {
        let link = link.clone();
        move |_| {
            let _ = link.send(&ClientMsg::ListMembers {
                after: after.clone(),
            });
        }
    };
    let now = js_sys::Date::now() as u64;
    rsx! {
        aside { class: "user-list", aria_label: "Members",
            h3 { "Members · {count} ({online} online)" }
            ul {
                for user in users {
                    {
                        let presence = describe(user.online, user.status, user.last_seen, now);
                        let class = match presence.as_str() {
                            "online" => "presence online",
                            "away" => "presence away",
                            _ => "presence offline",
                        };
                        let may_moderate = my_role >= Role::Moderator && user.role < my_role && user.user_id != me;
                        rsx! {
                            li { key: "{user.user_id}", class: "member", "data-user": "{user.username}",
                                button { r#type: "button", class: "member-card", title: "Profile of {user.username}",
                                    onclick: { let id = user.user_id.clone(); move |_| card.show(&id) },
                                    Avatar { user_id: user.user_id.clone(), name: user.username.clone() }
                                    span { class: "member-name", "{user.username}" }
                                }
                                if user.role != Role::Member {
                                    span { class: "role", "{user.role.as_str()}" }
                                }
                                span { class, "{presence}" }
                                if let Some(text) = user.status_text.clone() {
                                    span { class: "status-text", "{text}" }
                                }
                                if user.user_id != me {
                                    button { r#type: "button", class: "link dm", title: "Message {user.username} directly",
                                        onclick: { let id = user.user_id.clone(); move |_| message(id.clone()) }, "Message" }
                                }
                                if may_moderate {
                                    ModMenu { user: user.clone(), link: link.clone(), admin: my_role == Role::Admin }
                                }
                            }
                        }
                    }
                }
            }
            if unlisted > 0 {
                button { r#type: "button", class: "link more-members", onclick: more,
                    "Show {unlisted} more" }
            }
        }
    }
}

/// Mute and kick, and for admins (whom the room alone lets ban) a ban that asks first,
/// and the moderator role.
#[component]
fn ModMenu(user: RoomUser, link: Link, admin: bool) -> Element {
    let mut confirm_ban = use_signal(|| false);
    let id = user.user_id.clone();
    let act = move |msg: ClientMsg| {
        let _ = link.send(&msg);
    };
    let mute = {
        let (id, act) = (id.clone(), act.clone());
        move |minutes: u64| {
            let until = js_sys::Date::now() as u64 + minutes * 60_000;
            act(ClientMsg::MuteUser {
                user_id: id.clone(),
                until,
            });
        }
    };
    rsx! {
        details { class: "mod-menu",
            summary { aria_label: "Moderate {user.username}", "⋯" }
            div { class: "mod-actions", role: "menu",
                button { r#type: "button", role: "menuitem", class: "mute-10",
                    onclick: { let mute = mute.clone(); move |_| mute(10) }, "Mute 10 min" }
                button { r#type: "button", role: "menuitem", class: "mute-60",
                    onclick: { let mute = mute.clone(); move |_| mute(60) }, "Mute 1 hour" }
                button { r#type: "button", role: "menuitem", class: "unmute",
                    onclick: { let (id, act) = (id.clone(), act.clone()); move |_| act(ClientMsg::UnmuteUser { user_id: id.clone() }) }, "Unmute" }
                button { r#type: "button", role: "menuitem", class: "kick",
                    onclick: { let (id, act) = (id.clone(), act.clone()); move |_| act(ClientMsg::KickUser { user_id: id.clone() }) }, "Remove from room" }
                if admin {
                    button { r#type: "button", role: "menuitem", class: "ban danger",
                        onblur: move |_| confirm_ban.set(false),
                        onclick: { let (id, act) = (id.clone(), act.clone()); move |_| {
                            if confirm_ban() {
                                act(ClientMsg::BanUser { user_id: id.clone() });
                                confirm_ban.set(false);
                            } else {
                                confirm_ban.set(true);
                            }
                        } },
                        if confirm_ban() { "Ban {user.username}? Click again" } else { "Ban" }
                    }
                    if user.role == Role::Member {
                        button { r#type: "button", role: "menuitem", class: "promote",
                            onclick: { let (id, act) = (id.clone(), act.clone()); move |_| act(ClientMsg::SetRole { user_id: id.clone(), role: Role::Moderator }) }, "Make moderator" }
                    } else {
                        button { r#type: "button", role: "menuitem", class: "demote",
                            onclick: { let (id, act) = (id.clone(), act.clone()); move |_| act(ClientMsg::SetRole { user_id: id.clone(), role: Role::Member }) }, "Make member" }
                    }
                }
            }
        }
    }
}

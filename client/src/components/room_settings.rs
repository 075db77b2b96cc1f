use dioxus::prelude::*;
use edgechat_protocol::{ClientMsg, Role};

use crate::hooks::Chat;

/// Slow mode's choices, in seconds (0: off).
const SLOW_MODES: [(u32, &str); 7] = [
    (0, "Off"),
    (10, "10 seconds"),
    (30, "30 seconds"),
    (60, "1 minute"),
    (300, "5 minutes"),
    (900, "15 minutes"),
    (3600, "1 hour"),
];

/// The room's settings: its name, topic, capacity and slow mode, its members' roles and
/// the ban list (the pins have their own panel). Everyone sees them; each control shows
/// only to the roles that may use it (the room checks again): admins rename, set the
/// capacity and slow mode, change roles and unban; moderators set the topic.
#[component]
pub fn RoomSettings(chat: Chat, open: Signal<bool>) -> Element {
    let state = chat.state;
    let role = state.read().your_role;
    let (admin, moderator) = (role == Role::Admin, role >= Role::Moderator);
    // Asked once per opening: the bans, for admins.
    let asker = chat.clone();
    use_hook(move || {
        if admin {
            let mut state = asker.state;
            state.write().reload_bans();
            asker.act(ClientMsg::ListBans { after: None });
        }
    });
    // A role chosen in the list (whose, which), changed only on Save.
    let mut picked = use_signal(|| None::<(String, Role)>);
    // The form starts from the settings as they are when it opens.
    let settings = state.read().settings.clone();
    let start = settings.info.clone();
    let mut name = use_signal(|| start.as_ref().map_or(String::new(), |i| i.name.clone()));
    let mut topic = use_signal(|| start.as_ref().map_or(String::new(), |i| i.topic.clone()));
    let mut capacity = use_signal(|| {
        start
            .as_ref()
            .and_then(|i| i.capacity)
            .map_or(String::new(), |c| c.to_string())
    });
    let mut slow = use_signal(|| settings.slow_mode);
    // The header's button opens this only once the room has said what it is.
    let Some(info) = settings.info.clone() else {
        return rsx! {};
    };
    let saver = chat.clone();
    let (was, was_slow) = (info.clone(), settings.slow_mode);
    let save = move |event: FormEvent| {
        event.prevent_default();
        let cap: u32 = capacity().trim().parse().unwrap_or(0);
        let changed = |now: String, before: &str| (now.trim() != before).then_some(now);
        let update = ClientMsg::UpdateRoom {
            name: changed(name(), &was.name).filter(|_| admin),
            topic: changed(topic(), &was.topic),
            capacity: (admin && Some(cap).filter(|c| *c > 0) != was.capacity).then_some(cap),
        };
        if !matches!(
            &update,
            ClientMsg::UpdateRoom {
                name: None,
                topic: None,
                capacity: None
            }
        ) {
            saver.act(update);
        }
        if admin && slow() != was_slow {
            saver.act(ClientMsg::SetSlowMode { seconds: slow() });
        }
        // What changed shows in the header and as a line in the timeline; a refusal
        // under the messages.
        open.set(false);
    };
    let (me, mut members): (String, Vec<_>) = {
        let state = state.read();
        (state.me.clone(), state.users.values().cloned().collect())
    };
    members.retain(|m| m.user_id != me && m.role < role);
    let limit = match info.capacity {
        Some(cap) => format!("Up to {cap} members"),
        None => "No member limit".to_owned(),
    };
    let slow_text = SLOW_MODES
        .iter()
        .find(|(s, _)| *s == settings.slow_mode)
        .map_or_else(
            || format!("{} s", settings.slow_mode),
            |(_, t)| (*t).to_owned(),
        );
    rsx! {
        section { id: "room-settings", class: "settings-panel", aria_label: "Room settings",
            onkeydown: move |e| if e.key() == Key::Escape { open.set(false) },
            header { class: "dialog-header",
                h3 { "Room settings" }
                button { id: "room-settings-close", r#type: "button", class: "link",
                    onclick: move |_| open.set(false), "Close" }
            }
            if moderator {
                form { class: "settings-form", onsubmit: save,
                    label { r#for: "settings-name", "Name" }
                    if admin {
                        input { id: "settings-name", maxlength: 64, value: "{name}",
                            oninput: move |e| name.set(e.value()) }
                    } else {
                        p { "{info.name}" }
                    }
                    label { r#for: "settings-topic", "Topic" }
                    input { id: "settings-topic", maxlength: 250, placeholder: "What this room is about",
                        value: "{topic}", oninput: move |e| topic.set(e.value()) }
                    if admin {
                        label { r#for: "settings-capacity", "Member limit" }
                        input { id: "settings-capacity", r#type: "number", min: 2, placeholder: "none",
                            value: "{capacity}", oninput: move |e| capacity.set(e.value()) }
                        label { r#for: "settings-slow", "Slow mode" }
                        select { id: "settings-slow",
                            onchange: move |e| slow.set(e.value().parse().unwrap_or(0)),
                            for (seconds, text) in SLOW_MODES {
                                option { value: "{seconds}", selected: seconds == slow(), "{text}" }
                            }
                        }
                    } else {
                        p { "{limit} · Slow mode: {slow_text}" }
                    }
                    button { id: "settings-save", r#type: "submit", "Save" }
                }
            } else {
                dl { class: "settings-about",
                    dt { "Name" } dd { "{info.name}" }
                    dt { "Topic" } dd { if info.topic.is_empty() { "None" } else { "{info.topic}" } }
                    dt { "Limits" } dd { "{limit} · Slow mode: {slow_text}" }
                }
            }
            if admin {
                h4 { "Roles" }
                if members.is_empty() {
                    p { class: "notice", "No one here has a role below yours." }
                }
                ul { class: "settings-roles",
                    for member in members {
                        li { key: "{member.user_id}", "data-user": "{member.username}",
                            span { "{member.username}" }
                            // A role changes on Save, not as the list moves.
                            select { class: "role-select", aria_label: "Role of {member.username}",
                                onchange: {
                                    let id = member.user_id.clone();
                                    move |e: FormEvent| {
                                        let role = match e.value().as_str() {
                                            "admin" => Role::Admin,
                                            "moderator" => Role::Moderator,
                                            _ => Role::Member,
                                        };
                                        picked.set(Some((id.clone(), role)));
                                    }
                                },
                                for r in [Role::Member, Role::Moderator, Role::Admin] {
                                    option { value: "{r.as_str()}",
                                        selected: r == chosen(&picked.read(), &member.user_id).unwrap_or(member.role),
                                        "{r.as_str()}" }
                                }
                            }
                            if let Some(role) = chosen(&picked.read(), &member.user_id).filter(|r| *r != member.role) {
                                button { r#type: "button", class: "save-role",
                                    onclick: {
                                        let (chat, id) = (chat.clone(), member.user_id.clone());
                                        move |_| chat.act(ClientMsg::SetRole { user_id: id.clone(), role })
                                    },
                                    "Save" }
                            }
                        }
                    }
                }
                h4 { "Banned" }
                match settings.bans {
                    None => rsx! { p { class: "notice", "Loading…" } },
                    Some(bans) if bans.is_empty() => rsx! { p { class: "notice", "No one is banned." } },
                    Some(bans) => rsx! {
                        ul { class: "settings-bans",
                            for ban in bans {
                                li { key: "{ban.user_id}", "data-user": "{ban.user_id}",
                                    span { if ban.username.is_empty() { "{ban.user_id}" } else { "{ban.username}" } }
                                    button { r#type: "button", class: "link unban",
                                        onclick: {
                                            let (chat, id) = (chat.clone(), ban.user_id.clone());
                                            move |_| chat.act(ClientMsg::UnbanUser { user_id: id.clone() })
                                        },
                                        "Unban" }
                                }
                            }
                        }
                        if settings.more_bans {
                            button { r#type: "button", class: "link more-bans",
                                onclick: {
                                    let chat = chat.clone();
                                    let after = state.read().settings.bans.as_ref().and_then(|b| b.last()).map(|b| b.user_id.clone());
                                    move |_| chat.act(ClientMsg::ListBans { after: after.clone() })
                                },
                                "Show more" }
                        }
                    },
                }
            }
        }
    }
}

/// The role picked for `user_id`, if the pick is theirs.
fn chosen(picked: &Option<(String, Role)>, user_id: &str) -> Option<Role> {
    picked
        .as_ref()
        .filter(|(whose, _)| whose == user_id)
        .map(|(_, role)| *role)
}

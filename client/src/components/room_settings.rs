use dioxus::prelude::*;
use edgechat_protocol::{ClientMsg, Role, RoomInfo};

use super::{
    audit_panel::AuditPanel,
    export_panel::{ExportPanel, Exported},
    hooks_panel::HooksPanel,
};
use crate::{hooks::Chat, session::Auth};

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

/// Slow mode in words: "Off", "1 minute".
fn slow_text(seconds: u32) -> String {
    SLOW_MODES
        .iter()
        .find(|(s, _)| *s == seconds)
        .map_or_else(|| format!("{seconds} s"), |(_, t)| (*t).to_owned())
}

/// The member limit in words.
fn limit_text(info: &RoomInfo) -> String {
    match info.capacity {
        Some(cap) => format!("Up to {cap} members"),
        None => "No member limit".to_owned(),
    }
}

/// The room's settings: its name, topic, capacity and slow mode, its members' roles and
/// the room's incoming hooks and the ban list (the pins have their own panel). Everyone sees them; each control shows
/// only to the roles that may use it (the room checks again): admins rename, set the
/// capacity and slow mode, change roles and unban; moderators set the topic.
#[component]
pub fn RoomSettings(chat: Chat, auth: Signal<Auth>, open: Signal<bool>) -> Element {
    let state = chat.state;
    let role = state.read().your_role;
    let admin = role == Role::Admin;
    // A deployment admin reads any room's audit log, and everyone's.
    let global = auth
        .read()
        .session()
        .is_some_and(|s| s.user.role == "admin");
    // Asked once per opening: the bans, for admins.
    let asker = chat.clone();
    use_hook(move || {
        if admin {
            let mut state = asker.state;
            state.write().reload_bans();
            asker.act(ClientMsg::ListBans { after: None });
        }
    });
    // The header's button opens this only once the room has said what it is.
    let Some(info) = state.read().settings.info.clone() else {
        return rsx! {};
    };
    let slow_mode = state.read().settings.slow_mode;
    rsx! {
        section { id: "room-settings", class: "settings-panel", aria_label: "Room settings",
            onkeydown: move |e| if e.key() == Key::Escape { open.set(false) },
            header { class: "dialog-header",
                h3 { "Room settings" }
                button { id: "room-settings-close", r#type: "button", class: "link",
                    onclick: move |_| open.set(false), "Close" }
            }
            if role >= Role::Moderator {
                SettingsForm { chat: chat.clone(), open, info: info.clone(), slow_mode, admin }
            } else {
                dl { class: "settings-about",
                    dt { "Name" } dd { "{info.name}" }
                    dt { "Topic" } dd { if info.topic.is_empty() { "None" } else { "{info.topic}" } }
                    dt { "Limits" } dd { "{limit_text(&info)} · Slow mode: {slow_text(slow_mode)}" }
                }
            }
            if admin {
                RolesList { chat: chat.clone(), role }
                HooksPanel { auth, room: chat.room.clone() }
                ExportPanel { auth, of: Exported::Room(chat.room.clone()) }
                {bans_list(chat.clone())}
            }
            if admin || global {
                AuditPanel { auth, room: chat.room.clone(), global }
            }
        }
    }
}

/// What a moderator may change (the topic) and an admin too (the name, the member
/// limit, slow mode), sent on Save, each only if it changed.
#[component]
fn SettingsForm(
    chat: Chat,
    open: Signal<bool>,
    info: RoomInfo,
    slow_mode: u32,
    admin: bool,
) -> Element {
    // The form starts from the settings as they are when it opens.
    let mut name = use_signal(|| info.name.clone());
    let mut topic = use_signal(|| info.topic.clone());
    let mut capacity = use_signal(|| info.capacity.map_or(String::new(), |c| c.to_string()));
    let mut slow = use_signal(|| slow_mode);
    let was = info.clone();
    let save = move |event: FormEvent| {
        event.prevent_default();
        let cap: u32 = capacity().trim().parse().unwrap_or(0);
        let changed = |now: String, before: &str| (now.trim() != before).then_some(now);
        let (name, topic, capacity) = (
            changed(name(), &was.name).filter(|_| admin),
            changed(topic(), &was.topic),
            (admin && Some(cap).filter(|c| *c > 0) != was.capacity).then_some(cap),
        );
        if name.is_some() || topic.is_some() || capacity.is_some() {
            chat.act(ClientMsg::UpdateRoom {
                name,
                topic,
                capacity,
            });
        }
        if admin && slow() != slow_mode {
            chat.act(ClientMsg::SetSlowMode { seconds: slow() });
        }
        // What changed shows in the header and as a line in the timeline; a refusal
        // under the messages.
        open.set(false);
    };
    rsx! {
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
                // Its own label: in the form's two columns, text without one would sit
                // under the labels and push the rest out of line.
                span { "Limits" }
                p { id: "settings-limits", "{limit_text(&info)} · Slow mode: {slow_text(slow_mode)}" }
            }
            button { id: "settings-save", r#type: "submit", "Save" }
        }
    }
}

/// The members below the admin's role, each with a role to pick and Save.
#[component]
fn RolesList(chat: Chat, role: Role) -> Element {
    // A role chosen in the list (whose, which), changed only on Save.
    let mut picked = use_signal(|| None::<(String, Role)>);
    let members: Vec<_> = {
        let state = chat.state.read();
        state
            .users
            .values()
            .filter(|m| m.user_id != state.me && m.role < role)
            .cloned()
            .collect()
    };
    rsx! {
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
    }
}

/// The role picked for `user_id`, if the pick is theirs.
fn chosen(picked: &Option<(String, Role)>, user_id: &str) -> Option<Role> {
    picked
        .as_ref()
        .filter(|(whose, _)| whose == user_id)
        .map(|(_, role)| *role)
}

/// Who is banned, a page at a time, each with Unban.
fn bans_list(chat: Chat) -> Element {
    let (bans, more) = {
        let settings = &chat.state.read().settings;
        (settings.bans.clone(), settings.more_bans)
    };
    let after = bans
        .as_ref()
        .and_then(|b| b.last())
        .map(|b| b.user_id.clone());
    rsx! {
        h4 { "Banned" }
        match bans {
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
                if more {
                    button { r#type: "button", class: "link more-bans",
                        onclick: move |_| chat.act(ClientMsg::ListBans { after: after.clone() }),
                        "Show more" }
                }
            },
        }
    }
}

use dioxus::prelude::*;

use super::{
    invite::InviteForm,
    message_input::MessageInput,
    message_list::MessageList,
    profile_card::{ProfileCard, ProfileOpen},
    room_settings::RoomSettings,
    search_panel::SearchPanel,
    typing_indicator::TypingIndicator,
    user_list::UserList,
};
use crate::{
    clock::moment,
    directory::Directory,
    hooks::use_chat,
    session::Auth,
    state::{Connection, Moderated, plural},
};

/// One open room: its connection, its messages and the box to write in, with the member
/// list, search and invitations a click away.
#[component]
pub fn ChatRoom(
    room: String,
    auth: Signal<Auth>,
    directory: Signal<Directory>,
    jump_to: Signal<Option<(String, u64)>>,
    open_room: Signal<Option<String>>,
) -> Element {
    let chat = use_chat(&room, auth, directory);
    // Switching rooms puts the caret in the new room's message box.
    use_hook(|| crate::focus::focus_soon("message-input"));
    let state = chat.state;
    let replying = use_signal(|| None::<String>);
    let editing = use_signal(|| None::<String>);
    let mut inviting = use_signal(|| false);
    let mut members = use_signal(|| false);
    let mut searching = use_signal(|| false);
    let mut pinned = use_signal(|| false);
    let mut leaving = use_signal(|| false);
    let mut configuring = use_signal(|| false);
    // The member whose card is open, from a name or an avatar anywhere in the room.
    let ProfileOpen(profile) = use_context_provider(|| ProfileOpen(Signal::new(None)));
    let leaver = chat.clone();
    let leave = move |_| {
        if leaving() {
            leaver.leave_room();
            directory.write().left(&leaver.room);
            open_room.set(None);
        } else {
            leaving.set(true);
        }
    };

    let moderated = state.read().moderated.clone();
    let banner = match state.read().connection {
        Connection::Connecting => Some("Connecting…".to_owned()),
        Connection::Connected => None,
        Connection::Disconnected => Some(
            "Connection lost. Reconnecting… Messages you send now go out when it is back."
                .to_owned(),
        ),
        Connection::Closed(code) => Some(closed_because(code, moderated.as_ref())),
        Connection::Missing => None,
        Connection::Forbidden => {
            Some("You cannot open this room: it is private, or you were banned from it.".to_owned())
        }
    };
    // A mute says who and until when, while it lasts.
    let muted = match moderated {
        Some(Moderated::Muted { by, until }) if until > js_sys::Date::now() as u64 => {
            Some(format!(
                "{by} muted you here until {}: what you send is refused until then.",
                moment(until)
            ))
        }
        _ => None,
    };
    let missing = state.read().connection == Connection::Missing;
    let mut creating_error = use_signal(|| None::<String>);
    let creator = chat.link.clone();
    let create_room = {
        let room = room.clone();
        move |_| {
            let Some(token) = auth.peek().token() else {
                return;
            };
            let (room, link) = (room.clone(), creator.clone());
            spawn(async move {
                match crate::api::create_room(&token, &room).await {
                    Ok(_) => {
                        creating_error.set(None);
                        link.reconnect();
                    }
                    Err(message) => creating_error.set(Some(message)),
                }
            });
        }
    };
    let link = chat.link.clone();
    let title = title(&room, &directory.read(), &state.read());
    let topic = state
        .read()
        .settings
        .info
        .as_ref()
        .map(|i| i.topic.clone())
        .filter(|t| !t.is_empty());
    // Only what the user can do here: a room closed to them (missing, full, kicked,
    // banned) offers nothing; nobody is invited to a direct room, which has no settings.
    let shut = !state.read().connection.takes_messages();
    let direct = edgechat_core::ids::shape(&room) == edgechat_core::ids::IdShape::Direct;
    let has_settings = !shut && !direct && state.read().settings.info.is_some();
    let full = state.read().connection == Connection::Closed(edgechat_protocol::close::ROOM_FULL);
    let retry = chat.link.clone();
    rsx! {
        section { class: "room", aria_label: "{title}",
            header { class: "room-header",
                div { class: "room-title",
                    h2 { title: "{title}", "{title}" }
                    if let Some(topic) = topic {
                        p { id: "room-topic", class: "room-topic", title: "{topic}", "{topic}" }
                    }
                }
                if !shut {
                    button { id: "members", r#type: "button", class: "link members", aria_expanded: "{members}",
                        onclick: move |_| members.toggle(), {plural(state.read().member_count, "member", "members")} }
                    button { id: "search", r#type: "button", class: "link", aria_expanded: "{searching}",
                        onclick: move |_| searching.toggle(), "Search" }
                    button { id: "pins", r#type: "button", class: "link", aria_expanded: "{pinned}",
                        onclick: move |_| pinned.toggle(), "Pins" }
                }
                if !shut && !direct {
                    button { id: "invite", r#type: "button", class: "link", aria_expanded: "{inviting}",
                        onclick: move |_| inviting.toggle(), "Invite" }
                }
                if has_settings {
                    button { id: "room-settings-open", r#type: "button", class: "link", aria_expanded: "{configuring}",
                        onclick: move |_| configuring.toggle(), "Settings" }
                }
                if !shut {
                    button { id: "leave", r#type: "button", class: "link", onclick: leave,
                        if leaving() { "Leave for good?" } else { "Leave" } }
                }
            }
            if searching() {
                SearchPanel { room: room.clone(), auth, jump_to, open_room, open: searching, directory }
            }
            if pinned() && !shut {
                super::pins_panel::PinsPanel { chat: chat.clone(), jump_to }
            }
            if configuring() {
                RoomSettings { chat: chat.clone(), auth, open: configuring }
            }
            if inviting() {
                InviteForm { auth, link: link.clone(), open: inviting }
            }
            if let Some(user_id) = profile() {
                ProfileCard { key: "{user_id}", user_id, state, auth, open_room }
            }
            if let Some(text) = banner {
                div { id: "room-banner", class: "banner", role: "status",
                    p { "{text}" }
                    // Full stays full until someone leaves: trying again is the user's call.
                    if full {
                        button { id: "try-again", r#type: "button", onclick: move |_| retry.reconnect(),
                            "Try again" }
                    }
                }
            }
            if let Some(text) = muted {
                p { id: "muted", class: "banner notice", role: "status", "{text}" }
            }
            if missing {
                div { id: "room-missing", class: "banner notice", role: "status",
                    p { "There is no room #{room} yet." }
                    button { id: "create-missing-room", r#type: "button", onclick: create_room,
                        "Create #{room}" }
                    if let Some(error) = creating_error() {
                        p { class: "error", role: "alert", "{error}" }
                    }
                }
            }
            div { class: "room-body",
                MessageList { chat: chat.clone(), replying, editing, jump_to }
                if members() {
                    UserList { state, link: link.clone(), open_room, auth }
                }
            }
            TypingIndicator { state }
            super::announcer::Announcer { state }
            RoomError { state }
            MessageInput { chat: chat.clone(), auth, replying, editing, title: title.clone() }
        }
    }
}

/// What the room is called in its header: a conversation by the other people in it (never
/// the user, never its id), a channel as `#name`.
fn title(room: &str, directory: &Directory, state: &crate::state::ChatState) -> String {
    use edgechat_core::ids::{IdShape, shape};
    // A channel by the room's own word (renames included) once it has spoken.
    let renamed = state.settings.info.as_ref().map(|i| i.name.clone());
    match (directory.entry_of(room), shape(room)) {
        (Some(entry), _) if entry.is_conversation() => entry.label(),
        (_, IdShape::Direct) => state
            .users
            .values()
            .find(|u| u.user_id != state.me)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| "Direct message".to_owned()),
        (_, IdShape::Group) => renamed.unwrap_or_else(|| "Group conversation".to_owned()),
        (entry, _) => format!(
            "#{}",
            renamed
                .or_else(|| entry.map(|e| e.name.clone()))
                .as_deref()
                .unwrap_or(room)
        ),
    }
}

/// What the user is told when the room closed their socket for good, by its close code,
/// naming the moderator when the room said who it was.
fn closed_because(code: u16, moderated: Option<&Moderated>) -> String {
    use edgechat_protocol::close;
    match (code, moderated) {
        (close::KICKED, Some(Moderated::Kicked { by })) => format!(
            "{by} removed you from this room. Join it again from the room list to take part."
        ),
        (close::BANNED, Some(Moderated::Banned { by })) => {
            format!("{by} banned you from this room, so you cannot read or write here.")
        }
        _ => closed_for(code).to_owned(),
    }
}

fn closed_for(code: u16) -> &'static str {
    use edgechat_protocol::close;
    match code {
        close::KICKED => {
            "You were removed from this room. Join it again from the room list to take part."
        }
        close::BANNED => "You were banned from this room, so you cannot read or write here.",
        close::LEFT => "You left this room.",
        close::TOO_MANY_SOCKETS => {
            "This room is open in too many other tabs or devices, so it closed here. Reload to use it here."
        }
        close::ACCOUNT_DISABLED => "This account was disabled.",
        close::FORBIDDEN => "You cannot open this room: it is private, or you were banned from it.",
        close::ROOM_FULL => {
            "This room is full. Try again when someone has left, or ask a moderator to raise its member limit."
        }
        _ => "This room closed the connection. Reload the page to rejoin.",
    }
}

/// What the room last refused, under the messages; one that asked for a wait (slow
/// mode, a rate limit) goes when the wait is over.
#[component]
fn RoomError(state: Signal<crate::state::ChatState>) -> Element {
    let expiring = use_memo(move || {
        let state = state.read();
        state.last_error.clone().zip(state.error_lasts)
    });
    use_effect(move || {
        if let Some((error, lasts)) = expiring() {
            spawn(async move {
                gloo_timers::future::TimeoutFuture::new(lasts.min(u64::from(u32::MAX)) as u32)
                    .await;
                state.write().outlived(&error);
            });
        }
    });
    rsx! {
        if let Some(error) = state.read().last_error.clone() {
            p { class: "error", role: "alert", "{error}" }
        }
    }
}

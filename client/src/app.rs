//! The top of the component tree: who is signed in, and which room is open.

use std::rc::Rc;

use dioxus::prelude::*;

use crate::{
    alerts::{self, Permission},
    api,
    attention::use_attention,
    components::{ChatRoom, LoginForm, ProfileForm, RoomList},
    courier::Couriers,
    directory::Directory,
    hooks::{use_link, use_presence},
    inbox::{self, InboxEndpoint},
    route,
    session::{Auth, use_silent_refresh},
    stored,
};

#[component]
pub fn App() -> Element {
    let auth = use_signal(|| Auth::Checking);
    let unreachable = use_silent_refresh(auth);

    let current = auth();
    rsx! {
        main { class: "app",
            match current {
                Auth::Checking if unreachable() => rsx! {
                    p { class: "banner", role: "status", "Cannot reach the server. Trying again…" }
                },
                Auth::Checking => rsx! { p { class: "banner", role: "status", "Loading…" } },
                Auth::SignedOut => rsx! { LoginForm { auth } },
                Auth::SignedIn(session) => rsx! { Workspace { key: "{session.user.id}", auth } },
            }
        }
    }
}

/// The signed-in screen: the user's bar, the room list with the inbox behind it, and
/// the open room.
#[component]
fn Workspace(auth: Signal<Auth>) -> Element {
    let mut room = use_signal(|| None::<String>);
    let mut editing_profile = use_signal(|| false);
    // The "+" dialog: join, browse or create a room (opened by `?room=` too).
    let mut adding = use_signal(crate::components::asked_for);
    let mut directory = use_signal(Directory::default);
    // The room the address names (`/r/{id}`: a reload, a shared link, a push's link),
    // settled once the room list is loaded. One of the user's rooms opens; any other is
    // offered with a Join button, so a link someone else made cannot make the user join.
    let mut linked = use_signal(route::current);
    let mut offered = use_signal(|| None::<String>);
    // At `/`: a new account's landing room (the deployment's default), else the room
    // last open in this browser, opened once the list is loaded if it is still the
    // user's.
    let (me, welcome) = auth
        .peek()
        .session()
        .map(|s| (s.user.id.clone(), s.default_room.clone()))
        .unwrap_or_default();
    let mut resume = use_signal(|| {
        let here = route::current();
        here.is_none()
            .then(|| welcome.clone().or_else(|| stored::last_room(&me)))
            .flatten()
    });
    // The server said a store is down: say so until it is back, then reload the list.
    let outage = crate::outage::use_outage();
    let mut was_out = use_signal(|| false);
    use_effect(move || {
        let out = outage();
        if was_out.replace(out) && !out {
            crate::inbox::refresh_later(directory, auth, 0);
        }
    });
    // Messages queued in rooms not open go out on sockets of their own.
    let couriers = use_hook(Couriers::default);
    use_effect(move || {
        if let Some(target) = linked() {
            let directory = directory.read();
            if !directory.loaded {
                return;
            }
            let mine = directory.knows(&target);
            linked.set(None);
            room.set(mine.then(|| target.clone()));
            offered.set((!mine).then_some(target));
            return;
        }
        if let Some(target) = resume() {
            let directory = directory.read();
            if !directory.loaded {
                return;
            }
            resume.set(None);
            if directory.knows(&target) || welcome.as_ref() == Some(&target) {
                room.set(Some(target));
            }
            return;
        }
        // The address follows the open room, a history entry each, so Back goes back.
        let open = room();
        if let Some(open) = &open {
            stored::save_last_room(&me, open);
        }
        route::show(open.as_ref().or(offered().as_ref()).map(String::as_str));
        let token = auth().token();
        couriers.sync(open.as_deref(), directory, auth);
        couriers.set_token(&token.unwrap_or_default());
    });
    use_hook(|| {
        Rc::new(route::on_back(move |target| {
            offered.set(None);
            match target {
                Some(target) => linked.set(Some(target)),
                None => room.set(None),
            }
        }))
    });
    let mut permission = use_signal(alerts::permission);
    // Why there are no desktop notifications, once the browser refused them.
    let mut explaining = use_signal(|| false);
    let attention = use_attention();
    // Back at the page: what arrived in the open room meanwhile is in front of the user.
    use_effect(move || {
        if (attention.0)() {
            directory.write().looking();
        }
    });
    // On a phone the room list and the room take turns; this says the list is showing.
    let mut show_rooms = use_signal(|| false);
    crate::shortcuts::use_shortcuts(directory, room, show_rooms);
    // A search hit to show once its room has it loaded.
    let jump_to = use_signal(|| None::<(String, u64)>);
    let (inbox, inbox_state) = use_link(auth, || InboxEndpoint { directory, auth });
    // Away after a while without input or while the tab is hidden; online on return.
    let mut presence = use_presence(inbox.clone());
    let mut presence_key = presence;
    // The unread total in the tab title.
    use_effect(move || {
        let title = directory.read().title();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
    });
    // A room opened from the join form joins the list once the server has it.
    use_effect(move || {
        if let Some(id) = room() {
            offered.set(None);
            show_rooms.set(false);
            directory.write().open(&id);
            inbox::refresh_later(directory, auth, 1_500);
        }
    });
    let sign_out = move |_| {
        let token = auth.peek().token();
        // The inbox closes first: the user is offline at once, not after a timeout.
        inbox.disconnect();
        spawn(async move {
            // This browser stops getting the account's pushes.
            if let Some(token) = token.filter(|_| crate::push::wanted()) {
                let _ = crate::push::disable(&token).await;
            }
            api::logout().await;
            auth.set(Auth::SignedOut);
        });
    };
    let Some(session) = auth().session().cloned() else {
        return rsx! {};
    };
    rsx! {
        a { class: "skip-link", href: "#message-input",
            onclick: move |e| {
                e.prevent_default();
                crate::focus::focus("message-input");
            },
            "Skip to the message box" }
        header { class: "top",
            button { id: "rooms-toggle", r#type: "button", class: "link", aria_expanded: "{show_rooms}",
                onclick: move |_| show_rooms.toggle(), "☰ Rooms" }
            span { class: "me", "{session.user.display_name}" }
            // The inbox's own state: without it no badge or notification arrives.
            match inbox_state() {
                crate::state::Connection::Disconnected => rsx! {
                    span { id: "inbox-offline", class: "inbox-offline", role: "status", "Offline: reconnecting…" }
                },
                // Closed for good (open in too many places): nothing retries, so say so.
                crate::state::Connection::Closed(_) => rsx! {
                    span { id: "inbox-closed", class: "inbox-offline", role: "status",
                        "Notifications stopped in this tab (open in too many places). Reload to resume." }
                },
                _ => rsx! {},
            }
            if !session.user.status_text.is_empty() {
                span { class: "status", "{session.user.status_text}" }
            }
            match permission() {
                Permission::Undecided => rsx! {
                    button { id: "enable-notifications", r#type: "button", class: "link",
                        title: "Enable notifications", aria_label: "Enable notifications",
                        onclick: move |_| {
                            spawn(async move {
                                let answer = alerts::ask().await;
                                explaining.set(answer == Permission::Refused);
                                permission.set(answer);
                            });
                        }, "🔔" }
                },
                Permission::Refused => rsx! {
                    button { id: "notifications-blocked", r#type: "button", class: "link",
                        title: "Notifications are blocked", aria_label: "Notifications are blocked",
                        aria_expanded: "{explaining}", onclick: move |_| explaining.toggle(), "🔕" }
                },
                Permission::Granted => rsx! {},
            }
            button { id: "profile", r#type: "button", onclick: move |_| editing_profile.toggle(), "Profile" }
            button { id: "sign-out", r#type: "button", onclick: sign_out, "Sign out" }
        }
        if outage() {
            p { id: "unavailable", class: "banner notice", role: "status",
                "Some features are unavailable for a moment (sign-in, search, the room list, files). Your open rooms still work; edgechat tries again by itself." }
        }
        if explaining() {
            div { id: "notifications-explained", class: "banner notice", role: "status",
                p { "Desktop notifications are blocked for this site, so mentions and direct messages show only in the room list and the tab title. To get them, allow notifications for this site in your browser's site settings (the icon left of the address), then reload." }
                button { r#type: "button", class: "link", onclick: move |_| explaining.set(false), "Dismiss" }
            }
        }
        if editing_profile() {
            ProfileForm { auth, open: editing_profile, presence }
        }

        div { onpointermove: move |_| presence.active(), onkeydown: move |_| presence_key.active(),
            class: match (room().is_some(), show_rooms()) {
                (true, false) => "layout room-open",
                _ => "layout",
            },
            RoomList { directory, room, auth, adding }
            match (room(), offered()) {
                (None, Some(id)) => rsx! {
                    section { id: "room-offer", class: "welcome",
                        h2 { "#{id}" }
                        p { "You are not in this room yet." }
                        button { id: "join-offered", r#type: "button",
                            onclick: move |_| room.set(Some(id.clone())), "Join #{id}" }
                    }
                },
                (None, None) => rsx! {
                    section { class: "welcome",
                        h2 { "Pick a room" }
                        p { "Choose one on the left, or join, browse or create one." }
                        button { id: "welcome-new-room", r#type: "button", onclick: move |_| adding.set(true),
                            "Join or create a room" }
                    }
                },
                (Some(name), _) => rsx! { ChatRoom { key: "{name}", room: name, auth, directory, jump_to, open_room: room } },
            }
        }
    }
}

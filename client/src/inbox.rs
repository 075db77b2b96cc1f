//! The user's inbox socket: notifications that a room went unread or mentions the user,
//! and rooms the user was added to. It keeps the room list's counts current and raises
//! desktop notifications.

use dioxus::prelude::*;
use edgechat_protocol::{NotificationKind, ServerMsg};

use crate::{
    api,
    app::Auth,
    connection::{Channel, Link},
    directory::Directory,
    state::Connection,
};

pub struct InboxChannel {
    pub directory: Signal<Directory>,
    pub auth: Signal<Auth>,
}

pub type InboxLink = Link<InboxChannel>;

impl Channel for InboxChannel {
    fn path(&self) -> String {
        "/api/me/ws".to_owned()
    }

    fn frame(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Notification {
                room_id,
                kind,
                from,
                excerpt,
                ..
            } => {
                let alert = self.directory.write().notified(&room_id, kind);
                if alert || hidden() {
                    let room = self
                        .directory
                        .peek()
                        .rooms
                        .iter()
                        .find(|r| r.room_id == room_id)
                        .map_or_else(|| room_id.clone(), |r| r.name.clone());
                    let title = match (kind, &from) {
                        (NotificationKind::Mention, Some(from)) => {
                            format!("{from} mentioned you in #{room}")
                        }
                        (_, Some(from)) => format!("{from} in #{room}"),
                        (_, None) => format!("New messages in #{room}"),
                    };
                    desktop_notification(&title, excerpt.as_deref().unwrap_or(""), &room_id);
                    if crate::prefs::sound() {
                        crate::prefs::chime();
                    }
                }
                // The server's counts, once its write-behind has them.
                refresh_later(self.directory, self.auth, 1_500);
            }
            ServerMsg::RoomCreated { room } => self.directory.write().added(&room),
            _ => {}
        }
    }

    fn resend(&self) -> Vec<edgechat_protocol::ClientFrame> {
        Vec::new()
    }

    fn connection(&mut self, connection: Connection) {
        if connection == Connection::Connecting {
            // Anything missed while the inbox was down is in the server's counts.
            refresh_later(self.directory, self.auth, 0);
        }
    }
}

/// Reloads the room list after `delay_ms`.
pub fn refresh_later(mut directory: Signal<Directory>, auth: Signal<Auth>, delay_ms: u32) {
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(delay_ms).await;
        let Some(token) = auth.peek().session().map(|s| s.access_token.clone()) else {
            return;
        };
        // The workspace may have gone (a sign-out) while the list was on its way.
        if let Ok(rooms) = api::my_rooms(&token).await
            && let Ok(mut directory) = directory.try_write()
        {
            directory.load(rooms);
        }
    });
}

fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Shows a desktop notification if the user allowed them. One per room at a time (the
/// tag), so a busy room does not stack up alerts.
fn desktop_notification(title: &str, body: &str, room_id: &str) {
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(room_id);
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// Whether to offer the "Enable notifications" button: the user has not decided yet.
pub fn may_ask() -> bool {
    web_sys::Notification::permission() == web_sys::NotificationPermission::Default
}

/// Asks for permission; only ever called from a click, as browsers require.
pub fn ask() {
    let _ = web_sys::Notification::request_permission();
}

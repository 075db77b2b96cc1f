//! The user's inbox socket: notifications that a room went unread or mentions the user,
//! and rooms the user was added to. It keeps the room list's counts current and raises
//! desktop notifications (through [`crate::alerts`]).

use dioxus::prelude::*;
use edgechat_protocol::{NotificationKind, ServerMsg};

use crate::{
    alerts::alert_user, api, connection::Endpoint, directory::Directory, session::Auth,
    state::Connection,
};
use edgechat_protocol::frame;

pub struct InboxEndpoint {
    pub directory: Signal<Directory>,
    pub auth: Signal<Auth>,
}

impl Endpoint for InboxEndpoint {
    fn path(&self) -> String {
        // A user who chose to appear away arrives away, never online for a moment.
        match crate::prefs::chosen_status() {
            Some(edgechat_protocol::Status::Away) => "/api/me/ws?status=away".to_owned(),
            _ => "/api/me/ws".to_owned(),
        }
    }

    fn frame(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Notification(frame::Notification {
                room_id,
                kind,
                seq,
                from,
                excerpt,
                unread_count,
                ..
            }) => {
                let alert = self
                    .directory
                    .write()
                    .notified(&room_id, kind, seq, unread_count);
                if alert {
                    let room = self
                        .directory
                        .peek()
                        .rooms
                        .iter()
                        .find(|r| r.room_id == room_id)
                        .map_or_else(|| format!("#{room_id}"), |r| r.heading());
                    let title = match (kind, &from) {
                        (NotificationKind::Mention, Some(from)) => {
                            format!("{from} mentioned you in {room}")
                        }
                        (_, Some(from)) => format!("{from} in {room}"),
                        (_, None) => format!("New messages in {room}"),
                    };
                    alert_user(&title, excerpt.as_deref().unwrap_or(""), &room_id);
                }
                // A notification without a count: the server's counts, debounced.
                if unread_count.is_none() {
                    refresh_later(self.directory, self.auth, 1_500);
                }
            }
            ServerMsg::RoomCreated(frame::RoomCreated { room }) => {
                self.directory.write().added(&room);
                // The server's list names a conversation by its other people.
                refresh_later(self.directory, self.auth, 0);
            }
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

thread_local! {
    /// The latest scheduled reload of the room list: an earlier one still waiting
    /// gives way to it.
    static REFRESH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Reloads the room list after `delay_ms`, unless another reload is asked for meanwhile
/// (then that one goes instead): a burst of notifications costs one request.
pub fn refresh_later(mut directory: Signal<Directory>, auth: Signal<Auth>, delay_ms: u32) {
    let ticket = REFRESH.with(|r| {
        r.set(r.get().wrapping_add(1));
        r.get()
    });
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(delay_ms).await;
        if REFRESH.with(|r| r.get()) != ticket {
            return;
        }
        let Some(token) = auth.peek().token() else {
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

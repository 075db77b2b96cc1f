//! Messages queued in a room the user is not looking at go out anyway. A courier is a
//! room socket of its own, opened only while that room's stored outbox holds something:
//! it sends the outbox (the same client ids, so the server keeps each message once),
//! takes the acknowledgements off it, and closes when it is empty. It marks nothing read,
//! and the room list is reloaded after it, so the user's unread and mention counts for
//! that room stay as the server keeps them. A message the room refuses goes back into
//! that room's stored draft, where the user finds it on opening the room.

use std::{cell::RefCell, rc::Rc};

use dioxus::prelude::*;
use edgechat_protocol::{ClientFrame, ServerMsg};

use crate::{
    connection::{Endpoint, Link},
    directory::Directory,
    inbox,
    session::Auth,
    state::{ChatState, Connection},
    stored,
};

/// The couriers running, by room.
#[derive(Clone, Default)]
pub struct Couriers(Rc<RefCell<Vec<(String, Link)>>>);

pub struct Courier {
    state: ChatState,
    couriers: std::rc::Weak<RefCell<Vec<(String, Link)>>>,
    directory: Signal<Directory>,
    auth: Signal<Auth>,
}

impl Couriers {
    /// Starts a courier for every room with a stored outbox except `open` (its own
    /// socket sends it), and stops the one for `open`.
    pub fn sync(&self, open: Option<&str>, directory: Signal<Directory>, auth: Signal<Auth>) {
        let Some((user_id, token)) = auth
            .peek()
            .session()
            .map(|s| (s.user.id.clone(), s.access_token.clone()))
        else {
            return;
        };
        if let Some(open) = open {
            self.0.borrow_mut().retain(|(room, _)| room != open);
        }
        for room in stored::rooms_with_outbox(&user_id) {
            let running = self.0.borrow().iter().any(|(r, _)| *r == room);
            if Some(room.as_str()) == open || running {
                continue;
            }
            let mut state = ChatState::for_user(room.clone(), user_id.clone());
            state.restore_outbox(stored::outbox(&user_id, &room));
            if state.pending.is_empty() {
                continue;
            }
            let courier = Courier {
                state,
                couriers: Rc::downgrade(&self.0),
                directory,
                auth,
            };
            let link = Link::start(courier, &token);
            self.0.borrow_mut().push((room, link));
        }
    }

    /// A refreshed access token, for the couriers' reconnects.
    pub fn set_token(&self, token: &str) {
        for (_, link) in self.0.borrow().iter() {
            link.set_token(token);
        }
    }
}

impl Courier {
    /// Done: stops the socket once this frame's handling is over (it cannot drop itself
    /// from inside its own handler), and reloads the counts its socket may have hidden.
    fn finish(&self) {
        let room = self.state.room.clone();
        let couriers = self.couriers.clone();
        let (directory, auth) = (self.directory, self.auth);
        gloo_timers::callback::Timeout::new(0, move || {
            if let Some(couriers) = couriers.upgrade() {
                couriers.borrow_mut().retain(|(r, _)| *r != room);
            }
            inbox::refresh_later(directory, auth, 1_500);
        })
        .forget();
    }
}

impl Endpoint for Courier {
    fn path(&self) -> String {
        format!("/api/rooms/{}/ws", self.state.room)
    }

    fn frame(&mut self, msg: ServerMsg) {
        self.state.apply(msg);
        let (me, room) = (self.state.me.clone(), self.state.room.clone());
        if let Some(refused) = self.state.returned.take() {
            let draft = stored::draft(&me, &room);
            let text = if draft.is_empty() {
                refused.text
            } else {
                format!("{draft}\n{}", refused.text)
            };
            stored::save_draft(&me, &room, &text);
        }
        let merged = self.state.merged_outbox(stored::outbox(&me, &room));
        stored::save_outbox(&me, &room, &merged);
        if self.state.pending.is_empty() {
            self.finish();
        }
    }

    fn resend(&self) -> Vec<ClientFrame> {
        self.state
            .pending
            .iter()
            .map(|p| p.to_frame(&self.state.room))
            .collect()
    }

    fn connection(&mut self, connection: Connection) {
        // The room will not take them (gone, or closed to the user): they wait in the
        // outbox, where opening the room shows them and says why.
        if !connection.takes_messages() {
            self.finish();
        }
    }

    fn probe(&self) -> Option<String> {
        Some(format!("/api/rooms/{}/messages?limit=1", self.state.room))
    }
}

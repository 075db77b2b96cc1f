//! The open room's connection: a socket that comes back. When it closes, it is opened
//! again after a backoff with jitter, resuming after the last seq the state saw, with the
//! freshest access token; once open, the outbox (messages sent but not acknowledged,
//! including those typed while offline) is sent again, in order, with the same client ids,
//! so the server keeps each exactly once.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use dioxus::prelude::*;
use edgechat_protocol::ClientMsg;
use gloo_timers::callback::Timeout;

use crate::{
    reconnect::{backoff_ms, should_retry},
    socket::RoomSocket,
    state::{ChatState, Connection},
};

/// A shared handle to the room's connection (equal when it is the same one).
#[derive(Clone)]
pub struct Link(Rc<Inner>);

impl PartialEq for Link {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Inner {
    room: String,
    token: RefCell<String>,
    state: Signal<ChatState>,
    socket: RefCell<Option<RoomSocket>>,
    open: Cell<bool>,
    attempt: Cell<u32>,
    retry: RefCell<Option<Timeout>>,
    stopped: Cell<bool>,
}

impl Link {
    pub fn start(room: &str, token: &str, state: Signal<ChatState>) -> Self {
        let inner = Rc::new(Inner {
            room: room.to_owned(),
            token: RefCell::new(token.to_owned()),
            state,
            socket: RefCell::new(None),
            open: Cell::new(false),
            attempt: Cell::new(0),
            retry: RefCell::new(None),
            stopped: Cell::new(false),
        });
        connect(&inner);
        Self(inner)
    }

    /// Sends now if the socket is open; `Err` otherwise (the outbox keeps what must go).
    pub fn send(&self, msg: &ClientMsg) -> Result<(), String> {
        if !self.0.open.get() {
            return Err("offline".into());
        }
        match self.0.socket.borrow().as_ref() {
            Some(socket) => socket.send(msg),
            None => Err("offline".into()),
        }
    }

    /// A refreshed token: handed to the live socket, and used for the next reconnect.
    pub fn set_token(&self, token: &str) {
        *self.0.token.borrow_mut() = token.to_owned();
        let _ = self.send(&ClientMsg::Authenticate {
            token: token.to_owned(),
        });
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stopped.set(true);
    }
}

fn connect(inner: &Rc<Inner>) {
    if inner.stopped.get() {
        return;
    }
    let mut state = inner.state;
    let since = state.peek().seen_seq();
    let (opened, closed) = (Rc::downgrade(inner), Rc::downgrade(inner));
    let socket = RoomSocket::open(
        &inner.room,
        &inner.token.borrow(),
        since,
        state,
        move || {
            if let Some(inner) = opened.upgrade() {
                inner.open.set(true);
                inner.attempt.set(0);
                flush(&inner);
            }
        },
        move |code| {
            if let Some(inner) = closed.upgrade() {
                inner.open.set(false);
                retry(&inner, code);
            }
        },
    );
    match socket {
        Ok(socket) => {
            state.write().set_connection(Connection::Connecting);
            *inner.socket.borrow_mut() = Some(socket);
        }
        Err(_) => retry(inner, 1006),
    }
}

fn retry(inner: &Rc<Inner>, code: u16) {
    if inner.stopped.get() {
        return;
    }
    let mut state = inner.state;
    if !should_retry(code) {
        state.write().set_connection(Connection::Closed);
        return;
    }
    let attempt = inner.attempt.get();
    inner.attempt.set(attempt + 1);
    let wait = backoff_ms(attempt, js_sys::Math::random());
    state.write().set_connection(Connection::Disconnected);
    let weak = Rc::downgrade(inner);
    let timer = Timeout::new(wait as u32, move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    });
    *inner.retry.borrow_mut() = Some(timer);
}

/// Sends every message in the outbox again, oldest first.
fn flush(inner: &Rc<Inner>) {
    let outbox = inner.state.peek().pending.clone();
    if let Some(socket) = inner.socket.borrow().as_ref() {
        for pending in outbox {
            let _ = socket.send(&pending.to_msg(&inner.room));
        }
    }
}

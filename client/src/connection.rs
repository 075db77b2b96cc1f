//! A socket that comes back. When it closes, it is opened again after a backoff with
//! jitter, with the freshest access token; what the endpoint needs resent after an open
//! (a room's outbox, with the same client ids) is sent again in order, so the server keeps
//! each message exactly once. A keep-alive ping every 25 s keeps the connection warm, and
//! a socket that has heard nothing (not even the pong) for a minute is presumed dead and
//! replaced.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use dioxus::prelude::*;
use edgechat_protocol::{
    ClientFrame, ClientMsg, Message, PING_FRAME, RoomEvent, RoomKind, ServerMsg,
};
use gloo_timers::callback::{Interval, Timeout};

use crate::{
    attention::Attention,
    directory::Directory,
    reconnect::{delay_ms, should_retry},
    socket::Attempt,
    state::{ChatState, Connection},
};
use edgechat_protocol::frame;

/// What a [`Link`] connects: where, what to do with frames, what to send after opening.
pub trait Endpoint: 'static {
    /// The path to open now (a room resumes after the last seq it saw).
    fn path(&self) -> String;
    fn frame(&mut self, msg: ServerMsg);
    /// Frames to send as soon as the socket opens.
    fn resend(&self) -> Vec<ClientFrame>;
    fn connection(&mut self, connection: Connection);
    /// Where to ask over HTTP why a socket was refused (a browser sees only close code
    /// 1006 for a refused upgrade), if anywhere.
    fn probe(&self) -> Option<String> {
        None
    }
    /// How many were online in the room when last seen: the first retry after a drop
    /// spreads over a window this sizes (`reconnect::window_ms`).
    fn crowd(&self) -> u64 {
        1
    }
}

/// The open room's endpoint: frames feed its state, the outbox is resent. A message
/// that arrives while the user is not looking counts in the title, and alerts when it
/// mentions them or the room is direct.
pub struct RoomEndpoint {
    pub room: String,
    pub state: Signal<ChatState>,
    pub directory: Signal<Directory>,
    pub attention: Attention,
    /// The user's account name, which mentions match.
    pub handle: String,
}

impl Endpoint for RoomEndpoint {
    fn crowd(&self) -> u64 {
        self.state.peek().online_count()
    }

    fn path(&self) -> String {
        match self.state.peek().seen_seq() {
            Some(since) => format!("/api/rooms/{}/ws?since={since}", self.room),
            None => format!("/api/rooms/{}/ws", self.room),
        }
    }

    fn frame(&mut self, msg: ServerMsg) {
        match &msg {
            ServerMsg::Event(RoomEvent::NewMessage(message)) => self.arrived(message),
            ServerMsg::Event(RoomEvent::RoomUpdated { name, .. }) => {
                self.directory.write().renamed(&self.room, name);
            }
            _ => {}
        }
        self.state.write().apply(msg);
    }

    fn resend(&self) -> Vec<ClientFrame> {
        let state = self.state.peek();
        state
            .pending
            .iter()
            .map(|p| p.to_frame(&self.room))
            .collect()
    }

    fn connection(&mut self, connection: Connection) {
        self.state.write().set_connection(connection);
    }

    fn probe(&self) -> Option<String> {
        Some(format!("/api/rooms/{}/messages?limit=1", self.room))
    }
}

impl RoomEndpoint {
    /// A new message in the open room: seen if the user is looking; otherwise counted,
    /// and an alert when it is for them.
    fn arrived(&mut self, message: &Message) {
        let me = self.state.peek().me.clone();
        let looking = self.attention.looking();
        // A message already here (a replay after a reconnect) is not news.
        let known = self.state.peek().message(&message.message_id).is_some();
        if known || message.user_id == me {
            return;
        }
        // Told to a screen reader, a burst at a time.
        let words: String = crate::markdown::plain(&message.text)
            .chars()
            .take(140)
            .collect();
        let words = if words.is_empty() {
            "sent a file".to_owned()
        } else {
            words
        };
        self.state
            .write()
            .to_announce(message.username.clone(), words);
        if looking {
            self.state.write().saw_arrive(message.seq);
            return;
        }
        self.directory.write().unseen_message();
        let direct = self.directory.peek().kind(&self.room) == Some(RoomKind::Direct);
        if crate::mention::alerts(message, &me, &self.handle, direct, looking) {
            let title = if direct {
                message.username.clone()
            } else {
                format!("{} mentioned you", message.username)
            };
            let body: String = message.text.chars().take(140).collect();
            crate::alerts::alert_user(&title, &body, &self.room);
        }
    }
}

/// The socket to the Worker, under its one name: a browser WebSocket that comes back
/// (one [`Attempt`] after another), shared by handle (equal when it is the same one).
/// One type for every endpoint (the endpoint is boxed), so its code is in the `.wasm`
/// once.
#[derive(Clone)]
pub struct Link(Rc<Inner>);

impl PartialEq for Link {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Inner {
    endpoint: RefCell<Box<dyn Endpoint>>,
    token: RefCell<String>,
    socket: RefCell<Option<Attempt>>,
    open: Cell<bool>,
    attempt: Cell<u32>,
    retry: RefCell<Option<Timeout>>,
    /// Gives up on a handshake that never finishes.
    handshake: RefCell<Option<Timeout>>,
    keepalive: RefCell<Option<Interval>>,
    /// When the socket last heard anything, in ms since the epoch.
    heard: Cell<f64>,
    /// How many times a socket opened, so a listener can tell a reconnect happened.
    opens: Cell<u32>,
    stopped: Cell<bool>,
}

/// Silence longer than this, on an open socket, means the connection is gone.
const SILENCE_MS: f64 = 60_000.0;
/// A handshake not done in this long is abandoned and tried again.
const HANDSHAKE_MS: u32 = 15_000;

impl Link {
    pub fn start(endpoint: impl Endpoint, token: &str) -> Self {
        let inner = Rc::new(Inner {
            endpoint: RefCell::new(Box::new(endpoint)),
            token: RefCell::new(token.to_owned()),
            socket: RefCell::new(None),
            open: Cell::new(false),
            attempt: Cell::new(0),
            retry: RefCell::new(None),
            handshake: RefCell::new(None),
            keepalive: RefCell::new(None),
            heard: Cell::new(js_sys::Date::now()),
            opens: Cell::new(0),
            stopped: Cell::new(false),
        });
        connect(&inner);
        let weak = Rc::downgrade(&inner);
        *inner.keepalive.borrow_mut() = Some(Interval::new(25_000, move || {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            if !inner.open.get() {
                return;
            }
            if js_sys::Date::now() - inner.heard.get() > SILENCE_MS {
                inner.open.set(false);
                inner.socket.replace(None);
                retry(&inner, 1006);
            } else if let Some(socket) = inner.socket.borrow().as_ref() {
                let _ = socket.send_raw(PING_FRAME);
            }
        }));
        Self(inner)
    }

    /// Sends now if the socket is open; `Err` otherwise.
    pub fn send(&self, msg: &ClientMsg) -> Result<(), String> {
        self.send_frame(&ClientFrame {
            req_id: None,
            msg: msg.clone(),
        })
    }

    pub fn send_frame(&self, frame: &ClientFrame) -> Result<(), String> {
        if !self.0.open.get() {
            return Err("offline".into());
        }
        match self.0.socket.borrow().as_ref() {
            Some(socket) => socket.send(frame),
            None => Err("offline".into()),
        }
    }

    /// How many times a socket has opened: a change means a reconnect.
    pub fn opens(&self) -> u32 {
        self.0.opens.get()
    }

    /// Connects again now, after the user fixed what refused it (created the room).
    pub fn reconnect(&self) {
        self.0.attempt.set(0);
        connect(&self.0);
    }

    /// Closes the socket for good (a sign-out): nothing is retried after.
    pub fn disconnect(&self) {
        let inner = &self.0;
        inner.stopped.set(true);
        inner.open.set(false);
        inner.retry.replace(None);
        inner.handshake.replace(None);
        inner.keepalive.replace(None);
        // Dropping the socket closes it.
        inner.socket.replace(None);
        inner
            .endpoint
            .borrow_mut()
            .connection(Connection::Disconnected);
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
    let path = inner.endpoint.borrow().path();
    let (framed, opened, closed) = (
        Rc::downgrade(inner),
        Rc::downgrade(inner),
        Rc::downgrade(inner),
    );
    let socket = Attempt::open(
        &path,
        &inner.token.borrow(),
        move |msg| {
            if let Some(inner) = framed.upgrade() {
                inner.heard.set(js_sys::Date::now());
                // Only a real answer ends the backoff: a room that accepts the socket,
                // says it is full and closes it must not be retried at full speed.
                if !matches!(msg, ServerMsg::Error(frame::Error { .. })) {
                    inner.attempt.set(0);
                }
                inner.endpoint.borrow_mut().frame(msg);
            }
        },
        move || {
            if let Some(inner) = opened.upgrade() {
                inner.open.set(true);
                inner.handshake.replace(None);
                inner.opens.set(inner.opens.get() + 1);
                inner.heard.set(js_sys::Date::now());
                let resend = inner.endpoint.borrow().resend();
                if let Some(socket) = inner.socket.borrow().as_ref() {
                    for frame in resend {
                        let _ = socket.send(&frame);
                    }
                }
            }
        },
        move |code| {
            if let Some(inner) = closed.upgrade() {
                let was_open = inner.open.replace(false);
                let probe = inner.endpoint.borrow().probe();
                match probe {
                    // Refused before it opened: ask why before trying again.
                    Some(path) if !was_open && code == 1006 => refused(&inner, path),
                    _ => retry(&inner, code),
                }
            }
        },
    );
    match socket {
        Ok(socket) => {
            inner
                .endpoint
                .borrow_mut()
                .connection(Connection::Connecting);
            *inner.socket.borrow_mut() = Some(socket);
            let weak = Rc::downgrade(inner);
            *inner.handshake.borrow_mut() = Some(Timeout::new(HANDSHAKE_MS, move || {
                if let Some(inner) = weak.upgrade()
                    && !inner.open.get()
                {
                    // Dropping the socket closes it without its close handler.
                    inner.socket.replace(None);
                    retry(&inner, 1006);
                }
            }));
        }
        Err(_) => retry(inner, 1006),
    }
}

/// A socket refused before it opened: the server's HTTP answer for the same thing says
/// whether the room is missing or closed to the user (stop, and say so) or the failure
/// is one that passes (try again).
fn refused(inner: &Rc<Inner>, path: String) {
    let weak = Rc::downgrade(inner);
    let token = inner.token.borrow().clone();
    wasm_bindgen_futures::spawn_local(async move {
        let status = crate::api::status_of(&path, &token).await;
        let Some(inner) = weak.upgrade() else {
            return;
        };
        match status {
            Some(404) => inner.endpoint.borrow_mut().connection(Connection::Missing),
            Some(403) => inner
                .endpoint
                .borrow_mut()
                .connection(Connection::Forbidden),
            _ => retry(&inner, 1006),
        }
    });
}

fn retry(inner: &Rc<Inner>, code: u16) {
    if inner.stopped.get() {
        return;
    }
    if !should_retry(code) {
        inner
            .endpoint
            .borrow_mut()
            .connection(Connection::Closed(code));
        return;
    }
    let attempt = inner.attempt.get();
    inner.attempt.set(attempt + 1);
    let crowd = inner.endpoint.borrow().crowd();
    let wait = delay_ms(attempt, crowd, js_sys::Math::random());
    inner
        .endpoint
        .borrow_mut()
        .connection(Connection::Disconnected);
    let weak = Rc::downgrade(inner);
    let timer = Timeout::new(wait as u32, move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    });
    *inner.retry.borrow_mut() = Some(timer);
}

//! A room with a clock, driven the way the Room object drives it, on a real SQLite: the
//! world the core's tests and the client's convergence test share (feature `testing`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod effects;
pub mod tables;

pub use effects::*;

use crate::{
    Command, ConnId, Effect, Identity, Limits, Room,
    store::{Member, Store, sqlite::Sqlite},
};
use edgechat_protocol::frame;
use edgechat_protocol::{ClientFrame, ClientMsg, Millis, RoomEvent, RoomInfo, RoomKind, ServerMsg};

pub const START: Millis = 1_700_000_000_000;

pub struct World {
    pub room: Room<Sqlite>,
    /// The room's SQLite: every handle to it is a clone of this one.
    pub sqlite: Sqlite,
    pub limits: Limits,
    pub now: Millis,
    /// Every durable event stored so far, in order, as the steps reported them.
    pub log: Vec<RoomEvent>,
    /// The sockets still open, oldest first, as the object keeps them in attachments.
    pub sockets: Vec<(ConnId, Identity)>,
    /// Names other rooms of the directory have, in lower case: the door's answer to a
    /// rename.
    pub other_rooms: Vec<String>,
    next_client_id: u64,
}

pub fn info(kind: RoomKind) -> RoomInfo {
    RoomInfo {
        room_id: "lobby".into(),
        name: "Lobby".into(),
        kind,
        capacity: None,
        created_by: "ana".into(),
        created_at: START,
        topic: String::new(),
    }
}

/// `ana` created the room and is its admin; everyone else is whoever they say.
/// User `u`'s inbox, offline, with `limits`.
pub fn inbox_of_u(limits: Limits) -> crate::inbox::Inbox {
    crate::inbox::Inbox::new("u", crate::inbox::Presence::offline(), limits, Vec::new())
}

/// User `u`'s socket `conn` attaching to their inbox.
pub fn inbox_connect(conn: &str) -> crate::inbox::InboxCommand {
    crate::inbox::InboxCommand::Connect {
        version: edgechat_protocol::PROTOCOL_VERSION,
        conn: conn.into(),
        who: who("u"),
    }
}

/// `user` on a socket of wire `version`.
pub fn speaking(user: &str, version: u32) -> Identity {
    Identity {
        version,
        ..who(user)
    }
}

pub fn who(user: &str) -> Identity {
    let mut name = user.to_owned();
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Identity {
        user_id: user.into(),
        username: name,
        handle: user.into(),
        global_admin: false,
        expires_at: None,
        version: edgechat_protocol::PROTOCOL_VERSION,
        status: None,
        status_text: None,
    }
}

/// A store on a new, empty SQLite, ready for a room to be created in it.
pub fn prepared(sqlite: &Sqlite) -> Store<Sqlite> {
    let store = Store::new(sqlite.clone());
    store.prepare().unwrap();
    store
}

impl World {
    /// A room `ana` created, as its admin.
    pub fn new(kind: RoomKind, limits: Limits) -> Self {
        Self::created(info(kind), limits)
    }

    pub fn created(info: RoomInfo, limits: Limits) -> Self {
        let sqlite = Sqlite::memory();
        let (room, effects) = Room::create(
            info,
            limits.clone(),
            prepared(&sqlite),
            &who("ana"),
            &[],
            START,
        )
        .unwrap();
        Self {
            room,
            sqlite,
            limits,
            now: START,
            log: appended(&effects),
            sockets: Vec::new(),
            other_rooms: Vec::new(),
            next_client_id: 0,
        }
    }

    /// A public room `ana` created. Presence goes out at once (no coalescing window),
    /// so a test sees each change in the step that made it; the window has tests of its
    /// own.
    pub fn public() -> Self {
        Self::new(
            RoomKind::Public,
            Limits {
                presence_coalesce_ms: 0,
                ..Limits::default()
            },
        )
    }

    /// A public room where `ana` (admin), `bo` and `cy` are connected on `ana`, `bo`,
    /// `cy`.
    pub fn with_three() -> Self {
        let mut world = Self::public();
        for user in ["ana", "bo", "cy"] {
            world.connect(user, user);
        }
        world
    }

    /// The room's store, for reads.
    pub fn store(&self) -> &Store<Sqlite> {
        self.room.store()
    }

    pub fn member(&self, user: &str) -> Option<Member> {
        self.store().member(user).unwrap()
    }

    pub fn run(&mut self, command: Command) -> Vec<Effect> {
        let mut effects = self.room.handle(command.clone(), self.now).unwrap();
        self.keep(&effects);
        self.follow_sockets(&command, &effects);
        // The door's part of an invite: every id here names an enabled account, shown
        // under its id, that may join one more room.
        let resolve = effects.iter().find_map(|effect| match effect {
            Effect::ResolveInvite {
                conn,
                user_id,
                req_id,
            } => Some(Command::Invite {
                conn: conn.clone(),
                user_id: user_id.clone(),
                invitee: crate::Invitee::Admitted {
                    username: user_id.clone(),
                },
                req_id: req_id.clone(),
            }),
            _ => None,
        });
        if let Some(invite) = resolve {
            effects.extend(self.run(invite));
        }
        // The door's part of a rename: is the name another room's?
        let checked = effects.iter().find_map(|effect| match effect {
            Effect::CheckName {
                conn,
                update,
                req_id,
            } => Some(Command::NameChecked {
                conn: conn.clone(),
                update: update.clone(),
                req_id: req_id.clone(),
                taken: update
                    .name
                    .as_ref()
                    .is_some_and(|name| self.other_rooms.contains(&name.to_lowercase())),
            }),
            _ => None,
        });
        if let Some(checked) = checked {
            effects.extend(self.run(checked));
        }
        effects
    }

    /// Records the durable events the step stored.
    pub fn keep(&mut self, effects: &[Effect]) {
        for effect in effects {
            if let Effect::Stored(event) = effect {
                self.log.push(event.clone());
            }
        }
    }

    /// Keeps `sockets` as the object's open sockets: accepted on connect, gone when
    /// they close or the room closes them.
    fn follow_sockets(&mut self, command: &Command, effects: &[Effect]) {
        match command {
            Command::Connect { conn, who, .. } => {
                self.sockets.retain(|(c, _)| c != conn);
                self.sockets.push((conn.clone(), who.clone()));
            }
            Command::Disconnect { conn } => self.sockets.retain(|(c, _)| c != conn),
            Command::Reauthenticated {
                conn, expires_at, ..
            } if sent_to(effects, conn)
                .iter()
                .any(|m| matches!(m, ServerMsg::Authenticated(frame::Authenticated { .. }))) =>
            {
                for (c, who) in &mut self.sockets {
                    if c == conn {
                        who.expires_at = Some(*expires_at);
                    }
                }
            }
            _ => {}
        }
        for (gone, _) in closed(effects) {
            self.sockets.retain(|(c, _)| *c != gone);
        }
    }

    pub fn connect(&mut self, conn: &str, user: &str) -> Vec<Effect> {
        self.connect_as(conn, who(user), None)
    }

    pub fn connect_as(&mut self, conn: &str, who: Identity, since: Option<u64>) -> Vec<Effect> {
        self.run(Command::Connect {
            conn: conn.into(),
            who,
            since,
        })
    }

    pub fn disconnect(&mut self, conn: &str) -> Vec<Effect> {
        self.run(Command::Disconnect { conn: conn.into() })
    }

    pub fn send(&mut self, conn: &str, msg: ClientMsg) -> Vec<Effect> {
        self.send_frame(conn, msg.into())
    }

    pub fn send_frame(&mut self, conn: &str, frame: ClientFrame) -> Vec<Effect> {
        self.run(frame_from(conn, frame))
    }

    /// `send-message` with a fresh client id.
    pub fn say(&mut self, conn: &str, text: &str) -> Vec<Effect> {
        self.next_client_id += 1;
        let client_msg_id = format!("c-{}", self.next_client_id);
        self.say_with_id(conn, text, &client_msg_id)
    }

    pub fn say_with_id(&mut self, conn: &str, text: &str, client_msg_id: &str) -> Vec<Effect> {
        self.send(conn, ClientMsg::text("lobby", text, client_msg_id))
    }

    /// Says `text` and returns the new message's id.
    pub fn post(&mut self, conn: &str, text: &str) -> String {
        let effects = self.say(conn, text);
        match appended(&effects).as_slice() {
            [RoomEvent::NewMessage(m)] => m.message_id.clone(),
            other => panic!("{text:?} was not stored: {other:?} from {effects:?}"),
        }
    }

    /// The write-behind's part once the events after `after` reached D1, with the
    /// mentions D1 found among their messages: what each member's inbox is owed, taken
    /// and delivered at once, as `(user, frames)`.
    pub fn notify(
        &self,
        after: u64,
        mentions: &[(String, String)],
    ) -> Vec<(String, Vec<ServerMsg>)> {
        let through = self.room.head_seq();
        let batch: Vec<&RoomEvent> = self
            .log
            .iter()
            .filter(|e| e.seq() > after && e.seq() <= through)
            .collect();
        let messages: Vec<_> = batch
            .iter()
            .filter_map(|e| match e {
                RoomEvent::NewMessage(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        let welcomed: Vec<String> = batch
            .iter()
            .filter_map(|e| match e {
                RoomEvent::UserInvited { user_id, .. }
                | RoomEvent::UserJoined {
                    user_id, seq: 1, ..
                } => Some(user_id.clone()),
                _ => None,
            })
            .collect();
        self.room
            .owe_notifications(&crate::Batch {
                after,
                through,
                messages: &messages,
                welcomed: &welcomed,
                mentions,
            })
            .unwrap();
        let due = self.room.notifications_due(10_000).unwrap();
        due.into_iter()
            .map(|(user, events)| {
                self.store().delivered(&user, true).unwrap();
                let frames: Vec<ServerMsg> = serde_json::from_str(&events).unwrap();
                (user, frames)
            })
            .collect()
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    /// The room loaded again from its store, with the sockets still open, as after a
    /// wake-up.
    pub fn restored(&self) -> Room<Sqlite> {
        Room::load(
            self.room.store().clone(),
            self.limits.clone(),
            self.sockets.clone(),
        )
        .unwrap()
        .expect("the room was created")
    }
}

/// `msg` arriving as a text frame on `conn`.
pub fn frame_from(conn: &str, frame: impl Into<ClientFrame>) -> Command {
    Command::Frame {
        conn: conn.into(),
        raw: serde_json::to_string(&frame.into()).unwrap(),
    }
}

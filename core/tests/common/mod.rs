//! A room with a clock, driven the way the Room object drives it.
#![allow(dead_code)] // each test file uses a different part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeMap;

use edgechat_core::{Command, Effect, Identity, Limits, Room, Snapshot, Upload};
use edgechat_protocol::{
    ClientFrame, ClientMsg, ErrorCode, Millis, RoomEvent, RoomInfo, RoomKind, ServerMsg,
};

pub const START: Millis = 1_700_000_000_000;

pub struct World {
    pub room: Room,
    pub now: Millis,
    /// Every durable event appended so far, in order, as the object would store them.
    pub log: Vec<RoomEvent>,
    /// Uploads as the object would keep them, by file id.
    pub uploads: BTreeMap<String, Upload>,
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
    }
}

/// `ana` created the room and is its admin; everyone else is whoever they say.
pub fn who(user: &str) -> Identity {
    let mut name = user.to_owned();
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Identity {
        user_id: user.into(),
        username: name,
        global_admin: false,
        expires_at: None,
    }
}

impl World {
    /// A room `ana` created, as its admin.
    pub fn new(kind: RoomKind, limits: Limits) -> Self {
        Self::created(info(kind), limits)
    }

    pub fn created(info: RoomInfo, limits: Limits) -> Self {
        let (room, effects) = Room::create(info, limits, &who("ana"), &[]);
        Self {
            room,
            now: START,
            log: appended(&effects),
            uploads: BTreeMap::new(),
            next_client_id: 0,
        }
    }

    pub fn public() -> Self {
        Self::new(RoomKind::Public, Limits::default())
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

    pub fn run(&mut self, command: Command) -> Vec<Effect> {
        let effects = self.room.handle(command, self.now);
        self.keep(&effects);
        effects
    }

    /// Stores what the effects say to store, as the object does.
    pub fn keep(&mut self, effects: &[Effect]) {
        for effect in effects {
            match effect {
                Effect::Append(event) => self.log.push(event.clone()),
                Effect::SaveUpload(upload) => {
                    self.uploads
                        .insert(upload.attachment.file_id.clone(), upload.clone());
                }
                Effect::RemoveFiles(files) => {
                    for file in files {
                        self.uploads.remove(file);
                    }
                }
                _ => {}
            }
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
        let raw = serde_json::to_string(&frame).unwrap();
        self.run(Command::Frame {
            conn: conn.into(),
            raw,
        })
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

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    /// The room rebuilt from what was appended, as after a wake-up.
    pub fn restored(&self) -> Room {
        Room::restore(
            Snapshot {
                info: self.room.info().clone(),
                events: self.log.clone(),
                read_marks: self.room.durable().read.clone(),
                uploads: self.uploads.values().cloned().collect(),
                connections: vec![],
            },
            Limits::default(),
        )
    }
}

/// The code of the error sent, if the effects are one.
pub fn error_code(effects: &[Effect]) -> Option<ErrorCode> {
    effects.iter().find_map(|e| match e {
        Effect::Send {
            msg: ServerMsg::Error { code, .. },
            ..
        } => Some(*code),
        _ => None,
    })
}

pub fn retry_after(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Send {
            msg: ServerMsg::Error { retry_after, .. },
            ..
        } => *retry_after,
        _ => None,
    })
}

pub fn appended(effects: &[Effect]) -> Vec<RoomEvent> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Append(event) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

pub fn sent_to(effects: &[Effect], conn: &str) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { conn: c, msg } if c == conn => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

pub fn broadcasts(effects: &[Effect]) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Broadcast { msg, .. } => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

pub fn closed(effects: &[Effect]) -> Vec<(String, u16)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Close { conn, code, .. } => Some((conn.clone(), *code)),
            _ => None,
        })
        .collect()
}

/// The last `online-users` broadcast among `effects`.
pub fn online(effects: &[Effect]) -> Option<Vec<String>> {
    broadcasts(effects).into_iter().rev().find_map(|m| match m {
        ServerMsg::OnlineUsers { user_ids, .. } => Some(user_ids),
        _ => None,
    })
}

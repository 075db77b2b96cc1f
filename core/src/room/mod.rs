//! The room state machine: commands in, effects out.
//!
//! A room's durable state is a fold over its log of durable events ([`state::Durable`]):
//! a command is checked against it, becomes an event, and the event is applied with the
//! same [`state::Durable::apply`] that rebuilds the room from storage after a wake-up. So
//! the live room and a restored one cannot drift apart. Sockets, presence, typing and rate
//! buckets are the only state beside it, and none of it needs to outlive hibernation (see
//! docs/architecture.md).

mod connect;
mod dispatch;
mod history;
mod messages;
mod moderation;
mod presence;
mod reactions;
pub mod state;
mod uploads;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use edgechat_protocol::{ErrorCode, Id, Millis, Role, RoomEvent, RoomInfo, Seq, ServerMsg};
use serde::{Deserialize, Serialize};

use crate::{Limits, rate::Bucket};
use state::Durable;
pub use uploads::{Upload, UploadRefused};

/// A socket's id, minted by the Durable Object when it accepts the socket.
pub type ConnId = String;

/// Who is on the other end of a socket: verified at the door, fixed for the socket's life
/// and kept in its attachment, so it survives hibernation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub user_id: Id,
    pub username: String,
    /// A global admin may moderate in every room.
    #[serde(default)]
    pub global_admin: bool,
    /// When the access token the socket was opened or last re-authenticated with
    /// expires; the socket is closed then unless `authenticate` brings a fresh one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Millis>,
}

/// Something that happened to the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A socket attached; `since` is the last seq it saw before a reconnect.
    Connect {
        conn: ConnId,
        who: Identity,
        since: Option<Seq>,
    },
    /// A socket closed.
    Disconnect { conn: ConnId },
    /// A socket sent a text frame.
    Frame { conn: ConnId, raw: String },
    /// A socket sent a binary frame, which the protocol does not use.
    Binary { conn: ConnId },
    /// The door verified a fresh token for `conn` (after an `authenticate`).
    Reauthenticated {
        conn: ConnId,
        user_id: Id,
        expires_at: Millis,
        req_id: Option<String>,
    },
    /// A member's global status changed (relayed from their inbox).
    Status(ServerMsg),
    /// The alarm fired.
    Tick,
}

/// What the Durable Object must carry out, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Append a durable event to the room's log. Always before any send of it: nothing is
    /// acknowledged or broadcast unless it is stored.
    Append(RoomEvent),
    /// Store how far a member has read.
    SaveReadMark { user_id: Id, seq: Seq },
    /// Send to one socket.
    Send { conn: ConnId, msg: ServerMsg },
    /// Send to every socket in the room, except `except`.
    Broadcast {
        msg: ServerMsg,
        except: Option<ConnId>,
    },
    /// Close a socket with a code from `edgechat_protocol::close`.
    Close {
        conn: ConnId,
        code: u16,
        reason: String,
    },
    /// Keep an upload (new, or with its thumbnail now), so a restored room has it.
    SaveUpload(Upload),
    /// Forget these files and delete their bytes: their message was deleted, or nobody
    /// attached them in time. Always after the event that caused it is stored.
    RemoveFiles(Vec<Id>),
    /// Verify `token` for the socket `conn` (the door's job, not the room's) and answer
    /// `authenticated` or an `unauthorized` error.
    Authenticate {
        conn: ConnId,
        token: String,
        req_id: Option<String>,
    },
}

/// Everything a room is rebuilt from after a wake-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub info: RoomInfo,
    /// The durable events, in seq order.
    pub events: Vec<RoomEvent>,
    pub read_marks: BTreeMap<Id, Seq>,
    pub uploads: Vec<Upload>,
    /// The sockets still attached, from their attachments.
    pub connections: Vec<(ConnId, Identity)>,
}

/// One room.
#[derive(Debug, Clone)]
pub struct Room {
    info: RoomInfo,
    limits: Limits,
    durable: Durable,
    /// The newest durable events, for resuming with `since`.
    recent: VecDeque<RoomEvent>,
    uploads: BTreeMap<Id, Upload>,
    conns: BTreeMap<ConnId, Identity>,
    /// The order sockets arrived in, oldest first (for the per-user cap).
    arrival: Vec<ConnId>,
    /// Users whose last socket closed, and when: still shown until the grace passes.
    leaving: BTreeMap<Id, Millis>,
    /// The online set last broadcast; `None` after a restore, when it is unknown.
    shown_online: Option<BTreeSet<Id>>,
    /// Users typing now, until when.
    typing: BTreeMap<Id, Millis>,
    buckets: BTreeMap<Id, Bucket>,
}

impl Room {
    /// A new, empty room. Its creator becomes its admin when they first connect.
    pub fn new(info: RoomInfo, limits: Limits) -> Self {
        Self {
            durable: Durable::new(&info.room_id),
            info,
            limits,
            recent: VecDeque::new(),
            uploads: BTreeMap::new(),
            conns: BTreeMap::new(),
            arrival: Vec::new(),
            leaving: BTreeMap::new(),
            shown_online: Some(BTreeSet::new()),
            typing: BTreeMap::new(),
            buckets: BTreeMap::new(),
        }
    }

    /// A room created by `creator` with `members` invited: the creator is its admin
    /// (in a direct room, everyone is a plain member). The effects store the events.
    pub fn create(
        info: RoomInfo,
        limits: Limits,
        creator: &Identity,
        members: &[(Id, String)],
    ) -> (Self, Vec<Effect>) {
        let mut room = Self::new(info, limits);
        let direct = room.info.kind == edgechat_protocol::RoomKind::Direct;
        let joined = RoomEvent::UserJoined {
            room_id: room.info.room_id.clone(),
            user_id: creator.user_id.clone(),
            username: creator.username.clone(),
            role: if direct { Role::Member } else { Role::Admin },
            seq: room.next_seq(),
        };
        let mut effects = room.publish(joined);
        for (user_id, username) in members {
            if *user_id == creator.user_id || room.durable.members.contains_key(user_id) {
                continue;
            }
            let invited = RoomEvent::UserInvited {
                user_id: user_id.clone(),
                username: username.clone(),
                by: creator.user_id.clone(),
                seq: room.next_seq(),
            };
            effects.extend(room.publish(invited));
        }
        (room, effects)
    }

    /// The room as it was, rebuilt from its log.
    pub fn restore(snapshot: Snapshot, limits: Limits) -> Self {
        let mut room = Self::new(snapshot.info, limits);
        for event in snapshot.events {
            room.record(event);
        }
        room.durable.read = snapshot.read_marks;
        room.uploads = snapshot
            .uploads
            .into_iter()
            .map(|u| (u.attachment.file_id.clone(), u))
            .collect();
        room.arrival = snapshot
            .connections
            .iter()
            .map(|(conn, _)| conn.clone())
            .collect();
        room.conns = snapshot.connections.into_iter().collect();
        room.shown_online = None;
        room
    }

    pub fn id(&self) -> &str {
        &self.info.room_id
    }

    pub fn info(&self) -> &RoomInfo {
        &self.info
    }

    /// The seq of the newest durable event.
    pub fn head_seq(&self) -> Seq {
        self.durable.head_seq
    }

    /// The state that the log determines, for comparing a live room with a restored one.
    pub fn durable(&self) -> &Durable {
        &self.durable
    }

    /// Who to tell that the room went unread, after the events in `(after, through]` were
    /// stored: members with no socket here whose first unread message is among them (so
    /// each transition is told once, without remembering who was told).
    pub fn unread_transitions(&self, after: Seq, through: Seq) -> Vec<(Id, Seq)> {
        let here = self.online();
        self.durable
            .members
            .keys()
            .filter(|user_id| !here.contains(*user_id))
            .filter_map(|user_id| {
                let first = self.durable.first_unread(user_id)?;
                (after < first && first <= through).then(|| (user_id.clone(), first))
            })
            .collect()
    }

    /// Whether `user_id` has a socket open to the room (or just had one).
    pub fn is_here(&self, user_id: &str) -> bool {
        self.online().contains(user_id)
    }

    /// When the room next needs a [`Command::Tick`], if ever.
    pub fn next_deadline(&self) -> Option<Millis> {
        let grace = self.limits.presence_grace_ms;
        let presence_unknown = self.shown_online.is_none().then_some(0);
        self.leaving
            .values()
            .map(|left| left + grace)
            .chain(presence_unknown)
            .chain(self.conns.values().filter_map(|who| who.expires_at))
            .chain(self.next_upload_expiry())
            .min()
    }

    /// Applies a new durable event and remembers it for replay.
    fn record(&mut self, event: RoomEvent) {
        self.durable.apply(&event);
        self.recent.push_back(event);
        while self.recent.len() > self.limits.max_replay {
            self.recent.pop_front();
        }
    }

    /// Turns an event that takes the next seq into effects: stored, then broadcast.
    fn publish(&mut self, event: RoomEvent) -> Vec<Effect> {
        self.record(event.clone());
        vec![
            Effect::Append(event.clone()),
            Effect::Broadcast {
                msg: event.into(),
                except: None,
            },
        ]
    }

    fn next_seq(&self) -> Seq {
        self.durable.head_seq + 1
    }

    /// The effective rank of a user: their room role, or above every role for a global
    /// admin.
    fn rank(&self, user_id: &str) -> u8 {
        let global = self
            .conns
            .values()
            .any(|who| who.user_id == user_id && who.global_admin);
        if global {
            return 3;
        }
        self.durable
            .members
            .get(user_id)
            .map_or(0, |m| role_rank(m.role))
    }
}

fn role_rank(role: Role) -> u8 {
    match role {
        Role::Member => 0,
        Role::Moderator => 1,
        Role::Admin => 2,
    }
}

/// A refusal, answered to the socket that asked.
pub(crate) struct Refusal {
    code: ErrorCode,
    message: String,
    retry_after: Option<u64>,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(crate) fn retry_after(mut self, ms: u64) -> Self {
        self.retry_after = Some(ms);
        self
    }

    pub(crate) fn into_effect(self, conn: &str, req_id: Option<String>) -> Effect {
        Effect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::Error {
                code: self.code,
                message: self.message,
                req_id,
                retry_after: self.retry_after,
            },
        }
    }
}

/// What a handler returns: effects, or the one error its sender gets.
pub(crate) type Outcome = Result<Vec<Effect>, Refusal>;

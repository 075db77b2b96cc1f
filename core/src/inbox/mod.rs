//! A user's inbox: their global status across devices, and the user-level events that
//! reach them wherever they are. Pure, like the room: commands in, effects out.

pub mod admission;
mod frame;
mod lifecycle;

use std::collections::VecDeque;

use edgechat_protocol::frame as wire;
use edgechat_protocol::{
    Id, Millis, NotificationKind, PROTOCOL_VERSION, ServerMsg, Status,
    push::{PushKind, PushMessage},
};

use crate::sockets::SocketEffect;
use crate::{
    ConnId, Identity, Limits,
    rate::Bucket,
    sockets::{self, Sockets},
};

/// The user's status as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub status: Status,
    pub status_text: Option<String>,
    pub last_seen: Option<Millis>,
    /// When the user's rooms were last told their status, and whether a newer one waits
    /// for `STATUS_RELAY_MS` to pass since: stored, so the wait survives hibernation.
    pub relayed_at: Option<Millis>,
    pub relay_pending: bool,
}

impl Presence {
    /// Someone never seen.
    pub fn offline() -> Self {
        Self {
            status: Status::Offline,
            status_text: None,
            last_seen: None,
            relayed_at: None,
            relay_pending: false,
        }
    }
}

pub enum InboxCommand {
    /// A socket attached, as `who` (verified at the door), answered with wire version
    /// `version`. `who.status` is `Some(Away)` when the user chose to appear away
    /// (`?status=away`): from offline they arrive away rather than online.
    Connect {
        conn: ConnId,
        who: Identity,
        version: u32,
    },
    Disconnect {
        conn: ConnId,
    },
    Frame {
        conn: ConnId,
        raw: String,
    },
    /// A socket sent a binary frame, which the protocol does not use.
    Binary {
        conn: ConnId,
    },
    /// The door verified a fresh token for `conn` (after an `authenticate`).
    Reauthenticated {
        conn: ConnId,
        user_id: Id,
        expires_at: Millis,
        req_id: Option<String>,
    },
    /// An event for the user from elsewhere (a room, another user's action).
    Deliver(Box<ServerMsg>),
    /// The account was disabled: every socket closes now.
    Revoke,
    /// The user set their status text through their profile (`None` clears it). It
    /// spends the same budget as `status-change`.
    StatusText(Option<String>),
    Tick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxEffect {
    /// Something to do to the inbox's sockets: send, broadcast to every one of the user's,
    /// close, authenticate.
    Socket(SocketEffect),
    /// Store the status (and last seen) durably.
    Save(Presence),
    /// Tell the user's rooms (their member lists show it).
    Relay(ServerMsg),
    /// A [`InboxCommand::StatusText`] came too soon after others: try again in
    /// `retry_after` ms.
    TooOften { retry_after: u64 },
    /// Push `message` to each of the user's subscribed devices (no socket of theirs is
    /// open to see it).
    Push(PushMessage),
    /// Create a room for the user; the door answers with `room-created` or an error.
    CreateRoom {
        conn: ConnId,
        req_id: Option<String>,
        room_name: String,
        is_private: bool,
        members: Vec<Id>,
    },
}

/// One user's inbox.
pub struct Inbox {
    user_id: Id,
    presence: Presence,
    limits: Limits,
    sockets: Sockets,
    /// When the last socket closed: offline once the grace period passes.
    left_at: Option<Millis>,
    /// Status changes (`STATUS_RATE_…`): a per-minute budget, fine to lose to hibernation.
    status_bucket: Option<Bucket>,
    /// Pushes (`PUSH_RATE_…`), in memory like the status budget.
    push_bucket: Option<Bucket>,
    /// The messages pushed last, so a message that both mentions the user and is new in
    /// their conversation is pushed once.
    pushed: VecDeque<Id>,
}

/// How many pushed message ids the inbox remembers.
const PUSHED_REMEMBERED: usize = 32;

impl Inbox {
    pub fn new(
        user_id: impl Into<Id>,
        presence: Presence,
        limits: Limits,
        connections: Vec<(ConnId, Identity)>,
    ) -> Self {
        Self {
            user_id: user_id.into(),
            presence,
            limits,
            sockets: Sockets::new(connections),
            left_at: None,
            status_bucket: None,
            push_bucket: None,
            pushed: VecDeque::new(),
        }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    /// When the inbox next needs a [`InboxCommand::Tick`].
    pub fn next_deadline(&self) -> Option<Millis> {
        self.left_at
            .map(|at| at + self.limits.presence_grace_ms)
            .into_iter()
            .chain(self.sockets.next_expiry())
            .chain(self.relay_due())
            .min()
    }

    /// The user's status as a `user-status` event.
    pub fn status_event(&self) -> ServerMsg {
        ServerMsg::UserStatus(wire::UserStatus {
            user_id: self.user_id.clone(),
            status: self.presence.status,
            last_seen: self.presence.last_seen,
            status_text: self.presence.status_text.clone(),
        })
    }

    /// When the rooms are next told, if a status waits for them.
    fn relay_due(&self) -> Option<Millis> {
        self.presence
            .relay_pending
            .then(|| self.presence.relayed_at.unwrap_or(0) + self.limits.status_relay_ms)
    }

    /// Sets the status and says so everywhere it matters: at once to the user's own
    /// sockets; to their rooms at most once per `STATUS_RELAY_MS`, the latest status at
    /// the end of a wait, so a status loop cannot wake hundreds of rooms a second.
    fn set(
        &mut self,
        status: Status,
        status_text: Option<String>,
        now: Millis,
    ) -> Vec<InboxEffect> {
        let changed = self.presence.status != status || self.presence.status_text != status_text;
        self.presence.status = status;
        self.presence.status_text = status_text;
        self.presence.last_seen = Some(now);
        let mut effects = Vec::new();
        if changed {
            effects.push(InboxEffect::Socket(SocketEffect::Broadcast {
                msg: self.status_event(),
                except: None,
            }));
            self.presence.relay_pending = true;
            effects.extend(self.relay(now));
        }
        effects.insert(0, InboxEffect::Save(self.presence.clone()));
        effects
    }

    /// The waiting status for the rooms, if the wait is over (the caller saves).
    fn relay(&mut self, now: Millis) -> Option<InboxEffect> {
        let waiting = self
            .presence
            .relayed_at
            .is_some_and(|at| now < at + self.limits.status_relay_ms);
        if !self.presence.relay_pending || waiting {
            return None;
        }
        self.presence.relay_pending = false;
        self.presence.relayed_at = Some(now);
        Some(InboxEffect::Relay(self.status_event()))
    }

    pub fn handle(&mut self, command: InboxCommand, now: Millis) -> Vec<InboxEffect> {
        match command {
            InboxCommand::Connect { conn, who, version } => {
                // A user who chose to appear away arrives away, not online for a moment.
                let arriving = match who.status {
                    Some(Status::Away) => Status::Away,
                    _ => Status::Online,
                };
                let user_id = who.user_id.clone();
                self.sockets.insert(conn.clone(), who);
                self.left_at = None;
                let mut effects = vec![InboxEffect::Socket(SocketEffect::Send {
                    conn: conn.clone(),
                    msg: ServerMsg::Connected(wire::Connected {
                        protocol_version: version.clamp(1, PROTOCOL_VERSION),
                    }),
                })];
                effects.extend(self.cap_sockets(&user_id, now));
                if self.presence.status == Status::Offline {
                    let text = self.presence.status_text.clone();
                    effects.extend(self.set(arriving, text, now));
                }
                effects.push(InboxEffect::Socket(SocketEffect::Send {
                    conn,
                    msg: self.status_event(),
                }));
                effects
            }
            InboxCommand::Disconnect { conn } => {
                self.disconnect(&conn, now);
                Vec::new()
            }
            InboxCommand::Binary { conn } => vec![InboxEffect::Socket(SocketEffect::Send {
                conn,
                msg: sockets::binary_refused(),
            })],
            InboxCommand::Reauthenticated {
                conn,
                user_id,
                expires_at,
                req_id,
            } => self
                .sockets
                .reauthenticated(&conn, &user_id, expires_at, req_id)
                .map(|msg| InboxEffect::Socket(SocketEffect::Send { conn, msg }))
                .into_iter()
                .collect(),
            InboxCommand::Tick => self.tick(now),
            InboxCommand::Deliver(msg) => {
                let push = self.push_for(&msg, now).map(InboxEffect::Push);
                push.into_iter()
                    .chain([InboxEffect::Socket(SocketEffect::Broadcast {
                        msg: *msg,
                        except: None,
                    })])
                    .collect()
            }
            InboxCommand::Revoke => {
                let conns: Vec<ConnId> = self.sockets.conns().collect();
                conns
                    .into_iter()
                    .map(|conn| {
                        self.disconnect(&conn, now);
                        InboxEffect::Socket(SocketEffect::Close {
                            conn,
                            code: edgechat_protocol::close::ACCOUNT_DISABLED,
                            reason: "this account was disabled".into(),
                        })
                    })
                    .collect()
            }
            InboxCommand::Frame { conn, raw } => self.frame(conn, &raw, now),
            InboxCommand::StatusText(text) => match self.spend_status(now) {
                Err(retry_after) => vec![InboxEffect::TooOften { retry_after }],
                Ok(()) => self.set(self.presence.status, text, now),
            },
        }
    }

    /// The push a delivered event calls for: a mention, or a new message in a direct or
    /// group conversation (an unread notification that names its sender), when no socket
    /// of the user's is open to show it, once per message and within the push budget.
    fn push_for(&mut self, msg: &ServerMsg, now: Millis) -> Option<PushMessage> {
        let ServerMsg::Notification(wire::Notification {
            room_id,
            kind,
            message_id: Some(message_id),
            from: Some(from),
            excerpt,
            ..
        }) = msg
        else {
            return None;
        };
        if !self.sockets.is_empty() || self.pushed.contains(message_id) {
            return None;
        }
        let kind = match kind {
            NotificationKind::Mention => PushKind::Mention,
            NotificationKind::Unread => PushKind::Direct,
        };
        let rate = self.limits.push_rate;
        let bucket = self
            .push_bucket
            .get_or_insert_with(|| Bucket::full(rate, now));
        bucket.check(rate, now).ok()?;
        bucket.take();
        if self.pushed.len() == PUSHED_REMEMBERED {
            self.pushed.pop_front();
        }
        self.pushed.push_back(message_id.clone());
        Some(PushMessage {
            kind,
            room_id: room_id.clone(),
            message_id: message_id.clone(),
            from: from.clone(),
            excerpt: excerpt.clone().unwrap_or_default(),
        })
    }

    /// One status change from the per-minute budget (`STATUS_RATE_…`), or how long to
    /// wait for one.
    fn spend_status(&mut self, now: Millis) -> Result<(), u64> {
        let rate = self.limits.status_rate;
        let bucket = self
            .status_bucket
            .get_or_insert_with(|| Bucket::full(rate, now));
        bucket.check(rate, now)?;
        bucket.take();
        Ok(())
    }
}

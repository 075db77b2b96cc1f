//! A user's inbox: their global status across devices, and the user-level events that
//! reach them wherever they are. Pure, like the room: commands in, effects out.

use std::collections::BTreeSet;

use edgechat_protocol::{ClientMsg, ErrorCode, Id, Millis, PROTOCOL_VERSION, ServerMsg, Status};

use crate::{ConnId, Limits, decode::decode_frame};

/// The user's status as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub status: Status,
    pub status_text: Option<String>,
    pub last_seen: Option<Millis>,
}

pub enum InboxCommand {
    Connect {
        conn: ConnId,
    },
    Disconnect {
        conn: ConnId,
    },
    Frame {
        conn: ConnId,
        raw: String,
    },
    /// An event for the user from elsewhere (a room, another user's action).
    Deliver(Box<ServerMsg>),
    Tick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxEffect {
    Send {
        conn: ConnId,
        msg: ServerMsg,
    },
    /// To every inbox socket of the user.
    Broadcast(ServerMsg),
    /// Store the status (and last seen) durably.
    Save(Presence),
    /// Tell the user's rooms (their member lists show it).
    Relay(ServerMsg),
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
    conns: BTreeSet<ConnId>,
    /// When the last socket closed: offline once the grace period passes.
    left_at: Option<Millis>,
}

impl Inbox {
    pub fn new(
        user_id: impl Into<Id>,
        presence: Presence,
        limits: Limits,
        conns: impl IntoIterator<Item = ConnId>,
    ) -> Self {
        Self {
            user_id: user_id.into(),
            presence,
            limits,
            conns: conns.into_iter().collect(),
            left_at: None,
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
        self.left_at.map(|at| at + self.limits.presence_grace_ms)
    }

    fn status_event(&self) -> ServerMsg {
        ServerMsg::UserStatus {
            user_id: self.user_id.clone(),
            status: self.presence.status,
            last_seen: self.presence.last_seen,
            status_text: self.presence.status_text.clone(),
        }
    }

    /// Sets the status and says so everywhere it matters.
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
        let event = self.status_event();
        let mut effects = vec![InboxEffect::Save(self.presence.clone())];
        if changed {
            effects.push(InboxEffect::Broadcast(event.clone()));
            effects.push(InboxEffect::Relay(event));
        }
        effects
    }

    pub fn handle(&mut self, command: InboxCommand, now: Millis) -> Vec<InboxEffect> {
        match command {
            InboxCommand::Connect { conn } => {
                self.conns.insert(conn.clone());
                self.left_at = None;
                let mut effects = vec![InboxEffect::Send {
                    conn: conn.clone(),
                    msg: ServerMsg::Connected {
                        protocol_version: PROTOCOL_VERSION,
                    },
                }];
                if self.presence.status == Status::Offline {
                    let text = self.presence.status_text.clone();
                    effects.extend(self.set(Status::Online, text, now));
                }
                effects.push(InboxEffect::Send {
                    conn,
                    msg: self.status_event(),
                });
                effects
            }
            InboxCommand::Disconnect { conn } => {
                if self.conns.remove(&conn) && self.conns.is_empty() {
                    self.left_at = Some(now);
                }
                Vec::new()
            }
            InboxCommand::Tick => match self.left_at {
                Some(at) if at + self.limits.presence_grace_ms <= now && self.conns.is_empty() => {
                    self.left_at = None;
                    let text = self.presence.status_text.clone();
                    self.set(Status::Offline, text, now)
                }
                _ => Vec::new(),
            },
            InboxCommand::Deliver(msg) => vec![InboxEffect::Broadcast(*msg)],
            InboxCommand::Frame { conn, raw } => self.frame(conn, &raw, now),
        }
    }

    fn frame(&mut self, conn: ConnId, raw: &str, now: Millis) -> Vec<InboxEffect> {
        let error = |code, message: &str, req_id| {
            vec![InboxEffect::Send {
                conn: conn.clone(),
                msg: ServerMsg::error(code, message, req_id),
            }]
        };
        let frame = match decode_frame(raw, &self.limits) {
            Ok(frame) => frame,
            Err(rejection) => return error(rejection.code, &rejection.message, rejection.req_id),
        };
        match frame.msg {
            ClientMsg::Ping => vec![InboxEffect::Send {
                conn,
                msg: ServerMsg::Pong,
            }],
            ClientMsg::StatusChange {
                status,
                status_text,
            } => {
                let text = match status_text.as_deref().map(crate::text::clean) {
                    Some(text) if text.chars().count() > 140 => {
                        return error(
                            ErrorCode::TooLong,
                            "status texts have at most 140 characters",
                            frame.req_id,
                        );
                    }
                    Some(text) if text.is_empty() => None,
                    Some(text) => Some(text),
                    None => self.presence.status_text.clone(),
                };
                self.set(status, text, now)
            }
            ClientMsg::CreateRoom {
                room_name,
                is_private,
                members,
            } => vec![InboxEffect::CreateRoom {
                conn,
                req_id: frame.req_id,
                room_name,
                is_private,
                members,
            }],
            ClientMsg::Authenticate { .. } => error(
                ErrorCode::Unavailable,
                "the inbox socket lives as long as its token; reconnect with a fresh one",
                frame.req_id,
            ),
            _ => error(
                ErrorCode::WrongSocket,
                "send this on the room's socket (/api/rooms/{id}/ws)",
                frame.req_id,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline() -> Presence {
        Presence {
            status: Status::Offline,
            status_text: None,
            last_seen: None,
        }
    }

    fn inbox() -> Inbox {
        Inbox::new("u", offline(), Limits::default(), [])
    }

    fn relayed(effects: &[InboxEffect]) -> Vec<Status> {
        effects
            .iter()
            .filter_map(|e| match e {
                InboxEffect::Relay(ServerMsg::UserStatus { status, .. }) => Some(*status),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_first_socket_brings_the_user_online_and_tells_their_rooms() {
        let mut inbox = inbox();
        let effects = inbox.handle(InboxCommand::Connect { conn: "a".into() }, 10);
        assert!(matches!(
            &effects[0],
            InboxEffect::Send {
                msg: ServerMsg::Connected { .. },
                ..
            }
        ));
        assert_eq!(relayed(&effects), [Status::Online]);
        assert_eq!(inbox.presence().last_seen, Some(10));
        assert!(relayed(&inbox.handle(InboxCommand::Connect { conn: "b".into() }, 11)).is_empty());
    }

    #[test]
    fn the_user_goes_offline_only_when_the_last_device_has_been_gone_for_the_grace_period() {
        let mut inbox = inbox();
        inbox.handle(InboxCommand::Connect { conn: "a".into() }, 0);
        inbox.handle(InboxCommand::Connect { conn: "b".into() }, 0);
        inbox.handle(InboxCommand::Disconnect { conn: "a".into() }, 100);
        assert_eq!(inbox.next_deadline(), None, "a device is still here");
        inbox.handle(InboxCommand::Disconnect { conn: "b".into() }, 200);
        assert_eq!(inbox.next_deadline(), Some(5_200));
        assert!(relayed(&inbox.handle(InboxCommand::Tick, 5_199)).is_empty());
        assert_eq!(
            relayed(&inbox.handle(InboxCommand::Tick, 5_200)),
            [Status::Offline]
        );
    }

    #[test]
    fn a_reconnect_within_the_grace_period_does_not_flap() {
        let mut inbox = inbox();
        inbox.handle(InboxCommand::Connect { conn: "a".into() }, 0);
        inbox.handle(InboxCommand::Disconnect { conn: "a".into() }, 100);
        let effects = inbox.handle(InboxCommand::Connect { conn: "b".into() }, 1_000);
        assert!(relayed(&effects).is_empty());
        assert!(relayed(&inbox.handle(InboxCommand::Tick, 10_000)).is_empty());
    }

    #[test]
    fn a_status_change_is_saved_shown_and_relayed() {
        let mut inbox = inbox();
        inbox.handle(InboxCommand::Connect { conn: "a".into() }, 0);
        let raw = r#"{"type":"status-change","status":"away","statusText":"  lunch\u0007 "}"#;
        let effects = inbox.handle(
            InboxCommand::Frame {
                conn: "a".into(),
                raw: raw.into(),
            },
            5,
        );
        assert_eq!(relayed(&effects), [Status::Away]);
        assert_eq!(inbox.presence().status_text.as_deref(), Some("lunch"));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, InboxEffect::Save(p) if p.status == Status::Away))
        );
    }

    #[test]
    fn room_events_on_the_inbox_are_the_wrong_socket() {
        let mut inbox = inbox();
        let raw = r#"{"type":"typing-start","roomId":"lobby"}"#;
        let effects = inbox.handle(
            InboxCommand::Frame {
                conn: "a".into(),
                raw: raw.into(),
            },
            0,
        );
        assert!(matches!(
            &effects[..],
            [InboxEffect::Send {
                msg: ServerMsg::Error {
                    code: ErrorCode::WrongSocket,
                    ..
                },
                ..
            }]
        ));
    }

    #[test]
    fn create_room_is_handed_to_the_door() {
        let mut inbox = inbox();
        let raw = r#"{"type":"create-room","roomName":"Design","isPrivate":true,"members":["v"],"reqId":"1"}"#;
        let effects = inbox.handle(
            InboxCommand::Frame {
                conn: "a".into(),
                raw: raw.into(),
            },
            0,
        );
        assert!(matches!(
            &effects[..],
            [InboxEffect::CreateRoom {
                is_private: true,
                ..
            }]
        ));
    }
}

//! What a step's effects say: the events it stored, and what each socket is sent.

use crate::Effect;
use crate::sockets::SocketEffect;
use edgechat_protocol::frame;
use edgechat_protocol::{ErrorCode, RoomEvent, ServerMsg};

/// The code of the error sent, if the effects are one.
pub fn error_code(effects: &[Effect]) -> Option<ErrorCode> {
    effects.iter().find_map(|e| match e {
        Effect::Socket(SocketEffect::Send {
            msg: ServerMsg::Error(frame::Error { code, .. }),
            ..
        }) => Some(*code),
        _ => None,
    })
}

pub fn retry_after(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Socket(SocketEffect::Send {
            msg: ServerMsg::Error(frame::Error { retry_after, .. }),
            ..
        }) => *retry_after,
        _ => None,
    })
}

/// The durable events the step stored.
pub fn appended(effects: &[Effect]) -> Vec<RoomEvent> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Stored(event) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

/// The seq `conn` was acknowledged for its message `client`, if it was.
pub fn acked(effects: &[Effect], conn: &str, client: &str) -> Option<edgechat_protocol::Seq> {
    sent_to(effects, conn).into_iter().find_map(|m| match m {
        ServerMsg::MessageAck(edgechat_protocol::frame::MessageAck {
            client_msg_id, seq, ..
        }) if client_msg_id == client => Some(seq),
        _ => None,
    })
}

pub fn sent_to(effects: &[Effect], conn: &str) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Socket(SocketEffect::Send { conn: c, msg }) if c == conn => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

/// The `room-joined` sent to `conn`, if one was.
pub fn room_joined(effects: &[Effect], conn: &str) -> Option<ServerMsg> {
    sent_to(effects, conn)
        .into_iter()
        .find(|m| matches!(m, ServerMsg::RoomJoined(frame::RoomJoined { .. })))
}

pub fn broadcasts(effects: &[Effect]) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Socket(SocketEffect::Broadcast { msg, .. }) => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

/// What every socket of the newest version is told among `effects`, with each
/// `members-arrived` opened into the `user-joined` and `user-status` frames it stands for.
pub fn heard(effects: &[Effect]) -> Vec<ServerMsg> {
    broadcasts(effects)
        .into_iter()
        .flat_map(|msg| match msg {
            ServerMsg::MembersArrived(frame::MembersArrived {
                joined, statuses, ..
            }) => joined
                .into_iter()
                .map(ServerMsg::from)
                .chain(statuses.into_iter().map(ServerMsg::UserStatus))
                .collect(),
            msg => vec![msg],
        })
        .collect()
}

pub fn closed(effects: &[Effect]) -> Vec<(String, u16)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Socket(SocketEffect::Close { conn, code, .. }) => Some((conn.clone(), *code)),
            _ => None,
        })
        .collect()
}

/// The last whole online set broadcast among `effects`: an `online-users` to everyone,
/// or the one version 1 sockets get beside a `presence-changed`.
pub fn online(effects: &[Effect]) -> Option<Vec<String>> {
    effects.iter().rev().find_map(|e| {
        let whole = match e {
            Effect::Socket(SocketEffect::Broadcast { msg, .. }) => msg,
            Effect::Socket(SocketEffect::BroadcastOr { older, .. }) => older.as_ref(),
            _ => return None,
        };
        match whole {
            ServerMsg::OnlineUsers(frame::OnlineUsers { user_ids, .. }) => Some(user_ids.clone()),
            _ => None,
        }
    })
}

/// The `presence-changed` broadcasts among `effects`, as (came online, went offline).
pub fn presence_changes(effects: &[Effect]) -> Vec<(Vec<String>, Vec<String>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Socket(SocketEffect::BroadcastOr {
                msg:
                    ServerMsg::PresenceChanged(frame::PresenceChanged {
                        online, offline, ..
                    }),
                ..
            }) => Some((online.clone(), offline.clone())),
            _ => None,
        })
        .collect()
}

/// What the socket `conn` of a current client receives among `effects`, in order: what
/// is sent to it and what is broadcast to all but another.
pub fn frames_for(effects: &[Effect], conn: &str) -> Vec<ServerMsg> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Socket(SocketEffect::Send { conn: to, msg }) if to == conn => Some(msg.clone()),
            Effect::Socket(SocketEffect::Broadcast { msg, except })
                if except.as_deref() != Some(conn) =>
            {
                Some(msg.clone())
            }
            Effect::Socket(SocketEffect::BroadcastOr { msg, .. }) => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

//! The room state machine: commands in, effects out.

use edgechat_protocol::{
    ClientMsg, ErrorCode, Id, Message, Millis, PROTOCOL_VERSION, Seq, ServerMsg,
};
use serde::{Deserialize, Serialize};

use crate::{Limits, decode::decode_frame, text};

/// Who is on the other end of a socket: fixed when the socket attaches to the room and
/// kept in its attachment, so it survives hibernation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: Id,
    pub username: String,
}

/// Something that happened to the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A socket attached.
    Connect { member: Member },
    /// A socket sent a text frame.
    Frame { member: Member, raw: String },
    /// A socket sent a binary frame, which the protocol does not use.
    Binary { member: Member },
}

/// What the Durable Object must carry out, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send to the socket the command came from.
    Reply(ServerMsg),
    /// Append to the room's log. Done before any broadcast of the same event.
    Append(Message),
    /// Send to every socket in the room, the sender's included.
    Broadcast(ServerMsg),
}

/// One room's state.
#[derive(Debug, Clone)]
pub struct Room {
    id: Id,
    head_seq: Seq,
    limits: Limits,
}

impl Room {
    /// A room whose log ends at `head_seq` (0 for an empty log).
    pub fn new(id: impl Into<Id>, head_seq: Seq, limits: Limits) -> Self {
        Self {
            id: id.into(),
            head_seq,
            limits,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The seq of the newest durable event.
    pub fn head_seq(&self) -> Seq {
        self.head_seq
    }

    pub fn handle(&mut self, command: Command, now: Millis) -> Vec<Effect> {
        match command {
            Command::Connect { .. } => vec![Effect::Reply(ServerMsg::Connected {
                protocol_version: PROTOCOL_VERSION,
            })],
            Command::Binary { .. } => vec![Effect::Reply(ServerMsg::error(
                ErrorCode::BadFrame,
                "frames must be JSON text, not binary",
                None,
            ))],
            Command::Frame { member, raw } => match decode_frame(&raw, &self.limits) {
                Err(rejection) => vec![Effect::Reply(ServerMsg::error(
                    rejection.code,
                    rejection.message,
                    rejection.req_id,
                ))],
                Ok(frame) => match frame.msg {
                    ClientMsg::Ping => vec![Effect::Reply(ServerMsg::Pong)],
                    ClientMsg::SendMessage {
                        room_id,
                        text,
                        client_msg_id,
                    } => self.send(member, room_id, &text, client_msg_id, frame.req_id, now),
                },
            },
        }
    }

    fn send(
        &mut self,
        member: Member,
        room_id: Id,
        text: &str,
        client_msg_id: String,
        req_id: Option<String>,
        now: Millis,
    ) -> Vec<Effect> {
        let refuse = |code, message: String| {
            vec![Effect::Reply(ServerMsg::error(
                code,
                message,
                req_id.clone(),
            ))]
        };
        if room_id != self.id {
            return refuse(
                ErrorCode::WrongRoom,
                format!("this socket is joined to {:?}, not {room_id:?}", self.id),
            );
        }
        let text = text::clean(text);
        if text.is_empty() {
            return refuse(ErrorCode::Empty, "a message needs some text".into());
        }
        let chars = text.chars().count();
        if chars > self.limits.max_message_chars {
            return refuse(
                ErrorCode::TooLong,
                format!(
                    "messages are limited to {} characters; this one has {chars}",
                    self.limits.max_message_chars
                ),
            );
        }
        self.head_seq += 1;
        let seq = self.head_seq;
        let message = Message {
            // Room ids are unique and seqs never repeat within a room, so this is unique
            // everywhere without a random source.
            message_id: format!("{}:{seq}", self.id),
            room_id: self.id.clone(),
            user_id: member.user_id,
            username: member.username,
            text,
            timestamp: now,
            seq,
        };
        vec![
            Effect::Append(message.clone()),
            Effect::Reply(ServerMsg::MessageAck {
                req_id,
                client_msg_id,
                message_id: message.message_id.clone(),
                seq,
            }),
            Effect::Broadcast(ServerMsg::NewMessage(message)),
        ]
    }
}

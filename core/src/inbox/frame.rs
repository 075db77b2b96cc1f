//! What a user's inbox socket may send, decoded and checked.

use edgechat_protocol::{ClientMsg, ErrorCode, Millis, ServerMsg};

use super::{Inbox, InboxEffect};
use crate::sockets::SocketEffect;
use crate::{ConnId, decode::decode_frame};
use edgechat_protocol::frame;

impl Inbox {
    /// One text frame from a socket of the inbox: a ping, a status, a room to create, a
    /// fresh token; anything a room socket takes is refused here.
    pub(super) fn frame(&mut self, conn: ConnId, raw: &str, now: Millis) -> Vec<InboxEffect> {
        let error = |code, message: &str, req_id| {
            vec![InboxEffect::Socket(SocketEffect::Send {
                conn: conn.clone(),
                msg: ServerMsg::error(code, message, req_id),
            })]
        };
        let frame = match decode_frame(raw, &self.limits) {
            Ok(frame) => frame,
            Err(rejection) => return error(rejection.code, &rejection.message, rejection.req_id),
        };
        match frame.msg {
            ClientMsg::Ping {} => vec![InboxEffect::Socket(SocketEffect::Send {
                conn,
                msg: ServerMsg::Pong(frame::Pong {}),
            })],
            ClientMsg::StatusChange {
                status,
                status_text,
            } => {
                if let Err(wait) = self.spend_status(now) {
                    return vec![InboxEffect::Socket(SocketEffect::Send {
                        conn,
                        msg: ServerMsg::Error(frame::Error {
                            code: ErrorCode::RateLimited,
                            message: "too many status changes; slow down".into(),
                            req_id: frame.req_id,
                            retry_after: Some(wait),
                        }),
                    })];
                }
                let text = match status_text
                    .as_deref()
                    .map(|t| crate::text::clean(&edgechat_protocol::text::without_hidden(t)))
                {
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
            ClientMsg::Authenticate { token } => {
                vec![InboxEffect::Socket(SocketEffect::Authenticate {
                    conn,
                    token,
                    req_id: frame.req_id,
                })]
            }
            _ => error(
                ErrorCode::WrongSocket,
                "send this on the room's socket (/api/rooms/{id}/ws)",
                frame.req_id,
            ),
        }
    }
}

//! Carrying out what the core decided. Storage is not among it: the core's step already
//! wrote what it stored, atomically, before these run.

use edgechat_core::{Command, Effect};
use edgechat_protocol::{ErrorCode, ServerMsg};
use worker::{Date, WebSocket};

use super::{Attachment, Room};

impl Room {
    /// Performs `effects` in order. Returns the command that answers an
    /// `authenticate`, if one was made.
    pub(super) fn carry_out(
        &self,
        origin: Option<&WebSocket>,
        effects: Vec<Effect>,
    ) -> Option<Command> {
        let mut follow_up = None;
        for effect in effects {
            match effect {
                // Copied to D1 by the write-behind; the files by its purge.
                Effect::Stored(_) | Effect::RemoveFiles(_) => {}
                Effect::Send { conn, msg } => {
                    for ws in self.state.get_websockets_with_tag(&conn) {
                        if crate::versions::speaks(&self.state, &ws, &msg) {
                            send(&ws, &msg);
                        }
                    }
                }
                Effect::Broadcast { msg, except } => self.broadcast(&msg, except.as_deref()),
                Effect::Close { conn, code, reason } => {
                    for ws in self.state.get_websockets_with_tag(&conn) {
                        let _ = ws.close(Some(code), Some(&reason));
                    }
                }
                Effect::Authenticate {
                    conn,
                    token,
                    req_id,
                } => {
                    if let Some(origin) = origin {
                        follow_up = self.reauthenticate(origin, conn, &token, req_id);
                    }
                }
            }
        }
        follow_up
    }

    /// Checks a fresh token for a live socket and records its new expiry in the
    /// socket's attachment, so it survives hibernation; the core then decides.
    fn reauthenticate(
        &self,
        ws: &WebSocket,
        conn: String,
        token: &str,
        req_id: Option<String>,
    ) -> Option<Command> {
        let refuse = |message: &str| {
            send(
                ws,
                &ServerMsg::error(ErrorCode::Unauthorized, message, req_id.clone()),
            );
            None
        };
        let Some(secret) = &self.jwt_secret else {
            return refuse("the server is missing its secrets");
        };
        let verified = match edgechat_auth::token::verify(secret, token, Date::now().as_millis()) {
            Ok(verified) => verified,
            Err(err) => return refuse(&err.to_string()),
        };
        let Ok(Some(mut attachment)) = ws.deserialize_attachment::<Attachment>() else {
            return refuse("this socket has no identity");
        };
        if attachment.who.user_id == verified.user_id {
            attachment.who.expires_at = Some(verified.expires_at);
            if ws.serialize_attachment(&attachment).is_err() {
                return refuse("the new token could not be recorded");
            }
        }
        Some(Command::Reauthenticated {
            conn,
            user_id: verified.user_id,
            expires_at: verified.expires_at,
            req_id,
        })
    }

    fn broadcast(&self, msg: &ServerMsg, except: Option<&str>) {
        let Ok(frame) = serde_json::to_string(msg) else {
            return;
        };
        for ws in self.state.get_websockets() {
            if !crate::versions::speaks(&self.state, &ws, msg) {
                continue;
            }
            if let Some(except) = except
                && self.state.get_tags(&ws).iter().any(|tag| tag == except)
            {
                continue;
            }
            // A socket that is closing refuses the send; it is leaving anyway.
            let _ = ws.send_with_str(&frame);
        }
    }
}

pub(super) fn send(ws: &WebSocket, msg: &ServerMsg) {
    if let Err(err) = ws.send(msg) {
        worker::console_warn!("room: send failed: {err}");
    }
}

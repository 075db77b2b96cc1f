//! Carrying out what the core decided. Storage is not among it: the core's step already
//! wrote what it stored, atomically, before these run.

use edgechat_core::{Command, Effect};
use edgechat_protocol::ServerMsg;
use worker::WebSocket;

use super::Room;
use crate::sockets;

/// What an effect leaves for the door to finish before the core's next turn.
pub(super) enum FollowUp {
    /// The command that answers an `authenticate`.
    Command(Box<Command>),
    /// An invitee to look up (asynchronously: D1 and their inbox).
    ResolveInvite {
        conn: String,
        user_id: String,
        req_id: Option<String>,
    },
    /// A room name to look up in the directory.
    CheckName {
        conn: String,
        update: edgechat_core::room::Update,
        req_id: Option<String>,
    },
}

impl Room {
    /// Performs `effects` in order. Returns what the door must finish, if anything.
    pub(super) fn carry_out(
        &self,
        origin: Option<&WebSocket>,
        effects: Vec<Effect>,
    ) -> Option<FollowUp> {
        let mut follow_up = None;
        for effect in effects {
            match effect {
                // Copied to D1 by the write-behind; the files by its purge.
                Effect::Stored(_) | Effect::RemoveFiles(_) => {}
                Effect::FetchPreview {
                    message_id,
                    link,
                    author,
                } => self
                    .previews_due
                    .borrow_mut()
                    .push((message_id, link, author)),
                Effect::Send { conn, msg } => {
                    for ws in self.state.get_websockets_with_tag(&conn) {
                        if crate::versions::speaks(&self.state, &ws, &msg) {
                            sockets::send(&ws, &msg);
                        }
                    }
                }
                Effect::Broadcast { msg, except } => self.broadcast(&msg, except.as_deref()),
                Effect::BroadcastOr { msg, older } => self.broadcast_or(&msg, older.as_ref()),
                Effect::Close { conn, code, reason } => {
                    for ws in self.state.get_websockets_with_tag(&conn) {
                        sockets::close(&ws, code, &reason);
                    }
                }
                Effect::ResolveInvite {
                    conn,
                    user_id,
                    req_id,
                } => {
                    follow_up = Some(FollowUp::ResolveInvite {
                        conn,
                        user_id,
                        req_id,
                    });
                }
                Effect::CheckName {
                    conn,
                    update,
                    req_id,
                } => {
                    follow_up = Some(FollowUp::CheckName {
                        conn,
                        update,
                        req_id,
                    });
                }
                Effect::Authenticate {
                    conn,
                    token,
                    req_id,
                } => {
                    if let Some(origin) = origin {
                        follow_up = self
                            .reauthenticate(origin, conn, &token, req_id)
                            .map(|command| FollowUp::Command(Box::new(command)));
                    }
                }
            }
        }
        follow_up
    }

    /// The door's answer to an `authenticate` on a live socket, as a command for the
    /// core; a token that does not verify was answered already.
    fn reauthenticate(
        &self,
        ws: &WebSocket,
        conn: String,
        token: &str,
        req_id: Option<String>,
    ) -> Option<Command> {
        let (user_id, expires_at) =
            sockets::reauthenticate(self.jwt_secret.as_deref(), ws, token, req_id.clone())?;
        Some(Command::Reauthenticated {
            conn,
            user_id,
            expires_at,
            req_id,
        })
    }

    /// `msg` to the sockets whose version knows it, `older` to the rest; each made once,
    /// `older` only if some socket needs it.
    fn broadcast_or(&self, msg: &ServerMsg, older: &ServerMsg) {
        let Ok(newer) = serde_json::to_string(msg) else {
            return;
        };
        let newer = sockets::shared(&newer);
        let mut older_frame = None;
        for ws in self.state.get_websockets() {
            if crate::versions::speaks(&self.state, &ws, msg) {
                sockets::send_shared(&ws, &newer);
                continue;
            }
            let frame = older_frame.get_or_insert_with(|| {
                serde_json::to_string(older)
                    .ok()
                    .map(|frame| sockets::shared(&frame))
            });
            if let Some(frame) = frame {
                sockets::send_shared(&ws, frame);
            }
        }
    }

    fn broadcast(&self, msg: &ServerMsg, except: Option<&str>) {
        let Ok(frame) = serde_json::to_string(msg) else {
            return;
        };
        let frame = sockets::shared(&frame);
        for ws in self.state.get_websockets() {
            if !crate::versions::speaks(&self.state, &ws, msg) {
                continue;
            }
            if let Some(except) = except
                && self.state.get_tags(&ws).iter().any(|tag| tag == except)
            {
                continue;
            }
            sockets::send_shared(&ws, &frame);
        }
    }
}

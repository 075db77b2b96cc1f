//! Carrying out what the core decided.

use edgechat_core::Effect;
use edgechat_protocol::{ErrorCode, ServerMsg};
use worker::{Result, WebSocket};

use super::{Room, storage};

impl Room {
    /// Performs `effects` in order. Storage comes first in every list the core returns,
    /// so a failed write stops everything that would announce it.
    pub(super) fn carry_out(&self, origin: &WebSocket, effects: Vec<Effect>) -> Result<()> {
        let sql = self.state.storage().sql();
        for effect in effects {
            match effect {
                Effect::Append(event) => storage::append(&sql, &event)?,
                Effect::SaveReadMark { user_id, seq } => {
                    storage::save_read_mark(&sql, &user_id, seq)?
                }
                Effect::Send { conn, msg } => {
                    for ws in self.state.get_websockets_with_tag(&conn) {
                        send(&ws, &msg);
                    }
                }
                Effect::Broadcast { msg, except } => self.broadcast(&msg, except.as_deref()),
                Effect::Close { conn, code, reason } => {
                    for ws in self.state.get_websockets_with_tag(&conn) {
                        let _ = ws.close(Some(code), Some(&reason));
                    }
                }
                Effect::Authenticate { req_id, .. } => send(
                    origin,
                    &ServerMsg::error(
                        ErrorCode::Unavailable,
                        "token refresh arrives with accounts",
                        req_id,
                    ),
                ),
            }
        }
        Ok(())
    }

    fn broadcast(&self, msg: &ServerMsg, except: Option<&str>) {
        let Ok(frame) = serde_json::to_string(msg) else {
            return;
        };
        for ws in self.state.get_websockets() {
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

//! The door's part of renaming a channel: whether another room of the directory already
//! has the name (its address, or its name in any case). The core decides what follows.

use edgechat_core::{Command, room::Update};
use edgechat_protocol::{ErrorCode, ServerMsg};
use wasm_bindgen::JsValue;

use super::Room;
use crate::sockets;

impl Room {
    /// Looks the new name of `update` up in D1 and hands the answer back to the core; a
    /// directory that cannot be read is answered `internal` here, and nothing changes.
    pub(super) async fn check_name(
        &self,
        room: &str,
        conn: String,
        update: Update,
        req_id: Option<String>,
    ) -> Option<Command> {
        let name = update.name.clone().unwrap_or_default();
        match name_taken(&self.env, room, &name).await {
            Ok(taken) => Some(Command::NameChecked {
                conn,
                update,
                req_id,
                taken,
            }),
            Err(err) => {
                crate::log::error("name-lookup-failed")
                    .with("room", room)
                    .with("connId", conn.as_str())
                    .with("reqId", req_id.clone())
                    .err(err)
                    .emit();
                let msg = ServerMsg::error(
                    ErrorCode::Internal,
                    "the name could not be looked up; try again",
                    req_id,
                );
                // After what the room already queued for it.
                self.batching.flush(&self.state);
                for ws in self.state.get_websockets_with_tag(&conn) {
                    sockets::send(&ws, &msg);
                }
                None
            }
        }
    }
}

/// Whether a channel other than `room` is at the address `name` makes, or has `name` in
/// any case (by the index of migration 0014).
pub async fn name_taken(env: &worker::Env, room: &str, name: &str) -> worker::Result<bool> {
    let slug = edgechat_core::ids::room_slug(name).unwrap_or_default();
    let found = crate::storage::d1(env)?
        .prepare(
            "SELECT 1 AS taken FROM rooms WHERE id != ?1 AND kind IN ('public', 'private')
             AND (id = ?2 OR lower(name) = lower(?3)) LIMIT 1",
        )
        .bind(&[
            JsValue::from_str(room),
            JsValue::from_str(&slug),
            JsValue::from_str(name),
        ])?
        .first::<serde_json::Value>(None)
        .await?;
    Ok(found.is_some())
}

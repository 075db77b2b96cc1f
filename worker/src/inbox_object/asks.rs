//! What an inbox asks of rooms on its user's behalf: admitting them to one more room,
//! revoking them everywhere, relaying their status, creating a room from the socket.

use edgechat_core::inbox::admission;
use edgechat_protocol::{ErrorCode, Millis, ServerMsg};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{Response, Result};

use super::Inbox;
use crate::{auth::users, http, rooms, stubs::RoomStub};
use edgechat_protocol::frame;

impl Inbox {
    /// Counts one more room the user is added to by someone else, within the hourly cap.
    /// The times are stored (an hourly cap must outlive hibernation), at most the cap's
    /// worth of them.
    pub(super) async fn admit(&self, room: &str, now: Millis) -> Result<Response> {
        let cap = self.limits.added_to_rooms_per_hour as usize;
        let storage = self.state.storage();
        let mut added: Vec<Millis> = storage
            .get("added")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        if let Err(refusal) = admission::admit(&mut added, cap, room, now) {
            return http::refused(&refusal);
        }
        storage.put("added", &added).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// Closes the user's sockets in every room they are in (the account was disabled),
    /// twenty rooms at a time.
    pub(super) async fn revoke_in_rooms(&self, user_id: &str) -> Result<()> {
        let rooms = self.rooms_of(user_id).await?;
        for chunk in rooms.chunks(20) {
            let revocations = chunk.iter().map(|room_id| async move {
                let revoked = match RoomStub::new(&self.env, room_id) {
                    Ok(room) => room.revoke(user_id).await.map(drop),
                    Err(err) => Err(err),
                };
                if let Err(err) = revoked {
                    crate::log::warn("revoke-failed")
                        .with("room", room_id.as_str())
                        .err(err)
                        .emit();
                }
            });
            futures_util::future::join_all(revocations).await;
        }
        Ok(())
    }

    /// Every room the user is a member of, as D1 lists them: read a page at a time, in
    /// order, each after the last of the one before, so a user in thousands of rooms is
    /// reached in all of them.
    pub(super) async fn rooms_of(&self, user_id: &str) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Row {
            room_id: String,
        }
        const PAGE: usize = 500;
        let db = crate::storage::d1(&self.env)?;
        let mut rooms = Vec::new();
        loop {
            let after = rooms.last().map_or("", String::as_str);
            let rows: Vec<Row> = db
                .prepare(
                    "SELECT room_id FROM room_members WHERE user_id = ?1 AND member = 1
                     AND room_id > ?2 ORDER BY room_id LIMIT ?3",
                )
                .bind(&[
                    JsValue::from_str(user_id),
                    JsValue::from_str(after),
                    JsValue::from_f64(PAGE as f64),
                ])?
                .all()
                .await?
                .results()?;
            let full = rows.len() == PAGE;
            rooms.extend(rows.into_iter().map(|row| row.room_id));
            if !full {
                return Ok(rooms);
            }
        }
    }

    /// Tells each room the user is in; their member lists show it.
    pub(super) async fn relay(&self, user_id: &str, msg: &ServerMsg) -> Result<()> {
        for room_id in self.rooms_of(user_id).await? {
            let relayed = RoomStub::new(&self.env, &room_id)?
                .relay_status(msg.clone())
                .await;
            if let Err(err) = relayed {
                crate::log::warn("status-relay-failed")
                    .with("room", room_id.as_str())
                    .err(err)
                    .emit();
            }
        }
        Ok(())
    }

    /// `create-room` on the inbox socket: the same as `POST /api/rooms`.
    pub(super) async fn create_room(
        &self,
        user_id: &str,
        name: String,
        is_private: bool,
        members: Vec<String>,
        req_id: Option<String>,
    ) -> Result<ServerMsg> {
        let db = crate::storage::d1(&self.env)?;
        let Some(user) = users::by_id(&db, user_id).await? else {
            let gone = admission::account_gone();
            return Ok(ServerMsg::error(gone.code(), gone.message(), req_id));
        };
        let body = rooms::NewRoom {
            name,
            is_private,
            group: false,
            members,
            capacity: None,
        };
        let mut response = rooms::create_for(&self.env, &user, body).await?;
        let status = response.status_code();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|seconds| seconds.parse::<u64>().ok())
            .map(|seconds| seconds * 1_000);
        let json: serde_json::Value = response.json().await.unwrap_or_default();
        if status == 201
            && let Ok(room) = serde_json::from_value(json["room"].clone())
        {
            return Ok(ServerMsg::RoomCreated(frame::RoomCreated { room }));
        }
        // One vocabulary: the HTTP answer's code is the event's. A body without one
        // (never expected) is the server's own failure.
        let code =
            serde_json::from_value(json["error"]["code"].clone()).unwrap_or(ErrorCode::Internal);
        let message = json["error"]["message"]
            .as_str()
            .unwrap_or("the room could not be created");
        Ok(ServerMsg::Error(frame::Error {
            code,
            message: message.to_owned(),
            req_id,
            retry_after,
        }))
    }
}

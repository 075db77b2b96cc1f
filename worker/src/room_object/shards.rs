//! The room's side of its shards (docs/architecture.md, *Rooms bigger than one object*):
//! past `SHARD_AFTER` sockets of its own, a new socket of a version that takes `batch` is
//! sent to a shard object, which holds it and relays its frames here. The room stays the
//! one sequencer and store: each shard socket is a socket of the core like any other, its
//! frames go to the shard in one delivery per flush (`outbox.rs`), and where each is kept
//! in the room's SQLite (`shard_sockets`), as its own sockets are kept in attachments.

use edgechat_core::{Command, Identity, shards, store::ShardSocket};
use edgechat_protocol::{ErrorCode, Seq};
use worker::{Date, Response, Result};

use super::Room;
use crate::{http, outbox::Batching, stubs::SHARD_HEADER};

impl Room {
    /// The shards' sockets, as a loaded core knows them, and the outbox told where.
    pub(super) fn shard_sockets(&self) -> Result<Vec<(String, Identity)>> {
        let rows = self.store().shard_sockets().map_err(super::stored)?;
        let mut placement = shards::Placement::default();
        for row in &rows {
            placement.held_now(row.shard, &row.epoch);
        }
        self.placement.replace(placement);
        Ok(rows.into_iter().map(|row| (row.conn, row.who)).collect())
    }

    /// Tells the outbox which shards hold sockets, after a change.
    pub(super) fn tell_outbox(&self, room: &str) {
        let shards = self.placement.borrow().live();
        if let Ok(namespace) = self.env.durable_object("SHARD") {
            Batching::set_shards(&self.state, namespace.as_ref(), room, &shards);
        }
    }

    /// The shard a new socket goes to, if any (`edgechat_core::shards::Placement`).
    pub(super) fn place(&self, who: &Identity) -> Option<u32> {
        let served = self.core.borrow().as_ref()?.socket_count();
        self.placement
            .borrow_mut()
            .place(served, who.version, self.shard_after, self.shard_sockets)
    }

    /// The answer that sends an upgrade on to a shard (the Worker follows it).
    pub(super) fn to_shard(shard: u32) -> Result<Response> {
        let response = Response::empty()?.with_status(307);
        response.headers().set(SHARD_HEADER, &shard.to_string())?;
        Ok(response)
    }

    /// A shard accepted a socket: it joins as the room's own would, and the shard is
    /// answered with its first delivery, which holds the socket's first frames.
    pub(super) async fn shard_connect(
        &self,
        socket: ShardSocket,
        since: Option<Seq>,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let room = self.room_id();
        // The sockets of the shard's earlier life went with it.
        let stale = self
            .store()
            .shard_sockets_before(socket.shard, &socket.epoch)
            .map_err(super::stored)?;
        self.drop_remote(&room, stale, now);
        self.store()
            .add_shard_socket(&socket)
            .map_err(super::stored)?;
        self.placement
            .borrow_mut()
            .arrived(socket.shard, &socket.epoch);
        self.tell_outbox(&room);
        let conn = socket.conn.clone();
        self.run(
            &room,
            None,
            Command::Connect {
                conn: conn.clone(),
                who: socket.who,
                since,
            },
            now,
        )
        .await;
        let admitted = self
            .core
            .borrow()
            .as_ref()
            .is_some_and(|core| core.serves(&conn));
        if !admitted {
            // Refused (its reason and close are queued) or failed: it is not the room's.
            Batching::close_remote(&self.state, &conn, 1011, "the room could not admit you");
            self.forget_remote(&room, &conn);
        }
        // What was queued before it came goes too, for the shard's other sockets; the
        // shard sends the joiner nothing before its `room-joined`.
        let delivery = Batching::capture(&self.state, socket.shard);
        let response = Response::ok(delivery)?;
        response.headers().set("Content-Type", "application/json")?;
        Ok(response)
    }

    /// A frame from a shard's socket, handled as one from the room's own. A socket the
    /// room no longer serves is answered `not-found`: the shard closes it, and its client
    /// reconnects.
    pub(super) async fn shard_frame(&self, conn: String, raw: Option<String>) -> Result<Response> {
        let scope = crate::log::connection(&conn);
        crate::log::scoped(scope, self.shard_frame_scoped(conn, raw)).await
    }

    async fn shard_frame_scoped(&self, conn: String, raw: Option<String>) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        if !self
            .core
            .borrow()
            .as_ref()
            .is_some_and(|core| core.serves(&conn))
        {
            return http::error(ErrorCode::NotFound, "this socket is not the room's");
        }
        let room = self.room_id();
        let command = match raw {
            Some(raw) => Command::Frame { conn, raw },
            None => Command::Binary { conn },
        };
        self.run(&room, None, command, now).await;
        Ok(Response::empty()?.with_status(204))
    }

    /// A shard's socket closed.
    pub(super) async fn shard_gone(&self, conn: String) -> Result<Response> {
        let now = Date::now().as_millis();
        if self.ready(now).await.is_none() {
            let room = self.room_id();
            self.forget_remote(&room, &conn);
            self.run(&room, None, Command::Disconnect { conn }, now)
                .await;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// A page of the durable events after `after`, for a shard that missed deliveries
    /// (it asks again from where the page ends); `not-found` when the log was compacted
    /// past `after` (its sockets reconnect and resync).
    pub(super) async fn shard_pull(&self, after: Seq) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let page = self
            .core
            .borrow()
            .as_ref()
            .map(|core| core.replay_page(after));
        match page {
            Some(Ok(Some(events))) => {
                let through = after + events.len() as Seq;
                let frames: serde_json::Result<Vec<String>> =
                    events.iter().map(serde_json::to_string).collect();
                match frames {
                    Ok(frames) => http::json(
                        200,
                        &serde_json::json!({ "through": through, "frames": frames }),
                    ),
                    Err(_) => http::error(ErrorCode::Internal, "an event could not be encoded"),
                }
            }
            Some(Ok(None)) => http::error(ErrorCode::NotFound, "too far back; resync"),
            Some(Err(err)) => http::error(ErrorCode::Internal, &err.to_string()),
            None => http::error(ErrorCode::Unavailable, "the room is not loaded"),
        }
    }

    /// Shards that answered a delivery with no socket lost the sockets of the life the
    /// room knew them by (a restart): those leave, before the next turn.
    pub(super) fn forget_lost_shards(&self, room: &str, now: edgechat_protocol::Millis) {
        for (shard, epoch) in Batching::lost(&self.state) {
            let gone = self
                .store()
                .shard_sockets_of(shard, &epoch)
                .unwrap_or_default();
            self.drop_remote(room, gone, now);
        }
    }

    /// Shard sockets that are gone: forgotten, and each leaves as a closed socket does.
    fn drop_remote(&self, room: &str, conns: Vec<String>, now: edgechat_protocol::Millis) {
        for conn in conns {
            self.forget_remote(room, &conn);
            if let Ok(effects) = self.step(Command::Disconnect { conn }, now) {
                // A leaving is told in socket frames only: nothing to follow up.
                let _ = self.carry_out(effects);
            }
        }
    }

    /// Forgets where `conn` was; the outbox is told only when its shard emptied.
    fn forget_remote(&self, room: &str, conn: &str) {
        let Some(shard) = shards::shard_of(conn) else {
            return;
        };
        if self.store().remove_shard_socket(conn).unwrap_or(false)
            && self.placement.borrow_mut().left(shard)
        {
            self.tell_outbox(room);
        }
    }
}

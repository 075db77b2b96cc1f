//! The `Room` object: one per room. It holds the room's hibernating sockets, feeds every
//! event to `edgechat_core::Room` (which reads and writes the room's SQLite through
//! [`sql::ObjectSql`], one atomic step per command), and carries out the effects. No rule
//! of the room is decided here.
#![warn(clippy::too_many_lines)]

mod archive;
mod bench;
mod callouts;
mod effects;
mod exports;
mod hooks;
mod imports;
mod invites;
mod load;
mod notify;
mod previews;
mod rename;
mod requests;
mod shards;
mod sql;
mod step;
mod write_behind;

use std::cell::{Cell, RefCell};

use edgechat_core::{
    Command, Limits,
    store::{ShardSocket, Store},
};
use edgechat_protocol::{ErrorCode, Millis, PING_FRAME, PONG_FRAME, ServerMsg};
use worker::{
    Date, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, durable_object, worker_sys::WebSocketRequestResponsePair,
};

#[cfg(feature = "bench")]
use crate::stubs::Faults;
use crate::{
    config, http,
    outbox::Batching,
    sockets,
    stubs::{Connection, RoomCall},
};
use load::Loaded;
pub(crate) use rename::name_taken;
pub(crate) use sql::ObjectSql;

type Core = edgechat_core::Room<ObjectSql>;

#[durable_object]
pub struct Room {
    state: State,
    env: Env,
    limits: Limits,
    /// Write-behind to D1: how long to gather events, how many (and how many bytes of
    /// message text) per batch, how long to wait after a failure.
    archive_delay_ms: u64,
    archive_batch: usize,
    archive_batch_bytes: usize,
    archive_retry_ms: u64,
    /// D1 failed: retry no sooner than this.
    archive_backoff: Cell<Option<Millis>>,
    /// How many rounds of the write-behind failed in a row (the backoff's exponent).
    /// In memory: after an eviction the backoff starts again from `ARCHIVE_RETRY_MS`.
    archive_failures: Cell<u32>,
    /// `ARCHIVE_RETRY_MAX_MS`: the longest a failing write-behind waits between tries.
    archive_retry_max_ms: u64,
    /// A write-behind is under way: a step that would start another leaves it to this one.
    writing_behind: Cell<bool>,
    /// Upgrading a room stored by an older build: events folded per chunk, and chunks
    /// per wake (the clock stands still while code runs, so the budget is counted).
    migrate_chunk: usize,
    migrate_chunks_per_wake: usize,
    /// For checking tokens that `authenticate` brings to a live socket.
    jwt_secret: Option<Vec<u8>>,
    /// `NOTIFY_PER_ROUND`: inbox deliveries per write-behind round; the rest wait in the
    /// room's outbox for the next.
    notify_per_round: usize,
    /// How the room packs frames for sockets of wire version 6 (`outbox.rs`).
    batching: Batching,
    /// `SHARD_AFTER`: how many sockets the room holds itself before new ones go to shard
    /// objects; `SHARD_SOCKETS`: how many each shard holds.
    shard_after: usize,
    shard_sockets: usize,
    /// Where the sockets on shards are (`shards.rs`).
    placement: RefCell<edgechat_core::shards::Placement>,
    /// Faults the tests inject (the bench build only, through the Worker).
    #[cfg(feature = "bench")]
    faults: Cell<Faults>,
    /// Loaded from storage (its info and head only) on the first event after each
    /// wake-up; never the only copy of anything that must last.
    core: RefCell<Option<Core>>,
    /// The alarm time last set, so it is not set again for every frame.
    armed: Cell<Option<Millis>>,
    /// Link previews the last steps asked for (message id, link, author): fetched once
    /// their answers are out, then handed back to the core.
    previews_due: RefCell<Vec<(String, String, String)>>,
    /// Calls to programs the last steps asked for (`callouts.rs`): made once their
    /// answers are out.
    calls_due: RefCell<Vec<edgechat_core::room::CallOut>>,
}

impl DurableObject for Room {
    fn new(state: State, env: Env) -> Self {
        crate::log::init(&env);
        // Answered by the runtime itself, so keep-alives never wake a hibernating room.
        match WebSocketRequestResponsePair::new(PING_FRAME, PONG_FRAME) {
            Ok(pair) => state.set_websocket_auto_response(&pair),
            Err(err) => crate::log::error("no-auto-response")
                .err(format!("{err:?}"))
                .emit(),
        }
        let limits = config::limits(&env);
        let jwt_secret = config::string(&env, "JWT_SECRET").map(String::into_bytes);
        Self {
            archive_delay_ms: config::number(&env, "ARCHIVE_DELAY_MS", 1_000),
            archive_batch: config::number(&env, "ARCHIVE_BATCH", 200) as usize,
            archive_batch_bytes: config::number(&env, "ARCHIVE_BATCH_BYTES", 1_048_576) as usize,
            archive_retry_ms: config::number(&env, "ARCHIVE_RETRY_MS", 5_000),
            archive_backoff: Cell::new(None),
            archive_failures: Cell::new(0),
            archive_retry_max_ms: config::number(&env, "ARCHIVE_RETRY_MAX_MS", 60_000),
            writing_behind: Cell::new(false),
            migrate_chunk: config::number(&env, "MIGRATE_CHUNK", 500) as usize,
            // At least one, or an upgrading room's alarm would never make progress.
            migrate_chunks_per_wake: config::number(&env, "MIGRATE_CHUNKS_PER_WAKE", 20).max(1)
                as usize,
            notify_per_round: config::number(&env, "NOTIFY_PER_ROUND", 100) as usize,
            batching: Batching::from_env(&env),
            shard_after: config::number(&env, "SHARD_AFTER", 1_000) as usize,
            shard_sockets: config::number(&env, "SHARD_SOCKETS", 1_000) as usize,
            placement: RefCell::new(edgechat_core::shards::Placement::default()),
            #[cfg(feature = "bench")]
            faults: Cell::new(Faults::default()),
            env,
            state,
            limits,
            jwt_secret,
            core: RefCell::new(None),
            armed: Cell::new(None),
            previews_due: RefCell::new(Vec::new()),
            calls_due: RefCell::new(Vec::new()),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::log::scoped(crate::stubs::log_fields(&req), self.answer(req)).await
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let Some(sockets::Attachment {
            conn, room, closed, ..
        }) = sockets::attachment(&ws)
        else {
            // Only sockets accepted in `fetch` exist here, and each got an attachment.
            ws.close(Some(1011), Some("lost its identity"))?;
            return Ok(());
        };
        if closed {
            // Closed by the room; its client has not finished the handshake. Not served.
            return Ok(());
        }
        let scope = crate::log::connection(&conn);
        let command = match message {
            WebSocketIncomingMessage::String(raw) => Command::Frame { conn, raw },
            WebSocketIncomingMessage::Binary(_) => Command::Binary { conn },
        };
        let turn = self.run(&room, Some(&ws), command, Date::now().as_millis());
        crate::log::scoped(scope, turn).await;
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        self.socket_gone(&ws).await;
        sockets::closed(&ws);
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        sockets::log_error(&ws, &error);
        self.socket_gone(&ws).await;
        sockets::failed(&ws);
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        self.armed.set(None);
        let now = Date::now().as_millis();
        match self.load() {
            Ok(Loaded::Ready) => {}
            Ok(Loaded::Upgrading) => {
                // The next chunks of an old room's upgrade, right after this.
                self.arm_at(now, now).await;
                return Response::empty();
            }
            Ok(Loaded::Missing) => return Response::empty(),
            Err(err) => {
                // A failed load (a migration chunk that failed, say) is tried again.
                crate::log::error("load-failed").err(err).emit();
                self.arm_at(now + self.archive_retry_ms, now).await;
                return Response::empty();
            }
        }
        let Some(info) = self.core.borrow().as_ref().map(|core| core.info().clone()) else {
            return Response::empty();
        };
        self.write_behind(&info).await;
        self.export_work(now).await;
        self.import_work(now).await;
        let ws = self.state.get_websockets().into_iter().next();
        // Even with nobody connected the core has work: uploads nobody attached expire.
        self.run(&info.room_id, ws.as_ref(), Command::Tick, now)
            .await;
        if ws.is_none() {
            // The rest is bookkeeping that the next wake rebuilds.
            self.core.replace(None);
        }
        Response::empty()
    }
}

impl Room {
    /// A call from the Worker or another object, answered.
    async fn answer(&self, mut req: Request) -> Result<Response> {
        let Some(call) = RoomCall::read(&mut req).await? else {
            return http::error(ErrorCode::NotFound, "rooms are reached through the Worker");
        };
        match call {
            RoomCall::Connect(connection) => self.open_socket(connection).await,
            RoomCall::History { who, before, limit } => self.history(&who, before, limit).await,
            RoomCall::Create(creation) => self.create(creation).await,
            RoomCall::FindDirect { pair } => self.find_direct(pair).await,
            RoomCall::CheckUpload {
                who,
                file_id,
                thumbnail_of,
            } => self.check_upload(&who, &file_id, thumbnail_of).await,
            RoomCall::RegisterUpload {
                who,
                upload,
                thumbnail_of,
            } => self.register_upload(&who, upload, thumbnail_of).await,
            RoomCall::Hooks { who, change } => self.hooks(&who, change).await,
            RoomCall::Export { who, call } => self.export(&who, call).await,
            RoomCall::Import {
                who,
                import_id,
                call,
            } => self.import(&who, &import_id, call).await,
            RoomCall::HookPost(call) => self.hook_post(call).await,
            RoomCall::Respond(call) => self.respond(call).await,
            RoomCall::Commands(who) => self.commands(&who).await,
            RoomCall::RelayStatus { status } => self.relay(Command::Status(status.0)).await,
            RoomCall::Revoke { user_id } => self.relay(Command::Revoke { user_id }).await,
            call @ (RoomCall::ShardConnect { .. }
            | RoomCall::ShardFrame { .. }
            | RoomCall::ShardGone { .. }
            | RoomCall::ShardPull { .. }) => self.shard_call(call).await,
            #[cfg(feature = "bench")]
            RoomCall::Faults(faults) => self.inject(faults),
            #[cfg(feature = "bench")]
            RoomCall::Reload => self.reload(),
            #[cfg(feature = "bench")]
            RoomCall::Redeploy => self.redeploy(),
            #[cfg(feature = "bench")]
            RoomCall::Frames { raw } => self.frames(&raw),
            #[cfg(feature = "bench")]
            RoomCall::Storage => self.counts(),
        }
    }

    /// A call from one of the room's shard objects.
    async fn shard_call(&self, call: RoomCall) -> Result<Response> {
        match call {
            RoomCall::ShardConnect {
                conn,
                who,
                since,
                shard,
                epoch,
            } => {
                let socket = ShardSocket {
                    conn,
                    shard,
                    epoch,
                    who,
                };
                self.shard_connect(socket, since).await
            }
            RoomCall::ShardFrame { conn, raw } => self.shard_frame(conn, raw).await,
            RoomCall::ShardGone { conn } => self.shard_gone(conn).await,
            RoomCall::ShardPull { after } => self.shard_pull(after).await,
            _ => http::error(ErrorCode::NotFound, "not a shard's call"),
        }
    }

    /// A turn the Worker passes on (an inbox's status, a revoked session), answered with
    /// no content whether or not the room is ready for it.
    async fn relay(&self, command: Command) -> Result<Response> {
        if let Ok(Loaded::Ready) = self.load() {
            let room = self.room_id();
            self.run(&room, None, command, Date::now().as_millis())
                .await;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// A socket opens: opening it joins the room.
    async fn open_socket(&self, connection: Connection) -> Result<Response> {
        let Connection {
            room,
            who,
            since,
            protocol,
            origin,
        } = connection;
        let now = Date::now().as_millis();
        // Load the room before this socket is accepted, so the load sees only the
        // sockets that were already here.
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        if let Some(core) = self.core.borrow_mut().as_mut()
            && let Err(err) = core.note_origin(&origin)
        {
            crate::log::warn("origin-unrecorded").err(err).emit();
        }
        if let Some(shard) = self.place(&who) {
            return Self::to_shard(shard);
        }
        // What was queued before this socket came is not for it.
        self.batching.flush(&self.state);
        let (pair, conn) =
            sockets::accept(&self.state, &room, who.clone(), protocol.as_deref(), now)?;
        self.run(
            &room,
            Some(&pair.server),
            Command::Connect { conn, who, since },
            now,
        )
        .await;
        sockets::answer(pair.client, protocol.as_deref())
    }

    /// A store on this object's SQLite.
    fn store(&self) -> Store<ObjectSql> {
        Store::new(ObjectSql::new(&self.state))
    }

    fn room_id(&self) -> String {
        self.core
            .borrow()
            .as_ref()
            .map(|core| core.id().to_owned())
            .unwrap_or_default()
    }

    async fn socket_gone(&self, ws: &WebSocket) {
        if let Some(sockets::Attachment { conn, room, .. }) = sockets::attachment(ws) {
            self.run(
                &room,
                Some(ws),
                Command::Disconnect { conn },
                Date::now().as_millis(),
            )
            .await;
        }
    }
}

/// A store failure as a Worker error.
fn stored(err: edgechat_core::store::StoreError) -> worker::Error {
    worker::Error::RustError(err.to_string())
}

fn internal_error() -> ServerMsg {
    ServerMsg::error(
        ErrorCode::Internal,
        "the room could not store that; try again",
        None,
    )
}

//! The `Room` object: one per room. It holds the room's hibernating sockets, feeds every
//! event to `edgechat_core::Room` (which reads and writes the room's SQLite through
//! [`sql::ObjectSql`], one atomic step per command), and carries out the effects. No rule
//! of the room is decided here.

mod archive;
mod effects;
mod invites;
mod load;
mod notify;
mod previews;
mod requests;
mod sql;

use std::cell::{Cell, RefCell};

use edgechat_core::{Command, Effect, Identity, Limits, store::Store};
use edgechat_protocol::{ErrorCode, Millis, PING_FRAME, PONG_FRAME, Seq, ServerMsg};
use worker::{
    Date, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, durable_object, worker_sys::WebSocketRequestResponsePair,
};

use crate::{
    config, http, sockets,
    stubs::{Faults, RoomCall},
};
use effects::FollowUp;
use load::Loaded;
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
    flushing: Cell<bool>,
    /// Upgrading a room stored by an older build: events folded per chunk, and chunks
    /// per wake (the clock stands still while code runs, so the budget is counted).
    migrate_chunk: usize,
    migrate_chunks_per_wake: usize,
    /// For checking tokens that `authenticate` brings to a live socket.
    jwt_secret: Option<Vec<u8>>,
    /// `NOTIFY_PER_ROUND`: inbox deliveries per write-behind round; the rest wait in the
    /// room's outbox for the next.
    notify_per_round: usize,
    /// Faults the tests inject (bench mode only, through the Worker); none otherwise.
    faults: Cell<Faults>,
    /// Loaded from storage (its info and head only) on the first event after each
    /// wake-up; never the only copy of anything that must last.
    core: RefCell<Option<Core>>,
    /// The alarm time last set, so it is not set again for every frame.
    armed: Cell<Option<Millis>>,
    /// Link previews the last steps asked for (message id, link, author): fetched once
    /// their answers are out, then handed back to the core.
    previews_due: RefCell<Vec<(String, String, String)>>,
}

impl DurableObject for Room {
    fn new(state: State, env: Env) -> Self {
        // Answered by the runtime itself, so keep-alives never wake a hibernating room.
        match WebSocketRequestResponsePair::new(PING_FRAME, PONG_FRAME) {
            Ok(pair) => state.set_websocket_auto_response(&pair),
            Err(err) => worker::console_error!("room: no ping auto-response: {err:?}"),
        }
        let limits = Limits::from_vars(|name| env.var(name).ok().map(|v| v.to_string()));
        let jwt_secret = config::string(&env, "JWT_SECRET").map(String::into_bytes);
        Self {
            archive_delay_ms: config::number(&env, "ARCHIVE_DELAY_MS", 1_000),
            archive_batch: config::number(&env, "ARCHIVE_BATCH", 200) as usize,
            archive_batch_bytes: config::number(&env, "ARCHIVE_BATCH_BYTES", 1_048_576) as usize,
            archive_retry_ms: config::number(&env, "ARCHIVE_RETRY_MS", 5_000),
            archive_backoff: Cell::new(None),
            flushing: Cell::new(false),
            migrate_chunk: config::number(&env, "MIGRATE_CHUNK", 500) as usize,
            // At least one, or an upgrading room's alarm would never make progress.
            migrate_chunks_per_wake: config::number(&env, "MIGRATE_CHUNKS_PER_WAKE", 20).max(1)
                as usize,
            notify_per_round: config::number(&env, "NOTIFY_PER_ROUND", 100) as usize,
            faults: Cell::new(Faults::default()),
            env,
            state,
            limits,
            jwt_secret,
            core: RefCell::new(None),
            armed: Cell::new(None),
            previews_due: RefCell::new(Vec::new()),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let Some(call) = RoomCall::read(&mut req).await? else {
            return http::error(
                ErrorCode::BadRequest,
                "rooms are reached through the Worker",
            );
        };
        match call {
            RoomCall::Connect {
                room,
                who,
                since,
                protocol,
            } => self.open_socket(room, who, since, protocol).await,
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
            RoomCall::RelayStatus { status } => {
                if let Ok(Loaded::Ready) = self.load() {
                    let room = self.room_id();
                    self.run(
                        &room,
                        None,
                        Command::Status(status.0),
                        Date::now().as_millis(),
                    )
                    .await;
                }
                Ok(Response::empty()?.with_status(204))
            }
            RoomCall::Revoke { user_id } => {
                if let Ok(Loaded::Ready) = self.load() {
                    let room = self.room_id();
                    self.run(
                        &room,
                        None,
                        Command::Revoke { user_id },
                        Date::now().as_millis(),
                    )
                    .await;
                }
                Ok(Response::empty()?.with_status(204))
            }
            RoomCall::Faults(faults) => {
                self.faults.set(faults);
                Ok(Response::empty()?.with_status(204))
            }
            RoomCall::Reload => {
                // Bench mode's stand-in for an eviction: the room loads again from
                // storage and the sockets still attached, as after a wake.
                self.core.replace(None);
                match self.load() {
                    Ok(_) => Ok(Response::empty()?.with_status(204)),
                    Err(err) => http::error(ErrorCode::Internal, &err.to_string()),
                }
            }
            RoomCall::Frames { raw } => {
                // Bench mode's stand-in for a newer server (the Worker calls it only then).
                for ws in self.state.get_websockets() {
                    let _ = ws.send_with_str(&raw);
                }
                Ok(Response::empty()?.with_status(204))
            }
        }
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
        let command = match message {
            WebSocketIncomingMessage::String(raw) => Command::Frame { conn, raw },
            WebSocketIncomingMessage::Binary(_) => Command::Binary { conn },
        };
        self.run(&room, Some(&ws), command, Date::now().as_millis())
            .await;
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
        worker::console_warn!("room: socket error: {error}");
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
                self.arm(Some(now), now).await;
                return Response::empty();
            }
            Ok(Loaded::Missing) => return Response::empty(),
            Err(err) => {
                // A failed load (a migration chunk that failed, say) is tried again.
                worker::console_error!("room: cannot load, will retry: {err}");
                self.arm(Some(now + self.archive_retry_ms), now).await;
                return Response::empty();
            }
        }
        let Some(info) = self.core.borrow().as_ref().map(|core| core.info().clone()) else {
            return Response::empty();
        };
        self.archive(&info).await;
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
    /// A socket opens: opening it joins the room.
    async fn open_socket(
        &self,
        room: String,
        who: Identity,
        since: Option<Seq>,
        protocol: Option<String>,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        // Load the room before this socket is accepted, so the load sees only the
        // sockets that were already here.
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
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

    /// Hands `command` to the core (one atomic step of storage), carries out its
    /// effects, and arms the alarm for the core's next deadline. An effect that needs the
    /// door (a token to verify, an invitee to look up) gives one more turn of the core.
    async fn run(&self, room: &str, ws: Option<&WebSocket>, command: Command, now: Millis) {
        let joining = matches!(command, Command::Connect { .. });
        let outcome = match self.load() {
            Ok(Loaded::Ready) => self.step(command, now),
            Ok(_) => Err(worker::Error::RustError("room not loaded".into())),
            Err(err) => Err(err),
        };
        let (mut effects, mut deadline) = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                worker::console_error!("room {room}: {err}");
                // Nothing of the step was stored; sockets and buckets may have moved
                // with it, so the next event loads the room again.
                self.core.replace(None);
                if let Some(ws) = ws {
                    sockets::send(ws, &internal_error());
                    if joining {
                        // It was never admitted: it must not stay as if it had been.
                        let _ = ws.close(Some(1011), Some("the room could not admit you"));
                    }
                }
                return;
            }
        };
        let mut write_through = false;
        loop {
            // Membership and moderation authorize HTTP reads, and removed files must
            // stop being served: both reach D1 now rather than with the next batch.
            write_through |= effects.iter().any(|effect| match effect {
                Effect::Stored(event) => edgechat_core::archive::writes_through(event),
                Effect::RemoveFiles(_) => true,
                _ => false,
            });
            if self.faults.get().lose_closes {
                effects.retain(|effect| !matches!(effect, Effect::Close { .. }));
            }
            let command = match self.carry_out(ws, effects) {
                None => break,
                Some(FollowUp::Command(command)) => *command,
                Some(FollowUp::ResolveInvite {
                    conn,
                    user_id,
                    req_id,
                }) => match self.resolve_invite(room, conn, user_id, req_id).await {
                    Some(command) => command,
                    None => break,
                },
            };
            let next = match self.load() {
                Ok(Loaded::Ready) => self.step(command, now),
                Ok(_) => break,
                Err(err) => Err(err),
            };
            match next {
                Ok((more, at)) => {
                    effects = more;
                    deadline = at;
                }
                Err(err) => {
                    worker::console_error!("room {room}: {err}");
                    self.core.replace(None);
                    break;
                }
            }
        }
        // Taken out first: no borrow of the core may live across an `await`.
        let info = self.core.borrow().as_ref().map(|c| c.info().clone());
        if write_through && let Some(info) = info {
            self.archive(&info).await;
        }
        self.arm(deadline, now).await;
        // After the answers (the ack first of all): a slow page never holds a send up.
        let due = self.previews_due.take();
        for (message_id, link, author) in due {
            let intend = |file_id: &str| match self.core.borrow_mut().as_mut() {
                Some(core) => core
                    .intend_preview_image(file_id, Date::now().as_millis())
                    .map_err(|err| {
                        worker::console_error!("room {room}: recording a preview image: {err}");
                    })
                    .is_ok(),
                None => false,
            };
            let preview = previews::fetch(&self.env, room, &author, &link, intend).await;
            // Boxed: the step that stores the preview runs through here again.
            Box::pin(self.run(
                room,
                None,
                Command::Preview {
                    message_id,
                    link,
                    preview,
                },
                Date::now().as_millis(),
            ))
            .await;
        }
    }

    /// One turn of the core: its effects and its next deadline.
    fn step(&self, command: Command, now: Millis) -> Result<(Vec<Effect>, Option<Millis>)> {
        let mut slot = self.core.borrow_mut();
        let core = slot
            .as_mut()
            .ok_or_else(|| worker::Error::RustError("room not loaded".into()))?;
        let effects = core.handle(command, now).map_err(stored)?;
        Ok((effects, self.deadline(core, now)))
    }

    /// The core's next deadline. The step before it is stored already, so a failure to
    /// read it must not undo the step's answers: the alarm just comes back soon.
    fn deadline(&self, core: &Core, now: Millis) -> Option<Millis> {
        core.next_deadline().unwrap_or_else(|err| {
            worker::console_error!("room: next deadline unknown, retrying: {err}");
            Some(now + self.archive_retry_ms)
        })
    }

    /// Copies what D1 lacks, batch after batch, then compacts the log. A failure is
    /// logged and retried from the alarm; nothing waits on it.
    async fn archive(&self, info: &edgechat_protocol::RoomInfo) {
        if self.flushing.replace(true) {
            return;
        }
        let db = match self.env.d1("DB") {
            Ok(db) => db,
            Err(err) => {
                self.flushing.set(false);
                worker::console_error!("room {}: no D1: {err}", info.room_id);
                return;
            }
        };
        let store = self.store();
        // Membership first, on its own: a ban reaches D1 whatever the log's batches do.
        let synced = archive::sync_membership(&store, &db, info, Date::now().as_millis()).await;
        let copied = async {
            archive::purge(&store, &db, &self.env.bucket("FILES")?).await?;
            for _ in 0..20 {
                let flushed = archive::flush(
                    &store,
                    &db,
                    info,
                    self.archive_batch,
                    self.archive_batch_bytes,
                    self.faults.get().fail_batches,
                )
                .await?;
                self.notify(&db, info, &flushed).await;
                if !flushed.more {
                    break;
                }
                // A ban stored while that batch was on its way goes ahead of the next.
                archive::sync_membership(&store, &db, info, Date::now().as_millis()).await?;
            }
            // What D1 has, beyond the replay window, leaves the log.
            store.compact(self.limits.max_replay).map_err(stored)?;
            Ok::<_, worker::Error>(())
        }
        .await;
        let delivered = self.deliver_outbox().await;
        let result = synced.map(drop).and(copied).and(delivered);
        self.flushing.set(false);
        match result {
            Ok(()) => self.archive_backoff.set(None),
            Err(err) => {
                worker::console_error!(
                    "room {}: D1 write-behind failed, will retry: {err}",
                    info.room_id
                );
                self.archive_backoff
                    .set(Some(Date::now().as_millis() + self.archive_retry_ms));
            }
        }
    }

    async fn arm(&self, deadline: Option<Millis>, now: Millis) {
        // Under load the alarm is already set within the write-behind's delay: then
        // nothing below could set it sooner, and storage need not be asked.
        let soonest = deadline
            .into_iter()
            .chain(self.archive_backoff.get())
            .fold(now + self.archive_delay_ms, Millis::min);
        if self.armed.get().is_some_and(|armed| armed <= soonest) {
            return;
        }
        let archive_due = match self.store().has_pending() {
            Ok(true) => Some(
                self.archive_backoff
                    .get()
                    .unwrap_or(now + self.archive_delay_ms),
            ),
            _ => None,
        };
        let Some(at) = deadline.into_iter().chain(archive_due).min() else {
            return;
        };
        if self.armed.get().is_some_and(|armed| armed <= at) {
            return;
        }
        let offset = at.saturating_sub(now) as i64;
        match self.state.storage().set_alarm(offset).await {
            Ok(()) => self.armed.set(Some(at)),
            Err(err) => worker::console_error!("room: cannot set alarm: {err}"),
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

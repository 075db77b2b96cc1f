//! The `Room` object: one per room. It holds the room's hibernating sockets and its log,
//! feeds every event to `edgechat_core::Room`, and carries out the effects. No rule of the
//! room is decided here.

mod archive;
mod effects;
mod notify;
mod requests;
mod storage;

pub(crate) use storage::{buried, doomed};

use std::cell::{Cell, RefCell};

use edgechat_core::{Command, ConnId, Effect, Identity, Limits, Snapshot};
use edgechat_protocol::{ErrorCode, Millis, PING_FRAME, PONG_FRAME, Seq, ServerMsg};
use serde::{Deserialize, Serialize};
use worker::{
    Date, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object, js_sys,
    worker_sys::WebSocketRequestResponsePair,
};

use crate::{MEMBER_HEADER, PROTOCOL_HEADER, ROOM_HEADER, SINCE_HEADER, config, http};

/// What each socket remembers about itself across hibernation.
#[derive(Serialize, Deserialize)]
struct Attachment {
    conn: ConnId,
    room: String,
    who: Identity,
}

#[durable_object]
pub struct Room {
    state: State,
    env: Env,
    limits: Limits,
    /// Write-behind to D1: how long to gather events, how many per batch, how long to
    /// wait after a failure.
    archive_delay_ms: u64,
    archive_batch: usize,
    archive_retry_ms: u64,
    /// D1 failed: retry no sooner than this.
    archive_backoff: Cell<Option<Millis>>,
    flushing: Cell<bool>,
    /// For checking tokens that `authenticate` brings to a live socket.
    jwt_secret: Option<Vec<u8>>,
    /// Rebuilt from storage on the first event after each wake-up; never the only copy of
    /// anything that must last.
    core: RefCell<Option<edgechat_core::Room>>,
    /// The alarm time last set, so it is not set again for every frame.
    armed: Cell<Option<Millis>>,
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
            archive_batch: config::number(&env, "ARCHIVE_BATCH", 50) as usize,
            archive_retry_ms: config::number(&env, "ARCHIVE_RETRY_MS", 5_000),
            archive_backoff: Cell::new(None),
            flushing: Cell::new(false),
            env,
            state,
            limits,
            jwt_secret,
            core: RefCell::new(None),
            armed: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if req.path() == "/status" {
            // A member's inbox relays their new status.
            let status: ServerMsg = req.json().await?;
            if self.load()? {
                let room = self.room_id()?;
                self.run(
                    &room,
                    None,
                    Command::Status(status),
                    Date::now().as_millis(),
                )
                .await;
            }
            return Ok(Response::empty()?.with_status(204));
        }
        let headers = req.headers();
        let (Some(room), Some(who)) = (headers.get(ROOM_HEADER)?, headers.get(MEMBER_HEADER)?)
        else {
            return http::error(400, "bad-request", "rooms are reached through the Worker");
        };
        let who: Identity =
            serde_json::from_str(&who).map_err(|e| worker::Error::RustError(e.to_string()))?;
        match req.path().as_str() {
            "/messages" => return self.history(&req, &who),
            "/create" => return self.create(req).await,
            "/files/check" => return self.check_upload(req, &who).await,
            "/files/register" => return self.register_upload(req, &who).await,
            _ => {}
        }
        let since: Option<Seq> = headers.get(SINCE_HEADER)?.and_then(|s| s.parse().ok());
        let protocol = headers.get(PROTOCOL_HEADER)?;

        let now = Date::now().as_millis();
        // Load the room before this socket is accepted, so the restore sees only the
        // sockets that were already here.
        match self.load() {
            Ok(true) => {}
            Ok(false) => return http::error(404, "not-found", "no such room"),
            Err(err) => {
                worker::console_error!("room {room}: cannot load: {err}");
                return http::error(500, "internal", "the room could not be loaded");
            }
        }
        let pair = WebSocketPair::new()?;
        let conn = new_conn_id(now);
        self.state
            .accept_websocket_with_tags(&pair.server, &[&conn]);
        let attachment = Attachment {
            conn: conn.clone(),
            room: room.clone(),
            who: who.clone(),
        };
        pair.server.serialize_attachment(&attachment)?;
        self.run(
            &room,
            Some(&pair.server),
            Command::Connect { conn, who, since },
            now,
        )
        .await;
        let response = Response::from_websocket(pair.client)?;
        if let Some(protocol) = protocol {
            // Browsers fail the handshake unless the server picks one offered protocol;
            // the bearer token offered beside it is never echoed.
            response
                .headers()
                .set("Sec-WebSocket-Protocol", &protocol)?;
        }
        Ok(response)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let Some(Attachment { conn, room, .. }) = ws.deserialize_attachment()? else {
            // Only sockets accepted in `fetch` exist here, and each got an attachment.
            ws.close(Some(1011), Some("lost its identity"))?;
            return Ok(());
        };
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
        // Complete the closing handshake; the socket may already be gone.
        let _ = ws.close(Some(1000), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        worker::console_warn!("room: socket error: {error}");
        self.socket_gone(&ws).await;
        let _ = ws.close(Some(1011), Some("socket error"));
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        self.armed.set(None);
        let Ok(Some(info)) = storage::load_info(&self.state.storage().sql()) else {
            return Response::empty();
        };
        let now = Date::now().as_millis();
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
    fn room_id(&self) -> Result<String> {
        storage::load_info(&self.state.storage().sql())?
            .map(|info| info.room_id)
            .ok_or_else(|| worker::Error::RustError("room has no info".into()))
    }

    async fn socket_gone(&self, ws: &WebSocket) {
        if let Ok(Some(Attachment { conn, room, .. })) = ws.deserialize_attachment::<Attachment>() {
            self.run(
                &room,
                Some(ws),
                Command::Disconnect { conn },
                Date::now().as_millis(),
            )
            .await;
        }
    }

    /// Rebuilds the core from storage unless it is already in memory. `Ok(false)` for a
    /// room that was never created.
    fn load(&self) -> Result<bool> {
        if self.core.borrow().is_some() {
            return Ok(true);
        }
        let sql = self.state.storage().sql();
        storage::migrate(&sql)?;
        let Some(info) = storage::load_info(&sql)? else {
            return Ok(false);
        };
        let connections = self
            .state
            .get_websockets()
            .iter()
            .filter_map(|ws| ws.deserialize_attachment::<Attachment>().ok().flatten())
            .map(|a| (a.conn, a.who))
            .collect();
        let snapshot = Snapshot {
            info,
            events: storage::load_events(&sql)?,
            read_marks: storage::load_read_marks(&sql)?,
            uploads: storage::load_uploads(&sql)?,
            connections,
        };
        self.core.replace(Some(edgechat_core::Room::restore(
            snapshot,
            self.limits.clone(),
        )));
        Ok(true)
    }

    /// Hands `command` to the core, carries out its effects, and arms the alarm for the
    /// core's next deadline.
    async fn run(&self, room: &str, ws: Option<&WebSocket>, command: Command, now: Millis) {
        let outcome = {
            self.load().and_then(|_| {
                let mut slot = self.core.borrow_mut();
                let core = slot
                    .as_mut()
                    .ok_or_else(|| worker::Error::RustError("room not loaded".into()))?;
                let effects = core.handle(command, now);
                Ok((effects, core.next_deadline()))
            })
        };
        let (effects, deadline) = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                worker::console_error!("room {room}: {err}");
                if let Some(ws) = ws {
                    effects::send(ws, &internal_error());
                }
                return;
            }
        };
        // Membership and moderation authorize HTTP reads, and removed files must stop
        // being served: both reach D1 now rather than with the next batch.
        let write_through = effects.iter().any(|effect| match effect {
            Effect::Append(event) => edgechat_core::archive::ops(event, now)
                .iter()
                .any(|op| op.is_write_through()),
            Effect::RemoveFiles(_) => true,
            _ => false,
        });
        let follow_up = match self.carry_out(ws, effects) {
            Ok(follow_up) => follow_up,
            Err(err) => {
                worker::console_error!("room {room}: storing failed: {err}");
                // What the core applied in memory was not stored: rebuild from storage.
                self.core.replace(None);
                if let Some(ws) = ws {
                    effects::send(ws, &internal_error());
                }
                return;
            }
        };
        let deadline = match follow_up {
            // The door's answer to an `authenticate`: one more turn of the core.
            Some(command) => {
                let mut slot = self.core.borrow_mut();
                match slot.as_mut() {
                    Some(core) => {
                        let effects = core.handle(command, now);
                        let deadline = core.next_deadline();
                        drop(slot);
                        if let Err(err) = self.carry_out(ws, effects) {
                            worker::console_error!("room {room}: {err}");
                        }
                        deadline
                    }
                    None => deadline,
                }
            }
            None => deadline,
        };
        if write_through && let Ok(Some(info)) = storage::load_info(&self.state.storage().sql()) {
            self.archive(&info).await;
        }
        self.arm(deadline, now).await;
    }

    /// Copies what D1 lacks, batch after batch. A failure is logged and retried from the
    /// alarm; nothing waits on it.
    async fn archive(&self, info: &edgechat_protocol::RoomInfo) {
        if self.flushing.replace(true) {
            return;
        }
        let result = async {
            let db = self.env.d1("DB")?;
            let sql = self.state.storage().sql();
            crate::files::purge(&sql, &db, &self.env.bucket("FILES")?).await?;
            for _ in 0..20 {
                let flushed = archive::flush(&sql, &db, info, self.archive_batch).await?;
                self.notify(&db, info, &flushed).await;
                if !flushed.more {
                    break;
                }
            }
            Ok::<_, worker::Error>(())
        }
        .await;
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
        let archive_due = match storage::has_pending(&self.state.storage().sql()) {
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

fn internal_error() -> ServerMsg {
    ServerMsg::error(
        ErrorCode::Internal,
        "the room could not store that; try again",
        None,
    )
}

/// A socket id unique within the room: the time and a random suffix.
fn new_conn_id(now: Millis) -> ConnId {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{now:x}-{random:08x}")
}

//! The `Room` object: one per room. It holds the room's hibernating sockets and its log,
//! feeds every event to `edgechat_core::Room`, and carries out the effects. No rule of the
//! room is decided here.

mod effects;
mod storage;

use std::cell::{Cell, RefCell};

use edgechat_core::{Command, ConnId, Identity, Limits, Snapshot};
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
    limits: Limits,
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
            state,
            limits,
            jwt_secret,
            core: RefCell::new(None),
            armed: Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let headers = req.headers();
        let (Some(room), Some(who)) = (headers.get(ROOM_HEADER)?, headers.get(MEMBER_HEADER)?)
        else {
            return http::error(400, "bad-request", "rooms are reached through the Worker");
        };
        let who: Identity =
            serde_json::from_str(&who).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let since: Option<Seq> = headers.get(SINCE_HEADER)?.and_then(|s| s.parse().ok());
        let protocol = headers.get(PROTOCOL_HEADER)?;

        let now = Date::now().as_millis();
        // Load the room before this socket is accepted, so the restore sees only the
        // sockets that were already here.
        if let Err(err) = self.load(&room, &who, now) {
            worker::console_error!("room {room}: cannot load: {err}");
            return http::error(500, "internal", "the room could not be loaded");
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
            &pair.server,
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
        self.run(&room, &ws, command, Date::now().as_millis()).await;
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
        let room = match storage::load_info(&self.state.storage().sql()) {
            Ok(Some(info)) => info.room_id,
            _ => return Response::empty(),
        };
        let now = Date::now().as_millis();
        let ws = self.state.get_websockets().into_iter().next();
        match ws {
            Some(ws) => self.run(&room, &ws, Command::Tick, now).await,
            None => {
                // Nobody is connected: only bookkeeping is left, which the next wake
                // rebuilds anyway.
                self.core.replace(None);
            }
        }
        Response::empty()
    }
}

impl Room {
    async fn socket_gone(&self, ws: &WebSocket) {
        if let Ok(Some(Attachment { conn, room, .. })) = ws.deserialize_attachment::<Attachment>() {
            self.run(
                &room,
                ws,
                Command::Disconnect { conn },
                Date::now().as_millis(),
            )
            .await;
        }
    }

    /// Rebuilds the core from storage unless it is already in memory. A room that has
    /// never been opened is created now, its first visitor its creator.
    fn load(&self, room: &str, first_visitor: &Identity, now: Millis) -> Result<()> {
        if self.core.borrow().is_some() {
            return Ok(());
        }
        let sql = self.state.storage().sql();
        storage::migrate(&sql)?;
        let info = match storage::load_info(&sql)? {
            Some(info) => info,
            None => {
                let info = edgechat_core::room::opened_by(room, first_visitor, now);
                storage::save_info(&sql, &info)?;
                info
            }
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
            // Uploads register attachments from the attachments issue on.
            attachments: Vec::new(),
            connections,
        };
        self.core.replace(Some(edgechat_core::Room::restore(
            snapshot,
            self.limits.clone(),
        )));
        Ok(())
    }

    /// Hands `command` to the core, carries out its effects, and arms the alarm for the
    /// core's next deadline.
    async fn run(&self, room: &str, ws: &WebSocket, command: Command, now: Millis) {
        let outcome = {
            let who = ws
                .deserialize_attachment::<Attachment>()
                .ok()
                .flatten()
                .map(|a| a.who);
            let loaded = match who {
                Some(who) => self.load(room, &who, now),
                None => Ok(()),
            };
            loaded.and_then(|()| {
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
                effects::send(ws, &internal_error());
                return;
            }
        };
        let follow_up = match self.carry_out(ws, effects) {
            Ok(follow_up) => follow_up,
            Err(err) => {
                worker::console_error!("room {room}: storing failed: {err}");
                // What the core applied in memory was not stored: rebuild from storage.
                self.core.replace(None);
                effects::send(ws, &internal_error());
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
        self.arm(deadline, now).await;
    }

    async fn arm(&self, deadline: Option<Millis>, now: Millis) {
        let Some(at) = deadline else {
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

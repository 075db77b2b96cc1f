//! The `Room` object: one per room. It holds the room's hibernating sockets and its log,
//! feeds every event to `edgechat_core::Room`, and carries out the effects.

use std::cell::RefCell;

use edgechat_core::{Command, Effect, Limits, Member};
use edgechat_protocol::{ErrorCode, Message, PING_FRAME, PONG_FRAME, ServerMsg};
use serde::{Deserialize, Serialize};
use worker::{
    Date, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair, durable_object,
    worker_sys::WebSocketRequestResponsePair,
};

use crate::{MEMBER_HEADER, ROOM_HEADER, http};

/// What each socket remembers about itself across hibernation.
#[derive(Serialize, Deserialize)]
struct Attachment {
    room: String,
    member: Member,
}

#[derive(Deserialize)]
struct Head {
    head: f64,
}

#[durable_object]
pub struct Room {
    state: State,
    limits: Limits,
    /// Rebuilt from storage on the first event after each wake-up; never the only copy of
    /// anything.
    core: RefCell<Option<edgechat_core::Room>>,
}

impl DurableObject for Room {
    fn new(state: State, env: Env) -> Self {
        // Answered by the runtime itself, so keep-alives never wake a hibernating room.
        match WebSocketRequestResponsePair::new(PING_FRAME, PONG_FRAME) {
            Ok(pair) => state.set_websocket_auto_response(&pair),
            Err(err) => worker::console_error!("room: no ping auto-response: {err:?}"),
        }
        let limits = Limits::from_vars(|name| env.var(name).ok().map(|v| v.to_string()));
        Self {
            state,
            limits,
            core: RefCell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let (Some(room), Some(member)) = (
            req.headers().get(ROOM_HEADER)?,
            req.headers().get(MEMBER_HEADER)?,
        ) else {
            return http::error(400, "bad-request", "rooms are reached through the Worker");
        };
        let member: Member =
            serde_json::from_str(&member).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        let attachment = Attachment { room, member };
        pair.server.serialize_attachment(&attachment)?;
        self.run(
            &pair.server,
            &attachment.room,
            Command::Connect {
                member: attachment.member.clone(),
            },
        );
        Response::from_websocket(pair.client)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let Some(Attachment { room, member }) = ws.deserialize_attachment()? else {
            // Only sockets accepted in `fetch` exist here, and each got an attachment.
            ws.close(Some(1011), Some("lost its identity"))?;
            return Ok(());
        };
        let command = match message {
            WebSocketIncomingMessage::String(raw) => Command::Frame { member, raw },
            WebSocketIncomingMessage::Binary(_) => Command::Binary { member },
        };
        self.run(&ws, &room, command);
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        // Complete the closing handshake; the socket may already be gone.
        let _ = ws.close(Some(1000), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        worker::console_warn!("room: socket error: {error}");
        let _ = ws.close(Some(1011), Some("socket error"));
        Ok(())
    }
}

impl Room {
    /// Hands `command` to the core and carries out its effects. A storage failure stops
    /// before anything is acknowledged or broadcast, and the core is reloaded next time.
    fn run(&self, ws: &WebSocket, room: &str, command: Command) {
        let effects =
            match self.with_core(room, |core| core.handle(command, Date::now().as_millis())) {
                Ok(effects) => effects,
                Err(err) => {
                    worker::console_error!("room {room}: cannot load state: {err}");
                    send(ws, &internal_error());
                    return;
                }
            };
        for effect in effects {
            match effect {
                Effect::Reply(msg) => send(ws, &msg),
                Effect::Broadcast(msg) => self.broadcast(&msg),
                Effect::Append(message) => {
                    if let Err(err) = append(&self.state.storage().sql(), &message) {
                        worker::console_error!("room {room}: append failed: {err}");
                        self.core.replace(None);
                        send(ws, &internal_error());
                        return;
                    }
                }
            }
        }
    }

    fn with_core<T>(&self, room: &str, f: impl FnOnce(&mut edgechat_core::Room) -> T) -> Result<T> {
        let mut slot = self.core.borrow_mut();
        let core = match slot.take() {
            Some(core) => core,
            None => edgechat_core::Room::new(
                room,
                load_head(&self.state.storage().sql())?,
                self.limits.clone(),
            ),
        };
        let core = slot.insert(core);
        Ok(f(core))
    }

    fn broadcast(&self, msg: &ServerMsg) {
        let Ok(frame) = serde_json::to_string(msg) else {
            return;
        };
        for socket in self.state.get_websockets() {
            // A socket that is closing refuses the send; it is leaving anyway.
            let _ = socket.send_with_str(&frame);
        }
    }
}

fn send(ws: &WebSocket, msg: &ServerMsg) {
    if let Err(err) = ws.send(msg) {
        worker::console_warn!("room: send failed: {err}");
    }
}

fn internal_error() -> ServerMsg {
    ServerMsg::error(
        ErrorCode::Internal,
        "the room could not store that; try again",
        None,
    )
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
)";

fn load_head(sql: &SqlStorage) -> Result<u64> {
    sql.exec(SCHEMA, None)?;
    let head: Head = sql
        .exec("SELECT COALESCE(MAX(seq), 0) AS head FROM messages", None)?
        .one()?;
    Ok(head.head as u64)
}

fn append(sql: &SqlStorage, message: &Message) -> Result<()> {
    sql.exec(
        "INSERT INTO messages (seq, message_id, user_id, username, text, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            SqlStorageValue::try_from_i64(message.seq as i64)?,
            message.message_id.clone().into(),
            message.user_id.clone().into(),
            message.username.clone().into(),
            message.text.clone().into(),
            SqlStorageValue::try_from_i64(message.timestamp as i64)?,
        ],
    )?;
    Ok(())
}

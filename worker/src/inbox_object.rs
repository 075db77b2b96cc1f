//! The `Inbox` object: one per user. It holds the user's inbox sockets (`/api/me/ws`) and
//! their global status, and delivers what rooms and other users send them. The rules are
//! `edgechat_core::inbox`.

use std::cell::RefCell;

use edgechat_core::{
    ConnId, Identity, Limits,
    inbox::{Inbox as Core, InboxCommand, InboxEffect, Presence},
};
use edgechat_protocol::{ErrorCode, Millis, PING_FRAME, PONG_FRAME, ServerMsg, Status};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{
    Date, DurableObject, Env, Headers, Method, Request, RequestInit, Response, Result, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair, durable_object,
    worker_sys::WebSocketRequestResponsePair,
};

use crate::{MEMBER_HEADER, PROTOCOL_HEADER, auth::users, http, rooms};

#[derive(Serialize, Deserialize)]
struct Attachment {
    conn: ConnId,
    who: Identity,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    user_id: String,
    status: Status,
    status_text: Option<String>,
    last_seen: Option<Millis>,
}

#[durable_object]
pub struct Inbox {
    state: State,
    env: Env,
    limits: Limits,
    core: RefCell<Option<Core>>,
}

impl DurableObject for Inbox {
    fn new(state: State, env: Env) -> Self {
        if let Ok(pair) = WebSocketRequestResponsePair::new(PING_FRAME, PONG_FRAME) {
            state.set_websocket_auto_response(&pair);
        }
        let limits = Limits::from_vars(|name| env.var(name).ok().map(|v| v.to_string()));
        Self {
            state,
            env,
            limits,
            core: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let Some(who) = req.headers().get(MEMBER_HEADER)? else {
            return http::error(400, "bad-request", "inboxes are reached through the Worker");
        };
        let who: Identity =
            serde_json::from_str(&who).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let now = Date::now().as_millis();
        self.load(&who.user_id).await?;
        if req.path() == "/deliver" {
            let events: Vec<ServerMsg> = req.json().await?;
            for event in events {
                self.run(InboxCommand::Deliver(Box::new(event)), now).await;
            }
            return Ok(Response::empty()?.with_status(204));
        }
        let protocol = req.headers().get(PROTOCOL_HEADER)?;
        let pair = WebSocketPair::new()?;
        let conn = format!(
            "{now:x}-{:08x}",
            (worker::js_sys::Math::random() * f64::from(u32::MAX)) as u32
        );
        self.state.accept_websocket_with_tags(
            &pair.server,
            &[&conn, &crate::versions::tag(protocol.as_deref())],
        );
        pair.server.serialize_attachment(&Attachment {
            conn: conn.clone(),
            who,
        })?;
        self.run(InboxCommand::Connect { conn }, now).await;
        let response = Response::from_websocket(pair.client)?;
        if let Some(protocol) = protocol {
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
        let Some(Attachment { conn, who }) = ws.deserialize_attachment()? else {
            return Ok(());
        };
        self.load(&who.user_id).await?;
        let command = match message {
            WebSocketIncomingMessage::String(raw) => InboxCommand::Frame { conn, raw },
            WebSocketIncomingMessage::Binary(_) => InboxCommand::Frame {
                conn,
                raw: String::new(),
            },
        };
        self.run(command, Date::now().as_millis()).await;
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        self.gone(&ws).await;
        let _ = ws.close(Some(1000), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        self.gone(&ws).await;
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        if let Ok(Some(stored)) = self.state.storage().get::<Stored>("presence").await {
            self.load(&stored.user_id).await?;
            self.run(InboxCommand::Tick, Date::now().as_millis()).await;
        }
        Response::empty()
    }
}

impl Inbox {
    async fn gone(&self, ws: &WebSocket) {
        if let Ok(Some(Attachment { conn, who })) = ws.deserialize_attachment::<Attachment>()
            && self.load(&who.user_id).await.is_ok()
        {
            self.run(InboxCommand::Disconnect { conn }, Date::now().as_millis())
                .await;
        }
    }

    /// Rebuilds the core from storage and the sockets still attached.
    async fn load(&self, user_id: &str) -> Result<()> {
        if self.core.borrow().is_some() {
            return Ok(());
        }
        let stored: Option<Stored> = self.state.storage().get("presence").await?;
        let presence = stored.map_or(
            Presence {
                status: Status::Offline,
                status_text: None,
                last_seen: None,
            },
            |s| Presence {
                status: s.status,
                status_text: s.status_text,
                last_seen: s.last_seen,
            },
        );
        let conns: Vec<ConnId> = self
            .state
            .get_websockets()
            .iter()
            .filter_map(|ws| ws.deserialize_attachment::<Attachment>().ok().flatten())
            .map(|a| a.conn)
            .collect();
        self.core.replace(Some(Core::new(
            user_id,
            presence,
            self.limits.clone(),
            conns,
        )));
        Ok(())
    }

    async fn run(&self, command: InboxCommand, now: Millis) {
        let (effects, deadline, user_id) = {
            let mut slot = self.core.borrow_mut();
            let Some(core) = slot.as_mut() else {
                return;
            };
            let effects = core.handle(command, now);
            (effects, core.next_deadline(), core.user_id().to_owned())
        };
        for effect in effects {
            if let Err(err) = self.carry_out(&user_id, effect, now).await {
                worker::console_error!("inbox: {err}");
            }
        }
        if let Some(at) = deadline {
            let _ = self
                .state
                .storage()
                .set_alarm(at.saturating_sub(now) as i64)
                .await;
        }
    }

    async fn carry_out(&self, user_id: &str, effect: InboxEffect, now: Millis) -> Result<()> {
        match effect {
            InboxEffect::Send { conn, msg } => {
                for ws in self.state.get_websockets_with_tag(&conn) {
                    if crate::versions::speaks(&self.state, &ws, &msg) {
                        let _ = ws.send(&msg);
                    }
                }
            }
            InboxEffect::Broadcast(msg) => {
                for ws in self.state.get_websockets() {
                    if crate::versions::speaks(&self.state, &ws, &msg) {
                        let _ = ws.send(&msg);
                    }
                }
            }
            InboxEffect::Save(presence) => {
                let stored_user = user_id.to_owned();
                self.state
                    .storage()
                    .put(
                        "presence",
                        Stored {
                            user_id: stored_user.clone(),
                            status: presence.status,
                            status_text: presence.status_text.clone(),
                            last_seen: presence.last_seen,
                        },
                    )
                    .await?;
                let db = self.env.d1("DB")?;
                db.prepare("UPDATE users SET last_seen_at = ?2, status_text = COALESCE(?3, '') WHERE id = ?1")
                    .bind(&[
                        JsValue::from_str(&stored_user),
                        JsValue::from_f64(presence.last_seen.unwrap_or(now) as f64),
                        presence.status_text.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                    ])?
                    .run()
                    .await?;
            }
            InboxEffect::Relay(msg) => self.relay(user_id, &msg).await?,
            InboxEffect::CreateRoom {
                conn,
                req_id,
                room_name,
                is_private,
                members,
            } => {
                let answer = self
                    .create_room(user_id, room_name, is_private, members, req_id)
                    .await?;
                for ws in self.state.get_websockets_with_tag(&conn) {
                    let _ = ws.send(&answer);
                }
            }
        }
        Ok(())
    }

    /// Tells each room the user is in; their member lists show it.
    async fn relay(&self, user_id: &str, msg: &ServerMsg) -> Result<()> {
        #[derive(Deserialize)]
        struct Row {
            room_id: String,
        }
        let rooms: Vec<Row> = self
            .env
            .d1("DB")?
            .prepare("SELECT room_id FROM room_members WHERE user_id = ?1 AND member = 1 LIMIT 500")
            .bind(&[JsValue::from_str(user_id)])?
            .all()
            .await?
            .results()?;
        let body =
            serde_json::to_string(msg).map_err(|e| worker::Error::RustError(e.to_string()))?;
        for row in rooms {
            let headers = Headers::new();
            headers.set(crate::ROOM_HEADER, &row.room_id)?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post)
                .with_headers(headers)
                .with_body(Some(JsValue::from_str(&body)));
            let request = Request::new_with_init("https://room.internal/status", &init)?;
            let stub = self
                .env
                .durable_object("ROOM")?
                .id_from_name(&row.room_id)?
                .get_stub()?;
            if let Err(err) = stub.fetch_with_request(request).await {
                worker::console_warn!("inbox: status to {} failed: {err}", row.room_id);
            }
        }
        Ok(())
    }

    /// `create-room` on the inbox socket: the same as `POST /api/rooms`.
    async fn create_room(
        &self,
        user_id: &str,
        name: String,
        is_private: bool,
        members: Vec<String>,
        req_id: Option<String>,
    ) -> Result<ServerMsg> {
        let refuse = |code, message: &str| ServerMsg::error(code, message, req_id.clone());
        let db = self.env.d1("DB")?;
        let Some(user) = users::by_id(&db, user_id).await? else {
            return Ok(refuse(
                ErrorCode::Unauthorized,
                "the account no longer exists",
            ));
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
        let json: serde_json::Value = response.json().await.unwrap_or_default();
        if status == 201
            && let Ok(room) = serde_json::from_value(json["room"].clone())
        {
            return Ok(ServerMsg::RoomCreated { room });
        }
        let code = match json["error"]["code"].as_str() {
            Some("room-exists") => ErrorCode::BadRequest,
            Some("unknown-user") => ErrorCode::NotFound,
            _ => ErrorCode::BadRequest,
        };
        let message = json["error"]["message"]
            .as_str()
            .unwrap_or("the room could not be created");
        Ok(refuse(code, message))
    }
}

//! The `Inbox` object: one per user. It holds the user's inbox sockets (`/api/me/ws`) and
//! their global status, and delivers what rooms and other users send them. The rules are
//! `edgechat_core::inbox`.
#![warn(clippy::too_many_lines)]

use std::cell::RefCell;

use edgechat_core::{
    Limits,
    inbox::{Inbox as Core, InboxCommand, InboxEffect, Presence},
};
use edgechat_protocol::{ErrorCode, Millis, PING_FRAME, PONG_FRAME, Status};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{
    Date, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, durable_object, worker_sys::WebSocketRequestResponsePair,
};

mod asks;
mod exports;

use crate::{
    auth::users,
    http, sockets,
    stubs::{Carried, InboxCall},
};

#[derive(Serialize, Deserialize)]
struct Stored {
    user_id: String,
    status: Status,
    status_text: Option<String>,
    last_seen: Option<Millis>,
    #[serde(default)]
    relayed_at: Option<Millis>,
    #[serde(default)]
    relay_pending: bool,
}

#[durable_object]
pub struct Inbox {
    state: State,
    env: Env,
    limits: Limits,
    /// For checking tokens that `authenticate` brings to a live socket.
    jwt_secret: Option<Vec<u8>>,
    core: RefCell<Option<Core>>,
}

impl DurableObject for Inbox {
    fn new(state: State, env: Env) -> Self {
        crate::log::init(&env);
        if let Ok(pair) = WebSocketRequestResponsePair::new(PING_FRAME, PONG_FRAME) {
            state.set_websocket_auto_response(&pair);
        }
        let limits = crate::config::limits(&env);
        Self {
            state,
            jwt_secret: crate::config::string(&env, "JWT_SECRET").map(String::into_bytes),
            env,
            limits,
            core: RefCell::new(None),
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
            conn, who, closed, ..
        }) = sockets::attachment(&ws)
        else {
            return Ok(());
        };
        if closed {
            return Ok(());
        }
        self.load(&who.user_id).await?;
        let scope = crate::log::connection(&conn);
        let command = match message {
            WebSocketIncomingMessage::String(raw) => InboxCommand::Frame { conn, raw },
            WebSocketIncomingMessage::Binary(_) => InboxCommand::Binary { conn },
        };
        crate::log::scoped(scope, self.run(command, Date::now().as_millis())).await;
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
        sockets::closed(&ws);
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        sockets::log_error(&ws, &error);
        self.gone(&ws).await;
        sockets::failed(&ws);
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Ok(Some(stored)) = self.state.storage().get::<Stored>("presence").await {
            self.load(&stored.user_id).await?;
            self.run(InboxCommand::Tick, now).await;
        }
        // One alarm for both: the status's deadlines and the account's export.
        self.export_work(now).await;
        self.arm(Date::now().as_millis()).await;
        Response::empty()
    }
}

impl Inbox {
    /// A call from the Worker or another object, answered.
    async fn answer(&self, mut req: Request) -> Result<Response> {
        let Some(call) = InboxCall::read(&mut req).await? else {
            return http::error(
                ErrorCode::NotFound,
                "inboxes are reached through the Worker",
            );
        };
        let now = Date::now().as_millis();
        let (who, protocol) = match call {
            InboxCall::Deliver { user_id, events } => {
                self.load(&user_id).await?;
                let events: Vec<Carried> = serde_json::from_str(events.get())?;
                for Carried(event) in events {
                    self.run(InboxCommand::Deliver(Box::new(event)), now).await;
                }
                // The room learns whether the user's room list is open (and so whether
                // to tell it later counts) from the answer.
                let status = self.core.borrow().as_ref().map(Core::status_event);
                return match status {
                    Some(status) => http::json(200, &serde_json::to_value(&status)?),
                    None => Ok(Response::empty()?.with_status(204)),
                };
            }
            InboxCall::Admit { room, .. } => return self.admit(&room, now).await,
            InboxCall::Revoke { user_id } => {
                self.load(&user_id).await?;
                self.run(InboxCommand::Revoke, now).await;
                self.revoke_in_rooms(&user_id).await?;
                return Ok(Response::empty()?.with_status(204));
            }
            InboxCall::StatusText { user_id, text } => {
                self.load(&user_id).await?;
                if let Some(retry_after) = self.run(InboxCommand::StatusText(text), now).await {
                    return http::refused(&edgechat_core::inbox::admission::status_too_often(
                        retry_after,
                    ));
                }
                return Ok(Response::empty()?.with_status(204));
            }
            InboxCall::Export { user_id, call } => {
                return self.export(&user_id, call, now).await;
            }
            InboxCall::Connect { who, protocol } => (who, protocol),
        };
        self.load(&who.user_id).await?;
        let (pair, conn) = sockets::accept(&self.state, "", who.clone(), protocol.as_deref(), now)?;
        let version = crate::versions::number(protocol.as_deref());
        self.run(InboxCommand::Connect { conn, who, version }, now)
            .await;
        sockets::answer(pair.client, protocol.as_deref())
    }
    async fn gone(&self, ws: &WebSocket) {
        if let Some(sockets::Attachment { conn, who, .. }) = sockets::attachment(ws)
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
        let presence = match stored {
            Some(s) => Presence {
                status: s.status,
                status_text: s.status_text,
                last_seen: s.last_seen,
                relayed_at: s.relayed_at,
                relay_pending: s.relay_pending,
            },
            // An inbox never used: the status text a profile set before the inbox
            // owned it is in D1 only.
            None => Presence {
                status_text: self.stored_status_text(user_id).await,
                ..Presence::offline()
            },
        };
        let conns = sockets::attached(&self.state);
        self.core.replace(Some(Core::new(
            user_id,
            presence,
            self.limits.clone(),
            conns,
        )));
        Ok(())
    }

    /// Runs `command` through the core and carries out what it says; the wait, when the
    /// command was refused as too frequent.
    async fn run(&self, command: InboxCommand, now: Millis) -> Option<u64> {
        let mut next = Some(command);
        let mut too_often = None;
        while let Some(command) = next.take() {
            let (effects, user_id) = {
                let mut slot = self.core.borrow_mut();
                let core = slot.as_mut()?;
                let effects = core.handle(command, now);
                (effects, core.user_id().to_owned())
            };
            for effect in effects {
                if let InboxEffect::TooOften { retry_after } = effect {
                    too_often = Some(retry_after);
                    continue;
                }
                match self.carry_out(&user_id, effect, now).await {
                    // The door's answer to an `authenticate`: one more turn of the core.
                    Ok(Some(follow_up)) => next = Some(follow_up),
                    Ok(None) => {}
                    Err(err) => crate::log::error("inbox-step-failed").err(err).emit(),
                }
            }
        }
        self.arm(now).await;
        too_often
    }

    /// Sets the one alarm for the earliest of the status's next deadline and the
    /// account export's next part (or its archive's end).
    async fn arm(&self, now: Millis) {
        let status = self.core.borrow().as_ref().and_then(Core::next_deadline);
        let export = match self.exports().await {
            Ok(exports) => exports.due(),
            Err(_) => None,
        };
        if let Some(at) = status.into_iter().chain(export).min() {
            let _ = self
                .state
                .storage()
                .set_alarm(at.saturating_sub(now) as i64)
                .await;
        }
    }

    /// Stores the status (and last seen) durably, and D1's copy of it, for profiles and
    /// for the door to hand to rooms the user opens.
    async fn save(&self, user_id: &str, presence: &Presence, now: Millis) -> Result<()> {
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
                    relayed_at: presence.relayed_at,
                    relay_pending: presence.relay_pending,
                },
            )
            .await?;
        let db = crate::storage::d1(&self.env)?;
        // D1's copy, for profiles and for the door to hand to rooms the user opens.
        let status = match presence.status {
            Status::Online => "online",
            Status::Away => "away",
            Status::Offline => "offline",
        };
        db.prepare("UPDATE users SET last_seen_at = ?2, status_text = COALESCE(?3, ''), status = ?4 WHERE id = ?1")
                .bind(&[
                    JsValue::from_str(&stored_user),
                    JsValue::from_f64(presence.last_seen.unwrap_or(now) as f64),
                    presence.status_text.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                    JsValue::from_str(status),
                ])?
                .run()
                .await?;
        Ok(())
    }

    async fn carry_out(
        &self,
        user_id: &str,
        effect: InboxEffect,
        now: Millis,
    ) -> Result<Option<InboxCommand>> {
        match effect {
            InboxEffect::Socket(effect) => {
                let secret = self.jwt_secret.as_deref();
                if let Some(verified) = sockets::carry_out(&self.state, secret, None, effect) {
                    return Ok(Some(InboxCommand::Reauthenticated {
                        conn: verified.conn,
                        user_id: verified.user_id,
                        expires_at: verified.expires_at,
                        req_id: verified.req_id,
                    }));
                }
            }
            InboxEffect::Save(presence) => self.save(user_id, &presence, now).await?,
            InboxEffect::Relay(msg) => self.relay(user_id, &msg).await?,
            // After the answer to whoever delivered: a slow push service delays no room.
            InboxEffect::Push(message) => {
                let (env, user_id) = (self.env.clone(), user_id.to_owned());
                self.state
                    .wait_until(crate::push::send::deliver(env, user_id, message));
            }
            // Answered by `run`'s caller.
            InboxEffect::TooOften { .. } => {}
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
        Ok(None)
    }

    /// The status text D1 holds for `user_id`, if any.
    async fn stored_status_text(&self, user_id: &str) -> Option<String> {
        let db = crate::storage::d1(&self.env).ok()?;
        let user = users::by_id(&db, user_id).await.ok()??;
        Some(user.status_text).filter(|text| !text.is_empty())
    }
}

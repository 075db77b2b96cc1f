//! The socket glue both objects share: accepting a socket with its identity, minting its
//! id, answering the handshake, checking a fresh token for a live socket, and closing.
//! What the sockets mean is the core's (`edgechat_core::sockets`); this is the runtime
//! side of it, written once for rooms and inboxes.

use edgechat_core::{ConnId, Identity, sockets::SocketEffect};

use crate::outbox::{self, Batching};
use edgechat_protocol::{ErrorCode, Id, Millis, PROTOCOL_VERSION, ServerMsg};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsValue, prelude::wasm_bindgen};
use worker::{Date, Response, Result, State, WebSocket, WebSocketPair, js_sys};

// One call from WebAssembly for a whole broadcast: fetching the socket list into Rust and
// sending to each from there crossed into JavaScript three times per socket, and that
// glue was a third of a busy room's time (docs/performance.md). Each socket is tagged with
// its id and its wire version (`vN`), so the runtime finds the socket to skip, and the
// sockets of some versions, without visiting the rest; `from` 0 means every socket.
#[wasm_bindgen(
    inline_js = "export function broadcast_frame(state, frame, except, from, to) {
  const skip = except === undefined ? [] : state.getWebSockets(except);
  const lists = [];
  if (from === 0) lists.push(state.getWebSockets());
  else for (let v = from; v <= to; v++) lists.push(state.getWebSockets('v' + v));
  for (const list of lists) {
    for (const ws of list) {
      if (skip.length !== 0 && skip.includes(ws)) continue;
      try { ws.send(frame); } catch (_) {}
    }
  }
}"
)]
extern "C" {
    /// Sends `frame` to every socket of `state` of a wire version from `from` to `to`
    /// (every socket, for `from` 0) but the one tagged `except`; a socket that is closing
    /// refuses it, and is leaving anyway.
    fn broadcast_frame(
        state: &JsValue,
        frame: &js_sys::JsString,
        except: Option<&str>,
        from: u32,
        to: u32,
    );
}

/// What each socket remembers about itself across hibernation.
#[derive(Serialize, Deserialize)]
pub struct Attachment {
    pub conn: ConnId,
    /// The room a room socket is joined to; empty for an inbox socket.
    #[serde(default)]
    pub room: String,
    pub who: Identity,
    /// The server closed it: never restored after a wake, even while its client has not
    /// finished the closing handshake.
    #[serde(default)]
    pub closed: bool,
}

/// A socket id unique within the object: the time and a random suffix.
pub fn new_conn_id(now: Millis) -> ConnId {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{now:x}-{random:08x}")
}

/// A new socket, accepted for hibernation with its id and wire version as tags and its
/// identity in its attachment. Returns the client end, for the answer, and the id.
pub fn accept(
    state: &State,
    room: &str,
    who: Identity,
    protocol: Option<&str>,
    now: Millis,
) -> Result<(WebSocketPair, ConnId)> {
    accept_as(state, new_conn_id(now), room, who, protocol)
}

/// [`accept`], with the socket's id given.
pub fn accept_as(
    state: &State,
    conn: ConnId,
    room: &str,
    who: Identity,
    protocol: Option<&str>,
) -> Result<(WebSocketPair, ConnId)> {
    let pair = WebSocketPair::new()?;
    state.accept_websocket_with_tags(&pair.server, &[&conn, &crate::versions::tag(protocol)]);
    pair.server.serialize_attachment(&Attachment {
        conn: conn.clone(),
        room: room.to_owned(),
        // The status the door read is for the arrival only.
        who: Identity {
            status: None,
            status_text: None,
            ..who
        },
        closed: false,
    })?;
    Ok((pair, conn))
}

/// The 101 that hands the client its end. Browsers fail the handshake unless the server
/// picks one offered protocol; the bearer token offered beside it is never echoed.
pub fn answer(client: WebSocket, protocol: Option<&str>) -> Result<Response> {
    let response = Response::from_websocket(client)?;
    if let Some(protocol) = protocol {
        response.headers().set("Sec-WebSocket-Protocol", protocol)?;
    }
    Ok(response)
}

/// Who a socket is, from its attachment.
pub fn attachment(ws: &WebSocket) -> Option<Attachment> {
    ws.deserialize_attachment().ok().flatten()
}

/// The sockets still attached, for a core loaded after a wake.
pub fn attached(state: &State) -> Vec<(ConnId, Identity)> {
    state
        .get_websockets()
        .iter()
        .filter_map(attachment)
        .filter(|a| !a.closed)
        .map(|a| (a.conn, a.who))
        .collect()
}

/// Checks a fresh token that `authenticate` brought to a live socket and records its
/// expiry in the socket's attachment, so it survives hibernation. Returns the verified
/// user and expiry for the core to decide with; a token that does not verify is
/// answered here with `unauthorized`.
pub fn reauthenticate(
    secret: Option<&[u8]>,
    ws: &WebSocket,
    token: &str,
    req_id: Option<String>,
) -> Option<(Id, Millis)> {
    let refuse = |message: &str| {
        send(
            ws,
            &ServerMsg::error(ErrorCode::Unauthorized, message, req_id.clone()),
        );
        None
    };
    let (user_id, expires_at) = match verify(secret, token) {
        Ok(verified) => verified,
        Err(message) => return refuse(&message),
    };
    let Some(mut attached) = attachment(ws) else {
        return refuse("this socket has no identity");
    };
    if attached.who.user_id == user_id {
        attached.who.expires_at = Some(expires_at);
        if ws.serialize_attachment(&attached).is_err() {
            return refuse("the new token could not be recorded");
        }
    }
    Some((user_id, expires_at))
}

/// A token's user and expiry, or why it does not verify.
fn verify(secret: Option<&[u8]>, token: &str) -> std::result::Result<(Id, Millis), String> {
    let secret = secret.ok_or("the server is missing its secrets")?;
    edgechat_auth::token::verify(secret, token, Date::now().as_millis())
        .map(|verified| (verified.user_id, verified.expires_at))
        .map_err(|err| err.to_string())
}

/// A token an `authenticate` brought, verified by the door: for the core's next turn.
pub struct Verified {
    pub conn: ConnId,
    pub user_id: Id,
    pub expires_at: Millis,
    pub req_id: Option<String>,
}

/// Carries out what a core decided for its sockets, a room's or an inbox's alike: each
/// frame to the sockets whose wire version knows its kind, a broadcast made once for all
/// of them. With `batching` (the room's), what goes to sockets of a version that takes
/// `batch` is queued for the end of the turn (`outbox.rs`), and the rest is sent at once.
/// An `authenticate` is the door's to check; what it verified is returned.
pub fn carry_out(
    state: &State,
    secret: Option<&[u8]>,
    batching: Option<&Batching>,
    effect: SocketEffect,
) -> Option<Verified> {
    match effect {
        SocketEffect::Send { conn, msg } if batching.is_some() && outbox::is_remote(&conn) => {
            // A shard's socket: its shard's next delivery carries it.
            if let Some(frame) = made(&msg) {
                Batching::push(state, &frame, Some(&conn), None, None);
            }
        }
        SocketEffect::Send { conn, msg } => {
            for ws in state.get_websockets_with_tag(&conn) {
                let Some(msg) = crate::versions::fitted(state, &ws, &msg) else {
                    continue;
                };
                match batching {
                    Some(_) if crate::versions::at_least(state, &ws, outbox::SINCE) => {
                        if let Some(frame) = made(&msg) {
                            Batching::push(state, &frame, Some(&conn), None, None);
                        }
                    }
                    _ => send(&ws, &msg),
                }
            }
        }
        SocketEffect::Broadcast { msg, except } => {
            broadcast(state, batching.is_some(), &msg, except.as_deref());
        }
        SocketEffect::BroadcastBefore { msg, until, except } => {
            if let Some(frame) = made(&msg) {
                let older = msg.since_version().max(1);
                broadcast_frame(
                    state.as_raw().as_ref(),
                    &frame,
                    except.as_deref(),
                    older,
                    until - 1,
                );
            }
        }
        SocketEffect::BroadcastOr { msg, older } => {
            broadcast_or(state, batching.is_some(), &msg, &older);
        }
        SocketEffect::Close { conn, code, reason }
            if batching.is_some() && outbox::is_remote(&conn) =>
        {
            Batching::close_remote(state, &conn, code, &reason);
        }
        SocketEffect::Close { conn, code, reason } => {
            if let Some(batching) = batching {
                batching.flush(state);
            }
            for ws in state.get_websockets_with_tag(&conn) {
                close(&ws, code, &reason);
            }
        }
        SocketEffect::Authenticate {
            conn,
            token,
            req_id,
        } if outbox::is_remote(&conn) => {
            // A shard's socket: checked here, its answer queued like any frame to it.
            return match verify(secret, &token) {
                Ok((user_id, expires_at)) => Some(Verified {
                    conn,
                    user_id,
                    expires_at,
                    req_id,
                }),
                Err(message) => {
                    let refusal = ServerMsg::error(ErrorCode::Unauthorized, &message, req_id);
                    if let Some(frame) = made(&refusal) {
                        Batching::push(state, &frame, Some(&conn), None, None);
                    }
                    None
                }
            };
        }
        SocketEffect::Authenticate {
            conn,
            token,
            req_id,
        } => {
            if let Some(batching) = batching {
                batching.flush(state);
            }
            let ws = state.get_websockets_with_tag(&conn).into_iter().next()?;
            let (user_id, expires_at) = reauthenticate(secret, &ws, &token, req_id.clone())?;
            return Some(Verified {
                conn,
                user_id,
                expires_at,
                req_id,
            });
        }
    }
    None
}

/// `msg` as a frame made once for many sockets.
fn made(msg: &ServerMsg) -> Option<js_sys::JsString> {
    serde_json::to_string(msg).ok().map(|frame| shared(&frame))
}

/// `msg` to every socket whose version knows it but `except`, made once; with
/// `batching`, queued for the sockets that take `batch`. A socket that knows its kind but
/// not a newer field in it is sent its older form, made once too.
fn broadcast(state: &State, batching: bool, msg: &ServerMsg, except: Option<&str>) {
    let Some(frame) = made(msg) else {
        return;
    };
    let raw = state.as_raw().as_ref();
    let since = msg.since_version();
    if let Some(older) = msg.older()
        && let Some(older_frame) = made(&older)
    {
        let kind = older.since_version().max(1);
        broadcast_frame(raw, &older_frame, except, kind, since - 1);
    }
    if !batching {
        match since {
            0 | 1 => broadcast_frame(raw, &frame, except, 0, 0),
            since => broadcast_frame(raw, &frame, except, since, PROTOCOL_VERSION),
        }
        return;
    }
    if since < outbox::SINCE {
        broadcast_frame(raw, &frame, except, since.max(1), outbox::SINCE - 1);
    }
    Batching::push(state, &frame, None, except, msg.seq());
}

/// `msg` to the sockets whose version knows it, `older` to the rest; each made once.
fn broadcast_or(state: &State, batching: bool, msg: &ServerMsg, older: &ServerMsg) {
    let since = msg.since_version().max(1);
    broadcast(state, batching, msg, None);
    // `older` is made only if some socket needs it.
    let needed = (1..since).any(|v| !state.get_websockets_with_tag(&format!("v{v}")).is_empty());
    if needed && let Some(frame) = made(older) {
        broadcast_frame(state.as_raw().as_ref(), &frame, None, 1, since - 1);
    }
}

/// Sends one frame, if the socket still takes it.
pub fn send(ws: &WebSocket, msg: &ServerMsg) {
    if let Err(err) = ws.send(msg) {
        crate::log::warn("send-failed").err(err).emit();
    }
}

/// A frame made once for many sockets.
pub fn shared(frame: &str) -> js_sys::JsString {
    js_sys::JsString::from(frame)
}

/// Closes a socket for good: marked first, so a wake never restores it.
pub fn close(ws: &WebSocket, code: u16, reason: &str) {
    if let Some(mut attached) = attachment(ws) {
        attached.closed = true;
        let _ = ws.serialize_attachment(&attached);
    }
    let _ = ws.close(Some(code), Some(reason));
}

/// Completes the closing handshake of a socket the client closed (it may be gone).
pub fn closed(ws: &WebSocket) {
    let _ = ws.close(Some(1000), Some("bye"));
}

/// Logs a socket's failure with who it was.
pub fn log_error(ws: &WebSocket, error: &worker::Error) {
    let attached = attachment(ws);
    crate::log::warn("socket-error")
        .with("connId", attached.as_ref().map(|a| a.conn.clone()))
        .with("userId", attached.map(|a| a.who.user_id))
        .err(error)
        .emit();
}

/// Closes a socket that failed.
pub fn failed(ws: &WebSocket) {
    let _ = ws.close(Some(1011), Some("socket error"));
}

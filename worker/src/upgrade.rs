//! `GET /api/rooms/{room}/ws`: every check that can be made at the door, then the room.
//! An upgrade that fails any of them never reaches a Durable Object.

use edgechat_auth::subprotocol;
use edgechat_core::{Identity, ids, origin::origin_allowed};
use worker::{Env, Headers, Method, Request, RequestInit, Response, Result};

use crate::{MEMBER_HEADER, PROTOCOL_HEADER, ROOM_HEADER, SINCE_HEADER, auth::guard, config, http};

/// `GET /api/rooms/{room}/messages?before=&limit=`: a page of history, oldest first,
/// through the room object.
pub async fn room_history(req: &Request, env: &Env, room: &str) -> Result<Response> {
    if !ids::is_valid_room_name(room) {
        return http::error(404, "not-found", "no such room");
    }
    let (_, user) = attempt!(guard::user(req, env).await);
    let who = Identity {
        user_id: user.id.clone(),
        username: user.display_name.clone(),
        global_admin: user.is_admin(),
        expires_at: None,
    };
    let headers = Headers::new();
    headers.set(ROOM_HEADER, room)?;
    headers.set(
        MEMBER_HEADER,
        &serde_json::to_string(&who).map_err(|e| worker::Error::RustError(e.to_string()))?,
    )?;
    let query = req
        .url()?
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded =
        Request::new_with_init(&format!("https://room.internal/messages{query}"), &init)?;
    env.durable_object("ROOM")?
        .id_from_name(room)?
        .get_stub()?
        .fetch_with_request(forwarded)
        .await
}

pub async fn room_socket(req: &Request, env: &Env, room: &str) -> Result<Response> {
    let upgrade = req.headers().get("Upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return http::error(
            426,
            "upgrade-required",
            "this endpoint only takes WebSocket upgrades",
        );
    }
    if !ids::is_valid_room_name(room) {
        return http::error(
            400,
            "bad-room",
            "room names are 1 to 64 lowercase letters, digits, '-' or '_'",
        );
    }
    let url = req.url()?;
    let allowlist = config::string(env, "ALLOWED_ORIGINS").unwrap_or_default();
    let origin = req.headers().get("Origin")?;
    if !origin_allowed(
        origin.as_deref(),
        &url.origin().ascii_serialization(),
        &allowlist,
    ) {
        return http::error(
            403,
            "forbidden-origin",
            "this origin may not open sockets here",
        );
    }
    let (verified, user) = attempt!(guard::user(req, env).await);
    let who = Identity {
        user_id: user.id.clone(),
        username: user.display_name.clone(),
        global_admin: user.is_admin(),
        expires_at: Some(verified.expires_at),
    };
    // `since`: the last seq this client saw, to resume after a reconnect.
    let since = url
        .query_pairs()
        .find(|(key, _)| key == "since")
        .and_then(|(_, value)| value.parse::<u64>().ok());
    let offered = req
        .headers()
        .get("Sec-WebSocket-Protocol")?
        .unwrap_or_default();

    // Build the forwarded request from scratch so no header the client sent can claim an
    // identity.
    let headers = Headers::new();
    headers.set("Upgrade", "websocket")?;
    headers.set(ROOM_HEADER, room)?;
    headers.set(
        MEMBER_HEADER,
        &serde_json::to_string(&who).map_err(|e| worker::Error::RustError(e.to_string()))?,
    )?;
    if let Some(since) = since {
        headers.set(SINCE_HEADER, &since.to_string())?;
    }
    if subprotocol::parse(&offered).edgechat {
        headers.set(PROTOCOL_HEADER, subprotocol::PROTOCOL)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded = Request::new_with_init("https://room.internal/ws", &init)?;
    env.durable_object("ROOM")?
        .id_from_name(room)?
        .get_stub()?
        .fetch_with_request(forwarded)
        .await
}

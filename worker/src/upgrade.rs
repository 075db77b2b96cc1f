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

/// `GET /api/me/ws`: the user's inbox socket, checked like a room's.
pub async fn inbox_socket(req: &Request, env: &Env) -> Result<Response> {
    let (who, protocol) = attempt!(door(req, env).await);
    let headers = Headers::new();
    headers.set("Upgrade", "websocket")?;
    headers.set(
        MEMBER_HEADER,
        &serde_json::to_string(&who).map_err(|e| worker::Error::RustError(e.to_string()))?,
    )?;
    if let Some(protocol) = &protocol {
        headers.set(PROTOCOL_HEADER, protocol)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded = Request::new_with_init("https://inbox.internal/ws", &init)?;
    env.durable_object("INBOX")?
        .id_from_name(&who.user_id)?
        .get_stub()?
        .fetch_with_request(forwarded)
        .await
}

/// The checks every upgrade passes: a WebSocket upgrade, from an allowed origin, with a
/// valid token of an enabled account. Returns who it is and the subprotocol to answer.
async fn door(
    req: &Request,
    env: &Env,
) -> std::result::Result<(Identity, Option<String>), Response> {
    let upgrade = req
        .headers()
        .get("Upgrade")
        .ok()
        .flatten()
        .unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(http::refusal(
            426,
            "upgrade-required",
            "this endpoint only takes WebSocket upgrades",
        ));
    }
    let url = req
        .url()
        .map_err(|_| http::refusal(400, "bad-request", "bad URL"))?;
    let allowlist = config::string(env, "ALLOWED_ORIGINS").unwrap_or_default();
    let origin = req.headers().get("Origin").ok().flatten();
    if !origin_allowed(
        origin.as_deref(),
        &url.origin().ascii_serialization(),
        &allowlist,
    ) {
        return Err(http::refusal(
            403,
            "forbidden-origin",
            "this origin may not open sockets here",
        ));
    }
    let (verified, user) = guard::user(req, env).await?;
    let offered = req
        .headers()
        .get("Sec-WebSocket-Protocol")
        .ok()
        .flatten()
        .unwrap_or_default();
    let protocol = subprotocol::parse(&offered).answer();
    Ok((
        Identity {
            user_id: user.id.clone(),
            username: user.display_name.clone(),
            global_admin: user.is_admin(),
            expires_at: Some(verified.expires_at),
        },
        protocol,
    ))
}

pub async fn room_socket(req: &Request, env: &Env, room: &str) -> Result<Response> {
    if !ids::is_valid_room_name(room) {
        return http::error(
            400,
            "bad-room",
            "room names are 1 to 64 lowercase letters, digits, '-' or '_'",
        );
    }
    let (who, protocol) = attempt!(door(req, env).await);
    let url = req.url()?;
    // `since`: the last seq this client saw, to resume after a reconnect.
    let since = url
        .query_pairs()
        .find(|(key, _)| key == "since")
        .and_then(|(_, value)| value.parse::<u64>().ok());

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
    if let Some(protocol) = &protocol {
        headers.set(PROTOCOL_HEADER, protocol)?;
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

//! `GET /api/rooms/{room}/ws`: every check that can be made at the door, then the room.
//! An upgrade that fails any of them never reaches a Durable Object.

use edgechat_auth::subprotocol;
use edgechat_core::{Identity, origin::origin_allowed};
use edgechat_protocol::ErrorCode;
use worker::{Env, Request, Response, Result};

use crate::{
    auth::guard,
    config, http,
    stubs::{InboxStub, RoomStub},
    versions,
};

/// A whole-number query parameter of `req`: `None` when it is not given, a 400 when it
/// is given and is not a whole number (never read as "not given", which would answer
/// another page than the one asked for).
fn param(req: &Request, name: &str) -> Result<std::result::Result<Option<u64>, Response>> {
    let url = req.url()?;
    let Some((_, value)) = url.query_pairs().find(|(key, _)| key == name) else {
        return Ok(Ok(None));
    };
    Ok(match value.parse::<u64>() {
        Ok(number) => Ok(Some(number)),
        Err(_) => Err(http::refusal(
            ErrorCode::BadRequest,
            &format!("{name} must be a whole number"),
        )),
    })
}

/// `GET /api/rooms/{room}/messages?before=&limit=`: a page of history, oldest first,
/// through the room object.
pub async fn room_history(req: &Request, env: &Env, room: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (_, user) = attempt!(guard::user(req, env).await);
    let limit = attempt!(param(req, "limit")?).map(|l| l.min(1_000) as u32);
    let before = attempt!(param(req, "before")?);
    RoomStub::new(env, room)?
        .history(Identity::from(&user), before, limit)
        .await
}

/// `GET /api/me/ws[?status=away]`: the user's inbox socket, checked like a room's. A user
/// who chose to appear away says so, and arrives away.
pub async fn inbox_socket(req: &Request, env: &Env) -> Result<Response> {
    let (mut who, protocol) = attempt!(door(req, env).await);
    let away = req
        .url()?
        .query_pairs()
        .any(|(key, value)| key == "status" && value == "away");
    who.status = away.then_some(edgechat_protocol::Status::Away);
    who.status_text = None;
    InboxStub::new(env, &who.user_id)?
        .connect(who, protocol)
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
            ErrorCode::UpgradeRequired,
            "this endpoint only takes WebSocket upgrades",
        ));
    }
    let url = req
        .url()
        .map_err(|_| http::refusal(ErrorCode::BadRequest, "bad URL"))?;
    let allowlist = config::string(env, "ALLOWED_ORIGINS").unwrap_or_default();
    let origin = req.headers().get("Origin").ok().flatten();
    if !origin_allowed(
        origin.as_deref(),
        &url.origin().ascii_serialization(),
        &allowlist,
    ) {
        return Err(http::refusal(
            ErrorCode::ForbiddenOrigin,
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
    let who = Identity {
        expires_at: Some(verified.expires_at),
        version: versions::number(protocol.as_deref()),
        ..Identity::from(&user)
    };
    Ok((who, protocol))
}

pub async fn room_socket(req: &Request, env: &Env, room: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (who, protocol) = attempt!(door(req, env).await);
    // `since`: the last seq this client saw, to resume after a reconnect.
    let since = attempt!(param(req, "since")?);
    RoomStub::new(env, room)?
        .connect(room, who, since, protocol)
        .await
}

//! The sockets' upgrades, `GET /api/rooms/{room}/ws` and `GET /api/me/ws`: every check
//! that can be made at the door, then the object. An upgrade that fails any of them never
//! reaches a Durable Object.

use edgechat_auth::subprotocol;
use edgechat_core::{Identity, origin::origin_allowed};
use edgechat_protocol::ErrorCode;
use worker::{Env, Request, Response, Result};

use crate::{
    auth::guard,
    config, http,
    stubs::{Connection, InboxStub, RoomStub, ShardStub},
    versions,
};

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
    let since = attempt!(http::whole_param(req, "since")?);
    let answer = RoomStub::new(env, room)?
        .connect(Connection {
            room: room.to_owned(),
            who: who.clone(),
            since,
            protocol: protocol.clone(),
            origin: req.url()?.origin().ascii_serialization(),
        })
        .await?;
    // A room that holds as many sockets as it may sends this one to a shard.
    match RoomStub::shard_of(&answer) {
        Some(shard) => {
            ShardStub::new(env, room, shard)?
                .connect(room, shard, who, since, protocol)
                .await
        }
        None => Ok(answer),
    }
}

//! `GET /api/rooms/{room}/messages`: a room's history over HTTP, read through its object.

use edgechat_core::Identity;
use worker::{Env, Request, Response, Result};

use crate::{auth::guard, http, stubs::RoomStub};

/// `GET /api/rooms/{room}/messages?before=&limit=`: a page of history, oldest first,
/// through the room object.
pub async fn room_history(req: &Request, env: &Env, room: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (_, user) = attempt!(guard::user(req, env).await);
    let limit = attempt!(http::whole_param(req, "limit")?).map(|l| l.min(1_000) as u32);
    let before = attempt!(http::whole_param(req, "before")?);
    RoomStub::new(env, room)?
        .history(Identity::from(&user), before, limit)
        .await
}

//! Room imports at the door (docs/api.md, "Export and import"). `POST
//! /api/rooms/{id}/imports` takes an export's archive as its body into a new room with
//! no messages, for its admin, within their daily budget: the room says yes first, the
//! bytes stream to R2, then the room's alarm reads them (`room_object/imports.rs`).
//! `GET /api/rooms/{id}/imports/{importId}` says how far it is.

use edgechat_core::{Identity, export};
use edgechat_protocol::ErrorCode;
use serde_json::Value;
use worker::{Date, Env, Request, Response, Result};

use crate::{
    auth::{guard, random_id, throttle},
    files::Incoming,
    http,
    stubs::{ImportCall, RoomStub},
};

/// The window of `IMPORTS_PER_DAY`.
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// `POST /api/rooms/{room}/imports`, the archive as the body.
pub async fn start(mut req: Request, env: &Env, room: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (_, user) = attempt!(guard::user(&req, env).await);
    let limits = crate::config::limits(env);
    let length = attempt!(crate::files::declared_length(&req, limits.import_max_bytes));
    let db = crate::storage::d1(env)?;
    let bucket = crate::storage::r2(env)?;
    let key = format!("imports:{}", user.id);
    let now = Date::now().as_millis();
    let forget = crate::config::throttle_forget_ms(env).max(DAY_MS);
    let budget = (key.as_str(), limits.imports_per_day);
    if let Err(wait) = throttle::take(&db, &[budget], now, DAY_MS, forget).await? {
        return http::too_many(wait);
    }
    let who = Identity::from(&user);
    let stub = RoomStub::new(env, room)?;
    let import_id = random_id("i");
    let begun = stub
        .import(who.clone(), &import_id, ImportCall::Begin)
        .await?;
    if begun.status_code() != 200 {
        throttle::give_back(&db, &key).await?;
        return Ok(begun);
    }
    let incoming = attempt!(Incoming::start(&mut req, length).await);
    attempt!(
        incoming
            .store(
                &bucket,
                &export::import_key(&import_id),
                "application/x-tar"
            )
            .await
    );
    let mut answer = stub
        .import(who, &import_id, ImportCall::Stored { size: length })
        .await?;
    if answer.status_code() != 200 {
        return Ok(answer);
    }
    let body: Value = answer.json().await?;
    http::json(202, &body)
}

/// `GET /api/rooms/{room}/imports/{importId}`: the import, for the admin who started it.
pub async fn progress(req: Request, env: &Env, room: &str, import_id: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (_, user) = attempt!(guard::user(&req, env).await);
    if !export::is_import_id(import_id) {
        return http::error(ErrorCode::NotFound, "no such import");
    }
    RoomStub::new(env, room)?
        .import(Identity::from(&user), import_id, ImportCall::View)
        .await
}

//! Web Push: `GET /api/push/key`, `POST` and `DELETE /api/push/subscriptions`, and the
//! pushes an inbox sends (`send`). The rules are `edgechat_core::push`; the cryptography
//! is WebCrypto's (`crypto`).

mod crypto;
pub mod send;

use edgechat_core::push;
use edgechat_protocol::{ErrorCode, push::PushSubscription};
use serde::Deserialize;
use serde_json::json;
use worker::{Date, Env, Request, Response, Result};

use crate::{
    auth::{
        guard, throttle,
        users::{int, text},
    },
    http::{self, read_json},
};

pub use crypto::Vapid;

/// Subscriptions one user may make (or replace) per hour.
const SUBSCRIBES_PER_HOUR: u32 = 20;

fn unavailable() -> Result<Response> {
    http::error(
        ErrorCode::Unavailable,
        "push notifications are not set up on this server (VAPID_PRIVATE_JWK)",
    )
}

/// `GET /api/push/key`: the key browsers subscribe with (`applicationServerKey`).
pub async fn key(req: Request, env: &Env) -> Result<Response> {
    attempt!(guard::user(&req, env).await);
    match Vapid::from_env(env) {
        Some(vapid) => http::json(200, &json!({ "publicKey": vapid.public_key })),
        None => unavailable(),
    }
}

/// `POST /api/push/subscriptions`: this browser's subscription, as
/// `PushSubscription.toJSON()` gives it. A browser belongs to the account that
/// subscribed it last; past `MAX_DEVICES` the user's oldest is dropped.
pub async fn subscribe(mut req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    if Vapid::from_env(env).is_none() {
        return unavailable();
    }
    let subscription: PushSubscription = attempt!(read_json(&mut req).await);
    if let Err(why) = push::check(&subscription, &crate::outbound::test_hosts(env)) {
        return http::error(
            ErrorCode::Invalid,
            &format!("the subscription was refused: {}", why.as_str()),
        );
    }
    let db = crate::storage::d1(env)?;
    let now = Date::now().as_millis();
    let key = format!("push:{}", user.id);
    if let Some(refused) = throttle::hourly(env, &db, &key, SUBSCRIBES_PER_HOUR, now).await? {
        return Ok(refused);
    }
    let store = db
        .prepare(
            "INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(endpoint) DO UPDATE SET user_id = excluded.user_id,
                 p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at",
        )
        .bind(&[
            text(&subscription.endpoint),
            text(&user.id),
            text(&subscription.keys.p256dh),
            text(&subscription.keys.auth),
            int(now),
        ])?;
    let trim = db
        .prepare(
            "DELETE FROM push_subscriptions WHERE user_id = ?1 AND endpoint NOT IN
                 (SELECT endpoint FROM push_subscriptions WHERE user_id = ?1
                  ORDER BY created_at DESC LIMIT ?2)",
        )
        .bind(&[text(&user.id), int(push::MAX_DEVICES as u64)])?;
    db.batch(vec![store, trim]).await?;
    http::json(201, &json!({ "endpoint": subscription.endpoint }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unsubscribe {
    endpoint: String,
}

/// `DELETE /api/push/subscriptions`: this browser gets no more pushes for the user.
pub async fn unsubscribe(mut req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let body: Unsubscribe = attempt!(read_json(&mut req).await);
    crate::storage::d1(env)?
        .prepare("DELETE FROM push_subscriptions WHERE endpoint = ?1 AND user_id = ?2")
        .bind(&[text(&body.endpoint), text(&user.id)])?
        .run()
        .await?;
    Ok(Response::empty()?.with_status(204))
}

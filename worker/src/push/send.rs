//! Sending one push to every device of a user, from their inbox, after it answered
//! whoever delivered the event (`State::wait_until`): a slow push service delays no room.

use edgechat_core::push;
use edgechat_protocol::push::{PushKeys, PushMessage, PushSubscription};
use futures_util::future::join_all;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Date, Env, Headers, Result};

use super::{Vapid, crypto};
use crate::{
    auth::users::{int, text},
    outbound::{self, Failed},
};

#[derive(Deserialize)]
struct Row {
    endpoint: String,
    p256dh: String,
    auth: String,
}

/// Pushes `message` to each device `user_id` subscribed (at most `MAX_DEVICES`), unless
/// the account is disabled; a device the push service no longer knows (404, 410) is
/// forgotten.
pub async fn deliver(env: Env, user_id: String, message: PushMessage) {
    if let Err(err) = try_deliver(&env, &user_id, &message).await {
        crate::log::warn("push-failed")
            .with("userId", user_id.as_str())
            .err(err)
            .emit();
    }
}

async fn try_deliver(env: &Env, user_id: &str, message: &PushMessage) -> Result<()> {
    let Some(vapid) = Vapid::from_env(env) else {
        return Ok(());
    };
    let db = crate::storage::d1(env)?;
    let rows: Vec<Row> = db
        .prepare(
            "SELECT s.endpoint, s.p256dh, s.auth FROM push_subscriptions s
             JOIN users u ON u.id = s.user_id AND u.disabled = 0
             WHERE s.user_id = ?1 ORDER BY s.created_at DESC LIMIT ?2",
        )
        .bind(&[text(user_id), int(push::MAX_DEVICES as u64)])?
        .all()
        .await?
        .results()?;
    if rows.is_empty() {
        return Ok(());
    }
    let key = vapid.signing_key().await?;
    let payload = serde_json::to_vec(message)?;
    let topic = push::topic(&message.room_id);
    let sends = rows.into_iter().map(|row| {
        let (db, vapid, key, payload, topic) = (&db, &vapid, &key, &payload, &topic);
        async move {
            let endpoint = row.endpoint.clone();
            match send(env, vapid, key, row, payload, topic).await {
                Ok(()) => {}
                Err(Gone) => {
                    let _ = forget(db, &endpoint).await;
                }
            }
        }
    });
    join_all(sends).await;
    Ok(())
}

/// The device is gone: its push service answered 404 or 410, or the policy refuses it now.
struct Gone;

async fn send(
    env: &Env,
    vapid: &Vapid,
    key: &JsValue,
    row: Row,
    payload: &[u8],
    topic: &str,
) -> std::result::Result<(), Gone> {
    let subscription = PushSubscription {
        endpoint: row.endpoint,
        keys: PushKeys {
            p256dh: row.p256dh,
            auth: row.auth,
        },
    };
    let device = push::check(&subscription, &outbound::test_hosts(env)).map_err(|_| Gone)?;
    let attempt = async {
        let body = crypto::seal(&device, payload).await?;
        let now = Date::now().as_millis() / 1000;
        let authorization = vapid
            .authorization(key, &push::audience(&device.endpoint), now)
            .await?;
        let headers = Headers::new();
        for (name, value) in [
            ("Content-Type", "application/octet-stream"),
            ("Content-Encoding", "aes128gcm"),
            ("TTL", &push::TTL_SECONDS.to_string()),
            ("Urgency", "high"),
            ("Topic", topic),
            ("Authorization", &authorization),
        ] {
            headers.set(name, value)?;
        }
        Ok::<_, worker::Error>(outbound::post(device.endpoint.as_str(), headers, body).await)
    };
    match attempt.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(Failed::Status(404 | 410))) => Err(Gone),
        Ok(Err(failed)) => {
            // The origin only: an endpoint's path is the device's address.
            crate::log::warn("push-refused")
                .with("service", device.endpoint.origin().ascii_serialization())
                .with("outcome", failed.kind())
                .emit();
            Ok(())
        }
        Err(err) => {
            crate::log::warn("push-unsealed").err(err).emit();
            Ok(())
        }
    }
}

async fn forget(db: &D1Database, endpoint: &str) -> Result<()> {
    db.prepare("DELETE FROM push_subscriptions WHERE endpoint = ?1")
        .bind(&[text(endpoint)])?
        .run()
        .await?;
    Ok(())
}

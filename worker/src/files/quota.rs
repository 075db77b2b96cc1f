//! How much one user may upload in an hour, files and bytes, across rooms and avatars:
//! counted in D1 before the bytes are stored, in one statement, so parallel uploads
//! cannot all pass a check that reads first and counts later.

use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, Date, Env, Response, Result};

use crate::{config, http};

const HOUR_MS: u64 = 60 * 60 * 1000;

/// One more file of `bytes` in the user's window: a new window when the last one ended.
const TAKE: &str =
    "INSERT INTO upload_usage (user_id, window_start, files, bytes) VALUES (?1, ?2, 1, ?3)
     ON CONFLICT(user_id) DO UPDATE SET
         files = CASE WHEN upload_usage.window_start + ?4 <= excluded.window_start
             THEN 1 ELSE upload_usage.files + 1 END,
         bytes = CASE WHEN upload_usage.window_start + ?4 <= excluded.window_start
             THEN excluded.bytes ELSE upload_usage.bytes + excluded.bytes END,
         window_start = CASE WHEN upload_usage.window_start + ?4 <= excluded.window_start
             THEN excluded.window_start ELSE upload_usage.window_start END
     RETURNING window_start, files, bytes";

#[derive(Deserialize)]
struct Usage {
    window_start: f64,
    files: f64,
    bytes: f64,
}

/// Counts an upload of `bytes` against `user_id`'s hour (`UPLOAD_FILES_PER_HOUR`,
/// `UPLOAD_BYTES_PER_HOUR`); the refusal (429 `rate-limited`, `Retry-After`) when it is
/// past either.
pub async fn take(
    env: &Env,
    db: &D1Database,
    user_id: &str,
    bytes: u64,
) -> Result<std::result::Result<(), Response>> {
    let now = Date::now().as_millis();
    let max_files = config::number(env, "UPLOAD_FILES_PER_HOUR", 200);
    let max_bytes = config::number(env, "UPLOAD_BYTES_PER_HOUR", 500 * 1024 * 1024);
    let usage: Option<Usage> = db
        .prepare(TAKE)
        .bind(&[
            JsValue::from_str(user_id),
            JsValue::from_f64(now as f64),
            JsValue::from_f64(bytes as f64),
            JsValue::from_f64(HOUR_MS as f64),
        ])?
        .first(None)
        .await?;
    let Some(usage) = usage else {
        return Err(worker::Error::RustError("the quota returned no row".into()));
    };
    if usage.files as u64 <= max_files && usage.bytes as u64 <= max_bytes {
        return Ok(Ok(()));
    }
    let wait = (usage.window_start as u64 + HOUR_MS).saturating_sub(now);
    let refused = http::refusal(
        ErrorCode::RateLimited,
        "you uploaded as much as one may in an hour; try again later",
    );
    let _ = refused
        .headers()
        .set("Retry-After", &wait.div_ceil(1000).max(1).to_string());
    Ok(Err(refused))
}

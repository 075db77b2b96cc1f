//! JSON requests and responses shared by every route.

use edgechat_protocol::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use worker::{Headers, Request, Response, Result};

/// Bodies larger than this are refused before they are read whole.
const MAX_BODY: usize = 16 * 1024;

/// An error as every HTTP endpoint reports it: `{"error":{"code":"…","message":"…"}}`,
/// with the code's status.
pub fn error(code: ErrorCode, message: &str) -> Result<Response> {
    Ok(refusal(code, message))
}

/// The same, infallibly, for paths that return `Result<_, Response>`.
pub fn refusal(code: ErrorCode, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    let headers = Headers::new();
    let _ = headers.set("Content-Type", "application/json");
    Response::builder()
        .with_status(code.status())
        .with_headers(headers)
        .fixed(serde_json::to_vec(&body).unwrap_or_default())
}

/// A validation error naming the field.
pub fn field_error(err: &edgechat_auth::names::FieldError) -> Result<Response> {
    let body = json!({ "error": { "code": err.code, "message": err.message, "field": err.field } });
    Ok(Response::from_json(&body)?.with_status(err.code.status()))
}

/// 429 with `Retry-After` in whole seconds.
pub fn too_many(retry_after_ms: u64) -> Result<Response> {
    let response = error(ErrorCode::RateLimited, "too many attempts; try again later")?;
    response.headers().set(
        "Retry-After",
        &retry_after_ms.div_ceil(1000).max(1).to_string(),
    )?;
    Ok(response)
}

/// A room id from a path. Every route answers one that is not a valid room name the
/// same way, 400 `bad-room`, before anything else.
pub fn room_name(room: &str) -> std::result::Result<(), Response> {
    if edgechat_core::ids::is_valid_room_name(room) {
        Ok(())
    } else {
        Err(refusal(
            ErrorCode::BadRoom,
            "room ids are 1 to 64 lowercase letters, digits, '-' or '_' (or a direct or group room's id)",
        ))
    }
}

pub fn json(status: u16, body: &Value) -> Result<Response> {
    Ok(Response::from_json(body)?.with_status(status))
}

/// Reads a JSON body into `T`. Not JSON, not UTF-8, wrong types or missing fields are a
/// 400 `bad-request`; too large a 413.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> std::result::Result<T, Response> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > MAX_BODY) {
        return Err(refusal(
            ErrorCode::TooLarge,
            "request bodies are limited to 16 KiB",
        ));
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| refusal(ErrorCode::BadRequest, "the body could not be read"))?;
    if bytes.len() > MAX_BODY {
        return Err(refusal(
            ErrorCode::TooLarge,
            "request bodies are limited to 16 KiB",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        refusal(
            ErrorCode::BadRequest,
            &format!("the body is not the JSON this endpoint takes: {e}"),
        )
    })
}

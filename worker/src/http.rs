//! JSON requests and responses shared by every route.

use edgechat_core::body;
use edgechat_protocol::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use worker::{Headers, Request, Response, Result};

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

/// The answer to a refusal the core decided: its code and words, and when a limit lets
/// the next one through (`retryAfter` in ms, `Retry-After` in whole seconds).
pub fn refused(refusal: &edgechat_core::Refusal) -> Result<Response> {
    let code = refusal.code();
    let mut body = json!({ "error": { "code": code, "message": refusal.message() } });
    if let Some(wait) = refusal.wait() {
        body["retryAfter"] = json!(wait);
    }
    let response = json(code.status(), &body)?;
    if let Some(wait) = refusal.wait() {
        response
            .headers()
            .set("Retry-After", &wait.div_ceil(1000).max(1).to_string())?;
    }
    Ok(response)
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

/// Reads a JSON body into `T`, as `edgechat_core::body` decides: not declared
/// `application/json` is 415 `unsupported-type` (a cross-site form can send `text/plain`
/// without asking first; it cannot send JSON); too large 413; not the JSON the endpoint
/// takes 400 `bad-request`.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> std::result::Result<T, Response> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    body::check_headers(
        header("Content-Type").as_deref(),
        header("Content-Length").as_deref(),
    )
    .map_err(|r| refusal(r.code, &r.message))?;
    let bytes = req
        .bytes()
        .await
        .map_err(|_| refusal(ErrorCode::BadRequest, "the body could not be read"))?;
    body::decode(&bytes).map_err(|r| refusal(r.code, &r.message))
}

/// A whole-number query parameter of `req`: `None` when it is not given, a 400 when it
/// is given and is not a whole number (never read as "not given", which would answer
/// another page than the one asked for).
pub fn whole_param(
    req: &Request,
    name: &str,
) -> Result<std::result::Result<Option<u64>, Response>> {
    let url = req.url()?;
    let Some((_, value)) = url.query_pairs().find(|(key, _)| key == name) else {
        return Ok(Ok(None));
    };
    Ok(match value.parse::<u64>() {
        Ok(number) => Ok(Some(number)),
        Err(_) => Err(refusal(
            ErrorCode::BadRequest,
            &format!("{name} must be a whole number"),
        )),
    })
}

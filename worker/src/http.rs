//! JSON responses shared by every route.

use serde_json::json;
use worker::{Response, Result};

/// An error as every HTTP endpoint reports it: `{"error":{"code":"…","message":"…"}}`.
pub fn error(status: u16, code: &str, message: &str) -> Result<Response> {
    Ok(
        Response::from_json(&json!({ "error": { "code": code, "message": message } }))?
            .with_status(status),
    )
}

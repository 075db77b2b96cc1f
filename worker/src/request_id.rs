//! One id per request, given at the door: `X-Request-Id` on every answer and `requestId`
//! in every JSON error, so that what a user reports can be found in the logs. It is the
//! incoming `cf-ray` with a random suffix (Ray IDs are not promised unique), or a fresh
//! id where there is none.

use serde_json::Value;
use worker::{Request, Response, Result};

/// The id for `req`.
pub fn new(req: &Request) -> String {
    // 32 random hex digits; an id takes what it needs of them.
    let random = crate::auth::random_id("");
    // What the edge sets; anything else (a client's own header, in local development)
    // is kept out, so an id cannot carry what a log or a header should not.
    let ray = req.headers().get("cf-ray").ok().flatten().filter(|ray| {
        (1..=64).contains(&ray.len()) && ray.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    match ray {
        Some(ray) => format!("{ray}-{}", &random[..8]),
        None => format!("r-{}", &random[..16]),
    }
}

/// `response` carrying `id`: as a header, and inside the body of a JSON error.
pub async fn mark(id: &str, mut response: Response) -> Result<Response> {
    let status = response.status_code();
    let json = response
        .headers()
        .get("Content-Type")?
        .is_some_and(|t| t.starts_with("application/json"));
    if status >= 400 && json {
        let headers = response.headers().clone();
        // The body's length changes.
        headers.delete("Content-Length")?;
        let text = response.text().await?;
        let body = match serde_json::from_str::<Value>(&text) {
            Ok(mut body) => {
                if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
                    error.insert("requestId".to_owned(), Value::from(id));
                }
                serde_json::to_vec(&body).unwrap_or_default()
            }
            Err(_) => text.into_bytes(),
        };
        response = Response::builder()
            .with_status(status)
            .with_headers(headers)
            .fixed(body);
    }
    // A fetched answer (an object's, an upgrade's) keeps its headers read-only: it
    // goes out with a copy of them.
    if response.headers().set("X-Request-Id", id).is_err() {
        let headers = response.headers().clone();
        headers.set("X-Request-Id", id)?;
        response = response.with_headers(headers);
    }
    Ok(response)
}

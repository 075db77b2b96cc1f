//! The REST API is same-origin. `CORS_ORIGINS` (comma-separated) opens it to other
//! origins explicitly; nothing else gets CORS headers.

use edgechat_protocol::ErrorCode;
use worker::{Env, Request, Response, Result};

use crate::config;

fn allowed(env: &Env, origin: Option<&str>) -> Option<String> {
    let origin = origin?;
    let list = config::string(env, "CORS_ORIGINS")?;
    list.split(',')
        .map(|o| o.trim().trim_end_matches('/'))
        .any(|o| !o.is_empty() && o.eq_ignore_ascii_case(origin))
        .then(|| origin.to_owned())
}

/// Whether a request that changes state may come from `origin`: a client that sends no
/// `Origin` is no browser and carries no one's cookies; a browser may come from the
/// Worker's own origin or one `CORS_ORIGINS` lists.
pub fn may_change(env: &Env, req: &Request, origin: Option<&str>) -> bool {
    let own = req
        .url()
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default();
    let listed = config::string(env, "CORS_ORIGINS").unwrap_or_default();
    edgechat_core::origin::origin_allowed(origin, &own, &listed)
}

/// Adds the CORS headers when the request's origin is listed.
pub fn allow(env: &Env, origin: Option<&str>, response: Response) -> Result<Response> {
    if let Some(origin) = allowed(env, origin) {
        let headers = response.headers();
        // Upgrade responses carry immutable headers; a failure here only means no CORS.
        let _ = headers.set("Access-Control-Allow-Origin", &origin);
        let _ = headers.set("Access-Control-Allow-Credentials", "true");
        let _ = headers.append("Vary", "Origin");
        // Scripts on a listed origin may read what a ranged download returned.
        let _ = headers.set(
            "Access-Control-Expose-Headers",
            "Content-Range, Content-Disposition, Retry-After, X-Request-Id",
        );
    }
    Ok(response)
}

/// Answers a preflight: 204 with the allowances for a listed origin, 403 otherwise.
pub fn preflight(env: &Env, origin: Option<&str>) -> Result<Response> {
    let Some(origin) = allowed(env, origin) else {
        return crate::http::error(
            ErrorCode::ForbiddenOrigin,
            "this origin may not call the API",
        );
    };
    let response = Response::empty()?.with_status(204);
    let headers = response.headers();
    headers.set("Access-Control-Allow-Origin", &origin)?;
    headers.set("Access-Control-Allow-Credentials", "true")?;
    headers.set(
        "Access-Control-Allow-Methods",
        "GET, POST, PUT, PATCH, DELETE",
    )?;
    headers.set(
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, X-Edgechat-Csrf, X-File-Name, Range",
    )?;
    headers.set("Access-Control-Max-Age", "600")?;
    headers.append("Vary", "Origin")?;
    Ok(response)
}

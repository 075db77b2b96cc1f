//! Authentication at the door: a bearer token, checked, and the account still enabled.

use edgechat_auth::token::{self, Verified};
use edgechat_protocol::ErrorCode;
use worker::{Date, Env, Request, Response};

use super::users::{self, UserRow};
use crate::{config::AuthConfig, http::refusal};

/// The bearer token of a request: `Authorization: Bearer …`, or for WebSockets the
/// `bearer.…` subprotocol.
pub fn bearer(req: &Request) -> Option<String> {
    let headers = req.headers();
    if let Some(auth) = headers.get("Authorization").ok().flatten()
        && let Some(token) = auth.strip_prefix("Bearer ")
    {
        return Some(token.trim().to_owned());
    }
    let offered = headers.get("Sec-WebSocket-Protocol").ok().flatten()?;
    edgechat_auth::subprotocol::parse(&offered).bearer
}

/// The signed-in user behind `req`, or the response that refuses it: 401 without a valid
/// token, 403 for a disabled account.
pub async fn user(req: &Request, env: &Env) -> Result<(Verified, UserRow), Response> {
    signed_in(bearer(req), env).await
}

/// The same for media (`/api/files`, avatars), which `<img>` and `<video>` fetch with the
/// access cookie instead of a header. Only these read-only routes accept the cookie.
pub async fn media_user(req: &Request, env: &Env) -> Result<(Verified, UserRow), Response> {
    let from_cookie = || {
        let cookies = req.headers().get("Cookie").ok().flatten()?;
        edgechat_auth::cookie::read(&cookies, edgechat_auth::cookie::ACCESS).map(str::to_owned)
    };
    signed_in(bearer(req).or_else(from_cookie), env).await
}

async fn signed_in(token: Option<String>, env: &Env) -> Result<(Verified, UserRow), Response> {
    let config = AuthConfig::from_env(env)
        .ok_or_else(|| refusal(ErrorCode::Internal, "the server is missing its secrets"))?;
    let token =
        token.ok_or_else(|| refusal(ErrorCode::Unauthorized, "sign in first: no access token"))?;
    let verified = token::verify(&config.jwt_secret, &token, Date::now().as_millis())
        .map_err(|e| refusal(ErrorCode::Unauthorized, &e.to_string()))?;
    crate::log::note("userId", verified.user_id.as_str());
    let db = crate::storage::d1(env).map_err(|err| crate::storage::refusal(&err, "no database"))?;
    let row = users::by_id(&db, &verified.user_id)
        .await
        .map_err(|err| crate::storage::refusal(&err, "the account could not be read"))?
        .ok_or_else(|| refusal(ErrorCode::Unauthorized, "the account no longer exists"))?;
    if row.is_disabled() {
        return Err(refusal(
            ErrorCode::AccountDisabled,
            "this account is disabled",
        ));
    }
    Ok((verified, row))
}
